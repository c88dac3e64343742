"""The report's experiments, one module per figure.

Every module satisfies the [Experiment][fyslearn.experiments.Experiment]
contract: a `Config` dataclass holding the report's settings (and
`Config.quick()`, a small variant for smoke tests); `tasks(config)`, its
independent trainings, and `assemble(config, outputs)`, which builds the
typed `Result` from their outputs; `run(config, n_jobs)`, the two in a row on
`n_jobs` processes; `plot(result)`, the figure; and `rows(result)`, the lines
it contributes to the results table. `fyslearn reproduce` pools the tasks of
the experiments it runs; the tutorials run one each.

An experiment's id is its module's name (`fig3_ols_sgd`, the tutorial
`tutorials/fig3_ols_sgd.py` and the result files `fig3_ols_sgd.*`); the
short names of the command line (`fig3`, `ols`, ...) are aliases.

The experiments come in two groups: [REPORT][fyslearn.experiments.REPORT],
the report's (what `fyslearn reproduce` runs unless told otherwise), and
[COURSE][fyslearn.experiments.COURSE], the course's later material beyond the
report. [GROUPS][fyslearn.experiments.GROUPS] names them, and `all` for both,
on the command line.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from typing import Any

from . import (
    breast_cancer,
    fig2_activations,
    fig3_ols_sgd,
    fig4_ridge_sgd,
    fig5_franke_network,
    fig6_network_grid,
    fig7_activations_init,
    fig8_mnist_network,
    fig9_logistic,
    ols_reference,
    optimizers,
    randomnet,
    runge,
    terrain,
    tuned,
)
from ._common import quick_mode, scores
from ._contract import Experiment, Result
from ._show import show_or_save
from ._tasks import BACKENDS, BackendError, Plan, Task, parallel_backend, run_plans, run_tasks

__all__ = [
    "ALIASES",
    "BACKENDS",
    "COURSE",
    "EXPERIMENTS",
    "GROUPS",
    "REPORT",
    "BackendError",
    "Experiment",
    "Plan",
    "Result",
    "Task",
    "config_for",
    "experiment_id",
    "experiment_ids",
    "parallel_backend",
    "plan_for",
    "quick_mode",
    "run_experiment",
    "run_plans",
    "run_tasks",
    "scores",
    "show_or_save",
]


def _by_id(*modules: Experiment) -> dict[str, Experiment]:
    return {module.__name__.rsplit(".", 1)[-1]: module for module in modules}


_REPORT = _by_id(
    fig2_activations,
    fig3_ols_sgd,
    ols_reference,
    fig4_ridge_sgd,
    fig5_franke_network,
    fig6_network_grid,
    fig7_activations_init,
    randomnet,
    fig8_mnist_network,
    fig9_logistic,
    tuned,
)
_COURSE = _by_id(optimizers, breast_cancer, runge, terrain)

#: Experiment id (its module's name) -> experiment module, of every experiment: the
#: report's order, then the experiments beyond the report.
EXPERIMENTS: dict[str, Experiment] = {**_REPORT, **_COURSE}

#: Ids of the report's experiments, in the report's order (its figures, the closed-form
#: OLS reference, RandomNet and the tuned runs): what `fyslearn reproduce` runs when no
#: experiment is named.
REPORT: tuple[str, ...] = tuple(_REPORT)

#: Ids of the course's later material, beyond the report (optimizers, breast cancer,
#: Runge's function, terrain elevation): `fyslearn reproduce course`.
COURSE: tuple[str, ...] = tuple(_COURSE)

#: Group name accepted on the command line -> the ids it stands for, in order.
GROUPS: dict[str, tuple[str, ...]] = {"report": REPORT, "course": COURSE, "all": REPORT + COURSE}

#: Short names accepted on the command line -> experiment id.
ALIASES: dict[str, str] = {
    "fig2": "fig2_activations",
    "fig3": "fig3_ols_sgd",
    "ols": "ols_reference",
    "fig4": "fig4_ridge_sgd",
    "fig5": "fig5_franke_network",
    "fig6": "fig6_network_grid",
    "fig7": "fig7_activations_init",
    "fig8": "fig8_mnist_network",
    "fig9": "fig9_logistic",
}


def experiment_id(name: str) -> str:
    """The id of the experiment called `name` (its id or an alias such as `fig3`).

    Raises:
        KeyError: No experiment has this id or alias.
    """
    name = ALIASES.get(name, name)
    if name not in EXPERIMENTS:
        raise KeyError(name)
    return name


def experiment_ids(names: Sequence[str]) -> list[str]:
    """The ids of the experiments that `names` name, in order, each once.

    Args:
        names: Experiment ids, aliases (`fig3`) and group names of
            [GROUPS][fyslearn.experiments.GROUPS] (`report`, `course`, `all`),
            mixed; a group stands for its experiments in its order.

    Returns:
        The ids, in the order they are first named.

    Raises:
        KeyError: Some names are no experiment, alias or group; the error's
            argument is the list of those names.
    """
    known = GROUPS.keys() | ALIASES.keys() | EXPERIMENTS.keys()
    unknown = [name for name in names if name not in known]
    if unknown:
        raise KeyError(unknown)
    groups = [GROUPS[name] if name in GROUPS else (experiment_id(name),) for name in names]
    ids = [ident for group in groups for ident in group]
    return list(dict.fromkeys(ids))


def config_for(name: str, quick: bool = False, seed: int | None = None) -> Any:
    """The configuration of experiment `name`: the report's, or the quick one; reseeded.

    Args:
        name: Experiment id or alias.
        quick: The small settings of `Config.quick()` instead of the report's.
        seed: Replaces the configuration's `seed`; an experiment averaged over
            several seeds gets `seed, seed + 1, ...`. `None` keeps the report's.
    """
    module = EXPERIMENTS[experiment_id(name)]
    config = module.Config.quick() if quick else module.Config()
    if seed is None:
        return config
    names = {field.name for field in dataclasses.fields(config)}
    if "seed" in names:
        return dataclasses.replace(config, seed=seed)
    if "seeds" in names:
        return dataclasses.replace(config, seeds=tuple(seed + s for s in range(len(config.seeds))))
    return config


def plan_for(name: str, config: Any) -> Plan:
    """Experiment `name` (id or alias) at `config` as independent tasks, named by its id."""
    name = experiment_id(name)
    module = EXPERIMENTS[name]
    return Plan(name, module.tasks(config), functools.partial(module.assemble, config))


def run_experiment(
    name: str, quick: bool = False, seed: int | None = None, n_jobs: int | None = 1
) -> Result:
    """Run experiment `name` (id or alias; on `n_jobs` processes, -1: every core)."""
    plan = plan_for(name, config_for(name, quick, seed))
    return plan.assemble(run_tasks(plan.tasks, n_jobs))

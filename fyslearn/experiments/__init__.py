"""The report's experiments, one module per figure.

Every module satisfies the [Experiment][fyslearn.experiments.Experiment]
contract: a `Config` dataclass holding the report's settings (and
`Config.quick()`, a small variant for smoke tests); `tasks(config)`, its
independent trainings, and `assemble(config, outputs)`, which builds the
typed `Result` from their outputs; `run(config, n_jobs)`, the two in a row on
`n_jobs` processes; `plot(result)`, the figure; and `rows(result)`, the lines
it contributes to the results table. `fyslearn reproduce` pools the tasks of
all experiments; the tutorials run one each.

An experiment's id is its module's name (`fig3_ols_sgd`, the tutorial
`tutorials/fig3_ols_sgd.py` and the result files `fig3_ols_sgd.*`); the
short names of the command line (`fig3`, `ols`, ...) are aliases.
"""

from __future__ import annotations

import dataclasses
import functools
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
    tuned,
)
from ._common import quick_mode, scores
from ._contract import Experiment, Result
from ._show import show_or_save
from ._tasks import BACKENDS, BackendError, Plan, Task, parallel_backend, run_plans, run_tasks

__all__ = [
    "ALIASES",
    "BACKENDS",
    "EXPERIMENTS",
    "BackendError",
    "Experiment",
    "Plan",
    "Result",
    "Task",
    "config_for",
    "experiment_id",
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


#: Experiment id (its module's name) -> experiment module: the report's order, then the
#: experiments beyond the report.
EXPERIMENTS: dict[str, Experiment] = _by_id(
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
    optimizers,
    breast_cancer,
    runge,
)

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

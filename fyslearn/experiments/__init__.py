"""The report's experiments, one module per figure.

Every module has a ``Config`` dataclass holding the report's settings (and
``Config.quick()``, a small variant for smoke tests), ``run(config) -> result``
(plain arrays and numbers), ``plot(result) -> Figure`` and ``rows(result)``,
the lines it contributes to the results table. ``fyslearn reproduce`` runs
them all; the tutorials run one each.

An experiment made of independent trainings also has ``tasks(config)`` and
``assemble(config, outputs)`` (see :mod:`fyslearn.experiments._tasks`); its
``run(config, n_jobs)`` can then use several cores, and ``fyslearn reproduce``
pools the tasks of all experiments.
"""

from __future__ import annotations

import dataclasses
import functools
from types import ModuleType
from typing import Any

from . import (
    fig2_activations,
    fig3_ols_sgd,
    fig4_ridge_sgd,
    fig5_franke_network,
    fig6_network_grid,
    fig7_activations_init,
    fig8_mnist_network,
    fig9_logistic,
    ols_reference,
    randomnet,
    tuned,
)
from ._tasks import Plan, Task, run_tasks

__all__ = ["EXPERIMENTS", "config_for", "plan_for", "run_experiment"]

#: Name on the command line -> experiment module, in the report's order.
EXPERIMENTS: dict[str, ModuleType] = {
    "fig2": fig2_activations,
    "fig3": fig3_ols_sgd,
    "ols": ols_reference,
    "fig4": fig4_ridge_sgd,
    "fig5": fig5_franke_network,
    "fig6": fig6_network_grid,
    "fig7": fig7_activations_init,
    "randomnet": randomnet,
    "fig8": fig8_mnist_network,
    "fig9": fig9_logistic,
    "tuned": tuned,
}


def config_for(name: str, quick: bool = False, seed: int | None = None) -> Any:
    """The configuration of experiment ``name``: the report's, or the quick one; reseeded."""
    module = EXPERIMENTS[name]
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
    """Experiment ``name`` as independent tasks (a single task if it has no ``tasks``)."""
    module = EXPERIMENTS[name]
    if hasattr(module, "tasks"):
        return Plan(name, module.tasks(config), functools.partial(module.assemble, config))
    return Plan(name, [Task(module.run, (config,), cost=module.COST)], _only_output)


def _only_output(outputs: list[dict[str, Any]]) -> dict[str, Any]:
    return outputs[0]


def run_experiment(
    name: str, quick: bool = False, seed: int | None = None, n_jobs: int | None = 1
) -> dict[str, Any]:
    """Run experiment ``name`` (on ``n_jobs`` processes; -1: every core) and return its result."""
    plan = plan_for(name, config_for(name, quick, seed))
    return plan.assemble(run_tasks(plan.tasks, n_jobs))

"""The report's experiments, one module per figure.

Every module has a ``Config`` dataclass holding the report's settings (and
``Config.quick()``, a small variant for smoke tests), ``run(config) -> result``
(plain arrays and numbers), ``plot(result) -> Figure`` and ``rows(result)``,
the lines it contributes to the results table. ``fyslearn reproduce`` runs
them all; the tutorials run one each.
"""

from __future__ import annotations

import dataclasses
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

__all__ = ["EXPERIMENTS", "config_for", "run_experiment"]

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


def run_experiment(name: str, quick: bool = False, seed: int | None = None) -> dict[str, Any]:
    """Run experiment ``name`` and return its result."""
    return EXPERIMENTS[name].run(config_for(name, quick, seed))

"""Figure 4: Ridge fitted by SGD on the Franke data, over penalty λ × learning rate.

Degree 14, batch 10, 100 epochs, constant learning rate; test MSE and R² over
100 bootstrap resamples.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from ._common import Row, fmt, franke_split
from ._linear import design, grid_figure, labels, sgd_grid_scores

TITLE = "Figure 4: Ridge by SGD, λ × learning rate"
#: Rough seconds at the report's settings: ``fyslearn reproduce`` starts long work first.
COST = 1.2


@dataclass(frozen=True)
class Config:
    """Settings of Figure 4 (the report's by default)."""

    degree: int = 14
    basis: str = "total"
    lambdas: tuple[float, ...] = tuple(np.geomspace(1e-4, 0.1, 4))
    learning_rates: tuple[float, ...] = tuple(np.geomspace(1e-4, 0.1, 4))
    batch_size: int = 10
    epochs: int = 100
    seed: int = 0
    centring: str = "scalar"

    @classmethod
    def quick(cls) -> Config:
        return cls(epochs=5, lambdas=(1e-4, 1e-2), learning_rates=(1e-3, 1e-2), degree=5)


def run(config: Config = Config()) -> dict[str, Any]:
    """Test MSE, R² and excess error for every (λ, learning rate)."""
    split = franke_split(config.seed, centring=config.centring)
    D_train, D_test = design(split, config.degree, config.basis)
    shape = (len(config.lambdas), len(config.learning_rates))
    grids = {key: np.full(shape, np.nan) for key in ("mse", "r2", "excess")}
    cells = list(itertools.product(range(len(config.lambdas)), range(len(config.learning_rates))))
    settings = [
        dict(
            alpha=config.lambdas[i],
            learning_rate=config.learning_rates[j],
            batch_size=config.batch_size,
            epochs=config.epochs,
        )
        for i, j in cells
    ]
    # the whole grid shares the seed: one stacked run
    for (i, j), cell in zip(
        cells, sgd_grid_scores(split, D_train, D_test, config.seed, settings), strict=True
    ):
        for key in grids:
            grids[key][i, j] = cell[key]
    return {"lambdas": list(config.lambdas), "learning_rates": list(config.learning_rates), **grids}


def plot(result: dict[str, Any]) -> Figure:
    rows, cols = labels(result["lambdas"]), labels(result["learning_rates"])
    return grid_figure(
        [
            (result["mse"], rows, cols, "test MSE", "λ", "η"),
            (result["r2"], rows, cols, "test R²", "λ", "η"),
        ]
    )


def rows(result: dict[str, Any]) -> list[Row]:
    mse = np.asarray(result["mse"], dtype=float)
    i, j = np.unravel_index(np.nanargmin(mse), mse.shape)
    where = f"λ={result['lambdas'][i]:.0e}, η={result['learning_rates'][j]:.0e}"
    return [
        Row("Fig. 4", "best test MSE (Ridge, SGD)", "0.055 (η=0.1)", f"{fmt(mse[i, j])} ({where})")
    ]

r"""Figure 4: Ridge fitted by SGD on the Franke data, over L2 penalty $\alpha$ (the report's
$\lambda$) × learning rate.

Degree 14, batch 10, 100 epochs, constant learning rate; test MSE and $R^2$ over
100 bootstrap resamples.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from ..datasets import franke_split
from ._common import Row
from ._contract import one_task, only_output, run_in_tasks
from ._grids import PenaltyGrid
from ._linear import design, sgd_grid_scores
from ._tasks import Task

TITLE = "Figure 4: Ridge by SGD, λ × learning rate"

#: Test scores over L2 penalty × learning rate.
Result = PenaltyGrid


@dataclass(frozen=True)
class Config:
    """Settings of Figure 4 (the report's by default)."""

    degree: int = 14
    basis: str = "total"
    alphas: tuple[float, ...] = tuple(np.geomspace(1e-4, 0.1, 4))
    learning_rates: tuple[float, ...] = tuple(np.geomspace(1e-4, 0.1, 4))
    batch_size: int = 10
    epochs: int = 100
    seed: int = 0
    centring: str = "scalar"

    @classmethod
    def quick(cls) -> Config:
        return cls(epochs=5, alphas=(1e-4, 1e-2), learning_rates=(1e-3, 1e-2), degree=5)


def fit_grid(config: Config) -> PenaltyGrid:
    """Test MSE, $R^2$ and excess error for every (L2 penalty, learning rate)."""
    split = franke_split(config.seed, centring=config.centring)
    D_train, D_test = design(split, config.degree, config.basis)
    shape = (len(config.alphas), len(config.learning_rates))
    grids = {key: np.full(shape, np.nan) for key in ("mse", "r2", "excess")}
    cells = list(itertools.product(range(len(config.alphas)), range(len(config.learning_rates))))
    settings = [
        dict(
            alpha=config.alphas[i],
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
    return PenaltyGrid(
        alphas=list(config.alphas), learning_rates=list(config.learning_rates), **grids
    )


def tasks(config: Config) -> list[Task]:
    """A single task: the whole grid as one stacked run."""
    return one_task(fit_grid, config, cost=1.2)


def assemble(config: Config, outputs: Sequence[PenaltyGrid]) -> PenaltyGrid:
    return only_output(config, outputs)


def run(config: Config = Config(), n_jobs: int | None = 1) -> PenaltyGrid:
    """The grid of Figure 4 at `config`'s settings."""
    return run_in_tasks(tasks, assemble, config, n_jobs)


def plot(result: PenaltyGrid) -> Figure:
    return result.plot()


def rows(result: PenaltyGrid) -> list[Row]:
    return [
        result.best_row(
            "Fig. 4",
            "best test MSE (Ridge, SGD)",
            "0.055 (η=0.1)",
            with_r2=False,
            report_values=(0.055, None),
            why="a higher best MSE",
        )
    ]

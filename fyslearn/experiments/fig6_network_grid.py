r"""Figure 6: the 2–128–1 Franke network over learning rate × L2 penalty $\alpha$.

Both in `geomspace(1e-4, 0.1, 4)` (the penalty is the report's $\lambda$),
100 epochs, batch 10, the initialisation of Figure 5; test MSE and $R^2$ over
100 bootstrap resamples. A diverged cell is shown as such. The sixteen
networks share one shape, so they train as one stacked run
([fit_many][fyslearn.fit_many]), which gives the same weights as fitting each
alone.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from .. import fit_many
from ..datasets import franke_split
from ..nn import MLPRegressor
from ..optim import DivergenceWarning
from ._common import Row, scores
from ._contract import one_task, only_output, run_in_tasks
from ._grids import PenaltyGrid
from ._tasks import Task

TITLE = "Figure 6: Franke network, learning rate × λ"

#: Test scores over L2 penalty × learning rate.
Result = PenaltyGrid


@dataclass(frozen=True)
class Config:
    """Settings of Figure 6 (the report's by default)."""

    learning_rates: tuple[float, ...] = tuple(np.geomspace(1e-4, 0.1, 4))
    alphas: tuple[float, ...] = tuple(np.geomspace(1e-4, 0.1, 4))
    hidden_layer_sizes: tuple[int, ...] = (128,)
    batch_size: int = 10
    epochs: int = 100
    seed: int = 0
    centring: str = "scalar"

    @classmethod
    def quick(cls) -> Config:
        return cls(learning_rates=(1e-3, 1e-2), alphas=(1e-4, 1e-2), epochs=5)


def fit_grid(config: Config) -> PenaltyGrid:
    """Test MSE, $R^2$ and excess error of the network for every (L2 penalty, learning rate)."""
    split = franke_split(config.seed, centring=config.centring)
    cells = [(alpha, rate) for alpha in config.alphas for rate in config.learning_rates]
    models = [
        MLPRegressor(
            hidden_layer_sizes=config.hidden_layer_sizes,
            learning_rate=rate,
            alpha=alpha,
            batch_size=config.batch_size,
            epochs=config.epochs,
            random_state=config.seed,
        )
        for alpha, rate in cells
    ]
    with warnings.catch_warnings():
        # a diverged cell is left unfitted (and warned about); it stays NaN below
        warnings.simplefilter("ignore", DivergenceWarning)
        fit_many(models, split.X_train, split.y_train)
    shape = (len(config.alphas), len(config.learning_rates))
    grids = {key: np.full(shape, np.nan) for key in ("mse", "r2", "excess")}
    for (i, j), model in zip(np.ndindex(shape), models, strict=True):
        if not hasattr(model, "network_"):
            continue
        cell = scores(model, split.X_test, split, config.seed)
        for key in grids:
            grids[key][i, j] = cell[key]
    return PenaltyGrid(
        alphas=list(config.alphas), learning_rates=list(config.learning_rates), **grids
    )


def tasks(config: Config) -> list[Task]:
    """A single task: the sixteen networks as one stacked run."""
    return one_task(fit_grid, config, cost=4.0)


def assemble(config: Config, outputs: Sequence[PenaltyGrid]) -> PenaltyGrid:
    return only_output(config, outputs)


def run(config: Config = Config(), n_jobs: int | None = 1) -> PenaltyGrid:
    """The grid of Figure 6 at `config`'s settings."""
    return run_in_tasks(tasks, assemble, config, n_jobs)


def plot(result: PenaltyGrid) -> Figure:
    return result.plot()


def rows(result: PenaltyGrid) -> list[Row]:
    return [
        result.best_row(
            "Fig. 6",
            "best test MSE / R² (network grid)",
            "0.046 / 0.68 (η=0.1)",
            with_r2=True,
            report_values=(0.046, 0.68),
            why="lower R² at nearly the same MSE: R² = 1 − MSE / var(y_test) depends on the "
            "test split's variance",
        )
    ]

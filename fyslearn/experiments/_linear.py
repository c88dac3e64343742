"""Shared by Figures 3 and 4: SGD fits of a polynomial model over a grid."""

from __future__ import annotations

import warnings
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from .. import fit_many
from ..features import design_matrix
from ..linear_model import SGDRegressor
from ..optim import DivergenceWarning
from ._common import FrankeSplit, scores


def design(split: FrankeSplit, degree: int, basis: str) -> tuple[np.ndarray, np.ndarray]:
    return design_matrix(split.X_train, degree, basis), design_matrix(split.X_test, degree, basis)


def sgd_grid_scores(
    split: FrankeSplit,
    D_train: np.ndarray,
    D_test: np.ndarray,
    seed: int,
    settings: list[dict[str, Any]],
) -> list[dict[str, float]]:
    """Fit one SGDRegressor per settings dict, all in one stacked run; score each.

    The models share ``seed``, hence their starting point and shuffling order:
    :func:`~fyslearn.nn.batched.fit_many` trains them as the columns of one
    matrix (the same numbers as one fit each, to rounding). A diverged fit
    scores NaN.
    """
    models = [SGDRegressor(random_state=seed, **params) for params in settings]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DivergenceWarning)  # diverged cells show as NaN
        fit_many(models, D_train, split.y_train)
    diverged = {"mse": np.nan, "mse_std": np.nan, "r2": np.nan, "excess": np.nan}
    return [
        scores(model, D_test, split, seed) if hasattr(model, "coef_") else dict(diverged)
        for model in models
    ]


def heatmap(ax: Any, values: np.ndarray, rows: list[str], cols: list[str], title: str) -> None:
    """A grid of numbers coloured by value; NaN cells (diverged) are marked."""
    masked = np.ma.masked_invalid(values)
    image = ax.imshow(masked, cmap="viridis_r" if "MSE" in title else "viridis", aspect="auto")
    for (i, j), value in np.ndenumerate(values):
        text = "div." if np.isnan(value) else f"{value:.3f}"
        ax.text(j, i, text, ha="center", va="center", fontsize=8, color="w")
    ax.set_xticks(range(len(cols)), cols, fontsize=8)
    ax.set_yticks(range(len(rows)), rows, fontsize=8)
    ax.set_title(title, fontsize=10)
    ax.figure.colorbar(image, ax=ax, fraction=0.046)


def grid_figure(panels: list[tuple[np.ndarray, list[str], list[str], str, str, str]]) -> Figure:
    fig, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels), 3.8), squeeze=False)
    for ax, (values, rows, cols, title, ylabel, xlabel) in zip(axes[0], panels, strict=True):
        heatmap(ax, values, rows, cols, title)
        ax.set(ylabel=ylabel, xlabel=xlabel)
    fig.tight_layout()
    return fig


def labels(values: Any) -> list[str]:
    return [f"{v:.0e}" if isinstance(v, float) else str(v) for v in values]

"""Grids of test scores over two settings, drawn and tabulated once for Figures 3, 4 and 6."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ._common import MSE_WITHIN, R2_WITHIN, Row, fmt, verdict
from ._contract import Result


def heatmap(ax: Any, values: np.ndarray, rows: list[str], cols: list[str], title: str) -> None:
    """A grid of numbers coloured by value; NaN cells (diverged) are marked.

    Args:
        ax: The matplotlib axes to draw on.
        values: The grid, shape `(len(rows), len(cols))`.
        rows: Labels of the rows.
        cols: Labels of the columns.
        title: Title of the panel; a title with "MSE" reverses the colour map.
    """
    values = np.asarray(values, dtype=float)
    masked = np.ma.masked_invalid(values)
    image = ax.imshow(masked, cmap="viridis_r" if "MSE" in title else "viridis", aspect="auto")
    for (i, j), value in np.ndenumerate(values):
        text = "div." if np.isnan(value) else f"{value:.3f}"
        ax.text(j, i, text, ha="center", va="center", fontsize=8, color="w")
    ax.set_xticks(range(len(cols)), cols, fontsize=8)
    ax.set_yticks(range(len(rows)), rows, fontsize=8)
    ax.set_title(title, fontsize=10)
    ax.figure.colorbar(image, ax=ax, fraction=0.046)


def grid_figure(panels: list[tuple[Any, list[str], list[str], str, str, str]]) -> Figure:
    """One heatmap per `(values, row labels, column labels, title, ylabel, xlabel)`."""
    fig, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels), 3.8), squeeze=False)
    for ax, (values, rows, cols, title, ylabel, xlabel) in zip(axes[0], panels, strict=True):
        heatmap(ax, values, rows, cols, title)
        ax.set(ylabel=ylabel, xlabel=xlabel)
    fig.tight_layout()
    return fig


def labels(values: Any) -> list[str]:
    """Tick labels: floats in scientific notation, the rest as they are."""
    return [f"{v:.0e}" if isinstance(v, float) else str(v) for v in values]


def best_cell(mse: Any) -> tuple[int, ...]:
    """Index of the lowest test MSE of a grid (an array of any shape), NaN cells ignored."""
    mse = np.asarray(mse, dtype=float)
    return tuple(int(i) for i in np.unravel_index(np.nanargmin(mse), mse.shape))


@dataclass(frozen=True)
class PenaltyGrid(Result):
    r"""Test scores over L2 penalty × learning rate (Figures 4 and 6).

    Attributes:
        alphas: The L2 penalties $\alpha$ (the report's $\lambda$), the rows.
        learning_rates: The learning rates $\eta$, the columns.
        mse: Bootstrap test MSE, shape `(len(alphas), len(learning_rates))`; NaN: diverged.
        r2: Bootstrap test $R^2$, same shape.
        excess: MSE against the noise-free Franke function, same shape.
    """

    alphas: list[float]
    learning_rates: list[float]
    mse: Any
    r2: Any
    excess: Any

    def plot(self) -> Figure:
        """Test MSE and $R^2$ side by side, penalty down, learning rate across."""
        rows, cols = labels(self.alphas), labels(self.learning_rates)
        return grid_figure(
            [
                (self.mse, rows, cols, "test MSE", "λ", "η"),
                (self.r2, rows, cols, "test R²", "λ", "η"),
            ]
        )

    def best_row(
        self,
        experiment: str,
        quantity: str,
        report: str,
        with_r2: bool,
        report_values: tuple[float, float | None] = (np.nan, None),
        why: str = "",
    ) -> Row:
        """The results-table line of the lowest test MSE (and its $R^2$ if `with_r2`).

        `report_values` are the report's MSE and $R^2$ (or `None`), `why` what
        makes ours differ, if it does.
        """
        i, j = best_cell(self.mse)
        mse = float(np.asarray(self.mse, dtype=float)[i, j])
        r2 = float(np.asarray(self.r2, dtype=float)[i, j])
        ours = fmt(mse)
        if with_r2:
            ours += f" / {fmt(r2, 2)}"
        where = f"λ={self.alphas[i]:.0e}, η={self.learning_rates[j]:.0e}"
        report_mse, report_r2 = report_values
        agreement = verdict(mse, report_mse, MSE_WITHIN, why)
        if agreement == "agrees" and report_r2 is not None:
            agreement = verdict(r2, report_r2, R2_WITHIN, why)
        return Row(experiment, quantity, report, f"{ours} ({where})", "", agreement)

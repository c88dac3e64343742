"""Figure 2: the activation functions and their derivatives on [−5, 5].

As in the report's figure, leaky ReLU is drawn with slope 0.05 for negative
inputs (instead of the 0.01 used in training) so that the slope is visible.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ..nn.activations import ACTIVATIONS, LeakyReLU
from ._common import Row, verdict
from ._contract import Result as _Result
from ._contract import one_task, only_output, run_in_tasks
from ._tasks import Task

TITLE = "Figure 2: activations and their derivatives"


@dataclass(frozen=True)
class Config:
    """Settings of Figure 2."""

    z_min: float = -5.0
    z_max: float = 5.0
    n_points: int = 501
    negative_slope: float = 0.05  # the figure's value; training uses 0.01

    @classmethod
    def quick(cls) -> Config:
        return cls(n_points=101)


@dataclass(frozen=True)
class Result(_Result):
    """The activations and their derivatives on a grid.

    Attributes:
        z: The grid, shape `(n_points,)`.
        values: Activation name -> its values on the grid, shape `(n_points,)`.
        derivatives: Activation name -> its derivative on the grid, shape `(n_points,)`.
    """

    z: Any
    values: dict[str, Any]
    derivatives: dict[str, Any]


def evaluate(config: Config) -> Result:
    """Evaluate sigmoid, ReLU, leaky ReLU and linear and their derivatives on a grid."""
    z = np.linspace(config.z_min, config.z_max, config.n_points)
    functions = {
        "sigmoid": ACTIVATIONS["sigmoid"],
        "relu": ACTIVATIONS["relu"],
        f"leaky_relu ({config.negative_slope:g})": LeakyReLU(config.negative_slope),
        "linear": ACTIVATIONS["linear"],
    }
    return Result(
        z=z,
        values={name: f(z) for name, f in functions.items()},
        derivatives={name: f.derivative(z) for name, f in functions.items()},
    )


def tasks(config: Config) -> list[Task]:
    """A single task: the evaluation."""
    return one_task(evaluate, config, cost=0.5)


def assemble(config: Config, outputs: Sequence[Result]) -> Result:
    return only_output(config, outputs)


def run(config: Config = Config(), n_jobs: int | None = 1) -> Result:
    """The activations and their derivatives at `config`'s settings."""
    return run_in_tasks(tasks, assemble, config, n_jobs)


def plot(result: Result) -> Figure:
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
    for name, values in result.values.items():
        left.plot(result.z, values, label=name)
        right.plot(result.z, result.derivatives[name], label=name)
    left.set(title="activation σ(z)", xlabel="z")
    right.set(title="derivative σ'(z)", xlabel="z")
    left.legend()
    fig.tight_layout()
    return fig


def rows(result: Result) -> list[Row]:
    slope = float(np.max(result.derivatives["sigmoid"]))
    agreement = verdict(slope, 0.25, 1e-3, "the sigmoid's slope at 0 is exactly 1/4")
    return [Row("Fig. 2", "largest sigmoid slope", "plot (0.25)", f"{slope:.3f}", "", agreement)]

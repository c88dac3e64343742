r"""RandomNet: ten networks of random depth, widths, activations and initialisations.

Each network draws 1–10 hidden layers of 1–100 units; every layer draws its
activation (sigmoid, ReLU, leaky ReLU, linear), its kernel initializer
($\mathcal N(0, 0.05^2)$ or Glorot uniform) and its bias initializer (zeros or
$\mathcal N(0, 0.01^2)$). Learning rate 1e-3, batch 10. The report's text says 100 epochs,
its code ran 500; the default follows the code, which produced its number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ..datasets import franke_split
from ..nn import MLPRegressor
from ..optim import DivergenceError
from ._common import MSE_WITHIN, Row, fmt, scores, verdict
from ._contract import Result as _Result
from ._contract import run_in_tasks
from ._tasks import Task

TITLE = "RandomNet: ten randomly drawn deep networks"

ACTIVATION_CHOICES = ("sigmoid", "relu", "leaky_relu", "linear")
KERNEL_CHOICES = ("normal", "glorot_uniform")
BIAS_CHOICES = ("zeros", "narrow_normal")


@dataclass(frozen=True)
class Config:
    """Settings of RandomNet (the report's code by default)."""

    n_networks: int = 10
    max_layers: int = 10
    max_units: int = 100
    learning_rate: float = 1e-3
    batch_size: int = 10
    epochs: int = 500  # the report's text: 100
    seed: int = 0
    centring: str = "scalar"

    @classmethod
    def quick(cls) -> Config:
        return cls(n_networks=3, max_layers=3, epochs=5)


@dataclass(frozen=True)
class Result(_Result):
    """The drawn networks and their scores.

    Attributes:
        networks: One dict per network: its architecture (`hidden_layer_sizes`,
            `activation`, `kernel_init`, `bias_init`), its bootstrap test `mse`,
            `r2` and `excess` (NaN if it diverged) and `test_curve`, the test MSE
            after every epoch (empty if it diverged).
    """

    networks: list[dict[str, Any]]


def draw_architecture(rng: np.random.Generator, config: Config) -> dict[str, Any]:
    """One random network: layer widths, activations and initializers."""
    depth = int(rng.integers(1, config.max_layers + 1))
    return {
        "hidden_layer_sizes": tuple(int(u) for u in rng.integers(1, config.max_units + 1, depth)),
        "activation": [str(a) for a in rng.choice(ACTIVATION_CHOICES, depth)],
        "kernel_init": [str(k) for k in rng.choice(KERNEL_CHOICES, depth + 1)],
        "bias_init": [str(b) for b in rng.choice(BIAS_CHOICES, depth + 1)],
    }


def fit_network(k: int, architecture: dict[str, Any], config: Config) -> dict[str, Any]:
    """Train network `k` of the draw and score it on the test set (NaN if it diverged)."""
    split = franke_split(config.seed, centring=config.centring)
    model = MLPRegressor(
        learning_rate=config.learning_rate,
        batch_size=config.batch_size,
        epochs=config.epochs,
        random_state=config.seed + k,
        validation_data=(split.X_test, split.y_test),
        **architecture,
    )
    try:
        model.fit(split.X_train, split.y_train)
        final = scores(model, split.X_test, split, config.seed)
        curve = model.history_["val_mse"]
    except DivergenceError:
        final, curve = {"mse": np.nan, "r2": np.nan, "excess": np.nan}, np.array([])
    return {**architecture, **final, "test_curve": curve}


def tasks(config: Config) -> list[Task]:
    """One training per drawn network (different shapes: they cannot share a stacked run)."""
    rng = np.random.default_rng(config.seed)
    architectures = [draw_architecture(rng, config) for _ in range(config.n_networks)]
    return [
        Task(
            fit_network,
            (k, architecture, config),
            cost=0.002 * config.epochs * (len(architecture["hidden_layer_sizes"]) + 1),
        )
        for k, architecture in enumerate(architectures)
    ]


def assemble(config: Config, outputs: Sequence[dict[str, Any]]) -> Result:
    return Result(networks=list(outputs))


def run(config: Config = Config(), n_jobs: int | None = 1) -> Result:
    """The networks of RandomNet at `config`'s settings."""
    return run_in_tasks(tasks, assemble, config, n_jobs)


def plot(result: Result) -> Figure:
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    for k, net in enumerate(result.networks):
        curve = np.asarray(net["test_curve"], dtype=float)
        if curve.size:
            ax.plot(
                np.arange(1, curve.size + 1),
                curve,
                label=f"#{k}: {len(net['hidden_layer_sizes'])} layers",
            )
    ax.set(title="RandomNet test MSE", xlabel="epoch", ylabel="test MSE", yscale="log")
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    return fig


def rows(result: Result) -> list[Row]:
    mses = np.array([net["mse"] for net in result.networks], dtype=float)
    best = int(np.nanargmin(mses))
    layers = len(result.networks[best]["hidden_layer_sizes"])
    return [
        Row(
            "RandomNet",
            "best test MSE of the networks",
            "0.057 (7 hidden layers)",
            f"{fmt(mses[best])} ({layers} hidden layers)",
            "",
            verdict(mses[best], 0.057, MSE_WITHIN, "other random draws give other networks"),
        )
    ]

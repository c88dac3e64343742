r"""Beyond the report: Runge's function by polynomials of growing degree and by a network.

Runge's function $f(x) = 1/(1 + 25x^2)$ on $[-1, 1]$, one of the 1-D data
sets of the course from 2022 on ([make_runge][fyslearn.datasets.make_runge]):
40 noisy points ($\sigma = 0.1$), a quarter held out. On the 30 training
points, OLS and Ridge fit polynomials of degree 1 to 15 (the 1-D design
matrix of [design_matrix][fyslearn.features.design_matrix], closed form), and
a 1–32–32–1 tanh network ([MLPRegressor][fyslearn.nn.MLPRegressor]) is
trained by SGD with momentum. Each model is scored twice: the MSE on the
held-out noisy points, and the MSE against $f$ itself on 401 equally spaced
points of $[-1, 1]$, which sees the oscillations near $\pm 1$, between and
beyond the sampled points (Runge's phenomenon). Every number is the median
over five data sets (seeds): one unlucky draw can make a high-degree OLS
error explode, and a mean would show only that draw.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from sklearn.model_selection import train_test_split

from ..datasets import make_runge, runge
from ..features import design_matrix
from ..linear_model import OLS, Ridge
from ..nn import MLPRegressor
from ._common import Row, fmt
from ._contract import Result as _Result
from ._contract import run_in_tasks
from ._tasks import Task

TITLE = "Beyond the report: Runge's function, polynomials of growing degree and a network"

#: Points of $[-1, 1]$ on which every fit is compared with Runge's function.
N_GRID = 401


@dataclass(frozen=True)
class Config:
    r"""Settings of the Runge experiment.

    Attributes:
        n_samples: Points per data set (train and test).
        noise: Standard deviation of the noise on the targets.
        test_size: Fraction held out.
        degrees: Polynomial degrees of OLS and Ridge.
        ridge_alpha: Ridge's penalty $\alpha$ (the report's $\lambda$).
        hidden_layer_sizes: The network's hidden layers.
        activation: Its hidden activation.
        learning_rate: Its learning rate $\eta$.
        momentum: Its momentum.
        batch_size: Its mini-batch size.
        epochs: Its epochs.
        seeds: One data set (and network initialisation) per seed.
    """

    n_samples: int = 40
    noise: float = 0.1
    test_size: float = 0.25
    degrees: tuple[int, ...] = tuple(range(1, 16))
    ridge_alpha: float = 1e-5
    hidden_layer_sizes: tuple[int, ...] = (32, 32)
    activation: str = "tanh"
    learning_rate: float = 0.05
    momentum: float = 0.9
    batch_size: int = 10
    epochs: int = 2000
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)

    @classmethod
    def quick(cls) -> Config:
        return cls(degrees=(1, 5, 15), epochs=20, seeds=(0,))


@dataclass(frozen=True)
class Result(_Result):
    r"""Errors of every model on every data set, and the fits of the first data set.

    Attributes:
        degrees: The polynomial degrees.
        errors: Model (`"OLS"`, `"Ridge"`, `"network"`) -> `{"test_mse": ...,
            "truth_mse": ...}`, each of shape `(len(degrees), n_seeds)` for the
            polynomials and `(n_seeds,)` for the network. `truth_mse` is the
            MSE against $f$ on the grid of $[-1, 1]$.
        x_grid: The grid, shape `(401,)`.
        fits: Curves of the first data set on the grid, shape `(401,)` each:
            `"OLS degree p"` for every degree, `"Ridge degree p"` and `"network"`.
        x_train: The first data set's training inputs, shape `(n_train,)`.
        y_train: Its noisy training targets, shape `(n_train,)`.
    """

    degrees: list[int]
    errors: dict[str, dict[str, Any]]
    x_grid: Any
    fits: dict[str, Any]
    x_train: Any
    y_train: Any


def runge_split(config: Config, seed: int) -> tuple[np.ndarray, ...]:
    """One data set: `(X_train, X_test, y_train, y_test)`, inputs of shape `(n, 1)`."""
    X, y = make_runge(config.n_samples, noise=config.noise, random_state=seed)
    return tuple(train_test_split(X, y, test_size=config.test_size, random_state=seed))


def fit_one_data_set(config: Config, seed: int) -> dict[str, Any]:
    """Every model on the data set of `seed`: its two errors and its curve on the grid."""
    X_train, X_test, y_train, y_test = runge_split(config, seed)
    grid = np.linspace(-1.0, 1.0, N_GRID)[:, None]
    truth = runge(grid[:, 0])
    errors: dict[str, dict[str, list[float]]] = {}
    fits: dict[str, np.ndarray] = {}

    def record(name: str, label: str, test: np.ndarray, on_grid: np.ndarray) -> None:
        entry = errors.setdefault(name, {"test_mse": [], "truth_mse": []})
        entry["test_mse"].append(float(np.mean((test - y_test) ** 2)))
        entry["truth_mse"].append(float(np.mean((on_grid - truth) ** 2)))
        fits[label] = on_grid

    for degree in config.degrees:
        D_train = design_matrix(X_train, degree)  # columns 1, x, ..., x^degree
        D_test, D_grid = design_matrix(X_test, degree), design_matrix(grid, degree)
        for name, model in (("OLS", OLS()), ("Ridge", Ridge(alpha=config.ridge_alpha))):
            model.fit(D_train, y_train)
            record(name, f"{name} degree {degree}", model.predict(D_test), model.predict(D_grid))
    network = MLPRegressor(
        hidden_layer_sizes=config.hidden_layer_sizes,
        activation=config.activation,
        learning_rate=config.learning_rate,
        momentum=config.momentum,
        batch_size=config.batch_size,
        epochs=config.epochs,
        kernel_init="glorot_uniform",
        random_state=seed,
    ).fit(X_train, y_train)
    record("network", "network", network.predict(X_test), network.predict(grid))
    return {"errors": errors, "fits": fits, "x_train": X_train[:, 0], "y_train": y_train}


def tasks(config: Config) -> list[Task]:
    """One task per data set."""
    return [
        Task(fit_one_data_set, (config, seed), cost=0.002 * config.epochs) for seed in config.seeds
    ]


def _by_seed(outputs: Sequence[dict[str, Any]], name: str, key: str) -> np.ndarray:
    """Errors `key` of model `name`: shape `(len(degrees), n_seeds)`, or `(n_seeds,)` (network)."""
    values = np.array([output["errors"][name][key] for output in outputs]).T
    return values[0] if name == "network" else values


def assemble(config: Config, outputs: Sequence[dict[str, Any]]) -> Result:
    errors = {
        name: {key: _by_seed(outputs, name, key) for key in ("test_mse", "truth_mse")}
        for name in outputs[0]["errors"]
    }
    first = outputs[0]
    return Result(
        degrees=list(config.degrees),
        errors=errors,
        x_grid=np.linspace(-1.0, 1.0, N_GRID),
        fits=first["fits"],
        x_train=first["x_train"],
        y_train=first["y_train"],
    )


def run(config: Config = Config(), n_jobs: int | None = 1) -> Result:
    """The Runge fits at `config`'s settings."""
    return run_in_tasks(tasks, assemble, config, n_jobs)


def _median(values: Any) -> np.ndarray:
    """Median over the data sets (the last axis)."""
    return np.median(np.asarray(values, dtype=float), axis=-1)


def best_degree(result: Result, name: str) -> tuple[int, float]:
    """The degree of `name` (`"OLS"` or `"Ridge"`) with the lowest median test MSE, and that MSE."""
    medians = _median(result.errors[name]["test_mse"])
    k = int(np.argmin(medians))
    return result.degrees[k], float(medians[k])


def plot(result: Result) -> Figure:
    """Median errors against the degree, and the fits of the first data set."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    degrees = result.degrees
    for name, color in (("OLS", "C0"), ("Ridge", "C1")):
        errors = result.errors[name]
        left.plot(degrees, _median(errors["test_mse"]), "o-", color=color, label=f"{name} test")
        left.plot(
            degrees,
            _median(errors["truth_mse"]),
            "s--",
            color=color,
            label=f"{name} vs f on [−1, 1]",
        )
    network = result.errors["network"]
    left.axhline(float(_median(network["test_mse"])), color="C2", label="network test")
    left.axhline(float(_median(network["truth_mse"])), color="C2", ls="--", label="network vs f")
    left.set(yscale="log", xlabel="polynomial degree", ylabel="MSE (median of data sets)")
    left.set_title("errors: held-out points and the whole interval", fontsize=10)
    left.legend(fontsize=7)
    x = np.asarray(result.x_grid, dtype=float)
    right.plot(x, runge(x), "k", lw=2, label="f(x) = 1/(1 + 25x²)")
    right.plot(
        np.asarray(result.x_train), np.asarray(result.y_train), "k.", label="training points"
    )
    ols_best, _ = best_degree(result, "OLS")
    shown = [f"OLS degree {ols_best}", f"OLS degree {degrees[-1]}", "network"]
    for label in dict.fromkeys(shown):
        right.plot(x, np.asarray(result.fits[label], dtype=float), label=label)
    right.set(ylim=(-0.5, 1.5), xlabel="x", ylabel="y")
    right.set_title("fits of the first data set", fontsize=10)
    right.legend(fontsize=7)
    fig.tight_layout()
    return fig


def rows(result: Result) -> list[Row]:
    out = []
    for name in ("OLS", "Ridge"):
        degree, mse = best_degree(result, name)
        k = result.degrees.index(degree)
        truth = float(_median(result.errors[name]["truth_mse"])[k])
        out.append(
            Row(
                "Runge",
                f"{name}, best median test MSE (MSE vs f on [−1, 1])",
                "not in the report (course data from 2022)",
                f"{fmt(mse, 4)} ({fmt(truth, 4)}, degree {degree})",
            )
        )
    highest = result.degrees[-1]
    out.append(
        Row(
            "Runge",
            f"OLS degree {highest}, median MSE vs f on [−1, 1]",
            "not in the report",
            fmt(float(_median(result.errors["OLS"]["truth_mse"])[-1]), 4),
        )
    )
    network = result.errors["network"]
    out.append(
        Row(
            "Runge",
            "network median test MSE (MSE vs f on [−1, 1])",
            "not in the report",
            f"{fmt(float(_median(network['test_mse'])), 4)} "
            f"({fmt(float(_median(network['truth_mse'])), 4)})",
        )
    )
    return out

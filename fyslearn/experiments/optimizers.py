r"""Beyond the report: SGD, momentum, Adagrad, RMSprop and Adam on the report's two networks.

Later versions of the course ask for the adaptive optimizers of
[fyslearn.optim][fyslearn.optim] next to plain SGD. Each optimizer trains

* the report's Franke network 2–128–1 (ReLU, Glorot kernels, batch 100, 1500
  epochs, $\alpha = 10^{-4}$) on inputs standardised by scikit-learn's
  `StandardScaler` fitted on the training split, its learning rate divided by
  10 after 1000 epochs (the `"step"` schedule), on five data sets (seeds 0–4),
  scored by the test MSE after every epoch and, after the last epoch, the
  excess error over the noise-free Franke function;
* the report's MNIST network 784–128–10 (ReLU, batch 50, float32, 30 epochs,
  $\alpha = 10^{-4}$), its learning rate multiplied by 0.2 every 10 epochs,
  scored by the test accuracy after every epoch; the table reports the last
  epoch's;

each at its own learning rate. Last, a grid of Adam networks on the Franke data
over learning rate $\eta$ × L2 penalty $\alpha$ (the report's $\lambda$; raw
inputs, constant rate, 500 epochs), one stacked run ([fit_many][fyslearn.fit_many]).
As a yardstick for the Franke networks, scikit-learn's `KernelRidge` (RBF kernel,
its own $\alpha$ and $\gamma$ chosen by 5-fold cross-validation on each training
split) fits the same data sets: a smooth model, the kind the Franke function favours.

**How the settings were chosen**, never on a test score. Franke: on five
other data sets (seeds 5–9, drawn and split the same way) by their mean excess
error after the last epoch. MNIST: on a validation split, the last 10 000
training images, with the networks trained on the first 50 000, by the
accuracy after the last epoch. Mean Franke excess ×10³ on seeds 5–9:

| Franke setting | excess ×10³ |
| --- | --- |
| momentum η = 0.05, constant rate, α = 10⁻⁵ | 3.40 |
| Adam η = 3·10⁻³, constant rate | 2.63 |
| the same, ÷10 after 1000 epochs | 2.11 (3000 epochs: 2.10) |
| momentum η = 0.1, ÷10 after 1000 epochs | 2.29 |
| tanh hidden layer, momentum / invscaling schedule | 6.3 / 21.6 |
| Adam as above, standardised inputs, α = 10⁻⁵ / 10⁻⁴ / 3·10⁻⁴ | 2.21 / **1.94** / 2.03 |
| plain SGD η = 0.4, the same | 1.94 |

Then, around that Adam setting (standardised inputs, ÷10 after two thirds of
the epochs), each line the best of η ∈ {10⁻³, 3·10⁻³, 10⁻²} × the α shown:

| Franke setting | excess ×10³ |
| --- | --- |
| batch 25 / 50 / 200 (α ∈ {3·10⁻⁵, 10⁻⁴, 3·10⁻⁴}) | 1.98 / 1.91 / 1.97 |
| whole training set per step, 6000 epochs (η up to 3·10⁻²) | 1.97 |
| L1 instead of L2, α ∈ {3·10⁻⁶, …, 10⁻⁴} | 1.96 |
| leaky ReLU hidden layer | 1.88 |
| tanh hidden layer (batch 50, 6000 epochs) / sigmoid | 2.36 / 2.53 |

None of them moves the mean by more than its spread from data set to data
set (the standard error of a mean over five seeds is about 0.13·10⁻³), so
the report's ReLU network with batch 100 stays. The network sits at about
1.9·10⁻³ on these seeds however it is trained.

MNIST, validation accuracy after the last epoch: momentum η = 0.05, 20
epochs, halved after 10, α = 0: 0.9799; 30 epochs, ×0.2 every 10,
α = 0 / 10⁻⁵ / 10⁻⁴ / 3·10⁻⁴ / 10⁻³: 0.9801 / 0.9816 / 0.9823 / 0.9820 / 0.9757;
with α = 10⁻⁴ and η = 0.1: **0.9829**. Standardised MNIST inputs diverged at
η = 0.05 and were dropped.

Learning rates, all swept briefly. Franke (÷10 after 1000 epochs, α = 10⁻⁵,
raw inputs): plain SGD 0.2 / **0.4** (2.84 / 2.38), momentum 0.05 / **0.1**,
Adagrad **0.03** / 0.1 / 0.3 (2.28 / 3.34 / 5.39), RMSprop 3·10⁻⁴ / **10⁻³** /
3·10⁻³ (2.50 / 2.17 / 2.20), Adam 10⁻³ / **3·10⁻³** / 10⁻² (2.16 / 2.11 / 2.37).
MNIST (20 epochs, halved after 10, α = 0): Adagrad 0.01 / **0.03** / 0.1
(0.9745 / 0.9780 / 0.9744), RMSprop 3·10⁻⁴ / **10⁻³** / 3·10⁻³ (0.9760 /
0.9797 / 0.9788), Adam 3·10⁻⁴ / **10⁻³** / 3·10⁻³ (0.9776 / 0.9797 / 0.9769);
plain SGD's 0.3 comes from a shorter sweep (10 000 images, 3 epochs: 0.3 beat
0.1), momentum's 0.1 beat 0.05 above.

On seeds 5–9 these settings bring the Franke excess from 3.4·10⁻³
(momentum η = 0.05, constant rate, α = 10⁻⁵) to 1.9·10⁻³; on the reported seeds 0–4 only
from 2.4·10⁻³ to 2.2·10⁻³, so the course's Franke target of 0.002 is still
missed (results.md): the sweeps above say that the limit is what this network
learns from 750 noisy points, not how it is trained. The kernel ridge
yardstick gets 1.67·10⁻³ on seeds 5–9 and 1.92·10⁻³ on seeds 0–4: the reported
data sets are harder for both models alike (+0.25·10⁻³), and on them even the
smooth model, tuned by cross-validation, stays within a few per cent of the
target. The networks' further 0.3·10⁻³ is the price of fitting a smooth
surface with 128 ReLU kinks. Four more yardsticks on seeds 0–4, measured once
and kept out of the experiment:

| model on seeds 0–4 | excess ×10³ |
| --- | --- |
| kernel ridge at the $\alpha$ and $\gamma$ best on the test set itself (an oracle) | 1.85 |
| Gaussian process, anisotropic RBF kernel + noise, fitted by maximum likelihood | 1.93 |
| scikit-learn `MLPRegressor` 2–128–1 by L-BFGS, ReLU, $\alpha = 0.1$ (best on seeds 5–9) | 2.67 |
| this network, the best of 24 settings by the mean over these test sets (an oracle) | 2.19 |

The 24 settings: the Adam network above (standardised inputs, ÷10 after
1000 epochs) with ReLU or leaky ReLU,
$\eta \in \{10^{-3}, 3\cdot10^{-3}, 10^{-2}\}$ and
$\alpha \in \{3\cdot10^{-5}, 10^{-4}, 3\cdot10^{-4}, 10^{-3}\}$; the
experiment's own setting gives 2.22 in that run. So the target of 0.002 lies
between the best smooth models and the networks on these data sets: not even
a setting picked on the test sets reaches it.
Nor is the last step's noise what is left: the mean of
the weights over the epochs after the drop (Polyak–Ruppert averaging) moved
the excess on seeds 5–9 by less than 0.01·10⁻³. On MNIST the
momentum network reaches the target of 0.983 at its edge: 0.9830, and 0.9834
with the same arithmetic done in a different order (float32 rounding over
36,000 steps moves the result by a few test images).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from sklearn.kernel_ridge import KernelRidge
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler

from .. import fit_many
from ..datasets import franke_split, load_mnist_split
from ..nn import MLPClassifier, MLPRegressor
from ..optim import DivergenceWarning
from ._common import NOISE_FLOOR, Row, fmt, mean_std
from ._contract import Result as _Result
from ._contract import run_in_tasks
from ._grids import heatmap, labels
from ._tasks import Task

TITLE = "Beyond the report: SGD, momentum, Adagrad, RMSprop and Adam compared"

#: Targets of the results table: MNIST test accuracy, Franke excess error (mean of the seeds).
MNIST_TARGET = 0.983
FRANKE_TARGET = 0.002


@dataclass(frozen=True)
class Setting:
    """One optimizer: its `solver`, learning rate and momentum."""

    solver: str
    learning_rate: float
    momentum: float = 0.0


def _franke_settings() -> dict[str, Setting]:
    return {
        "SGD": Setting("sgd", 0.4),
        "momentum": Setting("sgd", 0.1, momentum=0.9),
        "Adagrad": Setting("adagrad", 0.03),
        "RMSprop": Setting("rmsprop", 1e-3),
        "Adam": Setting("adam", 3e-3),
    }


def _mnist_settings() -> dict[str, Setting]:
    return {
        "SGD": Setting("sgd", 0.3),
        "momentum": Setting("sgd", 0.1, momentum=0.9),
        "Adagrad": Setting("adagrad", 0.03),
        "RMSprop": Setting("rmsprop", 1e-3),
        "Adam": Setting("adam", 1e-3),
    }


@dataclass(frozen=True)
class Config:
    r"""Settings of the optimizer comparison.

    Attributes:
        franke: Optimizer name -> its `Setting` (solver, learning rate, momentum)
            on the Franke network.
        mnist: The same on MNIST.
        franke_epochs: Epochs of the Franke networks.
        franke_batch_size: Their mini-batch size.
        franke_alpha: Their L2 penalty $\alpha$.
        franke_standardize: Standardise the Franke inputs (scikit-learn's
            `StandardScaler`, fitted on each training split only).
        franke_schedule: Their learning-rate schedule.
        franke_decay_every: Epochs between two drops of the `"step"` schedule.
        franke_decay_factor: Factor of each drop.
        franke_seeds: One data set and initialisation per seed.
        mnist_epochs: Epochs of the MNIST networks.
        mnist_alpha: Their L2 penalty $\alpha$.
        mnist_schedule: Their learning-rate schedule.
        mnist_decay_every: Epochs between two drops of the `"step"` schedule.
        mnist_decay_factor: Factor of each drop.
        n_train: MNIST training images (`None`: all 60 000).
        grid_learning_rates: Columns of the Adam grid on the Franke data.
        grid_alphas: Its rows.
        grid_epochs: Epochs of the grid's networks.
        seed: Seed of the MNIST networks and of the grid.
        kernel_ridge_alphas: Ridge penalties $\alpha$ that the cross-validation of
            the kernel ridge yardstick tries.
        kernel_ridge_gammas: Widths $\gamma$ of its RBF kernel
            $e^{-\gamma\lVert x - x'\rVert^2}$ that it tries.
    """

    franke: dict[str, Setting] = field(default_factory=_franke_settings)
    mnist: dict[str, Setting] = field(default_factory=_mnist_settings)
    franke_epochs: int = 1500
    franke_batch_size: int = 100
    franke_alpha: float = 1e-4
    franke_standardize: bool = True
    franke_schedule: str = "step"
    franke_decay_every: int = 1000
    franke_decay_factor: float = 0.1
    franke_seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    mnist_epochs: int = 30
    mnist_alpha: float = 1e-4
    mnist_schedule: str = "step"
    mnist_decay_every: int = 10
    mnist_decay_factor: float = 0.2
    n_train: int | None = None
    grid_learning_rates: tuple[float, ...] = (1e-4, 1e-3, 1e-2, 1e-1)
    grid_alphas: tuple[float, ...] = (0.0, 1e-5, 1e-4, 1e-3)
    grid_epochs: int = 500
    seed: int = 0
    kernel_ridge_alphas: tuple[float, ...] = (1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0)
    kernel_ridge_gammas: tuple[float, ...] = (0.1, 0.3, 1.0, 3.0, 10.0)

    @classmethod
    def quick(cls) -> Config:
        return cls(
            franke_epochs=5,
            franke_seeds=(0,),
            mnist_epochs=1,
            n_train=3000,
            grid_learning_rates=(1e-3, 1e-2),
            grid_alphas=(0.0, 1e-4),
            grid_epochs=3,
            kernel_ridge_alphas=(0.01, 0.1),
            kernel_ridge_gammas=(1.0,),
        )


@dataclass(frozen=True)
class Result(_Result):
    r"""Learning curves and final scores of every optimizer, and Adam's grid.

    Attributes:
        franke: Optimizer name -> `{"val_mse": ..., "mse": [...], "excess": [...]}`:
            the test MSE after every epoch, mean over the seeds, shape
            `(franke_epochs,)`; the final test MSE and excess error of each seed,
            shape `(n_seeds,)`.
        mnist: Optimizer name -> `{"val_accuracy": ...}`, shape `(mnist_epochs,)`.
        learning_rates: `{"franke": {name: η}, "mnist": {name: η}}`, for the legends.
        grid_alphas: L2 penalties $\alpha$ of Adam's grid, its rows.
        grid_learning_rates: Learning rates $\eta$, its columns.
        grid_excess: Excess error over the Franke function, shape
            `(len(grid_alphas), len(grid_learning_rates))`; NaN: diverged.
        kernel_ridge: The yardstick on the same Franke data sets:
            `{"mse": [...], "excess": [...]}`, shape `(n_seeds,)` each.
    """

    OPTIONAL = ("kernel_ridge",)

    franke: dict[str, dict[str, Any]]
    mnist: dict[str, dict[str, Any]]
    learning_rates: dict[str, dict[str, float]]
    grid_alphas: list[float]
    grid_learning_rates: list[float]
    grid_excess: Any
    kernel_ridge: dict[str, list[float]] | None = None


def franke_inputs(config: Config, seed: int) -> tuple[Any, np.ndarray, np.ndarray]:
    """Franke data set `seed`, and its training and test inputs as the models see them."""
    split = franke_split(seed)
    X_train, X_test = split.X_train, split.X_test
    if config.franke_standardize:  # the scaler sees the training inputs only
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    return split, X_train, X_test


def franke_scores(split: Any, prediction: np.ndarray) -> dict[str, float]:
    """Test MSE (against the noisy targets) and excess error (against the Franke function)."""
    return {
        "mse": float(np.mean((prediction - split.y_test) ** 2)),
        "excess": float(np.mean((prediction - split.truth_test) ** 2)),
    }


def franke_run(config: Config, name: str, seed: int) -> dict[str, Any]:
    """Test-MSE curve, final test MSE and excess error of optimizer `name` on data set `seed`."""
    split, X_train, X_test = franke_inputs(config, seed)
    setting = config.franke[name]
    model = MLPRegressor(
        solver=setting.solver,
        learning_rate=setting.learning_rate,
        momentum=setting.momentum,
        epochs=config.franke_epochs,
        batch_size=config.franke_batch_size,
        alpha=config.franke_alpha,
        schedule=config.franke_schedule,
        decay_every=config.franke_decay_every,
        decay_factor=config.franke_decay_factor,
        kernel_init="glorot_uniform",
        random_state=seed,
        validation_data=(X_test, split.y_test),
    ).fit(X_train, split.y_train)
    return {"val_mse": model.history_["val_mse"], **franke_scores(split, model.predict(X_test))}


def kernel_ridge_run(config: Config, seed: int) -> dict[str, float]:
    r"""The yardstick: scikit-learn's RBF kernel ridge on Franke data set `seed`.

    $\alpha$ and $\gamma$ are chosen by 5-fold cross-validation on the
    training split alone; the test split only scores the chosen model.
    """
    split, X_train, X_test = franke_inputs(config, seed)
    search = GridSearchCV(
        KernelRidge(kernel="rbf"),
        {"alpha": list(config.kernel_ridge_alphas), "gamma": list(config.kernel_ridge_gammas)},
        cv=5,
        scoring="neg_mean_squared_error",
    ).fit(X_train, split.y_train)
    return franke_scores(split, search.predict(X_test))


def mnist_run(config: Config, name: str) -> dict[str, Any]:
    """Test accuracy after every epoch of the 784–128–10 network trained by optimizer `name`."""
    X_train, y_train, X_test, y_test = load_mnist_split(config.n_train)
    setting = config.mnist[name]
    network = MLPClassifier(
        solver=setting.solver,
        learning_rate=setting.learning_rate,
        momentum=setting.momentum,
        alpha=config.mnist_alpha,
        schedule=config.mnist_schedule,
        decay_every=config.mnist_decay_every,
        decay_factor=config.mnist_decay_factor,
        epochs=config.mnist_epochs,
        random_state=config.seed,
        dtype="float32",
        validation_data=(X_test, y_test),
    ).fit(X_train, y_train)
    return {"val_accuracy": network.history_["val_accuracy"]}


def adam_grid(config: Config) -> np.ndarray:
    r"""Excess error of Adam networks over $\alpha$ × $\eta$ on the first data set, one stack.

    Returns:
        Shape `(len(grid_alphas), len(grid_learning_rates))`; NaN where training diverged.
    """
    split = franke_split(config.franke_seeds[0])
    models = [
        MLPRegressor(
            solver="adam",
            learning_rate=learning_rate,
            alpha=alpha,
            epochs=config.grid_epochs,
            batch_size=config.franke_batch_size,
            kernel_init="glorot_uniform",
            random_state=config.seed,
        )
        for alpha in config.grid_alphas
        for learning_rate in config.grid_learning_rates
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DivergenceWarning)  # diverged cells show as NaN
        fit_many(models, split.X_train, split.y_train)
    excess = [
        float(np.mean((model.predict(split.X_test) - split.truth_test) ** 2))
        if hasattr(model, "coefs_")
        else np.nan
        for model in models
    ]
    return np.reshape(excess, (len(config.grid_alphas), len(config.grid_learning_rates)))


def tasks(config: Config) -> list[Task]:
    """One task per optimizer and Franke data set, one per optimizer on MNIST, and the grid."""
    return [
        *(
            Task(franke_run, (config, name, seed), cost=0.003 * config.franke_epochs)
            for name in config.franke
            for seed in config.franke_seeds
        ),
        *(Task(mnist_run, (config, name), cost=0.8 * config.mnist_epochs) for name in config.mnist),
        *(Task(kernel_ridge_run, (config, seed), cost=1.0) for seed in config.franke_seeds),
        Task(adam_grid, (config,), cost=0.03 * config.grid_epochs),
    ]


def assemble(config: Config, outputs: Sequence[Any]) -> Result:
    n_seeds = len(config.franke_seeds)
    franke_runs = outputs[: len(config.franke) * n_seeds]
    mnist_runs = outputs[len(franke_runs) : len(franke_runs) + len(config.mnist)]
    kernel_ridge = outputs[len(franke_runs) + len(mnist_runs) : -1]
    franke = {}
    for k, name in enumerate(config.franke):
        runs = franke_runs[k * n_seeds : (k + 1) * n_seeds]
        franke[name] = {
            "val_mse": np.mean([run["val_mse"] for run in runs], axis=0),
            "mse": [run["mse"] for run in runs],
            "excess": [run["excess"] for run in runs],
        }
    return Result(
        franke=franke,
        mnist=dict(zip(config.mnist, mnist_runs, strict=True)),
        learning_rates={
            "franke": {name: s.learning_rate for name, s in config.franke.items()},
            "mnist": {name: s.learning_rate for name, s in config.mnist.items()},
        },
        grid_alphas=list(config.grid_alphas),
        grid_learning_rates=list(config.grid_learning_rates),
        grid_excess=outputs[-1],
        kernel_ridge={key: [run[key] for run in kernel_ridge] for key in ("mse", "excess")},
    )


def run(config: Config | None = None, n_jobs: int | None = 1) -> Result:
    """The comparison at `config`'s settings (the default `Config()` if `None`)."""
    return run_in_tasks(tasks, assemble, config or Config(), n_jobs)


def plot(result: Result) -> Figure:
    r"""Learning curves of every optimizer, and Adam's $\eta \times \alpha$ grid."""
    fig, axes = plt.subplots(1, 3, figsize=(15, 3.9))
    franke, mnist, grid = axes
    for name, curves in result.franke.items():
        curve = np.asarray(curves["val_mse"], dtype=float)
        rate = result.learning_rates["franke"][name]
        label = f"{name} (η={rate:g}), excess {_per_mille(curves['excess'])}"
        franke.plot(np.arange(1, curve.size + 1), curve, label=label)
    franke.axhline(NOISE_FLOOR, color="k", ls=":", lw=1, label="noise floor 0.04")
    if result.kernel_ridge:  # a legend line only: its test MSE lies on the noise floor
        excess = _per_mille(result.kernel_ridge["excess"])
        franke.plot([], [], " ", label=f"kernel ridge (yardstick), excess {excess}")
    franke.set(xscale="log", yscale="log", xlabel="epoch", ylabel="test MSE")
    franke.set_title("Franke 2–128–1, mean of the data sets", fontsize=10)
    franke.legend(fontsize=7)
    for name, curves in result.mnist.items():
        curve = np.asarray(curves["val_accuracy"], dtype=float)
        rate = result.learning_rates["mnist"][name]
        mnist.plot(np.arange(1, curve.size + 1), curve, "o-", ms=3, label=f"{name} (η={rate:g})")
    mnist.axhline(MNIST_TARGET, color="k", ls=":", lw=1, label=f"target {MNIST_TARGET}")
    mnist.set(xlabel="epoch", ylabel="test accuracy", ylim=(0.95, 0.99))
    mnist.set_title("MNIST 784–128–10", fontsize=10)
    mnist.legend(fontsize=7)
    heatmap(
        grid,
        np.asarray(result.grid_excess, dtype=float) * 1e3,
        labels(result.grid_alphas),
        labels(result.grid_learning_rates),
        "Adam, Franke excess MSE ×1000",
    )
    grid.set(ylabel="α", xlabel="η")
    fig.tight_layout()
    return fig


def _per_mille(values: Sequence[float]) -> str:
    """The mean of `values` in units of 10⁻³, for a legend."""
    return f"{np.mean(values) * 1e3:.2f}·10⁻³"


def rows(result: Result) -> list[Row]:
    finals = {name: float(c["val_accuracy"][-1]) for name, c in result.mnist.items()}
    best_mnist = max(finals, key=finals.get)
    excess = {name: float(np.mean(c["excess"])) for name, c in result.franke.items()}
    best_franke = min(excess, key=excess.get)
    franke = result.franke[best_franke]
    return [
        Row(
            "Optimizers",
            "MNIST 784–128–10 test accuracy, best optimizer",
            f"0.93 (report settings); target ≥ {MNIST_TARGET}",
            f"{fmt(finals[best_mnist], 4)} ({best_mnist})",
        ),
        Row(
            "Optimizers",
            "MNIST test accuracy per optimizer",
            "not in the report",
            ", ".join(f"{name} {value:.4f}" for name, value in finals.items()),
        ),
        Row(
            "Optimizers",
            "Franke 2–128–1 test MSE (excess over truth), best optimizer",
            f"0.046; target excess ≤ {FRANKE_TARGET}",
            f"{mean_std(franke['mse'])} ({mean_std(franke['excess'], 4)}, {best_franke})",
        ),
        Row(
            "Optimizers",
            "Franke excess over truth per optimizer (mean of the seeds)",
            "not in the report",
            ", ".join(f"{name} {value:.4f}" for name, value in excess.items()),
        ),
        *_kernel_ridge_rows(result),
    ]


def _kernel_ridge_rows(result: Result) -> list[Row]:
    if not result.kernel_ridge:  # a result file without the yardstick
        return []
    scores = result.kernel_ridge
    return [
        Row(
            "Optimizers",
            "Franke test MSE (excess over truth) of kernel ridge, RBF, α and γ by "
            "5-fold CV on each training split: the yardstick",
            "not in the report",
            f"{mean_std(scores['mse'])} ({mean_std(scores['excess'], 4)})",
        )
    ]

r"""Beyond the report: binary classification of the Wisconsin breast-cancer data.

The default classification set of the course from 2021 on: 569 tumours, 30
features, 212 malignant and 357 benign (`sklearn.datasets.load_breast_cancer`,
shipped with scikit-learn). Five stratified 80/20 splits; on each, the
features are standardised by a `StandardScaler` fitted on the training part
only, and four models are scored on the test part:

* fyslearn's [LogisticRegression][fyslearn.nn.LogisticRegression] (one sigmoid
  output, binary cross-entropy) by plain gradient descent (`batch_size=None`)
  until it has converged, with the L2 penalty $\alpha = 1/(2 n C)$ that makes its
  cost minimum that of scikit-learn's `LogisticRegression(C)` ($n$ training
  samples): the same model fitted by two solvers;
* scikit-learn's `LogisticRegression(C)` (L-BFGS);
* a small fyslearn [MLPClassifier][fyslearn.nn.MLPClassifier] trained by SGD
  with momentum;
* scikit-learn's `MLPClassifier` taking the same SGD steps
  ([sklearn_equivalent][fyslearn.nn.sklearn_equivalent]) from its own initial weights.

The confusion matrices of both fyslearn models are summed over the five test
sets, and a grid of networks over learning rate $\eta$ × L2 penalty $\alpha$
([fit_many][fyslearn.fit_many], one stacked run per split) gives the mean
test accuracy of every cell.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.metrics import ConfusionMatrixDisplay, confusion_matrix
from sklearn.model_selection import StratifiedShuffleSplit
from sklearn.preprocessing import StandardScaler

from .. import fit_many
from ..nn import LogisticRegression, MLPClassifier, sklearn_equivalent
from ..optim import DivergenceWarning
from ._common import Row, fmt, mean_std
from ._contract import Result as _Result
from ._contract import run_in_tasks
from ._grids import heatmap, labels
from ._tasks import Task

TITLE = "Beyond the report: breast cancer, logistic regression and a network vs scikit-learn"

#: The target of the logistic regression: mean test accuracy this close to scikit-learn's.
LOGISTIC_TOLERANCE = 0.005


@dataclass(frozen=True)
class Config:
    r"""Settings of the breast-cancer experiment.

    Attributes:
        n_splits: Stratified train/test splits.
        test_size: Fraction of the samples held out in each split.
        C: Inverse penalty of scikit-learn's `LogisticRegression` (its default 1);
            fyslearn's logistic regression uses $\alpha = 1/(2 n C)$.
        logistic_learning_rate: Learning rate of the plain gradient descent.
        logistic_epochs: Its steps (one per epoch: the whole training set).
        hidden_layer_sizes: The network's hidden layers.
        learning_rate: The network's learning rate $\eta$.
        momentum: The network's momentum.
        alpha: The network's L2 penalty $\alpha$ (the report's $\lambda$).
        batch_size: The network's mini-batch size.
        epochs: The network's epochs.
        grid_learning_rates: The columns of the $\eta \times \alpha$ grid.
        grid_alphas: Its rows.
        seed: Seed of the splits and of every model.
    """

    n_splits: int = 5
    test_size: float = 0.2
    C: float = 1.0
    logistic_learning_rate: float = 0.5
    logistic_epochs: int = 2000
    hidden_layer_sizes: tuple[int, ...] = (16,)
    learning_rate: float = 0.01
    momentum: float = 0.9
    alpha: float = 1e-3
    batch_size: int = 32
    epochs: int = 100
    grid_learning_rates: tuple[float, ...] = (1e-4, 1e-3, 1e-2, 1e-1, 1.0)
    grid_alphas: tuple[float, ...] = (0.0, 1e-4, 1e-3, 1e-2, 1e-1)
    seed: int = 0

    @classmethod
    def quick(cls) -> Config:
        return cls(
            n_splits=2,
            logistic_epochs=50,
            epochs=5,
            grid_learning_rates=(1e-2, 1e-1),
            grid_alphas=(0.0, 1e-2),
        )


@dataclass(frozen=True)
class Result(_Result):
    r"""Test accuracies per split, summed confusion matrices and the $\eta \times \alpha$ grid.

    Attributes:
        accuracy: Model name (`"fyslearn logistic"`, `"scikit-learn logistic"`,
            `"fyslearn network"`, `"scikit-learn network"`) -> test accuracy on
            each split, shape `(n_splits,)`.
        confusion: `"fyslearn logistic"` and `"fyslearn network"` -> confusion
            matrix summed over the splits, shape `(2, 2)` (rows: true class,
            columns: predicted; malignant first).
        class_names: The two class names, in the order of the matrices.
        grid_alphas: The L2 penalties $\alpha$ of the grid, its rows.
        grid_learning_rates: The learning rates $\eta$, its columns.
        grid_accuracy: Mean test accuracy over the splits, shape
            `(len(grid_alphas), len(grid_learning_rates))`; NaN: diverged on some split.
    """

    accuracy: dict[str, list[float]]
    confusion: dict[str, Any]
    class_names: list[str]
    grid_alphas: list[float]
    grid_learning_rates: list[float]
    grid_accuracy: Any


def split_data(config: Config, split: int) -> tuple[np.ndarray, ...]:
    """Split number `split`: `(X_train, X_test, y_train, y_test)`, standardised on the train part.

    The splits are stratified (both parts keep the 37 % of malignant tumours)
    and drawn by `StratifiedShuffleSplit` seeded with `config.seed`. Shapes
    `(n_train, 30)`, `(n_test, 30)`, `(n_train,)`, `(n_test,)`.
    """
    X, y = load_breast_cancer(return_X_y=True)
    splitter = StratifiedShuffleSplit(
        n_splits=config.n_splits, test_size=config.test_size, random_state=config.seed
    )
    train, test = list(splitter.split(X, y))[split]
    scaler = StandardScaler().fit(X[train])
    return scaler.transform(X[train]), scaler.transform(X[test]), y[train], y[test]


def logistic_alpha(config: Config, n_train: int) -> float:
    r"""fyslearn's L2 penalty with scikit-learn's minimum: $\alpha = 1/(2 n C)$."""
    return 1.0 / (2.0 * n_train * config.C)


def network(config: Config, split: int) -> MLPClassifier:
    """The fyslearn network of the comparison (unfitted)."""
    return MLPClassifier(
        hidden_layer_sizes=config.hidden_layer_sizes,
        learning_rate=config.learning_rate,
        momentum=config.momentum,
        alpha=config.alpha,
        batch_size=config.batch_size,
        epochs=config.epochs,
        random_state=config.seed + split,
    )


def compare_models(config: Config, split: int) -> dict[str, Any]:
    """Test accuracy of the four models on split `split`, and the fyslearn confusion matrices."""
    X_train, X_test, y_train, y_test = split_data(config, split)
    logistic = LogisticRegression(
        alpha=logistic_alpha(config, len(y_train)),
        learning_rate=config.logistic_learning_rate,
        batch_size=None,
        epochs=config.logistic_epochs,
        random_state=config.seed + split,
    ).fit(X_train, y_train)
    sk_logistic = SkLogisticRegression(C=config.C, max_iter=10_000).fit(X_train, y_train)
    ours = network(config, split).fit(X_train, y_train)
    sk_network = sklearn_equivalent(network(config, split))
    with warnings.catch_warnings():  # every epoch is run on purpose: no early stop
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk_network.fit(X_train, y_train)
    models = {
        "fyslearn logistic": logistic,
        "scikit-learn logistic": sk_logistic,
        "fyslearn network": ours,
        "scikit-learn network": sk_network,
    }
    return {
        "accuracy": {name: float(model.score(X_test, y_test)) for name, model in models.items()},
        "confusion": {
            name: confusion_matrix(y_test, models[name].predict(X_test), labels=[0, 1])
            for name in ("fyslearn logistic", "fyslearn network")
        },
    }


def grid_accuracy(config: Config, split: int) -> np.ndarray:
    r"""Test accuracy of the network for every $(\alpha, \eta)$ on split `split`, in one stack.

    Returns:
        Shape `(len(grid_alphas), len(grid_learning_rates))`; NaN where training diverged.
    """
    X_train, X_test, y_train, y_test = split_data(config, split)
    models = [
        MLPClassifier(
            hidden_layer_sizes=config.hidden_layer_sizes,
            learning_rate=learning_rate,
            momentum=config.momentum,
            alpha=alpha,
            batch_size=config.batch_size,
            epochs=config.epochs,
            random_state=config.seed + split,
        )
        for alpha in config.grid_alphas
        for learning_rate in config.grid_learning_rates
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DivergenceWarning)  # diverged cells show as NaN
        fit_many(models, X_train, y_train)
    scores = [
        model.score(X_test, y_test) if hasattr(model, "coefs_") else np.nan for model in models
    ]
    return np.reshape(scores, (len(config.grid_alphas), len(config.grid_learning_rates)))


def tasks(config: Config) -> list[Task]:
    """Per split: the four models, and the stacked grid of networks."""
    return [
        *(Task(compare_models, (config, split), cost=3.0) for split in range(config.n_splits)),
        *(Task(grid_accuracy, (config, split), cost=2.0) for split in range(config.n_splits)),
    ]


def assemble(config: Config, outputs: Sequence[Any]) -> Result:
    comparisons, grids = outputs[: config.n_splits], outputs[config.n_splits :]
    names = list(comparisons[0]["accuracy"])
    return Result(
        accuracy={name: [c["accuracy"][name] for c in comparisons] for name in names},
        confusion={
            name: np.sum([c["confusion"][name] for c in comparisons], axis=0)
            for name in comparisons[0]["confusion"]
        },
        class_names=[str(name) for name in load_breast_cancer().target_names],
        grid_alphas=list(config.grid_alphas),
        grid_learning_rates=list(config.grid_learning_rates),
        grid_accuracy=np.mean(grids, axis=0),
    )


def run(config: Config = Config(), n_jobs: int | None = 1) -> Result:
    """The breast-cancer comparison at `config`'s settings."""
    return run_in_tasks(tasks, assemble, config, n_jobs)


def plot(result: Result) -> Figure:
    r"""Accuracies, both confusion matrices and the network's $\eta \times \alpha$ grid."""
    fig, axes = plt.subplots(1, 4, figsize=(18, 3.9))
    names = list(result.accuracy)
    means = [np.mean(result.accuracy[name]) for name in names]
    spreads = [np.std(result.accuracy[name]) for name in names]
    axes[0].barh(names, means, xerr=spreads, color=["C0", "C1", "C0", "C1"])
    axes[0].set(xlim=(0.9, 1.0), xlabel="accuracy")
    axes[0].set_title(f"mean test accuracy ({len(result.accuracy[names[0]])} splits)", fontsize=10)
    axes[0].invert_yaxis()
    for ax, name in zip(axes[1:3], result.confusion, strict=True):
        display = ConfusionMatrixDisplay(
            np.asarray(result.confusion[name], dtype=int), display_labels=result.class_names
        )
        display.plot(ax=ax, colorbar=False)
        ax.set_title(f"{name}, summed over splits", fontsize=10)
    heatmap(
        axes[3],
        result.grid_accuracy,
        labels(result.grid_alphas),
        labels(result.grid_learning_rates),
        "network test accuracy",
    )
    axes[3].set(ylabel="α", xlabel="η")
    fig.tight_layout()
    return fig


def rows(result: Result) -> list[Row]:
    accuracy = {name: np.asarray(values, dtype=float) for name, values in result.accuracy.items()}
    gap = accuracy["fyslearn logistic"].mean() - accuracy["scikit-learn logistic"].mean()
    grid = np.asarray(result.grid_accuracy, dtype=float)
    i, j = np.unravel_index(np.nanargmax(grid), grid.shape)
    where = f"α={result.grid_alphas[i]:.0e}, η={result.grid_learning_rates[j]:.0e}"
    n_splits = len(accuracy["fyslearn logistic"])
    return [
        Row(
            "Breast cancer",
            f"logistic regression mean test accuracy ({n_splits} splits)",
            f"not in the report; target: within {LOGISTIC_TOLERANCE} of scikit-learn",
            f"{mean_std(accuracy['fyslearn logistic'], 4)} (difference {gap:+.4f})",
            mean_std(accuracy["scikit-learn logistic"], 4),
        ),
        Row(
            "Breast cancer",
            f"network mean test accuracy ({n_splits} splits)",
            "not in the report",
            mean_std(accuracy["fyslearn network"], 4),
            mean_std(accuracy["scikit-learn network"], 4),
        ),
        Row(
            "Breast cancer",
            "network grid, best mean test accuracy",
            "not in the report",
            f"{fmt(float(grid[i, j]), 4)} ({where})",
        ),
    ]

"""Figure 8: the 784–128–10 network on MNIST, with scikit-learn's equivalent.

ReLU hidden layer, softmax output, cross-entropy, Glorot uniform kernels,
zero biases, SGD with learning rate 1e-3 and batch 50 for 50 epochs, in
float32 (as the report's reference framework). Train and test cross-entropy
and accuracy after every epoch; scikit-learn's `MLPClassifier` with the same
settings is the reference curve (the report used TensorFlow).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from matplotlib.figure import Figure

from ..datasets import load_mnist_split
from ..nn import MLPClassifier, sklearn_equivalent
from ._common import ACCURACY_WITHIN, Row, fmt, verdict
from ._contract import Result as _Result
from ._contract import run_in_tasks
from ._networks import curves_figure, sklearn_curves
from ._tasks import Task, merge_outputs

TITLE = "Figure 8: MNIST network 784–128–10 and scikit-learn's MLPClassifier"


@dataclass(frozen=True)
class Config:
    """Settings of Figure 8 (the report's by default)."""

    hidden_layer_sizes: tuple[int, ...] = (128,)
    learning_rate: float = 1e-3
    batch_size: int = 50
    epochs: int = 50
    seed: int = 0
    n_train: int | None = None  # None: all 60 000 training images
    dtype: str = "float32"
    sklearn_reference: bool = True

    @classmethod
    def quick(cls) -> Config:
        return cls(epochs=2, n_train=6000)


@dataclass(frozen=True)
class Result(_Result):
    """Curves of the MNIST network after every epoch, and scikit-learn's.

    Attributes:
        cross_entropy: Training cross-entropy, shape `(epochs,)`.
        accuracy: Training accuracy, shape `(epochs,)`.
        val_cross_entropy: Test cross-entropy, shape `(epochs,)`.
        val_accuracy: Test accuracy, shape `(epochs,)`.
        sklearn_val_cross_entropy: Scikit-learn's test cross-entropy, shape `(epochs,)`;
            `None` without the reference.
        sklearn_val_accuracy: Scikit-learn's test accuracy, shape `(epochs,)`; `None`
            without the reference.
    """

    OPTIONAL = ("sklearn_val_cross_entropy", "sklearn_val_accuracy")

    cross_entropy: Any
    accuracy: Any
    val_cross_entropy: Any
    val_accuracy: Any
    sklearn_val_cross_entropy: Any = None
    sklearn_val_accuracy: Any = None


def network(config: Config) -> MLPClassifier:
    """The unfitted 784–128–10 network of the report."""
    return MLPClassifier(
        hidden_layer_sizes=config.hidden_layer_sizes,
        learning_rate=config.learning_rate,
        batch_size=config.batch_size,
        epochs=config.epochs,
        kernel_init="glorot_uniform",
        random_state=config.seed,
        dtype=config.dtype,
    )


def fyslearn_curves(config: Config) -> dict[str, Any]:
    """Train the network, scoring the training and test sets after every epoch."""
    X_train, y_train, X_test, y_test = load_mnist_split(config.n_train)
    model = network(config).set_params(validation_data=(X_test, y_test))
    model.fit(X_train, y_train)
    keys = ("cross_entropy", "accuracy", "val_cross_entropy", "val_accuracy")
    return {key: model.history_[key] for key in keys}


def reference_curves(config: Config) -> dict[str, Any]:
    """Scikit-learn's equivalent MLPClassifier, trained one epoch at a time."""
    X_train, y_train, X_test, y_test = load_mnist_split(config.n_train)
    reference = sklearn_equivalent(network(config))
    curves = sklearn_curves(reference, X_train, y_train, X_test, y_test, config.epochs)
    return {f"sklearn_{key}": value for key, value in curves.items()}


def tasks(config: Config) -> list[Task]:
    """fyslearn's training and scikit-learn's: independent, so they can run side by side."""
    parts = [Task(fyslearn_curves, (config,), cost=0.45 * config.epochs)]
    if config.sklearn_reference:
        parts.append(Task(reference_curves, (config,), cost=1.3 * config.epochs))
    return parts


def assemble(config: Config, outputs: Sequence[dict[str, Any]]) -> Result:
    return Result(**merge_outputs(outputs))


def run(config: Config = Config(), n_jobs: int | None = 1) -> Result:
    """The curves of Figure 8 at `config`'s settings."""
    return run_in_tasks(tasks, assemble, config, n_jobs)


def plot(result: Result) -> Figure:
    loss = {"fyslearn train": result.cross_entropy, "fyslearn test": result.val_cross_entropy}
    accuracy = {"fyslearn train": result.accuracy, "fyslearn test": result.val_accuracy}
    if result.sklearn_val_accuracy is not None:
        loss["scikit-learn test"] = result.sklearn_val_cross_entropy
        accuracy["scikit-learn test"] = result.sklearn_val_accuracy
    return curves_figure([("cross-entropy", "loss", loss), ("accuracy", "accuracy", accuracy)])


def rows(result: Result) -> list[Row]:
    reference = (
        fmt(float(result.sklearn_val_accuracy[-1]), 4)
        if result.sklearn_val_accuracy is not None
        else ""
    )
    return [
        Row(
            "Fig. 8",
            "MNIST test accuracy, 784–128–10",
            "0.93",
            fmt(float(result.val_accuracy[-1]), 4),
            reference,
            verdict(float(result.val_accuracy[-1]), 0.93, ACCURACY_WITHIN, "a lower accuracy"),
        )
    ]

"""Figure 8: the 784–128–10 network on MNIST, with scikit-learn's equivalent.

ReLU hidden layer, softmax output, cross-entropy, Glorot uniform kernels,
zero biases, SGD with learning rate 1e-3 and batch 50 for 50 epochs, in
float32 (as the report's reference framework). Train and test cross-entropy
and accuracy after every epoch; scikit-learn's ``MLPClassifier`` with the same
settings is the reference curve (the report used TensorFlow).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from matplotlib.figure import Figure

from ..datasets import load_mnist
from ..nn import MLPClassifier, sklearn_equivalent
from ._common import Row, fmt
from ._networks import curves_figure, sklearn_curves

TITLE = "Figure 8: MNIST network 784–128–10 and scikit-learn's MLPClassifier"


@dataclass(frozen=True)
class Config:
    """Settings of Figure 8 (the report's by default)."""

    hidden: int = 128
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


def mnist(n_train: int | None) -> tuple:
    X_train, y_train, X_test, y_test = load_mnist()
    return X_train[:n_train], y_train[:n_train], X_test, y_test


def run(config: Config = Config()) -> dict[str, Any]:
    X_train, y_train, X_test, y_test = mnist(config.n_train)
    model = MLPClassifier(
        hidden_layer_sizes=(config.hidden,),
        learning_rate=config.learning_rate,
        batch_size=config.batch_size,
        epochs=config.epochs,
        kernel_init="glorot_uniform",
        random_state=config.seed,
        dtype=config.dtype,
        validation_data=(X_test, y_test),
    ).fit(X_train, y_train)
    result = {
        key: model.history_[key]
        for key in ("cross_entropy", "accuracy", "val_cross_entropy", "val_accuracy")
    }
    if config.sklearn_reference:
        curves = sklearn_curves(
            sklearn_equivalent(model), X_train, y_train, X_test, y_test, config.epochs
        )
        result.update({f"sklearn_{key}": value for key, value in curves.items()})
    return result


def plot(result: dict[str, Any]) -> Figure:
    loss = {"fyslearn train": result["cross_entropy"], "fyslearn test": result["val_cross_entropy"]}
    accuracy = {"fyslearn train": result["accuracy"], "fyslearn test": result["val_accuracy"]}
    if "sklearn_val_accuracy" in result:
        loss["scikit-learn test"] = result["sklearn_val_cross_entropy"]
        accuracy["scikit-learn test"] = result["sklearn_val_accuracy"]
    return curves_figure([("cross-entropy", "loss", loss), ("accuracy", "accuracy", accuracy)])


def rows(result: dict[str, Any]) -> list[Row]:
    reference = (
        fmt(float(result["sklearn_val_accuracy"][-1]), 4)
        if "sklearn_val_accuracy" in result
        else ""
    )
    return [
        Row(
            "Fig. 8",
            "MNIST test accuracy, 784–128–10",
            "0.93",
            fmt(float(result["val_accuracy"][-1]), 4),
            reference,
        )
    ]

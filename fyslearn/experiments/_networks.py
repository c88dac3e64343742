"""Shared by the network experiments: scikit-learn reference curves and curve plots."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from sklearn.metrics import accuracy_score, log_loss, mean_squared_error


def sklearn_curves(
    model: Any, X: np.ndarray, y: np.ndarray, X_test: np.ndarray, y_test: np.ndarray, epochs: int
) -> dict[str, np.ndarray]:
    """Train a scikit-learn MLP one epoch at a time (`partial_fit`), scoring the test set.

    Regression records the test MSE in fyslearn's convention (not halved);
    classification the test cross-entropy and accuracy.

    Args:
        model: An unfitted scikit-learn `MLPRegressor` or `MLPClassifier`.
        X: Training inputs, shape `(n_train, n_features)`.
        y: Training targets or labels, shape `(n_train,)`.
        X_test: Test inputs, shape `(n_test, n_features)`.
        y_test: Test targets or labels, shape `(n_test,)`.
        epochs: Number of passes over the training set.

    Returns:
        `val_mse`, or `val_cross_entropy` and `val_accuracy`, each of shape `(epochs,)`.
    """
    is_classifier = hasattr(model, "predict_proba")
    classes = np.unique(y) if is_classifier else None
    curves: dict[str, list[float]] = {}
    for _ in range(epochs):
        if is_classifier:
            model.partial_fit(X, y, classes=classes)
            probabilities = model.predict_proba(X_test)
            curves.setdefault("val_cross_entropy", []).append(
                log_loss(y_test, probabilities, labels=classes)
            )
            curves.setdefault("val_accuracy", []).append(
                accuracy_score(y_test, classes[probabilities.argmax(axis=1)])
            )
        else:
            model.partial_fit(X, y)
            curves.setdefault("val_mse", []).append(
                mean_squared_error(y_test, model.predict(X_test))
            )
    return {key: np.asarray(values) for key, values in curves.items()}


def curves_figure(
    panels: list[tuple[str, str, dict[str, np.ndarray]]], logy: bool = False
) -> Figure:
    """One panel per (title, ylabel, {label: curve}) with epochs on the x-axis."""
    fig, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels), 3.6), squeeze=False)
    for ax, (title, ylabel, curves) in zip(axes[0], panels, strict=True):
        for label, curve in curves.items():
            curve = np.asarray(curve, dtype=float)
            ax.plot(
                np.arange(1, len(curve) + 1),
                curve,
                label=label,
                ls="--" if "scikit" in label else "-",
            )
        ax.set(title=title, xlabel="epoch", ylabel=ylabel)
        if logy:
            ax.set_yscale("log")
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig

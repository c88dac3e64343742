"""Shared by Figures 3 and 4: SGD fits of a polynomial model over a grid, and their scores."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .. import fit_many
from ..datasets import FrankeSplit
from ..features import design_matrix
from ..linear_model import SGDRegressor
from ..optim import DivergenceWarning
from ._common import scores


def design(split: FrankeSplit, degree: int, basis: str) -> tuple[np.ndarray, np.ndarray]:
    """The polynomial design matrices of the training and test inputs.

    Returns:
        `(D_train, D_test)`, of shapes `(n_train, n_terms)` and `(n_test, n_terms)`.
    """
    return design_matrix(split.X_train, degree, basis), design_matrix(split.X_test, degree, basis)


def sgd_grid_scores(
    split: FrankeSplit,
    D_train: np.ndarray,
    D_test: np.ndarray,
    seed: int,
    settings: list[dict[str, Any]],
) -> list[dict[str, float]]:
    """Fit one SGDRegressor per settings dict, all in one stacked run; score each.

    The models share `seed`, hence their starting point and shuffling order:
    [fit_many][fyslearn.fit_many] trains them as the columns of one
    matrix (the same numbers as one fit each, to rounding). A diverged fit
    scores NaN.

    Args:
        split: The Franke split whose targets the models fit and are scored on.
        D_train: Training design matrix, shape `(n_train, n_terms)`.
        D_test: Test design matrix, shape `(n_test, n_terms)`.
        seed: Seed of every model and of the bootstrap.
        settings: One dict of [SGDRegressor][fyslearn.linear_model.SGDRegressor]
            settings per model.

    Returns:
        The scores of each model (see [scores][fyslearn.experiments.scores]), in order.
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

"""Bootstrap estimates of test scores, following the report's protocol."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from sklearn.metrics import mean_squared_error, r2_score
from sklearn.utils import check_consistent_length, resample

from ._docstrings import readable_docstrings
from ._validation import as_generator, check_positive_int

__all__ = ["BootstrapScores", "bootstrap_scores"]


@dataclass(frozen=True)
class BootstrapScores:
    """Mean and standard deviation of MSE and $R^2$ over bootstrap resamples.

    Attributes:
        mse_mean: Mean test MSE.
        mse_std: Standard deviation of the test MSE across resamples.
        r2_mean: Mean test $R^2$.
        r2_std: Standard deviation of the test $R^2$.
        mse: The MSE of each resample, shape `(n_bootstraps,)`.
        r2: The $R^2$ of each resample, shape `(n_bootstraps,)`.
    """

    mse_mean: float
    mse_std: float
    r2_mean: float
    r2_std: float
    mse: np.ndarray
    r2: np.ndarray


def bootstrap_scores(
    model: object,
    X_test: ArrayLike,
    y_test: ArrayLike,
    n_bootstraps: int = 100,
    random_state: int | np.random.Generator | None = None,
) -> BootstrapScores:
    r"""Score a fitted model on bootstrap resamples of the test set.

    The report's protocol: the model is trained once; each of the
    `n_bootstraps` rounds draws `len(y_test)` test points with
    replacement (scikit-learn's `sklearn.utils.resample`) and computes MSE
    and $R^2$ on them. Because the model is not refitted, predicting once and
    resampling the predictions gives the same numbers at a fraction of the
    cost; the resamples are the columns of one array, scored by one call of
    each metric.

    Args:
        model: A fitted estimator with `predict`, returning one value per
            test point (shape `(n_test,)` or `(n_test, 1)`).
        X_test: Test inputs, shape `(n_test, n_features)`.
        y_test: Test targets, shape `(n_test,)`, with $n_{test} \ge 2$.
        n_bootstraps: Number of resamples.
        random_state: Seed or generator of the resampling.

    Returns:
        The scores, with the per-resample values.

    Raises:
        TypeError: `model` has no `predict` method.
        ValueError: `n_bootstraps` is not a positive integer, or the targets or
            predictions are not one value per test point, or fewer than 2.
    """
    n_bootstraps = check_positive_int(n_bootstraps, "n_bootstraps")
    if not hasattr(model, "predict"):
        raise TypeError(f"model must have a predict method, got {type(model).__name__}.")
    y_test = np.asarray(y_test, dtype=float)
    predictions = np.asarray(model.predict(X_test), dtype=float)
    check_consistent_length(y_test, predictions)
    if predictions.ndim == 2 and predictions.shape[1] == 1:
        predictions = predictions[:, 0]
    if y_test.ndim != 1 or predictions.ndim != 1:
        raise ValueError(
            "bootstrap_scores needs one target and one prediction per test point, got "
            f"shapes {y_test.shape} and {predictions.shape}."
        )
    if len(y_test) < 2:
        raise ValueError("y_test needs at least 2 samples for R² to be defined.")
    seed = as_generator(random_state).integers(2**31 - 1)
    rng = np.random.RandomState(seed)  # resample takes a RandomState
    rows = np.arange(len(y_test))
    # column b holds the test rows drawn in round b
    drawn = np.column_stack([resample(rows, random_state=rng) for _ in range(n_bootstraps)])
    y_true, y_pred = y_test[drawn], predictions[drawn]
    # one call scores every round: each column is one resample's (y, ŷ)
    mse = mean_squared_error(y_true, y_pred, multioutput="raw_values")
    r2 = r2_score(y_true, y_pred, multioutput="raw_values")
    return BootstrapScores(mse.mean(), mse.std(), r2.mean(), r2.std(), mse, r2)


readable_docstrings(globals())  # help() shows plain names where the site shows links

"""The Franke function: the two-dimensional test surface of the regression track."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from sklearn.model_selection import train_test_split

from .._validation import as_generator, check_non_negative_float, check_positive_int

__all__ = ["FrankeSplit", "franke", "franke_split", "make_franke"]


def franke(x: ArrayLike, y: ArrayLike) -> np.ndarray:
    r"""Evaluate the Franke function, a sum of four Gaussians, element-wise.

    $$
    \begin{aligned}
    f(x, y) ={}& \tfrac34 e^{-\frac{(9x-2)^2}{4} - \frac{(9y-2)^2}{4}}
              + \tfrac34 e^{-\frac{(9x+1)^2}{49} - \frac{9y+1}{10}} \\
              &+ \tfrac12 e^{-\frac{(9x-7)^2}{4} - \frac{(9y-3)^2}{4}}
              - \tfrac15 e^{-(9x-4)^2 - (9y-7)^2}
    \end{aligned}
    $$

    Args:
        x: First coordinate, an array of any shape broadcastable with `y`.
        y: Second coordinate, an array of any shape broadcastable with `x`.

    Returns:
        The function values, an array of the broadcast shape of `x` and `y`.

    Raises:
        ValueError: `x` or `y` is not real numbers (`None`, text, complex).
    """
    x = _real_array(x, "x")
    y = _real_array(y, "y")
    term1 = 0.75 * np.exp(-((9 * x - 2) ** 2) / 4 - ((9 * y - 2) ** 2) / 4)
    term2 = 0.75 * np.exp(-((9 * x + 1) ** 2) / 49 - (9 * y + 1) / 10)
    term3 = 0.5 * np.exp(-((9 * x - 7) ** 2) / 4 - ((9 * y - 3) ** 2) / 4)
    term4 = -0.2 * np.exp(-((9 * x - 4) ** 2) - (9 * y - 7) ** 2)
    return term1 + term2 + term3 + term4


def _real_array(values: ArrayLike, name: str) -> np.ndarray:
    """`values` as a float array; a `ValueError` naming `name` when they are not real numbers."""
    array = np.asarray(values)
    if array.dtype == bool or not np.issubdtype(array.dtype, np.number):
        raise ValueError(f"{name} must be real numbers, got {values!r:.60}")
    if np.iscomplexobj(array):
        raise ValueError(f"{name} must be real numbers, got complex values")
    return array.astype(float)


def make_franke(
    n_samples: int = 1000,
    noise: float = 0.2,
    random_state: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Sample the report's regression data set.

    Points are uniform on $[0, 1]^2$ and the targets are
    $y = f(x_1, x_2) + \text{noise}\cdot\varepsilon$,
    $\varepsilon \sim \mathcal N(0, 1)$, with $f$ the
    [Franke function][fyslearn.datasets.franke]. With the report's
    `noise=0.2` no model can have a test MSE below about `noise**2 = 0.04`.

    Args:
        n_samples: Number of points.
        noise: Standard deviation of the Gaussian noise added to the targets.
        random_state: Seed or generator; the same seed gives the same data.

    Returns:
        `(X, y)` with `X` of shape `(n_samples, 2)` and `y` of shape `(n_samples,)`.

    Examples:
        >>> from fyslearn.datasets import make_franke
        >>> X, y = make_franke(5, random_state=0)
        >>> X.shape, y.shape
        ((5, 2), (5,))
        >>> bool(np.all((X >= 0) & (X <= 1)))
        True
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    noise = check_non_negative_float(noise, "noise")
    rng = as_generator(random_state)
    X = rng.uniform(0.0, 1.0, size=(n_samples, 2))
    y = franke(X[:, 0], X[:, 1]) + noise * rng.standard_normal(n_samples)
    return X, y


@dataclass(frozen=True)
class FrankeSplit:
    """The report's Franke data: 75 % train, 25 % test, inputs centred by the training mean.

    Attributes:
        X_train: Centred training inputs, shape `(n_train, 2)`.
        X_test: Centred test inputs, shape `(n_test, 2)`.
        y_train: Noisy training targets, shape `(n_train,)`.
        y_test: Noisy test targets, shape `(n_test,)`.
        truth_test: The noise-free Franke function at the test points, shape `(n_test,)`.
    """

    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    truth_test: np.ndarray


def franke_split(
    seed: int, n_samples: int = 1000, noise: float = 0.2, centring: str = "scalar"
) -> FrankeSplit:
    """Generate, split and centre the Franke data as the report does.

    The data come from [make_franke][fyslearn.datasets.make_franke]; a quarter
    of the points is held out as the test set (the same seed for data and split).

    Args:
        seed: Seed of the data and of the split.
        n_samples: Number of points (the report: 1000).
        noise: Noise standard deviation (the report: 0.2).
        centring: `"scalar"` subtracts one number, the mean over both input
            columns (the report's code); `"columns"` subtracts each column's mean;
            `"none"` leaves the inputs in $[0, 1]^2$.

    Returns:
        The split, with the noise-free targets of the test points.

    Raises:
        ValueError: `centring` is none of the three names.
    """
    if centring not in ("scalar", "columns", "none"):
        raise ValueError(f"centring must be 'scalar', 'columns' or 'none', got {centring!r}.")
    X, y = make_franke(n_samples, noise=noise, random_state=seed)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=seed)
    truth = franke(X_test[:, 0], X_test[:, 1])
    if centring == "scalar":
        centre = X_train.mean()
    elif centring == "columns":
        centre = X_train.mean(axis=0)
    else:
        centre = 0.0
    return FrankeSplit(X_train - centre, X_test - centre, y_train, y_test, truth)

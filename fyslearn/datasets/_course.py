r"""The one-dimensional data sets of the later versions of the course.

From 2022 on, the project starts on data simpler than the Franke surface: a
second-order polynomial $y = a_0 + a_1x + a_2x^2$, on which gradient descent
can be checked against the closed form, and Runge's function
$f(x) = 1/(1 + 25x^2)$, whose polynomial fits of growing degree on
equally spaced points oscillate ever more wildly near $\pm 1$ (Runge's
phenomenon). Both draw $x$ uniformly from $[-1, 1]$ and add Gaussian noise.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from .._validation import as_generator, check_non_negative_float, check_positive_int

__all__ = ["make_polynomial", "make_runge", "runge"]


def runge(x: ArrayLike) -> np.ndarray:
    r"""Runge's function $f(x) = 1/(1 + 25x^2)$, element-wise.

    Args:
        x: Points, any shape.

    Returns:
        The function values, shape of `x`, in $(0, 1]$ (1 at $x = 0$, $1/26$ at $x = \pm 1$).
    """
    x = np.asarray(x, dtype=float)
    with np.errstate(over="ignore"):  # |x| > 1e153: 25x² is inf and f(x) is 0, as it should
        return 1.0 / (1.0 + 25.0 * x**2)


def make_polynomial(
    n_samples: int = 100,
    coefficients: Sequence[float] = (2.0, 3.0, 4.0),
    noise: float = 0.1,
    random_state: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Sample a polynomial $y = \sum_k a_k x^k + \text{noise}\cdot\varepsilon$ on $[-1, 1]$.

    The default $2 + 3x + 4x^2$ is the second-order polynomial of the course's
    notes on gradient descent. $x$ is uniform on $[-1, 1]$ and
    $\varepsilon \sim \mathcal N(0, 1)$, so no model can have a test MSE below
    about `noise**2` on average.

    Args:
        n_samples: Number of points.
        coefficients: $(a_0, a_1, \dots, a_p)$, lowest power first; any
            number of them (at least one).
        noise: Standard deviation of the Gaussian noise added to the targets.
        random_state: Seed or generator; the same seed gives the same data.

    Returns:
        `(X, y)` with `X` of shape `(n_samples, 1)` (one feature, as scikit-learn's
        estimators take it) and `y` of shape `(n_samples,)`.

    Raises:
        ValueError: No coefficient, a coefficient that is not a finite number,
            `n_samples` < 1 or `noise` < 0.
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    noise = check_non_negative_float(noise, "noise")
    coefficients = _check_coefficients(coefficients)
    rng = as_generator(random_state)
    x = rng.uniform(-1.0, 1.0, size=n_samples)
    y = np.polynomial.polynomial.polyval(x, coefficients) + noise * rng.standard_normal(n_samples)
    return x[:, None], y


def make_runge(
    n_samples: int = 100,
    noise: float = 0.1,
    random_state: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Sample Runge's function $y = 1/(1 + 25x^2) + \text{noise}\cdot\varepsilon$ on $[-1, 1]$.

    $x$ is uniform on $[-1, 1]$ and $\varepsilon \sim \mathcal N(0, 1)$; the
    noise-free values are [runge][fyslearn.datasets.runge]`(X[:, 0])`.

    Args:
        n_samples: Number of points.
        noise: Standard deviation of the Gaussian noise added to the targets.
        random_state: Seed or generator; the same seed gives the same data.

    Returns:
        `(X, y)` with `X` of shape `(n_samples, 1)` and `y` of shape `(n_samples,)`.

    Raises:
        ValueError: `n_samples` < 1 or `noise` < 0.
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    noise = check_non_negative_float(noise, "noise")
    rng = as_generator(random_state)
    x = rng.uniform(-1.0, 1.0, size=n_samples)
    return x[:, None], runge(x) + noise * rng.standard_normal(n_samples)


def _check_coefficients(coefficients: Sequence[float]) -> np.ndarray:
    try:
        values = np.asarray(coefficients, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(
            f"coefficients must be a sequence of numbers (a0, a1, ...), got {coefficients!r}."
        ) from None
    if values.ndim != 1 or values.size == 0 or not np.all(np.isfinite(values)):
        raise ValueError(
            f"coefficients must be a non-empty sequence of finite numbers (a0, a1, ...), "
            f"got {coefficients!r}."
        )
    return values

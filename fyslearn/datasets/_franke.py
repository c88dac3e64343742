"""The Franke function: the two-dimensional test surface of the regression track."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._validation import as_generator, check_non_negative_float, check_positive_int

__all__ = ["franke", "make_franke"]


def franke(x: ArrayLike, y: ArrayLike) -> np.ndarray:
    r"""Evaluate the Franke function, a sum of four Gaussians, element-wise.

    .. math::

        f(x, y) = \tfrac34 e^{-\frac{(9x-2)^2}{4} - \frac{(9y-2)^2}{4}}
                + \tfrac34 e^{-\frac{(9x+1)^2}{49} - \frac{9y+1}{10}}
                + \tfrac12 e^{-\frac{(9x-7)^2}{4} - \frac{(9y-3)^2}{4}}
                - \tfrac15 e^{-(9x-4)^2 - (9y-7)^2}

    Args:
        x: First coordinate, any shape broadcastable with ``y``.
        y: Second coordinate.

    Returns:
        The function values, with the broadcast shape of ``x`` and ``y``.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    term1 = 0.75 * np.exp(-((9 * x - 2) ** 2) / 4 - ((9 * y - 2) ** 2) / 4)
    term2 = 0.75 * np.exp(-((9 * x + 1) ** 2) / 49 - (9 * y + 1) / 10)
    term3 = 0.5 * np.exp(-((9 * x - 7) ** 2) / 4 - ((9 * y - 3) ** 2) / 4)
    term4 = -0.2 * np.exp(-((9 * x - 4) ** 2) - (9 * y - 7) ** 2)
    return term1 + term2 + term3 + term4


def make_franke(
    n_samples: int = 1000,
    noise: float = 0.2,
    random_state: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Sample the report's regression data set.

    Points are uniform on :math:`[0, 1]^2` and the targets are
    :math:`y = f(x_1, x_2) + \text{noise}\cdot\varepsilon`,
    :math:`\varepsilon \sim \mathcal N(0, 1)`. With the report's
    ``noise=0.2`` no model can have a test MSE below about ``noise**2 = 0.04``.

    Args:
        n_samples: Number of points.
        noise: Standard deviation of the Gaussian noise added to the targets.
        random_state: Seed or generator; the same seed gives the same data.

    Returns:
        ``(X, y)`` with ``X`` of shape ``(n_samples, 2)`` and ``y`` of shape ``(n_samples,)``.
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    noise = check_non_negative_float(noise, "noise")
    rng = as_generator(random_state)
    X = rng.uniform(0.0, 1.0, size=(n_samples, 2))
    y = franke(X[:, 0], X[:, 1]) + noise * rng.standard_normal(n_samples)
    return X, y

# fyslearn exercise: mse_gradient
r"""Exercise: the gradient of the mean squared error of a linear model (D1).

The cost is $C(\beta) = \frac1n\sum_i \big(y_i - \sum_j x_{ij}\beta_j\big)^2$.
Derivation: site page derivations/regression.md (D1). Check your answer with
`fyslearn check mse_gradient.py`.
"""

import numpy as np


def mse_gradient(X: np.ndarray, y: np.ndarray, beta: np.ndarray) -> np.ndarray:
    r"""The gradient $\nabla_\beta C = \frac2n X^T(X\beta - y)$ of the MSE.

    Args:
        X: Design matrix, shape `(n, p)`.
        y: Targets, shape `(n,)`.
        beta: Coefficients, shape `(p,)`.

    Returns:
        The gradient, shape `(p,)`.
    """
    n = len(y)
    residual = X @ beta - y  # Xβ − y, shape (n,)
    return 2 / n * X.T @ residual

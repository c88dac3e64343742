# fyslearn exercise: ridge_gradient
r"""Exercise: the gradient of the Ridge cost (D2).

The cost is
$C(\beta) = \frac1n\sum_i \big(y_i - \sum_j x_{ij}\beta_j\big)^2 + \lambda\sum_j \beta_j^2$.
Derivation: site page derivations/regression.md (D2). Check your answer with
`fyslearn check ridge_gradient.py`.
"""

import numpy as np


def ridge_gradient(X: np.ndarray, y: np.ndarray, beta: np.ndarray, alpha: float) -> np.ndarray:
    r"""The gradient $\nabla_\beta C = \frac2n X^T(X\beta - y) + 2\lambda\beta$ of the Ridge cost.

    Args:
        X: Design matrix, shape `(n, p)`.
        y: Targets, shape `(n,)`.
        beta: Coefficients, shape `(p,)`.
        alpha: The penalty $\lambda \ge 0$, a number.

    Returns:
        The gradient, shape `(p,)`.
    """
    n = len(y)
    residual = X @ beta - y
    return 2 / n * X.T @ residual + 2 * alpha * beta

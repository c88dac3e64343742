# fyslearn exercise: sigmoid_derivative
r"""Exercise: the derivative of the sigmoid (D8).

$\sigma(z) = 1/(1 + e^{-z})$ has the derivative $\sigma'(z) = \sigma(z)(1 - \sigma(z))$.
Compute $\sigma$ without overflow for large $|z|$ (no warning for $z = -1000$).
Derivation: site page derivations/activations.md (D8). Check your answer with
`fyslearn check sigmoid_derivative.py`.
"""

import numpy as np


def sigmoid_derivative(z: np.ndarray) -> np.ndarray:
    r"""$\sigma'(z) = \sigma(z)(1 - \sigma(z))$, entry by entry.

    Args:
        z: Pre-activations, any shape.

    Returns:
        The slopes, shape of `z`.
    """
    e = np.exp(-np.abs(z))  # at most 1: no overflow
    sigma = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    return sigma * (1 - sigma)

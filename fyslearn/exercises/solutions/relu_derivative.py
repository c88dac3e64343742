# fyslearn exercise: relu_derivative
r"""Exercise: the derivative of ReLU (D8).

$R(z) = \max(0, z)$ has slope 1 for $z > 0$ and 0 for $z < 0$; at the kink
$z = 0$ fyslearn uses 0 (the left derivative).
Derivation: site page derivations/activations.md (D8). Check your answer with
`fyslearn check relu_derivative.py`.
"""

import numpy as np


def relu_derivative(z: np.ndarray) -> np.ndarray:
    r"""$R'(z)$: 1 where $z > 0$, else 0 (also at $z = 0$).

    Args:
        z: Pre-activations, any shape.

    Returns:
        The slopes, shape of `z`, float.
    """
    return np.where(z > 0, 1.0, 0.0)

# fyslearn exercise: leaky_relu_derivative
r"""Exercise: the derivative of leaky ReLU with negative slope $s = 0.01$ (D8).

$R_s(z) = z$ for $z > 0$ and $s z$ otherwise; its slope is 1 for $z > 0$ and
$s$ otherwise (fyslearn uses $s$ at the kink $z = 0$).
Derivation: site page derivations/activations.md (D8). Check your answer with
`fyslearn check leaky_relu_derivative.py`.
"""

import numpy as np

NEGATIVE_SLOPE = 0.01


def leaky_relu_derivative(z: np.ndarray) -> np.ndarray:
    r"""$R_s'(z)$: 1 where $z > 0$, else $s = 0.01$ (also at $z = 0$).

    Args:
        z: Pre-activations, any shape.

    Returns:
        The slopes, shape of `z`.
    """
    return np.where(z > 0, 1.0, NEGATIVE_SLOPE)

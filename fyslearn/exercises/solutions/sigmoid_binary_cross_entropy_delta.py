# fyslearn exercise: sigmoid_binary_cross_entropy_delta
r"""Exercise: the output error of one sigmoid output with binary cross-entropy.

For one sample, $a = \sigma(z)$ and $C = -(y\ln a + (1 - y)\ln(1 - a))$; the
$1/(a(1-a))$ of $\partial C/\partial a$ cancels $\sigma'(z) = a(1 - a)$, so
$\delta = \partial C/\partial z = a - y$. Compute $\sigma$ without overflow.
Derivation: site page derivations/softmax.md and `fyslearn derive
sigmoid_binary_cross_entropy_delta`. Check your answer with
`fyslearn check sigmoid_binary_cross_entropy_delta.py`.
"""

import numpy as np


def sigmoid_binary_cross_entropy_delta(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    r"""$\delta = \sigma(z) - y$, entry by entry.

    Args:
        z: Pre-activations of the output, shape `(n,)`.
        y: Targets, 0 or 1, shape `(n,)`.

    Returns:
        The output error $\partial C/\partial z$ of each sample, shape `(n,)`.
    """
    e = np.exp(-np.abs(z))
    a = np.where(z >= 0, 1 / (1 + e), e / (1 + e))  # σ(z) without overflow
    return a - y

# fyslearn exercise: softmax_cross_entropy_delta
r"""Exercise: the output error of a softmax output with cross-entropy (D7).

For one sample, $a = S(z)$ with $S(z)_k = e^{z_k}/\sum_j e^{z_j}$ and
$C = -\sum_k y_k \ln a_k$; the chain rule through the softmax Jacobian gives
$\delta = \partial C/\partial z = a - y$ for one-hot $y$. The rows of the
arrays are samples, and the cost of the batch is the sum of theirs, so each
row of $\delta$ is that sample's $a - y$. Compute the softmax without overflow
(subtract each row's largest $z$ first).
Derivation: site page derivations/softmax.md (D7). Check your answer with
`fyslearn check softmax_cross_entropy_delta.py`.
"""

import numpy as np


def softmax_cross_entropy_delta(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    r"""$\delta = S(z) - y$, row by row.

    Args:
        z: Pre-activations of the output layer, shape `(n, K)`.
        y: One-hot targets, shape `(n, K)`.

    Returns:
        The output error $\partial C/\partial z$, shape `(n, K)`.
    """
    shifted = z - z.max(axis=1, keepdims=True)  # the same softmax, no overflow
    exponentials = np.exp(shifted)
    a = exponentials / exponentials.sum(axis=1, keepdims=True)
    return a - y

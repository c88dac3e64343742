# fyslearn exercise: backpropagation
r"""Exercise: backpropagation through a network with one hidden layer (D3–D5).

Rows are samples. The network is $z^1 = X W^1 + b^1$, $a^1 = \sigma(z^1)$
(sigmoid), $a^2 = a^1 W^2 + b^2$ (linear output), and the cost is the mean
squared error $C = \frac1n\sum_i\sum_k (y_{ik} - a^2_{ik})^2$. Backpropagation:

$\delta^2 = \frac2n(a^2 - y)$ (D3 with D6, the linear output has $\sigma' = 1$),
$\delta^1 = (\delta^2 (W^2)^T) \odot \sigma'(z^1)$ (D4),
$\partial C/\partial W^l = (a^{l-1})^T\delta^l$ and
$\partial C/\partial b^l = \sum_{\text{rows}} \delta^l$ (D5), with $a^0 = X$.
Derivation: site page derivations/backpropagation.md (D3–D5). Check your answer
with `fyslearn check backpropagation.py`.
"""

import numpy as np


def backpropagation(
    X: np.ndarray,
    Y: np.ndarray,
    W1: np.ndarray,
    b1: np.ndarray,
    W2: np.ndarray,
    b2: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    r"""The gradients of the MSE with respect to $W^1$, $b^1$, $W^2$, $b^2$.

    Args:
        X: Inputs, shape `(n, n_in)`.
        Y: Targets, shape `(n, n_out)`.
        W1: Hidden kernel, shape `(n_in, n_hidden)`.
        b1: Hidden bias, shape `(n_hidden,)`.
        W2: Output kernel, shape `(n_hidden, n_out)`.
        b2: Output bias, shape `(n_out,)`.

    Returns:
        `(dW1, db1, dW2, db2)`, of the shapes of `W1`, `b1`, `W2`, `b2`.
    """
    n = len(X)
    z1 = X @ W1 + b1
    a1 = 1 / (1 + np.exp(-z1))  # σ(z¹)
    a2 = a1 @ W2 + b2  # linear output
    delta2 = 2 / n * (a2 - Y)  # D3 with D6, mean over the batch
    delta1 = (delta2 @ W2.T) * a1 * (1 - a1)  # D4: σ'(z¹) = a¹(1 − a¹)
    dW2, db2 = a1.T @ delta2, delta2.sum(axis=0)  # D5
    dW1, db1 = X.T @ delta1, delta1.sum(axis=0)
    return dW1, db1, dW2, db2

r"""Loss functions of the network and their gradients with respect to the output.

All three losses average over the $n$ samples of a batch and sum over the $K$
outputs (the conventions of the report and of these docs):

$$
\begin{aligned}
C_{\mathrm{MSE}} &= \frac1n \sum_i \sum_k (y_{ik} - a_{ik})^2, \qquad
C_{\mathrm{CE}} = -\frac1n \sum_i \sum_k y_{ik} \ln a_{ik},\\
C_{\mathrm{BCE}} &= -\frac1n \sum_i \sum_k
    \big[y_{ik} \ln a_{ik} + (1 - y_{ik}) \ln(1 - a_{ik})\big].
\end{aligned}
$$

Each loss is a small object with its value, `__call__(Y, A)`, and its
gradient with respect to the output, `output_gradient(Y, A)`
$= \partial C/\partial a$ (D6 for MSE), side by side. With a softmax output,
cross-entropy's output error simplifies to $\delta = (a - y)/n$ (D7),
which [`CrossEntropy.softmax_delta`][fyslearn.nn.losses.CrossEntropy.softmax_delta]
returns without ever dividing by a probability; with a sigmoid output, binary
cross-entropy's output error has the same form
([`BinaryCrossEntropy.sigmoid_delta`][fyslearn.nn.losses.BinaryCrossEntropy.sigmoid_delta]).

For those two pairs the loss itself is best computed from the logits $z$, not
from the probabilities $a$: a probability that rounds to 0 (a confident wrong
answer, or a diverging network) has no finite logarithm, while
$-\ln S(z)_k = \mathrm{lse}(z) - z_k$ and $-\ln\sigma(z) = \mathrm{softplus}(-z)$
are exact for any finite $z$
([`CrossEntropy.from_logits`][fyslearn.nn.losses.CrossEntropy.from_logits],
[`BinaryCrossEntropy.from_logits`][fyslearn.nn.losses.BinaryCrossEntropy.from_logits]).

Every function takes outputs `A` of shape `(n, K)` for one network, or
`(M, n, K)` for a stack of $M$ networks (targets `Y` of shape `(n, K)`
broadcast over the stack, or `(M, n, K)`); the rows are always the
second-to-last axis, and a loss value is a float for one network and an
array of shape `(M,)` for a stack.
"""

from __future__ import annotations

import numpy as np

__all__ = ["LOSSES", "BinaryCrossEntropy", "CrossEntropy", "Loss", "MeanSquaredError"]

Value = float | np.ndarray  # a float for one network, shape (M,) for a stack


def _sum_per_model(values: np.ndarray) -> Value:
    """Sum over the rows and outputs: a float for `(n, K)`, shape `(M,)` for `(M, n, K)`."""
    if values.ndim == 2:
        return float(np.add.reduce(values, axis=None))
    return values.sum(axis=(-2, -1))


class Loss:
    """A loss: its value and its gradient with respect to the network output, side by side."""

    name: str = ""

    def __call__(self, Y: np.ndarray, A: np.ndarray) -> Value:
        """The mean loss over the rows of the batch (one value per network)."""
        raise NotImplementedError

    def output_gradient(self, Y: np.ndarray, A: np.ndarray) -> np.ndarray:
        r"""$\partial C/\partial a$, same shape as `A`."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class MeanSquaredError(Loss):
    r"""$C = \frac1n\sum_i\sum_k (y_{ik} - a_{ik})^2$, $\partial C/\partial a_{ik} = \frac2n (a_{ik} - y_{ik})$ (D6)."""  # noqa: E501

    name = "mse"

    def __call__(self, Y: np.ndarray, A: np.ndarray) -> Value:
        return _sum_per_model((A - Y) ** 2) / A.shape[-2]  # C = (1/n) Σ (a − y)²

    def output_gradient(self, Y: np.ndarray, A: np.ndarray) -> np.ndarray:
        return (A - Y) * (2.0 / A.shape[-2])  # ∂C/∂a = (2/n)(a − y)  (D6)


class CrossEntropy(Loss):
    r"""$C = -\frac1n\sum_i\sum_k y_{ik}\ln a_{ik}$, with $\ln 0$ replaced by $\ln(\text{tiny})$.

    Probabilities are clipped below at the smallest positive normal number of
    their dtype, so a probability of exactly 0 gives a large but finite loss.
    """

    name = "cross_entropy"

    def __call__(self, Y: np.ndarray, A: np.ndarray) -> Value:
        log_probabilities = np.log(np.maximum(A, _tiny(A)))
        return -_sum_per_model(Y * log_probabilities) / A.shape[-2]

    def output_gradient(self, Y: np.ndarray, A: np.ndarray) -> np.ndarray:
        r"""$\partial C/\partial a_{ik} = -y_{ik} / (n\,a_{ik})$."""
        return -Y / (np.maximum(A, _tiny(A)) * A.shape[-2])

    @staticmethod
    def from_logits(Y: np.ndarray, Z: np.ndarray) -> Value:
        r"""The cross-entropy of the softmax of the logits `Z`, exact from the logits.

        With $\mathrm{lse}(z) = \ln\sum_k e^{z_k}$, $\ln S(z)_k = z_k - \mathrm{lse}(z)$, so

        $$
        C = \frac1n \sum_i \sum_k y_{ik}\,\big(\mathrm{lse}(z_i) - z_{ik}\big),
        $$

        with $\mathrm{lse}(z) = z_{\max} + \ln\sum_k e^{z_k - z_{\max}}$,
        $z_{\max} = \max_k z_k$: every exponential is at most 1, and the sum at
        least 1. The same number as
        [`CrossEntropy`][fyslearn.nn.losses.CrossEntropy] of $a = S(z)$ wherever no
        probability rounds to 0; where one does, the exact (large) loss, not a clipped one.
        Exact as long as the differences $z_{\max} - z_k$ are finite numbers
        (in float64, logits of magnitude below about $9 \cdot 10^{307}$).

        Args:
            Y: Targets, shape `(n, K)` or `(M, n, K)`.
            Z: Logits $z^L$ of a softmax output, shape `(n, K)` or `(M, n, K)`.

        Returns:
            The mean loss: a float, or shape `(M,)` for a stack.
        """
        shift = Z.max(axis=-1, keepdims=True)
        log_sum = np.log(np.exp(Z - shift).sum(axis=-1, keepdims=True)) + shift  # lse(z)
        return _sum_per_model(Y * (log_sum - Z)) / Z.shape[-2]

    @staticmethod
    def softmax_delta(Y: np.ndarray, A: np.ndarray) -> np.ndarray:
        r"""Output error of softmax + cross-entropy, $\delta = (a - y)/n$ (D7), shape of `A`."""
        return (A - Y) / A.shape[-2]


class BinaryCrossEntropy(Loss):
    r"""$C = -\frac1n\sum_i\sum_k \big[y_{ik}\ln a_{ik} + (1 - y_{ik})\ln(1 - a_{ik})\big]$.

    The loss of two-class outputs $a = P(y = 1)$ (one sigmoid unit per
    output). Probabilities are clipped to $[\text{tiny}, 1 - \epsilon/2]$ of
    their dtype, so $a$ of exactly 0 or 1 gives a large but finite loss.
    """

    name = "binary_cross_entropy"

    def __call__(self, Y: np.ndarray, A: np.ndarray) -> Value:
        p = _clip_probability(A)
        log_likelihood = Y * np.log(p) + (1.0 - Y) * np.log1p(-p)
        return -_sum_per_model(log_likelihood) / A.shape[-2]

    def output_gradient(self, Y: np.ndarray, A: np.ndarray) -> np.ndarray:
        r"""$\partial C/\partial a_{ik} = \frac1n\,\frac{a_{ik} - y_{ik}}{a_{ik}(1 - a_{ik})}$."""
        p = _clip_probability(A)
        return (p - Y) / (p * (1.0 - p) * A.shape[-2])

    @staticmethod
    def from_logits(Y: np.ndarray, Z: np.ndarray) -> Value:
        r"""The binary cross-entropy of $a = \sigma(z)$ from the logits `Z`, exact for finite $z$.

        $-\ln\sigma(z) = \mathrm{softplus}(-z)$ and $-\ln(1 - \sigma(z)) = \mathrm{softplus}(z)$,
        with $\mathrm{softplus}(z) = \ln(1 + e^z)$, and
        $\mathrm{softplus}(z) - \mathrm{softplus}(-z) = z$, so

        $$
        C = \frac1n \sum_i \sum_k \big(\mathrm{softplus}(z_{ik}) - y_{ik} z_{ik}\big),
        $$

        where `np.logaddexp(0, z)` evaluates the softplus without overflow. The same
        number as [`BinaryCrossEntropy`][fyslearn.nn.losses.BinaryCrossEntropy] of
        $\sigma(z)$ while $\sigma(z)$ stays away from 0 and 1; beyond, the exact loss.

        Args:
            Y: Targets in $[0, 1]$, shape `(n, K)` or `(M, n, K)`.
            Z: Logits $z^L$ of a sigmoid output, same shape.

        Returns:
            The mean loss: a float, or shape `(M,)` for a stack.
        """
        return _sum_per_model(np.logaddexp(0.0, Z) - Y * Z) / Z.shape[-2]

    @staticmethod
    def sigmoid_delta(Y: np.ndarray, A: np.ndarray) -> np.ndarray:
        r"""Output error of a sigmoid output with binary cross-entropy, $\delta = (a - y)/n$.

        Derived in [`sigmoid_binary_cross_entropy_delta`][fyslearn.derivations.sigmoid_binary_cross_entropy_delta];
        the same form as softmax with cross-entropy (D7). Shape of `A`.
        """  # noqa: E501
        return CrossEntropy.softmax_delta(Y, A)


def _clip_probability(A: np.ndarray) -> np.ndarray:
    """`A` clipped to [tiny, 1 − eps/2] of its float type, so both logarithms stay finite."""
    info = np.finfo(A.dtype if A.dtype.kind == "f" else float)
    return np.clip(A, info.tiny, 1.0 - info.epsneg)


def _tiny(A: np.ndarray) -> float:
    """The smallest positive normal number of `A`'s float type (float64 for other types)."""
    return np.finfo(A.dtype if A.dtype.kind == "f" else float).tiny


LOSSES: dict[str, Loss] = {
    loss.name: loss for loss in (MeanSquaredError(), CrossEntropy(), BinaryCrossEntropy())
}
"""The losses by name: what `loss=` accepts."""

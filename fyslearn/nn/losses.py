r"""Loss functions of the network and their gradients with respect to the output.

Both losses average over the :math:`n` samples of a batch and sum over the
:math:`K` outputs (the conventions of the report and of these docs):

.. math::

    C_{\mathrm{MSE}} = \frac1n \sum_i \sum_k (y_{ik} - a_{ik})^2, \qquad
    C_{\mathrm{CE}} = -\frac1n \sum_i \sum_k y_{ik} \ln a_{ik}.

``output_gradient`` is :math:`\partial C/\partial a` (D6 for MSE). With a softmax
output, cross-entropy's output error simplifies to :math:`\delta = (a - y)/n`
(D7), which :meth:`CrossEntropy.softmax_delta` returns without ever dividing
by a probability.
"""

from __future__ import annotations

import numpy as np

__all__ = ["LOSSES", "CrossEntropy", "Loss", "MeanSquaredError"]


class Loss:
    """A loss: its value and its gradient with respect to the network output."""

    name: str = ""

    def __call__(self, Y: np.ndarray, A: np.ndarray) -> float:
        raise NotImplementedError

    def output_gradient(
        self, Y: np.ndarray, A: np.ndarray, out: np.ndarray | None = None
    ) -> np.ndarray:
        raise NotImplementedError

    def value_and_output_gradient(
        self, Y: np.ndarray, A: np.ndarray, out: np.ndarray | None = None
    ) -> tuple[float, np.ndarray]:
        r"""The loss and :math:`\partial C/\partial a` together (a loss may share work)."""
        return self(Y, A), self.output_gradient(Y, A, out=out)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class MeanSquaredError(Loss):
    r""":math:`C = \frac1n\sum_i\sum_k (y_{ik} - a_{ik})^2`, :math:`\partial C/\partial a_{ik} = -\frac2n (y_{ik} - a_{ik})` (D6)."""  # noqa: E501

    name = "mse"

    def __call__(self, Y: np.ndarray, A: np.ndarray) -> float:
        residual = (A - Y).ravel()
        return float(residual @ residual) / len(Y)

    def output_gradient(
        self, Y: np.ndarray, A: np.ndarray, out: np.ndarray | None = None
    ) -> np.ndarray:
        out = np.subtract(A, Y, out=out)
        out *= 2.0 / len(Y)
        return out

    def value_and_output_gradient(
        self, Y: np.ndarray, A: np.ndarray, out: np.ndarray | None = None
    ) -> tuple[float, np.ndarray]:
        residual = np.subtract(A, Y, out=out)  # a − y, once for both
        value = float(np.vdot(residual, residual)) / len(Y)  # C = (1/n) Σ (a − y)²
        residual *= 2.0 / len(Y)  # ∂C/∂a = (2/n)(a − y)  (D6)
        return value, residual


class CrossEntropy(Loss):
    r""":math:`C = -\frac1n\sum_i\sum_k y_{ik}\ln a_{ik}`, with :math:`\ln 0` replaced by :math:`\ln(\text{tiny})`.

    Probabilities are clipped below at the smallest positive normal number of
    their dtype, so a probability of exactly 0 gives a large but finite loss.
    """  # noqa: E501

    name = "cross_entropy"

    def __call__(self, Y: np.ndarray, A: np.ndarray) -> float:
        tiny = np.finfo(A.dtype if A.dtype.kind == "f" else float).tiny
        return float(-np.sum(Y * np.log(np.maximum(A, tiny)))) / len(Y)

    def output_gradient(
        self, Y: np.ndarray, A: np.ndarray, out: np.ndarray | None = None
    ) -> np.ndarray:
        tiny = np.finfo(A.dtype if A.dtype.kind == "f" else float).tiny
        return np.divide(-Y, np.maximum(A, tiny) * len(Y), out=out)

    @staticmethod
    def softmax_delta(Y: np.ndarray, A: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        r"""Output error of softmax + cross-entropy, :math:`\delta = (a - y)/n` (D7)."""
        out = np.subtract(A, Y, out=out)
        out *= 1.0 / len(Y)
        return out


LOSSES: dict[str, Loss] = {loss.name: loss for loss in (MeanSquaredError(), CrossEntropy())}

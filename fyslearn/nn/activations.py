r"""Activation functions, each with its derivative beside it (the report's Table 1, D8).

Every activation is a small object with ``__call__(z)`` for the value and
``derivative(z)`` for :math:`\sigma'(z)`, both element-wise (softmax aside),
both accepting ``out=`` so the training loop can reuse its buffers. During
backpropagation the network calls ``backward(z, a, grad)``, which turns
:math:`\partial C/\partial a` into :math:`\partial C/\partial z` in place:
``grad * derivative(z)`` for element-wise activations (D3, D4), and the
Jacobian-vector product for softmax, whose outputs are coupled.

The derivative at the kink of ReLU and leaky ReLU (:math:`z = 0`) is not
defined; fyslearn uses the left derivative (0 for ReLU, α for leaky ReLU), as
scikit-learn and PyTorch do.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "LeakyReLU",
    "Linear",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "Tanh",
]


class Activation:
    """An element-wise activation: value, derivative and the backward step."""

    name: str = ""

    def __call__(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        raise NotImplementedError

    def derivative(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        raise NotImplementedError

    def backward(self, z: np.ndarray, a: np.ndarray, grad: np.ndarray) -> np.ndarray:
        r"""Turn :math:`\partial C/\partial a` into :math:`\partial C/\partial z` in place.

        For an element-wise activation :math:`\partial C/\partial z = \partial C/\partial a
        \odot \sigma'(z)` (D3, D4).
        """
        grad *= self.derivative(z)
        return grad

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Sigmoid(Activation):
    r""":math:`\sigma(z) = 1/(1 + e^{-z})`, :math:`\sigma'(z) = \sigma(z)(1 - \sigma(z))`.

    Evaluated by :func:`scipy.special.expit` (as scikit-learn's MLP does), one
    compiled loop that returns a value in :math:`[0, 1]` for any finite input
    without overflow warnings: for :math:`z \to -\infty`, :math:`1/(1 + e^{-z})`
    tends to 0 as it should. In numpy alone the stable form is
    :math:`1/(1+e^{-|z|})` for :math:`z \ge 0` and :math:`e^{-|z|}/(1+e^{-|z|})`
    for :math:`z < 0`, in which the exponential never overflows; it takes
    seven numpy calls, which on a mini-batch cost twice as long as ``expit``.
    """

    name = "sigmoid"

    def __call__(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        return expit(z, out=out)

    def derivative(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        s = self(z)
        return np.multiply(s, 1.0 - s, out=out)

    def backward(self, z: np.ndarray, a: np.ndarray, grad: np.ndarray) -> np.ndarray:
        grad *= a * (1.0 - a)  # σ' = σ(1 − σ), from the stored activation
        return grad


class ReLU(Activation):
    r""":math:`R(z) = \max(0, z)`, :math:`R'(z) = 1` for :math:`z > 0`, else 0."""

    name = "relu"

    def __call__(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        return np.maximum(z, 0.0, out=out)

    def derivative(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        z = np.asarray(z)
        return np.greater(z, 0.0, out=out if out is not None else np.empty(z.shape, z.dtype))

    def backward(self, z: np.ndarray, a: np.ndarray, grad: np.ndarray) -> np.ndarray:
        return np.multiply(grad, z > 0.0, out=grad)


class LeakyReLU(Activation):
    r"""Leaky ReLU, :math:`\max(z, \alpha z)`: slope 1 for :math:`z > 0`, else :math:`\alpha`."""

    name = "leaky_relu"

    def __init__(self, alpha: float = 0.01) -> None:
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(f"alpha of LeakyReLU must be in [0, 1], got {alpha!r}.")
        self.alpha = alpha

    def __call__(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        z = np.asarray(z)
        return np.maximum(z, self.alpha * z, out=out)  # max(z, αz) for 0 ≤ α ≤ 1

    def derivative(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        z = np.asarray(z)
        slope = np.where(z > 0.0, 1.0, self.alpha).astype(z.dtype, copy=False)
        if out is None:
            return slope
        np.copyto(out, slope)
        return out

    def backward(self, z: np.ndarray, a: np.ndarray, grad: np.ndarray) -> np.ndarray:
        return np.multiply(grad, np.where(z > 0.0, 1.0, self.alpha), out=grad)

    def __repr__(self) -> str:
        return f"LeakyReLU(alpha={self.alpha})"


class Linear(Activation):
    r"""The identity :math:`I(z) = z`, :math:`I'(z) = 1` (regression outputs)."""

    name = "linear"

    def __call__(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        z = np.asarray(z)
        if out is None:
            return z.copy()
        if out is not z:
            out[...] = z
        return out

    def derivative(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        z = np.asarray(z)
        if out is None:
            return np.ones_like(z)
        out.fill(1.0)
        return out

    def backward(self, z: np.ndarray, a: np.ndarray, grad: np.ndarray) -> np.ndarray:
        return grad  # multiplying by 1 changes nothing


class Tanh(Activation):
    r""":math:`\tanh z`, :math:`\tanh'(z) = 1 - \tanh^2 z`."""

    name = "tanh"

    def __call__(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        return np.tanh(z, out=out)

    def derivative(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        t = np.tanh(z)
        return np.subtract(1.0, t * t, out=out)

    def backward(self, z: np.ndarray, a: np.ndarray, grad: np.ndarray) -> np.ndarray:
        grad *= 1.0 - a * a  # tanh' = 1 − tanh², from the stored activation
        return grad


class Softmax(Activation):
    r"""Softmax over the last axis, :math:`S(z)_i = e^{z_i} / \sum_j e^{z_j}`.

    Computed as :math:`e^{z_i - \max_j z_j} / \sum_j e^{z_j - \max_j z_j}`,
    which is the same number but never overflows. Its outputs are coupled, so
    the derivative is a Jacobian, :math:`\partial S_k/\partial z_i = S_k(\delta_{ik} - S_i)`,
    returned with shape ``(..., K, K)``. Training with cross-entropy never
    forms it: the output error is simply :math:`a - y` (D7).
    """

    name = "softmax"

    def __call__(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        z = np.asarray(z)
        out = np.subtract(z, z.max(axis=-1, keepdims=True), out=out)  # shift by the row maximum
        np.exp(out, out=out)
        out /= out.sum(axis=-1, keepdims=True)
        return out

    def derivative(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        s = self(z)
        jacobian = s[..., :, None] * (np.eye(s.shape[-1], dtype=s.dtype) - s[..., None, :])
        if out is None:
            return jacobian
        out[...] = jacobian
        return out

    def backward(self, z: np.ndarray, a: np.ndarray, grad: np.ndarray) -> np.ndarray:
        r"""Jacobian-vector product :math:`\delta_i = a_i (g_i - \sum_k g_k a_k)`, in place."""
        grad -= np.sum(grad * a, axis=-1, keepdims=True)
        grad *= a
        return grad


ACTIVATIONS: dict[str, Activation] = {
    activation.name: activation
    for activation in (Sigmoid(), ReLU(), LeakyReLU(0.01), Linear(), Tanh(), Softmax())
}

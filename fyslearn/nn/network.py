r"""The feed-forward network: forward pass and backpropagation (D3–D5).

Batches are rows, so layer :math:`l` computes, for all samples at once,

.. math::

    z^l = a^{l-1} W^l + b^l, \qquad a^l = \sigma_l(z^l), \qquad a^0 = X,

with kernels :math:`W^l` of shape ``(n_in, n_out)`` as scikit-learn stores
them. Backpropagation runs the chain rule from the output back:

.. math::

    \delta^L &= \frac{\partial C}{\partial a^L} \odot \sigma_L'(z^L)
        \quad\text{(D3; softmax + cross-entropy: } \delta^L = (a^L - y)/n\text{, D7)}\\
    \delta^{l} &= \big(\delta^{l+1} (W^{l+1})^T\big) \odot \sigma_l'(z^l) \quad\text{(D4)}\\
    \frac{\partial C}{\partial W^l} &= (a^{l-1})^T \delta^l, \qquad
    \frac{\partial C}{\partial b^l} = \sum_{\text{rows}} \delta^l \quad\text{(D5)}

where :math:`\delta^l = \partial C/\partial z^l` (the report's :math:`\gamma^l`)
already carries the :math:`1/n` of the mean over the batch. The report writes
the same equations with column vectors, :math:`z^l = W a^{l-1} + b`; ours is
its transpose.

Every array operation accepts an ``out=`` buffer, so the training loop of
:mod:`fyslearn.nn.training` runs these same functions without allocating.
The products use ``np.dot``, which for 2-D arrays is the same product as
``np.matmul`` (``@``) with a shorter path to BLAS: on a 10-row mini-batch that
path is most of the cost of a product.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from .._validation import as_generator, check_non_negative_float, check_option
from .activations import ACTIVATIONS, Activation, Softmax
from .initializers import INITIALIZERS
from .losses import LOSSES, CrossEntropy

__all__ = ["FeedForwardNetwork"]

Buffers = Sequence[np.ndarray | None]


def _per_layer(value: str | Sequence[str], n_layers: int, name: str) -> list[str]:
    """One name per weight layer: a single string is repeated."""
    names = [value] * n_layers if isinstance(value, str) else list(value)
    if len(names) != n_layers:
        raise ValueError(f"{name} needs one entry per weight layer ({n_layers}), got {len(names)}.")
    return names


def _check_layer_sizes(layer_sizes: Sequence[int]) -> list[int]:
    sizes = list(layer_sizes)
    if len(sizes) < 2:
        raise ValueError(f"layer_sizes needs at least [n_in, n_out], got {sizes}.")
    for size in sizes:
        if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1:
            raise ValueError(f"layer_sizes must be integers >= 1, got {sizes}.")
    return [int(size) for size in sizes]


def _activation(name: str | Activation) -> Activation:
    if isinstance(name, Activation):
        return name
    return ACTIVATIONS[check_option(name, "activation", ACTIVATIONS)]


class FeedForwardNetwork:
    r"""A fully connected network trained by backpropagation.

    Args:
        layer_sizes: ``[n_in, h_1, ..., n_out]``.
        activations: One activation name per weight layer (or one name for all),
            from :data:`~fyslearn.nn.activations.ACTIVATIONS`.
        loss: ``"mse"`` or ``"cross_entropy"``.
        alpha: L2 penalty :math:`\alpha`; the loss gets :math:`\alpha\sum_l\lVert W^l\rVert^2`.
        kernel_init: Initialiser name for the kernels (one for all layers, or one per layer).
        bias_init: Initialiser name for the biases (one for all, or one per layer).
        random_state: Seed or generator for the initial weights.
        penalize_biases: Also add :math:`\alpha\sum_l\lVert b^l\rVert^2`.
        dtype: Floating-point type of the weights and of every computation.

    Attributes:
        coefs_: Kernels :math:`W^l`, shapes ``(n_in, n_out)``; may be replaced by the user.
        intercepts_: Biases :math:`b^l`, shapes ``(n_out,)``; may be replaced by the user.

    The weights are drawn layer by layer, kernel then bias, from one generator.
    """

    def __init__(
        self,
        layer_sizes: Sequence[int],
        activations: str | Sequence[str],
        loss: str = "mse",
        alpha: float = 0.0,
        kernel_init: str | Sequence[str] = "glorot_uniform",
        bias_init: str | Sequence[str] = "zeros",
        random_state: int | np.random.Generator | None = None,
        penalize_biases: bool = False,
        dtype: DTypeLike = np.float64,
    ) -> None:
        self.layer_sizes = _check_layer_sizes(layer_sizes)
        n_layers = len(self.layer_sizes) - 1
        self.activations = [
            _activation(a) for a in _per_layer(activations, n_layers, "activations")
        ]
        self.loss = LOSSES[check_option(loss, "loss", LOSSES)]
        self.alpha = check_non_negative_float(alpha, "alpha")
        self.penalize_biases = bool(penalize_biases)
        self.dtype = np.dtype(dtype)
        if self.dtype.kind != "f":
            raise ValueError(f"dtype must be a floating-point type, got {self.dtype}.")
        kernel_inits = _per_layer(kernel_init, n_layers, "kernel_init")
        bias_inits = _per_layer(bias_init, n_layers, "bias_init")
        for name in (*kernel_inits, *bias_inits):
            check_option(name, "initializer", INITIALIZERS)
        rng = as_generator(random_state)
        self.coefs_: list[np.ndarray] = []
        self.intercepts_: list[np.ndarray] = []
        for n_in, n_out, w_init, b_init in zip(
            self.layer_sizes[:-1], self.layer_sizes[1:], kernel_inits, bias_inits, strict=True
        ):
            self.coefs_.append(INITIALIZERS[w_init](rng, (n_in, n_out)).astype(self.dtype))
            self.intercepts_.append(INITIALIZERS[b_init](rng, (n_out,)).astype(self.dtype))

    @property
    def n_layers(self) -> int:
        """Number of weight layers (hidden layers + 1)."""
        return len(self.layer_sizes) - 1

    @property
    def fused_output(self) -> bool:
        """Softmax output with cross-entropy: the output error is simply (a − y)/n (D7)."""
        return isinstance(self.activations[-1], Softmax) and isinstance(self.loss, CrossEntropy)

    # -- forward pass ---------------------------------------------------------------

    def forward(
        self, X: np.ndarray, z_out: Buffers | None = None, a_out: Buffers | None = None
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        r"""Return the lists :math:`[z^1..z^L]` and :math:`[a^0 = X, a^1..a^L]`."""
        z_out = z_out or [None] * self.n_layers
        a_out = a_out or [None] * self.n_layers
        zs, activations = [], [X]
        for W, b, sigma, z_buffer, a_buffer in zip(
            self.coefs_, self.intercepts_, self.activations, z_out, a_out, strict=True
        ):
            z = np.dot(activations[-1], W, out=z_buffer)  # z^l = a^{l-1} W^l + b^l
            z += b
            zs.append(z)
            activations.append(sigma(z, out=a_buffer))  # a^l = σ(z^l)
        return zs, activations

    def predict(self, X: ArrayLike) -> np.ndarray:
        """The network output :math:`a^L` for the rows of ``X``."""
        X = np.asarray(X, dtype=self.dtype)
        return self.forward(X)[1][-1]

    # -- backpropagation ------------------------------------------------------------

    def output_error(
        self, Y: np.ndarray, z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None
    ) -> np.ndarray:
        r""":math:`\delta^L = \partial C/\partial z^L` for the mean loss over the batch (D3, D7)."""
        return self.loss_and_output_error(Y, z, a, out)[1]

    def loss_and_output_error(
        self, Y: np.ndarray, z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None
    ) -> tuple[float, np.ndarray]:
        r"""The data loss :math:`C` of the batch and :math:`\delta^L`, sharing the work (D3, D7).

        For MSE both come from the residual :math:`a - y`, computed once.
        """
        if self.fused_output:
            # δ = (a − y)/n  (D7)
            return self.loss(Y, a), CrossEntropy.softmax_delta(Y, a, out=out)
        loss, grad = self.loss.value_and_output_gradient(Y, a, out=out)  # ∂C/∂a^L (D6, MSE)
        return loss, self.activations[-1].backward(z, a, grad)  # δ^L = ∂C/∂a ⊙ σ'(z^L)  (D3)

    def backward(
        self,
        zs: Sequence[np.ndarray],
        activations: Sequence[np.ndarray],
        delta: np.ndarray,
        delta_out: Buffers | None = None,
        coef_grads: Buffers | None = None,
        intercept_grads: Buffers | None = None,
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        r"""Propagate the output error :math:`\delta^L` back; return the gradients (D4, D5).

        The L2 term adds :math:`2\alpha W^l` to each kernel gradient.
        """
        n = len(self.coefs_)
        delta_out = delta_out or [None] * n
        coef_grads = list(coef_grads or [None] * n)
        intercept_grads = list(intercept_grads or [None] * n)
        for layer in reversed(range(n)):  # l = L, ..., 1
            W, a_prev = self.coefs_[layer], activations[layer]
            # D5: ∂C/∂W^l = (a^{l-1})ᵀ δ^l and ∂C/∂b^l = Σ_rows δ^l
            coef_grads[layer] = np.dot(a_prev.T, delta, out=coef_grads[layer])
            intercept_grads[layer] = np.add.reduce(delta, axis=0, out=intercept_grads[layer])
            if self.alpha:
                coef_grads[layer] += (2.0 * self.alpha) * W
                if self.penalize_biases:
                    intercept_grads[layer] += (2.0 * self.alpha) * self.intercepts_[layer]
            if layer > 0:
                # D4: δ^{l-1} = (δ^l (W^l)ᵀ) ⊙ σ'(z^{l-1})
                delta = np.dot(delta, W.T, out=delta_out[layer - 1])
                self.activations[layer - 1].backward(zs[layer - 1], activations[layer], delta)
        return coef_grads, intercept_grads

    # -- loss -------------------------------------------------------------------------

    def penalty(self) -> float:
        r"""The L2 term :math:`\alpha\sum_l \lVert W^l\rVert^2` (plus biases if asked)."""
        if not self.alpha:
            return 0.0
        arrays = self.coefs_ + (self.intercepts_ if self.penalize_biases else [])
        return self.alpha * float(sum(np.vdot(w, w) for w in arrays))

    def loss_value(self, X: ArrayLike, Y: ArrayLike) -> float:
        """The cost :math:`C` (data loss + L2 term) of the current weights."""
        X, Y = self._check_xy(X, Y)
        return self.loss(Y, self.forward(X)[1][-1]) + self.penalty()

    def loss_and_gradients(
        self, X: ArrayLike, Y: ArrayLike
    ) -> tuple[float, list[np.ndarray], list[np.ndarray]]:
        r"""Return the cost :math:`C` and its gradients by kernel and by bias.

        Args:
            X: Inputs, shape ``(n, n_in)``.
            Y: Targets, shape ``(n, n_out)`` (one-hot rows for cross-entropy).
        """
        X, Y = self._check_xy(X, Y)
        zs, activations = self.forward(X)
        data_loss, delta = self.loss_and_output_error(Y, zs[-1], activations[-1])
        coef_grads, intercept_grads = self.backward(zs, activations, delta)
        return data_loss + self.penalty(), coef_grads, intercept_grads

    def _check_xy(self, X: ArrayLike, Y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        X = np.asarray(X, dtype=self.dtype)
        Y = np.asarray(Y, dtype=self.dtype)
        n_in, n_out = self.layer_sizes[0], self.layer_sizes[-1]
        if X.ndim != 2 or X.shape[1] != n_in:
            raise ValueError(f"X must have shape (n_samples, {n_in}), got {X.shape}.")
        if Y.shape != (X.shape[0], n_out):
            raise ValueError(f"Y must have shape ({X.shape[0]}, {n_out}), got {Y.shape}.")
        return X, Y

    def __repr__(self) -> str:
        names = ", ".join(repr(a) for a in self.activations)
        return f"FeedForwardNetwork({self.layer_sizes}, [{names}], loss={self.loss.name!r})"

r"""The feed-forward network: forward pass and backpropagation (D3–D5), for one network or many.

Batches are rows, so layer $l$ computes, for all samples at once,

$$
z^l = a^{l-1} W^l + b^l, \qquad a^l = \sigma_l(z^l), \qquad a^0 = X,
$$

with kernels $W^l$ of shape `(n_in, n_out)` as scikit-learn stores them.
Backpropagation runs the chain rule from the output back:

$$
\begin{aligned}
\delta^L &= \frac{\partial C}{\partial a^L} \odot \sigma_L'(z^L)
    \quad\text{(D3; softmax + cross-entropy: } \delta^L = (a^L - y)/n\text{, D7)}\\
\delta^{l} &= \big(\delta^{l+1} (W^{l+1})^T\big) \odot \sigma_l'(z^l) \quad\text{(D4)}\\
\frac{\partial C}{\partial W^l} &= (a^{l-1})^T \delta^l, \qquad
\frac{\partial C}{\partial b^l} = \sum_{\text{rows}} \delta^l \quad\text{(D5)}
\end{aligned}
$$

where $\delta^l = \partial C/\partial z^l$ (the report's $\gamma^l$) already
carries the $1/n$ of the mean over the batch. The report writes the same
equations with column vectors, $z^l = W a^{l-1} + b$; ours is its transpose.

**One network or a stack of $M$.** The same lines train $M$ networks of one
shape at once (a grid over learning rates and penalties, or several seeds):
[`FeedForwardNetwork.stack`][fyslearn.nn.network.FeedForwardNetwork.stack]
gives every array a leading model axis, kernels `(M, n_in, n_out)` and
biases `(M, 1, n_out)`, and every equation above then holds for each network
$k$ separately, because `@` (`np.matmul`) pairs the $k$-th matrices of its two
arguments. Mini-batches are `(m, n_in)` for one network, `(M, m, n_in)` when
each network reads its own rows, or `(m, n_in)` shared by the whole stack,
which `@` broadcasts over the model axis. The transpose of the last two axes,
`swapaxes(-1, -2)`, is $a^T$ and $W^T$ for one network and for a stack alike.

Names: an *activation* is the function $\sigma_l$ of a layer (the objects of
[`fyslearn.nn.activations`][fyslearn.nn.activations], listed in the attribute
`activations`); the *layer outputs* $a^l = \sigma_l(z^l)$ are the list `a`
that [`forward`][fyslearn.nn.network.FeedForwardNetwork.forward] returns.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from .._validation import as_generator, check_non_negative_float, check_option
from ..penalties import PENALTIES, penalty_gradient, penalty_value
from .activations import ACTIVATIONS, Activation, Sigmoid, Softmax
from .initializers import INITIALIZERS
from .losses import LOSSES, BinaryCrossEntropy, CrossEntropy

__all__ = ["FeedForwardNetwork"]


def _per_layer(value: str | Sequence[str], n_layers: int, name: str) -> list[str]:
    """One name (or initializer) per weight layer: a single one is repeated."""
    single = isinstance(value, str) or callable(value)
    names = [value] * n_layers if single else list(value)
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


def _initializer(value: object) -> object:
    """An initializer: a name of `INITIALIZERS`, or a callable such as `Normal(scale)`."""
    if callable(value):
        return value
    return INITIALIZERS[check_option(value, "initializer", INITIALIZERS)]


def _signature(network: FeedForwardNetwork) -> tuple:
    """What networks must share to be stacked."""
    return (
        network.layer_sizes,
        [repr(sigma) for sigma in network.activations],
        network.loss.name,
        network.dtype,
        network.penalize_biases,
        network.penalty,
    )


class FeedForwardNetwork:
    r"""A fully connected network trained by backpropagation; or a stack of such networks.

    Reading the code: [`forward`][fyslearn.nn.network.FeedForwardNetwork.forward]
    is the forward pass, [`output_error`][fyslearn.nn.network.FeedForwardNetwork.output_error]
    D3, and [`backward`][fyslearn.nn.network.FeedForwardNetwork.backward] D4–D5,
    one line per equation, for one network and for a stack of them alike.

    Args:
        layer_sizes: `[n_in, h_1, ..., n_out]`.
        activations: One activation $\sigma_l$ per weight layer (or one for all): names
            from `fyslearn.nn.activations.ACTIVATIONS`, or
            [`Activation`][fyslearn.nn.activations.Activation] objects. Softmax, whose
            derivative is a Jacobian, only as the output activation.
        loss: `"mse"`, `"cross_entropy"` or `"binary_cross_entropy"`.
        alpha: Penalty strength $\alpha$; with L2 the loss gets $\alpha\sum_l\lVert W^l\rVert^2$.
        kernel_init: Initializer for the kernels, a name of `INITIALIZERS` or an initializer
            such as [`Normal(scale)`][fyslearn.nn.initializers.Normal] (one for all
            layers, or one per layer).
        bias_init: Initializer name for the biases (one for all, or one per layer).
        random_state: Seed or generator for the initial weights.
        penalize_biases: Also add the penalty of the biases.
        dtype: Floating-point type of the weights and of every computation.
        penalty: `"l2"` ($\alpha\sum_l\lVert W^l\rVert_2^2$, the report's) or `"l1"`
            ($\alpha\sum_l\lVert W^l\rVert_1$).

    Attributes:
        activations: The activation objects $\sigma_1, \dots, \sigma_L$, one per layer.
        loss: The [`Loss`][fyslearn.nn.losses.Loss] object (its `name` is the `loss` given).
        penalty: The penalty's kind, `"l2"` or `"l1"` (its value is
            [`penalty_value`][fyslearn.nn.network.FeedForwardNetwork.penalty_value]).
        coefs_: Kernels $W^l$, shapes `(n_in, n_out)` (`(M, n_in, n_out)` for a
            stack); may be replaced by the user.
        intercepts_: Biases $b^l$, shapes `(n_out,)` (`(M, 1, n_out)` for a
            stack); may be replaced by the user.
        n_models: `None` for one network, $M$ for a stack
            ([`stack`][fyslearn.nn.network.FeedForwardNetwork.stack]).

    The weights are drawn layer by layer, kernel then bias, from one generator.

    Examples:
        >>> from fyslearn.nn.network import FeedForwardNetwork
        >>> network = FeedForwardNetwork([2, 3, 1], ["relu", "linear"], random_state=0)
        >>> zs, a = network.forward(np.ones((4, 2)))
        >>> [layer.shape for layer in a]
        [(4, 2), (4, 3), (4, 1)]
        >>> network.predict(np.zeros((4, 2))).shape
        (4, 1)
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
        penalty: str = "l2",
    ) -> None:
        self.layer_sizes = _check_layer_sizes(layer_sizes)
        self.penalty = check_option(penalty, "penalty", PENALTIES)
        n_layers = len(self.layer_sizes) - 1
        self.activations = [
            _activation(name) for name in _per_layer(activations, n_layers, "activations")
        ]
        if any(isinstance(sigma, Softmax) for sigma in self.activations[:-1]):
            raise ValueError(
                "activations: softmax is an output activation only, got it in a hidden layer."
            )
        self.loss = LOSSES[check_option(loss, "loss", LOSSES)]
        self.alpha: float | np.ndarray = check_non_negative_float(alpha, "alpha")
        self.penalize_biases = bool(penalize_biases)
        self.dtype = np.dtype(dtype)
        if self.dtype.kind != "f":
            raise ValueError(f"dtype must be a floating-point type, got {self.dtype}.")
        self.n_models: int | None = None
        kernel_inits = _per_layer(kernel_init, n_layers, "kernel_init")
        bias_inits = _per_layer(bias_init, n_layers, "bias_init")
        kernel_inits = [_initializer(i) for i in kernel_inits]
        bias_inits = [_initializer(i) for i in bias_inits]
        rng = as_generator(random_state)
        self.coefs_: list[np.ndarray] = []
        self.intercepts_: list[np.ndarray] = []
        for n_in, n_out, w_init, b_init in zip(
            self.layer_sizes[:-1], self.layer_sizes[1:], kernel_inits, bias_inits, strict=True
        ):
            self.coefs_.append(w_init(rng, (n_in, n_out)).astype(self.dtype))
            self.intercepts_.append(b_init(rng, (n_out,)).astype(self.dtype))

    # -- one network or many ----------------------------------------------------------

    @classmethod
    def stack(cls, networks: Sequence[FeedForwardNetwork]) -> FeedForwardNetwork:
        r"""$M$ networks of one shape as one stack; each keeps its own weights and $\alpha$.

        The stack's kernels have shape `(M, n_in, n_out)` and its biases
        `(M, 1, n_out)` (the middle axis lets a bias broadcast over the rows of
        a mini-batch); `alpha` becomes an array of shape `(M, 1, 1)`. The
        networks are copied, not changed.

        Args:
            networks: Networks with the same layer sizes, activations, loss and dtype.

        Returns:
            A network whose [`n_models`][fyslearn.nn.network.FeedForwardNetwork]
            is `len(networks)`.
        """
        first = networks[0]
        for network in networks:
            if network.n_models is not None or _signature(network) != _signature(first):
                raise ValueError(
                    "stack needs single networks with the same layer sizes, activations, "
                    "loss, dtype, penalty and bias penalty."
                )
        stacked = object.__new__(cls)
        stacked.__dict__.update(first.__dict__)
        stacked.n_models = len(networks)
        stacked.alpha = np.array([n.alpha for n in networks], dtype=float).reshape(-1, 1, 1)
        layers = range(first.n_layers)
        stacked.coefs_ = [np.stack([n.coefs_[layer] for n in networks]) for layer in layers]
        stacked.intercepts_ = [
            np.stack([n.intercepts_[layer] for n in networks])[:, None, :] for layer in layers
        ]
        return stacked

    def unstack(self) -> list[FeedForwardNetwork]:
        """The networks of a stack, each on its own (copies of its weights)."""
        if self.n_models is None:
            raise ValueError("unstack needs a stack of networks (see FeedForwardNetwork.stack).")
        networks = []
        for k in range(self.n_models):
            network = object.__new__(type(self))
            network.__dict__.update(self.__dict__)
            network.n_models = None
            network.alpha = float(self.alpha[k, 0, 0])
            network.coefs_ = [W[k].copy() for W in self.coefs_]
            network.intercepts_ = [b[k, 0].copy() for b in self.intercepts_]
            networks.append(network)
        return networks

    @property
    def n_layers(self) -> int:
        """Number of weight layers (hidden layers + 1)."""
        return len(self.layer_sizes) - 1

    @property
    def fused_output(self) -> bool:
        r"""Softmax + cross-entropy, or sigmoid + binary cross-entropy: $\delta^L = (a - y)/n$."""
        output, loss = self.activations[-1], self.loss
        return (isinstance(output, Softmax) and isinstance(loss, CrossEntropy)) or (
            isinstance(output, Sigmoid) and isinstance(loss, BinaryCrossEntropy)
        )

    # -- forward pass ---------------------------------------------------------------

    def forward(self, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        r"""The weighted inputs $[z^1, \dots, z^L]$ and layer outputs $[a^0 = X, a^1, \dots, a^L]$.

        Args:
            X: Inputs, shape `(m, n_in)`; for a stack also `(M, m, n_in)`, one
                mini-batch per network.

        Returns:
            The lists `zs` of $z^l$ and `a` of $a^l$, shapes `(m, n_l)` (`(M, m, n_l)`
            for a stack).
        """
        zs, a = [], [X]
        for W, b, sigma in zip(self.coefs_, self.intercepts_, self.activations, strict=True):
            zs.append(a[-1] @ W + b)  # z^l = a^{l-1} W^l + b^l
            a.append(sigma(zs[-1]))  # a^l = σ_l(z^l)
        return zs, a

    def predict(self, X: ArrayLike) -> np.ndarray:
        r"""The network output $a^L$ for the rows of `X` (`(n, n_in)`): shape `(n, n_out)`.

        For a stack the result has shape `(M, n, n_out)`.

        Raises:
            ValueError: `X` is not a table whose rows have `n_in` numbers.
        """
        X = np.asarray(X, dtype=self.dtype)
        n_in, dimensions = self.layer_sizes[0], (2,) if self.n_models is None else (2, 3)
        if X.ndim not in dimensions or X.shape[-1] != n_in:
            raise ValueError(
                f"X must have {n_in} columns (the network's n_in), got shape {X.shape} "
                f"({X.shape[-1] if X.ndim else 0} columns)."
            )
        return self.forward(X)[1][-1]

    # -- backpropagation ------------------------------------------------------------

    def data_loss(self, Y: np.ndarray, z: np.ndarray, a: np.ndarray) -> float | np.ndarray:
        r"""The data loss $C$ of the outputs $a^L = \sigma_L(z^L)$, without the penalty.

        For softmax + cross-entropy and sigmoid + binary cross-entropy (the pairs of
        [`fused_output`][fyslearn.nn.network.FeedForwardNetwork.fused_output]) it is
        computed from the logits $z^L$
        ([`CrossEntropy.from_logits`][fyslearn.nn.losses.CrossEntropy.from_logits]),
        which stays exact where a probability rounds to 0; otherwise from $a^L$.

        Args:
            Y: Targets, shape `(m, n_out)` (or `(M, m, n_out)` for a stack).
            z: $z^L$, shape `(m, n_out)` (`(M, m, n_out)`).
            a: $a^L$, same shape.

        Returns:
            The mean loss over the rows: a float, or shape `(M,)` for a stack.
        """
        if self.fused_output:
            return self.loss.from_logits(Y, z)
        return self.loss(Y, a)

    def output_error(self, Y: np.ndarray, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        r"""$\delta^L = \partial C/\partial z^L$ for the mean loss over the batch (D3, D7).

        Args:
            Y: Targets, shape `(m, n_out)` (or `(M, m, n_out)` for a stack).
            z: $z^L$, same shape.
            a: $a^L$, same shape.

        Returns:
            $\delta^L$, shape of `a`.
        """
        if self.fused_output:
            return CrossEntropy.softmax_delta(Y, a)  # δ^L = (a − y)/n  (D7; also sigmoid + BCE)
        # δ^L = ∂C/∂a ⊙ σ'(z^L)  (D3, D6); for a softmax output, the Jacobian's product
        return self.activations[-1].backward(z, a, self.loss.output_gradient(Y, a))

    def backward(
        self, zs: Sequence[np.ndarray], a: Sequence[np.ndarray], delta: np.ndarray
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        r"""Propagate the output error $\delta^L$ back; return the data loss's gradients (D4, D5).

        Backpropagation differentiates the data loss only; the penalty's
        gradient is added by
        [`add_penalty_gradients`][fyslearn.nn.network.FeedForwardNetwork.add_penalty_gradients]
        (as in [`loss_and_gradients`][fyslearn.nn.network.FeedForwardNetwork.loss_and_gradients]).

        Args:
            zs: The $z^l$ of [`forward`][fyslearn.nn.network.FeedForwardNetwork.forward].
            a: The layer outputs $a^l$ of the same call, $a^0$ first.
            delta: $\delta^L$, shape `(m, n_out)` (`(M, m, n_out)` for a stack).

        Returns:
            The gradients of the data loss by kernel and by bias, shapes of
            `coefs_` and `intercepts_`.
        """
        coef_grads, intercept_grads = [None] * self.n_layers, [None] * self.n_layers
        for layer in reversed(range(self.n_layers)):  # l = L, ..., 1; a[layer] is a^{l-1}
            W, b = self.coefs_[layer], self.intercepts_[layer]
            coef_grads[layer] = a[layer].swapaxes(-1, -2) @ delta  # ∂C/∂W^l = (a^{l-1})ᵀ δ^l  (D5)
            intercept_grads[layer] = delta.sum(axis=-2).reshape(b.shape)  # ∂C/∂b^l = Σ δ^l  (D5)
            if layer > 0:  # δ^{l-1} = (δ^l (W^l)ᵀ) ⊙ σ'(z^{l-1})  (D4)
                sigma = self.activations[layer - 1]
                delta = (delta @ W.swapaxes(-1, -2)) * sigma.derivative(zs[layer - 1], a[layer])
        return coef_grads, intercept_grads

    def add_penalty_gradients(
        self, coef_grads: list[np.ndarray], intercept_grads: list[np.ndarray]
    ) -> None:
        r"""Add the penalty's gradient to the data loss's, in place (D2).

        $2\alpha W^l$ (L2) or $\alpha\,\mathrm{sign}(W^l)$ (L1) joins each kernel
        gradient ([`penalty_gradient`][fyslearn.penalties.penalty_gradient]), and
        each bias gradient when the biases are penalised too. For a stack
        $\alpha$ is an `(M, 1, 1)` array, each network's own.

        Args:
            coef_grads: Kernel gradients, shapes of `coefs_`.
            intercept_grads: Bias gradients, shapes of `intercepts_`.
        """
        if not self._penalized():
            return
        parameters = self.penalized_arrays(self.coefs_, self.intercepts_)
        grads = self.penalized_arrays(coef_grads, intercept_grads)
        for parameter, grad in zip(parameters, grads, strict=True):
            grad += penalty_gradient(parameter, self.alpha, self.penalty)

    def penalized_arrays(self, kernels: list, biases: list) -> list:
        """Of per-layer kernel and bias arrays, those the penalty applies to, in order.

        The kernels, and the biases when `penalize_biases`; for the network's own
        parameters, or for their gradients.
        """
        return kernels + (biases if self.penalize_biases else [])

    def _penalized(self) -> bool:
        r"""Whether any network has a penalty ($\alpha > 0$); cheap for a plain float."""
        if isinstance(self.alpha, np.ndarray):
            return bool(self.alpha.any())
        return self.alpha != 0.0

    # -- cost -------------------------------------------------------------------------

    def penalty_value(self) -> float | np.ndarray:
        r"""The penalty's value: $\alpha\sum_l \lVert W^l\rVert_2^2$ (L2) or
        $\alpha\sum_l \lVert W^l\rVert_1$ (L1), plus the biases' if asked.

        Returns:
            A float; for a stack, one value per network, shape `(M,)`.
        """
        if not self._penalized():
            return 0.0 if self.n_models is None else np.zeros(self.n_models)
        arrays = self.penalized_arrays(self.coefs_, self.intercepts_)
        stacked = self.n_models is not None
        norms = sum(penalty_value(W, self.penalty, stacked) for W in arrays)
        return self.alpha * norms if self.n_models is None else self.alpha.ravel() * norms

    def loss_value(self, X: ArrayLike, Y: ArrayLike) -> float:
        """The cost $C$ (data loss + penalty) of the current weights.

        Args:
            X: Inputs, shape `(n, n_in)`.
            Y: Targets, shape `(n, n_out)` (one-hot rows for cross-entropy).

        Returns:
            The cost, a float.
        """
        X, Y = self._check_xy(X, Y)
        zs, a = self.forward(X)
        return self.data_loss(Y, zs[-1], a[-1]) + self.penalty_value()

    def loss_and_gradients(
        self, X: ArrayLike, Y: ArrayLike
    ) -> tuple[float, list[np.ndarray], list[np.ndarray]]:
        r"""Return the cost $C$ and its gradients by kernel and by bias.

        Args:
            X: Inputs, shape `(n, n_in)`.
            Y: Targets, shape `(n, n_out)` (one-hot rows for cross-entropy).

        Returns:
            The cost, the kernel gradients (shapes of `coefs_`) and the bias
            gradients (shapes of `intercepts_`).
        """
        X, Y = self._check_xy(X, Y)
        zs, a = self.forward(X)
        delta = self.output_error(Y, zs[-1], a[-1])
        coef_grads, intercept_grads = self.backward(zs, a, delta)
        self.add_penalty_gradients(coef_grads, intercept_grads)
        cost = self.data_loss(Y, zs[-1], a[-1]) + self.penalty_value()
        return cost, coef_grads, intercept_grads

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
        names = ", ".join(repr(sigma) for sigma in self.activations)
        stack = "" if self.n_models is None else f", n_models={self.n_models}"
        return f"FeedForwardNetwork({self.layer_sizes}, [{names}], loss={self.loss.name!r}{stack})"

r"""Train many small networks of the same shape at once, as one stacked computation.

A grid search over learning rates and penalties, or the same network trained
with ten seeds, repeats one small computation many times. For a 2–128–1
network with batch 10 each SGD step is a handful of tiny matrix products, and
the time goes to Python and numpy's per-call overhead, not to arithmetic.
Stacking removes that overhead: the kernels of :math:`M` networks with the
same layer sizes are kept in one array of shape ``(M, n_in, n_out)``, the
biases in one of shape ``(M, 1, n_out)``, and every operation of a training
step acts on all :math:`M` networks in one numpy call. For layer :math:`l`
and network :math:`k`,

.. math::

    z^{l}_{k} = a^{l-1}_{k} W^{l}_{k} + b^{l}_{k}, \qquad a^{l}_{k} = \sigma(z^{l}_{k}),

is exactly what ``np.matmul`` computes on the stacks: a batched matrix
product pairs the :math:`k`-th matrices of its two arguments. The networks
never mix: each has its own data order (drawn from its own seed), learning
rate, momentum and L2 penalty, and the result is the same, to rounding, as
training each one alone with :class:`~fyslearn.nn.MLPRegressor`.

The per-network settings become arrays of shape ``(M, 1, 1)``, which
broadcast against the stacked parameters; the SGD update of
:mod:`fyslearn.optim` is reused unchanged. The per-epoch shuffling becomes a
table ``order`` of shape ``(n_samples, M)``: column :math:`k` is network
:math:`k`'s permutation, so the rows ``order[start:start + batch_size]``
pick one mini-batch for every network at once, and ``X[rows.T]`` has shape
``(M, batch_size, n_features)``.

With ``shared_order=True`` all networks see the data in the same order, so
their first layer reads the *same* mini-batch, and the first-layer product
of all :math:`M` networks is one matrix product with the kernels laid side by
side, :math:`a^0 \,[W^1_1 \; W^1_2 \cdots W^1_M]`. :func:`fit_many` shares
the order exactly when one-by-one training would draw the same orders (the
generators are in the same state after the initial weights: a grid over
learning rates and penalties with one seed), so the results do not change.

Linear models stack the same way, more simply still: the coefficients of
:math:`M` :class:`~fyslearn.linear_model.SGDRegressor` models are the columns
of one matrix :math:`B = [\beta_1 \cdots \beta_M]`, and the mini-batch
gradient of all of them is two matrix products,
:math:`\frac2m X_B^T (X_B B - y_B \mathbf 1^T)` (D1), instead of
:math:`2M` matrix-vector products.

Divergence is per network: a network whose training loss becomes NaN or
infinite is stopped there and left unfitted (or, with
``on_divergence="restore"``, set back to its best epoch with a warning), as
:meth:`MLPRegressor.fit` would do, while the others carry on.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..linear_model import SGDRegressor
from ..optim import SCHEDULES, SGD, DivergenceError, DivergenceWarning, run_epochs

__all__ = ["StackedNetworks", "fit_many", "train_stacked"]

_CACHE_ELEMENTS = 2**18  # numbers per activation array while predicting (2 MiB in float64)

#: ``(value, derivative)`` of an activation, both element-wise in z (or an
#: :class:`~fyslearn.nn.activations.Activation`, which has ``out=`` and ``backward``).
ActivationPair = tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]


class _Elementwise:
    """An activation given as ``(value, derivative)`` functions, with the Activation interface."""

    def __init__(self, value: Callable, derivative: Callable) -> None:
        self.value, self.derivative = value, derivative

    def __call__(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        if out is None:
            return self.value(z)
        out[...] = self.value(z)
        return out

    def backward(self, z: np.ndarray, a: np.ndarray, grad: np.ndarray) -> np.ndarray:
        grad *= self.derivative(z)
        return grad


def _as_activation(activation: Any) -> Any:
    if isinstance(activation, tuple):
        return _Elementwise(*activation)
    return activation


class StackedNetworks:
    r"""The parameters of :math:`M` networks with the same layer sizes, stacked.

    All parameters live in one flat array, :attr:`theta`: the first kernels side by
    side, :math:`[W^1_1 \; W^1_2 \cdots W^1_M]` of shape ``(n_in, M·n_out)`` (a
    mini-batch shared by all networks then needs one matrix product), then the
    first biases as one more row, then each later layer's kernels
    ``(M, n_in, n_out)`` and biases ``(M, 1, n_out)``. :attr:`kernels` and
    :attr:`biases` are views into it, so one in-place update of ``theta``
    (:class:`_StackedSGD`) updates every network.

    The first layer's kernels and biases together, :attr:`first_block`
    :math:`= [W^1; b^1]`, serve the "bias trick" during training: with a column
    of ones appended to the inputs, :math:`[a^0 \; 1]\,[W^1; b^1] = a^0 W^1 + b^1`
    is one product, and :math:`[a^0 \; 1]^T \delta^1` holds
    :math:`\partial C/\partial W^1 = (a^0)^T\delta^1` and
    :math:`\partial C/\partial b^1 = \sum_{\text{rows}} \delta^1` (D5) at once.

    Args:
        kernels: One array per layer, shape ``(M, n_in, n_out)``: network ``k``'s
            kernel :math:`W^l_k` is ``kernels[l][k]``.
        biases: One array per layer, shape ``(M, 1, n_out)`` (the middle axis
            lets a bias broadcast over the rows of a mini-batch).
        activations: Each layer's activation, the output layer's last: an
            :class:`~fyslearn.nn.activations.Activation` or ``(value, derivative)``.
    """

    def __init__(
        self,
        kernels: Sequence[np.ndarray],
        biases: Sequence[np.ndarray],
        activations: Sequence[Any],
    ) -> None:
        n_models = kernels[0].shape[0]
        self.shapes = [W.shape[1:] for W in kernels]
        size = sum(n_models * (n_in + 1) * n_out for n_in, n_out in self.shapes)
        self.theta = np.empty(size, np.result_type(*kernels, *biases))
        self.first_block, self.kernels, self.biases = self.views(self.theta, n_models)
        self.side_by_side = self.first_block[:-1]  # [W¹₁ … W¹_M], (n_in, M·n_out)
        for view, value in zip(self.kernels + self.biases, [*kernels, *biases], strict=True):
            view[...] = value
        self.activations = [_as_activation(a) for a in activations]

    def views(
        self, flat: np.ndarray, n_models: int
    ) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
        """The first layer's ``[W¹; b¹]`` side by side, then every kernel and bias, as views.

        Gradients use the same layout, so that the update of all parameters is
        one operation on two flat arrays.
        """
        kernels, biases, offset = [], [], 0
        for layer, (n_in, n_out) in enumerate(self.shapes):
            block = flat[offset : offset + n_models * n_in * n_out]
            offset += block.size
            if layer == 0:
                first_block = flat[: (n_in + 1) * n_models * n_out].reshape(n_in + 1, -1)
                kernels.append(block.reshape(n_in, n_models, n_out).swapaxes(0, 1))
            else:
                kernels.append(block.reshape(n_models, n_in, n_out))
            biases.append(flat[offset : offset + n_models * n_out].reshape(n_models, 1, n_out))
            offset += n_models * n_out
        return first_block, kernels, biases

    def per_network_first_block(self, first_block: np.ndarray) -> np.ndarray:
        """``[W¹_k; b¹_k]`` of every network, shape ``(M, n_in + 1, n_out)`` (a view)."""
        return first_block.reshape(len(first_block), self.n_models, -1).swapaxes(0, 1)

    @property
    def n_models(self) -> int:
        """Number of stacked networks, :math:`M`."""
        return self.kernels[0].shape[0]

    @property
    def parameters(self) -> list[np.ndarray]:
        """All stacked arrays, kernels then biases of each layer in turn (views of ``theta``)."""
        return [p for pair in zip(self.kernels, self.biases, strict=True) for p in pair]

    def per_network(self, values: Sequence[float], kernels_only: bool = False) -> np.ndarray:
        """A flat array in :attr:`theta`'s layout: ``values[k]`` on network ``k``'s parameters."""
        flat = np.zeros_like(self.theta)
        _, kernels, biases = self.views(flat, self.n_models)
        column = np.asarray(values, dtype=flat.dtype).reshape(-1, 1, 1)
        for view in kernels + ([] if kernels_only else biases):
            view[...] = column
        return flat

    def forward(
        self, a0: np.ndarray, workspace: _StackedWorkspace | None = None
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        r"""Weighted inputs :math:`z^l` and activations :math:`a^l` of every layer.

        ``a0`` is ``(M, m, n_features)``, one mini-batch per network, or
        ``(m, n_features)``, one mini-batch shared by all networks; then the
        first layer of all networks is one matrix product with the kernels
        side by side. With a ``workspace`` the results go into its arrays, and
        ``a0`` carries a last column of ones (the bias trick, see the class).
        """
        m = a0.shape[-2]
        no_buffers = [None] * len(self.shapes)
        z_out, a_out = (workspace.z, workspace.a) if workspace else (no_buffers, no_buffers)
        zs, activations = [], [a0]
        layers = zip(self.kernels, self.biases, self.activations, strict=True)
        for layer, (W, b, sigma) in enumerate(layers):
            if layer == 0 and workspace is not None:  # [a⁰ 1] [W¹; b¹] = a⁰ W¹ + b¹
                if a0.ndim == 2:  # one product for all networks
                    wide = np.dot(a0, self.first_block, out=workspace.wide_z)
                    z = wide.reshape(m, self.n_models, -1).swapaxes(0, 1)
                else:
                    z = np.matmul(a0, workspace.first_blocks, out=z_out[0])
            elif layer == 0 and a0.ndim == 2:  # one product: a⁰ [W¹₁ … W¹_M]
                z = np.dot(a0, self.side_by_side).reshape(m, self.n_models, -1).swapaxes(0, 1)
                z += b
            else:
                z = np.matmul(activations[-1], W, out=z_out[layer])  # z^l = a^{l-1} W^l
                z += b
            zs.append(z)
            activations.append(sigma(z, out=a_out[layer]))
        return zs, activations

    def gradients(
        self,
        zs: list[np.ndarray],
        activations: list[np.ndarray],
        delta: np.ndarray,
        two_alpha: np.ndarray | None,
        workspace: _StackedWorkspace,
    ) -> np.ndarray:
        r"""Backpropagation (D3-D5) for all networks at once, into ``workspace.grad``.

        Args:
            zs: Weighted inputs :math:`z^l`, from :meth:`forward` on the same mini-batch.
            activations: Activations :math:`a^l`, from the same call.
            delta: Output error :math:`\partial C/\partial z^L`, shape ``(M, m, n_out)``,
                already divided by the batch size.
            two_alpha: :math:`2\alpha` of each network on its kernels, zero on its
                biases, in the flat layout (:meth:`per_network`); ``None`` without L2.
            workspace: Arrays for the gradient and the backpropagated errors.

        Returns:
            The flat gradient, in :attr:`theta`'s layout.
        """
        kernel_grads, bias_grads = workspace.kernel_grads, workspace.bias_grads
        for layer in range(len(self.kernels) - 1, -1, -1):
            a_prev = activations[layer]
            if layer == 0:  # [a⁰ 1]ᵀ δ¹ = [∂C/∂W¹; ∂C/∂b¹] (D5), the bias trick
                if a_prev.ndim == 2:  # shared mini-batch: one product, [a⁰ 1]ᵀ [δ¹₁ … δ¹_M]
                    wide = workspace.wide_delta
                    wide.reshape(len(a_prev), self.n_models, -1)[...] = delta.swapaxes(0, 1)
                    np.dot(a_prev.T, wide, out=workspace.first_block_grad)
                else:
                    np.matmul(a_prev.swapaxes(-1, -2), delta, out=workspace.first_block_grads)
            else:  # D5: ∂C/∂W^l = (a^{l-1})ᵀ δ^l, ∂C/∂b^l = Σ_rows δ^l
                np.matmul(a_prev.swapaxes(-1, -2), delta, out=kernel_grads[layer])
                np.add.reduce(delta, axis=-2, keepdims=True, out=bias_grads[layer])
            if layer:
                # D4: δ^{l-1} = δ^l (W^l)ᵀ ⊙ σ'(z^{l-1})
                delta = _times_transpose(delta, self.kernels[layer], workspace.delta[layer - 1])
                self.activations[layer - 1].backward(zs[layer - 1], activations[layer], delta)
        if two_alpha is not None:
            penalty = np.multiply(two_alpha, self.theta, out=workspace.penalty)
            workspace.grad += penalty  # D2: ∇ α‖W‖² = 2αW, kernels only
        return workspace.grad

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Outputs of all networks for the same rows, shape ``(M, n_samples, n_out)``.

        The rows go through in chunks small enough for the hidden activations of
        all networks to stay in the CPU cache (several times faster than one
        pass for many networks; each row's output is the same either way).
        """
        width = max(n_out for _, n_out in self.shapes)
        chunk = max(1, _CACHE_ELEMENTS // (self.n_models * width))
        outputs = [
            self.forward(X[start : start + chunk])[1][-1] for start in range(0, len(X), chunk)
        ]
        return np.concatenate(outputs, axis=1)

    def select(self, k: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Network ``k``'s own kernels ``(n_in, n_out)`` and biases ``(n_out,)``, copied."""
        return (
            [W[k].copy() for W in self.kernels],
            [b[k, 0].copy() for b in self.biases],
        )


class _StackedWorkspace:
    """Arrays for one stacked training step, allocated once.

    ``rows_shape`` is that of the mini-batches' row indices: ``(M, m)``, one
    mini-batch per network, or ``(m,)``, one shared by all.
    """

    def __init__(self, stack: StackedNetworks, rows_shape: tuple[int, ...]) -> None:
        n_models, dtype, m = stack.n_models, stack.theta.dtype, rows_shape[-1]
        sizes = [n_out for _, n_out in stack.shapes]
        self.x = np.empty((*rows_shape, stack.shapes[0][0] + 1), dtype)  # inputs, then 1
        self.y = np.empty((*rows_shape, sizes[-1]), dtype)
        self.z = [np.empty((n_models, m, n), dtype) for n in sizes]
        self.a = [np.empty((n_models, m, n), dtype) for n in sizes]
        self.delta = [np.empty((n_models, m, n), dtype) for n in sizes]
        self.wide_z = np.empty((m, n_models * sizes[0]), dtype)
        self.wide_delta = np.empty((m, n_models * sizes[0]), dtype)
        self.grad = np.empty_like(stack.theta)
        self.first_block_grad, self.kernel_grads, self.bias_grads = stack.views(self.grad, n_models)
        # [W¹_k; b¹_k] of every network and their gradients, (M, n_in + 1, n_out) views
        self.first_blocks = stack.per_network_first_block(stack.first_block)
        self.first_block_grads = stack.per_network_first_block(self.first_block_grad)
        self.penalty = np.empty_like(stack.theta)  # 2α θ of the L2 term


def _times_transpose(delta: np.ndarray, W: np.ndarray, out: np.ndarray) -> np.ndarray:
    r""":math:`\delta W^T` for stacks; with one output it is an outer product.

    With a single output unit the product has no sum in it, and a broadcast
    multiplication gives the same numbers several times faster than
    ``np.matmul`` (which has no fast path for an inner dimension of 1).
    """
    if W.shape[-1] == 1:
        return np.multiply(delta, np.swapaxes(W, -1, -2), out=out)
    return np.matmul(delta, np.swapaxes(W, -1, -2), out=out)


class _StackedSGD(SGD):
    r""":class:`~fyslearn.optim.SGD` on the flat ``theta``, each network with its own rates.

    The learning rates and momenta are flat arrays in ``theta``'s layout
    (:meth:`StackedNetworks.per_network`); the update
    :math:`v \leftarrow \omega v + \eta \nabla C,\ \theta \leftarrow \theta - v`
    of :meth:`SGD.step` multiplies element by element, and the schedules of
    :data:`~fyslearn.optim.SCHEDULES` work on arrays as on numbers. A network with
    :math:`\omega = 0` gets exactly the plain update, since
    :math:`0 \cdot v + \eta \nabla C = \eta \nabla C`.
    """

    def __init__(
        self,
        stack: StackedNetworks,
        learning_rates: Sequence[float],
        momenta: Sequence[float],
        schedule: str,
    ) -> None:
        self.stack = stack
        self.params = [stack.theta]
        self.learning_rate = stack.per_network(learning_rates)
        self.momentum = stack.per_network(momenta)
        self.schedule = schedule
        self.velocities = [np.zeros_like(stack.theta)] if np.any(momenta) else None
        self.current_rate = self.learning_rate

    def stop(self, k: int) -> None:
        """Freeze network ``k``: learning rate 0 on its parameters from now on."""
        rates = np.ones(self.stack.n_models)
        rates[k] = 0.0
        self.learning_rate = self.learning_rate * self.stack.per_network(rates)
        self.current_rate = self.current_rate * self.stack.per_network(rates)


class _OrderTable:
    """Stands in for the generator of :func:`~fyslearn.optim.run_epochs`.

    ``permutation(n)`` returns the ``(n, M)`` table whose column ``k`` is drawn
    from network ``k``'s own generator, as its one-by-one training would draw
    it; with ``shared`` it returns one permutation, from the first network's
    generator, for all of them.
    """

    def __init__(self, rngs: Sequence[np.random.Generator], shared: bool) -> None:
        self.rngs = list(rngs)
        self.shared = shared

    def permutation(self, n: int) -> np.ndarray:
        if self.shared:
            return self.rngs[0].permutation(n)
        return np.stack([rng.permutation(n) for rng in self.rngs], axis=1)


class _AllStopped(Exception):
    """Every network has diverged: nothing left to train."""


@dataclass
class _Outcome:
    """How the training of one network ended."""

    kernels: list[np.ndarray]
    biases: list[np.ndarray]
    losses: np.ndarray
    error: DivergenceError | None = None
    scores: dict[str, np.ndarray] = field(default_factory=dict)


def train_stacked(
    stack: StackedNetworks,
    X: np.ndarray,
    Y: np.ndarray,
    loss: Callable[[np.ndarray, np.ndarray], np.ndarray],
    output_delta: Callable[[np.ndarray, np.ndarray], np.ndarray],
    learning_rates: Sequence[float],
    alphas: Sequence[float],
    momenta: Sequence[float],
    rngs: Sequence[np.random.Generator],
    restore: Sequence[bool],
    schedule: str = "constant",
    batch_size: int = 10,
    epochs: int = 100,
    shared_order: bool = False,
    verbose: int = 0,
    score: Callable[[], dict[str, np.ndarray]] | None = None,
    track_accuracy: bool = False,
) -> list[_Outcome]:
    r"""Mini-batch SGD on all stacked networks at once, in the loop of :mod:`fyslearn.optim`.

    Args:
        stack: Initial parameters; trained in place.
        X: Inputs, ``(n_samples, n_features)``.
        Y: Targets, ``(n_samples, n_out)``.
        loss: ``loss(output, Y)`` → data loss of each network, shape ``(M,)``,
            for outputs of shape ``(M, n, n_out)``.
        output_delta: ``output_delta(output, Y_batch)`` → :math:`\partial C/\partial z^L`
            of the mean loss over the batch, shape ``(M, m, n_out)``.
        learning_rates: One learning rate per network.
        alphas: One L2 penalty per network.
        momenta: One momentum per network.
        rngs: One generator per network, for its shuffling order.
        restore: Per network, whether divergence restores its best epoch (else it fails).
        schedule: Learning-rate schedule, shared by all networks.
        batch_size: Rows per mini-batch, shared.
        epochs: Passes over the data, shared.
        verbose: Progress bar when > 0.
        shared_order: All networks use the first network's order.
        score: Called after every epoch; returns named per-network scores,
            each of shape ``(M,)`` (validation scores), recorded in the outcomes.
        track_accuracy: Also record the training accuracy (argmax), classification.

    As :func:`~fyslearn.nn.training.train_network` does, the training loss of an
    epoch is the mean of its mini-batch losses (``"data_loss"`` in the
    outcomes' scores) plus the L2 term at the end of the epoch.

    Returns:
        One :class:`_Outcome` per network: its final (or restored) parameters,
        its loss and scores after each completed epoch, and its error if it diverged.
    """
    n_models = stack.n_models
    # the inputs with a column of ones, for the bias trick of the first layer
    X_ones = np.ones((len(X), X.shape[1] + 1), stack.theta.dtype)
    X_ones[:, :-1] = X
    Y = np.asarray(Y, stack.theta.dtype)
    alphas = np.asarray(alphas, dtype=float)
    two_alpha = stack.per_network(2.0 * alphas, kernels_only=True) if alphas.any() else None
    optimizer = _StackedSGD(stack, learning_rates, momenta, schedule)
    tracker = _Tracker(stack, optimizer, restore, epochs, learning_rates)
    totals = _EpochTotals(n_models, track_accuracy)
    workspaces: dict[tuple[int, ...], _StackedWorkspace] = {}

    def batch_gradients(rows: np.ndarray) -> list[np.ndarray]:
        rows = rows.T  # (M, m): one mini-batch per network; (m,) when shared
        workspace = workspaces.get(rows.shape) or workspaces.setdefault(
            rows.shape, _StackedWorkspace(stack, rows.shape)
        )
        # gather the mini-batches (valid rows: mode="clip" avoids take's buffered check)
        x = X_ones.take(rows, axis=0, out=workspace.x, mode="clip")
        targets = Y.take(rows, axis=0, out=workspace.y, mode="clip")
        zs, activations = stack.forward(x, workspace)
        output = activations[-1]
        totals.add(loss(output, targets), output, targets)
        delta = output_delta(output, targets)
        return [stack.gradients(zs, activations, delta, two_alpha, workspace)]

    def evaluate(epoch: int) -> dict[str, float]:
        squares = sum(np.einsum("kij,kij->k", W, W) for W in stack.kernels)
        scores = totals.means()  # data_loss (and accuracy) of the epoch's mini-batches
        losses = scores["data_loss"] + alphas * squares  # C + α Σ‖W‖²
        running = tracker.record(epoch, losses, {**scores, **(score() if score else {})})
        if not running:
            raise _AllStopped
        return {"loss": float(np.mean(losses[running]))}  # finite: run_epochs goes on

    try:
        run_epochs(
            optimizer,
            batch_gradients,
            n_samples=len(X),
            batch_size=batch_size,
            epochs=epochs,
            rng=_OrderTable(rngs, shared_order),
            evaluate=evaluate,
            verbose=verbose,
            description=f"{n_models} networks",
        )
    except _AllStopped:
        pass
    return tracker.outcomes()


class _EpochTotals:
    """Running sums over an epoch's mini-batches: loss and correct predictions per network."""

    def __init__(self, n_models: int, track_accuracy: bool) -> None:
        self.track_accuracy = track_accuracy
        self.loss, self.correct, self.seen = np.zeros(n_models), np.zeros(n_models), 0

    def add(self, losses: np.ndarray, output: np.ndarray, targets: np.ndarray) -> None:
        m = output.shape[-2]
        self.loss += losses * m
        if self.track_accuracy:
            self.correct += _stacked_accuracy(output, targets) * m
        self.seen += m

    def means(self) -> dict[str, np.ndarray]:
        """The epoch's mean mini-batch loss (and accuracy); starts the next epoch's sums."""
        means = {"data_loss": self.loss / self.seen}
        if self.track_accuracy:
            means["accuracy"] = self.correct / self.seen
        self.loss, self.correct, self.seen = np.zeros_like(self.loss), np.zeros_like(self.loss), 0
        return means


class _Tracker:
    """Loss history of every network, its best epoch, and how its training ended."""

    def __init__(
        self,
        stack: StackedNetworks,
        optimizer: _StackedSGD,
        restore: Sequence[bool],
        epochs: int,
        learning_rates: Sequence[float],
    ) -> None:
        self.stack, self.optimizer, self.restore = stack, optimizer, list(restore)
        self.learning_rates = list(learning_rates)
        self.epochs = epochs
        self.history = np.full((epochs, stack.n_models), np.nan)
        self.scores: dict[str, np.ndarray] = {}
        self.best_loss = np.full(stack.n_models, np.inf)
        self.best: dict[int, tuple[list[np.ndarray], list[np.ndarray]]] = {}
        self.ended: dict[int, _Outcome] = {}

    def record(self, epoch: int, losses: np.ndarray, scores: dict[str, np.ndarray]) -> list[int]:
        """Store the losses and scores of ``epoch``; stop diverged networks; return the others."""
        for name, values in scores.items():
            self.scores.setdefault(name, np.full_like(self.history, np.nan))[epoch] = values
        for k in range(self.stack.n_models):
            if k in self.ended:
                continue
            self.history[epoch, k] = losses[k]
            if not math.isfinite(losses[k]):
                self.ended[k] = self._stop(k, epoch)
            elif self.restore[k] and losses[k] < self.best_loss[k]:
                self.best_loss[k], self.best[k] = losses[k], self.stack.select(k)
        return [k for k in range(self.stack.n_models) if k not in self.ended]

    def _stop(self, k: int, epoch: int) -> _Outcome:
        """End network ``k``'s training at ``epoch``, whose loss is not finite.

        Its learning rate becomes 0 and its slice of the stack is ignored from
        then on; the other networks are not affected by it (no operation mixes
        networks), even when its numbers are NaN.
        """
        rate = float(self.learning_rates[k])
        self.optimizer.stop(k)
        if self.restore[k] and k in self.best:
            warnings.warn(
                f"Training of model {k} diverged in epoch {epoch + 1}; restored the "
                f"parameters of its best epoch (loss {self.best_loss[k]:.4g}). Use a smaller "
                "learning_rate to train further.",
                DivergenceWarning,
                # _stop, record, evaluate, run_epochs, the trainer, fit_many: its caller
                stacklevel=7,
            )
            losses = self.history[:epoch, k].copy()
            return _Outcome(*self.best[k], losses, None, self._scores(k, epoch))
        error = DivergenceError(
            f"Training diverged: the loss became {self.history[epoch, k]} in epoch {epoch + 1} "
            f"of {self.epochs} (learning_rate={rate:g}). Try a smaller learning_rate, e.g. "
            f"{rate / 10:g}."
        )
        return _Outcome(*self.stack.select(k), self.history[: epoch + 1, k].copy(), error)

    def _scores(self, k: int, epochs: int) -> dict[str, np.ndarray]:
        return {name: values[:epochs, k].copy() for name, values in self.scores.items()}

    def outcomes(self) -> list[_Outcome]:
        """How each network ended: stopped, or trained for every epoch."""
        return [
            self.ended.get(k)
            or _Outcome(
                *self.stack.select(k),
                self.history[:, k].copy(),
                None,
                self._scores(k, self.epochs),
            )
            for k in range(self.stack.n_models)
        ]


def _stacked_mse(output: np.ndarray, Y: np.ndarray) -> np.ndarray:
    r""":math:`\frac1n\sum_i\sum_k (y_{ik} - a_{ik})^2` of each network, shape ``(M,)``."""
    residual = output - Y
    return np.einsum("kij,kij->k", residual, residual) / Y.shape[-2]


def _stacked_mse_delta(output: np.ndarray, Y: np.ndarray) -> np.ndarray:
    r"""Output error of a linear output with MSE: :math:`2(a - y)/m` (D3, D6)."""
    return (2.0 / output.shape[-2]) * (output - Y)


def _stacked_cross_entropy(output: np.ndarray, Y: np.ndarray) -> np.ndarray:
    r""":math:`-\frac1n\sum_i\sum_k y_{ik}\ln a_{ik}` of each network, ``ln 0`` clipped as in
    :class:`~fyslearn.nn.losses.CrossEntropy`."""
    log_probabilities = np.log(np.maximum(output, np.finfo(output.dtype).tiny))
    return -(log_probabilities * Y).sum(axis=(-2, -1)) / Y.shape[-2]


def _stacked_softmax_delta(output: np.ndarray, Y: np.ndarray) -> np.ndarray:
    r"""Output error of softmax with cross-entropy: :math:`(a - y)/m` (D7)."""
    return (1.0 / output.shape[-2]) * (output - Y)


def _stacked_accuracy(output: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Share of rows whose most probable class is the true one, per network."""
    hits = np.count_nonzero(output.argmax(axis=-1) == Y.argmax(axis=-1), axis=-1)
    return hits / Y.shape[-2]


def fit_many(estimators: Sequence[Any], X: np.ndarray, y: np.ndarray) -> list[Any]:
    r"""Fit several fyslearn estimators of the same shape in one stacked run.

    Takes :class:`~fyslearn.nn.MLPRegressor`, :class:`~fyslearn.nn.MLPClassifier`,
    :class:`~fyslearn.nn.LogisticRegression` or
    :class:`~fyslearn.linear_model.SGDRegressor` instances, all of one class
    (for the linear models, see :func:`_fit_many_linear`).
    Each keeps its own learning rate, ``alpha``, momentum and ``random_state``;
    architecture, batch size, epochs, schedule, dtype and ``validation_data``
    must agree. Every estimator ends as if its own ``fit(X, y)`` had run: the
    same initial weights (drawn from its seed), the same shuffling (from the
    same generator), the same updates, hence the same weights to rounding.
    When their generators are in the same state after drawing the initial
    weights (the same seed and the same initialisers: a grid over learning
    rates and penalties), they also share one shuffling order, and the first
    layer of all of them is one matrix product.

    ``history_`` has the same keys and values as after ``fit``: the training
    cost per epoch (mean mini-batch loss plus the L2 term), the data loss
    (and the accuracy), and with ``validation_data`` the ``val_*`` scores.

    Args:
        estimators: Unfitted (or to be refitted) estimators.
        X: Inputs, shape ``(n_samples, n_features)``.
        y: Targets (regression) or labels (classification), shape ``(n_samples,)``.

    Returns:
        The estimators, fitted. One that diverged is left unfitted and listed
        in a :class:`~fyslearn.optim.DivergenceWarning`; the others are fitted.
    """
    from .._validation import as_generator
    from .estimators import MLPClassifier, MLPRegressor

    if estimators and all(isinstance(e, SGDRegressor) for e in estimators):
        return _fit_many_linear(estimators, X, y)
    first = _check_estimators(estimators, (MLPRegressor, MLPClassifier))
    classifier = isinstance(first, MLPClassifier)
    dtype = np.dtype(first.dtype)
    X = np.asarray(X, dtype=dtype)
    if classifier:
        classes = np.unique(np.asarray(y))
        for estimator in estimators:
            estimator.classes_ = classes
        Y = first._one_hot(y).astype(dtype)
    else:
        Y = np.asarray(y, dtype=dtype).reshape(len(X), -1)
    rngs = [as_generator(e.random_state) for e in estimators]
    networks = [
        e._build_network(X.shape[1], Y.shape[1], rng)
        for e, rng in zip(estimators, rngs, strict=True)
    ]
    # generators left in the same state (same seed, same initialisers) would draw the
    # same shuffling orders: then one order serves all, and the first layer is one product
    states = [rng.bit_generator.state for rng in rngs]
    shared_order = all(state == states[0] for state in states)
    stack = _stack(networks)
    loss, delta = (
        (_stacked_cross_entropy, _stacked_softmax_delta)
        if classifier
        else (_stacked_mse, _stacked_mse_delta)
    )
    first.n_features_in_ = X.shape[1]  # for the checks of validation_data
    validation = first._check_validation(first._one_hot if classifier else first._encode_targets)
    outcomes = train_stacked(
        stack,
        X,
        Y,
        loss,
        delta,
        learning_rates=[e.learning_rate for e in estimators],
        alphas=[e.alpha for e in estimators],
        momenta=[e.momentum for e in estimators],
        rngs=rngs,
        restore=[e.on_divergence == "restore" for e in estimators],
        schedule=first.schedule,
        batch_size=min(first.batch_size, len(X)),
        epochs=first.epochs,
        shared_order=shared_order,
        verbose=first.verbose,
        score=None
        if validation is None
        else _validation_scores(stack, *validation, loss, [e.alpha for e in estimators]),
        track_accuracy=classifier,
    )

    def set_fitted(k: int, outcome: _Outcome) -> None:
        estimator, network = estimators[k], networks[k]
        network.coefs_, network.intercepts_ = outcome.kernels, outcome.biases
        if classifier:
            estimator.classes_ = classes
        estimator.n_features_in_ = X.shape[1]
        estimator.network_ = network
        estimator.coefs_, estimator.intercepts_ = network.coefs_, network.intercepts_
        scores = {estimator._history_key(name): values for name, values in outcome.scores.items()}
        estimator.history_ = {"loss": outcome.losses, **scores}
        estimator.n_iter_ = len(outcome.losses)
        estimator.n_outputs_ = Y.shape[1]

    return _settle(estimators, outcomes, set_fitted, stacklevel=3)


def _settle(
    estimators: Sequence[Any],
    outcomes: Sequence[_Outcome],
    set_fitted: Callable[[int, _Outcome], None],
    stacklevel: int,
) -> list[Any]:
    """Leave estimator ``k`` fitted by ``set_fitted(k, outcome)``, or unfitted if it diverged.

    The diverged ones are listed in one :class:`~fyslearn.optim.DivergenceWarning`
    (``stacklevel`` counted from here, as for :func:`warnings.warn`).
    """
    from .._validation import forget_fit

    failed = []
    for k, (estimator, outcome) in enumerate(zip(estimators, outcomes, strict=True)):
        forget_fit(estimator)
        if outcome.error is None:
            set_fitted(k, outcome)
        else:
            failed.append(f"#{k}: {outcome.error}")
    if failed:
        warnings.warn(
            "Some models diverged and are left unfitted: " + "; ".join(failed),
            DivergenceWarning,
            stacklevel=stacklevel,
        )
    return list(estimators)


def _check_estimators(estimators: Sequence[Any], kinds: tuple[type, ...]) -> Any:
    """The first estimator, after checking that all can train in one stack."""
    if not estimators or not all(isinstance(e, kinds) for e in estimators):
        raise TypeError(
            "fit_many takes a non-empty list of fyslearn MLPRegressor, MLPClassifier, "
            "LogisticRegression or SGDRegressor estimators, all of one class."
        )
    first = estimators[0]
    if any(type(e) is not type(first) for e in estimators):
        raise TypeError("fit_many needs estimators of one class.")
    shared = ("hidden_layer_sizes", "activation", "batch_size", "epochs", "schedule", "dtype")
    for estimator in estimators:
        estimator._check_hyperparameters()
        for name in shared:
            if getattr(estimator, name) != getattr(first, name):
                raise ValueError(f"fit_many needs the same {name} for every estimator.")
        if estimator.validation_data is not first.validation_data:
            raise ValueError("fit_many needs the same validation_data object for every estimator.")
    return first


def _stack(networks: Sequence[Any]) -> StackedNetworks:
    """The networks' weights stacked layer by layer (each network's own copy is left alone)."""
    layers = range(networks[0].n_layers)
    return StackedNetworks(
        [np.stack([net.coefs_[layer] for net in networks]) for layer in layers],
        [np.stack([net.intercepts_[layer] for net in networks])[:, None, :] for layer in layers],
        networks[0].activations,
    )


def _validation_scores(
    stack: StackedNetworks,
    X_val: np.ndarray,
    Y_val: np.ndarray,
    loss: Callable[[np.ndarray, np.ndarray], np.ndarray],
    alphas: Sequence[float],
) -> Callable[[], dict[str, np.ndarray]]:
    """Per-network validation scores, named as in :func:`~fyslearn.nn.training.score_network`."""
    alphas = np.asarray(alphas, dtype=float)

    def score() -> dict[str, np.ndarray]:
        output = stack.predict(X_val)
        data_loss = loss(output, Y_val)
        squares = sum(np.einsum("kij,kij->k", W, W) for W in stack.kernels)
        scores = {"val_data_loss": data_loss, "val_loss": data_loss + alphas * squares}
        if Y_val.shape[1] > 1:
            scores["val_accuracy"] = _stacked_accuracy(output, Y_val)
        return scores

    return score


# -- linear models -------------------------------------------------------------------


class _ColumnSGD(SGD):
    r""":class:`~fyslearn.optim.SGD` on the columns of :math:`B`, each with its own settings.

    Learning rates, schedules and momenta are per column; the rates of an epoch
    and the momenta are vectors of shape ``(M,)`` that broadcast over the rows
    of :math:`B`, so :meth:`SGD.step` updates every column by its own rule.
    """

    def __init__(
        self,
        B: np.ndarray,
        learning_rates: Sequence[float],
        momenta: Sequence[float],
        schedules: Sequence[str],
    ) -> None:
        self.params = [B]
        self.learning_rate = np.asarray(learning_rates, dtype=float)
        self.momentum = np.asarray(momenta, dtype=float)
        self.schedules = list(schedules)
        self.velocities = [np.zeros_like(B)] if self.momentum.any() else None
        self.running = np.ones(B.shape[1])
        self.current_rate = self.learning_rate * self.running

    def start_epoch(self, epoch: int, n_batches: int) -> np.ndarray:
        rates = [
            SCHEDULES[schedule](rate, epoch, n_batches)
            for schedule, rate in zip(self.schedules, self.learning_rate, strict=True)
        ]
        self.current_rate = np.asarray(rates) * self.running
        return self.current_rate

    def stop(self, k: int) -> None:
        """Freeze column ``k``: learning rate 0 from now on."""
        self.running[k] = 0.0
        self.current_rate = self.current_rate * self.running


def _column_gradients(
    X: np.ndarray, y: np.ndarray, B: np.ndarray, rows: np.ndarray, two_alpha: np.ndarray | None
) -> np.ndarray:
    r"""Mini-batch gradient of every column of :math:`B`, shape ``(p, M)`` (D1, D2).

    ``rows`` is ``(m,)``, one mini-batch for all models, or ``(M, m)``, one each.
    """
    m = rows.shape[-1]
    X_batch, y_batch = X.take(rows, axis=0), y.take(rows)
    if rows.ndim == 1:  # one mini-batch: two matrix products for all models
        residual = X_batch @ B - y_batch[:, None]  # (m, M)
        gradient = (2.0 / m) * (X_batch.T @ residual)  # (p, M)
    else:  # each model its own rows: (M, m, p) @ (M, p, 1)
        residual = X_batch @ B.T[:, :, None] - y_batch[:, :, None]
        gradient = ((2.0 / m) * (X_batch.swapaxes(1, 2) @ residual))[:, :, 0].T
    if two_alpha is not None:
        gradient += two_alpha * B  # 2αβ, column by column
    return gradient


def _column_costs(X: np.ndarray, y: np.ndarray, B: np.ndarray, alphas: np.ndarray) -> np.ndarray:
    r"""Each column's cost :math:`\frac1n\lVert y - X\beta\rVert^2 + \alpha\lVert\beta\rVert^2`."""
    residual = X @ B - y[:, None]
    return np.einsum("ij,ij->j", residual, residual) / len(y) + alphas * np.einsum("ij,ij->j", B, B)


class _Columns:
    """The coefficient columns of :math:`B`, seen as :class:`_Tracker` sees a stack."""

    def __init__(self, B: np.ndarray) -> None:
        self.B = B

    @property
    def n_models(self) -> int:
        return self.B.shape[1]

    def select(self, k: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Model ``k``'s coefficients (copied), as a one-layer network without bias."""
        return [self.B[:, k].copy()], []


def _fit_many_linear(
    estimators: Sequence[SGDRegressor], X: np.ndarray, y: np.ndarray
) -> list[SGDRegressor]:
    r"""Fit :class:`~fyslearn.linear_model.SGDRegressor` models at once, as columns of :math:`B`.

    With :math:`B = [\beta_1 \cdots \beta_M]` of shape ``(p, M)``, the
    mini-batch gradient of every model is

    .. math::

        G = \frac2m X_B^T \big(X_B B - y_B \mathbf 1^T\big)
            + 2 B \,\mathrm{diag}(\alpha_1, \dots, \alpha_M) \quad\text{(D1, D2)},

    two matrix products for all of them; each column then takes its own
    step (learning rate, schedule, momentum). Models whose generators agree
    after drawing :math:`\beta` (the same ``random_state``) share one
    shuffling order and so one mini-batch :math:`X_B`; otherwise each model
    gathers its own rows and the products are batched, ``(M, m, p) @ (M, p, 1)``.
    ``batch_size`` and ``epochs`` must agree; every other setting may differ.
    Every model ends as its own ``fit(X, y)`` would: the same coefficients and
    ``loss_curve_`` to rounding, or unfitted if it diverged (listed in a
    :class:`~fyslearn.optim.DivergenceWarning`; with ``on_divergence="restore"``
    its best epoch, with a warning).
    """
    from sklearn.utils.validation import validate_data

    from .._validation import as_generator, check_non_negative_float, check_positive_float

    first = estimators[0]
    checked = [estimator._check_params() for estimator in estimators]
    for name in ("batch_size", "epochs"):
        if any(getattr(e, name) != getattr(first, name) for e in estimators):
            raise ValueError(f"fit_many needs the same {name} for every estimator.")
    X, y = validate_data(first, X, y, y_numeric=True, dtype=np.float64)
    rngs = [as_generator(e.random_state) for e in estimators]
    B = np.column_stack([SGDRegressor._initial_coefficients(rng, X.shape[1]) for rng in rngs])
    states = [rng.bit_generator.state for rng in rngs]
    shared_order = all(state == states[0] for state in states)

    alphas = np.array([alpha for alpha, _, _ in checked])
    two_alpha = 2.0 * alphas if alphas.any() else None
    learning_rates = [check_positive_float(e.learning_rate, "learning_rate") for e in estimators]
    momenta = [check_non_negative_float(e.momentum, "momentum", max_val=1.0) for e in estimators]
    optimizer = _ColumnSGD(B, learning_rates, momenta, [e.schedule for e in estimators])
    restore = [e.on_divergence == "restore" for e in estimators]
    tracker = _Tracker(_Columns(B), optimizer, restore, checked[0][2], learning_rates)

    def batch_gradients(rows: np.ndarray) -> list[np.ndarray]:
        return [_column_gradients(X, y, B, rows.T, two_alpha)]

    def evaluate(epoch: int) -> dict[str, float]:
        costs = _column_costs(X, y, B, alphas)
        running = tracker.record(epoch, costs, {})
        if not running:
            raise _AllStopped
        return {"loss": float(np.mean(costs[running]))}

    try:
        run_epochs(
            optimizer,
            batch_gradients,
            n_samples=len(y),
            batch_size=checked[0][1],
            epochs=checked[0][2],
            rng=_OrderTable(rngs, shared_order),
            evaluate=evaluate,
            verbose=first.verbose,
            description=f"{len(estimators)} linear models",
        )
    except _AllStopped:
        pass

    def set_fitted(k: int, outcome: _Outcome) -> None:
        estimator = estimators[k]
        estimator.coef_ = outcome.kernels[0]
        estimator.loss_curve_ = outcome.losses
        estimator.n_iter_ = len(outcome.losses)
        estimator.n_features_in_ = X.shape[1]

    return _settle(estimators, tracker.outcomes(), set_fitted, stacklevel=4)

r"""Training a :class:`~fyslearn.nn.network.FeedForwardNetwork` by mini-batch SGD.

The loop itself is :func:`fyslearn.optim.run_epochs`, shared with the linear
models; this module supplies the mini-batch gradient and the per-epoch
history. The gradient of a step is computed in a :class:`Workspace` of arrays
allocated once for the largest batch: the batch is gathered from the data by
its row indices, and the forward pass, the output error and the
backpropagation of :class:`~fyslearn.nn.network.FeedForwardNetwork` write into
those arrays, so a step allocates (almost) nothing.

All kernels and biases live in one flat array while training (each
``coefs_[l]`` and ``intercepts_[l]`` is a view of a slice of it), and so do
their gradients, in the same layout. The optimiser then updates every
parameter of the network with two numpy calls (four with momentum), however
many layers it has: on small networks the per-call overhead of numpy, not the
arithmetic, is what a step costs.

History, per epoch, as Keras and scikit-learn record it: the training loss is
the mean of the mini-batch losses seen during the epoch (no extra pass over
the data), plus the L2 term at the end of the epoch; validation scores come
from one forward pass over the validation set after the epoch.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..optim import SGD, run_epochs
from .network import FeedForwardNetwork

__all__ = ["Workspace", "pack_parameters", "train_network"]

#: Rows per chunk when scoring a whole data set (bounds the memory of a forward pass).
CHUNK_ROWS = 8192


def _flat_views(flat: np.ndarray, shapes: list[tuple[int, ...]]) -> list[np.ndarray]:
    """Consecutive slices of ``flat`` reshaped to ``shapes`` (views, not copies)."""
    views, start = [], 0
    for shape in shapes:
        size = math.prod(shape)
        views.append(flat[start : start + size].reshape(shape))
        start += size
    return views


def _parameters_in_order(network: FeedForwardNetwork) -> list[np.ndarray]:
    """The flat layout's order: ``W¹, b¹, W², b², …``."""
    pairs = zip(network.coefs_, network.intercepts_, strict=True)
    return [parameter for pair in pairs for parameter in pair]


def _parameter_shapes(network: FeedForwardNetwork) -> list[tuple[int, ...]]:
    return [parameter.shape for parameter in _parameters_in_order(network)]


def pack_parameters(network: FeedForwardNetwork) -> np.ndarray:
    """Move the network's kernels and biases into one flat array and return it.

    ``network.coefs_[l]`` and ``network.intercepts_[l]`` become views of
    consecutive slices (``W¹, b¹, W², b², …``), with unchanged values, so
    updating the flat array in place updates every layer.
    """
    shapes = _parameter_shapes(network)
    flat = np.concatenate([p.ravel() for p in _parameters_in_order(network)])
    flat = flat.astype(network.dtype, copy=False)
    views = _flat_views(flat, shapes)
    network.coefs_[:], network.intercepts_[:] = views[0::2], views[1::2]
    return flat


class Workspace:
    """Preallocated arrays for the mini-batch gradient of one network.

    Args:
        network: The network to differentiate.
        batch_size: The largest batch; a smaller last batch uses the leading rows.
        track_accuracy: Also count correct predictions (argmax) during the epoch.
    """

    def __init__(self, network: FeedForwardNetwork, batch_size: int, track_accuracy: bool = False):
        dtype, sizes = network.dtype, network.layer_sizes
        self.network = network
        self.x = np.empty((batch_size, sizes[0]), dtype)
        self.y = np.empty((batch_size, sizes[-1]), dtype)
        self.z = [np.empty((batch_size, n), dtype) for n in sizes[1:]]
        self.a = [np.empty((batch_size, n), dtype) for n in sizes[1:]]
        self.delta = [np.empty((batch_size, n), dtype) for n in sizes[1:]]
        # the gradients in the flat layout of pack_parameters: W¹, b¹, W², b², …
        shapes = _parameter_shapes(network)
        self.flat_grad = np.empty(sum(math.prod(shape) for shape in shapes), dtype)
        views = _flat_views(self.flat_grad, shapes)
        self.coef_grads, self.intercept_grads = views[0::2], views[1::2]
        self._full_views = (self.z, self.a, self.delta)
        self.track_accuracy = track_accuracy
        self.reset()

    def reset(self) -> None:
        """Start a new epoch's running totals."""
        self.loss_sum, self.correct, self.seen = 0.0, 0, 0

    def gradients(self, X: np.ndarray, Y: np.ndarray, rows: np.ndarray) -> list[np.ndarray]:
        """Gradient of the mean loss over ``X[rows]``, flat as in :func:`pack_parameters`."""
        m, network = len(rows), self.network
        # gather the mini-batch; the rows come from a permutation, so they are valid, and
        # mode="clip" spares the check that makes take(mode="raise") copy its output twice
        x = X.take(rows, axis=0, out=self.x[:m], mode="clip")
        y = Y.take(rows, axis=0, out=self.y[:m], mode="clip")
        z_out, a_out, delta_out = self._views(m)
        zs, activations = network.forward(x, z_out, a_out)
        output = activations[-1]
        if self.track_accuracy:
            self.correct += int(np.count_nonzero(output.argmax(axis=1) == y.argmax(axis=1)))
        loss, delta = network.loss_and_output_error(y, zs[-1], output, out=delta_out[-1])
        self.loss_sum += loss * m
        self.seen += m
        network.backward(zs, activations, delta, delta_out, self.coef_grads, self.intercept_grads)
        return [self.flat_grad]

    def _views(self, m: int) -> tuple[list[np.ndarray], ...]:
        """The first ``m`` rows of every buffer (cached for the full batch size)."""
        if m == len(self.x):
            return self._full_views
        return tuple([buffer[:m] for buffer in buffers] for buffers in (self.z, self.a, self.delta))


def score_network(network: FeedForwardNetwork, X: np.ndarray, Y: np.ndarray) -> dict[str, float]:
    """Data loss, cost (with L2) and, for several outputs, accuracy on a whole data set."""
    loss_sum, correct = 0.0, 0
    for start in range(0, len(X), CHUNK_ROWS):
        x, y = X[start : start + CHUNK_ROWS], Y[start : start + CHUNK_ROWS]
        output = network.forward(x)[1][-1]
        loss_sum += network.loss(y, output) * len(x)
        if Y.shape[1] > 1:
            correct += int(np.count_nonzero(output.argmax(axis=1) == y.argmax(axis=1)))
    data_loss = loss_sum / len(X)
    scores = {"data_loss": data_loss, "loss": data_loss + network.penalty()}
    if Y.shape[1] > 1:
        scores["accuracy"] = correct / len(X)
    return scores


def train_network(
    network: FeedForwardNetwork,
    X: np.ndarray,
    Y: np.ndarray,
    *,
    learning_rate: float,
    batch_size: int,
    epochs: int,
    rng: np.random.Generator,
    momentum: float = 0.0,
    schedule: str = "constant",
    validation: tuple[np.ndarray, np.ndarray] | None = None,
    track_accuracy: bool = False,
    verbose: int = 0,
    restore_best: bool = False,
    description: str = "training",
    on_epoch_end: Callable[[int, dict[str, list[float]]], None] | None = None,
) -> dict[str, np.ndarray]:
    r"""Train ``network`` in place by mini-batch SGD and return its history.

    Args:
        network: Trained in place, starting from its current weights.
        X: Inputs ``(n, n_in)`` in the network's dtype.
        Y: Targets ``(n, n_out)`` in the network's dtype (one-hot for classification).
        learning_rate: Initial learning rate of SGD.
        momentum: Momentum of the update (D9).
        schedule: ``"constant"`` or ``"inverse"`` (D10).
        batch_size: Rows per mini-batch (larger than ``n``: full batch).
        epochs: Passes over the data.
        rng: Source of the shuffling order (one permutation per epoch).
        validation: ``(X_val, Y_val)`` scored after every epoch.
        track_accuracy: Record the accuracy (classification).
        verbose: Progress bar when > 0.
        restore_best: On divergence keep the best epoch's weights and warn.
        description: Label of the progress bar.
        on_epoch_end: Called as ``on_epoch_end(epoch, history)`` after each epoch.

    Returns:
        A dict of per-epoch arrays: ``"loss"`` (cost with L2), ``"data_loss"``,
        ``"accuracy"`` if tracked, and ``"val_loss"``, ``"val_data_loss"``,
        ``"val_accuracy"`` with validation data.

    Raises:
        fyslearn.optim.DivergenceError: The loss became NaN or infinite.
    """
    batch = min(batch_size, len(X))
    workspace = Workspace(network, batch, track_accuracy)
    optimizer = SGD([pack_parameters(network)], learning_rate, momentum, schedule)
    history: dict[str, list[float]] = {"loss": [], "data_loss": []}

    def evaluate(epoch: int) -> dict[str, float]:
        data_loss = workspace.loss_sum / workspace.seen
        history["data_loss"].append(data_loss)
        history["loss"].append(data_loss + network.penalty())
        if track_accuracy:
            history.setdefault("accuracy", []).append(workspace.correct / workspace.seen)
        workspace.reset()
        if validation is not None:
            for key, value in score_network(network, *validation).items():
                history.setdefault(f"val_{key}", []).append(value)
        if on_epoch_end is not None:
            on_epoch_end(epoch, history)
        return {"loss": history["loss"][-1]}

    completed = run_epochs(
        optimizer,
        lambda rows: workspace.gradients(X, Y, rows),
        n_samples=len(X),
        batch_size=batch,
        epochs=epochs,
        rng=rng,
        evaluate=evaluate,
        verbose=verbose,
        restore_best=restore_best,
        description=description,
    )
    return {key: np.asarray(values[:completed]) for key, values in history.items()}

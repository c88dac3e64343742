r"""Training a [`FeedForwardNetwork`][fyslearn.nn.network.FeedForwardNetwork] by mini-batch SGD.

The loop itself is [`run_epochs`][fyslearn.optim.run_epochs], shared with the
linear models; this module supplies the mini-batch gradient and the per-epoch
history. The gradient of a step is computed in a
[`Workspace`][fyslearn.nn.training.Workspace] of arrays allocated once for
the largest batch: the batch is gathered from the data by its row indices,
and the forward pass, the output error and the backpropagation of the
network write into those arrays, so a step allocates (almost) nothing. The
gathered inputs carry a last column of ones, and the first kernel and bias
are read as one matrix $[W^1; b^1]$ ([`first_block`][fyslearn.nn.training.first_block]):
the bias trick, $[a^0\;1]\,[W^1; b^1] = a^0 W^1 + b^1$, so the first layer's
product adds its bias, and one product $[a^0\;1]^T\delta^1$ gives both of
its gradients.

All kernels and biases live in one flat array while training (each
`coefs_[l]` and `intercepts_[l]` is a view of a slice of it), and so do their
gradients, in the same layout. The optimizer then updates every parameter of
the network with one numpy call (three with momentum), however many layers
it has: on small networks the per-call overhead of numpy, not the
arithmetic, is what a step costs. For the same reason the penalty's gradient
(D2) is added to the flat gradient in one operation, with each parameter's
own $\alpha$ (zero on the biases).

The same functions train a stack of $M$ networks
([`FeedForwardNetwork.stack`][fyslearn.nn.network.FeedForwardNetwork.stack]):
the learning rates and momenta become flat arrays holding each network's own
value on its parameters, each network may shuffle with its own generator, and
each stops on its own when it diverges. When all generators are in the same
state, the networks share one shuffling order, hence one mini-batch, and the
first layer of all of them is a single matrix product.

History, per epoch, as Keras and scikit-learn record it: the training loss is
the mean of the mini-batch losses seen during the epoch (no extra pass over
the data), plus the L2 term at the end of the epoch; validation scores come
from one forward pass over the validation set after the epoch.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..optim import Outcome, make_optimizer, run_epochs, shuffled_orders
from ..penalties import penalty_gradient
from .activations import Linear
from .diagnostics import LayerStatistics, check_diagnostics
from .network import FeedForwardNetwork

__all__ = [
    "TrainingResult",
    "Workspace",
    "first_block",
    "pack_parameters",
    "parameter_views",
    "penalty_strengths",
    "predicted_classes",
    "score_network",
    "train_network",
]

CHUNK_ELEMENTS = 2**18
"""Numbers per activation array while scoring a whole data set: bounds the memory of a forward
pass and keeps the activations of a stack in the CPU cache.
"""


def parameter_views(flat: np.ndarray, network: FeedForwardNetwork) -> list[np.ndarray]:
    """Views of `flat` shaped as the network's parameters, in the order `W¹, b¹, W², b², …`.

    For one network the shapes are `(n_in, n_out)` and `(n_out,)`. For a stack
    they are `(M, n_in, n_out)` and `(M, 1, n_out)`, and the first kernels lie
    side by side in memory, as `(n_in, M, n_out)`, so that a mini-batch
    shared by all networks meets them in one matrix product.
    """
    n_models = network.n_models
    copies = n_models or 1
    views, start = [], 0
    for layer, (n_in, n_out) in enumerate(itertools.pairwise(network.layer_sizes)):
        kernel = flat[start : start + copies * n_in * n_out]
        start += kernel.size
        bias = flat[start : start + copies * n_out]
        start += bias.size
        if n_models is None:
            views += [kernel.reshape(n_in, n_out), bias]
        elif layer == 0:
            views += [kernel.reshape(n_in, n_models, n_out).transpose(1, 0, 2)]
            views += [bias.reshape(n_models, 1, n_out)]
        else:
            views += [kernel.reshape(n_models, n_in, n_out), bias.reshape(n_models, 1, n_out)]
    return views


def first_block(flat: np.ndarray, network: FeedForwardNetwork) -> np.ndarray:
    r"""The first kernel and bias as one array $[W^1; b^1]$, a view of `flat`.

    In the layout of [`parameter_views`][fyslearn.nn.training.parameter_views]
    the first kernel, `(n_in, n_1)`, is followed by the first bias, `(n_1,)`:
    together one `(n_in + 1, n_1)` matrix whose last row is the bias (the bias
    trick of [`forward`][fyslearn.nn.network.FeedForwardNetwork.forward]). For a
    stack the kernels lie as `(n_in, M, n_1)` and the biases as `(M, n_1)`, one
    `(n_in + 1, M, n_1)` block, returned as the stack `(M, n_in + 1, n_1)`.

    Args:
        flat: Parameters (or gradients) of a network or a stack, flat.
        network: The network or stack.

    Returns:
        A view of shape `(n_in + 1, n_1)`, or `(M, n_in + 1, n_1)` for a stack.
    """
    n_in, n_out = network.layer_sizes[:2]
    n_models = network.n_models or 1
    rows = flat[: (n_in + 1) * n_models * n_out]
    if network.n_models is None:
        return rows.reshape(n_in + 1, n_out)
    return rows.reshape(n_in + 1, n_models, n_out).transpose(1, 0, 2)


def _n_parameters(network: FeedForwardNetwork) -> int:
    sizes = network.layer_sizes
    return (network.n_models or 1) * sum((a + 1) * b for a, b in itertools.pairwise(sizes))


def pack_parameters(network: FeedForwardNetwork) -> np.ndarray:
    """Move the network's kernels and biases into one flat array and return it.

    `network.coefs_[l]` and `network.intercepts_[l]` become views of
    consecutive slices ([`parameter_views`][fyslearn.nn.training.parameter_views]),
    with unchanged values, so updating the flat array in place updates every layer.
    """
    flat = np.empty(_n_parameters(network), network.dtype)
    views = parameter_views(flat, network)
    for view, value in zip(views, _parameters_in_order(network), strict=True):
        view[...] = value
    network.coefs_[:], network.intercepts_[:] = views[0::2], views[1::2]
    return flat


def _finite_parameters(network: FeedForwardNetwork) -> bool | np.ndarray:
    """Whether every kernel and bias is finite: a bool, or one per network of a stack, `(M,)`."""
    arrays = _parameters_in_order(network)
    if network.n_models is None:
        return all(np.isfinite(array).all() for array in arrays)
    return np.logical_and.reduce(
        [np.isfinite(array).reshape(len(array), -1).all(axis=1) for array in arrays]
    )


def _parameters_in_order(network: FeedForwardNetwork) -> list[np.ndarray]:
    pairs = zip(network.coefs_, network.intercepts_, strict=True)
    return [parameter for pair in pairs for parameter in pair]


def per_model(network: FeedForwardNetwork, values: Sequence[float]) -> np.ndarray:
    """A flat array in the layout of [`pack_parameters`][fyslearn.nn.training.pack_parameters]
    holding `values[k]` on every parameter of network `k` of a stack."""
    flat = np.empty(_n_parameters(network), network.dtype)
    column = np.asarray(values, dtype=network.dtype).reshape(-1, 1, 1)
    for view in parameter_views(flat, network):
        view[...] = column
    return flat


def model_values(network: FeedForwardNetwork, flat: float | np.ndarray) -> float | np.ndarray:
    """The inverse of [`per_model`][fyslearn.nn.training.per_model]: each network's value.

    Args:
        network: One network or a stack.
        flat: A number, or a flat array holding one value per network of a stack.

    Returns:
        A float for a number, else a view of shape `(M, 1, 1)`.
    """
    if np.ndim(flat) == 0:
        return float(flat)
    first_bias = parameter_views(flat, network)[1]  # (M, 1, n_out), one value per row
    return first_bias[:, :, :1]


def penalty_strengths(network: FeedForwardNetwork) -> np.ndarray | None:
    r"""Each parameter's penalty strength $\alpha$, flat as in `pack_parameters`.

    $\alpha$ of its network on the kernels, and on the biases when they are
    penalised, zero elsewhere; `None` when no network has a penalty.
    """
    if not network._penalized():
        return None
    flat = np.zeros(_n_parameters(network), network.dtype)
    views = parameter_views(flat, network)
    for view in network.penalized_arrays(views[0::2], views[1::2]):
        view[...] = network.alpha
    return flat


class Workspace:
    """Preallocated arrays for the mini-batch gradient of one network or of a stack.

    Creating a workspace packs the network's parameters into one flat array,
    `params` ([`pack_parameters`][fyslearn.nn.training.pack_parameters]).

    Args:
        network: The network (or stack) to differentiate.
        batch_size: The largest batch; a smaller last batch uses the leading rows.
        shared_batch: For a stack: all networks read the same rows (one
            shuffling order); otherwise each network reads its own.
        track_accuracy: Also count correct predictions (argmax) during the epoch.
    """

    def __init__(
        self,
        network: FeedForwardNetwork,
        batch_size: int,
        shared_batch: bool = True,
        track_accuracy: bool = False,
    ) -> None:
        dtype, sizes, n_models = network.dtype, network.layer_sizes, network.n_models
        self.network, self.batch_size = network, batch_size
        rows = (batch_size,) if shared_batch or n_models is None else (n_models, batch_size)
        # the inputs carry a last column of ones: the bias trick of the first layer
        self.x = np.ones((*rows, sizes[0] + 1), dtype)
        self._x_inputs = self.x[..., : sizes[0]]  # where the gathered inputs go
        self.y = np.empty((*rows, sizes[-1]), dtype)
        if n_models is None:
            self.z, self.a, self.delta = (
                [np.empty((batch_size, n), dtype) for n in sizes[1:]] for _ in range(3)
            )
        else:
            self.z, self.a, self.delta = (
                [np.empty((n_models, batch_size, n), dtype) for n in sizes[1:]] for _ in range(3)
            )
            if shared_batch:
                # the first layer's products are wide, (m, M, n) in memory; its activations
                # lie the same way, so that element-wise steps walk all three in one order
                wide = (batch_size, n_models, sizes[1])
                self.z[0], self.a[0], self.delta[0] = (
                    np.empty(wide, dtype).transpose(1, 0, 2) for _ in range(3)
                )
        if isinstance(network.activations[-1], Linear):
            self.a[-1] = self.z[-1]  # the identity output: a^L is z^L, no copy
        # the parameters and their gradients in the flat layout of pack_parameters
        self.params = pack_parameters(network)
        self.flat_grad = np.empty_like(self.params)
        views = parameter_views(self.flat_grad, network)
        self.coef_grads, self.intercept_grads = views[0::2], views[1::2]
        self.first_block = first_block(self.params, network)
        self.first_block_grad = first_block(self.flat_grad, network)
        self._full_views = (self.z, self.a, self.delta)
        self.track_accuracy = track_accuracy
        # the penalty: each parameter's α, times the gradient's scale (cached per scale)
        self._strengths = penalty_strengths(network)
        self._penalty_work = None if self._strengths is None else np.empty_like(self.params)
        self._set_scale(1.0)
        self.reset()

    def reset(self) -> None:
        """Start a new epoch's running totals."""
        self.loss_sum, self.correct, self.seen = 0.0, 0, 0

    def gradients(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        rows: np.ndarray,
        scale: float | np.ndarray = 1.0,
    ) -> list[np.ndarray]:
        r"""Gradient of the cost over `X[rows]` (mean loss + penalty), flat as in `pack_parameters`.

        Args:
            X: All training inputs, shape `(n, n_in)`.
            Y: All training targets, shape `(n, n_out)`.
            rows: The batch's row indices, shape `(m,)`, or `(M, m)` for a stack
                whose networks read their own rows.
            scale: A factor for the gradient: a number, or a flat array holding
                each network's factor on its parameters (as the learning rate of
                a stack's optimizer); plain SGD passes its learning rate and
                receives the step $\eta g$.

        Returns:
            The flat gradient (times `scale`), in a list as the optimizers take it.
        """
        m, network = rows.shape[-1], self.network
        # gather the mini-batch; the rows come from a permutation, so they are valid, and
        # mode="clip" spares the check that makes take(mode="raise") copy its output twice
        x, x_inputs, y = (self.x, self._x_inputs, self.y) if m == self.batch_size else self._rows(m)
        X.take(rows, axis=0, out=x_inputs, mode="clip")  # the column of ones stays
        Y.take(rows, axis=0, out=y, mode="clip")
        z_out, a_out, delta_out = self._views(m)
        zs, activations = network.forward(x, z_out, a_out, self.first_block)
        output = activations[-1]
        if self.track_accuracy:
            self.correct += count_correct(output, y)
        if scale is not self._scale:
            self._set_scale(scale)
        loss, delta = network.loss_and_output_error(
            y, zs[-1], output, out=delta_out[-1], scale=self._delta_scale
        )
        self.loss_sum += loss * m
        self.seen += m
        network.backward(
            zs,
            activations,
            delta,
            delta_out,
            self.coef_grads,
            self.intercept_grads,
            self.first_block_grad,
        )
        if self._strengths is not None:  # D2, every layer (and network) in one operation
            self.flat_grad += penalty_gradient(
                self.params, self._scaled_strengths, network.penalty_kind, out=self._penalty_work
            )
        return [self.flat_grad]

    def _set_scale(self, scale: float | np.ndarray) -> None:
        """Remember `scale` as the factor of the output error and of the penalty strengths."""
        self._scale = scale
        self._delta_scale = model_values(self.network, scale)
        if self._strengths is not None:
            self._scaled_strengths = self._strengths * scale

    def _rows(self, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The first `m` rows of the input buffer, its inputs' columns, and the targets'."""
        return self.x[..., :m, :], self._x_inputs[..., :m, :], self.y[..., :m, :]

    def _views(self, m: int) -> tuple[list[np.ndarray], ...]:
        """The first `m` rows of every buffer (cached for the full batch size)."""
        if m == self.batch_size:
            return self._full_views
        return tuple([buffer[..., :m, :] for buffer in buffers] for buffers in self._full_views)


def predicted_classes(output: np.ndarray) -> np.ndarray:
    r"""The class index of each row: its largest output; with one output, $a = P(y = 1)$,
    class 1 where $a > 1/2$.

    Args:
        output: Network outputs, shape `(m, K)` or `(M, m, K)`; one-hot or 0/1
            targets give their own class.

    Returns:
        Integer indices, shape `(m,)` or `(M, m)`.
    """
    if output.shape[-1] == 1:
        return (output[..., 0] > 0.5).astype(np.intp)
    return output.argmax(axis=-1)


def count_correct(output: np.ndarray, Y: np.ndarray) -> int | np.ndarray:
    """Correctly classified rows (per network of a stack): the predicted class is the target's.

    Args:
        output: Network outputs, shape `(m, K)` or `(M, m, K)`.
        Y: Targets, one-hot `(m, K)` or 0/1 `(m, 1)`, or with the stack's leading axis.

    Returns:
        The count, an int, or shape `(M,)` for a stack.
    """
    hits = np.count_nonzero(predicted_classes(output) == predicted_classes(Y), axis=-1)
    return hits if output.ndim == 3 else int(hits)


def score_network(
    network: FeedForwardNetwork, X: np.ndarray, Y: np.ndarray, accuracy: bool = False
) -> dict[str, float | np.ndarray]:
    """Data loss, cost (with the penalty) and, for a classifier, accuracy on a whole data set.

    Args:
        network: One network or a stack.
        X: Inputs, shape `(n, n_in)`.
        Y: Targets, shape `(n, n_out)`.
        accuracy: Also score the accuracy ([`count_correct`][fyslearn.nn.training.count_correct]).

    Returns:
        `"data_loss"`, `"loss"` and (with `accuracy`) `"accuracy"`: floats,
        or arrays of shape `(M,)` for a stack.
    """
    widest = max(network.layer_sizes[1:]) * (network.n_models or 1)
    chunk = max(1, CHUNK_ELEMENTS // widest)
    loss_sum, correct = 0.0, 0
    for start in range(0, len(X), chunk):
        x, y = X[start : start + chunk], Y[start : start + chunk]
        zs, activations = network.forward(x)
        output = activations[-1]
        loss_sum = loss_sum + network.data_loss(y, zs[-1], output) * len(x)
        if accuracy:
            correct = correct + count_correct(output, y)
    data_loss = loss_sum / len(X)
    scores = {"data_loss": data_loss, "loss": data_loss + network.penalty()}
    if accuracy:
        scores["accuracy"] = correct / len(X)
    return scores


@dataclass
class TrainingResult:
    """What training did to one network.

    Attributes:
        history: Per-epoch arrays (see [`train_network`][fyslearn.nn.training.train_network]),
            cut at the divergence if there was one.
        outcome: How training ended (diverged, restored, or all epochs).
        diagnostics: Per-layer statistics ([`fyslearn.nn.diagnostics`][fyslearn.nn.diagnostics]),
            one array of shape `(epochs, n_layers)` per requested name.
    """

    history: dict[str, np.ndarray]
    outcome: Outcome
    diagnostics: dict[str, np.ndarray] = field(default_factory=dict)


class _StackSnapshots:
    """Saves and restores network `k`'s slice of a stack's parameters."""

    def __init__(self, network: FeedForwardNetwork) -> None:
        self.network = network

    def save(self, k: int) -> list[np.ndarray]:
        return [p[k].copy() for p in _parameters_in_order(self.network)]

    def load(self, k: int, saved: list[np.ndarray]) -> None:
        for parameter, value in zip(_parameters_in_order(self.network), saved, strict=True):
            parameter[k] = value


def _per_model_setting(value: object, n_models: int | None, name: str) -> list:
    """One value per network: a single value is repeated."""
    values = list(value) if isinstance(value, (list, tuple, np.ndarray)) else [value]
    count = n_models or 1
    if len(values) == 1:
        values = values * count
    if len(values) != count:
        raise ValueError(f"{name} needs one value per network ({count}), got {len(values)}.")
    return values


def train_network(
    network: FeedForwardNetwork,
    X: np.ndarray,
    Y: np.ndarray,
    *,
    learning_rate: float | Sequence[float],
    batch_size: int,
    epochs: int,
    rng: np.random.Generator | Sequence[np.random.Generator],
    momentum: float | Sequence[float] = 0.0,
    schedule: str = "constant",
    solver: str = "sgd",
    solver_settings: dict[str, float | Sequence[float]] | None = None,
    validation: tuple[np.ndarray, np.ndarray] | None = None,
    track_accuracy: bool = False,
    verbose: int = 0,
    restore_best: bool | Sequence[bool] = False,
    description: str = "training",
    on_epoch_end: Callable[[int, dict[str, list]], None] | None = None,
    diagnostics: Sequence[str] = (),
) -> list[TrainingResult]:
    r"""Train `network` (or a stack of networks) in place by mini-batch SGD.

    Args:
        network: Trained in place, starting from its current weights.
        X: Inputs, shape `(n, n_in)`, in the network's dtype.
        Y: Targets, shape `(n, n_out)`, in the network's dtype (one-hot for classification).
        learning_rate: Initial learning rate of SGD (for a stack: one, or one per network).
        batch_size: Rows per mini-batch (larger than `n`: full batch).
        epochs: Passes over the data.
        rng: Source of the shuffling order (one permutation per epoch); for a
            stack one generator per network (or one for all).
        momentum: Momentum of the update (D9); for a stack one, or one per network.
        schedule: A name of [`SCHEDULES`][fyslearn.optim.SCHEDULES]: `"constant"`,
            `"inverse"` (D10), `"invscaling"` or `"step"`.
        solver: A name of [`SOLVERS`][fyslearn.optim.SOLVERS]: `"sgd"` (the report's),
            `"adagrad"`, `"rmsprop"` or `"adam"`.
        solver_settings: Further settings of
            [`make_optimizer`][fyslearn.optim.make_optimizer] (`rho`, `beta_1`,
            `beta_2`, `epsilon`, `power_t`, ...); each one value, or one per network.
        validation: `(X_val, Y_val)` scored after every epoch.
        track_accuracy: Record the accuracy (classification).
        verbose: Progress bar when > 0.
        restore_best: On divergence keep the best epoch's weights (one, or one per network).
        description: Label of the progress bar.
        on_epoch_end: Called as `on_epoch_end(epoch, history)` after each epoch,
            with the lists of per-epoch values recorded so far.
        diagnostics: Per-layer statistics to record after each epoch, names
            from [`DIAGNOSTICS`][fyslearn.nn.diagnostics.DIAGNOSTICS].

    Returns:
        One [`TrainingResult`][fyslearn.nn.training.TrainingResult] per network
        (one for a single network). Its history holds per-epoch arrays:
        `"loss"` (cost with L2), `"data_loss"`, `"accuracy"` if tracked, and
        `"val_loss"`, `"val_data_loss"`, `"val_accuracy"` with validation data.
        A network that diverged has an outcome saying so, and its weights are
        not meaningful unless restored.
    """
    n_models = network.n_models
    rngs = _per_model_setting(rng, n_models, "rng")
    batch_order, shared = shuffled_orders(rngs, len(X))
    batch = min(batch_size, len(X))
    workspace = Workspace(network, batch, shared, track_accuracy)
    flat = workspace.params
    settings = {"momentum": momentum, **(solver_settings or {})}
    values = {
        name: _per_model_setting(value, n_models, name)
        for name, value in {"learning_rate": learning_rate, **settings}.items()
    }
    if n_models is None:  # one network: plain numbers
        values = {name: value[0] for name, value in values.items()}
    else:  # each network's value on its own parameters, in the flat layout
        values = {name: per_model(network, value) for name, value in values.items()}
    optimizer = make_optimizer(
        solver,
        [flat],
        values.pop("learning_rate"),
        schedule=schedule,
        **values,
    )
    history: dict[str, list] = {"loss": [], "data_loss": []}
    statistics = LayerStatistics(network, X, Y, check_diagnostics(diagnostics))
    restore = _per_model_setting(restore_best, n_models, "restore_best")
    # the scale of the explosion check, measured on the first batch's worth of rows
    initial_loss = score_network(network, X[:batch], Y[:batch])["loss"]

    def judged_loss(epoch_loss: float | np.ndarray) -> float | np.ndarray:
        """The loss `run_epochs` judges divergence by, and ranks saved parameters by.

        The epoch's loss is measured before each of its updates, so it cannot
        see the last ones: a network whose parameters are no longer finite is
        judged by a NaN loss. A network whose best epoch may be restored is
        judged by the loss at the parameters the epoch ends with (one more
        forward pass over the training data), the parameters that are saved.
        """
        loss = np.where(_finite_parameters(network), epoch_loss, np.nan)
        if any(restore):
            at_end = score_network(network, X, Y)["loss"]
            loss = np.where(restore if n_models else restore[0], at_end, loss)
        return loss if n_models else float(loss)

    def evaluate(epoch: int) -> dict[str, float | np.ndarray]:
        data_loss = workspace.loss_sum / workspace.seen
        history["data_loss"].append(data_loss)
        history["loss"].append(data_loss + network.penalty())
        if track_accuracy:
            history.setdefault("accuracy", []).append(workspace.correct / workspace.seen)
        workspace.reset()
        if validation is not None:
            for key, value in score_network(network, *validation, track_accuracy).items():
                history.setdefault(f"val_{key}", []).append(value)
        if statistics.names:
            statistics(epoch)
        if on_epoch_end is not None:
            on_epoch_end(epoch, history)
        return {"loss": judged_loss(history["loss"][-1])}

    def batch_gradients(rows: np.ndarray) -> list[np.ndarray]:
        return workspace.gradients(X, Y, rows)

    outcomes = run_epochs(
        optimizer,
        batch_gradients,
        n_samples=len(X),
        batch_size=batch,
        epochs=epochs,
        evaluate=evaluate,
        verbose=verbose,
        restore_best=restore,
        description=description,
        batch_order=batch_order,
        snapshots=None if n_models is None else _StackSnapshots(network),
        initial_loss=initial_loss,
    )
    return [
        TrainingResult(
            _history_of(history, k, n_models, outcome.epochs),
            outcome,
            statistics.arrays(None if n_models is None else k, outcome.epochs),
        )
        for k, outcome in enumerate(outcomes)
    ]


def _history_of(
    history: dict[str, list], k: int, n_models: int | None, epochs: int
) -> dict[str, np.ndarray]:
    """Network `k`'s per-epoch values, its first `epochs` epochs."""
    if n_models is None:
        return {key: np.asarray(values[:epochs], dtype=float) for key, values in history.items()}
    return {
        key: np.asarray([value[k] for value in values[:epochs]], dtype=float)
        for key, values in history.items()
    }

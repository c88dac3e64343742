r"""Training a [`FeedForwardNetwork`][fyslearn.nn.network.FeedForwardNetwork] by mini-batch SGD.

The loop itself is [`run_epochs`][fyslearn.optim.run_epochs], shared with the
linear models; this module supplies what a network adds to it: the gradient
of a mini-batch and the per-epoch history. One step reads as the derivation:

```python
zs, a = network.forward(x)                                # z^l, a^l
delta = network.output_error(y, zs[-1], a[-1])            # δ^L (D3)
coef_grads, intercept_grads = network.backward(zs, a, delta)  # D4, D5
network.add_penalty_gradients(coef_grads, intercept_grads)    # D2
optimizer.step(coef_grads + intercept_grads)              # θ ← θ − η g (D9)
```

([`Trainer.gradients`][fyslearn.nn.training.Trainer.gradients] is the first
four lines; `run_epochs` calls it and then the optimizer.) The optimizer
holds the network's own per-layer arrays, `coefs_ + intercepts_`, and
updates them in place.

The same lines train a stack of $M$ networks
([`FeedForwardNetwork.stack`][fyslearn.nn.network.FeedForwardNetwork.stack]):
each network's learning rate, momentum and other settings become `(M, 1, 1)`
arrays that broadcast against its kernels and biases, each network may
shuffle with its own generator, and each stops on its own when it diverges.
When all generators are in the same state, the networks share one shuffling
order, hence one mini-batch, which `@` broadcasts over the stack.

History, per epoch, as Keras and scikit-learn record it: the training loss is
the mean of the mini-batch losses seen during the epoch (no extra pass over
the data), plus the penalty at the end of the epoch; validation scores come
from one forward pass over the validation set after the epoch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .._validation import check_option
from ..optim import Outcome, make_optimizer, run_epochs, shuffled_orders
from .diagnostics import LayerStatistics, check_diagnostics
from .network import FeedForwardNetwork

__all__ = [
    "Trainer",
    "TrainingResult",
    "TrainingSettings",
    "count_correct",
    "predicted_classes",
    "score_network",
    "train_network",
]

CHUNK_ELEMENTS = 2**18
"""Numbers per layer output while scoring a whole data set: bounds the memory of a forward
pass and keeps the outputs of a stack in the CPU cache.
"""


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
        zs, a = network.forward(x)
        output = a[-1]
        loss_sum = loss_sum + network.data_loss(y, zs[-1], output) * len(x)
        if accuracy:
            correct = correct + count_correct(output, y)
    data_loss = loss_sum / len(X)
    scores = {"data_loss": data_loss, "loss": data_loss + network.penalty_value()}
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


@dataclass
class TrainingSettings:
    r"""How to train: the settings of [`train_network`][fyslearn.nn.training.train_network].

    The optimizer's settings (`learning_rate`, `momentum`, `solver_settings`'
    values) and `on_divergence` may each be one value, or, for a stack, one
    value per network.

    Attributes:
        learning_rate: Initial learning rate $\eta_0$ of the solver.
        batch_size: Rows per mini-batch (larger than `n`: full batch).
        epochs: Passes over the data.
        momentum: Momentum $\omega$ of the update (D9).
        schedule: A name of [`SCHEDULES`][fyslearn.optim.SCHEDULES]: `"constant"`,
            `"inverse"` (D10), `"invscaling"` or `"step"`.
        solver: A name of [`SOLVERS`][fyslearn.optim.SOLVERS]: `"sgd"` (the report's),
            `"adagrad"`, `"rmsprop"` or `"adam"`.
        solver_settings: Further settings of
            [`make_optimizer`][fyslearn.optim.make_optimizer] (`rho`, `beta_1`,
            `beta_2`, `epsilon`, `power_t`, ...).
        on_divergence: `"raise"` (the outcome says it diverged) or `"restore"`
            (keep the weights of the best epoch), as the estimators' parameter.
        track_accuracy: Record the accuracy (classification).
        diagnostics: Per-layer statistics to record after each epoch, names
            from [`DIAGNOSTICS`][fyslearn.nn.diagnostics.DIAGNOSTICS].
        verbose: Progress bar when > 0.
        description: Label of the progress bar.
    """

    learning_rate: float | Sequence[float]
    batch_size: int
    epochs: int
    momentum: float | Sequence[float] = 0.0
    schedule: str = "constant"
    solver: str = "sgd"
    solver_settings: dict[str, float | Sequence[float]] = field(default_factory=dict)
    on_divergence: str | Sequence[str] = "raise"
    track_accuracy: bool = False
    diagnostics: Sequence[str] = ()
    verbose: int = 0
    description: str = "training"


def _per_model(value: object, n_models: int | None, name: str) -> list:
    """One value per network: a single value is repeated."""
    values = list(value) if isinstance(value, (list, tuple, np.ndarray)) else [value]
    count = n_models or 1
    if len(values) == 1:
        values = values * count
    if len(values) != count:
        raise ValueError(f"{name} needs one value per network ({count}), got {len(values)}.")
    return values


def _setting(network: FeedForwardNetwork, value: object, name: str) -> float | np.ndarray:
    """A setting as the optimizer takes it: a float, or `(M, 1, 1)`, one value per network."""
    values = _per_model(value, network.n_models, name)
    if network.n_models is None:
        return values[0]
    return np.asarray(values, dtype=network.dtype).reshape(-1, 1, 1)


class _StackSnapshots:
    """Saves and restores network `k`'s slice of a stack's parameters."""

    def __init__(self, params: list[np.ndarray]) -> None:
        self.params = params

    def save(self, k: int) -> list[np.ndarray]:
        return [p[k].copy() for p in self.params]

    def load(self, k: int, saved: list[np.ndarray]) -> None:
        for param, value in zip(self.params, saved, strict=True):
            param[k] = value


class Trainer:
    """The mini-batch gradient and the per-epoch record of one network (or stack) in training.

    [`run_epochs`][fyslearn.optim.run_epochs] calls
    [`gradients`][fyslearn.nn.training.Trainer.gradients] for every mini-batch
    and [`evaluate`][fyslearn.nn.training.Trainer.evaluate] after every epoch.

    Args:
        network: The network (or stack) to train, in place.
        X: Inputs, shape `(n, n_in)`, in the network's dtype.
        Y: Targets, shape `(n, n_out)`, in the network's dtype.
        settings: How to train.
        validation_data: `(X_val, Y_val)` scored after every epoch, or `None`.
        on_epoch_end: Called as `on_epoch_end(epoch, history)` after each epoch.

    Attributes:
        history: The per-epoch values recorded so far, lists by name.
        restore: Per network, whether its best epoch is restored on divergence.
    """

    def __init__(
        self,
        network: FeedForwardNetwork,
        X: np.ndarray,
        Y: np.ndarray,
        settings: TrainingSettings,
        validation_data: tuple[np.ndarray, np.ndarray] | None = None,
        on_epoch_end: Callable[[int, dict[str, list]], None] | None = None,
    ) -> None:
        self.network, self.X, self.Y, self.settings = network, X, Y, settings
        self.validation_data, self.on_epoch_end = validation_data, on_epoch_end
        on_divergence = _per_model(settings.on_divergence, network.n_models, "on_divergence")
        self.restore = [
            check_option(value, "on_divergence", ("raise", "restore")) == "restore"
            for value in on_divergence
        ]
        self.statistics = LayerStatistics(network, X, Y, check_diagnostics(settings.diagnostics))
        self.history: dict[str, list] = {"loss": [], "data_loss": []}
        self._start_epoch()

    def _start_epoch(self) -> None:
        self.loss_sum, self.correct, self.seen = 0.0, 0, 0

    def gradients(self, rows: np.ndarray) -> list[np.ndarray]:
        """The cost's gradient over the mini-batch `X[rows]`: kernels, then biases.

        Args:
            rows: Row indices, shape `(m,)`, or `(M, m)` for a stack whose
                networks read their own rows.

        Returns:
            `coef_grads + intercept_grads`, in the order of the optimizer's parameters.
        """
        network = self.network
        x, y = self.X.take(rows, axis=0), self.Y.take(rows, axis=0)  # X[rows], Y[rows]
        zs, a = network.forward(x)  # z^l, a^l
        delta = network.output_error(y, zs[-1], a[-1])  # δ^L  (D3)
        coef_grads, intercept_grads = network.backward(zs, a, delta)  # D4, D5
        network.add_penalty_gradients(coef_grads, intercept_grads)  # D2
        self._record_batch(y, zs[-1], a[-1])
        return coef_grads + intercept_grads

    def _record_batch(self, y: np.ndarray, z: np.ndarray, output: np.ndarray) -> None:
        """Add the batch's loss (and correct predictions) to the epoch's running totals."""
        m = y.shape[-2]
        self.loss_sum = self.loss_sum + self.network.data_loss(y, z, output) * m
        self.seen += m
        if self.settings.track_accuracy:
            self.correct = self.correct + count_correct(output, y)

    def evaluate(self, epoch: int) -> dict[str, float | np.ndarray]:
        """Record the epoch's history; return the loss `run_epochs` judges the epoch by."""
        network, history = self.network, self.history
        data_loss = self.loss_sum / self.seen
        history["data_loss"].append(data_loss)
        history["loss"].append(data_loss + network.penalty_value())
        if self.settings.track_accuracy:
            history.setdefault("accuracy", []).append(self.correct / self.seen)
        self._start_epoch()
        if self.validation_data is not None:
            scores = score_network(network, *self.validation_data, self.settings.track_accuracy)
            for key, value in scores.items():
                history.setdefault(f"val_{key}", []).append(value)
        if self.statistics.names:
            self.statistics(epoch)
        if self.on_epoch_end is not None:
            self.on_epoch_end(epoch, history)
        return {"loss": self._judged_loss(history["loss"][-1])}

    def _judged_loss(self, epoch_loss: float | np.ndarray) -> float | np.ndarray:
        """The loss `run_epochs` judges divergence by, and ranks saved parameters by.

        The epoch's loss is measured before each of its updates, so it cannot
        see the last ones: a network whose parameters are no longer finite is
        judged by a NaN loss. A network whose best epoch may be restored is
        judged by the loss at the parameters the epoch ends with (one more
        forward pass over the training data), the parameters that are saved.
        """
        network = self.network
        judged = np.where(_finite_parameters(network), epoch_loss, np.nan)
        if any(self.restore):
            at_end = score_network(network, self.X, self.Y)["loss"]
            judged = np.where(self.restore if network.n_models else self.restore[0], at_end, judged)
        return judged if network.n_models else float(judged)

    def results(self, outcomes: list[Outcome]) -> list[TrainingResult]:
        """One [`TrainingResult`][fyslearn.nn.training.TrainingResult] per network."""
        n_models = self.network.n_models
        return [
            TrainingResult(
                _history_of(self.history, k, n_models, outcome.epochs),
                outcome,
                self.statistics.arrays(None if n_models is None else k, outcome.epochs),
            )
            for k, outcome in enumerate(outcomes)
        ]


def train_network(
    network: FeedForwardNetwork,
    X: np.ndarray,
    Y: np.ndarray,
    settings: TrainingSettings,
    rng: np.random.Generator | Sequence[np.random.Generator],
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    on_epoch_end: Callable[[int, dict[str, list]], None] | None = None,
) -> list[TrainingResult]:
    r"""Train `network` (or a stack of networks) in place by mini-batch SGD.

    Args:
        network: Trained in place, starting from its current weights.
        X: Inputs, shape `(n, n_in)`, in the network's dtype.
        Y: Targets, shape `(n, n_out)`, in the network's dtype (one-hot for classification).
        settings: How to train ([`TrainingSettings`][fyslearn.nn.training.TrainingSettings]).
        rng: Source of the shuffling order (one permutation per epoch); for a
            stack one generator per network (or one for all).
        validation_data: `(X_val, Y_val)` scored after every epoch.
        on_epoch_end: Called as `on_epoch_end(epoch, history)` after each epoch,
            with the lists of per-epoch values recorded so far.

    Returns:
        One [`TrainingResult`][fyslearn.nn.training.TrainingResult] per network
        (one for a single network). Its history holds per-epoch arrays:
        `"loss"` (the cost, with the penalty), `"data_loss"`, `"accuracy"` if
        tracked, and `"val_loss"`, `"val_data_loss"`, `"val_accuracy"` with
        validation data. A network that diverged has an outcome saying so, and
        its weights are not meaningful unless restored.
    """
    trainer = Trainer(network, X, Y, settings, validation_data, on_epoch_end)
    params = network.coefs_ + network.intercepts_  # the optimizer updates these arrays
    per_model = {"momentum": settings.momentum, **settings.solver_settings}
    optimizer = make_optimizer(
        settings.solver,
        params,
        _setting(network, settings.learning_rate, "learning_rate"),
        schedule=settings.schedule,
        **{name: _setting(network, value, name) for name, value in per_model.items()},
    )
    batch_order, _ = shuffled_orders(_per_model(rng, network.n_models, "rng"), len(X))
    batch_size = min(settings.batch_size, len(X))
    outcomes = run_epochs(
        optimizer,
        trainer.gradients,
        n_samples=len(X),
        batch_size=batch_size,
        epochs=settings.epochs,
        evaluate=trainer.evaluate,
        verbose=settings.verbose,
        restore_best=trainer.restore,
        description=settings.description,
        batch_order=batch_order,
        snapshots=None if network.n_models is None else _StackSnapshots(params),
        # the scale of the explosion check, measured on the first batch's worth of rows
        initial_loss=score_network(network, X[:batch_size], Y[:batch_size])["loss"],
    )
    return trainer.results(outcomes)


def _finite_parameters(network: FeedForwardNetwork) -> bool | np.ndarray:
    """Whether every kernel and bias is finite: a bool, or one per network of a stack, `(M,)`."""
    arrays = network.coefs_ + network.intercepts_
    if network.n_models is None:
        return all(np.isfinite(array).all() for array in arrays)
    return np.logical_and.reduce(
        [np.isfinite(array).reshape(len(array), -1).all(axis=1) for array in arrays]
    )


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

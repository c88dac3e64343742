r"""Mini-batch stochastic gradient descent, shared by every model in fyslearn.

One update rule, two learning-rate schedules and one training loop live here;
:class:`~fyslearn.linear_model.SGDRegressor` and the neural networks of
:mod:`fyslearn.nn` only supply the gradient of a mini-batch.

The update with momentum is the report's D9,

.. math::

    v \leftarrow \omega v + \eta \nabla_\theta C, \qquad \theta \leftarrow \theta - v,

which with :math:`\omega = 0` is plain SGD, :math:`\theta \leftarrow \theta - \eta\nabla C`.
The decaying schedule is D10, :math:`\eta(e) = \eta_0 / (e\,m + 1)` with epoch
:math:`e = 0, 1, \dots` and :math:`m` mini-batches per epoch; it is constant
within an epoch.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from tqdm.auto import tqdm

from ._validation import check_non_negative_float, check_option, check_positive_float

__all__ = [
    "SCHEDULES",
    "SGD",
    "DivergenceError",
    "DivergenceWarning",
    "Outcome",
    "ParameterSnapshots",
    "constant_rate",
    "has_diverged",
    "inverse_decay",
    "run_epochs",
    "shuffled_orders",
]


def constant_rate(eta0: float, epoch: int, n_batches: int) -> float:
    r"""The constant schedule, :math:`\eta(e) = \eta_0`."""
    return eta0


def inverse_decay(eta0: float, epoch: int, n_batches: int) -> float:
    r"""The report's decay (D10), :math:`\eta(e) = \eta_0 / (e\,m + 1)`."""
    return eta0 / (epoch * n_batches + 1)


SCHEDULES: dict[str, Callable[[float, int, int], float]] = {
    "constant": constant_rate,
    "inverse": inverse_decay,
}


class DivergenceError(ArithmeticError, ValueError):
    """Training produced a non-finite loss; the model is not returned as fitted."""


class DivergenceWarning(RuntimeWarning):
    """Training diverged and the best finite parameters were restored."""


class SGD:
    r"""Stochastic gradient descent with momentum (D9), updating arrays in place.

    Args:
        params: The arrays to optimise; they are modified in place.
        learning_rate: Initial learning rate :math:`\eta_0 > 0`.
        momentum: Momentum :math:`\omega \in [0, 1)`; 0 gives plain SGD.
        schedule: ``"constant"`` or ``"inverse"`` (D10).
    """

    def __init__(
        self,
        params: Sequence[np.ndarray],
        learning_rate: float | np.ndarray,
        momentum: float | np.ndarray = 0.0,
        schedule: str = "constant",
    ) -> None:
        self.params = list(params)
        self.learning_rate = _check_setting(learning_rate, "learning_rate", positive=True)
        self.momentum = _check_setting(momentum, "momentum", upper=1.0)
        self.schedule = check_option(schedule, "schedule", SCHEDULES)
        has_momentum = bool(np.any(self.momentum))
        self.velocities = [np.zeros_like(p) for p in self.params] if has_momentum else None
        self.current_rate = self.learning_rate

    def start_epoch(self, epoch: int, n_batches: int) -> float:
        """Set and return the learning rate of epoch ``epoch`` (counted from 0)."""
        self.current_rate = SCHEDULES[self.schedule](self.learning_rate, epoch, n_batches)
        return self.current_rate

    def step(self, grads: Sequence[np.ndarray]) -> None:
        r"""Apply one update. ``grads`` are scratch buffers: they are scaled in place by η."""
        eta = self.current_rate
        if self.velocities is None:
            for param, grad in zip(self.params, grads, strict=True):
                grad *= eta  # θ ← θ − η ∇C, without a temporary array
                param -= grad
            return
        for param, grad, velocity in zip(self.params, grads, self.velocities, strict=True):
            velocity *= self.momentum  # v ← ω v + η ∇C
            grad *= eta
            velocity += grad
            param -= velocity  # θ ← θ − v


@dataclass
class Outcome:
    """How the training of one model ended, as [`run_epochs`][fyslearn.optim.run_epochs] saw it.

    Attributes:
        epochs: Epochs whose results count: all of them, or up to the divergence
            (the diverging epoch included when it raises, excluded when restored).
        diverged_epoch: The epoch (from 0) whose loss was not finite or exploded, or `None`.
        diverged_loss: That loss.
        restored_loss: With `restore_best`, the loss of the restored best epoch.
    """

    epochs: int
    diverged_epoch: int | None = None
    diverged_loss: float = math.nan
    restored_loss: float | None = None

    def error(self, learning_rate: float, total_epochs: int) -> DivergenceError | None:
        """The [`DivergenceError`][fyslearn.optim.DivergenceError] to raise, or `None`."""
        if self.diverged_epoch is None or self.restored_loss is not None:
            return None
        return DivergenceError(
            f"Training diverged: the loss became {self.diverged_loss:g} in epoch "
            f"{self.diverged_epoch + 1} of {total_epochs} (learning_rate={learning_rate:g}). "
            f"Try a smaller learning_rate, e.g. {learning_rate / 10:g}."
        )

    def warning(self) -> str | None:
        """The message of the [`DivergenceWarning`][fyslearn.optim.DivergenceWarning], or `None`."""
        if self.restored_loss is None:
            return None
        return (
            f"Training diverged in epoch {self.diverged_epoch + 1}; restored the parameters "
            f"of the best epoch (loss {self.restored_loss:.4g}). Use a smaller learning_rate "
            "to train further."
        )


#: A loss this many times above the first epoch's (or above 1) counts as divergence:
#: SGD whose loss grows by ten orders of magnitude is not converging, even while finite.
EXPLOSION_FACTOR = 1e10


def has_diverged(loss: float, first_loss: float) -> bool:
    """Whether an epoch's `loss` is NaN, infinite, or exploded relative to `first_loss`."""
    if not math.isfinite(loss):
        return True
    return loss > EXPLOSION_FACTOR * max(first_loss, 1.0)


class ParameterSnapshots:
    """Saves and restores one model's parameters: the default for a single model."""

    def __init__(self, params: Sequence[np.ndarray]) -> None:
        self.params = list(params)

    def save(self, model: int) -> list[np.ndarray]:
        """Copies of the parameters."""
        return [param.copy() for param in self.params]

    def load(self, model: int, saved: list[np.ndarray]) -> None:
        """Put saved copies back, in place."""
        for param, value in zip(self.params, saved, strict=True):
            param[...] = value


def _check_setting(
    value: float | np.ndarray, name: str, positive: bool = False, upper: float | None = None
) -> float | np.ndarray:
    """A float, or an array of per-parameter values (a stack of models), checked entry by entry."""
    if not isinstance(value, np.ndarray):
        if positive:
            return check_positive_float(value, name)
        return check_non_negative_float(value, name, max_val=upper)
    low_ok = value > 0 if positive else value >= 0
    high_ok = value < upper if upper is not None else True
    if not (np.all(np.isfinite(value)) and np.all(low_ok) and np.all(high_ok)):
        bounds = "> 0" if positive else f"in [0, {upper})" if upper is not None else ">= 0"
        raise ValueError(f"every {name} must be finite and {bounds}.")
    return value


def run_epochs(
    optimizer: SGD,
    batch_gradients: Callable[[np.ndarray], Sequence[np.ndarray]],
    n_samples: int,
    batch_size: int,
    epochs: int,
    rng: np.random.Generator | None = None,
    evaluate: Callable[[int], Mapping[str, float | np.ndarray]] | None = None,
    verbose: int = 0,
    restore_best: bool | Sequence[bool] = False,
    description: str = "SGD",
    *,
    batch_order: Callable[[int], np.ndarray] | None = None,
    snapshots: ParameterSnapshots | None = None,
) -> list[Outcome]:
    r"""Run mini-batch SGD: the one training loop of fyslearn, for one model or a stack of $M$.

    Each epoch takes one order of the sample indices (by default a permutation
    drawn from `rng`), walks it in mini-batches of `batch_size` (the last one
    may be smaller; a `batch_size` larger than the data gives one full batch),
    lets `batch_gradients(rows)` return the mean gradient over the batch, and
    updates the parameters with `optimizer`. After the epoch, `evaluate(epoch)`
    returns the epoch's metrics, which must include `"loss"`: a float for one
    model, or an array of shape `(M,)`, one loss per model of a stack.

    A model whose loss is NaN, infinite or exploded
    ([`has_diverged`][fyslearn.optim.has_diverged]) is stopped there: its
    results no longer count (the models of a stack never mix, so the others go
    on unaffected), and with `restore_best` its parameters of the best epoch
    are put back at the end. Training ends when every model has stopped or
    all epochs ran.

    Args:
        optimizer: Holds the parameters and the update rule.
        batch_gradients: Maps a batch's row indices to gradients, one array per
            parameter. The rows have shape `(m,)`, or `(M, m)` when `batch_order`
            gives every model its own order.
        n_samples: Number of training rows.
        batch_size: Rows per mini-batch.
        epochs: Passes over the data.
        rng: Source of the shuffling order when no `batch_order` is given.
        evaluate: Computes (and usually records) the metrics after each epoch.
        verbose: Show a progress bar when > 0.
        restore_best: Per model (or one for all): on divergence, restore the
            parameters of the epoch with the lowest finite loss instead of failing.
        description: Label of the progress bar.
        batch_order: `batch_order(epoch)` → the order of the rows in that epoch,
            shape `(n_samples,)` (shared by all models) or `(M, n_samples)` (one
            order per model).
        snapshots: Saves and restores model `k`'s parameters (`save(k)`,
            `load(k, saved)`); by default copies of `optimizer.params` (one model).

    Returns:
        One [`Outcome`][fyslearn.optim.Outcome] per model, saying how many epochs
        count and whether (and where) it diverged.
    """
    if evaluate is None:
        raise TypeError("run_epochs needs an evaluate callable returning the epoch's loss.")
    if batch_order is None:
        if rng is None:
            raise TypeError("run_epochs needs rng or batch_order for the shuffling order.")
        batch_order = _permutations(rng, n_samples)
    snapshots = snapshots or ParameterSnapshots(optimizer.params)
    n_batches = math.ceil(n_samples / batch_size)
    tracker: _Tracker | None = None
    progress = tqdm(range(epochs), desc=description, disable=not verbose, leave=False)
    with progress, np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for epoch in progress:
            optimizer.start_epoch(epoch, n_batches)
            order = batch_order(epoch)
            for start in range(0, n_samples, batch_size):
                optimizer.step(batch_gradients(order[..., start : start + batch_size]))
            losses = np.atleast_1d(np.asarray(evaluate(epoch)["loss"], dtype=float))
            tracker = tracker or _Tracker(len(losses), restore_best, epochs, snapshots)
            if not tracker.record(epoch, losses):
                break
            progress.set_postfix(loss=f"{np.mean(losses[tracker.running]):.4g}", refresh=False)
    if tracker is None:
        return []
    return tracker.finish()


def shuffled_orders(
    rngs: Sequence[np.random.Generator], n_samples: int
) -> tuple[Callable[[int], np.ndarray], bool]:
    """The shuffling order of every epoch for $M$ models, and whether they share it.

    Each model shuffles with its own generator, as its own training would.
    Generators in the same state would draw the same permutations, so one
    order (drawn from the first) then serves all models, and they read the
    same mini-batches.

    Args:
        rngs: One generator per model.
        n_samples: Number of rows.

    Returns:
        `batch_order(epoch)` for [`run_epochs`][fyslearn.optim.run_epochs], giving
        shape `(n_samples,)` when shared and `(M, n_samples)` otherwise; and
        whether the order is shared.
    """
    states = [rng.bit_generator.state for rng in rngs]
    if all(state == states[0] for state in states):
        return _permutations(rngs[0], n_samples), True
    return (lambda epoch: np.stack([rng.permutation(n_samples) for rng in rngs])), False


def _permutations(rng: np.random.Generator, n_samples: int) -> Callable[[int], np.ndarray]:
    """One fresh permutation of the rows per epoch, drawn from `rng`."""
    return lambda epoch: rng.permutation(n_samples)


class _Tracker:
    """Per model: the first and the best loss, the best parameters, and how training ended."""

    def __init__(
        self,
        n_models: int,
        restore_best: bool | Sequence[bool],
        epochs: int,
        snapshots: ParameterSnapshots,
    ) -> None:
        if isinstance(restore_best, (bool, np.bool_)):
            restore_best = [bool(restore_best)] * n_models
        self.restore = list(restore_best)
        if len(self.restore) != n_models:
            raise ValueError(f"restore_best needs one value per model ({n_models}).")
        self.snapshots, self.epochs = snapshots, epochs
        self.first = np.full(n_models, np.nan)
        self.best = np.full(n_models, np.inf)
        self.saved: dict[int, object] = {}
        self.ended: dict[int, Outcome] = {}
        self.running = list(range(n_models))

    def record(self, epoch: int, losses: np.ndarray) -> bool:
        """Note the losses of `epoch`; stop the models that diverged; whether any still runs."""
        for k in self.running:
            loss = float(losses[k])
            if epoch == 0:
                self.first[k] = loss
            if has_diverged(loss, self.first[k]):
                self.ended[k] = self._stop(k, epoch, loss)
            elif self.restore[k] and loss < self.best[k]:
                self.best[k], self.saved[k] = loss, self.snapshots.save(k)
        self.running = [k for k in self.running if k not in self.ended]
        return bool(self.running)

    def _stop(self, k: int, epoch: int, loss: float) -> Outcome:
        if self.restore[k] and k in self.saved:
            return Outcome(epoch, epoch, loss, restored_loss=float(self.best[k]))
        return Outcome(epoch + 1, epoch, loss)

    def finish(self) -> list[Outcome]:
        """Restore the best parameters where asked; one outcome per model."""
        for k, outcome in self.ended.items():
            if outcome.restored_loss is not None:
                self.snapshots.load(k, self.saved[k])
        return [self.ended.get(k, Outcome(self.epochs)) for k in range(len(self.restore))]

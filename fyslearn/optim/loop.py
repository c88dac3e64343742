r"""The one training loop of fyslearn, for one model or a stack of $M$, and how it stops.

[run_epochs][fyslearn.optim.run_epochs] walks the data in shuffled mini-batches and
calls the optimizer's `step` once per batch. After each epoch it watches every model's
loss: a model whose loss is NaN, infinite or exploded
([has_diverged][fyslearn.optim.has_diverged]) stops there, and may get the parameters
of its best epoch back.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning as _ScikitLearnConvergenceWarning
from tqdm.auto import tqdm

from .optimizers import Optimizer


class DivergenceError(ArithmeticError, ValueError):
    """Training produced a non-finite loss; the model is not returned as fitted."""


class DivergenceWarning(RuntimeWarning):
    """Training diverged and the best finite parameters were restored."""


class ConvergenceWarning(_ScikitLearnConvergenceWarning):
    """Training ended while the training loss was still falling fast: more epochs would help.

    A subclass of scikit-learn's `sklearn.exceptions.ConvergenceWarning`, so a
    filter on that one silences this one too. Raised by `fit` (and by
    [`fyslearn.fit_many`][fyslearn.fit_many], one line per model) when
    [`still_falling`][fyslearn.optim.still_falling] finds the loss of the last
    epochs falling by more than `FALLING_FAST` per epoch.

    Examples:
        >>> import warnings
        >>> import numpy as np
        >>> from fyslearn.linear_model import SGDRegressor
        >>> from fyslearn.optim import ConvergenceWarning
        >>> X = np.random.default_rng(0).normal(size=(50, 2))
        >>> y = X @ [1.0, -2.0]
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     _ = SGDRegressor(learning_rate=1e-3, epochs=5, random_state=0).fit(X, y)
        >>> [issubclass(w.category, ConvergenceWarning) for w in caught]
        [True]
    """


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

    def error(
        self, learning_rate: float, total_epochs: int, hint: str = ""
    ) -> DivergenceError | None:
        """The [`DivergenceError`][fyslearn.optim.DivergenceError] to raise, or `None`.

        Args:
            learning_rate: The `learning_rate` setting, named in the message.
            total_epochs: The epochs asked for.
            hint: Advice put first, e.g. on the features' scales
                ([`feature_scale_hint`][fyslearn.optim.feature_scale_hint]).
        """
        if self.diverged_epoch is None or self.restored_loss is not None:
            return None
        advice = f"{hint} Or try" if hint else "Try"
        return DivergenceError(
            f"Training diverged: the loss became {self.diverged_loss:g} in epoch "
            f"{self.diverged_epoch + 1} of {total_epochs} (learning_rate={learning_rate:g}). "
            f"{advice} a smaller learning_rate, e.g. {learning_rate / 10:g}."
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


FALLING_FAST = 0.01
"""The relative drop of the training loss per epoch, averaged over the last tenth of the
epochs (at least 2), above which a fit counts as unconverged: 1 % per epoch is a loss that would
still fall by a third over 40 more epochs.
"""


def still_falling(losses: Sequence[float] | np.ndarray, epochs: int) -> float | None:
    r"""How fast the training loss was still falling when training ended, if too fast.

    With $L_e$ the loss after epoch $e$ and $w = \max(2, \lfloor E/10 \rfloor)$ the
    last tenth of the $E$ epochs, the mean relative drop per epoch is
    $r = (L_{E-w} - L_E)/(w\,L_{E-w})$. A fit is unconverged when all
    epochs ran and $r$ exceeds `FALLING_FAST` (1 %).

    Args:
        losses: The training loss after each epoch, shape `(n_epochs,)`.
        epochs: The epochs asked for; a shorter record (a fit that stopped
            early, or restored its best epoch) is not judged.

    Returns:
        $r$ when it is above `FALLING_FAST`, else `None` (also when there are too few
        epochs, $E \le w$, or one of the two losses is not finite, or the last is 0).

    Examples:
        >>> still_falling([1.0, 0.5, 0.25, 0.125], epochs=4)
        0.375
        >>> still_falling([1.0, 0.5, 0.5, 0.5], epochs=4) is None
        True
    """
    losses = np.asarray(losses, dtype=float)
    window = max(2, epochs // 10)
    if len(losses) != epochs or epochs <= window:
        return None
    before, last = losses[-window - 1], losses[-1]
    if not (math.isfinite(before) and math.isfinite(last) and last > 0):
        return None  # not judged: no finite loss, or a loss of 0 (nothing left to fall)
    rate = float((before - last) / (window * before))
    return rate if rate > FALLING_FAST else None


def unconverged_message(
    losses: Sequence[float] | np.ndarray, epochs: int, learning_rate: float
) -> str | None:
    """The message of the [`ConvergenceWarning`][fyslearn.optim.ConvergenceWarning], or `None`.

    Args:
        losses: The training loss after each epoch, shape `(n_epochs,)`.
        epochs: The epochs asked for (the `epochs` setting).
        learning_rate: The `learning_rate` setting, named in the advice.
    """
    rate = still_falling(losses, epochs)
    if rate is None:
        return None
    window = max(2, epochs // 10)
    return (
        f"Training ended while the training loss was still falling by {100 * rate:.2g} % per "
        f"epoch over the last {window} of {epochs} epochs: the model has not converged. "
        f"Raise epochs (now {epochs}) and/or learning_rate (now {learning_rate:g})."
    )


def warn_if_unconverged(estimators: Sequence[Any], stacklevel: int = 2) -> None:
    """Warn, once, of the fitted estimators whose training loss was still falling fast.

    Reads each estimator's `history_["loss"]`, `epochs` and `learning_rate`
    ([`unconverged_message`][fyslearn.optim.unconverged_message]); an estimator
    left unfitted (it diverged) is skipped. For several estimators (a
    [`fit_many`][fyslearn.fit_many]) the warning has one part per unconverged model.

    Args:
        estimators: The estimators just fitted.
        stacklevel: As for `warnings.warn`, counted from the caller of this function.
    """
    messages = [
        (k, message)
        for k, estimator in enumerate(estimators)
        if hasattr(estimator, "history_")
        and (
            message := unconverged_message(
                estimator.history_["loss"], estimator.epochs, estimator.learning_rate
            )
        )
        is not None
    ]
    if not messages:
        return
    if len(estimators) == 1:
        text = messages[0][1]
    else:
        text = "; ".join(f"model {k}: {message}" for k, message in messages)
    warnings.warn(text, ConvergenceWarning, stacklevel=stacklevel + 1)


SCALE_RATIO = 1e3
"""Columns whose standard deviations differ by this factor (or a largest one this large)
make the divergence message suggest standardizing the features."""


def feature_scale_hint(X: np.ndarray) -> str:
    """Advice on the scales of the columns of `X` for a divergence message, or `""`.

    Args:
        X: The training inputs, shape `(n, p)`. Constant columns (standard
            deviation 0, such as a column of ones) are left out.

    Returns:
        A sentence naming the spread of the columns' standard deviations and
        suggesting `sklearn.preprocessing.StandardScaler` when the largest is
        `SCALE_RATIO` times the smallest or above `SCALE_RATIO`, else `""`.

    Examples:
        >>> import numpy as np
        >>> X = np.column_stack([np.arange(5.0), 1e4 * np.arange(5.0)])
        >>> feature_scale_hint(X)[:58]
        'The columns of X differ in scale by a factor of 1e+04 (sta'
        >>> feature_scale_hint(np.arange(10.0).reshape(5, 2))
        ''
    """
    X = np.asarray(X)
    if X.ndim != 2 or len(X) < 2:
        return ""
    with np.errstate(over="ignore", invalid="ignore"):
        scales = np.std(X, axis=0)
    scales = scales[np.isfinite(scales) & (scales > 0)]
    if scales.size == 0:
        return ""
    smallest, largest = float(scales.min()), float(scales.max())
    if largest < SCALE_RATIO * smallest and largest < SCALE_RATIO:
        return ""
    if largest >= SCALE_RATIO * smallest:
        spread = (
            f"The columns of X differ in scale by a factor of {largest / smallest:.2g} "
            f"(standard deviations from {smallest:.2g} to {largest:.2g})"
        )
    else:
        spread = f"The columns of X have standard deviations up to {largest:.2g}"
    return (
        f"{spread}: standardize them, e.g. with sklearn.preprocessing.StandardScaler, "
        "before lowering the learning_rate."
    )


EXPLOSION_FACTOR = 1e10
"""A loss this many times above the loss before training (or above 1) counts as divergence: SGD
whose loss grows by ten orders of magnitude is not converging, even while finite.
"""


def has_diverged(loss: float, initial_loss: float) -> bool:
    """Whether an epoch's `loss` is NaN, infinite, or exploded relative to `initial_loss`.

    Args:
        loss: The loss after an epoch.
        initial_loss: The loss before training, the scale of the check: a loss
            above `EXPLOSION_FACTOR * max(initial_loss, 1)` has exploded (with a
            NaN or infinite `initial_loss`, only a non-finite `loss` counts).
    """
    if not math.isfinite(loss):
        return True
    if not math.isfinite(initial_loss):  # no scale to judge an explosion by
        return False
    return loss > EXPLOSION_FACTOR * max(initial_loss, 1.0)


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


def run_epochs(
    optimizer: Optimizer,
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
    initial_loss: float | np.ndarray | None = None,
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
    ([`has_diverged`][fyslearn.optim.has_diverged], judged against
    `initial_loss`) is stopped there: its results no longer count (the
    models of a stack never mix, so the others go on unaffected), and with
    `restore_best` its parameters of the best epoch are put back at the end.
    Training ends when every model has stopped or all epochs ran.

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
            The parameters saved after an epoch are ranked by that epoch's loss,
            so `evaluate` should measure the loss at the parameters the epoch
            ends with wherever `restore_best` is set.
        initial_loss: The loss before the first update, a float or one per
            model, `(M,)`: the scale against which an explosion is judged, so
            that one in the very first epoch is caught. By default (or where it
            is not finite) the first epoch's loss. A model that diverges in its
            first epoch has nothing to restore and raises even with `restore_best`.

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
    n_batches = math.ceil(n_samples / batch_size)
    tracker = _Tracker(
        restore_best, epochs, snapshots or ParameterSnapshots(optimizer.params), initial_loss
    )
    progress = tqdm(range(epochs), desc=description, disable=not verbose, leave=False)
    # a diverging model overflows on the way; the loss check below reports it
    with progress, np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for epoch in progress:
            optimizer.start_epoch(epoch, n_batches)
            for rows in _mini_batches(batch_order(epoch), batch_size):
                optimizer.step(batch_gradients(rows))
            losses = np.atleast_1d(np.asarray(evaluate(epoch)["loss"], dtype=float))
            if not tracker.record(epoch, losses):
                break  # every model has stopped
            progress.set_postfix(loss=f"{tracker.mean_running_loss(losses):.4g}", refresh=False)
    return tracker.finish()


def _mini_batches(order: np.ndarray, batch_size: int) -> Iterator[np.ndarray]:
    """Consecutive slices of `batch_size` rows of `order`: `(n,)`, or `(M, n)` one per model."""
    for start in range(0, order.shape[-1], batch_size):
        yield order[..., start : start + batch_size]


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
    """Watches each model's loss epoch by epoch: stops the diverged, keeps the best parameters.

    Per model $k$ it holds the scale of the explosion check (`initial[k]`), the
    lowest loss so far and the parameters saved at it (only where `restore_best`
    asks), and, once model $k$ has stopped, its [`Outcome`][fyslearn.optim.Outcome].
    The number of models is that of the first epoch's losses.
    """

    def __init__(
        self,
        restore_best: bool | Sequence[bool],
        epochs: int,
        snapshots: ParameterSnapshots,
        initial_loss: float | np.ndarray | None = None,
    ) -> None:
        self.restore_best, self.epochs = restore_best, epochs
        self.snapshots, self.initial_loss = snapshots, initial_loss
        self.initial: np.ndarray | None = None  # the scale of the explosion check, per model
        self.restore: list[bool] = []
        self.running: list[int] = []
        self.ended: dict[int, Outcome] = {}
        self.saved: dict[int, object] = {}

    def _start(self, n_models: int) -> None:
        """Size the per-model state to the first epoch's `n_models` losses."""
        restore = self.restore_best
        if isinstance(restore, (bool, np.bool_)):
            restore = [bool(restore)] * n_models
        if len(restore) != n_models:
            raise ValueError(f"restore_best needs one value per model ({n_models}).")
        self.restore = list(restore)
        self.running = list(range(n_models))
        self.initial = np.full(n_models, np.nan)
        if self.initial_loss is not None:
            self.initial[:] = self.initial_loss
        self.best = np.full(n_models, np.inf)

    def record(self, epoch: int, losses: np.ndarray) -> bool:
        """Note the losses of `epoch`; stop the models that diverged; whether any still runs."""
        if self.initial is None:
            self._start(len(losses))
        for k in self.running:
            loss = float(losses[k])
            if not math.isfinite(self.initial[k]):  # no loss before training: the first epoch's
                self.initial[k] = loss
            if has_diverged(loss, self.initial[k]):
                self.ended[k] = self._stop(k, epoch, loss)
            elif self.restore[k] and loss < self.best[k]:
                self.best[k], self.saved[k] = loss, self.snapshots.save(k)
        self.running = [k for k in self.running if k not in self.ended]
        return bool(self.running)

    def mean_running_loss(self, losses: np.ndarray) -> float:
        """The mean loss of the models still training (shown on the progress bar)."""
        return float(np.mean(losses[self.running]))

    def _stop(self, k: int, epoch: int, loss: float) -> Outcome:
        """Model `k`'s outcome on diverging in `epoch`: restored if it has a best epoch saved."""
        if self.restore[k] and k in self.saved:
            return Outcome(epoch, epoch, loss, restored_loss=float(self.best[k]))
        return Outcome(epoch + 1, epoch, loss)

    def finish(self) -> list[Outcome]:
        """Restore the best parameters where asked; one outcome per model (none without epochs)."""
        for k, outcome in self.ended.items():
            if outcome.restored_loss is not None:
                self.snapshots.load(k, self.saved[k])
        return [self.ended.get(k, Outcome(self.epochs)) for k in range(len(self.restore))]

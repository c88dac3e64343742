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

import copy
import math
import warnings
from collections.abc import Callable, Mapping, Sequence

import numpy as np
from tqdm.auto import tqdm

from ._validation import check_non_negative_float, check_option, check_positive_float

__all__ = [
    "SCHEDULES",
    "SGD",
    "DivergenceError",
    "DivergenceWarning",
    "constant_rate",
    "inverse_decay",
    "run_epochs",
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
        learning_rate: float,
        momentum: float = 0.0,
        schedule: str = "constant",
    ) -> None:
        self.params = list(params)
        self.learning_rate = check_positive_float(learning_rate, "learning_rate")
        self.momentum = check_non_negative_float(momentum, "momentum", max_val=1.0)
        self.schedule = check_option(schedule, "schedule", SCHEDULES)
        self.velocities = [np.zeros_like(p) for p in self.params] if self.momentum else None
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


def run_epochs(
    optimizer: SGD,
    batch_gradients: Callable[[np.ndarray], Sequence[np.ndarray]],
    n_samples: int,
    batch_size: int,
    epochs: int,
    rng: np.random.Generator,
    evaluate: Callable[[int], Mapping[str, float]],
    verbose: int = 0,
    restore_best: bool = False,
    description: str = "SGD",
) -> int:
    """Run mini-batch SGD: the one training loop of fyslearn.

    Each epoch draws one permutation of the sample indices, walks it in
    mini-batches of ``batch_size`` (the last one may be smaller; a
    ``batch_size`` larger than the data gives one full batch), lets
    ``batch_gradients(indices)`` return the mean gradient over the batch,
    and updates the parameters with ``optimizer``. After the epoch,
    ``evaluate(epoch)`` returns the epoch's metrics, which must include
    ``"loss"``; a non-finite loss stops training.

    Args:
        optimizer: Holds the parameters and the update rule.
        batch_gradients: Maps a batch's row indices to gradients, one array per parameter.
        n_samples: Number of training rows.
        batch_size: Rows per mini-batch.
        epochs: Passes over the data.
        rng: Source of the shuffling order.
        evaluate: Computes (and usually records) the metrics after each epoch.
        verbose: Show a progress bar when > 0.
        restore_best: On divergence, put back the parameters of the epoch
            with the lowest finite loss and warn, instead of raising.
        description: Label of the progress bar.

    Returns:
        The number of completed epochs (smaller than ``epochs`` only after a restore).

    Raises:
        DivergenceError: The loss became NaN or infinite (and ``restore_best`` is off,
            or no epoch finished with a finite loss).
    """
    n_batches = math.ceil(n_samples / batch_size)
    best_loss, best_params = math.inf, None
    progress = tqdm(range(epochs), desc=description, disable=not verbose, leave=False)
    with progress, np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for epoch in progress:
            optimizer.start_epoch(epoch, n_batches)
            order = rng.permutation(n_samples)
            for start in range(0, n_samples, batch_size):
                optimizer.step(batch_gradients(order[start : start + batch_size]))
            loss = float(evaluate(epoch)["loss"])
            if not math.isfinite(loss):
                if restore_best and best_params is not None:
                    _restore(optimizer.params, best_params, epoch, best_loss)
                    return epoch
                raise DivergenceError(_divergence_message(loss, epoch, epochs, optimizer))
            if restore_best and loss < best_loss:
                best_loss, best_params = loss, copy.deepcopy(optimizer.params)
            progress.set_postfix(loss=f"{loss:.4g}", refresh=False)
    return epochs


def _divergence_message(loss: float, epoch: int, epochs: int, optimizer: SGD) -> str:
    return (
        f"Training diverged: the loss became {loss} in epoch {epoch + 1} of {epochs} "
        f"(learning_rate={optimizer.learning_rate:g}, rate in that epoch "
        f"{optimizer.current_rate:g}). Try a smaller learning_rate, e.g. "
        f"{optimizer.learning_rate / 10:g}."
    )


def _restore(params: list[np.ndarray], best: list[np.ndarray], epoch: int, loss: float) -> None:
    for param, saved in zip(params, best, strict=True):
        param[...] = saved
    warnings.warn(
        f"Training diverged in epoch {epoch + 1}; restored the parameters of the best "
        f"epoch (loss {loss:.4g}). Use a smaller learning_rate to train further.",
        DivergenceWarning,
        stacklevel=3,
    )

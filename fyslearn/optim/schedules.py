r"""Learning-rate schedules: the rate $\eta(e)$ of each epoch $e = 0, 1, \dots$

Each schedule is constant within an epoch of $n_b$ mini-batches, and works on an
array of initial rates (one per model) as on a number:

| schedule | $\eta(e)$ | settings |
| --- | --- | --- |
| `"constant"` | $\eta_0$ | |
| `"inverse"` (the report's D10) | $\eta_0 / (e\, n_b + 1)$ | |
| `"invscaling"` | $\eta_0 / (e + 1)^{p}$ | `power_t` $= p$ |
| `"step"` | $\eta_0 \gamma^{\lfloor e/k\rfloor}$ | `decay_factor` $= \gamma$, `decay_every` $= k$ |
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from types import MappingProxyType

import numpy as np

from .._validation import check_option
from .settings import Setting, _check_decay_every, _check_setting, _parameter_names


def constant_rate(eta0: Setting, epoch: int, n_batches: int) -> Setting:
    r"""The constant schedule, $\eta(e) = \eta_0$.

    Args:
        eta0: Initial learning rate $\eta_0$, a number or an array (one per model).
        epoch: Epoch $e$, counted from 0.
        n_batches: Mini-batches per epoch (unused).

    Returns:
        $\eta_0$, of the shape of `eta0`.
    """
    return eta0


def inverse_decay(eta0: Setting, epoch: int, n_batches: int) -> Setting:
    r"""The report's decay (D10), $\eta(e) = \eta_0 / (e\, n_b + 1)$.

    From the second epoch on it runs at most $1/(n_b + 1)$ of $\eta_0$: with MNIST's
    $n_b = 1200$ mini-batches, $\eta_0/1201$.

    Args:
        eta0: Initial learning rate $\eta_0$, a number or an array (one per model).
        epoch: Epoch $e$, counted from 0.
        n_batches: Mini-batches per epoch, $n_b$.

    Returns:
        $\eta(e)$, of the shape of `eta0`.
    """
    return eta0 / (epoch * n_batches + 1)


def inverse_scaling(
    eta0: Setting, epoch: int, n_batches: int, *, power_t: Setting = 0.5
) -> Setting:
    r"""scikit-learn's `"invscaling"`, per epoch: $\eta(e) = \eta_0 / (e + 1)^{p}$.

    scikit-learn's `MLPClassifier` counts $e$ in samples seen; here it counts epochs,
    so that the rate is constant within an epoch like every schedule of
    [SCHEDULES][fyslearn.optim.SCHEDULES]. With $p = 1/2$ the rate falls as
    $1/\sqrt{e + 1}$: half of $\eta_0$ in epoch 3, a tenth in epoch 99.

    Args:
        eta0: Initial learning rate $\eta_0$, a number or an array (one per model).
        epoch: Epoch $e$, counted from 0.
        n_batches: Mini-batches per epoch (unused).
        power_t: Exponent $p \ge 0$, a number or an array.

    Returns:
        $\eta(e)$, of the broadcast shape of `eta0` and `power_t`.
    """
    return eta0 / (epoch + 1.0) ** power_t


def step_decay(
    eta0: Setting,
    epoch: int,
    n_batches: int,
    *,
    decay_every: int | np.ndarray = 10,
    decay_factor: Setting = 0.5,
) -> Setting:
    r"""Step decay: $\eta(e) = \eta_0\, \gamma^{\lfloor e/k \rfloor}$.

    The rate is multiplied by $\gamma$ every $k$ epochs; the defaults halve it every
    10 epochs. PyTorch's `StepLR(step_size=k, gamma=γ)` is the same schedule.

    Args:
        eta0: Initial learning rate $\eta_0$, a number or an array (one per model).
        epoch: Epoch $e$, counted from 0.
        n_batches: Mini-batches per epoch (unused).
        decay_every: Epochs $k \ge 1$ between two drops, an integer or an array of
            whole numbers.
        decay_factor: Factor $\gamma \in (0, 1]$ of each drop, a number or an array.

    Returns:
        $\eta(e)$, of the broadcast shape of `eta0` and `decay_factor`.
    """
    return eta0 * decay_factor ** (epoch // decay_every)


SCHEDULES: Mapping[str, Callable[..., Setting]] = MappingProxyType(
    {
        "constant": constant_rate,
        "inverse": inverse_decay,
        "invscaling": inverse_scaling,
        "step": step_decay,
    }
)
"""The learning-rate schedules by their option name (`schedule=`).

Each maps `(eta0, epoch, n_batches, **settings)` to the rate of the epoch;
[make_schedule][fyslearn.optim.make_schedule] binds the settings.
"""


def _schedule_settings(
    schedule: str, power_t: Setting, decay_every: int | np.ndarray, decay_factor: Setting
) -> dict[str, Setting]:
    """Check every setting; return those that `schedule` takes (the others are ignored)."""
    check_option(schedule, "schedule", SCHEDULES)
    settings = {
        "power_t": _check_setting(power_t, "power_t"),
        "decay_every": _check_decay_every(decay_every),
        "decay_factor": _check_setting(decay_factor, "decay_factor"),
    }
    taken = _parameter_names(SCHEDULES[schedule])
    return {name: value for name, value in settings.items() if name in taken}


def make_schedule(
    schedule: str,
    *,
    power_t: Setting = 0.5,
    decay_every: int | np.ndarray = 10,
    decay_factor: Setting = 0.5,
) -> Callable[[Setting, int, int], Setting]:
    r"""The schedule `schedule` with its settings bound: `rate(eta0, epoch, n_batches)`.

    Settings of another schedule are checked and then ignored, as scikit-learn ignores
    `power_t` unless `learning_rate="invscaling"`.

    Args:
        schedule: A name of [SCHEDULES][fyslearn.optim.SCHEDULES].
        power_t: Exponent of `"invscaling"`.
        decay_every: Epochs between two drops of `"step"`.
        decay_factor: Factor of each drop of `"step"`.

    Returns:
        The function $(\eta_0, e, n_b) \mapsto \eta(e)$.

    Raises:
        ValueError: Unknown schedule (the message lists the valid names) or a setting
            out of range.

    Examples:
        >>> rate = make_schedule("step", decay_every=2)
        >>> [rate(0.1, epoch, 100) for epoch in range(5)]
        [0.1, 0.1, 0.05, 0.05, 0.025]
    """
    settings = _schedule_settings(schedule, power_t, decay_every, decay_factor)
    return functools.partial(SCHEDULES[schedule], **settings)

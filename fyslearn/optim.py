r"""Mini-batch gradient descent and its adaptive variants, shared by every model in fyslearn.

The optimizers, the learning-rate schedules and the one training loop live here;
[SGDRegressor][fyslearn.linear_model.SGDRegressor] and the networks of
`fyslearn.nn` only supply the gradient of a mini-batch.

Every optimizer keeps a list of parameter arrays and updates them in place, one
`step(grads)` per mini-batch, at the rate `current_rate` that `start_epoch` sets from
the schedule. With $g$ the mini-batch gradient, $\eta$ the rate of the epoch, the state
zero at the start, and squares, roots and quotients element by element:

- [SGD][fyslearn.optim.SGD], with momentum (the report's D9):
  $v \leftarrow \omega v + \eta g,\ \theta \leftarrow \theta - v$; with $\omega = 0$
  plain SGD, $\theta \leftarrow \theta - \eta g$;
- [Adagrad][fyslearn.optim.Adagrad]:
  $G \leftarrow G + g^2,\ \theta \leftarrow \theta - \eta g/(\sqrt{G} + \epsilon)$,
  optionally with momentum on that step;
- [RMSprop][fyslearn.optim.RMSprop]:
  $v \leftarrow \rho v + (1 - \rho) g^2,\
  \theta \leftarrow \theta - \eta g/(\sqrt{v} + \epsilon)$;
- [Adam][fyslearn.optim.Adam]: bias-corrected moments,
  $\theta \leftarrow \theta - \eta \hat m/(\sqrt{\hat v} + \epsilon)$ (Kingma & Ba,
  Algorithm 1).

[make_optimizer][fyslearn.optim.make_optimizer] builds one by its name in
[SOLVERS][fyslearn.optim.SOLVERS].

Every hyper-parameter (`learning_rate`, `momentum`, `rho`, `beta_1`, `beta_2`, `epsilon`,
`power_t`, `decay_every`, `decay_factor`) is a number, or an array that broadcasts
against every parameter array: one setting per model when the columns of a parameter
matrix are separate models trained at once. The schedules of [SCHEDULES][fyslearn.optim.SCHEDULES]
work on such arrays as on numbers; each is constant within an epoch
$e = 0, 1, \dots$ of $n_b$ mini-batches:

| schedule | $\eta(e)$ | settings |
| --- | --- | --- |
| `"constant"` | $\eta_0$ | |
| `"inverse"` (the report's D10) | $\eta_0 / (e\, n_b + 1)$ | |
| `"invscaling"` | $\eta_0 / (e + 1)^{p}$ | `power_t` $= p$ |
| `"step"` | $\eta_0 \gamma^{\lfloor e/k\rfloor}$ | `decay_factor` $= \gamma$, `decay_every` $= k$ |
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from tqdm.auto import tqdm

from ._validation import check_option, check_positive_int

__all__ = [
    "SCHEDULES",
    "SGD",
    "SOLVERS",
    "SOLVER_SETTINGS",
    "Adagrad",
    "Adam",
    "DivergenceError",
    "DivergenceWarning",
    "Optimizer",
    "Outcome",
    "ParameterSnapshots",
    "RMSprop",
    "check_solver_settings",
    "constant_rate",
    "has_diverged",
    "inverse_decay",
    "inverse_scaling",
    "make_optimizer",
    "make_schedule",
    "run_epochs",
    "shuffled_orders",
    "solver_settings",
    "step_decay",
]

Setting = float | np.ndarray
"""A hyper-parameter or a learning rate: one number, or one per model as an array."""


# -- hyper-parameters ------------------------------------------------------------------


@dataclass(frozen=True)
class _Interval:
    """The allowed values of a hyper-parameter, all finite."""

    low: float
    high: float = math.inf
    low_allowed: bool = True
    high_allowed: bool = False

    def contains(self, values: np.ndarray) -> np.ndarray:
        above = values >= self.low if self.low_allowed else values > self.low
        below = values <= self.high if self.high_allowed else values < self.high
        return np.isfinite(values) & above & below

    def __str__(self) -> str:
        if self.high == math.inf:
            return f"a finite number {'>=' if self.low_allowed else '>'} {self.low:g}"
        left, right = "[" if self.low_allowed else "(", "]" if self.high_allowed else ")"
        return f"in {left}{self.low:g}, {self.high:g}{right}"


_DOMAINS: Mapping[str, _Interval] = MappingProxyType(
    {
        "learning_rate": _Interval(0.0, low_allowed=False),
        "momentum": _Interval(0.0, 1.0),
        "rho": _Interval(0.0, 1.0),
        "beta_1": _Interval(0.0, 1.0),
        "beta_2": _Interval(0.0, 1.0),
        "epsilon": _Interval(0.0, low_allowed=False),
        "power_t": _Interval(0.0),
        "decay_every": _Interval(1.0),
        "decay_factor": _Interval(0.0, 1.0, low_allowed=False, high_allowed=True),
    }
)


def _check_setting(value: object, name: str) -> Setting:
    """`value` as a float, or as a float array if it is array-like; every entry must be allowed.

    Raises:
        TypeError: `value` is not a real number or an array of real numbers.
        ValueError: Some entry lies outside the domain of `name`; the message names it.
    """
    raw = np.asarray(value)
    if raw.dtype.kind not in "iuf" or raw.size == 0:
        raise TypeError(
            f"{name} must be a real number or a non-empty array of real numbers, got {value!r}."
        )
    values = raw.astype(float)  # a copy: later changes to the caller's array do not leak in
    domain = _DOMAINS[name]
    allowed = domain.contains(values)
    if raw.ndim == 0 and not isinstance(value, np.ndarray):
        if not allowed:
            raise ValueError(f"{name} must be {domain}, got {value!r}.")
        return float(values)
    if not allowed.all():
        index = tuple(int(i) for i in np.argwhere(~allowed)[0])
        raise ValueError(
            f"{name} must be {domain} in every entry; entry {index} is {float(values[index])!r}."
        )
    return values


def _check_decay_every(value: object) -> int | np.ndarray:
    """`decay_every` as an int >= 1, or as a float array of whole numbers >= 1 (one per model).

    Raises:
        TypeError: A single value that is not an integer.
        ValueError: A value below 1, or an array entry that is not a whole number.
    """
    if np.ndim(value) == 0 and not isinstance(value, np.ndarray):
        return check_positive_int(value, "decay_every")
    values = _check_setting(value, "decay_every")
    fractional = values != np.floor(values)
    if fractional.any():
        index = tuple(int(i) for i in np.argwhere(fractional)[0])
        raise ValueError(
            f"decay_every must be a whole number of epochs in every entry; entry {index} "
            f"is {float(values[index])!r}."
        )
    return values


# -- learning-rate schedules -----------------------------------------------------------


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


@functools.cache
def _parameter_names(function: Callable[..., object]) -> frozenset[str]:
    """The arguments a schedule or an optimizer class takes (read once per callable)."""
    return frozenset(inspect.signature(function).parameters)


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


# -- optimizers ------------------------------------------------------------------------


class DivergenceError(ArithmeticError, ValueError):
    """Training produced a non-finite loss; the model is not returned as fitted."""


class DivergenceWarning(RuntimeWarning):
    """Training diverged and the best finite parameters were restored."""


class Optimizer:
    r"""The common part of the optimizers: parameters, learning rate and its schedule.

    A subclass implements `step(grads)`. The training loop calls
    `start_epoch(epoch, n_batches)` before the first mini-batch of each epoch and then
    `step` once per mini-batch.

    Args:
        params: The arrays to optimise; they are modified in place.
        learning_rate: Initial learning rate $\eta_0 > 0$, a number or an array that
            broadcasts against every array of `params`.
        schedule: A name of [SCHEDULES][fyslearn.optim.SCHEDULES].
        power_t: Exponent of the `"invscaling"` schedule.
        decay_every: Epochs between two drops of the `"step"` schedule.
        decay_factor: Factor of each drop of the `"step"` schedule.

    Attributes:
        params: The arrays being optimised (the caller's own arrays).
        learning_rate: $\eta_0$, a float or a float array.
        current_rate: The rate $\eta(e)$ of the current epoch.
        schedule: The schedule's name.
        schedule_settings: The settings the schedule takes (empty for `"constant"` and
            `"inverse"`).
        scaled_gradients: Whether `step` expects the gradients already multiplied by
            `current_rate`, $\eta g$ (only [SGD][fyslearn.optim.SGD] can, its update
            being linear in $g$).
    """

    schedule_settings: Mapping[str, Setting] = MappingProxyType({})
    scaled_gradients: bool = False

    def __init__(
        self,
        params: Sequence[np.ndarray],
        learning_rate: Setting,
        schedule: str = "constant",
        *,
        power_t: Setting = 0.5,
        decay_every: int | np.ndarray = 10,
        decay_factor: Setting = 0.5,
    ) -> None:
        self.params = list(params)
        self.learning_rate = _check_setting(learning_rate, "learning_rate")
        self.schedule = schedule
        self.schedule_settings = _schedule_settings(schedule, power_t, decay_every, decay_factor)
        self.current_rate = self.learning_rate

    def start_epoch(self, epoch: int, n_batches: int) -> Setting:
        """Set and return `current_rate`, the learning rate of epoch `epoch` (counted from 0)."""
        schedule = SCHEDULES[self.schedule]
        self.current_rate = schedule(self.learning_rate, epoch, n_batches, **self.schedule_settings)
        return self.current_rate

    def step(self, grads: Sequence[np.ndarray]) -> None:
        """Apply one update to `params`; `grads` (one per parameter) may be overwritten."""
        raise NotImplementedError

    def _zeros(self) -> list[np.ndarray]:
        """One zero array per parameter: the initial state of a running sum or average."""
        return [np.zeros_like(param) for param in self.params]


def _move(param: np.ndarray, step: np.ndarray, velocity: np.ndarray | None, momentum: Setting):
    r"""$\theta \leftarrow \theta - s$; with momentum $\omega$, the average $v$ of the steps.

    $v \leftarrow \omega v + s,\ \theta \leftarrow \theta - v$ when `velocity` holds $v$.
    """
    if velocity is None:
        param -= step
        return
    velocity *= momentum
    velocity += step
    param -= velocity


class SGD(Optimizer):
    r"""Stochastic gradient descent with momentum (D9), updating arrays in place.

    $$ v \leftarrow \omega v + \eta g, \qquad \theta \leftarrow \theta - v, $$

    with $v = 0$ at the start; momentum $\omega = 0$ gives plain SGD,
    $\theta \leftarrow \theta - \eta g$.

    The update depends on $g$ only through $\eta g$, so a caller that can
    produce $\eta g$ as cheaply as $g$ may hand over that product instead
    (`scaled_gradients=True`): the network's training multiplies its output
    error $\delta^L$ by $\eta$, and backpropagation, linear in $\delta^L$,
    then yields $\eta g$ for every layer, which saves a pass over all
    parameters per step.

    Args:
        params: The arrays to optimise; they are modified in place.
        learning_rate: Initial learning rate $\eta_0 > 0$ (a number or an array).
        momentum: Momentum $\omega \in [0, 1)$ (a number or an array); 0 gives plain SGD.
        schedule: A name of [SCHEDULES][fyslearn.optim.SCHEDULES].
        scaled_gradients: `step` receives $\eta g$, with $\eta$ the `current_rate`
            of the epoch, rather than $g$.
        **schedule_settings: `power_t`, `decay_every`, `decay_factor`, as for
            [Optimizer][fyslearn.optim.Optimizer].

    Examples:
        >>> theta = np.array([1.0, -2.0])
        >>> optimizer = SGD([theta], learning_rate=0.1)
        >>> optimizer.start_epoch(0, n_batches=1)
        0.1
        >>> optimizer.step([np.array([1.0, 1.0])])
        >>> theta
        array([ 0.9, -2.1])
    """

    def __init__(
        self,
        params: Sequence[np.ndarray],
        learning_rate: Setting,
        momentum: Setting = 0.0,
        schedule: str = "constant",
        *,
        scaled_gradients: bool = False,
        **schedule_settings: Setting,
    ) -> None:
        super().__init__(params, learning_rate, schedule, **schedule_settings)
        self.momentum = _check_setting(momentum, "momentum")
        self.velocities = self._zeros() if np.any(self.momentum) else None
        self.scaled_gradients = bool(scaled_gradients)

    def step(self, grads: Sequence[np.ndarray]) -> None:
        r"""Apply one update. `grads` are scratch buffers: they are scaled in place by $\eta$
        (unless they arrive as $\eta g$, `scaled_gradients`)."""
        velocities = self.velocities or [None] * len(self.params)
        for param, grad, velocity in zip(self.params, grads, velocities, strict=True):
            if not self.scaled_gradients:
                grad *= self.current_rate  # η g, without a temporary array
            _move(param, grad, velocity, self.momentum)


class Adagrad(Optimizer):
    r"""Adagrad (Duchi, Hazan & Singer, 2011): each parameter's rate shrinks with its gradients.

    $$ G \leftarrow G + g^2, \qquad
       \theta \leftarrow \theta - \frac{\eta\, g}{\sqrt{G} + \epsilon}, $$

    element by element, with $G = 0$ at the start. With momentum $\omega > 0$ that
    step $s = \eta g/(\sqrt{G} + \epsilon)$ is averaged like SGD's:
    $v \leftarrow \omega v + s,\ \theta \leftarrow \theta - v$. Under a constant
    gradient the step shrinks as $\eta/\sqrt{t}$
    ([adagrad_constant_gradient][fyslearn.derivations.adagrad_constant_gradient]).

    Args:
        params: The arrays to optimise; they are modified in place.
        learning_rate: Initial learning rate $\eta_0 > 0$ (a number or an array).
        momentum: Momentum $\omega \in [0, 1)$ (a number or an array).
        epsilon: $\epsilon > 0$ added to $\sqrt{G}$ (a number or an array).
        schedule: A name of [SCHEDULES][fyslearn.optim.SCHEDULES].
        **schedule_settings: `power_t`, `decay_every`, `decay_factor`, as for
            [Optimizer][fyslearn.optim.Optimizer].

    Attributes:
        squared_sums: $G$ of every parameter, the sum of its squared gradients.
    """

    def __init__(
        self,
        params: Sequence[np.ndarray],
        learning_rate: Setting,
        momentum: Setting = 0.0,
        epsilon: Setting = 1e-8,
        schedule: str = "constant",
        **schedule_settings: Setting,
    ) -> None:
        super().__init__(params, learning_rate, schedule, **schedule_settings)
        self.momentum = _check_setting(momentum, "momentum")
        self.epsilon = _check_setting(epsilon, "epsilon")
        self.squared_sums = self._zeros()
        self.velocities = self._zeros() if np.any(self.momentum) else None
        self._work = [np.empty_like(param) for param in self.params]

    def step(self, grads: Sequence[np.ndarray]) -> None:
        """Apply one update. `grads` are scratch buffers: they are overwritten by the step."""
        velocities = self.velocities or [None] * len(self.params)
        for param, grad, G, work, velocity in zip(
            self.params, grads, self.squared_sums, self._work, velocities, strict=True
        ):
            G += np.square(grad, out=work)  # G ← G + g²
            np.sqrt(G, out=work)
            work += self.epsilon
            grad /= work
            grad *= self.current_rate  # s = η g / (√G + ε)
            _move(param, grad, velocity, self.momentum)


class RMSprop(Optimizer):
    r"""RMSprop (Tieleman & Hinton, 2012): the step divided by a running root mean square.

    $$ v \leftarrow \rho v + (1 - \rho) g^2, \qquad
       \theta \leftarrow \theta - \frac{\eta\, g}{\sqrt{v} + \epsilon}, $$

    element by element, with $v = 0$ at the start. Multiplying the loss by $c > 0$
    multiplies $g$ by $c$ and $\sqrt{v}$ by $c$: the step does not change while
    $\sqrt{v} \gg \epsilon$.

    Args:
        params: The arrays to optimise; they are modified in place.
        learning_rate: Initial learning rate $\eta_0 > 0$ (a number or an array).
        rho: Decay $\rho \in [0, 1)$ of the running average (a number or an array).
        epsilon: $\epsilon > 0$ added to $\sqrt{v}$ (a number or an array).
        schedule: A name of [SCHEDULES][fyslearn.optim.SCHEDULES].
        **schedule_settings: `power_t`, `decay_every`, `decay_factor`, as for
            [Optimizer][fyslearn.optim.Optimizer].

    Attributes:
        mean_squares: $v$ of every parameter, the running average of its squared gradients.
    """

    def __init__(
        self,
        params: Sequence[np.ndarray],
        learning_rate: Setting,
        rho: Setting = 0.9,
        epsilon: Setting = 1e-8,
        schedule: str = "constant",
        **schedule_settings: Setting,
    ) -> None:
        super().__init__(params, learning_rate, schedule, **schedule_settings)
        self.rho = _check_setting(rho, "rho")
        self.epsilon = _check_setting(epsilon, "epsilon")
        self.mean_squares = self._zeros()
        self._work = [np.empty_like(param) for param in self.params]

    def step(self, grads: Sequence[np.ndarray]) -> None:
        """Apply one update. `grads` are scratch buffers: they are overwritten by the step."""
        for param, grad, v, work in zip(
            self.params, grads, self.mean_squares, self._work, strict=True
        ):
            v *= self.rho
            np.square(grad, out=work)
            work *= 1.0 - self.rho
            v += work  # v ← ρ v + (1 − ρ) g²
            np.sqrt(v, out=work)
            work += self.epsilon
            grad /= work
            grad *= self.current_rate
            param -= grad  # θ ← θ − η g / (√v + ε)


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015, Algorithm 1): bias-corrected running moments of the gradient.

    At step $t = 1, 2, \dots$ (counted over all epochs), with $m = v = 0$ at the start:

    $$ m \leftarrow \beta_1 m + (1 - \beta_1) g, \qquad
       v \leftarrow \beta_2 v + (1 - \beta_2) g^2, $$

    $$ \hat m = \frac{m}{1 - \beta_1^t}, \qquad \hat v = \frac{v}{1 - \beta_2^t}, \qquad
       \theta \leftarrow \theta - \frac{\eta\, \hat m}{\sqrt{\hat v} + \epsilon}. $$

    The corrections make $\hat m = g$ and $\hat v = g^2$ for a constant gradient
    ([adam_bias_correction][fyslearn.derivations.adam_bias_correction]), so the first
    step has length $\eta |g|/(|g| + \epsilon) \approx \eta$ whatever the scale of $g$
    ([adam_first_step][fyslearn.derivations.adam_first_step]).

    Args:
        params: The arrays to optimise; they are modified in place.
        learning_rate: Initial learning rate $\eta_0 > 0$ (a number or an array).
        beta_1: Decay $\beta_1 \in [0, 1)$ of the first moment (a number or an array).
        beta_2: Decay $\beta_2 \in [0, 1)$ of the second moment (a number or an array).
        epsilon: $\epsilon > 0$ added to $\sqrt{\hat v}$ (a number or an array).
        schedule: A name of [SCHEDULES][fyslearn.optim.SCHEDULES].
        **schedule_settings: `power_t`, `decay_every`, `decay_factor`, as for
            [Optimizer][fyslearn.optim.Optimizer].

    Attributes:
        first_moments: $m$ of every parameter.
        second_moments: $v$ of every parameter.
        n_steps: The step count $t$ of the last update (0 before the first).
    """

    def __init__(
        self,
        params: Sequence[np.ndarray],
        learning_rate: Setting,
        beta_1: Setting = 0.9,
        beta_2: Setting = 0.999,
        epsilon: Setting = 1e-8,
        schedule: str = "constant",
        **schedule_settings: Setting,
    ) -> None:
        super().__init__(params, learning_rate, schedule, **schedule_settings)
        self.beta_1 = _check_setting(beta_1, "beta_1")
        self.beta_2 = _check_setting(beta_2, "beta_2")
        self.epsilon = _check_setting(epsilon, "epsilon")
        self.first_moments = self._zeros()
        self.second_moments = self._zeros()
        self.n_steps = 0
        self._work = [np.empty_like(param) for param in self.params]

    def step(self, grads: Sequence[np.ndarray]) -> None:
        """Apply one update. `grads` are scratch buffers: they are overwritten by the step."""
        self.n_steps += 1
        # η m̂ = η m / (1 − β₁ᵗ): the first correction joins the rate, the second divides v
        corrected_rate = self.current_rate / (1.0 - self.beta_1**self.n_steps)
        second_correction = 1.0 - self.beta_2**self.n_steps
        for param, grad, m, v, work in zip(
            self.params, grads, self.first_moments, self.second_moments, self._work, strict=True
        ):
            m *= self.beta_1
            m += np.multiply(grad, 1.0 - self.beta_1, out=work)  # m ← β₁ m + (1 − β₁) g
            v *= self.beta_2
            np.square(grad, out=work)
            work *= 1.0 - self.beta_2
            v += work  # v ← β₂ v + (1 − β₂) g²
            np.divide(v, second_correction, out=work)
            np.sqrt(work, out=work)
            work += self.epsilon  # √v̂ + ε
            np.divide(m, work, out=grad)
            grad *= corrected_rate
            param -= grad  # θ ← θ − η m̂ / (√v̂ + ε)


SOLVERS: Mapping[str, type[Optimizer]] = MappingProxyType(
    {"sgd": SGD, "adagrad": Adagrad, "rmsprop": RMSprop, "adam": Adam}
)
"""The optimizers by their `solver` name, as in scikit-learn's `MLPClassifier(solver=...)`."""


def make_optimizer(
    solver: str,
    params: Sequence[np.ndarray],
    learning_rate: Setting,
    *,
    momentum: Setting = 0.0,
    rho: Setting = 0.9,
    beta_1: Setting = 0.9,
    beta_2: Setting = 0.999,
    epsilon: Setting = 1e-8,
    schedule: str = "constant",
    power_t: Setting = 0.5,
    decay_every: int | np.ndarray = 10,
    decay_factor: Setting = 0.5,
    scaled_gradients: bool = False,
) -> Optimizer:
    r"""The optimizer named `solver`, with the settings it takes.

    Every setting is checked, and those of another solver are then ignored, as
    scikit-learn's `MLPClassifier` checks `beta_1` but uses it only with
    `solver="adam"`.

    Args:
        solver: A name of [SOLVERS][fyslearn.optim.SOLVERS]: `"sgd"`, `"adagrad"`,
            `"rmsprop"` or `"adam"`.
        params: The arrays to optimise; they are modified in place.
        learning_rate: Initial learning rate $\eta_0 > 0$.
        momentum: Momentum $\omega \in [0, 1)$ of `"sgd"` and `"adagrad"`.
        rho: Decay $\rho \in [0, 1)$ of `"rmsprop"`.
        beta_1: Decay $\beta_1 \in [0, 1)$ of Adam's first moment.
        beta_2: Decay $\beta_2 \in [0, 1)$ of Adam's second moment.
        epsilon: $\epsilon > 0$ of `"adagrad"`, `"rmsprop"` and `"adam"`.
        schedule: A name of [SCHEDULES][fyslearn.optim.SCHEDULES].
        power_t: Exponent of the `"invscaling"` schedule.
        decay_every: Epochs between two drops of the `"step"` schedule.
        decay_factor: Factor of each drop of the `"step"` schedule.
        scaled_gradients: Ask for an optimizer whose `step` takes $\eta g$ (see
            [SGD][fyslearn.optim.SGD]); only `"sgd"` can, the other solvers ignore it
            (check the optimizer's `scaled_gradients`).

    Every setting may be an array that broadcasts against every array of `params`
    (one value per model).

    Returns:
        An [Optimizer][fyslearn.optim.Optimizer] on `params`.

    Raises:
        ValueError: Unknown solver or schedule (the message lists the valid names), or a
            setting out of range (the message names it).

    Examples:
        >>> theta = np.zeros(3)
        >>> optimizer = make_optimizer("adam", [theta], 0.01, momentum=0.9)  # not Adam's
        >>> type(optimizer).__name__, optimizer.beta_1
        ('Adam', 0.9)
    """
    check_option(solver, "solver", SOLVERS)
    settings = {
        "momentum": momentum,
        "rho": rho,
        "beta_1": beta_1,
        "beta_2": beta_2,
        "epsilon": epsilon,
    }
    checked = {name: _check_setting(value, name) for name, value in settings.items()}
    checked["scaled_gradients"] = scaled_gradients
    optimizer = SOLVERS[solver]
    taken = _parameter_names(optimizer)
    return optimizer(
        params,
        learning_rate,
        schedule=schedule,
        power_t=power_t,
        decay_every=decay_every,
        decay_factor=decay_factor,
        **{name: value for name, value in checked.items() if name in taken},
    )


SOLVER_SETTINGS = ("rho", "beta_1", "beta_2", "epsilon", "power_t", "decay_every", "decay_factor")
"""The settings of the solvers besides the learning rate and momentum, as estimators name them."""


def check_solver_settings(estimator: object) -> None:
    """Check an estimator's `solver`, `schedule` and their settings, before any training.

    Builds the optimizer once on a dummy parameter, so that every check (and
    its message) is that of [`make_optimizer`][fyslearn.optim.make_optimizer].
    """
    make_optimizer(
        check_option(estimator.solver, "solver", SOLVERS),
        [np.zeros(1)],
        estimator.learning_rate,
        momentum=estimator.momentum,
        schedule=estimator.schedule,
        **{name: getattr(estimator, name) for name in SOLVER_SETTINGS},
    )


def solver_settings(estimators: Sequence[object]) -> dict[str, list]:
    """Each estimator's value of every setting in `SOLVER_SETTINGS`, by setting name."""
    return {name: [getattr(e, name) for e in estimators] for name in SOLVER_SETTINGS}


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
    snapshots = snapshots or ParameterSnapshots(optimizer.params)
    n_batches = math.ceil(n_samples / batch_size)
    tracker: _Tracker | None = None
    progress = tqdm(range(epochs), desc=description, disable=not verbose, leave=False)
    with progress, np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for epoch in progress:
            optimizer.start_epoch(epoch, n_batches)
            order = batch_order(epoch)
            shared = order.ndim == 1  # one order for all models, or one row per model
            for start in range(0, n_samples, batch_size):
                rows = (
                    order[start : start + batch_size]
                    if shared
                    else order[:, start : start + batch_size]
                )
                optimizer.step(batch_gradients(rows))
            losses = np.atleast_1d(np.asarray(evaluate(epoch)["loss"], dtype=float))
            tracker = tracker or _Tracker(
                len(losses), restore_best, epochs, snapshots, initial_loss
            )
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
        initial_loss: float | np.ndarray | None = None,
    ) -> None:
        if isinstance(restore_best, (bool, np.bool_)):
            restore_best = [bool(restore_best)] * n_models
        self.restore = list(restore_best)
        if len(self.restore) != n_models:
            raise ValueError(f"restore_best needs one value per model ({n_models}).")
        self.snapshots, self.epochs = snapshots, epochs
        # the scale of the explosion check: the loss before training, else the first epoch's
        self.initial = np.full(n_models, np.nan)
        if initial_loss is not None:
            self.initial[:] = initial_loss
        self.best = np.full(n_models, np.inf)
        self.saved: dict[int, object] = {}
        self.ended: dict[int, Outcome] = {}
        self.running = list(range(n_models))

    def record(self, epoch: int, losses: np.ndarray) -> bool:
        """Note the losses of `epoch`; stop the models that diverged; whether any still runs."""
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

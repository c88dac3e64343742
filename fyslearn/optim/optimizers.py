r"""SGD with momentum, Adagrad, RMSprop and Adam: each `step` is its update formula, line by line.

An optimizer holds a list of parameter arrays (the caller's own) and, per parameter,
its running state ($v$, $G$, $m$, ...). The training loop calls `start_epoch` before
each epoch, which sets the rate $\eta$ of the epoch from the schedule, and then
`step(grads)` once per mini-batch, with $g$ the mini-batch gradient of each parameter.
Squares, roots and quotients act element by element; every setting may be an array
that broadcasts against the parameters (one value per model of a stack).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np

from .._validation import check_option
from .schedules import SCHEDULES, _schedule_settings
from .settings import Setting, _check_setting, _parameter_names


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
    """

    schedule_settings: Mapping[str, Setting] = MappingProxyType({})

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
        """Apply one update to `params`, given one gradient per parameter (left unchanged)."""
        raise NotImplementedError

    def _zeros(self) -> list[np.ndarray]:
        """One zero array per parameter: the initial state of a running sum or average."""
        return [np.zeros_like(param) for param in self.params]


class SGD(Optimizer):
    r"""Stochastic gradient descent with momentum (D9).

    $$ v \leftarrow \omega v + \eta g, \qquad \theta \leftarrow \theta - v, $$

    with $v = 0$ at the start; momentum $\omega = 0$ gives plain SGD,
    $\theta \leftarrow \theta - \eta g$ (and no $v$ is kept).

    Args:
        params: The arrays to optimise; they are modified in place.
        learning_rate: Initial learning rate $\eta_0 > 0$ (a number or an array).
        momentum: Momentum $\omega \in [0, 1)$ (a number or an array); 0 gives plain SGD.
        schedule: A name of [SCHEDULES][fyslearn.optim.SCHEDULES].
        **schedule_settings: `power_t`, `decay_every`, `decay_factor`, as for
            [Optimizer][fyslearn.optim.Optimizer].

    Attributes:
        velocities: $v$ of every parameter, or `None` without momentum.

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
        **schedule_settings: Setting,
    ) -> None:
        super().__init__(params, learning_rate, schedule, **schedule_settings)
        self.momentum = _check_setting(momentum, "momentum")
        self.velocities = self._zeros() if np.any(self.momentum) else None

    def step(self, grads: Sequence[np.ndarray]) -> None:
        """Apply one update to `params`, given one gradient per parameter (left unchanged)."""
        eta, omega = self.current_rate, self.momentum
        for k, (theta, g) in enumerate(zip(self.params, grads, strict=True)):
            if self.velocities is None:  # plain SGD
                theta -= eta * g  # θ ← θ − η g
            else:
                v = omega * self.velocities[k] + eta * g  # v ← ω v + η g
                theta -= v  # θ ← θ − v
                self.velocities[k] = v


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
        velocities: $v$ of every parameter, or `None` without momentum.
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

    def step(self, grads: Sequence[np.ndarray]) -> None:
        """Apply one update to `params`, given one gradient per parameter (left unchanged)."""
        eta, omega, epsilon = self.current_rate, self.momentum, self.epsilon
        for k, (theta, g) in enumerate(zip(self.params, grads, strict=True)):
            G = self.squared_sums[k] + g**2  # G ← G + g²
            s = eta * g / (np.sqrt(G) + epsilon)  # s = η g / (√G + ε)
            if self.velocities is not None:
                s = omega * self.velocities[k] + s  # v ← ω v + s
                self.velocities[k] = s
            theta -= s  # θ ← θ − s (θ ← θ − v with momentum)
            self.squared_sums[k] = G


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

    def step(self, grads: Sequence[np.ndarray]) -> None:
        """Apply one update to `params`, given one gradient per parameter (left unchanged)."""
        eta, rho, epsilon = self.current_rate, self.rho, self.epsilon
        for k, (theta, g) in enumerate(zip(self.params, grads, strict=True)):
            v = rho * self.mean_squares[k] + (1 - rho) * g**2  # v ← ρ v + (1 − ρ) g²
            theta -= eta * g / (np.sqrt(v) + epsilon)  # θ ← θ − η g / (√v + ε)
            self.mean_squares[k] = v


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

    Examples:
        >>> theta = np.array([1.0, -2.0])
        >>> optimizer = Adam([theta], learning_rate=0.1)
        >>> optimizer.start_epoch(0, n_batches=1)
        0.1
        >>> optimizer.step([np.array([4.0, -0.5])])  # the first step is eta * sign(g)
        >>> theta.round(6)
        array([ 0.9, -1.9])
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

    def step(self, grads: Sequence[np.ndarray]) -> None:
        """Apply one update to `params`, given one gradient per parameter (left unchanged)."""
        self.n_steps += 1
        t, eta, epsilon = self.n_steps, self.current_rate, self.epsilon
        beta_1, beta_2 = self.beta_1, self.beta_2
        for k, (theta, g) in enumerate(zip(self.params, grads, strict=True)):
            m = beta_1 * self.first_moments[k] + (1 - beta_1) * g  # m ← β₁ m + (1 − β₁) g
            v = beta_2 * self.second_moments[k] + (1 - beta_2) * g**2  # v ← β₂ v + (1 − β₂) g²
            m_hat = m / (1 - beta_1**t)  # m̂ = m / (1 − β₁ᵗ)
            v_hat = v / (1 - beta_2**t)  # v̂ = v / (1 − β₂ᵗ)
            theta -= eta * m_hat / (np.sqrt(v_hat) + epsilon)  # θ ← θ − η m̂ / (√v̂ + ε)
            self.first_moments[k], self.second_moments[k] = m, v


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

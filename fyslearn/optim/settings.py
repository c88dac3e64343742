"""The allowed values of the optimizers' and schedules' settings, and their one check.

Every setting is a number, or an array of numbers (one per model of a stack) that
broadcasts against every parameter array; each entry must lie in the setting's
domain of `_DOMAINS`. [make_optimizer][fyslearn.optim.make_optimizer] and
[make_schedule][fyslearn.optim.make_schedule] check every setting here, so that a
bad value is refused with one message style, naming the setting and the value.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from .._validation import check_positive_int

Setting = float | np.ndarray
"""A hyper-parameter or a learning rate: one number, or one per model as an array."""


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


@functools.cache
def _parameter_names(function: Callable[..., object]) -> frozenset[str]:
    """The settings a schedule or an optimizer class takes (read once per callable)."""
    return frozenset(inspect.signature(function).parameters)


SOLVER_SETTINGS = ("rho", "beta_1", "beta_2", "epsilon", "power_t", "decay_every", "decay_factor")
"""The settings of the solvers besides the learning rate and momentum, as estimators name them."""


def solver_settings(estimators: Sequence[object]) -> dict[str, list]:
    """Each estimator's value of every setting in `SOLVER_SETTINGS`, by setting name."""
    return {name: [getattr(e, name) for e in estimators] for name in SOLVER_SETTINGS}

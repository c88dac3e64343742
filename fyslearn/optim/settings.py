"""The allowed values of the optimizers' and schedules' settings, and their one check.

Every setting is a number, or an array of numbers (one per model of a stack) that
broadcasts against every parameter array; each entry must lie in the setting's
interval of `SOLVER_DOMAINS` (in `fyslearn._params`), the table the
estimators read too. [make_optimizer][fyslearn.optim.make_optimizer] and
[make_schedule][fyslearn.optim.make_schedule] check every setting here, so that a
bad value is refused with one message style, naming the setting and the value.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence

import numpy as np

from .._params import SOLVER_DOMAINS, in_interval
from .._validation import check_number

Setting = float | np.ndarray
"""A hyper-parameter or a learning rate: one number, or one per model as an array."""


def _check_setting(value: object, name: str) -> Setting:
    """`value` as a float, or as a float array if it is array-like; every entry must be allowed.

    Raises:
        TypeError: `value` is not a real number or an array of real numbers.
        ValueError: Some entry lies outside the interval of `name` in
            `SOLVER_DOMAINS` (in `fyslearn._params`); the message names it.
    """
    domain = SOLVER_DOMAINS[name]
    if np.ndim(value) == 0 and not isinstance(value, np.ndarray):
        check_number(value, name, domain)
        return float(value)
    raw = np.asarray(value)
    if raw.dtype.kind not in "iuf" or raw.size == 0:
        raise TypeError(
            f"{name} must be a real number or a non-empty array of real numbers, got {value!r}."
        )
    values = raw.astype(float)  # a copy: later changes to the caller's array do not leak in
    allowed = in_interval(values, domain)
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
        check_number(value, "decay_every", SOLVER_DOMAINS["decay_every"])
        return int(value)
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

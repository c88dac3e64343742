"""Parameter checks shared by every estimator.

Array validation (NaN, inf, shapes, dtypes) is left to scikit-learn's
`validate_data` / `check_array`; this module covers the *hyper-parameters*,
so that a bad `batch_size` or an unknown `schedule` is reported by name
before any work starts.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable

import numpy as np
from sklearn.utils._param_validation import Interval

__all__ = [
    "as_generator",
    "check_name_list",
    "check_non_negative_float",
    "check_number",
    "check_option",
    "check_positive_float",
    "check_positive_int",
    "forget_fit",
]


def _refuse_bool(value: object, name: str, expected: str) -> None:
    """`True` is an `int` to Python, never a batch size or a learning rate to fyslearn."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be {expected}, not a bool ({value!r}).")


def check_number(value: object, name: str, interval: Interval) -> None:
    """Refuse `value` unless it is a number of `interval` (scikit-learn's `Interval`), not a bool.

    The one message style of fyslearn's parameter checks:
    "{name} must be {interval}, got {value!r}."

    Raises:
        TypeError: `value` is a bool, or not of the interval's type (`Integral`, `Real`).
        ValueError: `value` lies outside the interval (NaN and infinities always do).
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, interval.type):
        kind = "a bool" if isinstance(value, (bool, np.bool_)) else type(value).__name__
        raise TypeError(f"{name} must be {interval}, got {kind} {value!r}.")
    if not interval.is_satisfied_by(value):
        raise ValueError(f"{name} must be {interval}, got {value!r}.")


def check_positive_int(value: object, name: str) -> int:
    """Return `value` if it is an integer >= 1 (not a bool), else raise naming `name`."""
    check_number(value, name, Interval(numbers.Integral, 1, None, closed="left"))
    return value


def check_positive_float(value: object, name: str) -> float:
    """Return `value` as a float if it is a finite real number > 0 (not a bool)."""
    check_number(value, name, Interval(numbers.Real, 0, None, closed="neither"))
    return float(value)


def check_non_negative_float(value: object, name: str, max_val: float | None = None) -> float:
    """Return `value` as a float if it is finite and in [0, max_val) (not a bool)."""
    check_number(value, name, Interval(numbers.Real, 0, max_val, closed="left"))
    return float(value)


def check_option(value: object, name: str, options: Iterable[str]) -> str:
    """Return `value` if it is one of `options`; the error lists the valid names.

    Raises:
        TypeError: `value` is not a string.
        ValueError: `value` is a string but not one of `options`.
    """
    options = sorted(options)
    if not isinstance(value, str):
        raise TypeError(
            f"{name} must be a string, one of {options}, got {type(value).__name__} {value!r}."
        )
    if value not in options:
        raise ValueError(f"{name} must be one of {options}, got {value!r}.")
    return value


def check_name_list(value: object, name: str) -> list[str]:
    """Return `value` as a list if it is a list or tuple of strings, else raise naming `name`.

    For parameters that take one name per layer; the caller checks the length,
    and [`check_option`][fyslearn._validation.check_option] each name.

    Raises:
        TypeError: `value` is not a list or tuple of strings (`None`, a number, ...).
    """
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise TypeError(
            f"{name} must be a string or a list of strings, got {type(value).__name__} {value!r}."
        )
    return list(value)


def as_generator(
    random_state: int | np.random.Generator | np.random.RandomState | None,
) -> np.random.Generator:
    """Turn `random_state` into a `numpy.random.Generator`, accepting what scikit-learn accepts.

    `None` gives fresh OS entropy, an integer (Python's or numpy's) a
    reproducible stream, a `Generator` is used as it is (so callers can share
    one stream), and a legacy `RandomState` seeds a new generator from its next
    draw (so a shared `RandomState` still gives different streams in turn).
    """
    _refuse_bool(random_state, "random_state", "None, an int or a numpy.random.Generator")
    if random_state is None or isinstance(random_state, numbers.Integral):
        if random_state is not None and random_state < 0:
            raise ValueError(f"random_state must be a non-negative integer, got {random_state}.")
        return np.random.default_rng(random_state)
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))
    raise TypeError(
        "random_state must be None, an int, a numpy.random.Generator or a "
        f"numpy.random.RandomState, got {type(random_state).__name__} {random_state!r}."
    )


def forget_fit(estimator: object) -> None:
    """Delete every learned attribute (name ending in `_`): the estimator is unfitted again.

    Called when training fails, so that a diverged model can never be used
    as if it were fitted (`predict` then raises `NotFittedError`).
    """
    for name in [n for n in vars(estimator) if n.endswith("_") and not n.startswith("__")]:
        delattr(estimator, name)
    if hasattr(estimator, "_fitted_params"):
        del estimator._fitted_params  # the parameters of a fit that no longer exists

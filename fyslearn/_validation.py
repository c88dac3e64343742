"""Parameter checks shared by every estimator.

Array validation (NaN, inf, shapes, dtypes) is left to scikit-learn's
``validate_data`` / ``check_array``; this module covers the *hyper-parameters*,
so that a bad ``batch_size`` or an unknown ``schedule`` is reported by name
before any work starts.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable

import numpy as np
from sklearn.utils import check_scalar

__all__ = [
    "as_generator",
    "check_non_negative_float",
    "check_option",
    "check_positive_float",
    "check_positive_int",
    "forget_fit",
]


def check_positive_int(value: object, name: str) -> int:
    """Return ``value`` if it is an integer >= 1, else raise naming ``name``."""
    return check_scalar(value, name, numbers.Integral, min_val=1)


def check_positive_float(value: object, name: str) -> float:
    """Return ``value`` as a float if it is a finite real number > 0."""
    value = check_scalar(value, name, numbers.Real, min_val=0, include_boundaries="neither")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}.")
    return float(value)


def check_non_negative_float(value: object, name: str, max_val: float | None = None) -> float:
    """Return ``value`` as a float if it is finite and in [0, max_val)."""
    value = check_scalar(
        value,
        name,
        numbers.Real,
        min_val=0,
        max_val=max_val,
        include_boundaries="left" if max_val is not None else "both",
    )
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}.")
    return float(value)


def check_option(value: object, name: str, options: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``options``; the error lists the valid names."""
    options = sorted(options)
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {options}, got {value!r}.")
    return value


def as_generator(random_state: int | np.random.Generator | None) -> np.random.Generator:
    """Turn ``random_state`` into a :class:`numpy.random.Generator`.

    ``None`` gives fresh OS entropy, an integer a reproducible stream, and a
    ``Generator`` is used as it is (so callers can share one stream).
    """
    if random_state is None or isinstance(random_state, numbers.Integral):
        if random_state is not None and random_state < 0:
            raise ValueError(f"random_state must be a non-negative integer, got {random_state}.")
        return np.random.default_rng(random_state)
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))
    raise TypeError(
        "random_state must be None, an int or a numpy.random.Generator, "
        f"got {type(random_state).__name__}."
    )


def forget_fit(estimator: object) -> None:
    """Delete every learned attribute (name ending in ``_``): the estimator is unfitted again.

    Called when training fails, so that a diverged model can never be used
    as if it were fitted (``predict`` then raises ``NotFittedError``).
    """
    for name in [n for n in vars(estimator) if n.endswith("_") and not n.startswith("__")]:
        delattr(estimator, name)

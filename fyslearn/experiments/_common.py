"""What the experiments share: bootstrap scoring, the results table, writing files."""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..datasets import FrankeSplit
from ..resampling import bootstrap_scores

__all__ = ["Row", "quick_mode", "scores"]

#: The noise variance of the report's Franke data: no model's test MSE can be lower on average.
NOISE_FLOOR = 0.2**2


def quick_mode() -> bool:
    """Whether the environment variable `FYSLEARN_QUICK` asks for the quick settings.

    Any value but empty or `0` does: the tutorials then run each experiment's
    `Config.quick()` instead of the report's settings.
    """
    return os.environ.get("FYSLEARN_QUICK", "") not in ("", "0")


def scores(model: Any, X_test: np.ndarray, split: FrankeSplit, seed: int) -> dict[str, float]:
    """The report's bootstrap MSE and $R^2$ (100 resamples), plus the excess error.

    The excess error is the MSE against the noise-free function, the part of
    the test MSE a better model could remove (the rest is the noise, 0.04).

    Args:
        model: A fitted regressor.
        X_test: The test inputs as the model takes them, shape `(n_test, n_features)`.
        split: The Franke split whose test targets and noise-free values score it.
        seed: Seed of the bootstrap resamples.

    Returns:
        `mse`, `mse_std`, `r2` and `excess`.
    """
    boot = bootstrap_scores(model, X_test, split.y_test, n_bootstraps=100, random_state=seed)
    prediction = np.asarray(model.predict(X_test), dtype=float).ravel()
    return {
        "mse": boot.mse_mean,
        "mse_std": boot.mse_std,
        "r2": boot.r2_mean,
        "excess": float(np.mean((prediction - split.truth_test) ** 2)),
    }


@dataclass(frozen=True)
class Row:
    """One line of the results table.

    `verdict` is `"agrees"`, `"differs: <why>"`, or empty for a quantity the
    report does not have (see `verdict`).
    """

    experiment: str
    quantity: str
    report: str
    ours: str
    reference: str = ""
    verdict: str = ""


MSE_WITHIN = 0.005
"""A test MSE agrees with the report's when it is this close (about 10 % of 0.05)."""

ACCURACY_WITHIN = 0.01
"""A test accuracy agrees with the report's when it is this close."""

R2_WITHIN = 0.05
"""A test $R^2$ agrees with the report's when it is this close."""


def verdict(ours: float | None, report: float, within: float, why: str) -> str:
    """`"agrees"` when `ours` is within `within` of the report's number, else `"differs: why"`.

    `why` says in a few words what makes the difference (it is shown only then).
    """
    if ours is None or not math.isfinite(ours) or abs(ours - report) > within:
        return f"differs: {why}"
    return "agrees"


def fmt(value: float, digits: int = 3) -> str:
    """A number for the results table; NaN (diverged) as 'diverged'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "diverged"
    return f"{value:.{digits}f}"


def mean_std(values: Iterable[float], digits: int = 3) -> str:
    values = np.asarray(list(values), dtype=float)
    if len(values) == 1:
        return fmt(float(values[0]), digits)
    return f"{values.mean():.{digits}f} ± {values.std():.{digits}f}"


def to_jsonable(value: Any) -> Any:
    """Arrays to lists and NaN to None, recursively, for JSON."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value

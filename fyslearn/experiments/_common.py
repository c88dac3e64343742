"""What the experiments share: the Franke split, bootstrap scoring, saving results."""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split

from ..datasets import franke, make_franke
from ..resampling import bootstrap_scores

__all__ = [
    "FrankeSplit",
    "Row",
    "franke_split",
    "quick_mode",
    "scores",
    "write_atomically",
]

#: The noise variance of the report's Franke data: no model's test MSE can be lower on average.
NOISE_FLOOR = 0.2**2


def quick_mode() -> bool:
    """Whether ``FYSLEARN_QUICK=1`` asks tutorials for their quick configuration."""
    return os.environ.get("FYSLEARN_QUICK", "") not in ("", "0")


@dataclass(frozen=True)
class FrankeSplit:
    """The report's Franke data: 75 % train, 25 % test, inputs centred by the training mean.

    Attributes:
        X_train, X_test: Centred inputs, shape ``(n, 2)``.
        y_train, y_test: Noisy targets.
        truth_test: The noise-free Franke function at the test points.
    """

    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    truth_test: np.ndarray


def franke_split(
    seed: int, n_samples: int = 1000, noise: float = 0.2, centring: str = "scalar"
) -> FrankeSplit:
    """Generate, split and centre the Franke data as the report does.

    Args:
        seed: Seed of the data and of the split.
        n_samples: Number of points (the report: 1000).
        noise: Noise standard deviation (the report: 0.2).
        centring: ``"scalar"`` subtracts one number, the mean over both input
            columns (the report's code); ``"columns"`` subtracts each column's mean;
            ``"none"`` leaves the inputs in [0, 1]².
    """
    X, y = make_franke(n_samples, noise=noise, random_state=seed)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=seed)
    truth = franke(X_test[:, 0], X_test[:, 1])
    if centring == "scalar":
        centre = X_train.mean()
    elif centring == "columns":
        centre = X_train.mean(axis=0)
    elif centring == "none":
        centre = 0.0
    else:
        raise ValueError(f"centring must be 'scalar', 'columns' or 'none', got {centring!r}.")
    return FrankeSplit(X_train - centre, X_test - centre, y_train, y_test, truth)


def scores(model: Any, X_test: np.ndarray, split: FrankeSplit, seed: int) -> dict[str, float]:
    """The report's bootstrap MSE and R² (100 resamples), plus the excess error.

    The excess error is the MSE against the noise-free function, the part of
    the test MSE a better model could remove (the rest is the noise, 0.04).
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
    """One line of the results table."""

    experiment: str
    quantity: str
    report: str
    ours: str
    reference: str = ""


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


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Run ``write(temporary)`` beside ``path``, then rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write(Path(temporary))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def save_json(result: dict[str, Any], path: Path) -> None:
    """Write an experiment's result as JSON, atomically."""
    text = json.dumps(to_jsonable(result), indent=1)
    write_atomically(path, lambda temporary: temporary.write_text(text))


def config_dict(config: Any) -> dict[str, Any]:
    return {field.name: getattr(config, field.name) for field in fields(config)}

"""Each estimator's parameters as one table: name -> the values it may take.

Every estimator class holds a read-only dict `parameter_constraints` (scikit-learn's
`_parameter_constraints`, public here) from each parameter of its `__init__`
to what the parameter may be:

* a scikit-learn `Interval`, e.g. `Interval(Real, 0, 1, closed="left")` for a
  momentum in $[0, 1)$ (bools are refused: `True` is no learning rate);
* a scikit-learn `StrOptions`, a set of names;
* a list whose first entry is `None`, when `None` is allowed as well;
* one of the constraints below, for layer sizes, per-layer names and the few
  parameters checked by a function.

[`validate_params`][fyslearn._params.validate_params] checks an estimator
against its table, before any work: `fit`, `fit_many`, `save` and `load` all
call it, and every refusal reads "{name} must be {what}, got {value!r}."
(a `TypeError` for a value of the wrong type, else a `ValueError`).

```python
MLPRegressor.parameter_constraints["momentum"]   # Interval(Real, 0, 1, closed="left")
```
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral, Real
from types import MappingProxyType
from typing import Any

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ._validation import as_generator, check_name_list, check_number, check_option

__all__ = [
    "COUNT",
    "FRACTION",
    "NON_NEGATIVE",
    "POSITIVE",
    "RANDOM_STATE",
    "SKLEARN_NAMES",
    "SOLVER_DOMAINS",
    "VALIDATION_DATA",
    "VERBOSE",
    "HiddenLayerSizes",
    "Interval",
    "LayerNames",
    "Rule",
    "ScikitLearnNames",
    "StrOptions",
    "check_param",
    "hidden_sizes",
    "in_interval",
    "options",
    "output_layer",
    "unsaved_params",
    "validate_params",
]


# -- the constraints that scikit-learn's Interval and StrOptions do not cover -------------------


@dataclass(frozen=True)
class HiddenLayerSizes:
    """Units per hidden layer: an int, or a sequence of ints, each >= 1."""

    def check(self, value: object, name: str, params: dict[str, Any]) -> None:
        for size in self.read(value):
            if isinstance(size, bool) or not isinstance(size, Integral):
                raise TypeError(f"{name} must be a sequence of ints >= 1, got {value!r}.")
            if size < 1:
                raise ValueError(f"{name} must be a sequence of ints >= 1, got {value!r}.")

    @staticmethod
    def read(value: object) -> list:
        """The sizes as a list: `3`, `(3,)` and `[3]` are one architecture."""
        if isinstance(value, Integral):
            return [value]
        if not isinstance(value, Sequence) or isinstance(value, str):
            raise TypeError(f"hidden_layer_sizes must be a sequence of ints, got {value!r}.")
        return list(value)


@dataclass(frozen=True)
class LayerNames:
    """A name of `options`, or a list of them: one per hidden layer, or one per weight layer.

    `per` is `"hidden layer"` (activations) or `"weight layer"` (hidden layers
    and output: initializers); the number of layers follows from
    `hidden_layer_sizes` in the same table.
    """

    options: frozenset[str]
    per: str

    def check(self, value: object, name: str, params: dict[str, Any]) -> None:
        for layer_name in self.read(value, name, params):
            check_option(layer_name, name, self.options)

    def read(self, value: object, name: str, params: dict[str, Any]) -> list[str]:
        """One name per layer, as the estimator uses them."""
        n_layers = len(hidden_sizes(params)) + (self.per == "weight layer")
        if isinstance(value, str):
            return [value] * n_layers
        names = check_name_list(value, name)
        if len(names) != n_layers:
            what = " (hidden layers + output)" if self.per == "weight layer" else ""
            raise ValueError(
                f"{name} needs one name per {self.per}{what}: {n_layers}, got {len(names)}."
            )
        return names


@dataclass(frozen=True)
class Rule:
    """A parameter checked by `function(value, name)`, which raises on a bad value.

    `saved=False` marks a parameter never written to a model file (validation
    data): [`save`][fyslearn.persistence.save] stores `None` for it.
    """

    function: Callable[[Any, str], Any]
    saved: bool = True

    def check(self, value: object, name: str, params: dict[str, Any]) -> None:
        self.function(value, name)


def _check_verbose(value: object, name: str) -> None:
    if not isinstance(value, Integral):
        raise TypeError(f"{name} must be an int >= 0 (or a bool), got {value!r}.")
    if value < 0:
        raise ValueError(f"{name} must be an int >= 0 (or a bool), got {value!r}.")


def _check_random_state(value: object, name: str) -> None:
    """As `fit` reads it, without drawing from a generator (checking consumes no randomness)."""
    if not isinstance(value, (np.random.Generator, np.random.RandomState)):
        as_generator(value)


def _check_validation_pair(value: object, name: str) -> None:
    """The pair's arrays are checked with the training data, by `fit`."""
    if value is not None and (not isinstance(value, (tuple, list)) or len(value) != 2):
        raise ValueError(
            f"{name} must be a pair (X_val, y_val) or None, got {type(value).__name__}."
        )


# -- shared entries ---------------------------------------------------------------------------

POSITIVE = Interval(Real, 0, None, closed="neither")
NON_NEGATIVE = Interval(Real, 0, None, closed="left")
FRACTION = Interval(Real, 0, 1, closed="left")
COUNT = Interval(Integral, 1, None, closed="left")
"""A whole number >= 1 (epochs, a batch size, `decay_every`)."""
RANDOM_STATE = Rule(_check_random_state)
VERBOSE = Rule(_check_verbose)
VALIDATION_DATA = Rule(_check_validation_pair, saved=False)

SOLVER_DOMAINS: Mapping[str, Interval] = MappingProxyType(
    {
        "learning_rate": POSITIVE,
        "momentum": FRACTION,
        "rho": FRACTION,
        "beta_1": FRACTION,
        "beta_2": FRACTION,
        "epsilon": POSITIVE,
        "power_t": NON_NEGATIVE,
        "decay_every": COUNT,
        "decay_factor": Interval(Real, 0, 1, closed="right"),
    }
)
"""The numeric settings of the optimizers and schedules, shared by every SGD-trained estimator.

One value per setting in an estimator; the optimizers also take one per model
(an array), whose entries [`in_interval`][fyslearn._params.in_interval] checks.
"""


def in_interval(values: np.ndarray, interval: Interval) -> np.ndarray:
    """Which entries of the float array `values` lie in `interval` (NaN and infinities never do).

    The array form of `interval.is_satisfied_by`, for settings given one per model.
    """
    left = -np.inf if interval.left is None else interval.left
    right = np.inf if interval.right is None else interval.right
    above = values >= left if interval.closed in ("left", "both") else values > left
    below = values <= right if interval.closed in ("right", "both") else values < right
    return np.isfinite(values) & above & below


# -- the check --------------------------------------------------------------------------------


def validate_params(estimator: Any) -> None:
    """Check every parameter of `estimator` against its class's `parameter_constraints`.

    Raises:
        TypeError: A parameter of the wrong type (a bool for a number, a number for a name).
        ValueError: A parameter out of range, or an unknown name; the message lists the
            valid names.
    """
    params = estimator.get_params(deep=False)
    for name, constraint in type(estimator).parameter_constraints.items():
        check_param(constraint, params[name], name, params)


def check_param(constraint: Any, value: object, name: str, params: dict[str, Any]) -> None:
    """Check one parameter `name` = `value` against its `constraint` (see the module docstring)."""
    if isinstance(constraint, list):  # [None, constraint]
        if value is None:
            return
        constraint = constraint[1]
    if isinstance(constraint, Interval):
        check_number(value, name, constraint)
    elif isinstance(constraint, StrOptions):
        check_option(value, name, constraint.options)
    else:
        constraint.check(value, name, params)


def hidden_sizes(params: dict[str, Any]) -> list:
    """The units per hidden layer that `params` describe (none without `hidden_layer_sizes`)."""
    return HiddenLayerSizes.read(params.get("hidden_layer_sizes", ()))


def output_layer(
    params: dict[str, Any], n_targets: int, is_classifier: bool
) -> tuple[str, str, int]:
    """The output activation, the loss and the number of output units of a network estimator.

    Regression: a linear output with MSE, one unit per target. Classification
    of `n_targets` classes: softmax with cross-entropy, one unit per class;
    for two classes one sigmoid unit with binary cross-entropy, $a = P(y = 1)$,
    as scikit-learn does. The parameters `out_activation` and `loss` (in
    `params`, as `get_params` gives them) override the defaults.
    """
    out_activation = params.get("out_activation")
    loss = params.get("loss")
    if not is_classifier:
        return out_activation or "linear", loss or "mse", n_targets
    binary = (
        n_targets == 2
        and (loss or "binary_cross_entropy") == "binary_cross_entropy"
        and (out_activation or "sigmoid") == "sigmoid"
    )
    if binary:
        return "sigmoid", "binary_cross_entropy", 1
    return out_activation or "softmax", loss or "cross_entropy", n_targets


SKLEARN_NAMES = {
    "max_iter": "epochs",
    "learning_rate_init": "learning_rate",
    "eta0": "learning_rate",
}
"""scikit-learn's names of parameters that fyslearn spells differently -> fyslearn's name."""


class ScikitLearnNames:
    """Refuses scikit-learn's spelling of a parameter, naming fyslearn's.

    `MLPRegressor(max_iter=10)` raises `TypeError: MLPRegressor has no parameter
    'max_iter' (scikit-learn's name); fyslearn calls it 'epochs'` instead of
    Python's bare "unexpected keyword argument"; `set_params(max_iter=10)`
    (as in a grid search) raises the `ValueError` that scikit-learn raises for an
    unknown parameter, with the same hint.
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        message = _sklearn_name_hint(cls, kwargs)
        if message:
            raise TypeError(message)
        return super().__new__(cls)

    def set_params(self, **params: Any) -> Any:
        message = _sklearn_name_hint(type(self), params)
        if message:
            raise ValueError(message)
        return super().set_params(**params)


def _sklearn_name_hint(cls: type, names: Iterable[str]) -> str | None:
    """The message for the first of `names` that is scikit-learn's spelling of one of `cls`'s."""
    for name in names:
        ours = SKLEARN_NAMES.get(name)
        if ours in cls.parameter_constraints and name not in cls.parameter_constraints:
            return (
                f"{cls.__name__} has no parameter {name!r} (scikit-learn's name); "
                f"fyslearn calls it {ours!r}: {cls.__name__}({ours}=...)."
            )
    return None


def unsaved_params(cls: type) -> list[str]:
    """The parameters of `cls` that a model file never stores (validation data)."""
    return [
        name
        for name, constraint in cls.parameter_constraints.items()
        if not getattr(constraint, "saved", True)
    ]


def options(names: Iterable[str]) -> StrOptions:
    """A `StrOptions` of `names` (the keys of a registry such as `SOLVERS`)."""
    return StrOptions(set(names))

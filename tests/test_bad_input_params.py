"""Parameters of the wrong type: bools for numbers, non-strings for names.

`True` is an `int` to Python (`isinstance(True, int)`), so without an explicit
check `batch_size=True` would train with batches of one row. Each case must
raise `TypeError` or `ValueError` naming the parameter, before any work.
"""

import numpy as np
import pytest

from fyslearn._validation import (
    as_generator,
    check_name_list,
    check_non_negative_float,
    check_option,
    check_positive_float,
    check_positive_int,
)
from fyslearn.datasets import make_franke
from fyslearn.linear_model import Ridge, SGDRegressor
from fyslearn.nn import LogisticRegression, MLPClassifier, MLPRegressor

X = np.random.default_rng(0).normal(size=(12, 2))
Y = X.sum(axis=1)
LABELS = np.arange(12) % 2

BOOL_NUMBERS = [
    ("batch_size", True),
    ("epochs", True),
    ("learning_rate", True),
    ("alpha", False),
    ("momentum", True),
    ("random_state", True),
    ("batch_size", np.True_),
]


@pytest.mark.parametrize(("name", "value"), BOOL_NUMBERS)
@pytest.mark.parametrize("make", [SGDRegressor, MLPRegressor, LogisticRegression])
def test_bools_are_not_numbers(make, name, value):
    y = LABELS if make is LogisticRegression else Y
    with pytest.raises(TypeError, match=name):
        make(**{name: value}).fit(X, y)


def test_bool_hidden_layer_size_and_ridge_alpha():
    with pytest.raises(TypeError, match="hidden_layer_sizes"):
        MLPRegressor(hidden_layer_sizes=True).fit(X, Y)
    with pytest.raises(TypeError, match="hidden_layer_sizes"):
        MLPRegressor(hidden_layer_sizes=(4, False)).fit(X, Y)
    with pytest.raises(TypeError, match="alpha"):
        Ridge(alpha=True).fit(X, Y)
    with pytest.raises(TypeError, match="n_samples"):
        make_franke(True)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("activation", None),
        ("activation", 3),
        ("activation", [None]),
        ("activation", {"relu": 1}),
        ("kernel_init", None),
        ("kernel_init", ["normal", 3]),
        ("bias_init", 3),
        ("bias_init", b"zeros"),
        ("schedule", None),
        ("on_divergence", 1),
    ],
)
@pytest.mark.parametrize("make", [MLPRegressor, MLPClassifier])
def test_names_of_the_wrong_type_are_named(make, name, value):
    y = LABELS if make is MLPClassifier else Y
    with pytest.raises((TypeError, ValueError), match=name):
        make(hidden_layer_sizes=(3,), epochs=1, **{name: value}).fit(X, y)


def test_check_option_separates_wrong_types_from_unknown_names():
    with pytest.raises(
        TypeError, match=r"schedule must be a string, one of \['a', 'b'\], got NoneType"
    ):
        check_option(None, "schedule", ["b", "a"])
    with pytest.raises(ValueError, match=r"schedule must be one of \['a', 'b'\], got 'c'"):
        check_option("c", "schedule", ["a", "b"])
    assert check_option("a", "schedule", ["a", "b"]) == "a"


def test_name_lists():
    assert check_name_list(("relu", "tanh"), "activation") == ["relu", "tanh"]
    for bad in (None, "relu", 3, ["relu", None], {"relu"}):
        with pytest.raises(TypeError, match="activation must be a string or a list of strings"):
            check_name_list(bad, "activation")


@pytest.mark.parametrize(
    "check",
    [
        lambda v: check_positive_int(v, "n"),
        lambda v: check_positive_float(v, "n"),
        lambda v: check_non_negative_float(v, "n"),
        lambda v: as_generator(v),
    ],
    ids=["positive_int", "positive_float", "non_negative_float", "as_generator"],
)
@pytest.mark.parametrize("value", [True, False, np.True_])
def test_checks_refuse_bools(check, value):
    with pytest.raises(TypeError, match="bool"):
        check(value)


def test_numpy_numbers_are_still_numbers():
    assert check_positive_int(np.int64(3), "n") == 3
    assert check_positive_float(np.float32(0.5), "n") == 0.5
    assert as_generator(np.int64(4)).integers(10) == np.random.default_rng(4).integers(10)

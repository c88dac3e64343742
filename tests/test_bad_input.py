"""Bad input is reported by name, before any work."""

import numpy as np
import pytest

from fyslearn.datasets import make_franke
from fyslearn.features import design_matrix
from fyslearn.linear_model import OLS, Ridge, SGDRegressor, mse_gradient

X_OK, Y_OK = np.ones((6, 2)), np.arange(6.0)


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"learning_rate": 0}, "learning_rate"),
        ({"learning_rate": -0.1}, "learning_rate"),
        ({"learning_rate": np.nan}, "learning_rate"),
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": -5}, "batch_size"),
        ({"batch_size": 2.5}, "batch_size"),
        ({"epochs": 0}, "epochs"),
        ({"alpha": -1.0}, "alpha"),
        ({"momentum": -0.5}, "momentum"),
        ({"schedule": "exponential"}, "schedule"),
        ({"on_divergence": "ignore"}, "on_divergence"),
        ({"random_state": "seed"}, "random_state"),
    ],
)
def test_sgd_regressor_names_bad_parameter(params, name):
    with pytest.raises((ValueError, TypeError), match=name):
        SGDRegressor(**params).fit(X_OK, Y_OK)


@pytest.mark.parametrize("model", [OLS(), Ridge(), SGDRegressor()], ids=["ols", "ridge", "sgd"])
@pytest.mark.parametrize(
    ("X", "y", "match"),
    [
        (np.array([[np.nan, 1.0]] * 6), Y_OK, "NaN"),
        (np.array([[np.inf, 1.0]] * 6), Y_OK, "infinity"),
        (X_OK, np.r_[Y_OK[:-1], np.nan], "NaN"),
        (X_OK, Y_OK[:4], "inconsistent numbers of samples"),
        (np.ones(6), Y_OK, "2D array"),
        (np.ones((0, 2)), np.ones(0), "0 sample"),
        (np.array([["a", "b"]] * 6), Y_OK, "could not convert|dtype"),
    ],
)
def test_estimators_reject_bad_arrays(model, X, y, match):
    with pytest.raises(ValueError, match=match):
        model.fit(X, y)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((np.ones(3), np.ones(3), np.ones(1)), "X must be 2-D"),
        ((np.ones((3, 2)), np.ones(4), np.ones(2)), "y must have shape"),
        ((np.ones((3, 2)), np.ones(3), np.ones(3)), "beta must have shape"),
        ((np.ones((3, 2)), np.r_[1.0, np.nan, 1.0], np.ones(2)), "y contains NaN"),
        ((np.ones((0, 2)), np.ones(0), np.ones(2)), "empty"),
    ],
)
def test_mse_gradient_rejects_bad_arrays(args, match):
    with pytest.raises(ValueError, match=match):
        mse_gradient(*args)


def test_mse_gradient_rejects_negative_alpha():
    with pytest.raises(ValueError, match="alpha"):
        mse_gradient(np.ones((3, 2)), np.ones(3), np.ones(2), alpha=-1)


@pytest.mark.parametrize(
    ("kwargs", "name"), [({"n_samples": 0}, "n_samples"), ({"noise": -1}, "noise")]
)
def test_make_franke_names_bad_parameter(kwargs, name):
    with pytest.raises(ValueError, match=name):
        make_franke(**kwargs)


def test_design_matrix_rejects_wrong_width_and_nan():
    with pytest.raises(ValueError, match=r"shape \(n_samples, 2\)"):
        design_matrix(np.ones(3), 2)
    with pytest.raises(ValueError, match="NaN"):
        design_matrix(np.array([[np.nan, 0.0]]), 2)


@pytest.mark.parametrize("negative_slope", [-0.1, 1.5])
def test_leaky_relu_rejects_a_slope_outside_0_1(negative_slope):
    from fyslearn.nn.activations import LeakyReLU

    # max(z, sz) is leaky ReLU only for 0 ≤ s ≤ 1
    with pytest.raises(ValueError, match=r"negative_slope of LeakyReLU must be in \[0, 1\]"):
        LeakyReLU(negative_slope)


@pytest.mark.parametrize(
    ("x", "y", "name"),
    [(None, 1, "x"), (0.5, None, "y"), ("0.5", 1, "x"), (0.5, [1j], "y"), ([0.1, None], 1, "x")],
)
def test_franke_refuses_input_that_is_no_real_numbers(x, y, name):
    from fyslearn.datasets import franke

    with pytest.raises(ValueError, match=rf"^{name} must be real numbers"):
        franke(x, y)


@pytest.mark.parametrize("name", ["X", "y", "beta"])
def test_mse_gradient_refuses_complex_input(name):
    arrays = {"X": np.ones((4, 2)), "y": np.arange(4.0), "beta": np.zeros(2)}
    arrays[name] = arrays[name] + 1j
    with pytest.raises(ValueError, match=f"^{name} is complex"):
        mse_gradient(arrays["X"], arrays["y"], arrays["beta"])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("name", ["X", "y", "beta"])
def test_mse_gradient_refuses_non_finite_input(name, bad):
    arrays = {"X": np.ones((4, 2)), "y": np.arange(4.0), "beta": np.zeros(2)}
    arrays[name] = arrays[name].copy()
    arrays[name].flat[0] = bad
    with pytest.raises(ValueError, match=rf"^{name} contains NaN or infinity \(1 entries\)"):
        mse_gradient(arrays["X"], arrays["y"], arrays["beta"])


@pytest.mark.parametrize("shape", [(5, 2), (5, 4), (4,), (2, 5, 3)])
def test_network_predict_names_expected_and_given_columns(shape):
    from fyslearn.nn.network import FeedForwardNetwork

    network = FeedForwardNetwork([3, 4, 1], "relu", random_state=0)
    with pytest.raises(ValueError, match=r"X must have 3 columns .* got shape") as raised:
        network.predict(np.ones(shape))
    assert str(shape[-1]) in str(raised.value).split("got shape")[1]
    assert network.predict(np.ones((5, 3))).shape == (5, 1)

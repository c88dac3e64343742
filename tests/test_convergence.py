"""Warnings that teach: an unconverged fit warns, a diverging one names the features' scales.

The criterion ([`still_falling`][fyslearn.optim.still_falling]): the training loss
fell by more than 1 % per epoch, on average, over the last tenth of the epochs
(at least 2). Each case is tested both ways: the short fit warns, the same model
trained to convergence does not.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning as ScikitLearnConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import fyslearn
from fyslearn.linear_model import SGDRegressor
from fyslearn.nn import LogisticRegression, MLPClassifier, MLPRegressor
from fyslearn.optim import (
    ConvergenceWarning,
    DivergenceError,
    feature_scale_hint,
    still_falling,
)
from fyslearn.optim.loop import FALLING_FAST


def _breast_cancer(scaled: bool = True):
    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)
    if scaled:
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    return X_train, X_test, y_train, y_test


def _regression(n: int = 200, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=n)


def test_it_is_scikit_learns_convergence_warning():
    assert issubclass(ConvergenceWarning, ScikitLearnConvergenceWarning)
    assert FALLING_FAST == 0.01


def test_default_logistic_regression_on_scaled_breast_cancer_warns_and_names_the_settings():
    X_train, X_test, y_train, y_test = _breast_cancer()
    with pytest.warns(ConvergenceWarning) as caught:
        model = LogisticRegression(random_state=0).fit(X_train, y_train)
    (warning,) = caught
    message = str(warning.message)
    assert "epochs (now 50)" in message and "learning_rate (now 0.001)" in message
    assert warning.filename == __file__  # points at the user's call, not into fyslearn
    assert model.score(X_test, y_test) < 0.85  # the silent failure the warning is about


def test_logistic_regression_trained_to_convergence_does_not_warn():
    X_train, X_test, y_train, y_test = _breast_cancer()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = LogisticRegression(learning_rate=0.1, epochs=100, random_state=0)
        model.fit(X_train, y_train)
    assert model.score(X_test, y_test) > 0.93


@pytest.mark.parametrize(
    ("make", "y_kind"),
    [
        (lambda **kw: SGDRegressor(random_state=0, **kw), "regression"),
        (lambda **kw: MLPRegressor(hidden_layer_sizes=(8,), random_state=0, **kw), "regression"),
        (lambda **kw: MLPClassifier(hidden_layer_sizes=(8,), random_state=0, **kw), "classes"),
        (lambda **kw: LogisticRegression(random_state=0, **kw), "classes"),
    ],
    ids=["SGDRegressor", "MLPRegressor", "MLPClassifier", "LogisticRegression"],
)
def test_every_trained_estimator_warns_when_short_and_not_when_converged(make, y_kind):
    X, y = _regression()
    if y_kind == "classes":  # noisy labels: the loss settles instead of falling towards 0
        y = (y + np.random.default_rng(1).normal(size=len(y)) > 0).astype(int)
    with pytest.warns(ConvergenceWarning, match=r"Raise epochs \(now 5\)"):
        make(learning_rate=0.03, epochs=5, batch_size=20).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = make(learning_rate=0.05, epochs=200, batch_size=20, solver="adam")
        model.fit(X, y)
    assert still_falling(model.history_["loss"], 200) is None


def test_fit_many_warns_once_naming_each_unconverged_model():
    X, y = _regression()
    short = [SGDRegressor(learning_rate=lr, epochs=40, random_state=0) for lr in (3e-4, 1e-3)]
    converged = SGDRegressor(learning_rate=0.05, epochs=40, random_state=0)
    with pytest.warns(ConvergenceWarning) as caught:
        fyslearn.fit_many([*short, converged], X, y)
    (warning,) = caught
    message = str(warning.message)
    assert "model 0:" in message and "model 1:" in message and "model 2:" not in message
    assert warning.filename == __file__


def test_still_falling_measures_the_mean_relative_drop_of_the_last_tenth():
    losses = 100.0 * 0.95 ** np.arange(40)  # 5 % per epoch; the last tenth is 4 epochs
    rate = still_falling(losses, epochs=40)
    assert rate == pytest.approx((losses[-5] - losses[-1]) / (4 * losses[-5]))
    assert still_falling(100.0 * 0.999 ** np.arange(40), epochs=40) is None  # 0.1 % per epoch
    assert still_falling(losses[:30], epochs=40) is None  # stopped early: not judged
    assert still_falling([1.0, 0.5], epochs=2) is None  # too few epochs to judge
    assert still_falling([1.0, 0.5, 0.0], epochs=3) is None  # a loss of 0 has converged
    assert still_falling([np.nan, 2.0, 1.0, 0.5], epochs=4) == pytest.approx(0.375)
    assert still_falling([1.0, np.nan, np.inf], epochs=3) is None


def test_divergence_on_unscaled_breast_cancer_suggests_a_standard_scaler():
    X, y = load_breast_cancer(return_X_y=True)
    with pytest.raises(DivergenceError) as raised:
        SGDRegressor(learning_rate=1e-6, epochs=5, random_state=0).fit(X, y.astype(float))
    message = str(raised.value)
    assert "StandardScaler" in message and "differ in scale by a factor of 2.2e+05" in message
    assert "smaller learning_rate" in message


def test_divergence_on_scaled_features_keeps_the_learning_rate_advice_alone():
    X, y = _regression()
    with pytest.raises(DivergenceError) as raised:
        SGDRegressor(learning_rate=10.0, epochs=5, random_state=0).fit(X, y)
    assert "StandardScaler" not in str(raised.value)
    assert "Try a smaller learning_rate, e.g. 1." in str(raised.value)


def test_network_divergence_names_the_scales_too():
    X, y = load_breast_cancer(return_X_y=True)
    with pytest.raises(DivergenceError, match="StandardScaler"):
        MLPRegressor(
            hidden_layer_sizes=(4,), activation="linear", learning_rate=1e-4, random_state=0
        ).fit(X, y.astype(float))


def test_feature_scale_hint_ignores_constant_columns_and_flags_one_huge_scale():
    ones = np.ones(50)
    x = np.linspace(-1, 1, 50)
    assert feature_scale_hint(np.column_stack([ones, x, 2 * x])) == ""
    assert "factor of 1e+03" in feature_scale_hint(np.column_stack([ones, x, 1e3 * x]))
    assert "up to 5.9e+03" in feature_scale_hint(np.column_stack([1e4 * x]))

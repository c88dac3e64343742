"""`SGDRegressor` records learning curves as the networks do: `history_` and `validation_data`."""

from __future__ import annotations

import numpy as np
import pytest

import fyslearn
from fyslearn.linear_model import SGDRegressor, mse_cost
from fyslearn.nn import MLPRegressor

pytestmark = pytest.mark.filterwarnings("ignore::fyslearn.optim.ConvergenceWarning")  # few epochs

rng = np.random.default_rng(0)
X = rng.normal(size=(120, 3))
y = X @ np.array([1.0, -2.0, 0.5]) + 0.3 * rng.normal(size=120)
X_val, y_val = X[:40] + 0.1, y[:40] - 0.2


def test_history_has_the_networks_keys_and_validation_scores_of_the_final_coefficients():
    model = SGDRegressor(alpha=0.1, epochs=6, random_state=0, validation_data=(X_val, y_val))
    model.fit(X, y)
    network = MLPRegressor(hidden_layer_sizes=(2,), epochs=2, validation_data=(X_val, y_val))
    assert (
        set(model.history_)
        == set(network.fit(X, y).history_)
        == {
            "loss",
            "mse",
            "val_loss",
            "val_mse",
        }
    )
    assert all(values.shape == (6,) for values in model.history_.values())
    beta = model.coef_
    val_mse = np.mean((X_val @ beta - y_val) ** 2)  # by hand, not by the code under test
    assert model.history_["val_mse"][-1] == pytest.approx(val_mse, rel=1e-12)
    assert model.history_["val_loss"][-1] == pytest.approx(val_mse + 0.1 * beta @ beta, rel=1e-12)
    assert model.history_["mse"][-1] == pytest.approx(np.mean((X @ beta - y) ** 2), rel=1e-12)
    assert model.history_["loss"][-1] == pytest.approx(mse_cost(X, y, beta, 0.1), rel=1e-12)
    np.testing.assert_array_equal(model.loss_curve_, model.history_["loss"])


def test_validation_data_changes_nothing_in_the_training():
    plain = SGDRegressor(epochs=5, random_state=3).fit(X, y)
    watched = SGDRegressor(epochs=5, random_state=3, validation_data=(X_val, y_val)).fit(X, y)
    np.testing.assert_array_equal(plain.coef_, watched.coef_)
    np.testing.assert_array_equal(plain.history_["loss"], watched.history_["loss"])
    assert set(plain.history_) == {"loss", "mse"}


def test_fit_many_gives_each_model_its_own_history():
    models = [
        SGDRegressor(alpha=alpha, learning_rate=rate, epochs=5, validation_data=(X_val, y_val))
        for alpha, rate in [(0.0, 0.01), (0.5, 0.02), (0.1, 0.005)]
    ]
    for model in models:
        model.set_params(random_state=7)
    fyslearn.fit_many(models, X, y)
    for model in models:
        alone = SGDRegressor(**model.get_params()).fit(X, y)
        assert sorted(model.history_) == sorted(alone.history_)
        for key, values in alone.history_.items():
            np.testing.assert_allclose(model.history_[key], values, rtol=1e-10, err_msg=key)


def test_fit_many_needs_the_same_validation_data():
    models = [SGDRegressor(validation_data=(X_val, y_val)), SGDRegressor()]
    with pytest.raises(ValueError, match="same validation_data"):
        fyslearn.fit_many(models, X, y)


@pytest.mark.parametrize(
    ("validation_data", "message"),
    [
        ((X_val[:, :2], y_val), "X_val has 2 features, X has 3"),
        ((X_val, y_val[:5]), r"y_val must have shape \(40,\)"),
        ((X_val,), "must be a pair"),
        ("data", "must be a pair"),
    ],
)
def test_bad_validation_data_is_refused_by_name(validation_data, message):
    with pytest.raises(ValueError, match=message):
        SGDRegressor(validation_data=validation_data).fit(X, y)


def test_validation_data_is_not_saved_but_the_history_is(tmp_path):
    model = SGDRegressor(epochs=3, random_state=0, validation_data=(X_val, y_val)).fit(X, y)
    loaded = fyslearn.load(model.save(tmp_path / "model.npz"))
    assert loaded.validation_data is None
    for key, values in model.history_.items():
        np.testing.assert_array_equal(loaded.history_[key], values)
    np.testing.assert_array_equal(loaded.loss_curve_, model.loss_curve_)

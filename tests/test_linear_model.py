"""Closed-form OLS/Ridge, SGDRegressor, and their agreement with scikit-learn."""

import numpy as np
import pytest
import sklearn.linear_model as sk
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import train_test_split

from fyslearn.datasets import franke, make_franke
from fyslearn.features import design_matrix
from fyslearn.linear_model import OLS, Ridge, SGDRegressor, mse_gradient
from fyslearn.optim import DivergenceError


@pytest.fixture
def well_conditioned(rng):
    X = rng.normal(size=(200, 5))
    beta = np.array([1.0, -2.0, 0.5, 0.0, 3.0])
    return X, X @ beta + 0.1 * rng.normal(size=200)


def test_ols_matches_sklearn(well_conditioned):
    X, y = well_conditioned
    expected = sk.LinearRegression(fit_intercept=False).fit(X, y).coef_
    np.testing.assert_allclose(OLS().fit(X, y).coef_, expected, rtol=1e-10)


@pytest.mark.parametrize("alpha", [1e-4, 0.1, 10.0])
def test_ridge_matches_sklearn_with_alpha_times_n(well_conditioned, alpha):
    X, y = well_conditioned
    expected = sk.Ridge(alpha=len(y) * alpha, fit_intercept=False, solver="cholesky").fit(X, y)
    np.testing.assert_allclose(Ridge(alpha=alpha).fit(X, y).coef_, expected.coef_, rtol=1e-9)


def test_ridge_zero_penalty_is_ols(well_conditioned):
    X, y = well_conditioned
    np.testing.assert_allclose(Ridge(alpha=0.0).fit(X, y).coef_, OLS().fit(X, y).coef_)


def test_closed_form_zeroes_the_gradient(well_conditioned):
    X, y = well_conditioned
    beta = Ridge(alpha=0.3).fit(X, y).coef_
    np.testing.assert_allclose(mse_gradient(X, y, beta, alpha=0.3), 0.0, atol=1e-12)


def test_ols_on_rank_deficient_design_gives_minimum_norm_solution(rng):
    X = rng.normal(size=(30, 2))
    X = np.column_stack([X, X[:, 0]])  # third column repeats the first
    y = X[:, 0] + X[:, 1]
    coef = OLS().fit(X, y).coef_
    np.testing.assert_allclose(coef, [0.5, 1.0, 0.5], atol=1e-10)


def test_sgd_reaches_the_closed_form_solution(well_conditioned):
    X, y = well_conditioned
    for alpha in (0.0, 0.05):
        model = SGDRegressor(alpha=alpha, learning_rate=0.02, epochs=200, random_state=0)
        model.fit(X, y)
        np.testing.assert_allclose(model.coef_, Ridge(alpha=alpha).fit(X, y).coef_, atol=2e-2)
        assert model.loss_curve_[-1] < model.loss_curve_[0]


def test_sgd_with_momentum_and_decay_learns(well_conditioned):
    X, y = well_conditioned
    model = SGDRegressor(momentum=0.9, schedule="inverse", learning_rate=0.01, random_state=1)
    model.fit(X, y)
    assert model.loss_curve_.shape == (100,)
    assert model.loss_curve_[-1] < 0.1 * np.var(y)


@pytest.mark.filterwarnings("ignore::fyslearn.optim.ConvergenceWarning")  # a few epochs
def test_same_seed_same_coefficients_different_seed_different(well_conditioned):
    X, y = well_conditioned
    fit = lambda seed: SGDRegressor(epochs=5, random_state=seed).fit(X, y).coef_  # noqa: E731
    np.testing.assert_array_equal(fit(7), fit(7))
    assert not np.allclose(fit(7), fit(8))


@pytest.mark.filterwarnings("ignore::fyslearn.optim.ConvergenceWarning")  # a few epochs
def test_batch_larger_than_data_is_full_batch_gradient_descent(well_conditioned):
    X, y = well_conditioned
    model = SGDRegressor(batch_size=10_000, learning_rate=0.1, epochs=3, random_state=0)
    beta = np.random.default_rng(0).normal(0.0, 0.05, size=5)  # the model's own start
    for _ in range(3):
        beta = beta - 0.1 * mse_gradient(X, y, beta)
    np.testing.assert_allclose(model.fit(X, y).coef_, beta, rtol=1e-12)


def test_divergence_raises_and_leaves_model_unfitted():
    X, y = make_franke(200, random_state=0)
    D = design_matrix(X, 5, "total")
    model = SGDRegressor(learning_rate=10.0, random_state=0)
    with pytest.raises(DivergenceError, match=r"epoch \d+ of 100.*smaller learning_rate") as info:
        model.fit(D, y)
    stopped_at = int(str(info.value).split("epoch ")[1].split()[0])
    assert stopped_at <= 10  # stopped at the first non-finite loss, not after all epochs
    with pytest.raises(NotFittedError):
        model.predict(D)
    with pytest.raises(ValueError):  # callers that catch scikit-learn's ValueError catch it too
        SGDRegressor(learning_rate=10.0, random_state=0).fit(D, y)


def test_divergence_restore_keeps_best_finite_coefficients():
    X, y = make_franke(200, random_state=0)
    D = design_matrix(X, 5, "total")
    model = SGDRegressor(learning_rate=0.4, random_state=0, on_divergence="restore")
    with pytest.warns(RuntimeWarning, match="restored") as caught:
        model.fit(D, y)
    assert 0 < model.n_iter_ < 100
    assert np.all(np.isfinite(model.loss_curve_)) and len(model.loss_curve_) == model.n_iter_
    # the coefficients put back are those of the lowest loss, and the warning says that loss
    restored_cost = np.mean((D @ model.coef_ - y) ** 2)
    assert restored_cost == pytest.approx(model.loss_curve_.min(), rel=1e-12)
    assert f"(loss {restored_cost:.4g})" in str(caught[0].message)
    assert restored_cost < np.mean(y**2)  # a trained model, not an exploded epoch


def test_an_explosion_in_the_first_epoch_is_divergence():
    """The loss before training is the scale: an epoch-1 explosion cannot set its own bar."""
    X, y = make_franke(200, random_state=0)
    D = design_matrix(X, 5, "total")
    with pytest.raises(DivergenceError, match="in epoch 1 of 1"):
        SGDRegressor(learning_rate=0.9, epochs=1, random_state=0).fit(D, y)


@pytest.mark.parametrize("basis", ["total", "tensor"])
@pytest.mark.parametrize("model", [OLS(), Ridge(alpha=1e-5)], ids=["ols", "ridge"])
def test_closed_form_fits_the_franke_surface(basis, model):
    X, y = make_franke(1000, random_state=3)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=3)
    model.fit(design_matrix(X_train, 5, basis), y_train)
    prediction = model.predict(design_matrix(X_test, 5, basis))
    test_mse = np.mean((prediction - y_test) ** 2)
    assert test_mse < 0.5 * np.var(y_test)  # a real fit, not a constant
    excess = np.mean((prediction - franke(X_test[:, 0], X_test[:, 1])) ** 2)
    assert excess < 0.01


@pytest.mark.parametrize("penalty", ["l2", "l1"])
def test_the_loss_curve_is_the_cost_of_the_coefficients(penalty):
    """The last epoch's loss is C(β) at the returned β, its penalty term included."""
    X, y = make_franke(120, random_state=2)
    D, alpha = design_matrix(X, 3, "total"), 0.3
    model = SGDRegressor(
        alpha=alpha, penalty=penalty, learning_rate=0.05, epochs=5, random_state=0
    ).fit(D, y)
    term = np.sum(model.coef_**2) if penalty == "l2" else np.sum(np.abs(model.coef_))
    expected = np.mean((D @ model.coef_ - y) ** 2) + alpha * term
    assert model.loss_curve_[-1] == pytest.approx(expected, rel=1e-12)

"""The course's later data and experiments: the 1-D data sets, breast cancer, Runge."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from test_nn_estimators import assert_minimum_at_sklearns

from fyslearn.datasets import make_polynomial, make_runge, runge
from fyslearn.experiments import breast_cancer
from fyslearn.experiments import runge as runge_experiment
from fyslearn.features import design_matrix
from fyslearn.linear_model import OLS
from fyslearn.nn import LogisticRegression

# -- make_polynomial ------------------------------------------------------------------


def test_polynomial_without_noise_is_the_polynomial():
    X, y = make_polynomial(50, coefficients=(2.0, -3.0, 4.0), noise=0.0, random_state=1)
    x = X[:, 0]
    assert X.shape == (50, 1) and y.shape == (50,)
    np.testing.assert_allclose(y, 2.0 - 3.0 * x + 4.0 * x * x, rtol=1e-14, atol=1e-14)
    assert np.all((-1.0 <= x) & (x <= 1.0))


@pytest.mark.parametrize("coefficients", [(5.0,), (0.0, 0.0, 0.0, 1e6), (-1.0, 0.5)])
def test_polynomial_of_any_degree(coefficients):
    X, y = make_polynomial(30, coefficients=coefficients, noise=0.0, random_state=0)
    expected = sum(a * X[:, 0] ** k for k, a in enumerate(coefficients))
    np.testing.assert_allclose(y, expected, rtol=1e-13, atol=1e-13)


def test_polynomial_noise_has_the_requested_spread_and_ols_recovers_the_coefficients():
    X, y = make_polynomial(20_000, noise=0.5, random_state=3)
    clean = 2.0 + 3.0 * X[:, 0] + 4.0 * X[:, 0] ** 2  # the default coefficients
    assert np.std(y - clean) == pytest.approx(0.5, rel=0.02)  # 20 000 draws: 1 % standard error
    coef = OLS().fit(design_matrix(X, 2), y).coef_
    np.testing.assert_allclose(coef, [2.0, 3.0, 4.0], atol=0.03)


def test_same_seed_same_data_other_seed_other_data():
    first = make_polynomial(10, random_state=4)
    np.testing.assert_array_equal(first[0], make_polynomial(10, random_state=4)[0])
    assert not np.allclose(first[0], make_polynomial(10, random_state=5)[0])
    runge_first = make_runge(10, random_state=4)
    np.testing.assert_array_equal(runge_first[1], make_runge(10, random_state=4)[1])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"coefficients": ()}, "coefficients"),
        ({"coefficients": (1.0, np.nan)}, "coefficients"),
        ({"coefficients": "abc"}, "coefficients"),
        ({"coefficients": ((1.0, 2.0),)}, "coefficients"),
        ({"n_samples": 0}, "n_samples"),
        ({"noise": -0.1}, "noise"),
    ],
)
def test_polynomial_bad_input_is_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_polynomial(**kwargs)


# -- Runge ----------------------------------------------------------------------------


def test_runge_values_at_known_points_and_symmetry():
    assert runge(0.0) == 1.0
    assert runge(1.0) == pytest.approx(1.0 / 26.0, rel=1e-15)
    assert runge(-0.2) == pytest.approx(0.5, rel=1e-15)  # 1/(1 + 25·0.04)
    x = np.linspace(-3.0, 3.0, 61)
    np.testing.assert_array_equal(runge(x), runge(-x))
    np.testing.assert_array_equal(runge(np.array([1e200, -1e300])), [0.0, 0.0])  # no overflow


def test_make_runge_without_noise_is_runge_on_the_interval():
    X, y = make_runge(200, noise=0.0, random_state=0)
    x = X[:, 0]
    assert X.shape == (200, 1) and np.all(np.abs(x) <= 1.0)
    np.testing.assert_allclose(y, 1.0 / (1.0 + 25.0 * x**2), rtol=1e-15)
    _, noisy = make_runge(20_000, noise=0.2, random_state=1)
    X, _ = make_runge(20_000, noise=0.0, random_state=1)
    assert np.std(noisy - runge(X[:, 0])) == pytest.approx(0.2, rel=0.02)


@pytest.mark.parametrize(
    ("kwargs", "match"), [({"n_samples": -3}, "n_samples"), ({"noise": np.inf}, "noise")]
)
def test_make_runge_bad_input_is_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_runge(**kwargs)


def test_runge_experiment_scores_ols_as_computed_by_hand():
    config = runge_experiment.Config(degrees=(3,), epochs=2, seeds=(7,))
    result = runge_experiment.run(config)
    X_train, X_test, y_train, y_test = runge_experiment.runge_split(config, 7)
    powers = np.arange(4)
    coef, *_ = np.linalg.lstsq(X_train**powers, y_train, rcond=None)
    x = np.linspace(-1.0, 1.0, 401)[:, None]
    assert result.errors["OLS"]["test_mse"][0][0] == pytest.approx(
        np.mean(((X_test**powers) @ coef - y_test) ** 2), rel=1e-9
    )
    assert result.errors["OLS"]["truth_mse"][0][0] == pytest.approx(
        np.mean(((x**powers) @ coef - 1.0 / (1.0 + 25.0 * x[:, 0] ** 2)) ** 2), rel=1e-9
    )


# -- breast cancer --------------------------------------------------------------------


def test_breast_cancer_splits_are_stratified_and_scaled_on_the_training_part_only():
    config = breast_cancer.Config()
    X_train, X_test, y_train, y_test = breast_cancer.split_data(config, 0)
    assert X_train.shape == (455, 30) and X_test.shape == (114, 30)
    np.testing.assert_allclose(X_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(X_train.std(axis=0), 1.0, rtol=1e-12)
    assert np.abs(X_test.mean(axis=0)).max() > 1e-3  # the test part did not set the scaling
    assert abs(y_test.mean() - 357 / 569) < 1 / 114  # both classes in proportion
    assert abs(y_train.mean() - 357 / 569) < 1 / 455
    tests = [breast_cancer.split_data(config, k)[1] for k in range(config.n_splits)]
    assert not np.allclose(tests[0], tests[1])  # five different splits


def test_logistic_alpha_puts_fyslearns_minimum_at_scikit_learns():
    """At scikit-learn's solution for C, fyslearn's cost with alpha = 1/(2nC) has zero gradient."""
    config = breast_cancer.Config(C=0.3)
    X_train, _, y_train, _ = breast_cancer.split_data(config, 1)
    reference = SkLogisticRegression(C=config.C, tol=1e-12, max_iter=10_000).fit(X_train, y_train)
    alpha = breast_cancer.logistic_alpha(config, len(y_train))
    assert alpha == pytest.approx(1.0 / (2 * 455 * 0.3))
    model = LogisticRegression(alpha=alpha, epochs=1, random_state=0).fit(X_train, y_train)
    assert_minimum_at_sklearns(model.network_, reference, X_train, y_train[:, None])


def test_breast_cancer_rows_report_the_gap_to_scikit_learn():
    result = breast_cancer.Result(
        accuracy={
            "fyslearn logistic": [0.98, 0.97],
            "scikit-learn logistic": [0.99, 0.97],
            "fyslearn network": [0.95, 0.96],
            "scikit-learn network": [0.94, 0.96],
        },
        confusion={"fyslearn logistic": np.eye(2), "fyslearn network": np.eye(2)},
        class_names=["malignant", "benign"],
        grid_alphas=[0.0, 0.1],
        grid_learning_rates=[0.01, 1.0],
        grid_accuracy=[[0.9, np.nan], [0.95, 0.5]],
    )
    logistic, network, grid = breast_cancer.rows(result)
    assert "(difference -0.0050)" in logistic.ours and "2 splits" in logistic.quantity
    assert network.ours.startswith("0.9550") and network.reference.startswith("0.9500")
    assert grid.ours == "0.9500 (α=1e-01, η=1e-02)"  # the diverged cell is skipped

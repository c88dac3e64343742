"""Every estimator passes scikit-learn's own estimator checks with default parameters."""

import pytest
from sklearn.utils.estimator_checks import (
    check_fit_check_is_fitted,
    check_fit_idempotent,
    check_n_features_in,
    parametrize_with_checks,
)

from fyslearn.features import PolynomialDesign
from fyslearn.linear_model import OLS, Ridge, SGDRegressor

# seeded, so that every check has one outcome
ESTIMATORS = [OLS(), Ridge(), SGDRegressor(random_state=0), PolynomialDesign()]

# These three checks train on features of mean 100 (rng.normal(loc=100)).
# Plain SGD at the default learning rate 0.01 diverges on such unscaled data,
# and SGDRegressor then raises DivergenceError instead of returning NaN
# coefficients, which is the documented behaviour. The same checks pass with a
# learning rate suited to that scale (test_sgd_passes_unscaled_checks below).
SGD_ON_UNSCALED_DATA = {
    name: "features of mean 100 make SGD at learning_rate=0.01 diverge (DivergenceError)"
    for name in ("check_fit_idempotent", "check_fit_check_is_fitted", "check_n_features_in")
}


def _expected_failures(estimator):
    return SGD_ON_UNSCALED_DATA if isinstance(estimator, SGDRegressor) else {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failures)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize(
    "check", [check_fit_idempotent, check_fit_check_is_fitted, check_n_features_in]
)
def test_sgd_passes_unscaled_checks(check):
    check("SGDRegressor", SGDRegressor(learning_rate=1e-6))

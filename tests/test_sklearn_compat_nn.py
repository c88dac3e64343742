"""The network estimators pass scikit-learn's estimator checks with default parameters.

Two checks train far from the report's setting, and the defaults (the
report's learning rate 1e-3) are not meant for them; each is listed with the
reason and run again below with a suitable learning rate, where it passes.
"""

import pytest
from sklearn.utils.estimator_checks import (
    check_classifiers_train,
    check_regressor_multioutput,
    parametrize_with_checks,
)

from fyslearn.nn import LogisticRegression, MLPClassifier, MLPRegressor

# scikit-learn's estimator checks fit on tiny data with the default epochs: unconverged on purpose
pytestmark = pytest.mark.filterwarnings("ignore::fyslearn.optim.ConvergenceWarning")

UNDERTRAINED = (
    "the report's defaults take 300 SGD steps at learning rate 1e-3 on this 300-sample check "
    "set: too few to reach its 0.83 training accuracy (it passes with learning_rate=0.1)"
)
DIVERGES = (
    "targets of magnitude ~100 make SGD at learning rate 1e-3 diverge from most random starts "
    "(8 of the seeds 0-9, seed 0 among them; DivergenceError is raised, as documented); it "
    "passes with learning_rate=1e-5"
)


def _expected_failures(estimator):
    if isinstance(estimator, MLPClassifier):
        return {"check_classifiers_train": UNDERTRAINED}
    return {"check_regressor_multioutput": DIVERGES}


@parametrize_with_checks(  # a fixed seed: every check has one outcome, not a random one
    [
        MLPRegressor(random_state=0),
        MLPClassifier(random_state=0),
        LogisticRegression(random_state=0),
    ],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize(
    "estimator", [MLPClassifier(learning_rate=0.1), LogisticRegression(learning_rate=0.1)]
)
def test_classifiers_train_with_a_suitable_learning_rate(estimator):
    check_classifiers_train(type(estimator).__name__, estimator)


def test_multioutput_regression_with_a_suitable_learning_rate():
    check_regressor_multioutput("MLPRegressor", MLPRegressor(learning_rate=1e-5))

"""Every public estimator, fed every common mistake: a clear error, before any work.

Each case must raise ``ValueError`` or ``TypeError`` whose message names the
offending parameter or input, never a traceback from deep inside numpy.
"""

import numpy as np
import pytest

from fyslearn.linear_model import OLS, Ridge, SGDRegressor
from fyslearn.nn import FeedForwardNetwork, LogisticRegression, MLPClassifier, MLPRegressor

X = np.random.default_rng(0).normal(size=(20, 3))
Y_REG = X @ np.array([1.0, -1.0, 0.5])
Y_CLS = np.arange(20) % 3

REGRESSORS = {
    "OLS": OLS,
    "Ridge": Ridge,
    "SGDRegressor": SGDRegressor,
    "MLPRegressor": lambda **kw: MLPRegressor(hidden_layer_sizes=(4,), epochs=2, **kw),
}
CLASSIFIERS = {
    "MLPClassifier": lambda **kw: MLPClassifier(hidden_layer_sizes=(4,), epochs=2, **kw),
    "LogisticRegression": lambda **kw: LogisticRegression(epochs=2, **kw),
}

BAD_ARRAYS = [
    ("NaN in X", lambda X, y: (np.where(X > 1.5, np.nan, X), y), "NaN"),
    ("inf in X", lambda X, y: (np.where(X > 1.5, np.inf, X), y), "infinity"),
    ("None as X", lambda X, y: (None, y), "None|array|float"),
    ("strings in X", lambda X, y: (X.astype(str).astype(object) + "x", y), "convert|dtype|string"),
    ("empty X", lambda X, y: (X[:0], y[:0]), "0 sample"),
    ("1-D X", lambda X, y: (X[:, 0], y), "2D array"),
    ("mismatched lengths", lambda X, y: (X, y[:-3]), "inconsistent numbers of samples"),
]


@pytest.mark.parametrize("case", BAD_ARRAYS, ids=[c[0] for c in BAD_ARRAYS])
@pytest.mark.parametrize("name", [*REGRESSORS, *CLASSIFIERS])
def test_bad_arrays(name, case):
    _, corrupt, message = case
    make = REGRESSORS.get(name) or CLASSIFIERS[name]
    y = Y_REG if name in REGRESSORS else Y_CLS
    with pytest.raises((ValueError, TypeError), match=message):
        make().fit(*corrupt(X, y))


def test_nan_in_targets_is_named():
    for make in REGRESSORS.values():
        with pytest.raises(ValueError, match="NaN"):
            make().fit(X, np.where(Y_REG > 0.5, np.nan, Y_REG))


BAD_PARAMETERS = [
    ({"batch_size": 0}, "batch_size"),
    ({"batch_size": -3}, "batch_size"),
    ({"epochs": 0}, "epochs"),
    ({"learning_rate": 0.0}, "learning_rate"),
    ({"learning_rate": -1e-3}, "learning_rate"),
    ({"learning_rate": "fast"}, "learning_rate"),
    ({"schedule": "cosine"}, "schedule"),
    ({"momentum": 1.5}, "momentum"),
    ({"alpha": -0.1}, "alpha"),
    ({"on_divergence": "ignore"}, "on_divergence"),
]
NETWORK_PARAMETERS = [
    ({"activation": "swish"}, "activation"),
    ({"kernel_init": "he_normal"}, "kernel_init"),
    ({"bias_init": "ones"}, "bias_init"),
    ({"hidden_layer_sizes": (4, 0)}, "hidden_layer_sizes"),
    ({"dtype": "int32"}, "dtype"),
]


HYPERPARAMETER_CASES = [
    (estimator, params, name)
    for estimator in ("SGDRegressor", "MLPRegressor", "MLPClassifier")
    for params, name in BAD_PARAMETERS + (NETWORK_PARAMETERS if estimator != "SGDRegressor" else [])
]


@pytest.mark.parametrize(("estimator", "params", "name"), HYPERPARAMETER_CASES)
def test_bad_hyperparameters_are_named(estimator, params, name):
    make = REGRESSORS.get(estimator) or CLASSIFIERS[estimator]
    y = Y_REG if estimator in REGRESSORS else Y_CLS
    with pytest.raises((ValueError, TypeError), match=name):
        make(**params).fit(X, y)


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(ValueError, match=r"activation must be one of \[.*'relu'.*\]"):
        MLPRegressor(activation="swish").fit(X, Y_REG)
    with pytest.raises(
        ValueError, match=r"loss must be one of \['binary_cross_entropy', 'cross_entropy', 'mse'\]"
    ):
        FeedForwardNetwork([3, 1], ["linear"], loss="hinge")
    with pytest.raises(ValueError, match=r"initializer must be one of"):
        FeedForwardNetwork([3, 1], ["linear"], kernel_init="orthogonal")


@pytest.mark.parametrize("sizes", [[3], [3, 0, 1], [3, 2.5, 1], [3, -1]])
def test_bad_layer_sizes(sizes):
    with pytest.raises(ValueError, match="layer_sizes"):
        FeedForwardNetwork(sizes, "relu")


def test_network_checks_shapes_before_work():
    network = FeedForwardNetwork([3, 4, 2], ["relu", "linear"], random_state=0)
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, 3\)"):
        network.loss_and_gradients(np.ones((5, 4)), np.ones((5, 2)))
    with pytest.raises(ValueError, match=r"Y must have shape \(5, 2\)"):
        network.loss_and_gradients(np.ones((5, 3)), np.ones((5, 1)))


@pytest.mark.parametrize("name", list(CLASSIFIERS))
def test_one_class_and_one_sample(name):
    with pytest.raises(ValueError, match="single class"):
        CLASSIFIERS[name]().fit(X, np.zeros(20))
    with pytest.raises(ValueError, match=r"1 sample|n_samples=1"):
        CLASSIFIERS[name]().fit(X[:1], Y_CLS[:1])


def test_unknown_validation_labels_are_named():
    with pytest.raises(ValueError, match="not among the classes"):
        MLPClassifier(epochs=1, validation_data=(X, Y_CLS + 7)).fit(X, Y_CLS)


def test_batch_larger_than_the_data_is_one_full_batch():
    model = MLPRegressor(hidden_layer_sizes=(4,), batch_size=10_000, epochs=3, random_state=0)
    assert model.fit(X, Y_REG).n_iter_ == 3


def test_prediction_needs_the_training_width():
    model = MLPRegressor(hidden_layer_sizes=(4,), epochs=1, random_state=0).fit(X, Y_REG)
    with pytest.raises(ValueError, match="features"):
        model.predict(np.ones((2, 5)))

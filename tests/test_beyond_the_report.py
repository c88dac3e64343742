"""Binary classification (sigmoid + binary cross-entropy), the L1 penalty, plain gradient descent.

SymPy derives (fyslearn.derivations.beyond_the_report), numpy implements,
these tests tie the two together on random and edge inputs, check every new
gradient by central differences, and compare with scikit-learn.
"""

import numpy as np
import pytest
import sklearn.linear_model as sk_linear
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.preprocessing import StandardScaler
from test_nn_gradients import _finite_differences

from fyslearn import derivations, fit_many
from fyslearn.linear_model import SGDRegressor, mse_gradient
from fyslearn.nn import FeedForwardNetwork, LogisticRegression, MLPClassifier, sklearn_equivalent
from fyslearn.nn.losses import BinaryCrossEntropy
from fyslearn.optim import DivergenceError
from fyslearn.penalties import penalty_gradient

EDGES = np.array([0.0, -1e-8, 1e-8, -3.0, 3.0, -40.0, 40.0, -700.0, 700.0])


def _breast_cancer(n=None):
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    return (X, y) if n is None else (X[:n], y[:n])


def _relative_error(a, b):
    return np.abs(a - b).max() / max(np.abs(a).max(), np.abs(b).max(), 1e-12)


@pytest.mark.parametrize(
    "derivation", [derivations.sigmoid_binary_cross_entropy_delta, derivations.l1_subgradient]
)
def test_the_new_derivations_hold(derivation):
    derivation().verify()


def test_sigmoid_bce_output_error_is_the_sympy_delta(rng):
    """The network's δ for sigmoid + binary cross-entropy is SymPy's a − y, over n."""
    z = np.concatenate([EDGES, 10 * rng.normal(size=40)])[:, None]
    y = rng.integers(0, 2, size=z.shape).astype(float)
    network = FeedForwardNetwork([1, 1], ["sigmoid"], loss="binary_cross_entropy")
    a = network.activations[-1](z)
    delta = network.output_error(y, z, a)
    with np.errstate(over="ignore"):  # the lambdified SymPy form overflows exp for |z| = 700
        expected = derivations.sigmoid_binary_cross_entropy_delta().numeric()(z, y)
    np.testing.assert_allclose(delta * len(z), expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(BinaryCrossEntropy.sigmoid_delta(y, a), delta)


def test_general_path_through_the_loss_gradient_agrees_with_the_fused_delta(rng):
    """∂C/∂a ⊙ σ'(z) (the unfused chain rule) equals (a − y)/n away from saturation."""
    z = rng.normal(size=(9, 2))
    y = rng.integers(0, 2, size=z.shape).astype(float)
    sigmoid = FeedForwardNetwork([1, 2], ["sigmoid"]).activations[-1]
    a = sigmoid(z)
    chain = sigmoid.backward(z, a, BinaryCrossEntropy().output_gradient(y, a))
    np.testing.assert_allclose(chain, BinaryCrossEntropy.sigmoid_delta(y, a), rtol=1e-10)


def test_binary_cross_entropy_is_finite_at_saturated_outputs():
    A = np.array([[0.0], [1.0], [1e-300], [1.0 - 1e-17]])
    Y = np.array([[1.0], [0.0], [1.0], [0.0]])
    value = BinaryCrossEntropy()(Y, A)
    assert np.isfinite(value) and value > 100


def test_l1_penalty_gradient_is_the_sympy_subgradient(rng):
    w = np.concatenate([EDGES, rng.normal(size=30) * 10.0 ** rng.uniform(-5, 5, 30)])
    alpha = 0.3
    expected = derivations.l1_subgradient().numeric()(w, alpha)
    np.testing.assert_allclose(penalty_gradient(w, alpha, "l1"), expected, rtol=1e-15)
    assert penalty_gradient(np.zeros(3), alpha, "l1").tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("output", "loss", "penalty", "alpha"),
    [
        ("sigmoid", "binary_cross_entropy", "l2", 0.0),
        ("sigmoid", "binary_cross_entropy", "l2", 0.2),
        ("sigmoid", "binary_cross_entropy", "l1", 0.2),
        ("sigmoid", "mse", "l1", 0.1),  # Nielsen's sigmoid outputs with squared error
        ("linear", "mse", "l1", 0.3),
        ("softmax", "cross_entropy", "l1", 0.05),
    ],
)
@pytest.mark.parametrize("hidden", ["tanh", "sigmoid"])
def test_backprop_with_new_losses_and_l1_matches_finite_differences(
    rng, output, loss, penalty, alpha, hidden
):
    n_out = 3
    network = FeedForwardNetwork(
        [4, 5, n_out], [hidden, output], loss=loss, alpha=alpha, penalty=penalty,
        bias_init="narrow_normal", random_state=1,
    )  # fmt: skip
    X = rng.normal(size=(8, 4))
    Y = (
        np.eye(n_out)[rng.integers(0, n_out, 8)]
        if output == "softmax"
        else rng.integers(0, 2, size=(8, n_out)).astype(float)
    )
    _, coef_grads, intercept_grads = network.loss_and_gradients(X, Y)
    for analytic, numeric in zip(
        coef_grads + intercept_grads, _finite_differences(network, X, Y), strict=True
    ):
        assert _relative_error(analytic, numeric) < 1e-6


def test_linear_l1_gradient_matches_finite_differences(rng):
    X, y, beta = rng.normal(size=(12, 4)), rng.normal(size=12), rng.normal(size=4)
    analytic = mse_gradient(X, y, beta, alpha=0.4, penalty="l1")
    cost = lambda b: np.mean((y - X @ b) ** 2) + 0.4 * np.abs(b).sum()  # noqa: E731
    numeric = [(cost(beta + e) - cost(beta - e)) / 2e-6 for e in np.eye(4) * 1e-6]
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6)


# -- binary classification with the estimators ---------------------------------------------


@pytest.mark.parametrize("Estimator", [LogisticRegression, MLPClassifier])
@pytest.mark.parametrize(
    "labels",
    [lambda y: y, lambda y: np.where(y == 1, "benign", "malignant"), lambda y: y == 1],
    ids=["ints", "strings", "bools"],
)
@pytest.mark.filterwarnings("ignore::fyslearn.optim.ConvergenceWarning")  # a few epochs
def test_two_classes_use_one_sigmoid_output_with_any_label_type(Estimator, labels):
    X, y = _breast_cancer(200)
    target = labels(y)
    kwargs = {} if Estimator is LogisticRegression else {"hidden_layer_sizes": (6,)}
    model = Estimator(learning_rate=0.1, batch_size=20, epochs=30, random_state=0, **kwargs)
    model.fit(X, target)
    assert model.coefs_[-1].shape[1] == 1 and model.n_outputs_ == 1
    probabilities = model.predict_proba(X)
    assert probabilities.shape == (200, 2)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    assert set(model.predict(X)) <= set(np.unique(target))
    assert model.score(X, target) > 0.93
    assert set(model.history_) == {"loss", "binary_cross_entropy", "accuracy"}


@pytest.mark.parametrize("alpha", [0.0, 0.05])
def test_one_sgd_step_equals_sklearn_binary_classifier(alpha):
    """scikit-learn's MLP also uses one logistic output for two classes: the steps agree."""
    X, y = make_classification(40, n_features=5, n_informative=3, random_state=2)
    ours = MLPClassifier(
        hidden_layer_sizes=(6,), learning_rate=0.05, batch_size=40, epochs=1, alpha=alpha
    )
    reference = sklearn_equivalent(ours).set_params(shuffle=False)
    reference.partial_fit(X, y, classes=np.array([0, 1]))
    network = FeedForwardNetwork(
        [5, 6, 1], ["relu", "sigmoid"], loss="binary_cross_entropy", alpha=alpha,
        random_state=4, bias_init="narrow_normal",
    )  # fmt: skip
    for target, source in zip(
        reference.coefs_ + reference.intercepts_, network.coefs_ + network.intercepts_, strict=True
    ):
        target[...] = source
    reference.partial_fit(X, y)
    from fyslearn.nn import TrainingSettings, train_network

    settings = TrainingSettings(learning_rate=0.05, batch_size=40, epochs=1)
    train_network(network, X, y[:, None].astype(float), settings, np.random.default_rng(0))
    for ours_w, theirs in zip(
        network.coefs_ + network.intercepts_, reference.coefs_ + reference.intercepts_, strict=True
    ):
        np.testing.assert_allclose(ours_w, theirs, rtol=1e-12, atol=1e-14)


def test_binary_logistic_regression_converges_to_sklearn_with_c_mapping():
    X, y = _breast_cancer(300)
    alpha = 0.01
    ours = LogisticRegression(
        alpha=alpha, learning_rate=0.5, batch_size=None, epochs=3000, random_state=0
    ).fit(X, y)
    reference = sk_linear.LogisticRegression(
        C=1 / (2 * len(X) * alpha), tol=1e-12, max_iter=10_000
    ).fit(X, y)  # C = 1/(2nα), as the docstring derives
    np.testing.assert_array_equal(ours.predict(X), reference.predict(X))
    np.testing.assert_allclose(ours.predict_proba(X), reference.predict_proba(X), atol=2e-3)


def test_a_blown_up_classifier_is_reported_as_diverged():
    """At η = 1 with momentum 0.9 the logits grow past 10⁹ and the cross-entropy with them.

    The loss from the logits has no ceiling, so the divergence check sees the
    blow-up; a loss from clipped probabilities would stop near 36.7 per sample.
    """
    X, y = _breast_cancer()
    model = MLPClassifier(
        hidden_layer_sizes=(16,),
        learning_rate=1.0,
        momentum=0.9,
        batch_size=32,
        epochs=100,
        random_state=0,
    )
    with pytest.raises(DivergenceError, match=r"loss became \d\.\d+e\+1\d in epoch \d+ of 100"):
        model.fit(X, y)


@pytest.mark.filterwarnings("ignore::fyslearn.optim.ConvergenceWarning")  # a few epochs
def test_fit_many_binary_classifiers_equal_fitting_each_alone():
    X, y = _breast_cancer(150)
    make = lambda rate, alpha: MLPClassifier(  # noqa: E731
        hidden_layer_sizes=(5,), learning_rate=rate, alpha=alpha, batch_size=16, epochs=4,
        random_state=3,
    )  # fmt: skip
    settings = [(0.05, 0.0), (0.1, 1e-2)]
    stacked = fit_many([make(*s) for s in settings], X, y)
    for setting, fitted in zip(settings, stacked, strict=True):
        alone = make(*setting).fit(X, y)
        pairs = zip(
            alone.coefs_ + alone.intercepts_, fitted.coefs_ + fitted.intercepts_, strict=True
        )
        for a, b in pairs:
            np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)
        for key, values in alone.history_.items():
            np.testing.assert_allclose(fitted.history_[key], values, rtol=1e-10, err_msg=key)


@pytest.mark.filterwarnings("ignore::fyslearn.optim.ConvergenceWarning")  # a few epochs
def test_output_overrides_train_a_sigmoid_mse_network_as_in_nielsen():
    X, y = _breast_cancer(200)
    model = MLPClassifier(
        hidden_layer_sizes=(6,), out_activation="sigmoid", loss="mse", learning_rate=0.5,
        batch_size=10, epochs=20, random_state=0,
    ).fit(X, y)  # fmt: skip
    assert model.network_.activations[-1].name == "sigmoid" and model.network_.loss.name == "mse"
    assert model.n_outputs_ == 2  # one unit per class with a non-default output
    np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1.0)
    assert model.score(X, y) > 0.9


def test_bad_penalty_and_output_names_list_the_valid_ones():
    X, y = _breast_cancer(40)
    with pytest.raises(ValueError, match=r"penalty must be one of \['l1', 'l2'\]"):
        LogisticRegression(penalty="elasticnet").fit(X, y)
    with pytest.raises(ValueError, match="out_activation must be one of"):
        MLPClassifier(out_activation="swish").fit(X, y)
    with pytest.raises(ValueError, match="loss must be one of"):
        MLPClassifier(loss="hinge").fit(X, y)
    with pytest.raises(ValueError, match="single class"):
        LogisticRegression().fit(X, np.ones(len(X)))


# -- L1 against Lasso, and plain gradient descent ----------------------------------------


def test_sgd_l1_reaches_sklearns_lasso_with_half_the_alpha():
    """Our (1/n)‖y − Xβ‖² + α‖β‖₁ has Lasso's minimiser with α_sk = α/2."""
    X, y = _breast_cancer()
    X, y = X[:, :8], X[:, 8] + 0.1 * y  # a regression problem with correlated features
    alpha, rate = 0.05, 0.02
    ours = SGDRegressor(
        penalty="l1", alpha=alpha, learning_rate=rate, batch_size=None, epochs=30_000,
        random_state=0,
    ).fit(X, y)  # fmt: skip
    lasso = sk_linear.Lasso(alpha=alpha / 2, fit_intercept=False, tol=1e-12, max_iter=100_000)
    lasso.fit(X, y)
    # a subgradient step moves a weight at 0 by ηα, so it hovers within ηα of the minimiser
    np.testing.assert_allclose(ours.coef_, lasso.coef_, atol=2 * rate * alpha)
    assert np.count_nonzero(lasso.coef_) < X.shape[1]  # the comparison includes zeroed weights


def test_batch_size_none_is_plain_gradient_descent(rng):
    X, y = rng.normal(size=(30, 3)), rng.normal(size=30)
    full = SGDRegressor(batch_size=None, epochs=5, random_state=0).fit(X, y)
    whole = SGDRegressor(batch_size=30, epochs=5, random_state=0).fit(X, y)
    np.testing.assert_array_equal(full.coef_, whole.coef_)
    # by hand: five steps of the full gradient from the same start
    beta = np.random.default_rng(0).normal(0.0, 0.05, size=3)
    for _ in range(5):
        beta = beta - 0.01 * (2 / 30) * X.T @ (X @ beta - y)
    np.testing.assert_allclose(full.coef_, beta, rtol=1e-12)
    model = MLPClassifier(hidden_layer_sizes=(3,), batch_size=None, epochs=2, random_state=0)
    assert model.fit(X, y > 0).n_iter_ == 2


def test_normal_initialiser_with_a_scale_including_the_standard_normal():
    from fyslearn.nn.initializers import INITIALIZERS, Normal

    rng = np.random.default_rng(0)
    draws = Normal(scale=2.5)(rng, (400, 500))
    assert abs(draws.std() - 2.5) < 0.01 and abs(draws.mean()) < 0.02
    standard = INITIALIZERS["standard_normal"](np.random.default_rng(1), (400, 500))
    assert abs(standard.std() - 1.0) < 0.005
    network = FeedForwardNetwork([3, 4, 1], ["sigmoid", "linear"], kernel_init=Normal(1.0))
    assert network.coefs_[0].std() > 0.3  # N(0, 1) kernels, not the default Glorot range
    model = MLPClassifier(kernel_init="standard_normal", epochs=1, random_state=0)
    X, y = _breast_cancer(60)
    assert model.fit(X, y).coefs_[0].std() > 0.5
    with pytest.raises(ValueError, match="scale"):
        Normal(0.0)


@pytest.mark.parametrize(
    ("dtype", "error"), [(3, TypeError), (None, TypeError), ("int64", ValueError)]
)
def test_bad_dtypes_are_named(dtype, error):
    X, y = _breast_cancer(40)
    with pytest.raises(error, match="dtype"):
        LogisticRegression(dtype=dtype).fit(X, y)


def test_binary_cross_entropy_of_probabilities_is_the_one_of_the_logits(rng):
    """The formula on $a = \\sigma(z)$ (any output layer) against the exact one from $z$."""
    from scipy.special import expit

    Z = np.concatenate([[0.0, -5.0, 5.0, 1e-8], rng.uniform(-5, 5, size=60)])[:, None]
    Y = rng.integers(0, 2, size=Z.shape).astype(float)
    Y[:2] = [[1.0], [0.0]]
    loss = BinaryCrossEntropy()
    assert loss(Y, expit(Z)) == pytest.approx(loss.from_logits(Y, Z), rel=1e-12)
    # and by hand: -mean[y ln a + (1 - y) ln(1 - a)]
    a = expit(Z)
    by_hand = -np.mean(Y * np.log(a) + (1 - Y) * np.log(1 - a))
    assert loss(Y, a) == pytest.approx(by_hand, rel=1e-12)


def test_binary_cross_entropy_behind_a_softmax_passes_the_gradient_check(rng):
    """Not a fused pair: the loss and its output gradient are used on their own."""
    from fyslearn.gradcheck import check_gradients

    network = FeedForwardNetwork(
        [3, 5, 2], ["tanh", "softmax"], loss="binary_cross_entropy", random_state=0,
        bias_init="narrow_normal",
    )  # fmt: skip
    X, Y = rng.normal(size=(8, 3)), rng.integers(0, 2, size=(8, 2)).astype(float)
    report = check_gradients(network, X, Y, max_entries_per_layer=None)
    assert report.passed, str(report)

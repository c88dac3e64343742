"""The network estimators: learning, determinism, scikit-learn agreement, divergence, files."""

import numpy as np
import pytest
import sklearn.linear_model as sk_linear
import sklearn.neural_network as sk_nn
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError

import fyslearn
from fyslearn.datasets import make_franke
from fyslearn.nn import (
    FeedForwardNetwork,
    LogisticRegression,
    MLPClassifier,
    MLPRegressor,
    TrainingSettings,
    sklearn_equivalent,
    train_network,
)
from fyslearn.optim import DivergenceError

X_FRANKE, Y_FRANKE = make_franke(200, random_state=0)
X_CLASS, Y_CLASS = make_classification(
    150, n_features=5, n_informative=4, n_redundant=0, n_classes=3, random_state=0
)


@pytest.mark.filterwarnings("ignore::fyslearn.optim.ConvergenceWarning")  # a few epochs
def test_regressor_learns_and_records_history():
    model = MLPRegressor(
        hidden_layer_sizes=(32,),
        learning_rate=0.05,
        epochs=30,
        random_state=0,
        validation_data=(X_FRANKE[:50], Y_FRANKE[:50]),
    )
    model.fit(X_FRANKE, Y_FRANKE)
    history = model.history_
    assert set(history) == {"loss", "mse", "val_loss", "val_mse"}
    assert all(len(v) == 30 for v in history.values())
    assert history["mse"][-1] < history["mse"][0]
    assert history["mse"][-1] < 0.75 * np.var(Y_FRANKE)  # explains a quarter of the variance
    assert model.predict(X_FRANKE).shape == (200,)
    assert [W.shape for W in model.coefs_] == [(2, 32), (32, 1)]


def test_classifier_learns_string_labels_and_probabilities():
    labels = np.array(["cat", "dog", "emu"])[Y_CLASS]
    model = MLPClassifier(hidden_layer_sizes=(16,), learning_rate=0.1, epochs=200, random_state=0)
    model.fit(X_CLASS, labels)
    assert model.classes_.tolist() == ["cat", "dog", "emu"]
    probabilities = model.predict_proba(X_CLASS)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    assert model.score(X_CLASS, labels) > 0.85
    assert set(model.history_) == {"loss", "cross_entropy", "accuracy"}


@pytest.mark.filterwarnings("ignore::fyslearn.optim.ConvergenceWarning")  # a few epochs
@pytest.mark.parametrize("Estimator", [MLPRegressor, MLPClassifier, LogisticRegression])
def test_same_seed_same_weights_other_seed_other_weights(Estimator):
    X, y = (X_FRANKE, Y_FRANKE) if Estimator is MLPRegressor else (X_CLASS, Y_CLASS)
    fit = lambda seed: Estimator(epochs=3, random_state=seed).fit(X, y).coefs_[0]  # noqa: E731
    np.testing.assert_array_equal(fit(5), fit(5))
    assert not np.allclose(fit(5), fit(6))


def _inject(sk_model, network):
    for target, source in zip(
        sk_model.coefs_ + sk_model.intercepts_, network.coefs_ + network.intercepts_, strict=True
    ):
        target[...] = source


@pytest.mark.parametrize("alpha", [0.0, 0.05])
def test_one_sgd_step_equals_sklearn_regressor(alpha):
    """Same weights, same batch: fyslearn's step equals scikit-learn's after the mapping."""
    X, y = X_FRANKE[:20], Y_FRANKE[:20]
    ours = MLPRegressor(
        hidden_layer_sizes=(8,),
        activation="tanh",
        learning_rate=0.01,
        batch_size=20,
        epochs=1,
        alpha=alpha,
        random_state=0,
    )
    reference = sklearn_equivalent(ours).set_params(shuffle=False)
    reference.partial_fit(X, y)  # creates the weights ...
    network = FeedForwardNetwork(
        [2, 8, 1], ["tanh", "linear"], alpha=alpha, random_state=3, bias_init="narrow_normal"
    )
    _inject(reference, network)  # ... which we overwrite with ours
    reference.partial_fit(X, y)  # one step on the whole batch of 20
    settings = TrainingSettings(learning_rate=0.01, batch_size=20, epochs=1)
    train_network(network, X, y[:, None], settings, np.random.default_rng(0))
    for ours_w, theirs in zip(
        network.coefs_ + network.intercepts_, reference.coefs_ + reference.intercepts_, strict=True
    ):
        np.testing.assert_allclose(ours_w, theirs, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("alpha", [0.0, 0.05])
def test_one_sgd_step_equals_sklearn_classifier(alpha):
    X, y = X_CLASS[:30], Y_CLASS[:30]
    ours = MLPClassifier(
        hidden_layer_sizes=(6,),
        learning_rate=0.05,
        batch_size=30,
        epochs=1,
        alpha=alpha,
        random_state=0,
    )
    reference = sklearn_equivalent(ours).set_params(shuffle=False)
    reference.partial_fit(X, y, classes=np.arange(3))
    network = FeedForwardNetwork(
        [5, 6, 3],
        ["relu", "softmax"],
        loss="cross_entropy",
        alpha=alpha,
        random_state=4,
        bias_init="narrow_normal",
    )
    _inject(reference, network)
    reference.partial_fit(X, y)
    settings = TrainingSettings(learning_rate=0.05, batch_size=30, epochs=1)
    train_network(network, X, np.eye(3)[y], settings, np.random.default_rng(0))
    for ours_w, theirs in zip(
        network.coefs_ + network.intercepts_, reference.coefs_ + reference.intercepts_, strict=True
    ):
        np.testing.assert_allclose(ours_w, theirs, rtol=1e-12, atol=1e-14)


def test_logistic_regression_converges_to_sklearn():
    X, y = X_CLASS, Y_CLASS
    alpha = 0.01
    ours = LogisticRegression(
        alpha=alpha, learning_rate=0.5, batch_size=len(X), epochs=3000, random_state=0
    ).fit(X, y)
    # scikit-learn minimises Σ CE + ||W||²/(2C); ours (1/n) Σ CE + α||W||²: C = 1/(2nα)
    reference = sk_linear.LogisticRegression(
        C=1 / (2 * len(X) * alpha), tol=1e-10, max_iter=10_000
    ).fit(X, y)
    np.testing.assert_array_equal(ours.predict(X), reference.predict(X))
    # how far 3000 SGD steps get; the mapping itself is checked exactly below
    np.testing.assert_allclose(ours.predict_proba(X), reference.predict_proba(X), atol=2e-3)


def test_multinomial_alpha_puts_fyslearns_minimum_at_scikit_learns():
    """At scikit-learn's multinomial solution for C, the cost with α = 1/(2nC) has zero gradient."""
    X, y = X_CLASS, Y_CLASS
    alpha = 0.01
    reference = sk_linear.LogisticRegression(
        C=1 / (2 * len(X) * alpha), tol=1e-12, max_iter=10_000
    ).fit(X, y)
    network = LogisticRegression(alpha=alpha, epochs=1, random_state=0).fit(X, y).network_
    Y = np.eye(len(reference.classes_))[np.searchsorted(reference.classes_, y)]
    assert_minimum_at_sklearns(network, reference, X, Y)


def assert_minimum_at_sklearns(network, reference, X, Y):
    """With scikit-learn's fitted `coef_` and `intercept_` as its weights, the network's
    cost has zero gradient; 10 % away from them it has not."""
    network.coefs_[0][:] = reference.coef_.T
    network.intercepts_[0][:] = reference.intercept_
    _, coef_grads, intercept_grads = network.loss_and_gradients(X, Y)
    assert np.abs(coef_grads[0]).max() < 1e-7 and np.abs(intercept_grads[0]).max() < 1e-7
    network.coefs_[0][:] *= 1.1  # away from it, the gradient is not small
    _, coef_grads, _ = network.loss_and_gradients(X, Y)
    assert np.abs(coef_grads[0]).max() > 1e-3


@pytest.mark.parametrize("Estimator", [MLPRegressor, MLPClassifier, LogisticRegression])
def test_divergence_raises_names_the_epoch_and_leaves_it_unfitted(Estimator):
    # logits beyond the float range: the weights overflow and the loss turns NaN
    X, y = (
        (X_FRANKE * 50, Y_FRANKE * 50) if Estimator is MLPRegressor else (X_CLASS * 1e160, Y_CLASS)
    )
    model = Estimator(learning_rate=10.0, epochs=20, random_state=0)
    with pytest.raises(DivergenceError, match=r"epoch \d+ of 20.*smaller learning_rate"):
        model.fit(X, y)
    with pytest.raises(NotFittedError):
        model.predict(X)


def test_divergence_restore_keeps_the_best_epoch():
    model = MLPRegressor(
        hidden_layer_sizes=(16,),
        activation="linear",
        learning_rate=0.2,
        epochs=50,
        random_state=0,
        on_divergence="restore",
    )
    with pytest.warns(RuntimeWarning, match="restored") as caught:
        model.fit(X_FRANKE * 10, Y_FRANKE)
    assert model.n_iter_ < 50 and np.all(np.isfinite(model.history_["loss"]))
    # the parameters put back are those whose loss the warning names
    restored_mse = np.mean((model.predict(X_FRANKE * 10) - Y_FRANKE) ** 2)
    assert f"(loss {restored_mse:.4g})" in str(caught[0].message)


def test_restore_ranks_epochs_by_the_loss_of_the_parameters_it_saves():
    """Full batch: the epoch's loss is measured before its one step, the saved weights after it."""
    X = np.random.default_rng(0).normal(size=(200, 3))
    y = 3 * np.sin(X[:, 0])
    model = MLPRegressor(
        hidden_layer_sizes=(16,), activation="tanh", learning_rate=10.0, batch_size=None,
        epochs=5, random_state=0, on_divergence="restore",
    )  # fmt: skip
    with pytest.warns(RuntimeWarning, match="restored") as caught:
        model.fit(X, y)
    restored_mse = np.mean((model.predict(X) - y) ** 2)
    assert f"(loss {restored_mse:.4g})" in str(caught[0].message)


def test_weights_that_overflow_in_the_last_step_are_divergence():
    """The epoch's loss comes before its last update; non-finite weights after it still count."""
    X = np.random.default_rng(0).normal(size=(20, 2)) * 1e10
    model = MLPRegressor(
        hidden_layer_sizes=(4,), learning_rate=1e300, batch_size=None, epochs=1, random_state=0
    )
    with pytest.raises(DivergenceError, match="epoch 1 of 1"):
        model.fit(X, X[:, 0] * 3e-10)
    with pytest.raises(NotFittedError):
        model.predict(X)


def test_an_explosion_within_the_first_epoch_is_divergence():
    """The scale of the check is the loss before training, not the first epoch's own loss."""
    X = np.random.default_rng(0).normal(size=(37, 3))
    model = MLPRegressor(
        hidden_layer_sizes=(8,), learning_rate=3.0, batch_size=5, epochs=1, random_state=0
    )
    with pytest.raises(DivergenceError, match="epoch 1 of 1"):
        model.fit(X, np.sin(X[:, 0]) + X[:, 1])


@pytest.mark.parametrize("Estimator", [MLPRegressor, MLPClassifier, LogisticRegression])
def test_save_load_round_trip_is_bit_identical(tmp_path, Estimator):
    X, y = (
        (X_FRANKE, Y_FRANKE)
        if Estimator is MLPRegressor
        else (X_CLASS, np.array(list("abc"))[Y_CLASS])
    )
    model = Estimator(epochs=2, random_state=0, validation_data=(X, y)).fit(X, y)
    loaded = fyslearn.load(model.save(tmp_path / "net"))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert loaded.validation_data is None  # data is not stored in the model file
    for key, values in model.history_.items():
        np.testing.assert_array_equal(loaded.history_[key], values)


def test_float32_training_stays_float32():
    model = MLPRegressor(hidden_layer_sizes=(8,), epochs=2, dtype="float32", random_state=0)
    model.fit(X_FRANKE.astype(np.float32), Y_FRANKE)
    assert all(W.dtype == np.float32 for W in model.coefs_)
    assert model.predict(X_FRANKE).dtype == np.float32


def test_sklearn_equivalent_refuses_what_sklearn_lacks():
    with pytest.raises(ValueError, match="leaky_relu"):
        sklearn_equivalent(MLPRegressor(activation="leaky_relu"))
    with pytest.raises(ValueError, match="inverse"):
        sklearn_equivalent(MLPRegressor(schedule="inverse"))
    with pytest.raises(ValueError, match="batch_size=None"):
        sklearn_equivalent(MLPRegressor(batch_size=None))
    assert isinstance(sklearn_equivalent(MLPClassifier()), sk_nn.MLPClassifier)


@pytest.mark.filterwarnings("ignore::fyslearn.optim.ConvergenceWarning")  # a few epochs
def test_predict_proba_only_for_outputs_that_are_probabilities():
    """Sigmoid outputs (Nielsen's squared error) are scaled to rows summing to 1; linear refused."""
    sigmoid = MLPClassifier(out_activation="sigmoid", loss="mse", epochs=3, random_state=0)
    probabilities = sigmoid.fit(X_CLASS, Y_CLASS).predict_proba(X_CLASS)
    assert np.all((probabilities >= 0) & (probabilities <= 1))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-12)
    linear = MLPClassifier(out_activation="linear", loss="mse", epochs=3, random_state=0)
    linear.fit(X_CLASS, Y_CLASS)
    assert hasattr(sigmoid, "predict_proba") and not hasattr(linear, "predict_proba")
    with pytest.raises(AttributeError):
        linear.predict_proba(X_CLASS)
    scores = linear.network_.predict(X_CLASS)
    np.testing.assert_array_equal(linear.predict(X_CLASS), linear.classes_[scores.argmax(axis=1)])


def test_a_sigmoid_output_of_exactly_one_half_predicts_class_0():
    """count_correct and predict agree: class 1 only where $a > 1/2$."""
    from fyslearn.nn.training import count_correct

    output = np.array([[0.5], [0.5 + 1e-12], [0.5 - 1e-12]])
    assert count_correct(output, np.array([[0.0], [1.0], [0.0]])) == 3
    assert count_correct(output, np.array([[1.0], [0.0], [1.0]])) == 0
    labels = np.where(X_CLASS[:, 0] > 0, "yes", "no")
    model = LogisticRegression(epochs=1, random_state=0).fit(X_CLASS, labels)
    model.coefs_[0][:] = 0.0
    model.intercepts_[0][:] = 0.0  # a = σ(0) = 1/2 for every row
    np.testing.assert_array_equal(model.predict(X_CLASS[:3]), ["no"] * 3)  # classes_[0]
    np.testing.assert_array_equal(model.predict_proba(X_CLASS[:3]), [[0.5, 0.5]] * 3)

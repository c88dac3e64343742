"""Training M stacked networks at once gives what training each one alone gives.

The stack is the same engine as one network (`FeedForwardNetwork.stack`), so
these tests compare it with a hand-written SGD loop and with `fit`.
"""

import itertools

import numpy as np
import pytest

from fyslearn import fit_many
from fyslearn.nn.network import FeedForwardNetwork
from fyslearn.nn.training import TrainingSettings, score_network, train_network
from fyslearn.optim import DivergenceWarning

# stacked and one-by-one fits are compared over a few epochs: unconverged on purpose
pytestmark = pytest.mark.filterwarnings("ignore::fyslearn.optim.ConvergenceWarning")

# (name in fyslearn, value, derivative): the reference below uses its own formulas
RELU = ("relu", lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(z.dtype))
IDENTITY = ("linear", lambda z: z, np.ones_like)
SIGMOID = (
    "sigmoid",
    lambda z: 0.5 * (1 + np.tanh(z / 2)),
    lambda z: 0.25 * (1 - np.tanh(z / 2) ** 2),
)


@pytest.fixture
def data(rng):
    X = rng.uniform(-0.5, 0.5, size=(63, 3))  # 63 rows: the last mini-batch is short
    Y = np.column_stack([np.sin(3 * X[:, 0]) + X[:, 1] ** 2, X[:, 2]])
    return X, Y


def initial(seed, sizes=(3, 8, 5, 2)):
    """One network's parameters and the generator left after drawing them."""
    rng = np.random.default_rng(seed)
    kernels = [rng.normal(0, 0.5, (a, b)) for a, b in itertools.pairwise(sizes)]
    biases = [rng.normal(0, 0.1, b) for b in sizes[1:]]
    return kernels, biases, rng


def stack(seeds, activations, alphas=None):
    """The networks of `initial(seed)` as one stack, and their generators."""
    networks, rngs = [], []
    for k, seed in enumerate(seeds):
        kernels, biases, rng = initial(seed)
        network = FeedForwardNetwork(
            [3, 8, 5, 2], [name for name, _, _ in activations], alpha=alphas[k] if alphas else 0.0
        )
        network.coefs_, network.intercepts_ = kernels, biases
        networks.append(network)
        rngs.append(rng)
    return FeedForwardNetwork.stack(networks), rngs


def train_stacked(stacked, X, Y, rates, momenta, rngs, restore, batch_size, epochs):
    """Train a stack; per network its final kernels and biases, its losses and its outcome."""
    on_divergence = ["restore" if r else "raise" for r in np.broadcast_to(restore, len(rates))]
    settings = TrainingSettings(
        learning_rate=rates, momentum=momenta, on_divergence=on_divergence,
        batch_size=batch_size, epochs=epochs,
    )  # fmt: skip
    results = train_network(stacked, X, Y, settings, rngs)
    return [
        (network.coefs_, network.intercepts_, result.history["loss"], result.outcome)
        for network, result in zip(stacked.unstack(), results, strict=True)
    ]


def alone(seed, X, Y, rate, alpha, momentum, epochs, batch_size, activations):
    """Hand-written SGD for one network: the reference the stacked training must match.

    The loss of an epoch is the mean of its mini-batch losses (weighted by
    their sizes) plus the L2 term after the epoch, as fyslearn records it.
    """
    kernels, biases, rng = initial(seed)
    params = [p for pair in zip(kernels, biases, strict=True) for p in pair]
    velocities = [np.zeros_like(p) for p in params]
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        squared_errors = 0.0
        for start in range(0, len(X), batch_size):
            rows = order[start : start + batch_size]
            zs, outs = [], [X[rows]]
            for W, b, (_, sigma, _) in zip(kernels, biases, activations, strict=True):
                zs.append(outs[-1] @ W + b)
                outs.append(sigma(zs[-1]))
            squared_errors += ((outs[-1] - Y[rows]) ** 2).sum()
            delta = 2.0 / len(rows) * (outs[-1] - Y[rows])
            grads = []
            for layer in reversed(range(len(kernels))):
                grads = [outs[layer].T @ delta + 2 * alpha * kernels[layer], delta.sum(0), *grads]
                if layer:
                    delta = delta @ kernels[layer].T * activations[layer - 1][2](zs[layer - 1])
            for p, g, v in zip(params, grads, velocities, strict=True):
                v *= momentum
                v += rate * g
                p -= v
        losses.append(squared_errors / len(X) + alpha * sum((W**2).sum() for W in kernels))
    return kernels, biases, np.array(losses)


def assert_same_fit(fitted, alone):
    """A network from fit_many has the learned attributes, weights and history_ of its own fit."""
    learned = lambda model: sorted(name for name in vars(model) if name.endswith("_"))  # noqa: E731
    assert learned(fitted) == learned(alone)
    assert fitted.n_features_in_ == alone.n_features_in_
    for a, b in zip(
        alone.coefs_ + alone.intercepts_, fitted.coefs_ + fitted.intercepts_, strict=True
    ):
        np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)
    assert sorted(fitted.history_) == sorted(alone.history_)
    for key, values in alone.history_.items():
        np.testing.assert_allclose(fitted.history_[key], values, rtol=1e-10, err_msg=key)


SETTINGS = [  # (seed, learning rate, alpha, momentum): four different networks
    (1, 0.05, 0.0, 0.0),
    (2, 0.01, 1e-3, 0.9),
    (3, 0.1, 0.0, 0.5),
    (4, 0.02, 1e-2, 0.0),
]


@pytest.mark.parametrize("hidden", [RELU, SIGMOID])
def test_stacked_training_equals_training_each_network_alone(data, hidden):
    X, Y = data
    activations = [hidden, hidden, IDENTITY]
    seeds, rates, alphas, momenta = zip(*SETTINGS, strict=True)
    networks, rngs = stack(seeds, activations, alphas)
    outcomes = train_stacked(networks, X, Y, rates, momenta, rngs, [False] * 4, 10, 7)
    for (seed, rate, alpha, momentum), outcome in zip(SETTINGS, outcomes, strict=True):
        kernels, biases, losses = alone(seed, X, Y, rate, alpha, momentum, 7, 10, activations)
        got_kernels, got_biases, got_losses, ending = outcome
        assert ending.error(rate, 7) is None
        np.testing.assert_allclose(got_losses, losses, rtol=1e-10)
        for got, expected in zip(got_kernels + got_biases, kernels + biases, strict=True):
            np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-13)


def test_a_diverging_network_is_reported_and_the_others_are_unaffected(data):
    X, Y = data
    activations = [RELU, RELU, IDENTITY]
    networks, rngs = stack([1, 2], activations)
    outcomes = train_stacked(networks, X, Y, [0.05, 1e6], [0.0, 0.0], rngs, [False, False], 10, 5)
    kernels, _, losses = alone(1, X, Y, 0.05, 0.0, 0.0, 5, 10, activations)
    np.testing.assert_allclose(outcomes[0][2], losses, rtol=1e-10)
    np.testing.assert_allclose(outcomes[0][0][0], kernels[0], rtol=1e-10)
    assert outcomes[0][3].error(0.05, 5) is None
    error = outcomes[1][3].error(1e6, 5)
    assert error is not None
    assert "diverged" in str(error)
    losses = outcomes[1][2]
    assert outcomes[1][3].diverged_epoch == len(losses) - 1
    # not finite, or ten orders of magnitude above the loss before training (first batch)
    before = score_network(stack([2], activations)[0], X[:10], Y[:10])["loss"][0]
    assert not np.isfinite(losses[-1]) or losses[-1] > 1e10 * max(before, 1.0)


def test_restore_puts_back_the_best_epoch_with_a_warning(data):
    X, Y = data
    activations = [RELU, RELU, IDENTITY]
    networks, rngs = stack([5], activations)
    ((got_kernels, _, got_losses, ending),) = train_stacked(
        networks, X, Y, [1.5], [0.0], rngs, [True], 5, 60
    )
    assert "restored" in ending.warning()
    assert ending.error(1.5, 60) is None
    assert np.all(np.isfinite(got_losses))
    assert 0 < len(got_losses) < 60  # stopped at the first diverged loss
    best_epoch = int(np.argmin(got_losses))
    with np.errstate(over="ignore", invalid="ignore"):
        kernels, _, _ = alone(5, X, Y, 1.5, 0.0, 0.0, best_epoch + 1, 5, activations)
    np.testing.assert_allclose(got_kernels[1], kernels[1], rtol=1e-10)


def test_shared_order_trains_like_one_by_one_when_the_orders_agree(data):
    """With one seed for all, each network alone would draw the shared order too."""
    X, Y = data
    activations = [RELU, SIGMOID, IDENTITY]
    rates, alphas = [0.05, 0.02, 0.1], [0.0, 1e-3, 1e-2]
    networks, rngs = stack([7, 7, 7], activations, alphas)
    outcomes = train_stacked(networks, X, Y, rates, [0.0] * 3, rngs, [False] * 3, 8, 5)
    for rate, alpha, outcome in zip(rates, alphas, outcomes, strict=True):
        kernels, biases, losses = alone(7, X, Y, rate, alpha, 0.0, 5, 8, activations)
        got_kernels, got_biases, got_losses, _ = outcome
        np.testing.assert_allclose(got_losses, losses, rtol=1e-10)
        for got, expected in zip(got_kernels + got_biases, kernels + biases, strict=True):
            np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-13)


def test_fit_many_equals_fitting_each_mlpregressor_alone():
    from fyslearn.datasets import make_franke
    from fyslearn.nn import MLPRegressor

    X, y = make_franke(120, random_state=0)
    settings = [
        (1e-3, 0.0, 0.0, 0),
        (1e-2, 1e-3, 0.0, 1),
        (3e-2, 0.0, 0.9, 2),
        (1e-1, 1e-2, 0.5, 3),
    ]
    make = lambda rate, alpha, momentum, seed: MLPRegressor(  # noqa: E731
        hidden_layer_sizes=(16,),
        learning_rate=rate,
        alpha=alpha,
        momentum=momentum,
        batch_size=10,
        epochs=15,
        random_state=seed,
    )
    stacked = fit_many([make(*s) for s in settings], X, y)
    for setting, fitted in zip(settings, stacked, strict=True):
        alone = make(*setting).fit(X, y)
        assert_same_fit(fitted, alone)
        np.testing.assert_allclose(fitted.predict(X), alone.predict(X), rtol=1e-10, atol=1e-12)


def test_fit_many_refuses_mixed_shapes():
    from fyslearn.nn import MLPRegressor

    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        fit_many(
            [MLPRegressor(hidden_layer_sizes=(4,)), MLPRegressor(hidden_layer_sizes=(5,))],
            np.ones((4, 2)),
            np.ones(4),
        )


def _classification_data(n=90, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    classes = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 0.5)
    labels = np.array(["a", "b", "c"])[classes]
    return X, labels


@pytest.mark.parametrize("same_seed", [False, True], ids=["own seeds", "one seed, shared order"])
@pytest.mark.parametrize("kind", ["logistic", "mlp"])
def test_fit_many_classifiers_equal_fitting_each_alone(kind, same_seed):
    from fyslearn.nn import LogisticRegression, MLPClassifier

    X, labels = _classification_data()
    X_val, labels_val = _classification_data(40, seed=1)
    validation = (X_val, labels_val)
    settings = [(0.05, 0.0, 0.0), (0.1, 1e-2, 0.0), (0.02, 1e-3, 0.9)]

    def make(k, rate, alpha, momentum):
        common = dict(
            learning_rate=rate,
            alpha=alpha,
            momentum=momentum,
            batch_size=8,
            epochs=6,
            random_state=7 if same_seed else k,
            validation_data=validation,
        )
        if kind == "logistic":
            return LogisticRegression(**common)
        return MLPClassifier(hidden_layer_sizes=(5,), kernel_init="glorot_uniform", **common)

    stacked = fit_many([make(k, *s) for k, s in enumerate(settings)], X, labels)
    for k, (setting, fitted) in enumerate(zip(settings, stacked, strict=True)):
        alone = make(k, *setting).fit(X, labels)
        assert_same_fit(fitted, alone)
        np.testing.assert_array_equal(fitted.classes_, alone.classes_)
        np.testing.assert_array_equal(fitted.predict(X_val), alone.predict(X_val))


def test_fit_many_shares_the_order_only_when_the_generators_agree(monkeypatch):
    from fyslearn.nn import LogisticRegression, training

    seen = []
    original = training.shuffled_orders

    def spy(*args, **kwargs):
        order, shared = original(*args, **kwargs)
        seen.append(shared)
        return order, shared

    monkeypatch.setattr(training, "shuffled_orders", spy)
    X, labels = _classification_data()
    cases = [
        [dict(random_state=3), dict(random_state=3, alpha=0.1)],  # same seed, same draws
        [dict(random_state=3), dict(random_state=4)],
        # same seed, but random biases take more numbers from the generator than zeros
        [dict(random_state=3), dict(random_state=3, bias_init="narrow_normal")],
    ]
    for case in cases:
        fit_many([LogisticRegression(epochs=1, **kw) for kw in case], X, labels)
    assert seen == [True, False, False]


def test_fit_many_refuses_mixed_classes_and_validation_sets():
    from fyslearn.nn import LogisticRegression, MLPClassifier

    X, labels = _classification_data()
    with pytest.raises(ValueError, match="one class"):
        fit_many([LogisticRegression(), MLPClassifier(hidden_layer_sizes=())], X, labels)
    with pytest.raises(ValueError, match="validation_data"):
        fit_many(
            [
                LogisticRegression(validation_data=(X, labels)),
                LogisticRegression(validation_data=(X[:10], labels[:10])),
            ],
            X,
            labels,
        )


def _franke_design(n=80, degree=4, seed=0):
    from fyslearn.datasets import make_franke
    from fyslearn.features import design_matrix

    X, y = make_franke(n, random_state=seed)
    return design_matrix(X, degree), y


@pytest.mark.parametrize("same_seed", [True, False], ids=["one seed, shared order", "own seeds"])
def test_fit_many_linear_models_equal_fitting_each_alone(same_seed):
    from fyslearn.linear_model import SGDRegressor

    D, y = _franke_design()
    settings = [
        dict(learning_rate=rate, schedule=schedule, alpha=alpha, momentum=momentum)
        for rate, schedule, alpha, momentum in itertools.product(
            (1e-2, 5e-2), ("constant", "inverse"), (0.0, 1e-3), (0.0, 0.5)
        )
    ]

    def make(k, **setting):
        return SGDRegressor(batch_size=7, epochs=12, random_state=3 if same_seed else k, **setting)

    stacked = fit_many([make(k, **s) for k, s in enumerate(settings)], D, y)
    for k, (setting, fitted) in enumerate(zip(settings, stacked, strict=True)):
        alone = make(k, **setting).fit(D, y)
        np.testing.assert_allclose(fitted.coef_, alone.coef_, rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(fitted.loss_curve_, alone.loss_curve_, rtol=1e-10)
        assert fitted.n_iter_ == alone.n_iter_ == 12
        assert fitted.n_features_in_ == D.shape[1]


def test_fit_many_linear_shares_the_order_only_for_one_seed(monkeypatch):
    from fyslearn import linear_model
    from fyslearn.linear_model import SGDRegressor

    orders = []
    original = linear_model.shuffled_orders

    def spy(*args, **kwargs):
        order, shared = original(*args, **kwargs)
        orders.append(shared)
        return order, shared

    monkeypatch.setattr(linear_model, "shuffled_orders", spy)
    D, y = _franke_design(30)
    for seeds in ((5, 5), (5, 6)):
        fit_many([SGDRegressor(epochs=1, random_state=s) for s in seeds], D, y)
    assert orders == [True, False]


def test_fit_many_linear_diverged_model_is_left_unfitted_as_fit_would():
    from sklearn.exceptions import NotFittedError

    from fyslearn.linear_model import SGDRegressor
    from fyslearn.optim import DivergenceError

    D, y = _franke_design()
    make = lambda rate, mode: SGDRegressor(  # noqa: E731
        learning_rate=rate, epochs=20, random_state=0, on_divergence=mode
    )
    settings = [(1e-2, "raise"), (50.0, "raise"), (0.5, "restore")]  # 0.5: a few good epochs
    with pytest.warns(DivergenceWarning) as caught:
        stacked = fit_many([make(*s) for s in settings], D, y)
    messages = " ".join(str(w.message) for w in caught)
    assert "#1: Training diverged" in messages and "model 2" in messages
    healthy, failed, restored = stacked
    np.testing.assert_allclose(healthy.coef_, make(*settings[0]).fit(D, y).coef_, rtol=1e-10)
    with pytest.raises(NotFittedError):
        failed.predict(D)
    with pytest.raises(DivergenceError):
        make(*settings[1]).fit(D, y)
    with pytest.warns(DivergenceWarning):
        alone = make(*settings[2]).fit(D, y)
    assert restored.n_iter_ == alone.n_iter_ < 20
    np.testing.assert_allclose(restored.coef_, alone.coef_, rtol=1e-10)
    np.testing.assert_allclose(restored.loss_curve_, alone.loss_curve_, rtol=1e-10)
    assert np.all(np.isfinite(restored.predict(D)))


def test_fit_many_linear_refuses_mixed_batches_and_bad_settings():
    from fyslearn.linear_model import SGDRegressor
    from fyslearn.nn import MLPRegressor

    D, y = _franke_design(30)
    with pytest.raises(ValueError, match="batch_size"):
        fit_many([SGDRegressor(batch_size=5), SGDRegressor(batch_size=6)], D, y)
    with pytest.raises(ValueError, match="learning_rate"):
        fit_many([SGDRegressor(), SGDRegressor(learning_rate=-1.0)], D, y)
    with pytest.raises(ValueError, match="schedule"):
        fit_many([SGDRegressor(schedule="cosine")], D, y)
    with pytest.raises(ValueError, match="one class"):
        fit_many([SGDRegressor(), MLPRegressor()], D, y)
    with pytest.raises(ValueError, match="non-empty"):
        fit_many([], D, y)


def test_fit_many_trains_randomnet_sized_networks_like_fit():
    """Deep networks with a different activation and initialiser in every layer, own seeds."""
    from fyslearn.datasets import make_franke
    from fyslearn.nn import MLPRegressor

    X, y = make_franke(90, random_state=1)
    architecture = dict(
        hidden_layer_sizes=(9, 4, 1, 7, 5),
        activation=["sigmoid", "leaky_relu", "linear", "relu", "sigmoid"],
        kernel_init=["normal", "glorot_uniform", "normal", "glorot_uniform", "normal", "normal"],
        bias_init=["zeros", "narrow_normal"] * 3,
    )
    make = lambda seed, rate: MLPRegressor(  # noqa: E731
        learning_rate=rate, batch_size=10, epochs=8, random_state=seed, **architecture
    )
    settings = [(0, 0.05), (1, 0.01), (2, 0.1)]
    stacked = fit_many([make(*s) for s in settings], X, y)
    for setting, fitted in zip(settings, stacked, strict=True):
        alone = make(*setting).fit(X, y)
        assert_same_fit(fitted, alone)


@pytest.mark.parametrize("kind", ["network", "linear"])
def test_fit_many_checks_the_data_once_with_the_messages_of_fit(kind):
    """The data are checked once, through the first estimator, as its own fit checks them;
    every estimator then knows its number of features, as after its own fit."""
    from fyslearn.linear_model import SGDRegressor
    from fyslearn.nn import MLPRegressor

    def make(seed):
        if kind == "linear":
            return SGDRegressor(epochs=2, random_state=seed)
        return MLPRegressor(hidden_layer_sizes=(4,), epochs=2, random_state=seed)

    X, y = np.random.default_rng(0).normal(size=(30, 3)), np.arange(30.0)
    bad = X.copy()
    bad[4, 1] = np.nan
    with pytest.raises(ValueError) as alone:
        make(0).fit(bad, y)
    models = [make(k) for k in range(3)]
    with pytest.raises(ValueError) as stacked:
        fit_many(models, bad, y)
    assert str(stacked.value) == str(alone.value)
    assert not any(hasattr(model, "n_features_in_") for model in models)
    fit_many(models, X, y)
    for model in models:
        assert model.n_features_in_ == 3
        with pytest.raises(ValueError, match="features"):
            model.predict(X[:, :2])

"""The adaptive solvers through the estimators: hand-unrolled references, stacks, bad input."""

import itertools

import numpy as np
import pytest

from fyslearn import fit_many
from fyslearn.datasets import make_franke
from fyslearn.linear_model import SGDRegressor
from fyslearn.nn import LogisticRegression, MLPClassifier, MLPRegressor

# the solvers are compared with torch.optim over a few epochs: unconverged on purpose
pytestmark = pytest.mark.filterwarnings("ignore::fyslearn.optim.ConvergenceWarning")

SOLVERS = ["sgd", "adagrad", "rmsprop", "adam"]
X_FRANKE, Y_FRANKE = make_franke(90, random_state=1)


def _adam_by_hand(X, y, beta, rate, steps, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
    """Kingma & Ba, Algorithm 1, on the full-batch MSE gradient, written out here."""
    m, v = np.zeros_like(beta), np.zeros_like(beta)
    for t in range(1, steps + 1):
        g = 2 / len(y) * X.T @ (X @ beta - y)
        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g**2
        m_hat, v_hat = m / (1 - beta_1**t), v / (1 - beta_2**t)
        beta = beta - rate * m_hat / (np.sqrt(v_hat) + epsilon)
    return beta


def _rmsprop_by_hand(X, y, beta, rate, steps, rho=0.9, epsilon=1e-8):
    v = np.zeros_like(beta)
    for _ in range(steps):
        g = 2 / len(y) * X.T @ (X @ beta - y)
        v = rho * v + (1 - rho) * g**2
        beta = beta - rate * g / (np.sqrt(v) + epsilon)
    return beta


def _adagrad_by_hand(X, y, beta, rate, steps, epsilon=1e-8):
    G = np.zeros_like(beta)
    for _ in range(steps):
        g = 2 / len(y) * X.T @ (X @ beta - y)
        G = G + g**2
        beta = beta - rate * g / (np.sqrt(G) + epsilon)
    return beta


@pytest.mark.parametrize(
    ("solver", "by_hand", "settings"),
    [
        ("adam", _adam_by_hand, {"beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-6}),
        ("rmsprop", _rmsprop_by_hand, {"rho": 0.7, "epsilon": 1e-7}),
        ("adagrad", _adagrad_by_hand, {"epsilon": 1e-8}),
    ],
)
def test_full_batch_sgdregressor_takes_the_hand_unrolled_steps(rng, solver, by_hand, settings):
    X, y = rng.normal(size=(25, 4)), rng.normal(size=25)
    model = SGDRegressor(
        solver=solver, learning_rate=0.05, batch_size=None, epochs=12, random_state=0, **settings
    ).fit(X, y)
    start = np.random.default_rng(0).normal(0.0, 0.05, size=4)  # SGDRegressor's start
    np.testing.assert_allclose(model.coef_, by_hand(X, y, start, 0.05, 12, **settings), rtol=1e-12)


@pytest.mark.parametrize("penalty", ["l2", "l1"])
@pytest.mark.parametrize("solver", SOLVERS)
def test_stacked_training_equals_one_by_one_for_every_solver(solver, penalty):
    settings = [(0.01, 0.0, 0.0, 0), (0.003, 1e-3, 0.5, 1), (0.02, 0.05, 0.9, 2)]

    def make(rate, alpha, momentum, seed):
        return MLPRegressor(
            hidden_layer_sizes=(6,), solver=solver, learning_rate=rate, alpha=alpha,
            momentum=momentum, beta_1=0.85, rho=0.8, batch_size=10, epochs=4, random_state=seed,
            penalty=penalty,
        )  # fmt: skip

    stacked = fit_many([make(*s) for s in settings], X_FRANKE, Y_FRANKE)
    for setting, fitted in zip(settings, stacked, strict=True):
        alone = make(*setting).fit(X_FRANKE, Y_FRANKE)
        pairs = zip(
            alone.coefs_ + alone.intercepts_, fitted.coefs_ + fitted.intercepts_, strict=True
        )
        for a, b in pairs:
            np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(fitted.history_["loss"], alone.history_["loss"], rtol=1e-10)


@pytest.mark.parametrize("solver", SOLVERS)
def test_stacked_linear_models_equal_one_by_one_for_every_solver(solver):
    from fyslearn.features import design_matrix

    D = design_matrix(X_FRANKE, 3)
    settings = list(itertools.product((0.01, 0.05), (0.0, 1e-3)))
    make = lambda rate, alpha: SGDRegressor(  # noqa: E731
        solver=solver, learning_rate=rate, alpha=alpha, batch_size=7, epochs=5, random_state=4
    )
    stacked = fit_many([make(*s) for s in settings], D, Y_FRANKE)
    for setting, fitted in zip(settings, stacked, strict=True):
        alone = make(*setting).fit(D, Y_FRANKE)
        np.testing.assert_allclose(fitted.coef_, alone.coef_, rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(fitted.loss_curve_, alone.loss_curve_, rtol=1e-10)


@pytest.mark.parametrize("schedule", ["invscaling", "step"])
def test_the_new_schedules_train_through_the_estimators(schedule):
    model = MLPRegressor(
        hidden_layer_sizes=(8,), schedule=schedule, learning_rate=0.05, epochs=12, random_state=0
    ).fit(X_FRANKE, Y_FRANKE)
    assert model.history_["loss"][-1] < model.history_["loss"][0]


def test_adam_learns_where_plain_sgd_at_the_same_rate_barely_moves():
    X, y = X_FRANKE, Y_FRANKE
    fit = lambda solver: MLPRegressor(  # noqa: E731
        hidden_layer_sizes=(16,), solver=solver, learning_rate=1e-3, epochs=20, random_state=0
    ).fit(X, y)
    assert fit("adam").history_["mse"][-1] < 0.8 * fit("sgd").history_["mse"][-1]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"solver": "lbfgs"}, r"solver must be one of \['adagrad', 'adam', 'rmsprop', 'sgd'\]"),
        ({"solver": "adam", "beta_1": 1.0}, "beta_1"),
        ({"solver": "adam", "beta_2": -0.1}, "beta_2"),
        ({"solver": "rmsprop", "rho": 1.5}, "rho"),
        ({"solver": "adam", "epsilon": 0.0}, "epsilon"),
        ({"schedule": "cosine"}, "schedule"),
    ],
)
@pytest.mark.parametrize("Estimator", [MLPClassifier, LogisticRegression, SGDRegressor])
def test_bad_solver_settings_are_named_before_training(Estimator, kwargs, message):
    X, y = X_FRANKE, (Y_FRANKE > 0.4).astype(int)
    with pytest.raises(ValueError, match=message):
        Estimator(**kwargs).fit(X, y)
    with pytest.raises(ValueError, match=message):
        fit_many([Estimator(**kwargs), Estimator(**kwargs)], X, y)


def _sgd_by_hand(X, y, beta, rates):
    """Plain full-batch SGD on the MSE, at the given rate in each epoch."""
    for rate in rates:
        beta = beta - rate * 2 / len(y) * X.T @ (X @ beta - y)
    return beta


@pytest.mark.parametrize(
    ("settings", "rates"),
    [
        ({"schedule": "step", "decay_every": 2, "decay_factor": 0.1}, [0.1, 0.1, 0.01, 0.01, 1e-3]),
        ({"schedule": "invscaling", "power_t": 1.0}, [0.1, 0.05, 0.1 / 3, 0.025, 0.02]),
    ],
)
def test_schedule_settings_of_sgdregressor_set_the_rate_of_each_epoch(rng, settings, rates):
    X, y = rng.normal(size=(20, 3)), rng.normal(size=20)
    model = SGDRegressor(
        learning_rate=0.1, batch_size=None, epochs=5, random_state=0, **settings
    ).fit(X, y)
    start = np.random.default_rng(0).normal(0.0, 0.05, size=3)  # SGDRegressor's start
    np.testing.assert_allclose(model.coef_, _sgd_by_hand(X, y, start, rates), rtol=1e-12)


SCHEDULE_SETTINGS = {"power_t": 0.75, "decay_every": 3, "decay_factor": 0.25}


@pytest.fixture
def built_optimizers(monkeypatch):
    """Every optimizer the estimators build during the test, in order."""
    import fyslearn.linear_model
    import fyslearn.nn.training
    from fyslearn.optim import make_optimizer

    built = []

    def spy(*args, **kwargs):
        built.append(make_optimizer(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(fyslearn.nn.training, "make_optimizer", spy)
    monkeypatch.setattr(fyslearn.linear_model, "make_optimizer", spy)
    return built


@pytest.mark.parametrize("schedule", ["step", "invscaling"])
@pytest.mark.parametrize(
    "Estimator", [MLPRegressor, MLPClassifier, LogisticRegression, SGDRegressor]
)
def test_schedule_settings_reach_the_optimizer(built_optimizers, Estimator, schedule):
    X, y = X_FRANKE, (Y_FRANKE > 0.4).astype(int)
    Estimator(schedule=schedule, epochs=1, **SCHEDULE_SETTINGS).fit(X, y)
    (optimizer,) = built_optimizers
    taken = {"step": ("decay_every", "decay_factor"), "invscaling": ("power_t",)}[schedule]
    assert optimizer.schedule_settings == {name: SCHEDULE_SETTINGS[name] for name in taken}


@pytest.mark.parametrize(
    "Estimator", [MLPRegressor, MLPClassifier, LogisticRegression, SGDRegressor]
)
def test_fit_many_gives_each_model_its_own_step_settings(built_optimizers, Estimator):
    X, y = X_FRANKE, (Y_FRANKE > 0.4).astype(int)
    models = [
        Estimator(schedule="step", epochs=1, decay_every=every, decay_factor=factor)
        for every, factor in [(2, 0.5), (7, 0.1)]
    ]
    fit_many(models, X, y)
    (optimizer,) = built_optimizers
    settings = optimizer.schedule_settings
    np.testing.assert_array_equal(np.unique(settings["decay_every"]), [2, 7])
    np.testing.assert_allclose(np.unique(settings["decay_factor"]), [0.1, 0.5], rtol=1e-7)


def test_stacked_networks_with_their_own_step_settings_equal_one_by_one():
    settings = [(1, 0.5, 0), (2, 0.1, 1), (10, 0.5, 2)]

    def make(every, factor, seed):
        return MLPRegressor(
            hidden_layer_sizes=(6,), learning_rate=0.05, momentum=0.5, schedule="step",
            decay_every=every, decay_factor=factor, batch_size=10, epochs=4, random_state=seed,
        )  # fmt: skip

    stacked = fit_many([make(*s) for s in settings], X_FRANKE, Y_FRANKE)
    for setting, fitted in zip(settings, stacked, strict=True):
        alone = make(*setting).fit(X_FRANKE, Y_FRANKE)
        for a, b in zip(alone.coefs_, fitted.coefs_, strict=True):
            np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(fitted.history_["loss"], alone.history_["loss"], rtol=1e-10)
    constant = MLPRegressor(
        hidden_layer_sizes=(6,), learning_rate=0.05, momentum=0.5, batch_size=10, epochs=4,
        random_state=0,
    ).fit(X_FRANKE, Y_FRANKE)  # fmt: skip
    assert not np.allclose(constant.coefs_[0], stacked[0].coefs_[0])  # the drops took effect


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"schedule": "step", "decay_every": 0}, ValueError, "decay_every"),
        ({"schedule": "step", "decay_every": 2.5}, TypeError, "decay_every"),
        ({"schedule": "step", "decay_factor": 0.0}, ValueError, "decay_factor"),
        ({"schedule": "step", "decay_factor": 1.5}, ValueError, "decay_factor"),
        ({"decay_every": -1}, ValueError, "decay_every"),  # checked with any schedule
        ({"schedule": "invscaling", "power_t": -0.5}, ValueError, "power_t"),
    ],
)
@pytest.mark.parametrize(
    "Estimator", [MLPRegressor, MLPClassifier, LogisticRegression, SGDRegressor]
)
def test_bad_schedule_settings_are_named_before_training(Estimator, kwargs, error, message):
    X, y = X_FRANKE, (Y_FRANKE > 0.4).astype(int)
    with pytest.raises(error, match=message):
        Estimator(**kwargs).fit(X, y)
    with pytest.raises(error, match=message):
        fit_many([Estimator(**kwargs), Estimator(**kwargs)], X, y)

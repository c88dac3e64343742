"""A failed or interrupted fit leaves nothing half-done; fit_many rejects what fit rejects.

Adversarial cases: a refit interrupted with Ctrl-C, a refit whose validation
data is bad, a refit that diverges; fit_many given lists that cannot be one
stack, or data any single fit would refuse.
"""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from fyslearn import fit_many
from fyslearn.linear_model import SGDRegressor
from fyslearn.nn import LogisticRegression, MLPClassifier, MLPRegressor, training
from fyslearn.optim import DivergenceError


@pytest.fixture
def regression(rng):
    X = rng.uniform(-1, 1, size=(60, 2))
    return X, np.sin(3 * X[:, 0]) + X[:, 1] ** 2


@pytest.fixture
def labelled(rng):
    X = rng.normal(size=(60, 3))
    return X, np.where(X[:, 0] > 0, "yes", "no")


def _state(estimator):
    """Every learned attribute, arrays copied: what 'exactly as before' compares."""
    return {
        name: [np.copy(v) for v in value] if isinstance(value, list) else np.copy(value)
        for name, value in vars(estimator).items()
        if name.endswith("_") and name != "network_"
    }


def _assert_same_state(before, after):
    assert sorted(before) == sorted(after)
    for name, value in before.items():
        if isinstance(value, list):
            for a, b in zip(value, after[name], strict=True):
                np.testing.assert_array_equal(a, b)
        elif isinstance(value, dict):
            assert value.keys() == after[name].keys()
        else:
            np.testing.assert_array_equal(value, after[name], err_msg=name)


def _interrupt_after(calls, monkeypatch):
    original = training.Trainer.gradients
    count = {"n": 0}

    def interrupted(self, *args):
        count["n"] += 1
        if count["n"] > calls:
            raise KeyboardInterrupt
        return original(self, *args)

    monkeypatch.setattr(training.Trainer, "gradients", interrupted)


def test_an_interrupted_refit_leaves_the_previous_model_exactly(regression, monkeypatch):
    X, y = regression
    model = MLPRegressor(hidden_layer_sizes=(4,), epochs=3, random_state=0).fit(X, y)
    before, prediction = _state(model), model.predict(X)
    X_wider = np.column_stack([X, X[:, 0]])  # a refit with 3 features, interrupted
    _interrupt_after(5, monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X_wider, y)
    _assert_same_state(before, _state(model))
    assert model.n_features_in_ == 2
    np.testing.assert_array_equal(model.predict(X), prediction)


def test_a_refit_with_bad_validation_data_changes_nothing(labelled):
    X, labels = labelled
    model = MLPClassifier(hidden_layer_sizes=(4,), epochs=2, random_state=0).fit(X, labels)
    before = _state(model)
    X_new, labels_new = np.column_stack([X, X]), np.where(X[:, 1] > 0, "up", "down")
    model.set_params(validation_data=(X_new[:5], ["up", "sideways", "up", "up", "down"]))
    with pytest.raises(ValueError, match="not among the classes"):
        model.fit(X_new, labels_new)
    _assert_same_state(before, _state(model))
    np.testing.assert_array_equal(model.classes_, ["no", "yes"])


@pytest.mark.filterwarnings("ignore::fyslearn.optim.ConvergenceWarning")  # a few epochs
def test_a_refit_that_diverges_leaves_the_model_unfitted_not_mixed(regression):
    X, y = regression
    model = SGDRegressor(epochs=5, random_state=0).fit(X, y)
    with pytest.raises(DivergenceError):
        model.set_params(learning_rate=1e6).fit(np.column_stack([X, X]) * 1e3, y)
    with pytest.raises(NotFittedError):
        model.predict(X)
    assert not hasattr(model, "n_features_in_")


def test_a_finite_but_exploding_loss_is_divergence(regression):
    """A loss that grows by ten orders of magnitude is not returned as a fitted model."""
    X, y = regression
    with pytest.raises(DivergenceError, match="diverged") as caught:
        SGDRegressor(learning_rate=1.5, epochs=200, random_state=0).fit(X * 3, y)
    loss = float(str(caught.value).split("became ")[1].split(" in epoch")[0])
    assert np.isfinite(loss) and loss > 1e10  # caught while still finite


def test_float32_network_refuses_inputs_beyond_float32_instead_of_predicting_class_0(labelled):
    X, labels = labelled
    model = LogisticRegression(epochs=2, dtype="float32", random_state=0).fit(X, labels)
    with pytest.raises(ValueError, match="beyond the range of float32"):
        model.predict(X * 1e39)


def test_validation_targets_with_the_wrong_number_of_outputs_are_refused(regression):
    X, y = regression
    model = MLPRegressor(epochs=1, validation_data=(X, np.column_stack([y, y])))
    with pytest.raises(ValueError, match="y_val has 2 outputs, y has 1"):
        model.fit(X, y)


# -- fit_many: the list itself ------------------------------------------------------------


def test_fit_many_refuses_lists_that_cannot_be_one_stack_before_training(regression, monkeypatch):
    X, y = regression
    _interrupt_after(0, monkeypatch)  # any training step would raise KeyboardInterrupt
    model = MLPRegressor(epochs=1)
    cases = [
        ([], "non-empty"),
        ([model, model], "same estimator object"),
        ([MLPRegressor(), SGDRegressor()], "one class"),
        ([MLPRegressor(batch_size=5), MLPRegressor(batch_size=6)], "batch_size"),
        ([MLPRegressor(activation="relu"), MLPRegressor(activation="tanh")], "activation"),
        ([MLPRegressor(), MLPRegressor(penalty="l1")], "penalty"),
        ([MLPRegressor(), MLPRegressor(loss="cross_entropy")], "loss"),
        ([MLPRegressor(), MLPRegressor(out_activation="sigmoid")], "out_activation"),
        ([MLPRegressor(), MLPRegressor(diagnostics=["gradient_std"])], "diagnostics"),
        ([MLPRegressor(validation_data=(X, y)), MLPRegressor()], "validation_data"),
        ([MLPRegressor(validation_data=(X, y)), MLPRegressor(validation_data=(X, -y))],
         "validation_data"),
    ]  # fmt: skip
    for estimators, message in cases:
        with pytest.raises(ValueError, match=f"same {message}|{message}"):
            fit_many(estimators, X, y)


def test_fit_many_compares_settings_as_fit_reads_them(regression):
    """`3`, `(3,)` and `[3]` are one architecture; clones copy validation_data."""
    from sklearn.base import clone

    X, y = regression
    sizes = [3, (3,), [3]]
    fitted = fit_many([MLPRegressor(hidden_layer_sizes=h, epochs=1) for h in sizes], X, y)
    assert [m.coefs_[0].shape for m in fitted] == [(2, 3)] * 3
    base = MLPRegressor(epochs=2, validation_data=(X, y), random_state=0)
    clones = [clone(base).set_params(learning_rate=rate) for rate in (1e-3, 1e-2)]
    fitted = fit_many(clones, X, y)
    assert all(len(m.history_["val_loss"]) == 2 for m in fitted)


def test_fit_many_takes_any_iterable_of_estimators(regression):
    X, y = regression
    fitted = fit_many((MLPRegressor(epochs=1, random_state=s) for s in range(2)), X, y)
    assert [m.n_iter_ for m in fitted] == [1, 1]


# -- fit_many rejects exactly what fit rejects, with the same message ------------------------

BAD_DATA = [
    ("labels shorter than X", lambda X, y: (X, y[:-3])),
    ("NaN in X", lambda X, y: (np.where(X > 0.9, np.nan, X), y)),
    ("infinity in X", lambda X, y: (np.where(X > 0.9, np.inf, X), y)),
    ("complex X", lambda X, y: (X + 1j, y)),
    ("one sample", lambda X, y: (X[:1], y[:1])),
    ("3-D X", lambda X, y: (X[:, :, None], y)),
]


@pytest.mark.parametrize(("case", "corrupt"), BAD_DATA, ids=[c for c, _ in BAD_DATA])
@pytest.mark.parametrize(
    "make",
    [
        lambda: MLPClassifier(hidden_layer_sizes=(3,), epochs=1),
        lambda: LogisticRegression(epochs=1),
        lambda: MLPRegressor(hidden_layer_sizes=(3,), epochs=1),
        lambda: SGDRegressor(epochs=1),
    ],
    ids=["MLPClassifier", "LogisticRegression", "MLPRegressor", "SGDRegressor"],
)
def test_fit_many_rejects_what_fit_rejects_with_the_same_message(labelled, case, corrupt, make):
    X, labels = labelled
    y = labels if isinstance(make(), MLPClassifier) else (labels == "yes").astype(float)
    X_bad, y_bad = corrupt(X, y)
    try:
        make().fit(X_bad, y_bad)
    except (ValueError, TypeError) as error:
        expected = error
    else:  # fit accepts it (e.g. one sample for a regressor): so must fit_many
        models = fit_many([make(), make()], X_bad, y_bad)
        assert all(hasattr(model, "n_iter_") for model in models)
        return
    with pytest.raises(type(expected)) as caught:
        fit_many([make(), make()], X_bad, y_bad)
    assert str(caught.value) == str(expected)


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (lambda n: np.zeros(n), "single class"),
        (lambda n: np.linspace(0, 1, n), "Unknown label type"),
    ],
    ids=["one class", "continuous labels"],
)
def test_fit_many_classifiers_refuse_bad_labels_like_fit(labelled, labels, message):
    X, _ = labelled
    y = labels(len(X))
    with pytest.raises(ValueError, match=message):
        MLPClassifier(epochs=1).fit(X, y)
    with pytest.raises(ValueError, match=message):
        fit_many([MLPClassifier(epochs=1), MLPClassifier(epochs=1, alpha=0.1)], X, y)


def test_fit_many_interrupted_leaves_every_estimator_as_before(regression, monkeypatch):
    X, y = regression
    models = [MLPRegressor(hidden_layer_sizes=(4,), epochs=2, random_state=s) for s in range(3)]
    fit_many(models, X, y)
    before = [_state(m) for m in models]
    _interrupt_after(3, monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        fit_many(models, np.column_stack([X, X]), y)
    for model, state in zip(models, before, strict=True):
        _assert_same_state(state, _state(model))
        assert model.n_features_in_ == 2


def test_divergence_warnings_point_at_the_callers_line(regression):
    """fit and fit_many warn from the user's line, not from inside fyslearn."""
    from fyslearn.optim import DivergenceWarning

    X, y = regression
    make = lambda rate, mode: SGDRegressor(  # noqa: E731
        learning_rate=rate, epochs=20, random_state=0, on_divergence=mode
    )
    with pytest.warns(DivergenceWarning) as caught:
        fit_many([make(1e-2, "raise"), make(50.0, "raise"), make(0.5, "restore")], X * 3, y)
    with pytest.warns(DivergenceWarning) as caught_fit:
        make(0.5, "restore").fit(X * 3, y)
    assert [w.filename for w in [*caught, *caught_fit]] == [__file__, __file__]
    assert "#1: Training diverged" in str(caught[0].message)
    assert "model 2: Training diverged" in str(caught[0].message)

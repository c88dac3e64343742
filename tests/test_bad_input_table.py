"""One table of parameters per estimator, read by fit, fit_many, save and load.

Each class's `parameter_constraints` lists exactly its parameters; every
parameter is checked once per fit, by the table, with a message naming the
parameter and the bad value. Also: scikit-learn's seeds and names, complex
and overflowing inputs.
"""

import ast
import pickle
from numbers import Integral
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone

import fyslearn
import fyslearn._params
from fyslearn._params import SOLVER_DOMAINS, in_interval
from fyslearn.features import PolynomialDesign, design_matrix
from fyslearn.linear_model import OLS, Ridge, SGDRegressor
from fyslearn.nn import LogisticRegression, MLPClassifier, MLPRegressor
from fyslearn.optim import make_optimizer
from fyslearn.persistence import LOADABLE, PersistenceMixin

ESTIMATORS = [
    OLS,
    Ridge,
    SGDRegressor,
    PolynomialDesign,
    MLPRegressor,
    MLPClassifier,
    LogisticRegression,
]
X = np.random.default_rng(0).normal(size=(24, 2))
Y = X @ np.array([1.0, -0.5])
LABELS = np.arange(24) % 2


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_the_table_lists_exactly_the_parameters(cls):
    assert set(cls.parameter_constraints) == set(cls().get_params(deep=False))


def test_every_loadable_class_has_a_table():
    assert {f"{cls.__module__}.{cls.__name__}" for cls in ESTIMATORS} == set(LOADABLE)


@pytest.mark.parametrize(
    ("make", "name", "value", "error"),
    [
        (SGDRegressor, "momentum", 1.0, ValueError),
        (SGDRegressor, "decay_factor", 0.0, ValueError),
        (SGDRegressor, "epochs", 2.5, TypeError),
        (SGDRegressor, "verbose", -1, ValueError),
        (MLPRegressor, "beta_2", -0.25, ValueError),
        (MLPRegressor, "learning_rate", np.inf, ValueError),
        (MLPRegressor, "batch_size", True, TypeError),
        (MLPRegressor, "solver", "lbfgs", ValueError),
        (Ridge, "alpha", -2.0, ValueError),
        (PolynomialDesign, "degree", -1, ValueError),
        (PolynomialDesign, "basis", "chebyshev", ValueError),
    ],
)
def test_one_message_style_naming_parameter_and_value(make, name, value, error):
    model = make(**{name: value})
    with pytest.raises(error, match=rf"^{name} must be .*, got .*{value!r}"):
        model.fit(X, None if make is PolynomialDesign else Y)


def test_per_layer_names_need_one_per_layer():
    with pytest.raises(ValueError, match=r"activation needs one name per hidden layer: 2, got 1"):
        MLPRegressor(hidden_layer_sizes=(3, 3), activation=["tanh"]).fit(X, Y)
    with pytest.raises(ValueError, match=r"kernel_init needs one name per weight layer .*: 2"):
        MLPRegressor(hidden_layer_sizes=(3,), kernel_init=["normal"] * 3).fit(X, Y)


def _count_checks(monkeypatch):
    """Replace the one check of a parameter by a counting copy; return the counts."""
    counts: dict[str, int] = {}
    check = fyslearn._params.check_param

    def counting(constraint, value, name, params):
        counts[name] = counts.get(name, 0) + 1
        return check(constraint, value, name, params)

    monkeypatch.setattr(fyslearn._params, "check_param", counting)
    return counts


@pytest.mark.parametrize(
    ("make", "y"),
    [
        (lambda: SGDRegressor(epochs=2, random_state=0), Y),
        (lambda: MLPRegressor(hidden_layer_sizes=(3,), epochs=2, random_state=0), Y),
        (lambda: LogisticRegression(epochs=2, random_state=0), LABELS),
    ],
)
def test_each_parameter_is_checked_once_per_fit(monkeypatch, make, y):
    counts = _count_checks(monkeypatch)
    model = make().fit(X, y)
    assert counts == dict.fromkeys(model.get_params(), 1)
    counts.clear()
    fyslearn.fit_many([make(), make()], X, y)
    assert counts == dict.fromkeys(model.get_params(), 2)


def test_save_reads_the_table_after_set_params(tmp_path):
    model = SGDRegressor(epochs=2, random_state=0).fit(X, Y)
    model.set_params(momentum=1.5)
    with pytest.raises(ValueError, match=r"^momentum must be .*, got 1\.5"):
        model.save(tmp_path / "model")
    assert not list(tmp_path.iterdir())


# -- persistence reads public information only ----------------------------------------------


def _persistence_tree():
    return ast.parse(Path(fyslearn.persistence.__file__).read_text())


def test_persistence_imports_no_estimator_module():
    imported = set()
    for node in ast.walk(_persistence_tree()):
        if isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    assert not imported & {"features", "linear_model", "nn.estimators", "nn"}, imported
    assert "_params" in imported  # the tables are read through fyslearn._params


def test_persistence_touches_only_its_own_private_names():
    """Private attributes it reads are those its own PersistenceMixin declares."""
    own = {name for name in vars(PersistenceMixin) if name.startswith("_")} | {"_fitted_params"}
    private = {
        node.attr
        for node in ast.walk(_persistence_tree())
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
        and not (isinstance(node.value, ast.Name) and node.value.id == "self")
    }
    assert private <= own, private - own


# -- scikit-learn's seeds and names ---------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "y"),
    [
        (lambda seed: SGDRegressor(epochs=3, random_state=seed), Y),
        (lambda seed: MLPRegressor(hidden_layer_sizes=(3,), epochs=3, random_state=seed), Y),
        (lambda seed: MLPClassifier(hidden_layer_sizes=(3,), epochs=3, random_state=seed), LABELS),
    ],
)
@pytest.mark.filterwarnings("ignore::fyslearn.optim.ConvergenceWarning")  # a few epochs
@pytest.mark.parametrize("seed", [np.int64(7), np.uint8(7), np.int32(7)])
def test_numpy_integer_seeds_fit_save_and_load(tmp_path, make, y, seed):
    model = make(seed).fit(X, y)
    same = make(7).fit(X, y)
    np.testing.assert_array_equal(model.predict(X), same.predict(X))
    loaded = fyslearn.load(model.save(tmp_path / "model"))
    assert loaded.random_state == 7 and type(loaded.random_state) is int
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_random_state_objects_are_accepted_like_scikit_learn(tmp_path):
    first = MLPRegressor(hidden_layer_sizes=(3,), epochs=2, random_state=np.random.RandomState(0))
    second = MLPRegressor(hidden_layer_sizes=(3,), epochs=2, random_state=np.random.RandomState(0))
    np.testing.assert_array_equal(first.fit(X, Y).predict(X), second.fit(X, Y).predict(X))
    shared = np.random.RandomState(0)  # one stream, used in turn: two different models
    a = SGDRegressor(epochs=2, random_state=shared).fit(X, Y)
    b = SGDRegressor(epochs=2, random_state=shared).fit(X, Y)
    assert not np.array_equal(a.coef_, b.coef_)
    with pytest.raises(TypeError, match="random_state"):
        first.save(tmp_path / "model")
    with pytest.raises(TypeError, match=r"random_state must be None, an int, .*RandomState"):
        SGDRegressor(random_state=1.5).fit(X, Y)


@pytest.mark.parametrize(
    ("make", "ours", "theirs"),
    [
        (MLPRegressor, "epochs", "max_iter"),
        (MLPClassifier, "learning_rate", "learning_rate_init"),
        (LogisticRegression, "epochs", "max_iter"),
        (SGDRegressor, "learning_rate", "eta0"),
        (SGDRegressor, "epochs", "max_iter"),
    ],
)
def test_scikit_learn_names_point_to_fyslearns(make, ours, theirs):
    with pytest.raises(TypeError, match=rf"no parameter '{theirs}' .*calls it '{ours}'"):
        make(**{theirs: 10})


def test_the_name_hook_keeps_clone_and_pickle():
    model = MLPRegressor(hidden_layer_sizes=(3,), epochs=2, random_state=0).fit(X, Y)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(model)).predict(X), model.predict(X))
    assert clone(model).get_params() == {**model.get_params(), "validation_data": None}
    with pytest.raises(TypeError, match="unexpected keyword argument 'max_iter'"):
        Ridge(max_iter=3)  # Ridge has no epochs: nothing to point to


# -- complex and overflowing inputs ---------------------------------------------------------


def test_complex_inputs_are_refused():
    with pytest.raises(ValueError, match="complex values"):
        design_matrix(X + 1j, 2)
    with pytest.raises(ValueError, match="complex values"):
        design_matrix([[1 + 0j, 2.0]], 2)
    for model in (OLS(), SGDRegressor(), MLPRegressor(epochs=1), PolynomialDesign()):
        with pytest.raises(ValueError, match="Complex data not supported"):
            model.fit(X.astype(complex), Y)


@pytest.mark.parametrize("basis", ["tensor", "total"])
def test_a_design_matrix_beyond_float64_is_refused(basis):
    big = np.array([[1e200, 0.5], [1.0, 2.0]])
    assert np.all(np.isfinite(design_matrix(big, 1, basis)))
    with pytest.raises(ValueError, match=r"degree-2 design matrix of X exceeds .*1e\+200"):
        design_matrix(big, 2, basis)
    transformer = PolynomialDesign(degree=3, basis=basis).fit(big)
    with pytest.raises(ValueError, match="exceeds the range of float64"):
        transformer.transform(big)


def test_set_params_points_to_fyslearns_name_too():
    with pytest.raises(ValueError, match=r"no parameter 'max_iter' .*calls it 'epochs'"):
        MLPRegressor().set_params(max_iter=3)
    assert MLPRegressor().set_params(epochs=3).epochs == 3


def test_checking_a_random_state_draws_nothing_from_it():
    shared = np.random.RandomState(0)
    SGDRegressor(epochs=2, random_state=shared).fit(X, Y)
    reference = np.random.RandomState(0)
    reference.randint(np.iinfo(np.int32).max)  # the one draw that seeds the fit's generator
    assert shared.randint(2**31) == reference.randint(2**31)


EDGES = [-np.inf, -1.0, -1e-300, 0.0, 1e-300, 0.5, 1.0, 1.0 + 1e-12, 2.0, 1e300, np.inf, np.nan]


@pytest.mark.parametrize("name", list(SOLVER_DOMAINS))
def test_the_optimizers_accept_what_the_table_accepts(name):
    """The optimizers read `SOLVER_DOMAINS`: they accept exactly what the estimators accept."""
    interval = SOLVER_DOMAINS[name]
    values = EDGES + ([1, 2, 3] if name == "decay_every" else [])
    for value in values:
        settings = {"learning_rate": 0.1, name: value}
        try:
            make_optimizer("sgd", [np.zeros(1)], schedule="step", **settings)
            accepted = True
        except (TypeError, ValueError):
            accepted = False
        assert accepted == interval.is_satisfied_by(value), (name, value)
    floats = np.array(EDGES)
    expected = [interval.is_satisfied_by(v) for v in floats]
    if interval.type is not Integral:  # whole numbers are checked by type, not by value
        np.testing.assert_array_equal(in_interval(floats, interval), expected)

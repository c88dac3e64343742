"""Property-based tests of save and load.

* Random valid models (every class, random parameters and data) round-trip
  exactly: class, parameters with their types, every learned array with its
  dtype, and predictions.
* Random corruptions of valid files are always refused with a `ValueError`
  naming the file, never accepted and never another exception: changed,
  removed or added bytes (the checksum), and, written with a valid checksum,
  arrays of another shape or dtype or with NaN weights, and description fields
  changed so that they contradict the arrays or the class.
"""

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fyslearn
from fyslearn.features import PolynomialDesign
from fyslearn.linear_model import OLS, Ridge, SGDRegressor
from fyslearn.nn import LogisticRegression, MLPClassifier, MLPRegressor
from fyslearn.persistence import _write_archive

# saving and loading is tested on models trained for a few epochs: unconverged on purpose
pytestmark = pytest.mark.filterwarnings("ignore::fyslearn.optim.ConvergenceWarning")

FAST = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CORRUPTIONS = settings(FAST, max_examples=100)
ACTIVATIONS = ["sigmoid", "relu", "leaky_relu", "linear", "tanh"]
NETWORKS = (MLPRegressor, MLPClassifier, LogisticRegression)


def maybe_numpy(value, numpy_type):
    return st.sampled_from([value, numpy_type(value)])


@st.composite
def network_params(draw, estimator):
    params = {
        "learning_rate": draw(st.floats(1e-4, 1e-2).flatmap(lambda v: maybe_numpy(v, np.float32))),
        "batch_size": draw(st.integers(1, 16).flatmap(lambda v: maybe_numpy(v, np.int64))),
        "epochs": draw(st.integers(1, 2)),
        "alpha": draw(st.sampled_from([0.0, 1e-3])),
        "momentum": draw(st.sampled_from([0.0, 0.5])),
        "schedule": draw(st.sampled_from(["constant", "inverse"])),
        "kernel_init": draw(st.sampled_from(["normal", "glorot_uniform", "narrow_normal"])),
        "random_state": draw(st.integers(0, 2**32 - 1).flatmap(lambda v: maybe_numpy(v, np.int64))),
        "dtype": draw(st.sampled_from(["float32", "float64"])),
    }
    if estimator is not LogisticRegression:
        sizes = draw(st.lists(st.integers(1, 4), min_size=0, max_size=2))
        params["hidden_layer_sizes"] = draw(st.sampled_from([tuple(sizes), list(sizes)]))
        params["activation"] = draw(st.sampled_from(ACTIVATIONS))
    return params


@st.composite
def fitted_models(draw):
    estimator = draw(
        st.sampled_from(
            [
                OLS,
                Ridge,
                SGDRegressor,
                PolynomialDesign,
                MLPRegressor,
                MLPClassifier,
                LogisticRegression,
            ]
        )
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    n_samples, n_features = draw(st.integers(6, 20)), draw(st.integers(1, 4))
    X = rng.normal(size=(n_samples, n_features))
    if estimator in (MLPClassifier, LogisticRegression):
        n_classes = draw(st.integers(2, 3))
        kind = draw(
            st.sampled_from(["int", "str", "float", "bool"] if n_classes == 2 else ["int", "str"])
        )
        codes = np.arange(n_samples) % n_classes
        y = {
            "int": codes * 7 - 3,
            "str": np.array(["ant", "bee", "cow"])[codes],
            "float": codes * 2.0 - 1.0,
            "bool": codes.astype(bool),
        }[kind]
        return estimator(**draw(network_params(estimator))).fit(X, y), X
    y = X @ rng.normal(size=n_features)
    if estimator is MLPRegressor:
        return estimator(**draw(network_params(estimator))).fit(X, y), X
    if estimator is SGDRegressor:
        params = {"epochs": draw(st.integers(1, 3)), "batch_size": draw(st.integers(1, 8))}
        return estimator(learning_rate=0.01, random_state=0, **params).fit(X, y), X
    if estimator is Ridge:
        return estimator(alpha=draw(st.floats(0.0, 10.0))).fit(X, y), X
    if estimator is PolynomialDesign:
        degree = draw(st.integers(0, 3))
        return estimator(degree=degree, basis=draw(st.sampled_from(["tensor", "total"]))).fit(X), X
    return estimator().fit(X, y), X


def learned(model):
    return {k: v for k, v in vars(model).items() if k.endswith("_") and k != "network_"}


@FAST
@given(fitted=fitted_models())
def test_random_valid_models_round_trip_exactly(tmp_path, fitted):
    model, X = fitted
    loaded = fyslearn.load(model.save(tmp_path / "model"))
    assert type(loaded) is type(model)
    for name, value in model.get_params().items():
        assert loaded.get_params()[name] == value
        assert isinstance(
            loaded.get_params()[name], (tuple if isinstance(value, tuple) else object)
        )
    original, restored = learned(model), learned(loaded)
    assert set(restored) == set(original)
    for name, value in original.items():
        if isinstance(value, np.ndarray):
            assert restored[name].dtype == value.dtype
        np.testing.assert_equal(restored[name], value)
    method = "transform" if isinstance(model, PolynomialDesign) else "predict"
    np.testing.assert_array_equal(getattr(loaded, method)(X), getattr(model, method)(X))


# -- corruptions -------------------------------------------------------------------------------

RNG = np.random.default_rng(11)
X_SMALL = RNG.normal(size=(16, 3))
Y_SMALL = X_SMALL @ np.array([1.0, 2.0, -1.0])
VALID = {
    "OLS": lambda: OLS().fit(X_SMALL, Y_SMALL),
    "SGDRegressor": lambda: SGDRegressor(epochs=2, random_state=0).fit(X_SMALL, Y_SMALL),
    "PolynomialDesign": lambda: PolynomialDesign(degree=2).fit(X_SMALL),
    "MLPRegressor": lambda: MLPRegressor(hidden_layer_sizes=(3, 2), epochs=2, random_state=0).fit(
        X_SMALL, Y_SMALL
    ),
    "MLPClassifier": lambda: MLPClassifier(hidden_layer_sizes=(3,), epochs=2, random_state=0).fit(
        X_SMALL, np.arange(16) % 3
    ),
}


@pytest.fixture(scope="module")
def valid_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("valid")
    return {name: make().save(folder / name).read_bytes() for name, make in VALID.items()}


@pytest.fixture(scope="module")
def target(tmp_path_factory):
    return tmp_path_factory.mktemp("corrupt") / "model.npz"


def must_refuse(path):
    with pytest.raises(ValueError) as refusal:
        fyslearn.load(path)
    assert str(path) in str(refusal.value)


def unpack(data, path):
    path.write_bytes(data)
    with np.load(path) as archive:
        arrays = dict(archive)
    return json.loads(str(arrays.pop("__fyslearn__"))), arrays


def repack(path, metadata, arrays):
    with open(path, "w+b") as file:
        _write_archive(file, {**arrays, "__fyslearn__": np.array(json.dumps(metadata))})


@CORRUPTIONS
@given(name=st.sampled_from(sorted(VALID)), data=st.data())
def test_changed_bytes_are_refused(valid_files, target, name, data):
    original = valid_files[name]
    damaged = bytearray(original)
    damage = data.draw(st.sampled_from(["flip", "truncate", "insert"]))
    if damage == "flip":
        for _ in range(data.draw(st.integers(1, 3))):
            damaged[data.draw(st.integers(0, len(damaged) - 1))] ^= data.draw(st.integers(1, 255))
    elif damage == "truncate":
        damaged = damaged[: data.draw(st.integers(0, len(damaged) - 1))]
    else:
        at = data.draw(st.integers(0, len(damaged)))
        damaged[at:at] = data.draw(st.binary(min_size=1, max_size=8))
    if bytes(damaged) == original:  # flips that cancel out
        return
    target.write_bytes(bytes(damaged))
    must_refuse(target)


def array_paths(metadata):
    """(attribute path, member key, must be finite) of every stored array."""
    finite = {"coef_", "coefs_", "intercepts_", "singular_values_"}
    for name, spec in metadata["attributes"].items():
        if spec["kind"] == "array":
            yield name, spec["key"], name in finite
        elif spec["kind"] == "list":
            for item in spec["items"]:
                yield name, item["key"], name in finite
        elif spec["kind"] == "dict":
            for item in spec["items"].values():
                yield name, item["key"], False


@CORRUPTIONS
@given(name=st.sampled_from(sorted(VALID)), data=st.data())
def test_arrays_contradicting_the_model_are_refused(valid_files, target, name, data):
    metadata, arrays = unpack(valid_files[name], target)
    attribute, key, finite = data.draw(st.sampled_from(list(array_paths(metadata))))
    array = arrays[key]
    kinds = ["double", "extra-axis", "drop", "stray"]
    kinds += ["dtype"] if attribute != "classes_" else []  # any label dtype is valid
    kinds += ["nan", "inf"] if finite else []
    kind = data.draw(st.sampled_from(kinds))
    if kind == "double":
        arrays[key] = np.concatenate([array, array])
    elif kind == "extra-axis":
        arrays[key] = array[..., None]
    elif kind == "drop":
        del arrays[key]
    elif kind == "stray":
        arrays[f"a{len(arrays) + 5}"] = np.zeros(2)
    elif kind == "dtype":
        wrong = {"f": ["int64", "bool", "complex128", "U3"], "i": ["float64", "bool", "U3"]}
        arrays[key] = array.astype(data.draw(st.sampled_from(wrong[array.dtype.kind])))
    else:
        damaged = array.copy()
        damaged.flat[data.draw(st.integers(0, array.size - 1))] = (
            np.nan if kind == "nan" else -np.inf
        )
        arrays[key] = damaged
    repack(target, metadata, arrays)
    must_refuse(target)


def dict_paths(tree, prefix=()):
    """Paths to every dict in the JSON tree."""
    if isinstance(tree, dict):
        yield prefix
        for key, value in tree.items():
            yield from dict_paths(value, (*prefix, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            yield from dict_paths(value, (*prefix, index))


def at(tree, path):
    for step in path:
        tree = tree[step]
    return tree


@CORRUPTIONS
@given(name=st.sampled_from(sorted(VALID)), data=st.data())
def test_description_fields_contradicting_the_model_are_refused(valid_files, target, name, data):
    metadata, arrays = unpack(valid_files[name], target)
    counts = [k for k, v in metadata["attributes"].items() if v["kind"] == "json"]
    kinds = ["count", "delete-key", "insert-key", "class"]
    kinds += ["param"] if metadata["params"] else []
    kind = data.draw(st.sampled_from(kinds))
    if kind == "count":
        spec = metadata["attributes"][data.draw(st.sampled_from(counts))]
        spec["value"] = data.draw(
            st.one_of(
                st.integers(-(2**70), 2**70).filter(lambda v: v != spec["value"]),
                st.floats(allow_nan=False, allow_infinity=False),
                st.text(max_size=3),
                st.none(),
                st.booleans(),
                st.lists(st.integers(), max_size=2),
            )
        )
    elif kind == "delete-key":
        node = at(metadata, data.draw(st.sampled_from(list(dict_paths(metadata)))))
        if not node:
            return
        del node[data.draw(st.sampled_from(sorted(node)))]
    elif kind == "insert-key":
        node = at(metadata, data.draw(st.sampled_from(list(dict_paths(metadata)))))
        node["zz" + data.draw(st.text(max_size=4))] = data.draw(
            st.one_of(st.integers(), st.text(max_size=3), st.none())
        )
    elif kind == "class":
        metadata["class"] = data.draw(
            st.one_of(
                st.text(max_size=30),
                st.sampled_from(sorted(fyslearn.persistence.LOADABLE)),
            ).filter(lambda c: c != metadata["class"])
        )
    else:
        parameter = data.draw(st.sampled_from(sorted(metadata["params"])))
        metadata["params"][parameter] = "zz" + data.draw(st.text(max_size=4))
    repack(target, metadata, arrays)
    must_refuse(target)

"""The model-file schema: what `load` refuses, and what `save` keeps or refuses.

Damaged files are built from a valid one with a valid checksum, so that each
test reaches the check it is about (a file edited by hand would already fail
the checksum).
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import fyslearn
from fyslearn.features import PolynomialDesign
from fyslearn.linear_model import OLS, Ridge, SGDRegressor
from fyslearn.nn import LogisticRegression, MLPClassifier, MLPRegressor
from fyslearn.persistence import _write_archive

# saving and loading is tested on models trained for a few epochs: unconverged on purpose
pytestmark = pytest.mark.filterwarnings("ignore::fyslearn.optim.ConvergenceWarning")

RNG = np.random.default_rng(3)
X = RNG.normal(size=(24, 3))
Y = X @ np.array([1.0, -1.0, 2.0])
LABELS = np.arange(24) % 3

MAKERS = {
    "OLS": lambda: OLS().fit(X, Y),
    "Ridge": lambda: Ridge(alpha=0.1).fit(X, Y),
    "SGDRegressor": lambda: SGDRegressor(epochs=3, random_state=0).fit(X, Y),
    "PolynomialDesign": lambda: PolynomialDesign(degree=2, basis="total").fit(X),
    "MLPRegressor": lambda: MLPRegressor(hidden_layer_sizes=(4, 3), epochs=2, random_state=0).fit(
        X, Y
    ),
    "MLPClassifier": lambda: MLPClassifier(hidden_layer_sizes=(4,), epochs=2, random_state=0).fit(
        X, LABELS
    ),
    "LogisticRegression": lambda: LogisticRegression(epochs=2, random_state=0).fit(X, LABELS),
    "binary MLPClassifier": lambda: MLPClassifier(
        hidden_layer_sizes=(3,), epochs=2, penalty="l1", alpha=0.01, batch_size=None
    ).fit(X, LABELS % 2 == 0),
}


def unpack(path):
    with np.load(path) as archive:
        arrays = dict(archive)
    return json.loads(str(arrays.pop("__fyslearn__"))), arrays


def repack(path, metadata, arrays):
    arrays = {**arrays, "__fyslearn__": np.array(json.dumps(metadata))}
    with open(path, "w+b") as file:
        _write_archive(file, arrays)
    return path


def refused(path, match):
    with pytest.raises(ValueError, match=match) as refusal:
        fyslearn.load(path)
    assert str(path) in str(refusal.value)


@pytest.fixture
def network_file(tmp_path):
    return MAKERS["MLPClassifier"]().save(tmp_path / "net")


def key_of(metadata, attribute, index=None):
    spec = metadata["attributes"][attribute]
    return (spec["items"][index] if index is not None else spec)["key"]


# -- loading without imports ---------------------------------------------------------------


def test_load_needs_no_prior_import(tmp_path):
    path = MAKERS["MLPRegressor"]().save(tmp_path / "net")
    script = (
        "import sys, fyslearn\n"
        "assert 'fyslearn.nn' not in sys.modules\n"
        f"model = fyslearn.load({str(path)!r})\n"
        "print(type(model).__name__, model.hidden_layer_sizes)\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "MLPRegressor (4, 3)"


@pytest.mark.parametrize("name", MAKERS)
def test_every_estimator_round_trips(tmp_path, name):
    model = MAKERS[name]()
    loaded = fyslearn.load(model.save(tmp_path / name))
    assert type(loaded) is type(model)
    assert repr(loaded.get_params()) == repr(model.get_params())  # types too: tuples stay tuples
    for attribute, value in vars(model).items():
        if attribute.endswith("_") and attribute != "network_":
            np.testing.assert_equal(getattr(loaded, attribute), value)
    method = "transform" if name == "PolynomialDesign" else "predict"
    np.testing.assert_array_equal(getattr(loaded, method)(X), getattr(model, method)(X))


# -- arrays against the declared model ----------------------------------------------------


@pytest.mark.parametrize(
    ("damage", "match"),
    [
        (lambda W: W.T.copy(), r"coefs_\[0\] with shape \(4, 3\), expected \(3, 4\)"),
        (lambda W: W[:, :2], r"coefs_\[0\] with shape \(3, 2\)"),
        (lambda W: np.where(W > 0, np.nan, W), r"coefs_\[0\] with NaN or infinite"),
        (lambda W: np.where(W > 0, -np.inf, W), r"coefs_\[0\] with NaN or infinite"),
        (lambda W: W.astype(str), r"coefs_\[0\] as <U32, expected float64"),
        (lambda W: W.astype(np.int64), r"coefs_\[0\] as int64, expected float64"),
        (lambda W: W.astype(np.float32), r"coefs_\[0\] as float32, expected float64"),
        (lambda W: W[None], r"coefs_\[0\] with shape \(1, 3, 4\)"),
    ],
    ids=["transposed", "narrow", "nan", "inf", "strings", "ints", "float32", "3-d"],
)
def test_kernels_must_match_the_declared_network(network_file, damage, match):
    metadata, arrays = unpack(network_file)
    key = key_of(metadata, "coefs_", 0)
    arrays[key] = damage(arrays[key])
    refused(repack(network_file, metadata, arrays), match)


def test_a_missing_layer_is_refused(network_file):
    metadata, arrays = unpack(network_file)
    dropped = metadata["attributes"]["coefs_"]["items"].pop()
    del arrays[dropped["key"]]
    refused(repack(network_file, metadata, arrays), r"2 arrays in coefs_, expected 1|1 arrays")


@pytest.mark.parametrize(
    ("count", "value", "match"),
    [
        ("n_features_in_", 4, r"coefs_\[0\] with shape \(3, 4\), expected \(4, 4\)"),
        ("n_outputs_", 4, r"classes_ with shape \(3,\), expected \(4,\)"),
        ("n_outputs_", 1, r"history_ with the keys .*binary_cross_entropy"),  # 2 classes
        ("n_outputs_", 0, r"n_outputs_=0, expected an integer in \[1,"),
        ("n_iter_", 1, r"history_\[\w+\] with shape \(2,\), expected \(1,\)"),
        ("n_iter_", 3, r"n_iter_=3, expected an integer in \[0, 2\]"),
        ("n_features_in_", 0, r"n_features_in_=0"),
        ("n_features_in_", True, r"n_features_in_=True"),
        ("n_features_in_", 3.0, r"n_features_in_=3.0"),
        ("n_features_in_", "3", r"n_features_in_='3'"),
    ],
)
def test_counts_must_agree_with_the_arrays(network_file, count, value, match):
    metadata, arrays = unpack(network_file)
    metadata["attributes"][count]["value"] = value
    refused(repack(network_file, metadata, arrays), match)


@pytest.mark.parametrize(
    ("classes", "match"),
    [
        (np.array([0, 2, 1]), "not sorted and distinct"),
        (np.array([0, 1, 1]), "not sorted and distinct"),
        (np.array([0.0, np.nan, 2.0]), "NaN or infinite labels"),
        (np.array([0j, 1j, 2j]), "unsupported dtype complex128"),
    ],
)
def test_classes_must_be_sorted_distinct_labels(network_file, classes, match):
    metadata, arrays = unpack(network_file)
    arrays[key_of(metadata, "classes_")] = classes
    refused(repack(network_file, metadata, arrays), match)


@pytest.mark.parametrize("name", ["predict", "__dict__", "network_", "fit", "coef_"])
def test_only_declared_attributes_are_set(network_file, name):
    metadata, arrays = unpack(network_file)
    metadata["attributes"][name] = {"kind": "json", "value": 1}
    refused(repack(network_file, metadata, arrays), "attributes that the model does not have")


def test_a_missing_attribute_is_refused(network_file):
    metadata, arrays = unpack(network_file)
    del arrays[metadata["attributes"].pop("classes_")["key"]]
    refused(repack(network_file, metadata, arrays), r"lacks the attributes \['classes_'\]")


def test_members_must_be_exactly_the_attributes(network_file):
    metadata, arrays = unpack(network_file)
    refused(repack(network_file, metadata, {**arrays, "a99": np.zeros(2)}), "members")
    metadata["attributes"]["intercepts_"]["items"][0] = metadata["attributes"]["coefs_"]["items"][0]
    refused(repack(network_file, metadata, arrays), "members that do not match|intercepts_")


def test_history_keys_are_declared(network_file):
    metadata, arrays = unpack(network_file)
    history = metadata["attributes"]["history_"]["items"]
    history["__class__"] = history.pop("accuracy")
    refused(repack(network_file, metadata, arrays), r"history_ with the keys")


@pytest.mark.parametrize(
    ("name", "value", "match"),
    [
        ("learning_rate", -1.0, "invalid parameter: learning_rate"),
        ("batch_size", True, "invalid parameter: batch_size"),
        ("activation", None, "invalid parameter: activation"),
        ("activation", "swish", "invalid parameter: activation"),
        ("dtype", "int32", "invalid parameter: dtype"),
        ("hidden_layer_sizes", {"tuple": [0]}, "invalid parameter: hidden_layer_sizes"),
        ("hidden_layer_sizes", {"set": [4]}, "parameter of unknown form"),
        ("random_state", -3, "invalid parameter: random_state"),
        ("verbose", "loud", "invalid parameter: verbose"),
        ("validation_data", [[1.0]], "validation_data, which is never saved"),
    ],
)
def test_parameters_pass_the_estimators_checks(network_file, name, value, match):
    metadata, arrays = unpack(network_file)
    metadata["params"][name] = value
    refused(repack(network_file, metadata, arrays), match)


def test_parameters_must_be_the_classes(network_file):
    metadata, arrays = unpack(network_file)
    metadata["params"]["__init__"] = 1
    refused(repack(network_file, metadata, arrays), r"extra \['__init__'\]")
    del metadata["params"]["__init__"], metadata["params"]["alpha"]
    refused(repack(network_file, metadata, arrays), r"missing \['alpha'\]")


def test_a_changed_layer_size_contradicts_the_kernels(network_file):
    metadata, arrays = unpack(network_file)
    metadata["params"]["hidden_layer_sizes"] = {"tuple": [5]}
    refused(repack(network_file, metadata, arrays), r"coefs_\[0\] with shape \(3, 4\)")


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("format", "other", "not a fyslearn model file"),
        ("format_version", 3, "newer fyslearn"),
        ("format_version", 1, "older fyslearn"),
        ("class", "fyslearn.nn.estimators.FeedForwardNetwork", "unknown estimator class"),
        ("class", "builtins.eval", "unknown estimator class"),
        ("attributes", [], "no attribute table"),
        ("params", None, "no parameter table"),
    ],
)
def test_description_fields(network_file, field, value, match):
    metadata, arrays = unpack(network_file)
    metadata[field] = value
    refused(repack(network_file, metadata, arrays), match)


def test_non_finite_json_constants_are_refused(network_file):
    metadata, arrays = unpack(network_file)
    text = json.dumps(metadata).replace('"alpha": 0.0', '"alpha": NaN')
    with open(network_file, "w+b") as file:
        _write_archive(file, {**arrays, "__fyslearn__": np.array(text)})
    refused(network_file, "NaN in its model description")


def test_powers_must_be_those_of_the_degree(tmp_path):
    path = MAKERS["PolynomialDesign"]().save(tmp_path / "design")
    metadata, arrays = unpack(path)
    key = key_of(metadata, "powers_")
    arrays[key] = arrays[key][::-1].copy()
    refused(repack(path, metadata, arrays), "not the exponents of its degree and basis")
    metadata["params"]["degree"] = 3
    refused(repack(path, metadata, arrays), r"n_output_features_=10, expected .* \[20, 20\]")


def test_singular_values_must_be_falling(tmp_path):
    path = MAKERS["OLS"]().save(tmp_path / "ols")
    metadata, arrays = unpack(path)
    key = key_of(metadata, "singular_values_")
    arrays[key] = arrays[key][::-1].copy()
    refused(repack(path, metadata, arrays), "singular_values_ that are not")


@pytest.mark.parametrize("damage", ["flip-first", "flip-middle", "flip-last", "append"])
def test_any_changed_byte_fails_the_checksum(network_file, damage):
    data = bytearray(network_file.read_bytes())
    if damage == "append":
        data += b"\x00"
    else:
        index = {"flip-first": 0, "flip-middle": len(data) // 2, "flip-last": -1}[damage]
        data[index] ^= 0x01
    network_file.write_bytes(bytes(data))
    refused(network_file, "checksum|not a fyslearn model file|not a readable")


# -- saving ---------------------------------------------------------------------------------

CHANGES = {
    "Ridge": {"alpha": 0.5},
    "SGDRegressor": {"learning_rate": 0.5},
    "PolynomialDesign": {"degree": 3},
    "MLPRegressor": {"activation": "tanh"},
    "MLPClassifier": {"hidden_layer_sizes": (5,)},
    "LogisticRegression": {"alpha": 0.1},
}


@pytest.mark.parametrize("name", CHANGES)
def test_parameters_changed_after_fit_are_not_saved(tmp_path, name):
    model = MAKERS[name]()
    [(parameter, value)] = CHANGES[name].items()
    original = model.get_params()[parameter]
    model.set_params(**{parameter: value})
    with pytest.raises(ValueError, match=f"parameters changed after fit.*{parameter}"):
        model.save(tmp_path / "m")
    assert not (tmp_path / "m.npz").exists()
    model.set_params(**{parameter: original})
    assert fyslearn.load(model.save(tmp_path / "m")).get_params()[parameter] == original


def test_fit_many_records_the_fitted_parameters(tmp_path):
    models = [MLPRegressor(hidden_layer_sizes=(3,), epochs=1, random_state=k) for k in range(2)]
    models[0].fit(X, Y)
    for model in models:
        model.set_params(activation="tanh")
    fyslearn.fit_many(models, X, Y)
    loaded = fyslearn.load(models[0].save(tmp_path / "m"))  # fitted with tanh by fit_many
    assert loaded.activation == "tanh"
    np.testing.assert_array_equal(loaded.predict(X), models[0].predict(X))


def test_numpy_scalar_and_tuple_parameters_round_trip(tmp_path):
    model = MLPRegressor(
        hidden_layer_sizes=(np.int64(4),),
        batch_size=np.int64(5),
        epochs=np.int32(2),
        learning_rate=np.float32(0.01),
        random_state=np.int64(7),
        dtype=np.float32,
    ).fit(X, Y)
    loaded = fyslearn.load(model.save(tmp_path / "m"))
    assert loaded.hidden_layer_sizes == (4,) and isinstance(loaded.hidden_layer_sizes, tuple)
    assert loaded.batch_size == 5 and type(loaded.batch_size) is int
    assert loaded.learning_rate == np.float32(0.01)
    assert loaded.dtype == "float32" and loaded.coefs_[0].dtype == np.float32
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_save_paths(tmp_path):
    model = MAKERS["OLS"]()
    with pytest.raises(ValueError, match="path must name a file"):
        model.save("")
    with pytest.raises(ValueError, match="is a folder"):
        model.save(tmp_path)
    (tmp_path / "taken.npz").mkdir()
    with pytest.raises(ValueError, match="is a folder"):
        model.save(tmp_path / "taken")
    with pytest.raises(ValueError, match=r"folder .*missing does not exist"):
        model.save(tmp_path / "missing" / "m")
    with pytest.raises(TypeError, match="path must be a str"):
        model.save(None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken.npz"]


def test_saved_file_mode_follows_the_umask(tmp_path):
    previous = os.umask(0o022)
    try:
        path = MAKERS["OLS"]().save(tmp_path / "m")
    finally:
        os.umask(previous)
    assert path.stat().st_mode & 0o777 == 0o644


def test_an_inconsistent_model_is_not_written(tmp_path):
    model = MAKERS["MLPRegressor"]()
    model.coefs_ = [model.coefs_[0]]  # a layer lost by hand
    with pytest.raises(ValueError, match=r"cannot save MLPRegressor: the file stores 1 arrays"):
        model.save(tmp_path / "m")
    model = MAKERS["OLS"]()
    model.extra_ = np.ones(2)
    with pytest.raises(ValueError, match=r"does not have: \['extra_'\]"):
        model.save(tmp_path / "m")
    assert list(tmp_path.iterdir()) == []


def test_subclasses_outside_fyslearn_are_not_saved(tmp_path):
    class Custom(OLS):
        pass

    with pytest.raises(TypeError, match="not a fyslearn estimator"):
        Custom().fit(X, Y).save(tmp_path / "m")


def test_object_labels_come_back_as_objects(tmp_path):
    labels = np.array(["cat", "dog", "eel"], dtype=object)[LABELS]
    model = MLPClassifier(hidden_layer_sizes=(3,), epochs=1, random_state=0).fit(X, labels)
    loaded = fyslearn.load(model.save(tmp_path / "m"))
    assert loaded.classes_.dtype == object
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))

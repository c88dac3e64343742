"""Save/load round trips, and refusals of foreign, corrupt or truncated files."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

import fyslearn
from fyslearn.datasets import make_franke
from fyslearn.features import PolynomialDesign, design_matrix
from fyslearn.linear_model import OLS, Ridge, SGDRegressor
from fyslearn.persistence import _write_archive

# saving and loading is tested on models trained for a few epochs: unconverged on purpose
pytestmark = pytest.mark.filterwarnings("ignore::fyslearn.optim.ConvergenceWarning")

X, Y = make_franke(120, random_state=0)
D = design_matrix(X, 4, "total")

FITTED = {
    "ols": lambda: OLS().fit(D, Y),
    "ridge": lambda: Ridge(alpha=0.01).fit(D, Y),
    "sgd": lambda: SGDRegressor(epochs=3, momentum=0.5, random_state=1).fit(D, Y),
}


@pytest.mark.parametrize("name", FITTED)
def test_round_trip_gives_bit_identical_predictions(tmp_path, name):
    model = FITTED[name]()
    path = model.save(tmp_path / "model")
    assert path.name == "model.npz"
    loaded = fyslearn.load(path)
    assert type(loaded) is type(model)
    assert loaded.get_params() == model.get_params()
    np.testing.assert_array_equal(loaded.predict(D), model.predict(D))


def test_round_trip_keeps_curves_and_transformer_state(tmp_path):
    model = FITTED["sgd"]()
    loaded = fyslearn.load(model.save(tmp_path / "sgd.npz"))
    np.testing.assert_array_equal(loaded.loss_curve_, model.loss_curve_)
    assert loaded.n_iter_ == 3
    design = PolynomialDesign(degree=3).fit(X)
    np.testing.assert_array_equal(
        fyslearn.load(design.save(tmp_path / "design")).transform(X), design.transform(X)
    )


def test_unfitted_model_cannot_be_saved(tmp_path):
    with pytest.raises(NotFittedError):
        OLS().save(tmp_path / "m")


def test_generator_random_state_is_refused_with_advice(tmp_path):
    model = SGDRegressor(epochs=1, random_state=np.random.default_rng(0)).fit(D, Y)
    with pytest.raises(TypeError, match="random_state"):
        model.save(tmp_path / "m")


def test_wrong_class_is_refused(tmp_path):
    path = FITTED["ols"]().save(tmp_path / "ols")
    with pytest.raises(ValueError, match="holds a OLS, not a Ridge"):
        fyslearn.load(path, expected_class=Ridge)


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty", "not_npz"])
def test_corrupt_files_are_refused_with_the_path(tmp_path, damage):
    path = FITTED["sgd"]().save(tmp_path / "m")
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "flip":
        data[len(data) // 3] ^= 0xFF
    elif damage == "empty":
        data = bytearray()
    else:
        np.savez(path, weights=np.ones(3))
        data = bytearray(path.read_bytes())
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=str(path.name)):
        fyslearn.load(path)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ValueError, match="no such model file"):
        fyslearn.load(tmp_path / "nothing.npz")


def test_file_cannot_smuggle_a_class(tmp_path):
    path = FITTED["ols"]().save(tmp_path / "m")
    with np.load(path) as archive:
        arrays = dict(archive)
    arrays["__fyslearn__"] = np.array(
        str(arrays["__fyslearn__"]).replace("fyslearn.linear_model.OLS", "os.system")
    )
    with open(path, "w+b") as file:  # with a valid checksum: the class itself must be refused
        _write_archive(file, arrays)
    with pytest.raises(ValueError, match=r"unknown estimator class 'os\.system'"):
        fyslearn.load(path)

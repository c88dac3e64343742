"""Real terrain: the loader against the raw file, bad input, and the closed forms against LAPACK."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import runpy
from pathlib import Path

import numpy as np
import pytest
import scipy.linalg
from matplotlib import cbook
from sklearn.linear_model import LinearRegression
from sklearn.linear_model import Ridge as SkRidge
from sklearn.model_selection import KFold, cross_val_score

from fyslearn.datasets import _terrain, load_terrain
from fyslearn.experiments import run_experiment
from fyslearn.experiments import terrain as experiment
from fyslearn.features import design_matrix, n_monomials
from fyslearn.linear_model import OLS, Ridge


@pytest.fixture(scope="module")
def raw():
    """The file as numpy reads it, without the loader."""
    with np.load(cbook.get_sample_data("jacksboro_fault_dem.npz", asfileobj=False)) as data:
        return {key: data[key] for key in data.files}


# -- the loader -----------------------------------------------------------------------------------


def test_whole_grid_is_the_file_scaled_as_the_course_does(raw):
    data = load_terrain()
    X, y = data
    heights = raw["elevation"].astype(float)
    assert data.shape == heights.shape == (344, 403)
    assert X.shape == (344 * 403, 2) and y.shape == (344 * 403,)
    np.testing.assert_array_equal(X.min(axis=0), [0.0, 0.0])
    np.testing.assert_array_equal(X.max(axis=0), [1.0, 1.0])
    assert y.mean() == pytest.approx(0.0, abs=1e-12) and y.std() == pytest.approx(1.0, rel=1e-12)
    assert data.height_mean == pytest.approx(heights.mean(), rel=1e-15)
    assert data.height_std == pytest.approx(heights.std(), rel=1e-15)
    np.testing.assert_allclose(data.to_metres(y).reshape(data.shape), heights, rtol=1e-13)
    assert (heights.min(), heights.max()) == (236.0, 1076.0)


def test_patch_and_stride_cut_the_rows_and_columns_in_map_order(raw):
    data = load_terrain(rows=(10, 50), cols=(100, 131), stride=3)
    expected = raw["elevation"][10:50:3, 100:131:3].astype(float)
    assert data.shape == expected.shape == (14, 11)
    np.testing.assert_allclose(data.to_metres(data.y).reshape(data.shape), expected, rtol=1e-13)
    column, row = (data.X[:, k].reshape(data.shape) for k in (0, 1))
    np.testing.assert_allclose(column[0], np.arange(11) / 10, rtol=1e-15)  # west to east
    np.testing.assert_allclose(row[:, 0], np.arange(14) / 13, rtol=1e-15)  # north to south


def test_unscaled_coordinates_are_cell_centres_in_degrees_and_heights_in_metres(raw):
    data = load_terrain(rows=(0, 4), cols=(401, 403), scale=False)
    dx, dy = float(raw["dx"]), float(raw["dy"])
    north = max(float(raw["ymin"]), float(raw["ymax"]))
    west = float(raw["xmin"])
    assert data.longitude == pytest.approx((west + 401.5 * dx, west + 402.5 * dx), rel=1e-15)
    assert data.latitude == pytest.approx((north - 0.5 * dy, north - 3.5 * dy), rel=1e-15)
    assert data.longitude[1] == pytest.approx(float(raw["xmax"]) - dx / 2, rel=1e-12)
    np.testing.assert_array_equal(data.y, raw["elevation"][0:4, 401:403].ravel())
    assert (data.height_mean, data.height_std) == (0.0, 1.0)
    np.testing.assert_array_equal(data.to_metres(data.y), data.y)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"rows": (0, 345)}, r"rows=\(0, 345\) is outside the grid"),
        ({"cols": (-1, 10)}, r"cols=\(-1, 10\) is outside the grid"),
        ({"rows": (20, 20)}, r"rows=\(20, 20\) is outside the grid"),
        ({"rows": (400, 410)}, "outside the grid"),
        ({"rows": (0, 1.5)}, "pair of integers"),
        ({"cols": "ab"}, "pair of integers"),
        ({"cols": 5}, r"pair \(start, stop\)"),
        ({"stride": 0}, "stride must be an integer >= 1, got 0"),
        ({"stride": -2}, "stride must be an integer >= 1"),
        ({"stride": True}, "stride must be an integer >= 1"),
        ({"stride": 2.0}, "stride must be an integer >= 1"),
        ({"stride": 344}, "stride=344 is larger than the patch"),
        ({"rows": (0, 10), "stride": 10}, "stride=10 is larger than the patch"),
        ({"rows": (0, 1)}, "at least 2 rows and 2 columns"),
        ({"rows": (0, 10), "cols": (0, 10), "min_points": 101}, "fewer than min_points=101"),
        ({"min_points": 0}, "min_points must be an integer >= 1"),
    ],
)
def test_bad_input_is_refused_before_the_file_is_read(kwargs, match, monkeypatch):
    def no_work():
        raise AssertionError("the file was read before the input was checked")

    monkeypatch.setattr(_terrain, "_read_grid", no_work)
    with pytest.raises(ValueError, match=match):
        load_terrain(**kwargs)


def test_a_patch_too_small_for_degree_15_is_refused():
    needed = n_monomials(15, "total")  # 136 coefficients
    with pytest.raises(ValueError, match=r"100 points \(10 × 10\), fewer than min_points=136"):
        load_terrain(rows=(0, 20), cols=(0, 20), stride=2, min_points=needed)
    assert len(load_terrain(rows=(0, 24), cols=(0, 24), stride=2, min_points=needed).y) == 144


@pytest.mark.parametrize("failure", ["missing path", "lookup error"])
def test_missing_sample_data_says_why(failure, monkeypatch):
    def lookup(name, asfileobj=True):
        if failure == "lookup error":
            raise FileNotFoundError(f"no such file: {name}")
        return "/nonexistent/mpl-data/sample_data/" + name

    monkeypatch.setattr(cbook, "get_sample_data", lookup)
    with pytest.raises(FileNotFoundError, match=r"jacksboro_fault_dem\.npz is missing") as error:
        load_terrain(stride=50)
    assert "reinstall matplotlib" in str(error.value) and "downloads nothing" in str(error.value)


# -- the closed forms against the references ------------------------------------------------------


@pytest.fixture(scope="module")
def split():
    config = experiment.Config()
    return experiment.random_split(config, experiment.terrain(config))


def _relative(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def test_closed_forms_equal_lapack_and_sklearn_wherever_the_design_is_well_conditioned(split):
    X_train, _, y_train, _ = split
    n, alpha = len(y_train), 1e-6
    well_conditioned = []
    for degree in range(1, 16):
        D = design_matrix(X_train, degree, "total")
        ols, ridge = OLS().fit(D, y_train), Ridge(alpha=alpha).fit(D, y_train)
        kappa = ols.singular_values_[0] / ols.singular_values_[-1]
        if kappa > experiment.WELL_CONDITIONED:
            continue
        well_conditioned.append(degree)
        assert _relative(ols.coef_, scipy.linalg.lstsq(D, y_train)[0]) <= 1e-8, degree
        small_tol = LinearRegression(fit_intercept=False, tol=1e-15).fit(D, y_train)
        assert _relative(ols.coef_, small_tol.coef_) <= 1e-8, degree
        stacked = np.vstack([D, np.sqrt(n * alpha) * np.eye(D.shape[1])])
        padded = np.concatenate([y_train, np.zeros(D.shape[1])])
        assert _relative(ridge.coef_, scipy.linalg.lstsq(stacked, padded)[0]) <= 1e-8, degree
        sk_ridge = SkRidge(alpha=n * alpha, fit_intercept=False, solver="svd").fit(D, y_train)
        assert _relative(ridge.coef_, sk_ridge.coef_) <= 1e-8, degree
    assert well_conditioned == list(range(1, 11))  # degree 11 passes κ = 1e8 on this patch


def test_sklearn_default_tolerance_drops_singular_values_of_the_ill_conditioned_degrees(split):
    X_train, _, y_train, _ = split

    def rss(model, D):
        return float(np.sum((model.predict(D) - y_train) ** 2))

    for degree, differs in ((5, False), (15, True)):
        D = design_matrix(X_train, degree, "total")
        ours = rss(OLS().fit(D, y_train), D)
        default = rss(LinearRegression(fit_intercept=False).fit(D, y_train), D)
        if differs:  # κ ≈ 3e11 > 1/tol: the default fits a truncated, worse model
            assert default > 1.5 * ours
        else:
            assert default == pytest.approx(ours, rel=1e-12)


# -- the experiment -------------------------------------------------------------------------------


def test_a_patch_that_cannot_fit_the_highest_degree_is_refused_before_any_training():
    config = dataclasses.replace(experiment.Config.quick(), degrees=(1, 15))
    with pytest.raises(ValueError, match=r"smallest training set .* has 53, fewer than the 136"):
        experiment.tasks(config)
    outside = dataclasses.replace(experiment.Config.quick(), rows=(300, 400))
    with pytest.raises(ValueError, match="outside the grid"):
        experiment.tasks(outside)
    with pytest.raises(ValueError, match="stride must be"):
        experiment.tasks(dataclasses.replace(experiment.Config.quick(), stride=0))
    narrow = dataclasses.replace(experiment.Config.quick(), region_split=0.05)  # one column
    with pytest.raises(ValueError, match=r"or the western region\) has 10, fewer than the 21"):
        experiment.tasks(narrow)


def test_bias_variance_splits_the_bootstrap_error_exactly():
    rng = np.random.default_rng(3)
    predictions, y = rng.normal(size=(7, 5)), rng.normal(size=7)
    parts = experiment.bias_variance(predictions, y)
    assert parts["error"] == pytest.approx(parts["bias2"] + parts["variance"], rel=1e-13)
    by_hand = np.mean([(y[i] - predictions[i, b]) ** 2 for i in range(7) for b in range(5)])
    assert parts["error"] == pytest.approx(by_hand, rel=1e-13)
    constant = experiment.bias_variance(np.ones((3, 4)), np.array([1.0, 2.0, 4.0]))
    assert constant == {"error": 10 / 3, "bias2": 10 / 3, "variance": 0.0}


def test_quick_run_scores_and_cross_validation_equal_scikit_learn():
    config = experiment.Config.quick()
    result = experiment.run(config)
    X_train, X_test, y_train, y_test = experiment.random_split(config, experiment.terrain(config))
    for k, degree in enumerate(config.degrees):
        D_train, D_test = (design_matrix(X, degree, "total") for X in (X_train, X_test))
        reference = LinearRegression(fit_intercept=False, tol=1e-15).fit(D_train, y_train)
        test_mse = np.mean((reference.predict(D_test) - y_test) ** 2)
        assert result.closed_form["OLS"]["test_mse"][k] == pytest.approx(test_mse, rel=1e-10)
        folds = KFold(config.n_folds, shuffle=True, random_state=config.seed)
        cv = -cross_val_score(
            reference, D_train, y_train, cv=folds, scoring="neg_mean_squared_error"
        ).mean()
        assert result.closed_form["OLS"]["cv_mse"][k] == pytest.approx(cv, rel=1e-10)
        assert result.differences["lstsq"][k] <= experiment.AGREEMENT
    assert result.n_train == len(y_train) == 80


def test_tutorial_prints_the_rows_of_the_quick_run_and_its_single_fit_agrees(monkeypatch, tmp_path):
    monkeypatch.setenv("FYSLEARN_QUICK", "1")
    monkeypatch.chdir(tmp_path)
    tutorial = Path(__file__).resolve().parents[1] / "tutorials" / "terrain.py"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        namespace = runpy.run_path(str(tutorial), run_name="__main__")
    theirs = run_experiment("terrain", quick=True)
    assert experiment.rows(namespace["result"]) == experiment.rows(theirs)
    for row in experiment.rows(theirs):
        assert f"{row.quantity}: {row.ours}" in out.getvalue()
    assert namespace["difference"] <= experiment.AGREEMENT

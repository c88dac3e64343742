"""Design matrices, the Franke data and bootstrap scores."""

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline

from fyslearn.datasets import franke, make_franke
from fyslearn.features import PolynomialDesign, design_matrix, monomial_powers
from fyslearn.linear_model import OLS
from fyslearn.resampling import bootstrap_scores


def test_franke_known_values():
    # Hand evaluation of the four Gaussians at (0, 0).
    expected = (
        0.75 * np.exp(-1 - 1)
        + 0.75 * np.exp(-1 / 49 - 0.1)
        + 0.5 * np.exp(-49 / 4 - 9 / 4)
        - 0.2 * np.exp(-16 - 49)
    )
    assert franke(0.0, 0.0) == pytest.approx(expected, rel=1e-14)
    grid = np.linspace(0, 1, 5)
    np.testing.assert_array_equal(
        franke(grid[:, None], grid), franke(*np.meshgrid(grid, grid, indexing="ij"))
    )


def test_make_franke_shapes_noise_and_seed():
    X, y = make_franke(4000, noise=0.2, random_state=1)
    assert X.shape == (4000, 2) and y.shape == (4000,)
    assert X.min() >= 0 and X.max() <= 1
    residual = y - franke(X[:, 0], X[:, 1])
    assert residual.std() == pytest.approx(0.2, rel=0.05)
    np.testing.assert_array_equal(
        make_franke(10, random_state=1)[1], make_franke(10, random_state=1)[1]
    )
    X0, y0 = make_franke(50, noise=0.0, random_state=2)
    np.testing.assert_array_equal(y0, franke(X0[:, 0], X0[:, 1]))


@pytest.mark.parametrize(
    ("basis", "count"),
    [("tensor", lambda p: (p + 1) ** 2), ("total", lambda p: (p + 1) * (p + 2) // 2)],
)
@pytest.mark.parametrize("degree", [0, 1, 2, 5, 14])
def test_design_matrix_columns(basis, count, degree):
    X = np.array([[2.0, 3.0], [0.5, -1.0]])
    D = design_matrix(X, degree, basis)
    assert D.shape == (2, count(degree))
    for column, (i, j) in enumerate(monomial_powers(degree, basis)):
        np.testing.assert_array_equal(D[:, column], X[:, 0] ** i * X[:, 1] ** j)


def test_column_order_is_documented():
    assert monomial_powers(1, "tensor").tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert monomial_powers(2, "total").tolist() == [[0, 0], [1, 0], [0, 1], [2, 0], [1, 1], [0, 2]]


def test_transformer_in_pipeline_matches_function():
    X, y = make_franke(100, random_state=0)
    pipe = make_pipeline(PolynomialDesign(degree=3, basis="total"), OLS()).fit(X, y)
    direct = OLS().fit(design_matrix(X, 3, "total"), y)
    np.testing.assert_allclose(pipe.predict(X), direct.predict(design_matrix(X, 3, "total")))
    assert PolynomialDesign(degree=1).fit(X).get_feature_names_out().tolist() == [
        "x^0 y^0",
        "x^0 y^1",
        "x^1 y^0",
        "x^1 y^1",
    ]


@pytest.mark.parametrize("bad", [{"degree": -1}, {"degree": 2.5}, {"basis": "legendre"}])
def test_design_matrix_rejects_bad_arguments(bad):
    kwargs = {"degree": 2, "basis": "tensor", **bad}
    with pytest.raises(ValueError, match=next(iter(bad))):
        design_matrix(np.zeros((3, 2)), **kwargs)


def test_bootstrap_scores_protocol(rng):
    class Constant:
        def predict(self, X):
            return np.zeros(len(X))

    y = rng.normal(size=400)
    scores = bootstrap_scores(Constant(), np.zeros((400, 1)), y, n_bootstraps=200, random_state=0)
    assert scores.mse.shape == (200,) and scores.r2.shape == (200,)
    assert scores.mse_mean == pytest.approx(np.mean(y**2), rel=0.05)
    assert scores.r2_mean < 0.0  # predicting 0 for data of mean != 0 is worse than the mean
    again = bootstrap_scores(Constant(), np.zeros((400, 1)), y, n_bootstraps=200, random_state=0)
    np.testing.assert_array_equal(scores.mse, again.mse)


def test_bootstrap_scores_equal_one_sklearn_resample_per_round(rng):
    """All rounds scored at once give what the protocol's loop gives, round by round."""
    from sklearn.metrics import mean_squared_error, r2_score
    from sklearn.utils import resample

    class Fixed:
        def __init__(self, predictions):
            self.predictions = predictions

        def predict(self, X):
            return self.predictions

    y = rng.normal(size=57)
    predictions = y + rng.normal(scale=0.3, size=57)
    generator = np.random.default_rng(11)
    scores = bootstrap_scores(Fixed(predictions[:, None]), np.zeros((57, 1)), y, 30, generator)
    loop_rng = np.random.RandomState(np.random.default_rng(11).integers(2**31 - 1))
    for b in range(30):
        y_b, p_b = resample(y, predictions, random_state=loop_rng)
        assert scores.mse[b] == pytest.approx(mean_squared_error(y_b, p_b), rel=1e-12)
        assert scores.r2[b] == pytest.approx(r2_score(y_b, p_b), rel=1e-12)
    with pytest.raises(ValueError, match="one prediction per test point"):
        bootstrap_scores(Fixed(np.zeros((57, 2))), np.zeros((57, 1)), y)

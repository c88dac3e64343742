"""Property tests (hypothesis) for the design matrices and the linear models."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from fyslearn.features import design_matrix, monomial_powers
from fyslearn.linear_model import Ridge, mse_gradient

coordinates = arrays(
    np.float64,
    st.tuples(st.integers(1, 6), st.just(2)),
    elements=st.floats(-2.0, 2.0, allow_nan=False),
)


@given(X=coordinates, degree=st.integers(0, 8), basis=st.sampled_from(["tensor", "total"]))
def test_design_matrix_shape_and_column_order(X, degree, basis):
    D = design_matrix(X, degree, basis)
    n_columns = (degree + 1) ** 2 if basis == "tensor" else (degree + 1) * (degree + 2) // 2
    assert D.shape == (len(X), n_columns)
    powers = monomial_powers(degree, basis)
    assert len({tuple(p) for p in powers}) == n_columns  # no column twice
    np.testing.assert_array_equal(D[:, 0], 1.0)  # x^0 y^0 first
    for column, (i, j) in enumerate(powers):
        np.testing.assert_allclose(D[:, column], X[:, 0] ** i * X[:, 1] ** j, rtol=1e-12)
    if basis == "total":
        assert np.all(np.diff(powers.sum(axis=1)) >= 0)  # ordered by total degree
    else:
        assert np.all(powers.max(axis=1) <= degree)


@given(degree=st.integers(0, 10))
def test_total_degree_basis_is_a_subset_of_the_tensor_basis(degree):
    tensor = {tuple(p) for p in monomial_powers(degree, "tensor")}
    assert {tuple(p) for p in monomial_powers(degree, "total")} <= tensor


@settings(max_examples=30)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 30),
    p=st.integers(1, 6),
    alpha=st.floats(1e-6, 10.0),
)
def test_ridge_solution_zeroes_the_gradient(seed, n, p, alpha):
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(n, p)), rng.normal(size=n)
    beta = Ridge(alpha=alpha).fit(X, y).coef_
    gradient = mse_gradient(X, y, beta, alpha)
    scale = 2 * np.abs(X).max() * (np.abs(X @ beta).max() + np.abs(y).max()) + 2 * alpha
    np.testing.assert_allclose(gradient, 0.0, atol=1e-10 * scale)

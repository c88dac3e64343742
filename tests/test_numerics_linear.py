"""Closed-form linear models and design matrices at the edges of float64.

The closed-form solution is equivariant under scaling: with $X \\to sX$ and
$y \\to ty$ the OLS coefficients become $(t/s)\\beta$, and Ridge's become
$(t/s)\\beta$ of the problem with penalty $\\alpha/s^2$. Powers of two make
both sides exact, so the tests compare a fit at extreme magnitudes with a fit
of the same problem at magnitude one.
"""

import itertools

import numpy as np
import pytest
from sklearn.linear_model import Ridge as SkRidge

from fyslearn.features import MAX_COLUMNS, design_matrix, monomial_powers, n_monomials
from fyslearn.linear_model import OLS, Ridge

RNG = np.random.default_rng(7)
X0 = RNG.uniform(0.5, 1.0, size=(25, 4)) * RNG.choice([-1.0, 1.0], size=(25, 4))
Y0 = X0 @ np.array([1.0, -2.0, 0.5, 3.0]) + 0.1 * RNG.normal(size=25)


def scaled(array, exponent):
    return np.ldexp(array, exponent)


# (exponent of X, exponent of y): X of order 1e-310 (subnormal), 1e-200, 1e200, 1e300
EXTREMES = [(-1030, -1030), (-1030, -1000), (-664, 0), (664, 664), (996, 996), (-200, 300)]


@pytest.mark.parametrize(("x_exp", "y_exp"), EXTREMES)
def test_ols_coefficients_scale_exactly(x_exp, y_exp):
    X, y = scaled(X0, x_exp), scaled(Y0, y_exp)
    # subnormal inputs keep fewer bits: the reference is the same stored numbers, scaled back
    reference = OLS().fit(scaled(X, -x_exp), scaled(y, -y_exp)).coef_
    coef = OLS().fit(X, y).coef_
    np.testing.assert_allclose(scaled(coef, x_exp - y_exp), reference, rtol=1e-12)


@pytest.mark.parametrize(("x_exp", "y_exp"), [(x, y) for x, y in EXTREMES if x >= 200])
def test_ridge_with_negligible_penalty_is_ols(x_exp, y_exp):
    # alpha = 1 against columns of order 2**x_exp >= 2**200: the penalty is far below the
    # precision of the data, and Ridge must give the OLS answer (not zeros)
    coef = Ridge(alpha=1.0).fit(scaled(X0, x_exp), scaled(Y0, y_exp)).coef_
    np.testing.assert_allclose(scaled(coef, x_exp - y_exp), OLS().fit(X0, Y0).coef_, rtol=1e-12)


@pytest.mark.parametrize("x_exp", [-500, -250, 0, 250, 500])
@pytest.mark.parametrize("alpha_exp", [-20, 0, 20])
def test_ridge_scales_with_its_penalty(x_exp, alpha_exp):
    """Ridge(α) on 2^e X equals 2^-e · Ridge(α / 4^e) on X, checked against scikit-learn."""
    alpha = np.ldexp(1.0, alpha_exp + 2 * x_exp)  # α / 4^e = 2**alpha_exp
    coef = Ridge(alpha=alpha).fit(scaled(X0, x_exp), Y0).coef_
    n = len(Y0)
    reference = SkRidge(alpha=n * np.ldexp(1.0, alpha_exp), fit_intercept=False, solver="svd")
    np.testing.assert_allclose(scaled(coef, x_exp), reference.fit(X0, Y0).coef_, rtol=1e-10)


def test_ridge_with_dominant_penalty_is_the_scaled_gradient():
    """For nα ≫ s_max², β → Xᵀy/(nα); here nα/s_max² ≈ 2**600 with Xᵀy of order 2**-200."""
    x_exp, y_exp = -530, 330
    coef = Ridge(alpha=1.0).fit(scaled(X0, x_exp), scaled(Y0, y_exp)).coef_
    expected = scaled(X0.T @ Y0 / len(Y0), x_exp + y_exp)
    assert np.all(np.abs(expected) > 1e-100)  # far from underflow: a real test
    np.testing.assert_allclose(coef, expected, rtol=1e-12)


def test_singular_values_are_those_of_the_unscaled_matrix():
    for x_exp in (-1000, 0, 900):
        model = OLS().fit(scaled(X0, x_exp), Y0)
        np.testing.assert_allclose(
            model.singular_values_, scaled(np.linalg.svd(X0, compute_uv=False), x_exp), rtol=1e-12
        )


def test_coefficients_beyond_float64_are_a_clear_error():
    # β = 2**1100 · O(1): not representable
    with pytest.raises(ValueError, match="exceed the range of float64"):
        OLS().fit(scaled(X0, -1000), scaled(Y0, 100))


def test_zero_design_matrix_gives_zero_coefficients():
    for model in (OLS(), Ridge(alpha=1.0)):
        np.testing.assert_array_equal(model.fit(np.zeros((5, 3)), np.ones(5)).coef_, 0.0)


def brute_force_powers(degree, basis, n_variables):
    """Every exponent tuple, filtered: the definition, affordable for small cases."""
    rows = list(itertools.product(range(degree + 1), repeat=n_variables))
    if basis == "tensor":
        return np.array(rows).reshape(-1, n_variables)
    by_degree = [
        sorted((r for r in rows if sum(r) == total), reverse=True) for total in range(degree + 1)
    ]
    return np.array([r for group in by_degree for r in group]).reshape(-1, n_variables)


@pytest.mark.parametrize("basis", ["tensor", "total"])
@pytest.mark.parametrize(("degree", "n_variables"), [(0, 1), (3, 1), (4, 2), (3, 3), (2, 5)])
def test_monomial_powers_match_the_definition(basis, degree, n_variables):
    powers = monomial_powers(degree, basis, n_variables)
    np.testing.assert_array_equal(powers, brute_force_powers(degree, basis, n_variables))
    assert n_monomials(degree, basis, n_variables) == len(powers)


def test_total_degree_of_many_variables_builds_only_its_columns():
    X = RNG.uniform(size=(3, 15))
    D = design_matrix(X, 5, "total")
    assert D.shape == (3, 15504)  # C(20, 5), not 6**15 combinations filtered
    powers = monomial_powers(5, "total", 15)
    assert powers.sum(axis=1).max() == 5
    assert len(np.unique(powers, axis=0)) == len(powers)
    np.testing.assert_allclose(D[:, 100], np.prod(X ** powers[100], axis=1))


@pytest.mark.parametrize(
    ("degree", "basis", "n_variables"),
    [(5, "tensor", 15), (10**9, "total", 3), (10**6, "tensor", 2), (3, "total", 10**6)],
)
def test_too_many_columns_are_refused_before_building_them(degree, basis, n_variables):
    with pytest.raises(ValueError, match=f"more than {MAX_COLUMNS} columns"):
        monomial_powers(degree, basis, n_variables)


@pytest.mark.parametrize("n_variables", [0, -1, 2.0, True])
def test_bad_number_of_variables(n_variables):
    with pytest.raises(ValueError, match="n_variables"):
        monomial_powers(2, "total", n_variables)

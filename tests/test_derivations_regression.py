"""D1, D2: SymPy's gradient of the scalar cost against fyslearn's numpy code."""

import numpy as np
import pytest
import sympy as sp

from fyslearn import derivations
from fyslearn.linear_model import mse_cost, mse_gradient

SHAPES = [(1, 1), (2, 3), (5, 3), (12, 4), (7, 1)]


@pytest.mark.parametrize("derivation", [derivations.mse_gradient, derivations.ridge_gradient])
def test_proofs_hold_and_errata_are_confirmed(derivation):
    derivation().verify()


def test_mse_cost_erratum_is_a_real_slip():
    (erratum,) = derivations.mse_gradient().errata
    assert erratum.printed_is_wrong()
    assert erratum.correction_holds()
    # The printed form vanishes when residuals cancel, the MSE does not.
    values = {s: 0 for s in erratum.printed.free_symbols}
    values.update({sp.Symbol("y_0", real=True): 1, sp.Symbol("y_1", real=True): -1})
    assert erratum.printed.subs(values) == 0
    assert erratum.corrected.subs(values) == sp.Rational(2, 3)


def test_a_false_identity_is_not_proved():
    x = sp.Symbol("x", real=True)
    assert not derivations.Identity("wrong", x**2, 2 * x).holds()


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("scale", [1.0, 1e-6, 1e4])
def test_mse_gradient_matches_sympy(rng, shape, scale):
    n, p = shape
    X, y, beta = scale * rng.normal(size=shape), scale * rng.normal(size=n), rng.normal(size=p)
    expected = derivations.mse_gradient().numeric()(X, y, beta)
    np.testing.assert_allclose(mse_gradient(X, y, beta), expected, rtol=1e-10, atol=1e-300)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("alpha", [0.0, 1e-3, 2.5])
@pytest.mark.parametrize("scale", [1.0, 1e-6, 1e4])
def test_ridge_gradient_matches_sympy(rng, shape, alpha, scale):
    n, p = shape
    X, y = scale * rng.normal(size=shape), scale * rng.normal(size=n)
    beta = -3 * rng.normal(size=p)
    beta[0] = 0.0  # a zero coefficient: its penalty term vanishes
    expected = derivations.ridge_gradient().numeric()(X, y, beta, alpha)
    np.testing.assert_allclose(mse_gradient(X, y, beta, alpha), expected, rtol=1e-10, atol=1e-300)


def test_gradient_is_zero_at_zero_residual_and_no_penalty():
    X = np.eye(3)
    beta = np.array([1.0, -2.0, 0.5])
    np.testing.assert_array_equal(mse_gradient(X, X @ beta, beta), np.zeros(3))


@pytest.mark.parametrize("alpha", [0.0, 0.1])
def test_mse_gradient_matches_central_differences(rng, alpha):
    X, y, beta = rng.normal(size=(20, 4)), rng.normal(size=20), rng.normal(size=4)
    h = 1e-6
    numeric = np.array(
        [
            (mse_cost(X, y, beta + h * e, alpha) - mse_cost(X, y, beta - h * e, alpha)) / (2 * h)
            for e in np.eye(4)
        ]
    )
    np.testing.assert_allclose(mse_gradient(X, y, beta, alpha), numeric, rtol=1e-7)


def test_latex_renders_steps_and_result():
    text = derivations.ridge_gradient().latex()
    assert r"\frac{2}{n} X^{T}" in text
    assert "proved by SymPy" in text and "NOT proved" not in text

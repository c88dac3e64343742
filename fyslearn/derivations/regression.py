r"""D1, D2: the gradients of the MSE and Ridge costs of linear regression.

SymPy starts from the scalar cost written with indexed symbols,

$$
C(\beta) = \frac1n\sum_i \Big(y_i - \sum_j x_{ij}\beta_j\Big)^2 + \lambda\sum_j \beta_j^2,
$$

differentiates it with respect to $\beta_k$, and proves, for several
concrete sizes with one symbol per matrix entry, that the result is the
matrix form $\frac2n X^T(X\beta - y) + 2\lambda\beta$. The report's $\lambda$
is the L2 penalty `alpha` of fyslearn's estimators.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import sympy as sp

from ._core import Derivation, Erratum, Identity, Step

__all__ = ["mse_gradient", "numeric_mse_gradient", "numeric_ridge_gradient", "ridge_gradient"]

#: Concrete (n_samples, n_features) for which the matrix form is proved entry by entry.
PROOF_SHAPES = ((1, 1), (3, 2), (4, 3))


def _entry_symbols(n: int, p: int) -> tuple[sp.Matrix, sp.Matrix, sp.Matrix]:
    """Design matrix, targets and coefficients with one real symbol per entry."""
    X = sp.Matrix(n, p, lambda i, j: sp.Symbol(f"x_{i}{j}", real=True))
    y = sp.Matrix(n, 1, lambda i, _: sp.Symbol(f"y_{i}", real=True))
    beta = sp.Matrix(p, 1, lambda j, _: sp.Symbol(f"beta_{j}", real=True))
    return X, y, beta


def _scalar_cost(X: sp.Matrix, y: sp.Matrix, beta: sp.Matrix, alpha: sp.Basic) -> sp.Basic:
    """The cost as the report writes it, a sum over samples of squared residuals."""
    n, p = X.shape
    residuals = [y[i] - sum(X[i, j] * beta[j] for j in range(p)) for i in range(n)]
    return sum(r**2 for r in residuals) / n + alpha * sum(b**2 for b in beta)


def _gradient_of_scalar_cost(n: int, p: int, alpha: sp.Basic) -> tuple[sp.Matrix, ...]:
    """Differentiate the scalar cost entry by entry: the gradient SymPy derives."""
    X, y, beta = _entry_symbols(n, p)
    cost = _scalar_cost(X, y, beta, alpha)
    gradient = sp.Matrix([sp.diff(cost, b) for b in beta])
    return X, y, beta, gradient


def _matrix_form(X: sp.Matrix, y: sp.Matrix, beta: sp.Matrix, alpha: sp.Basic) -> sp.Matrix:
    n = X.shape[0]
    return sp.Rational(2, n) * X.T * (X * beta - y) + 2 * alpha * beta


def _index_form_steps(with_penalty: bool) -> tuple[list[Step], sp.Basic]:
    """The derivation for general n, p with indexed symbols, as the reader sees it."""
    n, p = sp.symbols("n p", integer=True, positive=True)
    i, j, k = sp.symbols("i j k", integer=True, nonnegative=True)
    x, y, beta = sp.IndexedBase("x"), sp.IndexedBase("y"), sp.IndexedBase(r"\beta")
    alpha = sp.Symbol(r"\lambda", nonnegative=True)  # the L2 penalty, the report's λ
    prediction = sp.Sum(x[i, j] * beta[j], (j, 0, p - 1))
    cost = sp.Sum((y[i] - prediction) ** 2, (i, 0, n - 1)) / n
    if with_penalty:
        cost += alpha * sp.Sum(beta[j] ** 2, (j, 0, p - 1))
    C = sp.Symbol("C")
    dC = r"\frac{\partial C}{\partial \beta_k}"
    derivative = sp.diff(cost, beta[k])
    simplified = sp.piecewise_fold(sp.simplify(derivative)).args[0][0]  # the branch 0 <= k < p
    X, Y, B = (
        sp.MatrixSymbol("X", n, p),
        sp.MatrixSymbol("y", n, 1),
        sp.MatrixSymbol(r"\beta", p, 1),
    )
    result = 2 / n * X.T * (X * B - Y) + (2 * alpha * B if with_penalty else sp.ZeroMatrix(p, 1))
    steps = [
        Step("Cost with indexed symbols", cost, lhs=C),
        Step(
            r"Chain rule: differentiating $\beta_j$ by $\beta_k$ gives a Kronecker delta",
            derivative,
            lhs=dC,
        ),
        Step(r"The delta picks $j = k$ (for $0 \le k < p$)", simplified, lhs=dC),
        Step("In matrix form", result, lhs=r"\nabla_{\beta} C"),
    ]
    return steps, result


def _mse_cost_erratum() -> Erratum:
    r"""The report prints $\frac1n(\sum_i y_i - \sum_{ij} x_{ij}\beta_j)^2$: a misplaced square."""
    X, y, beta = _entry_symbols(3, 2)
    n = 3
    printed = (sum(y) - sum(X[i, j] * beta[j] for i in range(3) for j in range(2))) ** 2 / n
    corrected = _scalar_cost(X, y, beta, 0)
    residual = y - X * beta
    matrix_mse = (residual.T * residual)[0, 0] / n
    return Erratum(
        title="MSE cost: the square belongs inside the sum over samples",
        printed=printed,
        corrected=corrected,
        proof=Identity(
            r"The corrected cost is $\frac1n\lVert y - X\beta \rVert^2$", corrected, matrix_mse
        ),
        explanation=(
            r"The report writes $C = \frac1n\big(\sum_i y_i - \sum_{ij} x_{ij}\beta_j\big)^2$, "
            "the square of the summed residual, which is zero whenever positive and negative "
            "residuals cancel. The MSE is the mean of squared residuals, "
            r"$\frac1n \sum_i \big(y_i - \sum_j x_{ij}\beta_j\big)^2$. "
            "Shown with $n = 3$ samples and $p = 2$ features."
        ),
        printed_display=r"C(\beta) = \frac{1}{n}\Big(\sum_i y_i - \sum_{ij} x_{ij}\beta_j\Big)^2",
        corrected_display=r"C(\beta) = \frac{1}{n}\sum_i \Big(y_i - \sum_j x_{ij}\beta_j\Big)^2",
    )


@functools.lru_cache(maxsize=32)
def _lambdified_gradient(n: int, p: int) -> Callable:
    alpha = sp.Symbol("lambda", nonnegative=True)
    X, y, beta, gradient = _gradient_of_scalar_cost(n, p, alpha)
    return sp.lambdify([list(X), list(y), list(beta), alpha], list(gradient), modules="numpy")


def _check_regression_arrays(
    X: np.ndarray, y: np.ndarray, beta: np.ndarray, twin: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The arrays as floats, or a ValueError naming the argument order and shapes."""
    X, y, beta = (np.asarray(v, dtype=float) for v in (X, y, beta))
    order = f"{twin} takes (X, y, beta): X of shape (n, p), y of shape (n,), beta of shape (p,)"
    if X.ndim != 2 or y.ndim != 1 or beta.ndim != 1:
        raise ValueError(
            f"{order}; got X {X.shape}, y {y.shape}, beta {beta.shape}. "
            "Are the arguments in that order?"
        )
    n, p = X.shape
    if y.shape != (n,) or beta.shape != (p,):
        raise ValueError(
            f"{order}; got X {X.shape}, y {y.shape}, beta {beta.shape}: y needs {n} entries "
            f"and beta {p}. Are the arguments in that order?"
        )
    if n * p > 400:
        raise ValueError("the symbolic gradient is built entry by entry; keep n * p <= 400.")
    return X, y, beta


def numeric_mse_gradient(X: np.ndarray, y: np.ndarray, beta: np.ndarray) -> np.ndarray:
    r"""SymPy's derivative of the scalar MSE (D1), evaluated on arrays: the numeric twin.

    Not the matrix form $\frac2n X^T(X\beta - y)$: the entry-by-entry derivative of
    $\frac1n\sum_i(y_i - \sum_j x_{ij}\beta_j)^2$, lambdified, so that comparing it
    with numpy code tests the matrix form too.

    Args:
        X: Design matrix, shape `(n, p)`, with $np \le 400$.
        y: Targets, shape `(n,)`.
        beta: Coefficients, shape `(p,)`.

    Returns:
        The gradient, shape `(p,)`.

    Raises:
        ValueError: The shapes do not fit `(X, y, beta)` (the message says the order).
    """
    return _lambdified_on_arrays(X, y, beta, 0.0, "numeric_mse_gradient")


def numeric_ridge_gradient(
    X: np.ndarray, y: np.ndarray, beta: np.ndarray, alpha: float
) -> np.ndarray:
    r"""SymPy's derivative of the scalar Ridge cost (D2), evaluated on arrays: the numeric twin.

    Args:
        X: Design matrix, shape `(n, p)`, with $np \le 400$.
        y: Targets, shape `(n,)`.
        beta: Coefficients, shape `(p,)`.
        alpha: The L2 penalty $\lambda \ge 0$, a number.

    Returns:
        The gradient, shape `(p,)`.

    Raises:
        ValueError: The shapes do not fit `(X, y, beta, alpha)`.
    """
    return _lambdified_on_arrays(X, y, beta, alpha, "numeric_ridge_gradient")


def _lambdified_on_arrays(X, y, beta, alpha, twin: str) -> np.ndarray:
    X, y, beta = _check_regression_arrays(X, y, beta, twin)
    if np.ndim(alpha) != 0:
        raise ValueError(f"alpha (the penalty λ) must be a number, got shape {np.shape(alpha)}.")
    n, p = X.shape
    function = _lambdified_gradient(n, p)
    return np.array(function(X.ravel(), y, beta, float(alpha)), dtype=float)


def _gradient_derivation(with_penalty: bool) -> Derivation:
    alpha = sp.Symbol("lambda", nonnegative=True) if with_penalty else sp.Integer(0)
    proofs = []
    for n, p in PROOF_SHAPES:
        X, y, beta, gradient = _gradient_of_scalar_cost(n, p, alpha)
        proofs.append(
            Identity(
                f"Entry by entry for $n = {n}$, $p = {p}$: the derivative of the cost "
                "equals the matrix form",
                gradient,
                _matrix_form(X, y, beta, alpha),
            )
        )
    steps, result = _index_form_steps(with_penalty)
    if with_penalty:
        return Derivation(
            name="ridge_gradient",
            title="Gradient of the Ridge cost (D2)",
            summary=(
                r"Adding the L2 penalty $\lambda\sum_j \beta_j^2$ to the MSE adds $2\lambda\beta$ "
                r"to its gradient: $\nabla C = \frac2n X^T(X\beta - y) + 2\lambda\beta$."
            ),
            steps=steps,
            result=result,
            proofs=proofs,
            numeric_factory=lambda: numeric_ridge_gradient,
            report_reference="D2",
        )
    return Derivation(
        name="mse_gradient",
        title="Gradient of the mean squared error (D1)",
        summary=(
            r"The MSE of a linear model, $C(\beta) = \frac1n\sum_i(y_i - \sum_j x_{ij}\beta_j)^2$, "
            r"has gradient $\nabla C = \frac2n X^T(X\beta - y)$: each component is a dot "
            "product of a column of $X$ with the residuals."
        ),
        steps=steps,
        result=result,
        proofs=proofs,
        errata=[_mse_cost_erratum()],
        numeric_factory=lambda: numeric_mse_gradient,
        report_reference="D1",
    )


@functools.cache
def mse_gradient() -> Derivation:
    r"""D1: gradient of the MSE of a linear model, $\frac2n X^T(X\beta - y)$.

    `numeric()` is `fyslearn.derivations.regression.numeric_mse_gradient(X, y, beta)`:
    SymPy's entry-by-entry derivative of the scalar cost for `X` of
    shape `(n, p)`, `y` of shape `(n,)` and `beta` of shape `(p,)` (small:
    $np \le 400$); it returns shape `(p,)`.
    """
    return _gradient_derivation(with_penalty=False)


@functools.cache
def ridge_gradient() -> Derivation:
    r"""D2: gradient of the Ridge cost, $\frac2n X^T(X\beta - y) + 2\lambda\beta$.

    `numeric()` is `fyslearn.derivations.regression.numeric_ridge_gradient(X, y, beta,
    alpha)`: SymPy's derivative of the scalar cost with L2 penalty
    `alpha` ($\lambda$), for arrays shaped as in
    [mse_gradient][fyslearn.derivations.mse_gradient]; it returns shape `(p,)`.
    """
    return _gradient_derivation(with_penalty=True)

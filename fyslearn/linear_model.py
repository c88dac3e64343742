r"""Linear regression: closed form and by mini-batch SGD.

All models here minimise the same cost (D1, D2 of the report),

$$
C(\beta) = \frac1n \lVert y - X\beta \rVert^2 + \alpha \lVert \beta \rVert^2,
\qquad
\nabla C = \frac2n X^T (X\beta - y) + 2\alpha\beta ,
$$

with $\alpha = 0$ for ordinary least squares. No intercept is fitted:
the polynomial design matrix already has the constant column $x^0y^0$.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils import check_array
from sklearn.utils.validation import check_is_fitted, validate_data

from ._docstrings import readable_docstrings
from ._fitting import fit_transaction, record_features, settle
from ._params import (
    COUNT,
    NON_NEGATIVE,
    RANDOM_STATE,
    SOLVER_DOMAINS,
    VALIDATION_DATA,
    VERBOSE,
    ScikitLearnNames,
    options,
    validate_params,
)
from ._validation import as_generator, check_non_negative_float, check_option
from .optim import (
    SCHEDULES,
    SOLVER_SETTINGS,
    SOLVERS,
    DivergenceWarning,
    Outcome,
    feature_scale_hint,
    make_optimizer,
    run_epochs,
    shuffled_orders,
    solver_settings,
    warn_if_unconverged,
)
from .penalties import PENALTIES, penalty_gradient, penalty_value
from .persistence import PersistenceMixin

__all__ = ["OLS", "Ridge", "SGDRegressor", "mse_cost", "mse_gradient"]

ON_DIVERGENCE = ("raise", "restore")


def mse_cost(
    X: ArrayLike,
    y: ArrayLike,
    beta: ArrayLike,
    alpha: float | ArrayLike = 0.0,
    penalty: str = "l2",
) -> float | np.ndarray:
    r"""Ridge cost, $\frac1n\lVert y - X\beta\rVert^2 + \alpha\lVert\beta\rVert^2$.

    Args:
        X: Design matrix, shape `(n, p)`.
        y: Targets, shape `(n,)`.
        beta: Coefficients, shape `(p,)`, or a column stack $B = [\beta_1 \cdots \beta_M]$
            of shape `(p, M)`.
        alpha: Penalty strength $\alpha \ge 0$ (one, or one per column of `beta`).
        penalty: `"l2"` ($\alpha\lVert\beta\rVert_2^2$, Ridge) or `"l1"`
            ($\alpha\lVert\beta\rVert_1$, Lasso).

    Returns:
        The cost: a float, or shape `(M,)` for a column stack.
    """
    X, y, beta = _check_linear_problem(X, y, beta)
    penalty = check_option(penalty, "penalty", PENALTIES)
    return _mse_cost(X, y, beta, _check_alphas(alpha, beta), penalty)


def mse_gradient(
    X: ArrayLike,
    y: ArrayLike,
    beta: ArrayLike,
    alpha: float | ArrayLike = 0.0,
    penalty: str = "l2",
) -> np.ndarray:
    r"""Gradient of the Ridge cost, $\frac2n X^T (X\beta - y) + 2\alpha\beta$ (D1, D2).

    For a column stack $B = [\beta_1 \cdots \beta_M]$ the same two matrix
    products give every column's gradient at once,
    $\frac2n X^T (XB - y\mathbf 1^T) + 2B\,\mathrm{diag}(\alpha)$.

    Args:
        X: Design matrix, shape `(n, p)`.
        y: Targets, shape `(n,)`.
        beta: Coefficients, shape `(p,)`, or a column stack of shape `(p, M)`.
        alpha: Penalty strength $\alpha \ge 0$ (the report's $\lambda$); 0 gives OLS.
            One value, or one per column of `beta`.
        penalty: `"l2"` (gradient $2\alpha\beta$) or `"l1"` (subgradient
            $\alpha\,\mathrm{sign}(\beta)$).

    Returns:
        The gradient, shape of `beta`.
    """
    X, y, beta = _check_linear_problem(X, y, beta)
    penalty = check_option(penalty, "penalty", PENALTIES)
    return _mse_gradient(X, y, beta, _check_alphas(alpha, beta), penalty)


def _residual(X: np.ndarray, y: np.ndarray, beta: np.ndarray) -> np.ndarray:
    r"""$X\beta - y$, shape `(n,)`, or $XB - y\mathbf 1^T$, shape `(n, M)`.

    With a mini-batch per column, `X` of shape `(M, m, p)` and `y` of shape
    `(M, m)`, column $k$ gets $X_k\beta_k - y_k$: shape `(m, M)`.
    """
    if X.ndim == 3:
        return np.einsum("kip,pk->ik", X, beta) - y.T
    return X @ beta - (y if beta.ndim == 1 else y[:, None])


def _mse_cost(
    X: np.ndarray,
    y: np.ndarray,
    beta: np.ndarray,
    alpha: float | np.ndarray,
    penalty: str = "l2",
) -> float | np.ndarray:
    return _cost_terms(X, y, beta, alpha, penalty)[1]


def _cost_terms(
    X: np.ndarray,
    y: np.ndarray,
    beta: np.ndarray,
    alpha: float | np.ndarray,
    penalty: str = "l2",
) -> tuple[float | np.ndarray, float | np.ndarray]:
    r"""The MSE $\frac1n\lVert y - X\beta\rVert^2$ and the cost (MSE plus penalty), per column."""
    residual = _residual(X, y, beta)
    mse = np.einsum("i...,i...->...", residual, residual) / len(y)
    if beta.ndim == 1:
        return float(mse), float(mse) + alpha * penalty_value(beta, penalty)
    return mse, mse + alpha * penalty_value(beta.T, penalty, stacked=True)  # one per column


def _mse_gradient(
    X: np.ndarray,
    y: np.ndarray,
    beta: np.ndarray,
    alpha: float | np.ndarray,
    penalty: str = "l2",
) -> np.ndarray:
    residual = _residual(X, y, beta)
    if X.ndim == 3:  # column k's own rows: X_kᵀ r_k
        products = np.einsum("kip,ik->pk", X, residual)
    else:
        products = X.T @ residual
    gradient = (2.0 / len(residual)) * products  # D1
    if np.any(alpha):
        gradient += penalty_gradient(beta, alpha, penalty)  # D2 (2αβ), column by column
    return gradient


def _check_alphas(alpha: float | ArrayLike, beta: np.ndarray) -> float | np.ndarray:
    if beta.ndim == 1 or np.ndim(alpha) == 0:
        return check_non_negative_float(alpha, "alpha")
    alphas = np.asarray(alpha, dtype=float)
    if alphas.shape != (beta.shape[1],) or not np.all(np.isfinite(alphas) & (alphas >= 0)):
        raise ValueError(f"alpha must be >= 0, one per column of beta ({beta.shape[1]}).")
    return alphas


def _check_linear_problem(X: ArrayLike, y: ArrayLike, beta: ArrayLike) -> tuple[np.ndarray, ...]:
    for name, array in (("X", X), ("y", y), ("beta", beta)):
        if np.iscomplexobj(array):
            raise ValueError(
                f"{name} is complex; the least-squares cost is defined for real numbers only "
                "(pass the real part, or split real and imaginary parts into columns)."
            )
    X, y, beta = (np.asarray(a, dtype=float) for a in (X, y, beta))
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {X.shape}.")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},) to match X, got {y.shape}.")
    if beta.ndim not in (1, 2) or beta.shape[0] != X.shape[1]:
        raise ValueError(
            f"beta must have shape ({X.shape[1]},) or ({X.shape[1]}, M) to match X, "
            f"got {beta.shape}."
        )
    if X.shape[0] == 0:
        raise ValueError("X and y are empty; at least one sample is needed.")
    for name, array in (("X", X), ("y", y), ("beta", beta)):
        if not np.all(np.isfinite(array)):
            raise ValueError(
                f"{name} contains NaN or infinity ({np.count_nonzero(~np.isfinite(array))} "
                "entries); the cost and its gradient need finite numbers."
            )
    return X, y, beta


def _ridge_solve(X: np.ndarray, y: np.ndarray, alpha: float) -> np.ndarray:
    r"""Minimise the Ridge cost through the SVD $X = U S V^T$.

    Setting the gradient to zero gives $(X^TX + n\alpha I)\beta = X^Ty$,
    solved as $\beta = V\,\mathrm{diag}\big(s/(s^2 + n\alpha)\big)\,U^T y$
    without forming $X^TX$ (which would square the condition number).
    For $\alpha = 0$ singular values below `max(n, p) * eps * s_max`
    are dropped, as in `numpy.linalg.lstsq`: the minimum-norm solution.

    Args:
        X: Design matrix, shape `(n, p)`, finite.
        y: Targets, shape `(n,)`, finite.
        alpha: L2 penalty $\alpha \ge 0$.

    Returns:
        The coefficients $\beta$, shape `(p,)`.

    Raises:
        ValueError: The coefficients lie outside the range of float64.
    """
    return _ridge_solution(X, y, alpha)[0]


def _ridge_solution(X: np.ndarray, y: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    r"""The coefficients of [`_ridge_solve`][fyslearn.linear_model._ridge_solve] and the
    singular values of `X`, shapes `(p,)` and `(min(n, p),)`, from one SVD.

    The SVD runs on $X/2^{e_X}$ and $y/2^{e_y}$, scaled by powers of two to a
    largest entry in $[1/2, 1)$: exact, and safe for entries of any magnitude
    (of order $10^{-310}$ the squares underflow, of order $10^{200}$ they
    overflow). With $X = 2^{e_X} X'$ and $y = 2^{e_y} y'$ the minimiser is
    $\beta = 2^{e_y - e_X}\,V\,\mathrm{diag}\big(s'/(s'^2 + \lambda')\big)\,U^T y'$
    with $\lambda' = n\alpha/2^{2e_X}$; when $\lambda' \ge 1$ the factor $1/\lambda'$
    is moved out of the diagonal, so that no intermediate leaves the float range.
    Coefficients that themselves lie outside float64 raise a `ValueError`.
    """
    x_exponent = _binary_exponent(X)
    y_exponent = _binary_exponent(y)
    U, s, Vt = np.linalg.svd(np.ldexp(X, -x_exponent), full_matrices=False)
    rotated_y = U.T @ np.ldexp(y, -y_exponent)
    factors, mantissa, exponent = _ridge_factors(s, len(y), alpha, max(X.shape), x_exponent)
    with np.errstate(over="ignore"):
        beta = np.ldexp(mantissa * (Vt.T @ (factors * rotated_y)), exponent + y_exponent)
        singular_values = np.ldexp(s, x_exponent)
    if not np.all(np.isfinite(beta)):
        raise ValueError(
            "the least-squares coefficients exceed the range of float64 (X is of order "
            f"2**{x_exponent} and y of order 2**{y_exponent}); rescale X or y."
        )
    return beta, singular_values


def _binary_exponent(array: np.ndarray) -> int:
    """The $e$ with the largest magnitude of `array` in $[2^{e-1}, 2^e)$; 0 for zeros."""
    largest = float(np.max(np.abs(array), initial=0.0))
    return int(np.frexp(largest)[1])


def _ridge_factors(
    s: np.ndarray, n_samples: int, alpha: float, n_max: int, x_exponent: int
) -> tuple[np.ndarray, float, int]:
    r"""Diagonal factors and the scalar $m\,2^k$ with $\beta = m\,2^k\,V\,\mathrm{diag}(f)\,U^Ty'$.

    `s` holds the singular values of the scaled $X'$ (largest below $\sqrt{np}$).
    Returns `(factors, m, k)`, `k` without the $2^{e_y}$ of the targets.
    """
    if alpha == 0.0:
        cutoff = n_max * np.finfo(float).eps * (s[0] if s.size else 0.0)
        keep = s > cutoff
        factors = np.zeros_like(s)
        factors[keep] = 1.0 / s[keep]
        return factors, 1.0, -x_exponent
    # n·alpha = n_mantissa · 2**alpha_exponent, exactly, even where n·alpha overflows
    alpha_mantissa, alpha_exponent = np.frexp(alpha)
    n_mantissa = n_samples * float(alpha_mantissa)
    penalty_exponent = int(alpha_exponent) - 2 * x_exponent  # λ' = n_mantissa · 2**this
    if penalty_exponent <= 0:
        penalty = float(np.ldexp(n_mantissa, penalty_exponent))  # λ' <= n; may underflow to 0
        denominator = s * s + penalty
        factors = np.divide(s, denominator, out=np.zeros_like(s), where=denominator > 0)
        return factors, 1.0, -x_exponent
    # λ' >= 1 and maybe beyond float64: β = 2**(e_y - e_X) / λ' · V diag(s / (s²/λ' + 1)) Uᵀy'
    inverse_penalty = float(np.ldexp(1.0 / n_mantissa, -penalty_exponent))  # may underflow to 0
    factors = s / (inverse_penalty * s * s + 1.0)
    return factors, 1.0 / n_mantissa, x_exponent - int(alpha_exponent)


class _LinearPredictor(PersistenceMixin, RegressorMixin, BaseEstimator):
    r"""Shared `predict` of the linear models: $\hat y = X\beta$."""

    parameter_constraints: Mapping[str, Any] = MappingProxyType({})

    def predict(self, X: ArrayLike) -> np.ndarray:
        r"""Predict $\hat y = X\beta$ with the fitted coefficients.

        Args:
            X: Design matrix, shape `(n, n_features)`.

        Returns:
            Predictions, shape `(n,)`.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return X @ self.coef_


class Ridge(_LinearPredictor):
    r"""Ridge regression in closed form.

    Minimises $\frac1n\lVert y-X\beta\rVert^2 + \alpha\lVert\beta\rVert^2$.

    No intercept is fitted: as in the report, the constant is a column of
    ones in `X` (column 0 of [`design_matrix`][fyslearn.features.design_matrix]),
    and its coefficient is penalised like the others.

    Relation to scikit-learn: `sklearn.linear_model.Ridge` minimises
    $\lVert y-X\beta\rVert^2 + \alpha_{sk}\lVert\beta\rVert^2$, without the
    $1/n$. Multiplying our cost by $n$ shows the two have the same
    minimiser when $\alpha_{sk} = n\alpha$ (and `fit_intercept=False`).

    The system is solved through the SVD of $X$, never with an explicit
    inverse of $X^TX$: for the badly conditioned degree-14 bases the
    normal equations lose all significant digits.

    Args:
        alpha: L2 penalty $\alpha \ge 0$ (the report's $\lambda$).

    Attributes:
        coef_: Fitted coefficients $\beta$, shape `(n_features,)`.
        singular_values_: Singular values of the training design matrix, largest
            first, shape `(min(n_samples, n_features),)`; the ratio of the largest
            to the smallest is the condition number.
        n_features_in_: Number of input features seen in `fit`.
        feature_names_in_: The inputs' column names, shape `(n_features_in_,)`, when `X`
            had string column names (a pandas DataFrame).

    Examples:
        >>> from fyslearn.datasets import make_franke
        >>> from fyslearn.features import design_matrix
        >>> from fyslearn.linear_model import OLS, Ridge
        >>> X, z = make_franke(200, random_state=0)
        >>> D = design_matrix(X, degree=5)
        >>> model = Ridge(alpha=1e-4).fit(D, z)
        >>> round(model.score(D, z), 2)
        0.53
        >>> bool(np.linalg.norm(model.coef_) < np.linalg.norm(OLS().fit(D, z).coef_))
        True
    """

    parameter_constraints = MappingProxyType({"alpha": NON_NEGATIVE})

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha

    def fit(self, X: ArrayLike, y: ArrayLike) -> Ridge:
        r"""Solve for $\beta$ on `X` (shape `(n, p)`) and `y` (shape `(n,)`); returns `self`.

        Raises:
            ValueError: Bad input, or coefficients beyond the range of float64.
        """
        validate_params(self)
        return _fit_closed_form(self, X, y, float(self.alpha))


class OLS(_LinearPredictor):
    r"""Ordinary least squares in closed form: minimise $\frac1n\lVert y - X\beta\rVert^2$.

    No intercept is fitted: as in the report, the constant is a column of
    ones in `X` (column 0 of [`design_matrix`][fyslearn.features.design_matrix]).

    The minimum-norm least-squares solution through the SVD (as
    `numpy.linalg.lstsq`), equal to scikit-learn's
    `LinearRegression(fit_intercept=False)` and to
    [`Ridge`][fyslearn.linear_model.Ridge] with `alpha=0`. Inputs of any
    magnitude are solved exactly as at magnitude one (the problem is scaled by
    powers of two before the SVD).

    Attributes:
        coef_: Fitted coefficients, shape `(n_features,)`.
        singular_values_: Singular values of the training design matrix, largest
            first, shape `(min(n_samples, n_features),)`.
        n_features_in_: Number of input features seen in `fit`.
        feature_names_in_: The inputs' column names, shape `(n_features_in_,)`, when `X`
            had string column names (a pandas DataFrame).

    Examples:
        >>> from fyslearn.datasets import make_franke
        >>> from fyslearn.features import design_matrix
        >>> from fyslearn.linear_model import OLS
        >>> X, z = make_franke(200, random_state=0)
        >>> D = design_matrix(X, degree=5)
        >>> model = OLS().fit(D, z)
        >>> model.coef_.shape
        (36,)
        >>> round(model.score(D, z), 2)
        0.63
    """

    def fit(self, X: ArrayLike, y: ArrayLike) -> OLS:
        r"""Solve for $\beta$ on `X` (shape `(n, p)`) and `y` (shape `(n,)`); returns `self`.

        Raises:
            ValueError: Bad input, or coefficients beyond the range of float64.
        """
        return _fit_closed_form(self, X, y, 0.0)


def _fit_closed_form(model: _LinearPredictor, X: ArrayLike, y: ArrayLike, alpha: float):
    """Solve for the coefficients; a failed fit leaves `model` as it was."""
    with fit_transaction([model]):
        X, y = validate_data(model, X, y, y_numeric=True, dtype=np.float64)
        coef, singular_values = _ridge_solution(X, y, alpha)
        model.coef_ = coef
        model.singular_values_ = singular_values
        model._record_fitted_params()
    return model


class SGDRegressor(ScikitLearnNames, _LinearPredictor):
    r"""OLS or Ridge fitted by mini-batch stochastic gradient descent.

    No intercept is fitted: as in the report, the constant is a column of
    ones in `X` (column 0 of [`design_matrix`][fyslearn.features.design_matrix]),
    and its coefficient is penalised like the others.

    Minimises $C(\beta) = \frac1n\lVert y-X\beta\rVert^2 + \alpha\lVert\beta\rVert^2$
    with the shared optimizer of [`fyslearn.optim`][fyslearn.optim]: each step uses the
    gradient $\frac2m X_B^T(X_B\beta - y_B) + 2\alpha\beta$ of a mini-batch
    $B$ of $m$ rows (D1, D2), momentum (D9) and, with `schedule="inverse"`,
    the decay $\eta_0/(e\,n_{\text{batches}} + 1)$ (D10). The starting point is
    $\beta \sim \mathcal N(0, 0.05^2)$, as in the report.

    Several models train at once as the columns of one matrix
    $B = [\beta_1 \cdots \beta_M]$ ([`fit_many`][fyslearn.fit_many]): the
    gradient of all of them is the same two matrix products
    ([`mse_gradient`][fyslearn.linear_model.mse_gradient]); one model is the
    case $M = 1$.

    Args:
        alpha: Penalty strength $\alpha \ge 0$ (the report's $\lambda$).
        learning_rate: Initial learning rate $\eta_0 > 0$.
        batch_size: Rows per mini-batch; `None` (or larger than the data) means
            the whole training set: plain gradient descent.
        epochs: Passes over the training data.
        schedule: `"constant"`, `"inverse"` (D10), `"invscaling"` or `"step"`.
        momentum: Momentum $\omega \in [0, 1)$.
        random_state: Seed (an int >= 0, numpy integers too), `numpy.random.Generator`
            or `numpy.random.RandomState`, for the initial coefficients and the shuffling;
            a model trained from a generator cannot be saved, use a seed.
        verbose: Show a progress bar when > 0.
        on_divergence: `"raise"` (a [`DivergenceError`][fyslearn.optim.DivergenceError],
            model left unfitted) or `"restore"` (keep the coefficients of the
            epoch with the lowest cost and warn; a model that diverges in its
            first epoch has nothing to restore and raises).
        penalty: `"l2"` ($\alpha\lVert\beta\rVert_2^2$, Ridge, the report's) or
            `"l1"` ($\alpha\lVert\beta\rVert_1$, Lasso, by its subgradient
            $\alpha\,\mathrm{sign}(\beta)$).
        solver: `"sgd"` (the report's, with `momentum`), `"adagrad"` (with
            `momentum`), `"rmsprop"` or `"adam"` ([`fyslearn.optim`][fyslearn.optim]).
        beta_1: Adam's decay $\beta_1 \in [0, 1)$ of the first moment.
        beta_2: Adam's decay $\beta_2 \in [0, 1)$ of the second moment.
        epsilon: $\epsilon > 0$ of Adagrad, RMSprop and Adam.
        rho: RMSprop's decay $\rho \in [0, 1)$.
        power_t: Exponent of the `"invscaling"` schedule, $\eta_0/(e + 1)^{p}$.
        decay_every: Epochs $k \ge 1$ between two drops of the `"step"` schedule,
            $\eta_0\,\gamma^{\lfloor e/k \rfloor}$.
        decay_factor: Factor $\gamma \in (0, 1]$ of each drop of the `"step"` schedule.
        validation_data: `(X_val, y_val)` whose MSE and cost are recorded after every
            epoch in `history_` (learning curves on test data), or `None`. Not saved
            with the model.

    Relation to scikit-learn: `sklearn.linear_model.Lasso` minimises
    $\frac1{2n}\lVert y - X\beta\rVert^2 + \alpha_{sk}\lVert\beta\rVert_1$, half our
    L1 cost when $\alpha_{sk} = \alpha/2$: the same minimiser (with
    `fit_intercept=False`). For L2 see [`Ridge`][fyslearn.linear_model.Ridge].

    Attributes:
        coef_: Fitted coefficients, shape `(n_features,)`.
        history_: Per-epoch arrays of shape `(n_iter_,)`, with the keys of
            [`MLPRegressor`][fyslearn.nn.MLPRegressor]'s: `"loss"` (the cost
            $C(\beta)$, MSE plus penalty), `"mse"`, and with `validation_data`
            `"val_loss"` and `"val_mse"`, each measured on the whole data set at the
            coefficients the epoch ends with (the networks record the training
            values as the mean over the epoch's mini-batches instead).
        loss_curve_: `history_["loss"]`, under scikit-learn's name.
        n_iter_: Number of completed epochs.
        n_features_in_: Number of input features seen in `fit`.
        feature_names_in_: The inputs' column names, shape `(n_features_in_,)`, when `X`
            had string column names (a pandas DataFrame).

    Examples:
        A learning curve on test data, recorded during training:

        >>> from fyslearn.datasets import make_franke
        >>> from fyslearn.features import design_matrix
        >>> from fyslearn.linear_model import SGDRegressor
        >>> X, z = make_franke(200, random_state=0)
        >>> D = design_matrix(X, degree=2)
        >>> D_train, D_test, z_train, z_test = D[:150], D[150:], z[:150], z[150:]
        >>> model = SGDRegressor(
        ...     learning_rate=0.1, epochs=200, random_state=0, validation_data=(D_test, z_test)
        ... )
        >>> model = model.fit(D_train, z_train)
        >>> model.n_iter_, sorted(model.history_)
        (200, ['loss', 'mse', 'val_loss', 'val_mse'])
        >>> round(float(model.history_["val_mse"][-1]), 3)
        0.043
    """

    parameter_constraints = MappingProxyType(
        {
            "alpha": NON_NEGATIVE,
            "learning_rate": SOLVER_DOMAINS["learning_rate"],
            "batch_size": [None, COUNT],
            "epochs": COUNT,
            "schedule": options(SCHEDULES),
            "momentum": SOLVER_DOMAINS["momentum"],
            "random_state": RANDOM_STATE,
            "verbose": VERBOSE,
            "on_divergence": options(ON_DIVERGENCE),
            "penalty": options(PENALTIES),
            "solver": options(SOLVERS),
            **{name: SOLVER_DOMAINS[name] for name in SOLVER_SETTINGS},
            "validation_data": VALIDATION_DATA,
        }
    )

    def __init__(
        self,
        *,
        alpha: float = 0.0,
        learning_rate: float = 0.01,
        batch_size: int = 10,
        epochs: int = 100,
        schedule: str = "constant",
        momentum: float = 0.0,
        random_state: int | np.random.Generator | None = None,
        verbose: int = 0,
        on_divergence: str = "raise",
        penalty: str = "l2",
        solver: str = "sgd",
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        rho: float = 0.9,
        power_t: float = 0.5,
        decay_every: int = 10,
        decay_factor: float = 0.5,
        validation_data: tuple[ArrayLike, ArrayLike] | None = None,
    ) -> None:
        self.alpha = alpha
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.schedule = schedule
        self.momentum = momentum
        self.random_state = random_state
        self.verbose = verbose
        self.on_divergence = on_divergence
        self.penalty = penalty
        self.solver = solver
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.rho = rho
        self.power_t = power_t
        self.decay_every = decay_every
        self.decay_factor = decay_factor
        self.validation_data = validation_data

    def _prepare_fit(self, X: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Check the data, as `fit` and `fit_many` both do (after `validate_params`)."""
        return validate_data(self, X, y, y_numeric=True, dtype=np.float64)

    def _validation_arrays(self, n_features: int) -> tuple[np.ndarray, np.ndarray] | None:
        """`validation_data` checked against the training data's `n_features`, or `None`."""
        if self.validation_data is None:
            return None
        X_val, y_val = self.validation_data
        X_val = check_array(X_val, dtype=np.float64, input_name="validation_data X_val")
        y_val = check_array(
            y_val, ensure_2d=False, dtype=np.float64, input_name="validation_data y_val"
        )
        if X_val.shape[1] != n_features:
            raise ValueError(
                f"validation_data X_val has {X_val.shape[1]} features, X has {n_features}."
            )
        if y_val.shape != (len(X_val),):
            raise ValueError(
                f"validation_data y_val must have shape ({len(X_val)},) to match X_val, "
                f"got {y_val.shape}."
            )
        return X_val, y_val

    @staticmethod
    def _initial_coefficients(rng: np.random.Generator, n_features: int) -> np.ndarray:
        r"""The starting point $\beta \sim \mathcal N(0, 0.05^2)$, drawn from `rng`."""
        return rng.normal(0.0, 0.05, size=n_features)

    def fit(self, X: ArrayLike, y: ArrayLike) -> SGDRegressor:
        """Train by mini-batch SGD on `X` (shape `(n, p)`) and `y` (shape `(n,)`); returns `self`.

        Raises:
            fyslearn.optim.DivergenceError: The cost became NaN, infinite or exploded.
        """
        with fit_transaction([self]):
            validate_params(self)
            X, y = self._prepare_fit(X, y)
            validation = self._validation_arrays(X.shape[1])
            ((coef, history, outcome),) = _train_columns([self], X, y, validation)
            message = self._finish_fit(coef, history, outcome, feature_scale_hint(X))
        if message is not None:
            warnings.warn(message, DivergenceWarning, stacklevel=2)
        warn_if_unconverged([self], stacklevel=2)
        return self

    @classmethod
    def fit_stack(cls, estimators: Sequence[SGDRegressor], X: ArrayLike, y: ArrayLike) -> list[str]:
        r"""Fit several models at once, as the columns of one matrix $B$.

        What [`fyslearn.fit_many`][fyslearn.fit_many] runs (use that: it also
        checks the list). Models whose generators agree after drawing $\beta$
        (the same `random_state`) share one shuffling order and so one
        mini-batch: their gradient is two matrix products for all of them.
        `batch_size`, `epochs` and `validation_data` must agree; every other setting may differ
        (models with different schedules, penalties or solvers train as separate stacks). The
        settings of every model are checked as its own `fit` would check them, and the data
        once, before any training. Each model ends as its own `fit(X, y)` would leave it, or
        unfitted if it diverged.

        Args:
            estimators: The models to fit.
            X: Design matrix shared by all of them, shape `(n, p)`.
            y: Targets, shape `(n,)`.

        Returns:
            One line per model that diverged or was restored, for a warning.
        """
        messages: dict[int, str | None] = {}
        with fit_transaction(estimators):
            for estimator in estimators:
                validate_params(estimator)
            for name in ("batch_size", "epochs"):
                if any(getattr(e, name) != getattr(estimators[0], name) for e in estimators):
                    raise ValueError(f"fit_many needs the same {name} for every estimator.")
            if any(
                not _same_pair(e.validation_data, estimators[0].validation_data) for e in estimators
            ):
                raise ValueError("fit_many needs the same validation_data for every estimator.")
            design, targets = estimators[0]._prepare_fit(X, y)  # the data, checked once for all
            validation = estimators[0]._validation_arrays(design.shape[1])
            record_features(estimators[1:], X)
            hint = feature_scale_hint(design)
            for kind in dict.fromkeys((e.schedule, e.penalty, e.solver) for e in estimators):
                group = [
                    k for k, e in enumerate(estimators) if (e.schedule, e.penalty, e.solver) == kind
                ]
                models = [estimators[k] for k in group]
                results = _train_columns(models, design, targets, validation)
                for k, result in zip(group, results, strict=True):
                    commit = functools.partial(estimators[k]._finish_fit, *result, hint)
                    messages[k] = settle(k, estimators[k], commit)
        warn_if_unconverged(estimators, stacklevel=3)
        return [messages[k] for k in sorted(messages) if messages[k] is not None]

    def _finish_fit(
        self, coef: np.ndarray, history: dict[str, np.ndarray], outcome: Outcome, hint: str = ""
    ) -> str | None:
        """Set the learned attributes; raise if training diverged; return a restore warning."""
        error = outcome.error(self.learning_rate, self.epochs, hint)
        if error is not None:
            raise error
        self.coef_ = coef
        self.history_ = history
        self.loss_curve_ = history["loss"]
        self.n_iter_ = outcome.epochs
        self._record_fitted_params()
        return outcome.warning()


class _Columns:
    """Saves and restores column `k` of $B$ (one model's coefficients)."""

    def __init__(self, B: np.ndarray) -> None:
        self.B = B

    def save(self, k: int) -> np.ndarray:
        return self.B[:, k].copy()

    def load(self, k: int, saved: np.ndarray) -> None:
        self.B[:, k] = saved


def _same_pair(a: object, b: object) -> bool:
    """Whether two `validation_data` values are both `None` or hold equal arrays."""
    if a is None or b is None:
        return a is b
    return all(np.array_equal(np.asarray(u), np.asarray(v)) for u, v in zip(a, b, strict=True))


def _train_columns(
    estimators: Sequence[SGDRegressor],
    X: np.ndarray,
    y: np.ndarray,
    validation: tuple[np.ndarray, np.ndarray] | None = None,
) -> list[tuple[np.ndarray, dict[str, np.ndarray], Outcome]]:
    r"""Mini-batch SGD on the columns of $B = [\beta_1 \cdots \beta_M]$, one per estimator.

    Every estimator draws its starting point and its shuffling order from its
    own generator, as if it trained alone; when all generators agree (one
    seed), one order serves all and each step is two matrix products for all
    columns (D1, D2), otherwise each column gathers its own rows.

    Returns:
        Per estimator: its coefficients `(p,)`, its `history_` (the cost and MSE
        after each counted epoch, on the training data and on `validation`),
        and how training ended.
    """
    first = estimators[0]
    rngs = [as_generator(e.random_state) for e in estimators]
    B = np.column_stack([SGDRegressor._initial_coefficients(rng, X.shape[1]) for rng in rngs])
    alphas = np.array([float(e.alpha) for e in estimators])
    batch_order, _ = shuffled_orders(rngs, len(y))
    per_column = {  # each model's setting on its own column of B
        name: np.array([float(value) for value in values])
        for name, values in {
            "learning_rate": [e.learning_rate for e in estimators],
            "momentum": [e.momentum for e in estimators],
            **solver_settings(estimators),
        }.items()
    }
    optimizer = make_optimizer(
        first.solver, [B], per_column.pop("learning_rate"), schedule=first.schedule, **per_column
    )
    history: dict[str, list] = {"loss": [], "mse": []}
    if validation is not None:
        history.update(val_loss=[], val_mse=[])

    def batch_gradients(rows: np.ndarray) -> list[np.ndarray]:
        # rows (m,): one mini-batch for all columns; (M, m): column k reads X[rows[k]]
        return [_mse_gradient(X[rows], y[rows], B, alphas, first.penalty)]

    def evaluate(epoch: int) -> dict[str, np.ndarray]:
        mse, cost = _cost_terms(X, y, B, alphas, first.penalty)
        history["mse"].append(mse)
        history["loss"].append(cost)
        if validation is not None:
            val_mse, val_cost = _cost_terms(*validation, B, alphas, first.penalty)
            history["val_mse"].append(val_mse)
            history["val_loss"].append(val_cost)
        return {"loss": cost}

    outcomes = run_epochs(
        optimizer,
        batch_gradients,
        n_samples=len(y),
        batch_size=len(y) if first.batch_size is None else int(first.batch_size),
        epochs=int(first.epochs),
        evaluate=evaluate,
        verbose=first.verbose,
        restore_best=[e.on_divergence == "restore" for e in estimators],
        description="SGDRegressor" if len(estimators) == 1 else f"{len(estimators)} models",
        batch_order=batch_order,
        snapshots=_Columns(B),
        initial_loss=_mse_cost(X, y, B, alphas, first.penalty),
    )
    columns = {
        key: np.asarray(values, dtype=float).reshape(len(values), len(estimators))
        for key, values in history.items()
    }
    return [
        (
            B[:, k].copy(),
            {key: values[: outcome.epochs, k].copy() for key, values in columns.items()},
            outcome,
        )
        for k, outcome in enumerate(outcomes)
    ]


readable_docstrings(globals())  # help() shows plain names where the site shows links

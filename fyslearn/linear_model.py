r"""Linear regression: closed form and by mini-batch SGD.

All models here minimise the same cost (D1, D2 of the report),

.. math::

    C(\beta) = \frac1n \lVert y - X\beta \rVert^2 + \alpha \lVert \beta \rVert^2,
    \qquad
    \nabla C = \frac2n X^T (X\beta - y) + 2\alpha\beta ,

with :math:`\alpha = 0` for ordinary least squares. No intercept is fitted:
the polynomial design matrix already has the constant column :math:`x^0y^0`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ._validation import (
    as_generator,
    check_non_negative_float,
    check_option,
    check_positive_int,
    forget_fit,
)
from .optim import SCHEDULES, SGD, DivergenceError, run_epochs
from .persistence import PersistenceMixin

__all__ = ["OLS", "Ridge", "SGDRegressor", "mse_cost", "mse_gradient"]

ON_DIVERGENCE = ("raise", "restore")


def mse_cost(X: ArrayLike, y: ArrayLike, beta: ArrayLike, alpha: float = 0.0) -> float:
    r"""Ridge cost, :math:`\frac1n\lVert y - X\beta\rVert^2 + \alpha\lVert\beta\rVert^2`."""
    X, y, beta = _check_linear_problem(X, y, beta)
    return _mse_cost(X, y, beta, check_non_negative_float(alpha, "alpha"))


def mse_gradient(X: ArrayLike, y: ArrayLike, beta: ArrayLike, alpha: float = 0.0) -> np.ndarray:
    r"""Gradient of the Ridge cost, :math:`\frac2n X^T (X\beta - y) + 2\alpha\beta` (D1, D2).

    Args:
        X: Design matrix, shape ``(n, p)``.
        y: Targets, shape ``(n,)``.
        beta: Coefficients, shape ``(p,)``.
        alpha: L2 penalty :math:`\alpha \ge 0` (the report's :math:`\lambda`); 0 gives OLS.

    Returns:
        The gradient, shape ``(p,)``.
    """
    X, y, beta = _check_linear_problem(X, y, beta)
    return _mse_gradient(X, y, beta, check_non_negative_float(alpha, "alpha"))


def _mse_cost(X: np.ndarray, y: np.ndarray, beta: np.ndarray, alpha: float) -> float:
    residual = X @ beta - y
    return float(residual @ residual / len(y) + alpha * (beta @ beta))


def _mse_gradient(X: np.ndarray, y: np.ndarray, beta: np.ndarray, alpha: float) -> np.ndarray:
    gradient = (2.0 / len(y)) * (X.T @ (X @ beta - y))  # D1
    if alpha:
        gradient += 2.0 * alpha * beta  # D2
    return gradient


def _check_linear_problem(X: ArrayLike, y: ArrayLike, beta: ArrayLike) -> tuple[np.ndarray, ...]:
    X, y, beta = (np.asarray(a, dtype=float) for a in (X, y, beta))
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {X.shape}.")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},) to match X, got {y.shape}.")
    if beta.shape != (X.shape[1],):
        raise ValueError(f"beta must have shape ({X.shape[1]},) to match X, got {beta.shape}.")
    if X.shape[0] == 0:
        raise ValueError("X and y are empty; at least one sample is needed.")
    for name, array in (("X", X), ("y", y), ("beta", beta)):
        if not np.all(np.isfinite(array)):
            raise ValueError(f"{name} contains NaN or infinity.")
    return X, y, beta


def _ridge_solve(X: np.ndarray, y: np.ndarray, alpha: float) -> np.ndarray:
    r"""Minimise the Ridge cost through the SVD :math:`X = U S V^T`.

    Setting the gradient to zero gives :math:`(X^TX + n\alpha I)\beta = X^Ty`,
    solved as :math:`\beta = V\,\mathrm{diag}\big(s/(s^2 + n\alpha)\big)\,U^T y`
    without forming :math:`X^TX` (which would square the condition number).
    For :math:`\alpha = 0` singular values below ``max(n, p) * eps * s_max``
    are dropped, as in ``numpy.linalg.lstsq``: the minimum-norm solution.
    """
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    n_alpha = len(y) * alpha
    if n_alpha == 0.0:
        cutoff = max(X.shape) * np.finfo(float).eps * (s[0] if s.size else 0.0)
        keep = s > cutoff
        factors = np.zeros_like(s)
        factors[keep] = 1.0 / s[keep]
    else:
        factors = s / (s**2 + n_alpha)
    return Vt.T @ (factors * (U.T @ y))


class _LinearPredictor(PersistenceMixin, RegressorMixin, BaseEstimator):
    """Shared ``predict`` of the linear models: :math:`\\hat y = X\\beta`."""

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Return :math:`X\\beta` for the fitted coefficients."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return X @ self.coef_


class Ridge(_LinearPredictor):
    r"""Ridge regression in closed form.

    Minimises :math:`\frac1n\lVert y-X\beta\rVert^2 + \alpha\lVert\beta\rVert^2`.

    Relation to scikit-learn: :class:`sklearn.linear_model.Ridge` minimises
    :math:`\lVert y-X\beta\rVert^2 + \alpha_{sk}\lVert\beta\rVert^2`, without the
    :math:`1/n`. Multiplying our cost by :math:`n` shows the two have the same
    minimiser when :math:`\alpha_{sk} = n\alpha` (and ``fit_intercept=False``).

    The system is solved through the SVD of :math:`X`, never with an explicit
    inverse of :math:`X^TX`: for the badly conditioned degree-14 bases the
    normal equations lose all significant digits.

    Args:
        alpha: L2 penalty :math:`\alpha \ge 0` (the report's :math:`\lambda`).

    Attributes:
        coef_: Fitted coefficients :math:`\beta`, shape ``(n_features,)``.
        singular_values_: Singular values of the training design matrix; their
            ratio is the condition number.
    """

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha

    def fit(self, X: ArrayLike, y: ArrayLike) -> Ridge:
        """Solve for :math:`\\beta`; returns ``self``."""
        return _fit_closed_form(self, X, y, check_non_negative_float(self.alpha, "alpha"))


class OLS(_LinearPredictor):
    r"""Ordinary least squares in closed form: minimise :math:`\frac1n\lVert y - X\beta\rVert^2`.

    The minimum-norm least-squares solution through the SVD (as
    ``numpy.linalg.lstsq``), equal to scikit-learn's
    ``LinearRegression(fit_intercept=False)`` and to :class:`Ridge` with ``alpha=0``.

    Attributes:
        coef_: Fitted coefficients, shape ``(n_features,)``.
        singular_values_: Singular values of the training design matrix.
    """

    def fit(self, X: ArrayLike, y: ArrayLike) -> OLS:
        """Solve for :math:`\\beta`; returns ``self``."""
        return _fit_closed_form(self, X, y, 0.0)


def _fit_closed_form(model: _LinearPredictor, X: ArrayLike, y: ArrayLike, alpha: float):
    X, y = validate_data(model, X, y, y_numeric=True, dtype=np.float64)
    model.coef_ = _ridge_solve(X, y, alpha)
    model.singular_values_ = np.linalg.svd(X, compute_uv=False)
    return model


class SGDRegressor(_LinearPredictor):
    r"""OLS or Ridge fitted by mini-batch stochastic gradient descent.

    Minimises :math:`C(\beta) = \frac1n\lVert y-X\beta\rVert^2 + \alpha\lVert\beta\rVert^2`
    with the shared optimiser of :mod:`fyslearn.optim`: each step uses the
    gradient :math:`\frac2m X_B^T(X_B\beta - y_B) + 2\alpha\beta` of a mini-batch
    :math:`B` of :math:`m` rows (D1, D2), momentum (D9) and, with
    ``schedule="inverse"``, the decay :math:`\eta_0/(e\,m + 1)` (D10).
    The starting point is :math:`\beta \sim \mathcal N(0, 0.05^2)`, as in the report.

    Args:
        alpha: L2 penalty :math:`\alpha \ge 0`.
        learning_rate: Initial learning rate :math:`\eta_0 > 0`.
        batch_size: Rows per mini-batch; larger than the data means full-batch gradient descent.
        epochs: Passes over the training data.
        schedule: ``"constant"`` or ``"inverse"``.
        momentum: Momentum :math:`\omega \in [0, 1)`.
        random_state: Seed for the initial coefficients and the shuffling.
        verbose: Show a progress bar when > 0.
        on_divergence: ``"raise"`` (a :class:`~fyslearn.optim.DivergenceError`,
            model left unfitted) or ``"restore"`` (keep the best finite
            coefficients and warn).

    Attributes:
        coef_: Fitted coefficients, shape ``(n_features,)``.
        loss_curve_: Training cost :math:`C(\beta)` after each epoch.
        n_iter_: Number of completed epochs.
    """

    def __init__(
        self,
        alpha: float = 0.0,
        learning_rate: float = 0.01,
        batch_size: int = 10,
        epochs: int = 100,
        schedule: str = "constant",
        momentum: float = 0.0,
        random_state: int | np.random.Generator | None = None,
        verbose: int = 0,
        on_divergence: str = "raise",
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

    def _check_params(self) -> tuple[float, int, int]:
        """Validated ``alpha``, ``batch_size`` and ``epochs`` (and the option names)."""
        check_option(self.schedule, "schedule", SCHEDULES)
        check_option(self.on_divergence, "on_divergence", ON_DIVERGENCE)
        return (
            check_non_negative_float(self.alpha, "alpha"),
            check_positive_int(self.batch_size, "batch_size"),
            check_positive_int(self.epochs, "epochs"),
        )

    @staticmethod
    def _initial_coefficients(rng: np.random.Generator, n_features: int) -> np.ndarray:
        r"""The starting point :math:`\beta \sim \mathcal N(0, 0.05^2)`, drawn from ``rng``."""
        return rng.normal(0.0, 0.05, size=n_features)

    def fit(self, X: ArrayLike, y: ArrayLike) -> SGDRegressor:
        """Train by mini-batch SGD; returns ``self``."""
        alpha, batch_size, epochs = self._check_params()
        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        rng = as_generator(self.random_state)

        beta = self._initial_coefficients(rng, X.shape[1])
        optimizer = SGD([beta], self.learning_rate, self.momentum, self.schedule)
        losses: list[float] = []

        def batch_gradients(rows: np.ndarray) -> list[np.ndarray]:
            return [_mse_gradient(X[rows], y[rows], beta, alpha)]

        def evaluate(epoch: int) -> dict[str, float]:
            losses.append(_mse_cost(X, y, beta, alpha))
            return {"loss": losses[-1]}

        try:
            n_epochs = run_epochs(
                optimizer,
                batch_gradients,
                n_samples=len(y),
                batch_size=batch_size,
                epochs=epochs,
                rng=rng,
                evaluate=evaluate,
                verbose=self.verbose,
                restore_best=self.on_divergence == "restore",
                description="SGDRegressor",
            )
        except DivergenceError:
            forget_fit(self)  # never leave NaN coefficients behind as a model
            raise
        self.n_iter_ = n_epochs
        self.coef_ = beta
        self.loss_curve_ = np.array(losses[: self.n_iter_])
        return self

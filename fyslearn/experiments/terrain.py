r"""Beyond the report: real terrain, polynomials of growing degree, SGD and networks.

The course's second regression set from 2020 to 2024 is real terrain
elevation. [load_terrain][fyslearn.datasets.load_terrain] cuts a patch of
matplotlib's sample elevation model (150 × 150 points around the Jacksboro
fault, every 5th row and column: 900 points spaced about 370–460 m apart),
scales the coordinates to $[0, 1]$ and standardises the heights. A random
fifth of the points is held out for testing. On the rest:

* **closed form**: [OLS][fyslearn.linear_model.OLS] and
  [Ridge][fyslearn.linear_model.Ridge] on the total-degree polynomial basis
  ([design_matrix][fyslearn.features.design_matrix]) of degree 1 to 15,
  scored by train and test MSE and $R^2$, by 5-fold cross-validation
  (scikit-learn's `KFold`) and, for Ridge, over a grid of degree × $\lambda$;
  every fit is compared with a reference: LAPACK's least squares
  (`scipy.linalg.lstsq`) and scikit-learn's `LinearRegression` for OLS,
  scikit-learn's `Ridge` (SVD and Cholesky solvers) for Ridge, together with
  the condition number $\kappa(X) = s_{max}/s_{min}$ of the design matrix;
* **bias–variance by bootstrap**: each degree is refitted on bootstrap
  resamples of the training points (`sklearn.utils.resample`, as in
  [fyslearn.resampling][fyslearn.resampling]) and its test error split
  into $\text{bias}^2$ and variance;
* **iterative fits**: the same OLS model at one degree by
  [SGDRegressor][fyslearn.linear_model.SGDRegressor] with plain SGD,
  momentum and Adam, against the closed form, and an L1 penalty by SGD
  against scikit-learn's `Lasso`; a 2–64–64–1 network
  ([MLPRegressor][fyslearn.nn.MLPRegressor], Adam) against scikit-learn's
  `MLPRegressor` with the same settings;
* **a held-out region**: the same models trained on the western three
  quarters of the patch and tested on the eastern quarter, which none of
  their training points touches.

Real data have no noise-free truth: the test MSE cannot be split into a
noise floor and an excess error as on the Franke data, and the bootstrap's
"bias²" holds whatever no model of the family can follow.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import scipy.linalg
from matplotlib.figure import Figure
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso as SkLasso
from sklearn.linear_model import LinearRegression as SkLinearRegression
from sklearn.linear_model import Ridge as SkRidge
from sklearn.metrics import mean_squared_error, r2_score
from sklearn.model_selection import KFold, train_test_split
from sklearn.neural_network import MLPRegressor as SkMLPRegressor
from sklearn.utils import resample

from ..datasets import Terrain, load_terrain
from ..features import design_matrix, n_monomials
from ..linear_model import OLS, Ridge, SGDRegressor
from ..nn import MLPRegressor
from ..resampling import bootstrap_scores
from ._common import Row, fmt
from ._contract import Result as _Result
from ._contract import run_in_tasks
from ._grids import heatmap, labels
from ._tasks import Task, merge_outputs

TITLE = "Beyond the report: terrain elevation, polynomials, SGD and networks vs scikit-learn"

#: Design matrices with a condition number up to this are "well conditioned": there
#: fyslearn's closed-form coefficients must equal the references to `AGREEMENT` (relative).
WELL_CONDITIONED = 1e8

#: The largest relative difference of coefficients allowed where the design is well conditioned.
AGREEMENT = 1e-8

#: The `tol` given to scikit-learn's `LinearRegression` so that it keeps every singular value.
SMALL_TOL = 1e-15

REFERENCES = (
    "lstsq",
    "sklearn_small_tol",
    "sklearn_default",
    "ridge_lstsq",
    "ridge_svd",
    "ridge_cholesky",
)

#: The references fyslearn's closed form must equal where the design is well conditioned.
EXACT_REFERENCES = ("lstsq", "sklearn_small_tol", "ridge_lstsq", "ridge_svd")


@dataclass(frozen=True)
class Config:
    r"""Settings of the terrain experiment.

    Attributes:
        rows: Rows `(start, stop)` of the elevation grid (row 0 is the northern edge).
        cols: Columns `(start, stop)` (column 0 is the western edge).
        stride: Every `stride`-th row and column is kept.
        test_size: Fraction of the points held out at random.
        basis: Polynomial basis of [design_matrix][fyslearn.features.design_matrix].
        degrees: Polynomial degrees of OLS and Ridge.
        ridge_alpha: Ridge's $\lambda$ in the curves against the degree.
        alphas: The $\lambda$ of the degree × $\lambda$ grid.
        n_folds: Folds of the cross-validation (`KFold`, shuffled).
        n_bootstraps: Bootstrap resamples of the bias–variance decomposition.
        sgd_degree: Degree of the models fitted by SGD.
        sgd_epochs: Their epochs.
        sgd_batch_size: Their mini-batch size.
        sgd_learning_rates: Learning rate of plain SGD, momentum and Adam.
        momentum: The momentum $\omega$.
        lasso_alpha: L1 penalty $\alpha$ (fyslearn's cost; scikit-learn's `Lasso` gets $\alpha/2$).
        hidden_layer_sizes: The network's hidden layers.
        activation: Its hidden activation.
        learning_rate: Its learning rate (Adam).
        batch_size: Its mini-batch size.
        epochs: Its epochs.
        region_split: The held-out region is the part of the patch east of this
            scaled coordinate $x$.
        seed: Seed of the split, the folds, the resamples and every model.
    """

    rows: tuple[int, int] = (150, 300)
    cols: tuple[int, int] = (150, 300)
    stride: int = 5
    test_size: float = 0.2
    basis: str = "total"
    degrees: tuple[int, ...] = tuple(range(1, 16))
    ridge_alpha: float = 1e-6
    alphas: tuple[float, ...] = (1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2)
    n_folds: int = 5
    n_bootstraps: int = 50
    sgd_degree: int = 5
    sgd_epochs: int = 1000
    sgd_batch_size: int = 32
    sgd_learning_rates: tuple[float, float, float] = (0.05, 0.01, 0.01)
    momentum: float = 0.9
    lasso_alpha: float = 1e-3
    hidden_layer_sizes: tuple[int, ...] = (64, 64)
    activation: str = "relu"
    learning_rate: float = 0.005
    batch_size: int = 32
    epochs: int = 300
    region_split: float = 0.75
    seed: int = 0

    @classmethod
    def quick(cls) -> Config:
        return cls(
            stride=15,
            degrees=(1, 3, 5),
            alphas=(1e-6, 1e-2),
            n_folds=3,
            n_bootstraps=5,
            sgd_degree=3,
            sgd_epochs=20,
            epochs=10,
        )


@dataclass(frozen=True)
class Result(_Result):
    r"""Scores of every model, the references' differences and the maps of the best fit.

    Scores are in the standardised units of the heights (an MSE times
    `height_std**2` is one in m²).

    Attributes:
        degrees: The polynomial degrees.
        alphas: The $\lambda$ of the grid.
        ridge_alpha: Ridge's $\lambda$ in the curves against the degree.
        sgd_degree: The degree of the SGD fits.
        n_folds: Folds of the cross-validation.
        hidden_layer_sizes: The networks' hidden layers.
        condition: $\kappa(X)$ of each degree's training design matrix, shape `(len(degrees),)`.
        closed_form: `"OLS"` and `"Ridge"` -> `{"train_mse", "test_mse", "train_r2",
            "test_r2", "cv_mse", "region_mse"}`, each of shape `(len(degrees),)`.
        differences: Reference -> the relative difference
            $\lVert\beta - \beta_{ref}\rVert/\lVert\beta_{ref}\rVert$ at each degree:
            `"lstsq"` (OLS vs `scipy.linalg.lstsq`), `"sklearn_small_tol"` (OLS vs
            `LinearRegression(tol=1e-15)`), `"sklearn_default"` (OLS vs
            `LinearRegression()`, which drops singular values below $10^{-6} s_{max}$),
            `"ridge_lstsq"` (Ridge vs `scipy.linalg.lstsq` of the stacked system
            $[X; \sqrt{n\lambda} I]\beta \approx [y; 0]$), `"ridge_svd"` and
            `"ridge_cholesky"` (Ridge vs scikit-learn's `Ridge` with these solvers).
        sklearn_default_train_mse: Train MSE of `LinearRegression()` at each degree.
        bias_variance: `"OLS"` and `"Ridge"` -> `{"error", "bias2", "variance"}`, each
            of shape `(len(degrees),)`.
        grid_test_mse: Ridge test MSE, shape `(len(degrees), len(alphas))`.
        grid_cv_mse: Ridge cross-validation MSE, same shape.
        best: The OLS degree of lowest CV MSE and the Ridge (degree, $\lambda$) of the
            grid's lowest CV MSE, with bootstrap test scores of both (`"ols_mse"`,
            `"ols_mse_std"`, `"ols_r2"`, `"ridge_mse"`, ...) and that of scikit-learn's
            `LinearRegression(tol=1e-15)` at the OLS degree on the same resamples.
        iterative: Model -> test MSE at `sgd_degree`: `"closed form"`, `"SGD"`,
            `"momentum"`, `"Adam"`, `"L1 SGD (Adam)"`, `"sklearn Lasso"`.
        networks: `"fyslearn"` and `"sklearn"` -> `{"test_mse", "region_mse"}`.
        heights: The patch in metres, shape `(n_rows, n_cols)`.
        fitted: The Ridge fit of lowest CV MSE (trained on the training points)
            on the whole patch in metres, same shape.
        height_mean: Mean height of the patch in metres.
        height_std: Standard deviation of its heights in metres.
        n_train: Training points of the random split.
    """

    degrees: list[int]
    alphas: list[float]
    ridge_alpha: float
    sgd_degree: int
    n_folds: int
    hidden_layer_sizes: list[int]
    condition: Any
    closed_form: dict[str, dict[str, Any]]
    differences: dict[str, Any]
    sklearn_default_train_mse: Any
    bias_variance: dict[str, dict[str, Any]]
    grid_test_mse: Any
    grid_cv_mse: Any
    best: dict[str, Any]
    iterative: dict[str, float]
    networks: dict[str, dict[str, float]]
    heights: Any
    fitted: Any
    height_mean: float
    height_std: float
    n_train: int


# -- data -----------------------------------------------------------------------------------------


def smallest_training_set(config: Config, data: Terrain) -> int:
    """Points of the smallest set a model is fitted on: a CV fold's or the western region's."""
    n_points = len(data.y)
    n_train = n_points - math.ceil(config.test_size * n_points)
    west = int(np.count_nonzero(data.X[:, 0] <= config.region_split))
    return min(n_train - math.ceil(n_train / config.n_folds), west)


def terrain(config: Config) -> Terrain:
    """The patch of `config`, refused (`ValueError`) if it cannot fit the highest degree.

    Raises:
        ValueError: A patch outside the grid, a bad `stride`, or a smallest
            training set with fewer points than the highest degree has coefficients.
    """
    data = load_terrain(config.rows, config.cols, config.stride)
    highest = max(*config.degrees, config.sgd_degree)
    n_coefficients = n_monomials(highest, config.basis)
    smallest = smallest_training_set(config, data)
    if smallest < n_coefficients:
        raise ValueError(
            f"the patch rows={config.rows}, cols={config.cols}, stride={config.stride} has "
            f"{len(data.y)} points; its smallest training set (a cross-validation fold or "
            f"the western region) has {smallest}, fewer than the {n_coefficients} "
            f"coefficients of degree {highest} ({config.basis} basis)."
        )
    return data


def random_split(config: Config, data: Terrain) -> tuple[np.ndarray, ...]:
    """`(X_train, X_test, y_train, y_test)`: a random fifth of the points held out."""
    return tuple(
        train_test_split(data.X, data.y, test_size=config.test_size, random_state=config.seed)
    )


def region_split(config: Config, data: Terrain) -> tuple[np.ndarray, ...]:
    """`(X_train, X_test, y_train, y_test)`: west of `region_split` trains, east tests."""
    east = data.X[:, 0] > config.region_split
    return data.X[~east], data.X[east], data.y[~east], data.y[east]


def _mse(model: Any, X: np.ndarray, y: np.ndarray) -> float:
    return float(mean_squared_error(y, model.predict(X)))


def _relative(beta: np.ndarray, reference: np.ndarray) -> float:
    return float(np.linalg.norm(beta - reference) / np.linalg.norm(reference))


# -- closed form ----------------------------------------------------------------------------------


def reference_differences(
    D: np.ndarray, y: np.ndarray, ols: OLS, ridge: Ridge, alpha: float
) -> dict[str, float]:
    """Relative coefficient differences of fyslearn's fits from every reference."""
    n = len(y)
    with warnings.catch_warnings():  # the normal equations of a high degree are near singular
        warnings.simplefilter("ignore")
        cholesky = SkRidge(alpha=n * alpha, fit_intercept=False, solver="cholesky").fit(D, y)
    # Ridge as least squares of the stacked system [D; √(nλ) I] β ≈ [y; 0]
    stacked = np.vstack([D, math.sqrt(n * alpha) * np.eye(D.shape[1])])
    padded = np.concatenate([y, np.zeros(D.shape[1])])
    references = {
        "lstsq": scipy.linalg.lstsq(D, y)[0],
        "ridge_lstsq": scipy.linalg.lstsq(stacked, padded)[0],
        "sklearn_small_tol": SkLinearRegression(fit_intercept=False, tol=SMALL_TOL).fit(D, y).coef_,
        "sklearn_default": SkLinearRegression(fit_intercept=False).fit(D, y).coef_,
        "ridge_svd": SkRidge(alpha=n * alpha, fit_intercept=False, solver="svd").fit(D, y).coef_,
        "ridge_cholesky": cholesky.coef_,
    }
    return {
        name: _relative(ridge.coef_ if name.startswith("ridge") else ols.coef_, beta)
        for name, beta in references.items()
    }


def cv_mse(make_model: Any, D: np.ndarray, y: np.ndarray, config: Config) -> float:
    """Mean validation MSE over the `n_folds` folds of scikit-learn's shuffled `KFold`."""
    folds = KFold(config.n_folds, shuffle=True, random_state=config.seed)
    errors = [
        _mse(make_model().fit(D[train], y[train]), D[valid], y[valid])
        for train, valid in folds.split(D)
    ]
    return float(np.mean(errors))


def fit_closed_form(config: Config) -> dict[str, Any]:
    """OLS and Ridge at every degree: scores, CV, the held-out region, the references."""
    data = terrain(config)
    X_train, X_test, y_train, y_test = random_split(config, data)
    W_train, W_test, v_train, v_test = region_split(config, data)
    models = {"OLS": OLS, "Ridge": lambda: Ridge(alpha=config.ridge_alpha)}
    scores: dict[str, dict[str, list[float]]] = {name: {} for name in models}
    differences: dict[str, list[float]] = {name: [] for name in REFERENCES}
    condition, sklearn_default = [], []
    grid_test = np.empty((len(config.degrees), len(config.alphas)))
    grid_cv = np.empty_like(grid_test)
    for k, degree in enumerate(config.degrees):
        D_train, D_test = (design_matrix(X, degree, config.basis) for X in (X_train, X_test))
        for name, make_model in models.items():
            model = make_model().fit(D_train, y_train)
            region = make_model().fit(design_matrix(W_train, degree, config.basis), v_train)
            entry = {
                "train_mse": _mse(model, D_train, y_train),
                "test_mse": _mse(model, D_test, y_test),
                "train_r2": float(r2_score(y_train, model.predict(D_train))),
                "test_r2": float(r2_score(y_test, model.predict(D_test))),
                "cv_mse": cv_mse(make_model, D_train, y_train, config),
                "region_mse": _mse(region, design_matrix(W_test, degree, config.basis), v_test),
            }
            for key, value in entry.items():
                scores[name].setdefault(key, []).append(value)
            if name == "OLS":
                ols = model
            else:
                ridge = model
        singular_values = ols.singular_values_
        condition.append(float(singular_values[0] / singular_values[-1]))
        for name, value in reference_differences(
            D_train, y_train, ols, ridge, config.ridge_alpha
        ).items():
            differences[name].append(value)
        default = SkLinearRegression(fit_intercept=False).fit(D_train, y_train)
        sklearn_default.append(_mse(default, D_train, y_train))
        for j, alpha in enumerate(config.alphas):
            grid_test[k, j] = _mse(Ridge(alpha=alpha).fit(D_train, y_train), D_test, y_test)
            grid_cv[k, j] = cv_mse(lambda a=alpha: Ridge(alpha=a), D_train, y_train, config)
    return {
        "condition": condition,
        "closed_form": scores,
        "differences": differences,
        "sklearn_default_train_mse": sklearn_default,
        "grid_test_mse": grid_test,
        "grid_cv_mse": grid_cv,
    }


# -- bias and variance ----------------------------------------------------------------------------


def bias_variance(predictions: np.ndarray, y_test: np.ndarray) -> dict[str, float]:
    r"""Split the mean squared test error of bootstrap fits into $\text{bias}^2$ and variance.

    With $\hat y_{ib}$ the prediction at test point $i$ of the fit to
    resample $b$ and $\bar y_i$ its mean over the resamples,

    $$
    \underbrace{\frac1{nB}\sum_{i,b}(y_i - \hat y_{ib})^2}_{\text{error}}
    = \underbrace{\frac1n\sum_i (y_i - \bar y_i)^2}_{\text{bias}^2}
    + \underbrace{\frac1{nB}\sum_{i,b}(\hat y_{ib} - \bar y_i)^2}_{\text{variance}},
    $$

    an identity. On real data $y_i$ is a measurement, not a noise-free
    truth, so "bias²" also holds the part of the heights no model can predict.

    Args:
        predictions: $\hat y_{ib}$, shape `(n_test, n_bootstraps)`.
        y_test: $y_i$, shape `(n_test,)`.

    Returns:
        `error`, `bias2` and `variance`.
    """
    mean_prediction = predictions.mean(axis=1)
    return {
        "error": float(np.mean((y_test[:, None] - predictions) ** 2)),
        "bias2": float(np.mean((y_test - mean_prediction) ** 2)),
        "variance": float(np.mean(predictions.var(axis=1))),
    }


def fit_bootstrap(config: Config) -> dict[str, Any]:
    """Bias–variance of OLS and Ridge at every degree, from `n_bootstraps` refits."""
    X_train, X_test, y_train, y_test = random_split(config, terrain(config))
    rng = np.random.RandomState(config.seed)  # resample takes a RandomState
    resamples = [
        resample(np.arange(len(y_train)), random_state=rng) for _ in range(config.n_bootstraps)
    ]
    out: dict[str, dict[str, list[float]]] = {"OLS": {}, "Ridge": {}}
    for degree in config.degrees:
        D_train, D_test = (design_matrix(X, degree, config.basis) for X in (X_train, X_test))
        for name, model in (("OLS", OLS()), ("Ridge", Ridge(alpha=config.ridge_alpha))):
            predictions = np.column_stack(
                [model.fit(D_train[rows], y_train[rows]).predict(D_test) for rows in resamples]
            )
            for key, value in bias_variance(predictions, y_test).items():
                out[name].setdefault(key, []).append(value)
    return {"bias_variance": out}


# -- iterative fits -------------------------------------------------------------------------------


def sgd_models(config: Config) -> dict[str, SGDRegressor]:
    """OLS by plain SGD, momentum and Adam, and the L1 penalty by Adam, at `sgd_degree`."""
    plain, with_momentum, adam = config.sgd_learning_rates
    common = {"batch_size": config.sgd_batch_size, "epochs": config.sgd_epochs}
    common["random_state"] = config.seed
    return {
        "SGD": SGDRegressor(learning_rate=plain, **common),
        "momentum": SGDRegressor(learning_rate=with_momentum, momentum=config.momentum, **common),
        "Adam": SGDRegressor(learning_rate=adam, solver="adam", **common),
        "L1 SGD (Adam)": SGDRegressor(
            learning_rate=adam, solver="adam", penalty="l1", alpha=config.lasso_alpha, **common
        ),
    }


def fit_iterative(config: Config) -> dict[str, Any]:
    """Test MSE of the SGD fits at `sgd_degree`, of the closed form and of scikit-learn's Lasso."""
    X_train, X_test, y_train, y_test = random_split(config, terrain(config))
    D_train, D_test = (design_matrix(X, config.sgd_degree, config.basis) for X in (X_train, X_test))
    scores = {"closed form": _mse(OLS().fit(D_train, y_train), D_test, y_test)}
    for name, model in sgd_models(config).items():
        scores[name] = _mse(model.fit(D_train, y_train), D_test, y_test)
    lasso = SkLasso(alpha=config.lasso_alpha / 2, fit_intercept=False, max_iter=100_000)
    with warnings.catch_warnings():  # a slow coordinate descent still gives its best iterate
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores["sklearn Lasso"] = _mse(lasso.fit(D_train, y_train), D_test, y_test)
    return {"iterative": scores}


def networks(config: Config) -> dict[str, Any]:
    """fyslearn's and scikit-learn's network (same layers, Adam, batch, epochs)."""
    return {
        "fyslearn": MLPRegressor(
            hidden_layer_sizes=config.hidden_layer_sizes,
            activation=config.activation,
            solver="adam",
            learning_rate=config.learning_rate,
            batch_size=config.batch_size,
            epochs=config.epochs,
            kernel_init="glorot_uniform",
            random_state=config.seed,
        ),
        "sklearn": SkMLPRegressor(
            hidden_layer_sizes=config.hidden_layer_sizes,
            activation=config.activation,
            solver="adam",
            learning_rate_init=config.learning_rate,
            batch_size=config.batch_size,
            max_iter=config.epochs,
            alpha=0.0,
            tol=0.0,
            n_iter_no_change=config.epochs + 1,  # exactly `epochs` passes, as fyslearn's
            random_state=config.seed,
        ),
    }


def fit_networks(config: Config) -> dict[str, Any]:
    """Both networks on the random split and on the held-out region."""
    data = terrain(config)
    scores: dict[str, dict[str, float]] = {}
    for split in ("test_mse", "region_mse"):
        X_train, X_test, y_train, y_test = (random_split if split == "test_mse" else region_split)(
            config, data
        )
        for name, model in networks(config).items():
            with warnings.catch_warnings():  # scikit-learn warns when max_iter ends the training
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.fit(X_train, y_train)
            scores.setdefault(name, {})[split] = _mse(model, X_test, y_test)
    return {"networks": scores}


# -- the experiment -------------------------------------------------------------------------------


def tasks(config: Config) -> list[Task]:
    """Four tasks: closed form, bootstrap, SGD, networks; the patch is checked first.

    Raises:
        ValueError: The patch is outside the grid, the stride is bad, or the
            smallest training set has fewer points than the highest degree has
            coefficients (see `terrain`).
    """
    terrain(config)
    return [
        Task(fit_closed_form, (config,), cost=6.0),
        Task(fit_bootstrap, (config,), cost=4.0),
        Task(fit_iterative, (config,), cost=0.004 * config.sgd_epochs),
        Task(fit_networks, (config,), cost=0.01 * config.epochs),
    ]


def best_models(config: Config, data: Terrain, outputs: dict[str, Any]) -> dict[str, Any]:
    """The OLS degree and Ridge (degree, λ) of lowest CV MSE, bootstrap-scored on the test set."""
    X_train, X_test, y_train, y_test = random_split(config, data)
    k = int(np.argmin(outputs["closed_form"]["OLS"]["cv_mse"]))
    i, j = np.unravel_index(np.argmin(outputs["grid_cv_mse"]), np.shape(outputs["grid_cv_mse"]))
    ols_degree, ridge_degree, ridge_alpha = config.degrees[k], config.degrees[i], config.alphas[j]
    D_train, D_test = (design_matrix(X, ols_degree, config.basis) for X in (X_train, X_test))
    ols = OLS().fit(D_train, y_train)
    boot = bootstrap_scores(ols, D_test, y_test, n_bootstraps=100, random_state=config.seed)
    reference = SkLinearRegression(fit_intercept=False, tol=SMALL_TOL).fit(D_train, y_train)
    R_train, R_test = (design_matrix(X, ridge_degree, config.basis) for X in (X_train, X_test))
    ridge = Ridge(alpha=ridge_alpha).fit(R_train, y_train)
    ridge_boot = bootstrap_scores(ridge, R_test, y_test, n_bootstraps=100, random_state=config.seed)
    fitted = ridge.predict(design_matrix(data.X, ridge_degree, config.basis))
    return {
        "best": {
            "ols_degree": ols_degree,
            "ols_mse": boot.mse_mean,
            "ols_mse_std": boot.mse_std,
            "ols_r2": boot.r2_mean,
            "sklearn_ols_mse": bootstrap_scores(
                reference, D_test, y_test, n_bootstraps=100, random_state=config.seed
            ).mse_mean,
            "ridge_degree": ridge_degree,
            "ridge_alpha": ridge_alpha,
            "ridge_mse": ridge_boot.mse_mean,
            "ridge_mse_std": ridge_boot.mse_std,
            "ridge_r2": ridge_boot.r2_mean,
        },
        "fitted": data.to_metres(fitted).reshape(data.shape),
        "heights": data.to_metres(data.y).reshape(data.shape),
    }


def assemble(config: Config, outputs: Sequence[dict[str, Any]]) -> Result:
    merged = merge_outputs(outputs)
    data = terrain(config)
    merged.update(best_models(config, data, merged))
    return Result(
        degrees=list(config.degrees),
        alphas=list(config.alphas),
        ridge_alpha=config.ridge_alpha,
        sgd_degree=config.sgd_degree,
        n_folds=config.n_folds,
        hidden_layer_sizes=list(config.hidden_layer_sizes),
        height_mean=data.height_mean,
        height_std=data.height_std,
        n_train=len(random_split(config, data)[2]),
        **merged,
    )


def run(config: Config = Config(), n_jobs: int | None = 1) -> Result:
    """The terrain experiment at `config`'s settings."""
    return run_in_tasks(tasks, assemble, config, n_jobs)


# -- what the result says -------------------------------------------------------------------------


def well_conditioned(result: Result) -> list[int]:
    r"""The degrees whose training design matrix has $\kappa(X) \le$ `WELL_CONDITIONED`."""
    pairs = zip(result.degrees, result.condition, strict=True)
    return [degree for degree, kappa in pairs if kappa <= WELL_CONDITIONED]


def largest_difference(result: Result, references: Sequence[str], degrees: Sequence[int]) -> float:
    """The largest relative coefficient difference from `references` over `degrees`."""
    index = [result.degrees.index(d) for d in degrees]
    values = [np.asarray(result.differences[name], dtype=float)[index] for name in references]
    return float(np.max(values)) if index else float("nan")


def _span(degrees: Sequence[int]) -> str:
    return f"{degrees[0]}–{degrees[-1]}" if len(degrees) > 1 else str(degrees[0])


# -- the figure -----------------------------------------------------------------------------------


def _map(ax: Any, values: Any, title: str, cmap: str, limits: tuple[float, float]) -> None:
    """A map of the patch, north up, coloured within `limits` (beyond: the end colours)."""
    image = ax.imshow(np.asarray(values, dtype=float), cmap=cmap, vmin=limits[0], vmax=limits[1])
    ax.set(xticks=[], yticks=[], xlabel="west → east", ylabel="south ← north")
    ax.set_title(title, fontsize=10)
    ax.figure.colorbar(image, ax=ax, fraction=0.046, label="m", extend="both")


def plot(result: Result) -> Figure:
    """Maps of patch, fit and residuals; errors, bias–variance, λ grid, references, other fits."""
    fig, axes = plt.subplots(3, 3, figsize=(14, 12.5))
    heights = np.asarray(result.heights, dtype=float)
    fitted = np.asarray(result.fitted, dtype=float)
    degree, best = result.best["ols_degree"], result.best
    span = (float(heights.min()), float(heights.max()))
    _map(axes[0, 0], heights, "terrain patch", "terrain", span)
    fit = f"Ridge fit, degree {best['ridge_degree']}, λ={best['ridge_alpha']:.0e}"
    _map(axes[0, 1], fitted, fit, "terrain", span)
    residual = heights - fitted
    largest = float(np.percentile(np.abs(residual), 99))
    _map(axes[0, 2], residual, "residual: terrain − fit", "RdBu_r", (-largest, largest))
    degrees = result.degrees
    ax = axes[1, 0]
    for name, color in (("OLS", "C0"), ("Ridge", "C1")):
        scores = result.closed_form[name]
        ax.plot(degrees, scores["train_mse"], ":", color=color, label=f"{name} train")
        ax.plot(degrees, scores["test_mse"], "o-", color=color, label=f"{name} test")
        ax.plot(degrees, scores["cv_mse"], "s--", color=color, label=f"{name} CV")
    ax.set(xlabel="polynomial degree", ylabel="MSE (standardised heights)", yscale="log")
    ax.set_title(f"train, test and CV error (Ridge λ={result.ridge_alpha:.0e})", fontsize=10)
    ax.legend(fontsize=7)
    ax = axes[1, 1]
    for name, style in (("OLS", "-"), ("Ridge", "--")):
        parts = result.bias_variance[name]
        for key, color in (("error", "k"), ("bias2", "C3"), ("variance", "C2")):
            label = {"error": "error", "bias2": "bias²", "variance": "variance"}[key]
            ax.plot(degrees, parts[key], style, color=color, label=f"{name} {label}")
    ax.set(xlabel="polynomial degree", ylabel="test MSE", yscale="log")
    ax.set_title("bias–variance by bootstrap", fontsize=10)
    ax.legend(fontsize=7, ncol=2)
    heatmap(
        axes[1, 2],
        np.asarray(result.grid_test_mse, dtype=float),
        [str(d) for d in degrees],
        labels(result.alphas),
        "Ridge test MSE",
    )
    axes[1, 2].set(xlabel="λ", ylabel="degree")
    for text in axes[1, 2].texts:
        text.set_fontsize(5)
    ax = axes[2, 0]
    ax.semilogy(degrees, result.condition, "k-o", label="κ(X)")
    ax.axhline(WELL_CONDITIONED, color="k", ls=":", lw=1)
    ax.set(xlabel="polynomial degree", ylabel="condition number κ(X)")
    twin = ax.twinx()
    names = {
        "lstsq": "OLS vs scipy lstsq",
        "sklearn_small_tol": "OLS vs LinearRegression(tol=1e-15)",
        "sklearn_default": "OLS vs LinearRegression()",
        "ridge_lstsq": "Ridge vs scipy lstsq (stacked)",
        "ridge_svd": "Ridge vs sklearn Ridge (svd)",
        "ridge_cholesky": "Ridge vs sklearn Ridge (cholesky)",
    }
    for k, (name, label) in enumerate(names.items()):
        values = np.maximum(np.asarray(result.differences[name], dtype=float), 1e-17)
        twin.semilogy(degrees, values, ".--", color=f"C{k}", label=label)
    twin.axhline(AGREEMENT, color="C3", lw=1)
    twin.set_ylabel("relative difference of coefficients")
    twin.legend(fontsize=6, loc="upper left")
    ax.set_title("conditioning and the references", fontsize=10)
    ax = axes[2, 1]
    names = list(result.iterative)
    ax.bar(range(len(names)), [result.iterative[n] for n in names], color="C0")
    ax.set_xticks(range(len(names)), names, rotation=30, fontsize=7, ha="right")
    ax.set_ylabel("test MSE")
    ax.set_title("iterative fits at one degree vs closed form", fontsize=10)
    ax = axes[2, 2]
    k = degrees.index(degree)
    bars = {
        f"OLS deg {degree}": (best["ols_mse"], result.closed_form["OLS"]["region_mse"][k]),
        "net fyslearn": (
            result.networks["fyslearn"]["test_mse"],
            result.networks["fyslearn"]["region_mse"],
        ),
        "net sklearn": (
            result.networks["sklearn"]["test_mse"],
            result.networks["sklearn"]["region_mse"],
        ),
    }
    positions = np.arange(len(bars))
    ax.bar(positions - 0.2, [v[0] for v in bars.values()], 0.4, label="random test points")
    ax.bar(positions + 0.2, [v[1] for v in bars.values()], 0.4, label="held-out eastern region")
    ax.set_xticks(positions, list(bars), fontsize=8)
    ax.set(yscale="log", ylabel="test MSE")
    ax.set_title("random points vs a held-out region", fontsize=10)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def rows(result: Result) -> list[Row]:
    good = well_conditioned(result)
    last = result.degrees[-1]
    kappa = float(result.condition[-1])
    everywhere = largest_difference(result, EXACT_REFERENCES, result.degrees)
    best, iterative, nets = result.best, result.iterative, result.networks
    metres = result.height_std
    ols_mse = float(result.closed_form["OLS"]["train_mse"][-1])
    sgd = " / ".join(fmt(iterative[name]) for name in ("SGD", "momentum", "Adam"))
    region = float(
        result.closed_form["OLS"]["region_mse"][result.degrees.index(best["ols_degree"])]
    )
    return [
        Row(
            "Terrain",
            "closed-form OLS and Ridge, largest relative difference of the coefficients from "
            "scipy's lstsq, LinearRegression(tol=1e-15) and Ridge (svd), degrees with κ(X) ≤ 1e8",
            f"not in the report; must be ≤ {AGREEMENT:.0e}",
            f"{_sci(largest_difference(result, EXACT_REFERENCES, good))} "
            f"(degrees {_span(good)}); {_sci(everywhere)} up to degree {last} (κ {kappa:.0e})"
            if good
            else f"no degree has κ(X) ≤ 1e8; {_sci(everywhere)} up to degree {last}",
            "",
        ),
        Row(
            "Terrain",
            f"OLS train MSE at degree {last}; scikit-learn LinearRegression() drops singular "
            "values below 1e-6 of the largest",
            "not in the report",
            fmt(ols_mse, 4),
            fmt(float(result.sklearn_default_train_mse[-1]), 4),
        ),
        Row(
            "Terrain",
            f"OLS, degree of lowest {result.n_folds}-fold CV MSE: test MSE / R² (RMS error in m)",
            "not in the report (course data 2020–2024)",
            f"{fmt(best['ols_mse'])} ± {fmt(best['ols_mse_std'])} / {fmt(best['ols_r2'], 2)} "
            f"(degree {best['ols_degree']}; {math.sqrt(best['ols_mse']) * metres:.0f} m)",
            fmt(best["sklearn_ols_mse"]),
        ),
        Row(
            "Terrain",
            "Ridge, (degree, λ) of lowest CV MSE: test MSE / R²",
            "not in the report",
            f"{fmt(best['ridge_mse'])} ± {fmt(best['ridge_mse_std'])} / {fmt(best['ridge_r2'], 2)} "
            f"(degree {best['ridge_degree']}, λ={best['ridge_alpha']:.0e})",
            "",
        ),
        Row(
            "Terrain",
            f"OLS at degree {result.sgd_degree} by SGD / momentum / Adam: test MSE (closed form)",
            "not in the report",
            f"{sgd} ({fmt(iterative['closed form'])})",
            "",
        ),
        Row(
            "Terrain",
            f"L1 penalty at degree {result.sgd_degree}: test MSE, fyslearn SGD (Adam) "
            "vs scikit-learn Lasso",
            "not in the report",
            fmt(iterative["L1 SGD (Adam)"]),
            fmt(iterative["sklearn Lasso"]),
        ),
        Row(
            "Terrain",
            f"network {_layers(result)} (Adam): test MSE; held-out eastern region",
            "not in the report",
            f"{fmt(nets['fyslearn']['test_mse'])}; {fmt(nets['fyslearn']['region_mse'])}",
            f"{fmt(nets['sklearn']['test_mse'])}; {fmt(nets['sklearn']['region_mse'])}",
        ),
        Row(
            "Terrain",
            f"OLS on the held-out eastern region: test MSE at degree {result.degrees[0]} / "
            f"{best['ols_degree']}",
            "not in the report",
            f"{fmt(float(result.closed_form['OLS']['region_mse'][0]))} / {_sci(region)}",
            "",
        ),
    ]


def _layers(result: Result) -> str:
    return "–".join(str(n) for n in (2, *result.hidden_layer_sizes, 1))


def _sci(value: float) -> str:
    return "diverged" if math.isnan(value) else f"{value:.1e}"

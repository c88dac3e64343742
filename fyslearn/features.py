r"""Polynomial design matrices in two variables.

A row of the design matrix holds the monomials $x^i y^j$ of one sample.
Two bases appear in the report:

* `"tensor"` (the report's text): all $0 \le i, j \le p$, that is
  $(p+1)^2$ columns, ordered with $i$ outer and $j$ inner:
  $1, y, y^2, \dots, x, xy, \dots, x^p y^p$.
* `"total"` (the report's code): total degree $i + j \le p$, that is
  $(p+1)(p+2)/2$ columns, ordered by degree and, within a degree, by
  rising power of $y$: $1, x, y, x^2, xy, y^2, \dots$.

At $p = 14$ the tensor basis contains monomials up to
$x^{14}y^{14}$ (degree 28); on 750 points in $[0,1]^2$ its columns
are so nearly dependent that the condition number of $X$ exceeds
$10^{15}$, and the least-squares fit interpolates the noise.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from numbers import Integral
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ._docstrings import readable_docstrings
from ._params import Interval, options, validate_params
from ._validation import check_option
from .persistence import PersistenceMixin

__all__ = [
    "BASES",
    "MAX_COLUMNS",
    "PolynomialDesign",
    "design_matrix",
    "monomial_powers",
    "n_monomials",
]

BASES = ("tensor", "total")
r"""The polynomial bases of [`design_matrix`][fyslearn.features.design_matrix]:
`"tensor"` ($x^i y^j$, $i, j \le p$) and `"total"` ($i + j \le p$).
"""


MAX_COLUMNS = 1_000_000
"""Most columns a design matrix may have (a guard against a mistyped degree or width)."""


def monomial_powers(degree: int, basis: str = "tensor", n_variables: int = 2) -> np.ndarray:
    """Return the exponents of the columns, one row per column.

    For two variables the rows are the pairs `(i, j)` of $x^i y^j$.
    More variables follow the same rules: every exponent `<= p` (tensor) or
    their sum `<= p` (total degree). Only the wanted exponents are generated,
    so the total-degree basis of many variables costs no more than its size.

    Args:
        degree: Highest power `p` (>= 0).
        basis: `"tensor"` for `0 <= i, j <= p` or `"total"` for `i + j <= p`.
        n_variables: Number of input variables (>= 1).

    Returns:
        Integer array of shape `(n_columns, n_variables)`.

    Raises:
        ValueError: A bad argument, or more than `MAX_COLUMNS` columns.
    """
    n_columns = n_monomials(degree, basis, n_variables)
    if basis == "tensor":
        rows = itertools.product(range(degree + 1), repeat=n_variables)
    else:
        rows = (
            powers for total in range(degree + 1) for powers in _compositions(total, n_variables)
        )
    flat = itertools.chain.from_iterable(rows)
    return np.fromiter(flat, dtype=int, count=n_columns * n_variables).reshape(-1, n_variables)


def n_monomials(degree: int, basis: str = "tensor", n_variables: int = 2) -> int:
    r"""Number of columns of [`monomial_powers`][fyslearn.features.monomial_powers], without
    building them: $(p+1)^d$ (tensor) or $\binom{p+d}{d}$ (total degree) for $d$ variables.

    Raises:
        ValueError: A bad argument, or more than `MAX_COLUMNS` columns.
    """
    _check_degree(degree)
    check_option(basis, "basis", BASES)
    if isinstance(n_variables, bool) or not isinstance(n_variables, (int, np.integer)):
        raise ValueError(f"n_variables must be an integer >= 1, got {n_variables!r}.")
    if n_variables < 1:
        raise ValueError(f"n_variables must be an integer >= 1, got {n_variables!r}.")
    degree, n_variables = int(degree), int(n_variables)
    if degree == 0:
        return 1
    count = 1
    for k in range(1, n_variables + 1):  # stops as soon as the count is too large
        count = count * (degree + 1) if basis == "tensor" else count * (degree + k) // k
        if count > MAX_COLUMNS:
            raise ValueError(
                f"degree {degree} in the {basis!r} basis of {n_variables} variables has more "
                f"than {MAX_COLUMNS} columns."
            )
    return count


def _compositions(total: int, n_variables: int) -> Iterator[tuple[int, ...]]:
    """Exponent tuples of `n_variables` entries summing to `total`, first entry falling."""
    if n_variables == 1:
        yield (total,)
        return
    for first in range(total, -1, -1):
        for rest in _compositions(total - first, n_variables - 1):
            yield (first, *rest)


def design_matrix(X: ArrayLike, degree: int, basis: str = "tensor") -> np.ndarray:
    r"""Build the polynomial design matrix $X_{n,c} = x_n^{i_c} y_n^{j_c}$.

    Args:
        X: Inputs of shape `(n_samples, 2)`, columns `x` and `y` (more
            columns are allowed and treated alike).
        degree: Highest power `p`.
        basis: `"tensor"` (`(p+1)**2` columns) or `"total"` (`(p+1)(p+2)/2`).

    Returns:
        Array of shape `(n_samples, n_columns)`; column order as in
        [`monomial_powers`][fyslearn.features.monomial_powers]. Column 0 is
        the constant 1 ($x^0 y^0$): the intercept of the linear models, which
        fit none of their own.

    Raises:
        ValueError: `X` is not 2-D, holds NaN, infinite or complex values, or its
            monomials exceed the range of float64 (scale `X` first).
    """
    if np.iscomplexobj(X):
        raise ValueError("X has complex values; design_matrix takes real inputs.")
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] < 1:
        raise ValueError(f"X must have shape (n_samples, 2), got {X.shape}.")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or infinity.")
    powers = monomial_powers(degree, basis, n_variables=X.shape[1])
    columns = np.ones((X.shape[0], len(powers)))
    with np.errstate(over="ignore", invalid="ignore"):  # checked just below, with a clear message
        for variable, exponents in enumerate(powers.T):
            columns *= X[:, variable : variable + 1] ** exponents
    if not np.all(np.isfinite(columns)):
        raise ValueError(
            f"the degree-{degree} design matrix of X exceeds the range of float64 (largest "
            f"|X| is {np.max(np.abs(X)):.3g}); scale X, e.g. to [0, 1], before building it."
        )
    return columns


def _check_degree(degree: object) -> None:
    if isinstance(degree, bool) or not isinstance(degree, (int, np.integer)) or degree < 0:
        raise ValueError(f"degree must be an integer >= 0, got {degree!r}.")


class PolynomialDesign(PersistenceMixin, TransformerMixin, BaseEstimator):
    """Scikit-learn transformer around [`design_matrix`][fyslearn.features.design_matrix].

    Args:
        degree: Highest power `p`.
        basis: `"tensor"` or `"total"`.

    Attributes:
        powers_: Exponents of the output columns, one row per column, shape
            `(n_output_features_, n_features_in_)` (pairs for the inputs `x`, `y`).
        n_output_features_: Number of columns produced.
        n_features_in_: Number of input features seen in `fit`.
        feature_names_in_: The inputs' column names, shape `(n_features_in_,)`, when `X`
            had string column names (a pandas DataFrame).

    Examples:
        >>> from fyslearn.features import PolynomialDesign
        >>> design = PolynomialDesign(degree=1).fit(np.array([[0.5, 2.0]]))
        >>> design.powers_.tolist()
        [[0, 0], [0, 1], [1, 0], [1, 1]]
        >>> design.transform(np.array([[0.5, 2.0]]))
        array([[1. , 2. , 0.5, 1. ]])
    """

    parameter_constraints = MappingProxyType(
        {"degree": Interval(Integral, 0, None, closed="left"), "basis": options(BASES)}
    )

    def __init__(self, degree: int = 2, basis: str = "tensor") -> None:
        self.degree = degree
        self.basis = basis

    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> PolynomialDesign:
        """Check the input and record the column exponents.

        Args:
            X: Inputs of shape `(n_samples, n_features)`.
            y: Ignored.

        Returns:
            The fitted transformer.
        """
        validate_params(self)
        X = validate_data(self, X)
        self.powers_ = monomial_powers(self.degree, self.basis, n_variables=X.shape[1])
        self.n_output_features_ = len(self.powers_)
        self._record_fitted_params()
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Return the design matrix of `X`.

        Args:
            X: Inputs of shape `(n_samples, n_features)`, as many features as in `fit`.

        Returns:
            Array of shape `(n_samples, n_output_features_)`.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return design_matrix(X, self.degree, self.basis)

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """Names such as `"x^2 y^1"` for each output column.

        Args:
            input_features: Names of the `n_features_in_` inputs (default `x`, `y`
                for two inputs, else `x0`, `x1`, ...).

        Returns:
            Object array of strings, shape `(n_output_features_,)`.
        """
        check_is_fitted(self)
        if input_features is None:
            input_features = (
                ["x", "y"]
                if self.n_features_in_ == 2
                else [f"x{k}" for k in range(self.n_features_in_)]
            )
        return np.array(
            [
                " ".join(f"{v}^{e}" for v, e in zip(input_features, row, strict=True))
                for row in self.powers_
            ],
            dtype=object,
        )


readable_docstrings(globals())  # help() shows plain names where the site shows links

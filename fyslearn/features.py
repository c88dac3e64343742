r"""Polynomial design matrices in two variables.

A row of the design matrix holds the monomials :math:`x^i y^j` of one sample.
Two bases appear in the report:

* ``"tensor"`` (the report's text): all :math:`0 \le i, j \le p`, that is
  :math:`(p+1)^2` columns, ordered with :math:`i` outer and :math:`j` inner:
  :math:`1, y, y^2, \dots, x, xy, \dots, x^p y^p`.
* ``"total"`` (the report's code): total degree :math:`i + j \le p`, that is
  :math:`(p+1)(p+2)/2` columns, ordered by degree and, within a degree, by
  rising power of :math:`y`: :math:`1, x, y, x^2, xy, y^2, \dots`.

At :math:`p = 14` the tensor basis contains monomials up to
:math:`x^{14}y^{14}` (degree 28); on 750 points in :math:`[0,1]^2` its columns
are so nearly dependent that the condition number of :math:`X` exceeds
:math:`10^{15}`, and the least-squares fit interpolates the noise.
"""

from __future__ import annotations

import itertools

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ._validation import check_option
from .persistence import PersistenceMixin

__all__ = ["BASES", "PolynomialDesign", "design_matrix", "monomial_powers"]

BASES = ("tensor", "total")


def monomial_powers(degree: int, basis: str = "tensor", n_variables: int = 2) -> np.ndarray:
    """Return the exponents of the columns, one row per column.

    For two variables the rows are the pairs ``(i, j)`` of :math:`x^i y^j`.
    More variables follow the same rules: every exponent ``<= p`` (tensor) or
    their sum ``<= p`` (total degree).

    Args:
        degree: Highest power ``p`` (>= 0).
        basis: ``"tensor"`` for ``0 <= i, j <= p`` or ``"total"`` for ``i + j <= p``.
        n_variables: Number of input variables.

    Returns:
        Integer array of shape ``(n_columns, n_variables)``.
    """
    _check_degree(degree)
    check_option(basis, "basis", BASES)
    tensor = list(itertools.product(range(degree + 1), repeat=n_variables))
    if basis == "tensor":
        return np.array(tensor, dtype=int).reshape(-1, n_variables)
    by_degree = [
        sorted((powers for powers in tensor if sum(powers) == total), reverse=True)
        for total in range(degree + 1)
    ]
    return np.array([p for group in by_degree for p in group], dtype=int).reshape(-1, n_variables)


def design_matrix(X: ArrayLike, degree: int, basis: str = "tensor") -> np.ndarray:
    r"""Build the polynomial design matrix :math:`X_{n,c} = x_n^{i_c} y_n^{j_c}`.

    Args:
        X: Inputs of shape ``(n_samples, 2)``, columns ``x`` and ``y`` (more
            columns are allowed and treated alike).
        degree: Highest power ``p``.
        basis: ``"tensor"`` (``(p+1)**2`` columns) or ``"total"`` (``(p+1)(p+2)/2``).

    Returns:
        Array of shape ``(n_samples, n_columns)``; column order as in :func:`monomial_powers`.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] < 1:
        raise ValueError(f"X must have shape (n_samples, 2), got {X.shape}.")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or infinity.")
    powers = monomial_powers(degree, basis, n_variables=X.shape[1])
    columns = np.ones((X.shape[0], len(powers)))
    for variable, exponents in enumerate(powers.T):
        columns *= X[:, variable : variable + 1] ** exponents
    return columns


def _check_degree(degree: object) -> None:
    if isinstance(degree, bool) or not isinstance(degree, (int, np.integer)) or degree < 0:
        raise ValueError(f"degree must be an integer >= 0, got {degree!r}.")


class PolynomialDesign(PersistenceMixin, TransformerMixin, BaseEstimator):
    """Scikit-learn transformer around :func:`design_matrix`, for pipelines.

    Args:
        degree: Highest power ``p``.
        basis: ``"tensor"`` or ``"total"``.

    Attributes:
        powers_: Exponent pairs of the output columns, shape ``(n_output_features_, 2)``.
        n_output_features_: Number of columns produced.
    """

    def __init__(self, degree: int = 2, basis: str = "tensor") -> None:
        self.degree = degree
        self.basis = basis

    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> PolynomialDesign:
        """Check the input and record the column exponents."""
        X = validate_data(self, X)
        self.powers_ = monomial_powers(self.degree, self.basis, n_variables=X.shape[1])
        self.n_output_features_ = len(self.powers_)
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Return the design matrix of ``X``."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return design_matrix(X, self.degree, self.basis)

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """Names such as ``"x^2 y^1"`` for each output column."""
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

r"""The weight penalties, shared by the linear models and the networks.

$$
R_{\mathrm{L2}}(w) = \alpha\lVert w\rVert_2^2 = \alpha\sum_j w_j^2, \qquad
R_{\mathrm{L1}}(w) = \alpha\lVert w\rVert_1 = \alpha\sum_j |w_j|,
$$

with gradients $2\alpha w$ (D2, the report's Ridge term) and
$\alpha\,\mathrm{sign}(w)$. The absolute value has no derivative at
$w_j = 0$; fyslearn uses the subgradient $\mathrm{sign}(0) = 0$, which leaves
a zero weight where it is (SymPy derives both in
[`l1_subgradient`][fyslearn.derivations.l1_subgradient]).

Every function takes one array `w` of any shape, or a stack of $M$ models
whose first axis is the model (`stacked=True`); `alpha` is then a float, or
an array that broadcasts against `w` (one value per model).
"""

from __future__ import annotations

import numpy as np

from ._docstrings import readable_docstrings

__all__ = ["PENALTIES", "penalty_gradient", "penalty_value"]

PENALTIES = ("l2", "l1")
"""The penalty names: the report's L2 (Ridge), and L1 (Lasso)."""


def penalty_value(w: np.ndarray, kind: str, stacked: bool = False) -> float | np.ndarray:
    r"""$\lVert w\rVert_2^2$ (L2) or $\lVert w\rVert_1$ (L1), without the factor $\alpha$.

    Args:
        w: The weights, any shape; with `stacked`, shape `(M, ...)`.
        kind: `"l2"` or `"l1"`.
        stacked: Sum over all axes but the first (one value per model).

    Returns:
        A float, or shape `(M,)` with `stacked`.
    """
    if not stacked:
        return float(np.abs(w).sum()) if kind == "l1" else float(np.vdot(w, w))
    flat = w.reshape(len(w), -1)
    return np.abs(flat).sum(axis=1) if kind == "l1" else np.einsum("ij,ij->i", flat, flat)


def penalty_gradient(
    w: np.ndarray, alpha: float | np.ndarray, kind: str, out: np.ndarray | None = None
) -> np.ndarray:
    r"""The penalty's gradient: $2\alpha w$ (L2, D2) or $\alpha\,\mathrm{sign}(w)$ (L1).

    Args:
        w: The weights, any shape.
        alpha: The strength $\alpha \ge 0$, a float or an array broadcasting against `w`
            (one value per model, or per weight).
        kind: `"l2"` or `"l1"`.
        out: Optional array for the result, shape of `w`.

    Returns:
        The gradient, shape of `w`.
    """
    if kind == "l1":
        out = np.sign(w, out=out)
        out *= alpha
        return out
    out = np.multiply(w, alpha, out=out)
    out *= 2.0  # 2αw, without a temporary array 2α when α is one per weight
    return out


readable_docstrings(globals())  # help() shows plain names where the site shows links

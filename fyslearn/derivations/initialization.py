r"""D11: Glorot (Xavier) uniform initialisation.

A layer :math:`z = aW` with :math:`n_{in}` inputs keeps the variance of its
signal when :math:`n_{in}\operatorname{Var}(W) = 1`; the backward pass keeps
the variance of its gradients when :math:`n_{out}\operatorname{Var}(W) = 1`.
Glorot and Bengio compromise on :math:`\operatorname{Var}(W) = 2/(n_{in}+n_{out})`,
and a uniform :math:`U(-a, a)` has variance :math:`a^2/3`, so
:math:`a = \sqrt{6/(n_{in}+n_{out})}`: the report's bound.
"""

from __future__ import annotations

import functools

import sympy as sp

from ._core import Derivation, Identity, Step

__all__ = ["glorot_uniform"]


@functools.cache
def glorot_uniform() -> Derivation:
    r"""D11: :math:`U(-a, a)` with :math:`a = \sqrt6/\sqrt{n_{in}+n_{out}}` has variance :math:`2/(n_{in}+n_{out})`.

    ``numeric()(n_in, n_out)`` is the bound :math:`a`.
    """  # noqa: E501
    w = sp.Symbol("w", real=True)
    a = sp.Symbol("a", positive=True)
    n_in, n_out = sp.symbols("n_{in} n_{out}", positive=True)
    density = 1 / (2 * a)
    mean = sp.integrate(w * density, (w, -a, a))
    variance = sp.integrate(w**2 * density, (w, -a, a)) - mean**2
    target = 2 / (n_in + n_out)
    bound = sp.solve(sp.Eq(variance, target), a)[0]
    report_bound = sp.sqrt(6) / sp.sqrt(n_in + n_out)
    return Derivation(
        name="glorot_uniform",
        title="Glorot uniform initialisation (D11)",
        summary=(
            "Choosing the uniform bound so that Var(W) = 2/(n_in + n_out) keeps signals and "
            "gradients of about equal size through the layers."
        ),
        steps=[
            Step("Variance of U(−a, a)", variance, lhs=r"\operatorname{Var}(w)"),
            Step("Glorot's condition", target, lhs=r"\operatorname{Var}(w)"),
            Step("Solving for the bound", bound, lhs="a"),
        ],
        result=report_bound,
        proofs=[
            Identity("The mean of U(−a, a) is 0", mean, 0),
            Identity("The solved bound is the report's √6/√(n_in + n_out)", bound, report_bound),
        ],
        numeric_factory=lambda: sp.lambdify([n_in, n_out], report_bound, modules="numpy"),
        report_reference="D11",
    )

r"""D11: Glorot (Xavier) uniform initialisation.

A layer $z = aW$ with $n_{in}$ inputs keeps the variance of its
signal when $n_{in}\operatorname{Var}(W) = 1$; the backward pass keeps
the variance of its gradients when $n_{out}\operatorname{Var}(W) = 1$.
Glorot and Bengio compromise on $\operatorname{Var}(W) = 2/(n_{in}+n_{out})$,
and a uniform $U(-a, a)$ has variance $a^2/3$, so
$a = \sqrt{6/(n_{in}+n_{out})}$: the report's bound.
"""

from __future__ import annotations

import functools

import sympy as sp

from ._core import Derivation, Identity, Step, numeric_twin

__all__ = ["glorot_uniform"]


@functools.cache
def glorot_uniform() -> Derivation:
    r"""D11: $U(-a, a)$ with $a = \sqrt6/\sqrt{n_{in}+n_{out}}$ has variance $2/(n_{in}+n_{out})$.

    `numeric()(n_in, n_out)` is the bound $a$ (numbers or arrays of one shape).
    """
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
            r"Choosing the uniform bound so that $\operatorname{Var}(W) = 2/(n_{in} + n_{out})$ "
            "keeps signals and gradients of about equal size through the layers."
        ),
        steps=[
            Step("Variance of $U(-a, a)$", variance, lhs=r"\operatorname{Var}(w)"),
            Step("Glorot's condition", target, lhs=r"\operatorname{Var}(w)"),
            Step("Solving for the bound", bound, lhs="a"),
        ],
        result=report_bound,
        proofs=[
            Identity("The mean of $U(-a, a)$ is 0", mean, 0),
            Identity(
                r"The solved bound is the report's $\sqrt{6}/\sqrt{n_{in} + n_{out}}$",
                bound,
                report_bound,
            ),
        ],
        numeric_factory=lambda: numeric_twin(
            sp.lambdify([n_in, n_out], report_bound, modules="numpy"),
            "glorot_uniform_numeric",
            ["n_in", "n_out"],
            "Glorot's bound $a$ of the uniform draws, lambdified.\n\n"
            "Args:\n    n_in: Inputs of the layer (a number or an array).\n"
            "    n_out: Outputs of the layer (same shape as `n_in`).\n\n"
            "Returns:\n    The bound, of the shape of `n_in`.",
        ),
        report_reference="D11",
    )

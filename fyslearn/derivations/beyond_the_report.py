r"""Formulas the later years of the course ask for: binary cross-entropy and the L1 penalty.

* The sigmoid output with binary cross-entropy has the output error
  $\delta = \partial C/\partial z = a - y$, the same form as softmax with
  cross-entropy (D7): the $1/(a(1-a))$ of the loss cancels the
  $\sigma'(z) = a(1-a)$ of the activation.
* The L1 penalty $\alpha|w|$ has the derivative $\alpha\,\mathrm{sign}(w)$
  away from $w = 0$; at $0$ it has none, and every value in $[-\alpha, \alpha]$
  is a subgradient. fyslearn takes $\mathrm{sign}(0) = 0$.

Both for one sample and one weight; fyslearn averages the loss over the $n$
samples of a batch, which divides the output error by $n$.
"""

from __future__ import annotations

import functools

import sympy as sp

from ._core import Derivation, Identity, Step, numeric_twin

__all__ = ["l1_subgradient", "sigmoid_binary_cross_entropy_delta"]

z, y = sp.symbols("z y", real=True)
w = sp.Symbol("w", real=True)
alpha = sp.Symbol("alpha", positive=True)


@functools.cache
def sigmoid_binary_cross_entropy_delta() -> Derivation:
    r"""$\delta = \partial C/\partial z = a - y$ for $a = \sigma(z)$ and binary cross-entropy."""
    a = 1 / (1 + sp.exp(-z))
    cost = -(y * sp.log(a) + (1 - y) * sp.log(1 - a))
    by_z = sp.diff(cost, z)
    by_a_symbol = sp.Symbol("a", positive=True)
    cost_in_a = -(y * sp.log(by_a_symbol) + (1 - y) * sp.log(1 - by_a_symbol))
    dC_da = sp.diff(cost_in_a, by_a_symbol)
    chain = dC_da.subs(by_a_symbol, a) * sp.diff(a, z)
    return Derivation(
        name="sigmoid_binary_cross_entropy_delta",
        title=r"Sigmoid output with binary cross-entropy: $\delta = a - y$",
        summary=(
            r"Two classes, one output $a = \sigma(z) = P(y = 1)$. The chain rule multiplies "
            r"$\partial C/\partial a = (a - y)/(a(1 - a))$ by $\sigma'(z) = a(1 - a)$, and the "
            "factors cancel: the output error is $a - y$, as for softmax with cross-entropy (D7)."
        ),
        steps=[
            Step("Binary cross-entropy of one sample", cost_in_a, lhs="C"),
            Step("Its derivative by the output", sp.simplify(dC_da), lhs=r"\partial C/\partial a"),
            Step(r"Chain rule through $a = \sigma(z)$", chain, lhs=r"\partial C/\partial z"),
            Step(
                r"SymPy differentiates $C(\sigma(z))$ directly", by_z, lhs=r"\partial C/\partial z"
            ),
        ],
        result=a - y,
        proofs=[
            Identity("The chain rule gives $a - y$", chain, a - y, display=r"\delta = a - y"),
            Identity("Direct differentiation gives $a - y$", by_z, a - y),
        ],
        numeric_factory=lambda: numeric_twin(
            sp.lambdify([z, y], a - y, modules="numpy"),
            "sigmoid_binary_cross_entropy_delta_numeric",
            ["z", "y"],
            "The output error $a - y$ with $a = \\sigma(z)$, lambdified from SymPy.\n\n"
            "Args:\n    z: Pre-activations, any shape.\n    y: Targets (0 or 1), shape of `z`.\n\n"
            "Returns:\n    $\\partial C/\\partial z$, shape of `z`.",
        ),
        report_reference="beyond the report (2021–2025 projects)",
    )


@functools.cache
def l1_subgradient() -> Derivation:
    r"""$\frac{d}{dw}\,\alpha|w| = \alpha\,\mathrm{sign}(w)$ for $w \ne 0$ (the L1 penalty)."""
    penalty = alpha * sp.Abs(w)
    derivative = sp.diff(penalty, w)
    positive, negative = sp.Symbol("p", positive=True), sp.Symbol("q", negative=True)
    return Derivation(
        name="l1_subgradient",
        title="The L1 penalty and its (sub)gradient",
        summary=(
            r"$\alpha|w|$ has slope $\alpha$ for $w > 0$ and $-\alpha$ for $w < 0$: the gradient "
            r"$\alpha\,\mathrm{sign}(w)$ pushes every weight towards zero by the same step, "
            r"whatever its size (L2's $2\alpha w$ shrinks large weights most). At $w = 0$ there "
            r"is no derivative; fyslearn uses $\mathrm{sign}(0) = 0$, a valid subgradient, so a "
            "zero weight stays zero."
        ),
        steps=[
            Step("The penalty of one weight", penalty, lhs="R(w)"),
            Step("SymPy's derivative", derivative, lhs="R'(w)"),
            Step("For $w > 0$", derivative.subs(w, positive), lhs="R'(w)"),
            Step("For $w < 0$", derivative.subs(w, negative), lhs="R'(w)"),
        ],
        result=alpha * sp.sign(w),
        proofs=[
            Identity(
                r"The derivative is $\alpha\,\mathrm{sign}(w)$", derivative, alpha * sp.sign(w)
            ),
            Identity(r"Slope $\alpha$ for $w > 0$", derivative.subs(w, positive), alpha),
            Identity(r"Slope $-\alpha$ for $w < 0$", derivative.subs(w, negative), -alpha),
        ],
        numeric_factory=lambda: numeric_twin(
            sp.lambdify([w, alpha], alpha * sp.sign(w), modules="numpy"),
            "l1_subgradient_numeric",
            ["w", "alpha"],
            "The subgradient $\\alpha\\,\\mathrm{sign}(w)$ (0 at $w = 0$), lambdified.\n\n"
            "Args:\n    w: Weights, any shape.\n    alpha: The penalty $\\alpha > 0$, a number.\n\n"
            "Returns:\n    The subgradient, shape of `w`.",
        ),
        report_reference="beyond the report (2021–2025 projects)",
    )

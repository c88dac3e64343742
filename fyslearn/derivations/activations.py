r"""D8: the derivatives of the activation functions (the report's Table 1).

SymPy differentiates each definition and proves that the result equals the
form the report prints (for the sigmoid $\sigma(1-\sigma)$, which is how
the code computes it from the stored activation, rather than SymPy's own
$e^{-z}/(1+e^{-z})^2$). ReLU and leaky ReLU are written as
`Piecewise` functions; their derivative at the kink $z = 0$ does not
exist, and the definitions below (`z > 0` first) give the left derivative
there, which is also fyslearn's numeric choice.

`numeric()` of each is a numpy function of `z`, an array of any shape.
"""

from __future__ import annotations

import functools

import sympy as sp

from ._core import Derivation, Identity, Step, numeric_twin

__all__ = [
    "leaky_relu_derivative",
    "relu_derivative",
    "sigmoid_derivative",
    "tanh_derivative",
]

z = sp.Symbol("z", real=True)
LEAKY_SLOPE = sp.Rational(1, 100)


def _activation_derivation(
    name: str,
    title: str,
    definition: sp.Basic,
    report_form: sp.Basic,
    summary: str,
    extra_steps: tuple[Step, ...] = (),
    extra_proofs: tuple[Identity, ...] = (),
) -> Derivation:
    derivative = sp.diff(definition, z)
    steps = [
        Step("Definition", definition, lhs=r"\sigma(z)"),
        Step("SymPy differentiates the definition", derivative, lhs=r"\sigma'(z)"),
        *extra_steps,
        Step("The report's form", report_form, lhs=r"\sigma'(z)"),
    ]
    return Derivation(
        name=f"{name}_derivative",
        title=title,
        summary=summary,
        steps=steps,
        result=report_form,
        proofs=[
            Identity("SymPy's derivative equals the report's form", derivative, report_form),
            *extra_proofs,
        ],
        numeric_factory=lambda: numeric_twin(
            sp.lambdify(z, report_form, modules="numpy"),
            f"{name}_derivative_numeric",
            ["z"],
            f"The derivative of {name} by SymPy (D8), lambdified.\n\n"
            "Args:\n    z: Pre-activations, an array of any shape (or a number).\n\n"
            "Returns:\n    The slopes, of the shape of `z`.",
        ),
        report_reference="D8",
    )


@functools.cache
def sigmoid_derivative() -> Derivation:
    r"""D8: $\sigma'(z) = \sigma(z)(1 - \sigma(z))$ for $\sigma(z) = 1/(1+e^{-z})$."""
    sigma = 1 / (1 + sp.exp(-z))
    report_form = sigma * (1 - sigma)
    cosh_form = 1 / (4 * sp.cosh(z / 2) ** 2)
    return _activation_derivation(
        "sigmoid",
        "Sigmoid (D8)",
        sigma,
        report_form,
        r"The sigmoid's slope is $\sigma(1 - \sigma)$: at most $1/4$ (at $z = 0$), and "
        "nearly 0 once $|z|$ exceeds a few units, which is why sigmoid networks learn "
        "slowly (Figure 7).",
        extra_steps=(Step("Equivalently, in hyperbolic form", cosh_form, lhs=r"\sigma'(z)"),),
        extra_proofs=(
            Identity("The hyperbolic form is the same function", cosh_form, report_form),
            Identity(
                "The largest slope, at $z = 0$, is $1/4$", report_form.subs(z, 0), sp.Rational(1, 4)
            ),
        ),
    )


@functools.cache
def relu_derivative() -> Derivation:
    r"""D8: $R'(z) = 1$ for $z > 0$, 0 otherwise."""
    relu = sp.Piecewise((z, z > 0), (0, True))
    report_form = sp.Piecewise((1, z > 0), (0, True))
    return _activation_derivation(
        "relu",
        "ReLU (D8)",
        relu,
        report_form,
        "ReLU passes positive inputs with slope 1 and blocks negative ones with slope 0; "
        "a unit whose input stays negative stops learning (a 'dying ReLU'). At $z = 0$ the "
        "derivative is undefined; fyslearn uses 0.",
        extra_proofs=(Identity(r"ReLU is $\max(0, z)$", relu, sp.Max(0, z)),),
    )


@functools.cache
def leaky_relu_derivative() -> Derivation:
    r"""D8: $R_s'(z) = 1$ for $z > 0$, $s = 0.01$ otherwise.

    ($s$ is `negative_slope` in [LeakyReLU][fyslearn.nn.activations.LeakyReLU];
    the report calls it $\alpha$, which in fyslearn is the L2 penalty.)
    """
    leaky = sp.Piecewise((z, z > 0), (LEAKY_SLOPE * z, True))
    report_form = sp.Piecewise((1, z > 0), (LEAKY_SLOPE, True))
    return _activation_derivation(
        "leaky_relu",
        "Leaky ReLU (D8)",
        leaky,
        report_form,
        r"Leaky ReLU keeps a small slope $s = 0.01$ (the negative slope) for negative "
        r"inputs, so no unit stops learning for good. At $z = 0$ fyslearn uses $s$.",
    )


@functools.cache
def tanh_derivative() -> Derivation:
    r"""$\tanh'(z) = 1 - \tanh^2 z$."""
    return _activation_derivation(
        "tanh",
        "Hyperbolic tangent",
        sp.tanh(z),
        1 - sp.tanh(z) ** 2,
        r"$\tanh$ is a rescaled sigmoid, $\tanh z = 2\sigma(2z) - 1$, centred at 0, with "
        r"slope $1 - \tanh^2 z$ (at most 1).",
        extra_proofs=(
            Identity(
                r"$\tanh z = 2\sigma(2z) - 1$, a rescaled sigmoid",
                sp.tanh(z).rewrite(sp.exp),
                (2 / (1 + sp.exp(-2 * z)) - 1),
            ),
        ),
    )

r"""D6, D7: the output error of the two losses.

- D6: for $C = \sum_k (y_k - a_k)^2$, $\partial C/\partial a_k = -2(y_k - a_k)$.
- D7: for a softmax output $a = S(z)$ and $C = -\sum_k y_k \ln a_k$, the chain
  rule through the full softmax Jacobian gives
  $\delta_i = \partial C/\partial z_i = a_i\sum_k y_k - y_i$, which is
  $a_i - y_i$ when the targets sum to one (one-hot labels).

Both for one sample; fyslearn averages over the $n$ samples of a batch,
which divides every gradient by $n$.
"""

from __future__ import annotations

import functools

import sympy as sp

from ._core import Derivation, Erratum, Identity, Step, numeric_twin

__all__ = ["mse_output_gradient", "softmax_cross_entropy_delta"]

#: Numbers of classes for which the softmax results are proved with explicit symbols.
PROOF_CLASSES = (3, 4)


def _softmax_symbols(K: int) -> tuple[list[sp.Symbol], list[sp.Symbol], list[sp.Basic]]:
    zs = list(sp.symbols(f"z_1:{K + 1}", real=True))
    ys = list(sp.symbols(f"y_1:{K + 1}", real=True))
    denominator = sum(sp.exp(zk) for zk in zs)
    return zs, ys, [sp.exp(zk) / denominator for zk in zs]


@functools.cache
def mse_output_gradient() -> Derivation:
    r"""D6: $\partial C/\partial a_k = -2(y_k - a_k)$ for $C = \sum_k (y_k - a_k)^2$.

    `numeric()(y, a)` is the gradient for targets `y` and outputs `a`, both of shape `(3,)`.
    """
    K = 3
    a = list(sp.symbols(f"a_1:{K + 1}", real=True))
    y = list(sp.symbols(f"y_1:{K + 1}", real=True))
    cost = sum((yk - ak) ** 2 for yk, ak in zip(y, a, strict=True))
    gradient = sp.Matrix([sp.diff(cost, ak) for ak in a])
    report_form = sp.Matrix([-2 * (yk - ak) for yk, ak in zip(y, a, strict=True)])
    return Derivation(
        name="mse_output_gradient",
        title="Gradient of the squared error at the output (D6)",
        summary=(
            r"Each output's error enters its own term only, so "
            r"$\partial C/\partial a_k = -2(y_k - a_k)$."
        ),
        steps=[
            Step(f"Squared error of one sample with {K} outputs", cost, lhs="C"),
            Step("SymPy's gradient", gradient, lhs=r"\nabla_a C"),
        ],
        result=report_form,
        proofs=[Identity("The gradient is $-2(y - a)$", gradient, report_form)],
        numeric_factory=lambda: numeric_twin(
            sp.lambdify([y, a], list(report_form), modules="numpy"),
            "mse_output_gradient_numeric",
            ["y", "a"],
            "The gradient $-2(y - a)$ of one sample's squared error (D6).\n\n"
            "Args:\n    y: Targets, shape `(3,)`.\n    a: Outputs, shape `(3,)`.\n\n"
            "Returns:\n    The gradient by `a`, a list of 3 numbers.",
        ),
        report_reference="D6",
    )


def _softmax_jacobian(K: int) -> tuple[sp.Matrix, sp.Matrix, list]:
    r"""SymPy's softmax Jacobian $\partial a_k/\partial z_i$ and the corrected closed form."""
    zs, _, a = _softmax_symbols(K)
    jacobian = sp.Matrix(K, K, lambda k, i: sp.diff(a[k], zs[i]))
    closed = sp.Matrix(K, K, lambda k, i: a[k] * (sp.KroneckerDelta(i, k) - a[i]))
    return jacobian, closed, a


def _jacobian_erratum() -> Erratum:
    K = 3
    jacobian, closed, a = _softmax_jacobian(K)
    # As printed, S(z_j) δ_ik − S(z_k) S(z_j): the index j is free. Read with j = k,
    # the other index of the entry, it puts −S_k² off the diagonal.
    printed = sp.Matrix(K, K, lambda k, i: a[k] * sp.KroneckerDelta(i, k) - a[k] * a[k])
    return Erratum(
        title=r"Softmax Jacobian: $\partial S(z_k)/\partial z_i = S(z_k)(\delta_{ik} - S(z_i))$",
        printed=printed,
        corrected=closed,
        proof=Identity(
            r"SymPy's Jacobian equals $S_k(\delta_{ik} - S_i)$ ($K = 3$)", jacobian, closed
        ),
        explanation=(
            r"The report prints $S(z_j)\delta_{ik} - S(z_k)S(z_j)$, in which $j$ is not an "
            "index of the entry; it is right only if $j$ is read as $i$. Read with $j = k$, "
            "the off-diagonal entries become $-S(z_k)^2$ instead of $-S(z_k)S(z_i)$."
        ),
        printed_display=r"\frac{\partial S(z_k)}{\partial z_i} = S(z_j)\delta_{ik} - S(z_k)S(z_j)",
        corrected_display=r"\frac{\partial S(z_k)}{\partial z_i} = S(z_k)(\delta_{ik} - S(z_i))",
    )


def _one_hot_erratum() -> Erratum:
    K = 3
    zs, ys, a = _softmax_symbols(K)
    cost = -sum(yk * sp.log(ak) for yk, ak in zip(ys, a, strict=True))
    direct = sp.Matrix([sp.diff(cost, zi) for zi in zs])
    general = sp.Matrix([a[i] * sum(ys) - ys[i] for i in range(K)])
    return Erratum(
        title=r"$\gamma_i = a_i - y_i$ holds only when the targets sum to one",
        printed=sp.Matrix([a[i] - ys[i] for i in range(K)]),
        corrected=general,
        proof=Identity(
            r"The general output error is $a_i \sum_k y_k - y_i$ ($K = 3$)", direct, general
        ),
        explanation=(
            r"Carrying out the chain rule gives $\gamma_i = a_i \sum_k y_k - y_i$; the "
            r"report's $\gamma_i = a_i - y_i$ needs $\sum_k y_k = 1$, which one-hot labels "
            "(and any probability vector) satisfy."
        ),
        printed_display=r"\gamma_i = a_i - y_i",
        corrected_display=(
            r"\gamma_i = a_i \sum_k y_k - y_i \;=\; a_i - y_i \text{ if } \sum_k y_k = 1"
        ),
    )


@functools.cache
def softmax_cross_entropy_delta() -> Derivation:
    r"""D7: softmax + cross-entropy output error $\delta_i = a_i - y_i$ for one-hot targets.

    `numeric()(z, y)` evaluates SymPy's $\partial C/\partial z$ of one
    sample, shape `(K,)`, for pre-activations `z` and targets `y` of shape
    `(K,)` with `K` 3 or 4, for comparison with fyslearn's fused output error.
    """
    i, k = sp.symbols("i k", integer=True)
    K_symbol = sp.Symbol("K", integer=True, positive=True)
    S, y, a_sym = sp.IndexedBase("S"), sp.IndexedBase("y"), sp.IndexedBase("a")
    steps = [
        Step(
            "Cross-entropy of one sample",
            -sp.Sum(y[k] * sp.log(a_sym[k]), (k, 1, K_symbol)),
            lhs="C",
        ),
        Step(
            "Chain rule through every output (softmax couples them)",
            sp.Sum(
                sp.Symbol(r"\frac{\partial C}{\partial a_k}")
                * sp.Symbol(r"\frac{\partial a_k}{\partial z_i}"),
                (k, 1, K_symbol),
            ),
            lhs=r"\delta_i",
        ),
        Step(
            "Softmax Jacobian (SymPy, corrected form)",
            S[k] * (sp.KroneckerDelta(i, k) - S[i]),
            lhs=r"\frac{\partial a_k}{\partial z_i}",
        ),
        Step("Loss gradient", -y[k] / a_sym[k], lhs=r"\frac{\partial C}{\partial a_k}"),
        Step("Summing over $k$", a_sym[i] * sp.Sum(y[k], (k, 1, K_symbol)) - y[i], lhs=r"\delta_i"),
        Step(r"With one-hot targets, $\sum_k y_k = 1$", a_sym[i] - y[i], lhs=r"\delta_i"),
    ]
    proofs = []
    for K in PROOF_CLASSES:
        zs, ys, a = _softmax_symbols(K)
        cost = -sum(yk * sp.log(ak) for yk, ak in zip(ys, a, strict=True))
        direct = sp.Matrix([sp.diff(cost, zi) for zi in zs])
        jacobian, closed, _ = _softmax_jacobian(K)  # same symbols: built from _softmax_symbols
        loss_gradient = sp.Matrix([-ys[k_] / a[k_] for k_ in range(K)])
        chain = jacobian.T * loss_gradient  # δ_i = Σ_k ∂C/∂a_k ∂a_k/∂z_i
        proofs += [
            Identity(rf"$K = {K}$: the Jacobian is $S_k(\delta_{{ik}} - S_i)$", jacobian, closed),
            Identity(
                rf"$K = {K}$: the chain rule gives $a_i \sum_k y_k - y_i$",
                chain,
                sp.Matrix([a[j] * sum(ys) - ys[j] for j in range(K)]),
            ),
            Identity(f"$K = {K}$: differentiating $C$ directly gives the same", direct, chain),
            Identity(
                rf"$K = {K}$: with $\sum_k y_k = 1$ this is $a_i - y_i$",
                direct,
                sp.Matrix([a[j] - ys[j] for j in range(K)]),
                assuming={ys[-1]: 1 - sum(ys[:-1])},
            ),
        ]
    return Derivation(
        name="softmax_cross_entropy_delta",
        title="Softmax with cross-entropy (D7)",
        summary=(
            "Through the full softmax Jacobian the output error of cross-entropy is "
            r"$\delta_i = a_i \sum_k y_k - y_i$, which is $a_i - y_i$ for one-hot targets: "
            "no division by a probability, no Jacobian in the code."
        ),
        steps=steps,
        result=a_sym[i] - y[i],
        proofs=proofs,
        errata=[_jacobian_erratum(), _one_hot_erratum()],
        numeric_factory=_softmax_delta_numeric,
        report_reference="D7",
    )


@functools.cache
def _lambdified_softmax_delta(K: int):
    zs, ys, a = _softmax_symbols(K)
    cost = -sum(yk * sp.log(ak) for yk, ak in zip(ys, a, strict=True))
    return sp.lambdify([zs, ys], [sp.diff(cost, zi) for zi in zs], modules="numpy")


def _softmax_delta_numeric():
    import numpy as np

    def delta(z, y):
        r"""SymPy's $\partial C/\partial z$ of one sample's softmax cross-entropy (D7).

        Args:
            z: Pre-activations of the output, shape `(K,)`.
            y: Targets, shape `(K,)`.

        Returns:
            The output error, shape `(K,)`.
        """
        z, y = np.asarray(z, dtype=float), np.asarray(y, dtype=float)
        if z.ndim != 1 or y.shape != z.shape:
            raise ValueError(
                "softmax_cross_entropy_delta's twin takes (z, y) of one sample, each of shape "
                f"(K,); got z {z.shape} and y {y.shape}."
            )
        return np.array(_lambdified_softmax_delta(len(z))(z, y), dtype=float)

    return delta

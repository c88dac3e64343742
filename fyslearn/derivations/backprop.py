r"""D3–D5: backpropagation, checked against SymPy differentiating the whole network.

For small networks written out symbol by symbol (2–2–1 and 2–3–2, sigmoid
hidden layer, linear output, squared error of one sample), SymPy
differentiates the cost :math:`C = \sum_k (y_k - a^2_k)^2` directly with
respect to every weight and bias, and the results are proved equal to what
the backpropagation equations give:

.. math::

    \delta^2 = \nabla_a C \odot \sigma_2'(z^2) \;\text{(D3)},\quad
    \delta^1 = (\delta^2 (W^2)^T) \odot \sigma_1'(z^1) \;\text{(D4)},\quad
    \frac{\partial C}{\partial W^l} = (a^{l-1})^T\delta^l,\;
    \frac{\partial C}{\partial b^l} = \delta^l \;\text{(D5)}.

Rows are samples, as in fyslearn (:math:`z^l = a^{l-1}W^l + b^l`); the report
writes the transpose, :math:`z^l = W a^{l-1} + b`.
"""

from __future__ import annotations

import functools

import sympy as sp

from ._core import Derivation, Erratum, Identity, Step

__all__ = ["backpropagation"]

#: (inputs, hidden units, outputs) of the networks proved symbol by symbol.
PROOF_NETWORKS = ((2, 2, 1), (2, 3, 2))


class _sigmoid(sp.Function):
    r"""The sigmoid as a SymPy function whose derivative is :math:`\sigma(1-\sigma)`.

    That derivative is proved from :math:`1/(1+e^{-z})` by
    :func:`~fyslearn.derivations.sigmoid_derivative` (and again below); keeping
    :math:`\sigma` opaque here makes the backpropagation proofs polynomial
    identities, which SymPy settles by expansion in milliseconds.
    """

    def fdiff(self, argindex: int = 1) -> sp.Basic:
        return self * (1 - self)

    def _latex(self, printer: sp.printing.latex.LatexPrinter) -> str:
        return rf"\sigma\left({printer._print(self.args[0])}\right)"


def _network_symbols(n_in: int, n_hidden: int, n_out: int) -> dict[str, sp.Matrix]:
    def matrix(name: str, rows: int, cols: int) -> sp.Matrix:
        return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}_{i + 1}{j + 1}", real=True))

    return {
        "x": matrix("x", 1, n_in),
        "y": matrix("y", 1, n_out),
        "W1": matrix("w1", n_in, n_hidden),
        "b1": matrix("b1", 1, n_hidden),
        "W2": matrix("w2", n_hidden, n_out),
        "b2": matrix("b2", 1, n_out),
    }


def _forward(s: dict[str, sp.Matrix]) -> tuple[sp.Matrix, ...]:
    z1 = s["x"] * s["W1"] + s["b1"]
    a1 = z1.applyfunc(_sigmoid)
    z2 = a1 * s["W2"] + s["b2"]  # linear output: a2 = z2
    return z1, a1, z2


def _direct_gradients(s: dict[str, sp.Matrix]) -> dict[str, sp.Matrix]:
    """SymPy differentiates the whole cost with respect to every parameter."""
    _, _, a2 = _forward(s)
    cost = sum((s["y"][k] - a2[k]) ** 2 for k in range(a2.cols))
    return {
        name: s[name].applyfunc(lambda w: sp.diff(cost, w)) for name in ("W1", "b1", "W2", "b2")
    }


def _backprop_gradients(s: dict[str, sp.Matrix]) -> dict[str, sp.Matrix]:
    """The same gradients from equations D3–D5."""
    _, a1, a2 = _forward(s)
    delta2 = -2 * (s["y"] - a2)  # D3 with D6: ∂C/∂a = −2(y − a), σ' = 1 (linear)
    sigma_prime = a1.applyfunc(lambda a: a * (1 - a))  # D8: σ' = σ(1 − σ)
    delta1 = (delta2 * s["W2"].T).multiply_elementwise(sigma_prime)  # D4
    return {
        "W2": a1.T * delta2,  # D5: ∂C/∂W² = (a¹)ᵀ δ²
        "b2": delta2,  # D5: ∂C/∂b² = δ²
        "W1": s["x"].T * delta1,  # D5: ∂C/∂W¹ = xᵀ δ¹
        "b1": delta1,
    }


def _index_erratum() -> Erratum:
    """z_i = Σ_ij w_ij a_j + b_i sums over i as well, so every z_i is the same number."""
    w = sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"w_{i + 1}{j + 1}", real=True))
    a = sp.symbols("a_1:3", real=True)
    b = sp.symbols("b_1:3", real=True)
    printed = sp.Matrix(
        [sum(w[i2, j] * a[j] for i2 in range(2) for j in range(2)) + b[i] for i in range(2)]
    )
    corrected = sp.Matrix([sum(w[i, j] * a[j] for j in range(2)) + b[i] for i in range(2)])
    return Erratum(
        title="Pre-activation of unit i sums over j only",
        printed=printed,
        corrected=corrected,
        proof=Identity(
            "The corrected z is W a + b (2 units)", corrected, w * sp.Matrix(a) + sp.Matrix(b)
        ),
        explanation=(
            "The report writes zᵢˡ = Σᵢⱼ wᵢⱼ aⱼˡ⁻¹ + bᵢ; summing over i as well adds the "
            "inputs of every unit into every unit. The sum runs over j: zᵢˡ = Σⱼ wᵢⱼ aⱼˡ⁻¹ + bᵢ."
        ),
        printed_display=r"z_i^l = \sum_{ij} w_{ij} a_j^{l-1} + b_i",
        corrected_display=r"z_i^l = \sum_{j} w_{ij} a_j^{l-1} + b_i",
    )


def _steps() -> list[Step]:
    L = sp.Symbol("L")
    return [
        Step("Forward pass, rows are samples", sp.Symbol(r"a^{l-1} W^l + b^l"), lhs="z^l"),
        Step("Activation", sp.Symbol(r"\sigma_l(z^l)"), lhs="a^l"),
        Step(
            "Output error (D3)",
            sp.Symbol(r"\nabla_{a} C \odot \sigma_L'(z^L)"),
            lhs=sp.Symbol(rf"\delta^{L}"),
        ),
        Step(
            "Hidden error (D4)",
            sp.Symbol(r"\big(\delta^{l+1} (W^{l+1})^T\big) \odot \sigma_l'(z^l)"),
            lhs=r"\delta^l",
        ),
        Step(
            "Kernel gradient (D5)",
            sp.Symbol(r"(a^{l-1})^T \delta^l"),
            lhs=r"\frac{\partial C}{\partial W^l}",
        ),
        Step(
            "Bias gradient (D5)",
            sp.Symbol(r"\sum_{\text{rows}} \delta^l"),
            lhs=r"\frac{\partial C}{\partial b^l}",
        ),
    ]


@functools.cache
def backpropagation() -> Derivation:
    r"""D3–D5: backpropagation equals differentiating the whole network (2–2–1, 2–3–2).

    ``numeric()(x, y, W1, b1, W2, b2)`` returns SymPy's direct gradients
    ``[dW1, db1, dW2, db2]`` of :math:`C = \sum_k (y_k - a_k)^2` for one sample
    of the 2–3–2 network with a sigmoid hidden layer and a linear output.
    """
    t = sp.Symbol("t", real=True)
    proofs = [
        Identity(
            "The opaque σ has the derivative of 1/(1 + e^(−t))",
            sp.diff(_sigmoid(t), t).subs(_sigmoid(t), 1 / (1 + sp.exp(-t))),
            sp.diff(1 / (1 + sp.exp(-t)), t),
        )
    ]
    for shape in PROOF_NETWORKS:
        s = _network_symbols(*shape)
        direct, backprop = _direct_gradients(s), _backprop_gradients(s)
        label = "–".join(map(str, shape))
        for name in ("W2", "b2", "W1", "b1"):
            proofs.append(
                Identity(
                    f"{label} network: ∂C/∂{name} by backpropagation equals SymPy's derivative",
                    direct[name],
                    backprop[name],
                )
            )
    return Derivation(
        name="backpropagation",
        title="Backpropagation (D3–D5)",
        summary=(
            "The chain rule, organised layer by layer from the output back: the error δ of "
            "a layer is the next layer's error pulled back through its kernel and scaled by "
            "the activation's slope, and each gradient is an outer product of a layer's "
            "input with its error."
        ),
        steps=_steps(),
        result=sp.Symbol(r"\frac{\partial C}{\partial W^l} = (a^{l-1})^T \delta^l"),
        proofs=proofs,
        errata=[_index_erratum()],
        numeric_factory=_numeric_gradients,
        report_reference="D3–D5",
    )


def _numeric_gradients():
    import numpy as np

    s = _network_symbols(*PROOF_NETWORKS[-1])
    direct = _direct_gradients(s)
    arguments = [list(s[name]) for name in ("x", "y", "W1", "b1", "W2", "b2")]
    explicit = {_sigmoid: lambda argument: 1 / (1 + sp.exp(-argument))}
    outputs = [
        [entry.replace(_sigmoid, explicit[_sigmoid]) for entry in direct[name]]
        for name in ("W1", "b1", "W2", "b2")
    ]
    function = sp.lambdify(arguments, outputs, modules="numpy")

    def gradients(x, y, W1, b1, W2, b2):
        flat = [np.ravel(np.asarray(v, dtype=float)) for v in (x, y, W1, b1, W2, b2)]
        values = function(*flat)
        shapes = [np.shape(W1), np.shape(b1), np.shape(W2), np.shape(b2)]
        return [
            np.reshape(np.array(v, dtype=float), shape)
            for v, shape in zip(values, shapes, strict=True)
        ]

    return gradients

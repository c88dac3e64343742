r"""D3–D5: backpropagation, derived by the chain rule and checked against SymPy.

The derivation starts from one weight of a 2–2–1 network (sigmoid hidden
layer, linear output, squared error of one sample): SymPy computes each local
derivative along the path from the weight to the cost, their product is the
chain rule, and it is proved equal to SymPy's derivative of the whole composed
cost. Naming the factors $\delta$ gives the backpropagation equations, which
the matrix form then applies to all weights at once:

$$
\delta^2 = \nabla_a C \odot \sigma_2'(z^2) \;\text{(D3)},\quad
\delta^1 = \big(\delta^2 (W^2)^T\big) \odot \sigma_1'(z^1) \;\text{(D4)},\quad
\frac{\partial C}{\partial W^l} = (a^{l-1})^T\delta^l,\;
\frac{\partial C}{\partial b^l} = \delta^l \;\text{(D5)}.
$$

For networks written out symbol by symbol (2–2–1 and 2–3–2), SymPy
differentiates the cost $C = \sum_k (y_k - a^2_k)^2$ with respect to every
weight and bias, and the results are proved equal to what these equations
give. Rows are samples, as in fyslearn ($z^l = a^{l-1}W^l + b^l$); the report
writes the transpose, $z^l = W a^{l-1} + b$.
"""

from __future__ import annotations

import functools

import sympy as sp

from ._core import Derivation, Erratum, Identity, Step

__all__ = ["backpropagation"]

#: (inputs, hidden units, outputs) of the networks proved symbol by symbol.
PROOF_NETWORKS = ((2, 2, 1), (2, 3, 2))


class _sigmoid(sp.Function):
    r"""The sigmoid as a SymPy function whose derivative is $\sigma(1-\sigma)$.

    That derivative is proved from $1/(1+e^{-z})$ by
    [sigmoid_derivative][fyslearn.derivations.sigmoid_derivative] (and again below); keeping
    $\sigma$ opaque here makes the backpropagation proofs polynomial
    identities, which SymPy settles by expansion in milliseconds.
    """

    def fdiff(self, argindex: int = 1) -> sp.Basic:
        return self * (1 - self)

    def _latex(self, printer: sp.printing.latex.LatexPrinter) -> str:
        return rf"\sigma\left({printer._print(self.args[0])}\right)"

    def _pretty(self, printer: sp.printing.pretty.pretty.PrettyPrinter):
        return printer._print_Function(self, func_name="σ")

    def _sympystr(self, printer: sp.printing.str.StrPrinter) -> str:
        return f"σ({printer._print(self.args[0])})"


def _network_symbols(n_in: int, n_hidden: int, n_out: int) -> dict[str, sp.Matrix]:
    """One real symbol per entry: `w^1_ij` joins input `i` to hidden unit `j`."""

    def matrix(name: str, rows: int, cols: int) -> sp.Matrix:
        def entry(i: int, j: int) -> sp.Symbol:
            index = f"{j + 1}" if rows == 1 else f"{i + 1}{j + 1}"
            return sp.Symbol(f"{name}_{index}", real=True)

        return sp.Matrix(rows, cols, entry)

    return {
        "x": matrix("x", 1, n_in),
        "y": matrix("y", 1, n_out),
        "W1": matrix("w^1", n_in, n_hidden),
        "b1": matrix("b^1", 1, n_hidden),
        "W2": matrix("w^2", n_hidden, n_out),
        "b2": matrix("b^2", 1, n_out),
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
    r"""$z_i = \sum_{ij} w_{ij} a_j + b_i$ sums over $i$ as well: every $z_i$ is the same number."""
    w = sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"w_{i + 1}{j + 1}", real=True))
    a = sp.symbols("a_1:3", real=True)
    b = sp.symbols("b_1:3", real=True)
    printed = sp.Matrix(
        [sum(w[i2, j] * a[j] for i2 in range(2) for j in range(2)) + b[i] for i in range(2)]
    )
    corrected = sp.Matrix([sum(w[i, j] * a[j] for j in range(2)) + b[i] for i in range(2)])
    return Erratum(
        title="Pre-activation of unit $i$ sums over $j$ only",
        printed=printed,
        corrected=corrected,
        proof=Identity(
            "The corrected $z$ is $W a + b$ (2 units)", corrected, w * sp.Matrix(a) + sp.Matrix(b)
        ),
        explanation=(
            r"The report writes $z_i^l = \sum_{ij} w_{ij} a_j^{l-1} + b_i$; summing over $i$ "
            "as well adds the inputs of every unit into every unit. The sum runs over $j$: "
            r"$z_i^l = \sum_j w_{ij} a_j^{l-1} + b_i$. This keeps the report's indexing, "
            r"$w_{ij}$ from input $j$ to unit $i$ ($z = W a + b$); fyslearn stores the "
            r"transpose, one row per input and one column per unit, with $z = a W + b$ "
            "for a row $a$: the same numbers."
        ),
        printed_display=r"z_i^l = \sum_{ij} w_{ij} a_j^{l-1} + b_i",
        corrected_display=r"z_i^l = \sum_{j} w_{ij} a_j^{l-1} + b_i",
    )


def _chain_rule_symbols() -> dict[str, sp.Symbol]:
    """The symbols of the 2–2–1 network of the one-weight chain rule (upper index: layer)."""
    names = {
        "x1": "x_1", "x2": "x_2", "y": "y_1",
        "w1_11": "w^1_11", "w1_21": "w^1_21", "w1_12": "w^1_12", "w1_22": "w^1_22",
        "b1_1": "b^1_1", "b1_2": "b^1_2", "w2_11": "w^2_11", "w2_21": "w^2_21", "b2_1": "b^2_1",
        "z1_1": "z^1_1", "z1_2": "z^1_2", "a1_1": "a^1_1", "a1_2": "a^1_2", "a2_1": "a^2_1",
        "delta2_1": "delta^2_1", "delta1_1": "delta^1_1",
    }  # fmt: skip
    return {key: sp.Symbol(name, real=True) for key, name in names.items()}


def _chain_rule_network(s: dict[str, sp.Symbol]) -> dict[str, sp.Basic]:
    """Each quantity of the 2–2–1 network in terms of the one before it."""
    return {
        "z1_1": s["x1"] * s["w1_11"] + s["x2"] * s["w1_21"] + s["b1_1"],
        "z1_2": s["x1"] * s["w1_12"] + s["x2"] * s["w1_22"] + s["b1_2"],
        "a1_1": _sigmoid(s["z1_1"]),
        "a1_2": _sigmoid(s["z1_2"]),
        "a2_1": s["a1_1"] * s["w2_11"] + s["a1_2"] * s["w2_21"] + s["b2_1"],  # linear output
        "C": (s["y"] - s["a2_1"]) ** 2,
    }


def _composed(expression: sp.Basic, s: dict[str, sp.Symbol]) -> sp.Basic:
    """`expression` with every intermediate quantity replaced by its definition."""
    network = _chain_rule_network(s)
    for name in ("a2_1", "a1_1", "a1_2", "z1_1", "z1_2"):
        expression = expression.subs(s[name], network[name])
    return expression


def _chain_rule_factors() -> list[sp.Basic]:
    r"""The local derivatives on the path from $w^1_{11}$ to $C$ in the 2–2–1 network.

    Returns:
        $[\partial C/\partial a^2_1,\ \partial a^2_1/\partial a^1_1,\
        \partial a^1_1/\partial z^1_1,\ \partial z^1_1/\partial w^1_{11}]$, each
        differentiated by SymPy from its own definition.
    """
    s = _chain_rule_symbols()
    network = _chain_rule_network(s)
    return [
        sp.diff(network["C"], s["a2_1"]),
        sp.diff(network["a2_1"], s["a1_1"]),
        sp.diff(network["a1_1"], s["z1_1"]),
        sp.diff(network["z1_1"], s["w1_11"]),
    ]


def _chain_rule_steps() -> tuple[list[Step], list[Identity]]:
    """The chain rule for the weight $w^1_{11}$ of the 2–2–1 network, step by step."""
    s = _chain_rule_symbols()
    network = _chain_rule_network(s)
    factors = _chain_rule_factors()
    chain = sp.Mul(*factors, evaluate=False)
    direct = sp.diff(_composed(network["C"], s), s["w1_11"])
    dC_dw = r"\frac{\partial C}{\partial w^1_{11}}"
    output_error = factors[0]  # δ²₁ = ∂C/∂z²₁ = ∂C/∂a²₁, the output being linear
    hidden_error = s["delta2_1"] * factors[1] * factors[2]
    steps = [
        Step("Hidden pre-activation of unit 1 (input $i$, hidden unit $j$: $w^1_{ij}$)",
             network["z1_1"], lhs=s["z1_1"]),
        Step("Its sigmoid activation", network["a1_1"], lhs=s["a1_1"]),
        Step("The linear output", network["a2_1"], lhs=s["a2_1"]),
        Step("The squared error of the sample", network["C"], lhs="C"),
        Step("$w^1_{11}$ reaches $C$ only through $z^1_1$, $a^1_1$ and $a^2_1$: "
             "SymPy differentiates each link",
             sp.Matrix([factors]),
             lhs=r"\left[\frac{\partial C}{\partial a^2_1},\ "
             r"\frac{\partial a^2_1}{\partial a^1_1},\ "
             r"\frac{\partial a^1_1}{\partial z^1_1},\ "
             r"\frac{\partial z^1_1}{\partial w^1_{11}}\right]"),
        Step("Chain rule: the product of the links", chain, lhs=dC_dw, keep_order=True),
        Step("SymPy's derivative of the composed cost (the same, once $a^2_1$ and $z^1_1$ "
             "are written out)", direct, lhs=dC_dw),
        Step(r"Output error (D3): the first link, $\delta^2_1 = \partial C/\partial z^2_1$",
             output_error, lhs=s["delta2_1"]),
        Step("Hidden error (D4): the output error pulled back through $w^2_{11}$ and "
             "scaled by the sigmoid's slope", hidden_error, lhs=s["delta1_1"], keep_order=True),
        Step("Weight gradient (D5): the weight's input times its unit's error",
             s["x1"] * s["delta1_1"], lhs=dC_dw),
    ]  # fmt: skip
    proofs = [
        Identity(
            "Chain rule for $w^1_{11}$ of the 2–2–1 network: the product of the links "
            "equals SymPy's derivative of the composed cost",
            _composed(chain, s),
            direct,
        ),
        Identity(
            r"Naming the links: $x_1\delta^1_1$ with $\delta^1_1 = \delta^2_1 w^2_{11}"
            r"\sigma'(z^1_1)$ and $\delta^2_1 = \partial C/\partial a^2_1$ is the chain rule",
            (s["x1"] * hidden_error).subs(s["delta2_1"], output_error),
            chain,
        ),
    ]
    return steps, proofs


def _matrix_steps() -> tuple[list[Step], list[Identity]]:
    """D3–D5 as matrix products, on a 2–3–2 network and on a batch."""
    s = _network_symbols(2, 3, 2)
    z1, a1, a2 = _forward(s)
    z1_symbols = sp.Matrix(1, 3, lambda _, j: sp.Symbol(f"z^1_{j + 1}", real=True))
    a1_symbols = sp.Matrix(1, 3, lambda _, j: sp.Symbol(f"a^1_{j + 1}", real=True))
    a2_symbols = sp.Matrix(1, 2, lambda _, k: sp.Symbol(f"a^2_{k + 1}", real=True))
    delta2 = sp.Matrix(1, 2, lambda _, k: sp.Symbol(f"delta^2_{k + 1}", real=True))
    delta1 = sp.Matrix(1, 3, lambda _, j: sp.Symbol(f"delta^1_{j + 1}", real=True))
    slopes = z1_symbols.applyfunc(lambda z: sp.diff(_sigmoid(z), z))
    n_samples = 2
    X = sp.Matrix(n_samples, 2, lambda i, j: sp.Symbol(f"x_{i + 1}{j + 1}", real=True))
    errors = sp.Matrix(n_samples, 3, lambda i, j: sp.Symbol(f"delta^1_{i + 1}{j + 1}", real=True))
    steps = [
        Step("A 2–3–2 network, rows are samples: the hidden pre-activations",
             s["x"] * s["W1"] + s["b1"], lhs=r"z^1 = x W^1 + b^1"),
        Step("Output error (D3), squared error and linear output", -2 * (s["y"] - a2_symbols),
             lhs=r"\delta^2"),
        Step(r"Hidden errors (D4): all units at once, $\big(\delta^2 (W^2)^T\big) \odot "
             r"\sigma'(z^1)$", (delta2 * s["W2"].T).multiply_elementwise(slopes),
             lhs=r"\delta^1"),
        Step(r"Output kernel gradient (D5), $(a^1)^T \delta^2$", a1_symbols.T * delta2,
             lhs=r"\frac{\partial C}{\partial W^2}"),
        Step(r"Hidden kernel gradient (D5), $x^T \delta^1$", s["x"].T * delta1,
             lhs=r"\frac{\partial C}{\partial W^1}"),
        Step("Bias gradients (D5) are the errors", delta1, lhs=r"\frac{\partial C}{\partial b^1}"),
        Step("A batch of samples, one per row: the kernel gradient sums the samples' "
             f"outer products ($n = {n_samples}$ shown; fyslearn's cost is the batch mean, which "
             "divides it by $n$)", X.T * errors,
             lhs=r"\frac{\partial C}{\partial W^1} = X^T \Delta^1"),
    ]  # fmt: skip
    per_sample = sum(
        (X[i, :].T * errors[i, :] for i in range(n_samples)), sp.zeros(2, 3)
    )  # Σᵢ xᵢᵀ δᵢ
    proofs = [
        Identity(
            rf"A batch of {n_samples}: $X^T \Delta^1$ is the sum of the samples' "
            r"$x_i^T \delta^1_i$",
            X.T * errors,
            per_sample,
        ),
        Identity(
            r"The matrix form's $\delta^1$, with $\delta^2$ and $a^2$ written out, is "
            r"$\partial C/\partial z^1$ of the 2–3–2 network",
            (delta2 * s["W2"].T)
            .multiply_elementwise(slopes)
            .subs(dict(zip(delta2, -2 * (s["y"] - a2), strict=True)))
            .subs(dict(zip(z1_symbols, z1, strict=True))),
            _hidden_error_by_sympy(s),
        ),
    ]
    del a1
    return steps, proofs


def _hidden_error_by_sympy(s: dict[str, sp.Matrix]) -> sp.Matrix:
    r"""$\partial C/\partial z^1$, differentiating the cost by stand-ins for the pre-activations."""
    n_hidden = s["W1"].cols
    z = sp.Matrix(1, n_hidden, lambda _, j: sp.Dummy(f"z{j}", real=True))
    a2 = z.applyfunc(_sigmoid) * s["W2"] + s["b2"]
    cost = sum((s["y"][k] - a2[k]) ** 2 for k in range(a2.cols))
    z1 = s["x"] * s["W1"] + s["b1"]
    return z.applyfunc(lambda zj: sp.diff(cost, zj)).subs(dict(zip(z, z1, strict=True)))


@functools.cache
def backpropagation() -> Derivation:
    r"""D3–D5: backpropagation derived by the chain rule and equal to differentiating the network.

    `numeric()(x, y, W1, b1, W2, b2)` returns SymPy's direct gradients
    `[dW1, db1, dW2, db2]` of $C = \sum_k (y_k - a_k)^2$ for one sample of
    the 2–3–2 network with a sigmoid hidden layer and a linear output: `x` of
    shape `(2,)`, `y` of shape `(2,)`, `W1` of shape `(2, 3)`, `b1` of shape
    `(3,)`, `W2` of shape `(3, 2)`, `b2` of shape `(2,)`; the gradients have
    the shapes of `W1`, `b1`, `W2` and `b2`.
    """
    t = sp.Symbol("t", real=True)
    chain_steps, chain_proofs = _chain_rule_steps()
    matrix_steps, matrix_proofs = _matrix_steps()
    proofs = [
        Identity(
            r"The opaque $\sigma$ has the derivative of $1/(1 + e^{-t})$",
            sp.diff(_sigmoid(t), t).subs(_sigmoid(t), 1 / (1 + sp.exp(-t))),
            sp.diff(1 / (1 + sp.exp(-t)), t),
        ),
        *chain_proofs,
        *matrix_proofs,
    ]
    for shape in PROOF_NETWORKS:
        s = _network_symbols(*shape)
        direct, backprop = _direct_gradients(s), _backprop_gradients(s)
        label = "–".join(map(str, shape))
        for name in ("W2", "b2", "W1", "b1"):
            symbol = f"{name[0]}^{name[1]}"
            proofs.append(
                Identity(
                    rf"{label} network: $\partial C/\partial {symbol}$ by backpropagation "
                    "equals SymPy's derivative",
                    direct[name],
                    backprop[name],
                )
            )
    return Derivation(
        name="backpropagation",
        title="Backpropagation (D3–D5)",
        summary=(
            "The chain rule, organised layer by layer from the output back: the error "
            r"$\delta$ of a layer is the next layer's error pulled back through its kernel "
            "and scaled by the activation's slope, and each gradient is an outer product of "
            "a layer's input with its error."
        ),
        steps=[*chain_steps, *matrix_steps],
        result=matrix_steps[-3].rhs,
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
        r"""SymPy's gradients of one sample's $\sum_k (y_k - a_k)^2$ in the 2–3–2 network.

        Args:
            x: Input, shape `(2,)`.
            y: Target, shape `(2,)`.
            W1: Hidden kernel, shape `(2, 3)`.
            b1: Hidden bias, shape `(3,)`.
            W2: Output kernel, shape `(3, 2)`.
            b2: Output bias, shape `(2,)`.

        Returns:
            `[dW1, db1, dW2, db2]`, of the shapes of `W1`, `b1`, `W2`, `b2`.
        """
        expected = {"x": (2,), "y": (2,), "W1": (2, 3), "b1": (3,), "W2": (3, 2), "b2": (2,)}
        given = dict(zip(expected, (x, y, W1, b1, W2, b2), strict=True))
        wrong = [f"{k} {np.shape(v)}" for k, v in given.items() if np.shape(v) != expected[k]]
        if wrong:
            raise ValueError(
                "backpropagation's twin takes (x, y, W1, b1, W2, b2) of shapes "
                f"{', '.join(f'{k} {s}' for k, s in expected.items())}; got {', '.join(wrong)}."
            )
        flat = [np.ravel(np.asarray(v, dtype=float)) for v in (x, y, W1, b1, W2, b2)]
        values = function(*flat)
        shapes = [np.shape(W1), np.shape(b1), np.shape(W2), np.shape(b2)]
        return [
            np.reshape(np.array(v, dtype=float), shape)
            for v, shape in zip(values, shapes, strict=True)
        ]

    return gradients

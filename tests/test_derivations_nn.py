"""D3–D8, D11: SymPy's derivations against fyslearn.nn's numpy code."""

import warnings

import numpy as np
import pytest

from fyslearn import derivations
from fyslearn.nn import FeedForwardNetwork
from fyslearn.nn.activations import ACTIVATIONS, LeakyReLU
from fyslearn.nn.initializers import glorot_uniform
from fyslearn.nn.losses import CrossEntropy, MeanSquaredError

EDGES = np.array([0.0, 1e-12, -1e-12, 30.0, -30.0, 1e3, -1e3, 2.5, -0.7])

ALL = [
    derivations.sigmoid_derivative,
    derivations.relu_derivative,
    derivations.leaky_relu_derivative,
    derivations.tanh_derivative,
    derivations.mse_output_gradient,
    derivations.softmax_cross_entropy_delta,
    derivations.backpropagation,
    derivations.glorot_uniform,
]


@pytest.mark.parametrize("derivation", ALL, ids=lambda d: d.__name__)
def test_proofs_hold_and_errata_are_confirmed(derivation):
    derivation().verify()


def _sympy(function, z):
    """The lambdified reference; exp may overflow in it for |z| ~ 1e3 (not in fyslearn)."""
    with np.errstate(over="ignore"):
        return np.asarray(function(z), dtype=float) * np.ones_like(z)


@pytest.mark.parametrize(
    ("name", "derivation"),
    [
        ("sigmoid", derivations.sigmoid_derivative),
        ("relu", derivations.relu_derivative),
        ("leaky_relu", derivations.leaky_relu_derivative),
        ("tanh", derivations.tanh_derivative),
    ],
)
def test_activation_derivatives_match_sympy(rng, name, derivation):
    z = np.concatenate([EDGES, 10 * rng.normal(size=200)])
    expected = _sympy(derivation().numeric(), z)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings from fyslearn for |z| ~ 1e3
        got = ACTIVATIONS[name].derivative(z)
    away_from_kink = z != 0.0
    np.testing.assert_allclose(
        got[away_from_kink], expected[away_from_kink], rtol=1e-12, atol=1e-300
    )


@pytest.mark.parametrize(
    ("name", "derivation"),
    [
        ("sigmoid", derivations.sigmoid_derivative),
        ("relu", derivations.relu_derivative),
        ("leaky_relu", derivations.leaky_relu_derivative),
        ("tanh", derivations.tanh_derivative),
    ],
)
def test_the_backward_step_training_runs_multiplies_by_the_sympy_derivative(rng, name, derivation):
    """backward(z, a, g), as backpropagation calls it at the output, is g ⊙ σ'(z) of SymPy."""
    activation = ACTIVATIONS[name]
    z = np.concatenate([EDGES, 10 * rng.normal(size=200), -(10.0 ** rng.uniform(0, 3, 50))])
    z = z[z != 0.0]  # away from the kink, where SymPy's derivative is not defined
    upstream = rng.normal(size=z.shape) * 10.0 ** rng.uniform(-3, 3, z.shape)
    expected = upstream * _sympy(derivation().numeric(), z)
    a = activation(z)  # the forward pass stores σ(z); backward reads it
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        returned = activation.backward(z, a, upstream)
    np.testing.assert_allclose(returned, expected, rtol=1e-12, atol=1e-300)


def test_sigmoid_derivative_against_the_exact_value():
    """σ(1 − σ) from the stored activation, against σ'(z) = e^{-z}/(1 + e^{-z})² in 50 digits.

    The comparison with SymPy above checks that the code computes the derived
    formula; this one states how accurate that formula is in float64: relatively
    to 1e-12 for z ≤ 8 (every negative z included), and absolutely to a few units
    in the last place of 1/4 everywhere. For large positive z, 1 − σ(z) keeps
    only the digits of e^{-z} that survive next to 1 (PyTorch's sigmoid backward
    uses the same formula).
    """
    import mpmath

    sigmoid = ACTIVATIONS["sigmoid"]
    z = np.concatenate([EDGES, np.linspace(-40.0, 40.0, 161)])
    got = sigmoid.derivative(z, sigmoid(z))
    with mpmath.workdps(50):
        exact = np.array(
            [float(mpmath.exp(-v) / (1 + mpmath.exp(-v)) ** 2) for v in map(mpmath.mpf, z)]
        )
    np.testing.assert_allclose(got, exact, rtol=0.0, atol=4 * np.finfo(float).eps * 0.25)
    moderate = z <= 8.0
    np.testing.assert_allclose(got[moderate], exact[moderate], rtol=1e-12, atol=0.0)


def test_documented_choice_at_the_kink():
    assert ACTIVATIONS["relu"].derivative(np.array([0.0]))[0] == 0.0
    assert ACTIVATIONS["leaky_relu"].derivative(np.array([0.0]))[0] == 0.01


def test_sigmoid_is_finite_and_bounded_without_warnings():
    z = np.array([-1e4, -745.0, -1e3, 0.0, 1e3, 1e4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = ACTIVATIONS["sigmoid"](z)
    assert np.all((s >= 0) & (s <= 1)) and s[3] == 0.5 and s[-1] == 1.0


def test_mse_output_gradient_matches_sympy(rng):
    """Per sample SymPy's $-2(y - a)$; the mean over $n$ rows divides each row by $n$."""
    edges = EDGES[:, None] * np.array([1.0, -1.0, 0.5])  # 0, ±tiny, ±1e3 in every column
    y = np.vstack([edges, rng.normal(size=(6, 3))])
    a = np.vstack([-edges[::-1], rng.normal(size=(6, 3))])
    reference = derivations.mse_output_gradient().numeric()
    expected = np.array([reference(y_i, a_i) for y_i, a_i in zip(y, a, strict=True)]) / len(y)
    got = MeanSquaredError().output_gradient(y, a)
    np.testing.assert_allclose(got, expected, rtol=1e-14, atol=1e-300)


@pytest.mark.parametrize("K", [3, 4])
@pytest.mark.parametrize("scale", [0.0, 1.0, 30.0, 100.0])
def test_softmax_cross_entropy_delta_matches_sympy(rng, K, scale):
    reference = derivations.softmax_cross_entropy_delta().numeric()
    for _ in range(5):
        z = scale * rng.normal(size=K)
        y = np.eye(K)[rng.integers(K)]
        a = ACTIVATIONS["softmax"](z[None, :])
        got = CrossEntropy.softmax_delta(y[None, :], a)[0]
        # SymPy's unshifted exponentials overflow beyond |z| ≈ 709; δ = S(z) - y is the
        # same for z - max z (S is shift-invariant), so the reference is evaluated there
        np.testing.assert_allclose(got, reference(z - z.max(), y), rtol=1e-10, atol=1e-14)
        # the general chain rule through the Jacobian agrees with the fused form
        general = ACTIVATIONS["softmax"].backward(z, a, CrossEntropy().output_gradient(y[None], a))
        np.testing.assert_allclose(general[0], got, rtol=1e-8, atol=1e-12)


def test_backpropagation_matches_sympy_on_the_2_3_2_network(rng):
    reference = derivations.backpropagation().numeric()
    for seed in range(3):
        network = FeedForwardNetwork(
            [2, 3, 2], ["sigmoid", "linear"], bias_init="narrow_normal", random_state=seed
        )
        x, y = rng.normal(size=2), 3 * rng.normal(size=2)
        expected = reference(
            x,
            y,
            network.coefs_[0],
            network.intercepts_[0],
            network.coefs_[1],
            network.intercepts_[1],
        )
        _, coef_grads, intercept_grads = network.loss_and_gradients(x[None], y[None])
        got = [coef_grads[0], intercept_grads[0], coef_grads[1], intercept_grads[1]]
        for g, e in zip(got, expected, strict=True):
            np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(("n_in", "n_out"), [(2, 128), (784, 128), (128, 10), (1, 1)])
def test_glorot_bound_and_variance(n_in, n_out):
    bound = derivations.glorot_uniform().numeric()(n_in, n_out)
    W = glorot_uniform(np.random.default_rng(0), (n_in, max(n_out, 2000 // n_in + 1)))
    limit = np.sqrt(6 / (n_in + W.shape[1]))
    assert np.abs(W).max() <= limit
    assert bound == pytest.approx(np.sqrt(6 / (n_in + n_out)), rel=1e-14)
    # sample variance within 5 standard errors of a²/3 = 2/(n_in + n_out)
    target = limit**2 / 3
    standard_error = target * np.sqrt(0.8 / W.size)  # Var(w²) = 4a⁴/45 → relative 0.8
    assert abs(W.var() - target) < 5 * standard_error


def _backprop_step(title_start):
    (step,) = [s for s in derivations.backpropagation().steps if s.title.startswith(title_start)]
    return step


def _explicit_sigmoid(expression):
    """The derivation's opaque σ replaced by 1/(1 + e^(−z))."""
    import sympy as sp

    opaque = {f for f in expression.atoms(sp.Function) if type(f).__name__ == "_sigmoid"}
    return expression.xreplace({f: 1 / (1 + sp.exp(-f.args[0])) for f in opaque})


def _two_two_one_cost():
    """The 2–2–1 network of the chain-rule steps, written out here independently."""
    import sympy as sp

    names = "x_1 x_2 y_1 w^1_11 w^1_21 w^1_12 w^1_22 b^1_1 b^1_2 w^2_11 w^2_21 b^2_1"
    symbols = dict(zip(names.split(), sp.symbols(names, real=True), strict=True))
    x1, x2, y, w11, w21, w12, w22, b1, b2, v11, v21, c1 = symbols.values()
    sigmoid = lambda z: 1 / (1 + sp.exp(-z))  # noqa: E731
    output = sigmoid(x1 * w11 + x2 * w21 + b1) * v11 + sigmoid(x1 * w12 + x2 * w22 + b2) * v21 + c1
    return symbols, (y - output) ** 2


def _points(rng):
    """Random points, then the edges: zeros, negative and large-magnitude values."""
    yield from (rng.normal(size=12) for _ in range(4))
    yield np.zeros(12)
    yield -np.abs(rng.normal(size=12))
    yield 30 * rng.normal(size=12)


def test_backprop_chain_rule_for_one_weight_is_the_derivative_of_the_network(rng):
    """The step's product of links, with a² and z¹ written out, is ∂C/∂w¹₁₁ of the network."""
    import mpmath
    import sympy as sp

    symbols, cost = _two_two_one_cost()
    expected = sp.diff(cost, symbols["w^1_11"])
    chain = _explicit_sigmoid(_backprop_step("Chain rule: the product").rhs)
    by_name = {str(s): s for s in chain.free_symbols}
    assert set(by_name) == {"x_1", "y_1", "w^2_11", "a^2_1", "z^1_1"}, by_name
    (a2_step, z1_step) = _backprop_step("The linear output"), _backprop_step("Hidden pre-act")
    assert str(a2_step.lhs) == "a^2_1" and str(z1_step.lhs) == "z^1_1"
    hidden = {
        str(s.lhs): _explicit_sigmoid(s.rhs)
        for s in derivations.backpropagation().steps
        if str(s.lhs) in ("a^1_1",)
    }
    assert set(hidden) == {"a^1_1"}
    sigmoid = lambda z: 1 / (1 + sp.exp(-z))  # noqa: E731
    z11 = symbols["x_1"] * symbols["w^1_11"] + symbols["x_2"] * symbols["w^1_21"] + symbols["b^1_1"]
    z12 = symbols["x_1"] * symbols["w^1_12"] + symbols["x_2"] * symbols["w^1_22"] + symbols["b^1_2"]
    a2 = sigmoid(z11) * symbols["w^2_11"] + sigmoid(z12) * symbols["w^2_21"] + symbols["b^2_1"]
    composed = chain.xreplace({by_name["a^2_1"]: a2}).xreplace({by_name["z^1_1"]: z11})
    composed = composed.xreplace({by_name[n]: symbols[n] for n in ("x_1", "y_1", "w^2_11")})
    order = list(symbols.values())
    got, want = (sp.lambdify(order, e, modules="mpmath") for e in (composed, expected))
    for point in _points(rng):
        with mpmath.workdps(400):  # 1 − σ(z) for |z| ~ 100 needs the digits
            values = [mpmath.mpf(float(v)) for v in point]
            difference, scale = got(*values) - want(*values), abs(want(*values))
            assert abs(difference) <= mpmath.mpf(10) ** -100 * scale, (point, scale)


def test_backprop_chain_rule_matches_the_numpy_network(rng):
    """∂C/∂w¹₁₁ from the derivation's chain rule equals fyslearn's backpropagation."""
    import mpmath
    import sympy as sp

    symbols, cost = _two_two_one_cost()
    gradient = sp.lambdify(list(symbols.values()), sp.diff(cost, symbols["w^1_11"]), "mpmath")
    chain_product = _backprop_step("Weight gradient (D5)").rhs
    assert {str(s) for s in chain_product.free_symbols} == {"x_1", "delta^1_1"}
    for seed in range(3):
        network = FeedForwardNetwork(
            [2, 2, 1], ["sigmoid", "linear"], bias_init="narrow_normal", random_state=seed
        )
        # Edges: zero input, and an input that drives unit 1 to z = −30 (σ' ≈ 1e-13). On
        # the other side, σ(z) within 1e-14 of 1, the a·(1 − a) of the stored activation
        # keeps only a few digits: not a case for a 1e-12 comparison.
        direction = network.coefs_[0][:, 0]
        saturating = (-30.0 - network.intercepts_[0][0]) * direction / (direction @ direction)
        for x in (rng.normal(size=2), np.zeros(2), np.array([-3.0, 4.0]), saturating):
            y = 3 * rng.normal(size=1)
            _, coef_grads, _ = network.loss_and_gradients(x[None], y[None])
            W1, b1 = network.coefs_[0], network.intercepts_[0]
            W2, b2 = network.coefs_[1], network.intercepts_[1]
            values = [x[0], x[1], y[0], W1[0, 0], W1[1, 0], W1[0, 1], W1[1, 1], *b1]
            values += [W2[0, 0], W2[1, 0], b2[0]]
            with mpmath.workdps(60):
                expected = float(gradient(*(mpmath.mpf(float(v)) for v in values)))
            np.testing.assert_allclose(coef_grads[0][0, 0], expected, rtol=1e-12, atol=1e-300)


def test_backprop_steps_are_sympy_expressions_not_latex_in_symbols():
    """No step wraps LaTeX in a Symbol (which SymPy's printer garbles, e.g. σ^{l)}_{l(z})."""
    import sympy as sp

    for step in derivations.backpropagation().steps:
        sides = [step.rhs] + ([step.lhs] if isinstance(step.lhs, sp.Basic) else [])
        for side in sides:
            names = [str(s) for s in side.free_symbols]
            assert not [n for n in names if "\\" in n or "(" in n or " " in n], (step.title, names)
    activation = _backprop_step("Its sigmoid activation").latex()
    assert activation == r"a^{1}_{1} = \sigma\left(z^{1}_{1}\right)"


def test_backprop_matrix_form_is_the_per_unit_chain_rule():
    """Entry j of the matrix-form δ¹ is the one-unit D4 step with unit 1 replaced by unit j."""
    import sympy as sp

    delta1 = _backprop_step("Hidden errors (D4): all units").rhs
    assert delta1.shape == (1, 3)
    by_name = {str(s): s for s in delta1.free_symbols}
    sigma = {f.args[0]: f for f in delta1.atoms(sp.Function)}
    for j in range(3):
        z = by_name[f"z^1_{j + 1}"]
        pulled_back = sum(
            by_name[f"delta^2_{k + 1}"] * by_name[f"w^2_{j + 1}{k + 1}"] for k in range(2)
        )
        assert sp.expand(delta1[0, j] - pulled_back * sigma[z] * (1 - sigma[z])) == 0


@pytest.mark.parametrize("slope", [0.0, 0.05, 0.3, 1.0])
def test_leaky_relu_of_any_slope_matches_its_sympy_derivative(rng, slope):
    """D8 with the slope $s$ a symbol: $R_s(z)$, $R_s'(z)$ and the backward step, any $s$."""
    import sympy as sp

    z_symbol, s = sp.symbols("z s", real=True)
    leaky = sp.Piecewise((z_symbol, z_symbol > 0), (s * z_symbol, True))
    value = sp.lambdify((z_symbol, s), leaky, "numpy")
    derivative = sp.lambdify((z_symbol, s), sp.diff(leaky, z_symbol), "numpy")
    activation = LeakyReLU(slope)
    z = np.concatenate([EDGES, 10 * rng.normal(size=100)])
    z = z[z != 0.0]  # the kink, where SymPy's derivative is not defined
    np.testing.assert_array_equal(activation(z), value(z, slope))
    expected = np.asarray(derivative(z, slope), dtype=float) * np.ones_like(z)
    np.testing.assert_array_equal(activation.derivative(z), expected)
    upstream = rng.normal(size=z.shape)
    got = activation.backward(z, activation(z), upstream.copy())
    np.testing.assert_allclose(got, upstream * expected, rtol=1e-15)


def test_a_network_with_a_leaky_relu_of_slope_0_2_passes_the_gradient_check(rng):
    from fyslearn.gradcheck import check_gradients

    network = FeedForwardNetwork(
        [3, 6, 2], [LeakyReLU(0.2), "linear"], bias_init="narrow_normal", random_state=1
    )
    X, Y = rng.normal(size=(9, 3)), rng.normal(size=(9, 2))
    report = check_gradients(network, X, Y, max_entries_per_layer=None)
    assert report.passed, str(report)


@pytest.mark.parametrize("shape", [(3, 7), (784, 128), (5,)])
def test_glorot_draws_are_uniform_on_the_sympy_bound(shape):
    """The same generator state gives U(-a, a) with SymPy's $a$ (a bias: n_in = n_out = n)."""
    n_in, n_out = shape if len(shape) == 2 else (shape[0], shape[0])
    bound = derivations.glorot_uniform().numeric()(n_in, n_out)
    expected = np.random.default_rng(0).uniform(-bound, bound, size=shape)
    got = glorot_uniform(np.random.default_rng(0), shape)
    # -a + 2a·u: the bound's last-digit rounding, times at most 2, in every draw
    np.testing.assert_allclose(got, expected, rtol=0, atol=4 * np.finfo(float).eps * bound)

"""D3–D8, D11: SymPy's derivations against fyslearn.nn's numpy code."""

import warnings

import numpy as np
import pytest

from fyslearn import derivations
from fyslearn.nn import FeedForwardNetwork
from fyslearn.nn.activations import ACTIVATIONS
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
    """backward(z, a, g), in place on g as backpropagation calls it, is g ⊙ σ'(z) of SymPy."""
    activation = ACTIVATIONS[name]
    z = np.concatenate([EDGES, 10 * rng.normal(size=200), -(10.0 ** rng.uniform(0, 3, 50))])
    z = z[z != 0.0]  # away from the kink, where SymPy's derivative is not defined
    upstream = rng.normal(size=z.shape) * 10.0 ** rng.uniform(-3, 3, z.shape)
    expected = upstream * _sympy(derivation().numeric(), z)
    a = activation(z)  # the forward pass stores σ(z); backward reads it
    grad = upstream.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        returned = activation.backward(z, a, grad)
    assert returned is grad  # in place, as in the training loop's buffers
    np.testing.assert_allclose(grad, expected, rtol=1e-12, atol=1e-300)


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
    y, a = rng.normal(size=(1, 3)), rng.normal(size=(1, 3))
    expected = derivations.mse_output_gradient().numeric()(y[0], a[0])
    np.testing.assert_allclose(MeanSquaredError().output_gradient(y, a)[0], expected, rtol=1e-14)


@pytest.mark.parametrize("K", [3, 4])
@pytest.mark.parametrize("scale", [1.0, 30.0])
def test_softmax_cross_entropy_delta_matches_sympy(rng, K, scale):
    reference = derivations.softmax_cross_entropy_delta().numeric()
    for _ in range(5):
        z = scale * rng.normal(size=K)
        y = np.eye(K)[rng.integers(K)]
        a = ACTIVATIONS["softmax"](z[None, :])
        got = CrossEntropy.softmax_delta(y[None, :], a)[0]
        np.testing.assert_allclose(got, reference(z, y), rtol=1e-10, atol=1e-14)
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

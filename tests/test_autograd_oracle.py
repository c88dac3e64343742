"""Automatic differentiation as a second, independent oracle of the hand-derived gradients.

SymPy derives every formula and finite differences check backpropagation; here
`autograd` differentiates a plain re-statement of each cost, written in this
file with `autograd.numpy` and sharing no code with fyslearn: the forward pass,
every activation, MSE, cross-entropy, binary cross-entropy, the L2 and L1
penalties, and the linear models' cost. Its gradients must equal those of
[FeedForwardNetwork.loss_and_gradients] and `fyslearn.linear_model.mse_gradient`
to rounding, on random inputs and on edge inputs (exact zeros, negative and
large-magnitude values).
"""

import numpy as np
import pytest

autograd = pytest.importorskip(
    "autograd", reason="autograd (the dev extra) is the numeric oracle of this file"
)
import autograd.numpy as anp  # noqa: E402
from autograd.scipy.special import logsumexp  # noqa: E402

from fyslearn.linear_model import mse_cost, mse_gradient  # noqa: E402
from fyslearn.nn import FeedForwardNetwork  # noqa: E402

NEGATIVE_SLOPE = 0.01  # fyslearn's leaky ReLU

# -- the costs, re-stated for autograd ------------------------------------------------


def _sigmoid(z):
    return 0.5 * (anp.tanh(0.5 * z) + 1.0)  # = 1/(1 + e^{-z}), without overflow


def _softmax(z):
    return anp.exp(z - logsumexp(z, axis=1, keepdims=True))


ACTIVATIONS = {
    "sigmoid": _sigmoid,
    "relu": lambda z: anp.maximum(z, 0.0),
    "leaky_relu": lambda z: anp.where(z > 0, z, NEGATIVE_SLOPE * z),
    "linear": lambda z: z,
    "tanh": anp.tanh,
    "softmax": _softmax,
}

LOSSES = {
    "mse": lambda Y, A: anp.sum((A - Y) ** 2) / len(Y),
    "cross_entropy": lambda Y, A: -anp.sum(Y * anp.log(A)) / len(Y),
    "binary_cross_entropy": lambda Y, A: (
        -anp.sum(Y * anp.log(A) + (1.0 - Y) * anp.log(1.0 - A)) / len(Y)
    ),
}

PENALTIES = {"l2": lambda W: anp.sum(W**2), "l1": lambda W: anp.sum(anp.abs(W))}


def _network_cost(params, X, Y, activations, loss, alpha, penalty, penalize_biases=False):
    """Mean data loss plus the penalty; `params` = kernels then biases."""
    n_layers = len(activations)
    kernels, biases = params[:n_layers], params[n_layers:]
    a = X
    for W, b, name in zip(kernels, biases, activations, strict=True):
        a = ACTIVATIONS[name](anp.dot(a, W) + b)
    penalized = list(kernels) + (list(biases) if penalize_biases else [])
    return LOSSES[loss](Y, a) + alpha * sum(PENALTIES[penalty](w) for w in penalized)


def _logit_cost(params, X, Y, hidden, alpha, output):
    """Softmax + cross-entropy or sigmoid + binary cross-entropy from the logits z^L.

    The same cost as `_network_cost`, written so that it stays finite when the
    outputs saturate: $-\\sum y \\ln S(z) = \\sum y (\\mathrm{lse}(z) - z)$ and
    $-[y\\ln\\sigma(z) + (1 - y)\\ln(1 - \\sigma(z))] = \\mathrm{softplus}(z) - yz$.
    """
    n_layers = len(hidden) + 1
    kernels, biases = params[:n_layers], params[n_layers:]
    a = X
    for W, b, name in zip(kernels[:-1], biases[:-1], hidden, strict=True):
        a = ACTIVATIONS[name](anp.dot(a, W) + b)
    z = anp.dot(a, kernels[-1]) + biases[-1]
    if output == "softmax":
        data = anp.sum(Y * (logsumexp(z, axis=1, keepdims=True) - z))
    else:
        data = anp.sum(anp.logaddexp(0.0, z) - Y * z)
    return data / len(Y) + alpha * sum(anp.sum(W**2) for W in kernels)


# -- fyslearn's side ------------------------------------------------------------------

OUTPUTS = [  # (output activation, loss, output units)
    ("linear", "mse", 2),
    ("sigmoid", "mse", 2),  # Nielsen's sigmoid outputs with squared error
    ("softmax", "cross_entropy", 4),
    ("sigmoid", "binary_cross_entropy", 1),
    ("sigmoid", "binary_cross_entropy", 3),  # three independent two-class outputs
]
HIDDEN = ["sigmoid", "relu", "leaky_relu", "linear", "tanh"]


def _network(hidden, output, loss, n_out, alpha, penalty, seed=0, penalize_biases=False):
    return FeedForwardNetwork(
        [3, *[5] * len(hidden), n_out],
        [*hidden, output],
        loss=loss,
        alpha=alpha,
        kernel_init="glorot_uniform",
        bias_init="narrow_normal",
        random_state=seed,
        penalty=penalty,
        penalize_biases=penalize_biases,
    )


def _targets(loss, n_out, rng, n):
    if loss == "cross_entropy":
        return np.eye(n_out)[rng.integers(0, n_out, size=n)]
    if loss == "binary_cross_entropy":
        return rng.integers(0, 2, size=(n, n_out)).astype(float)
    return rng.normal(size=(n, n_out))


def _compare(network, cost, X, Y, rtol=1e-9, atol=1e-12):
    """fyslearn's cost and gradients against `cost` and autograd's gradients of it."""
    params = [W.copy() for W in network.coefs_] + [b.copy() for b in network.intercepts_]
    value, coef_grads, intercept_grads = network.loss_and_gradients(X, Y)
    expected_value = cost(params)
    expected = autograd.grad(cost)(params)
    assert value == pytest.approx(float(expected_value), rel=1e-10)
    for got, want in zip(coef_grads + intercept_grads, expected, strict=True):
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


@pytest.mark.parametrize("penalty", ["l2", "l1"])
@pytest.mark.parametrize(("output", "loss", "n_out"), OUTPUTS)
@pytest.mark.parametrize("activation", HIDDEN)
def test_network_gradients_equal_autograds(activation, output, loss, n_out, penalty, rng):
    hidden = [activation, activation]
    network = _network(hidden, output, loss, n_out, alpha=0.03, penalty=penalty)
    X = rng.normal(size=(7, 3))
    Y = _targets(loss, n_out, rng, len(X))

    def cost(params):
        return _network_cost(params, X, Y, [*hidden, output], loss, 0.03, penalty)

    _compare(network, cost, X, Y)


@pytest.mark.parametrize("penalty", ["l2", "l1"])
def test_mixed_layers_and_penalised_biases_equal_autograds(penalty, rng):
    hidden = ["tanh", "leaky_relu", "sigmoid"]
    network = _network(
        hidden, "softmax", "cross_entropy", 4, 0.1, penalty, seed=3, penalize_biases=True
    )
    X = rng.normal(size=(9, 3))
    Y = _targets("cross_entropy", 4, rng, len(X))

    def cost(params):
        return _network_cost(
            params, X, Y, [*hidden, "softmax"], "cross_entropy", 0.1, penalty, True
        )

    _compare(network, cost, X, Y)


def test_l1_subgradient_at_zero_weights_equals_autograds(rng):
    """At a weight of exactly 0 both take sign(0) = 0: the penalty leaves it where it is."""
    network = _network(["relu"], "linear", "mse", 2, alpha=0.5, penalty="l1")
    network.coefs_[0][:, :2] = 0.0
    network.coefs_[1][1] = 0.0
    X = rng.normal(size=(6, 3))
    Y = rng.normal(size=(6, 2))

    def cost(params):
        return _network_cost(params, X, Y, ["relu", "linear"], "mse", 0.5, "l1")

    _compare(network, cost, X, Y)
    _, coef_grads, _ = network.loss_and_gradients(X, Y)
    np.testing.assert_allclose(coef_grads[0][:, :2], 0.0, atol=1e-15)  # dead units: no data term


@pytest.mark.parametrize(
    ("output", "loss", "n_out"),
    [("softmax", "cross_entropy", 4), ("sigmoid", "binary_cross_entropy", 1)],
)
@pytest.mark.parametrize("scale", [-3000.0, 3000.0])
def test_saturated_outputs_keep_exact_gradients(output, loss, n_out, scale, rng):
    """Inputs of magnitude 3000 saturate the outputs to exactly 0 and 1.

    The fused output error $\\delta = (a - y)/n$ stays exact there, as autograd's
    gradient of the cost written from the logits shows, and so does the loss,
    which fyslearn computes from the logits too (not from the rounded probabilities).
    """
    network = _network(["linear"], output, loss, n_out, alpha=0.01, penalty="l2")
    X = scale * np.abs(rng.normal(size=(5, 3)))
    Y = _targets(loss, n_out, rng, len(X))
    output_values = network.predict(X)
    assert np.any((output_values == 0.0) | (output_values == 1.0))  # really saturated
    params = [W.copy() for W in network.coefs_] + [b.copy() for b in network.intercepts_]
    expected = autograd.grad(lambda p: _logit_cost(p, X, Y, ["linear"], 0.01, output))(params)
    cost, coef_grads, intercept_grads = network.loss_and_gradients(X, Y)
    exact_cost = _logit_cost(params, X, Y, ["linear"], 0.01, output)
    assert exact_cost > 100.0  # confident wrong answers: the regime where clipping would bite
    assert cost == pytest.approx(exact_cost, rel=1e-12)
    assert network.loss_value(X, Y) == pytest.approx(exact_cost, rel=1e-12)
    for got, want in zip(coef_grads + intercept_grads, expected, strict=True):
        assert np.all(np.isfinite(got))
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9 * np.abs(want).max())


# -- the linear models ----------------------------------------------------------------


def _linear_cost(beta, X, y, alpha, penalty):
    residual = anp.dot(X, beta) - (y if beta.ndim == 1 else y[:, None])
    costs = anp.sum(residual**2, axis=0) / len(y)
    if penalty == "l2":
        return anp.sum(costs + alpha * anp.sum(beta**2, axis=0))
    return anp.sum(costs + alpha * anp.sum(anp.abs(beta), axis=0))


@pytest.mark.parametrize("penalty", ["l2", "l1"])
@pytest.mark.parametrize("alpha", [0.0, 1e-3, 2.5])
def test_linear_model_gradient_equals_autograds(penalty, alpha, rng):
    X = rng.normal(size=(20, 6))
    y = rng.normal(size=20)
    beta = rng.normal(size=6)
    beta[2] = 0.0  # the L1 kink: both use sign(0) = 0
    expected = autograd.grad(_linear_cost)(beta, X, y, alpha, penalty)
    np.testing.assert_allclose(mse_gradient(X, y, beta, alpha, penalty), expected, rtol=1e-12)
    assert mse_cost(X, y, beta, alpha, penalty) == pytest.approx(
        float(_linear_cost(beta, X, y, alpha, penalty)), rel=1e-12
    )


@pytest.mark.parametrize("penalty", ["l2", "l1"])
def test_stacked_linear_gradients_equal_autograds_column_by_column(penalty, rng):
    """A column stack with one alpha per column: the gradient of the summed costs."""
    X = rng.normal(size=(15, 4))
    y = rng.normal(size=15)
    B = rng.normal(size=(4, 3))
    alphas = np.array([0.0, 0.1, 10.0])
    expected = autograd.grad(_linear_cost)(B, X, y, alphas, penalty)
    np.testing.assert_allclose(mse_gradient(X, y, B, alphas, penalty), expected, rtol=1e-12)


@pytest.mark.parametrize("magnitude", [1e-8, 1e6])
def test_linear_gradient_at_extreme_magnitudes_equals_autograds(magnitude, rng):
    X = magnitude * rng.normal(size=(12, 3))
    y = -magnitude * rng.normal(size=12)
    beta = rng.normal(size=3)
    for penalty in ("l2", "l1"):
        expected = autograd.grad(_linear_cost)(beta, X, y, 0.2, penalty)
        got = mse_gradient(X, y, beta, 0.2, penalty)
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12 * np.abs(expected).max())

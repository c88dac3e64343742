"""Backpropagation against central finite differences, and the buffered step against it."""

import itertools

import numpy as np
import pytest

from fyslearn.nn import FeedForwardNetwork
from fyslearn.nn.training import Workspace, parameter_views, per_model

HIDDEN_ACTIVATIONS = ["sigmoid", "relu", "leaky_relu", "linear", "tanh"]


def _network(hidden, activation, loss, alpha, seed=0, penalize_biases=False):
    sizes = [3, *hidden, 4 if loss == "cross_entropy" else 2]
    output = "softmax" if loss == "cross_entropy" else "linear"
    return FeedForwardNetwork(
        sizes,
        [activation] * len(hidden) + [output],
        loss=loss,
        alpha=alpha,
        kernel_init="glorot_uniform",
        bias_init="narrow_normal",
        random_state=seed,
        penalize_biases=penalize_biases,
    )


def _data(network, rng, n=7):
    X = rng.normal(size=(n, network.layer_sizes[0]))
    n_out = network.layer_sizes[-1]
    if network.loss.name == "cross_entropy":
        Y = np.eye(n_out)[rng.integers(0, n_out, size=n)]
    else:
        Y = rng.normal(size=(n, n_out))
    return X, Y


def _finite_differences(network, X, Y, h=1e-6):
    """Central differences of the cost with respect to every weight and bias."""
    grads = []
    for array in network.coefs_ + network.intercepts_:
        grad = np.zeros_like(array)
        for index in np.ndindex(array.shape):
            saved = array[index]
            array[index] = saved + h
            plus = network.loss_value(X, Y)
            array[index] = saved - h
            minus = network.loss_value(X, Y)
            array[index] = saved
            grad[index] = (plus - minus) / (2 * h)
        grads.append(grad)
    return grads


def _relative_error(a, b):
    return np.abs(a - b).max() / max(np.abs(a).max(), np.abs(b).max(), 1e-12)


CASES = list(
    itertools.product(
        HIDDEN_ACTIVATIONS, ["mse", "cross_entropy"], [(), (5,), (4, 3), (3, 4, 2)], [0.0, 0.3]
    )
)


@pytest.mark.parametrize(("activation", "loss", "hidden", "alpha"), CASES)
def test_backprop_matches_finite_differences(rng, activation, loss, hidden, alpha):
    network = _network(hidden, activation, loss, alpha)
    X, Y = _data(network, rng)
    if hidden and activation in ("relu", "leaky_relu"):
        zs, _ = network.forward(X)  # finite differences need pre-activations away from the kink
        assert min(np.abs(z).min() for z in zs[:-1]) > 1e-4
    loss_value, coef_grads, intercept_grads = network.loss_and_gradients(X, Y)
    assert loss_value == pytest.approx(network.loss_value(X, Y))
    numeric = _finite_differences(network, X, Y)
    for analytic, expected in zip(coef_grads + intercept_grads, numeric, strict=True):
        assert _relative_error(analytic, expected) < 1e-6


def test_bias_penalty_option_matches_finite_differences(rng):
    network = _network((4,), "tanh", "mse", 0.5, penalize_biases=True)
    X, Y = _data(network, rng)
    _, coef_grads, intercept_grads = network.loss_and_gradients(X, Y)
    for analytic, expected in zip(
        coef_grads + intercept_grads, _finite_differences(network, X, Y), strict=True
    ):
        assert _relative_error(analytic, expected) < 1e-6


def test_softmax_with_mse_uses_the_full_jacobian(rng):
    network = FeedForwardNetwork([3, 4, 3], ["tanh", "softmax"], loss="mse", random_state=1)
    X, Y = _data(network, rng)
    _, coef_grads, intercept_grads = network.loss_and_gradients(X, Y)
    for analytic, expected in zip(
        coef_grads + intercept_grads, _finite_differences(network, X, Y), strict=True
    ):
        assert _relative_error(analytic, expected) < 1e-6


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
@pytest.mark.parametrize("batch", [5, 7])
def test_buffered_training_step_equals_plain_backprop(rng, loss, batch):
    network = _network((6, 5), "relu", loss, 0.1)
    X, Y = _data(network, rng, n=20)
    rows = rng.permutation(20)[:batch]
    workspace = Workspace(network, batch_size=7)
    (flat,) = workspace.gradients(X, Y, rows)
    buffered = flat.copy()
    # a second, smaller batch reuses the same buffers
    workspace.gradients(X, Y, rows[:3])
    _, coef_grads, intercept_grads = network.loss_and_gradients(X[rows], Y[rows])
    # the flat layout: W¹, b¹, W², b², …
    pairs = zip(coef_grads, intercept_grads, strict=True)
    expected = np.concatenate([g.ravel() for pair in pairs for g in pair])
    np.testing.assert_allclose(buffered, expected, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name", ["mse", "cross_entropy"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fused_loss_and_gradient_equal_the_separate_ones(rng, name, dtype):
    from fyslearn.nn.losses import LOSSES

    loss = LOSSES[name]
    A = rng.uniform(0.01, 1.0, size=(9, 4)).astype(dtype)
    Y = np.eye(4, dtype=dtype)[rng.integers(0, 4, 9)]
    out = np.empty_like(A)
    value, gradient = loss.value_and_output_gradient(Y, A, out=out)
    assert gradient is out
    tolerance = 1e-6 if dtype == np.float32 else 1e-14
    assert value == pytest.approx(loss(Y, A), rel=tolerance)
    np.testing.assert_allclose(gradient, loss.output_gradient(Y, A), rtol=tolerance)


@pytest.mark.parametrize("penalty", ["l2", "l1"])
@pytest.mark.parametrize("shared", [True, False])
def test_scaled_stack_gradient_is_each_networks_rate_times_its_gradient(rng, penalty, shared):
    """The workspace's gradient with a per-network scale (SGD's η folded into δᴸ)."""
    networks = [
        FeedForwardNetwork(
            [3, 5, 2], ["tanh", "linear"], alpha=alpha, penalty=penalty, random_state=k
        )
        for k, alpha in enumerate([0.0, 0.3, 0.05])
    ]
    X, Y = _data(networks[0], rng, n=12)
    rates = [0.5, 0.01, 2.0]
    stack = FeedForwardNetwork.stack(networks)
    workspace = Workspace(stack, batch_size=4, shared_batch=shared)
    rows = rng.permutation(12)[:4] if shared else np.stack([rng.permutation(12)[:4] for _ in rates])
    (scaled,) = workspace.gradients(X, Y, rows, scale=per_model(stack, rates))
    scaled = scaled.copy()
    (plain,) = workspace.gradients(X, Y, rows)
    np.testing.assert_allclose(scaled, per_model(stack, rates) * plain, rtol=1e-13, atol=1e-16)
    for k, network in enumerate(networks):  # and each network's own gradient, unscaled
        own_rows = rows if shared else rows[k]
        _, coef_grads, intercept_grads = network.loss_and_gradients(X[own_rows], Y[own_rows])
        views = parameter_views(plain, stack)
        expected = [g for pair in zip(coef_grads, intercept_grads, strict=True) for g in pair]
        for view, gradient in zip(views, expected, strict=True):
            np.testing.assert_allclose(
                view[k].reshape(gradient.shape), gradient, rtol=1e-12, atol=1e-15
            )


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_scaled_gradient_of_one_network_with_penalty(rng, loss):
    network = _network((6,), "relu", loss, 0.2)
    X, Y = _data(network, rng, n=10)
    workspace = Workspace(network, batch_size=10)
    rows = np.arange(10)
    (scaled,) = workspace.gradients(X, Y, rows, scale=0.125)
    scaled = scaled.copy()
    (plain,) = workspace.gradients(X, Y, rows)
    np.testing.assert_allclose(scaled, 0.125 * plain, rtol=1e-14, atol=1e-17)
    assert not np.allclose(scaled, plain)  # the scale did act

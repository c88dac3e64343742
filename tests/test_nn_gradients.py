"""Backpropagation against central finite differences, and the buffered step against it."""

import copy
import itertools

import numpy as np
import pytest

from fyslearn.nn import FeedForwardNetwork
from fyslearn.nn.training import Trainer, TrainingSettings

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


def _flat_gradients(network, X, Y):
    """`loss_and_gradients` in the optimizer's order, kernels then biases, flat."""
    _, coef_grads, intercept_grads = network.loss_and_gradients(X, Y)
    return np.concatenate([g.ravel() for g in coef_grads + intercept_grads])


def _step_gradients(network, X, Y, rows):
    """The gradients a training step hands to the optimizer, flat."""
    trainer = Trainer(network, X, Y, TrainingSettings(learning_rate=0.1, batch_size=7, epochs=1))
    return np.concatenate([g.ravel() for g in trainer.gradients(rows)])


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
@pytest.mark.parametrize("batch", [5, 7])
@pytest.mark.parametrize(
    ("penalty", "penalize_biases"), [("l2", False), ("l2", True), ("l1", True)]
)
def test_training_step_equals_plain_backprop(rng, loss, batch, penalty, penalize_biases):
    network = _network((6, 5), "relu", loss, 0.1, penalize_biases=penalize_biases)
    network.penalty = penalty
    X, Y = _data(network, rng, n=20)
    rows = rng.permutation(20)[:batch]
    np.testing.assert_allclose(
        _step_gradients(network, X, Y, rows),
        _flat_gradients(network, X[rows], Y[rows]),
        rtol=1e-13,
        atol=1e-15,
    )


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_float32_training_step_agrees_with_float64_backprop(rng, loss):
    """The same step in float32 is the float64 gradient to float32's precision."""
    network = _network((6, 5), "tanh", loss, 0.1, penalize_biases=True)
    X, Y = _data(network, rng, n=20)
    rows = rng.permutation(20)[:7]
    expected = _flat_gradients(network, X[rows], Y[rows])
    single = copy.deepcopy(network)
    single.dtype = np.dtype(np.float32)
    single.coefs_ = [W.astype(np.float32) for W in single.coefs_]
    single.intercepts_ = [b.astype(np.float32) for b in single.intercepts_]
    flat = _step_gradients(single, X.astype(np.float32), Y.astype(np.float32), rows)
    assert flat.dtype == np.float32
    np.testing.assert_allclose(flat, expected, rtol=2e-5, atol=2e-6 * np.abs(expected).max())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_mse_value_and_gradient_against_their_formulas(rng, dtype):
    """C = (1/n) Σ (a − y)² and ∂C/∂a = (2/n)(a − y), written out here."""
    from fyslearn.nn.losses import LOSSES

    A = rng.normal(size=(9, 4)).astype(dtype)
    Y = rng.normal(size=(9, 4)).astype(dtype)
    residual = A.astype(np.float64) - Y
    tolerance = 1e-6 if dtype == np.float32 else 1e-14
    assert LOSSES["mse"](Y, A) == pytest.approx(np.sum(residual**2) / 9, rel=tolerance)
    gradient = LOSSES["mse"].output_gradient(Y, A)
    assert gradient.dtype == dtype
    np.testing.assert_allclose(gradient, 2 * residual / 9, rtol=tolerance)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_value_and_gradient_against_their_formulas(rng, dtype):
    """C = −(1/n) Σ y ln a and ∂C/∂a = −y/(n a), written out here."""
    from fyslearn.nn.losses import LOSSES

    A = rng.uniform(0.01, 1.0, size=(9, 4)).astype(dtype)
    Y = np.eye(4, dtype=dtype)[rng.integers(0, 4, 9)]
    tolerance = 1e-6 if dtype == np.float32 else 1e-14
    expected_value = -np.sum(Y * np.log(A.astype(np.float64))) / 9
    assert LOSSES["cross_entropy"](Y, A) == pytest.approx(expected_value, rel=tolerance)
    gradient = LOSSES["cross_entropy"].output_gradient(Y, A)
    np.testing.assert_allclose(gradient, -Y / (9 * A.astype(np.float64)), rtol=tolerance)


@pytest.mark.parametrize("penalty", ["l2", "l1"])
@pytest.mark.parametrize("shared", [True, False])
def test_stack_gradient_is_each_networks_own_gradient(rng, penalty, shared):
    """The training step of a stack: for each network, its own gradient (D2–D5)."""
    networks = [
        FeedForwardNetwork(
            [3, 5, 2], ["tanh", "linear"], alpha=alpha, penalty=penalty, random_state=k
        )
        for k, alpha in enumerate([0.0, 0.3, 0.05])
    ]
    X, Y = _data(networks[0], rng, n=12)
    stack = FeedForwardNetwork.stack(networks)
    trainer = Trainer(stack, X, Y, TrainingSettings(learning_rate=0.1, batch_size=4, epochs=1))
    rows = (
        rng.permutation(12)[:4] if shared else np.stack([rng.permutation(12)[:4] for _ in networks])
    )
    stacked = trainer.gradients(rows)
    for k, network in enumerate(networks):
        own_rows = rows if shared else rows[k]
        _, coef_grads, intercept_grads = network.loss_and_gradients(X[own_rows], Y[own_rows])
        for gradient, expected in zip(stacked, coef_grads + intercept_grads, strict=True):
            np.testing.assert_allclose(
                gradient[k].reshape(expected.shape), expected, rtol=1e-12, atol=1e-15
            )


@pytest.mark.parametrize(
    "other",
    [
        {"penalty": "l1"},
        {"penalize_biases": True},
        {"loss": "cross_entropy"},
        {"dtype": np.float32},
    ],
)
def test_networks_with_different_settings_are_not_stacked(other):
    """A stack shares one engine setting per kind: a mismatch is refused before any training."""
    settings = {"loss": "mse", "penalty": "l2", "penalize_biases": False, "dtype": np.float64}
    first = FeedForwardNetwork([3, 4, 2], ["tanh", "linear"], random_state=0, **settings)
    second = FeedForwardNetwork(
        [3, 4, 2], ["tanh", "linear"], random_state=1, **{**settings, **other}
    )
    with pytest.raises(ValueError, match="stack needs single networks"):
        FeedForwardNetwork.stack([first, second])


def test_softmax_in_a_hidden_layer_is_refused():
    """D4 multiplies by an element-wise σ'(z); softmax's derivative is a Jacobian."""
    with pytest.raises(ValueError, match="softmax is an output activation only"):
        FeedForwardNetwork([3, 4, 2], ["softmax", "linear"])
    FeedForwardNetwork([3, 4, 2], ["tanh", "softmax"])  # at the output it is fine

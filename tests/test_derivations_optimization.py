"""D9, D10 and the adaptive optimizers: SymPy's derivations against fyslearn.optim."""

import math

import numpy as np
import pytest

from fyslearn import derivations
from fyslearn.optim import SGD, Adagrad, Adam, inverse_decay


@pytest.mark.parametrize(
    "derivation",
    [
        derivations.sgd_momentum,
        derivations.learning_rate_decay,
        derivations.adam_bias_correction,
        derivations.adam_first_step,
        derivations.adagrad_constant_gradient,
    ],
)
def test_proofs_hold(derivation):
    derivation().verify()


@pytest.mark.parametrize("omega", [0.0, 0.5, 0.9, 0.99])
@pytest.mark.parametrize("eta", [1e-3, 0.1, 2.0])
def test_sgd_matches_unrolled_momentum_sums(rng, omega, eta):
    theta0 = rng.normal(size=3)
    gradients = rng.normal(size=(8, 3)) * np.array([1.0, -1e3, 1e-3])
    expected = derivations.sgd_momentum().numeric()(theta0, gradients, eta, omega)
    theta = theta0.copy()
    optimizer = SGD([theta], learning_rate=eta, momentum=omega)
    optimizer.start_epoch(0, 1)
    for step, gradient in enumerate(gradients):
        optimizer.step([gradient.copy()])
        np.testing.assert_allclose(theta, expected[step], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("n_batches", [1, 7, 75, 816])
def test_inverse_decay_matches_sympy(n_batches):
    schedule = derivations.learning_rate_decay().numeric()
    for epoch in (0, 1, 2, 99, 10_000):
        for eta0 in (1e-4, 0.1, 5.0):
            assert inverse_decay(eta0, epoch, n_batches) == pytest.approx(
                schedule(eta0, epoch, n_batches), rel=1e-15
            )


def test_sgd_schedule_uses_the_decay(rng):
    optimizer = SGD([np.zeros(1)], learning_rate=0.3, schedule="inverse")
    schedule = derivations.learning_rate_decay().numeric()
    for epoch in range(5):
        assert optimizer.start_epoch(epoch, 75) == pytest.approx(schedule(0.3, epoch, 75))


# Zero, both signs, and magnitudes from far below ε = 1e-8 to far above 1.
GRADIENTS = np.array([0.0, 1e-200, -1e-12, 3e-9, -1e-8, 0.7, -2.5, 1e6, -1e12, 1e150])


@pytest.mark.parametrize("epsilon", [1e-8, 1e-3, 1.0])
@pytest.mark.parametrize("eta", [1e-4, 0.1, 3.0])
def test_adam_first_step_matches_sympy(eta, epsilon):
    displacement = derivations.adam_first_step().numeric()
    for beta_1, beta_2 in [(0.9, 0.999), (0.0, 0.0), (0.5, 0.99)]:
        theta = np.full(GRADIENTS.shape, 4.0)
        optimizer = Adam([theta], eta, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)
        optimizer.start_epoch(0, 1)
        optimizer.step([GRADIENTS.copy()])
        np.testing.assert_allclose(
            theta - 4.0, displacement(eta, GRADIENTS, epsilon), rtol=1e-12, atol=1e-15
        )


def test_adam_first_step_has_length_eta_whatever_the_scale():
    """The derivation's point, on the optimizer: |Δθ| = η up to ε/|g| at every scale."""
    eta, epsilon = 0.01, 1e-8
    for scale in (1e-4, 1.0, 1e4, 1e8):
        theta = np.zeros(3)
        optimizer = Adam([theta], eta, epsilon=epsilon)
        optimizer.start_epoch(0, 1)
        gradient = scale * np.array([1.0, -3.0, 0.5])
        optimizer.step([gradient.copy()])
        shortfall = eta - np.abs(theta)
        rounding = 4 * np.spacing(eta)  # η − |Δθ| is computed from numbers near η
        assert np.all(shortfall >= -rounding)
        assert np.all(shortfall <= eta * epsilon / np.abs(gradient) + rounding)


@pytest.mark.parametrize(("beta_1", "beta_2"), [(0.9, 0.999), (0.5, 0.9), (0.0, 0.0)])
def test_adam_moments_carry_the_total_weight_and_every_step_is_the_first(beta_1, beta_2):
    """Constant gradient: m_t = (1 − β₁ᵗ) g, v_t = (1 − β₂ᵗ) g², so m̂ = g, v̂ = g² at every t."""
    total_weight = derivations.adam_bias_correction().numeric()
    displacement = derivations.adam_first_step().numeric()
    eta, epsilon = 0.05, 1e-8
    theta = np.zeros(GRADIENTS.shape)
    optimizer = Adam([theta], eta, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)
    optimizer.start_epoch(0, 1)
    for t in range(1, 41):
        before = theta.copy()
        optimizer.step([GRADIENTS.copy()])
        m, v = optimizer.first_moments[0], optimizer.second_moments[0]
        np.testing.assert_allclose(m, total_weight(beta_1, t) * GRADIENTS, rtol=1e-13)
        np.testing.assert_allclose(v, total_weight(beta_2, t) * GRADIENTS**2, rtol=1e-13)
        np.testing.assert_allclose(
            theta - before, displacement(eta, GRADIENTS, epsilon), rtol=1e-12, atol=1e-15
        )


def test_bias_correction_total_weight_is_the_sum_of_the_weights():
    total_weight = derivations.adam_bias_correction().numeric()
    for beta in (0.0, 0.5, 0.9, 0.999):
        for t in (1, 2, 10, 1000):
            weights = [(1 - beta) * beta ** (t - i) for i in range(1, t + 1)]
            assert total_weight(beta, t) == pytest.approx(math.fsum(weights), rel=1e-12)


@pytest.mark.parametrize("epsilon", [1e-8, 1e-2])
@pytest.mark.parametrize("eta", [1e-3, 0.5])
def test_adagrad_step_under_a_constant_gradient_matches_sympy(eta, epsilon):
    displacement = derivations.adagrad_constant_gradient().numeric()
    theta = np.zeros(GRADIENTS.shape)
    optimizer = Adagrad([theta], eta, epsilon=epsilon)
    optimizer.start_epoch(0, 1)
    for t in range(1, 101):
        before = theta.copy()
        optimizer.step([GRADIENTS.copy()])
        np.testing.assert_allclose(
            theta - before, displacement(eta, GRADIENTS, epsilon, t), rtol=1e-12, atol=1e-15
        )
    # the derivation's conclusion: step 100 is a tenth of step 1 where |g| ≫ ε
    large = np.abs(GRADIENTS) > 1e3 * epsilon
    first = displacement(eta, GRADIENTS, epsilon, 1)
    np.testing.assert_allclose((theta - before)[large] / first[large], 0.1, rtol=1e-3)

"""D9, D10: SymPy's momentum recurrence and decay schedule against fyslearn.optim."""

import numpy as np
import pytest

from fyslearn import derivations
from fyslearn.optim import SGD, inverse_decay


@pytest.mark.parametrize("derivation", [derivations.sgd_momentum, derivations.learning_rate_decay])
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

"""The shared optimiser follows D9 (momentum) and D10 (decay) step by step."""

import math

import numpy as np
import pytest

from fyslearn.optim import SGD, inverse_decay, run_epochs


def test_inverse_decay_is_report_formula():
    assert inverse_decay(0.1, 0, 10) == 0.1
    assert inverse_decay(0.1, 1, 10) == pytest.approx(0.1 / 11)
    assert inverse_decay(0.1, 3, 7) == pytest.approx(0.1 / 22)


def test_momentum_update_follows_d9_step_by_step(rng):
    theta = rng.normal(size=3)
    grads = [rng.normal(size=3) for _ in range(4)]
    optimizer = SGD([theta], learning_rate=0.1, momentum=0.9)
    optimizer.start_epoch(0, 1)
    expected_theta, v = theta.copy(), np.zeros(3)
    for g in grads:
        v = 0.9 * v + 0.1 * g
        expected_theta = expected_theta - v
        optimizer.step([g.copy()])
        np.testing.assert_allclose(theta, expected_theta, rtol=1e-15)


def test_run_epochs_applies_decay_per_epoch_and_visits_every_row_once():
    theta = np.zeros(1)
    seen, rates = [], []
    optimizer = SGD([theta], learning_rate=1.0, schedule="inverse")

    def batch_gradients(rows):
        seen.append(rows.copy())
        rates.append(optimizer.current_rate)
        return [np.ones(1)]

    run_epochs(
        optimizer,
        batch_gradients,
        10,
        4,
        3,
        np.random.default_rng(0),
        evaluate=lambda epoch: {"loss": 0.0},
    )
    n_batches = 3  # ceil(10 / 4)
    assert [len(rows) for rows in seen] == [4, 4, 2] * 3
    for epoch in range(3):
        batch_rows = np.concatenate(seen[3 * epoch : 3 * epoch + 3])
        np.testing.assert_array_equal(np.sort(batch_rows), np.arange(10))
        assert rates[3 * epoch] == pytest.approx(1.0 / (epoch * n_batches + 1))
    assert theta[0] == pytest.approx(-3 * sum(1.0 / (e * 3 + 1) for e in range(3)))
    assert math.isclose(optimizer.current_rate, 1 / 7)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"learning_rate": -1.0}, "learning_rate"),
        ({"learning_rate": 0.1, "momentum": 1.0}, "momentum"),
        ({"learning_rate": 0.1, "schedule": "cosine"}, "schedule"),
    ],
)
def test_bad_optimizer_parameters_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SGD([np.zeros(1)], **kwargs)


def test_restore_puts_back_the_parameters_of_the_lowest_loss():
    """Scripted losses: epoch 2 (0.4) is the best, epoch 3 (0.5) is close, epoch 5 diverges."""
    theta = np.zeros(1)
    optimizer = SGD([theta], learning_rate=1.0)
    losses = [1.0, 0.4, 0.5, 0.9, math.nan]
    (outcome,) = run_epochs(
        optimizer,
        lambda rows: [np.ones(1)],  # θ falls by 1 per step: one step per epoch
        4,
        4,
        len(losses),
        np.random.default_rng(0),
        evaluate=lambda epoch: {"loss": losses[epoch]},
        restore_best=True,
    )
    assert theta[0] == -2.0  # the parameters after epoch 2
    assert outcome.restored_loss == 0.4 and outcome.diverged_epoch == 4


def test_an_explosion_is_judged_against_a_finite_initial_loss_only():
    from fyslearn.optim import has_diverged

    assert has_diverged(2e10, 1.0) and not has_diverged(5e9, 0.5)  # the scale is max(·, 1)
    assert has_diverged(2e12, 100.0) and not has_diverged(5e11, 100.0)
    for no_scale in (math.nan, math.inf):
        assert not has_diverged(1e300, no_scale) and has_diverged(math.nan, no_scale)

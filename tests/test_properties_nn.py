"""Property tests (hypothesis) for the network's numerics and gradients."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import fyslearn
from fyslearn.gradcheck import check_gradients
from fyslearn.nn import FeedForwardNetwork, MLPRegressor
from fyslearn.nn.activations import ACTIVATIONS
from fyslearn.nn.losses import BinaryCrossEntropy, CrossEntropy

logits = arrays(
    np.float64,
    st.tuples(st.integers(1, 5), st.integers(2, 6)),
    elements=st.floats(-1e4, 1e4, allow_nan=False),
)


@given(z=logits, shift=st.floats(-1e3, 1e3))
def test_softmax_rows_sum_to_one_and_ignore_a_shift(z, shift):
    a = ACTIVATIONS["softmax"](z)
    assert np.all(np.isfinite(a)) and np.all(a >= 0)
    np.testing.assert_allclose(a.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(ACTIVATIONS["softmax"](z + shift), a, atol=1e-12)


@given(z=arrays(np.float64, st.integers(1, 50), elements=st.floats(-1e4, 1e4)))
def test_sigmoid_is_bounded_and_finite(z):
    s = ACTIVATIONS["sigmoid"](z)  # warnings are errors in this suite: none may be emitted
    assert np.all((s >= 0) & (s <= 1))
    np.testing.assert_allclose(ACTIVATIONS["sigmoid"](-z), 1 - s, atol=1e-15)


@given(k=st.integers(2, 6), hot=st.integers(0, 5), zero_mass=st.booleans())
def test_cross_entropy_finite_at_probabilities_zero_and_one(k, hot, zero_mass):
    hot %= k
    y = np.eye(k)[[hot]]
    a = np.eye(k)[[(hot + 1) % k if zero_mass else hot]]  # the true class gets 0 or 1
    loss = CrossEntropy()(y, a)
    assert np.isfinite(loss) and loss >= 0
    assert (loss > 100) if zero_mass else (loss == 0)


@given(z=logits, stack=st.integers(1, 3))
def test_cross_entropy_from_logits_is_exact_and_matches_the_probability_form(z, stack):
    """lse(z) − z_y against 50-digit arithmetic; the probability form agrees where a_y > 1e-300."""
    import mpmath

    Z = np.stack([z + k for k in range(stack)])  # a stack of M networks: one loss each
    labels = np.arange(z.shape[0]) % z.shape[1]
    Y = np.eye(z.shape[1])[labels]
    got = CrossEntropy.from_logits(Y, Z)  # warnings are errors in this suite
    assert got.shape == (stack,)
    with mpmath.workdps(50):
        rows = zip(z.tolist(), labels, strict=True)
        exact = sum(
            mpmath.log(sum(mpmath.exp(mpmath.mpf(v)) for v in row)) - row[j] for row, j in rows
        )
        exact = float(exact / len(z))  # the same for every network: softmax ignores the shift by k
    rounding = 8 * np.finfo(float).eps * (np.abs(Z).max() + 1)  # a few ulp of the largest logit
    np.testing.assert_allclose(got, [exact] * stack, rtol=1e-12, atol=rounding)
    probabilities = ACTIVATIONS["softmax"](z)
    if probabilities[np.arange(len(z)), labels].min() > 1e-300:
        assert CrossEntropy()(Y, probabilities) == pytest.approx(got[0], rel=1e-9, abs=rounding)


@given(
    z=arrays(np.float64, st.integers(1, 20), elements=st.floats(-1e4, 1e4)),
    bits=st.integers(0, 2**20),
)
def test_binary_cross_entropy_from_logits_is_softplus_minus_yz(z, bits):
    """softplus(z) − y z, exact for any logit: −ln σ(z) for y = 1, −ln(1 − σ(z)) for y = 0."""
    import mpmath

    y = np.array([(bits >> (i % 20)) & 1 for i in range(len(z))], dtype=float)
    got = BinaryCrossEntropy.from_logits(y[:, None], z[:, None])
    with mpmath.workdps(50):
        exact = sum(
            mpmath.log(1 + mpmath.exp(mpmath.mpf(v))) - t * v
            for v, t in zip(z.tolist(), y.tolist(), strict=True)
        )
    rounding = 8 * np.finfo(float).eps * (np.abs(z).max() + 1)  # a few ulp of the largest logit
    assert got == pytest.approx(float(exact / len(z)), rel=1e-12, abs=rounding)


HIDDEN = ["sigmoid", "relu", "leaky_relu", "linear", "tanh"]


@settings(max_examples=25, deadline=None)
@given(
    depth=st.integers(0, 4),
    widths=st.lists(st.integers(1, 5), min_size=4, max_size=4),
    activations=st.lists(st.sampled_from(HIDDEN), min_size=4, max_size=4),
    loss=st.sampled_from(["mse", "cross_entropy"]),
    alpha=st.sampled_from([0.0, 1e-3, 0.5]),
    seed=st.integers(0, 1000),
)
def test_random_architectures_match_finite_differences(
    depth, widths, activations, loss, alpha, seed
):
    n_out = 3 if loss == "cross_entropy" else 2
    output = "softmax" if loss == "cross_entropy" else "linear"
    network = FeedForwardNetwork(
        [2, *widths[:depth], n_out],
        [*activations[:depth], output],
        loss=loss,
        alpha=alpha,
        bias_init="narrow_normal",
        random_state=seed,
    )
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(4, 2))
    Y = np.eye(3)[rng.integers(0, 3, 4)] if loss == "cross_entropy" else rng.normal(size=(4, 2))
    # every entry, relative error 1e-7 above the rounding floor; ReLU kinks set aside
    report = check_gradients(network, X, Y, max_entries_per_layer=None)
    assert report.passed, str(report)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), width=st.integers(1, 8))
def test_save_load_round_trip_is_bit_identical(tmp_path_factory, seed, width):
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(30, 2)), rng.normal(size=30)
    model = MLPRegressor(hidden_layer_sizes=(width,), epochs=2, random_state=seed).fit(X, y)
    path = model.save(tmp_path_factory.mktemp("models") / "model")
    np.testing.assert_array_equal(fyslearn.load(path).predict(X), model.predict(X))

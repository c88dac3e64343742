"""The gradient checker: it passes the real backpropagation and catches planted bugs."""

import itertools
import runpy
import textwrap
from pathlib import Path

import numpy as np
import pytest
from scipy.special import expit

from fyslearn.gradcheck import GOOD, WRONG, check_gradients, relative_errors
from fyslearn.nn import FeedForwardNetwork, MLPRegressor
from fyslearn.nn.activations import Activation

HIDDEN_ACTIVATIONS = ["sigmoid", "relu", "leaky_relu", "linear", "tanh"]


def _network(
    hidden, activation, loss, alpha=0.0, seed=0, cls=FeedForwardNetwork, n_in=3, n_out=None
):
    n_out = n_out or (4 if loss == "cross_entropy" else 2)
    output = "softmax" if loss == "cross_entropy" else "linear"
    return cls(
        [n_in, *hidden, n_out],
        [activation] * len(hidden) + [output],
        loss=loss,
        alpha=alpha,
        bias_init="narrow_normal",
        random_state=seed,
    )


def _data(network, rng, n=7):
    X = rng.normal(size=(n, network.layer_sizes[0]))
    n_out = network.layer_sizes[-1]
    if network.loss.name == "cross_entropy":
        return X, np.eye(n_out)[rng.integers(0, n_out, size=n)]
    return X, rng.normal(size=(n, n_out))


def _closest_to_a_kink(network, X):
    """The smallest |z| of the hidden layers' pre-activations."""
    zs, _ = network.forward(X)
    return min(np.abs(z).min() for z in zs[:-1])


# -- the real code passes ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("activation", "loss", "hidden", "alpha"),
    list(itertools.product(HIDDEN_ACTIVATIONS, ["mse", "cross_entropy"], [(5,), (4, 3)], [0, 0.3])),
)
def test_real_backpropagation_passes_at_1e_7(rng, activation, loss, hidden, alpha):
    network = _network(hidden, activation, loss, alpha)
    X, Y = _data(network, rng)
    assert _closest_to_a_kink(network, X) > 1e-4  # away from the kinks of ReLU-type layers
    report = check_gradients(network, X, Y, max_entries_per_layer=None)
    assert report.passed, str(report)
    assert report.max_relative_error <= GOOD
    assert [check.verdict for check in report.layers] == ["good"] * len(report.layers)
    terms = ["data loss", "L2 penalty"] if alpha else ["data loss"]
    assert [check.term for check in report.layers] == terms * (len(hidden) + 1)
    assert [check.layer for check in report.layers] == [
        layer for layer in range(1, len(hidden) + 2) for _ in terms
    ]
    for check in report.layers:
        assert check.n_checked == check.n_entries  # small layers: every entry
        assert check.n_kinks == 0


def test_real_backpropagation_passes_with_large_and_small_inputs(rng):
    network = _network((6, 5), "tanh", "mse", alpha=0.1)
    for scale in (1e-3, 1.0, 30.0):
        X, Y = _data(network, rng, n=11)
        report = check_gradients(network, X * scale, Y * scale)
        assert report.passed, str(report)


def test_softmax_with_mse_passes(rng):
    network = FeedForwardNetwork([3, 4, 3], ["tanh", "softmax"], loss="mse", random_state=1)
    X, Y = _data(network, rng)
    assert check_gradients(network, X, Y).passed


def test_the_network_is_not_modified(rng):
    network = _network((5,), "relu", "mse", alpha=0.2)
    X, Y = _data(network, rng)
    before = [w.copy() for w in (*network.coefs_, *network.intercepts_)]
    check_gradients(network, X, Y)
    assert network.alpha == 0.2
    for saved, now in zip(before, (*network.coefs_, *network.intercepts_), strict=True):
        np.testing.assert_array_equal(saved, now)


# -- planted bugs ---------------------------------------------------------------------------


class SigmoidWithWrongDerivative(Activation):
    """Sigmoid whose derivative is σ instead of σ(1 − σ)."""

    name = "sigmoid_with_wrong_derivative"

    def __call__(self, z, out=None):
        return expit(z, out=out)

    def derivative(self, z, a=None):
        return expit(z)  # the bug: σ' = σ


class HandWrittenBackprop(FeedForwardNetwork):
    """Backpropagation written out as a student would, with an optional planted bug.

    Supports element-wise hidden activations and a linear output with MSE or a
    softmax output with cross-entropy; the cost is the network's own.
    """

    bug = None

    def loss_and_gradients(self, X, Y):
        X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
        zs, activations = [], [X]
        for W, b, sigma in zip(self.coefs_, self.intercepts_, self.activations, strict=True):
            zs.append(activations[-1] @ W + b)
            activations.append(sigma(zs[-1]))
        n = len(X)
        factor = 1.0 if self.loss.name == "cross_entropy" else 2.0  # softmax + CE, or MSE
        delta = factor * (activations[-1] - Y)
        if self.bug != "forgotten 1/n":
            delta /= n
        coef_grads, intercept_grads = [None] * self.n_layers, [None] * self.n_layers
        for layer in reversed(range(self.n_layers)):
            W = self.coefs_[layer]
            coef_grads[layer] = activations[layer].T @ delta + 2 * self.alpha * W
            intercept_grads[layer] = delta.sum(axis=0)
            if self.bug == "L2 without the 2":
                coef_grads[layer] -= self.alpha * W
            if layer > 0:
                back = delta @ (W if self.bug == "missing transpose" else W.T)
                delta = back * self.activations[layer - 1].derivative(zs[layer - 1])
        cost = self.loss(Y, activations[-1]) + self.penalty_value()
        return cost, coef_grads, intercept_grads


def _hand_written(bug, hidden=(4, 4), activation="tanh", loss="mse", alpha=0.0, n_out=None):
    network = _network(hidden, activation, loss, alpha, cls=HandWrittenBackprop, n_out=n_out)
    network.bug = bug
    return network


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_hand_written_backprop_without_bug_passes(rng, loss):
    network = _hand_written(None, loss=loss, alpha=0.1)
    X, Y = _data(network, rng)
    report = check_gradients(network, X, Y)
    assert report.passed, str(report)


def test_wrong_sigmoid_derivative_is_flagged(rng):
    network = FeedForwardNetwork(
        [3, 5, 2], [SigmoidWithWrongDerivative(), "linear"], bias_init="narrow_normal"
    )
    X, Y = _data(network, rng)
    report = check_gradients(network, X, Y)
    first, output = report.layers
    assert first.verdict == "wrong" and first.max_relative_error >= WRONG
    assert output.verdict == "good"  # the output layer's gradient does not use σ'
    assert not report.passed


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_missing_transpose_is_flagged(rng, loss):
    # square kernels W², W³ (4 × 4): δ W instead of δ Wᵀ runs without a shape error
    network = _hand_written("missing transpose", hidden=(4, 4), loss=loss, n_out=4)
    X, Y = _data(network, rng)
    report = check_gradients(network, X, Y)
    verdicts = {check.layer: check.verdict for check in report.layers}
    assert verdicts == {1: "wrong", 2: "wrong", 3: "good"}
    assert min(c.max_relative_error for c in report.layers[:2]) >= WRONG


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_forgotten_one_over_n_is_flagged_in_every_layer(rng, loss):
    network = _hand_written("forgotten 1/n", loss=loss)
    X, Y = _data(network, rng, n=5)
    report = check_gradients(network, X, Y)
    assert [check.verdict for check in report.layers] == ["wrong"] * 3
    # every gradient is n = 5 times too large: relative error (5 − 1)/5
    for check in report.layers:
        assert check.max_relative_error == pytest.approx(0.8, rel=1e-6)


def test_forgotten_one_over_n_is_invisible_with_one_sample(rng):
    network = _hand_written("forgotten 1/n")
    X, Y = _data(network, rng, n=1)
    assert check_gradients(network, X, Y).passed


def test_the_l2_term_is_checked_apart_from_the_data_loss(rng):
    network = _hand_written("L2 without the 2", alpha=0.3)
    X, Y = _data(network, rng)
    report = check_gradients(network, X, Y)
    verdicts = {(check.layer, check.term): check.verdict for check in report.layers}
    assert verdicts == {
        (layer, term): "good" if term == "data loss" else "wrong"
        for layer in (1, 2, 3)
        for term in ("data loss", "L2 penalty")
    }
    l2_rows = [check for check in report.layers if check.term == "L2 penalty"]
    for check in l2_rows:  # αW instead of 2αW on the kernels
        kernel = np.array([label.startswith("W") for label in check.entries])
        np.testing.assert_allclose(check.numeric[kernel], 2 * check.analytic[kernel], rtol=1e-6)
        assert check.relative_error[kernel].min() >= WRONG
        np.testing.assert_array_equal(check.relative_error[~kernel], 0.0)  # biases: no penalty


def test_the_l1_term_is_checked_with_its_kink_at_zero(rng):
    network = _network((5,), "tanh", "mse")
    network.alpha, network.penalty = 0.3, "l1"
    network.coefs_[0][0, :2] = 0.0, 2.5e-7  # |w| has its kink at 0: w ± eps on both sides
    X, Y = _data(network, rng)
    report = check_gradients(network, X, Y, max_entries_per_layer=None)
    penalty_rows = [check for check in report.layers if check.term == "L1 penalty"]
    assert [check.layer for check in penalty_rows] == [1, 2]
    first = penalty_rows[0]
    at_kink = [label for label, kink in zip(first.entries, first.at_kink, strict=True) if kink]
    assert at_kink == ["W^1[0, 1]"]
    # at w = eps/4 the centred difference averages the two slopes, α·w/eps = α/4,
    # against α: a disagreement, set aside; at w = 0 it is 0, as is α·sign(0): judged
    np.testing.assert_allclose(first.numeric[first.at_kink], [0.3 / 4], atol=1e-9)
    np.testing.assert_allclose(first.analytic[first.at_kink], [0.3], atol=1e-12)
    zero = first.entries.index("W^1[0, 0]")
    assert first.numeric[zero] == first.analytic[zero] == 0.0
    assert first.verdict == "kink" and first.max_relative_error <= GOOD
    assert penalty_rows[1].n_kinks == 0 and penalty_rows[1].verdict == "good"
    assert report.passed


def test_an_l1_network_with_every_weight_at_zero_is_judged(rng):
    """At w = 0 both sides of |w| are symmetric: derivatives agree, nothing is set aside."""
    network = _network((3,), "tanh", "mse")
    network.alpha, network.penalty = 0.3, "l1"
    for W in network.coefs_:
        W[:] = 0.0
    X, Y = _data(network, rng)
    report = check_gradients(network, X, Y, max_entries_per_layer=None)
    assert report.passed, str(report)
    assert all(check.n_kinks == 0 for check in report.layers)


def test_a_stack_is_refused_with_a_pointer_to_unstack(rng):
    stack = FeedForwardNetwork.stack([_network((3,), "tanh", "mse", seed=s) for s in (0, 1)])
    X, Y = _data(_network((3,), "tanh", "mse"), rng)
    with pytest.raises(ValueError, match=r"stack of 2.*unstack"):
        check_gradients(stack, X, Y)


class ScaledGradient(FeedForwardNetwork):
    """Every gradient `factor` times the true one: a planted bug of known size."""

    factor = 1.0

    def loss_and_gradients(self, X, Y):
        cost, coef_grads, intercept_grads = super().loss_and_gradients(X, Y)
        return (
            cost,
            [self.factor * g for g in coef_grads],
            [self.factor * g for g in intercept_grads],
        )


class SlightlyOffGradient(ScaledGradient):
    """Every gradient 1e-4 too large (relatively): between good and wrong."""

    factor = 1 + 1e-4


def test_a_small_relative_error_is_suspect(rng):
    network = _network((5,), "tanh", "mse", cls=SlightlyOffGradient)
    X, Y = _data(network, rng)
    report = check_gradients(network, X, Y)
    assert [check.verdict for check in report.layers] == ["suspect", "suspect"]
    assert report.max_relative_error == pytest.approx(1e-4, rel=1e-3)
    assert not report.passed
    assert "FAILED" in str(report)


# -- kinks ----------------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ["relu", "leaky_relu"])
def test_a_step_across_a_kink_is_detected_and_not_judged(rng, activation):
    network = _network((5,), activation, "mse")
    network.intercepts_[0][:] = 0.0
    X, Y = _data(network, rng)
    X[0] = 0.0  # z¹ = 0 for the first sample: b¹ ± eps puts it on both sides of the kink
    report = check_gradients(network, X, Y)
    first, output = report.layers
    at_kink = [label for label, kink in zip(first.entries, first.at_kink, strict=True) if kink]
    assert at_kink == [f"b^1[{j}]" for j in range(5)]  # the kernels of a zero row never move z
    assert output.n_kinks == 0
    # the centred difference averages the two slopes there, so it disagrees
    assert first.relative_error[first.at_kink].min() > 1e-4
    assert first.verdict == "kink" and first.max_relative_error <= GOOD
    assert report.passed
    assert "5 entries at a kink not judged" in str(report)


def test_no_kink_is_reported_for_smooth_activations(rng):
    network = _network((5,), "tanh", "mse")
    network.intercepts_[0][:] = 0.0
    X, Y = _data(network, rng)
    X[0] = 0.0
    report = check_gradients(network, X, Y)
    assert sum(check.n_kinks for check in report.layers) == 0


def test_a_layer_only_at_kinks_is_unjudged_and_fails(rng):
    network = _network((3,), "relu", "mse")
    network.coefs_[0][:] = 0.0
    network.intercepts_[0][:] = 0.0  # z¹ = 0 everywhere: every step of layer 1 crosses the kink
    X, Y = _data(network, rng)
    report = check_gradients(network, X, Y)
    first = report.layers[0]
    assert first.n_kinks == first.n_checked == 12
    assert first.verdict == "unjudged" and np.isnan(first.max_relative_error)
    assert first.worst == -1
    assert not report.passed  # nothing is known about layer 1
    assert str(report).splitlines()[2].split()[-2:] == ["unjudged", "12"]


# -- sampling -----------------------------------------------------------------------------


def test_large_layers_are_sampled_with_biases_included(rng):
    network = _network((40,), "tanh", "mse", n_in=30)
    X, Y = _data(network, rng)
    report = check_gradients(network, X, Y, max_entries_per_layer=12, random_state=3)
    first, output = report.layers
    assert (first.n_checked, first.n_entries) == (12, 30 * 40 + 40)
    assert (output.n_checked, output.n_entries) == (12, 40 * 2 + 2)
    assert sum(label.startswith("b") for label in first.entries) == 6
    assert sum(label.startswith("b") for label in output.entries) == 2
    assert len(set(first.entries)) == 12
    again = check_gradients(network, X, Y, max_entries_per_layer=12, random_state=3)
    assert again.layers[0].entries == first.entries
    other = check_gradients(network, X, Y, max_entries_per_layer=12, random_state=4)
    assert other.layers[0].entries != first.entries


def test_report_table_names_the_worst_entry(rng):
    network = FeedForwardNetwork(
        [3, 5, 2], [SigmoidWithWrongDerivative(), "linear"], bias_init="narrow_normal"
    )
    X, Y = _data(network, rng)
    report = check_gradients(network, X, Y)
    first = report.layers[0]
    worst = first.entries[first.worst]
    assert first.relative_error[first.worst] == first.max_relative_error
    line = str(report).splitlines()[2]
    assert line.split()[:2] == ["1", "data"]
    assert line.split()[4:7] == [f"{first.max_relative_error:.1e}", "wrong", "0"]
    assert f"  {worst}  " in line
    assert str(report).splitlines()[-1].startswith("FAILED: layer 1 (data loss): wrong")


# -- the relative error ---------------------------------------------------------------------


def test_relative_error_edge_cases():
    errors = relative_errors(
        [0.0, 1.0, 1.0, -2.0, 1e-12, 3e8], [0.0, -1.0, 1.0, -1.0, 0.0, 3e8 + 3]
    )
    np.testing.assert_allclose(errors, [0.0, 2.0, 0.0, 0.5, 1.0, 1e-8])
    # a difference rounding can explain (at most 1e-7 floor) is relative to the floor
    np.testing.assert_allclose(relative_errors([1e-12], [0.0], floor=1e-4), [1e-8])
    # a larger one is relative to the entries, however large the floor
    np.testing.assert_allclose(relative_errors([1.5, 1.0], [1.0, 0.0], floor=1e6), [1 / 3, 1.0])


class OffByHalf(ScaledGradient):
    """Every gradient 1.5 times the true one."""

    factor = 1.5


def test_a_gradient_off_by_half_is_wrong_at_any_scale_of_the_cost(rng):
    """A large cost raises the rounding floor; it must not shrink a real error."""
    network = _network((4,), "tanh", "mse", cls=OffByHalf)
    X, Y = _data(network, rng)
    for scale in (1.0, 1e4):
        report = check_gradients(network, X, Y * scale)
        data_rows = [check for check in report.layers if check.term == "data loss"]
        assert all(check.verdict == "wrong" for check in data_rows), str(report)
        assert min(check.max_relative_error for check in data_rows) > 0.3


# -- bad input --------------------------------------------------------------------------------


@pytest.fixture
def small(rng):
    network = _network((4,), "tanh", "mse")
    return (network, *_data(network, rng))


def test_rejects_float32_network(small):
    _, X, Y = small
    network = _network((4,), "tanh", "mse")
    network32 = FeedForwardNetwork([3, 4, 2], ["tanh", "linear"], dtype=np.float32)
    with pytest.raises(ValueError, match="float64 network"):
        check_gradients(network32, X, Y)
    network.coefs_[0] = network.coefs_[0].astype(np.float32)
    with pytest.raises(ValueError, match=r"float64 network.*float32"):
        check_gradients(network, X, Y)


def test_rejects_non_finite_weights(small):
    network, X, Y = small
    network.intercepts_[1][0] = np.nan
    with pytest.raises(ValueError, match="intercepts_ contain NaN or infinity"):
        check_gradients(network, X, Y)


@pytest.mark.parametrize("eps", [0.0, -1e-6, np.inf, np.nan])
def test_rejects_bad_eps(small, eps):
    with pytest.raises(ValueError, match="eps"):
        check_gradients(*small, eps=eps)


def test_rejects_bad_max_entries(small):
    with pytest.raises(ValueError, match="max_entries_per_layer"):
        check_gradients(*small, max_entries_per_layer=0)


def test_rejects_mismatched_shapes(small):
    network, X, Y = small
    with pytest.raises(ValueError, match="X has 2 columns, the network's input layer has 3"):
        check_gradients(network, X[:, :2], Y)
    with pytest.raises(ValueError, match=r"Y must have shape .* \(7, 2\).*got \(6, 2\)"):
        check_gradients(network, X, Y[:6])
    with pytest.raises(ValueError, match=r"got \(7, 3\)"):
        check_gradients(network, X, np.ones((7, 3)))
    with pytest.raises(ValueError, match=r"got \(7,\)"):
        check_gradients(network, X, Y[:, 0])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", ["X", "Y"])
def test_rejects_non_finite_data(small, bad, where):
    network, X, Y = small
    (X if where == "X" else Y)[2, 1] = bad
    with pytest.raises(ValueError, match=f"Input {where} contains (NaN|infinity)"):
        check_gradients(network, X, Y)


def test_rejects_an_estimator_and_points_at_its_network(small):
    _, X, Y = small
    with pytest.raises(TypeError, match="network_"):
        check_gradients(MLPRegressor(), X, Y)


# -- the tutorial and its exercises ---------------------------------------------------------

TUTORIAL = Path(__file__).resolve().parents[1] / "tutorials" / "check_your_backpropagation.py"


def _solutions(path):
    """The Python code blocks inside the tutorial's collapsed solutions (`??? success`)."""
    lines = [line[2:] if line.startswith("# ") else "" for line in path.read_text().splitlines()]
    blocks, block, in_solution = [], None, False
    for line in lines:
        if line.strip().startswith("??? success"):
            in_solution = True
        elif line and not line.startswith(" "):
            in_solution = False  # back to the exercise text
        elif in_solution and line.strip() == "```python":
            block = []
        elif block is not None and line.strip() == "```":
            blocks.append(textwrap.dedent("\n".join(block)))
            block = None
        elif block is not None:
            block.append(line)
    return blocks


@pytest.fixture(scope="module")
def tutorial(tmp_path_factory):
    """The tutorial's namespace after running it as a script."""
    import matplotlib.pyplot as plt

    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path_factory.mktemp("tutorial"))  # where its last cell saves the figures
        namespace = runpy.run_path(str(TUTORIAL), run_name="tutorial")
    plt.close("all")
    return namespace


def test_tutorial_catches_each_planted_bug(tutorial):
    assert tutorial["report"].passed
    for name in ("report_forgotten", "report_transposed", "report_sigmoid"):
        assert not tutorial[name].passed
    wrong = {
        name: [row.layer for row in tutorial[name].layers if row.verdict == "wrong"]
        for name in ("report_forgotten", "report_transposed", "report_sigmoid")
    }
    assert wrong == {
        "report_forgotten": [1, 2, 3],
        "report_transposed": [1, 2],
        "report_sigmoid": [1, 2],
    }
    assert tutorial["report_mnist"].passed
    assert tutorial["report_mnist"].layers[0].n_kinks > 0
    assert tutorial["overfit"].history_["cross_entropy"][-1] < 0.01


def test_tutorial_solutions_run_and_are_right(tutorial):
    blocks = _solutions(TUTORIAL)
    assert len(blocks) == 3
    namespace = dict(tutorial)
    for block in blocks:
        exec(compile(block, str(TUTORIAL), "exec"), namespace)
    assert namespace["one_sample_check"]().passed
    l2 = namespace["l2_bug_check"]()
    assert {(row.term, row.verdict) for row in l2.layers} == {
        ("data loss", "good"),
        ("L2 penalty", "wrong"),
    }
    kink_free = namespace["kink_free_check"]()
    assert kink_free.passed
    assert sum(row.n_kinks for row in kink_free.layers) == 0


class JustAboveGood(ScaledGradient):
    """Every gradient 3e-7 too large (relatively): just above the `good` threshold."""

    factor = 1 + 3 * GOOD


def test_three_times_the_good_threshold_is_suspect(rng):
    network = _network((5,), "tanh", "mse", cls=JustAboveGood)
    X, Y = _data(network, rng)
    report = check_gradients(network, X, Y)
    assert [check.verdict for check in report.layers] == ["suspect", "suspect"]
    # plus the centred difference's own error, about 1e-8 at the worst entry
    assert report.max_relative_error == pytest.approx(3 * GOOD, abs=2e-8)

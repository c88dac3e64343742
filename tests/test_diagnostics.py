"""Per-layer statistics recorded during training: shapes, values, and the vanishing gradient."""

import copy

import numpy as np
import pytest

from fyslearn import fit_many
from fyslearn.datasets import make_franke
from fyslearn.nn import (
    FeedForwardNetwork,
    MLPClassifier,
    MLPRegressor,
    TrainingSettings,
    train_network,
)
from fyslearn.nn.diagnostics import DIAGNOSTICS, PROBE_ROWS

# the statistics are recorded over a few epochs: unconverged on purpose
pytestmark = pytest.mark.filterwarnings("ignore::fyslearn.optim.ConvergenceWarning")

X, Y = make_franke(300, random_state=0)


def test_every_statistic_has_one_value_per_epoch_and_layer():
    model = MLPRegressor(
        hidden_layer_sizes=(8, 6), epochs=4, random_state=0, diagnostics=list(DIAGNOSTICS)
    ).fit(X, Y)
    assert sorted(model.diagnostics_) == sorted(DIAGNOSTICS)
    for values in model.diagnostics_.values():
        assert values.shape == (4, 3) and np.all(np.isfinite(values))
    assert not hasattr(MLPRegressor(epochs=1).fit(X, Y), "diagnostics_")


@pytest.mark.parametrize("alpha", [0.0, 0.3])
def test_the_recorded_values_are_what_they_say(rng, alpha):
    """The gradient statistics are those of the cost, its penalty term included."""
    network = FeedForwardNetwork([2, 5, 1], ["tanh", "linear"], alpha=alpha, random_state=0)
    start = [W.copy() for W in network.coefs_]
    settings = TrainingSettings(
        learning_rate=0.05, batch_size=10, epochs=1, diagnostics=list(DIAGNOSTICS)
    )
    (result,) = train_network(network, X, Y[:, None], settings, np.random.default_rng(0))
    probe_x, probe_y = X[:PROBE_ROWS], Y[:PROBE_ROWS, None]
    hidden = np.tanh(probe_x @ network.coefs_[0] + network.intercepts_[0])
    assert result.diagnostics["activation_mean"][0, 0] == pytest.approx(hidden.mean(), rel=1e-12)
    assert result.diagnostics["activation_std"][0, 0] == pytest.approx(hidden.std(), rel=1e-12)
    _, coef_grads, _ = network.loss_and_gradients(probe_x, probe_y)
    assert result.diagnostics["gradient_std"][0, 1] == pytest.approx(coef_grads[1].std(), rel=1e-12)
    for layer, W0 in enumerate(start):
        ratio = np.linalg.norm(network.coefs_[layer] - W0) / np.linalg.norm(W0)
        assert result.diagnostics["update_ratio"][0, layer] == pytest.approx(ratio, rel=1e-12)


def test_a_deep_sigmoid_network_shows_its_vanishing_gradient_and_relu_does_not():
    """Each sigmoid layer multiplies the error by σ' ≤ 1/4: the first layer learns least."""

    def middle_to_last_gradient(activation):
        model = MLPRegressor(
            hidden_layer_sizes=(32, 32, 32, 32), activation=activation,
            kernel_init="glorot_uniform", learning_rate=0.01, epochs=2, random_state=0,
            diagnostics=["gradient_std"],
        ).fit(X, Y)  # fmt: skip
        std = model.diagnostics_["gradient_std"][-1]
        # second hidden layer against the last hidden one: two more factors σ'(z) between
        # them (the first layer's gradient also scales with the raw inputs, so it is left out)
        return std[1] / std[3]

    sigmoid, relu = middle_to_last_gradient("sigmoid"), middle_to_last_gradient("relu")
    assert sigmoid < 0.2  # measured 0.08: σ' ≤ 1/4 twice
    assert relu > 0.4  # measured 0.65: R' = 1 where active
    assert relu > 4 * sigmoid


def test_stacked_training_records_each_networks_statistics_as_its_own_fit():
    make = lambda rate: MLPRegressor(  # noqa: E731
        hidden_layer_sizes=(6,), learning_rate=rate, epochs=3, random_state=1,
        diagnostics=["gradient_std", "update_ratio"],
    )  # fmt: skip
    stacked = fit_many([make(0.01), make(0.05)], X, Y)
    for rate, fitted in zip((0.01, 0.05), stacked, strict=True):
        alone = make(rate).fit(X, Y)
        for name, values in alone.diagnostics_.items():
            np.testing.assert_allclose(fitted.diagnostics_[name], values, rtol=1e-9)


def test_unknown_statistics_are_refused_with_the_valid_names():
    with pytest.raises(ValueError, match=r"unknown names \['grad_norm'\].*activation_mean"):
        MLPClassifier(diagnostics=["grad_norm"]).fit(X, Y > 0.4)
    with pytest.raises(TypeError, match="list of names"):
        MLPRegressor(diagnostics="update_ratio").fit(X, Y)
    model = MLPRegressor(diagnostics=["update_ratio"], epochs=1)
    assert copy.deepcopy(model).get_params()["diagnostics"] == ["update_ratio"]


def test_the_tutorial_runs_and_its_solution_code_executes(monkeypatch, tmp_path):
    """The tutorial in quick mode, then the code of its collapsed solution in its namespace."""
    import re
    import runpy
    from pathlib import Path

    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.setenv("FYSLEARN_QUICK", "1")
    monkeypatch.chdir(tmp_path)  # where its last cell saves the figures
    path = Path(__file__).parents[1] / "tutorials" / "seeing_inside_training.py"
    namespace = runpy.run_path(str(path), run_name="tutorial")
    assert namespace["deep"]["relu"].diagnostics_["gradient_std"].shape == (10, 5)
    text = path.read_text()
    blocks = re.findall(r"#     ```python\n(.*?)#     ```", text, flags=re.S)
    assert blocks, "the tutorial's solutions hold code"
    for block in blocks:
        code = "\n".join(line.removeprefix("#     ") for line in block.splitlines())
        exec(compile(code, str(path), "exec"), namespace)
    assert "tanh" in namespace
    import matplotlib.pyplot as plt

    plt.close("all")


def test_recorded_statistics_are_saved_and_loaded(tmp_path):
    import fyslearn

    model = MLPRegressor(
        hidden_layer_sizes=(4,), epochs=3, random_state=0, diagnostics=["update_ratio"]
    ).fit(X, Y)
    loaded = fyslearn.load(model.save(tmp_path / "model.npz"))
    np.testing.assert_array_equal(
        loaded.diagnostics_["update_ratio"], model.diagnostics_["update_ratio"]
    )

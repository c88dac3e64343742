"""The tutorials in quick mode: their numbers are `fyslearn reproduce`'s, their solutions run.

Each tutorial runs once per test session as a module (`FYSLEARN_QUICK=1`,
matplotlib's Agg backend); its variables are compared with the experiment run
the way the command line runs it ([run_experiment][fyslearn.experiments.run_experiment]
at the quick settings), and the code of every collapsed solution of its
exercises is extracted from the page and executed in the tutorial's namespace.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

from fyslearn.experiments import EXPERIMENTS, run_experiment, show_or_save

# quick mode trains a few epochs: the tutorials' own fits end unconverged on purpose
pytestmark = pytest.mark.filterwarnings("ignore::fyslearn.optim.ConvergenceWarning")

ROOT = Path(__file__).resolve().parents[1]
TUTORIALS = ROOT / "tutorials"

_SOLUTION = re.compile(
    r'^# \?\?\? example "Solution[^"]*"\n'  # the collapsed admonition's title line
    r"#     ```python\n(?P<code>(?:#     (?!```).*\n|#\n)*)#     ```",  # its fenced code
    flags=re.M,
)
_RUNS: dict[str, tuple[dict, str]] = {}


def solutions(name: str) -> list[str]:
    """The code of every `??? example "Solution"` block of the tutorial `name`."""
    source = (TUTORIALS / f"{name}.py").read_text()
    blocks = [match.group("code") for match in _SOLUTION.finditer(source)]
    return ["\n".join(line[6:] for line in block.splitlines()) for block in blocks]


def run_tutorial(name: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str]:
    """Run the tutorial `name` in quick mode once per session: its globals and its output."""
    if name not in _RUNS:
        folder = tmp_path_factory.mktemp(name)
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("FYSLEARN_QUICK", "1")
            patch.chdir(folder)
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                namespace = runpy.run_path(str(TUTORIALS / f"{name}.py"), run_name="__main__")
        plt.close("all")
        _RUNS[name] = (namespace, out.getvalue())
    return _RUNS[name]


@pytest.fixture
def tutorial(tmp_path_factory):
    def run(name: str) -> tuple[dict, str]:
        return run_tutorial(name, tmp_path_factory)

    return run


def reproduced(name: str):
    """The result of experiment `name` as `fyslearn reproduce --quick` computes it."""
    return run_experiment(name, quick=True)


def assert_same_rows(module, ours, theirs) -> None:
    assert [tuple(row.__dict__.values()) for row in module.rows(ours)] == [
        tuple(row.__dict__.values()) for row in module.rows(theirs)
    ]


# -- every tutorial -------------------------------------------------------------------------------


def test_every_tutorial_teaches_with_exercises_and_solutions():
    for name in EXPERIMENTS:
        source = (TUTORIALS / f"{name}.py").read_text()
        doc = source.split('"""')[1]
        first_sentence = doc.split("\n\n")[1]
        assert first_sentence.startswith("In this tutorial you will learn"), name
        assert "## Exercises" in source, name
        assert 2 <= len(solutions(name)) <= 3, name
        assert "show_or_save(" in source, name


@pytest.mark.parametrize("path", sorted(TUTORIALS.glob("*.py")), ids=lambda path: path.stem)
def test_every_tutorial_saves_its_figures_without_a_screen(path):
    """Each ends with `show_or_save` in a cell of its own; none calls `plt.show()`."""
    source = path.read_text()
    assert "plt.show(" not in source
    last_cell = source.rsplit("\n# %%\n", 1)[-1]
    code = [line for line in last_cell.splitlines() if line and not line.startswith("#")]
    assert code == [f'show_or_save("{path.stem}")']


@pytest.mark.parametrize("name", list(EXPERIMENTS))
def test_solutions_run(name, tutorial):
    namespace, _ = tutorial(name)
    codes = solutions(name)
    assert codes
    for code in codes:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, f"{name} solution", "exec"), dict(namespace))
        plt.close("all")


@pytest.mark.parametrize("name", ["fig2_activations", "fig4_ridge_sgd"])
def test_a_tutorial_run_as_a_script_saves_its_figures(name, tmp_path):
    env = {**os.environ, "FYSLEARN_QUICK": "1", "MPLBACKEND": "Agg"}
    done = subprocess.run(
        [sys.executable, str(TUTORIALS / f"{name}.py")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    folder = tmp_path / f"{name}_figures"
    pngs = sorted(folder.glob("*.png"))
    assert len(pngs) >= 2
    assert all(png.read_bytes().startswith(b"\x89PNG") for png in pngs)
    assert f"saved to {folder}" in done.stdout


# -- the numbers of each tutorial are those of the experiment -----------------------------------


def test_fig2_prints_the_slope_of_the_experiment(tutorial):
    namespace, out = tutorial("fig2_activations")
    theirs = reproduced("fig2_activations")
    assert namespace["largest_sigmoid_slope"] == np.max(theirs.derivatives["sigmoid"])
    assert_same_rows(namespace["experiment"], namespace["result"], theirs)
    assert "largest sigmoid slope: 0.250" in out


def test_fig3_single_model_is_its_cell_of_the_grid(tutorial):
    namespace, _ = tutorial("fig3_ols_sgd")
    theirs = reproduced("fig3_ols_sgd")
    cell = (
        theirs.schedules.index("constant"),
        theirs.batch_sizes.index(10),
        theirs.learning_rates.index(1e-2),
    )
    for key in ("mse", "r2", "excess"):
        assert np.isclose(namespace["single"][key], theirs.__dict__[key][cell], rtol=1e-10), key
    assert_same_rows(namespace["experiment"], namespace["result"], theirs)


def test_fig4_single_model_is_its_cell_of_the_grid(tutorial):
    namespace, _ = tutorial("fig4_ridge_sgd")
    theirs = reproduced("fig4_ridge_sgd")
    model = namespace["model"]
    cell = (theirs.alphas.index(model.alpha), theirs.learning_rates.index(model.learning_rate))
    assert np.isclose(namespace["single"]["mse"], theirs.mse[cell], rtol=1e-10)
    assert_same_rows(namespace["experiment"], namespace["result"], theirs)


def test_ols_reference_prints_its_own_numbers_under_its_own_labels(tutorial):
    namespace, out = tutorial("ols_reference")
    theirs = reproduced("ols_reference")
    d = theirs.degrees.index(14)
    for b, basis in enumerate(theirs.bases):
        assert namespace["fyslearn_mse"][basis] == theirs.mse[b][d][0]
    assert namespace["sklearn_mse"] == theirs.sklearn_sgd_mse[0]
    assert namespace["sklearn_mse"] != namespace["fyslearn_mse"]["total"]
    assert (
        f"scikit-learn SGDRegressor, total basis: test MSE {theirs.sklearn_sgd_mse[0]:.4f}" in out
    )
    sklearn_line = next(line for line in out.splitlines() if "SGDRegressor test MSE" in line)
    assert "fyslearn" not in sklearn_line
    assert_same_rows(namespace["experiment"], namespace["result"], theirs)


@pytest.mark.parametrize("name", ["fig5_franke_network", "fig8_mnist_network"])
def test_single_network_figures_equal_the_experiment(name, tutorial):
    namespace, _ = tutorial(name)
    theirs = reproduced(name)
    ours = namespace["result"]
    for field in theirs.__dataclass_fields__:
        expected, got = getattr(theirs, field), getattr(ours, field)
        if isinstance(expected, dict):
            assert got == pytest.approx(expected, rel=0, abs=0), field
        else:
            np.testing.assert_array_equal(got, expected, err_msg=field)
    assert_same_rows(namespace["experiment"], ours, theirs)


def test_fig6_single_model_is_its_cell_of_the_grid(tutorial):
    namespace, _ = tutorial("fig6_network_grid")
    theirs = reproduced("fig6_network_grid")
    model = namespace["model"]
    cell = (theirs.alphas.index(model.alpha), theirs.learning_rates.index(model.learning_rate))
    assert np.isclose(namespace["single"]["mse"], theirs.mse[cell], rtol=1e-10)
    assert_same_rows(namespace["experiment"], namespace["result"], theirs)


def test_fig7_single_network_is_its_curve_of_the_figure(tutorial):
    namespace, _ = tutorial("fig7_activations_init")
    theirs = reproduced("fig7_activations_init")
    history = namespace["model"].history_
    np.testing.assert_array_equal(history["val_mse"], theirs.curves["relu/normal"]["test_mse"])
    np.testing.assert_array_equal(history["mse"], theirs.curves["relu/normal"]["train_mse"])
    assert_same_rows(namespace["experiment"], namespace["result"], theirs)


def test_randomnet_prints_the_networks_of_the_experiment(tutorial):
    namespace, out = tutorial("randomnet")
    theirs = reproduced("randomnet")
    for k, net in enumerate(theirs.networks):
        assert f"#{k}: layers {net['hidden_layer_sizes']}" in out
        assert f"test MSE {net['mse']:.3f}" in out
    assert (
        namespace["result"].networks[0]["hidden_layer_sizes"]
        == (theirs.networks[0]["hidden_layer_sizes"])
    )
    assert_same_rows(namespace["experiment"], namespace["result"], theirs)


def test_fig9_single_model_is_its_curve_of_the_figure(tutorial):
    namespace, _ = tutorial("fig9_logistic")
    theirs = reproduced("fig9_logistic")
    np.testing.assert_allclose(
        namespace["model"].history_["val_accuracy"], theirs.curves["0"]["val_accuracy"]
    )
    assert_same_rows(namespace["experiment"], namespace["result"], theirs)


def test_tuned_franke_network_is_the_first_seed_of_the_experiment(tutorial):
    namespace, _ = tutorial("tuned")
    theirs = reproduced("tuned")
    assert namespace["test_mse"] == theirs.franke["mse"][0]
    assert namespace["excess"] == theirs.franke["excess"][0]
    assert_same_rows(namespace["experiment"], namespace["result"], theirs)


# -- show_or_save ---------------------------------------------------------------------------------


def test_show_or_save_shows_with_an_interactive_backend(monkeypatch, tmp_path):
    shown = []
    monkeypatch.setattr(plt, "get_backend", lambda: "QtAgg")
    monkeypatch.setattr(plt, "show", lambda: shown.append(True))
    monkeypatch.chdir(tmp_path)
    plt.figure()
    try:
        assert show_or_save("demo") is None
    finally:
        plt.close("all")
    assert shown == [True]
    assert not list(tmp_path.iterdir())


def test_show_or_save_saves_every_open_figure_without_a_screen(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(plt, "get_backend", lambda: "agg")
    plt.figure()
    plt.figure()
    folder = show_or_save("demo", tmp_path / "out")
    assert folder == tmp_path / "out"
    assert sorted(path.name for path in folder.iterdir()) == ["demo_1.png", "demo_2.png"]
    assert plt.get_fignums() == []
    assert capsys.readouterr().out == f"2 figure(s) saved to {folder}\n"


def test_show_or_save_does_nothing_when_the_figures_are_already_collected(tmp_path):
    plt.close("all")  # what the documentation build's gallery does after every cell
    assert show_or_save("demo", tmp_path / "out") is None
    assert not (tmp_path / "out").exists()


def test_breast_cancer_first_split_is_the_experiments_first_split(tutorial):
    """The page builds, scales and fits one split with public names: the experiment's split 0."""
    from fyslearn.experiments import breast_cancer

    namespace, _ = tutorial("breast_cancer")
    source = (TUTORIALS / "breast_cancer.py").read_text()
    assert "experiment.split_data" not in source and "StandardScaler().fit(X[train])" in source
    X_train, X_test, y_train, y_test = breast_cancer.split_data(namespace["config"], 0)
    np.testing.assert_array_equal(namespace["X_train"], X_train)
    np.testing.assert_array_equal(namespace["y_test"], y_test)
    assert namespace["alpha"] == breast_cancer.logistic_alpha(namespace["config"], len(y_train))
    expected = breast_cancer.compare_models(namespace["config"], 0)["accuracy"]
    assert namespace["logistic"].score(X_test, y_test) == expected["fyslearn logistic"]
    assert namespace["network"].score(X_test, y_test) == expected["fyslearn network"]

"""Every experiment runs in quick mode and gives a result of the documented shape."""

import dataclasses
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from experiment_ids import COURSE_IDS, REPORT_IDS
from matplotlib.figure import Figure

from fyslearn.datasets import franke_split
from fyslearn.experiments import ALIASES, EXPERIMENTS, Experiment, config_for, run_experiment

SHAPES = {
    "fig3_ols_sgd": lambda r, c: np.shape(r.mse) == (2, 2, 2) and np.shape(r.r2) == (2, 2, 2),
    "fig4_ridge_sgd": lambda r, c: np.shape(r.mse) == (2, 2),
    "fig6_network_grid": lambda r, c: np.shape(r.mse) == (2, 2),
    "ols_reference": lambda r, c: np.shape(r.mse) == (2, len(c.degrees), len(c.seeds)),
    "fig5_franke_network": lambda r, c: len(r.train_mse) == c.epochs == len(r.sklearn_test_mse),
    "fig7_activations_init": lambda r, c: (
        len(r.curves) == 8 and all(len(v["test_mse"]) == c.epochs for v in r.curves.values())
    ),
    "randomnet": lambda r, c: len(r.networks) == c.n_networks,
    "fig8_mnist_network": lambda r, c: (
        len(r.val_accuracy) == c.epochs == len(r.sklearn_val_accuracy)
    ),
    "fig9_logistic": lambda r, c: len(r.curves) == len(c.alphas) and 0 < r.sklearn_accuracy <= 1,
    "tuned": lambda r, c: (
        len(r.mnist_val_accuracy) == c.mnist_epochs and len(r.franke["mse"]) == len(c.franke_seeds)
    ),
    "fig2_activations": lambda r, c: len(r.values) == 4 and r.z.shape == (c.n_points,),
    "optimizers": lambda r, c: (
        all(len(v["val_mse"]) == c.franke_epochs for v in r.franke.values())
        and all(len(v["excess"]) == len(c.franke_seeds) for v in r.franke.values())
        and all(len(v["val_accuracy"]) == c.mnist_epochs for v in r.mnist.values())
        and list(r.mnist) == ["SGD", "momentum", "Adagrad", "RMSprop", "Adam"]
        and np.shape(r.grid_excess) == (len(c.grid_alphas), len(c.grid_learning_rates))
        and all(len(r.kernel_ridge[key]) == len(c.franke_seeds) for key in ("mse", "excess"))
    ),
    "breast_cancer": lambda r, c: (
        all(len(v) == c.n_splits for v in r.accuracy.values())
        and np.shape(r.grid_accuracy) == (len(c.grid_alphas), len(c.grid_learning_rates))
        and all(np.sum(m) == c.n_splits * 114 for m in r.confusion.values())
    ),
    "runge": lambda r, c: (
        np.shape(r.errors["OLS"]["truth_mse"]) == (len(c.degrees), len(c.seeds))
        and np.shape(r.errors["network"]["test_mse"]) == (len(c.seeds),)
        and len(r.fits) == 2 * len(c.degrees) + 1
    ),
    "terrain": lambda r, c: (
        all(len(v) == len(c.degrees) for v in r.closed_form["OLS"].values())
        and all(len(v) == len(c.degrees) for v in r.differences.values())
        and np.shape(r.grid_test_mse) == (len(c.degrees), len(c.alphas))
        and np.shape(r.heights) == np.shape(r.fitted) == (10, 10)
        and list(r.iterative)
        == ["closed form", "SGD", "momentum", "Adam", "L1 SGD (Adam)", "sklearn Lasso"]
    ),
}

ROOT = Path(__file__).resolve().parents[1]

# Tutorials that teach a tool rather than reproduce a figure of the report.
TUTORIALS_BEYOND_THE_REPORT = {
    "check_your_backpropagation",
    "grid_search",
    "seeing_inside_training",
}


def _as_json(value):
    return json.loads(json.dumps(value))


@pytest.mark.parametrize("name", list(EXPERIMENTS))
def test_quick_run_has_documented_shape_rows_figure_and_json_round_trip(name):
    module = EXPERIMENTS[name]
    config = config_for(name, quick=True)
    result = module.run(config)
    assert isinstance(result, module.Result)
    assert SHAPES[name](result, config)
    rows = module.rows(result)
    assert rows and all(row.report and (row.ours or row.reference) for row in rows)
    figure = module.plot(result)
    assert isinstance(figure, Figure) and figure.axes
    plt.close(figure)
    stored = _as_json(result.to_json())
    again = module.Result.from_json(stored)
    assert module.rows(again) == rows  # the table from a result file equals the table of the run
    assert _as_json(again.to_json()) == stored
    plt.close(module.plot(again))


def test_every_experiment_satisfies_the_contract_and_its_id_names_module_and_tutorial():
    assert list(EXPERIMENTS) == REPORT_IDS + COURSE_IDS  # the report's order, then beyond it
    for name, module in EXPERIMENTS.items():
        assert isinstance(module, Experiment), name
        assert module.__name__ == f"fyslearn.experiments.{name}"
        assert (ROOT / "tutorials" / f"{name}.py").is_file(), name
        assert dataclasses.is_dataclass(module.Result) and dataclasses.is_dataclass(module.Config)
    assert set(ALIASES.values()) <= set(EXPERIMENTS)
    tutorials = {path.stem for path in (ROOT / "tutorials").glob("*.py")}
    assert tutorials == set(EXPERIMENTS) | TUTORIALS_BEYOND_THE_REPORT


def test_aliases_name_the_same_experiment():
    assert config_for("fig3", quick=True) == config_for("fig3_ols_sgd", quick=True)
    with pytest.raises(KeyError):
        config_for("fig3_ols_sgd_grid")


def test_committed_result_files_give_the_committed_results_table():
    from fyslearn.cli import _table_of_folder

    results = ROOT / "docs" / "results"
    committed = (results / "results.md").read_text()
    wall = committed.rstrip().rsplit("processes that ran them. ", 1)[1]
    assert _table_of_folder(results, wall) == committed


@pytest.mark.parametrize(
    "corrupt",
    [
        {},
        {"alphas": [0.1], "learning_rates": [0.1], "mse": [[0.1]], "r2": [[0.5]]},
        {"lambdas": [0.1], "learning_rates": [0.1], "mse": [[0.1]], "r2": [[0.5]], "excess": 1},
        [1, 2],
    ],
)
def test_result_from_json_refuses_missing_fields(corrupt):
    with pytest.raises(ValueError, match="PenaltyGrid"):
        EXPERIMENTS["fig4_ridge_sgd"].Result.from_json(corrupt)


def test_every_experiment_has_a_shape_check():
    assert set(SHAPES) == set(EXPERIMENTS)


@pytest.mark.parametrize("name", ["fig3_ols_sgd", "fig6_network_grid"])
def test_same_seed_same_numbers_other_seed_other_numbers(name):
    first = run_experiment(name, quick=True, seed=3)
    again = run_experiment(name, quick=True, seed=3)
    other = run_experiment(name, quick=True, seed=4)
    np.testing.assert_array_equal(first.mse, again.mse)
    assert not np.allclose(first.mse, other.mse, equal_nan=True)


def test_franke_split_follows_the_report():
    split = franke_split(0)
    assert split.X_train.shape == (750, 2) and split.X_test.shape == (250, 2)
    assert abs(split.X_train.mean()) < 1e-12  # one scalar subtracted: the overall mean
    assert np.mean((split.y_test - split.truth_test) ** 2) == pytest.approx(0.04, rel=0.25)
    with pytest.raises(ValueError, match="centring"):
        franke_split(0, centring="median")


def test_divergent_cells_are_recorded_not_raised():
    from fyslearn.experiments import fig3_ols_sgd

    config = fig3_ols_sgd.Config(
        learning_rates=(10.0,), batch_sizes=(10,), schedules=("constant",), epochs=3, degree=5
    )
    result = fig3_ols_sgd.run(config)
    assert np.isnan(result.mse[0, 0, 0])


@pytest.mark.filterwarnings("ignore::fyslearn.optim.ConvergenceWarning")  # a few epochs
def test_network_grid_stacked_equals_one_by_one_and_keeps_divergent_cells_nan():
    from fyslearn.experiments import fig6_network_grid, scores
    from fyslearn.nn import MLPRegressor

    config = fig6_network_grid.Config(
        learning_rates=(1e-2, 50.0), alphas=(1e-3,), hidden_layer_sizes=(8,), epochs=3
    )
    result = fig6_network_grid.run(config)
    assert np.isnan(result.mse[0, 1])
    split = franke_split(config.seed)
    alone = MLPRegressor(
        hidden_layer_sizes=(8,),
        learning_rate=1e-2,
        alpha=1e-3,
        batch_size=10,
        epochs=3,
        random_state=config.seed,
    ).fit(split.X_train, split.y_train)
    expected = scores(alone, split.X_test, split, config.seed)["mse"]
    assert result.mse[0, 0] == pytest.approx(expected, rel=1e-9)


def test_randomnet_on_two_cores_gives_the_same_numbers():
    from fyslearn.experiments import randomnet

    config = randomnet.Config.quick()
    in_turn = randomnet.run(config)
    side_by_side = randomnet.run(config, n_jobs=2)
    for a, b in zip(in_turn.networks, side_by_side.networks, strict=True):
        assert a["mse"] == b["mse"] and a["hidden_layer_sizes"] == b["hidden_layer_sizes"]


def test_pooled_tasks_of_several_experiments_give_the_in_turn_results():
    from fyslearn.experiments import config_for, plan_for, run_experiment
    from fyslearn.experiments._tasks import run_plans

    names = ["fig5_franke_network", "fig7_activations_init", "randomnet"]
    plans = [plan_for(name, config_for(name, quick=True)) for name in names]
    pooled = {name: result for name, result, _ in run_plans(plans, n_jobs=2)}
    assert sorted(pooled) == sorted(names)
    fig5 = run_experiment("fig5", quick=True)
    np.testing.assert_array_equal(pooled["fig5_franke_network"].test_mse, fig5.test_mse)
    np.testing.assert_array_equal(
        pooled["fig5_franke_network"].sklearn_test_mse, fig5.sklearn_test_mse
    )
    in_turn = run_experiment("fig7", quick=True).curves
    pooled_curves = pooled["fig7_activations_init"].curves
    assert list(pooled_curves) == list(in_turn)  # the cells in the config's order
    for cell, curves in in_turn.items():
        got = pooled_curves[cell]["test_mse"]
        np.testing.assert_array_equal(got, curves["test_mse"])


def test_run_plans_returns_outputs_in_task_order_whatever_finishes_first():
    import operator

    from fyslearn.experiments._tasks import Plan, Task, run_plans, run_tasks

    # costs make the scheduler start the last task first
    tasks = [Task(operator.mul, (k, 10), cost=float(k)) for k in range(6)]
    assert run_tasks(tasks, n_jobs=2) == [0, 10, 20, 30, 40, 50]
    assert run_tasks(tasks, n_jobs=1) == [0, 10, 20, 30, 40, 50]
    plans = [Plan("a", tasks[:2], sum), Plan("b", tasks[2:], max)]
    finished = {name: (result, seconds) for name, result, seconds in run_plans(plans, 2)}
    assert finished["a"][0] == 10 and finished["b"][0] == 50
    assert all(seconds >= 0 for _, seconds in finished.values())


def test_the_kernel_ridge_yardstick_scores_against_the_franke_function():
    from fyslearn.experiments import optimizers

    scores = optimizers.kernel_ridge_run(config_for("optimizers", quick=True), seed=0)
    # the test MSE is against the noisy targets: it exceeds the excess error (against the
    # noise-free function) by about the noise variance, 0.2² = 0.04
    assert 0 < scores["excess"] < 0.01
    assert abs(scores["mse"] - scores["excess"] - 0.04) < 0.015

"""The pooled trainings and scikit-learn's searches on other workers: loky and a Dask cluster.

A Dask cluster of two worker processes on 127.0.0.1 stands for a real one:
the tests check that its results equal a local run's, number for number, and
that the work ran in its workers (the scheduler's task stream names the
worker of every task). They are skipped when the `cluster` extra is absent.
"""

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV

from fyslearn.cli import main
from fyslearn.datasets import make_franke
from fyslearn.nn import MLPRegressor

# parallel and sequential searches are compared on fits of a few epochs: unconverged on purpose
pytestmark = pytest.mark.filterwarnings("ignore::fyslearn.optim.ConvergenceWarning")

HAVE_DASK = importlib.util.find_spec("distributed") is not None
needs_dask = pytest.mark.skipif(
    not HAVE_DASK, reason="the cluster extra is not installed: pip install -e '.[cluster]'"
)

GRID = {"learning_rate": [1e-3, 1e-2], "alpha": [0.0, 1e-3]}


@pytest.fixture(scope="module")
def cluster():
    import distributed

    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        host="127.0.0.1",
        processes=True,
        dashboard_address=None,
    ) as cluster:
        yield cluster


@pytest.fixture
def observer(cluster):
    """A client that records the task stream: which worker ran which task."""
    import distributed

    with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        yield client


def _ran_on_the_workers(stream, observer) -> None:
    worker_pids = observer.run(os.getpid)  # {worker address: process id}
    assert stream, "the scheduler ran no task"
    assert {task["worker"] for task in stream} <= set(worker_pids)
    assert os.getpid() not in worker_pids.values()


def _franke_data():
    X, y = make_franke(150, noise=0.2, random_state=0)
    return X - X.mean(), y


def _small_network() -> MLPRegressor:
    return MLPRegressor(hidden_layer_sizes=(16,), epochs=5, batch_size=10, random_state=0)


def _search_scores(search) -> dict:
    results = search.cv_results_
    return {
        "params": [sorted(p.items()) for p in results["params"]],
        "scores": results["mean_test_score"],
        "best": sorted(search.best_params_.items()),
    }


def _assert_same_search(first: dict, second: dict) -> None:
    assert first["params"] == second["params"] and first["best"] == second["best"]
    np.testing.assert_array_equal(first["scores"], second["scores"])


def test_grid_search_with_two_processes_equals_one():
    X, y = _franke_data()
    in_turn = GridSearchCV(_small_network(), GRID, cv=3, n_jobs=1).fit(X, y)
    on_two = GridSearchCV(_small_network(), GRID, cv=3, n_jobs=2).fit(X, y)
    _assert_same_search(_search_scores(in_turn), _search_scores(on_two))
    assert np.isfinite(in_turn.cv_results_["mean_test_score"]).all()


def test_randomized_search_with_two_processes_equals_one():
    X, y = _franke_data()
    space = {"learning_rate": np.geomspace(1e-4, 1e-2, 10), "alpha": [0.0, 1e-4, 1e-3]}
    searches = [
        RandomizedSearchCV(_small_network(), space, n_iter=3, cv=3, random_state=0, n_jobs=jobs)
        for jobs in (1, 2)
    ]
    in_turn, on_two = (_search_scores(search.fit(X, y)) for search in searches)
    _assert_same_search(in_turn, on_two)


@needs_dask
def test_grid_search_on_a_dask_cluster_equals_a_local_one(cluster, observer):
    import distributed

    X, y = _franke_data()
    local = GridSearchCV(_small_network(), GRID, cv=3, n_jobs=1).fit(X, y)
    with (
        distributed.Client(cluster.scheduler_address),
        distributed.get_task_stream(client=observer) as stream,
        parallel_config(backend="dask"),
    ):
        remote = GridSearchCV(_small_network(), GRID, cv=3, n_jobs=-1).fit(X, y)
    _assert_same_search(_search_scores(local), _search_scores(remote))
    _ran_on_the_workers(stream.data, observer)


@needs_dask
def test_reproduce_on_a_dask_cluster_gives_the_local_numbers(cluster, observer, tmp_path):
    import distributed

    argv = ["reproduce", "fig5", "--quick", "--quiet"]
    assert main([*argv, "--n-jobs", "1", "--out", str(tmp_path / "local")]) == 0
    dask = ["--backend", "dask", "--scheduler", cluster.scheduler_address]
    with distributed.get_task_stream(client=observer) as stream:
        assert main([*argv, *dask, "--out", str(tmp_path / "dask")]) == 0
    local, remote = (
        json.loads((tmp_path / where / "fig5_franke_network.json").read_text())
        for where in ("local", "dask")
    )
    for record in (local, remote):
        assert record.pop("compute_time") > 0
    assert local == remote
    _ran_on_the_workers(stream.data, observer)
    assert all("_timed" in task["key"] for task in stream.data)  # the pooled tasks, each one
    assert "Dask cluster at tcp://127.0.0.1" in (tmp_path / "dask" / "results.md").read_text()


@needs_dask
def test_interrupted_run_on_a_dask_cluster_leaves_no_half_written_file(
    cluster, tmp_path, monkeypatch
):
    def interrupted_savefig(self, path, **kwargs):
        with open(path, "wb") as file:
            file.write(b"half a figure")
        raise KeyboardInterrupt

    monkeypatch.setattr("matplotlib.figure.Figure.savefig", interrupted_savefig)
    dask = ["--backend", "dask", "--scheduler", cluster.scheduler_address]
    argv = ["reproduce", "fig2", "--quick", "--quiet", *dask, "--out", str(tmp_path)]
    assert main(argv) == 130
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fig2_activations.json"]


# -- bad input ------------------------------------------------------------------------------


def test_unknown_backend_lists_the_valid_ones(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["reproduce", "fig2", "--backend", "spark"])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert "spark" in error and "'loky'" in error and "'dask'" in error


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--scheduler", "tcp://127.0.0.1:8786"], "--scheduler needs --backend dask"),
        (["--backend", "dask"], "--backend dask needs --scheduler"),
        (["--backend", "dask", "--scheduler", "tcp://a:1", "--n-jobs", "1"], "--n-jobs 1"),
    ],
)
def test_contradictory_backend_arguments_exit_with_status_2(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["reproduce", "fig2", *argv])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_dask_backend_without_the_extra_exits_2_in_one_line(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` fails
    argv = ["reproduce", "fig2", "--quick", "--backend", "dask", "--scheduler", "tcp://a:1"]
    assert main([*argv, "--out", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "pip install 'fyslearn[cluster]'" in error
    assert list(tmp_path.iterdir()) == []


@needs_dask
def test_unreachable_scheduler_exits_2_in_one_line_without_traceback(tmp_path):
    # port 1 refuses connections: the client gives up after its connection timeout
    command = [sys.executable, "-m", "fyslearn.cli", "reproduce", "fig2", "--quick"]
    command += ["--backend", "dask", "--scheduler", "tcp://127.0.0.1:1", "--out", str(tmp_path)]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert completed.returncode == 2
    assert completed.stderr.count("\n") == 1 and "Traceback" not in completed.stderr
    assert "cannot use the Dask scheduler at tcp://127.0.0.1:1 within 5 s" in completed.stderr
    assert list(tmp_path.iterdir()) == []

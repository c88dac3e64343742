"""The command line: exit codes, outputs, and no half-written files."""

import subprocess
import sys

import pytest

from fyslearn.cli import main


def test_list_names_every_experiment(capsys):
    assert main(["reproduce", "--list"]) == 0
    listed = capsys.readouterr().out
    for name in ("fig2", "fig3", "ols", "fig8", "randomnet", "tuned"):
        assert name in listed


def test_bad_experiment_exits_with_status_2_and_the_list(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["reproduce", "fig99"])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert "usage:" in error and "fig99" in error and "fig3" in error


@pytest.mark.parametrize(
    "argv", [[], ["reproduce", "--seed", "x"], ["derive", "nonsense"], ["fly"]]
)
def test_bad_arguments_exit_with_status_2(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_reproduce_writes_figures_results_and_table(tmp_path):
    assert main(["reproduce", "fig4", "--quick", "--quiet", "--out", str(tmp_path)]) == 0
    assert main(["reproduce", "fig2", "--quick", "--quiet", "--out", str(tmp_path)]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "fig2.json",
        "fig2.png",
        "fig2.svg",
        "fig4.json",
        "fig4.png",
        "fig4.svg",
        "results.md",
    ]
    table = (tmp_path / "results.md").read_text()
    # the second run keeps the first run's lines: the table covers the whole folder
    assert "| Fig. 4 | best test MSE (Ridge, SGD) | 0.055" in table
    assert "| Fig. 2 | largest sigmoid slope |" in table
    assert "| total |" in table


def test_console_script_runs_derive():
    completed = subprocess.run(
        [sys.executable, "-m", "fyslearn.cli", "derive", "mse_gradient"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0
    assert "All proofs hold" in completed.stdout


def test_demo_prints_the_closed_form_table(capsys):
    assert main(["demo", "--degree", "3"]) == 0
    assert "OLS (total, p=3)" in capsys.readouterr().out


def test_interrupted_reproduce_leaves_no_half_written_file(tmp_path, monkeypatch):
    from fyslearn.experiments import fig2_activations

    def interrupted_savefig(self, path, **kwargs):
        with open(path, "wb") as file:
            file.write(b"half a figure")
        raise KeyboardInterrupt

    monkeypatch.setattr("matplotlib.figure.Figure.savefig", interrupted_savefig)
    assert fig2_activations.TITLE  # the experiment exists
    assert main(["reproduce", "fig2", "--quick", "--quiet", "--out", str(tmp_path)]) == 130
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["fig2.json"]  # complete result kept; no partial figure or temporary file


@pytest.mark.parametrize("jobs", ["0", "-2", "two"])
def test_bad_number_of_jobs_exits_with_status_2(jobs, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["reproduce", "fig4", "--quick", "--jobs", jobs])
    assert exit_info.value.code == 2
    assert "--jobs" in capsys.readouterr().err


def test_reproduce_gives_the_same_numbers_in_turn_and_on_two_processes(tmp_path):
    import json

    for jobs in ("1", "2"):
        argv = ["reproduce", "fig5", "--quick", "--quiet", "--jobs", jobs]
        assert main([*argv, "--out", str(tmp_path / jobs)]) == 0
    in_turn, pooled = (json.loads((tmp_path / j / "fig5.json").read_text()) for j in ("1", "2"))
    for record in (in_turn, pooled):
        assert record.pop("compute_time") > 0
    assert in_turn == pooled
    assert len(in_turn["sklearn_test_mse"]) == len(in_turn["test_mse"]) == 20

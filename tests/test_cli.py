"""The command line: exit codes, outputs, and no half-written files."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from experiment_ids import COURSE_IDS, REPORT_IDS

from fyslearn.cli import main


def test_list_names_every_experiment_under_its_group_with_alias_and_title(capsys):
    from fyslearn.experiments import ALIASES, EXPERIMENTS

    assert main(["reproduce", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    headings = [i for i, line in enumerate(lines) if not line.startswith("  ") and line]
    assert [lines[i].split(":")[0] for i in headings] == ["report", "course", "all"]
    report, course, _ = headings
    listed = {
        group: [line.split()[0] for line in block if line.startswith("  ")]
        for group, block in (("report", lines[report:course]), ("course", lines[course:]))
    }
    assert listed == {"report": REPORT_IDS, "course": COURSE_IDS}
    assert lines[-1].startswith("all:")
    by_id = {line.split()[0]: line for line in lines if line.startswith("  ")}
    for alias, name in ALIASES.items():
        assert f"({alias})" in by_id[name]
    for name, module in EXPERIMENTS.items():
        assert by_id[name].endswith(module.TITLE)


def test_bad_experiment_exits_with_status_2_and_the_list(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["reproduce", "fig3", "fig99", "course"])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert "usage:" in error and "unknown experiment(s) fig99;" in error
    assert "the groups report (the default), course, all" in error
    assert "fig3_ols_sgd (fig3)" in error and "runge" in error


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
    assert (
        main(["reproduce", "fig2_activations", "--quick", "--quiet", "--out", str(tmp_path)]) == 0
    )
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "fig2_activations.json",
        "fig2_activations.png",
        "fig2_activations.svg",
        "fig4_ridge_sgd.json",
        "fig4_ridge_sgd.png",
        "fig4_ridge_sgd.svg",
        "results.md",
    ]  # files named by the experiments' ids; no lock or temporary file left
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
    assert names == ["fig2_activations.json"]  # complete result kept; no partial figure


@pytest.mark.parametrize("jobs", ["0", "-2", "two"])
def test_bad_number_of_jobs_exits_with_status_2(jobs, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["reproduce", "fig4", "--quick", "--n-jobs", jobs])
    assert exit_info.value.code == 2
    assert "--n-jobs" in capsys.readouterr().err


def test_reproduce_gives_the_same_numbers_in_turn_and_on_two_processes(tmp_path):
    import json

    for jobs in ("1", "2"):
        argv = ["reproduce", "fig5", "--quick", "--quiet", "--n-jobs", jobs]
        assert main([*argv, "--out", str(tmp_path / jobs)]) == 0
    in_turn, pooled = (
        json.loads((tmp_path / j / "fig5_franke_network.json").read_text()) for j in ("1", "2")
    )
    for record in (in_turn, pooled):
        assert record.pop("compute_time") > 0
    assert in_turn == pooled
    assert len(in_turn["sklearn_test_mse"]) == len(in_turn["test_mse"]) == 20


# Adversarial: arguments and the output folder are checked before any training.


class _Trained(Exception):
    """Raised by the stand-in for the trainings: the checks let the run through."""


@pytest.fixture
def no_training(monkeypatch):
    """Replace the trainings by a recorder that stops the run; returns the recorded calls."""
    calls = []

    def run_plans(plans, n_jobs=1):
        calls.append({"plans": [plan.name for plan in plans], "n_jobs": n_jobs})
        raise _Trained

    monkeypatch.setattr("fyslearn.experiments.run_plans", run_plans)
    return calls


def _refused(argv, capsys, no_training):
    """Run `argv`; it must exit 2 with one error line and train nothing. Returns the line."""
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert no_training == []
    assert "Traceback" not in captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fyslearn reproduce: error:"), captured.err
    return lines[0]


def _planned(argv, tmp_path, no_training):
    """The experiments `fyslearn reproduce *argv` hands to the trainings, in order."""
    with pytest.raises(_Trained):
        main(["reproduce", *argv, "--quick", "--quiet", "--out", str(tmp_path)])
    (call,) = no_training
    return call["plans"]


def test_reproduce_without_names_runs_the_report_only(tmp_path, no_training):
    assert _planned([], tmp_path, no_training) == REPORT_IDS


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["report"], REPORT_IDS),
        (["course"], COURSE_IDS),
        (["all"], REPORT_IDS + COURSE_IDS),
        (["course", "report"], COURSE_IDS + REPORT_IDS),
        (
            ["runge", "fig3", "course"],
            ["runge", "fig3_ols_sgd", "optimizers", "breast_cancer", "terrain"],
        ),
        (
            ["fig9", "all", "fig9_logistic"],
            ["fig9_logistic", *REPORT_IDS[:-2], "tuned", *COURSE_IDS],
        ),
    ],
)
def test_groups_expand_in_order_once_each(argv, expected, tmp_path, no_training):
    assert _planned(argv, tmp_path, no_training) == expected


def test_group_names_are_no_experiment_or_alias():
    from fyslearn.experiments import ALIASES, EXPERIMENTS, GROUPS

    assert not set(GROUPS) & (set(EXPERIMENTS) | set(ALIASES))
    assert list(EXPERIMENTS) == REPORT_IDS + COURSE_IDS  # every experiment in one group


def test_out_pointing_at_a_file_is_refused_before_training(tmp_path, capsys, no_training):
    file = tmp_path / "results.txt"
    file.write_text("not a folder")
    line = _refused(["reproduce", "fig2", "--quick", "--out", str(file)], capsys, no_training)
    assert str(file) in line and "not a folder" in line
    assert file.read_text() == "not a folder"


def test_uncreatable_out_folder_is_refused_before_training(tmp_path, capsys, no_training):
    (tmp_path / "file").write_text("")
    out = tmp_path / "file" / "results"  # a folder inside a file cannot exist
    line = _refused(["reproduce", "fig2", "--quick", "--out", str(out)], capsys, no_training)
    assert "cannot create the output folder" in line and str(out) in line


@pytest.mark.parametrize(
    "content",
    [
        "{",  # truncated JSON
        "[1, 2, 3]",  # not an object
        '{"z": [0], "values": {}, "derivatives": {}}',  # no compute_time or quick
        '{"compute_time": 1.0, "quick": false}',  # no field of the result
        '{"compute_time": 1.0, "quick": "no", "z": [], "values": {}, "derivatives": {}}',
        '{"compute_time": 1.0, "quick": false, "z": [], "values": {}, "derivatives": {}}',
    ],
)
def test_corrupt_or_stale_result_file_in_out_is_refused_before_training(
    tmp_path, capsys, no_training, content
):
    stale = tmp_path / "fig2_activations.json"
    stale.write_text(content)
    line = _refused(["reproduce", "fig4", "--quick", "--out", str(tmp_path)], capsys, no_training)
    assert str(stale) in line and "remove it or choose another --out" in line
    assert stale.read_text() == content  # left as it was


def test_result_file_of_an_older_version_is_refused(tmp_path, capsys, no_training):
    import json
    import shutil

    committed = Path(__file__).resolve().parents[1] / "docs" / "results"
    record = json.loads((committed / "fig4_ridge_sgd.json").read_text())
    record["lambdas"] = record.pop("alphas")  # the name before alphas
    (tmp_path / "fig4_ridge_sgd.json").write_text(json.dumps(record))
    shutil.copy(committed / "fig3_ols_sgd.json", tmp_path)  # a good one beside it is fine
    line = _refused(["reproduce", "fig2", "--quick", "--out", str(tmp_path)], capsys, no_training)
    assert "fig4_ridge_sgd.json" in line and "alphas" in line


def test_a_corrupt_result_of_the_experiment_being_rerun_is_replaced(tmp_path):
    (tmp_path / "fig2_activations.json").write_text("{")
    assert main(["reproduce", "fig2", "--quick", "--quiet", "--out", str(tmp_path)]) == 0
    assert "| Fig. 2 | largest sigmoid slope |" in (tmp_path / "results.md").read_text()


def test_a_folder_in_the_way_of_a_result_file_is_refused(tmp_path, capsys, no_training):
    (tmp_path / "fig2_activations.png").mkdir()
    line = _refused(["reproduce", "fig2", "--quick", "--out", str(tmp_path)], capsys, no_training)
    assert "fig2_activations.png" in line and "not a file" in line


@pytest.mark.parametrize("seed", ["-1", "4294967296", "2147483648", str(10**30)])
def test_seed_out_of_range_is_refused_before_training(seed, tmp_path, capsys, no_training):
    out = tmp_path / "out"
    argv = ["reproduce", "fig2", "--quick", "--seed", seed, "--out", str(out)]
    line = _refused(argv, capsys, no_training)
    assert f"--seed must be an integer from 0 to 2147483647, got {seed}" in line
    assert not out.exists()  # refused before the folder was made


@pytest.mark.parametrize("seed", ["1e3", "", "x"])
def test_seed_that_is_no_integer_exits_2_with_usage(seed, capsys, no_training):
    with pytest.raises(SystemExit) as exit_info:
        main(["reproduce", "fig2", "--quick", "--seed", seed])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert "--seed" in error and "Traceback" not in error and no_training == []


def test_demo_refuses_a_seed_out_of_range(capsys):
    assert main(["demo", "--seed", "-1"]) == 2
    error = capsys.readouterr().err
    assert (
        error.strip()
        == "fyslearn demo: error: --seed must be an integer from 0 to 2147483647, got -1"
    )


def test_largest_seed_is_accepted(tmp_path):
    argv = ["reproduce", "ols", "--quick", "--quiet", "--seed", "2147483647"]
    assert main([*argv, "--out", str(tmp_path)]) == 0


@pytest.mark.parametrize(
    ("experiments", "jobs", "expected"),
    [
        (["fig2"], "24", 1),  # one task: in turn, no worker started
        (["fig2"], "-1", 1),
        (["fig7"], "1000", 8),  # eight trainings: at most eight workers
        (["fig2", "fig7"], "1000", 9),
        (["fig7"], "3", 3),
    ],
)
def test_jobs_are_capped_at_the_number_of_tasks(
    experiments, jobs, expected, tmp_path, no_training, monkeypatch
):
    monkeypatch.setattr("os.cpu_count", lambda: 64)
    with pytest.raises(_Trained):
        main(["reproduce", *experiments, "--quick", "--n-jobs", jobs, "--out", str(tmp_path)])
    assert no_training[0]["n_jobs"] == expected


def test_a_second_run_into_a_locked_folder_is_refused(tmp_path, capsys, no_training):
    import fcntl
    import os

    from fyslearn.cli import LOCK_NAME

    descriptor = os.open(tmp_path / LOCK_NAME, os.O_RDWR | os.O_CREAT)
    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running reproduce holds it
    try:
        line = _refused(
            ["reproduce", "fig2", "--quick", "--out", str(tmp_path)], capsys, no_training
        )
    finally:
        os.close(descriptor)
    assert "another fyslearn reproduce is writing into" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == [LOCK_NAME]  # nothing written


def test_concurrent_runs_into_one_folder_never_mix(tmp_path):
    """Two processes into one folder: one runs, the other is refused (or runs after it)."""
    command = [
        sys.executable,
        "-m",
        "fyslearn.cli",
        "reproduce",
        "--quick",
        "--quiet",
        "--n-jobs",
        "1",
    ]
    runs = [
        subprocess.Popen(
            [*command, name, "--seed", seed, "--out", str(tmp_path)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, seed in (("fig4", "1"), ("fig4", "2"))
    ]
    outcomes = [(run.wait(), run.stderr.read()) for run in runs]
    for run in runs:
        run.stderr.close()
    assert sorted(code for code, _ in outcomes) in ([0, 0], [0, 2])
    for code, error in outcomes:
        if code == 2:
            assert "another fyslearn reproduce is writing into" in error
    import json

    record = json.loads((tmp_path / "fig4_ridge_sgd.json").read_text())
    table = (tmp_path / "results.md").read_text()
    from fyslearn.experiments import EXPERIMENTS

    module = EXPERIMENTS["fig4_ridge_sgd"]
    record.pop("compute_time"), record.pop("quick")
    (row,) = module.rows(module.Result.from_json(record))
    assert f"| {row.ours} |" in table  # the table shows the JSON beside it, from one run


def test_partial_quick_rerun_never_relabels_full_results(tmp_path):
    import shutil

    committed = Path(__file__).resolve().parents[1] / "docs" / "results"
    for name in ("fig3_ols_sgd", "ols_reference"):
        shutil.copy(committed / f"{name}.json", tmp_path)
    assert main(["reproduce", "fig2", "--quick", "--quiet", "--out", str(tmp_path)]) == 0
    table = (tmp_path / "results.md").read_text()
    assert "Run with the report's settings, except the experiments marked *(quick)*" in table
    assert "| Fig. 2 *(quick)* | largest sigmoid slope |" in table
    assert "| Fig. 3 | best test MSE, constant η | 0.053 (η=1e-2, batch 10) | 0.054" in table
    fig3_seconds = json.loads((committed / "fig3_ols_sgd.json").read_text())["compute_time"]
    assert "| fig2_activations *(quick)* |" in table
    assert f"| fig3_ols_sgd | {fig3_seconds:.1f} |" in table  # the committed run's time, kept
    assert "| OLS reference *(quick)*" not in table


def test_table_of_a_report_run_keeps_the_course_results_in_the_folder(tmp_path):
    import shutil

    committed = Path(__file__).resolve().parents[1] / "docs" / "results"
    shutil.copy(committed / "runge.json", tmp_path)  # a course result from an earlier run
    assert main(["reproduce", "fig2", "--quick", "--quiet", "--out", str(tmp_path)]) == 0
    table = (tmp_path / "results.md").read_text()
    assert "| Fig. 2 *(quick)* | largest sigmoid slope |" in table
    assert "| Runge | OLS degree 15, median MSE vs f on [−1, 1] | not in the report | 1.41" in table
    runge_seconds = json.loads((committed / "runge.json").read_text())["compute_time"]
    assert f"| runge | {runge_seconds:.1f} |" in table


def test_all_quick_run_says_so_once(tmp_path):
    assert main(["reproduce", "fig2", "--quick", "--quiet", "--out", str(tmp_path)]) == 0
    table = (tmp_path / "results.md").read_text()
    assert "Run with quick settings (smoke test)" in table and "*(quick)*" not in table


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_files_are_created_with_the_modes_of_the_umask(umask, mode, tmp_path):
    import os
    import stat

    previous = os.umask(umask)
    try:
        assert main(["reproduce", "fig2", "--quick", "--quiet", "--out", str(tmp_path)]) == 0
    finally:
        os.umask(previous)
    for path in tmp_path.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == mode, path.name


def test_jobs_is_an_alias_of_n_jobs():
    from fyslearn.cli import build_parser

    parser = build_parser()
    for flag in ("--n-jobs", "--jobs"):
        assert parser.parse_args(["reproduce", flag, "2"]).n_jobs == 2


def test_help_imports_neither_numpy_nor_sympy_nor_the_experiments():
    code = (
        "import sys\n"
        "from fyslearn.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = {'numpy', 'sympy', 'sklearn', 'matplotlib', 'fyslearn.experiments'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "usage: fyslearn" in completed.stdout
    assert completed.stdout.strip().splitlines()[-1] == "[]"


def test_package_attributes_are_imported_on_first_use():
    import fyslearn

    assert {"fit_many", "load"} <= set(dir(fyslearn))
    assert fyslearn.fit_many.__module__ == "fyslearn._fitting"
    assert fyslearn.load.__module__ == "fyslearn.persistence"
    with pytest.raises(AttributeError, match="no attribute 'fit_mani'"):
        fyslearn.fit_mani  # noqa: B018


def test_derive_and_backend_choices_are_checked_and_listed(capsys):
    with pytest.raises(SystemExit):
        main(["derive", "--help"])
    assert "--list" in capsys.readouterr().out  # the names, one a line, are behind --list
    with pytest.raises(SystemExit) as exit_info:
        main(["derive", "mse_gradien"])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert "invalid choice: 'mse_gradien' (choose from " in error
    assert "'mse_gradient'" in error
    with pytest.raises(SystemExit) as exit_info:
        main(["reproduce", "--backend", "ray"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'ray' (choose from 'loky', 'dask')" in capsys.readouterr().err


@pytest.mark.parametrize("out", ["", "  "])
def test_empty_out_is_refused(out, tmp_path, capsys, no_training, monkeypatch):
    monkeypatch.chdir(tmp_path)
    line = _refused(["reproduce", "fig2", "--quick", "--out", out], capsys, no_training)
    assert "--out must name a folder" in line
    assert list(tmp_path.iterdir()) == []  # nothing written into the current folder


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_without_a_terminal_each_experiment_prints_when_it_starts_and_finishes(
    jobs, tmp_path, capsys
):
    argv = ["reproduce", "fig2", "fig4", "--quick", "--n-jobs", jobs, "--out", str(tmp_path)]
    assert main(argv) == 0  # under pytest stderr is no terminal: no progress bar
    lines = capsys.readouterr().out.splitlines()
    progress = [line for line in lines if line.startswith(("started", "finished"))]
    assert len(progress) == 4, lines
    for name in ("fig2_activations", "fig4_ridge_sgd"):
        started = progress.index(f"started  {name} (1 training)")
        (finished,) = [i for i, line in enumerate(progress) if line.startswith(f"finished {name} ")]
        assert started < finished
    if jobs == "1":  # in turn: the second starts after the first finished
        assert [line.split()[0] for line in progress] == ["started", "finished"] * 2


def test_verdict_agrees_only_within_the_distance_and_says_why_otherwise():
    from fyslearn.experiments._common import verdict

    assert verdict(0.054, 0.053, 0.005, "why") == "agrees"
    assert verdict(0.059, 0.053, 0.005, "a higher MSE") == "differs: a higher MSE"
    assert verdict(float("nan"), 0.053, 0.005, "diverged") == "differs: diverged"
    assert verdict(None, 0.053, 0.005, "no result") == "differs: no result"


def test_committed_table_marks_every_row_of_the_report_agrees_or_differs_with_a_reason():
    committed = Path(__file__).resolve().parents[1] / "docs" / "results" / "results.md"
    rows = [line for line in committed.read_text().splitlines() if line.count("|") == 7]
    verdicts = {row.split("|")[2].strip(): row.split("|")[6].strip() for row in rows[2:]}
    for quantity, verdict in verdicts.items():
        assert verdict == "agrees" or verdict.startswith(("differs: ", "— (not in the report)"))
        assert verdict != "differs: ", quantity
    assert verdicts["MNIST test accuracy, 784–128–10"] == "agrees"  # 0.9285 against 0.93
    assert verdicts["test MSE, closed form, tensor basis p=14 (text)"].startswith("differs: ")
    assert "η=1e-2, batch 10: 0.064" in verdicts["best test MSE, constant η"]


def test_a_quick_run_compares_nothing_with_the_report(tmp_path):
    assert main(["reproduce", "fig8", "--quick", "--quiet", "--out", str(tmp_path)]) == 0
    (row,) = [
        line for line in (tmp_path / "results.md").read_text().splitlines() if "MNIST" in line
    ]
    assert row.endswith("| — (quick settings) |")


# -- derive, exercises, check -------------------------------------------------------------------


def test_derive_prints_unicode_by_default_and_latex_on_request(capsys):
    assert main(["derive", "sigmoid_derivative"]) == 0
    pretty = capsys.readouterr().out
    assert "$$" not in pretty and "\\frac" not in pretty
    assert "σ" in pretty and "─" in pretty  # SymPy's pretty printer draws fraction bars
    assert pretty.rstrip().endswith("All proofs hold; every erratum is confirmed.")
    assert main(["derive", "sigmoid_derivative", "--latex"]) == 0
    latex = capsys.readouterr().out
    assert "$$" in latex and "\\frac" in latex


def test_derive_list_gives_one_line_per_derivation(capsys):
    from fyslearn import derivations

    assert main(["derive", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = [name for name in derivations.__all__ if name[0].islower()]
    assert [line.split()[0] for line in lines] == names
    assert "Backpropagation (D3–D5)" in next(line for line in lines if "backpropagation" in line)
    with pytest.raises(SystemExit) as exit_info:
        main(["derive"])
    assert exit_info.value.code == 2


def test_derive_exits_with_status_1_when_a_proof_fails(monkeypatch, capsys):
    import dataclasses

    import sympy as sp

    from fyslearn import derivations
    from fyslearn.derivations import Identity

    right = derivations.relu_derivative()
    z = sp.Symbol("z", real=True)
    broken = dataclasses.replace(right, proofs=[Identity("z equals 2z", z, 2 * z)])
    monkeypatch.setattr(derivations, "relu_derivative", lambda: broken)
    assert main(["derive", "relu_derivative"]) == 1
    assert "✗ proof: z equals 2z" in capsys.readouterr().out


def test_verify_returns_what_was_proved():
    from fyslearn import derivations

    verification = derivations.mse_gradient().verify()
    assert verification
    assert len(verification.proofs) == 3 and all(holds for _, holds in verification.proofs)
    assert verification.errata[0][1:] == (True, True)
    assert verification.steps[0] == "Cost with indexed symbols"
    text = str(verification)
    assert "✓ proof:" in text and "✓ erratum:" in text and "everything holds" in text


def test_verify_of_a_false_proof_is_false_or_raises():
    import dataclasses

    import sympy as sp

    from fyslearn import derivations
    from fyslearn.derivations import Identity

    z = sp.Symbol("z", real=True)
    broken = dataclasses.replace(
        derivations.relu_derivative(), proofs=[Identity("z equals 2z", z, 2 * z)]
    )
    verification = broken.verify(raise_on_failure=False)
    assert not verification
    assert verification.first_failure() == "proof failed: z equals 2z"
    with pytest.raises(AssertionError, match="proof failed: z equals 2z"):
        broken.verify()


def test_exercises_writes_stubs_and_check_grades_them(tmp_path, capsys):
    from fyslearn.exercises import EXERCISES

    assert main(["exercises", "--dir", str(tmp_path / "mine")]) == 0
    assert sorted(p.stem for p in (tmp_path / "mine").iterdir()) == sorted(EXERCISES)
    assert main(["exercises", "--solutions", "--dir", str(tmp_path / "teacher")]) == 0
    capsys.readouterr()
    assert main(["check", str(tmp_path / "teacher" / "relu_derivative.py")]) == 0
    assert capsys.readouterr().out.rstrip().endswith("passed")
    assert main(["check", str(tmp_path / "mine" / "relu_derivative.py")]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert "raised NotImplementedError" in line
    assert main(["exercises", "--dir", str(tmp_path / "mine")]) == 1
    assert "already exist" in capsys.readouterr().err


def test_check_of_a_wrong_answer_prints_the_failed_check_and_exits_1(tmp_path, capsys):
    path = tmp_path / "sigmoid_derivative.py"
    path.write_text("import numpy as np\n\n\ndef sigmoid_derivative(z):\n    return z * (1 - z)\n")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "values vs SymPy      FAILED on the random input" in out
    assert "σ′(z) vs σ′(a)" in out
    assert out.rstrip().endswith("FAILED")


def test_console_script_check_runs_with_a_time_limit_and_no_traceback(tmp_path):
    path = tmp_path / "adam_step.py"
    path.write_text("def adam_step(*args):\n    while True:\n        pass\n")
    completed = subprocess.run(
        [sys.executable, "-m", "fyslearn.cli", "check", str(path), "--timeout", "1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 1
    assert completed.stderr.strip().endswith(
        "adam_step did not finish within 1 s (an infinite loop?)"
    )
    assert "Traceback" not in completed.stderr


@pytest.mark.parametrize("timeout", ["0", "-1", "inf", "soon"])
def test_check_refuses_a_bad_timeout(timeout, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "file.py", "--timeout", timeout])
    assert exit_info.value.code == 2

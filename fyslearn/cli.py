"""The `fyslearn` command line.

* `fyslearn reproduce [EXPERIMENT ...] [--quick] [--out DIR] [--seed N] [--n-jobs N]`:
  run the report's experiments, write every figure (PNG and SVG), every result
  (JSON) and a `results.md` table comparing the report's numbers with ours.
  An EXPERIMENT is an id, an alias (`fig3`) or a group: `report` (the
  default), `course` (the course's later material, beyond the report) or
  `all`. The independent trainings of the chosen experiments are pooled and
  run on every core (`--n-jobs 1`: in turn, in this process);
* `fyslearn reproduce --backend dask --scheduler ADDRESS`: the same, with the
  pooled trainings on the workers of a Dask cluster (the `cluster` extra);
* `fyslearn reproduce --list`: name the experiments of each group (ids, short
  aliases and titles);
* `fyslearn demo`: fit OLS and Ridge on the Franke data;
* `fyslearn derive NAME`: print a derivation in Unicode (`--latex`: as
  Markdown with LaTeX) and check its proofs; `fyslearn derive --list` names them;
* `fyslearn exercises [--dir DIR] [--solutions]`: write the graded exercises
  (stubs, or the reference solutions);
* `fyslearn check FILE`: grade one exercise file (exit status 0 or 1).

Every file is written to a temporary name and renamed when complete, so an
interrupted run never leaves a half-written result behind. The arguments and
the output folder are checked before any training: a bad one stops the run
with one line and exit status 2. A run holds a lock on its output folder, so
a second run into the same folder is refused instead of mixing its files with
the first one's.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import functools
import itertools
import json
import os
import secrets
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = ["build_parser", "main"]

DEFAULT_OUT = "reproduce-output"
DEFAULT_EXERCISES = "exercises"


def _demo(args: argparse.Namespace) -> int:
    try:
        _check_seed(args.seed)
    except _Refused as refusal:
        print(f"fyslearn demo: error: {refusal}", file=sys.stderr)
        return 2
    from .datasets import franke_split
    from .experiments import scores
    from .features import design_matrix
    from .linear_model import OLS, Ridge

    split = franke_split(args.seed)
    print("Closed-form fits of the Franke data (1000 points, noise 0.2, 25 % test)")
    print(f"{'model':<28}{'test MSE':>10}{'R²':>8}{'excess':>10}")
    for basis in ("total", "tensor"):
        D_train = design_matrix(split.X_train, args.degree, basis)
        D_test = design_matrix(split.X_test, args.degree, basis)
        for model in (OLS(), Ridge(alpha=1e-6)):
            result = scores(model.fit(D_train, split.y_train), D_test, split, args.seed)
            label = f"{type(model).__name__} ({basis}, p={args.degree})"
            print(f"{label:<28}{result['mse']:>10.4f}{result['r2']:>8.3f}{result['excess']:>10.4f}")
    print("excess = MSE against the noise-free Franke function; the noise floor is 0.04.")
    return 0


def _derive(args: argparse.Namespace) -> int:
    from . import derivations

    if args.list:
        for name in _derivation_names():
            derivation = getattr(derivations, name)()
            title, reference = derivation.plain_title(), derivation.report_reference
            note = f" ({reference})" if reference and reference not in title else ""
            print(f"{name:<36} {title}{note}")
        return 0
    if args.name is None:
        args.parser.error("name a derivation (see fyslearn derive --list)")
    derivation = getattr(derivations, args.name)()
    print(derivation.latex() if args.latex else derivation.pretty())
    verification = derivation.verify(raise_on_failure=False)
    if not verification:
        print(verification)
        return 1
    print("All proofs hold; every erratum is confirmed.")
    return 0


def _exercises(args: argparse.Namespace) -> int:
    from .exercises import EXERCISES, write_exercises

    try:
        written = write_exercises(args.dir, solutions=args.solutions)
    except (FileExistsError, OSError) as error:
        print(f"fyslearn exercises: error: {error}", file=sys.stderr)
        return 1
    kind = "reference solutions" if args.solutions else "exercises"
    print(f"{len(written)} {kind} written to {args.dir}/:")
    for path in written:
        exercise = EXERCISES[path.stem]
        print(f"  {path.name:<42} {exercise.title}")
    if not args.solutions:
        print(f"Write each function, then check it: fyslearn check {Path(args.dir) / 'FILE.py'}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from .exercises import grade_file

    grade = grade_file(args.file, args.exercise, timeout=args.timeout, seed=args.seed)
    if grade.error:
        print(f"fyslearn check: {grade.error}", file=sys.stderr)
        return 1
    print(grade)
    return 0 if grade.passed else 1


def _timeout(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, got {text!r}") from None
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number of seconds > 0, got {text!r}")
    return seconds


def _derivation_names() -> list[str]:
    from . import derivations

    return [name for name in derivations.__all__ if name[0].islower()]


class _Choices(Sequence[str]):
    """The names `load()` returns, loaded when argparse first checks or lists them.

    So that `fyslearn --help` does not import SymPy or the experiments.
    """

    def __init__(self, load: Callable[[], Sequence[str]]) -> None:
        self._load = load

    @functools.cached_property
    def _names(self) -> Sequence[str]:
        return self._load()

    def __getitem__(self, index: Any) -> Any:
        return self._names[index]

    def __len__(self) -> int:
        return len(self._names)


def _backends() -> Sequence[str]:
    from .experiments import BACKENDS

    return BACKENDS


def _results_table(
    rows: list, times: dict[str, float], quick: dict[str, bool], wall: str = ""
) -> str:
    """The results table; experiments run with quick settings are marked, never the others."""
    if all(quick.values()):
        settings = "quick settings (smoke test)"
    elif any(quick.values()):
        settings = (
            "the report's settings, except the experiments marked *(quick)*, "
            "run with quick settings (smoke test)"
        )
    else:
        settings = "the report's settings"
    lines = [
        "# Results: the report next to fyslearn",
        "",
        f"Run with {settings}; MSE and R² are test-set means over 100 bootstrap resamples;",
        "'excess' is the MSE against the noise-free Franke function (noise floor 0.04).",
        "A number agrees with the report's within 0.005 (MSE), 0.01 (accuracy), 0.05 (R²),",
        "or within one standard deviation of ours over data splits.",
        "",
        "| experiment | quantity | report | fyslearn | scikit-learn | agrees? |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.experiment} | {r.quantity} | {r.report} | {r.ours} | {r.reference} "
        f"| {_verdict(r, quick)} |"
        for r in rows
    ]
    lines += ["", "| experiment | compute time (s) |", "|---|---|"]
    lines += [f"| {name} | {seconds:.1f} |" for name, seconds in times.items()]
    lines += [f"| total | {sum(times.values()):.1f} |", ""]
    lines += [
        "Compute time is the time spent in an experiment's trainings, added over the "
        "processes that ran them." + (f" {wall}" if wall else ""),
        "",
    ]
    return "\n".join(lines)


def _verdict(row: Any, quick: dict[str, bool]) -> str:
    """The row's verdict; for quick settings, no comparison with the report's."""
    if row.experiment.endswith(" *(quick)*") or (quick and all(quick.values())):
        return "— (quick settings)"
    return row.verdict or "— (not in the report)"


class _Refused(Exception):
    """A reason to stop before any training: printed as one line, exit status 2."""


def _read_record(path: Path) -> tuple[Any, float, bool]:
    """The result, compute time and quick flag stored in `path`; `_Refused` if unusable."""
    from .experiments import EXPERIMENTS

    module = EXPERIMENTS[path.stem]
    try:
        record = json.loads(path.read_text())
        if not isinstance(record, dict):
            raise ValueError("not a JSON object")
        seconds, quick = record.pop("compute_time"), record.pop("quick")
        if not isinstance(quick, bool) or not isinstance(seconds, (int, float)):
            raise ValueError("'quick' or 'compute_time' has the wrong type")
        result = module.Result.from_json(record)
        module.rows(result)  # every field the table needs is there and usable
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, IndexError) as error:
        raise _Refused(
            f"{path} is not a result file of this fyslearn version ({error}); "
            "remove it or choose another --out"
        ) from None
    return result, float(seconds), quick


def _table_of_folder(out: Path, wall: str = "") -> str:
    """The results table of every experiment whose result is in `out`, in the report's order.

    Running a few experiments again updates their lines and keeps the others'.
    """
    from .experiments import EXPERIMENTS

    rows, times, quick = [], {}, {}
    for name, module in EXPERIMENTS.items():
        path = out / f"{name}.json"
        if not path.is_file():
            continue
        result, seconds, quick[name] = _read_record(path)
        mark = " *(quick)*" if quick[name] else ""
        rows += [
            dataclasses.replace(row, experiment=row.experiment + mark)
            for row in module.rows(result)
        ]
        times[name + mark] = seconds
    if quick and all(quick.values()):  # all quick: the heading says so once
        rows = [
            dataclasses.replace(row, experiment=row.experiment[: -len(" *(quick)*")])
            for row in rows
        ]
        times = {name[: -len(" *(quick)*")]: seconds for name, seconds in times.items()}
    return _results_table(rows, times, quick, wall)


def _prepare_out(out: Path, names: list[str]) -> None:
    """Create the output folder and check every file this run writes or reads there."""
    if out.exists() and not out.is_dir():
        raise _Refused(f"--out {out} is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _Refused(f"cannot create the output folder {out}: {error.strerror}") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise _Refused(f"cannot write into the output folder {out}")
    from .experiments import EXPERIMENTS

    written = [f"{name}.{suffix}" for name in names for suffix in ("json", "png", "svg")]
    for file in [*written, "results.md"]:
        if (out / file).exists() and not (out / file).is_file():
            raise _Refused(f"{out / file} is in the way of a result file: it is not a file")
    for name in EXPERIMENTS:
        path = out / f"{name}.json"
        if name not in names and path.is_file():
            _read_record(path)  # a result the new table will show must be readable


LOCK_NAME = ".fyslearn-reproduce.lock"


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Hold the output folder's lock, or refuse: two runs never write into one folder."""
    import fcntl

    path = out / LOCK_NAME
    for _ in range(10):
        try:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as error:
            raise _Refused(f"cannot write into the output folder {out}: {error.strerror}") from None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            raise _Refused(
                f"another fyslearn reproduce is writing into {out}; "
                "wait for it to finish or choose another --out"
            ) from None
        try:
            same = os.stat(path).st_ino == os.fstat(descriptor).st_ino
        except FileNotFoundError:
            same = False
        if same:  # not a lock file that its holder removed meanwhile
            break
        os.close(descriptor)
    else:
        raise _Refused(f"cannot take the lock {path}")
    try:
        yield
    finally:
        path.unlink(missing_ok=True)
        os.close(descriptor)


DEFAULT_GROUP = "report"
"""The group `fyslearn reproduce` runs when no experiment is named."""

GROUP_TITLES = {
    "report": "the report's experiments, in the report's order (the default)",
    "course": "the course's later material, beyond the report",
    "all": "report, then course",
}
"""What each group of experiments holds, as `--list` and the error for an unknown name say."""


def _experiment_list() -> str:
    """The experiments under their groups: id, alias and title, one a line."""
    from .experiments import ALIASES, EXPERIMENTS, GROUPS

    aliases = {ident: alias for alias, ident in ALIASES.items()}
    lines = []
    for group in ("report", "course"):
        lines += [f"{group}: {GROUP_TITLES[group]}"]
        for name in GROUPS[group]:
            alias = f"({aliases[name]})" if name in aliases else ""
            lines += [f"  {name:<22} {alias:<7} {EXPERIMENTS[name].TITLE}"]
        lines += [""]
    return "\n".join([*lines, f"all: {GROUP_TITLES['all']}"])


def _selected(args: argparse.Namespace) -> list[str]:
    """The ids of the experiments the arguments name (the report's when none); exit 2 if unknown."""
    from .experiments import ALIASES, EXPERIMENTS, GROUPS, experiment_ids

    try:
        return experiment_ids(args.experiments or [DEFAULT_GROUP])
    except KeyError as error:
        (unknown,) = error.args
        aliases = {ident: alias for alias, ident in ALIASES.items()}
        groups = [f"{group} (the default)" if group == DEFAULT_GROUP else group for group in GROUPS]
        names = [f"{name} ({aliases[name]})" if name in aliases else name for name in EXPERIMENTS]
        args.parser.error(
            f"unknown experiment(s) {', '.join(unknown)}; choose from the groups "
            f"{', '.join(groups)} (see --list) or the experiments {', '.join(names)}"
        )


def _reproduce(args: argparse.Namespace) -> int:
    from .experiments import BackendError, parallel_backend

    if args.list:
        print(_experiment_list())
        return 0
    _check_backend(args)
    names = _selected(args)
    out = Path(args.out)
    try:
        if not args.out.strip():
            raise _Refused("--out must name a folder, got an empty name")
        _check_seed(args.seed)
        _prepare_out(out, names)
        with parallel_backend(args.backend, args.scheduler), _locked(out):
            _prepare_out(out, names)  # again: a run that held the lock may have just finished
            return _run_experiments(args, names, out)
    except (_Refused, BackendError) as refusal:
        print(f"fyslearn reproduce: error: {refusal}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "\ninterrupted: the files already written are complete; nothing half-written.",
            file=sys.stderr,
        )
        return 130


def _write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Run `write(temporary)` beside `path`, then rename: never a half-written file.

    The temporary file is created with the modes of the user's umask, as
    `open` would create `path` itself.
    """
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _trainings(plan: Any) -> str:
    count = len(plan.tasks)
    return f"{count} training{'' if count == 1 else 's'}"


def _log(line: str) -> None:
    """Print one line of progress now, also when the output is a file or a pipe."""
    print(line, flush=True)


def _workers(requested: int, n_tasks: int) -> int:
    """Worker processes: as requested (-1: every core), never more than there are tasks."""
    available = (os.cpu_count() or 1) if requested == -1 else requested
    return max(1, min(available, n_tasks))


def _run_experiments(args: argparse.Namespace, names: list[str], out: Path) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from tqdm.auto import tqdm

    from .experiments import EXPERIMENTS, config_for, plan_for, run_plans

    plans = [plan_for(name, config_for(name, args.quick, args.seed)) for name in names]
    jobs = _workers(args.n_jobs, sum(len(plan.tasks) for plan in plans))
    if args.backend == "dask":
        jobs = args.n_jobs  # the cluster's workers, not this machine's cores
    # disable=None: no bar when stderr is not a terminal (a log file, CI)
    progress = tqdm(total=len(names), desc="reproduce", disable=True if args.quiet else None)
    # without a bar (and not --quiet), one line when each experiment starts and finishes
    log = not args.quiet and progress.disable
    started = iter(plans if jobs == 1 else [])  # in turn: each starts when the one before ends
    if log:
        for plan in plans if jobs > 1 else [next(started)]:
            _log(f"started  {plan.name} ({_trainings(plan)})")
    start = time.perf_counter()
    with progress:
        for name, result, seconds in run_plans(plans, jobs):
            module = EXPERIMENTS[name]
            record = {**result.to_json(), "compute_time": seconds, "quick": args.quick}
            text = json.dumps(record, indent=1)
            _write_atomically(out / f"{name}.json", lambda path, t=text: path.write_text(t))
            figure = module.plot(result)
            for suffix in ("png", "svg"):
                _write_atomically(
                    out / f"{name}.{suffix}",
                    lambda path, s=suffix, f=figure: f.savefig(path, format=s, dpi=110),
                )
            plt.close(figure)
            progress.update()
            if log:
                _log(f"finished {name} in {seconds:.1f} s of compute: {module.TITLE}")
                for plan in itertools.islice(started, 1):
                    _log(f"started  {plan.name} ({_trainings(plan)})")
            elif not args.quiet:
                tqdm.write(f"{name:<22} {seconds:7.1f} s  {module.TITLE}")
    wall = time.perf_counter() - start
    cores = "one process" if jobs == 1 else f"{jobs} processes"
    if args.n_jobs == -1 and jobs == os.cpu_count():
        cores = f"every core ({jobs})"
    if args.backend == "dask":
        cores = f"the Dask cluster at {args.scheduler}"
    table = _table_of_folder(out, f"The last run took {wall:.0f} s of wall time on {cores}.")
    _write_atomically(out / "results.md", lambda path: path.write_text(table))
    if not args.quiet:
        print(table)
        print(f"Figures, results (JSON) and results.md are in {out}/")
    return 0


# -- where the pooled trainings run (joblib backends) ----------------------------------------


def _check_backend(args: argparse.Namespace) -> None:
    """Exit with status 2 on a contradictory `--backend`, `--scheduler` and `--n-jobs`."""
    if args.scheduler is not None and args.backend != "dask":
        args.parser.error("--scheduler needs --backend dask")
    if args.backend == "dask" and args.scheduler is None:
        args.parser.error("--backend dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)")
    if args.backend == "dask" and args.n_jobs == 1:
        args.parser.error("--n-jobs 1 runs in turn in this process; drop it for --backend dask")


def _add_backend_arguments(reproduce: argparse.ArgumentParser) -> None:
    reproduce.add_argument(
        "--backend",
        choices=_Choices(_backends),
        metavar="BACKEND",
        default="loky",
        help="where the pooled trainings run: loky, worker processes here (default); "
        "dask, the workers of a Dask cluster (needs --scheduler and the cluster extra)",
    )
    reproduce.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="address of the Dask scheduler, e.g. tcp://10.0.0.5:8786 (with --backend dask)",
    )


def _jobs(text: str) -> int:
    jobs = int(text)
    if jobs == 0 or jobs < -1:
        raise argparse.ArgumentTypeError("must be a positive number of processes, or -1")
    return jobs


MAX_SEED = 2**31 - 1
"""Largest seed: experiments add small offsets to it and seeds must stay below 2**32."""


def _check_seed(seed: int | None) -> None:
    """Refuse a seed outside `0..MAX_SEED` (argparse has made sure it is an integer)."""
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise _Refused(f"--seed must be an integer from 0 to {MAX_SEED}, got {seed}")


def _degree(text: str) -> int:
    try:
        degree = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer, got {text!r}") from None
    if not 0 <= degree <= 30:
        raise argparse.ArgumentTypeError(f"must be an integer from 0 to 30, got {degree}")
    return degree


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `fyslearn` command."""
    parser = argparse.ArgumentParser(
        prog="fyslearn", description="Reproduce FYS-STK4155 Project 2 with numpy and SymPy."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    reproduce = commands.add_parser("reproduce", help="run the report's experiments")
    reproduce.add_argument(
        "experiments",
        nargs="*",
        metavar="EXPERIMENT",
        help="experiments to run: ids, aliases, or the groups report (the default), "
        "course and all; see --list",
    )
    reproduce.add_argument("--quick", action="store_true", help="small settings, for a smoke test")
    reproduce.add_argument("--out", default=DEFAULT_OUT, help=f"output folder ({DEFAULT_OUT})")
    reproduce.add_argument(
        "--seed", type=int, default=None, help=f"seed of data and models (0 to {MAX_SEED})"
    )
    reproduce.add_argument(
        "--list", action="store_true", help="list the experiments by group and exit"
    )
    reproduce.add_argument("--quiet", action="store_true", help="no progress bar or table")
    reproduce.add_argument(
        "--n-jobs",
        "--jobs",
        dest="n_jobs",
        type=_jobs,
        default=-1,
        help="worker processes for the trainings, n_jobs of the Python API (default -1: "
        "every core; 1: in turn); never more than the experiments have trainings",
    )
    _add_backend_arguments(reproduce)
    reproduce.set_defaults(run=_reproduce, parser=reproduce)

    demo = commands.add_parser("demo", help="fit OLS and Ridge on the Franke data")
    demo.add_argument("--degree", type=_degree, default=5, help="polynomial degree (default 5)")
    demo.add_argument("--seed", type=int, default=0, help=f"random seed (0 to {MAX_SEED}; 0)")
    demo.set_defaults(run=_demo)

    derive = commands.add_parser("derive", help="print a derivation and check it")
    derive.add_argument(
        "name", nargs="?", choices=_Choices(_derivation_names), metavar="NAME", help="see --list"
    )
    derive.add_argument(
        "--latex", action="store_true", help="print Markdown with LaTeX, as the site renders it"
    )
    derive.add_argument("--list", action="store_true", help="list the derivations, one a line")
    derive.set_defaults(run=_derive, parser=derive)

    exercises = commands.add_parser(
        "exercises", help="write the graded exercises (stubs) into a folder"
    )
    exercises.add_argument(
        "--dir", default=DEFAULT_EXERCISES, help=f"folder to write to ({DEFAULT_EXERCISES})"
    )
    exercises.add_argument(
        "--solutions", action="store_true", help="write the reference solutions (for teachers)"
    )
    exercises.set_defaults(run=_exercises)

    check = commands.add_parser(
        "check",
        help="grade an exercise file: shapes, values vs SymPy, finite differences",
        description="Grade one exercise file: shapes first, then values against the SymPy "
        "reference on random and edge inputs, then finite differences for a gradient. "
        "Exit status 0 when every check holds, 1 otherwise.",
    )
    check.add_argument("file", metavar="FILE", help="the exercise file, e.g. mse_gradient.py")
    check.add_argument(
        "--exercise",
        default=None,
        metavar="NAME",
        help="the exercise (default: the file's '# fyslearn exercise:' line, else its name)",
    )
    check.add_argument(
        "--timeout",
        type=_timeout,
        default=10.0,
        metavar="SECONDS",
        help="time limit for the function on all inputs (default 10)",
    )
    check.add_argument("--seed", type=int, default=0, help="seed of the random inputs (0)")
    check.set_defaults(run=_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `fyslearn` console script."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except BrokenPipeError:
        # the reader left (`fyslearn derive ... | head`): stop quietly, as Unix tools do;
        # stdout goes to devnull so that flushing it at exit raises nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())

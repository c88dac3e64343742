"""The ``fyslearn`` command line.

* ``fyslearn reproduce [EXPERIMENT ...] [--quick] [--out DIR] [--seed N] [--jobs N]``:
  run the report's experiments, write every figure (PNG and SVG), every result
  (JSON) and a ``results.md`` table comparing the report's numbers with ours.
  The independent trainings of all experiments are pooled and run on every
  core (``--jobs 1``: in turn, in this process);
* ``fyslearn reproduce --list``: name the experiments;
* ``fyslearn demo``: fit OLS and Ridge on the Franke data;
* ``fyslearn derive NAME``: print a derivation and check its proofs.

Every file is written to a temporary name and renamed when complete, so an
interrupted run never leaves a half-written result behind.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

__all__ = ["build_parser", "main"]

DEFAULT_OUT = "reproduce-output"


def _demo(args: argparse.Namespace) -> int:
    from .experiments._common import franke_split, scores
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

    derivation = getattr(derivations, args.name)()
    print(derivation.latex())
    derivation.verify()
    print("All proofs hold; every erratum is confirmed.")
    return 0


def _derivation_names() -> list[str]:
    from . import derivations

    return [name for name in derivations.__all__ if name[0].islower()]


def _results_table(rows: list, times: dict[str, float], quick: bool, wall: str = "") -> str:
    settings = "quick settings (smoke test)" if quick else "the report's settings"
    lines = [
        "# Results: the report next to fyslearn",
        "",
        f"Run with {settings}; MSE and R² are test-set means over 100 bootstrap resamples;",
        "'excess' is the MSE against the noise-free Franke function (noise floor 0.04).",
        "",
        "| experiment | quantity | report | fyslearn | scikit-learn |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.experiment} | {r.quantity} | {r.report} | {r.ours} | {r.reference} |" for r in rows
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


def _table_of_folder(out: Path, wall: str = "") -> str:
    """The results table of every experiment whose result is in ``out``, in the report's order.

    Running a few experiments again updates their lines and keeps the others'.
    """
    import json

    from .experiments import EXPERIMENTS

    rows, times, quick = [], {}, False
    for name, module in EXPERIMENTS.items():
        path = out / f"{name}.json"
        if not path.is_file():
            continue
        result = json.loads(path.read_text())
        rows += module.rows(result)
        times[name] = result.get("compute_time", float("nan"))
        quick = quick or result.get("quick", False)
    return _results_table(rows, times, quick, wall)


def _reproduce(args: argparse.Namespace) -> int:
    from .experiments import EXPERIMENTS

    if args.list:
        for name, module in EXPERIMENTS.items():
            print(f"{name:<10} {module.TITLE}")
        return 0
    unknown = [name for name in args.experiments if name not in EXPERIMENTS]
    if unknown:
        args.parser.error(
            f"unknown experiment(s) {', '.join(unknown)}; choose from {', '.join(EXPERIMENTS)}"
        )
    try:
        return _run_experiments(args, args.experiments or list(EXPERIMENTS))
    except KeyboardInterrupt:
        print(
            "\ninterrupted: the files already written are complete; nothing half-written.",
            file=sys.stderr,
        )
        return 130


def _run_experiments(args: argparse.Namespace, names: list[str]) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from tqdm.auto import tqdm

    from .experiments import EXPERIMENTS, config_for, plan_for
    from .experiments._common import save_json, write_atomically
    from .experiments._tasks import run_plans

    out = Path(args.out)
    plans = [plan_for(name, config_for(name, args.quick, args.seed)) for name in names]
    progress = tqdm(total=len(names), desc="reproduce", disable=args.quiet)
    start = time.perf_counter()
    with progress:
        for name, result, seconds in run_plans(plans, args.jobs):
            module = EXPERIMENTS[name]
            record = {**result, "compute_time": seconds, "quick": args.quick}
            save_json(record, out / f"{name}.json")
            figure = module.plot(result)
            for suffix in ("png", "svg"):
                write_atomically(
                    out / f"{name}.{suffix}",
                    lambda path, s=suffix, f=figure: f.savefig(path, format=s, dpi=110),
                )
            plt.close(figure)
            progress.update()
            if not args.quiet:
                tqdm.write(f"{name:<10} {seconds:7.1f} s  {module.TITLE}")
    wall = time.perf_counter() - start
    cores = "one process" if args.jobs == 1 else f"{args.jobs} processes"
    if args.jobs == -1:
        cores = f"every core ({os.cpu_count()})"
    table = _table_of_folder(out, f"The last run took {wall:.0f} s of wall time on {cores}.")
    write_atomically(out / "results.md", lambda path: path.write_text(table))
    if not args.quiet:
        print(table)
        print(f"Figures, results (JSON) and results.md are in {out}/")
    return 0


def _jobs(text: str) -> int:
    jobs = int(text)
    if jobs == 0 or jobs < -1:
        raise argparse.ArgumentTypeError("must be a positive number of processes, or -1")
    return jobs


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``fyslearn`` command."""
    parser = argparse.ArgumentParser(
        prog="fyslearn", description="Reproduce FYS-STK4155 Project 2 with numpy and SymPy."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    reproduce = commands.add_parser("reproduce", help="run the report's experiments")
    reproduce.add_argument(
        "experiments",
        nargs="*",
        metavar="EXPERIMENT",
        help="experiments to run (default: all; see --list)",
    )
    reproduce.add_argument("--quick", action="store_true", help="small settings, for a smoke test")
    reproduce.add_argument("--out", default=DEFAULT_OUT, help=f"output folder ({DEFAULT_OUT})")
    reproduce.add_argument("--seed", type=int, default=None, help="seed of data and models")
    reproduce.add_argument("--list", action="store_true", help="list the experiments and exit")
    reproduce.add_argument("--quiet", action="store_true", help="no progress bar or table")
    reproduce.add_argument(
        "--jobs",
        type=_jobs,
        default=-1,
        help="worker processes for the trainings (default -1: every core; 1: in turn)",
    )
    reproduce.set_defaults(run=_reproduce, parser=reproduce)

    demo = commands.add_parser("demo", help="fit OLS and Ridge on the Franke data")
    demo.add_argument("--degree", type=int, default=5, help="polynomial degree (default 5)")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.set_defaults(run=_demo)

    derive = commands.add_parser("derive", help="print a derivation and check it")
    derive.add_argument("name", choices=_derivation_names())
    derive.set_defaults(run=_derive)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``fyslearn`` console script."""
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())

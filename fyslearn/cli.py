"""The ``fyslearn`` command line.

* ``fyslearn reproduce [EXPERIMENT ...] [--quick] [--out DIR] [--seed N]``: run the
  report's experiments, write every figure (PNG and SVG), every result (JSON)
  and a ``results.md`` table comparing the report's numbers with ours;
* ``fyslearn reproduce --list``: name the experiments;
* ``fyslearn demo``: fit OLS and Ridge on the Franke data;
* ``fyslearn derive NAME``: print a derivation and check its proofs.

Every file is written to a temporary name and renamed when complete, so an
interrupted run never leaves a half-written result behind.
"""

from __future__ import annotations

import argparse
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


def _results_table(rows: list, times: dict[str, float], quick: bool) -> str:
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
    lines += ["", "| experiment | wall time (s) |", "|---|---|"]
    lines += [f"| {name} | {seconds:.1f} |" for name, seconds in times.items()]
    lines += [f"| total | {sum(times.values()):.1f} |", ""]
    return "\n".join(lines)


def _table_of_folder(out: Path) -> str:
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
        times[name] = result.get("wall_time", float("nan"))
        quick = quick or result.get("quick", False)
    return _results_table(rows, times, quick)


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

    from .experiments import EXPERIMENTS, config_for
    from .experiments._common import save_json, write_atomically

    out = Path(args.out)
    progress = tqdm(names, desc="reproduce", disable=args.quiet)
    for name in progress:
        progress.set_postfix_str(name)
        module = EXPERIMENTS[name]
        start = time.perf_counter()
        result = module.run(config_for(name, args.quick, args.seed))
        seconds = time.perf_counter() - start
        save_json({**result, "wall_time": seconds, "quick": args.quick}, out / f"{name}.json")
        figure = module.plot(result)
        for suffix in ("png", "svg"):
            write_atomically(
                out / f"{name}.{suffix}",
                lambda path, s=suffix, f=figure: f.savefig(path, format=s, dpi=110),
            )
        plt.close(figure)
        if not args.quiet:
            tqdm.write(f"{name:<10} {seconds:7.1f} s  {module.TITLE}")
    table = _table_of_folder(out)
    write_atomically(out / "results.md", lambda path: path.write_text(table))
    if not args.quiet:
        print(table)
        print(f"Figures, results (JSON) and results.md are in {out}/")
    return 0


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

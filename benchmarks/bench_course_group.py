"""Compute time of the `course` group of `fyslearn reproduce`, against its budget.

The course's experiments beyond the report may together take at most the
compute time committed in `docs/results/` for the group before the terrain
experiment joined it, plus `EXTRA_BUDGET` seconds. This script runs
`fyslearn reproduce EXPERIMENT ... --out TMP` in a process of its own (the
engine and settings of this checkout, every core), reads the compute time
each experiment recorded, and prints it next to the committed one:

    python benchmarks/bench_course_group.py              # the whole group (minutes)
    python benchmarks/bench_course_group.py terrain      # only the new experiment
    python benchmarks/bench_course_group.py --quick terrain

Compute time is the time spent in an experiment's trainings, summed over the
processes that ran them; on a shared machine it moves with the load, so
compare experiments measured in the same run, and read the load average
printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "docs" / "results"

#: The course group before the terrain experiment, whose committed times set the budget.
EARLIER_COURSE = ("optimizers", "breast_cancer", "runge")

#: Seconds of compute the group may grow by.
EXTRA_BUDGET = 60.0


def committed_seconds(name: str) -> float | None:
    """The compute time of `name` in the committed results, if any."""
    path = COMMITTED / f"{name}.json"
    if not path.is_file():
        return None
    return float(json.loads(path.read_text())["compute_time"])


def measure(names: list[str], quick: bool) -> dict[str, float]:
    """Compute time of each experiment in one `fyslearn reproduce` run."""
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "fyslearn.cli", "reproduce", *names, "--out", out]
        command += ["--quiet"] + (["--quick"] if quick else [])
        env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
        subprocess.run(command, check=True, env=env, cwd=ROOT)
        return {
            name: float(json.loads((Path(out) / f"{name}.json").read_text())["compute_time"])
            for name in names
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=[*EARLIER_COURSE, "terrain"])
    parser.add_argument("--quick", action="store_true", help="the quick settings")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    seconds = measure(args.names, args.quick)
    print(f"load average at the start: {load:.1f} on {os.cpu_count()} cores")
    print("| experiment | committed compute time (s) | measured now (s) |")
    print("|---|---|---|")
    for name, measured in seconds.items():
        committed = committed_seconds(name)
        shown = "—" if committed is None else f"{committed:.1f}"
        print(f"| {name} | {shown} | {measured:.1f} |")
    earlier = [committed_seconds(name) for name in EARLIER_COURSE]
    if args.quick or None in earlier:
        return
    budget = sum(earlier) + EXTRA_BUDGET
    added = sum(s for name, s in seconds.items() if name not in EARLIER_COURSE)
    print(f"\nbudget of the course group: {sum(earlier):.1f} s committed + {EXTRA_BUDGET:.0f} s")
    print(f"experiments added to the group: {added:.1f} s of compute (of the {EXTRA_BUDGET:.0f} s)")
    if set(EARLIER_COURSE) <= seconds.keys():
        total = sum(seconds.values())
        verdict = "within" if total <= budget else "OVER"
        print(f"whole group measured now: {total:.1f} s, {verdict} the budget of {budget:.1f} s")


if __name__ == "__main__":
    main()

r"""How long `fyslearn check` takes on each exercise's reference solution (target: under 2 s).

For every exercise, the reference solution is written to a temporary folder
(`fyslearn exercises --solutions`) and graded by the command a student runs,
`python -m fyslearn.cli check FILE`, in a fresh process each time: what is
timed is the whole wait, from the interpreter's start (imports of numpy,
SymPy and fyslearn, the SymPy references, the child process running the
solution, the finite differences) to the exit. Each exercise is timed
`--rounds` times in interleaved rounds (every exercise once, then again), so
a slow minute of the shared machine slows all exercises of a round alike;
the table gives the median and the fastest of the rounds, and the load
average before and after.

The table also splits the median wall time: `fyslearn --help` (the
interpreter, `import fyslearn` and the command's parser, a fixed cost every
command pays), and the rest, which is the grading itself: SymPy's
references, the child process, the checks. A line above the table gives the
imports of `fyslearn.exercises` and SymPy alone.

Run:

    PYTHONPATH=$PWD python benchmarks/bench_exercises.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

TARGET = 2.0
"""Seconds a check of a reference solution may take."""


def _timed(command: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, completed.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (3)")
    args = parser.parse_args(argv)

    from fyslearn.exercises import EXERCISES, write_exercises

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        files = write_exercises(folder, solutions=True)
        times: dict[str, list[float]] = {path.stem: [] for path in files}
        imports: list[float] = []
        starts: list[float] = []
        for _ in range(args.rounds):
            starts.append(_timed([sys.executable, "-m", "fyslearn.cli", "--help"])[0])
            seconds, _ = _timed(
                [sys.executable, "-c", "import fyslearn.exercises, sympy, fyslearn.derivations"]
            )
            imports.append(seconds)
            for path in files:
                seconds, status = _timed([sys.executable, "-m", "fyslearn.cli", "check", str(path)])
                if status != 0:
                    print(f"{path.stem}: the reference solution FAILED its check", file=sys.stderr)
                    return 1
                times[path.stem].append(seconds)
    load_after = os.getloadavg()[0]
    fixed = statistics.median(starts)

    print(f"# `fyslearn check` of each reference solution ({args.rounds} rounds)\n")
    print(
        f"Load average {load_before:.1f} before, {load_after:.1f} after, on {os.cpu_count()} cores."
    )
    print(
        "Imports alone (fyslearn.exercises, SymPy, derivations): median "
        f"{statistics.median(imports):.2f} s; `fyslearn --help`: median {fixed:.2f} s.\n"
    )
    print("| exercise | median (s) | fastest (s) | beyond `fyslearn --help` (s) | < 2 s |")
    print("|---|---|---|---|---|")
    for name in EXERCISES:
        median, fastest = statistics.median(times[name]), min(times[name])
        mark = "yes" if median < TARGET else "no"
        print(f"| {name} | {median:.2f} | {fastest:.2f} | {median - fixed:.2f} | {mark} |")
    worst = max(statistics.median(t) for t in times.values())
    print(f"\nSlowest exercise: {worst:.2f} s (median); target {TARGET:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

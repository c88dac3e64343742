r"""How long training takes: fyslearn, numpy, scikit-learn and PyTorch, each in its own process.

Every candidate runs in a process of its own: a small runner script per
framework (`benchmarks/runners/`), started here with `subprocess`, builds its
workload, warms up on a slice of the data, times the full workload and prints
JSON. In one process, PyTorch's OpenMP threads and numpy's OpenBLAS threads
spin and compete for the same cores, and every framework is slowed by the
others' idle threads; the table "one process against one per candidate"
shows by how much (the `one_process.py` runner, kept only for that
comparison).

The candidates of a table are started in interleaved rounds (A, B, C, A, B,
C, …), so that a slow minute of a shared machine slows all of them, and each
ratio is the median over the rounds of the ratio *within* a round. Seconds
are medians over the rounds.

1. **MNIST 784–128(ReLU)–10(softmax), batch 50, float32, plain SGD
   (η = 10⁻³)**, seconds per epoch: a plain numpy loop, fyslearn's
   `MLPClassifier(epochs=1).fit` end to end (what a user waits for) and its
   marginal epoch, `(fit(4) − fit(1)) / 3`, PyTorch on the CPU (when `torch`
   is installed: `pip install -e ".[bench]"`) and scikit-learn's
   `MLPClassifier.partial_fit` on float32 input. Each with the thread
   settings its library chooses, measured inside its process, and again with
   one thread.
2. **Franke 2–128(ReLU)–1, batch 10**: SGD steps per second of fyslearn's
   `MLPRegressor.fit`, scikit-learn's, a plain numpy loop and a numpy loop
   tuned by hand (the lower bound of numpy code).
3. **Many small models at once**: 16 Franke networks one by one against
   `fyslearn.fit_many`; Figure 4's 16 linear models the same way. Both ways
   are fyslearn, so they share one process: per round, each is timed three
   times, in turn (one by one, at once, one by one, …), and the ratio of the
   medians is that round's. A drift of the machine's speed then slows both
   alike, where two processes minutes apart can see speeds 1.5× apart.
4. **Profiles** of fyslearn's `fit` (cProfile) and the **hardware limit**
   (peak float32 matrix-product rate, the products of one epoch alone).
5. With `--reproduce`: wall time and peak memory (the whole process tree) of
   `fyslearn reproduce`, with the report's settings and `--quick`.

Run:

```bash
python benchmarks/bench_training.py --quick               # under a minute, a smoke test
python benchmarks/bench_training.py --threads 1 --write   # the speed budget, one BLAS thread
python benchmarks/bench_training.py --reproduce --write   # about 9 minutes, quiet machine
```

`--threads N` runs every candidate with `N` threads (the table of thread
settings is then left out); the speed budget is measured with one.
`--cpu-time` (with `--threads 1`) times every part by the CPU time of its
process instead of the wall clock: on a machine loaded by other work, a
process waiting for a core is not charged for the wait.

`--write` puts the tables into `benchmarks/RESULTS.md` between its
`<!-- measured -->` markers and leaves the text around them alone.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
RUNNERS = HERE / "runners"
RESULTS = HERE / "RESULTS.md"
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
RUNNER_TIMEOUT = 1800.0  # seconds; a runner that takes longer is broken, not slow
MANY_REPEATS = 3  # timings of each way of training per round, in one process (section 3)
FORCED_THREADS: int | None = None  # `--threads`: every candidate with this many threads

#: MNIST epoch, in float operations: 3 products of 2·m·n_in·n_out per layer, less δWᵀ of layer 1.
MNIST_FLOP_PER_ROW = 2.0 * (3 * 128 * 10 + 2 * 784 * 128)


@dataclass(frozen=True)
class Settings:
    """How much to measure: a full run, or a quick smoke test."""

    rounds: int
    rows: int
    franke_epochs: int
    one_thread_variants: bool
    linear_grid: bool
    matmul_sizes: tuple[int, ...]
    matmul_repeats: int
    batch_size: int = 50
    models: int = 16


FULL = Settings(
    rounds=5,
    rows=60000,
    franke_epochs=20,
    one_thread_variants=True,
    linear_grid=True,
    matmul_sizes=(1024, 2048, 3072),
    matmul_repeats=10,
)
QUICK = Settings(
    rounds=1,
    rows=10000,
    franke_epochs=5,
    one_thread_variants=False,
    linear_grid=False,
    matmul_sizes=(1024,),
    matmul_repeats=3,
)


@dataclass(frozen=True)
class Candidate:
    """One process to start per round: a runner script, its specification, its threads.

    Attributes:
        name: Key of its results.
        runner: File name in `benchmarks/runners/`.
        spec: The JSON specification given to the runner.
        threads: `None` leaves the thread settings to the libraries; a number
            sets `OMP_NUM_THREADS`, `OPENBLAS_NUM_THREADS` and `MKL_NUM_THREADS`.
    """

    name: str
    runner: str
    spec: dict[str, Any] = field(default_factory=dict)
    threads: int | None = None


def run_runner(runner: str, spec: dict[str, Any], threads: int | None = None) -> dict[str, Any]:
    """Start `runners/<runner>` in a fresh Python process; return the JSON it prints."""
    env = dict(os.environ)
    threads = FORCED_THREADS if threads is None else threads
    for name in THREAD_VARIABLES:
        env.pop(name, None)
        if threads is not None:
            env[name] = str(threads)
    command = [sys.executable, str(RUNNERS / runner), json.dumps(spec)]
    completed = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=RUNNER_TIMEOUT, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{runner} {spec} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def interleaved_rounds(candidates: Sequence[Candidate], rounds: int) -> list[dict[str, Any]]:
    """Run every candidate once per round, in turn; the outputs of each round, by name."""
    outputs = []
    for index in range(rounds):
        start = time.perf_counter()
        outputs.append({c.name: run_runner(c.runner, c.spec, c.threads) for c in candidates})
        print(
            f"  round {index + 1}/{rounds}: {time.perf_counter() - start:.0f} s, "
            f"load average {os.getloadavg()[0]:.1f}",
            file=sys.stderr,
        )
    return outputs


def series(outputs: list[dict[str, Any]], name: str, part: str) -> np.ndarray:
    """Seconds of one part of one candidate, one entry per round."""
    return np.array([output[name]["seconds"][part] for output in outputs])


def median_ratio(numerator: np.ndarray, denominator: np.ndarray) -> float:
    """Median over rounds of the ratio within each round."""
    return float(np.median(numerator / denominator))


def ratio_with_range(numerator: np.ndarray, denominator: np.ndarray) -> str:
    """The median over rounds of the ratio within each round, and its range: `4.7 (3.9–5.4)`."""
    ratios = numerator / denominator
    return f"{np.median(ratios):.1f} ({ratios.min():.1f}–{ratios.max():.1f})"


def threads_of(output: dict[str, Any]) -> str:
    """The thread pools a runner measured in itself, e.g. `blas 2, torch 2`."""
    pools = output.get("threads", {})
    return ", ".join(f"{name} {count}" for name, count in pools.items()) or "none loaded"


def have_torch() -> bool:
    return importlib.util.find_spec("torch") is not None


# --------------------------------------------------------------------------- sections


class Report:
    """Markdown lines, printed as they come."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def say(self, line: str = "") -> None:
        print(line, flush=True)
        self.lines.append(line)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        self.say("| " + " | ".join(header) + " |")
        self.say("|" + "---|" * len(header))
        for row in rows:
            self.say("| " + " | ".join(row) + " |")
        self.say()


def mnist_candidates(settings: Settings, threads: int | None) -> list[Candidate]:
    spec = {"workload": "mnist", "rows": settings.rows, "batch_size": settings.batch_size}
    suffix = "" if threads is None else f" ({threads} thread)"
    candidates = [
        Candidate("numpy" + suffix, "numpy_loop.py", spec, threads),
        Candidate("fyslearn" + suffix, "fyslearn_fit.py", spec, threads),
        Candidate("scikit-learn" + suffix, "sklearn_fit.py", spec, threads),
    ]
    if have_torch():
        candidates.append(Candidate("PyTorch" + suffix, "torch_loop.py", spec, threads))
    return candidates


def mnist_times(outputs: list[dict[str, Any]], suffix: str = "") -> dict[str, np.ndarray]:
    """Seconds per epoch of every MNIST row of the table, one entry per round."""
    fit1 = series(outputs, "fyslearn" + suffix, "fit1")
    fit4 = series(outputs, "fyslearn" + suffix, "fit4")
    times = {
        "plain numpy loop": series(outputs, "numpy" + suffix, "epoch"),
        "fyslearn `MLPClassifier(epochs=1).fit`, end to end": fit1,
        "fyslearn, marginal epoch ((fit(4) − fit(1)) / 3)": (fit4 - fit1) / 3,
    }
    if "scikit-learn" + suffix in outputs[0]:  # not rerun with one thread
        times["scikit-learn `MLPClassifier.partial_fit`, float32 input"] = series(
            outputs, "scikit-learn" + suffix, "epoch"
        )
    if "PyTorch" + suffix in outputs[0]:
        times["PyTorch CPU"] = series(outputs, "PyTorch" + suffix, "epoch")
    return times


#: The names the one-process runner gives the MNIST candidates, by the label of the table.
ONE_PROCESS_NAMES = {
    "plain numpy loop": "numpy loop",
    "fyslearn `MLPClassifier(epochs=1).fit`, end to end": "fyslearn fit(epochs=1)",
    "scikit-learn `MLPClassifier.partial_fit`, float32 input": "scikit-learn partial_fit",
    "PyTorch CPU": "PyTorch",
}


def mnist_section(
    report: Report, settings: Settings
) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """The MNIST table; returns the ratios the targets need, and the seconds by round.

    The seconds are keyed by the names of the one-process runner, for the
    side-by-side table.
    """
    print("MNIST, one process per candidate", file=sys.stderr)
    candidates = mnist_candidates(settings, None)
    if settings.one_thread_variants:
        candidates += [
            c for c in mnist_candidates(settings, 1) if c.name != "scikit-learn (1 thread)"
        ]
    outputs = interleaved_rounds(candidates, settings.rounds)
    times = mnist_times(outputs)
    names = {
        "plain numpy loop": "numpy",
        "PyTorch CPU": "PyTorch",
        "scikit-learn `MLPClassifier.partial_fit`, float32 input": "scikit-learn",
    }
    references = [label for label in ("plain numpy loop", "PyTorch CPU") if label in times]
    references.append("scikit-learn `MLPClassifier.partial_fit`, float32 input")
    report.say(
        f"## MNIST 784–128(ReLU)–10(softmax), batch {settings.batch_size}, float32, plain SGD"
    )
    report.say()
    report.say(
        f"{settings.rows:,} rows per epoch; each candidate in its own process; "
        f"medians of {settings.rounds} interleaved rounds (ratios: medians of per-round ratios)."
    )
    report.say()
    rows = []
    for label, seconds in times.items():
        ratios = [f"{median_ratio(seconds, times[ref]):.2f}" for ref in references]
        runner = names.get(label, "fyslearn")
        rows.append([label, f"{np.median(seconds):.3f}", *ratios, threads_of(outputs[0][runner])])
    header = ["candidate", "s / epoch", *(f"× {names[ref]}" for ref in references)]
    report.table([*header, "threads (measured in the process)"], rows)
    fit1 = times["fyslearn `MLPClassifier(epochs=1).fit`, end to end"]
    ratios = {
        "numpy": median_ratio(fit1, times["plain numpy loop"]),
        "scikit-learn": median_ratio(fit1, times[references[-1]]),
    }
    if "PyTorch CPU" in times:
        ratios["PyTorch"] = median_ratio(fit1, times["PyTorch CPU"])
    if settings.one_thread_variants:
        thread_table(report, outputs, times)
    own = {ONE_PROCESS_NAMES[label]: times[label] for label in times if label in ONE_PROCESS_NAMES}
    return ratios, own


def thread_table(report: Report, outputs: list[dict[str, Any]], times: dict) -> None:
    """Each library's own thread settings against one thread, same rounds."""
    one = mnist_times(outputs, " (1 thread)")
    report.say("### Thread settings, measured")
    report.say()
    report.say(
        "The same candidates with `OMP_NUM_THREADS`, `OPENBLAS_NUM_THREADS` and "
        "`MKL_NUM_THREADS` set to 1 in their process (timed in the same rounds as above)."
    )
    report.say()
    runner = {"plain numpy loop": "numpy", "PyTorch CPU": "PyTorch"}
    rows = []
    for label, seconds in one.items():
        name = runner.get(label, "fyslearn")
        rows.append(
            [
                label,
                threads_of(outputs[0][name]),
                f"{np.median(times[label]):.3f}",
                f"{np.median(seconds):.3f}",
                f"{median_ratio(seconds, times[label]):.2f}",
            ]
        )
    report.table(
        ["candidate", "default threads", "s / epoch", "1 thread: s / epoch", "1 thread ÷ default"],
        rows,
    )


def one_process_section(report: Report, settings: Settings, own: dict[str, np.ndarray]) -> None:
    """The same MNIST candidates in one process, next to the ones in their own process."""
    print("MNIST, all candidates in one process", file=sys.stderr)
    spec = {
        "workload": "mnist",
        "rows": settings.rows,
        "batch_size": settings.batch_size,
        "rounds": settings.rounds,
    }
    output = run_runner("one_process.py", spec)
    rounds = output["rounds"]
    seconds = {name: np.array([r[name] for r in rounds]) for name in rounds[0]}
    report.say("### One process against one process per candidate")
    report.say()
    report.say(
        "The same candidates timed in interleaved rounds inside **one** process (the wrong "
        f"way, for comparison), threads there: {threads_of(output)}."
    )
    report.say()
    reference = "PyTorch" if "PyTorch" in seconds else "scikit-learn partial_fit"
    rows = []
    for name, values in seconds.items():
        rows.append(
            [
                name,
                f"{np.median(own[name]):.3f}",
                f"{np.median(values):.3f}",
                f"{median_ratio(own[name], own[reference]):.2f}",
                f"{median_ratio(values, seconds[reference]):.2f}",
            ]
        )
    report.table(
        [
            "candidate",
            "own process: s / epoch",
            "one process: s / epoch",
            f"own process: × {reference}",
            f"one process: × {reference}",
        ],
        rows,
    )


def franke_section(report: Report, settings: Settings) -> float:
    """Steps per second on the Franke network; returns fyslearn ÷ scikit-learn steps/s."""
    print("Franke 2–128–1", file=sys.stderr)
    spec = {"workload": "franke", "epochs": settings.franke_epochs}
    candidates = [
        Candidate("numpy", "numpy_loop.py", {**spec, "parts": ["plain"]}),
        Candidate("numpy tuned", "numpy_loop.py", {**spec, "parts": ["tuned"]}),
        Candidate("fyslearn", "fyslearn_fit.py", spec),
        Candidate("scikit-learn", "sklearn_fit.py", spec),
    ]
    outputs = interleaved_rounds(candidates, settings.rounds)
    steps = settings.franke_epochs * 75  # 750 rows, batch 10
    times = {
        "plain numpy loop": series(outputs, "numpy", "plain"),
        "numpy loop tuned by hand (lower bound)": series(outputs, "numpy tuned", "tuned"),
        "fyslearn `MLPRegressor.fit`": series(outputs, "fyslearn", "fit"),
        "scikit-learn `MLPRegressor.fit`": series(outputs, "scikit-learn", "fit"),
    }
    sklearn = times["scikit-learn `MLPRegressor.fit`"]
    report.say("## Franke 2–128(ReLU)–1, batch 10, float64 (750 rows, 75 steps per epoch)")
    report.say()
    report.say(
        f"`fit` of {settings.franke_epochs} epochs ({steps:,} steps), validation and history "
        "included; each candidate in its own process."
    )
    report.say()
    rows = [
        [
            label,
            f"{np.median(seconds) / steps * 1e6:.1f}",
            f"{steps / np.median(seconds):,.0f}",
            f"{median_ratio(sklearn, seconds):.1f}",
        ]
        for label, seconds in times.items()
    ]
    report.table(["candidate", "µs / step", "steps / s", "× scikit-learn's steps / s"], rows)
    return median_ratio(sklearn, times["fyslearn `MLPRegressor.fit`"])


def many_section(report: Report, settings: Settings) -> float:
    """16 networks and 16 linear models at once; returns the networks' speed-up."""
    print("Many small models", file=sys.stderr)
    spec = {"workload": "franke_many", "epochs": settings.franke_epochs, "models": settings.models}
    linear = {"workload": "linear_many", "epochs": settings.franke_epochs}
    # every part of a workload in one process, taken in turn, MANY_REPEATS times per round
    candidates = [Candidate("networks", "fyslearn_fit.py", {**spec, "repeats": MANY_REPEATS})]
    if settings.linear_grid:
        candidates.append(
            Candidate("linear", "fyslearn_fit.py", {**linear, "repeats": MANY_REPEATS})
        )
    outputs = interleaved_rounds(candidates, settings.rounds)
    single = series(outputs, "networks", "one_by_one")
    stacked = series(outputs, "networks", "at_once")
    report.say(
        f"## {settings.models} Franke networks (2–128–1, batch 10, {settings.franke_epochs} "
        "epochs, a learning rate × L2 grid, a seed each)"
    )
    report.say()
    report.table(
        ["training", "s", "networks / s", "speed-up (range over rounds)"],
        [
            [
                "one by one (`MLPRegressor.fit`)",
                f"{np.median(single):.2f}",
                f"{settings.models / np.median(single):.1f}",
                "1",
            ],
            [
                "at once (`fyslearn.fit_many`)",
                f"{np.median(stacked):.2f}",
                f"{settings.models / np.median(stacked):.1f}",
                ratio_with_range(single, stacked),
            ],
        ],
    )
    if not settings.linear_grid:
        return median_ratio(single, stacked)
    lines = {
        "one by one (`SGDRegressor.fit`)": series(outputs, "linear", "one_by_one"),
        "at once, one seed (`fit_many`)": series(outputs, "linear", "at_once_one_seed"),
        "at once, a seed each (`fit_many`)": series(outputs, "linear", "at_once_own_seeds"),
    }
    first = next(iter(lines.values()))
    report.say(
        "## 16 linear models (Figure 4's grid, degree 14, batch 10, "
        f"{settings.franke_epochs} epochs)"
    )
    report.say()
    report.table(
        ["training", "s", "models / s", "speed-up (range over rounds)"],
        [
            [
                label,
                f"{np.median(s):.3f}",
                f"{16 / np.median(s):.1f}",
                ratio_with_range(first, s),
            ]
            for label, s in lines.items()
        ],
    )
    return median_ratio(single, stacked)


def profile_section(report: Report, settings: Settings) -> None:
    """Where fyslearn's `fit` spends its time, by function (cProfile, own time)."""
    print("Profiles", file=sys.stderr)
    spec = {"rows": settings.rows, "batch_size": settings.batch_size}
    output = run_runner(
        "fyslearn_fit.py", {"workload": "profile", **spec, "epochs": settings.franke_epochs}
    )
    hardware = run_runner(
        "numpy_loop.py",
        {
            "workload": "hardware",
            **spec,
            "matmul_sizes": list(settings.matmul_sizes),
            "matmul_repeats": settings.matmul_repeats,
        },
    )
    report.say("## Profiles and the hardware limit")
    report.say()
    for name, title in (
        ("mnist", f"MNIST `fit(epochs=1)`, {settings.rows:,} rows"),
        ("franke", f"Franke `fit`, {settings.franke_epochs} epochs"),
    ):
        report.say(f"cProfile of fyslearn's {title}, the functions with the most own time:")
        report.say()
        report.table(
            ["function", "calls", "own s", "share of the fit"],
            [
                [f"`{e['name']}`", f"{e['calls']:,}", f"{e['own']:.3f}", f"{e['share']:.0%}"]
                for e in output[name]
            ],
        )
    peak = hardware["peak_flops"]
    flops = MNIST_FLOP_PER_ROW * settings.rows
    products = hardware["seconds"]["products"]
    report.table(
        ["quantity", "value"],
        [
            ["peak float32 matrix-product rate (best square product)", f"{peak / 1e9:.0f} GFLOP/s"],
            [f"FLOP of one MNIST epoch ({settings.rows:,} rows)", f"{flops / 1e9:.1f} GFLOP"],
            ["compute floor = FLOP ÷ peak rate", f"{flops / peak:.3f} s"],
            [
                f"the epoch's mini-batch products alone (batch {settings.batch_size})",
                f"{products:.3f} s ({flops / products / 1e9:.0f} GFLOP/s)",
            ],
        ],
    )


def _tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MiB (Linux `/proc`)."""
    total_kib, pending = 0, [pid]
    while pending:
        proc = Path("/proc") / str(pending.pop())
        try:
            status = (proc / "status").read_text()
            for task in (proc / "task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue  # the process ended while we looked
        match = re.search(r"VmRSS:\s+(\d+)", status)
        total_kib += int(match.group(1)) if match else 0
    return total_kib / 1024


def time_reproduce(quick: bool) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MiB) of `fyslearn reproduce` in a child.

    The memory is that of the whole process tree (the command and its worker
    processes), sampled every 0.2 s: the peak of the sum, not of one process.
    """
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "fyslearn.cli", "reproduce", "--quiet", "--out", out]
        command += ["--quick"] if quick else []
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        peak = 0.0
        while child.poll() is None:
            peak = max(peak, _tree_rss_mib(child.pid))
            time.sleep(0.2)
        seconds = time.perf_counter() - start
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed with exit code {child.returncode}")
    return seconds, peak


def reproduce_section(report: Report, quick: bool) -> tuple[float, float] | None:
    """Wall time and peak memory of `fyslearn reproduce`; the full run's, unless `quick`."""
    print("fyslearn reproduce", file=sys.stderr)
    rows, full = [], None
    for quick_run in (True,) if quick else (True, False):
        seconds, mebibytes = time_reproduce(quick_run)
        name = "fyslearn reproduce" + (" --quick" if quick_run else "")
        rows.append([f"`{name}`", f"{seconds:.1f} s", f"{mebibytes:.0f} MiB"])
        if not quick_run:
            full = seconds, mebibytes
    report.say(f"## fyslearn reproduce ({os.cpu_count()} cores, every core)")
    report.say()
    report.table(["command", "wall time", "peak memory (process tree)"], rows)
    return full


def targets_section(report: Report, measured: dict[str, float]) -> None:
    """The speed budget, each target with its measured value and by how much it is met or missed.

    The engine is written for reading first (plain forward and backward
    lines); the budget says how much speed that may cost.
    """
    targets: list[tuple[str, str, float, Callable[[float], str]]] = [
        ("MNIST `fit(epochs=1)` ≤ 0.8× PyTorch CPU", "PyTorch", 0.8, "{:.2f}×".format),
        ("MNIST `fit(epochs=1)` ≤ 1.15× plain numpy loop", "numpy", 1.15, "{:.2f}×".format),
        ("Franke steps/s ≥ 3× scikit-learn's", "franke", 3.0, "{:.1f}×".format),
        ("16 Franke networks at once ≥ 3× one by one", "many", 3.0, "{:.1f}×".format),
        ("`fyslearn reproduce` ≤ 90 s wall", "reproduce_s", 90.0, "{:.0f} s".format),
        ("`fyslearn reproduce` peak memory < 2 GiB", "reproduce_mib", 2048.0, "{:.0f} MiB".format),
    ]
    at_least = {"franke", "many"}
    rows = []
    for text, key, target, show in targets:
        if key not in measured:
            rows.append([text, "not measured", "–"])
            continue
        value = measured[key]
        met = value >= target if key in at_least else value <= target
        factor = target / value if key in at_least else value / target
        verdict = "met" if met else f"**missed**: {factor:.2f}× the target"
        rows.append([text, show(value), verdict])
    report.say("## Targets")
    report.say()
    report.table(["target", "measured", "verdict"], rows)


def run(args: argparse.Namespace) -> list[str]:
    """Measure everything; return the lines of the Markdown report."""
    global FORCED_THREADS
    settings = QUICK if args.quick else FULL
    if args.rounds:
        settings = Settings(**{**settings.__dict__, "rounds": args.rounds})
    if args.threads:
        FORCED_THREADS = args.threads
        settings = Settings(**{**settings.__dict__, "one_thread_variants": False})
    if args.cpu_time:
        if args.threads != 1:
            raise SystemExit("--cpu-time needs --threads 1: CPU time counts every thread")
        os.environ["FYSLEARN_BENCH_CLOCK"] = "cpu"
    report = Report()
    report.say(
        f"Machine: {platform.machine()}, {os.cpu_count()} logical CPUs, Python "
        f"{platform.python_version()}, numpy {np.__version__}; "
        f"{'quick run' if args.quick else 'full run'}, {settings.rounds} interleaved rounds"
        f"{f', {args.threads} thread(s) per candidate' if args.threads else ''}"
        f"{', CPU time' if args.cpu_time else ', wall time'}; "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}."
    )
    report.say()
    load_before = os.getloadavg()[0]
    measured, own = mnist_section(report, settings)
    one_process_section(report, settings, own)
    measured["franke"] = franke_section(report, settings)
    measured["many"] = many_section(report, settings)
    profile_section(report, settings)
    if args.reproduce:
        full = reproduce_section(report, args.quick)
        if full is not None:
            measured["reproduce_s"], measured["reproduce_mib"] = full
    targets_section(report, measured)
    report.say(
        f"Load average (1 min) of the machine: {load_before:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end, on {os.cpu_count()} cores (other work on a "
        "shared machine slows every candidate of a round alike; ratios hold better than seconds)."
    )
    return report.lines


def write_results(lines: list[str]) -> None:
    """Replace the measured block of RESULTS.md, keeping the written analysis around it."""
    begin, end = "<!-- measured -->", "<!-- /measured -->"
    block = "\n".join([begin, *lines, end])
    text = RESULTS.read_text() if RESULTS.exists() else f"# Training benchmarks\n\n{begin}\n{end}\n"
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.DOTALL)
    RESULTS.write_text(pattern.sub(lambda _: block, text, count=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke test of under a minute")
    parser.add_argument(
        "--rounds", type=int, default=0, help="interleaved rounds (default 5; quick 2)"
    )
    parser.add_argument(
        "--threads", type=int, default=0, help="run every candidate with this many threads"
    )
    parser.add_argument(
        "--cpu-time",
        action="store_true",
        help="time by CPU time (with --threads 1; loaded machine)",
    )
    parser.add_argument("--reproduce", action="store_true", help="time `fyslearn reproduce`")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    start = time.perf_counter()
    lines = run(args)
    print(f"benchmark took {time.perf_counter() - start:.0f} s", file=sys.stderr)
    if args.write:
        write_results(lines)


if __name__ == "__main__":
    main()

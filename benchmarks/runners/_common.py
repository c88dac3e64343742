"""What every runner shares: the command-line protocol, the data, the clock.

A runner is started by `benchmarks/bench_training.py` as

```bash
python benchmarks/runners/<framework>.py '{"workload": "mnist", "rows": 60000, ...}'
```

builds the workload named in the JSON specification (only the parts listed
in `"parts"`, if given), runs it once on a
small slice of the data to warm up (imports, first calls, thread pools),
times it on the full data and prints one line of JSON: the seconds of each
timed part, the process id, and the thread pools it *measured* in itself
(numpy's BLAS through threadpoolctl, PyTorch's intra-op threads). Nothing
else of the framework runs in that process, so no other thread pool competes
with the one timed.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

MNIST_LAYERS = (784, 128, 10)
FRANKE_LAYERS = (2, 128, 1)
LEARNING_RATE = 1e-3
WARM_UP_ROWS = 2000

#: A workload builder: from the specification and the data, the callables to time, by part.
Workload = Callable[..., dict[str, Callable[[], object]]]


#: `FYSLEARN_BENCH_CLOCK=cpu` (set by `bench_training.py --threads 1 --cpu-time`): time by the
#: CPU time of the process, which a loaded machine disturbs less than the wall clock; fair only
#: when every candidate runs one thread.
CLOCK = time.process_time if os.environ.get("FYSLEARN_BENCH_CLOCK") == "cpu" else time.perf_counter


def timed(run: Callable[[], object]) -> float:
    """Seconds of one call of `run`: wall seconds, or CPU seconds (`FYSLEARN_BENCH_CLOCK=cpu`)."""
    start = CLOCK()
    run()
    return CLOCK() - start


def load_mnist_train(rows: int, dtype: str = "float32") -> tuple[np.ndarray, np.ndarray]:
    """The first `rows` MNIST training images (pixels in [0, 1], shape `(rows, 784)`) and labels.

    Read offline through [load_mnist][fyslearn.datasets.load_mnist].
    """
    from fyslearn.datasets import load_mnist

    X, y, _, _ = load_mnist(dtype=dtype)
    return np.ascontiguousarray(X[:rows]), y[:rows]


def franke_train(random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The report's Franke training set: 750 of 1000 noisy points, inputs centred.

    Returns `X` of shape `(750, 2)` and `y` of shape `(750,)`.
    """
    from sklearn.model_selection import train_test_split

    from fyslearn.datasets import make_franke

    X, y = make_franke(1000, noise=0.2, random_state=random_state)
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.25, random_state=random_state)
    return X_train - X_train.mean(), y_train


def n_steps(n_rows: int, epochs: int, batch_size: int = 10) -> int:
    """SGD steps of `epochs` epochs over `n_rows` rows (the last batch may be smaller)."""
    return epochs * math.ceil(n_rows / batch_size)


def thread_pools() -> dict[str, int]:
    """Threads of every pool loaded in this process, measured, by library."""
    from threadpoolctl import threadpool_info

    pools = {f"{p['user_api']} ({p['internal_api']})": p["num_threads"] for p in threadpool_info()}
    torch = sys.modules.get("torch")
    if torch is not None:
        pools["torch intra-op"] = torch.get_num_threads()
    return pools


def measure(parts: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median seconds of each part over `repeats` calls, the parts taken in turn."""
    times: dict[str, list[float]] = {name: [] for name in parts}
    for _ in range(repeats):
        for name, run in parts.items():
            times[name].append(timed(run))
    return {name: float(np.median(values)) for name, values in times.items()}


def run_runner(workloads: dict[str, Workload]) -> None:
    """The runner's `main`: build the workload of `sys.argv[1]`, warm up, time, print JSON."""
    spec: dict[str, Any] = json.loads(sys.argv[1])
    build = workloads[spec["workload"]]

    def chosen(parts: dict[str, Callable[[], object]]) -> dict[str, Callable[[], object]]:
        wanted = spec.get("parts", list(parts))
        return {name: parts[name] for name in wanted}

    for run in chosen(build(spec, warm_up=True)).values():
        run()
    seconds = measure(chosen(build(spec, warm_up=False)), spec.get("repeats", 1))
    print(json.dumps({"seconds": seconds, "pid": os.getpid(), "threads": thread_pools()}))

"""The wrong way, kept to show why: every MNIST candidate timed inside this one process.

The candidates of the other runners (numpy loop, fyslearn `fit(epochs=1)`,
PyTorch, scikit-learn) are built here side by side, warmed up, and timed in
interleaved rounds: the wrong way, kept for comparison. numpy's
OpenBLAS threads and PyTorch's OpenMP threads then live in one process:
after each matrix product the threads of one pool keep spinning for a while,
waiting for more work, while the other pool's threads want the same two
cores. Prints one line of JSON: the seconds of each candidate in each round.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from typing import Any

import fyslearn_fit
import numpy_loop
import sklearn_fit
from _common import thread_pools, timed


def candidates(spec: dict[str, Any], warm_up: bool) -> dict:
    """The MNIST candidates, by the name the report gives them."""
    parts = {
        "numpy loop": numpy_loop.mnist(spec, warm_up)["epoch"],
        "fyslearn fit(epochs=1)": fyslearn_fit.mnist(spec, warm_up)["fit1"],
        "scikit-learn partial_fit": sklearn_fit.mnist(spec, warm_up)["epoch"],
    }
    if importlib.util.find_spec("torch") is not None:
        import torch_loop

        parts["PyTorch"] = torch_loop.mnist(spec, warm_up)["epoch"]
    return parts


def main() -> None:
    spec = json.loads(sys.argv[1])
    for run in candidates(spec, warm_up=True).values():
        run()
    parts = candidates(spec, warm_up=False)
    rounds = [{name: timed(run) for name, run in parts.items()} for _ in range(spec["rounds"])]
    print(json.dumps({"rounds": rounds, "threads": thread_pools()}))


if __name__ == "__main__":
    main()

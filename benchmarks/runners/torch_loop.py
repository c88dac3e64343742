"""PyTorch on the CPU, float32: the usual training loop of `torch.nn` and `torch.optim.SGD`.

Workload `mnist`: one epoch of 784–128(ReLU)–10 with `CrossEntropyLoss`
(softmax and cross-entropy in one), batch 50, plain SGD, each mini-batch
indexed from `torch.randperm`. PyTorch keeps its own thread settings
(`torch.get_num_threads()`, reported), unless the environment sets
`OMP_NUM_THREADS`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from _common import LEARNING_RATE, WARM_UP_ROWS, load_mnist_train, run_runner


def mnist(spec: dict[str, Any], warm_up: bool) -> dict:
    X, labels = load_mnist_train(WARM_UP_ROWS if warm_up else spec["rows"])
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10)
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    loss_fn = torch.nn.CrossEntropyLoss()
    inputs = torch.from_numpy(np.ascontiguousarray(X, np.float32))
    targets = torch.from_numpy(labels)
    batch_size = spec["batch_size"]

    def epoch() -> None:
        order = torch.randperm(len(inputs))
        for start in range(0, len(inputs), batch_size):
            rows = order[start : start + batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss_fn(model(inputs[rows]), targets[rows]).backward()
            optimizer.step()

    return {"epoch": epoch}


WORKLOADS = {"mnist": mnist}

if __name__ == "__main__":
    run_runner(WORKLOADS)

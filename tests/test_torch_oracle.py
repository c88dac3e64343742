"""PyTorch as an independent oracle of a whole training epoch.

fyslearn's plain engine (forward, output error, backward, penalty, optimizer step,
driven by `train_network`) and PyTorch's autograd with `torch.optim` start from the
same weights, read the same mini-batches in the same order, and must end the epoch
with the same weights. The PyTorch side is written from its documentation, not from
fyslearn: a mismatch in any of D3–D5, D7 or D9 (or in the loop) shows up here.

Skipped when PyTorch is not installed (`pip install -e ".[bench]"`).
"""

from __future__ import annotations

import numpy as np
import pytest

from fyslearn.datasets import load_mnist
from fyslearn.nn import FeedForwardNetwork
from fyslearn.nn.training import TrainingSettings, train_network

torch = pytest.importorskip("torch")

N_ROWS, BATCH_SIZE, SEED = 600, 50, 1


@pytest.fixture(scope="module")
def mnist_rows():
    X, labels, _, _ = load_mnist(dtype=np.float64)  # pixels in [0, 1]
    return X[:N_ROWS], np.eye(10)[labels[:N_ROWS]]


def _torch_epoch(network, X, Y, optimizer_of, alpha):
    """One epoch in PyTorch from `network`'s weights, in the order fyslearn's loop draws."""
    weights = [torch.tensor(W, requires_grad=True) for W in network.coefs_]
    biases = [torch.tensor(b, requires_grad=True) for b in network.intercepts_]
    optimizer = optimizer_of(weights + biases)
    x_all, y_all = torch.tensor(X), torch.tensor(Y)
    order = np.random.default_rng(SEED).permutation(len(X))  # one permutation per epoch
    for start in range(0, len(X), BATCH_SIZE):
        rows = torch.as_tensor(order[start : start + BATCH_SIZE])
        x, y = x_all[rows], y_all[rows]
        z = x
        for layer, (W, b) in enumerate(zip(weights, biases, strict=True)):
            z = z @ W + b
            if layer < len(weights) - 1:
                z = torch.relu(z)
        loss = -(y * torch.log_softmax(z, dim=1)).sum(dim=1).mean()
        loss = loss + alpha * sum((W**2).sum() for W in weights)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return [W.detach().numpy() for W in weights], [b.detach().numpy() for b in biases]


CASES = {
    # name: fyslearn settings, the same optimizer in torch
    "sgd_momentum": (
        {"learning_rate": 0.1, "momentum": 0.9},
        lambda params: torch.optim.SGD(params, lr=0.1, momentum=0.9),
    ),
    "adam": (
        {"learning_rate": 1e-3, "solver": "adam"},
        lambda params: torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8),
    ),
}


@pytest.mark.parametrize("alpha", [0.0, 1e-3])
@pytest.mark.parametrize("case", list(CASES))
def test_one_mnist_epoch_equals_pytorch(mnist_rows, case, alpha):
    X, Y = mnist_rows
    settings, optimizer_of = CASES[case]
    network = FeedForwardNetwork(
        [784, 32, 10], ["relu", "softmax"], loss="cross_entropy", alpha=alpha, random_state=0
    )
    start = network.coefs_[0].copy()
    expected_W, expected_b = _torch_epoch(network, X, Y, optimizer_of, alpha)

    (result,) = train_network(
        network,
        X,
        Y,
        TrainingSettings(batch_size=BATCH_SIZE, epochs=1, **settings),
        rng=np.random.default_rng(SEED),
    )

    assert result.outcome.diverged_epoch is None
    ours = network.coefs_ + network.intercepts_
    for mine, theirs in zip(ours, expected_W + expected_b, strict=True):
        assert mine.shape == theirs.shape
        np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-12)
    assert np.abs(network.coefs_[0] - start).max() > 1e-3  # the epoch moved the weights

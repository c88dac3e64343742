r"""The baselines written by hand in numpy: what a student writes first, and the lower bound.

Workloads:

* `mnist`: one epoch of plain SGD for 784–128(ReLU)–10(softmax), batch 50,
  float32; each mini-batch indexed from a permutation, new arrays for every
  intermediate result ([mnist_epoch][]).
* `franke`: plain SGD for 2–128(ReLU)–1 with MSE, batch 10, float64, written
  the same way, and `franke_tuned`, the same SGD with every numpy trick a
  hand-written loop can use (the lower bound of any numpy code).
* `hardware`: the peak float32 matrix-product rate of numpy's BLAS, and the
  matrix products of one MNIST epoch alone, on real mini-batches.
"""

from __future__ import annotations

import itertools
import json
import math
import sys
from typing import Any

import numpy as np
from _common import (
    FRANKE_LAYERS,
    LEARNING_RATE,
    MNIST_LAYERS,
    WARM_UP_ROWS,
    franke_train,
    load_mnist_train,
    run_runner,
    timed,
)


def glorot(rng: np.random.Generator, n_in: int, n_out: int, dtype: type) -> np.ndarray:
    r"""Glorot uniform kernel `(n_in, n_out)`: $U(-a, a)$, $a = \sqrt{6/(n_{in}+n_{out})}$."""
    limit = math.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, (n_in, n_out)).astype(dtype)


def init_params(layers: tuple[int, ...], dtype: type, seed: int = 0) -> list[np.ndarray]:
    """Kernels (Glorot uniform) and zero biases, `[W¹, b¹, W², b², ...]`."""
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in itertools.pairwise(layers):
        params += [glorot(rng, n_in, n_out, dtype), np.zeros(n_out, dtype)]
    return params


def mnist_epoch(
    X: np.ndarray, Y: np.ndarray, params: list[np.ndarray], batch_size: int, rng
) -> None:
    """One epoch of plain SGD for 784–128(ReLU)–10(softmax): the hand-written baseline.

    `X` has shape `(n, 784)`, `Y` (one-hot) `(n, 10)`; `params` are updated in place.
    """
    W1, b1, W2, b2 = params
    order = rng.permutation(len(X))
    for start in range(0, len(X), batch_size):
        rows = order[start : start + batch_size]
        a0, target = X[rows], Y[rows]
        z1 = a0 @ W1 + b1
        a1 = np.maximum(z1, 0)
        z2 = a1 @ W2 + b2
        z2 -= z2.max(axis=1, keepdims=True)
        a2 = np.exp(z2)
        a2 /= a2.sum(axis=1, keepdims=True)
        delta2 = (a2 - target) / len(rows)  # softmax + cross-entropy (D7)
        delta1 = (delta2 @ W2.T) * (z1 > 0)  # D4 with ReLU' (D8)
        W2 -= LEARNING_RATE * (a1.T @ delta2)
        b2 -= LEARNING_RATE * delta2.sum(axis=0)
        W1 -= LEARNING_RATE * (a0.T @ delta1)
        b1 -= LEARNING_RATE * delta1.sum(axis=0)


def franke_steps(X: np.ndarray, y: np.ndarray, params: list[np.ndarray], epochs: int, rng) -> None:
    """Plain SGD for 2–128(ReLU)–1 with MSE, batch 10: the small-network baseline.

    `X` has shape `(n, 2)`, `y` `(n,)`; `params` are updated in place.
    """
    W1, b1, W2, b2 = params
    Y = y.reshape(-1, 1)
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), 10):
            rows = order[start : start + 10]
            a0 = X[rows]
            z1 = a0 @ W1 + b1
            a1 = np.maximum(z1, 0)
            delta2 = (2.0 / len(rows)) * (a1 @ W2 + b2 - Y[rows])  # D6
            delta1 = (delta2 @ W2.T) * (z1 > 0)
            W2 -= LEARNING_RATE * (a1.T @ delta2)
            b2 -= LEARNING_RATE * delta2.sum(axis=0)
            W1 -= LEARNING_RATE * (a0.T @ delta1)
            b1 -= LEARNING_RATE * delta1.sum(axis=0)


def franke_steps_tuned(
    X: np.ndarray, y: np.ndarray, params: list[np.ndarray], epochs: int, rng
) -> np.ndarray:
    """The same SGD with every numpy trick a hand-written loop can use: the lower bound.

    Preallocated buffers, `np.dot` (a shorter path to BLAS than `@`), the
    biases folded into the kernels (a column of ones in the inputs), the ReLU
    mask as `sign(a)`, all parameters in one flat array updated by one call,
    the learning rate folded into the output error. No validation, no history,
    no generality: 2–128–1 only, whole batches only. Returns the trained
    parameters, flat (`W¹, b¹, W², b²`).
    """
    W1, b1, W2, b2 = params
    n_hidden, m = W1.shape[1], 10
    theta = np.concatenate([W1.ravel(), b1, W2.ravel(), b2])  # [W¹; b¹] then [W²; b²]
    grad = np.empty_like(theta)
    A1, A2 = theta[: 3 * n_hidden].reshape(3, n_hidden), theta[3 * n_hidden :].reshape(-1, 1)
    G1, G2 = grad[: 3 * n_hidden].reshape(3, n_hidden), grad[3 * n_hidden :].reshape(-1, 1)
    W2_T = A2[:n_hidden].T
    X1, Y = np.hstack([X, np.ones((len(X), 1))]), y.reshape(-1, 1)
    x, t = np.empty((m, 3)), np.empty((m, 1))
    z1, a1 = np.empty((m, n_hidden)), np.ones((m, n_hidden + 1))
    z2, d1, mask = np.empty((m, 1)), np.empty((m, n_hidden)), np.empty((m, n_hidden))
    hidden = a1[:, :n_hidden]
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X) - m + 1, m):
            rows = order[start : start + m]
            X1.take(rows, axis=0, out=x)
            Y.take(rows, axis=0, out=t)
            np.dot(x, A1, out=z1)
            np.maximum(z1, 0.0, out=hidden)
            np.dot(a1, A2, out=z2)
            z2 -= t
            z2 *= -2.0 * LEARNING_RATE / m  # -η δ²
            np.dot(a1.T, z2, out=G2)
            np.dot(z2, W2_T, out=d1)
            np.sign(hidden, out=mask)
            d1 *= mask
            np.dot(x.T, d1, out=G1)
            theta += grad
    return theta


def peak_matmul_rate(sizes: tuple[int, ...], repeats: int) -> float:
    """Best rate (FLOP/s) of float32 square `n × n` products, `2 n³` operations each.

    The best over the sizes and repeats: on a shared machine a product is
    easily slowed down, never sped up.
    """
    rng = np.random.default_rng(0)
    best_rate = 0.0
    for n in sizes:
        a, b = rng.random((n, n), dtype=np.float32), rng.random((n, n), dtype=np.float32)
        out = np.empty((n, n), dtype=np.float32)
        np.matmul(a, b, out=out)
        best = min(timed(lambda: np.matmul(a, b, out=out)) for _ in range(repeats))  # noqa: B023
        best_rate = max(best_rate, 2.0 * n**3 / best)
    return best_rate


def minibatch_products(X: np.ndarray, batch_size: int) -> None:
    """The matrix products of one MNIST epoch alone, on rows picked from a permutation.

    What a training loop costs without any overhead: forward `a W`, weight
    gradients `aᵀ δ` and the error sent back, `δ Wᵀ`, into preallocated arrays.
    """
    rng = np.random.default_rng(0)
    (n_in, n_hidden, n_out), m = MNIST_LAYERS, batch_size
    W1 = rng.standard_normal((n_in, n_hidden)).astype(X.dtype)
    W2 = rng.standard_normal((n_hidden, n_out)).astype(X.dtype)
    a1, a2 = np.empty((m, n_hidden), X.dtype), np.empty((m, n_out), X.dtype)
    g1, g2, d1 = np.empty_like(W1), np.empty_like(W2), np.empty((m, n_hidden), X.dtype)
    batch = np.empty((m, n_in), X.dtype)
    order = rng.permutation(len(X))
    for start in range(0, len(X) - len(X) % m, m):
        np.take(X, order[start : start + m], axis=0, out=batch, mode="clip")
        np.matmul(batch, W1, out=a1)
        np.matmul(a1, W2, out=a2)
        np.matmul(a1.T, a2, out=g2)
        np.matmul(a2, W2.T, out=d1)
        np.matmul(batch.T, d1, out=g1)


def mnist(spec: dict[str, Any], warm_up: bool) -> dict:
    X, labels = load_mnist_train(WARM_UP_ROWS if warm_up else spec["rows"])
    Y = np.eye(10, dtype=X.dtype)[labels]
    params, rng = init_params(MNIST_LAYERS, X.dtype), np.random.default_rng(0)
    return {"epoch": lambda: mnist_epoch(X, Y, params, spec["batch_size"], rng)}


def franke(spec: dict[str, Any], warm_up: bool) -> dict:
    X, y = franke_train()
    epochs = 1 if warm_up else spec["epochs"]
    plain, tuned = init_params(FRANKE_LAYERS, np.float64), init_params(FRANKE_LAYERS, np.float64)
    rng = np.random.default_rng(0)
    return {
        "plain": lambda: franke_steps(X, y, plain, epochs, rng),
        "tuned": lambda: franke_steps_tuned(X, y, tuned, epochs, rng),
    }


WORKLOADS = {"mnist": mnist, "franke": franke}


def hardware(spec: dict[str, Any]) -> dict[str, Any]:
    """The peak float32 rate (FLOP/s) and the seconds of one epoch's matrix products alone."""
    X, _ = load_mnist_train(spec["rows"])
    minibatch_products(X[:WARM_UP_ROWS], spec["batch_size"])
    products = timed(lambda: minibatch_products(X, spec["batch_size"]))
    peak = peak_matmul_rate(tuple(spec["matmul_sizes"]), spec["matmul_repeats"])
    return {"seconds": {"products": products}, "peak_flops": peak}


if __name__ == "__main__":
    specification = json.loads(sys.argv[1])
    if specification["workload"] == "hardware":
        print(json.dumps(hardware(specification)))
    else:
        run_runner(WORKLOADS)

r"""How long training takes: fyslearn against numpy, scikit-learn, PyTorch and the hardware.

Everything is measured in one run on one machine, so the ratios are fair even
when the absolute numbers are not (the machine may be shared; each time is
the median of ``--repeats`` runs).

1. **The hardware limit.** The peak float32 matrix-product rate of numpy's
   BLAS (a large square product), and the floating-point work of one MNIST
   epoch of the 784–128–10 network with batch 50. For one layer with
   :math:`n_{in}` inputs and :math:`n_{out}` outputs and a batch of :math:`m`
   rows, three products cost :math:`2 m n_{in} n_{out}` each: the forward
   :math:`a W`, the weight gradient :math:`a^T\delta` and the error sent back,
   :math:`\delta W^T` (not needed for the first layer). Summed over
   60 000 rows: :math:`(3 \cdot 2 \cdot 128 \cdot 10 + 2 \cdot 2 \cdot 784 \cdot 128)
   \cdot 60\,000 \approx 24.5` GFLOP. That divided by the peak rate is the
   *compute floor* of an epoch.
2. **MNIST 784–128(ReLU)–10(softmax), batch 50, plain SGD (lr 1e-3)**, seconds
   per epoch: a plain hand-written numpy loop (:func:`numpy_mnist_epoch`, the
   baseline), fyslearn's ``MLPClassifier`` (float64 and float32), scikit-learn's
   ``MLPClassifier`` (``solver="sgd"``, one ``partial_fit`` epoch, float32
   input) and PyTorch on the CPU (float32; only when ``torch`` is installed,
   it is not a dependency of fyslearn).
3. **Franke 2–128–1, batch 10**: SGD steps per second, fyslearn's
   ``MLPRegressor`` against scikit-learn's and a plain numpy loop.
4. **Many small models at once**: 16 Franke networks trained one by one with
   ``MLPRegressor`` against all 16 at once with :func:`fyslearn.nn.batched.fit_many`.
   The same for Figure 4's grid of 16 linear models (``SGDRegressor``).
5. With ``--reproduce``: wall time and peak memory of ``fyslearn reproduce``
   (``--quick`` and full).

Run: ``python benchmarks/bench_training.py [--repeats 5] [--reproduce] [--write]``;
``--write`` puts the tables into ``benchmarks/RESULTS.md`` between its
``<!-- measured -->`` markers and leaves the rest of that file alone.
"""

from __future__ import annotations

import argparse
import gzip
import inspect
import itertools
import math
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor
from threadpoolctl import threadpool_info, threadpool_limits

from fyslearn.datasets import make_franke

try:  # optional: PyTorch is a comparison, never a dependency
    import torch
except ImportError:  # pragma: no cover - depends on the environment
    torch = None

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
MNIST_DIR = Path(os.environ.get("FYSLEARN_MNIST_DIR", "/work/shared/data/mnist"))
MNIST_LAYERS = (784, 128, 10)
FRANKE_LAYERS = (2, 128, 1)
LEARNING_RATE = 1e-3


# --------------------------------------------------------------------------- timing


def median_time(run: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``run()`` over ``repeats`` calls, after one warm-up call."""
    run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


#: A measurement: a callable to time and the number to divide its seconds by.
Run = tuple[Callable[[], object], float]


def interleaved_medians(runs: dict[str, Run], repeats: int) -> dict[str, float]:
    """Median seconds (over ``repeats`` rounds, per unit) of every run, timed in turn.

    The speed of a shared machine drifts over minutes. Timing the candidates in
    rounds, A, B, C, A, B, C, …, exposes each to the same drift, so their ratios
    hold even when the absolute times wander. Each run is warmed up once first.
    """
    for run, _ in runs.values():
        run()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, (run, _) in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(times[name])) / runs[name][1] for name in runs}


def with_threads(run: Callable[[], object], n_threads: int) -> Callable[[], object]:
    """``run`` with numpy's BLAS limited to ``n_threads`` while it runs."""

    def limited() -> object:
        with threadpool_limits(n_threads, user_api="blas"):
            return run()

    return limited


def blas_threads() -> int:
    """Threads numpy's BLAS uses now."""
    return max(
        (pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"),
        default=1,
    )


# --------------------------------------------------------------------------- hardware limit


def peak_matmul_rate(
    dtype: type = np.float32, sizes=(1024, 2048, 3072), repeats: int = 10
) -> float:
    """Best rate (FLOP/s) of square ``n × n`` matrix products, ``2 n³`` operations each.

    The best over several sizes and repeats: on a shared machine a single
    product is easily slowed down, never sped up.
    """
    rng = np.random.default_rng(0)
    best_rate = 0.0
    for n in sizes:
        a, b = rng.random((n, n), dtype=dtype), rng.random((n, n), dtype=dtype)
        out = np.empty((n, n), dtype=dtype)
        np.matmul(a, b, out=out)
        best = min(_timed(lambda: np.matmul(a, b, out=out)) for _ in range(repeats))  # noqa: B023
        best_rate = max(best_rate, 2.0 * n**3 / best)
    return best_rate


def _timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def epoch_flops(layers: tuple[int, ...], n_samples: int) -> float:
    """Multiply-adds ×2 of the matrix products of one epoch (forward and backward).

    Each layer costs ``2 n n_in n_out`` for ``a W`` and again for ``aᵀ δ``; every
    layer but the first also sends its error back, ``δ Wᵀ``. Element-wise work
    (activations, softmax, updates) is of lower order and not counted.
    """
    pairs = list(itertools.pairwise(layers))
    products = sum(3 * n_in * n_out for n_in, n_out in pairs) - pairs[0][0] * pairs[0][1]
    return 2.0 * n_samples * products


def minibatch_products_time(X: np.ndarray, batch_size: int, repeats: int) -> float:
    """Seconds per epoch spent in the matrix products alone, on real mini-batches.

    The same products as an epoch of :func:`numpy_mnist_epoch`, on rows picked
    from a permutation (so the data comes from memory as in training), with
    nothing else in the loop: what a training loop costs without any overhead.
    """
    rng = np.random.default_rng(0)
    dtype = X.dtype
    (n_in, n_hidden, n_out), m = MNIST_LAYERS, batch_size
    W1 = rng.standard_normal((n_in, n_hidden)).astype(dtype)
    W2 = rng.standard_normal((n_hidden, n_out)).astype(dtype)
    a1, a2 = np.empty((m, n_hidden), dtype), np.empty((m, n_out), dtype)
    g1, g2, d1 = np.empty_like(W1), np.empty_like(W2), np.empty((m, n_hidden), dtype)
    batch = np.empty((m, n_in), dtype)
    stop = len(X) - len(X) % m

    def epoch() -> None:
        order = rng.permutation(len(X))
        for start in range(0, stop, m):
            np.take(X, order[start : start + m], axis=0, out=batch, mode="clip")
            np.matmul(batch, W1, out=a1)
            np.matmul(a1, W2, out=a2)
            np.matmul(a1.T, a2, out=g2)
            np.matmul(a2, W2.T, out=d1)
            np.matmul(batch.T, d1, out=g1)

    return median_time(epoch, repeats)


def data_path_times(X: np.ndarray, batch_size: int, repeats: int) -> tuple[float, float]:
    """Seconds per epoch of two ways to feed mini-batches to the first product.

    Shuffling the whole array once per epoch and slicing it, against indexing
    each mini-batch's rows from a permutation (what :func:`fyslearn.optim.run_epochs`
    does). Each batch goes through ``batch @ W1`` so that both pay for using it.
    """
    rng = np.random.default_rng(0)
    W1 = rng.standard_normal((X.shape[1], MNIST_LAYERS[1])).astype(X.dtype)
    out = np.empty((batch_size, W1.shape[1]), X.dtype)
    stop = len(X) - len(X) % batch_size

    def shuffle_then_slice() -> None:
        shuffled = X[rng.permutation(len(X))]
        for start in range(0, stop, batch_size):
            np.matmul(shuffled[start : start + batch_size], W1, out=out)

    def index_each_batch() -> None:
        order = rng.permutation(len(X))
        for start in range(0, stop, batch_size):
            np.matmul(X[order[start : start + batch_size]], W1, out=out)

    return median_time(shuffle_then_slice, repeats), median_time(index_each_batch, repeats)


# --------------------------------------------------------------------------- data


def _read_idx(path: Path) -> np.ndarray:
    """An IDX file (the MNIST format): magic, dimensions, then unsigned bytes."""
    with gzip.open(path) as stream:
        data = stream.read()
    ndim = data[3]
    shape = np.frombuffer(data, ">u4", ndim, 4).astype(int)
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_mnist_train(dtype: type) -> tuple[np.ndarray, np.ndarray]:
    """The 60 000 MNIST training images (pixels / 255, flattened) and labels."""
    try:
        from fyslearn.datasets import load_mnist
    except ImportError:
        images = _read_idx(MNIST_DIR / "train-images-idx3-ubyte.gz")
        labels = _read_idx(MNIST_DIR / "train-labels-idx1-ubyte.gz")
        return (images.reshape(len(images), -1) / 255.0).astype(dtype), labels.astype(np.int64)
    data = load_mnist()
    X, y = (data[0], data[1]) if isinstance(data, tuple) else (data.X_train, data.y_train)
    return np.asarray(X, dtype=dtype)[:60000], np.asarray(y, dtype=np.int64)[:60000]


def franke_train(random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The report's Franke training set: 750 of 1000 noisy points, inputs centred."""
    X, y = make_franke(1000, noise=0.2, random_state=random_state)
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.25, random_state=random_state)
    return X_train - X_train.mean(), y_train


# --------------------------------------------------------------------------- the baseline


def glorot(rng: np.random.Generator, n_in: int, n_out: int, dtype: type) -> np.ndarray:
    """Glorot uniform kernel, :math:`U(-a, a)`, :math:`a = \\sqrt{6/(n_{in}+n_{out})}`."""
    limit = math.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, (n_in, n_out)).astype(dtype)


def numpy_mnist_epoch(
    X: np.ndarray, Y: np.ndarray, params: list[np.ndarray], batch_size: int, rng
) -> None:
    """One epoch of plain SGD for 784–128(ReLU)–10(softmax): the hand-written baseline.

    What a student writes first: index each mini-batch from a permutation,
    forward, backward, update; new arrays for every intermediate result.
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


def numpy_small_steps(X: np.ndarray, y: np.ndarray, params: list[np.ndarray], epochs: int, rng):
    """Plain SGD for 2–128(ReLU)–1 with MSE, batch 10: the small-network baseline."""
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


def numpy_small_steps_tuned(
    X: np.ndarray, y: np.ndarray, params: list[np.ndarray], epochs: int, rng
) -> np.ndarray:
    """The same SGD with every numpy trick a hand-written loop can use: the lower bound.

    Preallocated buffers, ``np.dot`` (shorter path to BLAS than ``@``), the
    biases folded into the kernels (a column of ones in the inputs), the ReLU
    mask as ``sign(a)``, and all parameters in one flat array updated by one
    call. No validation, no history, no generality: 2–128–1 only. Returns the
    trained parameters, flat (``W¹, b¹, W², b²``).
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


def small_step_calls(X: np.ndarray, y: np.ndarray, repeats: int = 2000) -> list[tuple[str, float]]:
    """Median seconds of each numpy call of one :func:`numpy_small_steps` step, timed alone.

    The profile of a small network's step: about twenty calls on arrays of at
    most 10 × 128 numbers, each costing numpy's fixed per-call overhead more
    than arithmetic. Their sum bounds how fast one network can be trained one
    step at a time, whatever the code around them.
    """
    W1, b1, W2, b2 = init_params(FRANKE_LAYERS, np.float64)
    Y, rows = y.reshape(-1, 1), np.random.default_rng(0).permutation(len(X))[:10]
    a0 = X[rows]
    z1 = a0 @ W1 + b1
    a1 = np.maximum(z1, 0)
    delta2 = 0.2 * (a1 @ W2 + b2 - Y[rows])
    delta1 = (delta2 @ W2.T) * (z1 > 0)
    grad = a0.T @ delta1
    calls = {
        "X[rows]": lambda: X[rows],
        "Y[rows]": lambda: Y[rows],
        "a0 @ W1": lambda: a0 @ W1,
        "+ b1": lambda: z1 + b1,
        "relu": lambda: np.maximum(z1, 0),
        "a1 @ W2": lambda: a1 @ W2,
        "+ b2": lambda: delta2 + b2,
        "- y": lambda: delta2 - Y[rows],
        "2/m ×": lambda: 0.2 * delta2,
        "a1.T @ delta2": lambda: a1.T @ delta2,
        "delta2.sum": lambda: delta2.sum(axis=0),
        "delta2 @ W2.T": lambda: delta2 @ W2.T,
        "z1 > 0": lambda: z1 > 0,
        "× relu'": lambda: delta1 * (z1 > 0),
        "a0.T @ delta1": lambda: a0.T @ delta1,
        "delta1.sum": lambda: delta1.sum(axis=0),
        "η × grad W1": lambda: LEARNING_RATE * grad,
        "W1 -=": lambda: np.subtract(W1, 0.0, out=W1),
        "b1 -= η × grad": lambda: np.subtract(b1, LEARNING_RATE * b1, out=b1),
        "W2 -= η × grad": lambda: np.subtract(W2, LEARNING_RATE * W2, out=W2),
        "b2 -= η × grad": lambda: np.subtract(b2, LEARNING_RATE * b2, out=b2),
    }
    empty = float(np.median([_timed(lambda: None) for _ in range(repeats)]))  # the timer itself
    timings = []
    for name, call in calls.items():
        times = [_timed(call) for _ in range(repeats)]
        timings.append((name, float(np.median(times)) - empty))
    return timings


def _median_call(call: Callable[[], object], repeats: int) -> float:
    empty = float(np.median([_timed(lambda: None) for _ in range(repeats)]))  # the timer itself
    return float(np.median([_timed(call) for _ in range(repeats)])) - empty


def fyslearn_step_parts(
    X: np.ndarray, y: np.ndarray, repeats: int = 3000
) -> list[tuple[str, float]]:
    """Seconds of each part of one fyslearn training step (2–128–1, batch 10), timed alone.

    The parts are the calls :func:`fyslearn.nn.training.train_network` makes for
    one mini-batch; what the whole step costs beyond their sum is the Python of
    the loop around them.
    """
    from fyslearn.nn.network import FeedForwardNetwork
    from fyslearn.nn.training import Workspace, pack_parameters
    from fyslearn.optim import SGD

    Y = y.reshape(-1, 1)
    network = FeedForwardNetwork(FRANKE_LAYERS, ["relu", "linear"], kernel_init="normal")
    workspace = Workspace(network, 10)
    optimizer = SGD([pack_parameters(network)], LEARNING_RATE)
    rows = np.random.default_rng(0).permutation(len(X))[:10]
    x, t = workspace.x, workspace.y
    z_out, a_out, delta_out = workspace._views(10)
    zs, activations = network.forward(x, z_out, a_out)
    delta = network.output_error(t, zs[-1], activations[-1], out=delta_out[-1])
    grads = [workspace.flat_grad]
    parts = {
        "gather the batch (2 × take)": lambda: (
            X.take(rows, axis=0, out=x, mode="clip"),
            Y.take(rows, axis=0, out=t, mode="clip"),
        ),
        "forward": lambda: network.forward(x, z_out, a_out),
        "loss and output error": lambda: network.loss_and_output_error(
            t, zs[-1], activations[-1], out=delta_out[-1]
        ),
        "backward": lambda: network.backward(
            zs, activations, delta, delta_out, workspace.coef_grads, workspace.intercept_grads
        ),
        "SGD update": lambda: optimizer.step(grads),
        "whole step": lambda: optimizer.step(workspace.gradients(X, Y, rows)),
    }
    return [(name, _median_call(call, repeats)) for name, call in parts.items()]


def stacked_step_parts(
    X: np.ndarray, y: np.ndarray, n_models: int, repeats: int = 500
) -> list[tuple[str, float]]:
    """Seconds of each part of one stacked step of ``n_models`` Franke networks, timed alone."""
    from fyslearn.nn import MLPRegressor, batched

    networks = [
        MLPRegressor()._build_network(2, 1, np.random.default_rng(k)) for k in range(n_models)
    ]
    stack = batched._stack(networks)
    rows = np.stack([np.random.default_rng(k).permutation(len(X))[:10] for k in range(n_models)])
    workspace = batched._StackedWorkspace(stack, rows.shape)
    Y, X_ones = y.reshape(-1, 1), np.column_stack([X, np.ones(len(X))])  # the bias trick
    x, t = X_ones.take(rows, axis=0, out=workspace.x), Y.take(rows, axis=0, out=workspace.y)
    zs, activations = stack.forward(x, workspace)
    z1, out = zs[0], activations[-1]
    delta = batched._stacked_mse_delta(out, t)
    W2_T = np.swapaxes(stack.kernels[1], -1, -2)
    optimizer = batched._StackedSGD(stack, [LEARNING_RATE] * n_models, [0.0] * n_models, "constant")
    scratch = np.empty_like(workspace.delta[0])
    parts = {
        "gather the batches (2 × take)": lambda: (
            X_ones.take(rows, axis=0, out=workspace.x, mode="clip"),
            Y.take(rows, axis=0, out=workspace.y, mode="clip"),
        ),
        "first layer, `[x 1] [W¹; b¹]`, (M, 10, 3) @ (M, 3, 128)": lambda: np.matmul(
            x, stack.per_network_first_block(stack.first_block), out=workspace.z[0]
        ),
        "ReLU (M, 10, 128)": lambda: np.maximum(z1, 0.0, out=scratch),
        "loss of the batch": lambda: batched._stacked_mse(out, t),
        "δ² W²ᵀ, outer product (M, 10, 128)": lambda: np.multiply(delta, W2_T, out=scratch),
        "× ReLU' (M, 10, 128)": lambda: np.multiply(scratch, z1 > 0.0, out=scratch),
        "forward": lambda: stack.forward(x, workspace),
        "backward": lambda: stack.gradients(zs, activations, delta, None, workspace),
        "SGD update (flat, all networks)": lambda: optimizer.step([workspace.grad]),
    }
    return [(name, _median_call(call, repeats)) for name, call in parts.items()]


def init_params(layers: tuple[int, ...], dtype: type, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in itertools.pairwise(layers):
        params += [glorot(rng, n_in, n_out, dtype), np.zeros(n_out, dtype)]
    return params


# --------------------------------------------------------------------------- contenders


def numpy_mnist_run(X, labels, batch_size) -> Run:
    Y = np.eye(10, dtype=X.dtype)[labels]
    params, rng = init_params(MNIST_LAYERS, X.dtype), np.random.default_rng(0)
    return (lambda: numpy_mnist_epoch(X, Y, params, batch_size, rng)), 1


def sklearn_mnist_run(X, labels, batch_size) -> Run:
    model = SkMLPClassifier(
        hidden_layer_sizes=(128,),
        activation="relu",
        solver="sgd",
        learning_rate_init=LEARNING_RATE,
        batch_size=batch_size,
        momentum=0.0,
        nesterovs_momentum=False,
        alpha=0.0,
        random_state=0,
    )
    model.partial_fit(X, labels, classes=np.arange(10))  # initialises; not timed
    return (lambda: model.partial_fit(X, labels)), 1


def torch_mnist_run(X, labels, batch_size, threads) -> Run:
    torch.manual_seed(0)
    torch.set_num_threads(threads)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10)
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    loss_fn = torch.nn.CrossEntropyLoss()
    inputs, targets = (
        torch.from_numpy(np.ascontiguousarray(X, np.float32)),
        torch.from_numpy(labels),
    )

    def epoch() -> None:
        order = torch.randperm(len(inputs))
        for start in range(0, len(inputs), batch_size):
            rows = order[start : start + batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss_fn(model(inputs[rows]), targets[rows]).backward()
            optimizer.step()

    return epoch, 1


def fyslearn_nn():
    """fyslearn's estimators, or None while :mod:`fyslearn.nn` is not there."""
    try:
        from fyslearn import nn
    except ImportError:
        return None
    return nn if hasattr(nn, "MLPClassifier") else None


def _fyslearn_params(cls: type, **wanted) -> dict:
    """Keep the settings ``cls`` accepts (the estimators may not all take ``dtype``)."""
    accepted = inspect.signature(cls).parameters
    return {name: value for name, value in wanted.items() if name in accepted}


def fyslearn_mnist_run(X, labels, batch_size, dtype, epochs) -> Run:
    """Seconds per epoch of ``MLPClassifier.fit`` (history and validation included)."""
    nn = fyslearn_nn()
    settings = _fyslearn_params(
        nn.MLPClassifier,
        hidden_layer_sizes=(128,),
        activation="relu",
        learning_rate=LEARNING_RATE,
        batch_size=batch_size,
        epochs=epochs,
        kernel_init="glorot_uniform",
        dtype=dtype,
        random_state=0,
    )
    model = nn.MLPClassifier(**settings)
    return (lambda: model.fit(X, labels)), epochs


def sklearn_small_run(X, y, epochs) -> Run:
    """Seconds per SGD step of scikit-learn's ``MLPRegressor`` on 2–128–1, batch 10."""
    model = SkMLPRegressor(
        hidden_layer_sizes=(128,),
        activation="relu",
        solver="sgd",
        learning_rate_init=LEARNING_RATE,
        batch_size=10,
        momentum=0.0,
        nesterovs_momentum=False,
        alpha=0.0,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=epochs + 1,
        random_state=0,
    )

    def fit() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # fixed epochs on purpose
            model.fit(X, y)

    return fit, epochs * math.ceil(len(X) / 10)


def numpy_small_run(X, y, epochs) -> Run:
    params, rng = init_params(FRANKE_LAYERS, np.float64), np.random.default_rng(0)
    return (lambda: numpy_small_steps(X, y, params, epochs, rng)), epochs * math.ceil(len(X) / 10)


def numpy_small_tuned_run(X, y, epochs) -> Run:
    params, rng = init_params(FRANKE_LAYERS, np.float64), np.random.default_rng(0)
    return (lambda: numpy_small_steps_tuned(X, y, params, epochs, rng)), epochs * (len(X) // 10)


def fyslearn_small_run(X, y, epochs) -> Run:
    nn = fyslearn_nn()
    settings = _fyslearn_params(
        nn.MLPRegressor,
        hidden_layer_sizes=(128,),
        activation="relu",
        learning_rate=LEARNING_RATE,
        batch_size=10,
        epochs=epochs,
        random_state=0,
    )
    model = nn.MLPRegressor(**settings)
    return (lambda: model.fit(X, y)), epochs * math.ceil(len(X) / 10)


def time_many_franke(X, y, n_models, epochs, repeats) -> tuple[float, float] | None:
    """Seconds to train ``n_models`` Franke networks one by one, and all at once.

    The networks are a learning rate × L2 grid like Figure 6's, one seed each.
    """
    nn = fyslearn_nn()
    try:
        from fyslearn import fit_many
    except ImportError:
        return None
    rates = np.geomspace(1e-4, 1e-1, 4)

    def grid() -> list:
        return [
            nn.MLPRegressor(
                **_fyslearn_params(
                    nn.MLPRegressor,
                    hidden_layer_sizes=(128,),
                    activation="relu",
                    learning_rate=float(rates[k % 4]) / 10,
                    alpha=float(rates[(k // 4) % 4]),
                    batch_size=10,
                    epochs=epochs,
                    random_state=k,
                )
            )
            for k in range(n_models)
        ]

    def one_by_one() -> None:
        for model in grid():
            model.fit(X, y)

    times = interleaved_medians(
        {"one by one": (one_by_one, 1), "at once": (lambda: fit_many(grid(), X, y), 1)}, repeats
    )
    return times["one by one"], times["at once"]


def time_many_linear(
    X: np.ndarray, y: np.ndarray, epochs: int, repeats: int
) -> dict[str, float] | None:
    """Seconds to fit Figure 4's grid of 16 SGDRegressors one by one and all at once.

    Degree-14 polynomial features, batch 10, 4 penalties × 4 learning rates;
    "one seed" is the figure's case (one shuffling order, one product for all
    models), "own seeds" gives each model its own order.
    """
    try:
        from fyslearn import fit_many
        from fyslearn.features import design_matrix
        from fyslearn.linear_model import SGDRegressor
    except ImportError:
        return None
    D = design_matrix(X, 14)
    values = np.geomspace(1e-4, 1e-2, 4)

    def grid(own_seeds: bool) -> list:
        return [
            SGDRegressor(
                alpha=float(alpha),
                learning_rate=float(rate),
                batch_size=10,
                epochs=epochs,
                random_state=k if own_seeds else 0,
            )
            for k, (alpha, rate) in enumerate(itertools.product(values, values))
        ]

    def one_by_one() -> None:
        for model in grid(own_seeds=False):
            model.fit(D, y)

    return interleaved_medians(
        {
            "one by one (SGDRegressor)": (one_by_one, 1),
            "at once, one seed (fit_many)": (lambda: fit_many(grid(False), D, y), 1),
            "at once, own seeds (fit_many)": (lambda: fit_many(grid(True), D, y), 1),
        },
        repeats,
    )


def _tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MiB (Linux ``/proc``)."""
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
    """Wall seconds and peak resident memory (MiB) of ``fyslearn reproduce`` in a child.

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


# --------------------------------------------------------------------------- report


def run(args: argparse.Namespace) -> list[str]:
    """Measure everything; return the lines of the Markdown report."""
    lines: list[str] = []

    def say(line: str) -> None:
        print(line, flush=True)
        lines.append(line)

    threads = blas_threads()
    say(
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} logical CPUs, "
        f"numpy {np.__version__} ({_blas_name()}), {threads} BLAS threads; "
        f"medians of {args.repeats} interleaved rounds; "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}."
    )
    say("")

    peak = peak_matmul_rate(np.float32)
    peak64 = peak_matmul_rate(np.float64)
    flops = epoch_flops(MNIST_LAYERS, 60000)
    floor = flops / peak
    X32, labels = load_mnist_train(np.float32)
    X64 = X32.astype(np.float64)
    products = minibatch_products_time(X32, args.batch_size, args.repeats)
    say("## Hardware limit")
    say("")
    say("| quantity | value |")
    say("|---|---|")
    say(
        "| peak matmul rate, float32 (best of 1024², 2048², 3072², 10 runs each) | "
        f"{peak / 1e9:.0f} GFLOP/s |"
    )
    say(f"| peak matmul rate, float64 | {peak64 / 1e9:.0f} GFLOP/s |")
    say(f"| FLOP per MNIST epoch (784–128–10, 60 000 rows) | {flops / 1e9:.1f} GFLOP |")
    say(f"| compute floor = FLOP / peak float32 rate | {floor:.3f} s |")
    say(
        f"| the mini-batch matrix products alone (batch {args.batch_size}) | {products:.3f} s "
        f"({products / floor:.2f}× the floor, {flops / products / 1e9:.0f} GFLOP/s) |"
    )
    shuffled, indexed = data_path_times(X32, args.batch_size, args.repeats)
    say(f"| data path: shuffle the array, then slice (+ first product) | {shuffled:.3f} s |")
    say(f"| data path: index each batch from a permutation (+ first product) | {indexed:.3f} s |")
    say("")

    say(f"## MNIST 784–128(ReLU)–10(softmax), batch {args.batch_size}, plain SGD")
    say("")
    runs: dict[str, Run] = {}
    for n_threads in (threads, 1) if threads > 1 else (threads,):
        suffix = f", {n_threads} thread{'s' if n_threads > 1 else ''}"
        run, per = numpy_mnist_run(X32, labels, args.batch_size)
        runs[f"numpy loop float32{suffix}"] = (with_threads(run, n_threads), per)
        if fyslearn_nn() is not None:
            run, per = fyslearn_mnist_run(X32, labels, args.batch_size, np.float32, args.epochs)
            runs[f"fyslearn float32{suffix}"] = (with_threads(run, n_threads), per)
    if fyslearn_nn() is not None:
        runs[f"fyslearn float64, {threads} threads"] = fyslearn_mnist_run(
            X64, labels, args.batch_size, np.float64, args.epochs
        )
    runs[f"numpy loop float64, {threads} threads"] = numpy_mnist_run(X64, labels, args.batch_size)
    runs["scikit-learn MLPClassifier, float32 input"] = sklearn_mnist_run(
        X32, labels, args.batch_size
    )
    if torch is not None:
        runs[f"PyTorch {torch.__version__} CPU float32, {threads} threads"] = torch_mnist_run(
            X32, labels, args.batch_size, threads
        )
    rows = list(interleaved_medians(runs, args.repeats).items())
    sklearn_time = dict(rows)["scikit-learn MLPClassifier, float32 input"]
    torch_time = rows[-1][1] if torch is not None else math.nan
    say("| implementation | s / epoch | × floor | × scikit-learn | × PyTorch |")
    say("|---|---|---|---|---|")
    for name, seconds in rows:
        say(
            f"| {name} | {seconds:.3f} | {seconds / floor:.2f} | {seconds / sklearn_time:.2f} | "
            f"{_ratio(seconds, torch_time)} |"
        )
    say("")
    say(
        f"fyslearn's time is `fit(epochs={args.epochs})` / {args.epochs}: validation, "
        "initialisation and the per-epoch history (mean mini-batch loss and accuracy) included."
    )
    say("")

    X, y = franke_train()
    say("## Franke 2–128(ReLU)–1, batch 10 (750 rows, 75 steps per epoch)")
    say("")
    small_runs = {
        "numpy loop float64": numpy_small_run(X, y, args.small_epochs),
        "numpy loop float64, tuned by hand (lower bound)": numpy_small_tuned_run(
            X, y, args.small_epochs
        ),
    }
    if fyslearn_nn() is not None:
        small_runs["fyslearn MLPRegressor"] = fyslearn_small_run(X, y, args.small_epochs)
    small_runs["scikit-learn MLPRegressor"] = sklearn_small_run(X, y, args.small_epochs)
    small = list(interleaved_medians(small_runs, args.repeats).items())
    sklearn_step = small[-1][1]
    say("| implementation | µs / step | steps / s | × scikit-learn's steps / s |")
    say("|---|---|---|---|")
    for name, seconds in small:
        say(f"| {name} | {seconds * 1e6:.1f} | {1 / seconds:,.0f} | {sklearn_step / seconds:.1f} |")
    say("")
    calls = small_step_calls(X, y)
    say(
        f"Profile of one numpy-loop step: {len(calls)} numpy calls, each timed alone, sum "
        f"{sum(t for _, t in calls) * 1e6:.1f} µs; the slowest: "
        + ", ".join(f"`{n}` {t * 1e6:.1f} µs" for n, t in sorted(calls, key=lambda c: -c[1])[:4])
        + f"; the fastest `{min(calls, key=lambda c: c[1])[0]}` "
        f"{min(t for _, t in calls) * 1e6:.1f} µs."
    )
    say("")

    if fyslearn_nn() is not None:
        parts = fyslearn_step_parts(X, y)
        say(
            "Profile of one fyslearn step, each part timed alone: "
            + ", ".join(f"{name} {seconds * 1e6:.1f} µs" for name, seconds in parts)
            + "."
        )
        say("")

    many = time_many_franke(X, y, args.models, args.small_epochs, max(1, args.repeats // 2))
    if many is not None:
        single, batched = many
        say(f"## {args.models} Franke networks (2–128–1, batch 10, {args.small_epochs} epochs)")
        say("")
        say("| training | s | networks / s | speed-up |")
        say("|---|---|---|---|")
        say(f"| one by one (MLPRegressor) | {single:.2f} | {args.models / single:.2f} | 1 |")
        say(
            f"| at once (fit_many) | {batched:.2f} | {args.models / batched:.2f} | "
            f"{single / batched:.1f} |"
        )
        say("")
        parts = stacked_step_parts(X, y, args.models)
        say(
            f"Profile of one stacked step of {args.models} networks, each part timed alone: "
            + ", ".join(f"{name} {seconds * 1e6:.1f} µs" for name, seconds in parts)
            + "."
        )
        say("")

    linear = time_many_linear(X, y, args.small_epochs, max(1, args.repeats // 2))
    if linear is not None:
        say(
            "## 16 linear models (Figure 4's grid, degree 14, batch 10, "
            f"{args.small_epochs} epochs)"
        )
        say("")
        say("| training | s | models / s | speed-up |")
        say("|---|---|---|---|")
        single = next(iter(linear.values()))
        for name, seconds in linear.items():
            say(f"| {name} | {seconds:.3f} | {16 / seconds:.1f} | {single / seconds:.1f} |")
        say("")

    if args.reproduce:
        say("## fyslearn reproduce")
        say("")
        say("| command | wall time | peak memory |")
        say("|---|---|---|")
        for quick in (True, False):
            seconds, mebibytes = time_reproduce(quick)
            name = "fyslearn reproduce" + (" --quick" if quick else "")
            say(f"| `{name}` | {seconds:.1f} s | {mebibytes:.0f} MiB |")
        say("")
    return lines


def _ratio(seconds: float, reference: float) -> str:
    return "–" if math.isnan(reference) else f"{seconds / reference:.2f}"


def _blas_name() -> str:
    pools = [p for p in threadpool_info() if p["user_api"] == "blas"]
    return f"{pools[0]['internal_api']} {pools[0]['version']}" if pools else "unknown BLAS"


def write_results(lines: list[str]) -> None:
    """Replace the measured block of RESULTS.md, keeping the written analysis around it."""
    begin, end = "<!-- measured -->", "<!-- /measured -->"
    block = "\n".join([begin, *lines, end])
    text = RESULTS.read_text() if RESULTS.exists() else f"# Training benchmarks\n\n{begin}\n{end}\n"
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.DOTALL)
    RESULTS.write_text(pattern.sub(lambda _: block, text, count=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs per timing (median)")
    parser.add_argument("--batch-size", type=int, default=50, help="MNIST batch size")
    parser.add_argument("--epochs", type=int, default=2, help="epochs per fyslearn MNIST fit")
    parser.add_argument("--small-epochs", type=int, default=20, help="epochs of Franke fits")
    parser.add_argument("--models", type=int, default=16, help="networks trained at once")
    parser.add_argument("--reproduce", action="store_true", help="time `fyslearn reproduce`")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    lines = run(args)
    if args.write:
        write_results(lines)


if __name__ == "__main__":
    main()

r"""Train many small networks of the same shape at once, as one stacked computation.

A grid search over learning rates and penalties, or the same network trained
with ten seeds, repeats one small computation many times. For a 2–128–1
network with batch 10 each SGD step is a handful of tiny matrix products, and
the time goes to Python and numpy's per-call overhead, not to arithmetic.
Stacking removes that overhead: the kernels of :math:`M` networks with the
same layer sizes are kept in one array of shape ``(M, n_in, n_out)``, the
biases in one of shape ``(M, 1, n_out)``, and every operation of a training
step acts on all :math:`M` networks in one numpy call. For layer :math:`l`
and network :math:`k`,

.. math::

    z^{l}_{k} = a^{l-1}_{k} W^{l}_{k} + b^{l}_{k}, \qquad a^{l}_{k} = \sigma(z^{l}_{k}),

is exactly what ``np.matmul`` computes on the stacks: a batched matrix
product pairs the :math:`k`-th matrices of its two arguments. The networks
never mix: each has its own data order (drawn from its own seed), learning
rate, momentum and L2 penalty, and the result is the same, to rounding, as
training each one alone with :class:`~fyslearn.nn.MLPRegressor`.

The per-network settings become arrays of shape ``(M, 1, 1)``, which
broadcast against the stacked parameters; the SGD update of
:mod:`fyslearn.optim` is reused unchanged. The per-epoch shuffling becomes a
table ``order`` of shape ``(n_samples, M)``: column :math:`k` is network
:math:`k`'s permutation, so the rows ``order[start:start + batch_size]``
pick one mini-batch for every network at once, and ``X[rows.T]`` has shape
``(M, batch_size, n_features)``.

With ``shared_order=True`` all networks see the data in the same order, so
their first layer reads the *same* mini-batch, and the first-layer product
of all :math:`M` networks is one matrix product with the kernels laid side by
side, :math:`a^0 \,[W^1_1 \; W^1_2 \cdots W^1_M]`. That is faster for wide
inputs (MNIST), but then the runs differ from one-by-one training, whose
order comes from each network's own seed.

Divergence is per network: a network whose training loss becomes NaN or
infinite is stopped there and left unfitted (or, with
``on_divergence="restore"``, set back to its best epoch with a warning), as
:meth:`MLPRegressor.fit` would do, while the others carry on.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..optim import SGD, DivergenceError, DivergenceWarning, run_epochs

__all__ = ["StackedNetworks", "fit_many", "train_stacked"]

_CACHE_ELEMENTS = 2**18  # numbers per activation array while predicting (2 MiB in float64)

# (value, derivative) of an activation, both element-wise in z.
Activation = tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]


class StackedNetworks:
    r"""The parameters of :math:`M` networks with the same layer sizes, stacked.

    Args:
        kernels: One array per layer, shape ``(M, n_in, n_out)``: network ``k``'s
            kernel :math:`W^l_k` is ``kernels[l][k]``.
        biases: One array per layer, shape ``(M, 1, n_out)`` (the middle axis
            lets a bias broadcast over the rows of a mini-batch).
        activations: ``(value, derivative)`` of each layer's activation,
            the output layer's last.
    """

    def __init__(
        self,
        kernels: Sequence[np.ndarray],
        biases: Sequence[np.ndarray],
        activations: Sequence[Activation],
    ) -> None:
        n_models, n_in, n_out = kernels[0].shape
        # The first kernels side by side, [W¹₁ W¹₂ … W¹_M], shape (n_in, M·n_out):
        # a mini-batch shared by all networks then needs one matrix product.
        self.side_by_side = np.ascontiguousarray(np.swapaxes(kernels[0], 0, 1))
        self.side_by_side = self.side_by_side.reshape(n_in, n_models * n_out)
        first = self.side_by_side.reshape(n_in, n_models, n_out).swapaxes(0, 1)  # a view
        self.kernels = [first, *kernels[1:]]
        self.biases = list(biases)
        self.activations = list(activations)

    @property
    def n_models(self) -> int:
        """Number of stacked networks, :math:`M`."""
        return self.kernels[0].shape[0]

    @property
    def parameters(self) -> list[np.ndarray]:
        """All stacked arrays, kernels then biases of each layer in turn (updated in place)."""
        return [p for pair in zip(self.kernels, self.biases, strict=True) for p in pair]

    def forward(self, a0: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        r"""Weighted inputs :math:`z^l` and activations :math:`a^l` of every layer.

        ``a0`` is ``(M, m, n_features)``, one mini-batch per network, or
        ``(m, n_features)``, one mini-batch shared by all networks; then the
        first layer of all networks is one matrix product with the kernels
        side by side.
        """
        zs, activations = [], [a0]
        for W, b, (sigma, _) in zip(self.kernels, self.biases, self.activations, strict=True):
            if len(zs) == 0 and a0.ndim == 2:  # one product: a⁰ [W¹₁ … W¹_M]
                z = (a0 @ self.side_by_side).reshape(len(a0), *W.shape[::2]).swapaxes(0, 1)
            else:
                z = np.matmul(activations[-1], W)
            z += b
            zs.append(z)
            activations.append(sigma(z))
        return zs, activations

    def gradients(
        self,
        zs: list[np.ndarray],
        activations: list[np.ndarray],
        delta: np.ndarray,
        alpha: np.ndarray,
    ) -> list[np.ndarray]:
        r"""Backpropagation (D3-D5) for all networks at once.

        Args:
            zs, activations: From :meth:`forward` on the same mini-batch.
            delta: Output error :math:`\partial C/\partial z^L`, shape ``(M, m, n_out)``,
                already divided by the batch size.
            alpha: L2 penalties, shape ``(M, 1, 1)``; adds :math:`2\alpha W` to
                each kernel's gradient.

        Returns:
            Gradients in the order of :attr:`parameters`.
        """
        grads: list[np.ndarray] = []
        two_alpha = 2.0 * alpha if np.any(alpha) else None
        for layer in range(len(self.kernels) - 1, -1, -1):
            W, a_prev = self.kernels[layer], activations[layer]
            if a_prev.ndim == 2:  # shared mini-batch: one product, (a⁰)ᵀ [δ¹₁ … δ¹_M]
                side_by_side = np.swapaxes(delta, 0, 1).reshape(len(a_prev), -1)
                grad_W = (a_prev.T @ side_by_side).reshape(W.shape[1], -1, W.shape[2])
                grad_W = grad_W.swapaxes(0, 1)
            else:
                grad_W = np.matmul(np.swapaxes(a_prev, -1, -2), delta)  # D5: (a^{l-1})ᵀ δ^l
            if two_alpha is not None:
                grad_W += two_alpha * W  # D2: ∇ α‖W‖² = 2αW
            grad_b = delta.sum(axis=-2, keepdims=True)
            grads += [grad_b, grad_W]
            if layer:
                delta = _times_transpose(delta, W)  # D4: δ^{l-1} = δ^l (W^l)ᵀ ⊙ σ'(z^{l-1})
                delta *= self.activations[layer - 1][1](zs[layer - 1])
        return grads[::-1]

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Outputs of all networks for the same rows, shape ``(M, n_samples, n_out)``.

        The rows go through in chunks small enough for the hidden activations of
        all networks to stay in the CPU cache (several times faster than one
        pass for many networks; each row's output is the same either way).
        """
        width = max(W.shape[-1] for W in self.kernels)
        chunk = max(1, _CACHE_ELEMENTS // (self.n_models * width))
        outputs = [
            self.forward(X[start : start + chunk])[1][-1] for start in range(0, len(X), chunk)
        ]
        return np.concatenate(outputs, axis=1)

    def select(self, k: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Network ``k``'s own kernels ``(n_in, n_out)`` and biases ``(n_out,)``, copied."""
        return (
            [W[k].copy() for W in self.kernels],
            [b[k, 0].copy() for b in self.biases],
        )


def _times_transpose(delta: np.ndarray, W: np.ndarray) -> np.ndarray:
    """:math:`\\delta W^T` for stacks; with one output it is an outer product.

    With a single output unit the product has no sum in it, and a broadcast
    multiplication gives the same numbers several times faster than
    ``np.matmul`` (which has no fast path for an inner dimension of 1).
    """
    if W.shape[-1] == 1:
        return delta * np.swapaxes(W, -1, -2)
    return np.matmul(delta, np.swapaxes(W, -1, -2))


class _StackedSGD(SGD):
    r""":class:`~fyslearn.optim.SGD` with one learning rate and momentum per network.

    The rates and momenta are arrays of shape ``(M, 1, 1)``; the update
    :math:`v \leftarrow \omega v + \eta \nabla C,\ \theta \leftarrow \theta - v`
    of :meth:`SGD.step` broadcasts them over each network's parameters, and the
    schedules of :data:`~fyslearn.optim.SCHEDULES` work on arrays as on numbers.
    A network with :math:`\omega = 0` gets exactly the plain update, since
    :math:`0 \cdot v + \eta \nabla C = \eta \nabla C`.
    """

    def __init__(
        self,
        params: Sequence[np.ndarray],
        learning_rates: np.ndarray,
        momenta: np.ndarray,
        schedule: str,
    ) -> None:
        self.params = list(params)
        self.learning_rate = learning_rates
        self.momentum = momenta
        self.schedule = schedule
        self.velocities = [np.zeros_like(p) for p in self.params] if momenta.any() else None
        self.current_rate = learning_rates


class _OrderTable:
    """Stands in for the generator of :func:`~fyslearn.optim.run_epochs`.

    ``permutation(n)`` returns the ``(n, M)`` table whose column ``k`` is drawn
    from network ``k``'s own generator, as its one-by-one training would draw
    it; with ``shared`` it returns one permutation, from the first network's
    generator, for all of them.
    """

    def __init__(self, rngs: Sequence[np.random.Generator], shared: bool) -> None:
        self.rngs = list(rngs)
        self.shared = shared

    def permutation(self, n: int) -> np.ndarray:
        if self.shared:
            return self.rngs[0].permutation(n)
        return np.stack([rng.permutation(n) for rng in self.rngs], axis=1)


class _AllStopped(Exception):
    """Every network has diverged: nothing left to train."""


@dataclass
class _Outcome:
    """How the training of one network ended."""

    kernels: list[np.ndarray]
    biases: list[np.ndarray]
    losses: np.ndarray
    error: DivergenceError | None = None
    scores: dict[str, np.ndarray] = field(default_factory=dict)


def train_stacked(
    stack: StackedNetworks,
    X: np.ndarray,
    Y: np.ndarray,
    loss: Callable[[np.ndarray, np.ndarray], np.ndarray],
    output_delta: Callable[[np.ndarray, np.ndarray], np.ndarray],
    learning_rates: Sequence[float],
    alphas: Sequence[float],
    momenta: Sequence[float],
    rngs: Sequence[np.random.Generator],
    restore: Sequence[bool],
    schedule: str = "constant",
    batch_size: int = 10,
    epochs: int = 100,
    shared_order: bool = False,
    verbose: int = 0,
    score: Callable[[], dict[str, np.ndarray]] | None = None,
    track_accuracy: bool = False,
) -> list[_Outcome]:
    r"""Mini-batch SGD on all stacked networks at once, in the loop of :mod:`fyslearn.optim`.

    Args:
        stack: Initial parameters; trained in place.
        X: Inputs, ``(n_samples, n_features)``.
        Y: Targets, ``(n_samples, n_out)``.
        loss: ``loss(output, Y)`` → data loss of each network, shape ``(M,)``,
            for outputs of shape ``(M, n, n_out)``.
        output_delta: ``output_delta(output, Y_batch)`` → :math:`\partial C/\partial z^L`
            of the mean loss over the batch, shape ``(M, m, n_out)``.
        learning_rates, alphas, momenta: One per network.
        rngs: One generator per network, for its shuffling order.
        restore: Per network, whether divergence restores its best epoch (else it fails).
        schedule, batch_size, epochs, verbose: Shared by all networks.
        shared_order: All networks use the first network's order.
        score: Called after every epoch; returns named per-network scores,
            each of shape ``(M,)`` (validation scores), recorded in the outcomes.
        track_accuracy: Also record the training accuracy (argmax), classification.

    As :func:`~fyslearn.nn.training.train_network` does, the training loss of an
    epoch is the mean of its mini-batch losses (``"data_loss"`` in the
    outcomes' scores) plus the L2 term at the end of the epoch.

    Returns:
        One :class:`_Outcome` per network: its final (or restored) parameters,
        its loss and scores after each completed epoch, and its error if it diverged.
    """
    n_models = stack.n_models
    alpha = _per_network(alphas, n_models).astype(X.dtype)
    optimizer = _StackedSGD(
        stack.parameters,
        _per_network(learning_rates, n_models),
        _per_network(momenta, n_models),
        schedule,
    )
    tracker = _Tracker(stack, optimizer, restore, epochs)

    totals = _EpochTotals(n_models, track_accuracy)

    def batch_gradients(rows: np.ndarray) -> list[np.ndarray]:
        rows = rows.T  # (M, m): one mini-batch per network; (m,) when shared
        zs, activations = stack.forward(X[rows])
        output, targets = activations[-1], Y[rows]
        totals.add(loss(output, targets), output, targets)
        delta = output_delta(output, targets)
        return stack.gradients(zs, activations, delta, alpha)

    def evaluate(epoch: int) -> dict[str, float]:
        squares = sum(np.einsum("kij,kij->k", W, W) for W in stack.kernels)
        scores = totals.means()  # data_loss (and accuracy) of the epoch's mini-batches
        losses = scores["data_loss"] + alpha[:, 0, 0] * squares  # C + α Σ‖W‖²
        running = tracker.record(epoch, losses, {**scores, **(score() if score else {})})
        if not running:
            raise _AllStopped
        return {"loss": float(np.mean(losses[running]))}  # finite: run_epochs goes on

    try:
        run_epochs(
            optimizer,
            batch_gradients,
            n_samples=len(X),
            batch_size=batch_size,
            epochs=epochs,
            rng=_OrderTable(rngs, shared_order),
            evaluate=evaluate,
            verbose=verbose,
            description=f"{n_models} networks",
        )
    except _AllStopped:
        pass
    return tracker.outcomes()


class _EpochTotals:
    """Running sums over an epoch's mini-batches: loss and correct predictions per network."""

    def __init__(self, n_models: int, track_accuracy: bool) -> None:
        self.track_accuracy = track_accuracy
        self.loss, self.correct, self.seen = np.zeros(n_models), np.zeros(n_models), 0

    def add(self, losses: np.ndarray, output: np.ndarray, targets: np.ndarray) -> None:
        m = output.shape[-2]
        self.loss += losses * m
        if self.track_accuracy:
            self.correct += _stacked_accuracy(output, targets) * m
        self.seen += m

    def means(self) -> dict[str, np.ndarray]:
        """The epoch's mean mini-batch loss (and accuracy); starts the next epoch's sums."""
        means = {"data_loss": self.loss / self.seen}
        if self.track_accuracy:
            means["accuracy"] = self.correct / self.seen
        self.loss, self.correct, self.seen = np.zeros_like(self.loss), np.zeros_like(self.loss), 0
        return means


def _per_network(values: Sequence[float], n_models: int) -> np.ndarray:
    """Per-network settings as an ``(M, 1, 1)`` array, to broadcast over stacked parameters."""
    return np.asarray(values, dtype=float).reshape(n_models, 1, 1)


class _Tracker:
    """Loss history of every network, its best epoch, and how its training ended."""

    def __init__(
        self, stack: StackedNetworks, optimizer: _StackedSGD, restore: Sequence[bool], epochs: int
    ) -> None:
        self.stack, self.optimizer, self.restore = stack, optimizer, list(restore)
        self.epochs = epochs
        self.history = np.full((epochs, stack.n_models), np.nan)
        self.scores: dict[str, np.ndarray] = {}
        self.best_loss = np.full(stack.n_models, np.inf)
        self.best: dict[int, tuple[list[np.ndarray], list[np.ndarray]]] = {}
        self.ended: dict[int, _Outcome] = {}

    def record(self, epoch: int, losses: np.ndarray, scores: dict[str, np.ndarray]) -> list[int]:
        """Store the losses and scores of ``epoch``; stop diverged networks; return the others."""
        for name, values in scores.items():
            self.scores.setdefault(name, np.full_like(self.history, np.nan))[epoch] = values
        for k in range(self.stack.n_models):
            if k in self.ended:
                continue
            self.history[epoch, k] = losses[k]
            if not math.isfinite(losses[k]):
                self.ended[k] = self._stop(k, epoch)
            elif self.restore[k] and losses[k] < self.best_loss[k]:
                self.best_loss[k], self.best[k] = losses[k], self.stack.select(k)
        return [k for k in range(self.stack.n_models) if k not in self.ended]

    def _stop(self, k: int, epoch: int) -> _Outcome:
        """End network ``k``'s training at ``epoch``, whose loss is not finite.

        Its learning rate becomes 0 and its slice of the stack is ignored from
        then on; the other networks are not affected by it (no operation mixes
        networks), even when its numbers are NaN.
        """
        rate = float(self.optimizer.learning_rate[k, 0, 0])
        self.optimizer.learning_rate[k] = 0.0
        if self.restore[k] and k in self.best:
            warnings.warn(
                f"Training of network {k} diverged in epoch {epoch + 1}; restored the "
                f"parameters of its best epoch (loss {self.best_loss[k]:.4g}). Use a smaller "
                "learning_rate to train further.",
                DivergenceWarning,
                stacklevel=5,
            )
            losses = self.history[:epoch, k].copy()
            return _Outcome(*self.best[k], losses, None, self._scores(k, epoch))
        error = DivergenceError(
            f"Training diverged: the loss became {self.history[epoch, k]} in epoch {epoch + 1} "
            f"of {self.epochs} (learning_rate={rate:g}). Try a smaller learning_rate, e.g. "
            f"{rate / 10:g}."
        )
        return _Outcome(*self.stack.select(k), self.history[: epoch + 1, k].copy(), error)

    def _scores(self, k: int, epochs: int) -> dict[str, np.ndarray]:
        return {name: values[:epochs, k].copy() for name, values in self.scores.items()}

    def outcomes(self) -> list[_Outcome]:
        """How each network ended: stopped, or trained for every epoch."""
        return [
            self.ended.get(k)
            or _Outcome(
                *self.stack.select(k),
                self.history[:, k].copy(),
                None,
                self._scores(k, self.epochs),
            )
            for k in range(self.stack.n_models)
        ]


def _stacked_mse(output: np.ndarray, Y: np.ndarray) -> np.ndarray:
    r""":math:`\frac1n\sum_i\sum_k (y_{ik} - a_{ik})^2` of each network, shape ``(M,)``."""
    residual = output - Y
    return np.einsum("kij,kij->k", residual, residual) / Y.shape[-2]


def _stacked_mse_delta(output: np.ndarray, Y: np.ndarray) -> np.ndarray:
    r"""Output error of a linear output with MSE: :math:`2(a - y)/m` (D3, D6)."""
    return (2.0 / output.shape[-2]) * (output - Y)


def _stacked_cross_entropy(output: np.ndarray, Y: np.ndarray) -> np.ndarray:
    r""":math:`-\frac1n\sum_i\sum_k y_{ik}\ln a_{ik}` of each network, ``ln 0`` clipped as in
    :class:`~fyslearn.nn.losses.CrossEntropy`."""
    log_probabilities = np.log(np.maximum(output, np.finfo(output.dtype).tiny))
    return -(log_probabilities * Y).sum(axis=(-2, -1)) / Y.shape[-2]


def _stacked_softmax_delta(output: np.ndarray, Y: np.ndarray) -> np.ndarray:
    r"""Output error of softmax with cross-entropy: :math:`(a - y)/m` (D7)."""
    return (1.0 / output.shape[-2]) * (output - Y)


def _stacked_accuracy(output: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Share of rows whose most probable class is the true one, per network."""
    return np.mean(output.argmax(axis=-1) == Y.argmax(axis=-1), axis=-1)


def fit_many(estimators: Sequence[Any], X: np.ndarray, y: np.ndarray) -> list[Any]:
    r"""Fit several fyslearn network estimators of the same shape in one stacked run.

    Takes :class:`~fyslearn.nn.MLPRegressor`, :class:`~fyslearn.nn.MLPClassifier`
    or :class:`~fyslearn.nn.LogisticRegression` instances, all of one class.
    Each keeps its own learning rate, ``alpha``, momentum and ``random_state``;
    architecture, batch size, epochs, schedule, dtype and ``validation_data``
    must agree. Every estimator ends as if its own ``fit(X, y)`` had run: the
    same initial weights (drawn from its seed), the same shuffling (from the
    same generator), the same updates, hence the same weights to rounding.
    When their generators are in the same state after drawing the initial
    weights (the same seed and the same initialisers: a grid over learning
    rates and penalties), they also share one shuffling order, and the first
    layer of all of them is one matrix product.

    ``history_`` has the same keys and values as after ``fit``: the training
    cost per epoch (mean mini-batch loss plus the L2 term), the data loss
    (and the accuracy), and with ``validation_data`` the ``val_*`` scores.

    Args:
        estimators: Unfitted (or to be refitted) estimators.
        X: Inputs, shape ``(n_samples, n_features)``.
        y: Targets (regression) or labels (classification), shape ``(n_samples,)``.

    Returns:
        The estimators, fitted. One that diverged is left unfitted and listed
        in a :class:`~fyslearn.optim.DivergenceWarning`; the others are fitted.
    """
    from .._validation import as_generator, forget_fit
    from .estimators import MLPClassifier, MLPRegressor

    first = _check_estimators(estimators, (MLPRegressor, MLPClassifier))
    classifier = isinstance(first, MLPClassifier)
    dtype = np.dtype(first.dtype)
    X = np.asarray(X, dtype=dtype)
    if classifier:
        classes = np.unique(np.asarray(y))
        for estimator in estimators:
            estimator.classes_ = classes
        Y = first._one_hot(y).astype(dtype)
    else:
        Y = np.asarray(y, dtype=dtype).reshape(len(X), -1)
    rngs = [as_generator(e.random_state) for e in estimators]
    networks = [
        e._build_network(X.shape[1], Y.shape[1], rng)
        for e, rng in zip(estimators, rngs, strict=True)
    ]
    # generators left in the same state (same seed, same initialisers) would draw the
    # same shuffling orders: then one order serves all, and the first layer is one product
    states = [rng.bit_generator.state for rng in rngs]
    shared_order = all(state == states[0] for state in states)
    stack = _stack(networks)
    loss, delta = (
        (_stacked_cross_entropy, _stacked_softmax_delta)
        if classifier
        else (_stacked_mse, _stacked_mse_delta)
    )
    first.n_features_in_ = X.shape[1]  # for the checks of validation_data
    validation = first._check_validation(first._one_hot if classifier else first._encode_targets)
    outcomes = train_stacked(
        stack,
        X,
        Y,
        loss,
        delta,
        learning_rates=[e.learning_rate for e in estimators],
        alphas=[e.alpha for e in estimators],
        momenta=[e.momentum for e in estimators],
        rngs=rngs,
        restore=[e.on_divergence == "restore" for e in estimators],
        schedule=first.schedule,
        batch_size=min(first.batch_size, len(X)),
        epochs=first.epochs,
        shared_order=shared_order,
        verbose=first.verbose,
        score=None
        if validation is None
        else _validation_scores(stack, *validation, loss, [e.alpha for e in estimators]),
        track_accuracy=classifier,
    )
    failed = []
    for k, (estimator, network, outcome) in enumerate(
        zip(estimators, networks, outcomes, strict=True)
    ):
        classes = getattr(estimator, "classes_", None)
        forget_fit(estimator)
        if outcome.error is not None:
            failed.append(f"#{k}: {outcome.error}")
            continue
        network.coefs_, network.intercepts_ = outcome.kernels, outcome.biases
        if classifier:
            estimator.classes_ = classes
        estimator.n_features_in_ = X.shape[1]
        estimator.network_ = network
        estimator.coefs_, estimator.intercepts_ = network.coefs_, network.intercepts_
        scores = {estimator._history_key(name): values for name, values in outcome.scores.items()}
        estimator.history_ = {"loss": outcome.losses, **scores}
        estimator.n_iter_ = len(outcome.losses)
        estimator.n_outputs_ = Y.shape[1]
    if failed:
        warnings.warn(
            "Some networks diverged and are left unfitted: " + "; ".join(failed),
            DivergenceWarning,
            stacklevel=2,
        )
    return list(estimators)


def _check_estimators(estimators: Sequence[Any], kinds: tuple[type, ...]) -> Any:
    """The first estimator, after checking that all can train in one stack."""
    if not estimators or not all(isinstance(e, kinds) for e in estimators):
        raise TypeError(
            "fit_many takes a non-empty list of fyslearn MLPRegressor, MLPClassifier "
            "or LogisticRegression estimators."
        )
    first = estimators[0]
    if any(type(e) is not type(first) for e in estimators):
        raise TypeError("fit_many needs estimators of one class.")
    shared = ("hidden_layer_sizes", "activation", "batch_size", "epochs", "schedule", "dtype")
    for estimator in estimators:
        estimator._check_hyperparameters()
        for name in shared:
            if getattr(estimator, name) != getattr(first, name):
                raise ValueError(f"fit_many needs the same {name} for every estimator.")
        if estimator.validation_data is not first.validation_data:
            raise ValueError("fit_many needs the same validation_data object for every estimator.")
    return first


def _stack(networks: Sequence[Any]) -> StackedNetworks:
    """The networks' weights stacked layer by layer (each network's own copy is left alone)."""
    activations = [(sigma.__call__, sigma.derivative) for sigma in networks[0].activations]
    layers = range(networks[0].n_layers)
    return StackedNetworks(
        [np.stack([net.coefs_[layer] for net in networks]) for layer in layers],
        [np.stack([net.intercepts_[layer] for net in networks])[:, None, :] for layer in layers],
        activations,
    )


def _validation_scores(
    stack: StackedNetworks,
    X_val: np.ndarray,
    Y_val: np.ndarray,
    loss: Callable[[np.ndarray, np.ndarray], np.ndarray],
    alphas: Sequence[float],
) -> Callable[[], dict[str, np.ndarray]]:
    """Per-network validation scores, named as in :func:`~fyslearn.nn.training.score_network`."""
    alphas = np.asarray(alphas, dtype=float)

    def score() -> dict[str, np.ndarray]:
        output = stack.predict(X_val)
        data_loss = loss(output, Y_val)
        squares = sum(np.einsum("kij,kij->k", W, W) for W in stack.kernels)
        scores = {"val_data_loss": data_loss, "val_loss": data_loss + alphas * squares}
        if Y_val.shape[1] > 1:
            scores["val_accuracy"] = _stacked_accuracy(output, Y_val)
        return scores

    return score

r"""Seeing training from inside: per-layer statistics recorded once per epoch.

Training curves say *that* a network learns slowly; these numbers say
*where*. After every epoch a fixed probe batch (the first rows of the
training data) goes forward and back through the network, and for every
layer $l$ we record

* `activation_mean`, `activation_std`: mean and standard deviation of $a^l$;
  a sigmoid layer whose outputs sit near 0 or 1 is saturated;
* `gradient_mean`, `gradient_std`: mean and standard deviation of
  $\partial C/\partial W^l$; the *vanishing gradient* of deep sigmoid networks
  shows as a standard deviation that shrinks layer by layer towards the input,
  because each layer multiplies the error by $\sigma'(z) \le 1/4$ (D4, D8);
* `update_ratio`: $\lVert W^l_{e} - W^l_{e-1}\rVert / \lVert W^l_{e-1}\rVert$,
  how much an epoch changed the weights relative to their size (a rule of
  thumb wants about $10^{-3}$ per step; much less means a layer barely learns).

Ask for them with `diagnostics=[...]` on [`MLPRegressor`][fyslearn.nn.MLPRegressor]
or [`MLPClassifier`][fyslearn.nn.MLPClassifier]; they end up in
`diagnostics_`, one array of shape `(n_epochs, n_layers)` per statistic.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .network import FeedForwardNetwork

__all__ = ["DIAGNOSTICS", "PROBE_ROWS", "LayerStatistics", "check_diagnostics"]

DIAGNOSTICS = (
    "activation_mean",
    "activation_std",
    "gradient_mean",
    "gradient_std",
    "update_ratio",
)
"""The statistics that can be recorded, in the order of the module docstring."""

PROBE_ROWS = 256
"""Rows of the training data in the probe batch."""


def check_diagnostics(names: Sequence[str] | None) -> tuple[str, ...]:
    """The requested statistic names, checked; unknown ones are refused with the valid list.

    Raises:
        ValueError: A name that is not in `DIAGNOSTICS`.
        TypeError: `names` is not a sequence of strings.
    """
    if names is None:
        return ()
    if isinstance(names, str) or not isinstance(names, Sequence):
        raise TypeError(f"diagnostics must be a list of names from {list(DIAGNOSTICS)}.")
    unknown = [name for name in names if name not in DIAGNOSTICS]
    if unknown:
        raise ValueError(
            f"diagnostics has unknown names {unknown}; the valid ones are {list(DIAGNOSTICS)}."
        )
    return tuple(names)


def _per_layer(values: np.ndarray, reduce) -> float | np.ndarray:
    """`reduce` over everything but a stack's model axis."""
    if values.ndim == 3:
        return reduce(values.reshape(len(values), -1), axis=1)
    return float(reduce(values))


def _norm(W: np.ndarray) -> float | np.ndarray:
    return _per_layer(W * W, np.sum) ** 0.5


class LayerStatistics:
    """Records the requested statistics of every layer after each epoch.

    Args:
        network: The network (or stack) being trained.
        X: Training inputs, `(n, n_in)`; the first `PROBE_ROWS` rows are the probe.
        Y: Training targets, `(n, n_out)`.
        names: Which statistics to record (from `DIAGNOSTICS`).
    """

    def __init__(
        self, network: FeedForwardNetwork, X: np.ndarray, Y: np.ndarray, names: Sequence[str]
    ) -> None:
        self.network, self.names = network, tuple(names)
        self.X, self.Y = X[:PROBE_ROWS], Y[:PROBE_ROWS]
        self.records: dict[str, list[list]] = {name: [] for name in self.names}
        # the weights before the first epoch, kept only for the update ratio
        self.previous = [W.copy() for W in network.coefs_] if "update_ratio" in names else []

    def __call__(self, epoch: int, history: object = None) -> None:
        """Probe the network after `epoch` (the signature of `on_epoch_end`)."""
        network = self.network
        zs, a = network.forward(self.X)
        delta = network.output_error(self.Y, zs[-1], a[-1])
        coef_grads, intercept_grads = network.backward(zs, a, delta)
        network.add_penalty_gradients(coef_grads, intercept_grads)  # the cost's gradient
        per_layer = {
            "activation_mean": [_per_layer(output, np.mean) for output in a[1:]],
            "activation_std": [_per_layer(output, np.std) for output in a[1:]],
            "gradient_mean": [_per_layer(g, np.mean) for g in coef_grads],
            "gradient_std": [_per_layer(g, np.std) for g in coef_grads],
        }
        if "update_ratio" in self.names:
            per_layer["update_ratio"] = [
                _norm(W - before) / np.maximum(_norm(before), np.finfo(float).tiny)
                for W, before in zip(network.coefs_, self.previous, strict=True)
            ]
            self.previous = [W.copy() for W in network.coefs_]
        for name in self.names:
            self.records[name].append(per_layer[name])

    def arrays(self, k: int | None, epochs: int) -> dict[str, np.ndarray]:
        """Network `k`'s statistics (all of them for one network), shape `(epochs, n_layers)`."""
        return {
            name: np.asarray(
                [[layer if k is None else layer[k] for layer in row] for row in rows[:epochs]],
                dtype=float,
            ).reshape(-1, self.network.n_layers)
            for name, rows in self.records.items()
        }

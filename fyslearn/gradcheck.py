r"""Check a network's gradients against centred finite differences.

Backpropagation is easy to get almost right: a derivative that forgets a
factor, a transpose that happens to fit because two layers have the same
width, a mean that became a sum. The loss still falls, only more slowly, and
nothing crashes. The standard cure (as taught in CS231n) is to compare every
analytic derivative $a = \partial C/\partial\theta$ with a centred difference

$$
n = \frac{C(\theta + h) - C(\theta - h)}{2h},
$$

whose error is $O(h^2)$, through the relative error

$$
r = \frac{|a - n|}{\max(|a|, |n|)},
$$

held to a floor $\tau$ where rounding explains the difference (below).

[`check_gradients`][fyslearn.gradcheck.check_gradients] does this for every
layer of a [`FeedForwardNetwork`][fyslearn.nn.FeedForwardNetwork] and gives
a verdict per layer:

| largest $r$ of a layer | verdict | meaning |
|---|---|---|
| $r \le 10^{-7}$ | `good` | the gradient is right |
| $10^{-7} < r < 10^{-2}$ | `suspect` | probably a bug; a smooth network should reach $10^{-7}$ |
| $r \ge 10^{-2}$ | `wrong` | a bug |

**Kinks.** ReLU and leaky ReLU have a kink at $z = 0$. When $\theta \pm h$
moves some sample's $z$ across it, the centred difference averages the two
slopes and can be off by $10^{-4}$ or much more, although the code is right.
The checker runs the forward pass at $\theta \pm h$, notices when a
pre-activation of a ReLU-type layer changes sign, reports such entries as
*at a kink* when the two derivatives disagree by more than $10^{-7}$ (which
is expected there), and leaves them out of the verdict (the layer's verdict is
then `kink`). A step across a kink whose derivatives still agree is judged
like any other entry.

**The floor $\tau$.** A centred difference cannot be more accurate than the
rounding error of its two costs, about $\epsilon\,|C| / h$ with
$\epsilon = 2.2\times10^{-16}$ in float64: about $10^{-10}$ for $|C| \approx 1$
and $h = 10^{-6}$. An entry with $|a| = 10^{-5}$ therefore shows a relative
error near $10^{-5}$ however right the code is. The floor $\tau$ is the size
below which rounding alone would exceed $10^{-7}$,

$$
\tau = \frac{10\,\epsilon\,\max(|C(\theta+h)|, |C(\theta-h)|)}{10^{-7}\,h}
$$

(the factor 10 is a margin: over 70 000 entries of small networks the rounding
error never exceeded $3.6\,\epsilon |C|/h$). A difference $|a - n|$ that rounding
can explain, at most $10^{-7}\tau$, is measured against $\max(|a|, |n|, \tau)$:
entries smaller than $\tau$ are held to the absolute accuracy a centred
difference can reach, larger ones to 7 digits. A larger difference is measured
against the entries alone, so a gradient off by half is `wrong` at any scale of
the cost.

**Data loss and penalty apart.** The data loss and the penalty, the L2 term
$\alpha\sum_l\lVert W^l\rVert^2$ or the L1 term $\alpha\sum_l\lVert W^l\rVert_1$,
are checked separately (one row each), so a wrong factor 2 in the penalty's
gradient is not hidden behind a large data gradient. The L1 term has a kink
of its own at $w = 0$: a weight that the step $\pm h$ moves across 0 is
reported as at a kink, as for ReLU.

The checker works on copies: the network passed in is never modified.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from sklearn.utils import check_array

from ._validation import as_generator, check_positive_float, check_positive_int
from .nn import FeedForwardNetwork
from .nn.activations import LeakyReLU, ReLU

__all__ = [
    "GOOD",
    "WRONG",
    "GradientCheckReport",
    "LayerCheck",
    "check_gradients",
    "relative_errors",
]

GOOD = 1e-7
"""Relative errors up to this are `good`."""
WRONG = 1e-2
"""Relative errors from this on are `wrong`."""
KINKED_ACTIVATIONS = (ReLU, LeakyReLU)
"""Activations whose derivative jumps at $z = 0$."""
_ROUNDING_MARGIN = 10.0
_PARAMETER_NAMES = ("W", "b")

# The cost of the network as the checker sees it: its value and, for
# networks with kinks, which pre-activations of kinked layers are positive.
CostFunction = Callable[[], tuple[float, list[np.ndarray]]]


@dataclass(frozen=True, eq=False)
class LayerCheck:
    r"""The check of one layer's kernel $W^l$ and bias $b^l$ for one term of the cost.

    The arrays hold one value per checked entry, shape `(n_checked,)`, in the
    order of `entries`.

    Attributes:
        layer: Layer number $l$, from 1 (first weight layer) to $L$ (output).
        term: `"data loss"`, `"L2 penalty"` or `"L1 penalty"`.
        n_entries: Entries of $W^l$ and $b^l$ together.
        entries: The checked entries as labels, e.g. `"W^2[0, 3]"`, `"b^2[1]"`.
        analytic: Backpropagation's derivatives $a$, shape `(n_checked,)`.
        numeric: Centred differences $n$, shape `(n_checked,)`.
        relative_error: $|a - n| / \max(|a|, |n|)$, held to the floor $\tau$
            ([`relative_errors`][fyslearn.gradcheck.relative_errors]), shape `(n_checked,)`.
        at_kink: Whether the step $\pm h$ moved a pre-activation of a ReLU-type
            layer across 0 for some sample (for the L1 term: the weight itself)
            and the two derivatives disagree beyond `GOOD`, shape `(n_checked,)`
            (bool).
        max_relative_error: Largest relative error of the entries not at a
            kink (`nan` if every checked entry is at a kink).
        verdict: `"good"`, `"kink"`, `"suspect"`, `"wrong"`, or `"unjudged"`
            when every checked entry is at a kink.
    """

    layer: int
    term: str
    n_entries: int
    entries: tuple[str, ...] = field(repr=False)
    analytic: np.ndarray = field(repr=False)
    numeric: np.ndarray = field(repr=False)
    relative_error: np.ndarray = field(repr=False)
    at_kink: np.ndarray = field(repr=False)
    max_relative_error: float
    verdict: str

    @property
    def n_checked(self) -> int:
        """Number of checked entries (all of them, or a random sample for a large layer)."""
        return len(self.entries)

    @property
    def n_kinks(self) -> int:
        """Number of checked entries whose step crossed a kink."""
        return int(np.count_nonzero(self.at_kink))

    @property
    def worst(self) -> int:
        """Position (in `entries`) of the largest relative error not at a kink, or -1."""
        judged = np.where(self.at_kink, -np.inf, self.relative_error)
        return int(np.argmax(judged)) if self.n_kinks < self.n_checked else -1

    @property
    def passed(self) -> bool:
        """Whether every judged entry agrees to within [`GOOD`][fyslearn.gradcheck.GOOD]."""
        return self.verdict in ("good", "kink")


@dataclass(frozen=True, eq=False)
class GradientCheckReport:
    r"""The result of [`check_gradients`][fyslearn.gradcheck.check_gradients].

    `print(report)` shows one row per layer and term: checked entries, largest
    relative error, the entry where it occurs with both derivatives, kinks and
    the verdict.

    Attributes:
        layers: One [`LayerCheck`][fyslearn.gradcheck.LayerCheck] per layer and
            term, layer by layer, the data loss before the penalty.
        eps: The step $h$ of the centred differences.
        network: `repr` of the checked network.
    """

    layers: tuple[LayerCheck, ...]
    eps: float
    network: str

    @property
    def passed(self) -> bool:
        """Whether every layer and term is `good` (or `kink`: wrong only at kinks)."""
        return all(check.passed for check in self.layers)

    @property
    def max_relative_error(self) -> float:
        """Largest relative error over all layers, entries at kinks left out."""
        errors = [c.max_relative_error for c in self.layers if not np.isnan(c.max_relative_error)]
        return max(errors, default=float("nan"))

    def __str__(self) -> str:
        header = (
            f"{'layer':>5}  {'term':<10}  {'checked':>9}  {'max rel. err':>12}  {'verdict':<8}  "
            f"{'kinks':>5}  {'worst entry':<14}  {'analytic':>11}  {'numeric':>11}"
        )
        lines = [f"Gradient check of {self.network}, eps = {self.eps:g}", header]
        lines += [_table_row(check) for check in self.layers]
        lines.append(self._summary())
        return "\n".join(lines)

    def _summary(self) -> str:
        if self.passed:
            kinks = sum(check.n_kinks for check in self.layers)
            note = f"; {kinks} entries at a kink not judged" if kinks else ""
            return f"passed: every layer agrees to {GOOD:g} or better{note}."
        failed = [check for check in self.layers if not check.passed]
        names = ", ".join(f"layer {c.layer} ({c.term}): {c.verdict}" for c in failed)
        return f"FAILED: {names}."


def _table_row(check: LayerCheck) -> str:
    checked = f"{check.n_checked}/{check.n_entries}"
    start = f"{check.layer:>5}  {check.term:<10}  {checked:>9}  "
    worst = check.worst
    if worst < 0:
        return start + f"{'-':>12}  {check.verdict:<8}  {check.n_kinks:>5}"
    return start + (
        f"{check.max_relative_error:>12.1e}  {check.verdict:<8}  {check.n_kinks:>5}  "
        f"{check.entries[worst]:<14}  {check.analytic[worst]:>11.4e}  {check.numeric[worst]:>11.4e}"
    )


def check_gradients(
    network: FeedForwardNetwork,
    X: ArrayLike,
    Y: ArrayLike,
    *,
    eps: float = 1e-6,
    max_entries_per_layer: int | None = 100,
    random_state: int | np.random.Generator | None = 0,
) -> GradientCheckReport:
    r"""Compare the network's backpropagation with centred differences, layer by layer.

    For each checked entry $\theta$ of $W^l$ or $b^l$, the analytic derivative
    $a$ from [`loss_and_gradients`][fyslearn.nn.network.FeedForwardNetwork.loss_and_gradients]
    is compared with $n = (C(\theta + h) - C(\theta - h)) / 2h$, first for the
    data loss $C$ alone (the network's
    [`data_loss`][fyslearn.nn.network.FeedForwardNetwork.data_loss] of its
    [`forward`][fyslearn.nn.network.FeedForwardNetwork.forward] pass), then, if
    $\alpha > 0$, for the penalty
    [`penalty_value`][fyslearn.nn.network.FeedForwardNetwork.penalty_value] (L2 or L1). The
    protocol and the verdicts are described in [the module][fyslearn.gradcheck].

    Args:
        network: The network to check, float64; never modified (the checker
            works on copies). A subclass may override `loss_and_gradients` with
            its own backpropagation: that is what gets checked.
        X: Inputs, shape `(n, n_in)`, finite.
        Y: Targets, shape `(n, n_out)`, finite (one-hot rows for cross-entropy).
        eps: The step $h > 0$. With $10^{-6}$ the truncation error
            $O(h^2)$ and the rounding error $O(\epsilon/h)$ are both far below
            $10^{-7}$ of a typical derivative.
        max_entries_per_layer: At most this many entries of each layer
            ($W^l$ and $b^l$ together) are checked, drawn at random and at most
            half of them from $b^l$ when the layer is larger; `None` checks
            every entry. Each checked entry costs two evaluations of the cost.
        random_state: Seed or generator for the choice of entries.

    Returns:
        The report, with one [`LayerCheck`][fyslearn.gradcheck.LayerCheck] per
            layer and term and the overall `passed`; printed, a table.

    Raises:
        TypeError: `network` is not a [`FeedForwardNetwork`][fyslearn.nn.FeedForwardNetwork].
        ValueError: The network is not float64 or has non-finite weights, `eps`
            is not a finite number $> 0$, `X` or `Y` has the wrong shape or
            contains NaN or infinity.

    Example:
        ```python
        import numpy as np
        from fyslearn.gradcheck import check_gradients
        from fyslearn.nn import FeedForwardNetwork

        network = FeedForwardNetwork([3, 5, 2], ["tanh", "linear"], random_state=0)
        rng = np.random.default_rng(0)
        X, Y = rng.normal(size=(7, 3)), rng.normal(size=(7, 2))
        print(check_gradients(network, X, Y).passed)  # True
        ```
    """
    _check_network(network)
    X, Y = _check_data(network, X, Y)
    eps = check_positive_float(eps, "eps")
    if max_entries_per_layer is not None:
        max_entries_per_layer = check_positive_int(max_entries_per_layer, "max_entries_per_layer")
    rng = as_generator(random_state)
    samples = [
        _sample_entries(W.shape, b.shape, max_entries_per_layer, rng)
        for W, b in zip(network.coefs_, network.intercepts_, strict=True)
    ]

    data_network = copy.deepcopy(network)
    data_network.alpha = 0.0
    data_gradients = _analytic_gradients(data_network, X, Y)
    terms = [_Term("data loss", data_network, _data_cost(data_network, X, Y), data_gradients)]
    if network.alpha > 0:
        full_network = copy.deepcopy(network)
        full_gradients = _analytic_gradients(full_network, X, Y)
        penalty_gradients = [
            [full - data for full, data in zip(fulls, datas, strict=True)]
            for fulls, datas in zip(full_gradients, data_gradients, strict=True)
        ]
        terms.append(
            _Term(
                f"{network.penalty.upper()} penalty",
                full_network,
                _penalty_cost(full_network),
                penalty_gradients,
            )
        )
    layers = tuple(
        _check_layer(term, layer, entries, eps)
        for layer, entries in enumerate(samples)
        for term in terms
    )
    return GradientCheckReport(layers=layers, eps=eps, network=repr(network))


# -- input checks ----------------------------------------------------------------------


def _check_network(network: FeedForwardNetwork) -> None:
    if not isinstance(network, FeedForwardNetwork):
        raise TypeError(
            "check_gradients needs a fyslearn.nn.FeedForwardNetwork (a fitted estimator's "
            f"network is its `network_` attribute), got {type(network).__name__}."
        )
    if network.n_models is not None:
        raise ValueError(
            f"check_gradients checks one network, got a stack of {network.n_models}: "
            "check the networks of stack.unstack() one at a time."
        )
    dtypes = {np.dtype(network.dtype)} | {
        np.asarray(w).dtype for w in (*network.coefs_, *network.intercepts_)
    }
    if dtypes != {np.dtype(np.float64)}:
        found = ", ".join(sorted(str(d) for d in dtypes))
        raise ValueError(
            "check_gradients needs a float64 network: in float32 a centred difference "
            f"resolves only about 3 digits. Got weights/dtype {found}; build the network "
            "with dtype=np.float64."
        )
    for name, arrays in (("coefs_", network.coefs_), ("intercepts_", network.intercepts_)):
        if not all(np.isfinite(w).all() for w in arrays):
            raise ValueError(f"The network's {name} contain NaN or infinity.")


def _check_data(
    network: FeedForwardNetwork, X: ArrayLike, Y: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    X = check_array(X, dtype=np.float64, input_name="X")
    Y = check_array(Y, dtype=np.float64, ensure_2d=False, input_name="Y")
    n_in, n_out = network.layer_sizes[0], network.layer_sizes[-1]
    if X.shape[1] != n_in:
        raise ValueError(f"X has {X.shape[1]} columns, the network's input layer has {n_in}.")
    if Y.shape != (X.shape[0], n_out):
        raise ValueError(
            f"Y must have shape (n_samples, n_out) = ({X.shape[0]}, {n_out}) to match X "
            f"{X.shape} and the network's {n_out} outputs, got {Y.shape}."
        )
    return X, Y


# -- the check -------------------------------------------------------------------------

Entry = tuple[int, tuple[int, ...]]  # (0 for W or 1 for b, index into that array)
Gradients = Sequence[Sequence[np.ndarray]]  # (kernel gradients, bias gradients)


def _sample_entries(
    kernel_shape: tuple[int, ...],
    bias_shape: tuple[int, ...],
    max_entries: int | None,
    rng: np.random.Generator,
) -> list[Entry]:
    """The entries of one layer to check: all, or a random sample, at most half of them biases."""
    n_kernel, n_bias = int(np.prod(kernel_shape)), int(np.prod(bias_shape))
    if max_entries is None or n_kernel + n_bias <= max_entries:
        n_kernel_checked, n_bias_checked = n_kernel, n_bias
    else:
        n_bias_checked = min(n_bias, max(1, max_entries // 2))
        n_kernel_checked = min(n_kernel, max_entries - n_bias_checked)
    kernel = np.sort(rng.choice(n_kernel, size=n_kernel_checked, replace=False))
    bias = np.sort(rng.choice(n_bias, size=n_bias_checked, replace=False))
    return [(0, np.unravel_index(i, kernel_shape)) for i in kernel] + [
        (1, np.unravel_index(i, bias_shape)) for i in bias
    ]


def _analytic_gradients(
    network: FeedForwardNetwork, X: np.ndarray, Y: np.ndarray
) -> list[list[np.ndarray]]:
    """Backpropagation's gradients, copied: `[kernel gradients, bias gradients]`."""
    _, coef_grads, intercept_grads = network.loss_and_gradients(X, Y)
    return [
        [np.array(g, dtype=np.float64) for g in grads] for grads in (coef_grads, intercept_grads)
    ]


def _data_cost(network: FeedForwardNetwork, X: np.ndarray, Y: np.ndarray) -> CostFunction:
    """The data loss $C$ of one forward pass and the signs of $z$ at the kinks."""
    kinked = [isinstance(a, KINKED_ACTIVATIONS) for a in network.activations]

    def cost() -> tuple[float, list[np.ndarray]]:
        zs, activations = network.forward(X)
        signs = [z > 0.0 for z, is_kinked in zip(zs, kinked, strict=True) if is_kinked]
        return network.data_loss(Y, zs[-1], activations[-1]), signs

    return cost


def _penalty_cost(network: FeedForwardNetwork) -> CostFunction:
    r"""The penalty; L1's $\alpha\lvert w\rvert$ has a kink at $w = 0$: the signs of $w$ too."""
    if network.penalty != "l1":
        return lambda: (network.penalty_value(), [])
    penalized = network.penalized_arrays(network.coefs_, network.intercepts_)
    return lambda: (network.penalty_value(), [w > 0.0 for w in penalized])


class _Term(NamedTuple):
    """One term of the cost: the network copy to perturb, its cost and its analytic gradients."""

    name: str
    network: FeedForwardNetwork
    cost: CostFunction
    gradients: Gradients  # [kernel gradients, bias gradients]


def _check_layer(term: _Term, layer: int, entries: Sequence[Entry], eps: float) -> LayerCheck:
    parameters = (term.network.coefs_[layer], term.network.intercepts_[layer])
    analytic, numeric, floor, at_kink, labels = [], [], [], [], []
    for which, index in entries:
        difference, resolution, crossed = _centred_difference(
            term.cost, parameters[which], index, eps
        )
        analytic.append(term.gradients[which][layer][index])
        numeric.append(difference)
        floor.append(resolution / GOOD)
        at_kink.append(crossed)
        labels.append(f"{_PARAMETER_NAMES[which]}^{layer + 1}[{', '.join(map(str, index))}]")
    analytic, numeric = np.array(analytic), np.array(numeric)
    relative_error = relative_errors(analytic, numeric, np.array(floor))
    # a step across a kink that still agrees (L1 at w = 0 exactly) is judged like any other
    at_kink = np.array(at_kink, dtype=bool) & (relative_error > GOOD)
    judged = relative_error[~at_kink]
    max_error = float(judged.max()) if judged.size else float("nan")
    kink_error = float(relative_error[at_kink].max()) if at_kink.any() else 0.0
    return LayerCheck(
        layer=layer + 1,
        term=term.name,
        n_entries=parameters[0].size + parameters[1].size,
        entries=tuple(labels),
        analytic=analytic,
        numeric=numeric,
        relative_error=relative_error,
        at_kink=at_kink,
        max_relative_error=max_error,
        verdict=_verdict(max_error, kink_error),
    )


def _centred_difference(
    cost: CostFunction, array: np.ndarray, index: tuple[int, ...], eps: float
) -> tuple[float, float, bool]:
    r"""$(C(\theta + h) - C(\theta - h)) / 2h$ for one entry, its rounding error, and kink crossing.

    The entry is restored afterwards. The denominator is the step actually
    taken, $(\theta + h) - (\theta - h)$ in floating point, not $2h$.
    """
    saved = array[index]
    up, down = saved + eps, saved - eps
    try:
        array[index] = up
        plus, signs_plus = cost()
        array[index] = down
        minus, signs_minus = cost()
    finally:
        array[index] = saved
    step = up - down
    resolution = _ROUNDING_MARGIN * np.finfo(np.float64).eps * max(abs(plus), abs(minus)) / step
    crossed = any(bool((p != m).any()) for p, m in zip(signs_plus, signs_minus, strict=True))
    return (plus - minus) / step, resolution, crossed


def relative_errors(
    analytic: ArrayLike, numeric: ArrayLike, floor: ArrayLike | float = 0.0
) -> np.ndarray:
    r"""Entry-wise relative error $|a - n| / \max(|a|, |n|)$, held to the floor $\tau$.

    A difference that rounding can explain, $|a - n| \le 10^{-7}\,\tau$, is
    measured against $\max(|a|, |n|, \tau)$, so it is at most $10^{-7}$ (`good`)
    however small the entries; a larger difference is measured against the
    entries alone, so a gradient off by half is off by half, whatever its size.

    Args:
        analytic: Analytic derivatives $a$, any shape.
        numeric: Numerical derivatives $n$, same shape.
        floor: The floor $\tau$ (scalar or same shape); two zeros give 0, not NaN.

    Returns:
        The relative errors, shape of `analytic`.
    """
    analytic, numeric = np.asarray(analytic, dtype=float), np.asarray(numeric, dtype=float)
    difference = np.abs(analytic - numeric)
    size = np.maximum(np.abs(analytic), np.abs(numeric))
    within_rounding = difference <= GOOD * np.asarray(floor, dtype=float)
    scale = np.where(within_rounding, np.maximum(size, floor), size)
    return difference / np.maximum(scale, np.finfo(np.float64).tiny)


def _verdict(max_error: float, kink_error: float) -> str:
    if np.isnan(max_error):
        return "unjudged"
    if max_error >= WRONG:
        return "wrong"
    if max_error > GOOD:
        return "suspect"
    return "kink" if kink_error > GOOD else "good"

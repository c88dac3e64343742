r"""Check the gradients of a network, or of any function, against centred finite differences.

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

**Any function.** [`check_function_gradients`][fyslearn.gradcheck.check_function_gradients]
(also reached as `check_gradients(function, params)`) checks a function
`function(params) -> (cost, grads)` of a list or dict of numpy arrays, such as
a student's own numpy network: per array and entry, with the same floor and
verdicts, against centred differences of the cost the function returns. It
finds kinks from the cost alone, by one-sided differences.

**Diagnosis.** A failing array (or layer) gets a hint when its error has a
telling pattern ([`diagnose`][fyslearn.gradcheck.diagnose]): a factor ½ or 2 on
every entry (the ½ convention of the cost), $1/n$ or $n$ (mean vs sum over the
batch), $-1$ (a sign), a transposed gradient; and the report a hint when the
output layer is right and earlier ones wrong ([`layer_hint`][fyslearn.gradcheck.layer_hint]:
the error is in $\delta$, e.g. $\sigma'(a)$ instead of $\sigma'(z)$).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from ._docstrings import readable_docstrings
from ._validation import as_generator, check_positive_float, check_positive_int

if TYPE_CHECKING:
    from .nn import FeedForwardNetwork

# The network checker imports fyslearn.nn (and with it scikit-learn) when it is
# first called: the function checker, which `fyslearn check` runs, needs neither.

__all__ = [
    "GOOD",
    "WRONG",
    "ArrayCheck",
    "FunctionCheckReport",
    "GradientCheckReport",
    "LayerCheck",
    "check_function_gradients",
    "check_gradients",
    "diagnose",
    "layer_hint",
    "relative_errors",
]

GOOD = 1e-7
"""Relative errors up to this are `good`."""
WRONG = 1e-2
"""Relative errors from this on are `wrong`."""
_ROUNDING_MARGIN = 10.0
_PARAMETER_NAMES = ("W", "b")

# The cost of the network as the checker sees it: its value and, for
# networks with kinks, which pre-activations of kinked layers are positive.
CostFunction = Callable[[], tuple[float, list[np.ndarray]]]
Parameters = Sequence[np.ndarray] | Mapping[str, np.ndarray]
"""A list (or tuple) of arrays, or a dict from names to arrays."""
GradientFunction = Callable[..., tuple[float, Parameters]]


@dataclass(frozen=True, eq=False, kw_only=True)
class _EntryChecks:
    """What a layer check and an array check share: the checked entries and their verdict."""

    n_entries: int
    entries: tuple[str, ...] = field(repr=False)
    analytic: np.ndarray = field(repr=False)
    numeric: np.ndarray = field(repr=False)
    relative_error: np.ndarray = field(repr=False)
    at_kink: np.ndarray = field(repr=False)
    max_relative_error: float
    verdict: str
    diagnosis: str = ""

    @property
    def n_checked(self) -> int:
        """Number of checked entries."""
        return len(self.entries)

    @property
    def n_kinks(self) -> int:
        """Number of checked entries at a kink."""
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


@dataclass(frozen=True, eq=False, kw_only=True)
class LayerCheck(_EntryChecks):
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
        diagnosis: The likely cause when the layer fails by a telling pattern
            (a constant factor ½, 2, $1/n$, $n$ or $-1$ on every entry, or a
            transposed gradient), else `""`.
    """

    layer: int
    term: str


class _Verdict:
    """What the two reports share: one verdict over their checks (`checks`)."""

    checks: tuple[_EntryChecks, ...]

    @property
    def passed(self) -> bool:
        """Whether every check is `good` (or `kink`: wrong only at kinks)."""
        return all(check.passed for check in self.checks)

    @property
    def max_relative_error(self) -> float:
        """Largest relative error over all checks, entries at kinks left out."""
        errors = [c.max_relative_error for c in self.checks if not np.isnan(c.max_relative_error)]
        return max(errors, default=float("nan"))


@dataclass(frozen=True, eq=False)
class GradientCheckReport(_Verdict):
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
    def checks(self) -> tuple[LayerCheck, ...]:
        """The checks the verdict is made of: `layers`."""
        return self.layers

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
        lines = [f"FAILED: {names}."]
        lines += [f"hint: layer {c.layer} ({c.term}): {c.diagnosis}" for c in failed if c.diagnosis]
        data = [c for c in self.layers if c.term == "data loss"]
        hint = layer_hint(
            [f"layer {c.layer}" for c in data],
            [c.passed for c in data],
            [bool(c.diagnosis) for c in data],
        )
        if hint:
            lines.append(f"hint: {hint}")
        return "\n".join(lines)


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
    network: FeedForwardNetwork | GradientFunction,
    X: ArrayLike | Parameters,
    Y: ArrayLike | None = None,
    *,
    eps: float = 1e-6,
    max_entries_per_layer: int | None = 100,
    random_state: int | np.random.Generator | None = 0,
) -> GradientCheckReport | FunctionCheckReport:
    r"""Compare the network's backpropagation with centred differences, layer by layer.

    Two forms: `check_gradients(network, X, Y)` checks a
    [`FeedForwardNetwork`][fyslearn.nn.FeedForwardNetwork], as described
    here; `check_gradients(function, params)`, with a plain callable
    `function(params) -> (cost, grads)` first, is
    [`check_function_gradients`][fyslearn.gradcheck.check_function_gradients] with
    `max_entries=max_entries_per_layer`: use that name in new code, its arguments
    say what they hold.

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
            works on copies). (Or a function: see above.) A subclass may override
            `loss_and_gradients` with its own backpropagation: that is what gets checked.
        X: Inputs, shape `(n, n_in)`, finite. (For a function: its `params`.)
        Y: Targets, shape `(n, n_out)`, finite (one-hot rows for cross-entropy).
            Required for a network, refused for a function.
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
    if callable(network) and not _is_network(network):
        if Y is not None:
            raise TypeError(
                "check_gradients(function, params) takes no Y: the function computes its own "
                "cost (see check_function_gradients)."
            )
        return check_function_gradients(
            network,
            X,
            eps=eps,
            max_entries=max_entries_per_layer,
            random_state=random_state,
        )
    _check_network(network)
    if Y is None:
        raise TypeError("check_gradients(network, X, Y) needs the targets Y.")
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
    terms = [
        _Term("data loss", data_network, _data_cost(data_network, X, Y), data_gradients, len(X))
    ]
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


def _is_network(candidate: object) -> bool:
    from .nn import FeedForwardNetwork

    return isinstance(candidate, FeedForwardNetwork)


def _check_network(network: FeedForwardNetwork) -> None:
    if not _is_network(network):
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
    from sklearn.utils import check_array

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
    from .nn.activations import LeakyReLU, ReLU  # derivatives that jump at z = 0

    kinked = [isinstance(a, (ReLU, LeakyReLU)) for a in network.activations]

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
    n_samples: int | None = None  # of the data loss's batch, for the 1/n hint


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
    relative_error, at_kink, max_error, verdict = _judge(analytic, numeric, floor, at_kink)
    hints = []
    if verdict in ("suspect", "wrong"):
        for which in (0, 1):
            mine = np.array([w == which for w, _ in entries]) & ~at_kink
            indices = [index for (w, index), keep in zip(entries, mine, strict=True) if keep]
            hint = diagnose(
                analytic[mine],
                numeric[mine],
                np.array(floor)[mine],
                n_samples=term.n_samples,
                full_analytic=term.gradients[which][layer],
                indices=indices,
            )
            if hint:
                hints.append(f"{_PARAMETER_NAMES[which]}^{layer + 1}: {hint}")
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
        verdict=verdict,
        diagnosis=" ".join(hints),
    )


def _judge(
    analytic: np.ndarray, numeric: np.ndarray, floor: Sequence[float], crossed: Sequence[bool]
) -> tuple[np.ndarray, np.ndarray, float, str]:
    """The relative errors of the checked entries, which lie at a kink, the largest error
    away from kinks, and the verdict: what a layer check and an array check share.

    An entry whose step crossed a kink but still agrees (L1 at $w = 0$ exactly) is
    judged like any other.
    """
    relative_error = relative_errors(analytic, numeric, np.asarray(floor))
    at_kink = np.array(crossed, dtype=bool) & (relative_error > GOOD)
    judged = relative_error[~at_kink]
    max_error = float(judged.max()) if judged.size else float("nan")
    kink_error = float(relative_error[at_kink].max()) if at_kink.any() else 0.0
    return relative_error, at_kink, max_error, _verdict(max_error, kink_error)


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


# -- diagnosis: the pattern of a failure, and its likely cause -------------------------------

FACTOR_TOLERANCE = 1e-4
"""Ratios analytic / numeric that agree to this (relatively) are one constant factor."""


def _constant_factor(analytic: np.ndarray, numeric: np.ndarray, floor: np.ndarray) -> float | None:
    """The factor $c$ with analytic = $c$ × numeric on every clearly non-zero entry, or `None`."""
    # rounding leaves |n| accurate to 1e-7 τ: above τ/100, the ratio is good to 1e-5
    resolved = np.maximum(1e-2 * floor, np.finfo(np.float64).tiny)
    clear = np.abs(numeric) > resolved
    if not clear.any() or np.any(np.abs(analytic[~clear]) > 10 * resolved[~clear]):
        return None  # entries that should be about 0 are not: no single factor
    ratios = analytic[clear] / numeric[clear]
    factor = float(np.median(ratios))
    if factor == 0 or np.any(np.abs(ratios - factor) > FACTOR_TOLERANCE * abs(factor)):
        return None
    return factor


def _factor_hint(factor: float, n_samples: int | None) -> str:
    """Name the likely cause of a gradient $c$ times the numeric one."""
    close = lambda value: abs(factor - value) <= FACTOR_TOLERANCE * abs(value)  # noqa: E731
    said = f"your gradient is {factor:.6g} × the numeric one on every entry"
    if close(-1.0):
        return (
            f"{said}: a sign error (y − a instead of a − y, or the update's sign); "
            "differentiate the cost you return."
        )
    if close(0.5):
        return (
            f"{said} (½): a factor 2 is missing; is your cost written with the 1/2 convention, "
            "C = 1/(2n) Σ(a − y)², while your gradient is of C = (1/n) Σ(a − y)²? Differentiate "
            "the cost you return, or return the cost you differentiate."
        )
    if close(2.0):
        return (
            f"{said} (2): the derivative of (a − y)² is 2(a − y); is your gradient of "
            "C = (1/n) Σ(a − y)² while your cost has the 1/2 convention, 1/(2n) Σ(a − y)²?"
        )
    for sign, word in ((1.0, ""), (-1.0, "−")):
        k = sign / factor
        if k >= 2.5 and close(sign / round(k)):
            n = round(k)
            batch = " (your batch size)" if n == n_samples else ""
            return (
                f"{said} ({word}1/{n}): mean vs sum: your gradient divides by n = {n}{batch} "
                "once more than the cost does (a mean of what is already divided by n, "
                "or a mean where the cost sums)."
            )
        if sign * factor >= 2.5 and close(sign * round(sign * factor)):
            n = round(sign * factor)
            batch = " (your batch size)" if n == n_samples else ""
            return (
                f"{said} ({word}{n}): mean vs sum: the cost is a mean over n = {n} samples"
                f"{batch} but your gradient sums them (the forgotten 1/n)."
            )
    return f"{said}: a missing constant (a learning rate, a penalty α, a 1/n)."


def _transposed(full_analytic: np.ndarray | None, indices, numeric: np.ndarray) -> bool:
    """Whether the transpose of the analytic gradient matches the numeric one on the entries."""
    if full_analytic is None or full_analytic.ndim != 2 or not indices:
        return False
    rows, cols = full_analytic.shape
    if rows != cols:
        return False
    swapped = np.array([full_analytic[j, i] for i, j in indices])
    return bool(np.all(relative_errors(swapped, numeric) <= 1e-5))


def diagnose(
    analytic: ArrayLike,
    numeric: ArrayLike,
    floor: ArrayLike | float = 0.0,
    *,
    n_samples: int | None = None,
    full_analytic: np.ndarray | None = None,
    indices: Sequence[tuple[int, ...]] = (),
) -> str:
    r"""The likely cause of analytic derivatives that differ from the numeric ones, or `""`.

    Recognised patterns, each the signature of a classic slip:

    | pattern on every entry | likely cause |
    |---|---|
    | analytic $= \tfrac12 \times$ numeric, or $2\times$ | the $\tfrac12$ convention of the cost |
    | $1/k$ or $k$ times (integer $k \ge 3$) | mean vs sum over a batch of $k$ samples |
    | $-1$ times | a sign ($y - a$ vs $a - y$) |
    | another constant | a missing scale (a rate, a penalty $\alpha$) |
    | the transpose matches (square array) | a product in the wrong order |

    Args:
        analytic: Analytic derivatives $a$ of the checked entries, shape `(n_checked,)`.
        numeric: Centred differences $n$, shape `(n_checked,)`.
        floor: The rounding floor $\tau$ of each entry (scalar or shape `(n_checked,)`):
            entries below it carry no information about a factor.
        n_samples: The batch size, if known: a factor $1/n$ is then named as such.
        full_analytic: The whole analytic gradient of the array, for the transpose test.
        indices: The index into `full_analytic` of each checked entry.

    Returns:
        One sentence naming the pattern and its likely cause, or `""`.
    """
    analytic, numeric = np.asarray(analytic, dtype=float), np.asarray(numeric, dtype=float)
    if analytic.size == 0:
        return ""
    floor = np.broadcast_to(np.asarray(floor, dtype=float), analytic.shape)
    factor = _constant_factor(analytic, numeric, floor)
    if factor is not None and abs(factor - 1.0) > FACTOR_TOLERANCE:
        return _factor_hint(factor, n_samples)
    if _transposed(full_analytic, list(indices), numeric):
        return (
            "your gradient is the transpose of the numeric one: a product in the wrong order "
            "(δᵀa instead of aᵀδ), which runs only because the array is square."
        )
    return ""


def layer_hint(names: Sequence[str], passed: Sequence[bool], explained: Sequence[bool]) -> str:
    r"""The backpropagation hint: the arrays nearer the output pass, those before them fail.

    When the last arrays (the output layer's) are right and earlier ones wrong,
    without a constant factor that [`diagnose`][fyslearn.gradcheck.diagnose]
    explains, the error is in the $\delta$ that backpropagation passes back:
    $\sigma'(z)$ vs $\sigma'(a)$, or a missing transpose.

    Args:
        names: The arrays (or layers), from the input to the output.
        passed: Whether each passed.
        explained: Whether each failure already has a diagnosis.

    Returns:
        The hint, or `""` when the pattern does not hold.
    """
    failed = [i for i, ok in enumerate(passed) if not ok]
    if not failed or any(explained[i] for i in failed):
        return ""
    last_failed = failed[-1]
    later = list(range(last_failed + 1, len(names)))
    if not later or not all(passed[i] for i in later):
        return ""
    right = ", ".join(names[i] for i in later)
    wrong = ", ".join(names[i] for i in failed)
    return (
        f"{right} right but {wrong} wrong: the error is in what backpropagation passes back "
        "to the wrong ones, the δ of that layer, δˡ = (δˡ⁺¹ (Wˡ⁺¹)ᵀ) ⊙ σ′(zˡ). Is σ′ taken of "
        "z (σ′(z) = a(1 − a) for the sigmoid), not of a (σ′(a) = σ(a)(1 − σ(a)))? Is "
        "Wˡ⁺¹ transposed?"
    )


# -- the checker for any function fn(params) -> (cost, grads) ------------------------------


@dataclass(frozen=True, eq=False, kw_only=True)
class ArrayCheck(_EntryChecks):
    r"""The check of one parameter array by a function gradient check.

    The arrays hold one value per checked entry, shape `(n_checked,)`, in the
    order of `entries`.

    Attributes:
        name: The array's name: its key in a dict of parameters, else `params[i]`.
        n_entries: The array's size.
        entries: The checked entries as labels, e.g. `"W1[0, 3]"`.
        analytic: The function's derivatives $a$, shape `(n_checked,)`.
        numeric: Centred differences $n$ of the function's cost, shape `(n_checked,)`.
        relative_error: $|a - n| / \max(|a|, |n|)$, held to the floor $\tau$, shape `(n_checked,)`.
        at_kink: Whether the cost has a kink inside $[\theta - h, \theta + h]$
            (its one-sided differences disagree) and the analytic derivative,
            though not equal to the centred one, lies between them (a valid
            subgradient), shape `(n_checked,)` (bool).
        max_relative_error: Largest relative error of the entries not at a kink.
        verdict: `"good"`, `"kink"`, `"suspect"`, `"wrong"` or `"unjudged"`, as for a layer.
        diagnosis: The likely cause when the array fails by a telling pattern, else `""`
            ([`diagnose`][fyslearn.gradcheck.diagnose]).
    """

    name: str


@dataclass(frozen=True, eq=False)
class FunctionCheckReport(_Verdict):
    """The result of [`check_function_gradients`][fyslearn.gradcheck.check_function_gradients].

    `print(report)` shows one row per parameter array, then the verdict and,
    when something fails, the hints.

    Attributes:
        arrays: One [`ArrayCheck`][fyslearn.gradcheck.ArrayCheck] per parameter array, in order.
        eps: The step $h$.
        function: The checked function's name.
        hint: The hint about the arrays together (later arrays right, earlier
            wrong: the error is in backpropagation's δ), else `""`.
    """

    arrays: tuple[ArrayCheck, ...]
    eps: float
    function: str
    hint: str = ""

    @property
    def checks(self) -> tuple[ArrayCheck, ...]:
        """The checks the verdict is made of: `arrays`."""
        return self.arrays

    @property
    def hints(self) -> list[str]:
        """Every hint of the report: one per failing array with a pattern, then `hint`."""
        hints = [f"{c.name}: {c.diagnosis}" for c in self.arrays if c.diagnosis and not c.passed]
        return hints + ([self.hint] if self.hint else [])

    def __str__(self) -> str:
        width = max([5, *(len(c.name) for c in self.arrays)])
        header = (
            f"{'array':<{width}}  {'checked':>9}  {'max rel. err':>12}  {'verdict':<8}  "
            f"{'kinks':>5}  {'worst entry':<14}  {'analytic':>11}  {'numeric':>11}"
        )
        lines = [f"Gradient check of {self.function}, eps = {self.eps:g}", header]
        for check in self.arrays:
            start = f"{check.name:<{width}}  {f'{check.n_checked}/{check.n_entries}':>9}  "
            worst = check.worst
            if worst < 0:
                lines.append(start + f"{'-':>12}  {check.verdict:<8}  {check.n_kinks:>5}")
                continue
            lines.append(
                start + f"{check.max_relative_error:>12.1e}  {check.verdict:<8}  "
                f"{check.n_kinks:>5}  {check.entries[worst]:<14}  "
                f"{check.analytic[worst]:>11.4e}  {check.numeric[worst]:>11.4e}"
            )
        if self.passed:
            kinks = sum(check.n_kinks for check in self.arrays)
            note = f"; {kinks} entries at a kink not judged" if kinks else ""
            lines.append(f"passed: every array agrees to {GOOD:g} or better{note}.")
        else:
            failed = ", ".join(f"{c.name}: {c.verdict}" for c in self.arrays if not c.passed)
            lines.append(f"FAILED: {failed}.")
            lines += [f"hint: {hint}" for hint in self.hints]
        return "\n".join(lines)


def _as_named_arrays(params: Parameters, what: str) -> list[tuple[str, np.ndarray]]:
    """`(name, array)` pairs of a list or dict of arrays."""
    if isinstance(params, Mapping):
        pairs = list(params.items())
    elif isinstance(params, (list, tuple)):
        pairs = [(f"{what}[{i}]", array) for i, array in enumerate(params)]
    else:
        raise TypeError(
            f"{what} must be a list (or tuple) or a dict of numpy arrays, "
            f"got {type(params).__name__}."
        )
    if not pairs:
        raise ValueError(f"{what} is empty: give at least one array.")
    return [(str(name), array) for name, array in pairs]


def _check_parameters(params: Parameters) -> tuple[list[str], list[np.ndarray]]:
    named = _as_named_arrays(params, "params")
    names, arrays = [], []
    for name, array in named:
        array = np.array(array, dtype=np.float64)  # a copy: the caller's arrays stay untouched
        if not np.isfinite(array).all():
            raise ValueError(f"The parameter array {name} contains NaN or infinity.")
        names.append(name)
        arrays.append(array)
    return names, arrays


def _rebuild(params: Parameters, arrays: list[np.ndarray]) -> Parameters:
    """The working copies in the structure of `params` (a dict, a list or a tuple)."""
    if isinstance(params, Mapping):
        return dict(zip(params.keys(), arrays, strict=True))
    return type(params)(arrays) if isinstance(params, tuple) else list(arrays)


def _evaluate(function: GradientFunction, structure: Parameters) -> tuple[float, Parameters]:
    result = function(structure)
    if not (isinstance(result, tuple) and len(result) == 2):
        length = f" of length {len(result)}" if isinstance(result, tuple) else ""
        raise TypeError(
            f"The function must return a pair (cost, grads), got {type(result).__name__}{length}."
        )
    cost, grads = result
    cost = np.asarray(cost, dtype=float)
    if cost.size != 1:
        raise ValueError(f"The cost must be one number, got an array of shape {cost.shape}.")
    return float(cost.reshape(())), grads


def _check_grads(grads: Parameters, params: Parameters, names: list[str], arrays) -> list:
    if isinstance(params, Mapping):
        if not isinstance(grads, Mapping) or set(grads) != set(params):
            keys = sorted(grads) if isinstance(grads, Mapping) else type(grads).__name__
            raise ValueError(
                f"grads must be a dict with the keys of params, {sorted(params)}; got {keys}."
            )
        grads = [grads[key] for key in params]
    elif not isinstance(grads, (list, tuple)) or len(grads) != len(arrays):
        size = len(grads) if isinstance(grads, (list, tuple)) else type(grads).__name__
        raise ValueError(f"grads must be a list of {len(arrays)} arrays like params, got {size}.")
    checked = []
    for name, array, grad in zip(names, arrays, grads, strict=True):
        grad = np.asarray(grad, dtype=float)
        if grad.shape != array.shape:
            transposed = " (transposed?)" if grad.shape == array.shape[::-1] else ""
            raise ValueError(
                f"The gradient of {name} has shape {grad.shape}, the array {array.shape}"
                f"{transposed}."
            )
        if not np.isfinite(grad).all():
            raise ValueError(f"The gradient of {name} contains NaN or infinity.")
        checked.append(grad)
    return checked


def _one_sided_kink(
    plus: float, base: float, minus: float, step: float, analytic: float, resolution: float
) -> bool:
    """Whether the one-sided slopes jump (a kink within ±h) and `analytic` lies between them."""
    forward, backward = (plus - base) / (step / 2), (base - minus) / (step / 2)
    jump = abs(forward - backward)
    if jump <= max(1e-3 * max(abs(forward), abs(backward)), 100 * resolution):
        return False
    margin = 1e-3 * jump
    return min(forward, backward) - margin <= analytic <= max(forward, backward) + margin


def check_function_gradients(
    function: GradientFunction,
    params: Parameters,
    *,
    eps: float = 1e-6,
    max_entries: int | None = 100,
    n_samples: int | None = None,
    random_state: int | np.random.Generator | None = 0,
) -> FunctionCheckReport:
    r"""Compare the gradients any function returns with centred differences of the cost it returns.

    `function(params)` must return `(cost, grads)`: the cost, a number, and
    its gradient, with the structure of `params` (a list of arrays for a list,
    a dict with the same keys for a dict) and each array of the shape of its
    parameter. For each checked entry $\theta$, the derivative the function
    returns at `params` is compared with $(C(\theta + h) - C(\theta - h))/2h$
    of the very cost it returns, with the rounding floor and the verdicts of
    [the module][fyslearn.gradcheck]. So a correct gradient is `good` in any
    convention ($\frac1n$ or $\frac1{2n}$, a sum or a mean), as long as the cost
    returned is the one differentiated.

    A kink (ReLU, $|w|$) is found from the cost alone: its one-sided
    differences $(C(\theta+h) - C(\theta))/h$ and $(C(\theta) - C(\theta-h))/h$
    jump, and an analytic derivative between them (a valid subgradient) is
    reported as *at a kink* and left out of the verdict.

    A failing array gets a diagnosis when its error has a telling pattern
    ([`diagnose`][fyslearn.gradcheck.diagnose]: a factor ½, 2, $1/n$, $n$, $-1$,
    a transpose), and the report a hint when the arrays nearer the output (the
    last ones) are right and earlier ones wrong: the error is then in
    backpropagation's $\delta$ of that layer.

    [`check_gradients`][fyslearn.gradcheck.check_gradients]`(function, params)`
    calls this function.

    Args:
        function: `function(params) -> (cost, grads)`. It is called with copies
            of the arrays, float64, in the structure of `params`; it must not keep them.
        params: The point to check at: a list (or tuple) of numpy arrays, or a
            dict from names to arrays (the names then label the report), finite.
            Never modified.
        eps: The step $h > 0$.
        max_entries: At most this many entries of each array are checked, drawn
            at random; `None` checks all. Each costs two evaluations of `function`.
        n_samples: The batch size, if the cost averages over one: a factor
            $1/n$ is then named as mean vs sum.
        random_state: Seed or generator for the choice of entries.

    Returns:
        The report: one [`ArrayCheck`][fyslearn.gradcheck.ArrayCheck] per array,
            `passed`, the hints; printed, a table.

    Raises:
        TypeError: `function` is not callable, `params` is not a list or dict,
            or the function does not return a pair.
        ValueError: An array or a gradient is not finite, a gradient has the
            wrong shape (`transposed?` when it has the reversed one), `grads`
            does not have the structure of `params`, or `eps` is not a finite number $> 0$.

    Example:
        ```python
        import numpy as np
        from fyslearn.gradcheck import check_function_gradients

        rng = np.random.default_rng(0)
        X, y = rng.normal(size=(8, 3)), rng.normal(size=8)

        def mse(params):
            (beta,) = params
            residual = X @ beta - y
            return residual @ residual / (2 * len(y)), [X.T @ residual / len(y)]

        print(check_function_gradients(mse, [np.zeros(3)]).passed)  # True
        ```
    """
    if not callable(function):
        raise TypeError(f"function must be callable, got {type(function).__name__}.")
    names, arrays = _check_parameters(params)
    eps = check_positive_float(eps, "eps")
    if max_entries is not None:
        max_entries = check_positive_int(max_entries, "max_entries")
    if n_samples is not None:
        n_samples = check_positive_int(n_samples, "n_samples")
    rng = as_generator(random_state)
    structure = _rebuild(params, arrays)
    base, grads = _evaluate(function, structure)
    if not np.isfinite(base):
        raise ValueError(f"The cost at params is not finite: {base}.")
    grads = _check_grads(grads, params, names, arrays)
    checks = []
    for name, array, grad in zip(names, arrays, grads, strict=True):
        size = array.size
        count = size if max_entries is None else min(size, max_entries)
        flat = np.sort(rng.choice(size, size=count, replace=False))
        indices = [np.unravel_index(i, array.shape) for i in flat]
        checks.append(
            _check_array(function, structure, base, name, array, grad, indices, eps, n_samples)
        )
    hint = layer_hint(names, [c.passed for c in checks], [bool(c.diagnosis) for c in checks])
    label = getattr(function, "__name__", type(function).__name__)
    return FunctionCheckReport(arrays=tuple(checks), eps=eps, function=label, hint=hint)


def _check_array(function, structure, base, name, array, grad, indices, eps, n_samples):
    analytic, numeric, floor, at_kink, labels = [], [], [], [], []
    for index in indices:
        saved = array[index]
        up, down = saved + eps, saved - eps
        try:
            array[index] = up
            plus, _ = _evaluate(function, structure)
            array[index] = down
            minus, _ = _evaluate(function, structure)
        finally:
            array[index] = saved
        step = up - down
        resolution = _ROUNDING_MARGIN * np.finfo(np.float64).eps * max(abs(plus), abs(minus)) / step
        derivative = float(grad[index])
        analytic.append(derivative)
        numeric.append((plus - minus) / step)
        floor.append(resolution / GOOD)
        at_kink.append(_one_sided_kink(plus, base, minus, step, derivative, resolution))
        label = ", ".join(map(str, index))
        labels.append(f"{name}[{label}]" if label else name)
    analytic, numeric, floor = np.array(analytic), np.array(numeric), np.array(floor)
    relative_error, at_kink, max_error, verdict = _judge(analytic, numeric, floor, at_kink)
    diagnosis = ""
    if verdict in ("suspect", "wrong"):
        keep = ~at_kink
        diagnosis = diagnose(
            analytic[keep],
            numeric[keep],
            floor[keep],
            n_samples=n_samples,
            full_analytic=grad,
            indices=[index for index, k in zip(indices, keep, strict=True) if k],
        )
    return ArrayCheck(
        name=name,
        n_entries=array.size,
        entries=tuple(labels),
        analytic=analytic,
        numeric=numeric,
        relative_error=relative_error,
        at_kink=at_kink,
        max_relative_error=max_error,
        verdict=verdict,
        diagnosis=diagnosis,
    )


readable_docstrings(globals())  # help() shows plain names where the site shows links

r"""D9, D10: mini-batch SGD with momentum, and the report's learning-rate decay.

Three facts behind :mod:`fyslearn.optim`, each derived by SymPy:

* the mini-batch gradient, the mean over the batch, is on average the full
  gradient (so SGD follows the true gradient in expectation);
* momentum :math:`v_t = \omega v_{t-1} + \eta g_t` unrolls to a geometric sum of past
  gradients; for a constant gradient the step grows to :math:`\eta g/(1-\omega)`, so
  momentum :math:`\omega` acts like a learning rate :math:`1/(1-\omega)` times larger;
* the decay :math:`\eta(e) = \eta_0/(e\,m+1)` falls by a factor :math:`m+1` after the
  first epoch; its sum over epochs diverges while the sum of squares converges
  (the Robbins–Monro conditions).
"""

from __future__ import annotations

import functools
import itertools

import numpy as np
import sympy as sp

from ._core import Derivation, Identity, Step

__all__ = ["learning_rate_decay", "sgd_momentum"]


def _minibatch_mean_is_unbiased(n: int, m: int) -> Identity:
    """Average of the batch-mean gradient over all batches of size m equals the full mean."""
    g = sp.symbols(f"g_1:{n + 1}", real=True)
    batches = list(itertools.combinations(g, m))
    average_of_batch_means = sum(sum(batch) / m for batch in batches) / len(batches)
    return Identity(
        f"Averaged over all {len(batches)} batches of {m} of {n} samples, the batch mean "
        "gradient is the full gradient",
        average_of_batch_means,
        sum(g) / n,
        display=(
            rf"\frac{{1}}{{\binom{{{n}}}{{{m}}}}}\sum_{{|B| = {m}}} \frac{{1}}{{{m}}}"
            rf"\sum_{{i \in B}} g_i = \frac{{1}}{{{n}}}\sum_{{i=1}}^{{{n}}} g_i"
        ),
    )


def _momentum_recurrence() -> tuple[list[Step], list[Identity], sp.Basic]:
    t = sp.Symbol("t", integer=True, nonnegative=True)
    s = sp.Symbol("s", integer=True, positive=True)
    omega = sp.Symbol(r"\omega", positive=True)
    eta, g = sp.symbols(r"\eta g", positive=True)
    gradient = sp.IndexedBase("g")
    v = sp.Function("v")
    unrolled = sp.Sum(omega ** (t - s) * eta * gradient[s], (s, 1, t))
    constant_gradient = sp.rsolve(v(t) - omega * v(t - 1) - eta * g, v(t), {v(0): 0})
    closed_form = eta * g * (1 - omega**t) / (1 - omega)
    limit = sp.limit(closed_form.subs(omega, sp.Rational(1, 2)), t, sp.oo)
    steps = [
        Step("Momentum update (D9), with v_0 = 0", omega * v(t - 1) + eta * gradient[t], lhs=v(t)),
        Step("Unrolled: a geometric average of all past gradients", unrolled, lhs=v(t)),
        Step("For a constant gradient g (SymPy rsolve)", constant_gradient, lhs=v(t)),
        Step(
            "As t grows (0 < ω < 1) the step tends to",
            eta * g / (1 - omega),
            lhs=r"\lim_{t\to\infty} v_t",
        ),
    ]
    proofs = [
        Identity("rsolve's solution is the closed form", constant_gradient, closed_form),
        Identity(
            "The unrolled sum with constant gradient equals the closed form (t = 6)",
            sp.Sum(omega ** (6 - s) * eta * g, (s, 1, 6)).doit(),
            closed_form.subs(t, 6),
        ),
        Identity(
            "With ω = 1/2 the step doubles: v → 2ηg",
            limit,
            2 * eta * g,
            display=r"\lim_{t\to\infty} v_t \Big|_{\omega = 1/2} = 2 \eta g",
        ),
    ]
    return steps, proofs, closed_form


def _momentum_numeric():
    """θ after each step from the unrolled sum θ_t = θ_0 − Σ_{k≤t} Σ_{s≤k} ω^{k−s} η g_s."""

    def trajectory(theta0: np.ndarray, gradients: np.ndarray, eta: float, omega: float):
        gradients = np.asarray(gradients, dtype=float)
        thetas = []
        for k in range(1, len(gradients) + 1):
            velocities = [
                sum(omega ** (j - s) * eta * gradients[s - 1] for s in range(1, j + 1))
                for j in range(1, k + 1)
            ]
            thetas.append(np.asarray(theta0, dtype=float) - sum(velocities))
        return np.array(thetas)

    return trajectory


@functools.cache
def sgd_momentum() -> Derivation:
    r"""D9: SGD with momentum, :math:`v \leftarrow \omega v + \eta\nabla C;\ \theta -= v`.

    ``numeric()(theta0, gradients, eta, omega)`` returns the parameters after
    each step computed from the unrolled sums, which the tests compare with
    :class:`fyslearn.optim.SGD`.
    """
    steps, proofs, closed_form = _momentum_recurrence()
    proofs = [_minibatch_mean_is_unbiased(4, 2), _minibatch_mean_is_unbiased(5, 3), *proofs]
    return Derivation(
        name="sgd_momentum",
        title="SGD with momentum (D9)",
        summary=(
            "The mini-batch gradient is the mean over the batch and equals the full "
            "gradient on average. Momentum accumulates past gradients with weights ω^k; "
            "along a direction of constant slope the step grows to η g/(1 − ω)."
        ),
        steps=steps,
        result=closed_form,
        proofs=proofs,
        numeric_factory=_momentum_numeric,
        report_reference="D9",
    )


def _converges(series: sp.Sum) -> sp.Integer:
    """1 if SymPy proves the series convergent, 0 if it proves it divergent."""
    verdict = series.is_convergent()
    if verdict not in (sp.true, sp.false):
        raise ValueError(f"SymPy could not decide whether {series} converges.")
    return sp.Integer(verdict is sp.true)


@functools.cache
def learning_rate_decay() -> Derivation:
    r"""D10: the report's schedule :math:`\eta(e) = \eta_0/(e\,m + 1)`.

    ``numeric()(eta0, epoch, n_batches)`` is the lambdified schedule, compared
    with :func:`fyslearn.optim.inverse_decay` by the tests.
    """
    eta0 = sp.Symbol(r"\eta_0", positive=True)
    e = sp.Symbol("e", integer=True, nonnegative=True)
    m = sp.Symbol("m", integer=True, positive=True)
    rate = eta0 / (e * m + 1)
    m_report = 75  # batch 10 on 750 training points
    rate_report = rate.subs(m, m_report)
    rate_unit = rate_report.subs(eta0, 1)  # convergence does not depend on η₀ > 0
    steps = [
        Step("Learning rate in epoch e, m mini-batches per epoch", rate, lhs=r"\eta(e)"),
        Step(
            "After the first epoch it has fallen by m + 1",
            rate.subs(e, 1) / eta0,
            lhs=r"\eta(1)/\eta_0",
        ),
        Step(
            f"With the report's batch 10 on 750 points (m = {m_report}), epoch 99 runs at",
            rate_report.subs(e, 99) / eta0,
            lhs=r"\eta(99)/\eta_0",
        ),
    ]
    proofs = [
        Identity(
            "Total step length over epochs diverges (Σ η(e) = ∞, m = 75)",
            _converges(sp.Sum(rate_unit, (e, 0, sp.oo))),
            sp.Integer(0),
            display=r"\sum_{e=0}^{\infty} \frac{\eta_0}{75 e + 1} = \infty",
        ),
        Identity(
            "Sum of squared steps converges (Σ η(e)² < ∞, m = 75)",
            _converges(sp.Sum(rate_unit**2, (e, 0, sp.oo))),
            sp.Integer(1),
            display=r"\sum_{e=0}^{\infty} \frac{\eta_0^2}{(75 e + 1)^2} < \infty",
        ),
    ]
    return Derivation(
        name="learning_rate_decay",
        title="Learning-rate decay (D10)",
        summary=(
            "η(e) = η₀/(e·m + 1) is constant within an epoch and drops by a factor m + 1 "
            "after the first one: with 75 mini-batches per epoch, every later epoch moves "
            "at most 1/76 as far as the first, which is why the report found decay slower."
        ),
        steps=steps,
        result=rate,
        proofs=proofs,
        numeric_factory=lambda: sp.lambdify([eta0, e, m], rate, modules="numpy"),
        report_reference="D10",
    )

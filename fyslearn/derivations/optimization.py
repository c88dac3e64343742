r"""D9, D10 and the adaptive optimizers: the facts behind `fyslearn.optim`, derived by SymPy.

* The mini-batch gradient, the mean over the batch, is on average the full
  gradient (so SGD follows the true gradient in expectation).
* Momentum $v_t = \omega v_{t-1} + \eta g_t$ unrolls to a geometric sum of past
  gradients; for a constant gradient the step grows to $\eta g/(1-\omega)$, so
  momentum $\omega$ acts like a learning rate $1/(1-\omega)$ times larger.
* The decay $\eta(e) = \eta_0/(e\,n_b+1)$, with $n_b$ mini-batches per epoch,
  falls by a factor $n_b+1$ after the first epoch; its sum over epochs diverges
  while the sum of squares converges (the Robbins–Monro conditions).
* Adam's running averages put the total weight $1 - \beta^t$ on the gradients, so
  dividing by it (the bias correction) makes $\hat m_t = g$ for a constant gradient.
* Adam's first step has length $\eta |g|/(|g| + \epsilon) \approx \eta$, whatever the
  scale of $g$.
* Adagrad's step under a constant gradient shrinks as $\eta/\sqrt{t}$.
"""

from __future__ import annotations

import functools
import itertools

import numpy as np
import sympy as sp

from ._core import Derivation, Identity, Step, numeric_twin

__all__ = [
    "adagrad_constant_gradient",
    "adam_bias_correction",
    "adam_first_step",
    "learning_rate_decay",
    "sgd_momentum",
]


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
        Step(
            "Momentum update (D9), with $v_0 = 0$", omega * v(t - 1) + eta * gradient[t], lhs=v(t)
        ),
        Step("Unrolled: a geometric average of all past gradients", unrolled, lhs=v(t)),
        Step("For a constant gradient $g$ (SymPy rsolve)", constant_gradient, lhs=v(t)),
        Step(
            r"As $t$ grows ($0 < \omega < 1$) the step tends to",
            eta * g / (1 - omega),
            lhs=r"\lim_{t\to\infty} v_t",
        ),
    ]
    proofs = [
        Identity("rsolve's solution is the closed form", constant_gradient, closed_form),
        Identity(
            "The unrolled sum with constant gradient equals the closed form ($t = 6$)",
            sp.Sum(omega ** (6 - s) * eta * g, (s, 1, 6)).doit(),
            closed_form.subs(t, 6),
        ),
        Identity(
            r"With $\omega = 1/2$ the step doubles: $v \to 2 \eta g$",
            limit,
            2 * eta * g,
            display=r"\lim_{t\to\infty} v_t \Big|_{\omega = 1/2} = 2 \eta g",
        ),
    ]
    return steps, proofs, closed_form


def _momentum_numeric():
    r"""$\theta$ after each step, from the unrolled sums.

    $\theta_t = \theta_0 - \sum_{k \le t} \sum_{s \le k} \omega^{k-s} \eta g_s$.
    """

    def trajectory(theta0: np.ndarray, gradients: np.ndarray, eta: float, omega: float):
        r"""The parameters after each momentum step (D9), from SymPy's unrolled sums.

        Args:
            theta0: The starting parameters, shape `(p,)`.
            gradients: The gradient of each step, shape `(T, p)`.
            eta: The learning rate $\eta$.
            omega: The momentum $\omega$.

        Returns:
            $\theta_1, \ldots, \theta_T$, shape `(T, p)`.
        """
        gradients = np.asarray(gradients, dtype=float)
        if gradients.ndim != 2 or gradients.shape[1:] != np.shape(theta0):
            raise ValueError(
                "sgd_momentum's twin takes (theta0, gradients, eta, omega): theta0 of shape "
                f"(p,), gradients of shape (T, p); got {np.shape(theta0)} and {gradients.shape}."
            )
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
    r"""D9: SGD with momentum, $v \leftarrow \omega v + \eta g,\ \theta \leftarrow \theta - v$.

    `numeric()(theta0, gradients, eta, omega)` returns the parameters after
    each step computed from the unrolled sums, which the tests compare with
    [SGD][fyslearn.optim.SGD].
    """
    steps, proofs, closed_form = _momentum_recurrence()
    proofs = [_minibatch_mean_is_unbiased(4, 2), _minibatch_mean_is_unbiased(5, 3), *proofs]
    return Derivation(
        name="sgd_momentum",
        title="SGD with momentum (D9)",
        summary=(
            "The mini-batch gradient is the mean over the batch and equals the full "
            r"gradient on average. Momentum accumulates past gradients with weights $\omega^k$; "
            r"along a direction of constant slope the step grows to $\eta g/(1 - \omega)$."
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
    r"""D10: the report's schedule $\eta(e) = \eta_0/(e\,n_b + 1)$, $n_b$ mini-batches per epoch.

    `numeric()(eta0, epoch, n_batches)` is the lambdified schedule, compared
    with [inverse_decay][fyslearn.optim.inverse_decay] by the tests.
    """
    eta0 = sp.Symbol(r"\eta_0", positive=True)
    e = sp.Symbol("e", integer=True, nonnegative=True)
    n_b = sp.Symbol("n_b", integer=True, positive=True)  # mini-batches per epoch
    rate = eta0 / (e * n_b + 1)
    n_b_report = 75  # batch 10 on 750 training points
    rate_report = rate.subs(n_b, n_b_report)
    rate_unit = rate_report.subs(eta0, 1)  # convergence does not depend on η₀ > 0
    steps = [
        Step("Learning rate in epoch $e$, $n_b$ mini-batches per epoch", rate, lhs=r"\eta(e)"),
        Step(
            "After the first epoch it has fallen by a factor $n_b + 1$",
            rate.subs(e, 1) / eta0,
            lhs=r"\eta(1)/\eta_0",
        ),
        Step(
            f"With the report's batch 10 on 750 points ($n_b = {n_b_report}$), epoch 99 runs at",
            rate_report.subs(e, 99) / eta0,
            lhs=r"\eta(99)/\eta_0",
        ),
    ]
    proofs = [
        Identity(
            r"Total step length over epochs diverges ($\sum_e \eta(e) = \infty$, $n_b = 75$)",
            _converges(sp.Sum(rate_unit, (e, 0, sp.oo))),
            sp.Integer(0),
            display=r"\sum_{e=0}^{\infty} \frac{\eta_0}{75 e + 1} = \infty",
        ),
        Identity(
            r"Sum of squared steps converges ($\sum_e \eta(e)^2 < \infty$, $n_b = 75$)",
            _converges(sp.Sum(rate_unit**2, (e, 0, sp.oo))),
            sp.Integer(1),
            display=r"\sum_{e=0}^{\infty} \frac{\eta_0^2}{(75 e + 1)^2} < \infty",
        ),
    ]
    return Derivation(
        name="learning_rate_decay",
        title="Learning-rate decay (D10)",
        summary=(
            r"$\eta(e) = \eta_0/(e\,n_b + 1)$ is constant within an epoch and drops by a "
            "factor $n_b + 1$ after the first one: with 75 mini-batches per epoch, every "
            "later epoch moves at most 1/76 as far as the first, which is why the report "
            "found decay slower."
        ),
        steps=steps,
        result=rate,
        proofs=proofs,
        numeric_factory=lambda: numeric_twin(
            sp.lambdify([eta0, e, n_b], rate, modules="numpy"),
            "learning_rate_decay_numeric",
            ["eta0", "epoch", "n_batches"],
            "The decayed rate $\\eta_0/(e\\,n_b + 1)$ (D10), lambdified.\n\n"
            "Args:\n    eta0: The initial rate $\\eta_0$.\n    epoch: The epoch $e$, from 0.\n"
            "    n_batches: Mini-batches per epoch $n_b$.\n\n"
            "Returns:\n    The rate (numbers or arrays broadcast together).",
        ),
        report_reference="D10",
    )


# -- adaptive optimizers -------------------------------------------------------------------


def _running_average(beta: sp.Basic, previous: sp.Basic, gradient: sp.Basic) -> sp.Basic:
    """One update of Adam's running averages: β·previous + (1 − β)·gradient."""
    return beta * previous + (1 - beta) * gradient


@functools.cache
def adam_bias_correction() -> Derivation:
    r"""Adam's bias correction: the weights of $m_t$ sum to $1 - \beta^t$, so $\hat m_t = g$.

    $m_t = \beta m_{t-1} + (1-\beta) g_t$ with $m_0 = 0$ is a weighted sum of the
    gradients whose weights add up to $1 - \beta^t$, not 1; dividing by that total
    gives $\hat m_t$, which equals $g$ for a constant gradient (and has the gradients'
    mean as its mean when they share one). The same holds for $v_t$ with $g^2$ and
    $\beta_2$.

    `numeric()(beta, t)` is the total weight $1 - \beta^t$; the tests compare
    $m_t$ and $v_t$ of [Adam][fyslearn.optim.Adam] under a constant gradient
    with it.
    """
    t = sp.Symbol("t", integer=True, positive=True)
    i = sp.Symbol("i", integer=True, positive=True)
    beta = sp.Symbol(r"\beta", positive=True)
    g = sp.Symbol("g", real=True)
    gradient = sp.IndexedBase("g")
    m = sp.Function("m")
    weights = sp.Sum((1 - beta) * beta ** (t - i), (i, 1, t))
    total_weight = weights.doit()
    constant_gradient = sp.rsolve(m(t) - _running_average(beta, m(t - 1), g), m(t), {m(0): 0})
    corrected = sp.simplify(constant_gradient / total_weight)
    n = 6  # the recursion unrolled by hand for six distinct gradients
    g_values = sp.symbols(f"g_1:{n + 1}", real=True)
    recursion = sp.Integer(0)
    for g_value in g_values:
        recursion = _running_average(beta, recursion, g_value)
    unrolled_n = sum((1 - beta) * beta ** (n - k) * g_values[k - 1] for k in range(1, n + 1))
    steps = [
        Step(
            r"Running average, $m_0 = 0$ (Adam's $m$ with $\beta = \beta_1$; its $v$ with "
            r"$\beta = \beta_2$ and $g^2$)",
            _running_average(beta, m(t - 1), gradient[t]),
            lhs=m(t),
        ),
        Step(
            "Unrolled: a weighted sum of the gradients",
            sp.Sum((1 - beta) * beta ** (t - i) * gradient[i], (i, 1, t)),
            lhs=m(t),
        ),
        Step(
            r"The weights add up to $1 - \beta^t$, not 1 (SymPy)",
            total_weight,
            lhs=sp.latex(weights),
        ),
        Step(
            r"So with $\beta_1 = 0.9$ the first average is a tenth of the gradient",
            _running_average(sp.Rational(9, 10), 0, g),
            lhs=r"m_1\big|_{\beta = 0.9}",
        ),
        Step("For a constant gradient $g$ (SymPy rsolve)", constant_gradient, lhs=m(t)),
        Step(
            "Divided by the total weight: the bias-corrected average is the gradient",
            corrected,
            lhs=r"\hat m_t = \frac{m_t}{1 - \beta^t}",
        ),
    ]
    proofs = [
        Identity(
            r"The weights sum to $1 - \beta^t$",
            total_weight,
            1 - beta**t,
            display=r"\sum_{i=1}^{t} (1 - \beta)\beta^{t-i} = 1 - \beta^t",
        ),
        Identity(
            f"The recursion run {n} times equals the unrolled sum",
            recursion,
            unrolled_n,
            display=rf"m_{n} = \sum_{{i=1}}^{{{n}}} (1 - \beta)\beta^{{{n}-i}} g_i",
        ),
        Identity(
            r"rsolve's solution for a constant gradient is $(1 - \beta^t)\,g$",
            constant_gradient,
            (1 - beta**t) * g,
        ),
        Identity(
            rf"At $t = {n}$, the unrolled sum of a constant gradient is $(1 - \beta^t)\,g$",
            unrolled_n.subs(dict.fromkeys(g_values, g)),
            (1 - beta**n) * g,
        ),
        Identity("The corrected average of a constant gradient is the gradient", corrected, g),
    ]
    return Derivation(
        name="adam_bias_correction",
        title="Adam's bias correction",
        summary=(
            "Adam's running averages start at zero, so after $t$ steps their weights add "
            r"up to $1 - \beta^t$ instead of 1: with $\beta_1 = 0.9$ the first $m$ is $g/10$ "
            r"and with $\beta_2 = 0.999$ the first $v$ is $g^2/1000$. Dividing by "
            r"$1 - \beta^t$ removes that bias: for a constant gradient the corrected "
            "averages are exactly $g$ and $g^2$."
        ),
        steps=steps,
        result=sp.Eq(sp.Symbol(r"\hat m_t"), corrected),
        proofs=proofs,
        numeric_factory=lambda: numeric_twin(
            sp.lambdify([beta, t], total_weight, modules="numpy"),
            "adam_bias_correction_numeric",
            ["beta", "t"],
            "The total weight $1 - \\beta^t$ of Adam's running average after $t$ steps.\n\n"
            "Args:\n    beta: The decay $\\beta$ (a number or an array).\n"
            "    t: The step, from 1 (broadcast with `beta`).\n\n"
            "Returns:\n    $1 - \\beta^t$, of the broadcast shape.",
        ),
    )


@functools.cache
def adam_first_step() -> Derivation:
    r"""Adam's first step, $-\eta g/(|g| + \epsilon)$: of length about $\eta$ at any scale of $g$.

    `numeric()(eta, g, epsilon)` is the displacement $\theta_1 - \theta_0$,
    compared with the first step of [Adam][fyslearn.optim.Adam] by the tests.
    """
    eta, epsilon, c = sp.symbols(r"\eta \epsilon c", positive=True)
    beta_1, beta_2 = sp.symbols(r"\beta_1 \beta_2", positive=True)
    g = sp.Symbol("g", real=True)
    g_positive = sp.Symbol("g", positive=True)
    m_1 = _running_average(beta_1, 0, g)
    v_1 = _running_average(beta_2, 0, g**2)
    m_hat, v_hat = sp.simplify(m_1 / (1 - beta_1)), sp.simplify(v_1 / (1 - beta_2))
    displacement = sp.simplify(-eta * m_hat / (sp.sqrt(v_hat) + epsilon))
    length = eta * sp.Abs(g) / (sp.Abs(g) + epsilon)
    scaled_length = length.subs(g, c * g)
    steps = [
        Step("From $m_0 = 0$", m_1, lhs=sp.Symbol("m_1")),
        Step("From $v_0 = 0$", v_1, lhs=sp.Symbol("v_1")),
        Step("Bias-corrected, $t = 1$", m_hat, lhs=r"\hat m_1 = \frac{m_1}{1 - \beta_1}"),
        Step("Bias-corrected, $t = 1$", v_hat, lhs=r"\hat v_1 = \frac{v_1}{1 - \beta_2}"),
        Step(
            "The first step",
            displacement,
            lhs=r"\theta_1 - \theta_0 = -\frac{\eta \hat m_1}{\sqrt{\hat v_1} + \epsilon}",
        ),
        Step("Its length", length, lhs=r"|\theta_1 - \theta_0|"),
        Step(
            "With the loss, hence $g$, multiplied by $c > 0$",
            scaled_length,
            lhs=r"|\theta_1 - \theta_0|_{g \to c g}",
        ),
        Step(
            r"It falls short of $\eta$ by less than $\eta\,\epsilon/|g|$",
            sp.simplify(eta - length),
            lhs=r"\eta - |\theta_1 - \theta_0|",
        ),
    ]
    proofs = [
        Identity("The corrected first moment is $g$", m_hat, g),
        Identity("The corrected second moment is $g^2$", v_hat, g**2),
        Identity(
            r"The first step is $-\eta g/(|g| + \epsilon)$",
            displacement,
            -eta * g / (sp.Abs(g) + epsilon),
        ),
        Identity(
            r"As $\epsilon/|g| \to 0$ the length tends to $\eta$",
            sp.limit(length.subs(g, g_positive), epsilon, 0),
            eta,
            display=r"\lim_{\epsilon \to 0} \frac{\eta |g|}{|g| + \epsilon} = \eta",
        ),
        Identity(
            r"Multiplying the loss by $c \to \infty$ leaves the length $\eta$",
            sp.limit(scaled_length.subs(g, g_positive), c, sp.oo),
            eta,
            display=r"\lim_{c \to \infty} \frac{\eta\, c |g|}{c |g| + \epsilon} = \eta",
        ),
        Identity(
            r"The shortfall is $\eta\,\epsilon/(|g| + \epsilon)$",
            eta - length,
            eta * epsilon / (sp.Abs(g) + epsilon),
        ),
    ]
    return Derivation(
        name="adam_first_step",
        title="Adam's first step",
        summary=(
            "At $t = 1$ the corrected moments are $g$ and $g^2$, so the first step is "
            r"$-\eta g/(|g| + \epsilon)$: of length $\eta$ up to a relative $\epsilon/|g|$, "
            r"whether the gradient is $10^{-6}$ or $10^6$. Unlike SGD, whose step is $\eta|g|$, "
            r"Adam's step length is set by $\eta$ alone; multiplying the loss by a constant "
            "does not change it."
        ),
        steps=steps,
        result=sp.Eq(sp.Symbol(r"\theta_{1} - \theta_{0}"), displacement),
        proofs=proofs,
        numeric_factory=lambda: numeric_twin(
            sp.lambdify([eta, g, epsilon], displacement, modules="numpy"),
            "adam_first_step_numeric",
            ["eta", "g", "epsilon"],
            "Adam's first displacement $\\theta_1 - \\theta_0 = -\\eta g/(|g| + \\epsilon)$.\n\n"
            "Args:\n    eta: The learning rate $\\eta$.\n    g: The gradient, any shape.\n"
            "    epsilon: $\\epsilon$ of the denominator.\n\n"
            "Returns:\n    The displacement, shape of `g`.",
        ),
    )


@functools.cache
def adagrad_constant_gradient() -> Derivation:
    r"""Adagrad under a constant gradient: $G_t = t g^2$ and a step shrinking as $\eta/\sqrt{t}$.

    `numeric()(eta, g, epsilon, t)` is the displacement of step $t$,
    $-\eta g/(\sqrt{t}|g| + \epsilon)$, compared with
    [Adagrad][fyslearn.optim.Adagrad] by the tests.
    """
    t = sp.Symbol("t", integer=True, positive=True)
    eta, epsilon = sp.symbols(r"\eta \epsilon", positive=True)
    g = sp.Symbol("g", real=True)
    g_positive = sp.Symbol("g", positive=True)
    G = sp.Function("G")
    gradient = sp.IndexedBase("g")
    squared_sum = sp.rsolve(G(t) - G(t - 1) - g**2, G(t), {G(0): 0})
    displacement = sp.simplify(-eta * g / (sp.sqrt(squared_sum) + epsilon))
    without_epsilon = sp.limit(displacement.subs(g, g_positive), epsilon, 0)
    first_without_epsilon = without_epsilon.subs(t, 1)
    steps = [
        Step("Sum of squared gradients, $G_0 = 0$", G(t - 1) + gradient[t] ** 2, lhs=G(t)),
        Step("For a constant gradient $g$ (SymPy rsolve)", squared_sum, lhs=G(t)),
        Step(
            "Step $t$",
            displacement,
            lhs=r"\theta_t - \theta_{t-1} = -\frac{\eta g}{\sqrt{G_t} + \epsilon}",
        ),
        Step(
            r"For $g > 0$ and $\epsilon \to 0$",
            without_epsilon,
            lhs=r"\theta_t - \theta_{t-1}",
        ),
        Step(
            "So after 100 steps the step is a tenth of the first",
            (without_epsilon / first_without_epsilon).subs(t, 100),
            lhs=r"\frac{\theta_{100} - \theta_{99}}{\theta_1 - \theta_0}",
        ),
    ]
    proofs = [
        Identity("rsolve's solution is $t g^2$", squared_sum, t * g**2),
        Identity(
            "Five additions of $g^2$ give $5 g^2$",
            functools.reduce(lambda total, _: total + g**2, range(5), sp.Integer(0)),
            squared_sum.subs(t, 5),
        ),
        Identity(
            r"Step $t$ is $-\eta g/(\sqrt{t}\,|g| + \epsilon)$",
            displacement,
            -eta * g / (sp.sqrt(t) * sp.Abs(g) + epsilon),
        ),
        Identity(
            r"Without $\epsilon$, step $t$ is the first divided by $\sqrt{t}$",
            without_epsilon / first_without_epsilon,
            1 / sp.sqrt(t),
        ),
        Identity(
            "The steps still add up to infinity: Adagrad slows down but does not stop",
            _converges(sp.Sum(1 / sp.sqrt(t), (t, 1, sp.oo))),
            sp.Integer(0),
            display=r"\sum_{t=1}^{\infty} \frac{\eta}{\sqrt{t}} = \infty",
        ),
    ]
    return Derivation(
        name="adagrad_constant_gradient",
        title="Adagrad's shrinking step",
        summary=(
            "Adagrad divides by the root of the sum of all squared gradients. Under a "
            "constant gradient that sum is $t g^2$, so step $t$ has length "
            r"$\eta/\sqrt{t}$ (up to $\epsilon$): a built-in decay like the invscaling "
            "schedule with power $p = 1/2$, but per "
            "step and per parameter. The steps still sum to infinity, so Adagrad slows "
            "down without stopping."
        ),
        steps=steps,
        result=sp.Eq(sp.Symbol(r"\theta_t - \theta_{t-1}"), displacement),
        proofs=proofs,
        numeric_factory=lambda: numeric_twin(
            sp.lambdify([eta, g, epsilon, t], displacement, modules="numpy"),
            "adagrad_constant_gradient_numeric",
            ["eta", "g", "epsilon", "t"],
            "Adagrad's displacement at step $t$ under a constant gradient $g$.\n\n"
            "Args:\n    eta: The learning rate $\\eta$.\n    g: The gradient, any shape.\n"
            "    epsilon: $\\epsilon$ of the denominator.\n    t: The step, from 1.\n\n"
            "Returns:\n    The displacement, shape of `g`.",
        ),
    )

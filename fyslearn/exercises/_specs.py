"""What each exercise is graded on: its inputs, its SymPy reference, its cost and known slips.

Everything here is plain numpy except the references, which evaluate the
numeric twins of [fyslearn.derivations][fyslearn.derivations] (and import
SymPy only when called). The inputs of each exercise are random and edge
inputs: zeros, negative numbers and large numbers.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["EXERCISES", "BadOutput", "Case", "Exercise", "Mistake", "as_arrays"]


class BadOutput(Exception):
    """The student's function returned something that is not what the exercise asks for."""


@dataclass(frozen=True)
class Case:
    """One input of an exercise: a label (`"random"`, `"zero"`, ...) and the arguments."""

    label: str
    inputs: tuple


@dataclass(frozen=True)
class Mistake:
    """A known slip: a function with the exercise's signature, and the hint that names it."""

    hint: str
    function: Callable


@dataclass(frozen=True)
class Exercise:
    """One graded exercise.

    Attributes:
        name: The exercise's name, which is also its function's name.
        title: What the student writes.
        derivation: The name of its derivation in [fyslearn.derivations][fyslearn.derivations].
        page: Its derivation page, as a path in the documentation site (`derivations/...md`).
        outputs: The names of the arrays the function returns (one or more).
        cases: `cases(rng)`: the inputs, random and edge.
        reference: `reference(case)`: the expected arrays, from SymPy's numeric twin.
        run: `run(function, case)`: the arrays the function gives for a case
            (calls it once, or several steps for an optimizer).
        cost: `cost(case)`: for a gradient, `(C, params)`: the cost as a function
            of a list of arrays, and those arrays at the case, whose gradients are
            the outputs in order; `None` when the exercise is not a gradient.
        mistakes: Known slips the grader recognises by their values.
        stability_hint: What to do when large inputs give NaN, infinity or a warning.
        n_samples: `n_samples(case)`: the batch size, for the mean-vs-sum hint.
    """

    name: str
    title: str
    derivation: str
    page: str
    outputs: tuple[str, ...]
    cases: Callable[[np.random.Generator], list[Case]]
    reference: Callable[[Case], list[np.ndarray]]
    run: Callable[[Callable, Case], list[np.ndarray]]
    cost: Callable[[Case], tuple[Callable, list[np.ndarray]]] | None = None
    mistakes: tuple[Mistake, ...] = ()
    stability_hint: str = ""
    n_samples: Callable[[Case], int | None] = lambda case: None


def as_arrays(result: object, names: Sequence[str]) -> list[np.ndarray]:
    """The function's result as float arrays, one per name; `BadOutput` saying what is wrong."""
    if len(names) > 1:
        if not isinstance(result, (tuple, list)):
            raise BadOutput(
                f"returned a {type(result).__name__}, expected {len(names)} arrays "
                f"({', '.join(names)})"
            )
        if len(result) != len(names):
            raise BadOutput(
                f"returned {len(result)} values, expected {len(names)} ({', '.join(names)})"
            )
        values = list(result)
    else:
        values = [result]
    arrays = []
    for name, value in zip(names, values, strict=True):
        if value is None:
            raise BadOutput(f"returned None for {name} (a missing return?)")
        if not isinstance(value, (np.ndarray, np.generic, float, int, bool, list, tuple)):
            raise BadOutput(f"returned a {type(value).__name__} for {name}, expected an array")
        try:
            array = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise BadOutput(f"returned {name} that is not an array of numbers") from None
        arrays.append(array)
    return arrays


def _once(names: Sequence[str]) -> Callable[[Callable, Case], list[np.ndarray]]:
    def run(function: Callable, case: Case) -> list[np.ndarray]:
        inputs = tuple(np.copy(x) if isinstance(x, np.ndarray) else x for x in case.inputs)
        return as_arrays(function(*inputs), names)

    return run


def _quiet(function: Callable, *args):
    """A reference evaluated without warnings (a lambdified exp overflows to the right limit)."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args)


@functools.cache
def _twin(name: str) -> Callable:
    """The numeric twin of derivation `name` (D1, D2: without building the proofs)."""
    from .. import derivations
    from ..derivations import regression

    direct = {
        "mse_gradient": regression.numeric_mse_gradient,
        "ridge_gradient": regression.numeric_ridge_gradient,
    }
    return direct[name] if name in direct else getattr(derivations, name)().numeric()


# -- regression: D1, D2 ------------------------------------------------------------------------


def _regression_cases(rng: np.random.Generator, with_alpha: bool) -> list[Case]:
    n, p = 10, 3
    X, y, beta = rng.normal(size=(n, p)), rng.normal(size=n), rng.normal(size=p)
    alpha = [0.3] if with_alpha else []
    return [
        Case("random", (X, y, beta, *alpha)),
        Case("zero", (X, np.zeros(n), np.zeros(p), *alpha)),
        Case("negative", (-np.abs(X), -np.abs(y), -np.abs(beta), *alpha)),
        Case("large", (1e3 * X, 1e4 * y, 10 * beta, *[1e2] * len(alpha))),
    ]


def _regression_cost(case: Case):
    X, y, beta, *alpha = case.inputs
    penalty = alpha[0] if alpha else 0.0

    def cost(params: list[np.ndarray]) -> float:
        residual = y - X @ params[0]
        return float(residual @ residual / len(y) + penalty * params[0] @ params[0])

    return cost, [beta]


def _mse_no_mean_of_square(X, y, beta):
    # d/dβ of (1/n)(Σ_i y_i − Σ_ij x_ij β_j)²
    return 2 / len(y) * X.sum(axis=0) * (X @ beta - y).sum()


MSE_GRADIENT = Exercise(
    name="mse_gradient",
    title="Gradient of the mean squared error",
    derivation="mse_gradient",
    page="derivations/regression.md",
    outputs=("gradient",),
    cases=lambda rng: _regression_cases(rng, with_alpha=False),
    reference=lambda case: [np.asarray(_twin("mse_gradient")(*case.inputs))],
    run=_once(("gradient",)),
    cost=_regression_cost,
    mistakes=(
        Mistake(
            "you differentiated the report's misprinted cost, the square of the summed "
            "residual; the MSE is the mean of squared residuals (see the erratum of D1).",
            _mse_no_mean_of_square,
        ),
    ),
    n_samples=lambda case: len(case.inputs[1]),
)


def _ridge_penalty_without_2(X, y, beta, alpha):
    return 2 / len(y) * X.T @ (X @ beta - y) + alpha * beta


def _ridge_without_penalty(X, y, beta, alpha):
    return 2 / len(y) * X.T @ (X @ beta - y)


def _ridge_penalty_over_n(X, y, beta, alpha):
    return 2 / len(y) * (X.T @ (X @ beta - y) + alpha * beta)


RIDGE_GRADIENT = Exercise(
    name="ridge_gradient",
    title="Gradient of the Ridge cost",
    derivation="ridge_gradient",
    page="derivations/regression.md",
    outputs=("gradient",),
    cases=lambda rng: _regression_cases(rng, with_alpha=True),
    reference=lambda case: [np.asarray(_twin("ridge_gradient")(*case.inputs))],
    run=_once(("gradient",)),
    cost=_regression_cost,
    mistakes=(
        Mistake(
            "the penalty λΣβ² has the gradient 2λβ, not λβ: its factor 2 is missing.",
            _ridge_penalty_without_2,
        ),
        Mistake(
            "the penalty's gradient 2λβ is missing: that is the MSE's gradient alone.",
            _ridge_without_penalty,
        ),
        Mistake(
            "the penalty λΣβ² is not divided by n: its gradient is 2λβ, outside the 2/n of "
            "the data term.",
            _ridge_penalty_over_n,
        ),
    ),
    n_samples=lambda case: len(case.inputs[1]),
)


# -- activations: D8 ---------------------------------------------------------------------------


def _z_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case("random", (rng.normal(size=(4, 5)),)),
        Case("zero", (np.zeros(6),)),
        Case("negative", (-np.abs(rng.normal(size=7)) - 0.1,)),
        Case("large", (np.array([-1000.0, -50.0, -3.5, 3.5, 50.0, 1000.0]),)),
    ]


def _elementwise_cost(function: Callable) -> Callable:
    def cost_of(case: Case):
        return (lambda params: float(np.sum(function(params[0])))), [case.inputs[0]]

    return cost_of


def _sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def _activation_reference(name: str) -> Callable:
    def reference(case: Case) -> list[np.ndarray]:
        z = case.inputs[0]
        return [np.broadcast_to(np.asarray(_quiet(_twin(name), z), dtype=float), z.shape)]

    return reference


def _sigmoid_of_z_taken_as_a(z):
    return z * (1 - z)


def _sigmoid_itself(z):
    return _sigmoid(z)


def _tanh_form(z):
    return 1 - _sigmoid(z) ** 2


SIGMOID_DERIVATIVE = Exercise(
    name="sigmoid_derivative",
    title="Derivative of the sigmoid",
    derivation="sigmoid_derivative",
    page="derivations/activations.md",
    outputs=("slope",),
    cases=_z_cases,
    reference=_activation_reference("sigmoid_derivative"),
    run=_once(("slope",)),
    cost=_elementwise_cost(_sigmoid),
    mistakes=(
        Mistake(
            "you computed z(1 − z): σ′(z) = a(1 − a) holds for a = σ(z), the activation, "
            "not for z; compute a = σ(z) first (σ′(z) vs σ′(a)).",
            _sigmoid_of_z_taken_as_a,
        ),
        Mistake("you returned σ(z) itself: the slope is σ(z)(1 − σ(z)).", _sigmoid_itself),
        Mistake(
            "you computed 1 − σ², the form of tanh′ = 1 − tanh²; the sigmoid's is σ(1 − σ).",
            _tanh_form,
        ),
    ),
    stability_hint=(
        "compute σ(z) without overflow: e = exp(−|z|), σ = 1/(1 + e) for z ≥ 0 and "
        "e/(1 + e) for z < 0 (or scipy.special.expit)."
    ),
)


def _relu_slope_one_at_zero(z):
    return np.where(z >= 0, 1.0, 0.0)


def _relu_itself(z):
    return np.maximum(z, 0.0)


def _relu_sign(z):
    return np.sign(z)


RELU_DERIVATIVE = Exercise(
    name="relu_derivative",
    title="Derivative of ReLU",
    derivation="relu_derivative",
    page="derivations/activations.md",
    outputs=("slope",),
    cases=_z_cases,
    reference=_activation_reference("relu_derivative"),
    run=_once(("slope",)),
    cost=_elementwise_cost(lambda z: np.maximum(z, 0.0)),
    mistakes=(
        Mistake(
            "at the kink z = 0 fyslearn uses the slope 0, the left derivative (z > 0, not z ≥ 0).",
            _relu_slope_one_at_zero,
        ),
        Mistake("you returned ReLU itself, max(0, z); its slope is 1 or 0.", _relu_itself),
        Mistake(
            "you returned sign(z): for z < 0 ReLU is flat, its slope is 0, not −1.", _relu_sign
        ),
    ),
)

LEAKY_SLOPE = 0.01


def _leaky_slope_one_at_zero(z):
    return np.where(z >= 0, 1.0, LEAKY_SLOPE)


def _leaky_as_relu(z):
    return np.where(z > 0, 1.0, 0.0)


def _leaky_times_z(z):
    return np.where(z > 0, 1.0, LEAKY_SLOPE * z)


LEAKY_RELU_DERIVATIVE = Exercise(
    name="leaky_relu_derivative",
    title="Derivative of leaky ReLU",
    derivation="leaky_relu_derivative",
    page="derivations/activations.md",
    outputs=("slope",),
    cases=_z_cases,
    reference=_activation_reference("leaky_relu_derivative"),
    run=_once(("slope",)),
    cost=_elementwise_cost(lambda z: np.where(z > 0, z, LEAKY_SLOPE * z)),
    mistakes=(
        Mistake(
            "at the kink z = 0 fyslearn uses the negative slope s = 0.01 (z > 0, not z ≥ 0).",
            _leaky_slope_one_at_zero,
        ),
        Mistake(
            "for z < 0 the slope is s = 0.01, not 0: that is ReLU's derivative.", _leaky_as_relu
        ),
        Mistake(
            "for z < 0 you returned s·z, the function; its slope there is the constant s.",
            _leaky_times_z,
        ),
    ),
)


# -- output errors: D7 and binary cross-entropy ---------------------------------------------


def _softmax_cases(rng: np.random.Generator) -> list[Case]:
    n, K = 5, 4

    def one_hot(count: int) -> np.ndarray:
        return np.eye(K)[rng.integers(0, K, size=count)]

    z = rng.normal(size=(n, K))
    return [
        Case("random", (z, one_hot(n))),
        Case("zero", (np.zeros((n, K)), one_hot(n))),
        Case("negative", (-np.abs(z) - 1, one_hot(n))),
        Case("large", (1000 * z, one_hot(n))),
    ]


def _softmax_reference(case: Case) -> list[np.ndarray]:
    z, y = case.inputs
    delta = _twin("softmax_cross_entropy_delta")
    # SymPy's twin is of one sample and not written for overflow: shift each row (δ is
    # unchanged by adding a constant to z, a fact the twin's own proofs imply)
    shifted = z - z.max(axis=1, keepdims=True)
    return [np.array([_quiet(delta, row, target) for row, target in zip(shifted, y, strict=True)])]


def _log_softmax(z):
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _softmax(z):
    return np.exp(_log_softmax(z))


def _softmax_cost(case: Case):
    z, y = case.inputs
    return (lambda params: float(-np.sum(y * _log_softmax(params[0])))), [z]


def _softmax_over_the_batch(z, y):
    shifted = z - z.max(axis=0, keepdims=True)
    return np.exp(shifted) / np.exp(shifted).sum(axis=0, keepdims=True) - y


def _z_minus_y(z, y):
    return z - y


def _softmax_times_jacobian_diagonal(z, y):
    a = _softmax(z)
    return (a - y) * a * (1 - a)


SOFTMAX_CROSS_ENTROPY_DELTA = Exercise(
    name="softmax_cross_entropy_delta",
    title="Output error of softmax with cross-entropy",
    derivation="softmax_cross_entropy_delta",
    page="derivations/softmax.md",
    outputs=("delta",),
    cases=_softmax_cases,
    reference=_softmax_reference,
    run=_once(("delta",)),
    cost=_softmax_cost,
    mistakes=(
        Mistake(
            "your softmax normalises over the batch (axis 0); each sample's softmax runs over "
            "its classes (axis=1).",
            _softmax_over_the_batch,
        ),
        Mistake("you returned z − y: δ = a − y with a = softmax(z).", _z_minus_y),
        Mistake(
            "you multiplied by a(1 − a), the diagonal of the softmax Jacobian: through the full "
            "Jacobian the cross-entropy's 1/a cancels and δ = a − y (D7).",
            _softmax_times_jacobian_diagonal,
        ),
    ),
    stability_hint=(
        "exp(z) overflows for large z: subtract each row's largest z before exp, "
        "softmax(z) = softmax(z − max z)."
    ),
    n_samples=lambda case: len(case.inputs[0]),
)


def _binary_cases(rng: np.random.Generator) -> list[Case]:
    n = 8
    y = rng.integers(0, 2, size=n).astype(float)
    z = rng.normal(size=n)
    return [
        Case("random", (z, y)),
        Case("zero", (np.zeros(n), y)),
        Case("negative", (-np.abs(z) - 0.5, y)),
        Case("large", (np.array([-1000.0, 1000.0, -40.0, 40.0, -800.0, 800.0, 3.0, -3.0]), y)),
    ]


def _binary_reference(case: Case) -> list[np.ndarray]:
    z, y = case.inputs
    return [np.asarray(_quiet(_twin("sigmoid_binary_cross_entropy_delta"), z, y), dtype=float)]


def _binary_cost(case: Case):
    z, y = case.inputs

    def cost(params: list[np.ndarray]) -> float:
        s = params[0]
        # −(y ln σ(s) + (1 − y) ln(1 − σ(s))) = log(1 + e^s) − y s, without overflow
        return float(np.sum(np.logaddexp(0, s) - y * s))

    return cost, [z]


def _binary_times_slope(z, y):
    a = _sigmoid(z)
    return (a - y) * a * (1 - a)


def _binary_over_a(z, y):
    a = _sigmoid(z)
    return (a - y) / np.maximum(a * (1 - a), 1e-300)


SIGMOID_BINARY_CROSS_ENTROPY_DELTA = Exercise(
    name="sigmoid_binary_cross_entropy_delta",
    title="Output error of a sigmoid with binary cross-entropy",
    derivation="sigmoid_binary_cross_entropy_delta",
    page="derivations/softmax.md",
    outputs=("delta",),
    cases=_binary_cases,
    reference=_binary_reference,
    run=_once(("delta",)),
    cost=_binary_cost,
    mistakes=(
        Mistake(
            "you multiplied a − y by σ′(z) = a(1 − a) once more: it already cancelled the "
            "1/(a(1 − a)) of ∂C/∂a, and δ = ∂C/∂a · σ′(z) = a − y.",
            _binary_times_slope,
        ),
        Mistake("you returned z − y: δ = a − y with a = σ(z).", _z_minus_y),
        Mistake(
            "you returned ∂C/∂a = (a − y)/(a(1 − a)), the derivative by a; δ is by z: "
            "multiply by σ′(z) = a(1 − a).",
            _binary_over_a,
        ),
    ),
    stability_hint=(
        "compute σ(z) without overflow: e = exp(−|z|), σ = 1/(1 + e) for z ≥ 0 and "
        "e/(1 + e) for z < 0."
    ),
)


# -- backpropagation: D3–D5 --------------------------------------------------------------------

NETWORK = (2, 3, 2)
"""(inputs, hidden units, outputs): the network of SymPy's numeric twin."""
GRADIENTS = ("dW1", "db1", "dW2", "db2")


def _network_cases(rng: np.random.Generator) -> list[Case]:
    n_in, n_hidden, n_out = NETWORK
    n = 5

    def parameters(scale: float = 1.0) -> tuple[np.ndarray, ...]:
        return (
            scale * rng.normal(size=(n_in, n_hidden)),
            scale * rng.normal(size=n_hidden),
            scale * rng.normal(size=(n_hidden, n_out)),
            scale * rng.normal(size=n_out),
        )

    X, Y = rng.normal(size=(n, n_in)), rng.normal(size=(n, n_out))
    return [
        Case("random", (X, Y, *parameters())),
        Case("zero", (np.zeros((n, n_in)), Y, *parameters())),
        Case("negative", (-np.abs(X), -np.abs(Y), *(-np.abs(p) for p in parameters()))),
        Case("large", (20 * X, 100 * Y, *parameters(3.0))),
    ]


def _network_reference(case: Case) -> list[np.ndarray]:
    X, Y, *weights = case.inputs
    per_sample = _twin("backpropagation")
    gradients = [per_sample(x, y, *weights) for x, y in zip(X, Y, strict=True)]
    # the twin differentiates one sample's Σ_k (y_k − a_k)²; the cost is their mean
    return [np.mean([g[k] for g in gradients], axis=0) for k in range(4)]


def _network_cost(case: Case):
    X, Y, *weights = case.inputs

    def cost(params: list[np.ndarray]) -> float:
        W1, b1, W2, b2 = params
        a2 = _sigmoid(X @ W1 + b1) @ W2 + b2
        return float(np.sum((a2 - Y) ** 2) / len(X))

    return cost, list(weights)


def _backprop_sigma_prime_of_a(X, Y, W1, b1, W2, b2):
    n = len(X)
    a1 = _sigmoid(X @ W1 + b1)
    delta2 = 2 / n * (a1 @ W2 + b2 - Y)
    s = _sigmoid(a1)
    delta1 = (delta2 @ W2.T) * s * (1 - s)
    return X.T @ delta1, delta1.sum(axis=0), a1.T @ delta2, delta2.sum(axis=0)


def _backprop_without_sigma_prime(X, Y, W1, b1, W2, b2):
    n = len(X)
    a1 = _sigmoid(X @ W1 + b1)
    delta2 = 2 / n * (a1 @ W2 + b2 - Y)
    delta1 = delta2 @ W2.T
    return X.T @ delta1, delta1.sum(axis=0), a1.T @ delta2, delta2.sum(axis=0)


BACKPROPAGATION = Exercise(
    name="backpropagation",
    title="Backpropagation through one hidden layer",
    derivation="backpropagation",
    page="derivations/backpropagation.md",
    outputs=GRADIENTS,
    cases=_network_cases,
    reference=_network_reference,
    run=_once(GRADIENTS),
    cost=_network_cost,
    mistakes=(
        Mistake(
            "σ′ is taken of a¹ (σ(a¹)(1 − σ(a¹))); the slope in δ¹ = (δ² (W²)ᵀ) ⊙ σ′(z¹) is of "
            "z¹: σ′(z¹) = a¹(1 − a¹) (σ′(z) vs σ′(a)).",
            _backprop_sigma_prime_of_a,
        ),
        Mistake(
            "δ¹ lacks the factor σ′(z¹): δ¹ = (δ² (W²)ᵀ) ⊙ σ′(z¹) (D4).",
            _backprop_without_sigma_prime,
        ),
    ),
    n_samples=lambda case: len(case.inputs[0]),
)


# -- optimizers: D9 and Adam -------------------------------------------------------------------


def _momentum_cases(rng: np.random.Generator) -> list[Case]:
    steps, p = 5, 3
    g = rng.normal(size=(steps, p))
    theta = rng.normal(size=p)
    return [
        Case("random", (theta, g, 0.1, 0.9)),
        Case("zero", (theta, np.zeros((steps, p)), 0.1, 0.9)),
        Case("negative", (-np.abs(theta), -np.abs(g), 0.05, 0.5)),
        Case("large", (theta, 1e6 * g, 1e-3, 0.99)),
    ]


def _momentum_run(function: Callable, case: Case) -> list[np.ndarray]:
    theta, gradients, eta, omega = case.inputs
    velocity = np.zeros_like(theta)
    thetas = []
    for g in gradients:
        theta, velocity = as_arrays(
            function(theta.copy(), velocity.copy(), g.copy(), eta, omega), ("theta", "velocity")
        )
        for name, array in (("theta", theta), ("velocity", velocity)):
            if array.shape != g.shape:
                raise BadOutput(f"returned {name} of shape {array.shape}, expected {g.shape}")
        thetas.append(theta)
    return [np.array(thetas)]


def _momentum_reference(case: Case) -> list[np.ndarray]:
    theta, gradients, eta, omega = case.inputs
    return [np.asarray(_twin("sgd_momentum")(theta, gradients, eta, omega))]


def _momentum_old_velocity(theta, velocity, gradient, eta, omega):
    return theta - velocity, omega * velocity + eta * gradient


def _momentum_plus(theta, velocity, gradient, eta, omega):
    velocity = omega * velocity + eta * gradient
    return theta + velocity, velocity


def _momentum_average(theta, velocity, gradient, eta, omega):
    velocity = omega * velocity + (1 - omega) * eta * gradient
    return theta - velocity, velocity


def _momentum_swapped(theta, velocity, gradient, eta, omega):
    velocity = eta * velocity + omega * gradient
    return theta - velocity, velocity


SGD_MOMENTUM_STEP = Exercise(
    name="sgd_momentum_step",
    title="One step of SGD with momentum",
    derivation="sgd_momentum",
    page="derivations/sgd.md",
    outputs=("theta",),
    cases=_momentum_cases,
    reference=_momentum_reference,
    run=_momentum_run,
    mistakes=(
        Mistake(
            "θ moved by the old velocity: update v ← ωv + ηg first, then θ ← θ − v with the "
            "new v (D9).",
            _momentum_old_velocity,
        ),
        Mistake("θ moved up the gradient: the step is θ ← θ − v.", _momentum_plus),
        Mistake(
            "you averaged, v ← ωv + (1 − ω)ηg (Adam's running mean); momentum (D9) adds the "
            "full step: v ← ωv + ηg.",
            _momentum_average,
        ),
        Mistake("η and ω are swapped: v ← ωv + ηg.", _momentum_swapped),
    ),
)


ADAM_STEPS = 4


def _adam_cases(rng: np.random.Generator) -> list[Case]:
    p = 3
    g = rng.normal(size=p)
    theta = rng.normal(size=p)
    settings = (1e-3, 0.9, 0.999, 1e-8)
    return [
        Case("random", (theta, g, 0.01, 0.8, 0.99, 1e-8)),
        Case("zero", (theta, np.zeros(p), *settings)),
        Case("negative", (-np.abs(theta), -np.abs(g), *settings)),
        Case("large", (theta, 1e6 * g, *settings)),
        Case("small", (theta, 1e-7 * g, *settings)),
    ]


def _adam_run(function: Callable, case: Case) -> list[np.ndarray]:
    theta, g, eta, beta1, beta2, epsilon = case.inputs
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    thetas, ms, vs = [], [], []
    for t in range(1, ADAM_STEPS + 1):
        theta, m, v = as_arrays(
            function(theta.copy(), m.copy(), v.copy(), g.copy(), t, eta, beta1, beta2, epsilon),
            ("theta", "m", "v"),
        )
        for name, array in (("theta", theta), ("m", m), ("v", v)):
            if array.shape != g.shape:
                raise BadOutput(f"returned {name} of shape {array.shape}, expected {g.shape}")
        thetas.append(theta)
        ms.append(m)
        vs.append(v)
    return [np.array(thetas), np.array(ms), np.array(vs)]


def _adam_reference(case: Case) -> list[np.ndarray]:
    theta, g, eta, beta1, beta2, epsilon = case.inputs
    first_step = _twin("adam_first_step")
    total_weight = _twin("adam_bias_correction")  # 1 − βᵗ, the weight on a constant gradient
    t = np.arange(1, ADAM_STEPS + 1)[:, None]
    # a constant gradient: m̂ = g and v̂ = g² at every step, so each step is the first one
    thetas = theta + t * np.asarray(first_step(eta, g, epsilon), dtype=float)
    ms = total_weight(beta1, t) * g
    vs = total_weight(beta2, t) * g**2
    return [thetas, np.asarray(ms, dtype=float), np.asarray(vs, dtype=float)]


def _adam_without_correction(theta, m, v, gradient, t, eta, beta1, beta2, epsilon):
    m = beta1 * m + (1 - beta1) * gradient
    v = beta2 * v + (1 - beta2) * gradient**2
    return theta - eta * m / (np.sqrt(v) + epsilon), m, v


def _adam_epsilon_inside(theta, m, v, gradient, t, eta, beta1, beta2, epsilon):
    m = beta1 * m + (1 - beta1) * gradient
    v = beta2 * v + (1 - beta2) * gradient**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - eta * m_hat / np.sqrt(v_hat + epsilon), m, v


def _adam_without_one_minus_beta(theta, m, v, gradient, t, eta, beta1, beta2, epsilon):
    m = beta1 * m + gradient
    v = beta2 * v + gradient**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - eta * m_hat / (np.sqrt(v_hat) + epsilon), m, v


def _adam_step_from_zero(theta, m, v, gradient, t, eta, beta1, beta2, epsilon):
    m = beta1 * m + (1 - beta1) * gradient
    v = beta2 * v + (1 - beta2) * gradient**2
    m_hat, v_hat = m / (1 - beta1 ** (t + 1)), v / (1 - beta2 ** (t + 1))
    return theta - eta * m_hat / (np.sqrt(v_hat) + epsilon), m, v


ADAM_STEP = Exercise(
    name="adam_step",
    title="One step of Adam",
    derivation="adam_first_step",
    page="derivations/sgd.md",
    outputs=("theta", "m", "v"),
    cases=_adam_cases,
    reference=_adam_reference,
    run=_adam_run,
    mistakes=(
        Mistake(
            "the bias correction is missing: divide m by 1 − β₁ᵗ and v by 1 − β₂ᵗ before the step.",
            _adam_without_correction,
        ),
        Mistake(
            "ε is inside the square root: the step is ηm̂/(√v̂ + ε), not ηm̂/√(v̂ + ε).",
            _adam_epsilon_inside,
        ),
        Mistake(
            "the moments lack the factors 1 − β: m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g².",
            _adam_without_one_minus_beta,
        ),
        Mistake(
            "the bias correction uses t + 1: the first step is t = 1, corrected by 1 − β¹.",
            _adam_step_from_zero,
        ),
    ),
)


# -- the L1 penalty --------------------------------------------------------------------------


def _l1_cases(rng: np.random.Generator) -> list[Case]:
    w = rng.normal(size=(3, 4))
    return [
        Case("random", (w, 0.3)),
        Case("zero", (np.array([0.0, 0.0, 1.5, -2.0]), 0.5)),
        Case("negative", (-np.abs(w), 0.2)),
        Case("large", (1e8 * w, 1e3)),
    ]


def _l1_reference(case: Case) -> list[np.ndarray]:
    w, alpha = case.inputs
    return [np.asarray(_twin("l1_subgradient")(w, alpha), dtype=float)]


def _l1_cost(case: Case):
    w, alpha = case.inputs
    return (lambda params: float(alpha * np.sum(np.abs(params[0])))), [w]


def _l1_as_l2(w, alpha):
    return 2 * alpha * w


def _l1_one_at_zero(w, alpha):
    return alpha * np.where(w >= 0, 1.0, -1.0)


def _l1_penalty_itself(w, alpha):
    return alpha * np.abs(w)


L1_SUBGRADIENT = Exercise(
    name="l1_subgradient",
    title="Subgradient of the L1 penalty",
    derivation="l1_subgradient",
    page="exercises.md#l1_subgradient",
    outputs=("subgradient",),
    cases=_l1_cases,
    reference=_l1_reference,
    run=_once(("subgradient",)),
    cost=_l1_cost,
    mistakes=(
        Mistake(
            "you returned 2αw, the gradient of the L2 penalty αw²; L1's is α·sign(w).", _l1_as_l2
        ),
        Mistake(
            "at w = 0 fyslearn takes sign(0) = 0 (a subgradient that keeps a zero weight at "
            "zero), not +α or −α.",
            _l1_one_at_zero,
        ),
        Mistake("you returned the penalty α|w|; its slope is α·sign(w).", _l1_penalty_itself),
    ),
)


EXERCISES: dict[str, Exercise] = {
    exercise.name: exercise
    for exercise in (
        MSE_GRADIENT,
        RIDGE_GRADIENT,
        SIGMOID_DERIVATIVE,
        RELU_DERIVATIVE,
        LEAKY_RELU_DERIVATIVE,
        SOFTMAX_CROSS_ENTROPY_DELTA,
        SIGMOID_BINARY_CROSS_ENTROPY_DELTA,
        BACKPROPAGATION,
        SGD_MOMENTUM_STEP,
        ADAM_STEP,
        L1_SUBGRADIENT,
    )
}
"""Every exercise, in teaching order."""

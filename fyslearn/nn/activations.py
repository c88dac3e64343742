r"""Activation functions, each with its derivative beside it (the report's Table 1, D8).

Every activation is a small object with `__call__(z)` for the value
$\sigma(z)$ and `derivative(z, a)` for $\sigma'(z)$, both element-wise
(softmax aside), side by side in each class. Backpropagation multiplies by
`derivative` in every hidden layer (D4); at the output it calls
`backward(z, a, grad)`, which turns $\partial C/\partial a$ into
$\partial C/\partial z$: `grad * derivative(z, a)` for element-wise
activations (D3), and the vector-Jacobian product for softmax, whose
outputs are coupled. Both are built on `derivative`, so the derivative
that SymPy checks (the [derivation pages](../derivations/activations.md)) is
the one training runs.

The derivative at the kink of ReLU and leaky ReLU ($z = 0$) is not
defined; fyslearn uses the left derivative (0 for ReLU, the negative slope
for leaky ReLU), as scikit-learn and PyTorch do.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "LeakyReLU",
    "Linear",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "Tanh",
]


class Activation:
    r"""An element-wise activation $\sigma$: its value and its derivative, side by side.

    Subclasses define `__call__` ($\sigma(z)$) and `derivative` ($\sigma'(z)$);
    [`backward`][fyslearn.nn.activations.Activation.backward] is built on
    `derivative`, so the formula SymPy checks is the one training runs.
    """

    name: str = ""

    def __call__(self, z: np.ndarray) -> np.ndarray:
        r"""$\sigma(z)$, element-wise; `z` of any shape."""
        raise NotImplementedError

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        r"""$\sigma'(z)$, element-wise, same shape as `z`.

        Args:
            z: Weighted inputs, any shape.
            a: The values $\sigma(z)$ if already computed (the forward pass
                stores them); some derivatives are cheaper from $a$ than from $z$.
        """
        raise NotImplementedError

    def backward(self, z: np.ndarray, a: np.ndarray, grad: np.ndarray) -> np.ndarray:
        r"""Turn $\partial C/\partial a$ into $\partial C/\partial z$.

        For an element-wise activation
        $\partial C/\partial z = \partial C/\partial a \odot \sigma'(z)$ (D3, D4),
        with $\sigma'$ from [`derivative`][fyslearn.nn.activations.Activation.derivative].

        Args:
            z: Weighted inputs $z$, shape `(..., n)`.
            a: Activations $a = \sigma(z)$, same shape.
            grad: $\partial C/\partial a$, same shape.

        Returns:
            $\partial C/\partial z$, a new array of the same shape.
        """
        return grad * self.derivative(z, a)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Sigmoid(Activation):
    r"""$\sigma(z) = 1/(1 + e^{-z})$, $\sigma'(z) = \sigma(z)(1 - \sigma(z))$.

    Evaluated by `scipy.special.expit` (as scikit-learn's MLP does), one
    compiled loop that returns a value in $[0, 1]$ for any finite input
    without overflow warnings: for $z \to -\infty$, $1/(1 + e^{-z})$
    tends to 0 as it should. In numpy alone the stable form is
    $1/(1+e^{-|z|})$ for $z \ge 0$ and $e^{-|z|}/(1+e^{-|z|})$ for
    $z < 0$, in which the exponential never overflows.
    """

    name = "sigmoid"

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return expit(z)  # σ = 1/(1 + e^{-z})

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        r"""$\sigma'(z) = \sigma(z)(1 - \sigma(z))$, from the stored activation $a = \sigma(z)$.

        Accurate to a few units in the last place of its largest value, $1/4$,
        for every $z$, and relatively for $z \le 8$; for large positive $z$ the
        difference $1 - \sigma(z)$ keeps only the digits of $e^{-z}$ that survive
        next to 1 (as in PyTorch's sigmoid backward, which uses the same formula).
        """
        s = self(z) if a is None else a
        return s * (1.0 - s)  # σ' = σ(1 − σ)


class ReLU(Activation):
    r"""$R(z) = \max(0, z)$, $R'(z) = 1$ for $z > 0$, else 0 (also at the kink $z = 0$)."""

    name = "relu"

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return np.maximum(z, 0.0)  # R = max(0, z)

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        r"""$R'(z)$: 1 where $z > 0$, else 0 (the kink included), in `z`'s dtype and shape."""
        z = np.asarray(z)
        return (z > 0.0).astype(z.dtype)  # R' = 1 for z > 0, else 0


class LeakyReLU(Activation):
    r"""Leaky ReLU, $\max(z, s z)$ with negative slope $s$: slope 1 for $z > 0$, else $s$.

    Args:
        negative_slope: The slope $s \in [0, 1]$ for $z \le 0$ (the report: 0.01).
    """

    name = "leaky_relu"

    def __init__(self, negative_slope: float = 0.01) -> None:
        if not 0.0 <= negative_slope <= 1.0:
            raise ValueError(
                f"negative_slope of LeakyReLU must be in [0, 1], got {negative_slope!r}."
            )
        self.negative_slope = negative_slope

    def __call__(self, z: np.ndarray) -> np.ndarray:
        z = np.asarray(z)
        return np.maximum(z, self.negative_slope * z)  # max(z, sz) for 0 ≤ s ≤ 1

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        z = np.asarray(z)
        return np.where(z > 0.0, 1.0, self.negative_slope).astype(z.dtype, copy=False)

    def __repr__(self) -> str:
        return f"LeakyReLU(negative_slope={self.negative_slope})"


class Linear(Activation):
    r"""The identity $I(z) = z$, $I'(z) = 1$ (regression outputs); returns `z` itself, no copy."""

    name = "linear"

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return np.asarray(z)  # I(z) = z, the same array

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        return np.ones_like(z)

    def backward(self, z: np.ndarray, a: np.ndarray, grad: np.ndarray) -> np.ndarray:
        r"""$\partial C/\partial z = \partial C/\partial a \odot 1$: `grad` itself.

        Multiplying by the derivative, which is 1 everywhere, would change no
        number; the test suite checks that this equals `grad * derivative(z)`.
        """
        return grad


class Tanh(Activation):
    r"""$\tanh z$, $\tanh'(z) = 1 - \tanh^2 z$."""

    name = "tanh"

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return np.tanh(z)

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        t = np.tanh(z) if a is None else a
        return 1.0 - t * t  # tanh' = 1 − tanh²


class Softmax(Activation):
    r"""Softmax over the last axis, $S(z)_i = e^{z_i} / \sum_j e^{z_j}$.

    Computed as $e^{z_i - \max_j z_j} / \sum_j e^{z_j - \max_j z_j}$,
    which is the same number but never overflows. Its outputs are coupled, so
    the derivative is a Jacobian, $\partial S_k/\partial z_i = S_k(\delta_{ik} - S_i)$,
    returned with shape `(..., K, K)`, and
    [`backward`][fyslearn.nn.activations.Softmax.backward] multiplies by it.
    Training with cross-entropy never forms it: the output error is simply
    $a - y$ (D7).
    """

    name = "softmax"

    def __call__(self, z: np.ndarray) -> np.ndarray:
        z = np.asarray(z)
        exp = np.exp(z - z.max(axis=-1, keepdims=True))  # shifted by the row maximum
        return exp / exp.sum(axis=-1, keepdims=True)

    def derivative(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        r"""The Jacobian $J_{ki} = S_k(\delta_{ik} - S_i)$, shape `(..., K, K)`."""
        s = self(z) if a is None else a
        return s[..., :, None] * (np.eye(s.shape[-1], dtype=s.dtype) - s[..., None, :])

    def backward(self, z: np.ndarray, a: np.ndarray, grad: np.ndarray) -> np.ndarray:
        r"""$\partial C/\partial z_i = \sum_k \partial C/\partial a_k \, J_{ki}$.

        The vector-Jacobian product with the Jacobian of
        [`derivative`][fyslearn.nn.activations.Softmax.derivative].
        """
        return (grad[..., None, :] @ self.derivative(z, a))[..., 0, :]


ACTIVATIONS: dict[str, Activation] = {
    activation.name: activation
    for activation in (
        Sigmoid(),
        ReLU(),
        LeakyReLU(negative_slope=0.01),
        Linear(),
        Tanh(),
        Softmax(),
    )
}
"""The activations by name: what `activation=` and `out_activation=` accept."""

r"""Weight initializers: how the network's parameters start.

Each takes a `numpy.random.Generator` and a shape and returns float64
values (cast later to the network's dtype), so the same seed gives the same
start in float32 and float64.

* `normal`: $\mathcal N(0, 0.05^2)$, the report's kernel default (Keras' `RandomNormal`);
* `glorot_uniform`: $U(-a, a)$ with $a = \sqrt{6/(n_{in} + n_{out})}$ (D11), which
  keeps the variance of activations and gradients about equal across layers,
  $\operatorname{Var} = a^2/3 = 2/(n_{in} + n_{out})$;
* `narrow_normal`: $\mathcal N(0, 0.01^2)$, the report's alternative for biases;
* `standard_normal`: $\mathcal N(0, 1)$, as in Nielsen's book;
* `zeros`.

For a bias vector of length $n$, Glorot uses $n_{in} = n_{out} = n$.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = [
    "INITIALIZERS",
    "Normal",
    "glorot_uniform",
    "narrow_normal",
    "normal",
    "standard_normal",
    "zeros",
]


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    return (shape[0], shape[1]) if len(shape) == 2 else (shape[0], shape[0])


def normal(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    r"""Draw from $\mathcal N(0, 0.05^2)$, the report's default for kernels.

    Args:
        rng: The generator the values are drawn from.
        shape: `(n_in, n_out)` for a kernel, `(n,)` for a bias vector.

    Returns:
        Float64 array of shape `shape`.
    """
    return rng.normal(0.0, 0.05, size=shape)


def narrow_normal(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    r"""Draw from $\mathcal N(0, 0.01^2)$, the report's alternative for biases.

    Args:
        rng: The generator the values are drawn from.
        shape: `(n_in, n_out)` for a kernel, `(n,)` for a bias vector.

    Returns:
        Float64 array of shape `shape`.
    """
    return rng.normal(0.0, 0.01, size=shape)


def standard_normal(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    r"""Draw from $\mathcal N(0, 1)$, as in Nielsen's book.

    Args:
        rng: The generator the values are drawn from.
        shape: `(n_in, n_out)` for a kernel, `(n,)` for a bias vector.

    Returns:
        Float64 array of shape `shape`.
    """
    return rng.normal(0.0, 1.0, size=shape)


class Normal:
    r"""$\mathcal N(0, s^2)$ with a scale $s$ of your choice: an initializer like the named ones.

    `INITIALIZERS["normal"]` is $s = 0.05$ (the report's), `"narrow_normal"`
    $s = 0.01$, `"standard_normal"` $s = 1$. Pass an instance as `kernel_init`
    or `bias_init` of a [`FeedForwardNetwork`][fyslearn.nn.network.FeedForwardNetwork].

    Args:
        scale: The standard deviation $s > 0$.
    """

    def __init__(self, scale: float) -> None:
        if not (isinstance(scale, (int, float)) and np.isfinite(scale) and scale > 0):
            raise ValueError(f"scale must be a finite number > 0, got {scale!r}.")
        self.scale = float(scale)

    def __call__(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        """Values of shape `shape` drawn from `rng`."""
        return rng.normal(0.0, self.scale, size=shape)

    def __repr__(self) -> str:
        return f"Normal(scale={self.scale})"


def glorot_uniform(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    r"""Draw from $U(-a, a)$ with $a = \sqrt6/\sqrt{n_{in} + n_{out}}$ (D11).

    A bias vector of length $n$ uses $n_{in} = n_{out} = n$
    ([derivation][fyslearn.derivations.glorot_uniform]).

    Args:
        rng: The generator the values are drawn from.
        shape: `(n_in, n_out)` for a kernel, `(n,)` for a bias vector.

    Returns:
        Float64 array of shape `shape`.
    """
    fan_in, fan_out = _fans(shape)
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape)


def zeros(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """All zeros (draws nothing from `rng`).

    Args:
        rng: The generator the values are drawn from.
        shape: `(n_in, n_out)` for a kernel, `(n,)` for a bias vector.

    Returns:
        Float64 array of shape `shape`.
    """
    return np.zeros(shape)


INITIALIZERS: dict[str, Callable[[np.random.Generator, tuple[int, ...]], np.ndarray]] = {
    "normal": normal,
    "glorot_uniform": glorot_uniform,
    "narrow_normal": narrow_normal,
    "standard_normal": standard_normal,
    "zeros": zeros,
}
"""The initializers by name: what `kernel_init=` and `bias_init=` accept."""

"""Every formula of the report, derived and checked by SymPy.

Each public function returns a [Derivation][fyslearn.derivations.Derivation]:
its steps, result, proofs and errata render to LaTeX for the documentation,
and its `numeric()` twin is compared with fyslearn's numpy code by the tests.
The numeric code of fyslearn never imports this package.
"""

from .._docstrings import readable_docstrings
from ._core import Derivation, Erratum, Identity, Step, Verification
from .activations import (
    leaky_relu_derivative,
    relu_derivative,
    sigmoid_derivative,
    tanh_derivative,
)
from .backprop import backpropagation
from .beyond_the_report import l1_subgradient, sigmoid_binary_cross_entropy_delta
from .initialization import glorot_uniform
from .optimization import (
    adagrad_constant_gradient,
    adam_bias_correction,
    adam_first_step,
    learning_rate_decay,
    sgd_momentum,
)
from .output_error import mse_output_gradient, softmax_cross_entropy_delta
from .regression import mse_gradient, ridge_gradient

__all__ = [
    "Derivation",
    "Erratum",
    "Identity",
    "Step",
    "Verification",
    "adagrad_constant_gradient",
    "adam_bias_correction",
    "adam_first_step",
    "backpropagation",
    "glorot_uniform",
    "l1_subgradient",
    "leaky_relu_derivative",
    "learning_rate_decay",
    "mse_gradient",
    "mse_output_gradient",
    "relu_derivative",
    "ridge_gradient",
    "sgd_momentum",
    "sigmoid_binary_cross_entropy_delta",
    "sigmoid_derivative",
    "softmax_cross_entropy_delta",
    "tanh_derivative",
]

readable_docstrings(globals())

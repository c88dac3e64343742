"""Every formula of the report, derived and checked by SymPy.

Each public function returns a :class:`Derivation`: its steps, result,
proofs and errata render to LaTeX for the documentation, and its
``numeric()`` twin is compared with fyslearn's numpy code by the tests.
The numeric code of fyslearn never imports this package.
"""

from ._core import Derivation, Erratum, Identity, Step
from .optimization import learning_rate_decay, sgd_momentum
from .regression import mse_gradient, ridge_gradient

__all__ = [
    "Derivation",
    "Erratum",
    "Identity",
    "Step",
    "learning_rate_decay",
    "mse_gradient",
    "ridge_gradient",
    "sgd_momentum",
]

"""fyslearn: linear regression by gradient descent and neural networks by
backpropagation, derived with SymPy, written in numpy, tested against each other.
"""

from ._fitting import fit_many
from .persistence import load

__version__ = "0.1.0"

__all__ = ["__version__", "fit_many", "load"]

"""fyslearn: linear regression by gradient descent and neural networks by
backpropagation, derived with SymPy, written in numpy, tested against each other.
"""

from .persistence import load


def fit_many(estimators, X, y):
    """Fit several estimators of one class and shape at once (see the stacked engine)."""
    from .nn.batched import fit_many as _fit_many

    return _fit_many(estimators, X, y)


__version__ = "0.1.0"

__all__ = ["__version__", "fit_many", "load"]

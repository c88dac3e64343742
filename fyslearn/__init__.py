"""fyslearn: linear regression by gradient descent and neural networks by
backpropagation, derived with SymPy, written in numpy, tested against each other.
"""

__version__ = "0.1.0"

"""Data sets: the report's Franke surface (generated) and MNIST (bundled), and the 1-D
data of the later course (a polynomial and Runge's function, generated)."""

from .._docstrings import readable_docstrings
from ._course import make_polynomial, make_runge, runge
from ._franke import FrankeSplit, franke, franke_split, make_franke
from ._mnist import load_mnist, load_mnist_split

__all__ = [
    "FrankeSplit",
    "franke",
    "franke_split",
    "load_mnist",
    "load_mnist_split",
    "make_franke",
    "make_polynomial",
    "make_runge",
    "runge",
]

readable_docstrings(globals())

"""Data sets: the report's Franke surface (generated) and MNIST (bundled), the 1-D
data of the later course (a polynomial and Runge's function, generated) and its real
terrain (matplotlib's sample elevation model)."""

from .._docstrings import readable_docstrings
from ._course import make_polynomial, make_runge, runge
from ._franke import FrankeSplit, franke, franke_split, make_franke
from ._mnist import load_mnist, load_mnist_split
from ._terrain import Terrain, load_terrain

__all__ = [
    "FrankeSplit",
    "Terrain",
    "franke",
    "franke_split",
    "load_mnist",
    "load_mnist_split",
    "load_terrain",
    "make_franke",
    "make_polynomial",
    "make_runge",
    "runge",
]

readable_docstrings(globals())

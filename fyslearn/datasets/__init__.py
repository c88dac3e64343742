"""Data sets of the report: the Franke surface (generated) and MNIST (bundled)."""

from ._franke import FrankeSplit, franke, franke_split, make_franke
from ._mnist import load_mnist, load_mnist_split

__all__ = ["FrankeSplit", "franke", "franke_split", "load_mnist", "load_mnist_split", "make_franke"]

"""Data sets of the report: the Franke surface (generated) and MNIST (bundled)."""

from ._franke import franke, make_franke
from ._mnist import load_mnist

__all__ = ["franke", "load_mnist", "make_franke"]

"""Data sets of the report: the Franke surface (generated) and MNIST (bundled)."""

from ._franke import franke, make_franke

__all__ = ["franke", "make_franke"]

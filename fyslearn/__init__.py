"""fyslearn: linear regression by gradient descent and neural networks by
backpropagation, derived with SymPy, written in numpy, tested against each other.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._docstrings import readable_docstrings

if TYPE_CHECKING:  # imported on first use (PEP 562): `import fyslearn` stays instant
    from ._fitting import fit_many
    from .persistence import load

__version__ = "0.1.0"

__all__ = ["__version__", "fit_many", "load"]

_LAZY = {"fit_many": "._fitting", "load": ".persistence"}
"""Public names and the modules that define them, imported when first used."""


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(_LAZY[name], __name__)
    readable_docstrings(vars(module))  # help(fyslearn.fit_many) shows plain names, no link markup
    value = getattr(module, name)
    globals()[name] = value  # later lookups find it without coming here
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})

"""Docstrings that read well in `help()`: cross-references as plain names.

The docstrings are written for the documentation site, where
`[fit_many][fyslearn.fit_many]` is a link to the page of `fit_many`. In
`help()` and in an editor's tooltip, which show `__doc__` as it is, that
reads as markup. A module (or a package's `__init__`) ends with
`readable_docstrings(globals())`, which rewrites, at import, the `__doc__`
of the module and of the classes, functions and methods it defines:
`[text][target]` becomes `text`. The site is built from the source files,
not from `__doc__`, and keeps its links.
"""

from __future__ import annotations

import re
import sys
from typing import Any

__all__ = ["plain", "readable_docstrings"]

_CROSS_REFERENCE = re.compile(r"\[([^\[\]]+)\]\[[\w.]*\]")


def plain(doc: str | None) -> str | None:
    """`doc` with every cross-reference `[text][target]` (or `[text][]`) replaced by `text`."""
    return doc if doc is None else _CROSS_REFERENCE.sub(r"\1", doc)


def _rewrite(value: Any) -> None:
    try:
        value.__doc__ = plain(value.__doc__)
    except (AttributeError, TypeError):  # a built-in or a slot without a writable __doc__
        pass


def _members(cls: type) -> list[Any]:
    members = []
    for member in vars(cls).values():
        if isinstance(member, (staticmethod, classmethod)):
            member = member.__func__
        elif isinstance(member, property):
            member = member.fget
        if callable(member) or isinstance(member, type):
            members.append(member)
    return members


def readable_docstrings(namespace: dict[str, Any]) -> None:
    """Rewrite the docstrings of the module whose `globals()` are `namespace`, and of its objects.

    Only objects defined in that module or below it (a package's submodules)
    are touched; names imported from elsewhere keep their docstrings.
    """
    module = namespace["__name__"]
    if module in sys.modules:
        _rewrite(sys.modules[module])
    for value in list(namespace.values()):
        if not str(getattr(value, "__module__", "")).startswith(module):
            continue
        _rewrite(value)
        if isinstance(value, type):
            for member in _members(value):
                _rewrite(member)

"""What a tutorial does with its figures when it runs as a script."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.backends import BackendFilter, backend_registry

__all__ = ["show_or_save"]


def show_or_save(name: str, folder: str | os.PathLike | None = None) -> Path | None:
    """Show the open figures in windows, or save them as PNG files where none can open.

    A tutorial ends with this call so that `python tutorials/<name>.py` leaves
    its figures with the reader: with an interactive matplotlib backend they
    open (`plt.show()`); with a non-interactive one (`MPLBACKEND=Agg`, a
    machine without a screen) they are written to `folder` as
    `<name>_1.png`, `<name>_2.png`, ... and the folder is printed. The
    documentation build has already collected and closed every figure when
    the call runs, so there it does nothing.

    Args:
        name: The tutorial's name, the stem of the PNG files.
        folder: Where to save; default `<name>_figures` in the working directory.

    Returns:
        The folder the figures were saved to, or `None` if none were saved.
    """
    numbers = plt.get_fignums()
    if not numbers:
        return None
    backend = plt.get_backend().lower()
    if backend not in backend_registry.list_builtin(BackendFilter.NON_INTERACTIVE):
        plt.show()
        return None
    folder = Path(folder if folder is not None else f"{name}_figures").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    for k, number in enumerate(numbers, start=1):
        plt.figure(number).savefig(folder / f"{name}_{k}.png", dpi=100)
    plt.close("all")
    print(f"{len(numbers)} figure(s) saved to {folder}")
    return folder

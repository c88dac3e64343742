r"""Graded exercises: write the formula in numpy, and fyslearn checks it against SymPy.

Each exercise asks for one function: a gradient (D1, D2, the L1
subgradient), an activation's derivative (D8), an output error (D7, binary
cross-entropy), backpropagation through one hidden layer (D3–D5), or one step
of an optimizer (D9, Adam). The reference solutions are plain numpy modules in
`fyslearn/exercises/solutions/`, written by hand; a stub is the same module
with the function's body replaced by `raise NotImplementedError`, so each
solution has one source.

[`grade_file`][fyslearn.exercises.grade_file] (the command `fyslearn check
FILE`) runs the student's function in a child process with a time limit, then
checks, in order:

1. **shapes** of what it returns;
2. **finite, no warning**: no NaN or infinity, and no numpy warning (an
   overflow) on the random and edge inputs;
3. **values vs SymPy**: equal to the numeric twin of the exercise's SymPy
   derivation ([fyslearn.derivations][fyslearn.derivations]) to a relative
   $10^{-6}$ on random inputs and on zeros, negative and large numbers;
4. **finite differences** (gradients only): the function's gradient against
   centred differences of the exercise's cost, by
   [`check_function_gradients`][fyslearn.gradcheck.check_function_gradients].

The first check that fails is printed with its worst entry and a hint: a known
slip of that exercise (σ′ of $a$ instead of $z$, the softmax over the wrong
axis, Adam without bias correction, ...), or a pattern
([`diagnose`][fyslearn.gradcheck.diagnose]: a factor ½ or 2, $1/n$ or $n$,
$-1$, a transpose; or one layer right and the one before wrong).
"""

from __future__ import annotations

import ast
import os
from importlib import resources
from pathlib import Path

from .._docstrings import readable_docstrings
from ._grader import DEFAULT_TIMEOUT, Grade, exercise_of_file, grade_file
from ._specs import EXERCISES, Exercise

__all__ = [
    "DEFAULT_TIMEOUT",
    "EXERCISES",
    "Exercise",
    "Grade",
    "exercise_of_file",
    "grade_file",
    "solution_source",
    "stub_source",
    "write_exercises",
]

TODO = 'raise NotImplementedError("Write this function, then run: fyslearn check {file}")'


def solution_source(name: str) -> str:
    """The reference solution of exercise `name`: its module's source.

    Raises:
        KeyError: No exercise has that name.
    """
    if name not in EXERCISES:
        raise KeyError(f"no exercise {name!r}; the exercises are {', '.join(EXERCISES)}")
    return resources.files(__package__).joinpath("solutions", f"{name}.py").read_text()


def stub_source(name: str) -> str:
    """The stub of exercise `name`: its solution with the function's body after the docstring
    replaced by `raise NotImplementedError(...)`."""
    source = solution_source(name)
    tree = ast.parse(source)
    (function,) = (
        node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == name
    )
    docstring = function.body[0]
    lines = source.splitlines()
    indent = " " * function.body[0].col_offset
    body_start, body_end = docstring.end_lineno, function.end_lineno  # 1-based, inclusive
    todo = indent + TODO.format(file=f"{name}.py")
    return "\n".join([*lines[:body_start], todo, *lines[body_end:]]) + "\n"


def write_exercises(directory: str | os.PathLike, *, solutions: bool = False) -> list[Path]:
    """Write one file per exercise into `directory`: stubs, or the reference solutions.

    Existing files are not overwritten (a student's work is never lost).

    Args:
        directory: The folder, created if missing.
        solutions: Write the reference solutions (for teachers) instead of stubs.

    Returns:
        The files written.

    Raises:
        FileExistsError: A file of that name is already there.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    targets = {name: directory / f"{name}.py" for name in EXERCISES}
    existing = [str(path) for path in targets.values() if path.exists()]
    if existing:
        raise FileExistsError(
            f"{', '.join(existing)} already exist; choose another --dir or remove them"
        )
    for name, path in targets.items():
        path.write_text(solution_source(name) if solutions else stub_source(name))
    return list(targets.values())


readable_docstrings(globals())  # help() shows plain names where the site shows links

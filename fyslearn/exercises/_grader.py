"""Grade one file: run its function in a child process, then check shapes, values, gradients.

The student's code runs in a process of its own (forked where the system
allows it, so it starts in milliseconds), with a time limit: an infinite loop,
a `sys.exit`, or a crash ends that process and is reported in one line, never
as a traceback of fyslearn. The parent computes the SymPy references and the
finite differences, and compares.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..gradcheck import check_function_gradients, diagnose, layer_hint
from ._specs import EXERCISES, BadOutput, Case, Exercise

__all__ = ["Grade", "exercise_of_file", "grade_file"]

TOLERANCE = 1e-6
"""Largest relative difference from the reference that counts as equal."""
DEFAULT_TIMEOUT = 10.0
"""Seconds the student's function may take for all inputs of one exercise."""
MARKER = re.compile(r"^#\s*fyslearn exercise:\s*(\w+)\s*$", re.MULTILINE)


@dataclass
class Grade:
    """The grade of one file.

    Attributes:
        exercise: The exercise's name (or `""` if it could not be told).
        passed: Whether every check holds.
        lines: What `fyslearn check` prints: one line per check, then hints.
        error: The one line saying why the function could not be graded, or `""`.
    """

    exercise: str
    passed: bool = False
    lines: list[str] = field(default_factory=list)
    error: str = ""

    def __str__(self) -> str:
        return "\n".join(self.lines)


def exercise_of_file(path: Path, name: str | None = None) -> Exercise:
    """The exercise a file answers: `name`, else its `# fyslearn exercise:` line, else its name."""
    candidates = [name] if name else []
    if not name:
        try:
            text = path.read_text(errors="replace")
        except OSError as error:
            raise LookupError(f"cannot read {path}: {error.strerror}") from None
        marker = MARKER.search(text)
        candidates += [marker.group(1)] if marker else []
        candidates.append(path.stem)
    for candidate in candidates:
        if candidate in EXERCISES:
            return EXERCISES[candidate]
    raise LookupError(
        f"{path} is no exercise I know (named by a '# fyslearn exercise: NAME' line, the file "
        f"name or --exercise); the exercises are {', '.join(EXERCISES)}"
    )


# -- the child: run the student's function on every case ---------------------------------------


def _where(error: BaseException, path: Path) -> str:
    """`line N` of the student's file where `error` was raised, or `""`."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if Path(f.filename) == path]
    return f" (line {frames[-1].lineno})" if frames else ""


def _run_student(path: str, exercise_name: str, seed: int, connection) -> None:
    """In the child: load the file, run the function on each case, send the arrays back."""
    file = Path(path).resolve()
    exercise = EXERCISES[exercise_name]
    try:
        source = file.read_text()
        code = compile(source, str(file), "exec")
    except SyntaxError as error:
        connection.send(("error", f"syntax error at line {error.lineno}: {error.msg}"))
        return
    except (OSError, UnicodeDecodeError, ValueError) as error:
        connection.send(("error", f"cannot read the file: {error}"))
        return
    namespace = {"__name__": "fyslearn_exercise", "__file__": str(file)}
    try:
        exec(code, namespace)
    except BaseException as error:  # the student's module-level code: any error is theirs
        connection.send(
            (
                "error",
                f"loading the file raised {type(error).__name__}: {error}{_where(error, file)}",
            )
        )
        return
    function = namespace.get(exercise.name)
    if not callable(function):
        connection.send(("error", f"the file defines no function {exercise.name}"))
        return
    outputs = []
    for case in exercise.cases(np.random.default_rng(seed)):
        with (
            warnings.catch_warnings(record=True) as caught,
            np.errstate(over="warn", divide="warn", invalid="warn", under="ignore"),
        ):
            warnings.simplefilter("always")
            try:
                arrays = exercise.run(function, case)
            except BadOutput as bad:
                connection.send(("error", f"{exercise.name} {bad} (on the {case.label} input)"))
                return
            except BaseException as error:
                connection.send(
                    (
                        "error",
                        f"{exercise.name} raised {type(error).__name__}: {error}"
                        f"{_where(error, file)} on the {case.label} input",
                    )
                )
                return
        outputs.append((arrays, sorted({str(w.message) for w in caught})))
    connection.send(("ok", outputs))


def _run_in_child(path: Path, exercise: Exercise, seed: int, timeout: float):
    """`("ok", outputs)` or `("error", line)`: the student's arrays for each case, in a child."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_run_student, args=(str(path), exercise.name, seed, sender), daemon=True
    )
    child.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            if child.is_alive():
                return "error", (
                    f"{exercise.name} did not finish within {timeout:g} s (an infinite loop?)"
                )
            return (
                "error",
                f"the process running {exercise.name} ended (exit status {child.exitcode})",
            )
        try:
            return receiver.recv()
        except EOFError:
            child.join(1)
            return "error", (
                f"the process running {exercise.name} ended without an answer "
                f"(exit status {child.exitcode}: sys.exit or a crash?)"
            )
    finally:
        if child.is_alive():
            child.kill()
        child.join(1)
        receiver.close()


# -- the checks ----------------------------------------------------------------------------


def _relative_difference(mine: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """|mine − reference| / max(|reference|, 1e-9 × the reference's scale), entry by entry."""
    scale = 1e-9 * max(1.0, float(np.max(np.abs(reference), initial=0.0)))
    return np.abs(mine - reference) / np.maximum(np.abs(reference), scale)


def _agree(mine: list[np.ndarray], reference: list[np.ndarray]) -> bool:
    return all(
        m.shape == r.shape and bool(np.all(_relative_difference(m, r) <= TOLERANCE))
        for m, r in zip(mine, reference, strict=True)
    )


def _entry(name: str, index: tuple[int, ...]) -> str:
    return f"{name}[{', '.join(map(str, index))}]" if index else name


def _shape_check(exercise, cases, outputs, references) -> str:
    for case, (arrays, _), expected in zip(cases, outputs, references, strict=True):
        for name, mine, theirs in zip(exercise.outputs, arrays, expected, strict=True):
            if mine.shape != theirs.shape:
                hint = " (transposed?)" if mine.shape == theirs.shape[::-1] else ""
                return (
                    f"{name} has shape {mine.shape} on the {case.label} input, expected "
                    f"{theirs.shape}{hint}"
                )
    return ""


def _finite_check(exercise, cases, outputs) -> tuple[str, str]:
    for case, (arrays, caught) in zip(cases, outputs, strict=True):
        for name, mine in zip(exercise.outputs, arrays, strict=True):
            bad = ~np.isfinite(mine)
            if bad.any():
                index = tuple(int(i) for i in np.argwhere(bad)[0])
                kind = "NaN" if np.isnan(mine[index]) else "infinity"
                return f"{_entry(name, index)} is {kind} on the {case.label} input", (
                    exercise.stability_hint or "look for a division by 0 or an overflow."
                )
        if caught:
            return f"numpy warned '{caught[0]}' on the {case.label} input", (
                exercise.stability_hint or "compute without overflow or division by 0."
            )
    return "", ""


def _diagnosis(exercise, case, arrays, expected) -> list[str]:
    """Hints for values that differ: a known slip, a constant factor, or a wrong δ."""
    passed = [
        bool(np.all(_relative_difference(m, r) <= TOLERANCE))
        for m, r in zip(arrays, expected, strict=True)
    ]
    hints = []
    for name, mine, theirs, ok in zip(exercise.outputs, arrays, expected, passed, strict=True):
        if ok:
            continue
        scale = 1e-9 * max(1.0, float(np.max(np.abs(theirs), initial=0.0)))
        hint = diagnose(
            mine.ravel(),
            theirs.ravel(),
            scale / 1e-7,  # the floor τ: entries below 1e-9 of the scale are zero
            n_samples=exercise.n_samples(case),
            full_analytic=mine,
            indices=[tuple(i) for i in np.ndindex(mine.shape)] if mine.ndim == 2 else (),
        )
        if hint:
            hints.append(f"{name}: {hint}")
    if len(arrays) > 1 and not hints:
        layered = layer_hint(list(exercise.outputs), passed, [False] * len(passed))
        hints += [layered] if layered else []
    return hints


def _known_mistake(exercise, cases, outputs) -> str:
    for mistake in exercise.mistakes:
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                theirs = [exercise.run(mistake.function, case) for case in cases]
        except (BadOutput, ArithmeticError, ValueError):
            continue
        if all(_agree(mine, t) for (mine, _), t in zip(outputs, theirs, strict=True)):
            return mistake.hint
    return ""


def _value_check(exercise, cases, outputs, references) -> tuple[str, list[str]]:
    for case, (arrays, _), expected in zip(cases, outputs, references, strict=True):
        worst_name, worst_index, worst_error = None, (), 0.0
        for name, mine, theirs in zip(exercise.outputs, arrays, expected, strict=True):
            errors = _relative_difference(mine, theirs)
            index = np.unravel_index(int(np.argmax(errors)), errors.shape) if errors.size else ()
            if errors.size and errors[index] > max(TOLERANCE, worst_error):
                worst_name, worst_index, worst_error = name, index, float(errors[index])
        if worst_name is None:
            continue
        k = exercise.outputs.index(worst_name)
        index = tuple(int(i) for i in worst_index)
        failure = (
            f"on the {case.label} input, worst entry {_entry(worst_name, index)}: yours "
            f"{arrays[k][index]:.6g}, SymPy's {expected[k][index]:.6g} "
            f"(relative difference {worst_error:.1e})"
        )
        known = _known_mistake(exercise, cases, outputs)
        return failure, [known] if known else _diagnosis(exercise, case, arrays, expected)
    return "", []


def _gradient_check(exercise, cases, outputs) -> tuple[str, list[str]]:
    """Finite differences of the exercise's cost against the student's gradients."""
    for case, (arrays, _) in zip(cases, outputs, strict=True):
        if case.label != "random":
            continue
        cost, params = exercise.cost(case)

        def fixed_gradients(point, cost=cost, arrays=arrays):
            return cost(list(point.values())), dict(zip(point, arrays, strict=True))

        fixed_gradients.__name__ = exercise.name
        report = check_function_gradients(
            fixed_gradients,
            {name: p for name, p in zip(exercise.outputs, params, strict=True)},
            n_samples=exercise.n_samples(case),
        )
        if not report.passed:
            failed = [c for c in report.arrays if not c.passed]
            worst = failed[0]
            w = worst.worst
            return (
                f"on the {case.label} input, {worst.name}: {worst.verdict}, worst entry "
                f"{worst.entries[w]}: yours {worst.analytic[w]:.6g}, numeric "
                f"{worst.numeric[w]:.6g} (relative error {worst.max_relative_error:.1e})"
            ), report.hints
    return "", []


def grade_file(
    path: str | os.PathLike,
    exercise: str | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    seed: int = 0,
) -> Grade:
    """Grade one file: shapes, then values against SymPy, then finite differences.

    Args:
        path: The student's Python file.
        exercise: The exercise's name; by default the file's `# fyslearn exercise:`
            line, else its name without `.py`.
        timeout: Seconds the function may take for all inputs together.
        seed: Seed of the random inputs.

    Returns:
        The [grade][fyslearn.exercises.Grade]: `passed`, the lines to print, or
            the one-line `error` when the function could not be graded.
    """
    path = Path(path)
    if not path.is_file():
        return Grade(exercise or "", error=f"{path}: no such file")
    try:
        spec = exercise_of_file(path, exercise)
    except LookupError as error:
        return Grade(exercise or "", error=str(error))
    status, answer = _run_in_child(path, spec, seed, timeout)
    if status != "ok":
        return Grade(spec.name, error=f"{path}: {answer}")
    cases: list[Case] = spec.cases(np.random.default_rng(seed))
    references = [[np.asarray(r, dtype=float) for r in spec.reference(case)] for case in cases]
    grade = Grade(spec.name, lines=[f"{path}: exercise {spec.name} ({spec.title})"])
    checks = [
        ("shapes", lambda: (_shape_check(spec, cases, answer, references), [])),
        ("finite, no warning", lambda: _finite_pair(spec, cases, answer)),
        ("values vs SymPy", lambda: _value_check(spec, cases, answer, references)),
    ]
    if spec.cost is not None:
        checks.append(("finite differences", lambda: _gradient_check(spec, cases, answer)))
    for position, (label, check) in enumerate(checks):
        failure, hints = check()
        if failure:
            grade.lines.append(f"  {label:<20} FAILED {failure}")
            grade.lines += [f"  hint: {hint}" for hint in hints if hint]
            grade.lines += [f"  {later:<20} not run" for later, _ in checks[position + 1 :]]
            grade.lines.append("FAILED")
            return grade
        grade.lines.append(f"  {label:<20} ok")
    grade.passed = True
    grade.lines.append("passed")
    return grade


def _finite_pair(spec, cases, answer) -> tuple[str, list[str]]:
    failure, hint = _finite_check(spec, cases, answer)
    return failure, [hint] if failure else []

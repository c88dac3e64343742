"""The graded exercises: every reference solution passes, every planted slip fails with its hint."""

import ast
import textwrap

import numpy as np
import pytest

from fyslearn.exercises import (
    EXERCISES,
    grade_file,
    solution_source,
    stub_source,
    write_exercises,
)

NAMES = list(EXERCISES)


def _file(tmp_path, name, source):
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(source))
    return path


# -- the reference solutions and the stubs ------------------------------------------------------


def test_the_list_covers_the_issue():
    assert set(NAMES) >= {
        "mse_gradient",
        "ridge_gradient",
        "sigmoid_derivative",
        "relu_derivative",
        "leaky_relu_derivative",
        "softmax_cross_entropy_delta",
        "sigmoid_binary_cross_entropy_delta",
        "backpropagation",
        "sgd_momentum_step",
        "adam_step",
        "l1_subgradient",
    }


@pytest.mark.parametrize("name", NAMES)
def test_every_reference_solution_passes_every_check(tmp_path, name):
    grade = grade_file(_file(tmp_path, name, solution_source(name)))
    assert grade.passed, str(grade) or grade.error
    checks = [line.split()[0] for line in grade.lines[1:-1]]
    expected = ["shapes", "finite,", "values"]
    if EXERCISES[name].cost is not None:
        expected.append("finite")  # finite differences
    assert checks == expected
    assert grade.lines[-1] == "passed"


@pytest.mark.parametrize("name", NAMES)
def test_a_reference_solution_uses_plain_numpy_not_the_engine(name):
    tree = ast.parse(solution_source(name))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported == {"numpy"}


@pytest.mark.parametrize("name", NAMES)
def test_a_stub_has_one_function_its_docstring_and_no_solution(tmp_path, name):
    stub = stub_source(name)
    tree = ast.parse(stub)
    functions = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
    assert [f.name for f in functions] == [name]
    (function,) = functions
    docstring = ast.get_docstring(function)
    assert "shape" in docstring and "Args:" in docstring
    module_doc = ast.get_docstring(tree)
    assert "site page derivations/" in module_doc or "fyslearn derive" in module_doc
    assert len(function.body) == 2 and isinstance(function.body[1], ast.Raise)
    assert stub.splitlines()[0] == f"# fyslearn exercise: {name}"
    grade = grade_file(_file(tmp_path, "stub", stub))  # named by its first line
    assert "raised NotImplementedError: Write this function" in grade.error
    assert "\n" not in grade.error


def test_write_exercises_writes_stubs_or_solutions_and_never_overwrites(tmp_path):
    stubs = write_exercises(tmp_path / "stubs")
    solutions = write_exercises(tmp_path / "solutions", solutions=True)
    assert sorted(p.stem for p in stubs) == sorted(NAMES) == sorted(p.stem for p in solutions)
    assert all(p.read_text() == stub_source(p.stem) for p in stubs)
    assert all(p.read_text() == solution_source(p.stem) for p in solutions)
    with pytest.raises(FileExistsError, match="already exist"):
        write_exercises(tmp_path / "stubs")


# -- planted slips: each fails, with its hint ------------------------------------------------------

# Known slips that the grader recognises by their values (one a line: the slip's function in
# fyslearn.exercises._specs, imported under the exercise's name), and slips written out here,
# recognised by the pattern of their error (a factor, a sign, a wrong δ, a shape, an overflow).
PLANTED = [
    # D1
    ("mse_gradient", "_mse_no_mean_of_square", "misprinted cost"),
    ("mse_gradient", "return X.T @ (X @ beta - y) / len(y)", "(½): a factor 2 is missing"),
    ("mse_gradient", "return 2 / len(y) * X.T @ (y - X @ beta)", "sign error"),
    ("mse_gradient", "return 2 * X.T @ (X @ beta - y)", "the forgotten 1/n"),
    # D2
    ("ridge_gradient", "_ridge_penalty_without_2", "has the gradient 2λβ, not λβ"),
    ("ridge_gradient", "_ridge_without_penalty", "the MSE's gradient alone"),
    ("ridge_gradient", "_ridge_penalty_over_n", "is not divided by n"),
    ("ridge_gradient", "return -2 / len(y) * X.T @ (X @ beta - y) - 2 * alpha * beta", "sign"),
    # D8
    ("sigmoid_derivative", "_sigmoid_of_z_taken_as_a", "σ′(z) vs σ′(a)"),
    ("sigmoid_derivative", "_sigmoid_itself", "returned σ(z) itself"),
    ("sigmoid_derivative", "_tanh_form", "tanh′"),
    (
        "sigmoid_derivative",
        "s = 1 / (1 + np.exp(-z))\n    return s * (1 - s)",
        "compute σ(z) without overflow",
    ),
    ("relu_derivative", "_relu_slope_one_at_zero", "at the kink z = 0"),
    ("relu_derivative", "_relu_itself", "ReLU itself"),
    ("relu_derivative", "_relu_sign", "not −1"),
    ("leaky_relu_derivative", "_leaky_slope_one_at_zero", "at the kink z = 0"),
    ("leaky_relu_derivative", "_leaky_as_relu", "ReLU's derivative"),
    ("leaky_relu_derivative", "_leaky_times_z", "the constant s"),
    # D7
    ("softmax_cross_entropy_delta", "_softmax_over_the_batch", "axis=1"),
    ("softmax_cross_entropy_delta", "_z_minus_y", "a = softmax(z)"),
    ("softmax_cross_entropy_delta", "_softmax_times_jacobian_diagonal", "full Jacobian"),
    (
        "softmax_cross_entropy_delta",
        "a = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)\n    return a - y",
        "subtract each row's largest z",
    ),
    (
        "softmax_cross_entropy_delta",
        "s = z - z.max(axis=1, keepdims=True)\n"
        "    return (np.exp(s) / np.exp(s).sum(axis=1, keepdims=True) - y) / len(z)",
        "mean vs sum: your gradient divides by n = 5 (your batch size)",
    ),
    # binary cross-entropy
    ("sigmoid_binary_cross_entropy_delta", "_binary_times_slope", "once more"),
    ("sigmoid_binary_cross_entropy_delta", "_z_minus_y", "a = σ(z)"),
    ("sigmoid_binary_cross_entropy_delta", "_binary_over_a", "the derivative by a"),
    ("sigmoid_binary_cross_entropy_delta", "return y - 1 / (1 + np.exp(-z))", "overflow"),
    # D3–D5
    ("backpropagation", "_backprop_sigma_prime_of_a", "σ′(z) vs σ′(a)"),
    ("backpropagation", "_backprop_without_sigma_prime", "lacks the factor σ′(z¹)"),
    (
        "backpropagation",
        """n = len(X)
    a1 = 1 / (1 + np.exp(-(X @ W1 + b1)))
    delta2 = 2 / n * (a1 @ W2 + b2 - Y)
    delta1 = (delta2 @ W2.T) * a1 * (1 - a1)
    return X.T @ delta1, delta1.mean(axis=0), a1.T @ delta2, delta2.mean(axis=0)""",
        "db1: your gradient is 0.2 × the numeric one on every entry (1/5): mean vs sum",
    ),
    (
        "backpropagation",
        """n = len(X)
    a1 = 1 / (1 + np.exp(-(X @ W1 + b1)))
    delta2 = 1 / n * (a1 @ W2 + b2 - Y)
    delta1 = (delta2 @ W2.T) * a1 * (1 - a1)
    return X.T @ delta1, delta1.sum(axis=0), a1.T @ delta2, delta2.sum(axis=0)""",
        "1/2 convention",
    ),
    (
        "backpropagation",
        """n = len(X)
    a1 = 1 / (1 + np.exp(-(X @ W1 + b1)))
    delta2 = 2 / n * (a1 @ W2 + b2 - Y)
    delta1 = (delta2 @ W2.T) * a1 * (1 - a1)
    return X.T @ delta1, delta1.sum(axis=0), delta2.T @ a1, delta2.sum(axis=0)""",
        "dW2 has shape (2, 3) on the random input, expected (3, 2) (transposed?)",
    ),
    # D9
    ("sgd_momentum_step", "_momentum_old_velocity", "old velocity"),
    ("sgd_momentum_step", "_momentum_plus", "θ ← θ − v"),
    ("sgd_momentum_step", "_momentum_average", "running mean"),
    ("sgd_momentum_step", "_momentum_swapped", "swapped"),
    # Adam
    ("adam_step", "_adam_without_correction", "bias correction is missing"),
    ("adam_step", "_adam_epsilon_inside", "ε is inside the square root"),
    ("adam_step", "_adam_without_one_minus_beta", "factors 1 − β"),
    ("adam_step", "_adam_step_from_zero", "uses t + 1"),
    # L1
    ("l1_subgradient", "_l1_as_l2", "L2 penalty"),
    ("l1_subgradient", "_l1_one_at_zero", "sign(0) = 0"),
    ("l1_subgradient", "_l1_penalty_itself", "the penalty α|w|"),
    ("l1_subgradient", "return -alpha * np.sign(w)", "sign error"),
]


def _planted_source(name, slip):
    if slip.startswith("_"):
        return f"from fyslearn.exercises._specs import {slip} as {name}\n"
    signature = next(
        line for line in solution_source(name).splitlines() if line.startswith(f"def {name}(")
    )
    if not signature.rstrip().endswith(":"):  # a signature on several lines
        lines = solution_source(name).splitlines()
        start = lines.index(signature)
        end = next(i for i in range(start, len(lines)) if lines[i].rstrip().endswith(":"))
        signature = "\n".join(lines[start : end + 1])
    return f"import numpy as np\n\n\n{signature}\n    {slip}\n"


def test_every_exercise_has_at_least_three_planted_slips():
    counts = {name: sum(1 for planted, *_ in PLANTED if planted == name) for name in NAMES}
    assert min(counts.values()) >= 3, counts


@pytest.mark.parametrize(("name", "slip", "hint"), PLANTED)
def test_a_planted_slip_fails_with_its_hint(tmp_path, name, slip, hint):
    grade = grade_file(_file(tmp_path, name, _planted_source(name, slip)))
    assert not grade.error, grade.error
    assert not grade.passed
    assert grade.lines[-1] == "FAILED"
    failed = [line for line in grade.lines if "FAILED " in line]
    assert len(failed) == 1 and "input" in failed[0]
    assert hint in str(grade), str(grade)


def test_the_values_check_names_the_worst_entry_and_both_values(tmp_path):
    path = _file(tmp_path, "mse_gradient", _planted_source("mse_gradient", PLANTED[1][1]))
    (line,) = [line for line in grade_file(path).lines if "FAILED" in line and "values" in line]
    assert "on the random input, worst entry gradient[" in line
    assert "yours" in line and "SymPy's" in line and "relative difference 5.0e-01" in line


def test_the_finite_differences_check_catches_what_a_wrong_reference_would_let_through(
    tmp_path, monkeypatch
):
    """The last check differentiates the exercise's cost, independently of SymPy's twin."""
    import dataclasses

    from fyslearn.exercises import _specs

    spec = EXERCISES["mse_gradient"]
    half = dataclasses.replace(spec, reference=lambda case: [0.5 * spec.reference(case)[0]])
    monkeypatch.setitem(_specs.EXERCISES, "mse_gradient", half)
    slip = _planted_source("mse_gradient", "return X.T @ (X @ beta - y) / len(y)")
    grade = grade_file(_file(tmp_path, "mse_gradient", slip))
    assert "  values vs SymPy      ok" in grade.lines
    (line,) = [line for line in grade.lines if line.startswith("  finite differences   FAILED")]
    assert "gradient: wrong" in line
    assert "(½): a factor 2 is missing" in str(grade)


# -- bad input: one clear line, never a traceback ----------------------------------------------

BAD = [
    ("import numpy as np\n", "defines no function mse_gradient"),
    ("def mse_gradient(X, y, beta):\n    return 1 / 0\n", "raised ZeroDivisionError"),
    ("def mse_gradient(X, y, beta):\n    return beta[:2]\n", "shape (2,)"),
    ("import numpy as np\ndef mse_gradient(X, y, beta):\n    return beta * np.nan\n", "NaN"),
    ("def mse_gradient(X, y, beta):\n    return 'gradient'\n", "returned a str"),
    ("def mse_gradient(X, y, beta):\n    pass\n", "returned None"),
    ("def mse_gradient(X, y, beta):\n    while True:\n        pass\n", "did not finish within 1 s"),
    ("def mse_gradient(X, y, beta)\n    return beta\n", "syntax error at line 1"),
    ("import sys\ndef mse_gradient(X, y, beta):\n    sys.exit(3)\n", "raised SystemExit"),
    ("import os\ndef mse_gradient(X, y, beta):\n    os._exit(3)\n", "exit status 3"),
    ("raise RuntimeError('at import')\n", "loading the file raised RuntimeError"),
    ("def mse_gradient(X, y, beta):\n    return object()\n", "expected an array"),
]


@pytest.mark.parametrize(("source", "message"), BAD)
def test_bad_input_gets_one_clear_line(tmp_path, source, message):
    grade = grade_file(_file(tmp_path, "mse_gradient", source), timeout=1)
    text = grade.error or str(grade)
    assert message in text
    assert not grade.passed
    if grade.error:
        assert "\n" not in grade.error and "Traceback" not in grade.error


def test_a_function_that_raises_is_located_in_the_student_file(tmp_path):
    source = "def mse_gradient(X, y, beta):\n    x = 1\n    return x / 0\n"
    grade = grade_file(_file(tmp_path, "mse_gradient", source))
    assert grade.error.endswith("(line 3) on the random input")


def test_a_file_of_no_known_exercise_is_refused_with_the_list(tmp_path):
    grade = grade_file(_file(tmp_path, "homework", "def f():\n    pass\n"))
    assert "no exercise I know" in grade.error and "mse_gradient" in grade.error
    assert grade_file(tmp_path / "missing.py").error.endswith("no such file")
    renamed = grade_file(
        _file(tmp_path, "homework2", solution_source("l1_subgradient").split("\n", 1)[1]),
        "l1_subgradient",
    )
    assert renamed.passed


def test_the_random_inputs_follow_the_seed(tmp_path):
    path = _file(tmp_path, "mse_gradient", _planted_source("mse_gradient", PLANTED[1][1]))
    first, again, other = (grade_file(path, seed=seed) for seed in (1, 1, 2))
    assert first.lines == again.lines
    assert not other.passed and other.lines[3] != first.lines[3]  # other inputs, same verdict


def test_the_twins_name_their_arguments():
    from fyslearn.derivations import mse_gradient

    twin = mse_gradient().numeric()
    assert "(X, y, beta)" in twin.__doc__ or "X: Design matrix" in twin.__doc__
    rng = np.random.default_rng(0)
    X, y, beta = rng.normal(size=(20, 3)), rng.normal(size=20), rng.normal(size=3)
    assert twin(X, y, beta).shape == (3,)
    with pytest.raises(ValueError, match=r"takes \(X, y, beta\).*in that order"):
        twin(X, beta, y)


@pytest.mark.parametrize(
    "name",
    [
        name
        for name in __import__("fyslearn.derivations", fromlist=["__all__"]).__all__
        if name[0].islower()
    ],
)
def test_every_numeric_twin_has_a_signature_and_a_docstring_naming_its_arguments(name):
    import inspect

    from fyslearn import derivations

    twin = getattr(derivations, name)().numeric()
    parameters = list(inspect.signature(twin).parameters)
    assert parameters and all(p.isidentifier() and "Dummy" not in p for p in parameters)
    assert "lambdify" not in twin.__doc__  # not SymPy's generated docstring
    for parameter in parameters:
        assert parameter in twin.__doc__, (name, parameter)
    assert "shape" in twin.__doc__ or "number" in twin.__doc__


def test_a_twin_called_with_too_few_arguments_shows_its_signature():
    from fyslearn.derivations import adam_first_step

    with pytest.raises(TypeError, match=r"adam_first_step_numeric\(eta, g, epsilon\)"):
        adam_first_step().numeric()(1e-3, np.ones(3))

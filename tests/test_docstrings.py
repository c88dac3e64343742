"""The docstrings are written in the site's syntax: Markdown, `$...$` math, mkdocstrings links.

The API pages render docstrings with mkdocstrings (Google style) and KaTeX,
which understand no reStructuredText: a Sphinx role (`:math:`, `:class:`, ...),
a directive (`.. math::`) or a double backtick shows up on the site as
literal text. These tests read every module of the installed package with
`ast` (module, class, function and method docstrings, and the string literals
that document attributes) and list each offence as `file:line`.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import fyslearn

ROLE = re.compile(r":(?:py:)?(?:math|class|func|meth|mod|attr|data|exc|obj|ref|doc|term):`")
DIRECTIVE = re.compile(r"^[ \t]*\.\. [a-z-]+::", re.MULTILINE)
#: A Markdown code fence (three or more backticks) is the site's syntax; two
#: backticks alone are reStructuredText's inline literal.
CODE_FENCE = re.compile(r"^[ \t]*(`{3,}).*?^[ \t]*\1", re.MULTILINE | re.DOTALL)
DOUBLE_BACKTICK = re.compile(r"(?<!`)``(?!`).*?(?<!`)``(?!`)|(?<!`)``(?!`)", re.DOTALL)
#: An mkdocstrings cross-reference `[text][fyslearn.dotted.path]`.
CROSS_REFERENCE = re.compile(r"\]\[(fyslearn(?:\.\w+)*)\]")


def _all_modules() -> list[str]:
    names = ["fyslearn"]
    for info in pkgutil.walk_packages(fyslearn.__path__, prefix="fyslearn."):
        names.append(info.name)
    return sorted(names)


ALL_MODULES = _all_modules()


def _without_code_fences(docstring: str) -> str:
    """The docstring with each fenced code block blanked out, its line breaks kept."""
    return CODE_FENCE.sub(lambda match: "\n" * match.group().count("\n"), docstring)


def _docstrings(tree: ast.Module) -> Iterator[tuple[ast.Constant, str]]:
    """Every docstring node of a module: module, classes, functions, documented attributes."""
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        body = node.body
        for index, statement in enumerate(body):
            is_string = (
                isinstance(statement, ast.Expr)
                and isinstance(statement.value, ast.Constant)
                and isinstance(statement.value.value, str)
            )
            if not is_string:
                continue
            previous = body[index - 1] if index > 0 else None
            follows_assignment = isinstance(previous, (ast.Assign, ast.AnnAssign))
            if index == 0 or follows_assignment:
                yield statement.value, statement.value.value


def _source(module: str) -> tuple[Path, str]:
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None, module
    path = Path(spec.origin)
    return path, path.read_text(encoding="utf-8")


def _offences(module: str) -> list[str]:
    path, text = _source(module)
    found = []
    for node, docstring in _docstrings(ast.parse(text)):
        prose = _without_code_fences(docstring)
        checks = [(ROLE, "Sphinx role"), (DIRECTIVE, "reST directive"), (DOUBLE_BACKTICK, "``")]
        for pattern, what in checks:
            for match in pattern.finditer(prose):
                line = node.lineno + prose.count("\n", 0, match.start())
                found.append(f"{path}:{line}: {what}: {match.group().strip()}")
        # The source, not the value: an escape such as `\b` in `\binom` leaves no backslash.
        literal = ast.get_source_segment(text, node) or ""
        if "\\" in literal and not literal.lstrip().lower().startswith("r"):
            found.append(f"{path}:{node.lineno}: docstring with a backslash is not a raw string")
    return found


def test_every_module_of_the_package_is_checked():
    """The walk finds the subpackages and private modules, not only the top level."""
    expected = {"fyslearn.nn.estimators", "fyslearn._validation", "fyslearn.experiments._tasks"}
    assert expected <= set(ALL_MODULES), sorted(expected - set(ALL_MODULES))


@pytest.mark.parametrize("module", ALL_MODULES)
def test_docstrings_use_the_sites_syntax(module):
    offences = _offences(module)
    assert not offences, "reStructuredText in docstrings:\n" + "\n".join(offences)


def _resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        try:
            for name in parts[split:]:
                target = getattr(target, name)
        except AttributeError:
            return False
        return True
    return False


@pytest.mark.parametrize("module", ALL_MODULES)
def test_cross_references_name_existing_objects(module):
    path, text = _source(module)
    unresolved = [
        f"{path}:{node.lineno + docstring.count(chr(10), 0, match.start())}: {match.group(1)}"
        for node, docstring in _docstrings(ast.parse(text))
        for match in CROSS_REFERENCE.finditer(docstring)
        if not _resolves(match.group(1))
    ]
    assert not unresolved, "cross-references to nothing:\n" + "\n".join(unresolved)


def test_the_checks_catch_each_kind_of_offence(tmp_path, monkeypatch):
    """The scanner flags roles, directives, double backticks and non-raw backslashes."""
    package = tmp_path / "rstpackage"
    package.mkdir()
    (package / "__init__.py").write_text(
        '"""Module with :math:`x^2`."""\n'
        "\n"
        "LIMIT = 3\n"
        '"""Documented attribute, see :data:`LIMIT`."""\n'
        "\n"
        "def f():\n"
        '    """A function.\n'
        "\n"
        "    .. math:: x\n"
        '    """\n'
        "\n"
        "class C:\n"
        '    """Uses ``code``."""\n'
        "\n"
        "    def m(self):\n"
        '        """Escapes \\\\alpha without r."""\n'
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    offences = _offences("rstpackage")
    kinds = [offence.split(": ", 1)[1].split(":")[0] for offence in offences]
    assert kinds == [
        "Sphinx role",
        "Sphinx role",
        "reST directive",
        "``",
        "docstring with a backslash is not a raw string",
    ], offences
    lines = [int(offence.split(":")[1]) for offence in offences]
    assert lines == [1, 4, 9, 13, 16], offences


#: Derivations whose prose carries its math as `$...$`. Those of
#: fyslearn/derivations/optimization.py (`sgd_momentum`, `learning_rate_decay`,
#: `adagrad_constant_gradient`, `adam_bias_correction`, `adam_first_step`) join
#: when its titles are converted; then this is every derivation of `derivations.__all__`.
CONVERTED_DERIVATIONS = (
    "backpropagation",
    "glorot_uniform",
    "l1_subgradient",
    "leaky_relu_derivative",
    "mse_gradient",
    "mse_output_gradient",
    "relu_derivative",
    "ridge_gradient",
    "sigmoid_binary_cross_entropy_delta",
    "sigmoid_derivative",
    "softmax_cross_entropy_delta",
    "tanh_derivative",
)
#: Characters that are math written as plain text when they stand outside `$...$`.
PLAIN_TEXT_MATH = re.compile(r"[∂Σσδγβλαηω∇√²³ᵀᵢⱼₖˡ⁻¹₀₁₂₃]|[A-Za-z]_[A-Za-z0-9{]|\^")
INLINE_MATH = re.compile(r"\$[^$]+\$")


def _prose(derivation) -> list[str]:
    """Everything of a derivation a page shows as text (not as display math)."""
    texts = [derivation.title, derivation.summary, *(step.title for step in derivation.steps)]
    texts += [proof.title for proof in derivation.proofs]
    for erratum in derivation.errata:
        texts += [erratum.title, erratum.explanation, erratum.proof.title]
    return texts


@pytest.mark.parametrize("name", CONVERTED_DERIVATIONS)
def test_derivation_prose_writes_its_math_as_math(name):
    from fyslearn import derivations

    derivation = getattr(derivations, name)()
    plain = [
        text
        for text in _prose(derivation)
        if PLAIN_TEXT_MATH.search(INLINE_MATH.sub("", text)) or text.count("$") % 2
    ]
    assert not plain, f"math as plain text (write it as $...$): {plain}"


def test_the_plain_text_math_check_can_fail():
    texts = ["∂C/∂aₖ = −2(yₖ − aₖ)", "(1/n)||y - X beta||^2", "S(z_k)", "odd $x"]
    assert all(PLAIN_TEXT_MATH.search(INLINE_MATH.sub("", t)) or t.count("$") % 2 for t in texts)
    assert not PLAIN_TEXT_MATH.search(INLINE_MATH.sub("", r"slope $\sigma(1 - \sigma)$, at 1/4"))


def test_code_fences_pass_and_double_backticks_beside_them_do_not(tmp_path, monkeypatch):
    package = tmp_path / "fencedpackage"
    package.mkdir()
    (package / "__init__.py").write_text(
        '"""Example:\n\n```python\nx = 1\n```\n\nthen ``x`` is one.\n"""\n'
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    offences = _offences("fencedpackage")
    assert [offence.split(": ", 2)[1:] for offence in offences] == [["``", "``x``"]], offences
    assert int(offences[0].split(":")[1]) == 7, offences


def test_an_escape_that_leaves_no_backslash_is_caught(tmp_path, monkeypatch):
    """`\\binom` in a plain string is a backspace and "inom": KaTeX cannot parse it."""
    package = tmp_path / "escapepackage"
    package.mkdir()
    (package / "__init__.py").write_text('"""Columns: $\\binom{p+d}{d}$."""\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    assert "\x08" in importlib.import_module("escapepackage").__doc__
    offences = _offences("escapepackage")
    assert [offence.split(": ", 1)[1] for offence in offences] == [
        "docstring with a backslash is not a raw string"
    ], offences


def test_plain_turns_cross_references_into_names():
    from fyslearn._docstrings import plain

    doc = (
        "Uses [fit_many][fyslearn.fit_many] and [`SGD`][fyslearn.optim.SGD], see [x][]. $[0, 1]^2$"
    )
    assert plain(doc) == "Uses fit_many and `SGD`, see x. $[0, 1]^2$"
    assert plain(None) is None


@pytest.mark.parametrize(
    "name", ["fyslearn.fit_many", "fyslearn.load", "fyslearn.datasets", "fyslearn.derivations"]
)
def test_help_shows_no_cross_reference_markup(name):
    import pydoc

    module, _, attribute = name.rpartition(".")
    parent = importlib.import_module(module)
    target = getattr(parent, attribute) if hasattr(parent, attribute) else None
    target = target if target is not None else importlib.import_module(name)
    text = pydoc.render_doc(target, renderer=pydoc.plaintext)
    assert not CROSS_REFERENCE.search(text), CROSS_REFERENCE.findall(text)[:3]

"""Markdown for the documentation's pages, built from the repository itself.

Each derivation page shows, in this order: the SymPy derivation (rendered
from the `fyslearn.derivations.Derivation` object; titles and explanations
are Markdown whose math, `$...$`, KaTeX renders), the numpy code that
implements it and the test that ties the two together (both read from the
source files, so the page cannot drift from the code), and a link to a
tutorial. The results pages show committed Markdown files (the output of
`fyslearn reproduce` and of the benchmarks). The pages call these functions
through markdown-exec at build time; this module belongs to the site, not to
the installed package, which never reads the repository's files.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from collections.abc import Sequence
from pathlib import Path

import sympy as sp

from fyslearn import derivations

ROOT = Path(__file__).resolve().parents[2]
#: The URL of the tutorials' folder, relative to a derivation page's URL
#: (`derivations/<page>/`): markdown-exec's output is not rewritten by MkDocs.
TUTORIALS_URL = "../../generated/tutorials"


def _source_of(dotted: str) -> str:
    """Source of `package.module.object` or `package.module.Class.method`."""
    parts = dotted.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for name in parts[split:]:
            target = getattr(target, name)
        return inspect.getsource(target)
    raise ValueError(f"cannot import {dotted}")


def _test_source(reference: str) -> str:
    """Source of `tests/file.py::test_name` (tests are files, not a package)."""
    path, name = reference.split("::")
    text = (ROOT / path).read_text()
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            return "\n".join(text.splitlines()[start - 1 : node.end_lineno])
    raise ValueError(f"no test {name} in {path}")


#: A proof's identity is shown beside its title when its LaTeX is at most this long
#: and holds no matrix (the matrices of the network proofs fill a screen each).
MAX_INLINE_PROOF = 160


def proof_item(proof: derivations.Identity) -> str:
    """A list item: the proof's title (Markdown with `$...$` math), and its identity if short."""
    latex = proof.latex()
    same_sides = proof.display is None and sp.latex(proof.lhs) == sp.latex(proof.rhs)
    if same_sides or len(latex) > MAX_INLINE_PROOF or r"\begin{" in latex:
        return f"- {proof.title}"
    return f"- {proof.title}: ${latex}$"


def derivation_markdown(name: str, heading_level: int = 2) -> str:
    """The derivation `name` as Markdown with display math, steps to errata."""
    derivation = getattr(derivations, name)()
    derivation.verify()  # a page is only built for a derivation that SymPy proves
    hashes = "#" * heading_level
    lines = [f"{hashes} {derivation.title}", "", derivation.summary, ""]
    lines += [f"{hashes}# Derivation (SymPy)", ""]
    for step in derivation.steps:
        lines += [f"*{step.title}*", "", f"$$ {step.latex()} $$", ""]
    lines += ["**Proved by SymPy:**", ""]
    lines += [proof_item(proof) for proof in derivation.proofs]
    lines.append("")
    for erratum in derivation.errata:
        lines += [
            f'!!! warning "Erratum: {erratum.title}"',
            f"    {erratum.explanation}",
            "",
            "    Printed:",
            "",
            f"    $$ {erratum.latex_printed()} $$",
            "",
            "    Corrected:",
            "",
            f"    $$ {erratum.latex_corrected()} $$",
            "",
        ]
    return "\n".join(lines)


def derivation_section(
    name: str, code: Sequence[str], tests: Sequence[str], tutorial: str | None = None
) -> str:
    """A full section: derivation, implementing code, tying test, tutorial link."""
    hashes = "###"
    lines = [derivation_markdown(name), f"{hashes} The numpy code", ""]
    for dotted in code:
        lines += [f"`{dotted}`", "", "```python", _source_of(dotted).rstrip(), "```", ""]
    lines += [f"{hashes} The test that ties them together", ""]
    for reference in tests:
        lines += [f"`{reference}`", "", "```python", _test_source(reference).rstrip(), "```", ""]
    if tutorial:
        if not (ROOT / "tutorials" / f"{tutorial}.py").is_file():
            raise ValueError(f"no tutorial tutorials/{tutorial}.py")
        lines += [f"Used in the tutorial [{tutorial}]({TUTORIALS_URL}/{tutorial}/).", ""]
    return "\n".join(lines)


def errata_markdown() -> str:
    """Every erratum of every derivation, with the check that confirms it."""
    lines = []
    for name in derivations.__all__:
        if not name[0].islower():
            continue
        derivation = getattr(derivations, name)()
        for erratum in derivation.errata:
            wrong = "confirmed" if erratum.printed_is_wrong() else "NOT confirmed"
            right = "proved" if erratum.correction_holds() else "NOT proved"
            lines += [
                f"## {erratum.title}",
                "",
                f"From *{derivation.title}*. {erratum.explanation}",
                "",
                "Printed in the report:",
                "",
                f"$$ {erratum.latex_printed()} $$",
                "",
                "Corrected:",
                "",
                f"$$ {erratum.latex_corrected()} $$",
                "",
                f"SymPy check: the printed form differs from the correct one at a random "
                f"point ({wrong}); that {_lower_first(erratum.proof.title)} is {right}.",
                "",
            ]
    return "\n".join(lines)


def results_markdown(
    path: str = "docs/results/results.md",
    missing: str = "run `fyslearn reproduce all --out docs/results`",
) -> str:
    """A committed Markdown file of results without its title, or a note saying how to make it.

    Args:
        path: The file, relative to the repository.
        missing: How to make the file, shown when it does not exist.
    """
    file = ROOT / path
    if not file.is_file():
        return f"*No results yet: {missing}.*"
    text = file.read_text()
    return text.split("\n", 1)[1] if text.startswith("# ") else text


def _lower_first(sentence: str) -> str:
    """A title as a clause inside a sentence: its first letter in lower case."""
    return sentence[:1].lower() + sentence[1:]

"""The tutorials' notebooks, as the built site offers them for download, run in Jupyter.

Each notebook of `site/generated/tutorials` is executed by a Jupyter kernel
(nbclient + ipykernel, the `test` extra) as a student would run it: from the
first cell, which sets quick mode. Skipped when the site has not been built
(`mkdocs build --strict`) or the extra is not installed.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "site" / "generated" / "tutorials"
sys.path.insert(0, str(ROOT / "docs" / "hooks"))

from fyslearn_notebooks import fold_admonitions, plain_links  # noqa: E402

MKDOCS_ONLY = {
    "folded admonition": re.compile(r"^\?\?\?", re.M),
    "admonition": re.compile(r"^!!!", re.M),
    "cross-reference": re.compile(r"\]\[[\w.]+\]"),
    "link to a Markdown page": re.compile(r"\]\([^)]*\.md[)#]"),
}


def _notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def _markdown(notebook: dict) -> str:
    return "\n".join(
        "".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "markdown"
    )


def test_folded_solutions_become_details_and_notes_quotes():
    markdown = (
        "Exercise 1.\n\n"
        '??? example "Solution 1"\n'
        "    ```python\n"
        "    print(1)\n"
        "    ```\n"
        "\n"
        "    Because.\n"
        "\n"
        "After.\n"
        '!!! note "Careful"\n'
        "    Read this.\n"
    )
    assert fold_admonitions(markdown) == (
        "Exercise 1.\n\n"
        "<details><summary>Solution 1</summary>\n\n"
        "```python\nprint(1)\n```\n\nBecause.\n\n</details>\n\n"
        "After.\n"
        "> **Careful**\n>\n> Read this.\n"
    )


def test_cross_references_and_page_links_become_links_to_the_site():
    urls = {"fyslearn.nn.MLPClassifier": "api/nn/#fyslearn.nn.MLPClassifier"}
    markdown = (
        "[MLPClassifier][fyslearn.nn.MLPClassifier], [gone][fyslearn.gone], "
        "[tuned runs](tuned.md), [results](../../results.md#figures), "
        "[home](../../index.md), [web](https://example.org/a.md)"
    )
    assert plain_links(markdown, "generated/tutorials/fig8.md", "https://s.org/", urls.get) == (
        "[MLPClassifier](https://s.org/api/nn/#fyslearn.nn.MLPClassifier), gone, "
        "[tuned runs](https://s.org/generated/tutorials/tuned/), "
        "[results](https://s.org/results/#figures), [home](https://s.org/), "
        "[web](https://example.org/a.md)"
    )


@pytest.mark.parametrize("path", _notebooks(), ids=lambda path: path.stem)
def test_notebook_runs_in_jupyter_in_quick_mode(path, tmp_path):
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    notebook = json.loads(path.read_text(encoding="utf-8"))
    first = "".join(notebook["cells"][0]["source"])
    assert "QUICK = True" in first and "FYSLEARN_QUICK" in first
    markdown = _markdown(notebook)
    leftovers = {kind: p.findall(markdown)[:3] for kind, p in MKDOCS_ONLY.items()}
    assert not any(leftovers.values()), leftovers
    if "Solution" in markdown:
        assert "<details><summary>Solution" in markdown

    import nbformat

    client = nbclient.NotebookClient(
        nbformat.reads(json.dumps(notebook), as_version=4),
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    executed = client.execute()  # raises CellExecutionError, naming the cell, if one fails
    errors = [
        output
        for cell in executed.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    assert not errors


def test_notebooks_of_the_built_site_exist_when_the_site_does():
    if not (ROOT / "site" / "index.html").exists():
        pytest.skip("no built site: run `mkdocs build --strict` first")
    tutorials = sorted(path.stem for path in (ROOT / "tutorials").glob("*.py"))
    assert [path.stem for path in _notebooks()] == tutorials


def test_an_indented_solution_inside_a_list_item_is_folded_too():
    markdown = (
        '1. Exercise.\n\n    ??? success "Solution"\n        Because.\n\n'
        "        ```python\n        x = 1\n        ```\n\n2. Next."
    )
    assert fold_admonitions(markdown) == (
        "1. Exercise.\n\n    <details><summary>Solution</summary>\n\n    Because.\n\n"
        "    ```python\n    x = 1\n    ```\n\n    </details>\n\n2. Next."
    )

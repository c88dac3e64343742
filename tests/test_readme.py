"""The README's snippets run and print what it says they print; its table is the committed one."""

import contextlib
import io
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)


def test_python_snippets_run_and_print_what_the_readme_shows():
    blocks = BLOCK.findall(README)
    python = [i for i, (language, _) in enumerate(blocks) if language == "python"]
    assert len(python) >= 2
    for i in python:
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            exec(compile(blocks[i][1], f"README.md block {i}", "exec"), {})
        assert output.getvalue().strip(), f"snippet {i} prints nothing"
        if i + 1 < len(blocks) and blocks[i + 1][0] == "text":
            assert output.getvalue() == blocks[i + 1][1]


def test_results_table_is_the_committed_one():
    committed = (ROOT / "docs" / "results" / "results.md").read_text().splitlines()
    readme_rows = [line for line in README.splitlines() if line.startswith("| ")]
    table = [row for row in readme_rows if row.count("|") == 7]
    assert table[0] == "| experiment | quantity | report | fyslearn | scikit-learn | agrees? |"
    for row in table[1:]:
        assert row in committed, row

"""MkDocs hook: the tutorials' notebooks, as downloaded from the site, run in Jupyter.

mkdocs-gallery writes one `.ipynb` per tutorial from the same Markdown that
the site renders, so its notebooks carry MkDocs-only syntax. After the build
this hook rewrites every notebook of the built site (and the zip of all of
them) so that Jupyter shows what the site shows:

* folded solutions (`??? example "Solution 1"`) become HTML `<details>`, and
  notes (`!!! note "Title"`) quotes with a bold title;
* cross-references to the API (`[load_mnist_split][fyslearn.datasets.load_mnist_split]`)
  and links to other pages (`[tuned runs](tuned.md)`) become ordinary links
  to the pages of the site (`site_url`);
* the first cell sets quick mode (`QUICK = True`, the small settings of the
  test suite) before anything is imported, and says how long the report's
  settings take.

`mkdocs.yml` lists this file under `hooks:`.
"""

from __future__ import annotations

import io
import json
import posixpath
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

#: Where mkdocs-gallery puts the tutorials, relative to the site (and to `docs/`).
TUTORIALS = "generated/tutorials"
RESULTS = Path(__file__).resolve().parent.parent / "results"

_ADMONITION = re.compile(
    r'^(?P<indent> *)(?P<kind>\?\?\?\+?|!!!) *(?P<type>\w+)(?: +"(?P<title>[^"]*)")? *$'
)
_CROSS_REFERENCE = re.compile(r"\[(?P<text>[^\]]+)\]\[(?P<target>[\w.]+)\]")
_PAGE_LINK = re.compile(r"\]\((?P<path>[^)#\s:]+\.md)(?P<fragment>#[^)\s]*)?\)")

FIRST_CELL = """\
# Quick mode: the small settings of the test suite, seconds instead of minutes.
# Set QUICK = False for the report's settings{time}.
import os

QUICK = True
os.environ["FYSLEARN_QUICK"] = "1" if QUICK else ""
%matplotlib inline"""


def fold_admonitions(markdown: str) -> str:
    """`??? kind "Title"` blocks as HTML `<details>`, `!!! kind "Title"` blocks as quotes.

    A block may stand indented (inside a list item); its body is indented four
    more spaces than its first line, as MkDocs wants it.
    """
    lines = markdown.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        match = _ADMONITION.match(lines[i])
        if not match:
            out.append(lines[i])
            i += 1
            continue
        indent = match["indent"]
        inner = indent + "    "
        body = []
        i += 1
        while i < len(lines) and (lines[i].startswith(inner) or not lines[i].strip()):
            body.append(lines[i][len(inner) :])
            i += 1
        while body and not body[-1].strip():
            body.pop()
        title = match["title"] or match["type"].capitalize()
        if match["kind"].startswith("???"):
            block = [f"<details><summary>{title}</summary>", "", *body, "", "</details>", ""]
        else:
            block = [f"> **{title}**", ">", *[f"> {line}".rstrip() for line in body], ""]
        out += [f"{indent}{line}" if line else "" for line in block]
    return "\n".join(out)


def plain_links(
    markdown: str, page: str, site_url: str, url_of: Callable[[str], str | None]
) -> str:
    """Cross-references and links to `.md` pages as ordinary links to the site.

    Args:
        markdown: The text of a Markdown cell.
        page: The page the cell belongs to, relative to `docs/` (`generated/tutorials/x.md`).
        site_url: The URL of the site, ending in `/`.
        url_of: The site-relative URL of an API identifier (`api/nn/#fyslearn.nn.MLPRegressor`),
            or `None` when the site has none (the text is then kept, without a link).
    """

    def cross_reference(match: re.Match) -> str:
        url = url_of(match["target"])
        return f"[{match['text']}]({site_url}{url})" if url else match["text"]

    def page_link(match: re.Match) -> str:
        path = posixpath.normpath(posixpath.join(posixpath.dirname(page), match["path"]))
        url = "" if path == "index.md" else path.removesuffix(".md").removesuffix("/index") + "/"
        return f"]({site_url}{url}{match['fragment'] or ''})"

    return _PAGE_LINK.sub(page_link, _CROSS_REFERENCE.sub(cross_reference, markdown))


def _report_time(name: str) -> str:
    path = RESULTS / f"{name}.json"
    if not path.is_file():
        return ""
    record = json.loads(path.read_text(encoding="utf-8"))
    if record.get("quick") is not False:
        return ""
    return f" (about {max(round(record['compute_time']), 1)} s of compute in the committed run)"


def notebook_for_jupyter(
    notebook: dict, name: str, site_url: str, url_of: Callable[[str], str | None]
) -> dict:
    """The gallery's notebook of tutorial `name`, rewritten to run and read well in Jupyter."""
    page = f"{TUTORIALS}/{name}.md"
    cells = []
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            source = plain_links(fold_admonitions(source), page, site_url, url_of)
        elif source.strip() == "%matplotlib inline":
            continue  # the first cell below has it
        cells.append({**cell, "source": source.splitlines(keepends=True)})
    first = {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "outputs": [],
        "source": FIRST_CELL.format(time=_report_time(name)).splitlines(keepends=True),
    }
    return {**notebook, "cells": [first, *cells]}


def _rewrite(path: Path, site_url: str, url_of: Callable[[str], str | None]) -> bytes:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    rewritten = notebook_for_jupyter(notebook, path.stem, site_url, url_of)
    text = json.dumps(rewritten, indent=1, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")
    return text.encode("utf-8")


def on_post_build(config):
    folder = Path(config["site_dir"]) / TUTORIALS
    site_url = config.get("site_url") or ""
    if site_url and not site_url.endswith("/"):
        site_url += "/"
    autorefs = config.plugins.get("autorefs")

    def url_of(identifier: str) -> str | None:
        try:
            url, _ = autorefs.get_item_url(identifier)
        except (KeyError, AttributeError):
            return None
        return url

    notebooks = {path.name: _rewrite(path, site_url, url_of) for path in folder.glob("*.ipynb")}
    for archive in folder.glob("*jupyter*.zip"):
        buffer = io.BytesIO()
        with (
            zipfile.ZipFile(archive) as old,
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as new,
        ):
            for item in old.infolist():
                data = notebooks.get(Path(item.filename).name) or old.read(item)
                new.writestr(item, data)
        archive.write_bytes(buffer.getvalue())

"""MkDocs hooks of the site: quick or full tutorials, quick-run notes, a link check.

`mkdocs.yml` lists this file under `hooks:`.

* **Quick by default.** The tutorials run when the site is built. Unless the
  environment asks for a full build with `FYSLEARN_FULL=1`, the build sets
  `FYSLEARN_QUICK=1`, so that every tutorial runs its experiment's
  `Config.quick()` in seconds instead of the report's settings in minutes:
  `mkdocs serve` and `mkdocs build` show the site in about a minute.
* **Quick numbers are labelled.** In a quick build every tutorial page says so
  at its top and next to each printed output; the home and results pages say
  so next to the results table whenever a committed result (`docs/results/*.json`)
  comes from a quick run.
* **Edits under `mkdocs serve` do not rerun unchanged tutorials.** The first
  build runs every tutorial; later rebuilds of the same server run only the
  tutorials whose source changed (mkdocs-gallery's checksum cache).
* **Links.** After the build, every `href` and `src` of every HTML page that
  stays on the site must name a file of the built site, and its `#fragment`
  an element of that file: a broken internal link fails the build
  (markdown-exec's output is not checked by MkDocs itself).

It also puts `docs/hooks/` on the import path, so that the pages'
markdown-exec blocks can `import fyslearn_pages`.
"""

from __future__ import annotations

import json
import os
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from mkdocs.exceptions import Abort

HOOKS = Path(__file__).resolve().parent
RESULTS = HOOKS.parent / "results"
#: Where mkdocs-gallery writes the tutorial pages, relative to `docs/`.
TUTORIALS = "generated/tutorials/"
#: Pages that show the committed results table of `fyslearn reproduce`.
RESULTS_PAGES = ("index.md", "results.md")
#: Set by this hook for the life of a `mkdocs serve` process: `"started"`, then `"built"`.
SERVE_STATE = "FYSLEARN_SITE_SERVE_STATE"


def _flag(environ: os._Environ | dict, name: str) -> bool | None:
    """`True`/`False` for a set variable (empty or `0` is false), `None` when unset."""
    if name not in environ:
        return None
    return environ[name] not in ("", "0")


def quick_build(environ: os._Environ | dict = os.environ) -> bool:
    """Whether the tutorials run in quick mode: always, unless `FYSLEARN_FULL=1` asks otherwise.

    Args:
        environ: The environment to read.

    Raises:
        Abort: `FYSLEARN_FULL` and `FYSLEARN_QUICK` ask for opposite builds.
    """
    full, quick = _flag(environ, "FYSLEARN_FULL"), _flag(environ, "FYSLEARN_QUICK")
    if full and quick:
        raise Abort("FYSLEARN_FULL=1 and FYSLEARN_QUICK=1 ask for opposite builds: set only one")
    if not full and quick is False:
        raise Abort(
            "FYSLEARN_QUICK=0 no longer selects a full build: "
            "the site is built quick unless FYSLEARN_FULL=1"
        )
    return not full


def quick_results(folder: Path = RESULTS) -> list[str]:
    """The experiments whose committed result in `folder` (`<name>.json`) comes from a quick run."""
    return sorted(
        path.stem
        for path in folder.glob("*.json")
        if json.loads(path.read_text(encoding="utf-8")).get("quick") is not False
    )


def on_startup(command: str, dirty: bool) -> None:
    if command == "serve":
        os.environ[SERVE_STATE] = "started"


def on_config(config):
    if str(HOOKS) not in sys.path:
        sys.path.insert(0, str(HOOKS))
    os.environ["FYSLEARN_QUICK"] = "1" if quick_build() else "0"
    if os.environ.get(SERVE_STATE) == "built":  # a rebuild of `mkdocs serve`
        config.plugins["gallery"].config["run_stale_examples"] = False
    return config


QUICK_TUTORIAL = """!!! warning "Built in quick mode: these are not the report's numbers"
    This page was built with the quick settings of every experiment
    (`Config.quick()`: fewer epochs, smaller grids, fewer seeds), so that the
    site builds in about a minute. Its figures and printed numbers only show
    that the code runs; they are not comparable with the report. Run the
    script (`python tutorials/{name}.py`) or build the site with
    `FYSLEARN_FULL=1 mkdocs build` for the report's settings, and see the
    [results](../../results.md) for the committed full run.
"""

QUICK_OUTPUT = '!!! warning "Quick run: not the report\'s settings"\n'

QUICK_RESULTS = """!!! warning "Quick run: not the report's numbers"
    The committed results of {names} come from a quick run
    (`fyslearn reproduce --quick`), not the report's settings; run
    `fyslearn reproduce all --out docs/results` for the full ones.
"""


def _after_title(markdown: str, note: str) -> str:
    """`markdown` with `note` after its first level-1 heading (at its top if it has none)."""
    lines = markdown.split("\n")
    title = next((i for i, line in enumerate(lines) if line.startswith("# ")), -1)
    return "\n".join([*lines[: title + 1], "", note, *lines[title + 1 :]])


def tutorial_with_notes(markdown: str, name: str) -> str:
    """A tutorial page built in quick mode: a note under its title and one above each output."""
    marked = markdown.replace("\nOut:\n", f"\n{QUICK_OUTPUT}\nOut:\n")
    return _after_title(marked, QUICK_TUTORIAL.format(name=name))


def results_with_note(markdown: str, quick: list[str]) -> str:
    """A page with the results table and a note above it naming the `quick` experiments."""
    note = QUICK_RESULTS.format(names=", ".join(f"`{name}`" for name in quick))
    lines = markdown.split("\n")
    call = next((i for i, line in enumerate(lines) if "results_markdown(" in line), None)
    if call is None:
        return _after_title(markdown, note)
    fence = max(i for i in range(call + 1) if lines[i].startswith("```"))
    return "\n".join([*lines[:fence], note, *lines[fence:]])


def on_page_markdown(markdown, page, config, files):
    uri = page.file.src_uri
    if uri.startswith(TUTORIALS) and os.environ.get("FYSLEARN_QUICK") == "1":
        name = Path(uri).stem
        if name != "mg_execution_times":
            return tutorial_with_notes(markdown, "<name>" if name == "index" else name)
    if uri in RESULTS_PAGES:
        quick = quick_results()
        if quick:
            return results_with_note(markdown, quick)
    return markdown


class _Page(HTMLParser):
    """The links (`href`, `src`) and the anchors (`id`, `name`) of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.anchors: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)
            elif name in ("id", "name") and value:
                self.anchors.add(value)


def _target(site: Path, page: Path, link: str, root_path: str) -> Path | None:
    """The file of the site `link` on `page` points at; `None` if it leaves the site."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc:  # external, mailto:, data:
        return None
    if not parts.path:  # "#anchor": this page
        return page
    path = unquote(parts.path)
    if path.startswith("/"):
        if not path.startswith(root_path):
            return site / "__outside_the_site__" / path.lstrip("/")
        target = site / path[len(root_path) :]
    else:
        target = page.parent / path
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target.resolve()


def broken_links(site: Path, root_path: str = "/") -> list[str]:
    """`page: link` for every internal link of the built `site` that names no file or anchor.

    A link resolves when it names a file of the site and, if it has a
    `#fragment` and names an HTML page, that page has an element with that
    `id` (or `name`).

    Args:
        site: The folder of the built site.
        root_path: The path of the site's URL (`/` for a site at the server's root);
            absolute links must start with it.
    """
    pages = {}
    for path in sorted(site.rglob("*.html")):
        parser = _Page()
        parser.feed(path.read_text(encoding="utf-8"))
        pages[path.resolve()] = parser
    broken = []
    for page, parser in pages.items():
        for link in parser.links:
            target = _target(site.resolve(), page, link, root_path)
            if target is None:
                continue
            fragment = unquote(urlsplit(link).fragment)
            if not target.is_file():
                broken.append(f"{page.relative_to(site.resolve())}: {link}")
            elif fragment and target in pages and fragment not in pages[target].anchors:
                broken.append(f"{page.relative_to(site.resolve())}: {link}")
    return broken


def on_post_build(config):
    if os.environ.get(SERVE_STATE):
        os.environ[SERVE_STATE] = "built"
    root_path = urlsplit(config.get("site_url") or "/").path or "/"
    broken = broken_links(Path(config["site_dir"]), root_path)
    if broken:
        listing = "\n  ".join(broken[:50])
        raise Abort(
            f"{len(broken)} internal link(s) name no file or anchor of the site:\n  {listing}"
        )

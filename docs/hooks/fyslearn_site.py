"""MkDocs hooks of the site: quick or full tutorials, quick-run notes, a link check.

`mkdocs.yml` lists this file under `hooks:`.

* **Quick by default.** The tutorials run when the site is built. Unless the
  environment asks for a full build with `FYSLEARN_FULL=1`, the build sets
  `FYSLEARN_QUICK=1`, so that every tutorial runs its experiment's
  `Config.quick()` in seconds instead of the report's settings in minutes:
  `mkdocs serve` and `mkdocs build` show the site in about a minute.
* **Quick numbers are labelled.** In a quick build every tutorial page whose
  script asks for `quick_mode()` says so at its top and next to each printed
  output (a tutorial that never asks runs the same either way and carries no
  note); the home and results pages say
  so next to the results table whenever a committed result (`docs/results/*.json`)
  comes from a quick run.
* **No warning of unconverged fits in a quick build.** Quick settings stop
  after a few epochs by design, and every fit would say so in a
  `ConvergenceWarning` under its cell; the page's quick-run note says it once.
  A full build shows the warning wherever the report's settings leave a fit
  unconverged.
* **Time at the report's settings.** The page of every tutorial of an
  experiment says, under its title, how long that experiment took in the
  committed full run (`compute_time` of `docs/results/<name>.json`).
* **API pages link to the tutorials.** Every API page ends with the
  tutorials that import from its module, and the names they import.
* **No private bases.** A class's "Bases:" line leaves out private classes
  (`_NetworkEstimator`): the reader cannot use them.
* **Search previews without TeX.** The math of the search index is turned
  into plain text (`\\(\\alpha \\le 1\\)` into `α ≤ 1`), so that previews show
  no raw TeX.
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

import ast
import json
import os
import re
import sys
import warnings
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from mkdocs.exceptions import Abort
from mkdocs.plugins import event_priority

HOOKS = Path(__file__).resolve().parent
TUTORIAL_SOURCES = HOOKS.parents[1] / "tutorials"
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
    if quick_build():
        from fyslearn.optim import ConvergenceWarning

        # Quick settings stop after a few epochs by design; the page says so once at its top.
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
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


REPORT_TIME = """!!! info "At the report's settings: {seconds} of compute"
    The committed full run of this experiment (`fyslearn reproduce {name}`)
    took {seconds} of compute; the [results](../../results.md) page lists
    the time of every experiment.
"""


def report_seconds(name: str, folder: Path = RESULTS) -> float | None:
    """The compute time of the committed full run of experiment `name`, if there is one."""
    path = folder / f"{name}.json"
    if not path.is_file():
        return None
    record = json.loads(path.read_text(encoding="utf-8"))
    return None if record.get("quick") is not False else float(record["compute_time"])


def _duration(seconds: float) -> str:
    """`"40 s"`-style text for a time: seconds below two minutes, else minutes."""
    if seconds < 1:
        return "under a second"
    if seconds < 120:
        return f"{round(seconds)} s"
    return f"{seconds / 60:.0f} min"


def depends_on_quick_mode(name: str, folder: Path = TUTORIAL_SOURCES) -> bool:
    """Whether the tutorial `name` asks for `quick_mode()` (the gallery's index: yes)."""
    path = folder / f"{name}.py"
    return not path.is_file() or "quick_mode(" in path.read_text(encoding="utf-8")


CARD_GROUPS = {
    "report": "## The report's figures",
    "course": "## Beyond the report: the course's later material",
    "tools": "## Tools for your own project",
}
"""Headings of the tutorial cards: the report's experiments, the course's, then the others."""

_CARD = re.compile(r'<div class="mkd-glr-thumbcontainer".*?\n</div>\n', re.S)
_CARD_TARGET = re.compile(r'<a class="reference internal" href="([^"]+)"')


def grouped_cards(markdown: str, groups: dict[str, list[str]]) -> str:
    """The gallery's index with its cards under the headings of `CARD_GROUPS`.

    Args:
        markdown: The index page mkdocs-gallery wrote: text, the cards, then the downloads.
        groups: The tutorials of `report` and `course` (a tutorial in neither is a tool).
    """
    cards = _CARD.findall(markdown)
    if not cards:
        return markdown
    start, end = markdown.index(cards[0]), markdown.index(cards[-1]) + len(cards[-1])
    by_group: dict[str, list[str]] = {group: [] for group in CARD_GROUPS}
    for card in cards:
        name = _CARD_TARGET.search(card).group(1).strip("/").removesuffix(".md")
        group = next((g for g in ("report", "course") if name in groups.get(g, ())), "tools")
        by_group[group].append(card)
    sections = [
        f'{CARD_GROUPS[group]}\n\n<div class="fyslearn-cards">\n{"".join(found)}</div>\n'
        for group, found in by_group.items()
        if found
    ]
    return markdown[:start] + "\n".join(sections) + markdown[end:]


def tutorial_imports(folder: Path = TUTORIAL_SOURCES) -> dict[str, dict[str, list[str]]]:
    """The fyslearn modules each tutorial imports from, and names: `{tutorial: {module: names}}`."""
    found: dict[str, dict[str, list[str]]] = {}
    for path in sorted(folder.glob("*.py")):
        modules: dict[str, list[str]] = {}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("fyslearn"):
                modules.setdefault(node.module, []).extend(alias.name for alias in node.names)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("fyslearn"):
                        modules.setdefault(alias.name, [])
        found[path.stem] = modules
    return found


def tutorial_title(name: str, folder: Path = TUTORIAL_SOURCES) -> str:
    """The title of the tutorial `name`: the first `# ` heading of its docstring."""
    doc = ast.get_docstring(ast.parse((folder / f"{name}.py").read_text(encoding="utf-8"))) or ""
    return next((line[2:] for line in doc.splitlines() if line.startswith("# ")), name)


def tutorials_section(modules: list[str], folder: Path = TUTORIAL_SOURCES) -> str:
    """Markdown listing the tutorials that import from `modules` (or their submodules)."""
    lines = []
    for name, imports in tutorial_imports(folder).items():
        used = sorted(
            {
                imported
                for module, names in imports.items()
                for imported in names or [module]
                if any(module == m or module.startswith(m + ".") for m in modules)
            }
        )
        if used:
            listed = ", ".join(f"`{imported}`" for imported in used)
            link = f"../generated/tutorials/{name}.md"
            lines.append(f"- [{tutorial_title(name, folder)}]({link}): {listed}")
    if not lines:
        return ""
    return "\n".join(["", "## In the tutorials", "", *lines, ""])


_API_MODULE = re.compile(r"^::: (fyslearn[\w.]*)", re.M)

_TEX_WORDS = {
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "Delta": "Δ",
    "epsilon": "ε",
    "varepsilon": "ε",
    "eta": "η",
    "theta": "θ",
    "lambda": "λ",
    "mu": "μ",
    "nu": "ν",
    "rho": "ρ",
    "sigma": "σ",
    "Sigma": "Σ",
    "sum": "Σ",
    "tau": "τ",
    "phi": "φ",
    "psi": "ψ",
    "omega": "ω",
    "partial": "∂",
    "nabla": "∇",
    "cdot": "·",
    "times": "×",
    "odot": "⊙",
    "le": "≤",
    "leq": "≤",
    "ge": "≥",
    "geq": "≥",
    "ne": "≠",
    "neq": "≠",
    "approx": "≈",
    "in": "∈",
    "infty": "∞",
    "to": "→",
    "rightarrow": "→",
    "ln": "ln",
    "log": "log",
    "exp": "exp",
    "max": "max",
    "min": "min",
    "pm": "±",
    "sqrt": "√",
    "ldots": "…",
    "cdots": "⋯",
    "top": "ᵀ",
    "hat": "",
    "left": "",
    "right": "",
    "bar": "",
    "tilde": "",
    "quad": " ",
    "qquad": " ",
}
_MATH = re.compile(r"\\\((.*?)\\\)|\\\[(.*?)\\\]", re.S)


def plain_math(tex: str) -> str:
    """A TeX formula as plain text for a search preview: `\\frac{a}{b}` as `a/b`, `\\eta` as η."""
    text = re.sub(r"\\(?:begin|end)\s*\{[^{}]*\}", " ", tex.replace("&amp;", " "))
    text = text.replace("\\\\", "; ")  # a line break of an aligned or cases environment
    text = re.sub(r"\\(?:mathrm|mathbf|mathcal|text|operatorname|boldsymbol)\s*", "", text)
    for _ in range(3):  # nested fractions
        text = re.sub(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}", r"(\1)/(\2)", text)
    text = re.sub(r"\\([A-Za-z]+)", lambda m: _TEX_WORDS.get(m.group(1), m.group(1)), text)
    text = re.sub(r"\\(.)", r"\1", text)  # \{ \, \; and the like
    text = text.replace("{", "").replace("}", "")
    return " ".join(text.split())


def plain_search_index(path: Path) -> None:
    """Rewrite the search index at `path` with its math as plain text."""
    index = json.loads(path.read_text(encoding="utf-8"))
    for doc in index.get("docs", []):
        for key in ("text", "title"):
            if key in doc:
                doc[key] = _MATH.sub(lambda m: plain_math(m.group(1) or m.group(2)), doc[key])
    path.write_text(json.dumps(index, ensure_ascii=False), encoding="utf-8")


_PRIVATE_BASE = re.compile(r'(?:, )?<code><span title="[\w.]*\._\w+">_\w+</span></code>')
_BASES = re.compile(r'(<p class="doc doc-class-bases">\s*Bases: )(.*?)(</p>)', re.S)


def without_private_bases(html: str) -> str:
    """`html` with the private classes taken out of every "Bases:" line (a line left empty goes)."""

    def public(match: re.Match) -> str:
        bases = _PRIVATE_BASE.sub("", match.group(2)).removeprefix(", ")
        return f"{match.group(1)}{bases}{match.group(3)}" if bases.strip() else ""

    return _BASES.sub(public, html)


@event_priority(-100)  # after autorefs has turned its placeholders into links and names
def on_post_page(output, page, config):
    if page.file.src_uri.startswith("api/"):
        return without_private_bases(output)
    return output


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
    name = Path(uri).stem
    if uri.startswith(TUTORIALS) and name not in ("mg_execution_times", "index"):
        if os.environ.get("FYSLEARN_QUICK") == "1" and depends_on_quick_mode(name):
            markdown = tutorial_with_notes(markdown, name)
        seconds = report_seconds(name)
        if seconds is not None:
            note = REPORT_TIME.format(seconds=_duration(seconds), name=name)
            markdown = _after_title(markdown, note)
        return markdown
    if uri == TUTORIALS + "index.md":
        from fyslearn.experiments import GROUPS

        markdown = grouped_cards(markdown, GROUPS)
        if os.environ.get("FYSLEARN_QUICK") == "1":
            markdown = tutorial_with_notes(markdown, "<name>")
        return markdown
    if uri.startswith("api/"):
        return markdown + tutorials_section(_API_MODULE.findall(markdown))
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


@event_priority(-100)  # after the search plugin has written its index
def on_post_build(config):
    if os.environ.get(SERVE_STATE):
        os.environ[SERVE_STATE] = "built"
    search_index = Path(config["site_dir"]) / "search" / "search_index.json"
    if search_index.is_file():
        plain_search_index(search_index)
    root_path = urlsplit(config.get("site_url") or "/").path or "/"
    broken = broken_links(Path(config["site_dir"]), root_path)
    if broken:
        listing = "\n  ".join(broken[:50])
        raise Abort(
            f"{len(broken)} internal link(s) name no file or anchor of the site:\n  {listing}"
        )

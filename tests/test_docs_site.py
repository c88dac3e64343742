"""The built documentation site, opened in headless Chromium.

Build the site first (``mkdocs build --strict``). Outside CI the test skips,
with the reason, when ``site/`` or Chromium is missing; with ``CI=true`` a
missing piece is a failure.
"""

import functools
import http.server
import importlib.util
import json
import os
import re
import shutil
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
IN_CI = os.environ.get("CI", "").lower() == "true"


def _require(condition: bool, reason: str) -> None:
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the browser test must run)")
    pytest.skip(reason)


playwright = (
    pytest.importorskip("playwright.sync_api")
    if not IN_CI
    else __import__("playwright.sync_api").sync_api
)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    _require(Path(CHROMIUM).exists(), "Chromium is not installed: apt-get install -y chromium")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def base_url():
    _require((SITE / "index.html").exists(), "no built site: run `mkdocs build --strict` first")
    handler = functools.partial(QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture
def watched_page(page):
    """A page that records console errors, page errors and requests leaving 127.0.0.1."""
    problems = _watch(page)
    yield page, problems
    assert problems["console"] == [], problems["console"]
    assert problems["external"] == [], problems["external"]


def _watch(page) -> dict[str, list[str]]:
    """Record on `page` its console and page errors, failed local requests and external requests.

    Every request that leaves 127.0.0.1 is aborted (the site must work offline).
    """
    problems = {"console": [], "external": [], "failed": []}
    page.on("console", lambda m: problems["console"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems["console"].append(str(error)))
    page.on(
        "response",
        lambda r: problems["failed"].append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )

    def route(request_route):
        url = request_route.request.url
        if url.startswith(("http://127.0.0.1", "data:", "blob:")):
            request_route.continue_()
        else:
            problems["external"].append(url)
            request_route.abort()

    page.route("**/*", route)
    return problems


#: Where screenshots for review are kept (gitignored): one per page type.
SCREENSHOTS = ROOT / "site-screenshots"
#: The page of each page type that is photographed, by URL path.
SCREENSHOT_OF = {
    "": "home",
    "derivations/backpropagation/": "derivation",
    "generated/tutorials/fig5_franke_network/": "tutorial",
    "api/nn/": "api",
    "results/": "results",
}


def _screenshot(page, name, full_page=False):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def test_derivation_page_renders_all_math(watched_page):
    page, _ = watched_page
    page.goto("derivations/backpropagation/")
    page.wait_for_selector(".arithmatex .katex")
    n_math = page.locator(".arithmatex").count()
    assert n_math > 5
    assert page.locator(".arithmatex .katex").count() == n_math
    assert page.locator(".katex-error").count() == 0
    prose = page.evaluate(
        "() => Array.from(document.querySelectorAll('article p, article li'))"
        ".map(e => e.innerText).join(' ')"
    )
    assert "$$" not in prose and "\\frac" not in prose and "\\delta" not in prose
    assert page.evaluate("() => document.fonts.check('16px KaTeX_Main')")


def test_tutorial_page_shows_its_figure_and_output(watched_page):
    page, _ = watched_page
    page.goto("generated/tutorials/fig2_activations/")
    image = page.locator("article img.mkd-glr-single-img").first
    image.wait_for()
    assert image.evaluate("i => i.complete && i.naturalWidth") > 100
    assert "largest sigmoid slope: 0.250" in page.locator("article").inner_text()


def test_search_finds_backpropagation(watched_page):
    page, _ = watched_page
    page.goto("")
    page.locator("input.md-search__input").click()
    page.locator("input.md-search__input").press_sequentially("backpropagation")
    page.wait_for_selector(".md-search-result__item")
    assert page.locator(".md-search-result__item").count() > 0
    _screenshot(page, "search-backpropagation")


def test_performance_page_shows_the_committed_benchmarks(watched_page):
    page, _ = watched_page
    page.goto("performance/")
    article = page.locator("article")
    article.wait_for()
    text = article.inner_text()
    committed = (SITE.parent / "benchmarks" / "RESULTS.md").read_text()
    machine = next(line for line in committed.splitlines() if line.startswith("Machine:"))
    assert machine.split(";")[0] in text  # the measured block of the committed file
    assert "the targets they miss" in text and "No results yet" not in text
    assert page.locator("article table").count() >= 6


#: Pages allowed to show raw TeX or reStructuredText while their docstrings are
#: converted to the site's Markdown: listed by `test_every_page_renders_cleanly`
#: but not failures, and an entry whose page has become clean fails until it is
#: removed. Empty: every docstring of the package is converted.
PENDING_CONVERSION: frozenset[str] = frozenset()

#: Raw TeX or reStructuredText in what a reader sees: the page's text without
#: code, rendered math and scripts. Unrendered math keeps its delimiters.
MARKUP_IN_PROSE = {
    "TeX dollar": re.compile(r"\$"),
    "TeX command": re.compile(r"\\[A-Za-z]+"),
    "TeX delimiter": re.compile(r"\\[()\[\]]"),
    "reST role": re.compile(r":(math|class|func|meth|attr|mod|obj|ref|data|exc|term|doc):"),
    "reST directive": re.compile(r"\.\. [a-z-]+::"),
    "reST double backquotes": re.compile(r"``"),
}

_VISIBLE_PROSE = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll("pre, code, .katex, script, style, textarea, input, svg")
    .forEach((element) => element.remove());
  return body.textContent;
}"""

_MATH_DONE = """() => Array.from(document.querySelectorAll(".arithmatex"))
  .every((element) => element.querySelector(".katex, .katex-error"))"""

_UNLOADED_IMAGES = """() => Array.from(document.querySelectorAll("article img"))
  .filter((image) => !(image.complete && image.naturalWidth > 0))
  .map((image) => image.getAttribute("src"))"""


#: Display formulas wider than their box: part of them is hidden (scaled to fit by katex-init.js).
_CUT_FORMULAS = """() => Array.from(document.querySelectorAll("article .katex-display"))
  .filter((display) => display.scrollWidth > display.clientWidth + 1)
  .map((display) => display.textContent.slice(0, 60))"""
#: Code blocks wider than their box: their last columns are hidden (they wrap, fyslearn.css).
_CUT_CODE = """() => Array.from(document.querySelectorAll("article pre > code"))
  .filter((code) => code.scrollWidth > code.clientWidth + 1)
  .map((code) => code.textContent.slice(0, 60))"""


def _site_pages() -> list[str]:
    """The URL path of every HTML page of the built site (`""` for the home page)."""
    if not SITE.is_dir():
        return ["(no built site)"]
    paths = []
    for html in sorted(SITE.rglob("*.html")):
        relative = html.relative_to(SITE).as_posix()
        paths.append(relative.removesuffix("index.html"))
    return paths


def markup_in_prose(text: str) -> list[str]:
    """`kind: excerpt` for each raw TeX or reStructuredText fragment in `text`."""
    found = []
    for kind, pattern in MARKUP_IN_PROSE.items():
        for match in pattern.finditer(text):
            excerpt = " ".join(text[max(match.start() - 30, 0) : match.end() + 30].split())
            found.append(f"{kind}: ...{excerpt}...")
    return found


def _problems_of(page, path: str) -> tuple[dict[str, list[str]], list[str]]:
    """Everything wrong with the page at `path`: (problems that always fail, markup in prose)."""
    watched = _watch(page)
    page.goto(path, wait_until="load")
    try:
        page.wait_for_function(_MATH_DONE, timeout=15_000)
    except playwright.Error:
        pass  # reported below: unrendered math keeps its raw TeX
    problems = {
        **watched,
        "math without KaTeX": [
            text[:80]
            for text in page.locator(".arithmatex").evaluate_all(
                "es => es.filter(e => !e.querySelector('.katex')).map(e => e.textContent)"
            )
        ],
        ".katex-error": page.locator(".katex-error").all_inner_texts(),
        f"display formula cut at {page.viewport_size['width']} px": page.evaluate(_CUT_FORMULAS),
        f"code block cut at {page.viewport_size['width']} px": page.evaluate(_CUT_CODE),
        "images not loaded": page.evaluate(_UNLOADED_IMAGES),
    }
    return problems, markup_in_prose(page.evaluate(_VISIBLE_PROSE))


@pytest.mark.parametrize("path", _site_pages())
def test_every_page_renders_cleanly(page, path):
    """Each page: no console or page error, nothing fetched off 127.0.0.1, no failed request,
    every formula rendered by KaTeX, every image loaded, no raw TeX or reStructuredText."""
    _require((SITE / "index.html").exists(), "no built site: run `mkdocs build --strict` first")
    problems, markup = _problems_of(page, path)
    if path in SCREENSHOT_OF:
        _screenshot(page, SCREENSHOT_OF[path], full_page=True)
    failures = {kind: found for kind, found in problems.items() if found}
    if path in PENDING_CONVERSION:
        assert markup, f"{path} is clean now: remove it from PENDING_CONVERSION"
    elif markup:
        failures["raw TeX or reStructuredText in the prose"] = markup
    assert not failures, f"{path}: {failures}"


def test_markup_in_prose_finds_each_kind():
    text = (
        r"with :math:`\alpha` set, see :class:`MLP`; .. math:: x; ``code``; "
        r"costs $5; \( x \) and \frac12"
    )
    kinds = {found.split(":")[0] for found in markup_in_prose(text)}
    assert kinds == set(MARKUP_IN_PROSE)
    assert markup_in_prose("the L2 penalty α ≥ 0 (the report's λ), shape (n, 10): 0.93") == []


def test_results_page_shows_every_figure_with_a_caption(watched_page):
    page, _ = watched_page
    page.goto("results/")
    figures = page.locator("article figure")
    shown = set()
    for index in range(figures.count()):
        figure = figures.nth(index)
        assert len(figure.locator("figcaption").inner_text().split()) >= 15
        for image in figure.locator("img").all():
            assert image.evaluate("i => i.complete && i.naturalWidth") > 100
            shown.add(Path(image.get_attribute("src")).name)
    committed = {path.name for path in (ROOT / "docs" / "results").glob("*.png")}
    assert shown == committed


def test_figure_3_is_shown_as_two_readable_rows(watched_page):
    """The four heatmaps of Figure 3 are split into two rows as wide as the page."""
    page, _ = watched_page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("results/")
    halves = page.locator("article .fyslearn-half")
    assert halves.count() == 2
    article_width = page.locator("article").evaluate("a => a.clientWidth")
    boxes = [half.bounding_box() for half in halves.all()]
    for box in boxes:
        assert box["width"] > 0.9 * article_width and box["height"] > 0.3 * box["width"]
    assert boxes[1]["y"] >= boxes[0]["y"] + boxes[0]["height"]  # one above the other
    images = [half.locator("img").bounding_box() for half in halves.all()]
    assert images[1]["x"] == pytest.approx(images[0]["x"] - boxes[0]["width"], abs=2)


def test_figure_3_can_be_cut_in_half_between_its_panels():
    """The middle columns of the committed Figure 3 are blank, so each half holds two panels."""
    import matplotlib.image

    pixels = matplotlib.image.imread(ROOT / "docs" / "results" / "fig3_ols_sgd.png")
    middle = pixels[:, pixels.shape[1] // 2 - 4 : pixels.shape[1] // 2 + 4]
    blank = (middle[..., :3] > 0.99).all(axis=-1) | (middle[..., 3] == 0)
    assert blank.all()


def _site_hooks():
    """The site's MkDocs hooks module (docs/hooks/fyslearn_site.py), which holds the link check.

    It imports MkDocs: without the docs extra (`pip install -e ".[docs]"`) the
    tests that use it skip, as the browser tests do without Playwright.
    """
    pytest.importorskip(
        "mkdocs", reason='the docs extra is not installed (pip install -e ".[docs]")'
    )
    path = ROOT / "docs" / "hooks" / "fyslearn_site.py"
    spec = importlib.util.spec_from_file_location("fyslearn_site", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_link_check_finds_every_kind_of_broken_internal_link(tmp_path):
    (tmp_path / "page").mkdir()
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "style.css").write_text("")
    (tmp_path / "index.html").write_text(
        '<h2 id="top">Top</h2><a href="page/">ok</a> <a href="page/#part">ok</a>'
        ' <a href="https://example.org/x">out</a> <a href="#top">anchor</a>'
        ' <link href="assets/style.css"> <a href="mailto:a@b.c">m</a>'
        ' <a href="missing/">dead</a> <img src="assets/figure.png">'
        ' <a href="#nowhere">dead anchor</a> <a href="page/#gone">dead anchor</a>'
    )
    (tmp_path / "page" / "index.html").write_text(
        '<p id="part"><a href="../">up</a> <a href="/assets/style.css">root</a>'
        ' <a href="../generated/tutorials/fig3.md">dead</a> <a href="/nowhere.html">dead</a>'
        ' <a name="named"></a><a href="../page/#named">ok</a> <a href="../#top">ok</a>'
    )
    broken = _site_hooks().broken_links(tmp_path)
    assert broken == [
        "index.html: missing/",
        "index.html: assets/figure.png",
        "index.html: #nowhere",
        "index.html: page/#gone",
        "page/index.html: ../generated/tutorials/fig3.md",
        "page/index.html: /nowhere.html",
    ]


@pytest.mark.parametrize(
    ("environ", "quick"),
    [
        ({}, True),
        ({"FYSLEARN_QUICK": "1"}, True),
        ({"FYSLEARN_FULL": "0"}, True),
        ({"FYSLEARN_FULL": "1"}, False),
        ({"FYSLEARN_FULL": "1", "FYSLEARN_QUICK": "0"}, False),
        ({"FYSLEARN_FULL": "1", "FYSLEARN_QUICK": ""}, False),
    ],
)
def test_the_site_is_built_quick_unless_a_full_build_is_asked_for(environ, quick):
    assert _site_hooks().quick_build(environ) is quick


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"FYSLEARN_FULL": "1", "FYSLEARN_QUICK": "1"}, "opposite builds"),
        ({"FYSLEARN_QUICK": "0"}, "unless FYSLEARN_FULL=1"),
    ],
)
def test_contradictory_build_modes_are_refused(environ, message):
    hooks = _site_hooks()  # skips without MkDocs
    from mkdocs.exceptions import Abort

    with pytest.raises(Abort, match=message):
        hooks.quick_build(environ)


GALLERY_PAGE = """<!-- generated -->

!!! note

    Click [here](#download_links)

# Figure 8: a network

Intro.

```{.python }
print(1)
```

Out:
{: .mkd-glr-script-out }

```{.shell .mkd-glr-script-out-disp }
1
```

Out:
{: .mkd-glr-script-out }
"""


def test_a_quick_tutorial_page_says_so_under_its_title_and_above_each_output():
    hooks = _site_hooks()
    lines = hooks.tutorial_with_notes(GALLERY_PAGE, "fig8_mnist_network").split("\n")
    title = lines.index("# Figure 8: a network")
    assert lines[title + 2] == hooks.QUICK_TUTORIAL.split("\n")[0]
    assert "python tutorials/fig8_mnist_network.py" in "\n".join(lines)
    outputs = [i for i, line in enumerate(lines) if line == "Out:"]
    assert len(outputs) == 2
    for i in outputs:
        assert lines[i - 2] == hooks.QUICK_OUTPUT.strip()


def test_the_results_note_stands_above_the_table_and_names_the_quick_experiments():
    hooks = _site_hooks()
    page = '# Results\n\nText.\n\n```python exec="on"\nprint(results_markdown())\n```\n\nMore.'
    noted = hooks.results_with_note(page, ["fig5_franke_network", "tuned"])
    before, after = noted.split('```python exec="on"')
    assert "Quick run" in before and "`fig5_franke_network`, `tuned`" in before
    assert "Quick run" not in after


def test_quick_results_are_read_from_the_committed_files(tmp_path):
    hooks = _site_hooks()
    (tmp_path / "fig5.json").write_text('{"quick": true, "compute_time": 1.0}')
    (tmp_path / "fig8.json").write_text('{"quick": false, "compute_time": 1.0}')
    assert hooks.quick_results(tmp_path) == ["fig5"]
    assert hooks.quick_results(ROOT / "docs" / "results") == []  # the committed full run


def test_built_tutorial_pages_agree_on_their_mode():
    """In a quick build every tutorial page that asks for quick mode carries the note, above
    each output, and the others none; in a full build no page does."""
    _require((SITE / "index.html").exists(), "no built site: run `mkdocs build --strict` first")
    hooks = _site_hooks()
    pages = sorted((SITE / "generated" / "tutorials").glob("*/index.html"))
    pages = [page for page in pages if page.parent.name != "mg_execution_times"]
    quick = {page.parent.name: hooks.depends_on_quick_mode(page.parent.name) for page in pages}
    assert not all(quick.values())  # check_your_backpropagation runs the same either way
    noted = {page.parent.name: "Built in quick mode" in page.read_text() for page in pages}
    assert noted == quick or not any(noted.values()), noted
    for page in pages:
        html = page.read_text()
        expected = html.count("mkd-glr-script-out-disp") if noted[page.parent.name] else 0
        assert html.count("Quick run: not the report") == expected, page.parent.name


def test_every_experiment_tutorial_states_its_time_at_the_report_settings():
    _require((SITE / "index.html").exists(), "no built site: run `mkdocs build --strict` first")
    import json

    from fyslearn.experiments import EXPERIMENTS

    for name in EXPERIMENTS:
        record = json.loads((ROOT / "docs" / "results" / f"{name}.json").read_text())
        html = (SITE / "generated" / "tutorials" / name / "index.html").read_text()
        seconds = record["compute_time"]
        shown = "under a second" if seconds < 1 else f"{round(seconds)} s"
        if seconds >= 120:
            shown = f"{seconds / 60:.0f} min"
        assert f"At the report's settings: {shown} of compute" in html, name


def test_every_internal_link_of_the_built_site_resolves():
    _require((SITE / "index.html").exists(), "no built site: run `mkdocs build --strict` first")
    assert _site_hooks().broken_links(SITE) == []


def test_tutorials_in_the_report_order_and_glossary_in_the_navigation():
    _require((SITE / "index.html").exists(), "no built site: run `mkdocs build --strict` first")
    from fyslearn.experiments import EXPERIMENTS

    home = (SITE / "index.html").read_text()
    positions = [home.index(f'generated/tutorials/{name}/"') for name in EXPERIMENTS]
    assert positions == sorted(positions)
    assert 'href="glossary/"' in home
    glossary = (SITE / "glossary" / "index.html").read_text()
    for name in ("learning_rate", "alpha", "momentum", "batch_size", "n_batches", "coef_"):
        assert f"<code>{name}</code>" in glossary


def test_installed_package_reads_no_repository_file():
    """The site's generators live in docs/hooks; the package reads only its own data."""
    assert importlib.util.find_spec("fyslearn._docs") is None
    for path in (ROOT / "fyslearn").rglob("*.py"):
        source = path.read_text()
        for marker in ("parents[1]", "parents[2]", "tests/", "docs/", "benchmarks/"):
            assert marker not in source, f"{path.relative_to(ROOT)} mentions {marker!r}"


def _fyslearn_imports(path):
    import ast

    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative: only fyslearn/cli.py is checked, at the package's top
                module = "fyslearn" + "." * bool(module) + module
            if module.startswith("fyslearn"):
                yield module, [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("fyslearn"):
                    yield alias.name, []


@pytest.mark.parametrize(
    "path",
    [*sorted((ROOT / "tutorials").glob("*.py")), ROOT / "fyslearn" / "cli.py"],
    ids=lambda path: path.name,
)
def test_user_facing_code_imports_public_names_only(path):
    imports = list(_fyslearn_imports(path))
    assert imports
    for module, names in imports:
        private = [part for part in module.split(".") if part.startswith("_")]
        private += [name for name in names if name.startswith("_")]
        assert not private, f"{path.name} imports {module}: {private}"


#: Display formulas wider than their box that are neither scaled to the smallest size
#: katex-init.js allows (half) nor scrollable: cut.
_CUT_UNSCROLLABLE_FORMULAS = """() => Array.from(
    document.querySelectorAll("article .katex-display"))
  .filter((display) => display.scrollWidth > display.clientWidth + 1)
  .filter((display) => parseFloat(display.style.fontSize) > 0.5
    || getComputedStyle(display).overflowX !== "auto")
  .map((display) => display.textContent.slice(0, 60))"""


def test_every_page_fits_a_phone_screen(page):
    """At 390 px no code block is cut on the pages richest in code and math, and a display
    formula too wide even at half size scrolls (the SymPy expansions of backpropagation)."""
    _require((SITE / "index.html").exists(), "no built site: run `mkdocs build --strict` first")
    page.set_viewport_size({"width": 390, "height": 844})
    for path in (
        "derivations/backpropagation/",
        "api/nn/",
        "generated/tutorials/fig5_franke_network/",
    ):
        problems, _ = _problems_of(page, path)
        assert not problems["code block cut at 390 px"], path
        assert not page.evaluate(_CUT_UNSCROLLABLE_FORMULAS), path


def test_tutorial_cards_stand_in_three_groups():
    _require((SITE / "index.html").exists(), "no built site: run `mkdocs build --strict` first")
    from fyslearn.experiments import GROUPS

    html = (SITE / "generated" / "tutorials" / "index.html").read_text()
    headings = [html.index(f">{title[3:]}<") for title in _site_hooks().CARD_GROUPS.values()]
    assert headings == sorted(headings)
    report, course, tools = headings

    def card(name: str) -> int:
        return html.index(f'class="reference internal" href="{name}"')

    for name in GROUPS["report"]:
        assert report < card(name) < course, name
    for name in GROUPS["course"]:
        assert course < card(name) < tools, name
    assert tools < card("check_your_backpropagation")


def test_grouped_cards_keep_every_card_once():
    hooks = _site_hooks()
    card = (
        '<div class="mkd-glr-thumbcontainer" tooltip="t">\n'
        '<a class="reference internal" href="{}">\n</div>\n'
    )
    page = "# Tutorials\n\nIntro.\n\n" + "\n".join(card.format(n) for n in "bcat") + "\nDownloads"
    grouped = hooks.grouped_cards(page, {"report": ["a", "b"], "course": ["c"]})
    assert grouped.startswith("# Tutorials\n\nIntro.\n\n## The report's figures")
    assert grouped.endswith("Downloads")
    order = [grouped.index(f'href="{n}"') for n in "bact"]
    assert order == sorted(order)
    assert grouped.count("mkd-glr-thumbcontainer") == 4


def test_search_index_has_no_raw_tex():
    """The prose of every search preview shows math as text; code (source quoted on a page) is
    left as written, TeX of its docstrings included."""
    _require((SITE / "index.html").exists(), "no built site: run `mkdocs build --strict` first")
    entries = json.loads((SITE / "search" / "search_index.json").read_text())["docs"]
    code = re.compile(r"<pre>.*?</pre>|<code>.*?</code>", re.S)
    raw_tex = re.compile(r"\\\(|\\\[|\\frac|\$\$")
    found = [
        f"{entry['location']}: ...{prose[max(0, m.start() - 60) : m.end() + 60]}..."
        for entry in entries
        for prose in [code.sub(" ", entry["text"])]
        for m in raw_tex.finditer(prose)
    ]
    assert not found, "\n".join(found[:5])


def test_plain_math_for_search_previews():
    hooks = _site_hooks()
    assert hooks.plain_math(r"\frac{\partial C}{\partial \beta_k} \le \eta") == "(∂ C)/(∂ β_k) ≤ η"
    assert hooks.plain_math(r"\mathcal N(0, 0.05^2)") == "N(0, 0.05^2)"
    cases = (
        r"\sigma(z) = \begin{cases} z &amp; z &gt; 0 \\ \frac{z}{100} &amp; \text{else} \end{cases}"
    )
    assert hooks.plain_math(cases) == "σ(z) = z z &gt; 0 ; (z)/(100) else"


def test_api_pages_hide_private_bases_and_link_to_their_tutorials():
    _require((SITE / "index.html").exists(), "no built site: run `mkdocs build --strict` first")
    html = (SITE / "api" / "nn" / "index.html").read_text()
    bases = re.findall(r'doc-class-bases">(.*?)</p>', html, re.S)
    assert bases and not any("_NetworkEstimator" in line for line in bases)
    assert 'id="in-the-tutorials"' in html
    assert 'href="../../generated/tutorials/fig8_mnist_network/"' in html
    first_members = re.findall(r'<h3 id="fyslearn\.nn\.estimators\.(\w+)"', html)[:3]
    assert set(first_members) == {"MLPRegressor", "MLPClassifier", "LogisticRegression"}


def test_without_private_bases_drops_only_private_classes():
    hooks = _site_hooks()
    line = (
        '<p class="doc doc-class-bases">\n  Bases: <code><span title="sklearn.base.RegressorMixin">'
        "RegressorMixin</span></code>, <code><span "
        'title="fyslearn.nn.estimators._NetworkEstimator">_NetworkEstimator</span></code></p>'
    )
    assert hooks.without_private_bases(line) == (
        '<p class="doc doc-class-bases">\n  Bases: <code><span title="sklearn.base.RegressorMixin">'
        "RegressorMixin</span></code></p>"
    )
    only_private = line.replace("sklearn.base.RegressorMixin", "fyslearn._x._Base").replace(
        ">RegressorMixin<", ">_Base<"
    )
    assert hooks.without_private_bases(only_private) == ""

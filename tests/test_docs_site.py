"""The built documentation site, opened in headless Chromium.

Build the site first (``mkdocs build --strict``). Outside CI the test skips,
with the reason, when ``site/`` or Chromium is missing; with ``CI=true`` a
missing piece is a failure.
"""

import functools
import http.server
import importlib.util
import os
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
    problems = {"console": [], "external": []}
    page.on("console", lambda m: problems["console"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems["console"].append(str(error)))

    def route(request_route):
        url = request_route.request.url
        if url.startswith(("http://127.0.0.1", "data:", "blob:")):
            request_route.continue_()
        else:
            problems["external"].append(url)
            request_route.abort()

    page.route("**/*", route)
    yield page, problems
    assert problems["console"] == [], problems["console"]
    assert problems["external"] == [], problems["external"]


def _screenshot(page, name):
    folder = SITE / "screenshots"
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=False)


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
    _screenshot(page, "derivation-backpropagation")


def test_tutorial_page_shows_its_figure_and_output(watched_page):
    page, _ = watched_page
    page.goto("generated/tutorials/fig2_activations/")
    image = page.locator("article img.mkd-glr-single-img").first
    image.wait_for()
    assert image.evaluate("i => i.complete && i.naturalWidth") > 100
    assert "largest sigmoid slope: 0.250" in page.locator("article").inner_text()
    _screenshot(page, "tutorial-fig2")


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
    assert "Targets: met and missed" in text and "No results yet" not in text
    assert page.locator("article table").count() >= 6


def _site_hooks():
    """The site's MkDocs hooks module (docs/hooks/fyslearn_site.py), which holds the link check."""
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
        '<a href="page/">ok</a> <a href="page/#part">ok</a> <a href="https://example.org/x">out</a>'
        ' <a href="#top">anchor</a> <link href="assets/style.css"> <a href="mailto:a@b.c">m</a>'
        ' <a href="missing/">dead</a> <img src="assets/figure.png">'
    )
    (tmp_path / "page" / "index.html").write_text(
        '<a href="../">up</a> <a href="/assets/style.css">root</a>'
        ' <a href="../generated/tutorials/fig3.md">dead</a> <a href="/nowhere.html">dead</a>'
    )
    broken = _site_hooks().broken_links(tmp_path)
    assert broken == [
        "index.html: missing/",
        "index.html: assets/figure.png",
        "page/index.html: ../generated/tutorials/fig3.md",
        "page/index.html: /nowhere.html",
    ]


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

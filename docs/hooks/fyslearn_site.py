"""MkDocs hooks of the site: the page generators on the import path, and a link check.

`mkdocs.yml` lists this file under `hooks:`. At configuration time it puts
`docs/hooks/` on the import path, so that the pages' markdown-exec blocks can
`import fyslearn_pages`. After the build, every `href` and `src` of every
HTML page that stays on the site must name a file of the built site: a link
to a missing page fails the build (markdown-exec's output is not checked by
MkDocs itself).
"""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from mkdocs.exceptions import Abort

HOOKS = Path(__file__).resolve().parent


def on_config(config):
    if str(HOOKS) not in sys.path:
        sys.path.insert(0, str(HOOKS))
    return config


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


def _target(site: Path, page: Path, link: str, root_path: str) -> Path | None:
    """The file of the site `link` on `page` points at; `None` if it leaves the site."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or not parts.path:  # external, mailto:, data:, or "#anchor"
        return None
    path = unquote(parts.path)
    if path.startswith("/"):
        if not path.startswith(root_path):
            return site / "__outside_the_site__" / path.lstrip("/")
        target = site / path[len(root_path) :]
    else:
        target = page.parent / path
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target


def broken_links(site: Path, root_path: str = "/") -> list[str]:
    """`page: link` for every internal link of the built `site` that names no file.

    Args:
        site: The folder of the built site.
        root_path: The path of the site's URL (`/` for a site at the server's root);
            absolute links must start with it.
    """
    broken = []
    for page in sorted(site.rglob("*.html")):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for link in parser.links:
            target = _target(site, page, link, root_path)
            if target is not None and not target.resolve().is_file():
                broken.append(f"{page.relative_to(site)}: {link}")
    return broken


def on_post_build(config):
    root_path = urlsplit(config.get("site_url") or "/").path or "/"
    broken = broken_links(Path(config["site_dir"]), root_path)
    if broken:
        listing = "\n  ".join(broken[:50])
        raise Abort(f"{len(broken)} internal link(s) name no file of the site:\n  {listing}")

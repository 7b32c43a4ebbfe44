"""Every link of the built site, read from the HTML files (no browser, no network).

- Every internal link (`<a href>` to a page or file of the site) resolves to a file of
  _build/html, and every `#anchor` in it to an element with that id (or name) in the
  target page, exactly as the static server of the site test would serve them.
- External links are never fetched: they are listed, with the pages that use them, in
  one report, _build/external-links.md, for a person to review. Links that cannot work
  for any reader (file:, localhost) fail.
"""

from __future__ import annotations

import functools
import sys
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "tools"))
from make_pdf import PDF_NAME  # noqa: E402

# Schemes that leave the site; anything else with a scheme is reported as unusable.
EXTERNAL_SCHEMES = {"http", "https", "mailto"}
LOCAL_HOSTS = {"localhost", "127.0.0.1", "0.0.0.0", "::1"}
SITE = "http://site.invalid/"  # a base for urljoin; never requested


class _Links(HTMLParser):
    """The hrefs of <a> elements and the ids (and <a name>s) of one page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        if tag == "a" and attrs.get("href") is not None:
            self.hrefs.append(attrs["href"])


@functools.lru_cache(maxsize=None)
def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser


def _target_file(html_root: Path, url_path: str) -> Path | None:
    """The file the static server would send for a path of the site, or None."""
    relative = unquote(url_path).lstrip("/")
    candidate = html_root / relative
    if relative == "" or relative.endswith("/") or candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


@pytest.fixture(scope="session")
def site_links(html_root, built_html_files):
    """(broken internal links, {external url: [pages]}) over every built page."""
    broken, external = [], defaultdict(list)
    for path in built_html_files:
        page = path.relative_to(html_root).as_posix()
        base = SITE + page
        for href in _parse(path).hrefs:
            href = href.strip()
            if not href or href.startswith("javascript:"):
                continue
            url = urlsplit(urljoin(base, href))
            if f"{url.scheme}://{url.netloc}/" != SITE:
                external[urljoin(base, href)].append(page)
                continue
            target = _target_file(html_root, url.path)
            if target is None:
                missing = unquote(url.path).lstrip("/")
                hint = " (the book's PDF: run `make pdf`)" if missing.endswith(PDF_NAME) else ""
                broken.append(f"{page}: {href} -> no file {missing}{hint}")
                continue
            fragment = unquote(url.fragment)
            if fragment and target.suffix == ".html" and fragment not in _parse(target).ids:
                broken.append(f"{page}: {href} -> {target.relative_to(html_root)} has no "
                              f"element with id {fragment!r}")
    return broken, dict(external)


def test_internal_links_and_anchors_resolve(site_links, built_html_files):
    broken, _ = site_links
    assert built_html_files, "no built page to check"
    if broken:
        shown = "\n  ".join(broken[:40])
        more = f"\n  ... and {len(broken) - 40} more" if len(broken) > 40 else ""
        pytest.fail(f"{len(broken)} internal links that do not resolve:\n  {shown}{more}",
                    pytrace=False)


def test_external_links_are_listed_not_fetched(site_links, book_root):
    _, external = site_links
    report = book_root / "_build" / "external-links.md"
    lines = ["# External links of the built site", "",
             "Listed by tests/site/test_links.py, never fetched by the tests. "
             "Check them by hand (or with a link checker that may use the network).", "",
             "| link | pages |", "|---|---|"]
    unusable = []
    for url in sorted(external):
        pages = sorted(set(external[url]))
        shown = ", ".join(pages[:5]) + (f" and {len(pages) - 5} more" if len(pages) > 5 else "")
        lines.append(f"| {url} | {shown} |")
        parts = urlsplit(url)
        if parts.scheme not in EXTERNAL_SCHEMES:
            unusable.append(f"{url} (scheme {parts.scheme or 'none'}) on {shown}")
        elif parts.hostname in LOCAL_HOSTS:
            unusable.append(f"{url} (a reader's own machine) on {shown}")
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text("\n".join(lines) + "\n")
    assert report.stat().st_size > 0
    if unusable:
        pytest.fail("links no reader can follow:\n  " + "\n  ".join(unusable), pytrace=False)

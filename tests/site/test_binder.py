"""Binder readiness: what mybinder.org will find in the repository and in the built links.

repo2docker builds the Binder image from `requirements.txt` (pip) and `runtime.txt`
(the Python) at the repository root, unless something takes precedence over them: a
`binder/` or `.binder/` folder (then only that folder is read), a Dockerfile, a conda
`environment.yml` or a Pipfile. The launch links in the built HTML must name the
repository and branch of _config.yml and notebooks that exist in the repository.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version
from sitebook import toc_pages

# Files or folders that make repo2docker ignore requirements.txt/runtime.txt at the root.
SHADOWING = ["binder", ".binder", "Dockerfile", "environment.yml", "environment.yaml",
             "Pipfile", "Pipfile.lock"]


def _binder_settings(book_config) -> tuple[str, str, str, str]:
    """(binderhub url, owner/repo, branch, urlpath prefix) from _config.yml."""
    launch = book_config.get("launch_buttons") or {}
    binder = str(launch.get("binderhub_url") or "").rstrip("/")
    repository = book_config.get("repository") or {}
    url = urlsplit(str(repository.get("url") or ""))
    assert url.netloc == "github.com", f"repository.url is not on GitHub: {url.geturl()!r}"
    owner_repo = url.path.strip("/").removesuffix(".git")
    assert re.fullmatch(r"[\w.-]+/[\w.-]+", owner_repo), f"repository.url {url.geturl()!r}"
    branch = str(repository.get("branch") or "main")
    prefix = "lab/tree" if launch.get("notebook_interface") == "jupyterlab" else "tree"
    return binder, owner_repo, branch, prefix


def test_binder_files_at_repository_root(repo_root, pytestconfig):
    requirements = repo_root / "requirements.txt"
    runtime = repo_root / "runtime.txt"
    assert requirements.is_file(), f"{requirements} is missing: Binder installs from it"
    assert runtime.is_file(), f"{runtime} is missing: Binder reads the Python version from it"
    version = runtime.read_text().strip()
    assert re.fullmatch(r"python-3\.\d+", version), (
        f"runtime.txt should read like 'python-3.11' (repo2docker's format), not {version!r}"
    )
    pyproject = repo_root / "pyproject.toml"
    if pyproject.is_file():
        import tomllib

        requires = tomllib.loads(pyproject.read_text()).get("project", {}).get("requires-python")
        if requires:
            assert Version(version.removeprefix("python-")) in SpecifierSet(requires), (
                f"runtime.txt asks for {version}, outside pyproject's requires-python {requires}"
            )


def test_nothing_shadows_the_root_files(repo_root):
    found = [name for name in SHADOWING if (repo_root / name).exists()]
    if found:
        pytest.fail(
            f"repo2docker would use {found} instead of requirements.txt/runtime.txt at the "
            "root; remove them (the root files are all Binder needs)",
            pytrace=False,
        )


def test_requirements_are_pinned_and_install_the_package(repo_root):
    lines = [
        line.split("#", 1)[0].strip()
        for line in (repo_root / "requirements.txt").read_text().splitlines()
    ]
    lines = [line for line in lines if line]
    assert lines and lines[-1] in {"-e .", "--editable ."}, (
        "requirements.txt should end with `-e .` so that Binder installs the book's package"
    )
    unpinned = []
    for line in lines[:-1]:
        if line.startswith("-"):
            unpinned.append(f"{line} (pip option)")
            continue
        requirement = Requirement(line)
        if [spec.operator for spec in requirement.specifier] != ["=="]:
            unpinned.append(line)
    if unpinned:
        pytest.fail(
            "requirements.txt lines not pinned with a single ==, so Binder may get other "
            "versions:\n  " + "\n  ".join(unpinned),
            pytrace=False,
        )


class _LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _launch_links(html_root, files, binder) -> dict[str, list[str]]:
    """{page path relative to _build/html: [Binder hrefs]} over every built page."""
    links = {}
    for path in files:
        parser = _LinkParser()
        parser.feed(path.read_text(errors="replace"))
        found = [href for href in parser.hrefs if href.startswith(binder + "/")]
        if found:
            links[path.relative_to(html_root).as_posix()] = found
    return links


def test_launch_links_match_config_and_repository(
    book_root, book_config, repo_root, html_root, built_html_files
):
    binder, owner_repo, branch, prefix = _binder_settings(book_config)
    assert binder, "_config.yml has no launch_buttons.binderhub_url: no Binder links"
    notebooks = [page for page in toc_pages(book_root) if page.is_notebook]
    links = _launch_links(html_root, built_html_files, binder)
    if not notebooks:
        pytest.skip("no notebook in _toc.yml yet")

    problems = []
    for page in notebooks:
        if page.url_path not in links:
            problems.append(f"{page.url_path}: no Binder launch link")
    for html_page, hrefs in sorted(links.items()):
        for href in hrefs:
            url = urlsplit(href)
            if url.path.rstrip("/") != f"/v2/gh/{owner_repo}/{branch}":
                problems.append(
                    f"{html_page}: {href} does not launch {owner_repo} at branch {branch}"
                )
            urlpath = parse_qs(url.query).get("urlpath", [""])[0]
            if not urlpath.startswith(prefix + "/"):
                problems.append(f"{html_page}: {href} should open {prefix}/<notebook>")
                continue
            path = urlpath.removeprefix(prefix + "/")
            if not (repo_root / path).is_file():
                problems.append(f"{html_page}: {href} opens {path}, not a file of the repository")
                continue
            source = (repo_root / path).resolve()
            expected = source.relative_to(book_root.resolve()).with_suffix(".html").as_posix()
            if expected != html_page:
                problems.append(f"{html_page}: {href} opens another page's notebook ({path})")
    if problems:
        pytest.fail("Binder launch links:\n  " + "\n  ".join(problems), pytrace=False)

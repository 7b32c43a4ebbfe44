"""Which headless Chromium the site test and `make pdf` drive through Playwright.

In order of preference:

1. NNBOOK_CHROMIUM, when set: the reader asked for that binary, so it must exist;
2. a Chromium or Chrome installed on the system (the Debian package `chromium` that CI
   installs, Homebrew's or the app bundle on a Mac, ...);
3. Playwright's own Chromium, when `python -m playwright install chromium` downloaded it;
4. none: `BrowserNotFound`, whose message says exactly what to run.

A system browser comes first because it is what CI has and needs no download (this
project's own machines cannot download Playwright's build at all); Playwright's build is
what a Mac or a Linux without the Debian package can get with one command.

Standard library only until Playwright is asked for its own browser's path.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

ENV_VAR = "NNBOOK_CHROMIUM"

# Running as root in a container needs --no-sandbox; the networking flags stop Chromium
# from calling Google at start-up (the tests allow no request that leaves 127.0.0.1).
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# Names on PATH, most specific first. (Ubuntu's `chromium-browser` may be a snap wrapper,
# which still starts a real Chromium.)
SYSTEM_COMMANDS = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable",
                   "chrome"]
# Places that are not on PATH: the Debian package's binary and the macOS app bundles.
SYSTEM_PATHS = {
    "linux": ["/usr/bin/chromium", "/usr/lib/chromium/chromium", "/snap/bin/chromium"],
    "darwin": [
        "/Applications/Chromium.app/Contents/MacOS/Chromium",
        "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
        str(Path.home() / "Applications/Chromium.app/Contents/MacOS/Chromium"),
        str(Path.home() / "Applications/Google Chrome.app/Contents/MacOS/Google Chrome"),
    ],
}


@dataclass(frozen=True)
class Chromium:
    """A browser binary to launch, and where it was found (printed in reports)."""

    executable: str
    source: str  # "NNBOOK_CHROMIUM", "system" or "playwright"


class BrowserNotFound(RuntimeError):
    """No Chromium anywhere; the message says how to get one."""


def install_hint(python: str | None = None) -> str:
    python = python or _venv_python()
    return (
        "No Chromium was found for the site test and `make pdf`. Either\n"
        f"  - let Playwright download its own:  {python} -m playwright install chromium\n"
        "    (on a Linux missing system libraries, add --with-deps, which uses apt), or\n"
        "  - install the system package: `sudo apt-get install chromium` (Debian, Ubuntu)\n"
        "    or `brew install --cask chromium` (macOS), or\n"
        f"  - point {ENV_VAR} at a Chromium or Chrome binary you already have."
    )


def _venv_python() -> str:
    # The venv's Python as a relative path when run from the repository (the README's
    # commands), else the running interpreter.
    here = Path(sys.executable)
    try:
        return str(here.relative_to(Path.cwd()))
    except ValueError:
        return str(here)


def _playwright_executable() -> str | None:
    """Where Playwright keeps its own Chromium (the path exists only once installed)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    with sync_playwright() as playwright:
        return playwright.chromium.executable_path


def _is_executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def find_chromium(
    environ: Mapping[str, str] | None = None,
    platform: str | None = None,
    which: Callable[[str], str | None] = shutil.which,
    playwright_executable: Callable[[], str | None] = _playwright_executable,
    is_executable: Callable[[str], bool] = _is_executable,
) -> Chromium:
    """The Chromium to launch; raises BrowserNotFound with instructions when none exists.

    The arguments other than `environ` are seams for the unit test (tests/site/
    test_browser_lookup.py), which cannot install or remove browsers.
    """
    environ = os.environ if environ is None else environ
    platform = platform or sys.platform
    chosen = environ.get(ENV_VAR, "").strip()
    if chosen:
        if is_executable(chosen):
            return Chromium(chosen, ENV_VAR)
        raise BrowserNotFound(
            f"{ENV_VAR}={chosen} is not an executable file. Unset it to use the system's "
            "or Playwright's Chromium, or point it at a Chromium binary.\n" + install_hint()
        )
    key = "darwin" if platform == "darwin" else "linux" if platform.startswith("linux") else ""
    for candidate in SYSTEM_PATHS.get(key, []):
        if is_executable(candidate):
            return Chromium(candidate, "system")
    for command in SYSTEM_COMMANDS:
        found = which(command)
        if found and is_executable(found):
            return Chromium(found, "system")
    own = playwright_executable()
    if own and is_executable(own):
        return Chromium(own, "playwright")
    raise BrowserNotFound(install_hint())


if __name__ == "__main__":
    try:
        browser = find_chromium()
    except BrowserNotFound as error:
        print(error, file=sys.stderr)
        sys.exit(1)
    print(f"{browser.executable} ({browser.source})")

"""The choice of browser (tests/tools/chromium.py), without installing or removing one.

Playwright's own Chromium cannot be downloaded on this project's machines, and CI always
has the Debian package, so every branch of the lookup is tested here on a fake machine:
a set of paths that "exist", a fake PATH, and a fake answer from Playwright. The last test
asks the real machine, and passes wherever the site test itself could run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "tools"))
import chromium  # noqa: E402

PLAYWRIGHT_OWN = "/home/reader/.cache/ms-playwright/chromium-1234/chrome-linux/chrome"


class FakeMachine:
    """Which files exist, what is on PATH, and where Playwright keeps its browser."""

    def __init__(self, files=(), on_path=None, playwright=PLAYWRIGHT_OWN):
        self.files = set(files)
        self.on_path = dict(on_path or {})
        self.playwright = playwright
        self.asked_playwright = False

    def which(self, name):
        return self.on_path.get(name)

    def playwright_executable(self):
        self.asked_playwright = True
        return self.playwright

    def is_executable(self, path):
        return path in self.files

    def find(self, environ=None, platform="linux"):
        return chromium.find_chromium(
            environ=environ or {}, platform=platform, which=self.which,
            playwright_executable=self.playwright_executable,
            is_executable=self.is_executable,
        )


def test_debian_package_is_preferred_and_playwright_not_started():
    machine = FakeMachine(files={"/usr/bin/chromium", PLAYWRIGHT_OWN})
    assert machine.find() == chromium.Chromium("/usr/bin/chromium", "system")
    assert not machine.asked_playwright, "starting Playwright's driver is not needed here"


def test_chromium_on_path_is_found():
    machine = FakeMachine(files={"/opt/homebrew/bin/chromium"},
                          on_path={"chromium": "/opt/homebrew/bin/chromium"})
    assert machine.find(platform="darwin").executable == "/opt/homebrew/bin/chromium"


def test_mac_app_bundle_is_found():
    chrome = "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"
    machine = FakeMachine(files={chrome, PLAYWRIGHT_OWN})
    assert machine.find(platform="darwin") == chromium.Chromium(chrome, "system")


def test_linux_paths_are_not_tried_on_a_mac():
    machine = FakeMachine(files={"/usr/bin/chromium"}, playwright=None)
    with pytest.raises(chromium.BrowserNotFound):
        machine.find(platform="darwin")


def test_playwright_own_browser_when_the_system_has_none():
    machine = FakeMachine(files={PLAYWRIGHT_OWN})
    assert machine.find() == chromium.Chromium(PLAYWRIGHT_OWN, "playwright")
    assert machine.asked_playwright


def test_playwright_path_that_is_not_installed_is_not_used():
    # Playwright names the path even before `playwright install` has put a file there.
    machine = FakeMachine(files=set())
    with pytest.raises(chromium.BrowserNotFound) as error:
        machine.find()
    message = str(error.value)
    assert "-m playwright install chromium" in message
    assert "apt-get install chromium" in message
    assert chromium.ENV_VAR in message


def test_environment_variable_wins():
    mine = "/opt/chrome-for-testing/chrome"
    machine = FakeMachine(files={"/usr/bin/chromium", mine})
    found = machine.find(environ={chromium.ENV_VAR: mine})
    assert found == chromium.Chromium(mine, chromium.ENV_VAR)


def test_environment_variable_naming_nothing_is_an_error_not_a_fallback():
    # A reader who points at a browser should learn that it is not there, rather than
    # have the test quietly use another one.
    machine = FakeMachine(files={"/usr/bin/chromium"})
    with pytest.raises(chromium.BrowserNotFound, match="is not an executable file"):
        machine.find(environ={chromium.ENV_VAR: "/nowhere/chrome"})


def test_install_hint_names_the_venv_python():
    hint = chromium.install_hint(".venv/bin/python")
    assert ".venv/bin/python -m playwright install chromium" in hint


def test_this_machine_has_a_browser_the_site_test_can_use():
    found = chromium.find_chromium()
    assert Path(found.executable).is_file(), found
    assert found.source in {"system", "playwright", chromium.ENV_VAR}

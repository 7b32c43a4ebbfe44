"""The static server of the site test and `make pdf` (tests/tools/static_server.py): it
serves a folder on 127.0.0.1, lets the browser cache what it found, and not a 404."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from static_server import CACHE_SECONDS, serve


def test_found_files_are_cacheable_and_missing_ones_are_not(tmp_path):
    (tmp_path / "page.html").write_text("<p>hello</p>", encoding="utf-8")
    with serve(tmp_path) as url:
        assert url.startswith("http://127.0.0.1:") and url.endswith("/")
        with urllib.request.urlopen(url + "page.html", timeout=10) as response:
            assert response.status == 200
            assert response.read() == b"<p>hello</p>"
            assert response.headers["Cache-Control"] == f"max-age={CACHE_SECONDS}"
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(url + "missing.html", timeout=10)
        assert missing.value.code == 404
        assert missing.value.headers["Cache-Control"] is None

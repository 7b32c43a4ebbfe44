"""A static file server for the built site on 127.0.0.1, shared by the site test
(tests/site) and `make pdf` (make_pdf.py).

Both open every page of the book, one after another, in one browser context. A reader's
browser keeps the theme's scripts, MathJax and the fonts in its cache from one page to
the next; so does theirs, because every file this server sends may be cached for an
hour (`Cache-Control`; a missing file's 404 may not). Python's
`SimpleHTTPRequestHandler` sends no such header, and Chromium would then ask again for
each file on each page and compile each script again (which cost the site test about a
fifth of its page loads).

Standard library only.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

CACHE_SECONDS = 3600


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Quiet (no line per request), and cacheable like a web host's static files."""

    def send_response(self, code, message=None) -> None:
        super().send_response(code, message)
        # Only a file that was found may be cached: a missing one is asked for (and
        # reported by the site test) again on every page that links it.
        if code == 200:
            self.send_header("Cache-Control", f"max-age={CACHE_SECONDS}")

    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass

    def handle(self) -> None:
        # The browser may drop a connection it no longer needs (a favicon, a cancelled
        # font): that is not an error of the site, so no traceback on stderr.
        with contextlib.suppress(ConnectionError):
            super().handle()


@contextlib.contextmanager
def serve(folder: Path, name: str = "static-server") -> Iterator[str]:
    """Serve `folder` on a free port of 127.0.0.1 and yield its base URL (ending in /)."""
    handler = functools.partial(_Handler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

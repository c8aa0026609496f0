"""Headless Chromium for the site tests and the README screenshot.

Standard library only at import time (``tools/dev.py`` uses it before anything is
installed); Playwright and the local MathJax are imported only where needed.
"""

import contextlib
import functools
import http.server
import os
import re
import shutil
import threading
from pathlib import Path

CHROMIUM_CANDIDATES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
# Headless Chromium as root on a machine without internet: no sandbox (root), and no
# background connections to Google's services (they would only be refused).
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
MATHJAX_CDN = re.compile(r"^https://cdn\.jsdelivr\.net/npm/mathjax@3/(?P<path>[^?#]+)")


def find_chromium():
    """CHROMIUM_PATH if set, else the first Chromium-based browser on PATH, else None."""
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve_directory(directory):
    """Serve a folder over HTTP on a free port of 127.0.0.1; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def mathjax_dir():
    """The local copy of MathJax 3 (the django-static-mathjax package, MathJax 3.2.2)."""
    import mathjax

    return Path(mathjax.__file__).parent / "static" / "mathjax"


def route_offline(context, site_url, outside_requests):
    """Let a Playwright context reach only the site, with MathJax served locally.

    The pages load MathJax from a CDN; that request is answered from the local copy.
    Every other request that would leave the machine is aborted and recorded in
    ``outside_requests``: a reader offline would miss it too.
    """
    local = mathjax_dir()

    def handle(route):
        url = route.request.url
        if url.startswith(site_url):
            return route.continue_()
        match = MATHJAX_CDN.match(url)
        if match and (local / match["path"]).is_file():
            return route.fulfill(path=local / match["path"])
        outside_requests.append(url)
        return route.abort()

    context.route("**/*", handle)


def wait_until_rendered(page):
    """Wait for the page to load and MathJax (if any) to finish typesetting."""
    page.wait_for_load_state("load")
    page.wait_for_function(
        "() => !window.MathJax || (window.MathJax.startup && window.MathJax.startup.promise"
        " && (window.MathJax.startup.promise.then(() => window.__typeset = true), window.__typeset))",
        timeout=30_000,
    )
    page.wait_for_load_state("networkidle")

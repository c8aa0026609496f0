"""Shared fixtures for the tests of the book itself (not of the package in code/).

The site tests read the built book in _build/html: the README's test command builds
it first. Run them alone after `python3 tools/dev.py build`.
"""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
sys.path.insert(0, str(ROOT / "tools"))

from browser import CHROMIUM_ARGS, find_chromium, serve_directory  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line("markers", "needs_site: needs the built book in _build/html")


@pytest.fixture(scope="session")
def repo_root():
    return ROOT


@pytest.fixture(scope="session")
def site_dir():
    if not (HTML / "index.html").exists():
        pytest.fail("there is no built book in _build/html: run `python3 tools/dev.py build` "
                    "(the README's test command builds it first)")
    return HTML


@pytest.fixture(scope="session")
def site_url(site_dir):
    """The built book served over HTTP on a free port of 127.0.0.1."""
    with serve_directory(site_dir) as url:
        yield url


@pytest.fixture(scope="session")
def chromium_path():
    found = find_chromium()
    if not found:
        pytest.fail("no Chromium found: install Debian's chromium (the README's test command "
                    "does) or set CHROMIUM_PATH")
    return found


@pytest.fixture(scope="session")
def browser(chromium_path):
    """Headless Chromium driven by Playwright; Playwright never downloads a browser here."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()

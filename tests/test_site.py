"""Checks of the built site in _build/html, as a reader's browser sees it.

* every internal link and anchor of every page resolves;
* headless Chromium opens every page of the toc with no console error, sees MathJax
  render the math and the figures load, and finds the Binder launch link pointing at
  this repository, its branch and the page's source file;
* the site's search finds a known term;
* interview solutions are hidden until the reader opens them.

The machine has no internet, so MathJax (which the pages load from a CDN) is served
from a local copy (the django-static-mathjax package: MathJax 3.2.2, the version the
CDN's mathjax@3 resolves to) by intercepting the request. Any other request that
leaves the machine fails the test: a reader offline would miss it too.
"""

import functools
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import yaml
from browser import route_offline, wait_until_rendered
from content_check import load_toc, resolve

pytestmark = pytest.mark.needs_site

ROOT = Path(__file__).resolve().parent.parent
# Console messages that the theme itself emits and that are harmless; each needs a reason.
ALLOWED_CONSOLE_ERRORS = []
TOC_DOCNAMES = [doc for _, docs in load_toc(ROOT) for doc in docs]


def book_config():
    return yaml.safe_load((ROOT / "_config.yml").read_text())


# ---- links and anchors --------------------------------------------------------------

class _LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.links = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key) and (key == "id" or tag == "a"):
                self.ids.add(attrs[key])
        for key in ("href", "src"):
            if attrs.get(key) is not None and tag in ("a", "link", "img", "script", "iframe", "source"):
                self.links.append(attrs[key])


@functools.cache
def _parse(path):
    parser = _LinkParser()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser


def test_every_toc_page_was_built(site_dir):
    missing = [doc for doc in TOC_DOCNAMES if not (site_dir / f"{doc}.html").exists()]
    assert not missing, f"pages in _toc.yml with no HTML page: {missing}"


def test_internal_links_and_anchors_resolve(site_dir):
    skipped = ("_static", "_sources", "_images")
    pages = [p for p in site_dir.rglob("*.html")
             if not any(part in skipped for part in p.relative_to(site_dir).parts)]
    assert len(pages) >= len(TOC_DOCNAMES)
    broken = []
    for page in pages:
        for link in _parse(page).links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith("//") or not (parts.path or parts.fragment):
                continue  # external (checked by the browser test for requests), or empty
            target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            where = f"{page.relative_to(site_dir)}: {link}"
            if not target.exists():
                broken.append(f"{where} -> no such file")
            elif (parts.fragment and target.suffix == ".html"
                  and unquote(parts.fragment) not in _parse(target).ids):
                broken.append(f"{where} -> no anchor #{parts.fragment}")
    assert not broken, "broken internal links:\n" + "\n".join(broken)


# ---- the pages in a browser ---------------------------------------------------------

@pytest.fixture()
def page(browser, site_url):
    """A fresh browser page that records console errors and outside requests."""
    context = browser.new_context()
    page = context.new_page()
    page.errors, page.outside_requests = [], []
    route_offline(context, site_url, page.outside_requests)
    page.on("console", lambda msg: msg.type == "error" and page.errors.append(f"console: {msg.text}"))
    page.on("pageerror", lambda exc: page.errors.append(f"page error: {exc}"))
    yield page
    context.close()


def _open(page, url):
    page.goto(url, wait_until="load")
    wait_until_rendered(page)


def _unexpected(errors):
    return [e for e in errors if not any(allowed in e for allowed in ALLOWED_CONSOLE_ERRORS)]


@pytest.mark.parametrize("docname", TOC_DOCNAMES)
def test_page_renders_in_a_browser(page, site_url, site_dir, docname):
    _open(page, f"{site_url}/{docname}.html")
    assert not page.outside_requests, f"{docname}: requests that leave the site: {page.outside_requests}"
    assert not _unexpected(page.errors), f"{docname}: " + "\n".join(page.errors)

    html = (site_dir / f"{docname}.html").read_text()
    if 'class="math' in html:
        assert page.locator("mjx-container").count() > 0, f"{docname}: MathJax rendered no math"
        assert page.locator("mjx-merror").count() == 0, f"{docname}: MathJax reported a TeX error"

    broken_images = page.evaluate(
        "() => Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0)"
        ".map(i => i.getAttribute('src'))")
    assert not broken_images, f"{docname}: images that did not load: {broken_images}"

    # The Binder launch link: this repository, its branch, and this page's source file.
    config = book_config()
    repo = config["repository"]["url"].rstrip("/").removeprefix("https://github.com/")
    source = resolve(ROOT, docname).relative_to(ROOT).as_posix()
    book_path = config["repository"].get("path_to_book") or ""
    expected = (f"{config['launch_buttons']['binderhub_url'].rstrip('/')}/v2/gh/{repo}/"
                f"{config['repository']['branch']}?urlpath=lab/tree/"
                + (f"{book_path.strip('/')}/" if book_path else "") + source)
    links = page.eval_on_selector_all("a[href*='mybinder.org']", "els => els.map(e => e.href)")
    assert expected in links, f"{docname}: no Binder link {expected}; found {links}"
    query = parse_qs(urlsplit(expected).query)
    assert (ROOT / query["urlpath"][0].removeprefix("lab/tree/")).is_file()


def test_figures_on_the_model_chapter(page, site_url):
    _open(page, f"{site_url}/book/machine-learning/linear-regression.html")
    sizes = page.evaluate("() => Array.from(document.querySelectorAll('.cell_output img'))"
                          ".map(i => [i.naturalWidth, i.naturalHeight])")
    assert len(sizes) >= 3, f"expected the chapter's figures, found {len(sizes)}"
    assert all(w > 100 and h > 100 for w, h in sizes), sizes


def test_search_finds_a_known_term(page, site_url):
    _open(page, f"{site_url}/search.html?q=normal+equations")
    results = page.locator("#search-results ul.search li a")
    results.first.wait_for(timeout=30_000)
    hrefs = results.evaluate_all("els => els.map(e => e.href)")
    assert any("machine-learning/linear-regression.html" in h for h in hrefs), hrefs
    assert not _unexpected(page.errors), "\n".join(page.errors)


def test_solutions_are_hidden_until_opened(page, site_url):
    _open(page, f"{site_url}/book/machine-learning/linear-regression.html")
    solutions = page.locator(".solution.dropdown")
    count = solutions.count()
    assert count >= 5, f"expected at least 5 hidden solutions, found {count}"
    for i in range(count):
        body = solutions.nth(i).locator(":scope > :not(.admonition-title)")
        assert body.count() > 0, f"solution {i + 1} is empty"
        visible = [body.nth(j).is_visible() for j in range(body.count())]
        assert not any(visible), f"solution {i + 1} is visible before it is opened"
    # Opening one (a click on its toggle button) shows its content.
    first = solutions.first
    first.locator("button.toggle-button").click()
    first.locator(":scope > :not(.admonition-title)").first.wait_for(state="visible", timeout=5_000)

"""Take the README's screenshot of a built page: `python3 tools/dev.py screenshot`."""

import sys
from pathlib import Path

from browser import CHROMIUM_ARGS, find_chromium, route_offline, serve_directory, wait_until_rendered
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
PAGE = "book/machine-learning/linear-regression.html"
OUTPUT = ROOT / ".github" / "readme-screenshot.png"


def main():
    chromium = find_chromium()
    if not chromium:
        sys.exit("no Chromium found: run `python3 tools/dev.py setup` or set CHROMIUM_PATH")
    with serve_directory(ROOT / "_build" / "html") as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 860})
        route_offline(context, url, [])
        page = context.new_page()
        page.goto(f"{url}/{PAGE}")
        wait_until_rendered(page)
        figure = page.locator(".cell_output img").first
        if figure.count():
            figure.scroll_into_view_if_needed()
            page.mouse.wheel(0, -260)
            page.wait_for_timeout(300)
        page.screenshot(path=str(OUTPUT))
        browser.close()
    print(f"wrote {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

"""The built pages in Debian's chromium, offline: every chart draws and the console stays clean."""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_pipeline import built  # noqa: F401  (the shared built project)

CHROMIUM = Path("/usr/bin/chromium")


def test_charts_draw_offline_without_console_errors(built):  # noqa: F811
    if not CHROMIUM.exists():
        pytest.fail("Debian chromium is missing: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    html = built / "book" / "_build" / "html"
    pages = sorted(p for p in html.rglob("*.html")
                   if "_static" not in p.relative_to(html).parts and p.name not in ("genindex.html", "search.html"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            charts_seen = 0
            for page_path in pages:
                page = browser.new_page()
                blocked, errors = [], []
                page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://")
                           else (blocked.append(route.request.url), route.abort()))
                page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                page.goto(page_path.as_uri())
                placeholders = page.locator("[id^='altair-viz']").count()
                if placeholders:
                    page.wait_for_function(
                        "n => document.querySelectorAll('.vega-embed svg, .vega-embed canvas').length >= n",
                        arg=placeholders, timeout=20_000)
                    charts_seen += placeholders
                assert page.locator("text=Error loading script").count() == 0
                assert blocked == [], (page_path.name, blocked)
                assert errors == [], (page_path.name, errors)
                page.close()
            # two charts on each scenario page, and the chapters' own figures
            assert charts_seen >= 2 * len(list((html / "scenarios").glob("*.html"))) + 5
        finally:
            browser.close()

"""The built pages in Debian's chromium, offline: every chart draws and the console stays clean."""

from __future__ import annotations

from pathlib import Path

import pytest


CHROMIUM = Path("/usr/bin/chromium")


def test_charts_draw_offline_without_console_errors(built):
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



def _page_npv(page) -> float:
    texts = [t for t in page.locator(".vega-embed svg text").all_text_contents() if t.startswith("NPV:")]
    assert len(texts) == 1, texts
    return float(texts[0].split(":")[1].replace("£m", "").replace("\u2212", "-").replace(",", "").strip())


def test_what_if_sliders_agree_with_the_cli(built):
    from playwright.sync_api import sync_playwright

    from .conftest import cli_json

    page_path = built / "book" / "_build" / "html" / "economic.html"
    # rate, benefit level, optimism bias on capital, on operating costs; the chart is the Green Book
    # appraisal at the decision point, so it must agree with `green_book.npv_gbp_m`
    positions = [(0.035, 1.0, 0.0, 0.0), (0.05, 1.0, 0.0, 0.0), (0.05, 2.0, 0.0, 0.0), (0.05, 2.0, 0.4, 0.0),
                 (0.0, 0.5, 1.2, 0.41)]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://")
                       else route.abort())
            page.goto(page_path.as_uri())
            page.wait_for_function("document.querySelectorAll('input[type=range]').length >= 4", timeout=20_000)
            sliders = page.locator("input[type=range]")
            for rate, level, ob, ob_operating in positions:
                for i, value in enumerate((rate, level, ob, ob_operating)):
                    sliders.nth(i).evaluate(
                        "(el, v) => { el.value = v; el.dispatchEvent(new Event('input', {bubbles: true})); }", value)
                page.wait_for_timeout(300)
                shown = _page_npv(page)
                expected = cli_json("results", "fbc3", "--set", f"appraisal.discount_rate={rate}",
                                    "--set", f"benefits.level_multiplier={level}",
                                    "--set", f"appraisal.optimism_bias_capital={ob}",
                                    "--set", f"appraisal.optimism_bias_operating={ob_operating}",
                                    )["green_book"]["npv_gbp_m"]
                assert abs(shown - expected) < 0.01, (rate, level, ob, ob_operating, shown, expected)
        finally:
            browser.close()

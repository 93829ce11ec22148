"""Shared by the browser tests: Debian chromium through Playwright, offline, and axe-core from npm."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from pathlib import Path
from typing import Iterator

import pytest

CHROMIUM = Path("/usr/bin/chromium")
AXE_DIR = Path(__file__).resolve().parent / "axe"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def site_pages(html: Path) -> list[Path]:
    """Every page of a built site (the theme's generated index and search pages included)."""
    return sorted(p for p in html.rglob("*.html") if "_static" not in p.relative_to(html).parts)


def axe_source() -> str:
    """axe-core, pinned in tests/axe/package-lock.json and installed with `npm ci` (tests only)."""
    script = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
    if not script.is_file():
        npm = shutil.which("npm")
        if not npm:
            pytest.fail("npm is needed to install the pinned axe-core for the accessibility tests")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
                       cwd=AXE_DIR, check=True, capture_output=True)
    return script.read_text(encoding="utf-8")


@contextlib.contextmanager
def chromium() -> Iterator:
    if not CHROMIUM.exists():
        pytest.fail("Debian chromium is missing: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser, path: Path, width: int = 1280, height: int = 900):
    """A page at the given viewport, offline, with every chart drawn."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://")
               else route.abort())
    page.goto(path.as_uri())
    charts = page.locator("[id^='altair-viz']").count()
    if charts:
        page.wait_for_function("n => document.querySelectorAll('.vega-embed svg').length >= n",
                               arg=charts, timeout=20_000)
    return page

"""Text from a params file is shown as written and never becomes markup or script: a case whose title,
description, labels and reasons carry HTML, a `</script>`, a substitution and Markdown builds into pages
where the params created no element or attribute, and where the text reads as it was written."""

from __future__ import annotations

import re
import shutil
from html import unescape
from html.parser import HTMLParser

import pytest
import json

from .conftest import ROOT
from .pipeline_helpers import casebook, notebook_errors

# the tests of this file share a module fixture: they run in one process under `pytest -n` (--dist loadgroup)
pytestmark = pytest.mark.xdist_group("test_hostile_text")


CASE = ROOT / "tests" / "cases" / "regional_records"
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>alert(2)</script>"
SUBST = "{{ x }}"
MARKDOWN = "**bold** [link](javascript:alert(3))"
HOSTILE = f"{IMG} {SCRIPT} {SUBST} {MARKDOWN}"


class Elements(HTMLParser):
    """Every element, its attributes and each script's text, as a browser's parser would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self.strong: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in = tag if tag in ("script", "strong") else None
        if tag == "script":
            self.scripts.append("")
        if tag == "strong":
            self.strong.append("")

    def handle_data(self, data):
        if self._in == "script":
            self.scripts[-1] += data
        elif self._in == "strong":
            self.strong[-1] += data

    def handle_endtag(self, tag):
        self._in = None


def hostile_case(tmp_path):
    case = tmp_path / "case"
    shutil.copytree(CASE, case)
    path = case / "params" / "full.yaml"
    text = path.read_text()
    text = text.replace('title: "Full business case (April 2026)"', f"title: {json.dumps('Full case ' + HOSTILE)}")
    text = text.replace("description: >-\n  The full business case: £2.0m of data migration and each release six months later.",
                        f"description: {json.dumps(HOSTILE)}")
    text = text.replace("label: Data migration\n    kind: capital",
                        f"label: {json.dumps('Migration ' + HOSTILE)}\n    kind: capital")
    text = text.replace("core_go_live: {label: Core records system goes live,",
                        f"core_go_live: {{label: {json.dumps('Core ' + IMG + ' ' + MARKDOWN)},")
    path.write_text(text)
    outline = case / "params" / "outline.yaml"
    outline.write_text(outline.read_text().replace('why: "Test value: analytics takes longer to adopt"',
                                                   f"why: {json.dumps('Slower ' + HOSTILE)}"))
    assert HOSTILE in path.read_text() or "Full case" in path.read_text()
    return case


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    case = hostile_case(tmp_path_factory.mktemp("hostile"))
    proc = casebook(case, "build", "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    return case


def pages(case):
    html = case / "book" / "_build" / "html"
    return [p for p in sorted(html.rglob("*.html")) if "_static" not in p.parts]


def test_the_params_create_no_element_or_attribute(built):
    assert [m for nb in sorted((built / "build" / "runs").rglob("*.ipynb")) for m in notebook_errors(nb)] == []
    for page in pages(built):
        parsed = Elements()
        parsed.feed(page.read_text())
        for tag, attrs in parsed.tags:
            assert not (tag == "img" and attrs.get("src") == "x"), page.name
            assert "onerror" not in attrs, page.name
            assert not str(attrs.get("href", "")).startswith("javascript:"), page.name
        assert "alert(2)" not in [s.strip() for s in parsed.scripts], page.name
        assert "bold" not in parsed.strong, page.name


def test_the_text_reads_as_written(built):
    html = built / "book" / "_build" / "html"
    page = " ".join(unescape(re.sub(r"<[^>]+>", " ", (html / "scenarios" / "full.html").read_text())).split())
    assert "Full case " + HOSTILE in page  # the heading
    # the next version's page says what it extends, by that title, as written
    after = " ".join(unescape(re.sub(r"<[^>]+>", " ", (html / "scenarios" / "rebaseline.html").read_text())).split())
    assert "Full case " + HOSTILE in after
    # every page's navigation carries the title as text
    assert all(("Full case " + IMG) in unescape(p.read_text()) for p in pages(built) if p.name == "index.html")

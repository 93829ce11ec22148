"""Reader pages carry no file names, keys, tool names or slugs (issue 23, item 4), and a dagger's text
alternative is short and links to a list of exactly its assumptions (item 5).

The words are CONNECT's own (tests/reader_words.py reads them from the case's params): its source files'
names, `.yaml` references, dotted params keys, scenario slugs, "papermill", "casebook" outside the
method appendix and the footer's version line, "GBP" and "the seeds", in what a reader sees or hears of
every page but the method appendix, the register and the params reference. The same check runs on the
other cases in tests/test_any_case_words.py."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .conftest import ROOT
from .dependence_record import MARKER, rest_lists
from .reader_words import internal_words, internal_words_on, reader_pages, reader_text

SITE = Path("book") / "_build" / "html"


def test_connect_reader_pages_carry_no_internal_words(built):
    assert internal_words_on(built / SITE, built / "params") == {}


@pytest.mark.parametrize("html, kind", [
    ("<p>worth 000_dfcf8106c0ed4cbe.txt, para 5</p>", "source file"),
    ('<a href="x" title="001_86d069ffb4d8e356.txt, Part 2 para 4">FBC3</a>', "source file"),
    ("<td>see the register's file.yaml:795</td>", "yaml reference"),
    ("<p>solving benefits.realisation_factor</p>", "params key"),
    ('<img alt="appraisal.first_fy" src="a.png">', "params key"),
    ("<p>the uplift-cap sensitivity (fbc3_uplift_cap)</p>", "scenario slug"),
    ("<td>Event: fbc2</td>", "scenario slug"),
    ("<p>executed with papermill</p>", "papermill"),
    ("<p>By casebook</p>", "casebook"),
    ("<p>a placeholder sized to the GBP 44.1m contract</p>", "GBP"),
    ("<p>the seeds do not say</p>", "the seeds"),
])
def test_the_check_finds_every_kind_of_internal_word(html, kind):
    words = internal_words(ROOT / "params")
    text = reader_text(html)
    assert [k for k, rx in words.items() if rx.search(text)] == [kind]


def test_the_check_reads_what_a_reader_sees_not_links_scripts_or_the_version_line():
    words = internal_words(ROOT / "params")
    page = ('<a href="scenarios/fbc3_uplift_cap.html">the uplift cap</a><script>var x = "fbc2.yaml";</script>'
            '<style>.casebook-x {}</style><span class="casebook-assumption">\u2020</span>'
            '<p class="casebook-stamp">casebook 0.1 · inputs sha256 <code>ab</code> (<code>casebook build'
            ' --manifest</code> lists them)</p><p>FBC1, FBC2 and FBC3; £44.1m</p>')
    text = reader_text(page)
    assert not any(rx.search(text) for rx in words.values()), text


# ---------------------------------------------------------------------------------------------------
# Daggers

class _Markers(HTMLParser):
    """Every assumption marker of a page: its href, title and the text a screen reader reads of it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.markers: list[dict] = []
        self._in: dict | None = None
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("class") == "casebook-assumption":
            self._in = {"href": a.get("href"), "title": a.get("title"), "spoken": ""}
        elif self._in is not None and a.get("aria-hidden") == "true":
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag == "a" and self._in is not None:
            self.markers.append(self._in)
            self._in = None
        elif tag == "span" and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if self._in is not None and not self._hidden:
            self._in["spoken"] += data


def test_a_daggers_text_is_short_and_its_link_leads_to_a_list_of_exactly_its_assumptions(built):
    site = built / SITE
    register = (site / "appendix_register.html").read_text(encoding="utf-8")
    register_ids = set(re.findall(r'\bid="([^"]+)"', register))
    seen = 0
    for page in reader_pages(site) + [site / "appendix_register.html"]:
        raw = page.read_text(encoding="utf-8")
        parser = _Markers()
        parser.feed(raw)
        lists = rest_lists(raw)
        assert len(MARKER.findall(raw)) == len(parser.markers), page.name  # every marker in the one form
        for m in parser.markers:
            seen += 1
            n = int(re.fullmatch(r"rests on (\d+) assumptions?", m["title"]).group(1))
            assert m["title"] == f"rests on {n} assumption{'' if n == 1 else 's'}"
            assert m["spoken"] == f"({m['title']})"  # what a screen reader reads: short
            anchor = m["href"].removeprefix("#")
            assert m["href"].startswith("#") and anchor in lists, (page.name, m["href"])
            items = lists[anchor]
            assert len(items) == n == len(set(items)), (page.name, anchor)
            for href, _label in items:  # each links to its row of the register, which exists
                target, _, frag = href.partition("#")
                assert target.endswith("appendix_register.html") and frag in register_ids, href
        # every list the page holds is one a marker links to; its section has a heading
        assert set(lists) == {m["href"].removeprefix("#") for m in parser.markers}, page.name
        if lists:
            assert raw.count('class="casebook-rests"') == 1 and "Assumptions behind the marked figures" in raw
    assert seen > 50

"""CONNECT's own built book, read as a reviewer reads it: no check label or text left as an unfilled
`{name}` template, and no dagger on a table's header cell (a header names a column; the cells that
rest on assumptions carry the marker)."""

from __future__ import annotations

import re
from html import unescape

PLACEHOLDER = re.compile(r"\{[a-z_][a-z0-9_]*(:[^}]*)?\}")


def pages(project):
    html = project / "book" / "_build" / "html"
    return [p for p in sorted(html.rglob("*.html"))
            if "_static" not in p.parts and p.name not in ("search.html", "genindex.html")]


def visible_text(raw: str) -> str:
    raw = re.sub(r"<script\b.*?</script>|<style\b.*?</style>", " ", raw, flags=re.S)
    raw = re.sub(r'<(span|div) class="math[^"]*">.*?</\1>', " ", raw, flags=re.S)  # LaTeX is not a template
    # nor is syntax quoted as code (the params reference's `{name}`, the page API's examples)
    raw = re.sub(r"<code\b.*?</code>|<pre\b.*?</pre>", " ", raw, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", raw)).split())


def test_no_unfilled_placeholder_on_any_page(built):
    found = {}
    for page in pages(built):
        hits = [m.group(0) for m in PLACEHOLDER.finditer(visible_text(page.read_text()))]
        if hits:
            found[str(page.relative_to(built))] = hits[:5]
    assert found == {}


def test_no_dagger_on_a_header_cell(built):
    header = re.compile(r"<th\b[^>]*>(?:(?!</th>).)*casebook-assumption", re.S)
    assert [p.name for p in pages(built) if header.search(p.read_text())] == []
    # the markers are still there, on the cells
    assert sum(p.read_text().count('class="casebook-assumption"') for p in pages(built)) > 50

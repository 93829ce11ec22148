"""The lists a page's assumption markers (daggers) link to. A marker (glued_figures.assumption_marker)
has a short text alternative, "rests on 3 assumptions", and links to `#rests-<digest>` on its own page;
it carries its assumptions (each a link to its register row and a label) in a data attribute. Once
Sphinx has written a page, `add_rest_lists` turns those attributes into one short section at the end of
the page's article: for every distinct set, a list of exactly its assumptions, each linking to its row
of the assumptions register. Static HTML, no script: the marker is an ordinary in-page link."""

from __future__ import annotations

import hashlib
import html
import json
import re

#: a marker as glued_figures.assumption_marker writes it, with its data attribute
_MARKER = re.compile(r'(<a class="casebook-assumption" href="#(rests-[0-9a-f]+)"[^>]*?)'
                     r' data-rests="([^"]*)"')
SECTION_CLASS = "casebook-rests"


def rest_id(items) -> str:
    """The in-page anchor of a set of (register link, label) pairs."""
    digest = hashlib.sha256(json.dumps([list(i) for i in items]).encode()).hexdigest()[:12]
    return f"rests-{digest}"


def count_text(n: int) -> str:
    return f"rests on {n} assumption{'' if n == 1 else 's'}"


def add_rest_lists(page: str) -> str:
    """The page with its markers' data attributes removed and the list of each distinct set added at
    the end of its article (before </article>, or </main>, or </body>); a page without markers as it was."""
    sets: dict[str, list] = {}

    def strip(m: re.Match) -> str:
        sets.setdefault(m.group(2), json.loads(html.unescape(m.group(3))))
        return m.group(1)

    out = _MARKER.sub(strip, page)
    if not sets:
        return page
    blocks = []
    for anchor, items in sets.items():
        links = "".join(f'<li><a href="{html.escape(href)}">{html.escape(label)}</a></li>' for href, label in items)
        blocks.append(f'<li id="{anchor}"><p>{count_text(len(items)).capitalize()}:</p><ul>{links}</ul></li>')
    section = (f'<section class="{SECTION_CLASS}" aria-labelledby="casebook-rests-title">'
               f'<h2 id="casebook-rests-title">Assumptions behind the marked figures</h2>'
               f'<p>Each figure marked \u2020 on this page links here, to the assumptions it rests on; '
               f'each assumption links to its entry in the assumptions register.</p>'
               f'<ol>{"".join(blocks)}</ol></section>')
    for end in ("</article>", "</main>", "</body>"):
        at = out.rfind(end)
        if at >= 0:
            return out[:at] + section + out[at:]
    return out + section

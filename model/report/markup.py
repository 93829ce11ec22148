"""Text from a params file or a source, made safe for where it is written. A case's params may come
from many hands; a reader opening the book must never run, or see rendered as markup, what a params
file says. HTML text and attributes use `html.escape`; this module covers the other two places: MyST
Markdown (a heading, a sentence a notebook displays) and JSON inside a `<script>` (a chart's spec)."""

from __future__ import annotations

import json
import re

#: Every ASCII punctuation character may be backslash-escaped in CommonMark (and so in MyST), which
#: then shows it as itself: no emphasis, link, role, substitution, math, HTML or heading is made.
_PUNCTUATION = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")


def markdown_text(text: object) -> str:
    """`text` as MyST Markdown that shows exactly these characters: every punctuation mark escaped,
    and line breaks made spaces (a newline could start a block: a heading, a list, a directive)."""
    return _PUNCTUATION.sub(r"\\\1", " ".join(str(text).split()))


class ScriptSafeJSON(json.JSONEncoder):
    """JSON that may sit inside an HTML `<script>`: `<`, `>` and `&` are written as \\u escapes, which
    JSON reads back as the same characters, so that no string can close the script (`</script>`) or
    open a comment. Only strings can hold these characters in JSON, so the replacement is exact."""

    def encode(self, o) -> str:  # noqa: D401
        return super().encode(o).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

    def iterencode(self, o, _one_shot=False):
        for chunk in super().iterencode(o, _one_shot):
            yield chunk.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

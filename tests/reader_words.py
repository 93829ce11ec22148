"""The internal words a reader's page must not carry (issue 23, item 4), for any case: its source
documents' file names, a `.yaml` reference, its params' dotted keys, its scenarios' slugs, the tool's
names ("papermill", "casebook" outside the footer's version line), "GBP" (money is £m) and "the seeds".
The slugs, keys and file names come from the case's own params. Only what a reader sees or hears is
read: a page's visible text and its title, alt and aria-label attributes (not hrefs, scripts or styles).

The method appendix may name the tools, and the assumptions register and the params reference (the
pages that map figures to params) may show keys and file names: they are not read."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import yaml

#: the pages that may show keys, file names or the tool's names, and Sphinx's own pages
EXCUSED = ("appendix_method.html", "appendix_register.html", "params_reference.html", "api_reference.html",
           "genindex.html", "search.html")
#: a params key's part: lower-case letters, digits and underscores
_PART = re.compile(r"^[a-z_][a-z0-9_]*$")
#: the footer's version line (model.pipeline.stage.stamp_footer), where "casebook" is the version's name
_STAMP = re.compile(r'<p class="casebook-stamp">.*?</p>', re.S)


class _Reader(HTMLParser):
    """A page's visible text and its title, alt and aria-label attributes, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip += 1
        self.out.extend(v for a, v in attrs if a in ("title", "alt", "aria-label") and v)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.out.append(data)


def reader_text(page_html: str) -> str:
    """What a reader sees or hears of a page, as one line (the footer's version line left out)."""
    parser = _Reader()
    parser.feed(_STAMP.sub(" ", page_html))
    return " ".join(" ".join(parser.out).split())


def _keys(node, path=()) -> set[str]:
    out = set()
    if isinstance(node, dict):
        for k, v in node.items():
            here = path + (str(k),)
            if len(here) > 1 and all(_PART.match(p) for p in here):
                out.add(".".join(here))
            out |= _keys(v, here)
    return out


def internal_words(params: Path) -> dict[str, re.Pattern]:
    """name -> the pattern of one kind of internal word, from the case's params directory. A slug is
    one only if no reader would write it (it has an underscore or a digit): 'outline' is a word."""
    scenarios = sorted(p for p in params.glob("*.yaml"))
    slugs = [p.stem for p in scenarios if re.search(r"[_0-9]", p.stem)]
    keys: set[str] = set()
    for p in scenarios:
        keys |= _keys(yaml.safe_load(p.read_text(encoding="utf-8")) or {})
    declared = yaml.safe_load((params / "sources" / "sources.yaml").read_text(encoding="utf-8")) or {}
    files = sorted({str(name) for name in (declared.get("documents") or {})}
                   | {p.name for p in (params / "sources").iterdir() if p.name != "sources.yaml"})

    def alternation(words) -> str:
        return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))

    patterns = {"yaml reference": re.compile(r"\.ya?ml\b"), "papermill": re.compile(r"papermill", re.I),
                "casebook": re.compile(r"\bcasebook\b", re.I), "GBP": re.compile(r"\bGBP\b"),
                "the seeds": re.compile(r"\bthe seeds\b", re.I)}
    if files:
        patterns["source file"] = re.compile(rf"(?<![\w.\-])({alternation(files)})(?![\w\-])")
    if slugs:
        patterns["scenario slug"] = re.compile(rf"(?<![\w\-])({alternation(slugs)})(?![\w\-])")
    if keys:
        patterns["params key"] = re.compile(rf"(?<![\w.])({alternation(keys)})(?![\w])")
    return patterns


def reader_pages(site: Path) -> list[Path]:
    return [p for p in sorted(site.rglob("*.html"))
            if not p.relative_to(site).as_posix().startswith("_") and p.name not in EXCUSED]


def internal_words_on(site: Path, params: Path) -> dict[str, dict[str, list[str]]]:
    """page -> kind -> every internal word it shows, with some text around it."""
    patterns = internal_words(params)
    found: dict[str, dict[str, list[str]]] = {}
    for page in reader_pages(site):
        text = reader_text(page.read_text(encoding="utf-8"))
        for kind, rx in patterns.items():
            hits = [text[max(0, m.start() - 40):m.end() + 20] for m in rx.finditer(text)]
            if hits:
                found.setdefault(page.relative_to(site).as_posix(), {})[kind] = hits
    return found

"""The page-building API, read from the code itself: every public function of model.report.book (the
data and tables a page shows), model.report.bookviews (the glue, the tables with downloads, the page
helpers) and model.report.charts, with its signature and docstring, in groups. The packaged page
api_reference.md shows it, so that the reference cannot fall behind the code."""

from __future__ import annotations

import html
import inspect
import re
from types import ModuleType

#: The groups of the reference, in page order, with what each holds.
GROUPS = {
    "data": "model.report.book: the case's versions, scenarios and results",
    "tables": "model.report.book and bookviews: the tables a page shows (pandas DataFrames)",
    "glue": "model.report.bookviews: figures glued into the prose",
    "charts": "model.report.bookviews.glue_chart and model.report.charts: the book's Altair charts",
    "page": "model.report.bookviews: setting up a page and showing what it holds",
}


def public_functions(module: ModuleType) -> dict[str, object]:
    """The module's public functions by name, sorted: every name not starting with '_' bound to a
    function (those it defines and those it gathers from the modules below it)."""
    return {name: f for name, f in sorted(vars(module).items())
            if not name.startswith("_") and inspect.isfunction(f)}


def _returns_frame(f) -> bool:
    return "DataFrame" in str(inspect.signature(f).return_annotation)


def group_of(module_name: str, name: str, f) -> str:
    """Which group of the reference a public function belongs to (see GROUPS)."""
    if module_name.endswith(".charts") or "chart" in name:
        return "charts"
    if "table" in name or _returns_frame(f):
        return "tables"
    if module_name.endswith(".book"):
        return "data"
    if name.startswith("glue") or name in {"money", "cite", "cite_all", "tracked"}:
        return "glue"
    return "page"


def api_entries() -> dict[str, list[dict]]:
    """Every public function of book, bookviews and charts, by group: each with its name as a page
    calls it (`book.npv_bridge`, `bv.glue_money`, `charts.versions`), its signature and docstring."""
    from . import book, bookviews, charts

    groups: dict[str, list[dict]] = {g: [] for g in GROUPS}
    for module, prefix in ((book, "book"), (bookviews, "bv"), (charts, "charts")):
        for name, f in public_functions(module).items():
            groups[group_of(module.__name__, name, f)].append({
                "name": f"{prefix}.{name}", "signature": str(inspect.signature(f)),
                "doc": inspect.getdoc(f) or "", "module": inspect.getmodule(f).__name__})
    return groups


def _paragraph(text: str) -> str:
    """A docstring paragraph as HTML: its lines run together, except the items of a list ('1. ...',
    '- ...'), each of which starts a line."""
    out = ""
    for line in text.splitlines():
        item = re.match(r"\s*(\d+\.|[-*]) ", line)
        out += ("<br>" if item and out else " " if out else "") + _inline(line.strip())
    return out


def _inline(text: str) -> str:
    """Escaped text with its quoted syntax (``x`` or `x`, reST's and Markdown's ways) set as code."""
    text = re.sub(r":[a-z]+:(?=`)", "", text)  # a reST role (:func:`glue`): the name, as code
    parts = re.split(r"``(.+?)``|`([^`]+)`", text)
    out = []
    for i in range(0, len(parts), 3):
        out.append(html.escape(parts[i]))
        if i + 1 < len(parts):
            code = parts[i + 1] if parts[i + 1] is not None else parts[i + 2]
            out.append(f"<code>{html.escape(code)}</code>")
    return "".join(out)


def entries_html(entries: list[dict]) -> str:
    """A group's functions as HTML: a definition list of signatures and docstrings."""
    items = []
    for e in entries:
        paragraphs = "".join(f"<p>{_paragraph(p)}</p>" for p in e["doc"].split("\n\n") if p.strip())
        items.append(f'<dt id="api-{html.escape(e["name"].replace(".", "-"))}"><code>'
                     f'{html.escape(e["name"] + e["signature"])}</code></dt>'
                     f'<dd>{paragraphs}<p class="casebook-api-module">Defined in '
                     f'<code>{html.escape(e["module"])}</code>.</p></dd>')
    return f'<dl class="casebook-api">{"".join(items)}</dl>'

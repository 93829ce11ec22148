"""Tables as HTML, whole: every row and every character of every cell, with readable headings and
labels in place of params keys, one precision per kind of figure and no negative zero.

pandas' own HTML cuts long tables ("...", "123 rows x 6 columns") and long cells; this writes the
table itself.
"""

from __future__ import annotations

import html
import math
import re
from typing import Any, Iterable, Mapping

import pandas as pd

from ..core.fy import parse_date
from ..core.schema_checks import blank_placeholders

#: Column headings that are not simply the key with its unit spelt out. Generic to any case.
HEADINGS = {"cost_per_day_gbp": "Cost per day £", "after_decision_gbp_m": "After the decision £m",
            "no_optimism_bias_on": "No optimism bias on", "gross_gbp_m": "Gross £m",
            "already_costed_gbp_m": "Already costed £m", "expected_cost_gbp_m": "Expected cost £m",
            "fy": "FY", "bcr": "BCR", "tco_gbp_m": "TCO £m", "npv_gbp_m": "NPV £m",
            "npv_published_gbp_m": "Published NPV £m", "pv_costs_gbp_m": "PV costs £m",
            "pv_benefits_gbp_m": "PV benefits £m",
            "published_total": "Printed total", "cumulative_pct_of_original": "Cumulative % of original",
            "uplift_pct_of_original": "Uplift % of original", "t": "t", "pv_gbp_m": "Present value £m",
            "id": "Check",
            "sunk_costs_gbp_m": "Sunk costs £m", "gb_npv_gbp_m": "Green Book NPV £m",
            "gb_change_in_npv_gbp_m": "Change in Green Book NPV £m", "gb_bcr": "Green Book BCR",
            "paper_npv_gbp_m": "Paper's measure: NPV £m", "reg72_check": "Regulation 72 test (each modification)",
            "within_50pct_of_original": "Within 50% of original", "amount_gbp_m": "£m",
            "gross_from_cells_gbp_m": "Gross, added from the cells £m",
            "net_from_cells_gbp_m": "Net, added from the cells £m",
            "stated_in_recommendations_gbp_m": "Stated in the recommendations £m",
            "npv_low_gbp_m": "NPV at low £m", "npv_high_gbp_m": "NPV at high £m",
            "npv_base_gbp_m": "NPV at base £m", "value_for_zero_npv": "Value for a zero NPV",
            "npv_there_gbp_m": "NPV at that value £m", "default_range": "Default range"}
SNAKE_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")
DOTTED_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[A-Za-z0-9_/]+)+$")
#: a lower-case name with a digit and no space ('v2'): a scenario's name, not a word
WORD_SLUG_RE = re.compile(r"^[a-z]+[0-9][a-z0-9]*$")
MONTH_RE = re.compile(r"^\d{4}-\d{2}$")
DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def heading(column: str, labels: Mapping[str, str] | None = None) -> str:
    """A column name as a reader would want it: 'capital_gbp_m' -> 'Capital £m'; a go-live milestone's
    key by its params label less the detail in brackets: 'release2_go_live' -> 'Release 2 go-live'."""
    if column in HEADINGS:
        return HEADINGS[column]
    if labels and column.endswith("_go_live") and column in labels:
        return labels[column].split(" (")[0].strip()
    if column.startswith("FY"):
        return column
    text = column.replace("_gbp_m", " £m").replace("_pct", " %").replace("_", " ")
    return text[:1].upper() + text[1:]


def places_for(column: str, default: int) -> int:
    """One precision per kind of figure, everywhere: a BCR to 2 places, a percentage to 1, a discount
    factor to 4, money in £m to the papers' own 3 (thousands of pounds)."""
    name = str(column)
    if name == "bcr":
        return 2
    if name.endswith("_pct") or "_pct_" in name:
        return 1
    if name == "discount_factor":
        return 4
    return default


def number(value: float, places: int) -> str:
    """A number to a fixed precision; a value that rounds to zero is 0, never -0."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if round(float(value), places) == 0:
        value = 0.0
    return f"{value:,.{places}f}".replace("-", "\u2212")


def date_text(value: str) -> str:
    """'2024-02' -> 'February 2024'; '2024-02-27' -> '27 February 2024'."""
    d = parse_date(value)
    return d.strftime("%B %Y") if MONTH_RE.match(value) else f"{d.day} {d.strftime('%B %Y')}"


def cell_text(value: Any, places: int, labels: Mapping[str, str]) -> str:
    """One cell as text: numbers at the table's precision, dates as a reader writes them, and a
    params key replaced by its label."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, int):
            return f"{value:,}"
        return number(value, places)
    if value is None:
        return ""
    text = str(value)
    if MONTH_RE.match(text) or DAY_RE.match(text):
        try:
            return date_text(text)
        except ValueError:
            return text
    if SNAKE_RE.match(text) or DOTTED_RE.match(text):
        last = text.rsplit(".", 1)[-1]
        return labels.get(text) or labels.get(last) or text  # unlabelled: the key as written (as code)
    if WORD_SLUG_RE.match(text):  # a scenario's name without an underscore ('v2'): its label
        return labels.get(text) or text
    return text


def is_key(text: str) -> bool:
    """A params key or a scenario's name as written (snake_case or dotted): shown as code."""
    return bool(SNAKE_RE.match(text) or DOTTED_RE.match(text))


def frame_html(frame: pd.DataFrame, places: int = 3, labels: Mapping[str, str] | None = None,
               index: bool = False, places_by_column: Mapping[str, int] | None = None,
               caption: str | None = None, cell_markers: Mapping[tuple[Any, int], str] | None = None) -> str:
    """The whole table as HTML. `cell_markers` maps a cell, (column, row position), to HTML put after
    its text (the assumptions marker): only a cell that holds a number takes one, never a heading
    or a text; `places_by_column` overrides the precision of a column."""
    labels = labels or {}
    cell_markers = cell_markers or {}
    places_by_column = places_by_column or {}
    frame = frame.reset_index() if index else frame
    columns = list(frame.columns)
    numeric = {c for c in columns if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])}
    num = ' class="num"'
    head = "".join(f'<th scope="col"{num if c in numeric else ""}>{html.escape(heading(str(c), labels))}</th>'
                   for c in columns)
    rows = []
    for i, record in enumerate(frame.itertuples(index=False, name=None)):
        cells = []
        for c, v in zip(columns, record):
            if hasattr(v, "item"):
                v = v.item()
            if c in numeric and isinstance(v, int) and not isinstance(v, bool) and frame[c].dtype.kind == "f":
                v = float(v)
            text = cell_text(v, places_by_column.get(c, places_for(c, places)), labels)
            cls = ' class="num"' if c in numeric else ""
            is_number = isinstance(v, (int, float)) and not isinstance(v, bool)
            extra = cell_markers.get((c, i), "") if is_number and text else ""
            body = f"<code>{html.escape(text)}</code>" if text == str(v) and is_key(text) else html.escape(text)
            cells.append(f"<td{cls}>{body}{extra}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (f'<div class="casebook-table-wrap"><table class="casebook-table">{cap}<thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def labels_from_trees(trees: Iterable[Any], filled: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every params key that has a label, by its dotted path and by its own name (a contract, a
    cost line, a milestone, a parameter): the reader's words for the params' keys. `filled`: labels
    already filled from a scenario's figures (a declared check's), which come first."""
    out: dict[str, str] = dict(filled or {})

    def walk(node: Any, path: tuple[str, ...]) -> None:
        if not isinstance(node, dict):
            return
        label = node.get("label")
        if isinstance(label, str) and "parts" in node and "total" in node:  # a declared check's template
            label = blank_placeholders(label)
        if isinstance(label, str) and path:
            out.setdefault(".".join(path), label)
            out.setdefault(path[-1], label)
        for key, value in node.items():
            if isinstance(value, dict):
                walk(value, path + (str(key),))

    for tree in trees:
        walk(tree, ())
    return out


def literal_html(frame: pd.DataFrame, code: Iterable[str] = (), caption: str | None = None) -> str:
    """A table of text shown exactly as written, every cell HTML-escaped (so ``"<file>, <where>"``
    reads as it is typed) and never relabelled: the columns in `code` (keys, units, type names) are
    set as code, underscores and all, as is a `quoted` span in any other cell. For pages about the params themselves, such as the params
    reference, where a key is the thing being described and an author's label would hide it."""
    code = set(code)
    head = "".join(f'<th scope="col">{html.escape(heading(str(c)))}</th>' for c in frame.columns)
    rows = []
    for record in frame.itertuples(index=False, name=None):
        cells = []
        for c, v in zip(frame.columns, record):
            text = "" if v is None or (isinstance(v, float) and math.isnan(v)) else html.escape(str(v))
            if c in code and text:
                text = f"<code>{text}</code>"
            else:  # `quoted` words in a text are code too
                text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
            cells.append(f"<td>{text}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (f'<div class="casebook-table-wrap"><table class="casebook-table">{cap}<thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def cited_frame(frame: pd.DataFrame, params_dir=None) -> pd.DataFrame:
    """The frame with every citation in its text cells naming its document by the short name the case
    declares (``sources.cited``), not by its file's name: for display; a CSV keeps the file's name."""
    from ..core.sources import cited

    text = [c for c in frame.columns
            if pd.api.types.is_object_dtype(frame[c]) or pd.api.types.is_string_dtype(frame[c])]
    if not text:
        return frame
    out = frame.copy()
    for c in text:
        out[c] = frame[c].map(lambda v: cited(v, params_dir))
    return out

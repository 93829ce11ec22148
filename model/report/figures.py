"""The book's glued figures as records: what `figures.json` holds and what `casebook diff` compares.

Every value a page glues (MyST-NB ``glue``) becomes one record: its name, its value (a number where the
glued text is one), its unit, the text the page shows, and the page. A figure is identified by its page
and its name (the same name, e.g. ``npv_gbp_m``, is glued on every scenario page).

:func:`figure_record` is the one place a record is made: a field that every figure should carry (for
example what it depends on) is added there.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

FIGURES_JSON = "figures.json"
FORMAT = 1

_MONEY = re.compile(r"^(-?)£(\d[\d,]*(?:\.\d+)?)m$")
_PERCENT = re.compile(r"^(-?\d[\d,]*(?:\.\d+)?)%$")
_NUMBER = re.compile(r"^-?\d[\d,]*(?:\.\d+)?$")
_CHART_MIMES = ("application/vnd.vegalite", "application/vnd.vega")


def parse_shown(name: str, shown: Any) -> tuple[Any, str | None]:
    """(value, unit) of a glued value. Numbers glued as numbers keep their full precision; glued text is
    read back the way the book prints it: "−£144.6m" is -144.6 in £m, "20%" is 20 in %, "2.35" is 2.35
    (a ratio when the name says bcr). Any other text (a date, a year, a phrase) is its own value."""
    if isinstance(shown, bool):
        return shown, None
    if isinstance(shown, (int, float)):
        value = float(shown)
        if name.endswith("_gbp_m"):
            return value, "£m"
        return value, "ratio" if _is_ratio(name) else None
    text = str(shown).strip().replace("\u2212", "-")
    if m := _MONEY.match(text):
        return float(m.group(1) + m.group(2).replace(",", "")), "£m"
    if m := _PERCENT.match(text):
        return float(m.group(1).replace(",", "")), "%"
    if _NUMBER.match(text):
        value = float(text.replace(",", ""))
        return value, "ratio" if _is_ratio(name) else None
    return str(shown), None


def _is_ratio(name: str) -> bool:
    return "bcr" in name.split("_")


def figure_record(name: str, page: str, shown: Any) -> dict[str, Any]:
    """One glued figure: name, page (the site path that shows it), value, unit and the text shown."""
    value, unit = parse_shown(name, shown)
    if isinstance(value, float) and not math.isfinite(value):
        value = None
    return {"name": name, "page": page, "value": value, "unit": unit, "text": str(shown)}


def glued_values(notebook: Path, charts: bool = True) -> Iterator[tuple[str, Any]]:
    """(name, value) for every value a notebook glued (the MyST-NB / scrapbook records papermill keeps),
    in the order glued. The value is the number (or string) when the glued text is a Python literal of
    one, else the text itself: "20,000" stays "20,000", not the tuple (20, 0). With charts=False, glued
    charts (a Vega-Lite spec, or an Altair chart glued as its repr) are left out.
    The one reader of glued values: figures.json's records and the build's read_glue both use it."""
    import ast

    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            meta = out.get("metadata", {}).get("scrapbook")
            if not meta:
                continue
            prefix = meta.get("mime_prefix", "")
            data = out.get("data", {})
            if not charts and any(k[len(prefix):].startswith(_CHART_MIMES) for k in data):
                continue
            text = data.get(prefix + "text/plain")
            if text is None:
                continue
            try:
                value = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                value = text
            if not isinstance(value, (int, float, str)):
                value = text
            if not charts and isinstance(value, str) and value.startswith("alt."):
                continue
            yield meta["name"], value


def html_page(notebook_page: str) -> str:
    """The site path of a page from its place in the book: scenarios/v3.ipynb -> scenarios/v3.html."""
    return str(Path(notebook_page).with_suffix(".html"))


def collect(pages: Iterable[tuple[str, Path]]) -> list[dict[str, Any]]:
    """Records for every glued figure of the executed notebooks, given as (page in the book, notebook);
    sorted by page and name."""
    records = [figure_record(name, html_page(page), value)
               for page, notebook in pages for name, value in glued_values(notebook, charts=False)]
    return sorted(records, key=lambda r: (r["page"], r["name"]))


def params_digests(params_dir: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(params_dir.glob("*.yaml"))}


def document(figures: list[dict[str, Any]], info: dict[str, Any], params_dir: Path,
             built_at: datetime | None = None, git_commit: str | None = None) -> dict[str, Any]:
    """The content of figures.json: the build's version, inputs digest and date, every params file's
    digest, and the figures."""
    when = (built_at or datetime.now(timezone.utc)).replace(microsecond=0)
    return {"format": FORMAT, "casebook_version": info["casebook_version"],
            "inputs_sha256": info["inputs_sha256"], "built_at": when.isoformat().replace("+00:00", "Z"),
            "git_commit": git_commit, "params": params_digests(params_dir), "figures": figures}


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False) + "\n"

"""The assumptions register: every parameter of a scenario with its value, unit and provenance."""

from __future__ import annotations

import re
from typing import Any, Iterator

import pandas as pd

from ..core.params import ATOMIC_MARKERS
from ..core.scenario import Loaded
from ..core.sources import SEED_DOCUMENTS
from ..core.yamlio import LineDict

#: Top-level keys that describe a params file itself (shown on its scenario page), not parameters.
FILE_METADATA = ("title", "kind", "description", "extends")
#: Keys that describe the group they sit in (a block's label, a contract's supplier) or name another
#: entry (a cost factor, a milestone), not values.
DESCRIPTIVE = ("label", "supplier", "decision", "type", "kind", "factor", "note", "unit", "published_as",
               "milestone", "works_start_milestone")
#: Keys that make a mapping one register row although it holds no `value` (an uncertainty range,
#: a contract cap, a narrative sum): it carries its own provenance or is a flat record of settings.
ENTRY_MARKERS = ("assumption", "source", "why", "parts", "low", "high", "class")


def is_entry(node: Any) -> bool:
    """A mapping that is one row of the register: a parameter (value, series or statements) or a
    settings record such as an uncertainty range or a contract cap."""
    if not isinstance(node, dict):
        return False
    if any(k in node for k in ATOMIC_MARKERS):
        return True
    return any(k in node for k in ENTRY_MARKERS) and not any(
        isinstance(v, dict) and (is_entry(v) or any(isinstance(w, dict) for w in v.values()))
        for v in node.values())


#: Blocks whose provenance is that of one choice they hold (the GDP deflator series a case chose, by
#: name): the choice is their register row, with the block's label and provenance.
#: How the register shows a parameter left blank (a calibration solves it, or a later version unsets it).
BLANK_VALUE = "none (see the label)"

CHOICES = {"gdp_deflator_series": "series"}


def _choice_text(name: Any) -> Any:
    """A packaged series by what it is (its source and release), not by its name in the package."""
    from ..core.reference import deflator_series
    from ..core.errors import CasebookError
    try:
        series = deflator_series(str(name))
    except CasebookError:
        return name
    return f"{series['source']} ({series['release']})"


def walk(node: Any, path: tuple[str, ...], origin: tuple[str, int | None] = ("", None)) -> Iterator[tuple]:
    """Every register entry under a node: (path, node, (file, line)). Descriptive keys of a group
    (its label, supplier...) belong to the group and are not entries of their own."""
    if is_entry(node):
        yield path, node, origin
        return
    if isinstance(node, dict):
        choice = CHOICES.get(path[-1]) if path else None
        for key, value in node.items():
            if key in (*DESCRIPTIVE, "source", "why", "assumption") and not isinstance(value, dict):
                continue
            where = node.origin(key) if isinstance(node, LineDict) else origin
            if key == choice and not isinstance(value, dict):
                yield path + (str(key),), {"value": _choice_text(value), **{k: node[k] for k in (
                    "label", "source", "assumption", "why", "note") if k in node}}, where
                continue
            yield from walk(value, path + (str(key),), where)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from walk(item, path + (str(i),), origin)
    elif path:
        yield path, {"value": node}, origin


_walk = walk


def format_value(node: dict) -> str:
    if "low" in node and "high" in node:
        base = f", base {node['base']:g}" if "base" in node else ""
        dist = f", {node['distribution']}" if node.get("distribution") else ""
        return f"{node['low']:g} to {node['high']:g}{base}{dist} (on {node.get('parameter', '')})"
    if "class" in node and "severity" in node:  # a finding or a classification: see the reconciliation
        what = node.get("label") or node.get("model_uses") or ""
        return f"{str(node['class']).replace('_', ' ')}, {node['severity']}" + (f": {what}" if what else "")
    if "parts" in node:
        parts = [term_text(p) for p in node["parts"]]
        return f"{' + '.join(parts)} against {term_text(node.get('total', ''))}"
    if "metric" in node and "target" in node:
        lo, hi = node.get("bracket", ("", ""))
        return f"{node['parameter']} solved in [{lo:g}, {hi:g}] so that {node['metric']} = {node['target']}"
    if "value" not in node and "by_fy" not in node and "statements" not in node:
        def words(v: Any) -> str:
            if isinstance(v, list):
                return ", ".join(words(x) for x in v)
            return str(v)  # keys and values as the file writes them
        return "; ".join(f"{words(k)} {words(v)}" for k, v in node.items()
                         if k not in ("assumption", "why", "source", "label", "note"))
    if "by_fy" in node:
        cells = "; ".join(f"{fy} {v:g}" for fy, v in node["by_fy"].items()) or "none"
        return cells
    if "statements" in node:
        return f"{node.get('value')} (stated {len(node['statements'])} time{'' if len(node['statements']) == 1 else 's'})"
    value = node.get("value")
    if isinstance(value, float):
        return f"{value:.6g}"
    return BLANK_VALUE if value is None else str(value)


def _date_text(point: Any) -> str:
    if not isinstance(point, dict):
        return str(point)
    text = str(point.get("key") or point.get("date"))
    return f"{text} + {point['plus_weeks']} weeks" if point.get("plus_weeks") else text


def term_text(term: Any) -> str:
    """A part or total of a sum in words: a label, a value, or a declared check's term (a parameter,
    scaled; days or months between two dates; the fall in a cost factor; a percentage of a base)."""
    if not isinstance(term, dict):
        return str(term)
    if term.get("label") or "value" in term:
        return str(term.get("label") or term["value"])
    if term.get("key"):
        scale = term.get("scale", 1)
        return str(term["key"]) + (f" x {scale:g}" if scale != 1 else "")
    for unit in ("days", "months"):
        if term.get(unit):
            start, end = term[unit]
            return f"{unit} from {_date_text(start)} to {_date_text(end)}"
    if isinstance(term.get("fall_pct"), dict):
        spec = term["fall_pct"]
        return f"% fall in {spec.get('factor')} across {spec.get('table')}"
    if isinstance(term.get("pct_of"), dict):
        spec = term["pct_of"]
        return f"{spec.get('pct')} of {spec.get('base')}"
    return str(term)


#: A declared check's label names computed figures as {name}: the register shows where they go.
_FIELD_RE = re.compile(r"\{[A-Za-z_]\w*(?::[^{}]*)?\}")


def provenance_text(node: dict) -> str:
    """The source, or the assumption and its reason; and the rule it reads, where it names one."""
    text = ""
    if node.get("source"):
        text = node["source"]
    elif node.get("assumption"):
        text = f"assumption: {node.get('why', '')}"
    elif "statements" in node:
        text = "; ".join(s["source"] for s in node["statements"])
    if node.get("regulation"):
        text = "; ".join(x for x in (text, str(node["regulation"])) if x)
    return text


def document_title(source: str | None) -> str:
    if not source:
        return ""
    return SEED_DOCUMENTS.get(source.split(",")[0], {}).get("short", "")


def entries(tree: LineDict) -> Iterator[tuple]:
    """Every register entry of a params tree (a merged scenario or one file), in file order."""
    for section in tree:
        if section in FILE_METADATA:
            continue
        yield from walk(tree[section], (str(section),), tree.origin(section))


def register(loaded: Loaded) -> pd.DataFrame:
    """One row per parameter, in the order the params give them, then the calibrations declared
    along the scenario's chain."""
    from .reconcile_declared import filled_labels

    calibrated = {c["parameter"]: c for c in loaded.calibrated}
    filled = filled_labels(loaded.scenario)  # a declared check's label, with this scenario's figures
    rows = []
    for path, node, (file, line) in entries(loaded.tree):
        key = ".".join(path)
        cal = calibrated.get(key)
        source = node.get("source")
        rows.append({
            "parameter": key,
            "label": (filled.get(key) or _FIELD_RE.sub("…", str(node.get("label", ""))) if "parts" in node
                      else node.get("label", "")),
            "value": format_value(node),
            "unit": node.get("unit", ""),
            "kind": ("calibrated" if cal else "assumption" if node.get("assumption")
                     else "published" if source or "statements" in node
                     else "check" if "parts" in node else ""),
            "provenance": provenance_text(node),
            "document": document_title(source),
            "calibrated_to": (f"{cal['metric']} = {cal['target_value']:g} ({cal['target_source']})"
                              if cal else ""),
            "defined_in": f"{file.rsplit('/', 1)[-1]}:{line}" if file and line else (file or ""),
        })
    for path, node, (file, line) in calibration_entries(loaded):
        rows.append({"parameter": ".".join(path), "label": f"Calibration of {node['parameter']}",
                     "value": format_value(node), "unit": "", "kind": "calibration",
                     "provenance": f"calibrated: {node.get('why', '')}", "document": "", "calibrated_to": "",
                     "defined_in": f"{file.rsplit('/', 1)[-1]}:{line}" if file and line else (file or "")})
    return pd.DataFrame(rows)


def calibration_entries(loaded: Loaded) -> Iterator[tuple]:
    """The `calibration:` entries of each file of the chain (they are not inherited, so they are
    not in the merged tree): path ('calibration', scenario, i)."""
    from ..core.params import read_chain

    if not loaded.files:
        return
    for level, data in read_chain(loaded.files[0].parent, loaded.name):
        for i, raw in enumerate(data.get("calibration") or []):
            file, line = data.origin("calibration")
            yield ("calibration", level, str(i)), raw, (file, getattr(raw, "line", None) or line)

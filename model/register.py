"""The assumptions register: every parameter of a scenario with its value, unit and provenance."""

from __future__ import annotations

from typing import Any, Iterator

import pandas as pd

from .params import ATOMIC_MARKERS
from .scenario import Loaded
from .sources import SEED_DOCUMENTS
from .yamlio import LineDict

#: Sections of a scenario that hold parameters or published figures (in reading order).
SECTIONS = ("appraisal", "benefits", "costs", "milestones", "delays", "delivery", "published",
            "narrative_costs", "facts", "contracts", "decision")


def _walk(node: Any, path: tuple[str, ...], origin: tuple[str, int | None]) -> Iterator[tuple]:
    if isinstance(node, dict) and any(k in node for k in ATOMIC_MARKERS):
        yield path, node, origin
        return
    if isinstance(node, dict):
        for key, value in node.items():
            where = node.origin(key) if isinstance(node, LineDict) else origin
            yield from _walk(value, path + (str(key),), where)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _walk(item, path + (str(i),), origin)


def format_value(node: dict) -> str:
    if "by_fy" in node:
        cells = "; ".join(f"{fy} {v:g}" for fy, v in node["by_fy"].items()) or "none"
        return cells
    if "statements" in node:
        return f"{node.get('value')} (stated {len(node['statements'])} times)"
    value = node.get("value")
    if isinstance(value, float):
        return f"{value:.6g}"
    return "blank" if value is None else str(value)


def provenance_text(node: dict) -> str:
    if node.get("source"):
        return node["source"]
    if node.get("assumption"):
        return f"assumption: {node.get('why', '')}"
    if "statements" in node:
        return "; ".join(s["source"] for s in node["statements"])
    return ""


def document_title(source: str | None) -> str:
    if not source:
        return ""
    return SEED_DOCUMENTS.get(source.split(",")[0], {}).get("short", "")


def register(loaded: Loaded) -> pd.DataFrame:
    """One row per parameter, in the order the params give them."""
    calibrated = {c["parameter"]: c for c in loaded.calibrated}
    rows = []
    for section in SECTIONS:
        if section not in loaded.tree:
            continue
        start = loaded.tree.origin(section)
        for path, node, (file, line) in _walk(loaded.tree[section], (section,), start):
            key = ".".join(path)
            cal = calibrated.get(key)
            source = node.get("source")
            rows.append({
                "parameter": key,
                "label": node.get("label", ""),
                "value": format_value(node),
                "unit": node.get("unit", ""),
                "kind": ("calibrated" if cal else "assumption" if node.get("assumption")
                         else "published" if source or "statements" in node else ""),
                "provenance": provenance_text(node),
                "document": document_title(source),
                "calibrated_to": (f"{cal['metric']} = {cal['target_value']:g} ({cal['target_source']})"
                                  if cal else ""),
                "defined_in": f"{file.rsplit('/', 1)[-1]}:{line}" if file and line else (file or ""),
            })
    cap = loaded.tree.get("contract_cap")
    if cap is not None:  # the sensitivity's contract cap, with the regulation it reads
        file, line = loaded.tree.origin("contract_cap")
        rows.append({
            "parameter": "contract_cap",
            "label": f"Cap on the uplifts of the {loaded.scenario.contracts[cap['contract']].label} contract",
            "value": f"{cap.get('cap_pct_of_original')}% of the original value, read "
                     f"{str(cap.get('reading', 'per_modification')).replace('_', ' ')}",
            "unit": "pct", "kind": "assumption" if cap.get("assumption") else "",
            "provenance": "; ".join(x for x in (provenance_text(cap), cap.get("regulation")) if x),
            "document": "", "calibrated_to": "",
            "defined_in": f"{file.rsplit('/', 1)[-1]}:{line}" if file and line else (file or ""),
        })
    return pd.DataFrame(rows)

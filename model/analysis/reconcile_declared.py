"""Checks declared as data (a scenario's `checks:`): each stated figure against the sum of its parts,
every figure a parameter's value, the days or months between two dates, the fall in a cost factor
across a table's years or a percentage of a base (`declared_check`, `declared_checks`). A check that
reads a date that is blank in a scenario is not made there. Its texts are filled from its named figures.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..core.errors import CasebookError
from ..core.fy import months_between, parse_date, parse_fy
from ..core.scenario import quantity_at
from ..core.schema import DatePoint, DeclaredCheck, Scenario, TableBlock, Term
from .reconcile_check import MONEY_TOLERANCE, Check, _sum, compare, half_unit


class _Skip(Exception):
    """A declared check that cannot be made in this scenario (one of its dates is blank)."""


def _param(scenario: Scenario, key: str, where: str):
    try:
        return quantity_at(scenario, key)
    except KeyError:
        raise CasebookError(f"names {key!r}, which is not a parameter with a value", key=where) from None


def _date_point(scenario: Scenario, point: DatePoint, where: str,
                sources: list[str], fields: dict[str, Any]) -> dt.date:
    if point.key is not None:
        q = _param(scenario, point.key, where)
        if q.unit != "date":
            raise CasebookError(f"names {point.key!r}, which is not a date", key=where)
        if q.value is None:
            raise _Skip
        day = parse_date(q.value)
        sources.append(q.source or q.why or "")
    else:
        day = parse_date(point.date)
    if point.plus_weeks is not None:
        weeks = _param(scenario, point.plus_weeks, where)
        day = day + dt.timedelta(weeks=weeks.value)
        sources.append(weeks.source or "")
    if point.name:
        fields[point.name] = day
    return day


def _term(scenario: Scenario, term: Term, where: str, sources: list[str], fields: dict[str, Any]) -> float:
    """A term's value; its sources and named figures are added to `sources` and `fields`."""
    if term.key is not None:
        q = _param(scenario, term.key, where)
        if q.value is None:
            raise _Skip
        sources.append(q.source or "")
        value = float(q.value) * term.scale
    elif term.pct_of is not None:
        share, base = (_param(scenario, k, where) for k in (term.pct_of.pct, term.pct_of.base))
        if share.unit not in ("pct", "fraction"):
            raise CasebookError(f"names {term.pct_of.pct!r} as a percentage, but its unit is {share.unit}",
                                key=where)
        if share.value is None or base.value is None:
            raise _Skip
        sources += [share.source or "", base.source or ""]
        value = float(share.value) * (0.01 if share.unit == "pct" else 1.0) * float(base.value)
        if term.name:
            fields[f"{term.name}_pct"], fields[f"{term.name}_base"] = share.value, base.value
    elif term.days is not None or term.months is not None:
        start, end = (_date_point(scenario, p, where, sources, fields) for p in (term.days or term.months))
        value = float((end - start).days if term.days is not None else months_between(start, end))
    else:
        spec = term.fall_pct
        block = scenario.costs.get(spec.table)
        if not isinstance(block, TableBlock):
            raise CasebookError(f"names {spec.table!r}, which is not a cost table", key=where)
        lines = [ln for ln in block.lines.values() if ln.factor == spec.factor]
        years = sorted({fy for ln in lines for fy in ln.by_fy}, key=parse_fy)
        if len(years) < 2:
            raise _Skip
        first = _sum(ln.by_fy.get(years[0], 0.0) for ln in lines)
        last = _sum(ln.by_fy.get(years[-1], 0.0) for ln in lines)
        sources.append(block.source or "")
        value = 100.0 * (first - last) / first
        if term.name:
            fields[f"{term.name}_from"], fields[f"{term.name}_to"] = years[0], years[-1]
    if term.name:
        fields[term.name] = value
    return value


def declared_check(cid: str, spec: DeclaredCheck, scenario: Scenario) -> Check | None:
    """One declared check: the stated total against the sum of its parts (None where a date it
    reads is blank in this scenario)."""
    where = f"checks.{cid}"
    sources: list[str] = []
    fields: dict[str, Any] = {}
    try:
        published = _term(scenario, spec.total, where, sources, fields)
        computed = _sum(_term(scenario, t, where, sources, fields) for t in spec.parts)
    except _Skip:
        return None
    if spec.tolerance == "money":
        tolerance = MONEY_TOLERANCE
    elif spec.tolerance == "half_unit":
        tolerance = half_unit(published / spec.total.scale)
    else:
        tolerance = spec.tolerance
    fill = lambda text: _fill(text, fields, where)  # noqa: E731
    check = compare(cid, fill(spec.label), published, computed, [s for s in sources if s],
                    tolerance=tolerance, explained_by=fill(spec.explained_by))
    if spec.if_differs and check.status != "ok":
        check.explanation = fill(spec.if_differs)
    return check


def _fill(text: str | None, fields: dict[str, Any], where: str) -> str | None:
    """A check's text with its {name} / {name:fmt} placeholders filled from its named figures."""
    if text is None:
        return None
    try:
        return text.format(**fields)
    except (KeyError, ValueError, IndexError, AttributeError) as exc:
        raise CasebookError(f"cannot fill {text!r} from the check's named values: {exc}", key=where) from None


def declared_checks(scenario: Scenario) -> list[Check]:
    out = (declared_check(cid, spec, scenario) for cid, spec in scenario.checks.items())
    return [c for c in out if c is not None]


def filled_labels(scenario: Scenario) -> dict[str, str]:
    """Each declared check's label filled from this scenario's figures, by `checks.<id>` and by id
    (for tables that show the params' labels for their keys)."""
    out: dict[str, str] = {}
    for cid, spec in scenario.checks.items():
        try:
            check = declared_check(cid, spec, scenario)
        except CasebookError:
            continue  # `casebook check` reports it; a table keeps the template's blanks
        if check is not None:
            out[f"checks.{cid}"] = out[cid] = check.description
    return out

"""Checks of a loaded scenario against its own params tree: the years and dates the calculation uses
lie in the appraisal period, the milestones come in order, and every declared check reads parameters
that exist. Each failure is a CasebookError that names the file, the key and the YAML line."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .cashflows import calculation_milestones
from .errors import CasebookError, did_you_mean
from .fy import parse_date, parse_fy
from .params import locate
from .schema import Quantity, Scenario, TableBlock, fy_text
from .yamlio import LineDict


def check_periods(tree: LineDict, scenario: Scenario) -> None:
    """Every financial year and every date the calculation uses must lie inside the appraisal period,
    every milestone it names must exist, and so must every parameter a declared check reads."""
    first, last = scenario.appraisal.first_fy.value, scenario.appraisal.last_fy.value

    def walk(node: Any, path: tuple) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(key, str) and key.startswith("FY") and isinstance(value, (int, float)):
                    try:
                        start = parse_fy(key)
                    except ValueError:
                        continue
                    if not first <= start <= last:
                        file, dotted, line = locate(tree, path + (key,))
                        raise CasebookError(
                            f"financial year {key} is outside the appraisal period "
                            f"FY{first % 100:02d}/{(first + 1) % 100:02d} to "
                            f"FY{last % 100:02d}/{(last + 1) % 100:02d}", file=file, key=dotted, line=line)
                elif isinstance(value, (dict, list)):
                    walk(value, path + (key,))
        elif isinstance(node, list):
            for i, item in enumerate(node):
                if isinstance(item, (dict, list)):
                    walk(item, path + (i,))

    walk(tree, ())
    for key, named_by in calculation_milestones(scenario).items():
        q = scenario.milestones.get(key)
        if q is None:
            file, dotted, line = locate(tree, tuple(named_by.split(".")))
            raise CasebookError(f"names milestone {key!r}, which is not a key of `milestones:`"
                                f"{did_you_mean(key, scenario.milestones)}", file=file, key=dotted, line=line)
        if q.value is None:
            continue
        day = parse_date(q.value)
        if not dt.date(first, 4, 1) <= day <= dt.date(last + 1, 3, 31):
            file, dotted, line = locate(tree, ("milestones", key))
            raise CasebookError(
                f"{q.value} is outside the appraisal period {fy_text(first)} to {fy_text(last)}; the "
                "calculation uses this date (leave a delivery's date blank if it is never reached)",
                file=file, key=dotted, line=line)
    check_milestone_order(tree, scenario)
    check_declared_checks(tree, scenario)


def check_milestone_order(tree: LineDict, scenario: Scenario) -> None:
    """A go-live cannot come before the works start (`appraisal.works_start_milestone`): dates in that
    order are a slip of the pen, and would give benefits before any work is done."""
    start_key = scenario.appraisal.works_start_milestone
    start = scenario.milestones.get(start_key)
    if start is None or start.value is None:
        return
    for name, delivery in scenario.benefits.deliveries.items():
        live = scenario.milestones.get(delivery.milestone)
        if live is None or live.value is None or delivery.milestone == start_key:
            continue
        if parse_date(live.value) < parse_date(start.value):
            file, dotted, line = locate(tree, ("milestones", delivery.milestone))
            raise CasebookError(f"{live.value}, the go-live of delivery {name}, comes before the works start "
                                f"(milestones.{start_key}, {start.value})", file=file, key=dotted, line=line)


def _parameter_at(scenario: Scenario, dotted: str) -> Quantity | None:
    node: Any = scenario
    for part in dotted.split("."):
        node = node.get(part) if isinstance(node, dict) else getattr(node, part, None)
        if node is None:
            return None
    return node if isinstance(node, Quantity) else None


def check_declared_checks(tree: LineDict, scenario: Scenario) -> None:
    """Every parameter a declared check (`checks:`) reads must exist: a misspelt key would otherwise
    stop the check being made. Dates must be dated parameters; a factor's table, a cost table."""
    for cid, spec in scenario.checks.items():
        problems = []
        for term in (spec.total, *spec.parts):
            points = [*(term.days or ()), *(term.months or ())]
            for key, unit in ([(term.key, None)] if term.key else []) + \
                    [(p.key, "date") for p in points if p.key] + [(p.plus_weeks, None) for p in points if p.plus_weeks]:
                q = _parameter_at(scenario, key)
                if q is None:
                    problems.append(f"reads {key!r}, which is not a parameter with a value")
                elif unit == "date" and q.unit != "date":
                    problems.append(f"reads {key!r} as a date, but its unit is {q.unit}")
            if term.pct_of is not None:
                for key, role in ((term.pct_of.pct, "pct"), (term.pct_of.base, "base")):
                    q = _parameter_at(scenario, key)
                    if q is None:
                        problems.append(f"reads {key!r}, which is not a parameter with a value")
                    elif role == "pct" and q.unit not in ("pct", "fraction"):
                        problems.append(f"reads {key!r} as a percentage, but its unit is {q.unit} "
                                        "(pct_of needs unit pct or fraction)")
            if term.fall_pct is not None and not isinstance(scenario.costs.get(term.fall_pct.table), TableBlock):
                problems.append(f"reads table {term.fall_pct.table!r}, which is not a cost table")
        if problems:
            node = tree.get("checks")
            file, line = node.origin(cid) if isinstance(node, LineDict) else (None, None)
            raise CasebookError(problems[0], file=file, key=f"checks.{cid}", line=line)

"""Reconciliation: recompute every published total from its parts and compare.

Each check has an id, a description, the published and the computed figure, their difference, a
status and the sources. Statuses:

- ``ok``: equal (to floating-point accuracy);
- ``rounding``: within the rounding of the published figures (GBP 0.001m for figures printed to three
  decimals; half a unit of the last printed place for coarser figures, such as 65.3 or 48%);
- ``explained``: different for a stated reason (e.g. reserves netted off); the explanation is given;
- ``discrepancy``: the documents disagree with themselves. Nothing is "fixed": both figures and both
  sources are quoted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from ..core.appraisal import appraise, inputs_from_scenario
from ..core.errors import CasebookError, CasebookErrors
from ..core.fy import fy_label, fy_range, months_between, parse_date, parse_fy
from ..core.errors import did_you_mean
from ..core.params import DEFAULT_PARAMS_DIR, scenario_names
from ..core import deps
from ..core.scenario import Loaded, load_scenario, quantity_at
from ..core.schema import (FINDING_CLASSES, SEVERITIES, AllocatedBlock, Classification, DatePoint,
                           DeclaredCheck, Finding, Scenario, TableBlock, Term)

STATUSES = ("ok", "rounding", "explained", "discrepancy")
EXACT = 1e-9
MONEY_TOLERANCE = 0.001


@dataclass
class Check:
    id: str
    description: str
    published: Any
    computed: Any
    difference: float | None
    status: str
    sources: list[str]
    explanation: str | None = None
    scenario: str | None = None
    tolerance: float | None = None
    #: for a finding (a check that found something, classified): its class, severity (its effect on
    #: the model's figures), what the model uses and why, and whether the papers settle it
    finding_class: str | None = None
    severity: str | None = None
    model_uses: str | None = None
    unresolved: bool | None = None

    @property
    def is_finding(self) -> bool:
        return self.finding_class is not None

    def classify(self, c: Classification) -> "Check":
        self.finding_class, self.severity = c.finding_class, c.severity
        self.model_uses, self.unresolved = c.model_uses, c.unresolved
        return self

    def as_dict(self) -> dict:
        out = asdict(self)
        out["class"] = out.pop("finding_class")
        return out


def half_unit(x: float) -> float:
    """Half a unit in the last printed place of a figure (65.3 -> 0.05, 48 -> 0.5, 22.048 -> 0.0005)."""
    text = repr(float(x))
    if "e" in text:
        return 0.0
    decimals = len(text.split(".")[1].rstrip("0")) if "." in text else 0
    return 0.5 * 10.0 ** (-decimals)


def money_tolerance(*figures: float) -> float:
    """GBP 0.001m, or half a unit of the least precise published figure involved if coarser."""
    return max([MONEY_TOLERANCE] + [half_unit(f) for f in figures])


def compare(id: str, description: str, published: float, computed: float, sources: Iterable[str],
            tolerance: float = MONEY_TOLERANCE, explained_by: str | None = None) -> Check:
    """A numeric check; `explained_by` turns a difference beyond rounding into 'explained'."""
    diff = float(computed) - float(published)
    if abs(diff) <= EXACT:
        status = "ok"
    elif abs(diff) <= tolerance + EXACT:
        status = "rounding"
    elif explained_by:
        status = "explained"
    else:
        status = "discrepancy"
    return Check(id=id, description=description, published=float(published),
                 computed=round(float(computed), 9), difference=round(diff, 9), status=status,
                 sources=list(dict.fromkeys(sources)), tolerance=tolerance,
                 explanation=explained_by if status == "explained" else None)


def _sum(values: Iterable[float]) -> float:
    return float(sum(values))


# --- tables -----------------------------------------------------------------------------------------

def table_checks(name: str, block: TableBlock) -> list[Check]:
    """Rows, columns, grand totals, funding sources and shortfall of one printed table."""
    checks: list[Check] = []
    src = [block.source] if block.source else []
    for group, lines in (("line", block.lines), ("funding", block.funding_sources)):
        for key, line in lines.items():
            if line.published_total is not None:
                checks.append(compare(
                    f"{name}.{group}.{key}.total",
                    f"{block.label}: row '{line.label}', sum of its years against its printed TOTAL",
                    line.published_total, _sum(line.by_fy.values()), [line.source or "", *src]))
    pt = block.published_totals
    if pt is None:
        return checks
    tsrc = [pt.source, *src]
    years = sorted({*pt.gross_by_fy, *pt.funding_by_fy, *pt.shortfall_by_fy,
                    *(fy for line in block.lines.values() for fy in line.by_fy)}, key=parse_fy)
    gross = {fy: _sum(line.by_fy.get(fy, 0.0) for line in block.lines.values()) for fy in years}
    funding = {fy: _sum(line.by_fy.get(fy, 0.0) for line in block.funding_sources.values()) for fy in years}
    for fy in years:
        if fy in pt.gross_by_fy:
            checks.append(compare(f"{name}.column.{fy}.gross", f"{block.label}: {fy} column, sum of the "
                                  "rows against the printed total", pt.gross_by_fy[fy], gross[fy], tsrc))
        if fy in pt.funding_by_fy:
            checks.append(compare(f"{name}.column.{fy}.funding", f"{block.label}: {fy} funding sources, "
                                  "sum against the printed total", pt.funding_by_fy[fy], funding[fy], tsrc))
        if fy in pt.shortfall_by_fy:
            checks.append(compare(f"{name}.column.{fy}.shortfall", f"{block.label}: {fy} shortfall, "
                                  "gross less funding sources against the printed figure",
                                  pt.shortfall_by_fy[fy], gross[fy] + funding[fy], tsrc))
    if pt.gross_total is not None:
        cells = _sum(gross.values())
        checks.append(compare(f"{name}.total.gross.from_cells", f"{block.label}: grand total against "
                              "the sum of every cell", pt.gross_total, cells, tsrc))
        row_totals = [line.published_total for line in block.lines.values()]
        if all(v is not None for v in row_totals):
            checks.append(compare(f"{name}.total.gross.from_row_totals", f"{block.label}: grand total "
                                  "against the sum of the printed row totals", pt.gross_total,
                                  _sum(row_totals), tsrc))
        if pt.gross_by_fy and not pt.missing_cells:
            checks.append(compare(f"{name}.total.gross.from_column_totals", f"{block.label}: grand total "
                                  "against the sum of the printed column totals", pt.gross_total,
                                  _sum(pt.gross_by_fy.values()), tsrc))
        for fy in pt.missing_cells:
            implied = pt.gross_total - _sum(pt.gross_by_fy.values())
            checks.append(compare(
                f"{name}.column.{fy}.gross_missing", f"{block.label}: the {fy} total is not printed; the "
                "grand total less the printed column totals implies it", implied,
                _sum(line.by_fy.get(fy, 0.0) for line in block.lines.values()), tsrc))
            checks[-1].status = "explained" if checks[-1].status in ("ok", "rounding") else checks[-1].status
            checks[-1].explanation = (f"the printed total row has no {fy} cell (see the layout note in the "
                                      f"params); {implied:.3f} is implied by the grand total")
    if pt.funding_total is not None:
        checks.append(compare(f"{name}.total.funding", f"{block.label}: total funding sources against "
                              "the sum of the funding cells", pt.funding_total, _sum(funding.values()), tsrc))
    if pt.shortfall_total is not None:
        checks.append(compare(f"{name}.total.shortfall.from_cells", f"{block.label}: shortfall total "
                              "against gross less funding, cell by cell", pt.shortfall_total,
                              _sum(gross.values()) + _sum(funding.values()), tsrc))
        if pt.gross_total is not None and pt.funding_total is not None:
            checks.append(compare(f"{name}.total.shortfall.from_totals", f"{block.label}: shortfall total "
                                  "against printed gross total plus printed funding total",
                                  pt.shortfall_total, pt.gross_total + pt.funding_total, tsrc))
        if pt.shortfall_by_fy:
            checks.append(compare(f"{name}.total.shortfall.from_columns", f"{block.label}: shortfall "
                                  "total against the sum of the printed shortfall cells",
                                  pt.shortfall_total, _sum(pt.shortfall_by_fy.values()), tsrc))
    return checks


def narrative_checks(scenario: Scenario) -> list[Check]:
    """Each figure the prose gives for a cost factor, against the table rows of that factor."""
    checks = []
    for key, item in scenario.narrative_costs.items():
        block = scenario.costs[item.table]
        assert isinstance(block, TableBlock)
        every = "all" in item.factors
        lines = [ln for ln in block.lines.values() if every or ln.factor in item.factors]
        funds = [ln for ln in block.funding_sources.values() if every or ln.factor in item.factors]
        gross = _sum(v for ln in lines for v in ln.by_fy.values())
        funding = _sum(v for ln in funds for v in ln.by_fy.values())
        rows = ", ".join(f"'{ln.label}'" for ln in lines) or "none"
        sources = [item.source or "", block.source or ""] + [ln.source or "" for ln in funds]
        if item.net_of_funding:
            checks.append(compare(f"narrative.{key}", f"{item.label}: against the table rows net of "
                                  f"funding sources ({rows})", item.value, gross + funding, sources))
            continue
        check = compare(f"narrative.{key}", f"{item.label}: against the table rows {rows}", item.value,
                        gross, sources)
        if check.status == "discrepancy" and funds:
            net = compare(check.id, check.description, item.value, gross + funding, sources)
            if net.status in ("ok", "rounding"):
                names = ", ".join(f"'{ln.label}' ({-_sum(ln.by_fy.values()):.3f})" for ln in funds)
                check.status = "explained"
                check.explanation = (f"the prose nets off reserves: gross {gross:.3f} less {names} "
                                     f"= {gross + funding:.3f}")
        if item.note and check.status != "ok":
            check.explanation = (check.explanation + "; " if check.explanation else "") + item.note
        checks.append(check)
    return checks


def narrative_sum_checks(scenario: Scenario) -> list[Check]:
    """Narrative figures that should add up to a narrative total."""
    checks = []
    for key, group in scenario.narrative_sums.items():
        parts = [scenario.narrative_costs[p] for p in group.parts]
        total = scenario.narrative_costs[group.total]
        checks.append(compare(f"narrative_sum.{key}", group.label, total.value,
                              _sum(p.value for p in parts),
                              [total.source or ""] + [p.source or "" for p in parts]))
    return checks


def allocation_checks(scenario: Scenario) -> list[Check]:
    """An allocated total spread over years and between capital and revenue must still add up."""
    checks = []
    a = scenario.appraisal
    fys = fy_range(a.first_fy.value, a.last_fy.value)
    from ..core.cashflows import block_costs
    for name, block in scenario.costs.items():
        if isinstance(block, AllocatedBlock):
            capital, revenue = block_costs(block, fys)
            checks.append(compare(f"{name}.allocation.total", f"{block.label}: the assumed split by year "
                                  "and between capital and revenue adds back to the published total",
                                  block.total_gbp_m.value, float(capital.sum() + revenue.sum()),
                                  [block.total_gbp_m.source or ""]))
    return checks


# --- facts stated more than once --------------------------------------------------------------------

def fact_checks(scenario: Scenario) -> list[Check]:
    checks = []
    for key, fact in scenario.facts.items():
        values = [s.value for s in fact.statements]
        distinct = list(dict.fromkeys(values))
        quoted = "; ".join(f"{s.value} ({s.source})" for s in fact.statements)
        numeric = fact.unit not in ("date", "text")
        published = fact.statements[0].value
        odd = next((v for v in values if v != published), published)
        check = Check(
            id=f"fact.{key}", description=f"{fact.label}: stated {len(values)} times",
            published=published, computed=odd,
            difference=(float(odd) - float(published)) if numeric else None,
            status="ok" if len(distinct) == 1 else "discrepancy",
            sources=[s.source for s in fact.statements], scenario=None,
            explanation=None if len(distinct) == 1 else f"the statements differ: {quoted}; the model uses "
                                                           f"{fact.value} ({fact.why})")
        checks.append(check)
    return checks


# --- contracts --------------------------------------------------------------------------------------

def contract_checks(scenario: Scenario) -> list[Check]:
    """Each contract's uplift arithmetic: previous + uplift = new, and the published percentages."""
    checks = []
    for key, c in scenario.contracts.items():
        original = c.original_value_gbp_m.value if c.original_value_gbp_m else None
        running = original
        for mkey, m in c.modifications.items():
            cid = f"contract.{key}.{mkey}"
            prev = m.previous_value_gbp_m.value if m.previous_value_gbp_m else running
            new = m.new_value_gbp_m.value if m.new_value_gbp_m else None
            uplift = m.uplift_gbp_m.value if m.uplift_gbp_m else None
            srcs = [q.source for q in (m.previous_value_gbp_m, m.uplift_gbp_m, m.new_value_gbp_m)
                    if q is not None and q.source]
            if m.previous_value_gbp_m and running is not None:
                checks.append(compare(f"{cid}.previous", f"{c.label}: value before {m.decision} against "
                                      "the value after the previous decision", prev, running,
                                      srcs + ([c.original_value_gbp_m.source] if c.original_value_gbp_m else []),
                                      tolerance=money_tolerance(prev, running)))
            if prev is not None and uplift is not None and new is not None:
                checks.append(compare(f"{cid}.new_value", f"{c.label}: previous value plus the uplift "
                                      f"against the new value ({m.decision})", new, prev + uplift, srcs,
                                      tolerance=money_tolerance(prev, uplift, new)))
            if uplift is None and prev is not None and new is not None:
                uplift = new - prev
            if prev is None and new is not None and uplift is not None:
                prev = new - uplift  # original derived: not published
                if original is None:
                    original = prev
            if m.uplift_pct_of_previous and prev and uplift is not None:
                pct = m.uplift_pct_of_previous
                checks.append(compare(f"{cid}.pct_of_previous", f"{c.label}: uplift as a percentage of the "
                                      f"value before {m.decision}", pct.value, 100.0 * uplift / prev,
                                      srcs + [pct.source or ""], tolerance=half_unit(pct.value)))
            if m.uplift_pct_of_original and original and uplift is not None:
                pct = m.uplift_pct_of_original
                derived = "" if c.original_value_gbp_m else " (original derived as new value less uplift)"
                checks.append(compare(f"{cid}.pct_of_original", f"{c.label}: uplift as a percentage of the "
                                      f"original value{derived}", pct.value, 100.0 * uplift / original,
                                      srcs + [pct.source or ""], tolerance=half_unit(pct.value)))
            running = new if new is not None else (prev + uplift if prev is not None and uplift is not None
                                                   else running)
    return checks


# --- checks declared as data -----------------------------------------------------------------------

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
    check = compare(cid, spec.label.format(**fields), published, computed, [s for s in sources if s],
                    tolerance=tolerance, explained_by=spec.explained_by)
    if spec.if_differs and check.status != "ok":
        check.explanation = spec.if_differs.format(**fields)
    return check


def declared_checks(scenario: Scenario) -> list[Check]:
    out = (declared_check(cid, spec, scenario) for cid, spec in scenario.checks.items())
    return [c for c in out if c is not None]


# --- findings declared as data ----------------------------------------------------------------------

def _quoted(statements) -> str:
    return "; ".join(f"{st.value} ({st.source})" for st in statements)


def finding_check(key: str, f: Finding, scenario: Scenario) -> list[Check]:
    """One finding through its generic rule. A computed rule that finds the papers consistent with the
    model's reading gives 'explained' (the reading is the explanation); a mismatch, 'discrepancy'."""
    cid, sources = f"finding.{key}", [st.source for st in f.statements]
    published, computed, difference, tolerance = f.statements[0].value, None, None, None
    if f.rule == "record":
        computed = f.statements[1].value if len(f.statements) > 1 else None
        ok = f.finding_class == "explained_difference"
    elif f.rule == "restatement":
        values = [st.value for st in f.statements]
        computed = next((v for v in values if v != published), published)
        numeric = f.unit not in ("date", "text")
        tolerance = money_tolerance(*values) if f.unit == "gbp_m" else (
            max(half_unit(v) for v in values) if numeric else None)
        if numeric:
            difference = float(computed) - float(published)
            ok = all(abs(float(v) - float(published)) <= tolerance + EXACT for v in values)
        else:
            ok = len(set(map(str, values))) == 1
    elif f.rule == "sum":
        published = f.total.value
        computed = round(_sum(float(p.value) for p in f.parts), 9)
        sources = [f.total.source] + [p.source for p in f.parts] + sources
        tolerance = money_tolerance(published, *[p.value for p in f.parts])
        difference = round(computed - float(published), 9)
        ok = abs(difference) <= tolerance + EXACT
    elif f.rule == "date_order":
        dates = [parse_date(st.value) for st in f.statements]
        computed = " < ".join(str(st.value) for st in f.statements)
        ok = all(a <= b for a, b in zip(dates, dates[1:]))
    else:  # funding_without_cost
        block = scenario.costs[f.table]
        fund = block.funding_sources[f.funding]
        checks = []
        for fy, amount in fund.by_fy.items():
            if not amount:
                continue
            cost = _sum(ln.by_fy.get(fy, 0.0) for ln in block.lines.values() if ln.factor == fund.factor)
            check = Check(id=f"{cid}.{fy}", description=f"{f.label}: {fy}, '{fund.label}' ({amount:.3f}) "
                          f"against the cost of factor '{fund.factor}' that year", published=float(amount),
                          computed=cost, difference=None, status="explained" if cost > 0 else "discrepancy",
                          sources=list(dict.fromkeys([fund.source or "", block.source or "", *sources])),
                          explanation=f"{_quoted(f.statements)}; the model: {f.model_uses}")
            checks.append(check.classify(f))
        return checks
    check = Check(id=cid, description=f.label, published=published, computed=computed,
                  difference=difference, status="explained" if ok else "discrepancy",
                  sources=list(dict.fromkeys(sources)), tolerance=tolerance,
                  explanation=f"{_quoted(f.statements)}; the model: {f.model_uses}")
    return [check.classify(f)]


def finding_checks(scenario: Scenario) -> list[Check]:
    return [c for key, f in scenario.findings.items() for c in finding_check(key, f, scenario)]


def classify(checks: list[Check], scenario: Scenario) -> None:
    """Attach each classification declared in the params (`classify:`, by check id) to its check.
    A generated check that differs for a stated reason is an explained difference by default."""
    for c in checks:
        declared = scenario.classify.get(c.id)
        if declared is not None:
            c.classify(declared)
        elif c.status == "explained" and not c.is_finding:
            c.finding_class, c.severity = "explained_difference", "presentation"
            c.model_uses, c.unresolved = c.explanation, False


def calibration_checks(loaded: Loaded, npv_value: float) -> list[Check]:
    checks = []
    for entry in loaded.calibrated:
        if entry["scenario"] != loaded.name:
            continue
        check = compare(f"npv.{loaded.name}", f"{loaded.title}: model NPV against the published NPV",
                        entry["target_value"], npv_value, [entry["target_source"] or ""],
                        explained_by="reproduced by calibration")
        check.status = "explained"
        check.explanation = (f"reproduced by calibration: {entry['parameter']} solved to "
                             f"{entry['value']:.6g} with a root finder ({entry['why']})")
        # a calibration sets an input so that a published figure is met: it changes the model's figures
        check.finding_class, check.severity, check.unresolved = "explained_difference", "numbers", False
        check.model_uses = (f"the published NPV, met by solving {entry['parameter']} (the inputs behind it "
                            "are not published)")
        checks.append(check)
    return checks


def reconcile(loaded: Loaded) -> list[Check]:
    """Every check for one scenario."""
    s = loaded.scenario
    checks: list[Check] = []
    for name, block in s.costs.items():
        if isinstance(block, TableBlock):
            checks += table_checks(name, block)
    checks += allocation_checks(s)
    checks += narrative_checks(s)
    checks += narrative_sum_checks(s)
    checks += fact_checks(s)
    checks += contract_checks(s)
    checks += declared_checks(s)
    if loaded.calibrated:
        checks += calibration_checks(loaded, appraise(inputs_from_scenario(s)).npv_gbp_m)
    checks += finding_checks(s)
    classify(checks, s)
    for c in checks:
        c.scenario = loaded.name
    return checks


def reconcile_all(params_dir: Path | str = DEFAULT_PARAMS_DIR, load=None) -> list[Check]:
    """Checks over every scenario, each distinct check once (children repeat their parents' data).
    `load(name, params_dir)` loads a scenario (the book passes its cached loader)."""
    seen: dict[tuple, Check] = {}
    problems: list[CasebookError] = []
    loaded_all = []
    for name in scenario_names(Path(params_dir)):
        if deps.kind_of(name, params_dir) not in (None, "published"):
            continue  # validated by the build that cached it; only its kind matters here
        try:
            loaded_all.append((load or deps.load)(name, params_dir))  # every scenario is validated
        except CasebookError as exc:  # keep going: one run reports every problem in every file
            problems.extend(exc.errors if isinstance(exc, CasebookErrors) else [exc])
    if problems:
        raise problems[0] if len(problems) == 1 else CasebookErrors(problems)
    ids: set[str] = set()
    published = [ld for ld in loaded_all if ld.scenario.kind == "published"]
    for loaded in published:  # options and sensitivities change published figures on purpose
        for c in reconcile(loaded):
            ids.add(c.id)
            key = (c.id, repr(c.published), repr(c.computed), c.status)
            if key not in seen or (c.is_finding and not seen[key].is_finding):
                seen[key] = c
    for loaded in published:  # a classification must name a check that exists
        for cid in loaded.scenario.classify:
            if cid not in ids:
                node = loaded.tree.get("classify")
                file, line = node.origin(cid) if hasattr(node, "origin") else (None, None)
                problems.append(CasebookError(f"classifies no check{did_you_mean(cid, ids)}", file=file,
                                              key=f"classify.{cid}", line=line))
    if problems:
        raise problems[0] if len(problems) == 1 else CasebookErrors(problems)
    order = {s: i for i, s in enumerate(STATUSES[::-1])}
    return sorted(seen.values(), key=lambda c: (order[c.status], c.id))


def summary(checks: list[Check]) -> dict[str, int]:
    return {s: sum(1 for c in checks if c.status == s) for s in STATUSES}


def findings(checks: list[Check]) -> list[Check]:
    """The checks that found something, most severe first, then by class and id."""
    sev = {k: i for i, k in enumerate(SEVERITIES)}
    cls = {k: i for i, k in enumerate(FINDING_CLASSES)}
    return sorted((c for c in checks if c.is_finding),
                  key=lambda c: (sev.get(c.severity, 99), cls.get(c.finding_class, 99), c.id))


def findings_summary(checks: list[Check]) -> dict[str, dict[str, int]]:
    """Counts of findings by severity and by class (every key present, zero or not)."""
    found = findings(checks)
    return {"total": len(found),
            "by_severity": {k: sum(1 for c in found if c.severity == k) for k in SEVERITIES},
            "by_class": {k: sum(1 for c in found if c.finding_class == k) for k in FINDING_CLASSES},
            "unresolved": sum(1 for c in found if c.unresolved)}

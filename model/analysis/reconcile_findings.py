"""Findings declared as data, each checked by its generic rule (record, restatement, sum, date order,
funding without cost: `finding_check`, `finding_checks`), and the classification declared in the
params (`classify:`, by check id) attached to the generated checks that find something (`classify`).
"""

from __future__ import annotations

from ..core.fy import parse_date
from ..core.schema_values import TEXT_UNITS
from ..core.schema import Finding, Scenario
from .reconcile_check import EXACT, Check, _sum, half_unit, money_tolerance


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
        numeric = f.unit not in TEXT_UNITS
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

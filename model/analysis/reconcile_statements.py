"""Checks of what the prose states: each figure it gives for cost factors of a table against the table
rows of those factors, net of funding sources where that explains a difference (`narrative_checks`), narrative
figures against the narrative total they make up (`narrative_sum_checks`), and facts stated more than
once, whose statements must agree (`fact_checks`).
"""

from __future__ import annotations

from ..core.schema_values import TEXT_UNITS
from ..core.schema import Scenario, TableBlock
from .reconcile_check import Check, _sum, compare


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
                check.explanation = (f"the prose nets off the funding sources: gross {gross:.3f} less {names} "
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


def fact_checks(scenario: Scenario) -> list[Check]:
    checks = []
    for key, fact in scenario.facts.items():
        values = [s.value for s in fact.statements]
        distinct = list(dict.fromkeys(values))
        quoted = "; ".join(f"{s.value} ({s.source})" for s in fact.statements)
        numeric = fact.unit not in TEXT_UNITS
        published = fact.statements[0].value
        odd = next((v for v in values if v != published), published)
        check = Check(
            id=f"fact.{key}", description=f"{fact.label}: stated {len(values)} time{'' if len(values) == 1 else 's'}",
            published=published, computed=odd,
            difference=(float(odd) - float(published)) if numeric else None,
            status="ok" if len(distinct) == 1 else "discrepancy",
            sources=[s.source for s in fact.statements], scenario=None,
            explanation=None if len(distinct) == 1 else f"the statements differ: {quoted}; the model uses "
                                                           f"{fact.value} ({fact.why})")
        checks.append(check)
    return checks

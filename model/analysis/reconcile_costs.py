"""Checks of the cost blocks: each printed table's rows, columns, grand totals, funding sources and
shortfall recomputed from its cells (`table_checks`), and each allocated total, once spread over years
and between capital and revenue, against the published total (`allocation_checks`).
"""

from __future__ import annotations

from ..core.fy import fy_range, parse_fy
from ..core.schema import AllocatedBlock, Scenario, TableBlock
from .reconcile_check import Check, _sum, compare


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

"""The financial case's tables: the published request tables (Tables 1 and 2) rebuilt from their lines
with their printed totals beside the computed ones, the funding request, cash by year (affordability)
and the steps from the full financial cost to the costs in the Green Book appraisal."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..core.fy import fy_label, parse_fy
from ..core.results import deflator_text, green_book_loaded
from ..core.schema import TableBlock
from .case_versions import _scenario, printed_request_blocks, request_label, stated_total
from .scenario_loading import loaded, result


def appraisal_vs_financial_costs(scenario: str | None = None, params_dir: str | Path | None = None) -> pd.DataFrame:
    """From the full financial cost to the costs in the Green Book appraisal, step by step (the small
    table green-book.md asks the financial case for): sunk costs out, general inflation out (real
    prices), optimism bias, expected risk costs and opportunity costs in, then discounting. Each `total` row is the running sum of the rows above."""
    scenario = _scenario(scenario, params_dir)
    r = result(scenario, params_dir)
    g = r["green_book"]
    a = r["appraisal"]
    future = green_book_loaded(loaded(scenario, params_dir))
    nominal = float((future.capital_gbp_m + future.revenue_gbp_m).sum())
    ob_real = float(future.optimism_bias_gbp_m.sum())
    real_before_ob = float((future.capital_real_gbp_m + future.revenue_real_gbp_m).sum())
    undiscounted = float(future.costs_real_gbp_m.sum())
    risk_real = 0.0 if future.risk_real_gbp_m is None else float(future.risk_real_gbp_m.sum())
    opportunity_real = 0.0 if future.opportunity_real_gbp_m is None else float(future.opportunity_real_gbp_m.sum())
    base_fy = g["base_year"]   # year 0 and the price base of the Green Book appraisal
    period = a["period"]
    ob = f"{a['optimism_bias_capital']:.0%} on capital, {a['optimism_bias_operating']:.0%} on revenue"
    rows = [
        ("Full financial cost: capital and revenue, nominal cash, gross of funding sources", "total", r["tco_gbp_m"],
         f"{period}; the paper's total cost of ownership"),
        ("Less sunk costs: spend before the decision", "change", -g["sunk_costs_gbp_m"],
         "spent before the decision; excluded from the appraisal"),
        (f"Future costs, {g['decision_fy']} on, nominal cash", "total", nominal, "what the decision can still change"),
        (f"Less general inflation: to {base_fy} prices at the GDP deflator", "change", real_before_ob - nominal,
         f"{deflator_text(a)} (real, not nominal)"),
        (f"Plus optimism bias ({ob})", "change", ob_real, "future costs only"),
        ("Plus expected risk costs: probability x impact of each quantified risk", "change", risk_real,
         "the risk register; not cash until a risk happens"),
        ("Plus opportunity costs: resources used but not bought", "change", opportunity_real,
         "staff time and the like; never cash, so not in the financial case"),
        (f"Appraisal costs, {base_fy} prices, undiscounted", "total", undiscounted, "real"),
        ("Less discounting", "change", g["pv_costs_gbp_m"] - undiscounted, a["discounting"]),
        ("Present value of costs in the Green Book appraisal", "total", g["pv_costs_gbp_m"],
         "as in the economic case"),
    ]
    return pd.DataFrame([{"step": step, "kind": kind, "amount_gbp_m": amount, "basis": basis}
                         for step, kind, amount, basis in rows])


def funding_request(scenario: str | None = None, params_dir: str | Path | None = None) -> pd.DataFrame:
    """What the paper asks for: each request table (capital, revenue), gross, the funding sources that
    pay for part of it, and net, as printed; beside them the same totals added up from the tables' cells and
    the figures the recommendations state (the narrative costs of a whole table, factors: [all]).
    A request table whose printed totals the params do not declare (no `published_totals`) is left
    out; an empty frame when none has them (see :func:`printed_request_blocks`)."""
    scenario = _scenario(scenario, params_dir)
    s = loaded(scenario, params_dir).scenario
    rows = []
    for block_name in printed_request_blocks(scenario, params_dir):
        block = s.costs[block_name]
        part = request_label(block_name, scenario, params_dir)
        stated = stated_total(block_name, scenario, params_dir)
        pt = block.published_totals
        table = request_table(block_name, scenario, params_dir).set_index("row")
        funding_printed = pt.funding_total if pt.funding_total is not None else 0.0
        net_printed = pt.shortfall_total if pt.shortfall_total is not None else pt.gross_total
        computed_gross = float(table.loc["Gross requirement (computed)", "total"])
        computed_net = (float(table.loc["Shortfall after funding sources (computed)", "total"])
                        if block.funding_sources else computed_gross)
        rows.append({"request": part, "gross_gbp_m": pt.gross_total, "reserves_gbp_m": funding_printed,
                     "net_gbp_m": net_printed, "gross_from_cells_gbp_m": computed_gross,
                     "net_from_cells_gbp_m": computed_net,
                     "stated_in_recommendations_gbp_m": stated[1].value if stated else np.nan})
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    total = {"request": "Total request"}
    total.update({c: float(frame[c].sum()) for c in frame.columns if c != "request"})
    return pd.concat([frame, pd.DataFrame([total])], ignore_index=True)


# --- Tables 1 and 2 rebuilt ---------------------------------------------------------------------------

def request_table(block_name: str, scenario: str | None = None, params_dir: str | Path | None = None) -> pd.DataFrame:
    """A published request table rebuilt from its lines, in true financial-year columns, with the
    totals recomputed and the printed totals beside them."""
    scenario = _scenario(scenario, params_dir)
    s = loaded(scenario, params_dir).scenario
    block = s.costs[block_name]
    assert isinstance(block, TableBlock)
    years = sorted({fy for ln in [*block.lines.values(), *block.funding_sources.values()] for fy in ln.by_fy}
                   | set(block.published_totals.gross_by_fy if block.published_totals else {}), key=parse_fy)
    rows = []

    def add(label: str, cells: dict[str, float], published_total: float | None, kind: str) -> None:
        row = {"row": label, "kind": kind}
        row.update({fy: cells.get(fy, 0.0) for fy in years})
        row["total"] = float(sum(cells.values()))
        row["published_total"] = published_total if published_total is not None else np.nan
        rows.append(row)

    for ln in block.lines.values():
        add(ln.label, ln.by_fy, ln.published_total, "line")
    gross = {fy: sum(ln.by_fy.get(fy, 0.0) for ln in block.lines.values()) for fy in years}
    pt = block.published_totals
    add("Gross requirement (computed)", gross, pt.gross_total if pt else None, "total")
    if block.funding_sources:
        for ln in block.funding_sources.values():
            add(ln.label, ln.by_fy, ln.published_total, "funding")
        funding = {fy: sum(ln.by_fy.get(fy, 0.0) for ln in block.funding_sources.values()) for fy in years}
        add("Total identified funding sources (computed)", funding, pt.funding_total if pt else None, "total")
        add("Shortfall after funding sources (computed)", {fy: gross[fy] + funding[fy] for fy in years},
            pt.shortfall_total if pt else None, "total")
    return pd.DataFrame(rows)


def published_column_totals(block_name: str, scenario: str | None = None,
                            params_dir: str | Path | None = None) -> pd.DataFrame:
    """The printed column totals beside the computed ones (a missing printed cell stays blank)."""
    scenario = _scenario(scenario, params_dir)
    s = loaded(scenario, params_dir).scenario
    block = s.costs[block_name]
    pt = block.published_totals
    table = request_table(block_name, scenario, params_dir)
    gross = table[table.row == "Gross requirement (computed)"].iloc[0]
    years = [c for c in table.columns if c.startswith("FY")]
    rows = [{"fy": fy, "computed_gbp_m": gross[fy],
             "printed_gbp_m": pt.gross_by_fy.get(fy, np.nan) if pt else np.nan,
             "difference_gbp_m": (round(gross[fy] - pt.gross_by_fy[fy], 9) + 0.0  # no "-0.000"
                                  if pt and fy in pt.gross_by_fy else np.nan)}
            for fy in years]
    return pd.DataFrame(rows)


def affordability(scenario: str | None = None, params_dir: str | Path | None = None) -> pd.DataFrame:
    """Cash by year over the whole period: capital, revenue, the funding sources already identified, and
    the cash net of them. Not the request: it includes the spend of the earlier versions, approved by
    earlier decisions (see :func:`funding_request` for what this version asks for)."""
    scenario = _scenario(scenario, params_dir)
    r = result(scenario, params_dir)
    frame = pd.DataFrame(r["cashflows"])[["fy", "capital_gbp_m", "revenue_gbp_m", "funding_gbp_m"]].copy()
    frame["total_cost_gbp_m"] = frame.capital_gbp_m + frame.revenue_gbp_m
    frame["net_of_reserves_gbp_m"] = frame.total_cost_gbp_m + frame.funding_gbp_m
    frame["cumulative_net_of_reserves_gbp_m"] = frame.net_of_reserves_gbp_m.cumsum()
    return frame

"""Plain-text rendering of results for the terminal."""

from __future__ import annotations

import pandas as pd


def gbp(x: float | None, places: int = 3) -> str:
    return "n/a" if x is None else f"{x:,.{places}f}"


def _cashflow_table(rows: list[dict]) -> str:
    frame = pd.DataFrame(rows)
    cols = ["fy", "capital_gbp_m", "revenue_gbp_m", "benefits_gbp_m", "net_real_gbp_m",
            "discount_factor", "pv_gbp_m"]
    table = frame[cols].rename(columns={
        "capital_gbp_m": "capital", "revenue_gbp_m": "revenue", "benefits_gbp_m": "benefits",
        "net_real_gbp_m": "net (real)", "discount_factor": "DF", "pv_gbp_m": "PV"})
    return table.to_string(index=False, float_format=lambda x: f"{x:,.3f}")


def format_results(data: dict) -> str:
    a, g = data["appraisal"], data["green_book"]
    ob = f"optimism bias {a['optimism_bias_capital']:.0%} capital, {a['optimism_bias_operating']:.0%} operating"
    lines = [
        f"{data['scenario']}: {data['title']}",
        f"  appraisal: {a['period']}, the paper's base year FY{a['base_year'] % 100:02d}/"
        f"{(a['base_year'] + 1) % 100:02d} prices, {a['discounting']}, {ob} "
        f"(from {a['decision_fy']}, the decision year, on)",
        "",
        f"  The paper's measure: {len(data['cashflows'])}-year TCO NPV, {a['period']}, costs already spent "
        "included",
        f"  NPV                {gbp(data['npv_gbp_m']):>10} GBP m",
        f"  TCO (nominal)      {gbp(data['tco_gbp_m']):>10} GBP m",
        f"  PV costs           {gbp(data['pv_costs_gbp_m']):>10} GBP m",
        f"  PV benefits        {gbp(data['pv_benefits_gbp_m']):>10} GBP m",
        f"  BCR                {gbp(data['bcr'], 3):>10}",
        "",
        f"  The Green Book appraisal at the decision point: {g['decision_fy']} on, sunk costs excluded",
        f"  decision {g['decision_date'] or 'at the start of ' + g['decision_fy']}; year 0 and prices "
        f"{g['base_year']}; period closed: {g['period_closure'].replace('_', ' ')}",
        f"  Sunk costs         {gbp(g['sunk_costs_gbp_m']):>10} GBP m (nominal, before the decision)",
        f"  Committed          {gbp(g['committed_gbp_m']):>10} GBP m (nominal, in every option alike)",
        f"  NPV                {gbp(g['npv_gbp_m']):>10} GBP m",
        f"  NPV, no extension  {gbp(g['npv_without_closure_gbp_m']):>10} GBP m",
        f"  PV costs           {gbp(g['pv_costs_gbp_m']):>10} GBP m",
        f"  PV benefits        {gbp(g['pv_benefits_gbp_m']):>10} GBP m",
        f"  BCR                {gbp(g['bcr'], 3):>10}",
        "",
    ]
    # a calibration belongs to the file that declares it (it is not inherited): this scenario's own
    for c in (c for c in data["calibrated"] if c["scenario"] == data["scenario"]):
        state = (f" (not used: {c['parameter']} = {c['value_used']} set by {c['overridden_in']})"
                 if c["overridden"] else "")
        lines.append(f"  calibrated in {c['scenario']}: {c['parameter']} = {c['value']:.6g} so that "
                     f"{c['metric']} = {c['target_value']:g} [{c['target']}]{state}")
    # an inherited calibration that this scenario (or --set) replaces: the value used is not a solved one
    for c in (c for c in data["calibrated"] if c["scenario"] != data["scenario"] and c["overridden"]):
        lines.append(f"  set, not calibrated: {c['parameter']} = {c['value_used']} (set by {c['overridden_in']}; "
                     f"{c['scenario']}'s calibration to {c['target']} solved {c['value']:.6g})")
    for k, v in data["overrides"].items():
        lines.append(f"  override: {k} = {v}")
    lines.append("")
    lines.append("  Cash flows, the paper's measure (every year of the period):")
    lines.append(_cashflow_table(data["cashflows"]))
    lines.append("  (GBP m; capital, revenue and benefits in nominal cash; net in real base-year "
                 "prices after optimism bias; the Green Book appraisal counts the rows from "
                 f"{g['decision_fy']} on)")
    return "\n".join(lines)

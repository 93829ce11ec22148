"""Plain-text rendering of results for the terminal."""

from __future__ import annotations

import pandas as pd


def gbp(x: float | None, places: int = 3) -> str:
    return "n/a" if x is None else f"{x:,.{places}f}"


def format_results(data: dict) -> str:
    lines = [
        f"{data['scenario']}: {data['title']}",
        f"  appraisal: {data['appraisal']['period']}, base year FY{data['appraisal']['base_year'] % 100:02d}/"
        f"{(data['appraisal']['base_year'] + 1) % 100:02d} prices, {data['appraisal']['discounting']}, "
        f"optimism bias {data['appraisal']['optimism_bias']:.0%}",
        f"  NPV                {gbp(data['npv_gbp_m']):>10} GBP m",
        f"  TCO (nominal)      {gbp(data['tco_gbp_m']):>10} GBP m",
        f"  PV costs           {gbp(data['pv_costs_gbp_m']):>10} GBP m",
        f"  PV benefits        {gbp(data['pv_benefits_gbp_m']):>10} GBP m",
        f"  BCR                {gbp(data['bcr'], 3):>10}",
    ]
    for c in data["calibrated"]:
        state = " (overridden by --set)" if c["overridden"] else ""
        lines.append(f"  calibrated: {c['parameter']} = {c['value']:.6g} so that {c['metric']} = "
                     f"{c['target_value']:g} [{c['target']}]{state}")
    for k, v in data["overrides"].items():
        lines.append(f"  override: {k} = {v}")
    frame = pd.DataFrame(data["cashflows"])
    cols = ["fy", "capital_gbp_m", "revenue_gbp_m", "benefits_gbp_m", "net_real_gbp_m",
            "discount_factor", "pv_gbp_m"]
    table = frame[cols].rename(columns={
        "capital_gbp_m": "capital", "revenue_gbp_m": "revenue", "benefits_gbp_m": "benefits",
        "net_real_gbp_m": "net (real)", "discount_factor": "DF", "pv_gbp_m": "PV"})
    lines.append("")
    lines.append(table.to_string(index=False, float_format=lambda x: f"{x:,.3f}"))
    lines.append("  (GBP m; capital, revenue and benefits in nominal cash; net in real base-year "
                 "prices after optimism bias)")
    return "\n".join(lines)

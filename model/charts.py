"""Altair charts of one scenario's results. Colours: the Okabe-Ito palette (colour-blind safe)."""

from __future__ import annotations

import altair as alt
import pandas as pd

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]


def use_offline_html_renderer() -> None:
    """Charts render as HTML whose script uses the Vega libraries the book serves from _static/."""
    alt.renderers.enable("html")


def costs_by_year(data: dict) -> alt.Chart:
    """Stacked bars: capital and revenue by financial year, nominal cash."""
    rows = []
    for r in data["cashflows"]:
        rows.append({"fy": r["fy"], "kind": "Capital", "gbp_m": r["capital_gbp_m"]})
        rows.append({"fy": r["fy"], "kind": "Revenue", "gbp_m": r["revenue_gbp_m"]})
    frame = pd.DataFrame(rows)
    order = [r["fy"] for r in data["cashflows"]]
    title = alt.Title("Costs by financial year", subtitle=f"{data['scenario'].upper()}, £m nominal cash",
                      anchor="start")
    return alt.Chart(frame, title=title).mark_bar().encode(
        x=alt.X("fy:O", sort=order, title="Financial year (FY)"),
        y=alt.Y("sum(gbp_m):Q", title="Cost (£m, nominal)"),
        color=alt.Color("kind:N", title="Cost type", scale=alt.Scale(range=OKABE_ITO[:2])),
        order=alt.Order("kind:N"),
        tooltip=[alt.Tooltip("fy:O", title="FY"), alt.Tooltip("kind:N", title="Type"),
                 alt.Tooltip("gbp_m:Q", title="£m", format=",.3f")],
    ).properties(width="container", height=260)


def cumulative_npv(data: dict) -> alt.LayerChart:
    """Cumulative discounted net value (real prices) by financial year, with the zero line."""
    frame = pd.DataFrame(data["cashflows"])[["fy", "pv_gbp_m"]]
    frame["cumulative_pv_gbp_m"] = frame["pv_gbp_m"].cumsum()
    order = list(frame["fy"])
    title = alt.Title("Cumulative discounted net value",
                      subtitle=f"{data['scenario'].upper()}, £m at base-year prices", anchor="start")
    base = alt.Chart(frame, title=title)
    line = base.mark_line(point=True, color=OKABE_ITO[5]).encode(
        x=alt.X("fy:O", sort=order, title="Financial year (FY)"),
        y=alt.Y("cumulative_pv_gbp_m:Q", title="Cumulative PV (£m)"),
        tooltip=[alt.Tooltip("fy:O", title="FY"),
                 alt.Tooltip("cumulative_pv_gbp_m:Q", title="Cumulative PV £m", format=",.3f"),
                 alt.Tooltip("pv_gbp_m:Q", title="PV in year £m", format=",.3f")])
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="#555555", strokeDash=[4, 4]).encode(y="y:Q")
    return (zero + line).properties(width="container", height=260)

"""Altair charts of one scenario's results. Colours: the Okabe-Ito palette (colour-blind safe)."""

from __future__ import annotations

import altair as alt
import pandas as pd

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]


def use_offline_html_renderer() -> None:
    """Charts render as HTML whose script uses the Vega libraries the book serves from _static/.

    SVG, so that charts stay vector graphics in the PDF and their text is in the page; no action menu
    (its unnamed <summary> fails WCAG 4.1.2, and every chart's data is a CSV download or a table).
    The spec's JSON is written script-safe (model.report.markup.ScriptSafeJSON)."""
    from .markup import ScriptSafeJSON

    # a title from a params file sits in the spec's JSON, inside a <script>: escaped so that it cannot end it
    alt.renderers.enable("html", embed_options={"renderer": "svg", "actions": False},
                         json_kwds={"cls": ScriptSafeJSON})


def _scenario_title(data: dict) -> str:
    """A scenario's own title (its params' `title`), for a chart's subtitle; its name if it has none."""
    return str(data.get("title") or data["scenario"])


def costs_by_year(data: dict) -> alt.Chart:
    """Stacked bars: capital and revenue by financial year, nominal cash."""
    rows = []
    for r in data["cashflows"]:
        rows.append({"fy": r["fy"], "kind": "Capital", "gbp_m": r["capital_gbp_m"]})
        rows.append({"fy": r["fy"], "kind": "Revenue", "gbp_m": r["revenue_gbp_m"]})
    frame = pd.DataFrame(rows)
    order = [r["fy"] for r in data["cashflows"]]
    title = alt.Title("Costs by financial year", subtitle=f"{_scenario_title(data)}, £m nominal cash",
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
                      subtitle=f"{_scenario_title(data)}, £m at base-year prices", anchor="start")
    base = alt.Chart(frame, title=title)
    line = base.mark_line(point=True, color=OKABE_ITO[5]).encode(
        x=alt.X("fy:O", sort=order, title="Financial year (FY)"),
        y=alt.Y("cumulative_pv_gbp_m:Q", title="Cumulative PV (£m)"),
        tooltip=[alt.Tooltip("fy:O", title="FY"),
                 alt.Tooltip("cumulative_pv_gbp_m:Q", title="Cumulative PV £m", format=",.3f"),
                 alt.Tooltip("pv_gbp_m:Q", title="PV in year £m", format=",.3f")])
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="#555555", strokeDash=[4, 4]).encode(y="y:Q")
    return (zero + line).properties(width="container", height=260)


def npv_bridge(bridge: pd.DataFrame) -> alt.LayerChart:
    """Waterfall: the NPV of the first version, each driver's change, and the NPV of the last."""
    frame = bridge.copy()
    frame["order"] = range(len(frame))
    frame["low"] = frame[["start_gbp_m", "end_gbp_m"]].min(axis=1)
    frame["high"] = frame[["start_gbp_m", "end_gbp_m"]].max(axis=1)
    frame["type"] = [("Total" if k == "total" else "Increase" if d >= 0 else "Decrease")
                     for k, d in zip(frame.kind, frame.delta_gbp_m)]
    order = list(frame.step)
    base = alt.Chart(frame, title=alt.Title("NPV bridge", subtitle="£m, base-year prices", anchor="start"))
    bars = base.mark_bar().encode(
        y=alt.Y("step:N", sort=order, title=None, axis=alt.Axis(labelLimit=140)),
        x=alt.X("low:Q", title="Net present value (£m)"), x2="high:Q",
        color=alt.Color("type:N", title="Bar", scale=alt.Scale(domain=["Total", "Decrease", "Increase"],
                                                               range=[OKABE_ITO[0], OKABE_ITO[5], OKABE_ITO[2]])),
        tooltip=[alt.Tooltip("step:N", title="Step"), alt.Tooltip("delta_gbp_m:Q", title="£m", format=",.1f"),
                 alt.Tooltip("end_gbp_m:Q", title="NPV after £m", format=",.1f")])
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color="#555555").encode(x="x:Q")
    return (bars + zero).properties(width="container", height=34 * len(frame))


SHAPES = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down", "triangle-left",
          "triangle-right"]


def milestone_timeline(ms: pd.DataFrame, versions: list[str], events: list[str],
                       go_live: list[str]) -> alt.LayerChart:
    """Delivery milestones of each version on one time axis.

    ms: one row per version and milestone, with columns version (the short label), milestone (key),
    event (its name in the legend) and date; versions: the short labels, first version first; events:
    the legend's order; go_live: the keys of the go-live milestones, each joined across versions by a
    dashed line. Any number of deliveries: colours and shapes repeat after eight."""
    keep = ms[ms.event.isin(events)].copy()
    colours = [OKABE_ITO[i % len(OKABE_ITO)] for i in range(len(events))]
    shapes = [SHAPES[i % len(SHAPES)] for i in range(len(events))]
    base = alt.Chart(keep, title=alt.Title("Delivery milestones by version",
                                           subtitle="each business case's own dates", anchor="start"))
    points = base.mark_point(size=140, filled=True).encode(
        x=alt.X("date:T", title="Date", axis=alt.Axis(format="%Y")),
        y=alt.Y("version:N", title="Version", sort=list(versions)),
        color=alt.Color("event:N", title="Milestone", scale=alt.Scale(domain=list(events), range=colours)),
        # one legend for colour and shape together: neither carries the milestone alone
        shape=alt.Shape("event:N", title="Milestone", scale=alt.Scale(domain=list(events), range=shapes)),
        tooltip=[alt.Tooltip("version:N"), alt.Tooltip("event:N", title="Milestone"),
                 alt.Tooltip("date:T", format="%d %b %Y")])
    drops = keep[keep.milestone.isin(go_live)]
    lines = alt.Chart(drops).mark_line(color="#999999", strokeDash=[3, 3]).encode(
        x="date:T", y=alt.Y("version:N", sort=list(versions)), detail="milestone:N")
    return (lines + points).properties(width="container", height=max(200, 60 * len(versions)))


def _subtitle(short: str, rest: str) -> str:
    """'V3, £m nominal': the version a chart shows, then what it shows."""
    return f"{short}, {rest}" if short else rest


def affordability(frame: pd.DataFrame, short: str = "") -> alt.Chart:
    """Cash requirement by year: capital and revenue, less funding sources already identified."""
    rows = []
    for r in frame.to_dict(orient="records"):
        rows += [{"fy": r["fy"], "part": "Capital", "gbp_m": r["capital_gbp_m"]},
                 {"fy": r["fy"], "part": "Revenue", "gbp_m": r["revenue_gbp_m"]},
                 {"fy": r["fy"], "part": "Funding sources", "gbp_m": r["funding_gbp_m"]}]
    data = pd.DataFrame(rows)
    parts = ["Capital", "Revenue", "Funding sources"]
    return alt.Chart(data, title=alt.Title("Cash requirement by year", subtitle=_subtitle(short, "£m nominal"),
                                           anchor="start")).mark_bar().encode(
        x=alt.X("fy:O", title="Financial year (FY)", sort=list(frame.fy)),
        y=alt.Y("gbp_m:Q", title="£m (nominal)"),
        color=alt.Color("part:N", title="", scale=alt.Scale(domain=parts, range=[OKABE_ITO[0], OKABE_ITO[1],
                                                                                 OKABE_ITO[2]])),
        tooltip=[alt.Tooltip("fy:O", title="FY"), alt.Tooltip("part:N"),
                 alt.Tooltip("gbp_m:Q", title="£m", format=",.3f")],
    ).properties(width="container", height=260)


def costs_and_benefits(data: dict) -> alt.Chart:
    """Real costs (after any optimism bias) and benefits by year, side by side."""
    rows = []
    for r in data["cashflows"]:
        rows += [{"fy": r["fy"], "flow": "Costs", "gbp_m": r["costs_real_gbp_m"]},
                 {"fy": r["fy"], "flow": "Benefits", "gbp_m": r["benefits_real_gbp_m"]}]
    frame = pd.DataFrame(rows)
    return alt.Chart(frame, title=alt.Title("Costs and benefits by year",
                                            subtitle=f"{_scenario_title(data)}, £m at base-year prices",
                                            anchor="start")).mark_bar().encode(
        x=alt.X("fy:O", title="Financial year (FY)", sort=[r["fy"] for r in data["cashflows"]]),
        xOffset=alt.XOffset("flow:N", sort=["Costs", "Benefits"]),
        y=alt.Y("gbp_m:Q", title="£m (real)"),
        color=alt.Color("flow:N", title="", scale=alt.Scale(domain=["Costs", "Benefits"],
                                                            range=[OKABE_ITO[5], OKABE_ITO[2]])),
        tooltip=[alt.Tooltip("fy:O", title="FY"), alt.Tooltip("flow:N"),
                 alt.Tooltip("gbp_m:Q", title="£m", format=",.3f")],
    ).properties(width="container", height=260)


def versions(frame: pd.DataFrame, order: list[str] | None = None) -> alt.Chart:
    """TCO and NPV of each version, in the case's version order (short labels, first version first)."""
    rows = []
    for r in frame.to_dict(orient="records"):
        rows += [{"version": r["version"], "measure": "TCO (nominal)", "gbp_m": r["tco_gbp_m"]},
                 {"version": r["version"], "measure": "NPV", "gbp_m": r["npv_gbp_m"]}]
    data = pd.DataFrame(rows)
    return alt.Chart(data, title=alt.Title("Total cost of ownership and NPV by version", subtitle="£m",
                                           anchor="start")).mark_bar().encode(
        x=alt.X("version:N", title="Version", sort=list(order) if order else list(frame.version)),
        xOffset=alt.XOffset("measure:N"),
        y=alt.Y("gbp_m:Q", title="£m"),
        color=alt.Color("measure:N", title="", scale=alt.Scale(range=[OKABE_ITO[0], OKABE_ITO[1]])),
        tooltip=[alt.Tooltip("version:N"), alt.Tooltip("measure:N"),
                 alt.Tooltip("gbp_m:Q", title="£m", format=",.1f")],
    ).properties(width="container", height=240)


def tornado(rows: list[dict], short: str = "") -> alt.LayerChart:
    """Tornado: NPV at each input's low and high value, widest swing on top."""
    frame = pd.DataFrame([{"input": r["label"], "end": end, "npv": r[f"npv_{end}_gbp_m"],
                           "base": r["npv_base_gbp_m"], "swing": r["swing_gbp_m"]}
                          for r in rows for end in ("low", "high")])
    order = [r["label"] for r in rows]
    base = alt.Chart(frame, title=alt.Title("Tornado: NPV at each input's low and high value",
                                            subtitle=_subtitle(short, "£m; the others held at base"), anchor="start"))
    bars = base.mark_bar().encode(
        y=alt.Y("input:N", sort=order, title=None, axis=alt.Axis(labelLimit=170)),
        x=alt.X("npv:Q", title="NPV (£m)"), x2="base:Q",
        color=alt.Color("end:N", title="Input at", scale=alt.Scale(domain=["low", "high"],
                                                                   range=[OKABE_ITO[0], OKABE_ITO[1]])),
        tooltip=[alt.Tooltip("input:N"), alt.Tooltip("end:N", title="at"),
                 alt.Tooltip("npv:Q", title="NPV £m", format=",.2f")])
    rule = alt.Chart(pd.DataFrame({"x": [rows[0]["npv_base_gbp_m"]]})).mark_rule(color="#333333").encode(x="x:Q")
    return (bars + rule).properties(width="container", height=28 * len(rows))


def npv_distribution(draws, p10: float, p50: float, p90: float, short: str = "") -> alt.LayerChart:
    """Histogram of Monte Carlo NPVs with the P10, P50 and P90 marked."""
    import numpy as np

    counts, edges = np.histogram(np.asarray(draws), bins=60)  # binned here: the page carries 60 rows
    frame = pd.DataFrame({"start": edges[:-1], "end": edges[1:], "draws": counts})
    hist = alt.Chart(frame, title=alt.Title("Monte Carlo distribution of NPV",
                                            subtitle=_subtitle(short, "£m; dashed lines at P10, P50, P90"),
                                            anchor="start")).mark_bar(color=OKABE_ITO[0]).encode(
        x=alt.X("start:Q", title="NPV (£m)"), x2="end:Q",
        y=alt.Y("draws:Q", title="Draws"), y2=alt.datum(0),
        tooltip=[alt.Tooltip("start:Q", format=",.1f"), alt.Tooltip("end:Q", format=",.1f"), "draws:Q"])
    marks = alt.Chart(pd.DataFrame({"x": [p10, p50, p90], "q": ["P10", "P50", "P90"]})).mark_rule(
        color=OKABE_ITO[5], strokeDash=[5, 3]).encode(x="x:Q", tooltip=["q:N", alt.Tooltip("x:Q", format=",.1f")])
    return (hist + marks).properties(width="container", height=240)


def what_if(rows: list[dict], base_rate: float, base_level: float, base_ob_capital: float,
            base_ob_operating: float, short: str = "") -> alt.LayerChart:
    """An interactive NPV of the Green Book appraisal at the decision point: sliders for the discount
    rate, the benefit level and the optimism bias on capital and on operating costs, recomputed in the
    browser with Vega expressions from the years the page carries (the decision year on).

    PV_t = (level x benefits_t - (1 + ob_capital) x capital_t - (1 + ob_operating) x revenue_t - fixed_t)
    / (1 + rate)^t, with benefits, capital and revenue in real base-year prices at a benefit level of 1 and
    before optimism bias; capital and revenue are the costs optimism bias raises, `fixed` the costs it never
    raises (committed sums, fixed envelopes, expected risk costs, opportunity costs; 0 where a row has
    none). A flat rate of 3.5% equals the STPR over the first 30 years.
    """
    frame = pd.DataFrame(rows)
    if "fixed" not in frame:
        frame["fixed"] = 0.0
    frame = frame[["fy", "t", "benefits", "capital", "revenue", "fixed"]]
    rate = alt.param(name="rate", value=base_rate,
                     bind=alt.binding_range(min=0.0, max=0.10, step=0.0005, name="Discount rate "))
    level = alt.param(name="level", value=base_level,
                      bind=alt.binding_range(min=0.0, max=3.0, step=0.01, name="Benefit level "))
    ob_capital = alt.param(name="ob_capital", value=base_ob_capital,
                           bind=alt.binding_range(min=0.0, max=2.0, step=0.01, name="Optimism bias, capital "))
    ob_operating = alt.param(name="ob_operating", value=base_ob_operating,
                             bind=alt.binding_range(min=0.0, max=2.0, step=0.01,
                                                    name="Optimism bias, operating "))
    first = frame.fy.iloc[0]
    base = alt.Chart(frame, title=alt.Title("What if? NPV under your assumptions",
                                            subtitle=_subtitle(short, f"Green Book appraisal from {first} (sunk "
                                                                      "costs excluded), £m at base-year prices"),
                                            anchor="start")
                     ).transform_calculate(
        pv="(level * datum.benefits - (1 + ob_capital) * datum.capital - (1 + ob_operating) * datum.revenue"
           " - datum.fixed) / pow(1 + rate, datum.t)")
    bars = base.mark_bar(color=OKABE_ITO[0]).encode(
        x=alt.X("fy:O", title="Financial year (FY)", sort=list(frame.fy)),
        y=alt.Y("pv:Q", title="Present value (£m)"),
        tooltip=[alt.Tooltip("fy:O", title="FY"), alt.Tooltip("pv:Q", title="PV £m", format=",.3f")])
    total = base.transform_aggregate(npv="sum(pv)").transform_calculate(
        label="'NPV: ' + format(datum.npv, ',.2f') + ' £m'").mark_text(
        align="left", baseline="top", fontSize=16, fontWeight="bold", dx=4, dy=4).encode(
        x=alt.value(0), y=alt.value(0), text="label:N")
    return (bars + total).add_params(rate, level, ob_capital, ob_operating).properties(width="container",
                                                                                       height=260)

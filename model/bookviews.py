"""What the chapter pages call: glued figures that link to their source, tables with downloads,
and the book's charts. No logic of its own beyond formatting; the numbers come from model.book."""

from __future__ import annotations

import html
import math

import pandas as pd
from IPython.display import HTML, Markdown, display

from . import book
from .charts import OKABE_ITO

DOWNLOADS = "_static/downloads"


def money(value: float, places: int = 1) -> str:
    """£214.7m, −£144.6m (a true minus sign, before the pound sign)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    sign = "\u2212" if round(value, places) < 0 else ""
    return f"{sign}£{abs(value):,.{places}f}m"


class Linked:
    """A figure shown as text that links to where it comes from: a parameter's entry in the
    assumptions register, or (for a computed figure) the page that computes it."""

    def __init__(self, text: str, parameter: str | None = None, title: str | None = None,
                 href: str | None = None) -> None:
        self.text, self.parameter, self.title, self.href = text, parameter, title, href

    def _repr_html_(self) -> str:
        if self.parameter:
            href = f"{book.REGISTER_PAGE}#{book.anchor(self.parameter)}"
            tip = self.title or self.parameter
        elif self.href:
            href, tip = self.href, self.title or "computed by the model: see this page"
        else:
            return f'<span class="glued">{html.escape(self.text)}</span>'
        return (f'<a class="glued reg-link" href="{href}" title="{html.escape(tip)}">'
                f'{html.escape(self.text)}</a>')

    def __repr__(self) -> str:
        return self.text


def glue(key: str, text: str, parameter: str | None = None, title: str | None = None,
         href: str | None = None) -> None:
    """Glue a piece of prose text; with a parameter it links to the register, with href to a page."""
    from myst_nb import glue as nb_glue

    nb_glue(key, Linked(text, parameter, title, href), display=False)


def glue_money(key: str, value: float, parameter: str | None = None, places: int = 1,
               title: str | None = None, href: str | None = None) -> None:
    glue(key, money(value, places), parameter, title, href)


def glue_number(key: str, value: float, parameter: str | None = None, fmt: str = ",.0f",
                title: str | None = None, href: str | None = None) -> None:
    glue(key, format(value, fmt), parameter, title, href)


HEADINGS = {"fy": "FY", "bcr": "BCR", "tco_gbp_m": "TCO £m", "npv_gbp_m": "NPV £m",
            "npv_published_gbp_m": "Published NPV £m", "pv_costs_gbp_m": "PV costs £m",
            "pv_benefits_gbp_m": "PV benefits £m", "drop2_go_live": "Drop 2 go-live",
            "published_total": "Printed total", "cumulative_pct_of_original": "Cumulative % of original",
            "uplift_pct_of_original": "Uplift % of original", "t": "t",
            "sunk_costs_gbp_m": "Sunk costs £m", "gb_npv_gbp_m": "Green Book NPV £m",
            "gb_change_in_npv_gbp_m": "Change in Green Book NPV £m", "gb_bcr": "Green Book BCR",
            "paper_npv_gbp_m": "Paper's measure: NPV £m", "reg72_check": "Regulation 72 test (each modification)",
            "within_50pct_of_original": "Within 50% of original", "amount_gbp_m": "£m",
            "gross_from_cells_gbp_m": "Gross, added from the cells £m",
            "net_from_cells_gbp_m": "Net, added from the cells £m",
            "stated_in_recommendations_gbp_m": "Stated in the recommendations £m"}


def heading(column: str) -> str:
    """A column name as a reader would want it: 'capital_gbp_m' -> 'Capital £m'."""
    if column in HEADINGS:
        return HEADINGS[column]
    if column.startswith("FY"):
        return column
    text = column.replace("_gbp_m", " £m").replace("_pct", " %").replace("_", " ")
    return text[:1].upper() + text[1:]


def glue_param(key: str, scenario: str, parameter: str, fmt: str | None = None,
               params_dir=None) -> None:
    """Glue a parameter's own value, linked to its register entry."""
    from .scenario import quantity_at

    q = quantity_at(book.loaded(scenario, params_dir).scenario, parameter)
    value = q.value
    if fmt == "money":
        text = money(value, 3 if abs(value) < 100 and round(value, 1) != value else 1)
    elif fmt:
        text = format(value, fmt)
    else:
        text = str(value)
    glue(key, text, parameter, q.source or q.why)


def table(frame: pd.DataFrame, download: str | None = None, places: int = 3, index: bool = False):
    """Show a table, formatted, with its CSV download underneath."""
    frame = frame.rename(columns={c: heading(str(c)) for c in frame.columns})
    numeric = frame.select_dtypes("number").columns
    styled = frame.style.format({c: f"{{:,.{places}f}}" for c in numeric}, na_rep="")
    if not index:
        styled = styled.hide(axis="index")
    display(styled)
    if download:
        display(Markdown(f"Download this table: [{download}.csv]({DOWNLOADS}/{download}.csv) "
                         f"(all tables: [XLSX workbook]({DOWNLOADS}/casebook-tables.xlsx))"))


# --- set-up and charts ------------------------------------------------------------------------------

def setup() -> None:
    from .charts import use_offline_html_renderer

    use_offline_html_renderer()
    pd.set_option("display.max_colwidth", 120)


def glue_chart(key: str, chart) -> None:
    """Glue an Altair chart so that a numbered {glue:figure} can place it."""
    from myst_nb import glue as nb_glue

    nb_glue(key, chart, display=False)


def _fmt_month(value) -> str:
    from .fy import parse_date

    return parse_date(value).strftime("%B %Y")


def _fmt_day(value) -> str:
    from .fy import parse_date

    d = parse_date(value)
    return f"{d.day} {d.strftime('%B %Y')}"


# --- chapter glue: each function glues what one chapter's prose cites --------------------------------

def glue_summary(params_dir=None) -> None:
    """Executive summary: each version's decision, TCO and NPV, and what moved the NPV."""
    summary = book.version_summary(params_dir)
    for r in summary.to_dict(orient="records"):
        v = r["version"].lower()
        page = f"scenarios/{v}.html"
        glue_money(f"{v}_tco", r["tco_gbp_m"], title=f"{r['version']} TCO: see its scenario page", href=page)
        glue_money(f"{v}_npv", r["npv_gbp_m"], title=f"{r['version']} NPV: see its scenario page", href=page)
        glue_money(f"{v}_pvc", r["pv_costs_gbp_m"], href=page)
        glue_money(f"{v}_pvb", r["pv_benefits_gbp_m"], href=page)
        glue(f"{v}_bcr", f"{r['bcr']:.2f}")
        g = book.result(v, params_dir)["green_book"]
        glue_money(f"{v}_gb_npv", g["npv_gbp_m"], title=f"{r['version']} Green Book NPV from its decision year",
                   href=page)
        glue_money(f"{v}_sunk", g["sunk_costs_gbp_m"], href=page)
        glue(f"{v}_decision_fy", g["decision_fy"], "appraisal.decision_fy")
    glue_param("fbc1_npv_published", "fbc1", "published.npv_fbc1_gbp_m", "money", params_dir)
    glue_param("fbc3_npv_published", "fbc3", "published.npv_fbc3_gbp_m", "money", params_dir)
    glue_param("fbc2_addition", "fbc2", "costs.fbc2_addition.total_gbp_m", "money", params_dir)
    glue_param("nec_original", "fbc2", "contracts.nec_mips_implementation.original_value_gbp_m", "money", params_dir)
    glue_param("nec_fbc2_value", "fbc2", "contracts.nec_mips_implementation.modifications.fbc2.new_value_gbp_m",
               "money", params_dir)
    glue_param("nec_fbc3_uplift", "fbc3", "contracts.nec_mips_implementation.modifications.fbc3.uplift_gbp_m",
               "money", params_dir)
    glue_param("nec_fbc3_value", "fbc3", "contracts.nec_mips_implementation.modifications.fbc3.new_value_gbp_m",
               "money", params_dir)
    s3 = book.loaded("fbc3", params_dir).scenario
    cap = s3.narrative_costs["capital_total"]
    rev = s3.narrative_costs["revenue_total"]
    glue("fbc3_capital_request", money(cap.value, 3), "narrative_costs.capital_total", cap.source)
    glue("fbc3_revenue_request", money(rev.value, 3), "narrative_costs.revenue_total", rev.source)
    glue_param("delays_1_2", "fbc3", "delays.delays_1_and_2_months", ",.0f", params_dir)
    glue_param("delay_3", "fbc3", "delays.delay_3_months", ",.0f", params_dir)
    glue("drop2_fbc2", _fmt_month(s3.delays["drop2_previous_date"].value), "delays.drop2_previous_date")
    glue("drop2_fbc3", _fmt_day(s3.milestones["drop2_go_live"].value), "milestones.drop2_go_live")
    glue("drop1_live", _fmt_month(s3.milestones["drop1_go_live"].value), "milestones.drop1_go_live")
    bridge = book.npv_bridge("fbc1", "fbc3", params_dir)
    changes = bridge[bridge.kind == "change"]
    delay = changes[changes.step.str.startswith("Delay to benefits")].delta_gbp_m.sum()
    rebase = changes[changes.step == "Benefit re-baselining"].delta_gbp_m.sum()
    costs = changes.delta_gbp_m.sum() - delay - rebase
    glue_money("bridge_delay", delay, href="comparison.html")
    glue_money("bridge_costs", costs, href="comparison.html")
    glue_money("bridge_rebaseline", rebase, href="comparison.html")
    glue_money("bridge_total", changes.delta_gbp_m.sum(), href="comparison.html")
    glue_money("bridge_fall", -changes.delta_gbp_m.sum(), href="comparison.html")
    r3 = book.result("fbc3", params_dir)
    glue("period", r3["appraisal"]["period"], "appraisal.first_fy")
    hist = book.contract_history("fbc3", params_dir)
    glue_number("com_direct_awards", int(((hist.event == "original") & (hist.term_years == 1)).sum()))


def glue_checks(params_dir=None) -> None:
    """How many reconciliation checks ran and how many found discrepancies (front page only: it loads
    and reconciles every scenario)."""
    checks = book.reconciliation(params_dir)
    glue_number("checks_run", len(checks))
    glue_number("checks_discrepancies", int((checks.status == "discrepancy").sum()))


def glue_economic(params_dir=None) -> None:
    r3 = book.result("fbc3", params_dir)
    rd = book.result("do_minimum", params_dir)
    g3, gd = r3["green_book"], rd["green_book"]
    glue_money("econ_npv_connect", g3["npv_gbp_m"])
    glue_money("econ_npv_dominimum", gd["npv_gbp_m"])
    glue_money("econ_pvc_connect", g3["pv_costs_gbp_m"])
    glue_money("econ_pvb_connect", g3["pv_benefits_gbp_m"])
    glue("econ_bcr_connect", f"{g3['bcr']:.2f}")
    glue("econ_bcr_dominimum", f"{gd['bcr']:.2f}")
    glue_money("econ_npv_gap", g3["npv_gbp_m"] - gd["npv_gbp_m"])
    glue_money("econ_sunk", g3["sunk_costs_gbp_m"], href="financial.html")
    glue("econ_decision_fy", g3["decision_fy"], "appraisal.decision_fy")
    glue_money("econ_paper_npv", r3["npv_gbp_m"], href="scenarios/fbc3.html")
    glue_money("econ_paper_pvc", r3["pv_costs_gbp_m"], href="scenarios/fbc3.html")
    glue_money("econ_paper_pvb", r3["pv_benefits_gbp_m"], href="scenarios/fbc3.html")
    glue("econ_paper_bcr", f"{r3['bcr']:.2f}")
    s = book.loaded("fbc3", params_dir).scenario
    glue("econ_ob_capital", f"{s.appraisal.optimism_bias_capital.value:.0%}", "appraisal.optimism_bias_capital")
    glue("econ_ob_operating", f"{s.appraisal.optimism_bias_operating.value:.0%}",
         "appraisal.optimism_bias_operating")
    bounds = {spec.parameter: spec for spec in s.uncertainty.values()}
    for key, parameter in (("econ_ob_capital_upper", "appraisal.optimism_bias_capital"),
                           ("econ_ob_operating_upper", "appraisal.optimism_bias_operating")):
        spec = bounds[parameter]
        glue(key, f"{spec.high:.0%}", title=spec.why)
    glue("econ_period", r3["appraisal"]["period"], "appraisal.first_fy")
    glue("econ_deflator", f"{s.appraisal.gdp_deflator.value:.1%}", "appraisal.gdp_deflator")
    peak = max(r3["cashflows"], key=lambda r: r["benefits_real_gbp_m"])
    glue_money("econ_peak_benefit", peak["benefits_real_gbp_m"])
    glue("econ_peak_benefit_fy", peak["fy"])
    glue_chart("fig_costs_benefits", _charts().costs_and_benefits(r3))


def glue_financial(params_dir=None) -> None:
    t1 = book.request_table("fbc3_capital_request", "fbc3", params_dir)
    t2 = book.request_table("fbc3_revenue_request", "fbc3", params_dir)
    gross1 = t1[t1.row.str.startswith("Gross")].iloc[0]
    gross2 = t2[t2.row.str.startswith("Gross")].iloc[0]
    fund2 = t2[t2.row.str.startswith("Total identified")].iloc[0]
    short2 = t2[t2.row.str.startswith("Shortfall")].iloc[0]
    glue_money("fin_t1_computed", gross1["total"], places=3)
    glue_money("fin_t1_published", gross1["published_total"], places=3)
    glue_money("fin_t2_computed", gross2["total"], places=3)
    glue_money("fin_t2_published", gross2["published_total"], places=3)
    glue_money("fin_t2_funding", -fund2["total"], places=3)
    glue_money("fin_t2_shortfall", short2["total"], places=3)
    glue_money("fin_t2_shortfall_published", short2["published_total"], places=3)
    aff = book.affordability("fbc3", params_dir)
    peak = aff.loc[aff.net_of_reserves_gbp_m.idxmax()]
    glue("fin_peak_fy", peak["fy"])
    glue_money("fin_peak_amount", peak["net_of_reserves_gbp_m"])
    glue_money("fin_all_period_cash", aff.net_of_reserves_gbp_m.sum())
    glue_chart("fig_affordability", _charts().affordability(aff))
    req = book.funding_request("fbc3", params_dir).set_index("request")
    capital, revenue, total = (req.loc[k] for k in ("Capital (Table 1)", "Revenue (Table 2)", "Total request"))
    glue_money("fin_req_capital", capital["net_gbp_m"], "narrative_costs.capital_total", places=3)
    glue_money("fin_req_revenue_gross", revenue["gross_gbp_m"], places=3)
    glue_money("fin_req_reserves", -revenue["reserves_gbp_m"], places=3)
    glue_money("fin_req_revenue", revenue["net_gbp_m"], "narrative_costs.revenue_total", places=3)
    glue_money("fin_req_gross", total["gross_gbp_m"], places=3)
    glue_money("fin_req_net", total["net_gbp_m"], places=3)
    costs = book.appraisal_vs_financial_costs("fbc3", params_dir).amount_gbp_m.tolist()
    glue_money("fin_full_cost", costs[0], href="scenarios/fbc3.html")
    glue_money("fin_sunk", -costs[1], "appraisal.decision_fy")
    glue_money("fin_future_nominal", costs[2])
    glue_money("fin_appraisal_real", costs[5])
    glue_money("fin_appraisal_pv", costs[7], href="economic.html")
    glue("fin_decision_fy", book.result("fbc3", params_dir)["green_book"]["decision_fy"], "appraisal.decision_fy")


def glue_commercial(params_dir=None) -> None:
    hist = book.contract_history("fbc3", params_dir)
    nec = hist[hist.contract == "nec_mips_implementation"].set_index("event")
    glue_money("com_nec_cumulative", nec.cumulative_uplift_gbp_m.max(), places=3)
    glue("com_nec_cumulative_pct", f"{nec.cumulative_pct_of_original.max():.1f}%")
    glue("com_nec_fbc2_pct", f"{nec.loc['fbc2', 'uplift_pct_of_original']:.1f}%")
    glue("com_nec_fbc3_pct", f"{nec.loc['fbc3', 'uplift_pct_of_original']:.3f}%")
    mods = hist[hist.event != "original"]
    glue_number("com_modifications", len(mods))
    glue_number("com_within", int((mods.within_50pct_of_original == True).sum()))  # noqa: E712
    glue_number("com_observations", int((mods.observation != "").sum()))
    direct = hist[(hist.event == "original") & (hist.term_years == 1)]
    glue_money("com_direct_total", direct.value_gbp_m.sum(), places=3)


def glue_management(params_dir=None) -> None:
    s = book.loaded("fbc3", params_dir).scenario
    users = s.facts["training_users"]
    days = s.delivery["training_days_per_user"]
    glue_number("man_users", users.value, "facts.training_users", title=users.why)
    glue("man_users_statements", ", ".join(f"{v:,}" for v in dict.fromkeys(st.value for st in users.statements)),
         "facts.training_users")
    glue_number("man_days_per_user", days.value, "delivery.training_days_per_user")
    glue_number("man_training_days", users.value * days.value)
    glue_param("man_weeks", "fbc3", "delivery.training_duration_weeks", ",.0f", params_dir)
    glue("man_training_start", _fmt_day(s.milestones["training_start"].value), "milestones.training_start")
    glue_param("man_ramp_pct", "fbc3", "delivery.support_ramp_down_pct", ",.0f", params_dir)
    block = s.costs["fbc3_revenue_request"]
    support = [ln for ln in block.lines.values() if ln.factor == "post_go_live_support"]
    years = sorted({fy for ln in support for fy in ln.by_fy})
    first = sum(ln.by_fy.get(years[0], 0) for ln in support)
    last = sum(ln.by_fy.get(years[-1], 0) for ln in support)
    glue_money("man_support_first", first, places=3)
    glue_money("man_support_last", last, places=3)
    glue("man_support_first_fy", years[0])
    glue("man_support_last_fy", years[-1])
    glue("man_support_fall_pct", f"{100 * (first - last) / first:.1f}%")
    bench = s.delivery["change_fund_benchmark_pct"]
    fund = s.costs["fbc3_capital_request"].lines["future_enhancements"]
    annual = max(fund.by_fy.values())
    glue_param("man_benchmark_pct", "fbc3", "delivery.change_fund_benchmark_pct", ",.0f", params_dir)
    glue_money("man_change_fund_annual", annual, "costs.fbc3_capital_request.lines.future_enhancements", places=3)
    glue_money("man_change_fund_total", sum(fund.by_fy.values()), "costs.fbc3_capital_request.lines.future_enhancements", places=3)
    glue_money("man_implied_dev_base", annual / (bench.value / 100))
    glue_param("man_releases", "fbc3", "delivery.change_fund_releases_per_year", ",.0f", params_dir)
    glue_param("man_hypercare_weeks", "fbc3", "delivery.hypercare_weeks", ",.0f", params_dir)
    glue("man_hypercare_end", _fmt_day(s.milestones["hypercare_end"].value), "milestones.hypercare_end")
    glue("man_bau", _fmt_day(s.milestones["business_as_usual"].value), "milestones.business_as_usual")
    glue("man_drop2", _fmt_day(s.milestones["drop2_go_live"].value), "milestones.drop2_go_live")
    delays = book.drop_delays(params_dir)
    d2 = delays[(delays["drop"] == "drop2_go_live") & (delays["version"] == "FBC3")].iloc[0]
    glue_number("man_drop2_slip_months", d2["months_after_fbc1_plan"])
    glue_chart("fig_timeline", _charts().milestone_timeline(book.milestones(params_dir)))


def glue_comparison(params_dir=None) -> None:
    glue_summary(params_dir)
    bridge = book.npv_bridge("fbc1", "fbc3", params_dir)
    changes = bridge[bridge.kind == "change"]
    biggest = changes.loc[changes.delta_gbp_m.abs().idxmax()]
    glue("cmp_biggest_step", biggest["step"].lower())
    glue_money("cmp_biggest_amount", biggest["delta_gbp_m"])
    glue_number("cmp_steps", len(changes))
    glue_chart("fig_bridge", _charts().npv_bridge(bridge))
    glue_chart("fig_versions", _charts().versions(book.version_summary(params_dir)))


def _charts():
    from . import charts

    return charts


# --- the register with anchors -------------------------------------------------------------------

def register_html(params_dir=None) -> HTML:
    """The assumptions register as an HTML table whose rows carry the ids that figures link to."""
    reg = book.assumptions_register(params_dir)
    head = ("<tr><th>Parameter</th><th>Value</th><th>Unit</th><th>Kind</th><th>Source or reason</th>"
            "<th>Calibrated to</th><th>Defined in</th><th>Overridden by</th></tr>")
    body = []
    for r in reg.to_dict(orient="records"):
        body.append(
            f'<tr id="{book.anchor(r["parameter"])}"><td><code>{html.escape(r["parameter"])}</code><br>'
            f'<span class="reg-label">{html.escape(r["label"] or "")}</span></td>'
            f'<td>{html.escape(str(r["value"]))}</td><td>{html.escape(r["unit"])}</td>'
            f'<td>{html.escape(r["kind"])}</td><td>{html.escape(r["provenance"])}</td>'
            f'<td>{html.escape(r["calibrated_to"])}</td><td>{html.escape(r["defined_in"])}</td>'
            f'<td>{html.escape(r["overridden_by"])}</td></tr>')
    return HTML(f'<div class="register-wrap"><table class="register">{head}{"".join(body)}</table></div>')


# --- uncertainty (economic case) ----------------------------------------------------------------------

MC_DRAWS = 20_000
MC_SEED = 20231207  # the date of the FBC3 meeting, as a fixed seed


def glue_uncertainty(params_dir=None) -> None:
    from . import uncertainty as unc

    loaded = book.loaded("fbc3", params_dir)
    rows = unc.tornado(loaded)
    glue_chart("fig_tornado", _charts().tornado(rows))
    glue("unc_top_input", rows[0]["label"].lower())
    glue_money("unc_top_swing", rows[0]["swing_gbp_m"])
    switching = unc.switching_values(loaded)
    crossing = [r for r in switching if r["switching_value"] is not None]
    glue_number("unc_switching_found", len(crossing))
    glue_number("unc_switching_inputs", len(switching))
    level = next((r for r in switching if r["parameter"] == "benefits.level_multiplier"), None)
    glue("unc_benefit_switch", "none" if level is None or level["switching_value"] is None
         else f"{level['switching_value']:.2f}", "benefits.level_multiplier")
    mc = unc.monte_carlo(loaded, MC_DRAWS, MC_SEED, keep=True)
    glue_number("unc_draws", mc["draws"])
    glue_money("unc_p10", mc["npv_p10_gbp_m"])
    glue_money("unc_p50", mc["npv_p50_gbp_m"])
    glue_money("unc_p90", mc["npv_p90_gbp_m"])
    glue_money("unc_mean", mc["npv_mean_gbp_m"])
    glue("unc_p_positive", f"{mc['p_npv_positive']:.1%}")
    glue_chart("fig_montecarlo", _charts().npv_distribution(mc["npv_draws"], mc["npv_p10_gbp_m"],
                                                            mc["npv_p50_gbp_m"], mc["npv_p90_gbp_m"]))
    glue("unc_appraisal", unc.appraisal_label(loaded))
    s = loaded.scenario
    rate = s.appraisal.discount_rate.value
    level = s.benefits.level_multiplier.value
    g = book.green_book_appraisal("fbc3", params_dir)
    # the Green Book appraisal's own years (the decision year on), before optimism bias, at a benefit level of 1
    rows = [{"fy": fy, "t": int(t), "benefits": float(b) / level if level else 0.0, "capital": float(c),
             "revenue": float(r)}
            for fy, t, b, c, r in zip(g.frame().fy, g.t, g.benefits_real_gbp_m, g.capital_real_gbp_m,
                                      g.revenue_real_gbp_m)]
    glue_chart("fig_whatif", _charts().what_if(rows, 0.035 if rate is None else rate, level,
                                               s.appraisal.optimism_bias_capital.value,
                                               s.appraisal.optimism_bias_operating.value))


def switching_table(params_dir=None) -> pd.DataFrame:
    from . import uncertainty as unc

    rows = unc.switching_values(book.loaded("fbc3", params_dir))
    return pd.DataFrame([{"parameter": r["parameter"], "base_value": r["base_value"],
                          "switching_value": r["switching_value"], "change_pct": r["change_pct"],
                          "searched": f"{r['search_range'][0]:g} to {r['search_range'][1]:g}"} for r in rows])


def tornado_table(params_dir=None) -> pd.DataFrame:
    from . import uncertainty as unc

    return pd.DataFrame(unc.tornado(book.loaded("fbc3", params_dir)))


# --- citations of the sources and their coverage (appendix) -------------------------------------------

COVERAGE_PAGE = "appendix_coverage.html"


def _source_index(params_dir, document: str):
    from . import sources

    docs = sources.documents(params_dir)
    if document not in docs:
        raise ValueError(f"{document} is not a declared source document")
    key = (str(params_dir), document)
    if key not in _INDEXES:
        _INDEXES[key] = sources.Index(sources.units_of(docs[document]))
    return docs[document], _INDEXES[key]


_INDEXES: dict = {}


class Cited(Linked):
    """A citation of a source unit: a link that may wrap (figures do not)."""

    def _repr_html_(self) -> str:
        return (f'<a class="cite" href="{self.href}" title="{html.escape(self.title or "")}">'
                f'{html.escape(self.text)}</a>')


def cite(key: str, source: str, params_dir=None) -> None:
    """Glue a citation, '<file>, <where>', as the document's short name and the place, linked to the
    unit's row in the coverage appendix. A citation that names no unit stops the page."""
    from . import sources

    m = sources.SOURCE_RE.fullmatch(source)
    if not m:
        raise ValueError(f"a citation is '<file>, <where>', not {source!r}")
    doc, index = _source_index(params_dir, m.group("file"))
    found = sources.resolve(m.group("where"), index)
    if found.problems or not found.units:
        raise ValueError(f"citation {source!r}: " + "; ".join(found.problems or ["names no unit"]))
    from myst_nb import glue as nb_glue

    nb_glue(key, Cited(f"{doc.short}, {m.group('where')}", title=source,
                       href=f"{COVERAGE_PAGE}#{found.units[0].anchor}"), display=False)


def cite_all(citations: dict[str, str], params_dir=None) -> None:
    for key, source in citations.items():
        cite(key, source, params_dir)


def glue_coverage(params_dir=None):
    """Counts for the coverage appendix; returns the report."""
    from .coverage import coverage

    cov = coverage(params_dir or "params")
    for name, n in cov.counts.items():
        glue_number(f"cov_{name}", n)
    glue_number("cov_documents", len({r["document"] for r in cov.rows}))
    return cov


def _used_by_html(used_by: list[str]) -> str:
    """'param: fbc3.yaml: milestones.x.source' -> grouped, shorter lines for the appendix."""
    groups: dict[str, list[str]] = {}
    for entry in used_by:
        kind, _, where = entry.partition(": ")
        where = where.removesuffix(".source").replace(".source.", ".")
        if kind == "book":
            where = where.removeprefix("book/").removesuffix(".md")
        groups.setdefault(kind, []).append(where)
    label = {"param": "Parameters", "finding": "Findings", "book": "Book pages"}
    return "<br>".join(f"<strong>{label.get(k, k)}:</strong> " + "; ".join(html.escape(w) for w in ws)
                       for k, ws in groups.items())


def coverage_html(cov) -> HTML:
    """Every unit of every source, a table per document: where it is used, or the reason it is not.
    Rows carry the ids that the chapters' citations link to."""
    out = []
    by_doc: dict[str, list[dict]] = {}
    for r in cov.rows:
        by_doc.setdefault(r["document"], []).append(r)
    for document, rows in by_doc.items():
        head = ('<thead><tr><th scope="col">Unit</th><th scope="col">Section</th><th scope="col">Status</th>'
                '<th scope="col">Used by, or why not</th></tr></thead>')
        body = []
        for r in rows:
            detail = _used_by_html(r["used_by"]) if r["used_by"] else html.escape(
                r["reason"] or "no citation and no reason given")
            status = {"used": "used", "not_used": "not used", "uncovered": "UNCOVERED"}[r["status"]]
            body.append(f'<tr id="{r["anchor"]}"><td>{html.escape(r["unit"])}</td>'
                        f'<td>{html.escape(r["section"])}</td><td>{status}</td><td>{detail}</td></tr>')
        title = html.escape(f"{rows[0]['short']}: {document}")
        out.append(f'<p class="coverage-doc"><strong>{title}</strong></p>'
                   f'<div class="register-wrap" role="region" aria-label="{title}" tabindex="0">'
                   f'<table class="register coverage">{head}<tbody>{"".join(body)}</tbody></table></div>')
    return HTML("".join(out))


def glue_date(key: str, scenario: str, parameter: str, params_dir=None) -> None:
    """Glue a date parameter as '20 December 2023' (or 'November 2022' for a month), linked to the register."""
    from .scenario import quantity_at

    q = quantity_at(book.loaded(scenario, params_dir).scenario, parameter)
    text = _fmt_day(q.value) if len(str(q.value)) > 7 else _fmt_month(q.value)
    glue(key, text, parameter, q.source or q.why)

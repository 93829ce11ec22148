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
            "uplift_pct_of_original": "Uplift % of original", "t": "t"}


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
    glue_number("checks_findings", int(checks["class"].notna().sum()))


def glue_economic(params_dir=None) -> None:
    r3 = book.result("fbc3", params_dir)
    rd = book.result("do_minimum", params_dir)
    glue_money("econ_npv_connect", r3["npv_gbp_m"])
    glue_money("econ_npv_dominimum", rd["npv_gbp_m"])
    glue_money("econ_pvc_connect", r3["pv_costs_gbp_m"])
    glue_money("econ_pvb_connect", r3["pv_benefits_gbp_m"])
    glue("econ_bcr_connect", f"{r3['bcr']:.2f}")
    glue("econ_bcr_dominimum", f"{rd['bcr']:.2f}")
    glue_money("econ_npv_gap", r3["npv_gbp_m"] - rd["npv_gbp_m"])
    s = book.loaded("fbc3", params_dir).scenario
    glue("econ_ob", f"{s.appraisal.optimism_bias.value:.0%}", "appraisal.optimism_bias")
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
    peak = aff.loc[aff.to_be_funded_gbp_m.idxmax()]
    glue("fin_peak_fy", peak["fy"])
    glue_money("fin_peak_amount", peak["to_be_funded_gbp_m"])
    glue_money("fin_total_to_fund", aff.to_be_funded_gbp_m.sum())
    glue_chart("fig_affordability", _charts().affordability(aff))


def glue_commercial(params_dir=None) -> None:
    hist = book.contract_history("fbc3", params_dir)
    nec = hist[hist.contract == "nec_mips_implementation"]
    glue_money("com_nec_cumulative", nec.cumulative_uplift_gbp_m.max(), places=3)
    glue("com_nec_cumulative_pct", f"{nec.cumulative_pct_of_original.max():.1f}%")
    glue_number("com_flags", int(hist.flag.str.startswith("FLAG").sum()))
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
    r3 = book.result("fbc3", params_dir)
    s = loaded.scenario
    rate = s.appraisal.discount_rate.value
    glue_chart("fig_whatif", _charts().what_if(r3["cashflows"], 0.035 if rate is None else rate,
                                               s.benefits.level_multiplier.value, s.appraisal.optimism_bias.value))


def switching_table(params_dir=None) -> pd.DataFrame:
    from . import uncertainty as unc

    rows = unc.switching_values(book.loaded("fbc3", params_dir))
    return pd.DataFrame([{"parameter": r["parameter"], "base_value": r["base_value"],
                          "switching_value": r["switching_value"], "change_pct": r["change_pct"],
                          "searched": f"{r['search_range'][0]:g} to {r['search_range'][1]:g}"} for r in rows])


def tornado_table(params_dir=None) -> pd.DataFrame:
    from . import uncertainty as unc

    return pd.DataFrame(unc.tornado(book.loaded("fbc3", params_dir)))

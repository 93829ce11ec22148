"""The economic case's glue: the headline version's Green Book appraisal against the first option
scenario, the paper's own measure beside it, and the appraisal's optimism bias, period and deflator."""

from __future__ import annotations

from ..core.fy import fy_label, parse_date
from . import book
from .glue_tracking import tracked
from .glued_figures import _charts, glue, glue_chart, glue_money


@tracked
def glue_economic(params_dir=None) -> None:
    """The economic case: the headline version (`econ_*_headline`, the figure names the chapters cite)
    against the first option scenario (kind: option; `econ_*_dominimum`), where the params have one."""
    main = book.headline(params_dir)
    r3 = book.result(main, params_dir)
    g3 = r3["green_book"]
    glue_money("econ_npv_headline", g3["npv_gbp_m"])
    glue_money("econ_pvc_headline", g3["pv_costs_gbp_m"])
    glue_money("econ_pvb_headline", g3["pv_benefits_gbp_m"])
    glue("econ_bcr_headline", f"{g3['bcr']:.2f}")
    option = book.option_names(params_dir)
    if option:
        gd = book.result(option[0], params_dir)["green_book"]
        glue_money("econ_npv_dominimum", gd["npv_gbp_m"])
        glue("econ_bcr_dominimum", f"{gd['bcr']:.2f}")
        glue_money("econ_npv_gap", g3["npv_gbp_m"] - gd["npv_gbp_m"])
    glue_money("econ_sunk", g3["sunk_costs_gbp_m"], href="financial.html")
    glue("econ_decision_fy", g3["decision_fy"], "appraisal.decision_fy")
    glue_decision_frame(r3)
    glue_money("econ_paper_npv", r3["npv_gbp_m"], href=f"scenarios/{main}.html")
    glue_money("econ_paper_pvc", r3["pv_costs_gbp_m"], href=f"scenarios/{main}.html")
    glue_money("econ_paper_pvb", r3["pv_benefits_gbp_m"], href=f"scenarios/{main}.html")
    glue("econ_paper_bcr", f"{r3['bcr']:.2f}")
    s = book.loaded(main, params_dir).scenario
    glue("econ_ob_capital", f"{s.appraisal.optimism_bias_capital.value:.0%}", "appraisal.optimism_bias_capital")
    glue("econ_ob_operating", f"{s.appraisal.optimism_bias_operating.value:.0%}",
         "appraisal.optimism_bias_operating")
    bounds = {spec.parameter: spec for spec in s.uncertainty.values()}
    for key, parameter in (("econ_ob_capital_upper", "appraisal.optimism_bias_capital"),
                           ("econ_ob_operating_upper", "appraisal.optimism_bias_operating")):
        spec = bounds[parameter]
        glue(key, f"{spec.high:.0%}", title=spec.why)
    glue("econ_period", r3["appraisal"]["period"], "appraisal.first_fy")
    # a flat rate: '2.0%' (the page adds 'a year'); a series: the series, its release and its forecast
    # in words (a page that uses it with a series says 'prices deflated by {econ_deflator}')
    if s.appraisal.gdp_deflator_series is None:
        glue("econ_deflator", f"{s.appraisal.gdp_deflator.value:.1%}", "appraisal.gdp_deflator")
    else:
        glue("econ_deflator", s.appraisal.deflator_text, "appraisal.gdp_deflator_series.forecast_rate")
    peak = max(r3["cashflows"], key=lambda r: r["benefits_real_gbp_m"])
    glue_money("econ_peak_benefit", peak["benefits_real_gbp_m"])
    glue("econ_peak_benefit_fy", peak["fy"])
    glue_chart("fig_costs_benefits", _charts().costs_and_benefits(r3))


def decision_frame_texts(r: dict) -> dict[str, str]:
    """The words of the decision frame of one result (`casebook results --json`): when the decision
    falls, what year 0 is and why, and how the period is closed."""
    g = r["green_book"]
    if g["decision_date"]:
        day = parse_date(g["decision_date"])
        gone = round(12 * (1 - g["share_of_decision_year_to_come"]))
        when = f"{day:%B %Y}"
        months = f"{gone} of its 12 months" if gone else "none of its months"
    else:
        when, months = f"the start of {g['decision_fy']}", "none of its months"
    base = (f"{g['base_year']}, the base year the case declares" if g["base_year_declared"]
            else f"{g['base_year']}, the decision year")
    closure = {"service_life": f"running costs and benefits continue at their last year's level to {g['service_life_to']}, "
                               "the service life the case declares",
               "residual_value": "a residual value the case declares closes the period",
               "none": "the case declares no service life beyond the period and no residual value"}[g["period_closure"]]
    return {"when": when, "months": months, "base": base, "closure": closure}


def glue_decision_frame(r: dict) -> None:
    """The decision frame of the headline version: the decision month, the months of the decision year
    already spent, year 0 and the price base (and the paper's own), what is committed, and the Green
    Book NPV with and without the closing of the period (service life or residual value)."""
    g = r["green_book"]
    words = decision_frame_texts(r)
    glue("econ_decision_when", words["when"], "appraisal.decision_date" if g["decision_date"] else "appraisal.decision_fy")
    glue("econ_months_sunk", words["months"], "appraisal.decision_date" if g["decision_date"] else "appraisal.decision_fy")
    glue("econ_gb_base", words["base"], "appraisal.base_year" if g["base_year_declared"] else "appraisal.decision_fy")
    glue("econ_paper_base", fy_label(r["appraisal"]["base_year"]))
    glue_money("econ_committed", g["committed_gbp_m"])
    glue("econ_closure", words["closure"])
    glue_money("econ_npv_unclosed", g["npv_without_closure_gbp_m"])
    glue_money("econ_npv_closed", g["npv_gbp_m"])

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


@tracked
def glue_appraisal_costs(params_dir=None) -> None:
    """What the Green Book appraisal of the headline version adds to its cost tables, and how optimism
    bias is set: expected risk costs (`econ_risk_pv`, from `econ_risks_quantified` quantified risks),
    opportunity costs (`econ_opportunity_pv`, `econ_opportunity_cash`), the basis of optimism bias
    (`econ_ob_basis`) and the costs it never raises (`econ_ob_exempt`)."""
    from .economic_tables import cost_line_label
    main = book.headline(params_dir)
    g = book.result(main, params_dir)["green_book"]
    s = book.loaded(main, params_dir).scenario
    n = g["risks_quantified"]
    first_risk = next((k for k, r in s.risks.items() if r.quantified), None)
    risk_key = None if first_risk is None else f"risks.{first_risk}.probability"
    glue("econ_risks_quantified", f"{n} quantified risk{'' if n == 1 else 's'}" if n else "no quantified risks",
         risk_key)
    glue_money("econ_risk_pv", g["pv_risk_gbp_m"], risk_key)
    first_opp = next(iter(s.opportunity_costs), None)
    where = None if first_opp is None else f"opportunity_costs.{first_opp}.cost_per_day_gbp"
    glue_money("econ_opportunity_pv", g["pv_opportunity_gbp_m"], where)
    glue_money("econ_opportunity_cash", g["opportunity_costs_gbp_m"], where)
    o = s.opportunity_costs.get(first_opp) if first_opp else None
    key = f"opportunity_costs.{first_opp}"
    glue("econ_opp_people", f"{o.people.value:,.0f}" if o else "0", f"{key}.people" if o else None)
    days = o.days_each.value if o else 0
    glue("econ_opp_days", f"{days:g} day{'' if days == 1 else 's'}", f"{key}.days_each" if o else None)
    glue("econ_opp_rate", f"£{o.cost_per_day_gbp.value:,.0f}" if o else "£0", f"{key}.cost_per_day_gbp" if o else None)
    costed = o.already_costed_gbp_m.value if o and o.already_costed_gbp_m else 0.0
    glue_money("econ_opp_costed", costed, f"{key}.already_costed_gbp_m" if o and o.already_costed_gbp_m else None)
    ob = s.appraisal.optimism_bias
    if ob is None:
        basis = (f"{s.appraisal.optimism_bias_capital.value:.0%} on capital and "
                 f"{s.appraisal.optimism_bias_operating.value:.0%} on operating costs, as the params state them")
        glue("econ_ob_basis", basis, "appraisal.optimism_bias_capital")
    else:
        basis = (f"{s.appraisal.optimism_bias_capital.value:.0%} on capital and "
                 f"{s.appraisal.optimism_bias_operating.value:.0%} on operating costs: the upper bounds of the "
                 f"Green Book table for {ob.category.replace('_', ' ')} and {ob.operating_category.replace('_', ' ')}, "
                 f"less a mitigation of {ob.mitigation.value:.0%}")
        glue("econ_ob_basis", basis, "appraisal.optimism_bias.mitigation")
    exempt = [cost_line_label(s, ref) for ref in g["optimism_bias_exempt"]]
    glue("econ_ob_exempt", "; ".join(exempt) if exempt else "none of them")

"""The financial case's glue: the headline version's two request tables, its cash by year, its request
and the steps from the financial to the appraisal costs."""

from __future__ import annotations

from . import book
from .glue_tracking import tracked
from .glued_figures import _charts, glue, glue_chart, glue_money


@tracked
def glue_financial(params_dir=None) -> None:
    """The financial case: the headline version's two request tables (`fin_t1_*`, `fin_t2_*`), its
    cash by year, its request and the step from financial to appraisal costs."""
    main = book.headline(params_dir)
    blocks = book.request_blocks(main, params_dir)
    t1 = book.request_table(blocks[0], main, params_dir)
    t2 = book.request_table(blocks[1], main, params_dir)
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
    aff = book.affordability(main, params_dir)
    peak = aff.loc[aff.net_of_reserves_gbp_m.idxmax()]
    glue("fin_peak_fy", peak["fy"])
    glue_money("fin_peak_amount", peak["net_of_reserves_gbp_m"])
    glue_money("fin_all_period_cash", aff.net_of_reserves_gbp_m.sum())
    glue_chart("fig_affordability", _charts().affordability(aff, book.short_label(main, params_dir)))
    req = book.funding_request(main, params_dir).set_index("request")
    capital, revenue, total = (req.loc[k] for k in (*(book.request_label(b, main, params_dir) for b in blocks[:2]),
                                                   "Total request"))
    stated = [book.stated_total(b, main, params_dir) for b in blocks[:2]]
    glue_money("fin_req_capital", capital["net_gbp_m"], stated[0] and f"narrative_costs.{stated[0][0]}", places=3)
    glue_money("fin_req_revenue_gross", revenue["gross_gbp_m"], places=3)
    glue_money("fin_req_reserves", -revenue["reserves_gbp_m"], places=3)
    glue_money("fin_req_revenue", revenue["net_gbp_m"], stated[1] and f"narrative_costs.{stated[1][0]}", places=3)
    glue_money("fin_req_gross", total["gross_gbp_m"], places=3)
    glue_money("fin_req_net", total["net_gbp_m"], places=3)
    steps = book.appraisal_vs_financial_costs(main, params_dir)
    # the table's totals, in order: the full cost, the future costs, the appraisal costs undiscounted, the PV
    full, future, real, pv = steps[steps.kind == "total"].amount_gbp_m.tolist()
    glue_money("fin_full_cost", full, href=f"scenarios/{main}.html")
    glue_money("fin_sunk", -steps.amount_gbp_m.iloc[1], "appraisal.decision_fy")
    glue_money("fin_future_nominal", future)
    glue_money("fin_appraisal_real", real)
    glue_money("fin_appraisal_pv", pv, href="economic.html")
    glue("fin_decision_fy", book.result(main, params_dir)["green_book"]["decision_fy"], "appraisal.decision_fy")

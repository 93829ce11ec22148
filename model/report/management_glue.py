"""The management case's glue: training, the support and change-fund lines of the headline version's
request tables, hypercare and business as usual, the last delivery's go-live and its slip, and the
milestone timeline."""

from __future__ import annotations

from . import book
from .glue_tracking import tracked
from .glued_figures import _charts, _fmt_day, glue, glue_chart, glue_date, glue_money, glue_number, glue_param


@tracked
def glue_management(params_dir=None) -> None:
    """The management case, from the headline version: training, the support and change-fund lines
    of its request tables (by their cost factor), and the last delivery's go-live (`man_<delivery>`)
    and slip from the first version's plan (`man_<delivery>_slip_months`)."""
    main = book.headline(params_dir)
    s = book.loaded(main, params_dir).scenario
    requests = {k: s.costs[k] for k in book.request_blocks(main, params_dir)}
    users = s.facts["training_users"]
    days = s.delivery["training_days_per_user"]
    glue_number("man_users", users.value, "facts.training_users", title=users.why)
    glue("man_users_statements", ", ".join(f"{v:,}" for v in dict.fromkeys(st.value for st in users.statements)),
         "facts.training_users")
    glue_number("man_days_per_user", days.value, "delivery.training_days_per_user")
    glue_number("man_training_days", users.value * days.value)
    glue_param("man_weeks", main, "delivery.training_duration_weeks", ",.0f", params_dir)
    glue("man_training_start", _fmt_day(s.milestones["training_start"].value), "milestones.training_start")
    glue_param("man_ramp_pct", main, "delivery.support_ramp_down_pct", ",.0f", params_dir)
    support = [ln for block in requests.values() if block.kind == "revenue" for ln in block.lines.values()
               if ln.factor == "post_go_live_support"]
    years = sorted({fy for ln in support for fy in ln.by_fy})
    first = sum(ln.by_fy.get(years[0], 0) for ln in support)
    last = sum(ln.by_fy.get(years[-1], 0) for ln in support)
    glue_money("man_support_first", first, places=3)
    glue_money("man_support_last", last, places=3)
    glue("man_support_first_fy", years[0])
    glue("man_support_last_fy", years[-1])
    glue("man_support_fall_pct", f"{100 * (first - last) / first:.1f}%")
    bench = s.delivery["change_fund_benchmark_pct"]
    block_key, line_key = next((b, k) for b, block in requests.items() if block.kind == "capital"
                               for k, ln in block.lines.items() if ln.factor == "change_fund")
    fund = requests[block_key].lines[line_key]
    where = f"costs.{block_key}.lines.{line_key}"
    annual = max(fund.by_fy.values())
    glue_param("man_benchmark_pct", main, "delivery.change_fund_benchmark_pct", ",.0f", params_dir)
    glue_money("man_change_fund_annual", annual, where, places=3)
    glue_money("man_change_fund_total", sum(fund.by_fy.values()), where, places=3)
    glue_money("man_implied_dev_base", annual / (bench.value / 100))
    glue_param("man_releases", main, "delivery.change_fund_releases_per_year", ",.0f", params_dir)
    glue_param("man_hypercare_weeks", main, "delivery.hypercare_weeks", ",.0f", params_dir)
    glue("man_hypercare_end", _fmt_day(s.milestones["hypercare_end"].value), "milestones.hypercare_end")
    glue("man_bau", _fmt_day(s.milestones["business_as_usual"].value), "milestones.business_as_usual")
    delays = book.drop_delays(params_dir)
    short = book.short_label(main, params_dir)
    # the last delivery's go-live and its slip from the first version's plan
    last, key = list(book.deliveries(s).items())[-1]
    glue_date(f"man_{last}", main, f"milestones.{key}", params_dir)
    slip = delays[(delays["drop"] == key) & (delays["version"] == short)]
    if len(slip):
        glue_number(f"man_{last}_slip_months", slip.iloc[0]["months_after_first_plan"])
    glue_chart("fig_timeline", _charts().milestone_timeline(*book.timeline(params_dir)))

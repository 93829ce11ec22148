"""Uncertainty in the economic case: the glue of the tornado, the switching values, the Monte Carlo
analysis and the what-if chart of the headline version (or one line each where it declares no
uncertain inputs), and the tornado and switching-value tables offered for download."""

from __future__ import annotations

import pandas as pd
from IPython.display import Markdown

from .markup import markdown_text

from . import book
from .glue_tracking import _RECORD, tracked
from .glued_figures import _charts, glue, glue_chart, glue_count, glue_money, glue_number


MC_DRAWS = 20_000
MC_SEED = 20231207  # a fixed seed, so that every build draws the same sample


@tracked
def glue_uncertainty(params_dir=None) -> None:
    """The economic analysis page: the headline version's tornado, switching values, Monte Carlo
    summary and what-if chart, or a note that the case declares no uncertain inputs."""
    from ..analysis import uncertainty as unc

    main = book.headline(params_dir)
    short = book.short_label(main, params_dir)
    loaded = book.loaded(main, params_dir)
    glue("unc_appraisal", unc.appraisal_label(loaded))
    _glue_what_if(loaded, short, params_dir)
    if not loaded.scenario.uncertainty:
        _glue_no_uncertainty(short)
        return
    unknowns = headline_unknowns(params_dir)
    glue_count("unc_declared_inputs", len(loaded.scenario.uncertainty), "uncertain input")
    glue_count("unc_unknowns", len(unknowns), "other labelled assumption")
    rows = unc.tornado(loaded, unknowns)
    glue_chart("fig_tornado", _charts().tornado(rows, short))
    glue("unc_top_input", rows[0]["label"].lower())
    glue_money("unc_top_swing", rows[0]["swing_gbp_m"])
    switching = unc.switching_values(loaded)
    crossing = [r for r in switching if r["switching_value"] is not None]
    glue_number("unc_switching_found", len(crossing))
    glue_number("unc_switching_inputs", len(switching))
    level = next((r for r in switching if r["parameter"] == "benefits.level_multiplier"), None)
    glue("unc_benefit_switch", "none" if level is None or level["switching_value"] is None
         else f"{level['switching_value']:.2f}", "benefits.level_multiplier")
    believe = unknowns_mod().need_to_believe(unknowns)
    glue_count("unc_believe_found", sum(r["value_for_zero_npv"] is not None for r in believe), "of them", "of them")
    mc = unc.monte_carlo(loaded, MC_DRAWS, MC_SEED, keep=True, unknowns=unknowns)
    glue_number("unc_draws", mc["draws"])
    # every summary of the draws rests on every input the draws move, as their mean does
    glue_money("unc_mean", mc["npv_mean_gbp_m"])
    glue_money("unc_p10", mc["npv_p10_gbp_m"], rests_like=("unc_mean",))
    glue_money("unc_p50", mc["npv_p50_gbp_m"], rests_like=("unc_mean",))
    glue_money("unc_p90", mc["npv_p90_gbp_m"], rests_like=("unc_mean",))
    glue("unc_p_positive", f"{mc['p_npv_positive']:.1%}", value=mc["p_npv_positive"], rests_like=("unc_mean",))
    glue_chart("fig_montecarlo", _charts().npv_distribution(mc["npv_draws"], mc["npv_p10_gbp_m"],
                                                            mc["npv_p50_gbp_m"], mc["npv_p90_gbp_m"], short))


def unknowns_mod():
    from ..analysis import unknowns

    return unknowns


#: The unknowns of each original params directory's headline version, worked out once per process.
_UNKNOWNS: dict[tuple, list] = {}


def headline_unknowns(params_dir=None) -> list:
    """The headline version's labelled assumptions without a declared range that move its Green Book
    NPV, at their default ranges (model.analysis.unknowns). Worked out on the original params, once per
    build (kept for the build's other notebooks): a nudged copy of the params, on which a chapter's
    figures are computed again to learn what they rest on, takes the original's response of the NPV to
    each unknown, and moves the figures through its own base NPV and declared inputs."""
    from pathlib import Path

    from ..core import deps
    from ..core.paths import resolve_params_dir

    original = deps.original_dir(resolve_params_dir(params_dir))
    main = book.headline(original)
    key = (original, deps.params_digest(Path(original)), main)
    if key not in _UNKNOWNS:
        shared = repr(key)
        with deps.suspended():
            found = deps.shared_result("unknowns", shared)
            if found is None:
                found = unknowns_mod().analyse(book.loaded(main, original), original)
                deps.keep_shared_result("unknowns", shared, found)
        _UNKNOWNS[key] = found
    return _UNKNOWNS[key]


def believe_table(params_dir=None) -> pd.DataFrame:
    """What you would need to believe: for each unknown of the headline version, its default range,
    the NPV at either end and the value at which the NPV would cross zero through it alone."""
    rows = unknowns_mod().need_to_believe(headline_unknowns(params_dir)) if declares_uncertainty(params_dir) \
        else []
    return pd.DataFrame(rows, columns=BELIEVE_COLUMNS)


BELIEVE_COLUMNS = ["input", "label", "parameter", "file", "default_range", "base_value", "low_value",
                   "high_value", "npv_low_gbp_m", "npv_high_gbp_m", "value_for_zero_npv", "within_range",
                   "npv_there_gbp_m"]


def _glue_no_uncertainty(short: str) -> None:
    """The uncertainty figures of a case whose headline version declares no uncertain inputs: one line
    in each place instead of a tornado, switching values and a Monte Carlo."""
    none = f"{short} declares no uncertain inputs (uncertainty in its params)"
    glue("unc_top_input", f"no input ({none})")
    glue("unc_top_swing", "n/a")
    glue_number("unc_switching_found", 0)
    glue_number("unc_switching_inputs", 0)
    glue("unc_benefit_switch", "none")
    glue_number("unc_draws", 0)
    glue_count("unc_declared_inputs", 0, "uncertain input")
    glue_count("unc_unknowns", 0, "other labelled assumption")
    glue_count("unc_believe_found", 0, "of them", "of them")
    for key in ("unc_p10", "unc_p50", "unc_p90", "unc_mean", "unc_p_positive"):
        glue(key, "n/a")
    for key, what in (("fig_tornado", "tornado"), ("fig_montecarlo", "Monte Carlo")):
        if _RECORD.get() is None:
            from myst_nb import glue as nb_glue

            nb_glue(key, Markdown(f"*No {what}: {markdown_text(none)}.*"), display=False)


def _glue_what_if(loaded, short: str, params_dir=None) -> None:
    """The what-if chart (fig_whatif): the headline version's present value by year under sliders."""
    s = loaded.scenario
    rate = s.appraisal.discount_rate.value
    level = s.benefits.level_multiplier.value
    g = book.green_book_appraisal(loaded.name, params_dir)
    # the Green Book appraisal's own years (the decision year on), before optimism bias, at a benefit level
    # of 1: the capital and revenue optimism bias raises, and the costs it never raises (committed sums,
    # fixed envelopes, expected risk costs, opportunity costs)
    fixed = g.costs_real_gbp_m - g.optimism_bias_gbp_m - g.ob_base_capital_real_gbp_m - g.ob_base_revenue_real_gbp_m
    rows = [{"fy": fy, "t": int(t), "benefits": float(b) / level if level else 0.0, "capital": float(c),
             "revenue": float(r), "fixed": float(x)}
            for fy, t, b, c, r, x in zip(g.frame().fy, g.t, g.benefits_real_gbp_m, g.ob_base_capital_real_gbp_m,
                                         g.ob_base_revenue_real_gbp_m, fixed)]
    glue_chart("fig_whatif", _charts().what_if(rows, 0.035 if rate is None else rate, level,
                                               s.appraisal.optimism_bias_capital.value,
                                               s.appraisal.optimism_bias_operating.value, short))


SWITCHING_COLUMNS = ["parameter", "base_value", "switching_value", "change_pct", "searched"]
TORNADO_COLUMNS = ["input", "label", "parameter", "base_value", "low_value", "high_value", "npv_low_gbp_m",
                   "npv_high_gbp_m", "npv_base_gbp_m", "swing_gbp_m", "appraisal", "range"]


def declares_uncertainty(params_dir=None) -> bool:
    """Does the headline version declare uncertain inputs (`uncertainty`)?"""
    return bool(book.loaded(book.headline(params_dir), params_dir).scenario.uncertainty)


def switching_table(params_dir=None) -> pd.DataFrame:
    """The headline version's switching values: each uncertain input's value at which the NPV is zero,
    the others at base (empty when the case declares no uncertain inputs)."""
    from ..analysis import uncertainty as unc

    if not declares_uncertainty(params_dir):
        return pd.DataFrame(columns=SWITCHING_COLUMNS)
    rows = unc.switching_values(book.loaded(book.headline(params_dir), params_dir))
    return pd.DataFrame([{"parameter": r["parameter"], "base_value": r["base_value"],
                          "switching_value": r["switching_value"], "change_pct": r["change_pct"],
                          "searched": f"{r['search_range'][0]:g} to {r['search_range'][1]:g}"} for r in rows])


def tornado_table(params_dir=None) -> pd.DataFrame:
    """The headline version's tornado: the NPV at each uncertain input's low and high value, the
    others at base, widest swing first (empty when the case declares no uncertain inputs)."""
    from ..analysis import uncertainty as unc

    if not declares_uncertainty(params_dir):
        return pd.DataFrame(columns=TORNADO_COLUMNS)
    return pd.DataFrame(unc.tornado(book.loaded(book.headline(params_dir), params_dir),
                                    headline_unknowns(params_dir)))

"""Which figures rest on which assumptions: computed by model.analysis.dependence, checked here against sets
worked out by hand from how each figure is built."""

from __future__ import annotations

import json
import re
from html import unescape
from unittest import mock

import pytest

from model.report import book, bookviews as bv
from model.analysis import dependence
from model.core.scenario import load_scenario

from .conftest import PARAMS

# the tests of this file share a module fixture: they run in one process under `pytest -n` (--dist loadgroup)
pytestmark = pytest.mark.xdist_group("test_dependence")


# The assumptions that turn nominal cash into discounted real costs: every present value of a cost
# rests on them (FBC1's file states them; no published version overrides them).
DISCOUNTING = {"fbc1:appraisal.paper_base_year", "fbc1:appraisal.discount_rate", "fbc1:appraisal.price_basis",
               "fbc1:appraisal.gdp_deflator", "fbc1:appraisal.optimism_bias_capital",
               "fbc1:appraisal.optimism_bias_operating"}
FBC1_COSTS = {"fbc1:costs.fbc1_capital.lines.implementation", "fbc1:costs.fbc1_revenue.lines.programme_and_run",
              "fbc1:cost_multipliers.baseline"}
# The shape of the benefit stream and the dates FBC1 is assumed to have planned.
BENEFIT_SHAPE = {"fbc1:appraisal.optimism_bias_duration", "fbc1:benefits.deliveries.drop1.share",
                 "fbc1:benefits.deliveries.drop2.share",
                 "fbc1:benefits.ramp_up_years", "fbc1:benefits.start_delay_months",
                 "fbc1:milestones.drop1_go_live", "fbc1:milestones.drop2_go_live"}
FBC2_SPLIT = {"fbc2:costs.fbc2_addition.capital_share", "fbc2:costs.fbc2_addition.capital_profile",
              "fbc2:costs.fbc2_addition.revenue_profile"}
LATER_MULTIPLIERS = {f"fbc1:cost_multipliers.{f}" for f in
                     ("fbc2_addition", "scope", "training", "training_overtime", "delay", "post_go_live_support",
                      "change_fund", "other")}


@pytest.fixture(scope="module")
def summary_figures():
    """The front page's figures as glued, each with the assumptions the build found for it."""
    glued = {}
    with mock.patch("myst_nb.glue", lambda key, value, display=False: glued.__setitem__(key, value)):
        bv.glue_summary(PARAMS)
    return {k: {a.id for a in v.assumptions} for k, v in glued.items() if isinstance(v, bv.Linked)}


def test_fbc1_tco_rests_on_its_placeholder_costs_only(summary_figures):
    # TCO = capital + revenue, undiscounted: FBC1's two assumed lines and their multiplier, nothing else
    assert summary_figures["fbc1_tco"] == FBC1_COSTS


def test_calibrated_and_published_npvs_rest_on_no_assumption(summary_figures):
    # FBC3's NPV is solved back to the published -144.630 whatever the assumptions, so none moves it:
    # it is the published figure, reproduced (the benefit level and realisation factor absorb any nudge)
    assert summary_figures["fbc3_npv"] == set()
    assert summary_figures["fbc1_npv"] == set()
    assert summary_figures["fbc3_npv_published"] == set()
    assert summary_figures["fbc2_addition"] == set()


def test_bridge_parts_rest_on_exactly_the_assumptions_that_build_them(summary_figures):
    # delay to benefits: FBC1's NPV with FBC3's dates less FBC1's own. The calibrated benefit level
    # depends on everything in FBC1's NPV (its costs and their discounting); the move depends on the
    # benefit shape and FBC1's assumed dates.
    assert summary_figures["bridge_delay"] == DISCOUNTING | FBC1_COSTS | BENEFIT_SHAPE
    # the added costs: the PV of FBC2's split addition and FBC3's published lines, each scaled
    assert summary_figures["bridge_costs"] == DISCOUNTING | FBC2_SPLIT | LATER_MULTIPLIERS
    # re-baselining closes the gap to the published FBC3 NPV: whatever moved the steps before it
    assert summary_figures["bridge_rebaseline"] == (DISCOUNTING | FBC1_COSTS | BENEFIT_SHAPE | FBC2_SPLIT
                                                    | LATER_MULTIPLIERS)
    # their sum is the difference of two calibrated NPVs: published figures only
    assert summary_figures["bridge_total"] == set()


def test_table1_total_is_published():
    deps = bv.column_dependence("table1_capital", ["total", "published_total", "FY23/24"], PARAMS)
    assert deps == {"total": [], "published_total": [], "FY23/24": []}


def test_each_listed_assumption_moves_the_figure_and_no_other_does():
    """Check the engine against a direct nudge of every assumption, one by one, on FBC1's TCO and
    FBC3's NPV (the figure set each must equal is worked out above)."""
    from model.core.errors import CasebookError

    for a in dependence.assumptions(PARAMS):
        # as the engine does: up, or down when up leaves the allowed range (a share of 1 cannot rise)
        for direction in (1, -1):
            copy_dir = dependence.perturbed_params(PARAMS, a, direction)
            try:
                tco, fbc3 = load_scenario("fbc1", copy_dir), load_scenario("fbc3", copy_dir)
                break
            except CasebookError:
                assert direction == 1, a.id
        moved_tco = abs(book.results(tco)["tco_gbp_m"] - 129.0) > 1e-9
        assert moved_tco == (a.id in FBC1_COSTS), a.id
        npv3 = book.results(fbc3)["npv_gbp_m"]
        assert npv3 == pytest.approx(-144.630, abs=1e-6), a.id


def test_perturbations_change_what_they_touch():
    # a profile of weights is normalised by the model, so scaling it would change nothing: it is tilted
    tilted = dependence.perturb({"by_fy": {"FY21/22": 0.3, "FY22/23": 0.5}}, 2018)
    assert tilted["by_fy"] == {"FY21/22": pytest.approx(0.33), "FY22/23": pytest.approx(0.6)}
    assert dependence.perturb({"by_fy": {}}, 2018)["by_fy"] == {"FY18/19": 1.0}
    assert dependence.perturb({"value": "2020-02"}, 2018)["value"] == "2020-05"
    assert dependence.perturb({"value": "2024-11-27"}, 2018)["value"] == "2025-02-27"
    assert dependence.perturb({"value": None}, 2018)["value"] == 0.05
    assert dependence.perturb({"value": 2018}, 2018)["value"] == 2019
    assert dependence.perturb({"value": 0.0}, 2018)["value"] == 0.05
    assert dependence.perturb({"value": "nominal"}, 2018)["value"] == "real"
    shifted = dependence.perturb({"low": 0.5, "high": 1.5, "distribution": "pert"}, 2018)
    assert (shifted["low"], shifted["high"]) == (pytest.approx(0.55), pytest.approx(1.55))


def test_every_assumption_can_be_nudged():
    # an assumption that cannot be nudged would go untested (and mark nothing); there is none
    untested = [a.id for a in dependence.assumptions(PARAMS) if dependence.perturbed_params(PARAMS, a) is None]
    assert untested == []


def test_figure_record_names_its_assumptions_and_their_register_rows(summary_figures):
    glued = {}
    with mock.patch("myst_nb.glue", lambda key, value, display=False: glued.__setitem__(key, value)):
        bv.glue_summary(PARAMS)
    record = glued["fbc1_tco"].record
    assert record["kind"] == "assumption" and record["value"] == pytest.approx(129.0)
    assert {a["id"] for a in record["assumptions"]} == FBC1_COSTS
    anchors = set(book.assumptions_register(PARAMS).anchor)
    assert all(a["register"].split("#")[1] in anchors for a in record["assumptions"])
    assert glued["fbc3_npv_published"].record["kind"] == "published"
    html = glued["fbc1_tco"]._repr_html_()
    n = len({a["register"] for a in record["assumptions"]})
    assert 'class="casebook-assumption"' in html and f"rests on {n} assumption" in html
    # it carries exactly its assumptions' register rows, for the list at the end of its page
    data = json.loads(unescape(re.search(r'data-rests="([^"]*)"', html).group(1)))
    assert [href for href, _ in data] == list(dict.fromkeys(a["register"] for a in record["assumptions"]))
    assert "casebook-assumption" not in glued["fbc3_npv_published"]._repr_html_()


def test_a_date_left_unset_is_nudged_to_the_end_of_the_period_and_moves_only_its_option():
    """do_minimum's Drop 2 go-live is null ("never"): the nudge sets it to the period's last month,
    which moves the option's NPV (a month of Drop 2 benefits) and leaves FBC3's alone."""
    [never] = [a for a in dependence.assumptions(PARAMS) if a.id == "do_minimum:milestones.drop2_go_live"]
    copy_dir = dependence.perturbed_params(PARAMS, never)
    assert copy_dir is not None
    nudged = load_scenario("do_minimum", copy_dir).scenario.milestones["drop2_go_live"].value
    assert nudged == "2028-03"  # FY27/28 ends on 31 March 2028

    def compute(p):
        return {"option": book.result("do_minimum", p)["green_book"]["npv_gbp_m"],
                "fbc3": book.result("fbc3", p)["npv_gbp_m"]}

    deps = dependence.dependence(compute, PARAMS, [never])
    assert [a.id for a in deps["option"]] == [never.id] and deps["fbc3"] == []


def test_a_nudged_delivery_share_keeps_the_shares_whole():
    # nudging one share alone would break the rule that the shares add up to 1 (the scenario would not
    # load, and the share would count against every figure); the other shares in its file take up the rest
    [share] = [a for a in dependence.assumptions(PARAMS) if a.id == "fbc1:benefits.deliveries.drop1.share"]
    for direction, drop1 in ((1, 0.44), (-1, 0.36)):
        nudged = load_scenario("fbc1", dependence.perturbed_params(PARAMS, share, direction)).scenario
        shares = {k: d.share.value for k, d in nudged.benefits.deliveries.items()}
        assert shares == {"drop1": pytest.approx(drop1), "drop2": pytest.approx(1 - drop1)}

"""Every unknown in the uncertainty analysis (issue 20, item 4): the labelled assumptions that move the
headline Green Book NPV without a declared range take part in the tornado and the Monte Carlo at stated
default ranges, and the "what you would need to believe" table says where each would take the NPV to
zero."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from model.analysis import dependence as dep
from model.analysis import uncertainty as unc
from model.analysis import unknowns as unk
from model.core.scenario import load_scenario

from .conftest import PARAMS, ROOT

pytestmark = pytest.mark.xdist_group("test_unknowns")
RECORD = ROOT / "tests" / "data" / "connect_dependence.json"


@pytest.fixture(scope="module")
def fbc3():
    return load_scenario("fbc3", PARAMS)


@pytest.fixture(scope="module")
def unknowns(fbc3):
    return unk.analyse(fbc3, PARAMS)


def test_every_assumption_of_the_headline_npv_is_in_the_tornado_and_the_monte_carlo(fbc3, unknowns):
    """The dependence record lists the assumptions CONNECT's headline Green Book NPV rests on; each is
    either a declared uncertain input's parameter or an unknown, and each is in both analyses."""
    rests_on = json.loads(RECORD.read_text())["figures"]["pages/economic.ipynb#econ_npv_headline"]
    assert len(rests_on) == 26
    declared = {spec.parameter for spec in fbc3.scenario.uncertainty.values()}
    rows = unc.tornado(fbc3, unknowns)
    mc = unc.monte_carlo(fbc3, 2_000, 7, unknowns=unknowns)
    in_tornado = {r["input"] for r in rows} | {r["parameter"] for r in rows if r["range"] == "declared"}
    in_mc = set(mc["unknowns"]) | {v["parameter"] for v in mc["inputs"].values()}
    for ident in rests_on:
        key = ident.split(":", 1)[1]
        assert key in declared or ident in {u.assumption.id for u in unknowns}, ident
        assert (key if key in declared else ident) in in_tornado, ident
        assert (key if key in declared else ident) in in_mc, ident
    # 10 declared inputs cover 9 of the 26 (the benefit level is calibrated, not labelled); 17 are unknowns,
    # among them the day rate of the training time (an opportunity cost)
    assert len(unknowns) == 17 and sum(ident.split(":", 1)[1] in declared for ident in rests_on) == 9
    assert "fbc3:opportunity_costs.training_time.cost_per_day_gbp" in {u.assumption.id for u in unknowns}
    assert len(rows) == len(fbc3.scenario.uncertainty) + 17


def test_unknowns_are_only_assumptions_that_move_the_npv_and_have_no_range(fbc3, unknowns):
    declared = {spec.parameter for spec in fbc3.scenario.uncertainty.values()}
    for u in unknowns:
        assert u.assumption.key not in declared
        assert u.assumption.scenario in fbc3.chain
        assert max(u.npvs) - min(u.npvs) > 1e-6, u.assumption.id
        assert u.base_npv == pytest.approx(-37.545, abs=5e-4)
        assert u.npvs[u.points.index(u.base)] == u.base_npv


def test_default_ranges_by_kind(unknowns):
    by_id = {u.assumption.id: u for u in unknowns}
    # a number a quarter either side: the GDP deflator's 2% runs at 1.5% and 2.5%
    g = by_id["fbc1:appraisal.gdp_deflator"]
    assert g.kind == "number" and g.points == pytest.approx((0.015, 0.02, 0.025))
    # a zero has no quarter: 0 to 0.1
    assert by_id["fbc1:appraisal.optimism_bias_duration"].points == (0.0, 0.1)
    # a choice both ways
    assert by_id["fbc1:appraisal.price_basis"].shown == ("nominal", "real")
    # a year one either side; FY17/18 is before the period, which the model refuses: narrowed to two
    y = by_id["fbc1:appraisal.paper_base_year"]
    assert y.shown == ("2018", "2019") and y.narrowed
    # amounts a quarter lower and higher; a profile of weights tilted half each way
    assert by_id["fbc1:costs.fbc1_capital.lines.implementation"].points == (-0.25, 0.0, 0.25)
    assert by_id["fbc2:costs.fbc2_addition.capital_profile"].kind == "profile"
    # an amount written without decimals is still an amount: the training time's GBP 270 a day runs at
    # 202.5 and 337.5, not 269 and 271 (only years and counts step by one)
    rate = by_id["fbc3:opportunity_costs.training_time.cost_per_day_gbp"]
    assert rate.kind == "number" and rate.points == pytest.approx((202.5, 270.0, 337.5))
    assert unk._kind({"value": 270, "unit": "gbp"}) == "number" and unk._kind({"value": 3, "unit": "count"}) == "whole"


def test_a_tilted_profile_by_hand():
    node = {"by_fy": {"FY21/22": 0.3, "FY22/23": 0.5, "FY23/24": 0.2}, "unit": "weight"}
    # year i of n = 3 scaled by 1 + 0.5 * (2i/2 - 1): 0.5, 1, 1.5
    assert unk._node_at("profile", node, 0.5)["by_fy"] == pytest.approx({"FY21/22": 0.15, "FY22/23": 0.5,
                                                                         "FY23/24": 0.3})
    assert unk._node_at("amounts", {"by_fy": {"FY18/19": 15.0}}, -0.25)["by_fy"] == {"FY18/19": 11.25}
    assert unk._node_at("date", {"value": "2023-11"}, 3)["value"] == "2024-02"
    assert unk._node_at("date", {"value": "2024-02"}, -3)["value"] == "2023-11"


def test_the_crossing_of_a_linear_unknown_lies_on_its_line(unknowns):
    """FBC1's baseline cost multiplier moves the NPV in a straight line (through FBC1's calibration): the
    value that takes it to zero is where the line through the range's ends reaches zero."""
    u = next(u for u in unknowns if u.assumption.id == "fbc1:cost_multipliers.baseline")
    (x0, x2), (y0, y2) = (u.points[0], u.points[-1]), (u.npvs[0], u.npvs[-1])
    assert u.npvs[1] == pytest.approx((y0 + y2) / 2, abs=1e-6)     # linear
    by_hand = x0 - y0 * (x2 - x0) / (y2 - y0)
    assert u.crossing["value"] == pytest.approx(by_hand, abs=1e-6)
    assert round(by_hand, 3) == 1.351 and not u.crossing["within_range"]
    assert abs(u.crossing["npv_there_gbp_m"]) <= unk.CLOSE_ENOUGH_GBP_M


def test_each_crossing_found_gives_a_zero_npv_when_the_params_say_so(fbc3, unknowns):
    from model.core.results import green_book_loaded
    from model.core.yamlio import load_yaml_file

    found = [u for u in unknowns if u.crossing.get("value") is not None]
    assert len(found) >= 3
    for u in found:
        data = dep._plain(load_yaml_file(PARAMS / f"{u.assumption.scenario}.yaml"))
        node = dep._get_at(data, u.assumption.key.split("."))
        copy = dep.params_with(PARAMS, u.assumption, unk._node_at(u.kind, node, u.crossing["value"]))
        assert abs(green_book_loaded(load_scenario("fbc3", copy)).npv_gbp_m) <= 0.005, u.assumption.id


def test_an_unknown_adds_its_change_in_npv_to_every_draw(fbc3):
    """With one chunk, the declared inputs are drawn first: an unknown whose change in NPV is £3m at
    every value moves the mean and every percentile by exactly £3m."""
    a = dep.Assumption("fbc1", "x.y", "X", "")
    base = -29.93274302170233
    flat = unk.Unknown(a, "number", 1.0, (0.5, 1.0, 1.5), (base + 3, base + 3, base + 3), ("", "", ""), base)
    without = unc.monte_carlo(fbc3, 5_000, 11, chunk=5_000)
    with_it = unc.monte_carlo(fbc3, 5_000, 11, chunk=5_000, unknowns=[flat])
    for k in ("npv_mean_gbp_m", "npv_p10_gbp_m", "npv_p50_gbp_m", "npv_p90_gbp_m"):
        assert with_it[k] - without[k] == pytest.approx(3.0, abs=1e-9), k


def test_interpolation_and_draws_by_hand():
    a = dep.Assumption("s", "k", "K", "")
    u = unk.Unknown(a, "number", 1.0, (0.0, 1.0, 2.0), (-10.0, -4.0, 0.0), ("0", "1", "2"), -4.0)
    assert u.delta(1.5) == pytest.approx(2.0)       # halfway from -4 to 0
    assert u.delta(0.5) == pytest.approx(-3.0)      # halfway from -10 to -4
    x = u.draw(20_000, np.random.default_rng(1))
    assert x.min() >= 0.0 and x.max() <= 2.0 and x.mean() == pytest.approx(1.0, abs=0.02)  # triangular(0, 1, 2)
    d = unk.Unknown(a, "choice", 0.0, (0.0, 1.0), (-4.0, 1.0), ("nominal", "real"), -4.0)
    draws = d.draw(10_000, np.random.default_rng(2))
    assert set(np.unique(draws)) == {0.0, 1.0} and draws.mean() == pytest.approx(0.5, abs=0.02)
    assert unk.crossing(d, "s", Path("."), {}, None) == {"value": None, "shown": "real", "within_range": True,
                                                         "npv_there_gbp_m": None}


def test_another_case_has_its_unknowns_too():
    case = ROOT / "tests" / "cases" / "regional_records" / "params"
    from model.report import book

    name = book.headline(case)
    loaded = load_scenario(name, case)
    found = unk.analyse(loaded, case)
    ids = {u.assumption.id for u in found}
    # its two declared inputs are not unknowns; its base year, price basis and shares are
    assert "outline:cost_multipliers.build" not in ids and "outline:benefits.level_multiplier" not in ids
    assert {"outline:appraisal.base_year", "outline:appraisal.price_basis",
            "outline:benefits.deliveries.core.share"} <= ids
    rows = unc.tornado(loaded, found)
    assert ids <= {r["input"] for r in rows} and len(rows) == len(loaded.scenario.uncertainty) + len(found)

"""`casebook results`: published NPVs through calibration, the invariants, and overrides."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.core.results import results
from model.core.scenario import load_scenario

from .conftest import PARAMS, cli_json, run_cli

# the tests of this file share a module fixture: they run in one process under `pytest -n` (--dist loadgroup)
pytestmark = pytest.mark.xdist_group("test_results")



def assert_invariants(data: dict) -> None:
    rows = data["cashflows"]
    assert data["tco_gbp_m"] == pytest.approx(sum(r["capital_gbp_m"] + r["revenue_gbp_m"] for r in rows),
                                              abs=1e-9)
    for r in rows:
        assert r["pv_gbp_m"] == pytest.approx(r["net_real_gbp_m"] * r["discount_factor"], abs=1e-12)
    assert data["npv_gbp_m"] == pytest.approx(sum(r["pv_gbp_m"] for r in rows), abs=1e-9)
    assert data["npv_gbp_m"] == pytest.approx(data["pv_benefits_gbp_m"] - data["pv_costs_gbp_m"], abs=1e-9)


def test_fbc1_reproduces_the_published_npv():
    data = cli_json("results", "fbc1")
    assert data["scenario"] == "fbc1"
    assert data["npv_gbp_m"] == pytest.approx(214.7, abs=1e-6)
    [cal] = data["calibrated"]
    assert cal["parameter"] == "benefits.annual_steady_state_gbp_m"
    assert cal["target_value"] == 214.7 and cal["target"] == "published.npv_fbc1_gbp_m"
    # FBC1 costs (assumed): capital 15 + 25 + 15 = 55, revenue 4 + 6 + 8 x 8 = 74
    assert data["tco_gbp_m"] == pytest.approx(129.0)
    assert_invariants(data)


def test_fbc3_reproduces_the_published_npv():
    data = cli_json("results", "fbc3")
    assert data["npv_gbp_m"] == pytest.approx(-144.630, abs=1e-6)
    assert [c["parameter"] for c in data["calibrated"]] == ["benefits.annual_steady_state_gbp_m",
                                                            "benefits.realisation_factor"]
    # TCO = FBC1 129 + FBC2 29.2 + Table 1 cells 49.926 + Table 2 cells 82.863 = 290.989, gross of reserves
    assert data["tco_gbp_m"] == pytest.approx(290.989, abs=1e-9)
    assert data["funding_sources_gbp_m"] == pytest.approx(-26.17)
    assert [r["fy"] for r in data["cashflows"]] == [f"FY{y:02d}/{y + 1:02d}" for y in range(18, 28)]
    assert [r["t"] for r in data["cashflows"]] == list(range(10))
    assert_invariants(data)


def test_fbc2_costs_are_fbc1_plus_29_2():
    fbc1, fbc2 = cli_json("results", "fbc1"), cli_json("results", "fbc2")
    assert fbc2["tco_gbp_m"] - fbc1["tco_gbp_m"] == pytest.approx(29.2)


def test_zero_discount_rate_gives_the_sum_of_real_net_flows():
    data = cli_json("results", "fbc3", "--set", "appraisal.discount_rate=0")
    assert all(r["discount_factor"] == 1.0 for r in data["cashflows"])
    assert data["npv_gbp_m"] == pytest.approx(sum(r["net_real_gbp_m"] for r in data["cashflows"]), abs=1e-9)
    assert_invariants(data)


def test_overrides_do_not_recalibrate():
    base = cli_json("results", "fbc3")
    ob = cli_json("results", "fbc3", "--set", "appraisal.optimism_bias_capital=0.1",
                  "--set", "appraisal.optimism_bias_operating=0.1")
    # 10% more of the real costs optimism bias may raise, from the decision on: every cost except the change
    # fund (FBC3 Table 1's Future CONNECT Enhancements, a fixed envelope) and the opportunity cost of the
    # training time (not an estimate of spend). At 2% a year and each year's discount factor:
    fund = {"FY24/25": 5.092, "FY25/26": 6.0, "FY26/27": 6.0, "FY27/28": 6.0}
    gb, gb_ob = base["green_book"], ob["green_book"]

    def pv_fund(rows):
        return sum(fund.get(r["fy"], 0.0) / 1.02 ** r["t"] * r["discount_factor"] for r in rows)

    raisable = gb["pv_costs_gbp_m"] - gb["pv_opportunity_gbp_m"] - gb["pv_risk_gbp_m"] - pv_fund(gb["cashflows"])
    assert gb_ob["npv_gbp_m"] == pytest.approx(gb["npv_gbp_m"] - 0.1 * raisable, abs=1e-9)
    # the paper's measure raises every cost of FY23/24 on but the fund, at its own year 0 (FY18/19)
    paper_future = sum((r["capital_gbp_m"] + r["revenue_gbp_m"]) / 1.02 ** r["t"] * r["discount_factor"]
                       for r in base["cashflows"] if r["fy"] >= "FY23/24") - pv_fund(base["cashflows"])
    assert ob["npv_gbp_m"] == pytest.approx(base["npv_gbp_m"] - 0.1 * paper_future, abs=1e-9)
    assert ob["calibrated"][1]["value"] == base["calibrated"][1]["value"]


def test_readable_table_by_default():
    proc = run_cli("results", "fbc3")
    assert proc.returncode == 0
    assert "NPV" in proc.stdout and "-144.630" in proc.stdout and "FY27/28" in proc.stdout
    # both appraisals, each named for what it is
    assert "The paper's measure: 10-year TCO NPV" in proc.stdout
    assert "The Green Book appraisal at the decision point: FY23/24 on, sunk costs excluded" in proc.stdout
    assert "144.009" in proc.stdout  # the sunk costs, stated


def test_green_book_appraisal_of_fbc3():
    data = cli_json("results", "fbc3")
    gb = data["green_book"]
    assert gb["decision_fy"] == "FY23/24"
    # sunk: FBC1 FY18/19-FY22/23 (15 + 25 + 15 capital, 4 + 6 + 8 + 8 + 8 revenue = 89) plus FBC2's
    # 29.2 x (0.5 x (0.3 + 0.5) + 0.5 x (0.2 + 0.3)) = 18.98 in FY21/22 and FY22/23: 107.98; and FY23/24's
    # spend before the December decision: 8/12 of the lines with no timing (capital 22.827 - 15.949, revenue
    # 38.374 - 29.409 - 2 - 5.928, FBC1's 8, FBC2's 5.84: 21.755 x 8/12 = 14.503), 1/4 of the training and
    # its overtime (31.409 / 4 = 7.852) and 5/8 of the replan (21.877 x 5/8 = 13.673): 144.009
    assert gb["sunk_costs_gbp_m"] == pytest.approx(
        107.98 + 21.755 * 8 / 12 + 31.409 / 4 + (15.949 + 5.928) * 5 / 8, abs=1e-9)
    assert round(gb["sunk_costs_gbp_m"], 3) == 144.009
    assert [r["fy"] for r in gb["cashflows"]] == [f"FY{y:02d}/{y + 1:02d}" for y in range(23, 28)]
    # year 0 is the decision year; after FY23/24 the cash flows are the paper's rows (no optimism bias)
    assert [r["t"] for r in gb["cashflows"]] == [0, 1, 2, 3, 4] and gb["base_year"] == "FY23/24"
    for mine, paper in zip(gb["cashflows"][1:], data["cashflows"][6:]):
        assert (mine["capital_gbp_m"], mine["revenue_gbp_m"]) == (paper["capital_gbp_m"], paper["revenue_gbp_m"])
    assert gb["sunk_costs_gbp_m"] + sum(r["capital_gbp_m"] + r["revenue_gbp_m"] for r in gb["cashflows"]) \
        == pytest.approx(data["tco_gbp_m"], abs=1e-9)
    assert gb["npv_gbp_m"] == pytest.approx(sum(r["pv_gbp_m"] for r in gb["cashflows"]), abs=1e-9)
    assert gb["npv_gbp_m"] == pytest.approx(gb["pv_benefits_gbp_m"] - gb["pv_costs_gbp_m"], abs=1e-9)
    assert gb["bcr"] == pytest.approx(gb["pv_benefits_gbp_m"] / gb["pv_costs_gbp_m"], rel=1e-12)


def test_decision_year_in_the_first_year_gives_the_papers_measure():
    # with no opportunity cost (the training time's, which only the Green Book appraisal counts)
    data = cli_json("results", "fbc3", "--set", "appraisal.decision_fy=2018",
                    "--set", "appraisal.optimism_bias_capital=0.3", "--set", "appraisal.optimism_bias_operating=0.3",
                    "--set", "opportunity_costs.training_time.people=0")
    gb = data["green_book"]
    assert gb["sunk_costs_gbp_m"] == 0.0 and gb["cashflows"] == data["cashflows"]
    for key in ("npv_gbp_m", "pv_costs_gbp_m", "pv_benefits_gbp_m", "bcr"):
        assert gb[key] == data[key], key
    # FBC1 decided in May 2018, the second month of the first year: April's 1/12 of FY18/19's 15 + 4 is
    # sunk (no benefits yet, year 0 undiscounted): the Green Book NPV is 214.7 + 19 / 12 = 216.283
    fbc1 = cli_json("results", "fbc1")
    assert fbc1["npv_gbp_m"] == pytest.approx(214.7, abs=1e-6)
    assert fbc1["green_book"]["npv_gbp_m"] == pytest.approx(214.7 + 19 / 12, abs=1e-6)


def test_list_and_check():
    proc = run_cli("list")
    assert proc.returncode == 0
    names = sorted(p.stem for p in PARAMS.glob("*.yaml"))
    assert [line.split()[0] for line in proc.stdout.splitlines()] == names
    assert {"fbc1", "fbc2", "fbc3"} <= set(names)
    assert "(extends fbc3)" in proc.stdout.splitlines()[0]
    data = cli_json("check")
    assert data["valid"] is True and len(data["checks"]) >= 90
    proc = run_cli("check")
    assert proc.returncode == 0 and "== CHANGES NUMBERS OR TIMING" in proc.stdout
    # grouped: every finding that changes numbers is listed before any that is presentation only
    out = proc.stdout
    assert out.index("finding.table2_header_shifted") < out.index("== PRESENTATION ONLY") \
        < out.index("finding.recommendation2_heading")


@pytest.fixture(scope="module")
def fbc3_loaded():
    return load_scenario("fbc3", PARAMS)


@settings(max_examples=40, deadline=None)
@given(rate=st.one_of(st.none(), st.floats(min_value=0.0, max_value=0.15)),
       ob=st.floats(min_value=0.0, max_value=2.0),
       deflator=st.floats(min_value=0.0, max_value=0.1),
       base_year=st.integers(min_value=2018, max_value=2027),
       delay=st.floats(min_value=0.0, max_value=36.0))
def test_invariants_hold_under_any_override(rate, ob, deflator, base_year, delay):
    overrides = {"appraisal.discount_rate": "null" if rate is None else repr(rate),
                 "appraisal.optimism_bias_capital": repr(ob), "appraisal.optimism_bias_operating": repr(ob / 2),
                 "appraisal.gdp_deflator": repr(deflator),
                 "appraisal.paper_base_year": str(base_year), "benefits.start_delay_months": repr(delay)}
    data = results(load_scenario("fbc3", PARAMS, overrides))
    assert_invariants(data)
    assert data["cashflows"][0]["t"] == 2018 - base_year
    assert math.isfinite(data["npv_gbp_m"])
    # costs after optimism bias in real prices, cell by cell: capital at ob, revenue at ob / 2, and
    # neither before the decision year (FY23/24); never on the change fund (a fixed envelope, capital)
    fund = {"FY24/25": 5.092, "FY25/26": 6.0, "FY26/27": 6.0, "FY27/28": 6.0}
    for r in data["cashflows"]:
        future = r["fy"] >= "FY23/24"
        envelope = fund.get(r["fy"], 0.0)
        expected = ((r["capital_gbp_m"] - envelope) * (1 + ob * future) + envelope
                    + r["revenue_gbp_m"] * (1 + ob / 2 * future)) / (1 + deflator) ** r["t"]
        assert r["net_real_gbp_m"] + expected == pytest.approx(
            r["benefits_gbp_m"] / (1 + deflator) ** r["t"], abs=1e-9)


@settings(max_examples=20, deadline=None)
@given(st.floats(min_value=0.0, max_value=1.0), st.floats(min_value=0.01, max_value=1.0))
def test_more_optimism_bias_never_raises_npv(low, extra):
    a = results(load_scenario("fbc3", PARAMS, {"appraisal.optimism_bias_capital": repr(low)}))
    b = results(load_scenario("fbc3", PARAMS, {"appraisal.optimism_bias_capital": repr(low + extra)}))
    assert b["npv_gbp_m"] < a["npv_gbp_m"]
    assert b["green_book"]["npv_gbp_m"] < a["green_book"]["npv_gbp_m"]
    assert b["tco_gbp_m"] == a["tco_gbp_m"]  # TCO is nominal cash, before optimism bias


def test_a_series_cell_can_be_overridden():
    base = cli_json("results", "fbc3")
    more = cli_json("results", "fbc3", "--set", "costs.fbc3_capital_request.lines.delay.by_fy.FY23/24=20.949")
    assert more["tco_gbp_m"] - base["tco_gbp_m"] == pytest.approx(5.0)
    assert np.isclose(more["cashflows"][5]["capital_gbp_m"] - base["cashflows"][5]["capital_gbp_m"], 5.0)


def test_price_basis_real_skips_the_deflator():
    nominal = cli_json("results", "fbc3")
    real = cli_json("results", "fbc3", "--set", "appraisal.price_basis=real")
    for n, r in zip(nominal["cashflows"], real["cashflows"]):
        costs = r["capital_gbp_m"] + r["revenue_gbp_m"]
        assert r["benefits_real_gbp_m"] - r["net_real_gbp_m"] == pytest.approx(costs, abs=1e-9)
        assert n["benefits_real_gbp_m"] - n["net_real_gbp_m"] == pytest.approx(costs / 1.02 ** n["t"], abs=1e-9)

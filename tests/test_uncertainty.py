"""Tornado, switching values, Monte Carlo and the sensitivity scenarios."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.analysis import uncertainty as unc
from model.core.results import results
from model.core.scenario import load_scenario

from .conftest import PARAMS, cli_json, run_cli

# the tests of this file share a module fixture: they run in one process under `pytest -n` (--dist loadgroup)
pytestmark = pytest.mark.xdist_group("test_uncertainty")


DISTRIBUTIONS = ["uniform", "triangular", "pert", "truncnormal", "lognormal"]


@pytest.fixture(scope="module")
def fbc3():
    return load_scenario("fbc3", PARAMS)


def test_engine_equals_the_model_at_base(fbc3):
    # the engine's default is the Green Book appraisal at the decision point; "paper" is the paper's measure
    data = results(fbc3)
    assert unc.Engine.from_loaded(fbc3).npv({})[0] == pytest.approx(data["green_book"]["npv_gbp_m"], abs=1e-9)
    assert unc.Engine.from_loaded(fbc3, "paper").npv({})[0] == pytest.approx(data["npv_gbp_m"], abs=1e-9)
    assert data["green_book"]["npv_gbp_m"] != pytest.approx(data["npv_gbp_m"], abs=1.0)  # sunk costs differ


@pytest.mark.parametrize("scenario", ["fbc3", "fbc2", "fbc3_optimism_upper", "do_minimum"])
def test_engine_equals_the_model_in_every_kind_of_scenario(scenario):
    loaded = load_scenario(scenario, PARAMS)
    data = results(loaded)
    assert unc.Engine.from_loaded(loaded).npv({})[0] == pytest.approx(data["green_book"]["npv_gbp_m"], abs=1e-9)
    assert unc.Engine.from_loaded(loaded, "paper").npv({})[0] == pytest.approx(data["npv_gbp_m"], abs=1e-9)


@settings(max_examples=30, deadline=None)
@given(level=st.floats(0.0, 3.0), delay=st.floats(0.0, 36.0), ob_capital=st.floats(0.0, 2.0),
       ob_operating=st.floats(0.0, 2.0), rate=st.floats(0.0, 0.12), scope=st.floats(0.5, 2.0),
       support=st.floats(0.5, 2.0))
def test_engine_equals_the_model_under_overrides(level, delay, ob_capital, ob_operating, rate, scope, support):
    values = {"benefits.level_multiplier": level, "benefits.start_delay_months": delay,
              "appraisal.optimism_bias_capital": ob_capital, "appraisal.optimism_bias_operating": ob_operating,
              "appraisal.discount_rate": rate, "cost_multipliers.scope": scope,
              "cost_multipliers.post_go_live_support": support}
    model = results(load_scenario("fbc3", PARAMS, {k: repr(v) for k, v in values.items()}))
    base = load_scenario("fbc3", PARAMS)
    assert unc.Engine.from_loaded(base).npv(values)[0] == pytest.approx(model["green_book"]["npv_gbp_m"], abs=1e-9)
    assert unc.Engine.from_loaded(base, "paper").npv(values)[0] == pytest.approx(model["npv_gbp_m"], abs=1e-9)


def test_each_switching_value_gives_zero_npv_through_set():
    # Switching values zero the Green Book appraisal at the decision point (green_book.npv_gbp_m), not the
    # paper's measure (this test used to check the paper's NPV, which counts sunk costs).
    rows = cli_json("switching", "fbc3")
    assert {"parameter", "base_value", "switching_value", "change_pct", "appraisal"} <= set(rows[0])
    assert rows[0]["appraisal"].startswith("the Green Book appraisal at the decision point (FY23/24 on")
    found = [r for r in rows if r["switching_value"] is not None]
    assert found, "at least the benefit level switches"
    for r in found:
        data = cli_json("results", "fbc3", "--set", f"{r['parameter']}={r['switching_value']!r}")
        assert abs(data["green_book"]["npv_gbp_m"]) < 1e-6, r
        assert data["npv_gbp_m"] < -50  # the paper's measure still carries the sunk costs
        assert r["change_pct"] == pytest.approx(100 * (r["switching_value"] - r["base_value"]) / r["base_value"])
    # the benefit level must rise to PV(costs) / PV(benefits) from December 2023, in FY23/24 prices:
    # 141.600 / 104.055 = 1.361 times, the costs with the training time's opportunity cost (7.6125); 1.288
    # without it, and 1.573 when FY18/19 was year 0 and all of FY23/24 was to come
    level = next(r for r in rows if r["parameter"] == "benefits.level_multiplier")
    gb = cli_json("results", "fbc3")["green_book"]
    assert level["switching_value"] == pytest.approx(gb["pv_costs_gbp_m"] / gb["pv_benefits_gbp_m"], rel=1e-9)
    assert round(level["switching_value"], 3) == 1.361
    # no cost on its own can turn the NPV positive: null, reported as "none within range"
    assert any(r["switching_value"] is None for r in rows)
    text = run_cli("switching", "fbc3").stdout
    assert "none within range" in text and "Green Book appraisal at the decision point" in text.splitlines()[0]


def test_tornado_order_and_values(fbc3):
    rows = unc.tornado(fbc3)
    swings = [r["swing_gbp_m"] for r in rows]
    assert swings == sorted(swings, reverse=True)
    gb = results(fbc3)["green_book"]
    # PV of real capital and of real revenue from FY23/24 on (no optimism bias at base), by hand; with
    # the opportunity cost of the training time, the PV of costs
    pv_capital = sum(r["capital_gbp_m"] / 1.02 ** r["t"] * r["discount_factor"] for r in gb["cashflows"])
    pv_revenue = sum(r["revenue_gbp_m"] / 1.02 ** r["t"] * r["discount_factor"] for r in gb["cashflows"])
    assert pv_capital + pv_revenue + gb["pv_opportunity_gbp_m"] == pytest.approx(gb["pv_costs_gbp_m"], abs=1e-9)
    # the change fund (FBC3 Table 1, a fixed envelope) takes no optimism bias
    fund = {"FY24/25": 5.092, "FY25/26": 6.0, "FY26/27": 6.0, "FY27/28": 6.0}
    pv_capital -= sum(fund.get(r["fy"], 0.0) / 1.02 ** r["t"] * r["discount_factor"] for r in gb["cashflows"])
    # optimism bias is linear in costs: NPV at 200% on capital = NPV - 2.0 x PV(capital); 41% on revenue
    capital = next(r for r in rows if r["parameter"] == "appraisal.optimism_bias_capital")
    assert capital["npv_high_gbp_m"] == pytest.approx(gb["npv_gbp_m"] - 2.0 * pv_capital, abs=1e-9)
    assert capital["npv_low_gbp_m"] == pytest.approx(gb["npv_gbp_m"] - 0.1 * pv_capital, abs=1e-9)
    operating = next(r for r in rows if r["parameter"] == "appraisal.optimism_bias_operating")
    assert operating["npv_high_gbp_m"] == pytest.approx(gb["npv_gbp_m"] - 0.41 * pv_revenue, abs=1e-9)
    level = next(r for r in rows if r["parameter"] == "benefits.level_multiplier")
    assert level["npv_low_gbp_m"] == pytest.approx(gb["npv_gbp_m"] - 0.5 * gb["pv_benefits_gbp_m"], abs=1e-9)
    # from the decision point the benefit level swings widest (1.0 x PV(benefits) = 82.425)
    assert rows[0]["parameter"] == "benefits.level_multiplier"
    assert rows[0]["swing_gbp_m"] == pytest.approx(gb["pv_benefits_gbp_m"], abs=1e-9)


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_monte_carlo_collapsed_to_a_point_is_the_deterministic_npv(fbc3, distribution):
    loaded = copy.deepcopy(fbc3)
    for spec in loaded.scenario.uncertainty.values():
        point = unc.base_value(loaded, spec)
        spec.low = spec.high = point
        spec.distribution = distribution if point > 0 or distribution != "lognormal" else "uniform"
    mc = unc.monte_carlo(loaded, 5_000, 7, chunk=1_000)
    expected = results(fbc3)["green_book"]["npv_gbp_m"]
    for key in ("npv_mean_gbp_m", "npv_p10_gbp_m", "npv_p50_gbp_m", "npv_p90_gbp_m"):
        assert mc[key] == pytest.approx(expected, abs=1e-9), key
    assert mc["p_npv_positive"] == 0.0


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_distributions_respect_their_definitions(fbc3, distribution):
    spec = copy.deepcopy(fbc3.scenario.uncertainty["benefit_level"])
    spec.distribution = distribution
    spec.low, spec.high = 0.5, 1.5
    x = unc.sample(spec, 1.0, 200_000, np.random.default_rng(3))
    if distribution != "lognormal":
        assert x.min() >= 0.5 and x.max() <= 1.5
    expected_mean = {"uniform": 1.0, "triangular": 1.0, "pert": 1.0, "truncnormal": 1.0}
    if distribution in expected_mean:
        assert x.mean() == pytest.approx(expected_mean[distribution], abs=0.005)
    else:  # lognormal: median at the base, P90 / P10 = high / low = 3
        assert np.median(x) == pytest.approx(1.0, abs=0.01)
        p10, p90 = np.percentile(x, [10, 90])
        assert p90 / p10 == pytest.approx(3.0, rel=0.02)
        assert p10 * p90 == pytest.approx(1.0, rel=0.02)  # symmetric in logs about the median


def test_same_seed_gives_byte_identical_output():
    a = run_cli("montecarlo", "fbc3", "--draws", "20000", "--seed", "11", "--json")
    b = run_cli("montecarlo", "fbc3", "--draws", "20000", "--seed", "11", "--json")
    c = run_cli("montecarlo", "fbc3", "--draws", "20000", "--seed", "12", "--json")
    assert a.returncode == 0 and a.stdout == b.stdout and a.stdout != c.stdout
    data = cli_json("montecarlo", "fbc3", "--draws", "20000", "--seed", "11")
    assert {"npv_mean_gbp_m", "npv_p10_gbp_m", "npv_p50_gbp_m", "npv_p90_gbp_m", "p_npv_positive", "draws",
            "seed"} <= set(data)
    assert data["npv_p10_gbp_m"] <= data["npv_p50_gbp_m"] <= data["npv_p90_gbp_m"]
    assert data["draws"] == 20000 and data["seed"] == 11


def test_chunking_does_not_change_the_answer(fbc3):
    a = unc.monte_carlo(fbc3, 30_000, 5, chunk=30_000)
    b = unc.monte_carlo(fbc3, 30_000, 5, chunk=7_000)
    # the same generator feeds the chunks input by input, so the draws differ but the estimates agree
    assert a["npv_mean_gbp_m"] == pytest.approx(b["npv_mean_gbp_m"], rel=0.02)


@pytest.mark.parametrize("args,fragment", [
    (["--draws", "0", "--seed", "1"], "--draws"),
    (["--draws", "-5", "--seed", "1"], "--draws"),
    (["--draws", "many", "--seed", "1"], "draws"),
    (["--draws", "10", "--seed", "-1"], "--seed"),
])
def test_bad_monte_carlo_arguments(args, fragment):
    proc = run_cli("montecarlo", "fbc3", *args)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and fragment in proc.stderr


def test_unknown_scenario_for_monte_carlo():
    proc = run_cli("montecarlo", "nope", "--draws", "10", "--seed", "1")
    assert proc.returncode == 2 and "unknown scenario 'nope'" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_sensitivity_scenarios_by_hand():
    base = cli_json("results", "fbc3")
    half = cli_json("results", "fbc3_benefits_half")
    assert half["npv_gbp_m"] == pytest.approx(base["npv_gbp_m"] - 0.5 * base["pv_benefits_gbp_m"], abs=1e-9)
    cap = cli_json("results", "fbc3_uplift_cap")
    # NEC uplifts 21.2 + 22.048 = 43.248 against a cap of 50% x 44.1 = 22.05: 21.198 not spent
    assert base["tco_gbp_m"] - cap["tco_gbp_m"] == pytest.approx(21.198, abs=1e-9)
    slip = cli_json("results", "fbc3_drop2_slip")
    assert slip["tco_gbp_m"] == base["tco_gbp_m"] and slip["npv_gbp_m"] < base["npv_gbp_m"]
    upper = cli_json("results", "fbc3_optimism_upper")
    costs_only = cli_json("results", "fbc3", "--set", "appraisal.optimism_bias_capital=2.0",
                          "--set", "appraisal.optimism_bias_operating=0.41")
    for measure in (lambda d: d, lambda d: d["green_book"]):
        # the 54% duration uplift delays Drop 2's benefits too
        assert measure(upper)["npv_gbp_m"] < measure(costs_only)["npv_gbp_m"]
    # optimism bias falls on the costs still to come at the decision: in the Green Book appraisal its PV is
    # the whole change in NPV. The paper's measure raises all of FY23/24 (it does not split the decision
    # year by month), so its uplift is the larger, although it is in FY18/19 prices
    gb = base["green_book"]
    uplift = gb["npv_gbp_m"] - costs_only["green_book"]["npv_gbp_m"]
    assert costs_only["green_book"]["pv_optimism_bias_gbp_m"] == pytest.approx(uplift, abs=1e-9)
    assert base["npv_gbp_m"] - costs_only["npv_gbp_m"] > uplift > 0
    # the sunk years are untouched: FY18/19 to FY22/23 cash flows are the same with and without the uplift
    assert upper["cashflows"][:5] == base["cashflows"][:5]
    lower = cli_json("results", "fbc3_optimism_lower")
    assert upper["npv_gbp_m"] < lower["npv_gbp_m"] < base["npv_gbp_m"]
    assert upper["green_book"]["npv_gbp_m"] < lower["green_book"]["npv_gbp_m"] < gb["npv_gbp_m"]


def test_histogram_quantiles_agree_with_exact_ones(fbc3, monkeypatch):
    exact = unc.monte_carlo(fbc3, 300_000, 9)
    monkeypatch.setattr(unc, "EXACT_QUANTILES_UP_TO", 1_000)  # force the flat-memory path
    binned = unc.monte_carlo(fbc3, 300_000, 9)
    assert exact["quantiles"] == "exact" and binned["quantiles"].startswith("histogram")
    assert binned["npv_mean_gbp_m"] == pytest.approx(exact["npv_mean_gbp_m"], abs=1e-9)
    for key in ("npv_p10_gbp_m", "npv_p50_gbp_m", "npv_p90_gbp_m"):
        assert binned[key] == pytest.approx(exact[key], abs=0.01), key


def test_engine_equals_the_model_with_three_deliveries_and_their_own_ramps(params_copy):
    # a third delivery at the move to business-as-usual, with its own ramp, and a works-duration
    # optimism bias that stretches the works to it: the vectorised engine and the scalar model agree
    import yaml

    path = params_copy / "fbc3.yaml"
    data = yaml.safe_load(path.read_text())
    data.setdefault("benefits", {})["deliveries"] = {
        "drop2": {"share": {"label": "x", "value": 0.35, "unit": "fraction", "assumption": True, "why": "test"}},
        "drop3": {"label": "A third delivery", "milestone": "business_as_usual",
                  "share": {"label": "x", "value": 0.25, "unit": "fraction", "assumption": True, "why": "test"},
                  "ramp_up_years": {"label": "x", "value": 0.5, "unit": "years", "assumption": True, "why": "test"}}}
    path.write_text(json.dumps(data))  # JSON is YAML
    loaded = load_scenario("fbc3", params_copy, {"appraisal.optimism_bias_duration": "0.54"})
    assert list(loaded.scenario.benefits.deliveries) == ["drop1", "drop2", "drop3"]
    data = results(loaded)
    assert unc.Engine.from_loaded(loaded).npv({})[0] == pytest.approx(data["green_book"]["npv_gbp_m"], abs=1e-9)
    assert unc.Engine.from_loaded(loaded, "paper").npv({})[0] == pytest.approx(data["npv_gbp_m"], abs=1e-9)
    values = {"benefits.start_delay_months": 7.0, "benefits.level_multiplier": 1.3}
    model = results(load_scenario("fbc3", params_copy, {"appraisal.optimism_bias_duration": "0.54",
                                                        **{k: repr(v) for k, v in values.items()}}))
    assert unc.Engine.from_loaded(loaded).npv(values)[0] == pytest.approx(model["green_book"]["npv_gbp_m"], abs=1e-9)

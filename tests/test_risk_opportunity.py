"""Risk, then optimism bias, once; and opportunity costs: worked by hand (green-book.md, optimism bias;
Green Book 5.7, 5.42-5.49). A quantified risk is an expected cost of the Green Book appraisal and a
yes-or-no draw in the Monte Carlo; optimism bias comes from the table by category and mitigation and
never raises a fixed envelope or a cost a quantified risk covers; an opportunity cost is in the Green
Book appraisal and not in the cash view."""

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from model.analysis.uncertainty import Engine, monte_carlo
from model.core.appraisal import Inputs, appraise, green_book, inputs_from_scenario
from model.core.results import results
from model.core.scenario import load_scenario

CASE = Path(__file__).parent / "cases" / "county_payroll"


def _inputs(capital, revenue, rate, *, first=2020, ob=0.0, decision=None, **fields):
    n = len(capital)
    return Inputs(fys=np.arange(first, first + n), capital_gbp_m=np.asarray(capital, float),
                  revenue_gbp_m=np.asarray(revenue, float), funding_gbp_m=np.zeros(n),
                  benefits_real_gbp_m=np.zeros(n), base_year=first, discount_rate=rate, gdp_deflator=0.0,
                  optimism_bias_capital=ob, optimism_bias_operating=ob, decision_fy=decision, **fields)


# --- the engine, by hand ------------------------------------------------------------------------------

def test_expected_risk_cost_by_hand():
    # FY20/21-FY21/22, decision FY20/21, 10%, no deflator, no other costs. A 25% risk of 8.0 over both
    # years: 0.25 x 8 / 2 = 1.0 in each; NPV = -(1.0 + 1.0 / 1.1) = -1.909091. Optimism bias (50%)
    # never raises a risk cost, and the paper's measure has none.
    i = _inputs([0, 0], [0, 0], 0.10, ob=0.5, decision=2020, risk_gbp_m=np.array([1.0, 1.0]))
    g = green_book(i)
    assert g.risk_real_gbp_m.tolist() == pytest.approx([1.0, 1.0])
    assert g.optimism_bias_gbp_m.tolist() == pytest.approx([0.0, 0.0])
    assert round(g.npv_gbp_m, 6) == -1.909091 and round(g.pv_risk_gbp_m, 6) == 1.909091
    assert appraise(i).npv_gbp_m == 0.0
    assert g.capital_gbp_m.tolist() == [0.0, 0.0] and g.revenue_gbp_m.tolist() == [0.0, 0.0]   # not cash


def test_optimism_bias_skips_what_it_may_not_raise():
    # Capital 10 and 20, of which 4 and 8 are a fixed envelope (or covered by a risk): optimism bias at
    # 50% raises 6 and 12 only, to 3 and 6. Costs 13 and 26; NPV at 10% = -(13 + 26 / 1.1) = -36.636364.
    i = _inputs([10, 20], [0, 0], 0.10, ob=0.5, decision=2020,
                exempt_capital_gbp_m=np.array([4.0, 8.0]), exempt_avoidable_capital_gbp_m=np.array([4.0, 8.0]))
    g, p = green_book(i), appraise(i)
    assert g.optimism_bias_gbp_m.tolist() == pytest.approx([3.0, 6.0])
    assert round(g.npv_gbp_m, 6) == -36.636364
    assert p.optimism_bias_gbp_m.tolist() == pytest.approx([3.0, 6.0])   # the paper's measure too


def test_an_opportunity_cost_is_in_the_appraisal_and_not_in_the_cash():
    # 100 people x 5 days x GBP 400 = GBP 0.2m in FY21/22 (year 1 at 10%): PV 0.2 / 1.1 = 0.181818
    i = _inputs([0, 0], [0, 0], 0.10, decision=2020, opportunity_gbp_m=np.array([0.0, 0.2]))
    g = green_book(i)
    assert g.opportunity_real_gbp_m.tolist() == pytest.approx([0.0, 0.2])
    assert round(g.pv_opportunity_gbp_m, 6) == 0.181818 and round(g.npv_gbp_m, 6) == -0.181818
    assert g.tco_gbp_m == 0.0


# --- a case written as data ----------------------------------------------------------------------------

@pytest.fixture
def case(tmp_path) -> Path:
    root = tmp_path / "county_payroll"
    shutil.copytree(CASE, root)
    return root / "params"


RISK = """
risks:
  supplier_failure:
    label: The supplier fails before go-live
    owner: Programme director
    probability: {value: 0.25, unit: fraction, assumption: true, why: "Test value"}
    impact_gbp_m: {value: 8.0, unit: gbp_m, assumption: true, why: "Test value"}
    years: [FY08/09, FY09/10]
    mitigation: A parent-company guarantee
    status: open
    covers: [implementation.implementation]
  unquantified:
    label: Staff resist the change
    owner: HR director
"""

OPPORTUNITY = """
opportunity_costs:
  training_time:
    label: Payroll staff time in training
    people: {value: 100, unit: count, assumption: true, why: "Test value"}
    days_each: {value: 5, unit: days, assumption: true, why: "Test value"}
    cost_per_day_gbp: {value: 400, unit: gbp, assumption: true, why: "Test value"}
    already_costed_gbp_m: {value: 0.05, unit: gbp_m, assumption: true, why: "Test value"}
    years: [FY08/09]
"""


def _gb(params: Path, name: str = "fbc") -> dict:
    return results(load_scenario(name, params))["green_book"]


def test_a_risk_register_in_the_params(case):
    # FBC: decision FY07/08, year 0 FY05/06 (the case declares its base year), 3.5%, real prices. The 25%
    # risk of 8.0 over FY08/09 and FY09/10 (years 3 and 4) costs 1.0 in each: PV 1 / 1.035^3 + 1 / 1.035^4
    # = 0.901943 + 0.871442 = 1.773385. The paper's measure
    # (calibrated) and the cash (TCO) do not move; the unquantified risk costs nothing.
    before, paper = _gb(case), results(load_scenario("fbc", case))
    (case / "fbc.yaml").write_text((case / "fbc.yaml").read_text() + RISK)
    after, paper_after = _gb(case), results(load_scenario("fbc", case))
    assert after["risks_quantified"] == 1 and after["expected_risk_costs_gbp_m"] == pytest.approx(2.0)
    assert round(after["pv_risk_gbp_m"], 6) == 1.773385
    assert after["npv_gbp_m"] == pytest.approx(before["npv_gbp_m"] - 1.773385, abs=1e-6)
    assert paper_after["npv_gbp_m"] == pytest.approx(paper["npv_gbp_m"]) and paper_after["tco_gbp_m"] == paper["tco_gbp_m"]
    assert after["optimism_bias_exempt"] == ["implementation.implementation"]
    # the engine of the tornado and the Monte Carlo gives the same NPV, expected risk included
    loaded = load_scenario("fbc", case)
    assert Engine.from_loaded(loaded).npv({})[0] == pytest.approx(after["npv_gbp_m"], abs=1e-9)


def test_the_monte_carlo_draws_each_risk_yes_or_no(case):
    # where the risk happens, a draw bears its whole impact, 4.0 in each of years 3 and 4: PV 4 x 1.773385
    # = 7.093540; where not, nothing. At p = 0.25 about a quarter of the draws bear it, and the expected
    # cost (the deterministic engine's) is 0.25 x 7.093540 = 1.773385
    (case / "fbc.yaml").write_text((case / "fbc.yaml").read_text() + RISK)
    loaded = load_scenario("fbc", case)
    e = Engine.from_loaded(loaded)
    base = float(e.npv({}, risk_events=np.zeros((1, 1)))[0])
    hit = float(e.npv({}, risk_events=np.ones((1, 1)))[0])
    assert round(base - hit, 6) == 7.09354
    draws = e.npv({}, 4000, risk_events=(np.random.default_rng(1).random((4000, 1)) < 0.25).astype(float))
    assert set(np.round(base - draws, 6)) == {0.0, 7.09354}
    assert 0.22 < np.mean(draws < base - 1.0) < 0.28
    assert float(e.npv({})[0]) == pytest.approx(base - 1.773385, abs=1e-6)
    # the Monte Carlo itself draws it: its mean falls by about the expected cost
    without = load_scenario("fbc", CASE / "params")
    if without.scenario.uncertainty:
        shift = monte_carlo(without, 4000, 7)["npv_mean_gbp_m"] - monte_carlo(loaded, 4000, 7)["npv_mean_gbp_m"]
        assert 1.773385 * 0.8 < shift < 1.773385 * 1.2


def test_an_opportunity_cost_in_the_params(case):
    # 100 x 5 x 400 = 0.2m, less 0.05 already costed = 0.15m in FY08/09 (year 3): PV 0.15 / 1.035^3 = 0.135291
    before = _gb(case)
    (case / "fbc.yaml").write_text((case / "fbc.yaml").read_text() + OPPORTUNITY)
    after = _gb(case)
    assert after["opportunity_costs_gbp_m"] == pytest.approx(0.15)
    assert round(after["pv_opportunity_gbp_m"], 6) == 0.135291
    assert after["npv_gbp_m"] == pytest.approx(before["npv_gbp_m"] - 0.135291, abs=1e-6)
    cash = results(load_scenario("fbc", case))
    assert [r["capital_gbp_m"] + r["revenue_gbp_m"] for r in cash["cashflows"]] == \
        [r["capital_gbp_m"] + r["revenue_gbp_m"] for r in results(load_scenario("fbc", CASE / "params"))["cashflows"]]


def test_mitigated_optimism_bias_from_the_table(case):
    # equipment / development: upper bound 200% on capital; outsourcing 41% on operating; mitigation 0.6
    # leaves 200% x 0.4 = 80% and 41% x 0.4 = 16.4%
    soc = case / "soc.yaml"
    text = soc.read_text()
    lines = [ln for ln in text.splitlines() if "optimism_bias_capital" in ln or "optimism_bias_operating" in ln]
    assert len(lines) == 2
    for ln in lines:
        text = text.replace(ln + "\n", "")
    text = text.replace("  works_start_milestone: contract_signed\n",
                        "  works_start_milestone: contract_signed\n"
                        "  optimism_bias:\n    category: equipment_development\n    assumption: true\n"
                        "    why: \"A payroll system is an IT system\"\n"
                        "    mitigation: {value: 0.6, unit: fraction, assumption: true, why: \"Test value\"}\n")
    soc.write_text(text)
    a = load_scenario("soc", case).scenario.appraisal
    assert a.optimism_bias_capital.value == pytest.approx(0.8)
    assert a.optimism_bias_operating.value == pytest.approx(0.164)
    assert a.optimism_bias_capital.assumption


def test_the_monte_carlo_does_not_draw_optimism_bias_on_a_ranged_cost():
    # FBC3 declares a range on every cost factor: those ranges stand in for optimism bias in its Monte Carlo
    loaded = load_scenario("fbc3")
    out = monte_carlo(loaded, 200, 1)
    factors = Engine.from_loaded(loaded).factors
    ranged = {s.parameter.split(".", 1)[1] for s in loaded.scenario.uncertainty.values()
              if s.parameter.startswith("cost_multipliers.")}
    assert set(out["no_optimism_bias_on"]) == ranged and ranged <= set(factors)
    e = Engine.from_loaded(loaded)
    # with every factor ranged, the drawn optimism bias moves nothing; in the deterministic engine it does
    high = {"appraisal.optimism_bias_capital": 2.0}
    assert e.npv(high, no_bias_on=tuple(factors))[0] == pytest.approx(e.npv({})[0], abs=1e-9)
    assert e.npv(high)[0] < e.npv({})[0] - 1.0


def test_connect_fbc3_training_time_by_hand():
    # 22,500 x 2 days x GBP 270 = 12.15m, less the 2.0 of overtime = 10.15, of which 3 of the 4 training
    # months (December to February) fall after the December decision: 7.6125, at year 0 (FY23/24)
    g = _gb(Path("params"), "fbc3")
    assert g["opportunity_costs_gbp_m"] == pytest.approx(7.6125) and g["pv_opportunity_gbp_m"] == pytest.approx(7.6125)
    # the change fund is a fixed envelope: optimism bias never raises it
    assert "fbc3_capital_request.future_enhancements" in g["optimism_bias_exempt"]
    assert _gb(Path("params"), "do_minimum")["opportunity_costs_gbp_m"] == 0.0


BAD = [
    ("risks:\n  r:\n    label: x\n    probability: {value: 0.3, unit: fraction, source: \"payroll_papers.txt, para 8\"}\n",
     "risks.r", "give both probability and impact_gbp_m"),
    ("risks:\n  r:\n    label: x\n    probability: {value: 1.5, unit: fraction, source: \"payroll_papers.txt, para 8\"}\n"
     "    impact_gbp_m: {value: 2, unit: gbp_m, source: \"payroll_papers.txt, para 8\"}\n    years: [FY08/09]\n",
     "risks.r.probability", "probability from 0 to 1"),
    ("risks:\n  r:\n    label: x\n    probability: {value: 0.5, unit: fraction, source: \"payroll_papers.txt, para 8\"}\n"
     "    impact_gbp_m: {value: 2, unit: gbp_m, source: \"payroll_papers.txt, para 8\"}\n    years: [FY05/06]\n",
     None, "outside the years from the decision"),
    ("risks:\n  r:\n    label: x\n    covers: [implementation.nope]\n", None, "is not a cost line"),
    ("opportunity_costs:\n  o:\n    label: x\n    people: {value: 10, unit: count, source: \"payroll_papers.txt, para 8\"}\n"
     "    days_each: {value: 1, unit: days, source: \"payroll_papers.txt, para 8\"}\n"
     "    cost_per_day_gbp: {value: 0.0003, unit: gbp_m, source: \"payroll_papers.txt, para 8\"}\n    years: [FY08/09]\n",
     "opportunity_costs.o.cost_per_day_gbp", "gbp"),
]


@pytest.mark.parametrize("text, key, words", BAD)
def test_a_bad_risk_or_opportunity_cost_is_one_line_and_exit_2(case, text, key, words):
    (case / "fbc.yaml").write_text((case / "fbc.yaml").read_text() + "\n" + text)
    proc = subprocess.run([sys.executable, "-m", "model.cli", "check"], cwd=case.parent, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    problem = [ln for ln in proc.stderr.splitlines() if words in ln]
    assert problem, proc.stderr
    assert "fbc.yaml" in problem[0] and (key is None or key in problem[0])


def test_optimism_bias_by_table_and_by_rate_at_once_is_refused(case):
    # one of the two would be ignored: `casebook check` says so, one line, exit 2
    soc = case / "soc.yaml"
    soc.write_text(soc.read_text().replace(
        "  works_start_milestone: contract_signed\n",
        "  works_start_milestone: contract_signed\n  optimism_bias:\n    category: equipment_development\n"
        "    assumption: true\n    why: \"Test\"\n"
        "    mitigation: {value: 0.6, unit: fraction, assumption: true, why: \"Test value\"}\n"))
    proc = subprocess.run([sys.executable, "-m", "model.cli", "check"], cwd=case.parent, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    problem = [ln for ln in proc.stderr.splitlines() if "not both" in ln]
    assert problem and "soc.yaml" in problem[0] and "appraisal" in problem[0], proc.stderr

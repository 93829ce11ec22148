"""Issue 20 items 5-7, by hand: expected risk cost, mitigated optimism bias, what optimism bias may
not touch, an opportunity cost, a GDP deflator series against a flat rate, the packaged reference
data, and one-line refusals of bad input."""

import numpy as np
import pytest

from model.core import greenbook, reference
from model.core.errors import CasebookError


def test_expected_risk_cost_spread_over_its_years():
    # 25% x 8 = 2.0 over FY24/25 and FY25/26 -> 1.0 each; 10% x 5 = 0.5 in FY25/26 alone.
    risks = [reference.Risk("supplier delay", 0.25, 8.0, ("FY24/25", "FY25/26")),
             reference.Risk("data migration", 0.10, 5.0, ("FY25/26",))]
    got = reference.expected_risk_costs(risks, ["FY23/24", "FY24/25", "FY25/26"])
    assert got.tolist() == pytest.approx([0.0, 1.0, 1.5])


def test_mitigated_optimism_bias_on_capital():
    # IT (equipment / development) upper bound 200%, 60% mitigated at FBC: 2.0 x (1 - 0.6) = 0.8,
    # so GBP 10m of future capital carries GBP 8m of optimism bias.
    rate = reference.optimism_bias_rate("equipment_development", 0.6)
    assert rate == pytest.approx(0.8)
    assert greenbook.optimism_bias_amount(np.array([10.0]), rate).tolist() == pytest.approx([8.0])
    assert reference.optimism_bias_rate("outsourcing", 0.0) == pytest.approx(0.41)


def test_optimism_bias_skips_risk_covered_and_fixed_envelope_lines():
    lines = {"build": np.array([10.0, 20.0]), "migration": np.array([5.0, 5.0]),
             "change_fund": np.array([3.0, 3.0])}
    base = reference.optimism_bias_base(lines, covered={"migration"}, fixed_envelopes={"change_fund"})
    assert base.tolist() == [10.0, 20.0]
    # at 80%: 8 and 16, not (18 and 28) x 0.8
    assert greenbook.optimism_bias_amount(base, 0.8).tolist() == pytest.approx([8.0, 16.0])


def test_opportunity_cost_is_economic_not_cash():
    # 22,500 users x 2 days x GBP 200 a day = GBP 9.0m of staff time, in the economic costs only.
    cost = reference.opportunity_cost(22_500, 2, 200.0) / 1e6
    assert cost == pytest.approx(9.0)
    cash = np.array([2.0, 1.0])
    economic = cash + np.array([cost, 0.0])
    assert cash.sum() == 3.0 and economic.sum() == pytest.approx(12.0)


def test_gdp_deflator_series_against_flat_rate_three_years():
    # GBP 100 nominal in each of 2022, 2023, 2024, base year 2022 (index 90.5005).
    s = reference.deflator_series("hmt_gdp_deflator_2025_12")
    assert "December 2025" in s["release"] and s["source"]
    idx = reference.deflator_index(s["index"], [2022, 2023, 2024], forecast_rate=0.02)
    real = reference.real_prices_series(np.full(3, 100.0), idx, idx[0])
    assert real.tolist() == pytest.approx([100.0, 100 * 90.5005 / 96.2507, 100 * 90.5005 / 100.0])
    assert real.tolist() == pytest.approx([100.0, 94.0258, 90.5005], abs=1e-4)
    flat = greenbook.real_prices(np.full(3, 100.0), np.arange(3), 0.02)
    assert flat.tolist() == pytest.approx([100.0, 98.0392, 96.1169], abs=1e-4)


def test_years_beyond_outturn_take_a_labelled_forecast():
    s = reference.deflator_series("hmt_gdp_deflator_2025_12")
    idx = reference.deflator_index(s["index"], [2024, 2025, 2026], forecast_rate=0.02)
    assert idx.tolist() == pytest.approx([100.0, 102.0, 104.04])
    assert reference.forecast_years(s["index"], [2023, 2024, 2025, 2026]) == [2025, 2026]


def test_packaged_stpr_is_the_schedule_in_use():
    assert greenbook.STPR_STANDARD[0] == (30.0, 0.035) and greenbook.STPR_STANDARD[-1] == (np.inf, 0.010)
    assert greenbook.discount_factors(np.array([10]))[0] == pytest.approx(1 / 1.035 ** 10)
    assert reference.optimism_bias_table()["source"] and reference.optimism_bias_table()["release"]


@pytest.mark.parametrize("call, words", [
    (lambda: reference.optimism_bias_rate("it_projects", 0.5, file="params/x.yaml",
                                          key="appraisal.optimism_bias.category", line=12),
     "unknown optimism-bias category 'it_projects'"),
    (lambda: reference.optimism_bias_rate("standard_civil", 1.5, file="params/x.yaml",
                                          key="appraisal.optimism_bias.mitigation", line=13),
     "between 0 and 1"),
    (lambda: reference.deflator_series("hmt_2019", file="params/x.yaml",
                                       key="appraisal.gdp_deflator.series", line=14),
     "unknown GDP deflator series 'hmt_2019'"),
])
def test_bad_reference_input_is_one_line_with_file_key_line(call, words):
    with pytest.raises(CasebookError) as exc:
        call()
    text = str(exc.value)
    assert "\n" not in text and text.startswith("params/x.yaml:1") and "appraisal." in text and words in text

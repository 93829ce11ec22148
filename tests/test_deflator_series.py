"""A case may deflate with HM Treasury's packaged GDP deflator series instead of a flat rate
(appraisal.gdp_deflator_series: the series by name, and a labelled forecast rate for the years after
its last outturn). Worked by hand from the index of hmt_gdp_deflator_2025_12 (calendar years, 2024 =
100): 2021 85.6358, 2022 90.5005, 2023 96.2507, 2024 100.0000.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from model.analysis import uncertainty as unc
from model.core import greenbook as gb
from model.core.appraisal import Inputs, appraise, green_book
from model.core.decision_frame import rebase
from model.core.reference import DeflatorSeries
from model.core.results import results
from model.core.scenario import load_scenario

from .conftest import ROOT, run_cli
from .test_bad_input import assert_one_line_error, edit

SERIES = "hmt_gdp_deflator_2025_12"
CASE = ROOT / "tests" / "cases" / "regional_records" / "params"
FLAT_LINE = ('  gdp_deflator: {label: "GDP deflator, annual rate", value: 0.02, unit: fraction, assumption: true, '
             'why: "Test value: the 2% inflation target"}\n')
SERIES_BLOCK = ("  gdp_deflator_series:\n"
                "    label: GDP deflator series\n"
                f"    series: {SERIES}\n"
                "    assumption: true\n"
                "    why: \"Test value: the Treasury's series\"\n"
                "    forecast_rate: {label: GDP deflator forecast after the outturn, value: 0.02, unit: fraction, "
                "assumption: true, why: \"Test value: the 2% inflation target\"}\n")

# Financial year FYyy/yy+1 starts in April of y: nine months in y, three in y + 1.
#   FY21/22 = 0.75 x 85.6358 + 0.25 x 90.5005 = 64.226850 + 22.625125 = 86.851975
#   FY22/23 = 0.75 x 90.5005 + 0.25 x 96.2507 = 67.875375 + 24.062675 = 91.938050
#   FY23/24 = 0.75 x 96.2507 + 0.25 x 100.0000 = 72.188025 + 25.000000 = 97.188025
FY21, FY22, FY23 = 86.851975, 91.938050, 97.188025


def series(rate: float = 0.02) -> DeflatorSeries:
    return DeflatorSeries.packaged(SERIES, rate)


def test_a_financial_year_takes_three_quarters_of_its_first_calendar_year():
    assert series().fy_index([2021, 2022, 2023]).tolist() == pytest.approx([FY21, FY22, FY23], abs=1e-9)
    assert series().last_outturn == 2024


def test_years_beyond_the_outturn_take_the_labelled_forecast():
    # 2025 = 100 x 1.02 = 102.0, 2026 = 100 x 1.02^2 = 104.04 (the forecast after the 2024 outturn)
    # FY24/25 = 0.75 x 100.0 + 0.25 x 102.0 = 75.0 + 25.5 = 100.5 (a quarter of it forecast)
    # FY25/26 = 0.75 x 102.0 + 0.25 x 104.04 = 76.5 + 26.01 = 102.51
    assert series().fy_index([2024, 2025]).tolist() == pytest.approx([100.5, 102.51], abs=1e-9)
    # a forecast rate of 3%: FY25/26 = 0.75 x 103 + 0.25 x 106.09 = 77.25 + 26.5225 = 103.7725
    assert series(0.03).fy_index([2025]).tolist() == pytest.approx([103.7725], abs=1e-9)
    # wholly in the forecast, one year's level to the next is the forecast rate itself
    assert gb.price_level(2026, 2025, series()) == pytest.approx(1.02, abs=1e-12)
    assert "forecast 2.0% a year after 2024" in series().text() and "December 2025" in series().text()


def test_price_level_flat_rate_is_the_formula_of_before():
    years = np.arange(2018, 2031)
    for g in (0.0, 0.02, 0.0275):
        assert np.array_equal(gb.price_level(years, 2021, g), (1.0 + g) ** np.asarray(years - 2021, dtype=float))
        x = np.linspace(1.0, 3.0, len(years))
        assert np.array_equal(x / gb.price_level(years, 2021, g), gb.real_prices(x, years - 2021, g))
        assert np.array_equal(x * gb.price_level(years, 2021, g), gb.nominal_prices(x, years - 2021, g))
        assert np.array_equal(rebase(x, 2018, 2023, g), x * (1.0 + g) ** (2023 - 2018))


def three_years(deflator, **kw) -> Inputs:
    zero = np.zeros(3)
    return Inputs(fys=np.array([2021, 2022, 2023]), capital_gbp_m=np.array([100.0, 100.0, 100.0]), revenue_gbp_m=zero,
                  funding_gbp_m=zero, benefits_real_gbp_m=zero, base_year=2021, discount_rate=0.0,
                  gdp_deflator=deflator, optimism_bias_capital=0.0, optimism_bias_operating=0.0, **kw)


def test_three_years_real_prices_series_against_flat_rate():
    # GBP 100m nominal in each of FY21/22, FY22/23, FY23/24, FY21/22 prices, undiscounted.
    # Series: 100 x FY21 / FY22 = 100 x 86.851975 / 91.938050 = 94.46793...
    #         100 x FY21 / FY23 = 100 x 86.851975 / 97.188025 = 89.36489...
    with_series = appraise(three_years(series()))
    assert with_series.capital_real_gbp_m.tolist() == pytest.approx(
        [100.0, 100 * FY21 / FY22, 100 * FY21 / FY23], abs=1e-9)
    assert with_series.capital_real_gbp_m.tolist() == pytest.approx([100.0, 94.46793, 89.36489], abs=1e-5)
    assert with_series.pv_costs_gbp_m == pytest.approx(100.0 + 94.46793 + 89.36489, abs=1e-4)
    # Flat 2%: 100 / 1.02 = 98.03922, 100 / 1.02^2 = 96.11688
    flat = appraise(three_years(0.02))
    assert flat.capital_real_gbp_m.tolist() == pytest.approx([100.0, 98.03922, 96.11688], abs=1e-5)
    # the outturn inflation of FY22/23 and FY23/24 (5.9% and 5.7%) takes more off than 2% a year
    assert with_series.pv_costs_gbp_m < flat.pv_costs_gbp_m


def test_green_book_with_a_series_rebases_the_paper_prices():
    # costs in real FY21/22 prices, the Green Book appraisal in FY23/24 prices from the decision in FY23/24:
    # 100 x FY23 / FY21 = 100 x 97.188025 / 86.851975 = 111.90076...
    inputs = three_years(series(), costs_in_real_prices=True, decision_fy=2023, green_book_base_year=2023)
    gb_case = green_book(inputs)
    assert gb_case.costs_real_gbp_m.tolist() == pytest.approx([100 * FY23 / FY21], abs=1e-9)
    assert gb_case.costs_real_gbp_m[0] == pytest.approx(111.90076, abs=1e-5)


def test_flat_rate_unchanged():
    # every figure of the flat rate as the formulas of before gave them
    a = appraise(three_years(0.02))
    t = np.arange(3)
    assert np.array_equal(a.capital_real_gbp_m, gb.real_prices(np.full(3, 100.0), t, 0.02))
    assert np.array_equal(a.benefits_gbp_m, gb.nominal_prices(np.zeros(3), t, 0.02))
    loaded = load_scenario("outline", CASE)
    assert loaded.scenario.appraisal.deflator == 0.02
    out = results(loaded)
    assert out["appraisal"]["gdp_deflator"] == 0.02 and out["appraisal"]["gdp_deflator_text"] == "2.0% a year"
    assert out["appraisal"]["gdp_deflator_series"] is None


@pytest.fixture
def case_copy(tmp_path):
    dest = tmp_path / "params"
    shutil.copytree(CASE, dest)
    return dest


def test_a_case_with_a_series_wholly_in_the_forecast_is_the_flat_rate(case_copy):
    # outline runs FY25/26 to FY34/35, all after the 2024 outturn: each year's level is 1.02 times the last's
    flat = results(load_scenario("outline", case_copy))
    edit(case_copy / "outline.yaml", FLAT_LINE, SERIES_BLOCK)
    loaded = load_scenario("outline", case_copy)
    out = results(loaded)
    assert out["npv_gbp_m"] == pytest.approx(flat["npv_gbp_m"], abs=1e-9)
    assert out["green_book"]["npv_gbp_m"] == pytest.approx(flat["green_book"]["npv_gbp_m"], abs=1e-9)
    assert out["pv_costs_gbp_m"] == pytest.approx(flat["pv_costs_gbp_m"], abs=1e-9)
    a = out["appraisal"]
    assert a["gdp_deflator"] is None and a["gdp_deflator_series"] == SERIES
    assert a["gdp_deflator_text"] == ("HM Treasury GDP deflator series (December 2025 (Quarterly National "
                                      "Accounts)), forecast 2.0% a year after 2024")


def test_the_engine_and_the_model_agree_across_the_outturn(case_copy):
    # the period from FY22/23 (outturn years) with the paper's prices in FY23/24 and the Green Book's in
    # FY25/26: every conversion (nominal to real, the rebase of benefits) reads the series
    text = (case_copy / "outline.yaml").read_text()
    text = text.replace(FLAT_LINE, SERIES_BLOCK)
    text = text.replace("value: 2025, unit: fy_start, source: \"100_5e0c2a9d41b7f386.txt, para 5\"}",
                        "value: 2022, unit: fy_start, source: \"100_5e0c2a9d41b7f386.txt, para 5\"}\n"
                        "  paper_base_year: {label: Price base of the paper, value: 2023, unit: fy_start, "
                        "assumption: true, why: \"Test value\"}", 1)
    (case_copy / "outline.yaml").write_text(text)
    loaded = load_scenario("outline", case_copy)
    assert loaded.scenario.appraisal.first_fy.value == 2022
    out = results(loaded)
    assert out["npv_gbp_m"] == pytest.approx(20.0, abs=1e-6)     # still calibrated to para 5
    assert unc.Engine.from_loaded(loaded).npv({})[0] == pytest.approx(out["green_book"]["npv_gbp_m"], abs=1e-9)
    assert unc.Engine.from_loaded(loaded, "paper").npv({})[0] == pytest.approx(out["npv_gbp_m"], abs=1e-9)
    # FY25/26 build of 8.0 nominal (its only cost) in FY23/24 prices: 8 x FY23 / FY25 = 8 x 97.188025 / 102.51 = 7.58467
    row = next(r for r in out["cashflows"] if r["fy"] == "FY25/26")
    assert row["costs_real_gbp_m"] == pytest.approx(8 * FY23 / 102.51, abs=1e-9)


def check(params) -> object:
    return run_cli("check", "--params", str(params))


def test_unknown_series_is_bad_input(case_copy):
    line = edit(case_copy / "outline.yaml", FLAT_LINE, SERIES_BLOCK.replace(SERIES, "hmt_2019"))
    assert_one_line_error(check(case_copy), f"outline.yaml:{line + 2}", "appraisal.gdp_deflator_series.series",
                          "unknown GDP deflator series 'hmt_2019'", SERIES)


def test_both_a_flat_rate_and_a_series_is_bad_input(case_copy):
    line = edit(case_copy / "outline.yaml", FLAT_LINE, FLAT_LINE + SERIES_BLOCK)
    assert_one_line_error(check(case_copy), f"outline.yaml:{line + 1}", "appraisal.gdp_deflator_series",
                          "not both")


def test_neither_a_flat_rate_nor_a_series_is_bad_input(case_copy):
    edit(case_copy / "outline.yaml", FLAT_LINE, "")
    text = (case_copy / "outline.yaml").read_text()
    line = text[: text.index("appraisal:\n")].count("\n") + 1
    assert_one_line_error(check(case_copy), f"outline.yaml:{line}", "appraisal.gdp_deflator_series",
                          "give the GDP deflator", SERIES)


def test_a_series_with_the_flat_rate_as_an_uncertain_input_is_bad_input(case_copy):
    edit(case_copy / "outline.yaml", FLAT_LINE, SERIES_BLOCK)
    edit(case_copy / "outline.yaml", "uncertainty:\n", "uncertainty:\n  deflator:\n    label: GDP deflator\n"
         "    parameter: appraisal.gdp_deflator\n    low: 0.01\n    high: 0.03\n    distribution: uniform\n"
         "    assumption: true\n    why: \"Test range\"\n")
    text = (case_copy / "outline.yaml").read_text()
    line = text[: text.index("uncertainty:\n")].count("\n") + 1
    assert_one_line_error(check(case_copy), f"outline.yaml:{line}", "uncertainty", "uncertainty.deflator",
                          "appraisal.gdp_deflator_series.forecast_rate")


def test_forecast_rate_needs_provenance_and_a_fraction(case_copy):
    line = edit(case_copy / "outline.yaml", FLAT_LINE,
                SERIES_BLOCK.replace(', assumption: true, why: "Test value: the 2% inflation target"}', "}"))
    assert_one_line_error(check(case_copy), f"outline.yaml:{line + 5}",
                          "appraisal.gdp_deflator_series.forecast_rate", "no provenance")


def test_a_version_that_extends_a_flat_rate_chooses_the_series_with_the_rate_set_to_null(case_copy):
    # full extends outline (the flat 2%); its own series wholly in the forecast at 2% gives the same NPV
    flat = results(load_scenario("full", case_copy))["green_book"]["npv_gbp_m"]
    line = edit(case_copy / "full.yaml", "appraisal:\n", "appraisal:\n" + SERIES_BLOCK)
    assert_one_line_error(check(case_copy), f"full.yaml:{line + 1}", "appraisal.gdp_deflator_series", "not both")
    edit(case_copy / "full.yaml", "appraisal:\n", "appraisal:\n  gdp_deflator: null\n")
    loaded = load_scenario("full", case_copy)
    assert loaded.scenario.appraisal.gdp_deflator is None
    assert results(loaded)["green_book"]["npv_gbp_m"] == pytest.approx(flat, abs=1e-9)
    # the forecast rate is a parameter like any other: --set moves it
    faster = load_scenario("full", case_copy, overrides={"appraisal.gdp_deflator_series.forecast_rate": 0.03})
    assert "forecast 3.0% a year" in faster.scenario.appraisal.deflator_text


def test_a_misspelt_series_key_is_the_typo_only(case_copy):
    line = edit(case_copy / "outline.yaml", FLAT_LINE, SERIES_BLOCK.replace("gdp_deflator_series:", "gdp_deflator_serie:"))
    err = assert_one_line_error(check(case_copy), f"outline.yaml:{line}", "appraisal.gdp_deflator_serie",
                                "unknown key", "gdp_deflator_series")
    assert "give the GDP deflator" not in err


def test_the_npv_bridge_takes_the_flat_rate_and_the_series_as_one_step(case_copy):
    from model.report.comparison_tables import npv_bridge

    edit(case_copy / "full.yaml", "appraisal:\n", "appraisal:\n  gdp_deflator: null\n" + SERIES_BLOCK)
    steps = npv_bridge("outline", "full", case_copy)
    deflator = steps[steps.step.str.contains("GDP deflator")]
    assert deflator.step.tolist() == ["Appraisal: GDP deflator series"]
    # wholly in the forecast at 2%, the series is the flat 2%: the step moves nothing
    assert abs(float(deflator.delta_gbp_m.iloc[0])) < 1e-9
    assert float(steps.end_gbp_m.iloc[-1]) == pytest.approx(results(load_scenario("full", case_copy))["npv_gbp_m"])


@pytest.mark.parametrize("rate", ["-0.6", "1.0"])
def test_forecast_rate_out_of_range_is_bad_input(case_copy, rate):
    line = edit(case_copy / "outline.yaml", FLAT_LINE, SERIES_BLOCK.replace("value: 0.02", f"value: {rate}"))
    assert_one_line_error(check(case_copy), f"outline.yaml:{line + 5}",
                          "appraisal.gdp_deflator_series.forecast_rate", "from -0.5 up to (not including) 1")

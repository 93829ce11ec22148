"""The benefit stream, checked against sums done by hand and against invariants of its deliveries."""

import copy
import json

import numpy as np
import yaml
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.core.cashflows import benefits_real_by_fy
from model.core.results import results
from model.core.scenario import load_scenario

FYS = np.array([2020, 2021])
APRIL_2020 = 2020 + 3 / 12  # 1 April 2020 as a fractional year


def two(first, second, first_share, ramp):
    """Two deliveries with the same ramp, the second taking the rest of the benefits."""
    return [first, second], [first_share, 1.0 - first_share], [ramp, ramp]


def test_step_from_the_start_of_a_financial_year_gives_full_years():
    b = benefits_real_by_fy(FYS, *two(APRIL_2020, APRIL_2020, 0.4, 0.0), 12.0, 1.0, 0.0)
    assert b.tolist() == pytest.approx([12.0, 12.0])


def test_one_year_linear_ramp_gives_half_the_first_year():
    # month m of the first year is at (m + 0.5)/12 of the ramp: sum over 12 months of (m+0.5)/12 * 12/12 = 6
    b = benefits_real_by_fy(FYS, *two(APRIL_2020, APRIL_2020, 0.4, 1.0), 12.0, 1.0, 0.0)
    assert b.tolist() == pytest.approx([6.0, 12.0])


def test_delivery_shares_and_realisation_factor():
    # the first delivery (40%) from April 2020, the second from April 2021, no ramp, half realised:
    # year 1 = 12 x 0.5 x 0.4 = 2.4; year 2 = 12 x 0.5 = 6
    b = benefits_real_by_fy(FYS, *two(APRIL_2020, APRIL_2020 + 1, 0.4, 0.0), 12.0, 0.5, 0.0)
    assert b.tolist() == pytest.approx([2.4, 6.0])


def test_start_delay_in_months():
    # a six-month delay on a step start in April 2020 leaves six months of FY20/21
    b = benefits_real_by_fy(FYS, *two(APRIL_2020, APRIL_2020, 0.4, 0.0), 12.0, 1.0, 6.0)
    assert b.tolist() == pytest.approx([6.0, 12.0])


def test_three_deliveries_by_hand():
    # A: 20% from 1 April 2020, no ramp; B: 30% from 1 October 2020, no ramp; C: 50% from 1 April 2021
    # over a one-year ramp. GBP 10m a year at full realisation.
    # FY20/21: A 0.2 x 1 + B 0.3 x 0.5 (half the year) = 0.35 -> 3.5
    # FY21/22: A 0.2 + B 0.3 + C 0.5 x 0.5 (the ramp's average over its first year) = 0.75 -> 7.5
    # FY22/23: every delivery in full -> 10
    b = benefits_real_by_fy(np.array([2020, 2021, 2022]), [APRIL_2020, APRIL_2020 + 0.5, APRIL_2020 + 1],
                            [0.2, 0.3, 0.5], [0.0, 0.0, 1.0], 10.0, 1.0, 0.0)
    assert b.tolist() == pytest.approx([3.5, 7.5, 10.0])


def test_a_delivery_never_made_brings_no_benefits():
    b = benefits_real_by_fy(FYS, [APRIL_2020, float("inf")], [0.25, 0.75], [0.0, 0.0], 12.0, 1.0, 0.0)
    assert b.tolist() == pytest.approx([3.0, 3.0])


def test_one_delivery_of_everything():
    b = benefits_real_by_fy(FYS, [APRIL_2020 + 0.5], [1.0], [0.0], 12.0, 1.0, 0.0)
    assert b.tolist() == pytest.approx([6.0, 12.0])


def test_vectorised_draws_match_scalar_calls():
    annual = np.array([10.0, 20.0, 30.0])
    many = benefits_real_by_fy(FYS, *two(APRIL_2020, APRIL_2020 + 0.5, 0.3, 1.5), annual, 1.0, 2.0)
    assert many.shape == (3, 2)
    for i, a in enumerate(annual):
        one = benefits_real_by_fy(FYS, *two(APRIL_2020, APRIL_2020 + 0.5, 0.3, 1.5), a, 1.0, 2.0)
        assert many[i].tolist() == pytest.approx(one.tolist())


@settings(max_examples=200, deadline=None)
@given(start=st.floats(2018.0, 2024.0), other_start=st.floats(2018.0, 2024.0), share=st.floats(0.0, 1.0),
       split=st.floats(0.0, 1.0), ramp=st.floats(0.0, 3.0), other_ramp=st.floats(0.0, 3.0),
       delay=st.floats(0.0, 24.0))
def test_splitting_a_delivery_in_two_at_the_same_milestone_changes_nothing(start, other_start, share, split,
                                                                           ramp, other_ramp, delay):
    fys = np.arange(2018, 2028)
    whole = benefits_real_by_fy(fys, [start, other_start], [share, 1 - share], [ramp, other_ramp],
                                25.0, 0.8, delay)
    parts = benefits_real_by_fy(fys, [start, start, other_start], [share * split, share * (1 - split), 1 - share],
                                [ramp, ramp, other_ramp], 25.0, 0.8, delay)
    np.testing.assert_allclose(parts, whole, rtol=0, atol=1e-9)


def test_splitting_a_delivery_in_the_params_gives_the_same_cash_flows(params_copy):
    # the last delivery of the base file, split into two deliveries at the same milestone with shares
    # that add up to its own: every scenario's cash flows stay the same
    path = params_copy / "fbc1.yaml"
    data = yaml.safe_load(path.read_text())
    deliveries = data["benefits"]["deliveries"]
    name = list(deliveries)[-1]
    rest = copy.deepcopy(deliveries[name])
    share = deliveries[name]["share"]["value"]
    deliveries[name]["share"]["value"] = share / 3
    rest["share"]["value"] = share - share / 3
    deliveries[f"{name}_rest"] = rest
    path.write_text(json.dumps(data))  # JSON is YAML
    assert len(load_scenario("fbc1", params_copy).scenario.benefits.deliveries) == len(deliveries)
    for scenario in ("fbc2", "fbc3", "do_minimum"):
        before, after = results(load_scenario(scenario)), results(load_scenario(scenario, params_copy))
        for a, b in zip(before["cashflows"], after["cashflows"]):
            assert b["benefits_real_gbp_m"] == pytest.approx(a["benefits_real_gbp_m"], abs=1e-9)
        assert after["green_book"]["npv_gbp_m"] == pytest.approx(before["green_book"]["npv_gbp_m"], abs=1e-9)

"""The benefit stream, checked against sums done by hand."""

import numpy as np
import pytest

from model.core.cashflows import benefits_real_by_fy

FYS = np.array([2020, 2021])
APRIL_2020 = 2020 + 3 / 12  # 1 April 2020 as a fractional year


def test_step_from_the_start_of_a_financial_year_gives_full_years():
    b = benefits_real_by_fy(FYS, APRIL_2020, APRIL_2020, 12.0, 1.0, 0.4, 0.0, 0.0)
    assert b.tolist() == pytest.approx([12.0, 12.0])


def test_one_year_linear_ramp_gives_half_the_first_year():
    # month m of the first year is at (m + 0.5)/12 of the ramp: sum over 12 months of (m+0.5)/12 * 12/12 = 6
    b = benefits_real_by_fy(FYS, APRIL_2020, APRIL_2020, 12.0, 1.0, 0.4, 1.0, 0.0)
    assert b.tolist() == pytest.approx([6.0, 12.0])


def test_drop_shares_and_realisation_factor():
    # drop 1 (40%) from April 2020, drop 2 from April 2021, no ramp, half realised:
    # year 1 = 12 x 0.5 x 0.4 = 2.4; year 2 = 12 x 0.5 = 6
    b = benefits_real_by_fy(FYS, APRIL_2020, APRIL_2020 + 1, 12.0, 0.5, 0.4, 0.0, 0.0)
    assert b.tolist() == pytest.approx([2.4, 6.0])


def test_start_delay_in_months():
    # a six-month delay on a step start in April 2020 leaves six months of FY20/21
    b = benefits_real_by_fy(FYS, APRIL_2020, APRIL_2020, 12.0, 1.0, 0.4, 0.0, 6.0)
    assert b.tolist() == pytest.approx([6.0, 12.0])


def test_vectorised_draws_match_scalar_calls():
    annual = np.array([10.0, 20.0, 30.0])
    many = benefits_real_by_fy(FYS, APRIL_2020, APRIL_2020 + 0.5, annual, 1.0, 0.3, 1.5, 2.0)
    assert many.shape == (3, 2)
    for i, a in enumerate(annual):
        one = benefits_real_by_fy(FYS, APRIL_2020, APRIL_2020 + 0.5, a, 1.0, 0.3, 1.5, 2.0)
        assert many[i].tolist() == pytest.approx(one.tolist())


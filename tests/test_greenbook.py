"""Green Book rules against closed forms worked by hand."""

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.core import greenbook as gb
from model.core.appraisal import Inputs, appraise, green_book


def test_stpr_year_10_is_0_7089():
    df = gb.discount_factors(np.array([10]))[0]
    assert round(df, 4) == 0.7089
    assert df == pytest.approx(1 / 1.035 ** 10, abs=1e-12)


def test_year_zero_is_undiscounted():
    assert gb.discount_factors(np.array([0]))[0] == 1.0
    assert gb.discount_factors(np.array([0]), rate=0.07)[0] == 1.0


def test_stpr_rates_by_band():
    years = np.array([1, 30, 31, 75, 76, 125, 126, 200, 201, 300, 301, 500])
    assert gb.stpr_rate(years).tolist() == [0.035, 0.035, 0.03, 0.03, 0.025, 0.025, 0.02, 0.02,
                                            0.015, 0.015, 0.01, 0.01]


def test_band_change_after_year_30_compounds_at_3_percent():
    df = gb.discount_factors(np.arange(0, 80))
    assert df[30] == pytest.approx(1.035 ** -30, rel=1e-12)        # 0.35628...
    assert df[31] == pytest.approx(1.035 ** -30 / 1.03, rel=1e-12)  # the rate steps down, the factor is continuous
    assert df[75] == pytest.approx(1.035 ** -30 * 1.03 ** -45, rel=1e-12)
    assert df[76] == pytest.approx(df[75] / 1.025, rel=1e-12)
    assert round(df[30], 5) == 0.35628
    # the year-on-year ratio is the band's rate
    assert df[30] / df[31] == pytest.approx(1.03)
    assert df[29] / df[30] == pytest.approx(1.035)


def test_health_schedule_first_band():
    df = gb.discount_factors(np.array([10]), schedule=gb.STPR_HEALTH)[0]
    assert df == pytest.approx(1.015 ** -10)


def test_flat_rate_and_years_before_the_base():
    assert gb.discount_factors(np.array([3]), rate=0.05)[0] == pytest.approx(1 / 1.05 ** 3)
    assert gb.discount_factors(np.array([-2]))[0] == pytest.approx(1.035 ** 2)


def test_gdp_deflator_worked_example():
    # GBP 1,000 a year at a 2% deflator: 980, 961, 942, 924, 906 in years 1-5 (green-book.md)
    real = gb.real_prices(np.full(5, 1000.0), np.arange(1, 6), 0.02)
    assert np.round(real).tolist() == [980, 961, 942, 924, 906]


def test_optimism_bias_and_bcr():
    assert gb.optimism_bias_amount(np.array([10.0, 20.0]), 0.4).tolist() == pytest.approx([4.0, 8.0])
    assert gb.optimism_bias_amount(np.array([10.0, 20.0]), np.array([0.0, 0.5])).tolist() == [0.0, 10.0]
    assert gb.benefit_cost_ratio(150.0, 100.0) == 1.5
    assert gb.benefit_cost_ratio(1.0, 0.0) is None


def _inputs(costs, benefits, rate, deflator=0.0, ob=0.0, base=2018, revenue=None, ob_operating=None,
            decision=None, green_book_base=None):
    n = len(costs)
    return Inputs(fys=np.arange(2018, 2018 + n), capital_gbp_m=np.asarray(costs, float),
                  revenue_gbp_m=np.zeros(n) if revenue is None else np.asarray(revenue, float),
                  funding_gbp_m=np.zeros(n), benefits_real_gbp_m=np.asarray(benefits, float), base_year=base,
                  discount_rate=rate, gdp_deflator=deflator, optimism_bias_capital=ob,
                  optimism_bias_operating=ob if ob_operating is None else ob_operating, decision_fy=decision,
                  green_book_base_year=green_book_base)


def test_npv_by_hand():
    # -100 now, +60 in each of years 1 and 2 at 10%: -100 + 54.5454.. + 49.5867.. = 4.1322..
    a = appraise(_inputs([100, 0, 0], [0, 60, 60], rate=0.10))
    assert a.npv_gbp_m == pytest.approx(-100 + 60 / 1.1 + 60 / 1.21, abs=1e-12)
    assert round(a.npv_gbp_m, 4) == 4.1322


money = st.floats(min_value=-500, max_value=500, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(money, min_size=1, max_size=40), st.floats(min_value=0.0, max_value=0.2))
def test_npv_agrees_with_numpy_financial(net, rate):
    benefits = [max(x, 0.0) for x in net]
    costs = [max(-x, 0.0) for x in net]
    a = appraise(_inputs(costs, benefits, rate=rate))
    assert a.npv_gbp_m == pytest.approx(npf.npv(rate, net), rel=1e-9, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(st.lists(money, min_size=1, max_size=31))
def test_stpr_npv_agrees_with_numpy_financial_within_the_first_band(net):
    # years 0 to 30 are all in the first band, a flat 3.5%, so numpy-financial at 3.5% must agree
    benefits = [max(x, 0.0) for x in net]
    costs = [max(-x, 0.0) for x in net]
    a = appraise(_inputs(costs, benefits, rate=None))
    assert a.npv_gbp_m == pytest.approx(npf.npv(0.035, net), rel=1e-9, abs=1e-9)


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=1, max_value=400))
def test_discount_factors_decrease_and_follow_the_band_rate(t):
    df = gb.discount_factors(np.arange(t + 1))
    assert np.all(np.diff(df) < 0)
    assert df[t - 1] / df[t] == pytest.approx(1 + gb.stpr_rate(t))


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-50, max_value=50), st.floats(min_value=0.1, max_value=5),
       st.floats(min_value=0, max_value=3))
def test_brent_root_agrees_with_scipy(root, scale, curvature):
    from scipy.optimize import brentq

    from model.core.rootfind import brent_root

    def f(x):  # increasing (linear plus a non-negative cubic), with its only root at `root`
        return scale * (x - root) + curvature * 1e-3 * (x - root) ** 3

    lo, hi = root - 60.0, root + 70.0
    ours = brent_root(f, lo, hi, xtol=1e-12)
    assert ours == pytest.approx(brentq(f, lo, hi, xtol=1e-12), abs=1e-9)
    assert abs(f(ours)) < 1e-8


def test_brent_root_refuses_an_unbracketed_root():
    from model.core.rootfind import NoBracket, brent_root

    with pytest.raises(NoBracket):
        brent_root(lambda x: x * x + 1, -1.0, 1.0)


# --- the two appraisals: the paper's measure and the Green Book appraisal at the decision point ---------

def test_green_book_appraisal_by_hand():
    # FY18/19-FY21/22, decision in FY20/21 (at its start), 10% flat rate, no deflator.
    # capital 100, 50, 20, 0; revenue 10, 10, 10, 10; benefits 0, 0, 60, 80.
    # Optimism bias 50% on capital and 20% on revenue, from FY20/21 only:
    #   FY20/21 costs 20 x 1.5 + 10 x 1.2 = 42, net 18; FY21/22 costs 0 + 12 = 12, net 68.
    # Green Book, year 0 the decision year FY20/21: sunk = 110 + 60 = 170; NPV = 18 + 68 / 1.1 = 79.8182
    # Paper's measure, year 0 FY18/19: FY18/19 net -110, FY19/20 -60 (no uplift before the decision year):
    #   NPV = -110 - 60 / 1.1 + 18 / 1.1^2 + 68 / 1.1^3 = -98.5800
    i = _inputs([100, 50, 20, 0], [0, 0, 60, 80], rate=0.10, revenue=[10, 10, 10, 10], ob=0.5,
                ob_operating=0.2, decision=2020)
    g, p = green_book(i), appraise(i)
    assert g.sunk_costs_gbp_m == 170.0 and p.sunk_costs_gbp_m == 0.0
    assert g.fys.tolist() == [2020, 2021] and g.t.tolist() == [0, 1] and g.base_year == 2020
    assert g.costs_real_gbp_m.tolist() == pytest.approx([42.0, 12.0])
    assert g.optimism_bias_gbp_m.tolist() == pytest.approx([12.0, 2.0])
    assert g.npv_gbp_m == pytest.approx(18 + 68 / 1.1, abs=1e-12)
    assert round(g.npv_gbp_m, 4) == 79.8182
    assert p.costs_real_gbp_m.tolist() == pytest.approx([110.0, 60.0, 42.0, 12.0])
    assert p.npv_gbp_m == pytest.approx(-110 - 60 / 1.1 + 18 / 1.1 ** 2 + 68 / 1.1 ** 3, abs=1e-12)
    assert round(p.npv_gbp_m, 4) == -98.5800
    assert g.pv_costs_gbp_m == pytest.approx(42 + 12 / 1.1, abs=1e-12)
    assert g.bcr == pytest.approx((60 + 80 / 1.1) / (42 + 12 / 1.1), rel=1e-12)
    # with the paper's year 0 declared for it (appraisal.base_year), the old figure: 18 / 1.21 + 68 / 1.331
    g18 = green_book(_inputs([100, 50, 20, 0], [0, 0, 60, 80], rate=0.10, revenue=[10, 10, 10, 10], ob=0.5,
                             ob_operating=0.2, decision=2020, green_book_base=2018))
    assert round(g18.npv_gbp_m, 4) == 65.9654


cash = st.lists(st.floats(min_value=0, max_value=500, allow_nan=False, allow_infinity=False), min_size=10,
                max_size=10)
rates = st.floats(min_value=0.0, max_value=3.0)


@settings(max_examples=100, deadline=None)
@given(cash, cash, cash, rates, st.one_of(st.none(), st.floats(0.0, 0.15)), st.floats(0.0, 0.1))
def test_decision_in_the_first_year_makes_the_two_appraisals_equal(capital, revenue, benefits, ob, rate,
                                                                    deflator):
    # no sunk years: the Green Book appraisal is the paper's measure, exactly
    i = _inputs(capital, benefits, rate, deflator=deflator, revenue=revenue, ob=ob, decision=2018)
    g, p = green_book(i), appraise(i)
    assert g.sunk_costs_gbp_m == 0.0
    assert g.npv_gbp_m == p.npv_gbp_m
    assert g.pv_gbp_m.tolist() == p.pv_gbp_m.tolist()


@settings(max_examples=150, deadline=None)
@given(cash, cash, cash, rates, rates, st.integers(2018, 2027), st.one_of(st.none(), st.floats(0.0, 0.15)),
       st.floats(0.0, 0.1))
def test_optimism_bias_leaves_every_year_before_the_decision_year_unchanged(capital, revenue, benefits, ob_c, ob_o,
                                                                            decision, rate, deflator):
    plain = appraise(_inputs(capital, benefits, rate, deflator=deflator, revenue=revenue, decision=decision))
    biased = appraise(_inputs(capital, benefits, rate, deflator=deflator, revenue=revenue, ob=ob_c,
                              ob_operating=ob_o, decision=decision))
    before = plain.fys < decision
    for name in ("costs_real_gbp_m", "net_real_gbp_m", "pv_gbp_m"):
        assert getattr(biased, name)[before].tolist() == getattr(plain, name)[before].tolist(), name
    assert not biased.optimism_bias_gbp_m[before].any()
    # from the decision year on: capital at its rate, revenue at its own
    after = ~before
    expected = plain.capital_real_gbp_m[after] * ob_c + plain.revenue_real_gbp_m[after] * ob_o
    assert biased.optimism_bias_gbp_m[after] == pytest.approx(expected, rel=1e-12, abs=1e-12)
    # and the Green Book appraisal's sunk costs are the nominal costs of the years before it
    g = green_book(_inputs(capital, benefits, rate, deflator=deflator, revenue=revenue, ob=ob_c,
                           ob_operating=ob_o, decision=decision, green_book_base=2018))
    assert g.sunk_costs_gbp_m == pytest.approx(sum(c + r for c, r, y in zip(capital, revenue, range(2018, 2028))
                                                   if y < decision), abs=1e-9)
    assert g.npv_gbp_m == pytest.approx(float(biased.pv_gbp_m[after].sum()), abs=1e-9)

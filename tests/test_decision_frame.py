"""The frame of the Green Book appraisal at the decision point, worked by hand: year 0 and the price
base at the decision year, the decision year split by month, committed costs in every option alike,
the service life and a residual value (green-book.md, "The decision point in full")."""

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.analysis.uncertainty import Engine
from model.core import decision_frame as frame
from model.core.appraisal import Inputs, appraise, green_book
from model.core.results import results
from model.core.scenario import load_scenario


def _inputs(capital, benefits, rate, *, first=2018, deflator=0.0, revenue=None, ob=0.0, base=None,
            decision=None, **frame_fields):
    n = len(capital)
    return Inputs(fys=np.arange(first, first + n), capital_gbp_m=np.asarray(capital, float),
                  revenue_gbp_m=np.zeros(n) if revenue is None else np.asarray(revenue, float),
                  funding_gbp_m=np.zeros(n), benefits_real_gbp_m=np.asarray(benefits, float),
                  base_year=first if base is None else base, discount_rate=rate, gdp_deflator=deflator,
                  optimism_bias_capital=ob, optimism_bias_operating=ob, decision_fy=decision, **frame_fields)


# --- year 0 and the price base at the decision year ---------------------------------------------------

def test_rebasing_to_the_decision_year_on_a_three_year_case():
    # FY18/19-FY20/21, the paper's base FY18/19, decision FY19/20 (at its start), deflator 2%, flat 10%.
    # Capital in cash 100, 51, 52.02; benefits in FY18/19 prices 0, 60, 80.
    # Paper's measure (FY18/19 = year 0): costs real 100, 50, 50; net -100, 10, 30;
    #   NPV = -100 + 10 / 1.1 + 30 / 1.21 = -66.1157
    # Green Book (FY19/20 = year 0, FY19/20 prices): costs 51 / 1.02^0 = 51 and 52.02 / 1.02 = 51;
    #   benefits 60 x 1.02 = 61.2 and 80 x 1.02 = 81.6; net 10.2, 30.6; NPV = 10.2 + 30.6 / 1.1 = 38.0182
    i = _inputs([100, 51, 52.02], [0, 60, 80], 0.10, deflator=0.02, decision=2019)
    p, g = appraise(i), green_book(i)
    assert round(p.npv_gbp_m, 4) == -66.1157 and p.base_year == 2018
    assert g.base_year == 2019 and g.t.tolist() == [0, 1] and g.sunk_costs_gbp_m == pytest.approx(100.0)
    assert g.costs_real_gbp_m.tolist() == pytest.approx([51.0, 51.0])
    assert g.benefits_real_gbp_m.tolist() == pytest.approx([61.2, 81.6])
    assert g.npv_gbp_m == pytest.approx(10.2 + 30.6 / 1.1, abs=1e-12)
    assert round(g.npv_gbp_m, 4) == 38.0182
    # a declared base year still rules: FY18/19 prices and discounting give 10 / 1.1 + 30 / 1.21 = 33.8843,
    # the same money as before, 1.02 x 1.1 = 1.122 times smaller
    old = green_book(_inputs([100, 51, 52.02], [0, 60, 80], 0.10, deflator=0.02, decision=2019,
                             green_book_base_year=2018))
    assert round(old.npv_gbp_m, 4) == 33.8843
    assert g.npv_gbp_m == pytest.approx(old.npv_gbp_m * 1.02 * 1.1, rel=1e-12)


def test_real_price_costs_are_rebased_too():
    # costs already in FY18/19 prices (price_basis real): 50 in FY19/20 is 50 x 1.02 = 51 FY19/20 pounds
    i = _inputs([0, 50], [0, 0], 0.10, deflator=0.02, decision=2019, costs_in_real_prices=True)
    assert green_book(i).costs_real_gbp_m.tolist() == pytest.approx([51.0])


# --- the decision year split by month -----------------------------------------------------------------

@pytest.mark.parametrize("month, to_come", [(4, 12), (5, 11), (12, 4), (1, 3), (3, 1)])
def test_share_of_the_decision_year_to_come_by_month(month, to_come):
    # April is month 0 of the year: a decision in December leaves December to March, 4 months of 12
    year = 2023 if month >= 4 else 2024
    assert frame.share_to_come(dt.date(year, month, 1)) == to_come / 12
    assert frame.share_to_come(None) == 1.0


def test_december_decision_makes_eight_twelfths_of_the_year_sunk():
    # FY23/24 and FY24/25, capital 12 and 6, decision December 2023, no deflator, 0%: sunk 12 x 8/12 = 8;
    # counted 4 and 6; benefits 3 and 9 (FY23/24's pro rata too, 1 of them); NPV = 1 + 9 - 4 - 6 = 0
    i = _inputs([12, 6], [3, 9], 0.0, first=2023, decision=2023,
                decision_share=frame.share_to_come(dt.date(2023, 12, 7)))
    g = green_book(i)
    assert g.sunk_costs_gbp_m == pytest.approx(8.0)
    assert g.capital_gbp_m.tolist() == pytest.approx([4.0, 6.0])
    assert g.benefits_real_gbp_m.tolist() == pytest.approx([1.0, 9.0])
    assert g.npv_gbp_m == pytest.approx(0.0, abs=1e-12)


def test_a_line_that_says_when_it_falls():
    # training from November to February, decision in December: 1 month of 4 gone, 3/4 to come
    assert frame.timed_share_to_come(dt.date(2023, 11, 1), dt.date(2024, 2, 1), dt.date(2023, 12, 1)) == 0.75
    # a replan from July to February: July-November gone, 3/8 to come
    assert frame.timed_share_to_come(dt.date(2023, 7, 1), dt.date(2024, 2, 1), dt.date(2023, 12, 1)) == 0.375
    # all before the decision: all sunk; all after it: all to come
    assert frame.timed_share_to_come(dt.date(2023, 4, 1), dt.date(2023, 6, 1), dt.date(2023, 12, 1)) == 0.0
    assert frame.timed_share_to_come(dt.date(2024, 1, 1), dt.date(2024, 3, 1), dt.date(2023, 12, 1)) == 1.0


def test_connect_fbc3_decision_year_by_hand():
    # FBC3's FY23/24 lines: the training (29.409) and its overtime (2.0) fall November-February (3/4 to
    # come), the replan (capital 15.949, revenue 5.928) July-February (3/8); the rest pro rata (4/12)
    loaded = load_scenario("fbc3")
    g = results(loaded)["green_book"]
    fy2324 = g["cashflows"][0]
    assert fy2324["fy"] == "FY23/24" and fy2324["t"] == 0
    capital = (22.827 - 15.949) / 3 + 15.949 * 3 / 8
    revenue = (38.374 - 29.409 - 2.0 - 5.928) / 3 + (29.409 + 2.0) * 3 / 4 + 5.928 * 3 / 8
    fbc1, fbc2 = 8.0, 29.2 * 0.5 * 0.2 + 29.2 * 0.5 * 0.2   # FBC1's run cost; FBC2's FY23/24 capital and revenue
    assert fy2324["capital_gbp_m"] == pytest.approx(capital + 2.92 / 3, abs=1e-9)
    assert fy2324["revenue_gbp_m"] == pytest.approx(revenue + (fbc1 + 2.92) / 3, abs=1e-9)
    paper_fy2324 = results(loaded)["cashflows"][5]
    assert paper_fy2324["capital_gbp_m"] + paper_fy2324["revenue_gbp_m"] == pytest.approx(
        22.827 + 38.374 + fbc1 + fbc2, abs=1e-9)
    assert g["decision_date"] == "2023-12" and g["base_year"] == "FY23/24" and not g["base_year_declared"]
    assert g["sunk_costs_gbp_m"] == pytest.approx(
        results(loaded)["tco_gbp_m"] - sum(r["capital_gbp_m"] + r["revenue_gbp_m"] for r in g["cashflows"]), abs=1e-9)


# --- committed costs ----------------------------------------------------------------------------------

def test_committed_costs_are_in_every_option_alike():
    # FY20/21-FY21/22, decision FY20/21, 10%, no deflator, optimism bias 50%. Capital 0 and 20, of which
    # 5 in FY21/22 is committed at the decision. Preferred: 5 + 15 x 1.5 = 27.5 in FY21/22 (no uplift on
    # a contracted sum); an option that cuts the line still pays the 5. NPV -27.5 / 1.1 and -5 / 1.1.
    committed = np.array([0.0, 5.0])
    pref = green_book(_inputs([0, 20], [0, 0], 0.10, first=2020, ob=0.5, decision=2020,
                              committed_capital_gbp_m=committed))
    cut = green_book(_inputs([0, 0], [0, 0], 0.10, first=2020, ob=0.5, decision=2020,
                             committed_capital_gbp_m=committed))
    assert pref.costs_real_gbp_m.tolist() == pytest.approx([0.0, 27.5])
    assert pref.optimism_bias_gbp_m.tolist() == pytest.approx([0.0, 7.5])
    assert cut.costs_real_gbp_m.tolist() == pytest.approx([0.0, 5.0])
    assert pref.committed_total_gbp_m == cut.committed_total_gbp_m == 5.0
    assert pref.npv_gbp_m == pytest.approx(-27.5 / 1.1) and cut.npv_gbp_m == pytest.approx(-5 / 1.1)
    # the comparison turns on what the decision can still change only: 15 x 1.5 = 22.5
    assert cut.npv_gbp_m - pref.npv_gbp_m == pytest.approx(22.5 / 1.1)


def _add_after(path, anchor: str, text: str) -> None:
    body = path.read_text()
    assert body.count(anchor) == 1, anchor
    path.write_text(body.replace(anchor, anchor + text))


TRAINING_SOURCE = '        source: "001_86d069ffb4d8e356.txt, Table 2, row Change in Delivery Training"\n'
COMMIT_10 = ('        committed:\n          by_fy: {FY23/24: 10.0}\n          assumption: true\n'
             '          why: "Test value"\n')


def test_committed_amount_follows_into_the_do_minimum(params_copy):
    # 10.0 of FBC3's FY23/24 training committed at the decision: FBC3's costs do not change (3/4 x 29.409
    # = 22.057 to come, of which 10 committed), but the do-minimum, which drops the training, now bears
    # the 10, at year 0 in FY23/24 prices: its Green Book NPV falls by exactly 10
    before = {n: results(load_scenario(n, params_copy))["green_book"] for n in ("fbc3", "do_minimum")}
    _add_after(params_copy / "fbc3.yaml", TRAINING_SOURCE, COMMIT_10)
    after = {n: results(load_scenario(n, params_copy))["green_book"] for n in ("fbc3", "do_minimum")}
    assert after["fbc3"]["committed_gbp_m"] == after["do_minimum"]["committed_gbp_m"] == 10.0
    assert after["fbc3"]["npv_gbp_m"] == pytest.approx(before["fbc3"]["npv_gbp_m"], abs=1e-9)
    assert after["do_minimum"]["npv_gbp_m"] == pytest.approx(before["do_minimum"]["npv_gbp_m"] - 10.0, abs=1e-9)
    for name in ("fbc3", "do_minimum"):   # the uncertainty engine sees the same frame
        loaded = load_scenario(name, params_copy)
        assert Engine.from_loaded(loaded).npv({})[0] == pytest.approx(after[name]["npv_gbp_m"], abs=1e-9)


# --- the service life and a residual value -------------------------------------------------------------

def test_service_life_extension_by_hand():
    # FY20/21-FY21/22, decision FY20/21, 10%; revenue 10 a year, benefits 0 and 30; service life to FY23/24:
    # FY22/23 and FY23/24 repeat FY21/22 (10 of running cost, 30 of benefits).
    # With: -10 + 20 / 1.1 + 20 / 1.21 + 20 / 1.331 = 39.7370; without: -10 + 20 / 1.1 = 8.1818
    i = _inputs([0, 0], [0, 30], 0.10, first=2020, revenue=[10, 10], decision=2020, service_life_to=2023)
    g, plain = green_book(i), green_book(i, extended=False)
    assert g.fys.tolist() == [2020, 2021, 2022, 2023] and g.extension_years == 2
    assert g.npv_gbp_m == pytest.approx(-10 + 20 / 1.1 + 20 / 1.21 + 20 / 1.331, abs=1e-12)
    assert round(g.npv_gbp_m, 4) == 39.7370 and round(plain.npv_gbp_m, 4) == 8.1818
    # the extension takes the optimism bias of running costs: at 20%, 12 a year in every year
    biased = green_book(_inputs([0, 0], [0, 30], 0.10, first=2020, revenue=[10, 10], decision=2020, ob=0.2,
                                service_life_to=2023))
    assert biased.costs_real_gbp_m.tolist() == pytest.approx([12.0] * 4)
    # the paper's measure is untouched
    assert appraise(i).fys.tolist() == [2020, 2021]


def test_service_life_continues_at_the_last_real_level():
    # at a 10% deflator, cash 10 then 11 is 10 a year in FY20/21 prices; the extension is 10 real (12.1 cash)
    i = _inputs([0, 0], [0, 0], 0.0, first=2020, revenue=[10, 11], deflator=0.10, decision=2020,
                service_life_to=2022)
    g = green_book(i)
    assert g.revenue_real_gbp_m.tolist() == pytest.approx([10.0, 10.0, 10.0])
    assert g.revenue_gbp_m.tolist() == pytest.approx([10.0, 11.0, 12.1])


def test_residual_value_by_hand():
    # as above without the extension, and a residual value of 11 in FY21/22's cash at a 10% deflator:
    # 10 in FY20/21 prices, a benefit of the last year: NPV = -10 + (30 - 10) / 1.1 + 10 / 1.1 = 17.2727
    i = _inputs([0, 0], [0, 30], 0.10, first=2020, revenue=[10, 11], deflator=0.10, decision=2020,
                residual_value_gbp_m=11.0)
    g, plain = green_book(i), green_book(i, extended=False)
    assert g.residual_value_real_gbp_m == pytest.approx(10.0)
    assert g.npv_gbp_m == pytest.approx(-10 + 20 / 1.1 + 10 / 1.1, abs=1e-12)
    assert round(g.npv_gbp_m, 4) == 17.2727
    assert plain.npv_gbp_m == pytest.approx(-10 + 20 / 1.1, abs=1e-12)


def test_connect_with_a_declared_service_life(params_copy):
    # a service life to FY32/33 (five more years) on FBC3: the headline uses it, the book shows both
    _add_after(params_copy / "fbc3.yaml", "    note: \"Within FY23/24 the decision date splits the year: see decision_date\"\n",
               '  service_life_to: {label: Test service life, value: 2032, unit: fy_start, assumption: true, why: "Test value"}\n')
    loaded = load_scenario("fbc3", params_copy)
    g = results(loaded)["green_book"]
    plain = results(load_scenario("fbc3"))["green_book"]
    assert g["period_closure"] == "service_life" and g["service_life_to"] == "FY32/33"
    assert g["npv_without_closure_gbp_m"] == pytest.approx(plain["npv_gbp_m"], abs=1e-9)
    rows = g["cashflows"]
    assert [r["fy"] for r in rows[-6:]] == ["FY27/28", "FY28/29", "FY29/30", "FY30/31", "FY31/32", "FY32/33"]
    last = rows[-6]
    for r in rows[-5:]:
        assert r["benefits_real_gbp_m"] == pytest.approx(last["benefits_real_gbp_m"], rel=1e-12)
        assert r["capital_gbp_m"] == 0.0
        assert r["costs_real_gbp_m"] == pytest.approx(
            last["costs_real_gbp_m"] - next(x for x in rows if x["fy"] == "FY27/28")["capital_gbp_m"]
            / 1.02 ** 4, rel=1e-9)
    assert g["npv_gbp_m"] == pytest.approx(
        plain["npv_gbp_m"] + sum(r["pv_gbp_m"] for r in rows[-5:]), abs=1e-9)
    assert Engine.from_loaded(loaded).npv({})[0] == pytest.approx(g["npv_gbp_m"], abs=1e-9)


# --- properties ---------------------------------------------------------------------------------------

cash = st.lists(st.floats(min_value=0, max_value=500, allow_nan=False, allow_infinity=False), min_size=10,
                max_size=10)


@settings(max_examples=100, deadline=None)
@given(cash, cash, cash, st.floats(0.0, 3.0), st.one_of(st.none(), st.floats(0.0, 0.15)), st.floats(0.0, 0.1))
def test_decision_in_the_first_month_of_the_first_year_gives_the_papers_measure(capital, revenue, benefits, ob,
                                                                                rate, deflator):
    # April of the first year: nothing sunk, year 0 the same for both; no committed costs, no service life
    i = _inputs(capital, benefits, rate, deflator=deflator, revenue=revenue, ob=ob, decision=2018,
                decision_share=frame.share_to_come(dt.date(2018, 4, 1)))
    g, p = green_book(i), appraise(i)
    assert g.sunk_costs_gbp_m == 0.0 and g.base_year == p.base_year == 2018
    assert g.npv_gbp_m == pytest.approx(p.npv_gbp_m, rel=1e-12, abs=1e-9)
    assert g.pv_gbp_m == pytest.approx(p.pv_gbp_m, rel=1e-12, abs=1e-9)


positive = st.floats(min_value=0.01, max_value=500, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(positive, min_size=1, max_size=5), st.lists(positive, min_size=1, max_size=25),
       st.floats(0.0, 0.2), st.floats(0.0, 0.2), st.floats(0.0, 0.05))
def test_npv_falls_as_the_rate_rises_when_costs_come_first(costs, benefits, r1, r2, deflator):
    # Costs in the first years from the decision (year 0 on), benefits after them. The value at the first
    # benefit year, FV(r) = sum B (1+r)^(k-t) - sum C (1+r)^(k-t), falls as r rises, so wherever the NPV
    # at the higher rate is not negative, the lower rate gives at least as much. (Where the NPV is
    # negative a higher rate can raise it: -100 in year 1 and +1 in year 2 is -90.1 at 10% and -86.2 at
    # 15%, the next test. With all the costs in year 0 the NPV falls at every rate.)
    lo, hi = sorted((r1, r2))
    n = len(costs) + len(benefits)
    capital = np.concatenate([costs, np.zeros(len(benefits))])
    flows = np.concatenate([np.zeros(len(costs)), benefits])

    def npv(rate):
        return green_book(_inputs(capital * (1 + deflator) ** np.arange(n), flows, rate, first=2023,
                                  deflator=deflator, decision=2023)).npv_gbp_m

    if npv(hi) >= 0:
        assert npv(lo) >= npv(hi) - 1e-9
    # all costs at year 0: the NPV falls whatever its sign
    single = np.zeros(n)
    single[0] = sum(costs)
    at_zero = [green_book(_inputs(single, flows, r, first=2023, decision=2023)).npv_gbp_m for r in (lo, hi)]
    assert at_zero[0] >= at_zero[1] - 1e-9


def test_a_negative_npv_can_rise_with_the_rate():
    lo = green_book(_inputs([0, 100, 0], [0, 0, 1], 0.10, decision=2018)).npv_gbp_m
    hi = green_book(_inputs([0, 100, 0], [0, 0, 1], 0.15, decision=2018)).npv_gbp_m
    assert round(lo, 1) == -90.1 and round(hi, 1) == -86.2 and hi > lo

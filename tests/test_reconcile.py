"""The reconciliation finds what a careful reader finds."""

import pytest

from model.reconcile import STATUSES, compare, half_unit, reconcile_all, summary

from .conftest import PARAMS


@pytest.fixture(scope="module")
def checks():
    return {c.id: c for c in reconcile_all(PARAMS)}


def test_every_check_is_complete(checks):
    for c in checks.values():
        assert c.status in STATUSES
        assert c.id and c.description and c.sources and all(c.sources)
        if c.status == "explained":
            assert c.explanation


def test_reserves_netted_off_are_explained(checks):
    # training: 29.409 gross - 25.900 reserve = 3.509 (paras 5b and 14a)
    c = checks["narrative.training_revenue_p14"]
    assert (c.published, c.computed, c.status) == (3.509, 29.409, "explained")
    assert "25.900" in c.explanation
    # scope: 10.949 gross - 0.270 Splunk reserve = 10.679 (paras 5a and 14c)
    assert checks["narrative.scope_revenue_p5"].status == "explained"


def test_known_discrepancies(checks):
    # para 5d says 33.889 for post-go-live revenue; the S&G rows add to 28.325 (para 14d: 28.326)
    c = checks["narrative.post_go_live_revenue_p5"]
    assert c.status == "discrepancy" and c.published == 33.889 and c.computed == 28.325
    # para 22's GBP 23.3m against Table 1's 23.092
    assert checks["narrative.post_go_live_capital_p22"].status == "discrepancy"
    # 22,500 / 23,500 / 223,500 users
    c = checks["fact.training_users"]
    assert c.status == "discrepancy" and "223500" in c.explanation and len(c.sources) == 6
    # Drop 1: November 2022 against November 2021
    assert checks["fact.drop1_go_live"].status == "discrepancy"
    # FBC1 approved in May 2018 (FBC2) or April 2018 (FBC3)
    assert checks["fact.fbc1_approval"].status == "discrepancy"
    # NEC uplift: 22.048 (decision 1) against 38.3 (para 12)
    assert checks["fact.nec_fbc3_uplift"].difference == pytest.approx(16.252)
    # 2.5 years behind against 19 + 14 + 9 = 42 months
    c = checks["dates.behind_schedule"]
    assert (c.published, c.computed, c.status) == (30.0, 42.0, "discrepancy")
    # hypercare: 27 Feb + 6 weeks is 9 April; the report says 12 April (45 days)
    assert checks["dates.hypercare_length"].computed == 45


def test_contract_arithmetic(checks):
    # FBC2: 44.1 -> 65.3 is 21.2 / 44.1 = 48.07%, printed 48%
    c = checks["contract.nec_mips_implementation.fbc2.pct_of_previous"]
    assert c.computed == pytest.approx(48.0726, abs=1e-4) and c.status == "rounding"
    # FBC3: 65.3 + 22.048 = 87.348 against the printed 87.344 (65.3 is itself rounded)
    c = checks["contract.nec_mips_implementation.fbc3.new_value"]
    assert c.computed == pytest.approx(87.348) and c.status == "rounding"
    # 22.048 / 44.1 = 49.995% of the original, printed 50%
    assert checks["contract.nec_mips_implementation.fbc3.pct_of_original"].status == "rounding"
    # EY: 0.249 / (0.748 - 0.249) = 49.9%, printed 50%
    c = checks["contract.ey_programme_director.fbc3.pct_of_original"]
    assert c.computed == pytest.approx(100 * 0.249 / 0.499)


def test_narrative_sums(checks):
    # para 14 + overtime: 3.509 + 6.522 + 10.679 + 28.326 + 5.659 + 2.000 = 56.695 against 56.694
    assert checks["narrative_sum.revenue_p14"].status == "rounding"
    # para 5 with 33.889 adds to 62.258
    assert checks["narrative_sum.revenue_p5"].computed == pytest.approx(62.258)
    assert checks["narrative_sum.capital_p14"].status == "ok"


def test_calibrated_npvs_are_reported_as_explained(checks):
    for sid, published in (("npv.fbc1", 214.7), ("npv.fbc3", -144.63)):
        c = checks[sid]
        assert c.status == "explained" and c.published == published
        assert c.computed == pytest.approx(published, abs=1e-6)
        assert "calibration" in c.explanation


def test_compare_statuses():
    assert compare("x", "", 1.0, 1.0, ["s"]).status == "ok"
    assert compare("x", "", 1.0, 1.001, ["s"]).status == "rounding"
    assert compare("x", "", 1.0, 1.0011, ["s"]).status == "discrepancy"
    assert compare("x", "", 1.0, 2.0, ["s"], explained_by="why").status == "explained"
    assert half_unit(65.3) == pytest.approx(0.05) and half_unit(48) == 0.5


def test_summary_counts_every_check():
    cs = reconcile_all(PARAMS)
    counts = summary(cs)
    assert sum(counts.values()) == len(cs) >= 90
    assert counts["discrepancy"] >= 10

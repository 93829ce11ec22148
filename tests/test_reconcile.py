"""The reconciliation finds what a careful reader finds."""

import pytest

from model.analysis.reconcile import STATUSES, compare, half_unit, reconcile_all, summary

from .conftest import PARAMS

# the tests of this file share a module fixture: they run in one process under `pytest -n` (--dist loadgroup)
pytestmark = pytest.mark.xdist_group("test_reconcile")



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


# --- findings ------------------------------------------------------------------------------------------

def test_check_json_lists_every_finding_with_class_severity_and_sources():
    import re

    from model.core.schema import FINDING_CLASSES, SEVERITIES

    from .conftest import cli_json

    data = cli_json("check")
    found = [c for c in data["checks"] if c["class"] is not None]
    source = re.compile(r"^\d{3}_[0-9a-f]{16}\.txt, \S")
    for c in found:
        assert c["class"] in FINDING_CLASSES and c["severity"] in SEVERITIES, c
        assert c["sources"] and all(source.match(s) for s in c["sources"]), c
        assert c["model_uses"] and c["unresolved"] in (True, False)
    # every check that differs, explained or not, is a classified finding
    assert all(c["class"] for c in data["checks"] if c["status"] in ("discrepancy", "explained"))
    summary = data["findings"]
    assert summary["total"] == len(found) == sum(summary["by_severity"].values()) == sum(summary["by_class"].values())
    assert summary["by_class"]["misaligned_columns"] == 2 and summary["by_severity"]["numbers"] >= 8


def test_the_misprinted_tables_and_the_reserve_are_findings(checks):
    header = checks["finding.table2_header_shifted"]
    assert (header.finding_class, header.severity, header.status) == ("misaligned_columns", "numbers", "discrepancy")
    assert "001_86d069ffb4d8e356.txt, Table 2, header row" in header.sources
    total_row = checks["finding.table1_total_row_shifted"]
    assert total_row.finding_class == "misaligned_columns" and total_row.severity == "presentation"
    # the Splunk reserve: -0.270 in FY22/23, where the scope factor it funds has no cost at all
    reserve = checks["finding.splunk_reserve_without_cost.FY22/23"]
    assert (reserve.published, reserve.computed, reserve.status) == (-0.27, 0.0, "discrepancy")
    assert reserve.finding_class == "observation" and reserve.unresolved is True
    # the training reserve funds a year that has the training cost in it: not a finding
    assert not any(k.startswith("finding.training_reserve") for k in checks)


def test_generic_finding_rules_compute():
    from model.analysis.reconcile import finding_check
    from model.core.schema import Finding

    def one(**kw):
        base = {"label": "x", "class": "typo", "severity": "presentation", "model_uses": "y"}
        return finding_check("t", Finding.model_validate({**base, **kw}), None)[0]

    src = "001_86d069ffb4d8e356.txt, Table 2"
    # sum: the Other row with -0.392 adds to its printed 5.658; with +0.392 it would not
    parts = [{"value": v, "source": src} for v in (-0.392, 2.408, 1.217, 1.117, 1.308)]
    ok = one(rule="sum", unit="gbp_m", parts=parts, total={"value": 5.658, "source": src},
             statements=[{"value": "x", "source": src}])
    assert ok.status == "explained" and ok.computed == pytest.approx(5.658)
    parts[0]["value"] = 0.392
    bad = one(rule="sum", unit="gbp_m", parts=parts, total={"value": 5.658, "source": src},
              statements=[{"value": "x", "source": src}])
    assert bad.status == "discrepancy" and bad.difference == pytest.approx(0.784)
    # restatement: equal within half a unit of the last printed place, else a discrepancy
    same = one(rule="restatement", unit="gbp_m", statements=[{"value": 65.3, "source": src}, {"value": 65.3, "source": src}])
    differ = one(rule="restatement", unit="gbp_m", statements=[{"value": 22.048, "source": src}, {"value": 38.3, "source": src}])
    assert same.status == "explained" and differ.status == "discrepancy" and differ.difference == pytest.approx(16.252)
    # date order: July 2023 before May 2023 is out of order
    order = one(rule="date_order", unit="date", statements=[{"value": "2023-07", "source": src}, {"value": "2023-05", "source": src}])
    assert order.status == "discrepancy"
    assert one(rule="date_order", unit="date", statements=[{"value": "2023-05", "source": src},
                                                           {"value": "2024-02", "source": src}]).status == "explained"


def test_findings_change_no_published_figure(checks):
    from model.core.scenario import load_scenario

    s = load_scenario("fbc3", PARAMS).scenario
    assert s.contracts["nec_mips_implementation"].modifications["fbc3"].uplift_gbp_m.value == 22.048
    assert s.costs["fbc3_revenue_request"].published_totals.gross_total == 82.864
    assert s.costs["fbc3_revenue_request"].funding_sources["splunk_reserve"].by_fy == {"FY22/23": -0.27}
    assert s.facts["training_users"].value == 22500


def test_classify_must_name_a_check(params_copy):
    from .conftest import run_cli

    path = params_copy / "fbc3.yaml"
    head, tail = path.read_text().split("\nclassify:\n")  # the classification, not the check it classifies
    path.write_text(head + "\nclassify:\n" + tail.replace("  dates.hypercare_length:\n", "  dates.hypercare_lenght:\n", 1))
    proc = run_cli("check", "--params", str(params_copy))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "classify.dates.hypercare_lenght" in proc.stderr and "did you mean dates.hypercare_length?" in proc.stderr


def _declared(scenario, cid, label="x {n:g}", **spec):
    from model.analysis.reconcile import declared_check
    from model.core.schema import DeclaredCheck

    return declared_check(cid, DeclaredCheck.model_validate({"label": label, **spec}), scenario)


def test_declared_checks_compute_days_months_and_scaled_parameters():
    from model.core.scenario import load_scenario

    s = load_scenario("fbc3", PARAMS).scenario
    # 27 February 2024 to 12 April 2024: 2 + 31 + 12 = 45 days (2024 is a leap year); 6 weeks x 7 = 42
    c = _declared(s, "t", total={"key": "delivery.hypercare_weeks", "scale": 7},
                  parts=[{"days": ["milestones.drop2_go_live", "milestones.hypercare_end"], "name": "n"}],
                  tolerance=0)
    assert (c.published, c.computed, c.status, c.description) == (42.0, 45.0, "discrepancy", "x 45")
    # May 2023 to February 2024: 9 calendar months; with 19 + 14 from FBC2, 42 against 2.5 x 12 = 30
    c = _declared(s, "t", total={"key": "delays.behind_schedule_years", "scale": 12},
                  parts=[{"key": "delays.delays_1_and_2_months"}, {"key": "delays.delay_3_months"},
                         {"months": ["delays.drop2_previous_date", "milestones.drop2_go_live"], "name": "n"}],
                  tolerance=0)
    assert (c.published, c.computed, c.description) == (30.0, 42.0, "x 9")
    # a date written out, and a date plus weeks: 23 November 2023 + 12 weeks = 15 February 2024, month
    # 289 after January 2000, as is the stated February 2024
    c = _declared(s, "t", total={"months": [{"date": "2000-01"}, "milestones.training_end"]},
                  parts=[{"months": [{"date": "2000-01"}, {"key": "milestones.training_start",
                                                          "plus_weeks": "delivery.training_duration_weeks",
                                                          "name": "n"}]}], tolerance=0, label="x {n}")
    assert (c.published, c.computed, c.status, c.description) == (289.0, 289.0, "ok", "x 2024-02-15")


def test_declared_check_fall_in_a_factor_and_explained_difference():
    from model.core.scenario import load_scenario

    s = load_scenario("fbc3", PARAMS).scenario
    block = s.costs["fbc3_revenue_request"]
    lines = [ln for ln in block.lines.values() if ln.factor == "post_go_live_support"]
    first = sum(ln.by_fy.get("FY24/25", 0.0) for ln in lines)
    last = sum(ln.by_fy.get("FY27/28", 0.0) for ln in lines)
    c = _declared(s, "t", total={"key": "delivery.support_ramp_down_pct"},
                  parts=[{"fall_pct": {"table": "fbc3_revenue_request", "factor": "post_go_live_support"},
                          "name": "n"}], tolerance="half_unit", explained_by="why")
    assert c.computed == pytest.approx(100 * (first - last) / first) and c.tolerance == 0.5
    assert (c.status, c.explanation) == ("explained", "why")


def test_a_declared_check_whose_date_is_blank_is_not_made():
    from model.core.scenario import load_scenario

    s = load_scenario("do_minimum", PARAMS).scenario  # Drop 2 never goes live in this option
    assert s.milestones["drop2_go_live"].value is None
    assert _declared(s, "t", total={"key": "delivery.hypercare_weeks", "scale": 7},
                     parts=[{"days": ["milestones.drop2_go_live", "milestones.hypercare_end"], "name": "n"}]) is None
    assert "dates.hypercare_length" not in {c.id for c in __import__("model.analysis.reconcile", fromlist=["x"])
                                            .reconcile(load_scenario("do_minimum", PARAMS))}


def test_a_declared_check_must_read_parameters_that_exist(params_copy):
    from .conftest import run_cli

    path = params_copy / "fbc3.yaml"
    text = path.read_text()
    old = "    total: {key: delivery.hypercare_weeks, scale: 7}\n"
    assert text.count(old) == 1
    path.write_text(text.replace(old, "    total: {key: delivery.hypercare_week, scale: 7}\n"))
    line = text[:text.index("  dates.hypercare_length:\n")].count("\n") + 1
    proc = run_cli("results", "fbc3", "--params", str(params_copy))
    err = proc.stderr.strip()
    assert proc.returncode == 2 and len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert f"fbc3.yaml:{line}" in err and "checks.dates.hypercare_length" in err
    assert "'delivery.hypercare_week', which is not a parameter" in err

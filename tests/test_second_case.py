"""A second case written only as data (tests/cases/regional_records): three deliveries, not two; four
versions in one `extends` chain; one fact stated twice with different values. casebook reads, checks
and builds it with no code of its own."""

from __future__ import annotations

import json
import re
import shutil
from html import unescape

import pytest

from model.core.scenario import load_scenario
from model.core.results import results
from model.report import book

from .conftest import ROOT
from .pipeline_helpers import casebook, notebook_errors

CASE = ROOT / "tests" / "cases" / "regional_records"
PARAMS = CASE / "params"
VERSIONS = ["outline", "full", "rebaseline", "recovery"]


def test_the_case_is_only_data():
    files = [p.relative_to(CASE) for p in CASE.rglob("*") if p.is_file()]
    assert files and all(p.parts[0] in ("params", "book") for p in files)
    assert [p for p in files if p.suffix == ".py"] == []


def test_four_versions_in_one_chain_in_chain_order():
    assert book.version_names(PARAMS) == VERSIONS
    chain = load_scenario("recovery", PARAMS).chain
    assert list(chain) == ["outline", "full", "rebaseline", "recovery"]
    assert [book.short_label(n, PARAMS) for n in VERSIONS] == ["OBC", "FBC", "RB1", "Recovery"]


def test_three_deliveries_unlock_the_benefits_by_hand():
    res = results(load_scenario("outline", PARAMS))
    scenario = load_scenario("outline", PARAMS).scenario
    assert list(scenario.benefits.deliveries) == ["core", "mobile", "analytics"]
    annual = res["calibrated"][0]["value"]
    real = {row["fy"]: row["benefits_real_gbp_m"] for row in res["cashflows"]}
    # core (half the benefits) goes live in October 2026, half-way through FY26/27, and ramps up over a
    # year: it gives 1/2 x (1/2)^2 / 2 = 1/16 of the annual level in FY26/27; mobile and analytics
    # are not live yet
    assert real["FY26/27"] == pytest.approx(annual / 16, rel=1e-12)
    # FY27/28: core 0.5 x (0.375 + 0.5), mobile (April 2027, 1-year ramp) 0.3 x 0.5, analytics
    # (October 2027, its own 2-year ramp) 0.2 x 0.0625: 0.4375 + 0.15 + 0.0125 = 0.6
    assert real["FY27/28"] == pytest.approx(0.6 * annual, rel=1e-12)
    # from FY30/31 every delivery is at its full level
    assert real["FY30/31"] == pytest.approx(annual, rel=1e-12)


def test_costs_and_npv_by_hand():
    out = results(load_scenario("outline", PARAMS))
    # capital 8.0 + 6.0, running 1.5 a year for nine years (para 4)
    assert out["tco_gbp_m"] == pytest.approx(27.5, abs=1e-12)
    # nominal cash deflated at 2% and discounted at the STPR's 3.5%, from FY25/26
    pv_costs = 8 + 6 / (1.02 * 1.035) + sum(1.5 / (1.02 ** t * 1.035 ** t) for t in range(1, 10))
    assert out["pv_costs_gbp_m"] == pytest.approx(pv_costs, abs=1e-9)
    assert out["npv_gbp_m"] == pytest.approx(20.0, abs=1e-6)  # calibrated to para 5
    # each later version adds its costs: migration 2.0, support 1.2, recovery 0.8
    assert [round(results(load_scenario(v, PARAMS))["tco_gbp_m"], 9) for v in VERSIONS] == [27.5, 29.5, 30.7, 31.5]
    # the option drops analytics: no recovery capital, and analytics' fifth of the benefits never starts
    option = results(load_scenario("no_analytics", PARAMS))
    assert option["tco_gbp_m"] == pytest.approx(30.7, abs=1e-12)
    assert option["cashflows"][-1]["benefits_real_gbp_m"] == pytest.approx(0.8 * out["calibrated"][0]["value"],
                                                                           rel=1e-12)


def test_check_reports_the_fact_stated_twice_as_a_discrepancy():
    proc = casebook(CASE, "check", "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    sites = [c for c in report["checks"] if c["id"] == "fact.sites"]
    assert len(sites) == 1
    assert sites[0]["status"] == "discrepancy"
    assert (sites[0]["published"], sites[0]["computed"]) == (14, 15)
    assert [c["id"] for c in report["checks"] if c["status"] == "discrepancy"] == ["fact.sites"]
    assert report["coverage"]["uncovered"] == 0 if isinstance(report["coverage"].get("uncovered"), int) \
        else report["coverage"]["uncovered"] == []


def test_bad_input_in_the_second_case_is_one_line_with_exit_2(tmp_path):
    case = tmp_path / "case"
    shutil.copytree(CASE, case)
    path = case / "params" / "full.yaml"
    lines = path.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("  analytics_go_live:"))
    lines[at] = lines[at].replace("analytics_go_live", "analytcs_go_live")
    path.write_text("\n".join(lines) + "\n")
    proc = casebook(case, "check")
    assert proc.returncode == 2
    errors = proc.stderr.strip().splitlines()
    assert len(errors) == 1 and "Traceback" not in proc.stderr
    assert errors[0].startswith(f"casebook: error: params/full.yaml:{at + 1}: ")
    assert "analytcs_go_live" in errors[0] and "analytics_go_live" in errors[0]


def test_the_second_case_builds(built_regional):
    # the build is the run's shared one (tests/conftest.py: it must succeed, and print the index's path)
    case = built_regional
    html = case / "book" / "_build" / "html"
    for name in [*VERSIONS, "no_analytics"]:
        assert (html / "scenarios" / f"{name}.html").is_file(), name
    for page in ("economic_analysis", "appendix_register", "appendix_reconciliation", "appendix_method",
                 "appendix_coverage", "glossary", "params_reference"):
        assert (html / f"{page}.html").is_file(), page
    assert [m for nb in sorted((case / "build" / "runs").rglob("*.ipynb")) for m in notebook_errors(nb)] == []
    log = "".join(p.read_text() for p in (case / "book" / "_build").rglob("sphinx.log"))
    assert "glue key" not in log
    front = " ".join(unescape(re.sub(r"<[^>]+>", " ", (html / "index.html").read_text())).split())
    assert "calibrated to its published NPV: £20.0m" in front
    reconciliation = " ".join(unescape(re.sub(r"<[^>]+>", " ", (html / "appendix_reconciliation.html")
                                               .read_text())).split())
    assert "Sites the service covers" in reconciliation

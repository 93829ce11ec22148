"""What a real version history needs: calendar years and ranges of years as units, a neutral benefit
multiplier to calibrate, a percentage of a base in declared checks, forecasts in the chain, sources with
any file name, checks and facts that belong to the file that declares them, and check texts filled from
the check's named values. The case is the example `casebook new` writes, its document renamed, with a
second published version and a forecast extending it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from model.analysis.reconcile import reconcile, reconcile_all
from model.core.errors import CasebookError
from model.core.scenario import load_scenario
from model.report import book

from .conftest import ROOT, run_cli
from .test_bad_input import assert_one_line_error, edit

NEWCASE = ROOT / "model" / "pipeline" / "data" / "newcase" / "params"
OLD_DOC, DOC = "000_d522390e1766e040.txt", "annual_report_2005.txt"

SECOND = f"""\
title: "Second version (test)"
extends: preferred
kind: published
short: V2
description: The preferred option, published again with savings stated.
published:
  savings_base_gbp_m: {{label: Savings the paper counts, value: 100.0, unit: gbp_m, source: "{DOC}, para 3"}}
  savings_share_pct: {{label: Share of the savings that is cashable, value: 30.0, unit: pct, source: "{DOC}, para 3"}}
  cashable_savings_gbp_m: {{label: Cashable savings as stated, value: 25.0, unit: gbp_m, source: "{DOC}, para 3"}}
  npv_v2_gbp_m: {{label: Published NPV of the second version, value: 34.0, unit: gbp_m, source: "{DOC}, para 4"}}
facts:
  published_year:
    label: Year the paper was published
    unit: year
    value: 2005
    why: both statements agree
    statements:
      - {{value: 2005, source: "{DOC}, para 2"}}
      - {{value: 2005, source: "{DOC}, para 4"}}
  pilot_years:
    label: Years of the pilot
    unit: year_range
    value: "2007-2009"
    why: the first statement
    statements:
      - {{value: "2007-2009", source: "{DOC}, para 2"}}
      - {{value: "2010 onwards", source: "{DOC}, para 3"}}
checks:
  cashable_share:
    label: "Cashable savings: the stated figure against {{cashable_pct:g}}% of the savings base ({{cashable:.1f}})"
    total: {{key: published.cashable_savings_gbp_m}}
    parts:
      - pct_of: {{pct: published.savings_share_pct, base: published.savings_base_gbp_m}}
        name: cashable
    if_differs: "{{cashable:g}} against the stated figure"
  savings_restated:
    label: "The savings base restated"
    inherit: true
    total: {{key: published.savings_base_gbp_m}}
    parts: [{{key: published.savings_base_gbp_m}}]
calibration:
  - parameter: benefits.level_multiplier
    target: published.npv_v2_gbp_m
    metric: npv_gbp_m
    bracket: [0.0, 10.0]
    why: "The second paper's benefits are the first's scaled; its NPV fixes the scale"
"""

FORECAST = f"""\
title: "Forecast (test)"
extends: second
kind: forecast
short: F
description: A forecast between the versions; not itself a business case.
published:
  savings_base_gbp_m: {{label: Savings the forecast counts, value: 120.0, unit: gbp_m, source: "{DOC}, para 3"}}
facts:
  forecast_year:
    label: Year of the forecast
    unit: year
    value: 2006
    why: the only statement
    statements:
      - {{value: 2006, source: "{DOC}, para 4"}}
"""


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """The example case with its one document renamed, a second version and a forecast."""
    params = tmp_path / "params"
    shutil.copytree(NEWCASE, params)
    (params / "sources" / OLD_DOC).rename(params / "sources" / DOC)
    for path in [*params.glob("*.yaml"), params / "sources" / "sources.yaml"]:
        path.write_text(path.read_text().replace(OLD_DOC, DOC))
    (params / "second.yaml").write_text(SECOND)
    (params / "forecast.yaml").write_text(FORECAST)
    return params


def _check(checks, cid):
    [c] = [c for c in checks if c.id == cid]
    return c


# 1. units: a calendar year and a range of years --------------------------------------------------

def test_a_year_and_a_range_of_years_are_units_of_a_fact(history):
    s = load_scenario("second", history).scenario
    assert s.facts["published_year"].value == 2005
    assert s.facts["pilot_years"].value == "2007-2009"
    checks = reconcile(load_scenario("second", history))
    assert _check(checks, "fact.published_year").status == "ok"
    pilot = _check(checks, "fact.pilot_years")
    assert pilot.status == "discrepancy" and pilot.difference is None  # text: compared, not subtracted


@pytest.mark.parametrize("old, new, key, fragment", [
    ('value: "2007-2009"\n', 'value: "2009-2007"\n', "facts.pilot_years.value", "starts after it ends"),
    ('value: "2007-2009"\n', 'value: "2007 to 2009"\n', "facts.pilot_years.value",
     "'2007-2009' or '2010 onwards'"),
    ("    value: 2005\n", '    value: "2005"\n', "facts.published_year.value", "calendar year as a whole number"),
])
def test_a_bad_year_is_one_line_at_its_file_and_line(history, old, new, key, fragment):
    line = edit(history / "second.yaml", old, new)
    assert_one_line_error(run_cli("check", "--params", str(history)), f"second.yaml:{line}", key, fragment)


def test_a_bad_year_in_a_statement_names_the_statement(history):
    line = edit(history / "second.yaml", "  pilot_years:\n", "  pilot_years:\n")
    edit(history / "second.yaml", 'value: "2010 onwards"', 'value: "2010 on"')
    assert_one_line_error(run_cli("check", "--params", str(history)), f"second.yaml:{line}",
                          "facts.pilot_years", "statements.1", "'2010 on'")


# 2. the calibration multiplier ---------------------------------------------------------------------

def test_level_multiplier_is_the_calibration_multiplier(history):
    first = load_scenario("preferred", history)
    second = load_scenario("second", history)
    from model.core.results import results

    r1, r2 = results(first), results(second)
    # benefits are linear in the multiplier and costs do not move: NPV(m) = m x PVB1 - PVC1, so the
    # multiplier that gives 34 is (34 + PVC1) / PVB1, and PVC1 = PVB1 - 12 (the first paper's NPV)
    pvb1 = r1["pv_benefits_gbp_m"]
    expected = (34.0 + pvb1 - 12.0) / pvb1
    assert second.scenario.benefits.level_multiplier.value == pytest.approx(expected, rel=1e-9)
    assert expected > 1  # a scale, not a share
    assert r2["npv_gbp_m"] == pytest.approx(34.0, abs=1e-6)
    assert r2["pv_costs_gbp_m"] == pytest.approx(r1["pv_costs_gbp_m"], abs=1e-9)


def test_realisation_factor_is_a_share(history):
    # the example's realisation factor is its outline case's, which the preferred option extends
    line = edit(history / "outline.yaml", "value: 1.0, unit: fraction, assumption: true, why: \"Example value: all of them\"",
                "value: 2.2, unit: fraction, assumption: true, why: \"Example value: all of them\"")
    err = assert_one_line_error(run_cli("check", "--params", str(history)), f"outline.yaml:{line}",
                                "benefits.realisation_factor", "share from 0 to 1")
    assert "level_multiplier" in err


# 3. a percentage of a base ---------------------------------------------------------------------------

def test_pct_of_is_the_percentage_of_the_base(history):
    c = _check(reconcile(load_scenario("second", history)), "cashable_share")
    # 30% of 100 = 30 against the stated 25: a discrepancy of +5
    assert (c.published, c.computed, c.difference, c.status) == (25.0, 30.0, 5.0, "discrepancy")
    assert c.description == "Cashable savings: the stated figure against 30% of the savings base (30.0)"
    assert c.explanation == "30 against the stated figure"


def test_pct_of_a_fraction_is_the_fraction_of_the_base(history):
    edit(history / "second.yaml", "value: 30.0, unit: pct", "value: 0.25, unit: fraction")
    edit(history / "second.yaml", "{cashable_pct:g}% of", "a share of")
    c = _check(reconcile(load_scenario("second", history)), "cashable_share")
    assert (c.computed, c.status) == (25.0, "ok")  # 0.25 x 100


def test_pct_of_needs_a_percentage(history):
    line = edit(history / "second.yaml", "  cashable_share:\n", "  cashable_share:\n")
    edit(history / "second.yaml", "pct: published.savings_share_pct", "pct: published.cashable_savings_gbp_m")
    assert_one_line_error(run_cli("check", "--params", str(history)), f"second.yaml:{line}",
                          "checks.cashable_share", "unit is gbp_m")


# 4. forecasts in the chain ---------------------------------------------------------------------------

def test_a_forecast_is_a_version_but_not_the_headline(history):
    # the example's two versions (outline, preferred), then the history's own
    assert book.version_names(history) == ["outline", "preferred", "second", "forecast"]
    assert book.headline(history) == "second"
    assert book.option_names(history) == ["business_as_usual", "do_minimum"]
    # a forecast's published figures are reconciled like any others: its own savings base, 120
    restated = [c for c in reconcile_all(history) if c.id == "savings_restated"]
    assert sorted((c.scenario, c.published) for c in restated) == [("second", 100.0), ("second", 120.0)]


def test_headline_true_can_name_a_forecast(history):
    (history / "forecast.yaml").write_text(FORECAST + "headline: true\n")
    assert book.headline(history) == "forecast"


# 5. sources with any file name ---------------------------------------------------------------------

def test_a_source_may_be_any_listed_file(history):
    assert load_scenario("second", history).scenario.published["npv_v2_gbp_m"].source == f"{DOC}, para 4"
    line = edit(history / "second.yaml", f'value: 34.0, unit: gbp_m, source: "{DOC}, para 4"',
                'value: 34.0, unit: gbp_m, source: "minutes.txt, para 4"')
    err = assert_one_line_error(run_cli("check", "--params", str(history)), f"second.yaml:{line}",
                                "'minutes.txt'", "listed in params/sources/sources.yaml")
    assert OLD_DOC not in err


def test_the_citation_rule_names_no_case(history):
    line = edit(history / "second.yaml", f'value: 34.0, unit: gbp_m, source: "{DOC}, para 4"',
                'value: 34.0, unit: gbp_m, source: "para 4"')
    err = assert_one_line_error(run_cli("check", "--params", str(history)), f"second.yaml:{line}",
                                "<file listed in params/sources/sources.yaml>, <paragraph, decision or table>")
    assert ".txt" not in err


# 6. checks, facts and calibrations belong to their file ----------------------------------------------

def test_a_check_applies_to_its_own_file_unless_inherited(history):
    ids = {c.id for c in reconcile(load_scenario("forecast", history))}
    assert "savings_restated" in ids and "cashable_share" not in ids
    assert load_scenario("forecast", history).scenario.checks.keys() == {"savings_restated"}


def test_facts_are_attributed_to_the_file_that_declares_them(history):
    by_id = {c.id: c.scenario for c in reconcile_all(history) if c.id.startswith("fact.")}
    assert by_id == {"fact.published_year": "second", "fact.pilot_years": "second",
                     "fact.forecast_year": "forecast"}


def test_results_prints_the_scenarios_own_calibrations(history):
    out = run_cli("results", "second", "--params", str(history)).stdout
    lines = [ln.strip() for ln in out.splitlines() if "calibrated" in ln]
    assert len(lines) == 1 and lines[0].startswith("calibrated in second: benefits.level_multiplier = ")
    forecast = run_cli("results", "forecast", "--params", str(history)).stdout
    assert "calibrated" not in forecast


def test_check_lists_every_result_it_counts(history):
    proc = run_cli("check", "--params", str(history))
    assert proc.returncode == 0, proc.stderr
    counted = sum(int(n) for n in proc.stdout.split("checks: ", 1)[1].split(";")[0].split()[::2])
    # a listed check: "<id> [<status>] (<scenario>): ..." (a finding) or "<id> (<scenario>): ..."
    listed = [ln for ln in proc.stdout.splitlines() if re.match(r"^\S+ (\[[^\]]+\] )?\(\w+\): ", ln)]
    assert len(listed) == counted and "== WITHIN ROUNDING" not in proc.stdout.split("== AGREE")[1]
    assert "fact.published_year (second): " in proc.stdout


# 7. placeholders --------------------------------------------------------------------------------------

def test_a_placeholder_that_names_no_value_is_refused(history):
    line = edit(history / "second.yaml", "  cashable_share:\n", "  cashable_share:\n")
    edit(history / "second.yaml", "({cashable:.1f})", "({cashabel:.1f})")
    assert_one_line_error(run_cli("check", "--params", str(history)), f"second.yaml:{line}",
                          "checks.cashable_share", "{cashabel}", "names no value")


def test_connects_check_labels_are_filled():
    s = load_scenario("fbc3", ROOT / "params")
    checks = reconcile(s)
    slip = _check(checks, "dates.behind_schedule").description
    ramp = _check(checks, "delivery.support_ramp_down").description
    # May 2023 to February 2024 is nine months; the S&G lines run from FY24/25 to FY27/28
    assert slip.endswith("(9 months)") and "from FY24/25 to FY27/28" in ramp
    from model.report.htmltable import labels_from_trees
    from model.analysis.reconcile_declared import filled_labels

    labels = labels_from_trees([s.tree], filled_labels(s.scenario))
    assert labels["checks.dates.behind_schedule"] == slip
    assert not any("{" in v for v in labels.values())


def test_a_placeholder_in_a_finding_is_refused(history):
    text = (history / "second.yaml").read_text()
    line = text.count("\n") + 2
    (history / "second.yaml").write_text(text + f"""findings:
  share_misstated:
    label: "Cashable savings stated as {{stated}}"
    class: arithmetic_error
    severity: presentation
    model_uses: the stated figure
    statements:
      - {{value: "25", source: "{DOC}, para 3"}}
""")
    assert_one_line_error(run_cli("check", "--params", str(history)), f"second.yaml:{line}",
                          "findings.share_misstated", "{stated} names no value")


def test_an_outturn_is_a_version_too(history):
    (history / "forecast.yaml").write_text(FORECAST.replace("kind: forecast", "kind: outturn"))
    assert book.version_names(history)[-1] == "forecast" and book.headline(history) == "second"


def test_a_document_name_needs_no_case_shape_but_no_spaces(history):
    import re as regex

    from model.core.schema_json import sources_schema

    pattern = sources_schema()["properties"]["documents"]["propertyNames"]["pattern"]
    assert regex.match(pattern, DOC) and regex.match(pattern, "007_board-minutes.md")
    assert not regex.match(pattern, "board minutes.txt")
    declaration = history / "sources" / "sources.yaml"
    line = edit(declaration, f"  {DOC}:\n", "  annual report 2005.txt:\n")
    assert_one_line_error(run_cli("check", "--params", str(history)), f"sources.yaml:{line}",
                          "documents.annual report 2005.txt", "no spaces")


def test_prose_that_looks_like_a_citation_is_not_one(tmp_path, history):
    from model.analysis.coverage import coverage

    book_dir = tmp_path / "book"
    book_dir.mkdir()
    (book_dir / "page.md").write_text(f"The site writes figures.json, every figure. See {DOC}, para 3.\n"
                                      "A typo: annual_report_2006.txt, para 3.\n")
    report = coverage(history, book_dir)
    assert [(u["document"], u["problem"]) for u in report.unresolved] == [
        ("annual_report_2006.txt", "not a declared document")]

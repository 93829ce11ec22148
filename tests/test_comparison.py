"""The comparison of the versions for any case: the packaged comparison chapter and page API reference
built for a second case, its NPV bridge checked by hand, a changed cost block shown as its own step,
and a case of one version."""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path
from unittest import mock

import pytest

from model.core.results import results
from model.core.scenario import load_scenario
from model.report import book, bookviews as bv

from .conftest import PARAMS, ROOT
from .pipeline_helpers import casebook, notebook_errors

# the tests of this file share a module fixture: they run in one process under `pytest -n` (--dist loadgroup)
pytestmark = pytest.mark.xdist_group("test_comparison")


CASE = ROOT / "tests" / "cases" / "regional_records"
# the regional case's discounting: nominal cash deflated at 2% a year and discounted at the STPR's 3.5%
# from the base year FY25/26 (appraisal.base_year, gdp_deflator and discount_rate of outline.yaml)
DEFLATOR, RATE, BASE = 0.02, 0.035, 2025


def pv(nominal: float, fy: int) -> float:
    """The present value at base-year prices of a nominal amount in the financial year starting in `fy`."""
    t = fy - BASE
    return nominal / (1 + DEFLATOR) ** t / (1 + RATE) ** t


def _text(page: Path) -> str:
    raw = re.sub(r"<script.*?</script>", " ", page.read_text(), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", raw)).split())


def _glued(params_dir) -> dict:
    """What glue_comparison glues, by key: each figure's record (its text and value), each chart as is."""
    glued = {}
    with mock.patch("myst_nb.glue", lambda key, value, display=False: glued.__setitem__(key, value)):
        bv.glue_comparison(params_dir)
    return {k: bv.FIGURES.get(k, v) if not k.startswith("fig_") else v for k, v in glued.items()}


@pytest.fixture
def case_copy(tmp_path) -> Path:
    case = tmp_path / "case"
    shutil.copytree(CASE, case)
    return case


@pytest.fixture(scope="module")
def built(built_regional) -> Path:
    """The regional case (CASE), built once for the run (tests/conftest.py): read only."""
    return built_regional


def test_the_comparison_page_shows_two_charts_with_text_descriptions(built):
    html = built / "book" / "_build" / "html"
    page = (html / "comparison.html").read_text()
    for figure in ("fig-comparison-versions", "fig-comparison-bridge"):
        assert f'id="{figure}"' in page, figure
    assert page.count('class="vega-embed"') + page.count("vegaEmbed(") >= 2
    text = _text(html / "comparison.html")
    assert "Text description of Fig." in text and text.count("Text description of") == 2
    assert "The case has 4 versions" in text
    # the bridge's table and its download are on the page, from the outline case to the recovery plan
    assert "Added: Data migration" in text and "npv_bridge.csv" in text
    assert "Other changes" not in text
    executed = sorted((built / "build" / "runs").rglob("*.ipynb"))
    assert any(nb.stem == "comparison" for nb in executed)
    assert [m for nb in executed for m in notebook_errors(nb)] == []
    log = "".join(p.read_text() for p in (built / "book" / "_build").rglob("sphinx.log"))
    assert "glue key" not in log and "WARNING" not in log


def _flat(text: str) -> str:
    """Words as a reader sees them: no backquotes or reST roles, no space before punctuation."""
    return re.sub(r"\s+([.,;:)])", r"\1", " ".join(re.sub(r":[a-z]+:(?=`)|`", " ", text).split()))


def test_the_api_page_lists_the_page_functions_with_their_docstrings(built):
    text = _text(built / "book" / "_build" / "html" / "api_reference.html")
    for name, f in (("book.npv_bridge", book.npv_bridge), ("book.version_summary", book.version_summary),
                    ("bv.glue_money", bv.glue_money)):
        assert f"{name}(" in text, name
        # shown with its quoted syntax as code: compare the words, less the quotes and reST roles
        first_line = f.__doc__.strip().splitlines()[0]
        assert _flat(first_line) in _flat(text), name
    for heading in ("Data #", "Tables #", "Glue #", "Charts #"):
        assert heading in text, heading


def test_every_public_page_function_has_a_docstring():
    from model.report import api_docs

    entries = [e for group in api_docs.api_entries().values() for e in group]
    assert [e["name"] for e in entries if not e["doc"].strip()] == []
    names = {e["name"] for e in entries}
    assert {"book.npv_bridge", "book.version_summary", "book.result", "bv.glue_money", "bv.glue_comparison",
            "bv.table", "charts.npv_bridge"} <= names


def test_the_regional_bridge_by_hand():
    pdir = CASE / "params"
    bridge = book.npv_bridge("outline", "recovery", pdir)
    changes = bridge[bridge.kind == "change"].set_index("step")
    outline = results(load_scenario("outline", pdir))["npv_gbp_m"]
    recovery = results(load_scenario("recovery", pdir))["npv_gbp_m"]
    assert bridge.iloc[0].end_gbp_m == pytest.approx(20.0, abs=1e-9)  # the outline case's published NPV
    # timing: the outline case with the recovery plan's dates and decision year, nothing else changed
    moved = {"milestones.core_go_live": "2027-04", "milestones.mobile_go_live": "2027-10",
             "milestones.analytics_go_live": "2029-04", "appraisal.decision_fy": 2028}
    later = results(load_scenario("outline", pdir, overrides=moved))["npv_gbp_m"]
    assert changes.loc["Delay to benefits", "delta_gbp_m"] == pytest.approx(later - outline, abs=1e-9)
    assert changes.loc["Delay to benefits", "section"] == "timing"
    # the costs rise by the blocks the later versions add, each the PV of its one amount
    assert changes.loc["Added: Data migration", "delta_gbp_m"] == pytest.approx(-pv(2.0, 2026), abs=1e-9)
    assert changes.loc["Added: Extended support", "delta_gbp_m"] == pytest.approx(-pv(1.2, 2027), abs=1e-9)
    assert changes.loc["Added: Recovery capital", "delta_gbp_m"] == pytest.approx(-pv(0.8, 2028), abs=1e-9)
    # 2.0 / (1.02 x 1.035) = 1.8945 (worked by hand)
    assert pv(2.0, 2026) == pytest.approx(1.89448, abs=1e-5)
    # the benefits and appraisal settings are the outline's throughout: no step for them, no remainder
    assert list(changes.section) == ["timing", "costs", "costs", "costs"]
    assert changes.delta_gbp_m.sum() == pytest.approx(recovery - outline, abs=1e-9)
    assert bridge.iloc[-1].end_gbp_m == pytest.approx(recovery, abs=1e-12)


CHANGED_CAPITAL = """
costs:
  capital:
    label: Capital
    kind: capital
    type: table
    lines:
      build:
        label: Build the service
        factor: build
        by_fy: {FY25/26: 8.0, FY26/27: 9.0}
        unit: gbp_m
        source: "100_5e0c2a9d41b7f386.txt, para 8"
cost_multipliers:
  build: {label: Build costs, value: 1.1, unit: fraction, assumption: true, why: "Test value: a 10% overrun"}
"""


def test_a_changed_cost_block_and_multiplier_are_their_own_steps(case_copy):
    pdir = case_copy / "params"
    path = pdir / "recovery.yaml"
    text = path.read_text()
    # the recovery plan restates the outline's capital block with FY26/27 at 9.0 instead of 6.0, and
    # puts a 10% overrun on the build costs
    capital, multipliers = CHANGED_CAPITAL.split("cost_multipliers:\n")
    assert "\ncosts:\n" in text and "cost_multipliers" not in text
    path.write_text(text.replace("\ncosts:\n", capital.rstrip("\n") + "\n", 1)
                    + "cost_multipliers:\n" + multipliers)
    bridge = book.npv_bridge("outline", "recovery", pdir)
    changes = bridge[bridge.kind == "change"].set_index("step")
    assert "Other changes" not in changes.index
    assert changes.loc["Changed: Capital", "delta_gbp_m"] == pytest.approx(-pv(3.0, 2026), abs=1e-9)
    # the multiplier step: 10% more of the build line as changed (8.0 in FY25/26, 9.0 in FY26/27)
    assert changes.loc["Cost multiplier: Build costs", "delta_gbp_m"] == pytest.approx(
        -0.1 * (pv(8.0, 2025) + pv(9.0, 2026)), abs=1e-9)
    assert set(changes.section) == {"timing", "costs"}
    recovery = results(load_scenario("recovery", pdir))["npv_gbp_m"]
    assert changes.delta_gbp_m.sum() == pytest.approx(recovery - 20.0, abs=1e-9)


def test_a_changed_appraisal_setting_is_a_step_and_nothing_is_left_over(case_copy):
    pdir = case_copy / "params"
    path = pdir / "recovery.yaml"
    path.write_text(path.read_text().replace(
        "appraisal:\n", "appraisal:\n  gdp_deflator: {label: \"GDP deflator, annual rate\", value: 0.03, unit: fraction, "
        "assumption: true, why: \"Test value\"}\n", 1))
    bridge = book.npv_bridge("outline", "recovery", pdir)
    changes = bridge[bridge.kind == "change"]
    assert list(changes.section) == ["timing", "costs", "costs", "costs", "appraisal"]
    assert changes.step.iloc[-1] == "Appraisal: GDP deflator, annual rate"
    # every section is covered, so no remainder: the last step ends at the later version's own NPV
    assert "Other changes" not in set(bridge.step)
    recovery = results(load_scenario("recovery", pdir))["npv_gbp_m"]
    assert changes.end_gbp_m.iloc[-1] == pytest.approx(recovery, abs=1e-12)
    glued = _glued(pdir)
    assert glued["bridge_appraisal"]["value"] == pytest.approx(changes.delta_gbp_m.iloc[-1], abs=1e-12)
    assert glued["bridge_other"]["value"] == 0.0


def test_a_case_of_one_version_has_no_bridge_and_no_connect_figures(case_copy):
    pdir = case_copy / "params"
    for name in ("full", "rebaseline", "recovery", "no_analytics"):
        (pdir / f"{name}.yaml").unlink()
    glued = _glued(pdir)
    assert glued["cmp_versions"]["value"] == 1 and "fig_versions" in glued
    assert "fig_bridge" not in glued and "cmp_steps" not in glued
    # no CONNECT figure: the case states no delays in months and has no contracts
    assert not {"delays_1_2", "delay_3", "com_direct_awards"} & set(glued)
    assert "approved" not in book.version_summary(pdir).columns


def test_two_versions_without_contracts_or_delays_glue_the_summary(case_copy):
    glued = _glued(case_copy / "params")
    assert glued["cmp_versions"]["value"] == 4 and glued["cmp_steps"]["value"] == 4
    assert glued["cmp_biggest_label"]["text"] == "delay to benefits"
    assert glued["bridge_costs"]["value"] == pytest.approx(-(pv(2.0, 2026) + pv(1.2, 2027) + pv(0.8, 2028)),
                                                        abs=1e-9)
    assert not {"delays_1_2", "delay_3", "com_direct_awards"} & set(glued)


def test_connects_comparison_page_finds_every_key_it_uses():
    used = set()
    for page in ("comparison.md", "index.md"):
        text = (ROOT / "book" / page).read_text()
        used |= set(re.findall(r"\{glue:\}`([^`]+)`", text)) | set(re.findall(r"```\{glue:figure\} (\S+)", text))
    comparison = set(re.findall(r"\{glue:\}`([^`]+)`", (ROOT / "book" / "comparison.md").read_text()))
    glued = _glued(PARAMS)
    assert comparison <= set(glued) and {"fig_bridge", "fig_versions"} <= set(glued)
    # the bridge's parts for CONNECT: the timing, the costs and the benefit re-baselining add up
    parts = sum(glued[k]["value"] for k in ("bridge_delay", "bridge_costs", "bridge_rebaseline"))
    assert parts == pytest.approx(glued["bridge_total"]["value"], abs=1e-9)
    assert glued["bridge_rebaseline"]["value"] == glued["bridge_benefits"]["value"]
    assert "bridge_delay" in used


def test_the_packaged_comparison_speaks_of_no_one_case():
    """The packaged chapters and the bridge's code name no case's words: CONNECT's labels come from its
    params, never from the package."""
    words = ("CONNECT", "FBC", "NEC", "Drop", "MiPS", "re-baselin", "fbc_approved")
    for path in (ROOT / "model" / "pipeline" / "data" / "book" / "comparison.md",
                 ROOT / "model" / "pipeline" / "data" / "book" / "api_reference.md",
                 ROOT / "model" / "report" / "comparison_glue.py"):
        text = path.read_text()
        assert [w for w in words if w in text] == [], path.name
    bridge_code = (ROOT / "model" / "report" / "comparison_tables.py").read_text()
    bridge_code = bridge_code[bridge_code.index("# --- NPV bridge"):]
    assert [w for w in (*words, ".split('_')[0]") if w in bridge_code] == []


def test_the_bridge_backwards_removes_the_blocks_the_later_versions_added():
    # from the recovery plan back to the outline case: the dates come earlier, and the three blocks
    # the later versions added are removed, each giving back the PV of its one amount
    pdir = CASE / "params"
    changes = book.npv_bridge("recovery", "outline", pdir).query("kind == 'change'").set_index("step")
    assert list(changes.index) == ["Earlier benefits", "Removed: Data migration", "Removed: Extended support",
                                   "Removed: Recovery capital"]
    assert changes.loc["Removed: Data migration", "delta_gbp_m"] == pytest.approx(pv(2.0, 2026), abs=1e-9)
    assert changes.loc["Removed: Extended support", "delta_gbp_m"] == pytest.approx(pv(1.2, 2027), abs=1e-9)
    assert changes.loc["Removed: Recovery capital", "delta_gbp_m"] == pytest.approx(pv(0.8, 2028), abs=1e-9)
    assert changes.delta_gbp_m.sum() == pytest.approx(20.0 - results(load_scenario("recovery", pdir))["npv_gbp_m"],
                                                      abs=1e-9)


def test_the_comparison_page_of_a_case_of_one_version_says_so_and_shows_no_bridge(case_copy):
    for name in ("full", "rebaseline", "recovery", "no_analytics"):
        (case_copy / "params" / f"{name}.yaml").unlink()
    index = case_copy / "book" / "index.md"  # the front page lists the four versions' NPVs: keep the first
    index.write_text(re.sub(r"\n- The (full business case|first re-baseline|recovery plan): \{glue:\}`npv_\w+`\.",
                            "", index.read_text()))
    proc = casebook(case_copy, "build", "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    page = case_copy / "book" / "_build" / "html" / "comparison.html"
    assert 'id="fig-comparison-versions"' in page.read_text()
    assert 'id="fig-comparison-bridge"' not in page.read_text()
    text = _text(page)
    assert "The case has 1 version ;" in text and "There is one version, so there is nothing to bridge" in text
    assert "npv_bridge.csv" not in text and "The order matters" not in text
    executed = sorted((case_copy / "build" / "runs").rglob("*.ipynb"))
    assert [m for nb in executed for m in notebook_errors(nb)] == []

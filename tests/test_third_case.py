"""A third case written only as data (tests/cases/county_payroll): five versions in one `extends` chain,
the last a forecast rather than a business case; one delivery with no `share`; a seventeen-year period;
a year-only date and two year ranges among its facts; a percentage-of-base check; facts declared in the
early versions; and a source document with a name of the author's choosing. casebook reads, checks and
builds it with no code of its own, and every figure below is worked out by hand from its document."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from model.core.results import results
from model.core.scenario import load_scenario
from model.report import book

from .conftest import ROOT
from .pipeline_helpers import built_copy, casebook, notebook_errors

# the tests of this file share a module fixture: they run in one process under `pytest -n` (--dist loadgroup)
pytestmark = pytest.mark.xdist_group("test_third_case")


CASE = ROOT / "tests" / "cases" / "county_payroll"
PARAMS = CASE / "params"
VERSIONS = ["soc", "obc", "fbc", "fbc_revised", "forecast_2012"]
PUBLISHED_NPV = {"soc": 25.0, "obc": 21.0, "fbc": 16.5, "fbc_revised": 9.0}
RATE = 0.035  # para 3
FIRST_FY = 2005  # FY05/06, para 3


def df(fy: int) -> float:
    return 1 / (1 + RATE) ** (fy - FIRST_FY)


def fy_label(fy: int) -> str:
    return f"FY{fy % 100:02d}/{(fy + 1) % 100:02d}"


def costs_by_hand(name: str) -> dict[int, float]:
    """Each version's costs by financial year (start year), from the document's paragraphs."""
    capital = {2006: 6.0, 2007: 4.0}                                  # para 4
    if name != "soc":
        capital = {2006: 7.0, 2007: 5.0}                              # para 6
    if name in ("fbc_revised", "forecast_2012"):
        capital[2008] = 2.5                                           # para 10
    running = {fy: 0.8 for fy in range(2008, 2022)}                   # para 4
    if name == "forecast_2012":
        running.update({fy: 1.1 for fy in range(2012, 2022)})         # para 11
    implementation = {2007: 0.9, 2008: 0.6} if name in ("fbc", "fbc_revised", "forecast_2012") else {}  # para 8
    out: dict[int, float] = {}
    for part in (capital, running, implementation):
        for fy, v in part.items():
            out[fy] = out.get(fy, 0.0) + v
    return out


#: The share of the annual benefit level each year gives: a two-year linear ramp (the assumption in
#: soc.yaml) from the month the benefits start, integrated over each financial year.
def ramp_shares(start_fy: int, start_month_offset: float, ramp_years: float = 2.0) -> dict[int, float]:
    """`start_month_offset`: how far into financial year `start_fy` the benefits start, in years."""
    def level(t: float) -> float:  # integral of min(t / ramp, 1) from 0 to t
        return t * t / (2 * ramp_years) if t <= ramp_years else ramp_years / 2 + (t - ramp_years)

    out = {}
    for fy in range(FIRST_FY, 2022):
        a, b = fy - start_fy - start_month_offset, fy + 1 - start_fy - start_month_offset
        out[fy] = level(max(b, 0.0)) - level(max(a, 0.0))
    return out


#: When each version's benefits start: its go-live (paras 4, 6, 8, 10), plus the forecast's assumed
#: six-month delay (forecast_2012.yaml): April is the start of a financial year, October half-way.
STARTS = {"soc": (2008, 0.0), "obc": (2008, 0.5), "fbc": (2009, 0.0), "fbc_revised": (2009, 0.5),
          "forecast_2012": (2010, 0.0)}


def test_the_case_is_only_data():
    files = [p.relative_to(CASE) for p in CASE.rglob("*") if p.is_file()]
    assert files and all(p.parts[0] in ("params", "book") for p in files)
    assert [p for p in files if p.suffix == ".py"] == []
    # its document's name is the author's own, not the repository's numbered pattern
    assert [p.name for p in (PARAMS / "sources").glob("*.txt")] == ["payroll_papers.txt"]


def test_five_versions_in_one_chain_the_last_a_forecast():
    assert book.version_names(PARAMS) == VERSIONS
    assert list(load_scenario("forecast_2012", PARAMS).chain) == VERSIONS
    assert load_scenario("forecast_2012", PARAMS).scenario.kind == "forecast"
    assert load_scenario("forecast_2012", PARAMS).scenario.decision.value == "None: a forecast asks for no decision"
    # the headline version is the latest business case, not the forecast
    assert book.headline(PARAMS) == "fbc_revised"
    assert [book.short_label(n, PARAMS) for n in VERSIONS] == ["SOC", "OBC", "FBC", "FBC-R", "FC12"]


def test_a_seventeen_year_period():
    out = results(load_scenario("soc", PARAMS))
    fys = [row["fy"] for row in out["cashflows"]]
    assert fys == [fy_label(fy) for fy in range(2005, 2022)] and len(fys) == 17


def test_one_delivery_without_a_share_unlocks_all_the_benefits():
    scenario = load_scenario("soc", PARAMS).scenario
    assert list(scenario.benefits.deliveries) == ["system"]
    out = results(load_scenario("soc", PARAMS))
    annual = out["calibrated"][0]["value"]
    real = {row["fy"]: row["benefits_real_gbp_m"] for row in out["cashflows"]}
    # go-live in April 2008, the start of FY08/09, with a two-year ramp: a quarter of the level in
    # FY08/09, three quarters in FY09/10, all of it from FY10/11
    assert real["FY07/08"] == 0.0
    assert real["FY08/09"] == pytest.approx(annual / 4, rel=1e-12)
    assert real["FY09/10"] == pytest.approx(3 * annual / 4, rel=1e-12)
    assert real["FY21/22"] == pytest.approx(annual, rel=1e-12)


@pytest.mark.parametrize("name", VERSIONS)
def test_costs_benefits_and_npv_by_hand(name):
    out = results(load_scenario(name, PARAMS))
    costs = costs_by_hand(name)
    assert out["tco_gbp_m"] == pytest.approx(sum(costs.values()), abs=1e-9)
    # real terms, no optimism bias, 3.5% from FY05/06 (para 3)
    pv_costs = sum(v * df(fy) for fy, v in costs.items())
    assert out["pv_costs_gbp_m"] == pytest.approx(pv_costs, abs=1e-9)
    shares = ramp_shares(*STARTS[name])
    pv_per_unit = sum(s * df(fy) for fy, s in shares.items())
    if name in PUBLISHED_NPV:
        # calibrated: the benefit level is whatever makes the NPV the published one
        own = [c for c in out["calibrated"] if c["parameter"] == "benefits.annual_steady_state_gbp_m"][-1]
        assert own["value"] == pytest.approx((PUBLISHED_NPV[name] + pv_costs) / pv_per_unit, rel=1e-9)
        assert out["npv_gbp_m"] == pytest.approx(PUBLISHED_NPV[name], abs=1e-6)
    else:
        # the forecast inherits the revised case's benefit level and starts the benefits six months later
        level = results(load_scenario("fbc_revised", PARAMS))["calibrated"][-1]["value"]
        assert out["npv_gbp_m"] == pytest.approx(level * pv_per_unit - pv_costs, abs=1e-6)


def test_the_published_totals_as_published():
    assert [round(results(load_scenario(v, PARAMS))["tco_gbp_m"], 9) for v in VERSIONS] == \
        [21.2, 23.2, 24.7, 27.2, 30.2]


@pytest.fixture(scope="module")
def check_report():
    proc = casebook(CASE, "check", "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_the_percentage_of_base_check_finds_the_difference_once(check_report):
    found = [c for c in check_report["checks"] if "cashable_savings" in c["id"]]
    # 30% of £4.0m is £1.2m; the summary table says £1.0m (para 9). Declared in fbc.yaml alone, the
    # check is made for the full business case only, not again for the versions that extend it.
    assert len(found) == 1, found
    assert found[0]["status"] == "discrepancy"
    assert found[0]["published"] == pytest.approx(1.0)
    assert found[0]["computed"] == pytest.approx(1.2)


def test_facts_belong_to_the_files_that_declare_them(check_report):
    facts = {c["id"]: c for c in check_report["checks"] if c["id"].startswith("fact.")}
    assert set(facts) == {"fact.strategy_published", "fact.delivery_window", "fact.staff_paid",
                          "fact.benefits_window"}
    assert {k: v["scenario"] for k, v in facts.items()} == {
        "fact.strategy_published": "soc", "fact.delivery_window": "soc", "fact.staff_paid": "obc",
        "fact.benefits_window": "forecast_2012"}
    assert facts["fact.strategy_published"]["published"] == 2005
    assert facts["fact.benefits_window"]["published"] == "2010 onwards"
    assert all(v["status"] != "discrepancy" for v in facts.values())


@pytest.fixture(scope="module")
def built_case(tmp_path_factory):
    return built_copy(CASE, tmp_path_factory.mktemp("third") / "case")


def page_text(path) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", path.read_text())).split())


def test_the_third_case_builds_with_no_error(built_case):
    html = built_case / "book" / "_build" / "html"
    for name in VERSIONS:
        assert (html / "scenarios" / f"{name}.html").is_file(), name
    assert [m for nb in sorted((built_case / "build" / "runs").rglob("*.ipynb")) for m in notebook_errors(nb)] == []
    log = "".join(p.read_text() for p in (built_case / "book" / "_build").rglob("sphinx.log"))
    assert "glue key" not in log


def test_the_comparison_page_has_its_charts(built_case):
    page = (built_case / "book" / "_build" / "html" / "comparison.html").read_text()
    charts = set(re.findall(r'id="(altair-viz-[0-9a-f]+)"', page))
    assert len(charts) >= 2, charts
    text = page_text(built_case / "book" / "_build" / "html" / "comparison.html")
    assert "Other changes" not in text  # every change of this case is a timing, cost or benefit step


def test_front_page_daggers_are_exactly_the_hand_computed_sets(built_case):
    from model.report.glued_figures import figure_records

    records = figure_records(built_case / "build" / "runs" / "pages" / "index.ipynb")
    got = {k: sorted(a["id"] for a in r["assumptions"]) for k, r in records.items()}
    # Every published version is calibrated to its own NPV: whatever the assumptions, its NPV, its
    # present value of benefits (so its BCR) and its NPV from the decision year (every benefit comes
    # after the decision) come back to the same figures; its costs are all published. The forecast
    # inherits the revised case's benefit level: the ramp (soc.yaml) and its own assumed delay
    # (forecast_2012.yaml) move how much of that level its years get. The deflator is not used (real
    # terms) and the benefit-level handle is calibrated away: they move nothing.
    forecast = sorted(["soc:benefits.ramp_up_years", "forecast_2012:benefits.start_delay_months"])
    expected = {"versions": [], "period": []}
    for name in VERSIONS:
        moved = forecast if name == "forecast_2012" else []
        expected.update({f"npv_{name}": moved, f"tco_{name}": [], f"gb_npv_{name}": moved,
                         f"bcr_{name}": moved})
    assert got == expected
    front = (built_case / "book" / "_build" / "html" / "index.html").read_text()
    assert front.count('class="casebook-assumption"') == 3


def test_no_unfilled_placeholder_header_dagger_or_other_case_words(built_case):
    html = built_case / "book" / "_build" / "html"
    placeholder = re.compile(r"\{[a-z_][a-z0-9_]*(:[^}]*)?\}")
    other_case = re.compile(r"\b(CONNECT|NEC|Drop 1|Drop 2|MiPS|reserves)\b")
    for page in sorted(html.rglob("*.html")):
        if "_static" in page.parts or page.name in ("search.html", "genindex.html"):
            continue
        raw = page.read_text()
        # a formula's LaTeX (\text{real}) is not a template: read the page without its math
        # (nor is syntax quoted as code: the params reference's `{name}`, the page API's examples)
        text = " ".join(unescape(re.sub(r"<[^>]+>", " ", re.sub(
            r'<(span|div) class="math[^"]*">.*?</\1>|<(code|pre|script|style)\b.*?</\2>', " ", raw,
            flags=re.S))).split())
        assert not placeholder.search(text), (page.name, placeholder.search(text).group(0))
        assert not other_case.search(text), (page.name, other_case.search(text).group(0))
        assert not re.search(r"<th[^>]*>(?:(?!</th>).)*casebook-assumption", raw, re.S), page.name

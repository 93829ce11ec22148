"""The packaged pages read right for a case that is not the repository's own: a built copy of the
second case (tests/cases/regional_records) and of the example `casebook new` writes carries none of
CONNECT's words, no unfilled `{name}` placeholder, and a params reference that shows keys, units and
citations as they are written."""

from __future__ import annotations

import re
import shutil
from html import escape, unescape
from pathlib import Path

import pytest

from .conftest import ROOT
from .pipeline_helpers import casebook

# the tests of this file share a module fixture: they run in one process under `pytest -n` (--dist loadgroup)
pytestmark = pytest.mark.xdist_group("test_any_case_words")


#: Words of the repository's own case (its programme, supplier contract, deliveries, funding) that no
#: other case's pages should show. Whole words, case-sensitive: "Met" and "NEC" as names, not "met".
CASE_WORDS = re.compile(r"\b(CONNECT|NEC\d?|Drop 1|Drop 2|MiPS|Metropolitan Police|reserves)\b")
#: A `{name}` or `{name:fmt}` left unfilled by a str.format in a text.
PLACEHOLDER = re.compile(r"\{[a-z_][a-z0-9_]*(:[^}]*)?\}")


def _text(page: Path, code: bool = True) -> str:
    """A page's visible words: no scripts, styles or mathematics (whose braces are TeX), tags
    stripped; without `code`, text set as code (a key or syntax quoted as written) left out too."""
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", page.read_text(), flags=re.S)
    raw = re.sub(r'<(span|div) class="math[^"]*">.*?</\1>', " ", raw, flags=re.S)
    if not code:
        raw = re.sub(r"<code\b.*?</code>|<pre\b.*?</pre>", " ", raw, flags=re.S)  # code and code blocks
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", raw)).split())


@pytest.fixture(scope="module")
def second_case(built_regional) -> Path:
    """tests/cases/regional_records, built once for the run (tests/conftest.py): read only."""
    return built_regional / "book" / "_build" / "html"


@pytest.fixture(scope="module")
def new_case(built_example) -> Path:
    """The starting case of `casebook new`, built once for the run (tests/conftest.py): read only."""
    return built_example / "book" / "_build" / "html"


@pytest.fixture(params=["second_case", "new_case"])
def site(request) -> Path:
    return request.getfixturevalue(request.param)


def _pages(site: Path) -> list[Path]:
    pages = sorted(p for p in site.rglob("*.html") if "_static" not in p.parts and "_sources" not in p.parts)
    assert len(pages) >= 8  # the chapters, the appendices and a page per scenario
    return pages


def test_no_page_shows_the_repository_case_words(site):
    found = [f"{p.relative_to(site)}: {m.group(0)!r} in ...{t[max(0, m.start() - 60):m.end() + 60]}..."
             for p in _pages(site) for t in [_text(p)] for m in CASE_WORDS.finditer(t)]
    assert found == []


def test_no_reader_page_shows_a_file_name_key_slug_or_tool_name(site):
    # issue 23 item 4, for any case: the words come from the case's own params (tests/reader_words.py)
    from .reader_words import internal_words_on

    assert internal_words_on(site, site.parents[2] / "params") == {}


def test_no_page_shows_an_unfilled_placeholder(site):
    found = [f"{p.relative_to(site)}: {m.group(0)!r} in ...{t[max(0, m.start() - 60):m.end() + 60]}..."
             for p in _pages(site) for t in [_text(p, code=False)] for m in PLACEHOLDER.finditer(t)]
    assert found == []


def test_counts_agree_with_their_nouns(site):
    register = _text(site / "appendix_register.html")
    assert re.search(r"\b1 lists\b", register) is None
    assert re.search(r"\b(1 list|[02-9]\d* lists|\d{2,} lists) of narrative figures", register)


def test_the_params_reference_shows_citations_keys_and_units_as_written(site):
    page = (site / "params_reference.html").read_text()
    text = _text(site / "params_reference.html")
    assert '"<file>, <where>"' in text and '(", "' not in text
    assert "<code>appraisal.works_start_milestone</code>" in page
    assert "works start milestone" not in text
    assert "<code>gbp_m</code>" in page and "gbp m" not in text
    assert "<code>costs.&lt;name&gt;.lines</code>" in page


def test_scenario_names_are_never_spelt_as_words(second_case):
    """regional_records has a scenario `no_analytics` (an option, with a title and no short label):
    a table names it by its title (issue 23: a reader's page shows no slug), never by its file's
    name, as code or as 'no analytics'."""
    import yaml

    title = yaml.safe_load((ROOT / "tests" / "cases" / "regional_records" / "params" / "no_analytics.yaml")
                           .read_text())["title"]
    page = (second_case / "economic_analysis.html").read_text()
    text = _text(second_case / "economic_analysis.html")
    assert "no analytics" not in text and "no_analytics" not in text
    assert f"<td>{escape(title)}</td>" in page


def test_a_source_is_cited_by_its_short_name(new_case):
    """The example case's source document is declared with a short name; the register and the scenario
    pages cite it by that name, never by its file's name."""
    import yaml

    declared = yaml.safe_load((new_case.parents[2] / "params" / "sources" / "sources.yaml")
                              .read_text())["documents"]
    files = [f for f in declared if isinstance(declared[f], dict) and declared[f].get("short")]
    assert files
    for page in ("appendix_register.html", "scenarios/preferred.html"):
        text = _text(new_case / page)
        for f in files:
            assert f not in text, (page, f)
        assert f"{declared[files[0]]['short']}, para" in text, page


def test_results_names_the_paper_measure_by_the_case_own_period(tmp_path):
    """A 17-year appraisal period is a 17-year TCO NPV, in `casebook results` and in the uncertainty
    commands' label of the paper's measure: the length is the case's, not CONNECT's ten years."""
    from model.analysis.uncertainty import appraisal_label
    from model.core.scenario import load_scenario

    case = tmp_path / "case"
    shutil.copytree(ROOT / "tests" / "cases" / "regional_records", case)
    proc = casebook(case, "results", "full", "--set", "appraisal.last_fy=2041")
    assert proc.returncode == 0, proc.stderr
    assert "The paper's measure: 17-year TCO NPV, FY25/26 to FY41/42" in proc.stdout
    assert "10-year" not in proc.stdout
    loaded = load_scenario("full", case / "params", {"appraisal.last_fy": "2041"})
    assert appraisal_label(loaded, "paper") == "the paper's measure (17-year TCO NPV)"

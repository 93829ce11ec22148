"""What reviewers get: the book as one PDF, a site that passes axe-core (WCAG 2.1 AA) with tables that
fit, and `casebook diff` / the "changes since the previous build" page."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from .browser_helpers import WCAG_TAGS, axe_source, chromium, open_page, site_pages
from .conftest import SENSITIVITY, SENSITIVITY_EDIT, cli_json
from .pipeline_helpers import casebook, clone_built

# the tests of this file share a module fixture: they run in one process under `pytest -n` (--dist loadgroup)
pytestmark = pytest.mark.xdist_group("test_review")


PDF_NAME = "connect-the-business-case-reproduced.pdf"


def html_dir(project: Path) -> Path:
    return project / "book" / "_build" / "html"


def figures(project: Path) -> dict:
    return json.loads((html_dir(project) / "figures.json").read_text(encoding="utf-8"))


def figure(doc: dict, page: str, name: str) -> dict:
    [row] = [f for f in doc["figures"] if f["page"] == page and f["name"] == name]
    return row


def pdf_pages_text(pdf: Path) -> list[str]:
    """pdftotext (poppler) page by page."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")[:-1]


# --- the PDF ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pdf_builds(built, tmp_path_factory) -> list[Path]:
    """`casebook build --pdf` in two clones of the built project (the site is cached: the PDF is made
    from the same inputs twice)."""
    out = []
    for i in range(2):
        project = clone_built(built, tmp_path_factory.mktemp(f"pdf{i}") / "p")
        proc = casebook(project, "build", "--pdf", timeout=900)
        assert proc.returncode == 0, proc.stderr
        lines = proc.stdout.strip().splitlines()
        assert lines[-2] == str(project / "book" / "_build" / "pdf" / PDF_NAME)
        out.append(project)
    return out


def test_pdf_opens_with_the_title_page_digest_the_npv_and_a_page_per_chapter(pdf_builds):
    project = pdf_builds[0]
    pdf = project / "book" / "_build" / "pdf" / PDF_NAME
    assert pdf.read_bytes()[:5] == b"%PDF-"
    pages = pdf_pages_text(pdf)
    doc = figures(project)
    # the title page carries the version and the full inputs digest of this build
    assert doc["inputs_sha256"] in "".join(pages[0].split()) and "casebook version" in pages[0]
    # FBC3's NPV as the front page glues it (−£144.6m), and the scenario page's figure
    npv_text = figure(doc, "index.html", "fbc3_npv")["text"]
    assert npv_text == "\u2212£144.6m"
    assert npv_text in "".join(pages)
    # every chapter of the site (less the site's own index, search and changes pages) is in the PDF
    chapters = [p for p in site_pages(html_dir(project)) if p.name not in ("genindex.html", "search.html",
                                                                          "changes.html")]
    assert len(pages) >= len(chapters) >= 20
    for title in ("Strategic case", "Economic case", "Appendix B: reconciliation", "Glossary",
                  "Sensitivity: benefits only 50% realised"):
        assert any(title in page for page in pages[2:]), title
    # the what-if chart printed at its base values, with a line pointing to the sliders
    assert "The HTML edition of this book has sliders" in " ".join(" ".join(pages).split())
    # the assumptions register prints once: each scenario page points to it instead of repeating its rows
    scenarios = list((html_dir(project) / "scenarios").glob("*.html"))
    assert " ".join(" ".join(pages).split()).count("The HTML edition shows the table here.") == len(scenarios) >= 9
    # the changes page compares builds, not the case: not in the PDF
    assert not any("Changes since the previous build" in page for page in pages)
    # the contents give each chapter's page
    for title in ("Strategic case", "Appendix B: reconciliation", "Glossary"):
        start = next(i + 1 for i, page in enumerate(pages) if page.lstrip().startswith(title))
        assert re.search(r"%s\s+%d\n" % (re.escape(title), start), pages[1]), title
    # page numbers in the footers
    assert re.search(r"page 3 of %d" % len(pages), pages[2])


def test_two_pdf_builds_give_the_same_text_page_for_page(pdf_builds):
    first, second = (pdf_pages_text(p / "book" / "_build" / "pdf" / PDF_NAME) for p in pdf_builds)
    assert len(first) == len(second)
    for i, (a, b) in enumerate(zip(first, second)):
        assert a == b, f"page {i + 1} differs"


def test_pdf_tables_are_not_cut(pdf_builds):
    """Laid out as chromium prints it (A4 less the margins), no table is wider than its column."""
    from model.pipeline.pdf import PRINT_WIDTH_PX

    html = html_dir(pdf_builds[0])
    with chromium() as browser:
        for path in [html / "appendix_reconciliation.html", html / "appendix_register.html",
                     html / "comparison.html", html / "scenarios" / "fbc3.html"]:
            page = open_page(browser, path, width=PRINT_WIDTH_PX)
            page.emulate_media(media="print")
            page.wait_for_timeout(200)
            wide = page.evaluate("""() => [...document.querySelectorAll('table')]
              .filter(t => t.offsetParent && t.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
              .map(t => t.getBoundingClientRect().right)""")
            assert wide == [], (path.name, wide)
            page.close()


# --- accessibility and width ---------------------------------------------------------------------------

def test_every_page_passes_axe_core_wcag21_aa(built):
    source = axe_source()
    failures = {}
    with chromium() as browser:
        for path in site_pages(html_dir(built)):
            page = open_page(browser, path)
            page.add_script_tag(content=source)
            result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                                   WCAG_TAGS)
            if result["violations"]:
                failures[path.name] = [(v["id"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]
            page.close()
    assert failures == {}


TABLES_WIDER_THAN_THEIR_BOX = """() => [...document.querySelectorAll('table')].filter(t => t.offsetParent)
  .filter(t => t.scrollWidth > t.clientWidth + 1 || t.parentElement.scrollWidth > t.parentElement.clientWidth + 1)
  .map(t => [t.parentElement.className, t.parentElement.scrollWidth, t.parentElement.clientWidth])"""


def test_no_table_overflows_at_1280_and_tables_scroll_alone_at_400(built):
    with chromium() as browser:
        for path in site_pages(html_dir(built)):
            page = open_page(browser, path, width=1280)
            assert page.evaluate(TABLES_WIDER_THAN_THEIR_BOX) == [], path.name
            page.close()
        for name in ("appendix_reconciliation.html", "appendix_register.html", "comparison.html"):
            page = open_page(browser, html_dir(built) / name, width=400)
            # the page itself does not scroll sideways; the wide tables do, in their own box, which
            # takes keyboard focus and has a name
            assert page.evaluate("document.documentElement.scrollWidth") <= 400, name
            boxes = page.evaluate("""() => [...document.querySelectorAll('div.cell_output, div.output, .register-wrap')]
              .filter(b => b.scrollWidth > b.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(b).overflowX))
              .map(b => [b.getAttribute('tabindex'), b.getAttribute('role'), b.getAttribute('aria-label')])""")
            assert boxes, name
            assert all(t == "0" and r == "region" and label for t, r, label in boxes), (name, boxes)
            # and axe agrees at this width too
            page.add_script_tag(content=axe_source())
            result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
            assert [v["id"] for v in result["violations"]] == [], name
            page.close()


def test_charts_are_described_headings_do_not_skip_and_colour_has_a_legend(built):
    described = 0
    with chromium() as browser:
        for path in site_pages(html_dir(built)):
            page = open_page(browser, path)
            page.wait_for_timeout(100)
            info = page.evaluate("""() => {
              const hs = [...document.querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6')]
                .filter(h => h.offsetParent !== null).map(h => +h.tagName[1]);
              const charts = [...document.querySelectorAll('.vega-embed svg')].map(svg => ({
                desc: (svg.getAttribute('aria-describedby') || '').split(' ').filter(Boolean)
                        .map(id => document.getElementById(id) ? document.getElementById(id).textContent.trim() : ''),
                fills: new Set([...svg.querySelectorAll('.mark-rect path, .mark-rect rect, .mark-symbol path')]
                        .map(m => m.getAttribute('fill'))).size,
                legend: svg.querySelectorAll('.role-legend text').length}));
              return {hs, charts};
            }""")
            hs = info["hs"]
            assert hs and hs[0] == 1, path.name
            assert all(b <= a + 1 for a, b in zip(hs, hs[1:])), (path.name, hs)
            for chart in info["charts"]:
                assert chart["desc"] and all(len(text) > 20 for text in chart["desc"]), (path.name, chart)
                # a chart that tells things apart by colour names them in a legend too
                if chart["fills"] > 1:
                    assert chart["legend"] >= chart["fills"], (path.name, chart)
                described += 1
            page.close()
    assert described >= 2 * len(list((html_dir(built) / "scenarios").glob("*.html"))) + 8


def test_what_if_sliders_are_labelled_and_move_with_the_keyboard(built):
    with chromium() as browser:
        page = open_page(browser, html_dir(built) / "economic.html")
        # the Green Book appraisal's what-if: discount rate, benefit level, and optimism bias on capital
        # and on operating costs (two sliders since the economic case split the optimism bias)
        sliders = page.locator("input[type=range]")
        assert sliders.count() == 4
        labels = [sliders.nth(i).evaluate("el => el.labels[0].textContent.trim()") for i in range(4)]
        # each label names its input, then shows the value
        assert [label.rsplit(" ", 1)[0] for label in labels] == [
            "Discount rate", "Benefit level", "Optimism bias, capital", "Optimism bias, operating"]
        assert labels[0].endswith(" 0.035")

        def npv() -> str:
            return next(t for t in page.locator(".vega-embed svg text").all_text_contents() if t.startswith("NPV:"))

        before = npv()
        rate = sliders.nth(0)
        rate.focus()
        for _ in range(10):  # ten steps of 0.0005: 3.5% -> 4.0%
            page.keyboard.press("ArrowRight")
        page.wait_for_timeout(300)
        assert rate.input_value() == "0.04"
        after = npv()
        # the chart is the Green Book appraisal at the decision point (sunk costs excluded)
        expected = cli_json("results", "fbc3", "--set", "appraisal.discount_rate=0.04")["green_book"]["npv_gbp_m"]
        assert after != before
        shown = float(after.split(":")[1].replace("£m", "").replace("\u2212", "-").replace(",", "").strip())
        assert abs(shown - expected) < 0.01


# --- what changed ---------------------------------------------------------------------------------------

def test_figures_json_lists_every_glued_figure_with_its_page(built):
    doc = figures(built)
    assert len(doc["inputs_sha256"]) == 64 and doc["params"]["fbc3.yaml"]
    npv = figure(doc, "scenarios/fbc3.html", "npv_gbp_m")
    assert npv["unit"] == "£m" and abs(npv["value"] - -144.630) < 1e-6  # FBC3's published NPV, calibrated
    assert figure(doc, "index.html", "fbc1_npv")["value"] == 214.7
    assert figure(doc, "economic.html", "econ_ob_capital")["unit"] == "%"
    pages = {f["page"] for f in doc["figures"]}
    assert all((html_dir(built) / p).is_file() for p in pages)
    # a first build has nothing to compare
    changes = (html_dir(built) / "changes.html").read_text(encoding="utf-8")
    assert "first build" in changes and "Figures that changed" not in changes
    assert 'href="changes.html"' in (html_dir(built) / "index.html").read_text(encoding="utf-8")


def test_diff_after_a_sensitivity_edit_lists_only_that_scenarios_figures(built, built_sensitivity_edit):
    # the edit and the rebuild are the run's shared ones (tests/conftest.py), which tests/test_serve.py
    # reads too: fbc3_benefits_half's level from 0.5 to 0.4, and a `casebook build` that succeeded
    project = built_sensitivity_edit
    assert (SENSITIVITY, SENSITIVITY_EDIT) == ("fbc3_benefits_half", ("    value: 0.5\n", "    value: 0.4\n"))
    assert SENSITIVITY_EDIT[1] in (project / "params" / "fbc3_benefits_half.yaml").read_text()
    old = project.parent / "before-figures.json"
    before_cli = cli_json("results", "fbc3_benefits_half")
    after_cli = cli_json("results", "fbc3_benefits_half", "--set", "benefits.level_multiplier=0.4")

    proc = casebook(project, "diff", str(old), str(project), "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    # exactly the headline figures the CLI says moved, all on that scenario's page, none of FBC3's
    # (the scenario page glues the paper's measure and, under green_book_*, the Green Book appraisal)
    moved = {k for k in ("npv_gbp_m", "tco_gbp_m", "pv_costs_gbp_m", "pv_benefits_gbp_m", "bcr")
             if before_cli[k] != after_cli[k]}
    moved |= {f"green_book_{k}" for k in ("npv_gbp_m", "pv_costs_gbp_m", "pv_benefits_gbp_m", "bcr",
                                          "sunk_costs_gbp_m")
              if before_cli["green_book"][k] != after_cli["green_book"][k]}
    assert moved == {"npv_gbp_m", "pv_benefits_gbp_m", "bcr", "green_book_npv_gbp_m",
                     "green_book_pv_benefits_gbp_m", "green_book_bcr"}
    assert {(r["page"], r["name"]) for r in result["figures"]} == {("scenarios/fbc3_benefits_half.html", k)
                                                                  for k in moved}
    npv = next(r for r in result["figures"] if r["name"] == "npv_gbp_m")
    assert abs(npv["old"] - before_cli["npv_gbp_m"]) < 1e-9 and abs(npv["new"] - after_cli["npv_gbp_m"]) < 1e-9
    assert abs(npv["difference"] - (after_cli["npv_gbp_m"] - before_cli["npv_gbp_m"])) < 1e-9
    green_book = next(r for r in result["figures"] if r["name"] == "green_book_npv_gbp_m")
    assert abs(green_book["old"] - before_cli["green_book"]["npv_gbp_m"]) < 1e-9
    assert abs(green_book["new"] - after_cli["green_book"]["npv_gbp_m"]) < 1e-9
    assert [p["file"] for p in result["params"]] == ["fbc3_benefits_half.yaml"]
    assert result["added"] == [] and result["removed"] == []

    text = casebook(project, "diff", str(old), str(html_dir(project) / "figures.json"))
    assert text.returncode == 0 and f"{len(moved)} figure(s) changed" in text.stdout
    assert "scenarios/fbc3_benefits_half.html  npv_gbp_m" in text.stdout and "fbc3_benefits_half.yaml" in text.stdout

    # the rebuilt site says what changed since the build it replaced
    changes = (html_dir(project) / "changes.html").read_text(encoding="utf-8")
    assert figures(built)["inputs_sha256"][:16] in changes
    assert "fbc3_benefits_half.yaml" in changes and "pv_benefits_gbp_m" in changes
    article = changes[changes.index("<article"):changes.index("</article>")]
    assert len(re.findall(r"<tr", article.split("Params files whose digest changed")[0])) == 1 + len(moved)


def test_diff_refuses_what_it_cannot_read(built, tmp_path):
    proc = casebook(built, "diff", str(tmp_path), "no-such-revision-xyz")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "no figures.json" in proc.stderr
    proc = casebook(built, "diff", str(html_dir(built)), "no-such-revision-xyz")
    assert proc.returncode == 2 and "neither a file, a directory nor a git revision" in proc.stderr


def test_diff_reads_a_git_revision_from_the_build_archive(tmp_path):
    """A revision is compared through the figures.json its build archived (build/figures/), found by
    the commit it records; a revision never built here is refused with one line."""
    from model.pipeline.diff import clean_commit

    repo = tmp_path / "repo"
    (repo / "params").mkdir(parents=True)
    (repo / "params" / "a.yaml").write_text("title: a\n")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(git + ["add", "."], check=True)
    subprocess.run(git + ["commit", "-qm", "one"], check=True)
    head = clean_commit(repo)
    assert head is not None and len(head) == 40
    (repo / "params" / "a.yaml").write_text("title: b\n")
    assert clean_commit(repo) is None  # an uncommitted input: the build is not HEAD's
    fig = {"page": "scenarios/a.html", "name": "npv_gbp_m", "unit": "£m", "text": "-1.0"}
    old = {"inputs_sha256": "0" * 64, "built_at": "2026-01-01T00:00:00Z", "git_commit": head,
           "params": {"a.yaml": "1" * 64}, "figures": [{**fig, "value": -1.0}]}
    new = {"inputs_sha256": "2" * 64, "built_at": "2026-01-02T00:00:00Z", "git_commit": None,
           "params": {"a.yaml": "3" * 64}, "figures": [{**fig, "value": -3.5, "text": "-3.5"}]}
    archive = repo / "build" / "figures"
    archive.mkdir(parents=True)
    (archive / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new))
    proc = casebook(repo, "diff", "HEAD", str(tmp_path / "new.json"), "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["figures"] == [{"page": "scenarios/a.html", "name": "npv_gbp_m", "unit": "£m", "old": -1.0,
                                  "new": -3.5, "old_text": "-1.0", "new_text": "-3.5", "difference": -2.5}]
    assert result["params"] == [{"file": "a.yaml", "old_sha256": "1" * 64, "new_sha256": "3" * 64,
                                 "status": "changed"}]
    # like `git diff`: a change is the answer (exit 0); with --exit-code it is exit 1, and no change 0
    assert casebook(repo, "diff", "HEAD", str(tmp_path / "new.json"), "--exit-code").returncode == 1
    assert casebook(repo, "diff", "HEAD", "HEAD", "--exit-code").returncode == 0
    (archive / "old.json").unlink()
    proc = casebook(repo, "diff", "HEAD", str(tmp_path / "new.json"))
    assert proc.returncode == 2 and "was never built here" in proc.stderr and "Traceback" not in proc.stderr

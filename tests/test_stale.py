"""No stale output (issue 18, item 3): an incremental build leaves in the site exactly what a forced build
of the same sources would, with no page, navigation entry, search entry, figure or download of a
scenario or chapter that no longer exists; and it stays incremental when nothing was removed."""

from __future__ import annotations

import json
import posixpath
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import openpyxl
import pytest

from .pipeline_helpers import casebook, clone_built, last_build

# the tests of this file share a module fixture: they run in one process under `pytest -n` (--dist loadgroup)
pytestmark = pytest.mark.xdist_group("test_stale")


OLD_SCENARIO, OLD_SCENARIO_TITLE = "business_as_usual", "Business as usual (example reference)"
NEW_SCENARIO, NEW_SCENARIO_TITLE = "status_quo", "Status quo (the replacement reference)"
OLD_CHAPTER, OLD_CHAPTER_TITLE = "strategic", "Strategic case"
NEW_CHAPTER, NEW_CHAPTER_TITLE = "strategy_outline", "Outline of the strategy"
#: how the old names can show in a site: the slug, its anchor form, the titles
OLD_TRACES = (OLD_SCENARIO, OLD_SCENARIO.replace("_", "-"), OLD_SCENARIO_TITLE, f"{OLD_CHAPTER}.html",
              f"{OLD_CHAPTER}.md", OLD_CHAPTER_TITLE)
#: the page that reports what changed since the previous build: it names the removed scenario's page
#: (as text, never as a link), in a forced build of the same sources as well
CHANGES = ("changes.html", "_sources/changes.md")
TEXT_SUFFIXES = {".html", ".js", ".json", ".csv", ".txt", ".md", ".ipynb", ".inv", ".css"}


def html_dir(project: Path) -> Path:
    return project / "book" / "_build" / "html"


def files(site: Path) -> set[str]:
    return {str(p.relative_to(site)) for p in site.rglob("*") if p.is_file()}


class Links(HTMLParser):
    """Every link of a page, and the entries of its navigation (the sidebar's toctree-l1 items)."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.nav: list[tuple[str, str]] = []
        self._entry: list[str] | None = None  # [href, text] of the navigation entry being read
        self._in_a = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "li" and "toctree-l1" in (attrs.get("class") or "").split():
            self._entry = []
        if tag == "a" and attrs.get("href") is not None:
            self.hrefs.append(attrs["href"])
            if self._entry == []:
                self._entry = [attrs["href"], ""]
                self._in_a = True

    def handle_data(self, data):
        if self._in_a and self._entry:
            self._entry[1] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._in_a:
            self._in_a = False
            self.nav.append((self._entry[0], " ".join(self._entry[1].split())))
            self._entry = None


def page_links(site: Path, page: str) -> Links:
    parser = Links()
    parser.feed((site / page).read_text(encoding="utf-8"))
    return parser


def target(page: str, href: str) -> str | None:
    """The file of the site an internal link points at, relative to the site (None for other links)."""
    url = urlparse(href)
    if url.scheme or url.netloc:
        return None
    if not url.path:  # "#", "#section": the page itself
        return page
    return posixpath.normpath(posixpath.join(posixpath.dirname(page), url.path))


def navigation(site: Path) -> dict[str, list[tuple[str, str]]]:
    """Each page's navigation: the pages it links to in the sidebar, with their titles."""
    out = {}
    for page in sorted(p for p in files(site) if p.endswith(".html")):
        out[page] = [(target(page, href), text) for href, text in page_links(site, page).nav]
    return out


def search_index(site: Path) -> dict:
    text = (site / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1:text.rindex(")")])


def replace_scenario_and_chapter(case: Path) -> None:
    """The author's own scenario in place of the example's reference, and a chapter of their own in place
    of the example's strategic case, under another name (and the table of contents says so)."""
    params = case / "params"
    old = (params / f"{OLD_SCENARIO}.yaml").read_text(encoding="utf-8")
    assert f'title: "{OLD_SCENARIO_TITLE}"' in old
    new = old.replace(f'title: "{OLD_SCENARIO_TITLE}"', f'title: "{NEW_SCENARIO_TITLE}"')
    new = re.sub("business as usual", "the status quo", new, flags=re.IGNORECASE)
    (params / f"{NEW_SCENARIO}.yaml").write_text(new, encoding="utf-8")
    (params / f"{OLD_SCENARIO}.yaml").unlink()
    book = case / "book"
    (book / f"{OLD_CHAPTER}.md").unlink()
    (book / f"{NEW_CHAPTER}.md").write_text(f"# {NEW_CHAPTER_TITLE}\n\nThe author's own chapter: where the "
                                            "organisation is going, and why this investment helps.\n",
                                            encoding="utf-8")
    toc = (book / "_toc.yml").read_text(encoding="utf-8")
    assert f"- file: {OLD_CHAPTER}\n" in toc
    (book / "_toc.yml").write_text(toc.replace(f"- file: {OLD_CHAPTER}\n", f"- file: {NEW_CHAPTER}\n"),
                                   encoding="utf-8")


@pytest.fixture(scope="module")
def built_example(tmp_path_factory) -> tuple[Path, Path]:
    """The starting case of `casebook new`, built once, and a copy of it as built."""
    where = tmp_path_factory.mktemp("stale")
    assert casebook(where, "new", "case").returncode == 0
    case = where / "case"
    proc = casebook(case, "build", "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    site = html_dir(case)
    for page in (f"scenarios/{OLD_SCENARIO}.html", f"{OLD_CHAPTER}.html", f"_sources/{OLD_CHAPTER}.md",
                 f"_static/downloads/cashflows_{OLD_SCENARIO}.csv"):
        assert (site / page).is_file(), page
    return case, clone_built(case, where / "as-built")


@pytest.fixture
def example(built_example) -> Path:
    """The built starting case, as built, where it was built: Sphinx keeps its environment only for
    the same source folder, so a copy elsewhere would build it afresh and show nothing incremental."""
    case, as_built = built_example
    shutil.rmtree(case)
    shutil.copytree(as_built, case, symlinks=True)
    return case


def test_an_incremental_build_keeps_nothing_of_a_removed_scenario_or_chapter(example, tmp_path):
    case = example
    replace_scenario_and_chapter(case)
    forced = clone_built(case, tmp_path / "forced")  # the same sources, after the same previous build
    proc = casebook(case, "build", "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    report = last_build(case)
    # incremental: only the new scenario and the pages that read the scenarios were executed again
    assert report["site_rebuilt"] is True and report["executed"] == [NEW_SCENARIO]
    assert {"preferred", "do_minimum"} <= set(report["cached"])
    proc = casebook(forced, "build", "--jobs", "2", "--force")
    assert proc.returncode == 0, proc.stderr
    site, forced_site = html_dir(case), html_dir(forced)

    # the same files as the forced build: no page, source, download or asset more or fewer
    assert files(site) == files(forced_site)
    names = files(site)
    assert [f for f in names if OLD_SCENARIO in f or OLD_CHAPTER in f] == []
    for page in (f"scenarios/{NEW_SCENARIO}.html", f"_sources/scenarios/{NEW_SCENARIO}.ipynb",
                 f"{NEW_CHAPTER}.html", f"_sources/{NEW_CHAPTER}.md",
                 f"_static/downloads/cashflows_{NEW_SCENARIO}.csv"):
        assert page in names, page

    # no file of the site names the old scenario or chapter (bar the page that lists what changed)
    for name in sorted(names - set(CHANGES)):
        path = site / name
        if path.suffix in TEXT_SUFFIXES and name != "searchindex.js":
            text = path.read_text(encoding="utf-8", errors="replace")
            assert [t for t in OLD_TRACES if t in text] == [], name
    book = openpyxl.load_workbook(site / "_static" / "downloads" / "casebook-tables.xlsx", read_only=True)
    assert f"cashflows_{NEW_SCENARIO}" in book.sheetnames
    assert [s for s in book.sheetnames if OLD_SCENARIO in s] == []
    cells = [str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    assert [c for c in cells if any(t in c for t in OLD_TRACES)] == []
    assert any(NEW_SCENARIO_TITLE in c for c in cells)
    # the changes page names the removed scenario's figures as text, and links to no page that is gone
    assert f"scenarios/{OLD_SCENARIO}.html" in (site / "changes.html").read_text(encoding="utf-8")

    # every link of every page leads to a file of the site; every page's navigation lists the new
    # scenario and chapter under their titles, the old ones nowhere, as in the forced build
    nav = navigation(site)
    assert nav == navigation(forced_site)
    with_nav = [page for page, entries in nav.items() if entries]
    assert len(with_nav) >= 13 and f"scenarios/{NEW_SCENARIO}.html" in with_nav
    for page, entries in nav.items():
        for href in page_links(site, page).hrefs:
            linked = target(page, href)
            assert linked is None or linked in names, (page, href)
        if entries:
            assert (f"scenarios/{NEW_SCENARIO}.html", NEW_SCENARIO_TITLE) in entries, page
            assert (f"{NEW_CHAPTER}.html", NEW_CHAPTER_TITLE) in entries, page
            assert [e for e in entries if any(t in f"{e[0]} {e[1]}" for t in OLD_TRACES)] == [], page

    # the search index knows the new documents and titles, not the old ones: as the forced build's
    index = search_index(site)
    assert index == search_index(forced_site)
    docs = index["docnames"]
    assert f"scenarios/{NEW_SCENARIO}" in docs and NEW_CHAPTER in docs
    assert f"scenarios/{OLD_SCENARIO}" not in docs and OLD_CHAPTER not in docs
    assert NEW_SCENARIO_TITLE in index["titles"] and NEW_CHAPTER_TITLE in index["titles"]
    structure = json.dumps([index["docnames"], index["filenames"], index["titles"], index["alltitles"]])
    assert [t for t in OLD_TRACES if t in structure] == []
    changes = docs.index("changes")
    for term, where in index["terms"].items():  # only the changes page has words of the old name
        if OLD_SCENARIO[:10] in term:
            assert where in (changes, [changes]), term

    # figures.json: the figures of the pages there are, the params files there are
    figures = json.loads((site / "figures.json").read_text(encoding="utf-8"))
    pages = {f["page"] for f in figures["figures"]}
    assert f"scenarios/{NEW_SCENARIO}.html" in pages and f"scenarios/{OLD_SCENARIO}.html" not in pages
    # (the example has two versions, outline and preferred, since the comparison page came in)
    assert sorted(figures["params"]) == ["do_minimum.yaml", "outline.yaml", "preferred.yaml", f"{NEW_SCENARIO}.yaml"]
    assert pages == {f["page"] for f in json.loads((forced_site / "figures.json").read_text())["figures"]}

    # the build's own caches keep no run, loaded scenario or download of the old scenario
    runs = case / "build" / "runs"
    kept = sorted(str(p.relative_to(runs)) for p in runs.rglob("*") if OLD_SCENARIO in p.name)
    assert kept == []
    assert (runs / f"{NEW_SCENARIO}.ipynb").is_file() and (runs / "loaded" / f"{NEW_SCENARIO}.pickle").is_file()
    # one site, the current one
    assert [p.name for p in (case / "book" / "_build" / "sites").iterdir()] == [site.resolve().name]


def sphinx_log(case: Path) -> str:
    return (case / "book" / "_build" / "incremental" / "out" / "sphinx.log").read_text()


def test_a_build_that_removes_nothing_stays_incremental_and_a_new_title_reaches_every_page(example, tmp_path):
    case = example
    # the chapter's prose changes: Sphinx reads that page alone again
    chapter = case / "book" / f"{OLD_CHAPTER}.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nOne more sentence of the author's.\n",
                       encoding="utf-8")
    proc = casebook(case, "build", "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    assert last_build(case)["executed"] == []
    log = sphinx_log(case)
    assert re.search(r"0 added, [12] changed, 0 removed", log), log[-2000:]
    assert "One more sentence of the author" in (html_dir(case) / f"{OLD_CHAPTER}.html").read_text()
    # a scenario's title changes: every page's navigation shows the new one, as a forced build would
    option = case / "params" / "do_minimum.yaml"
    old_title = "Do minimum: the first delivery only (example)"
    new_title = "Do minimum: stop after the first delivery"
    assert f'title: "{old_title}"' in option.read_text()
    option.write_text(option.read_text().replace(old_title, new_title))
    forced = clone_built(case, tmp_path / "forced")
    proc = casebook(case, "build", "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    nav = navigation(html_dir(case))
    for page, entries in nav.items():
        if entries:
            assert ("scenarios/do_minimum.html", new_title) in entries, page
            assert [e for e in entries if old_title in e[1]] == [], page
    assert casebook(forced, "build", "--jobs", "2", "--force").returncode == 0
    assert nav == navigation(html_dir(forced))
    assert files(html_dir(case)) == files(html_dir(forced))

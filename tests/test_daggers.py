"""Daggers (assumption markers) that are exactly right, on the example case `casebook new` writes:
an assumption that cannot be nudged marks nothing and is reported as untested; a table's markers sit
on the numbers that move, never on a heading or a text; a single delivery needs no share; a front
page's figures glued in a `bv.tracked` function carry a dagger exactly when they rest on an assumption."""

from __future__ import annotations

import json
import re
from pathlib import Path
from unittest import mock

import pytest
import yaml
from bs4 import BeautifulSoup

from model.analysis import dependence
from model.core.errors import CasebookError
from model.core.scenario import load_scenario
from model.pipeline.newcase import new_case
from model.report import book

from .conftest import run_cli
from .dependence_record import figure_sets
from .pipeline_helpers import casebook, last_build

# the tests of this file share a module fixture: they run in one process under `pytest -n` (--dist loadgroup)
pytestmark = pytest.mark.xdist_group("test_daggers")


NEWCASE_INDEX = Path(__file__).parent.parent / "model" / "pipeline" / "data" / "newcase" / "book" / "index.md"
MARKER_CLASS = "casebook-assumption"
#: a number as a table cell shows it: 1,234.567, −0.5, 12
NUMBER_RE = re.compile(r"^\u2212?[0-9][0-9,]*(\.[0-9]+)?$")


def _example(folder: Path) -> Path:
    """The example case `casebook new` writes, in `folder`; its params directory."""
    new_case(folder)
    return folder / "params"


def _edit(pdir: Path, stem: str, change) -> None:
    path = pdir / f"{stem}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _one_delivery(data: dict, share: dict | None) -> None:
    deliveries = data["benefits"]["deliveries"]
    del deliveries["d2"]
    if share is None:
        del deliveries["d1"]["share"]
    else:
        deliveries["d1"]["share"] = share


# ---------------------------------------------------------------------------------------------------
# A single delivery needs no share


def test_a_single_delivery_without_a_share_gives_the_cash_flows_of_a_share_of_one(tmp_path):
    without = _example(tmp_path / "without")
    _edit(without, "outline", lambda d: _one_delivery(d, None))  # the deliveries are the outline's
    written = _example(tmp_path / "written")
    _edit(written, "outline", lambda d: _one_delivery(d, {"value": 1.0, "unit": "fraction",
                                                            "source": "000_d522390e1766e040.txt, para 3"}))
    a = book.results(load_scenario("preferred", without))
    b = book.results(load_scenario("preferred", written))
    assert a["cashflows"] == b["cashflows"]
    assert a["npv_gbp_m"] == pytest.approx(12.0, abs=1e-6)  # still calibrated to the published NPV
    # the one delivery goes live at the start of FY25/26 and ramps up over one year: that year has
    # half of the steady level, the next the whole of it
    real = {row["fy"]: row["benefits_real_gbp_m"] for row in a["cashflows"]}
    assert real["FY24/25"] == 0.0
    assert real["FY25/26"] == pytest.approx(0.5 * real["FY26/27"], rel=1e-12)
    assert real["FY27/28"] == pytest.approx(real["FY26/27"], rel=1e-12)


def test_two_deliveries_still_each_need_a_share(tmp_path):
    pdir = _example(tmp_path / "case")
    _edit(pdir, "outline", lambda d: d["benefits"]["deliveries"]["d2"].pop("share"))
    with pytest.raises(CasebookError, match="with 2 deliveries each needs a share.*d2 has none"):
        load_scenario("preferred", pdir)
    # as bad input: one line naming the file, its line and the key, exit code 2, no traceback
    proc = run_cli("check", "--params", str(pdir))
    assert proc.returncode == 2
    [line] = proc.stderr.strip().splitlines()
    assert re.match(r"casebook: error: .*outline\.yaml:\d+: benefits\.deliveries: with 2 deliveries", line), line


def test_the_file_schema_leaves_a_delivery_share_optional():
    proc = run_cli("schema")
    assert proc.returncode == 0, proc.stderr
    delivery = json.loads(proc.stdout)["$defs"]["Delivery"]
    assert "share" in delivery["properties"] and "share" not in delivery.get("required", [])
    assert "only delivery" in delivery["properties"]["share"]["description"]


# ---------------------------------------------------------------------------------------------------
# A nudge that cannot be applied never makes a dagger


def test_an_assumption_with_nothing_to_nudge_moves_nothing_and_is_recorded(tmp_path):
    pdir = _example(tmp_path / "case")
    _edit(pdir, "preferred", lambda d: d["decision"].update(assumption=True, why="Example: a text"))
    [text] = [a for a in dependence.assumptions(pdir) if a.id == "preferred:decision"]
    dependence.UNTESTED.pop(text.id, None)
    deps = dependence.dependence(lambda p: {"npv": book.result("preferred", p)["npv_gbp_m"]}, pdir, [text])
    assert deps == {"npv": []}  # counted as moving everything before
    assert dependence.UNTESTED[text.id]["key"] == "decision"
    assert dependence.UNTESTED[text.id]["file"] == "preferred.yaml"
    assert "cannot be nudged" in dependence.UNTESTED[text.id]["reason"]


def test_an_assumption_whose_nudged_copies_never_load_moves_nothing(tmp_path):
    pdir = _example(tmp_path / "case")
    [build] = [a for a in dependence.assumptions(pdir) if a.id == "outline:cost_multipliers.build"]
    dependence.UNTESTED.pop(build.id, None)

    def compute(p):
        if Path(p).resolve() != pdir.resolve():
            raise CasebookError("pushed out of its range", key="cost_multipliers.build")
        return {"npv": 1.0, "tco": 2.0}

    assert dependence.dependence(compute, pdir, [build]) == {"npv": [], "tco": []}
    assert dependence.UNTESTED[build.id]["reason"].startswith("its nudged copy does not load either way")


def test_a_single_delivery_share_of_one_is_never_nudged(tmp_path):
    pdir = _example(tmp_path / "case")
    _edit(pdir, "outline", lambda d: _one_delivery(d, {"value": 1.0, "unit": "fraction", "assumption": True,
                                                         "why": "Example: the only delivery"}))
    [share] = [a for a in dependence.assumptions(pdir) if a.id == "outline:benefits.deliveries.d1.share"]
    assert dependence.perturbed_params(pdir, share, 1) is None
    assert dependence.perturbed_params(pdir, share, -1) is None
    assert "only delivery" in dependence.untested_reason(pdir, share)


# ---------------------------------------------------------------------------------------------------
# The front page: glued inside bv.tracked, a figure carries a dagger exactly when it rests on one


def _front_page_glue(pdir: Path) -> dict:
    """Run the packaged front page's code cell on `pdir`, with the glue captured: key -> Linked."""
    text = NEWCASE_INDEX.read_text(encoding="utf-8")
    [cell] = [c for c in re.findall(r"```\{code-cell\} ipython3\n(.*?)```", text, re.S) if "bv.tracked" in c]
    code = "\n".join(line for line in cell.splitlines() if not line.startswith(":"))  # less its :tags:
    glued = {}
    with mock.patch("myst_nb.glue", lambda key, value, display=False: glued.__setitem__(key, value)):
        exec(compile(code, "front page", "exec"), {"params_dir": str(pdir)})
    return glued


def test_the_front_page_npv_has_a_dagger_only_when_it_is_not_calibrated(tmp_path):
    # the example's preferred NPV is calibrated to its published £12.0m: whatever an assumption is
    # nudged to, the solved benefit level brings the NPV back, so it rests on none; the do-minimum's
    # NPV is not calibrated and moves with (among others) its own build cost
    pdir = _example(tmp_path / "calibrated")
    glued = _front_page_glue(pdir)
    assert glued["npv_preferred"].text == "£12.0m"
    assert glued["npv_preferred"].assumptions == []
    assert MARKER_CLASS not in glued["npv_preferred"]._repr_html_()
    do_min = {a.id for a in glued["npv_do_minimum"].assumptions}
    assert {"do_minimum:costs.capital.lines.build", "outline:cost_multipliers.run"} <= do_min
    assert MARKER_CLASS in glued["npv_do_minimum"]._repr_html_()

    # without the calibration the benefit level is an assumption of its own, and the NPV rests on it
    free = _example(tmp_path / "free")

    def uncalibrated(d):
        d.pop("calibration")  # and the level the outline case solved is replaced by an assumed one
        d["benefits"]["annual_steady_state_gbp_m"] = {"label": "Annual benefits (example)", "value": 4.0,
                                                      "unit": "gbp_m", "assumption": True, "why": "Example"}

    _edit(free, "preferred", uncalibrated)
    glued = _front_page_glue(free)
    ids = {a.id for a in glued["npv_preferred"].assumptions}
    assert "preferred:benefits.annual_steady_state_gbp_m" in ids
    assert MARKER_CLASS in glued["npv_preferred"]._repr_html_()


# ---------------------------------------------------------------------------------------------------
# A built case: the untested assumptions in the build report, and markers only on numbers


UNTESTED_IDS = ["outline:benefits.deliveries.d1.share", "preferred:decision"]


@pytest.fixture(scope="module")
def built_case(tmp_path_factory):
    """The example case with one delivery whose share of 1 is written as an assumption, and its
    decision (a text) marked as an assumption: two assumptions that cannot be nudged."""
    folder = tmp_path_factory.mktemp("daggers") / "case"
    pdir = _example(folder)

    _edit(pdir, "outline", lambda d: _one_delivery(d, {"value": 1.0, "unit": "fraction", "assumption": True,
                                                       "why": "Example: the only one"}))
    _edit(pdir, "preferred", lambda d: d["decision"].update(assumption=True, why="Example: a text"))
    proc = casebook(folder, "build", "--jobs", "2", timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return folder, proc


def test_the_build_lists_the_untested_assumptions(built_case):
    folder, proc = built_case
    lines = [line for line in proc.stdout.splitlines() if line.startswith("untested assumption")]
    assert len(lines) == 2, proc.stdout
    assert any("preferred.yaml, decision:" in line and "cannot be nudged" in line for line in lines), lines
    assert any("outline.yaml, benefits.deliveries.d1.share:" in line and "only delivery" in line for line in lines), lines
    listed = last_build(folder)["untested_assumptions"]
    assert sorted(u["id"] for u in listed) == UNTESTED_IDS
    assert sorted((u["file"], u["key"]) for u in listed) == [("outline.yaml", "benefits.deliveries.d1.share"),
                                                              ("preferred.yaml", "decision")]


def test_a_build_from_cache_still_lists_them(built_case):
    # the notebooks that found them are not executed again, and their records are still current
    folder, _ = built_case
    proc = casebook(folder, "build", "--jobs", "2", timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = last_build(folder)
    assert report["executed"] == [] and report["pages_executed"] == []
    assert sorted(u["id"] for u in report["untested_assumptions"]) == UNTESTED_IDS
    assert len([line for line in proc.stdout.splitlines() if line.startswith("untested assumption")]) == 2


def test_an_untested_assumption_marks_no_figure(built_case):
    folder, _ = built_case
    sets = figure_sets(folder)
    assert sets, "the build glued no figure"
    assert not [k for k, ids in sets.items() if set(ids) & set(UNTESTED_IDS)]
    # the Monte Carlo's number of draws rests on nothing (it was marked with the share before)
    assert sets["pages/economic_analysis.ipynb#unc_draws"] == []
    # the preferred NPV is calibrated; the do-minimum NPV is not
    assert sets["pages/index.ipynb#npv_preferred"] == []
    assert "do_minimum:costs.capital.lines.build" in sets["pages/index.ipynb#npv_do_minimum"]


def _pages(folder: Path):
    site = folder / "book" / "_build" / "html"
    for page in sorted(site.rglob("*.html")):
        if not page.relative_to(site).as_posix().startswith(("_", "genindex", "search")):
            yield page, BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")


def test_table_markers_sit_on_numbers_never_on_a_heading_or_a_text(built_case):
    folder, _ = built_case
    marked_cells = 0
    for page, soup in _pages(folder):
        for table in soup.select("table.casebook-table"):
            assert not table.select(f"th a.{MARKER_CLASS}"), f"{page.name}: a heading carries a marker"
            for td in table.select("td"):
                marker = td.select_one(f"a.{MARKER_CLASS}")
                if marker is None:
                    continue
                marked_cells += 1
                marker.extract()
                assert NUMBER_RE.match(td.get_text().strip()), f"{page.name}: {td.get_text()!r} is not a number"
                assert re.fullmatch(r"\(rests on \d+ assumptions?\)", marker.select_one(".visually-hidden").get_text())
                assert marker["href"].startswith("#rests-") and soup.find(id=marker["href"][1:]) is not None
    assert marked_cells > 0  # the options' and the cash flows' figures rest on assumptions


def test_a_figure_that_moves_is_marked_and_its_neighbour_that_does_not_is_not(built_case):
    # the preferred option's cash flows: FY24/25's capital is 6.0 times the build multiplier (an
    # assumption), so it moves; FY33/34's capital is zero under every nudge, so it does not
    folder, _ = built_case
    soup = BeautifulSoup((folder / "book" / "_build" / "html" / "scenarios" / "preferred.html")
                         .read_text(encoding="utf-8"), "html.parser")
    tables = [t for t in soup.select("table.casebook-table")
              if [th.get_text() for th in t.select("thead th")][:2] == ["FY", "Capital £m"]]
    assert tables
    rows = {tr.select("td")[0].get_text(): tr.select("td") for tr in tables[0].select("tbody tr")}
    capital_2033 = rows["FY33/34"][1]
    assert capital_2033.get_text() == "0.000"
    assert capital_2033.select_one(f"a.{MARKER_CLASS}") is None
    assert rows["FY24/25"][1].select_one(f"a.{MARKER_CLASS}") is not None
    # the FY column is text: none of its cells is marked
    assert not [r for r in rows.values() if r[0].select_one(f"a.{MARKER_CLASS}")]


def test_the_csv_downloads_carry_no_marker(built_case):
    folder, _ = built_case
    downloads = list((folder / "book" / "_build" / "html" / "_static" / "downloads").glob("*.csv"))
    assert downloads
    for csv in downloads:
        text = csv.read_text(encoding="utf-8")
        assert "\u2020" not in text and MARKER_CLASS not in text, csv.name

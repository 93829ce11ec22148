"""The built pages read cleanly: tables whole, labels not keys, no negative zero, every assumption
marked; and the register lists every key of every params file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from model.report import book
from model.core.scenario import load_scenario
from model.report.scenario_diff import diff

from .conftest import PARAMS

SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")


def pages(html_dir: Path) -> list[Path]:
    return sorted(p for p in [*html_dir.glob("*.html"), *html_dir.glob("scenarios/*.html")]
                  if p.name not in ("genindex.html", "search.html"))


def page_problems(page: Path) -> list[str]:
    """What a reader should never meet on a page: a cut table, a negative zero, a raw params key in a
    table cell or a heading."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    main = soup.find("main") or soup
    text = main.get_text(" ")
    problems = []
    if re.search(r"\d+ rows × \d+ columns", text):
        problems.append("pandas row-count footer")
    if re.search(r"[-\u2212]0\.0+(?![0-9])", text):
        problems.append("negative zero: " + re.search(r".{0,30}[-\u2212]0\.0+(?![0-9]).{0,10}", text, re.S).group(0))
    for cell in main.find_all(["td", "th"]):
        value = cell.get_text(" ", strip=True)
        if value in ("…", "...") or value.endswith("…"):
            problems.append(f"truncated cell: {value!r}")
        shown_as_code = cell.find("code") is not None and cell.code.get_text(strip=True) == value
        if SNAKE.match(value) and not shown_as_code:  # a key set as code is named as a key on purpose
            problems.append(f"raw key in a table cell: {value!r}")
    for h in main.find_all(["h1", "h2", "h3", "h4", "h5", "h6"]):
        for word in h.get_text(" ", strip=True).split():
            if SNAKE.match(word.strip("()[],.:;")):
                problems.append(f"raw key in a heading: {word!r}")
    return problems


def test_no_page_has_a_cut_table_a_negative_zero_or_a_raw_key(built):
    html = built / "book" / "_build" / "html"
    found = {p.relative_to(html).as_posix(): page_problems(p) for p in pages(html)}
    assert len(found) >= 19
    assert {k: v for k, v in found.items() if v} == {}


def test_page_problems_finds_what_it_looks_for(tmp_path):
    page = tmp_path / "p.html"
    page.write_text("<main><h2>About gds_sms</h2><table><tr><th>npv_gbp_m</th><td>…</td>"
                    "<td>\u22120.000</td></tr></table><p>123 rows × 6 columns</p></main>")
    problems = page_problems(page)
    assert len(problems) == 5, problems
    page.write_text("<main><table><tr><td><code>no_analytics</code></td></tr></table></main>")
    assert page_problems(page) == []


def test_dependent_figures_carry_a_marker_to_the_register(built):
    html = built / "book" / "_build" / "html"
    index = BeautifulSoup((html / "index.html").read_text(encoding="utf-8"), "html.parser")
    register = BeautifulSoup((html / "appendix_register.html").read_text(encoding="utf-8"), "html.parser")
    ids = {tag["id"] for tag in register.find_all(attrs={"id": True})}
    markers = index.select("a.casebook-assumption")
    assert markers
    for m in markers:
        # a short text alternative, not colour alone, and a link to the list of its assumptions on the
        # page, each of which links to its row of the register
        assert re.fullmatch(r"\u2020\(rests on \d+ assumptions?\)", m.get_text())
        listed = index.find(id=m["href"].removeprefix("#"))
        assert m["href"].startswith("#") and listed is not None
        links = listed.select("ul a")
        assert len(links) == int(re.search(r"\d+", m.get_text()).group(0))
        for link in links:
            page, anchor = link["href"].split("#")
            assert page == "appendix_register.html" and anchor in ids
    # FBC1's TCO (placeholder costs) is marked; the published FBC1 NPV is not
    tco = index.find("a", string="£129.0m")
    assert tco is not None and "casebook-assumption" in tco.find_next_sibling("a")["class"]
    published = [a for a in index.find_all("a", class_="glued") if a.get_text() == "£214.7m"]
    assert published and all(
        not (a.find_next_sibling() and "casebook-assumption" in a.find_next_sibling().get("class", []))
        for a in published)


def _value_keys(node, path=()):
    """Every key of a params file that holds a value, walked from the YAML itself: a mapping with a
    value, a series, statements or a range is one key; a plain scalar under any other key is one key,
    except the words that describe the group they sit in (its label, supplier, source...)."""
    describing = {"label", "supplier", "decision", "type", "kind", "factor", "note", "unit", "published_as",
                  "source", "why", "assumption",
                  # which milestone a delivery goes live at, and where the works start: names of
                  # milestones, each of which is its own row
                  "milestone", "works_start_milestone"}
    if isinstance(node, dict):
        if any(k in node for k in ("value", "by_fy", "statements")) or (
                any(k in node for k in ("assumption", "source", "why", "parts", "low", "high"))
                and not any(isinstance(v, dict) for v in node.values())):
            yield path
            return
        for k, v in node.items():
            if isinstance(v, dict) or isinstance(v, list) or k not in describing:
                yield from _value_keys(v, path + (str(k),))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _value_keys(item, path + (str(i),))
    else:
        yield path


def test_register_lists_every_key_of_every_params_file():
    reg = book.assumptions_register(PARAMS)
    rows = {(r["parameter"], r["defined_in"].split(":")[0]) for r in reg.to_dict(orient="records")}
    missing = []
    for file in sorted(PARAMS.glob("*.yaml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        for top, value in data.items():
            if top in ("title", "kind", "description", "extends", "short", "headline"):
                continue  # the file's own description, shown on its scenario page
            for path in _value_keys(value, (top,)):
                if top == "calibration":  # calibrations belong to their file: calibration.<file>.<i>
                    path = ("calibration", file.stem, *path[1:2])
                key = ".".join(path)
                if not any((key == p or key.startswith(p + ".")) and f == file.name for p, f in rows):
                    missing.append(f"{file.name}: {key}")
    assert missing == []
    # the uncertainty ranges, caps and overrides are there with their values
    by_key = reg.set_index("anchor")
    assert by_key.loc[book.register_anchor("uncertainty.benefit_level"), "value"].startswith("0.5 to 1.5")
    assert by_key.loc[book.register_anchor("appraisal.optimism_bias_capital", "fbc3_optimism_upper"), "value"] == "2"
    assert by_key.loc[book.register_anchor("appraisal.optimism_bias_operating", "fbc3_optimism_upper"), "value"] == "0.41"
    assert "cap_pct_of_original 50" in by_key.loc[book.register_anchor("contract_cap"), "value"]
    assert not reg.value.eq("blank").any()


def test_scenario_changes_come_from_the_params_difference():
    upper = diff(load_scenario("fbc3_optimism_upper", PARAMS), PARAMS).set_index("parameter")
    assert list(upper.index) == ["appraisal.optimism_bias_capital", "appraisal.optimism_bias_operating",
                                 "appraisal.optimism_bias_duration"]
    assert (upper.loc["appraisal.optimism_bias_capital", "before"],
            upper.loc["appraisal.optimism_bias_capital", "after"]) == ("0", "2")
    assert diff(load_scenario("fbc1", PARAMS), PARAMS).empty
    slip = diff(load_scenario("fbc3_drop2_slip", PARAMS), PARAMS)
    assert slip[["parameter", "before", "after"]].values.tolist() == [
        ["milestones.drop2_go_live", "2024-02-27", "2024-08-27"]]


@pytest.mark.parametrize("value,places,text", [(-0.0004, 3, "0.000"), (-1.5, 1, "\u22121.5"), (1234.5, 3, "1,234.500")])
def test_numbers_never_show_a_negative_zero(value, places, text):
    from model.report.htmltable import number

    assert number(value, places) == text

"""Coverage of the sources: splitting a document into units, reading citations, and the check that no
unit is left without a citation or a reason."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from model.analysis.coverage import coverage, params_citations
from model.core.sources import Index, resolve, split_units

from .conftest import run_cli

SYNTHETIC = """\
CITY POLICE BOARD

## A new records system

Board meeting, 1 March 2024

**Part 1 - published**

### Summary

1. This paper asks for money.
2. It also asks for a contract change.

### Background

The system is old.

1. The first reason is cost.
   - a. licences
   - b. support
2. The second reason is risk.
2.1 Risk grows each year.

Item\tFY24/25\tFY25/26
Licences\t1.0\t2.0

Table 1 Costs by year

### Legal Comments

Withheld.

**Part 2 - restricted**

### Decisions

1. Approve the budget.
2. Approve the contract change.
3. Note the risks.

### Detail

2. Why the money is needed.
3. More detail on costs.
4. More detail on risk.
5. Closing remarks.
"""


def names(units):
    return [u.name for u in units]


def test_a_synthetic_source_splits_into_the_expected_units():
    units = split_units("999_0000000000000000.txt", SYNTHETIC)
    assert names(units) == [
        "title block",
        "Part 1 Summary 1", "Part 1 Summary 2",          # a short list, named after its section
        "Part 1 Background",                              # text outside the numbered paragraphs
        "Part 1 para 1", "Part 1 para 2", "Part 1 para 2.1",
        "Table 1",
        "Part 1 Legal Comments",
        "Part 2 Decisions 1", "Part 2 Decisions 2", "Part 2 Decisions 3",  # numbering restarts at 2:
        "Part 2 para 2", "Part 2 para 3", "Part 2 para 4", "Part 2 para 5",  # the longer run keeps "para"
    ]
    by = {u.name: u for u in units}
    assert by["Part 1 para 1"].lines == ["1. The first reason is cost.", "- a. licences", "- b. support"]
    assert by["Table 1"].lines == ["Table 1 Costs by year", "Item\tFY24/25\tFY25/26", "Licences\t1.0\t2.0"]
    assert by["title block"].lines[:2] == ["CITY POLICE BOARD", "A new records system"]
    assert by["Part 2 para 4"].part == "Part 2" and by["Part 2 para 4"].section == "Detail"


def test_a_plain_text_source_splits_on_its_own_headings():
    text = ("Home\n\nKey facts\n\nReference: X 1\n\nRecommendation\n\nThe board is asked to:\n\n"
            "1. Approve the budget.\n\n2. Note the risks.\n\n1. Introduction\n\n1.1. The system is old.\n\n"
            "1.2. It must be replaced.\n\n2. Legal\n\n2.1. The law allows it.\n")
    assert names(split_units("999_0000000000000000.txt", text)) == [
        "title block", "Key facts", "Recommendation 1", "Recommendation 2", "para 1.1", "para 1.2", "para 2.1"]


@pytest.mark.parametrize("where, expected", [
    ("Part 1 para 1a", ["Part 1 para 1"]),
    ("Part 1 para 2.1 (a remark; with a semicolon)", ["Part 1 para 2.1"]),
    ("Part 2 paras 3 and 5", ["Part 2 para 3", "Part 2 para 5"]),
    ("Part 2 paras 3-5", ["Part 2 para 3", "Part 2 para 4", "Part 2 para 5"]),
    ("Part 2 Decision 2", ["Part 2 Decisions 2"]),
    ("Part 2 para 2", ["Part 2 para 2"]),
    ("Part 2 Detail 2", ["Part 2 para 2"]),
    ("Part 2 Decisions 1-2", ["Part 2 Decisions 1", "Part 2 Decisions 2"]),
    ("Part 1 Summary 2 and Part 2 para 4", ["Part 1 Summary 2", "Part 2 para 4"]),
    ("Part 2 para 3 and para 5", ["Part 2 para 3", "Part 2 para 5"]),
    ("Table 1, row Licences and Part 1 Legal", ["Table 1"]),
    ("Part 1 Legal", ["Part 1 Legal Comments"]),
    ("title block", ["title block"]),
])
def test_citations_name_their_units(where, expected):
    index = Index(split_units("999_0000000000000000.txt", SYNTHETIC))
    found = resolve(where, index)
    assert names(found.units) == expected and not found.problems


def test_a_citation_that_names_nothing_is_reported():
    index = Index(split_units("999_0000000000000000.txt", SYNTHETIC))
    found = resolve("Part 3 para 9", index)
    assert found.units == [] and found.problems == ["'Part 3 para 9' names no single unit"]


def test_the_shipped_params_leave_no_unit_uncovered():
    proc = run_cli("coverage", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert {r["document"] for r in rows} == {"000_dfcf8106c0ed4cbe.txt", "001_86d069ffb4d8e356.txt"}
    assert [r for r in rows if r["status"] == "uncovered"] == []
    for r in rows:
        assert set(r) >= {"document", "unit", "status", "used_by", "reason"}
        assert (r["status"] == "used") == bool(r["used_by"])
        assert (r["status"] == "not_used") == bool(r["reason"])
    by = {(r["document"][:3], r["unit"]): r for r in rows}
    # FBC3 numbers Part 1 and Part 2 separately: the two "para 2"s are different units
    assert by[("001", "Part 1 para 2")]["used_by"] != by[("001", "Part 2 para 2")]["used_by"]
    assert "book: book/management.md" in by[("001", "Part 2 para 26")]["used_by"]
    assert "book: book/compliance.md" in by[("001", "Part 1 Privacy Comments")]["used_by"]
    assert any(u.startswith("finding: fbc3.yaml: facts.training_users") for u in by[("001", "Part 2 para 15")]["used_by"])
    assert by[("001", "Part 2 para 13")]["reason"].startswith("procedural")


def test_removing_a_not_used_reason_fails_the_check_naming_the_unit(params_copy):
    declaration = params_copy / "sources" / "sources.yaml"
    text = declaration.read_text()
    line = next(ln for ln in text.splitlines() if ln.strip().startswith('"Part 2 para 13"'))
    declaration.write_text(text.replace(line + "\n", ""))
    proc = run_cli("check", "--params", str(params_copy))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    uncovered = [ln for ln in proc.stdout.splitlines() if ln.startswith("UNCOVERED")]
    assert len(uncovered) == 1
    assert uncovered[0].startswith("UNCOVERED 001_86d069ffb4d8e356.txt, Part 2 para 13 ")
    assert "0 uncovered" not in proc.stdout and "1 uncovered" in proc.stdout
    proc = run_cli("check", "--params", str(params_copy), "--json")
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["coverage"]["uncovered_units"] == [
        {"document": "001_86d069ffb4d8e356.txt", "unit": "Part 2 para 13"}]


def test_a_reason_for_a_unit_that_does_not_exist_is_bad_input(params_copy):
    declaration = params_copy / "sources" / "sources.yaml"
    text = declaration.read_text().replace('"Part 2 para 13":', '"Part 2 para 99":')
    declaration.write_text(text)
    proc = run_cli("coverage", "--params", str(params_copy))
    assert proc.returncode == 2
    lineno = next(i for i, ln in enumerate(text.splitlines(), 1) if '"Part 2 para 99"' in ln)
    assert proc.stderr.startswith(f"casebook: error: {declaration}:{lineno}: documents.001_86d069ffb4d8e356.txt"
                                  ".not_used.Part 2 para 99: 'Part 2 para 99' is not a unit of")
    assert len(proc.stderr.strip().splitlines()) == 1


def test_a_source_naming_an_undeclared_document_is_rejected(params_copy):
    declaration = params_copy / "sources" / "sources.yaml"
    text = declaration.read_text()
    start = text.index("  000_dfcf8106c0ed4cbe.txt:")
    end = text.index("  001_86d069ffb4d8e356.txt:")
    declaration.write_text(text[:start] + text[end:])
    proc = run_cli("check", "--params", str(params_copy))
    assert proc.returncode == 2 and "not a document declared in sources/sources.yaml" in proc.stderr


def test_findings_added_as_data_count_as_uses(params_copy):
    (params_copy / "zz_findings.yaml").write_text(
        'findings:\n  header_misprint:\n    sources: ["001_86d069ffb4d8e356.txt, Part 2 para 13"]\n')
    cites = [c for c in params_citations(params_copy) if c.by.startswith("zz_findings.yaml")]
    assert [(c.kind, c.where) for c in cites] == [("finding", "Part 2 para 13")]
    rows = {r["unit"]: r for r in coverage(params_copy).rows if r["document"].startswith("001")}
    assert rows["Part 2 para 13"]["status"] == "used"
    assert rows["Part 2 para 13"]["used_by"] == ["finding: zz_findings.yaml: findings.header_misprint.sources.0"]


# --- the built book ------------------------------------------------------------------------------------

def _cites(page: str) -> set[str]:
    return set(re.findall(r'href="appendix_coverage\.html#([^"]+)"', page))


def test_the_book_states_the_completed_cases_with_their_sources(built):
    html = built / "book" / "_build" / "html"
    text = {name: (html / f"{name}.html").read_text() for name in
            ("management", "compliance", "strategic", "economic", "commercial", "appendix_coverage")}
    plain = {k: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", v)) for k, v in text.items()}
    man = plain["management"]
    assert "Independent delivery assurance" in man and "Baringa" in man and "readiness gates" in man
    assert "30 January 2024" in man and "26 February 2024" in man
    assert {"cov-001-part-2-para-26", "cov-001-part-2-para-35"} <= _cites(text["management"])
    assert "Senior Responsible Officer" in man and "cov-001-part-2-commercial-decisions-9" in _cites(text["management"])
    assert "20 December 2023" in man and "cov-001-part-1-time-sensitivity" in _cites(text["management"])
    assert "commercial review" in man.lower() and "cov-001-part-2-para-19-2" in _cites(text["management"])
    comp = plain["compliance"]
    assert "A DPIA has been completed" in comp and "cov-001-part-1-privacy-comments" in _cites(text["compliance"])
    assert "Equality Impact Assessment" in comp and "cov-001-part-1-equality-comments" in _cites(text["compliance"])
    assert "Police and Crime Plan" in plain["strategic"]
    assert "cov-001-part-1-contributes-to-the-mopac-police-crime-plan-2022-25" in _cites(text["strategic"])
    assert "non-monetised benefits" in plain["economic"] and "cov-001-table-3" in _cites(text["economic"])
    assert "cashable case is now low" in plain["economic"] and "cov-001-part-2-para-11" in _cites(text["economic"])
    assert "cov-001-part-2-commercial-decisions-9" in _cites(text["commercial"])
    # every citation lands on a row of the coverage appendix
    ids = set(re.findall(r'<tr id="(cov-[^"]+)"', text["appendix_coverage"]))
    rows = coverage(built / "params", built / "book").rows
    assert len(ids) == len(rows)
    for page in ("management", "compliance", "strategic", "economic", "commercial"):
        assert _cites(text[page]) and _cites(text[page]) <= ids
    assert re.search(rf"are split into\s+{len(rows)}\s+citable units", plain["appendix_coverage"])
    assert re.search(r"\b0\s+are uncovered", plain["appendix_coverage"])

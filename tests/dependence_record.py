"""The assumption sets of a built book, as data: for every glued figure (the record each executed
notebook keeps of it, model.report.bookviews.figure_records) the ids of the
assumptions that move it, and for every page the assumption markers it shows (tables' cells and the
scenario pages' figures), each as its link and its text alternative.

`tests/data/connect_dependence.json` holds these sets as the first dependence engine (one perturbed run
of every chapter's figure code per assumption) found them for CONNECT's book; test_dependence_sets.py
checks that the engine in use finds the same. To record again (only when a change of the params or
the chapters is meant to change them):

    .venv/bin/python -m tests.dependence_record . > tests/data/connect_dependence.json
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

#: a marker: its in-page link to the list of its assumptions, and its short text alternative
MARKER = re.compile(r'<a class="casebook-assumption" href="#(rests-[0-9a-f]+)" title="(rests on \d+ assumptions?)">')
#: one set's list (model.report.rest_lists): its anchor, then its items' links and labels
REST_LIST = re.compile(r'<li id="(rests-[0-9a-f]+)"><p>[^<]*</p><ul>(.*?)</ul></li>', re.S)
REST_ITEM = re.compile(r'<li><a href="([^"]*)">([^<]*)</a></li>')


def rest_lists(page_html: str) -> dict[str, list[tuple[str, str]]]:
    """anchor -> the (register link, label) of every assumption its list holds, as the HTML has them
    (escaped, as the recording has them)."""
    return {anchor: REST_ITEM.findall(body)
            for anchor, body in REST_LIST.findall(page_html)}


def figure_sets(project: Path) -> dict[str, list[str]]:
    """'notebook#figure' -> the sorted ids of the assumptions the figure rests on, for every notebook
    the build executed (build/runs: the scenarios, and the chapters under pages/)."""
    from model.report.bookviews import figure_records

    runs = project / "build" / "runs"
    out = {}
    for nb in sorted(runs.glob("*.ipynb")) + sorted((runs / "pages").glob("*.ipynb")):
        for name, rec in figure_records(nb).items():
            out[f"{nb.relative_to(runs).as_posix()}#{name}"] = sorted(a["id"] for a in rec["assumptions"])
    return out


def page_markers(site: Path) -> dict[str, list[str]]:
    """page -> every assumption marker on it, in page order, as 'link | labels': the register link of
    the first assumption of the list the marker links to, and the distinct labels of that list (the
    form the markers were first recorded in, when each linked to its first assumption and read out
    all their labels)."""
    out = {}
    for page in sorted(site.rglob("*.html")):
        rel = page.relative_to(site).as_posix()
        if rel.startswith(("_", "genindex", "search")):
            continue
        text = page.read_text(encoding="utf-8")
        lists = rest_lists(text)
        found = []
        for anchor, _alt in MARKER.findall(text):
            items = lists[anchor]
            found.append(f"{items[0][0]} | {'; '.join(dict.fromkeys(label for _, label in items))}")
        if found:
            out[rel] = found
    return out


def record(project: Path) -> dict:
    """The sets of a built project (a folder holding book/ and build/)."""
    return {"figures": figure_sets(project), "markers": page_markers(project / "book" / "_build" / "html")}


if __name__ == "__main__":
    print(json.dumps(record(Path(sys.argv[1])), indent=1, sort_keys=True, ensure_ascii=False))

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

MARKER = re.compile(r'<a class="casebook-assumption" href="([^"]*)" title="rests on assumptions: ([^"]*)">')


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
    """page -> every assumption marker on it, in page order, as 'link | labels'."""
    out = {}
    for page in sorted(site.rglob("*.html")):
        rel = page.relative_to(site).as_posix()
        if rel.startswith(("_", "genindex", "search")):
            continue
        found = [f"{href} | {labels}" for href, labels in MARKER.findall(page.read_text(encoding="utf-8"))]
        if found:
            out[rel] = found
    return out


def record(project: Path) -> dict:
    """The sets of a built project (a folder holding book/ and build/)."""
    return {"figures": figure_sets(project), "markers": page_markers(project / "book" / "_build" / "html")}


if __name__ == "__main__":
    print(json.dumps(record(Path(sys.argv[1])), indent=1, sort_keys=True, ensure_ascii=False))

"""The assumption sets of every figure of CONNECT's book are the ones the first dependence engine
found (recorded in tests/data/connect_dependence.json before the engine was made faster): a faster way
to the sets must not change a single one. The page markers were recorded again when the tables' markers
moved from their columns' headings to the cells that move (the figures' sets did not change). Since
each marker links to a list of its assumptions at the end of its page (issue 23), the record reads a
marker's set from that list, in the form it was recorded in: the first assumption's register link and
the distinct labels."""

from __future__ import annotations

import json
import re
from pathlib import Path

from .dependence_record import record

RECORDED = json.loads((Path(__file__).parent / "data" / "connect_dependence.json").read_text(encoding="utf-8"))


def test_the_recording_covers_the_book():
    # every chapter's glued figures (scenario pages glue none) and the markers of every scenario
    # page; a third of the figures rest on assumptions
    figures = RECORDED["figures"]
    # 306 figures as first recorded, and 30 more since the comparison's glue became generic (the
    # versions' extremes, the bridge's benefit, appraisal and remainder steps): the 306 sets unchanged;
    # and 8 more of the economic page's decision frame (the decision month, the months of the decision
    # year already spent, both base years, committed costs, the period's closing, the NPV with and
    # without it). The decision month split FY23/24: more of the figures rest on the costs of that year.
    # 13 more of the economic page (issue 20): the uncertain inputs and unknowns counted, the 'what you
    # would need to believe' count, and risk, optimism bias and the training time's opportunity cost; the
    # financial prose's undiscounted appraisal costs (it glued the empty risk row, a number resting on none)
    assert len(figures) == 357
    assert sum(1 for ids in figures.values() if ids) == 142
    assert {k.split("#")[0] for k in figures} >= {"pages/index.ipynb", "pages/economic.ipynb", "pages/comparison.ipynb"}
    # the markers sit on the table cells that move (not on a column's heading); the reconciliation's
    # one marker was on the heading of its explanation, a text column, and is gone
    assert len(RECORDED["markers"]) == 14
    # the front page: FBC3's sunk costs (FBC1's and FBC2's assumed costs before the decision year)
    # and its Green Book NPV rest on assumptions; its NPV, calibrated to the published one, on none
    front = {k.split("#")[1]: v for k, v in figures.items() if k.startswith("pages/index.ipynb#")}
    assert "fbc1:costs.fbc1_capital.lines.implementation" in front["fbc3_sunk"]
    assert "fbc1:benefits.deliveries.drop2.share" in front["fbc3_gb_npv"]
    assert front["fbc3_npv"] == [] and front["fbc3_npv_published"] == []
    assert "appendix_reconciliation.html" not in RECORDED["markers"]
    assert {"scenarios/fbc3.html", "scenarios/do_minimum.html", "index.html"} <= RECORDED["markers"].keys()


def test_every_figure_rests_on_the_recorded_assumptions(built):
    now = record(built)
    assert now["figures"].keys() == RECORDED["figures"].keys()
    changed = {k: (RECORDED["figures"][k], v) for k, v in now["figures"].items() if v != RECORDED["figures"][k]}
    assert changed == {}


def test_every_table_cell_and_scenario_figure_shows_the_recorded_markers(built):
    assert record(built)["markers"] == RECORDED["markers"]


def test_no_heading_of_the_book_carries_a_marker(built):
    site = built / "book" / "_build" / "html"
    headings = re.compile(r"<th\b[^>]*>(?:(?!</th>).)*casebook-assumption", re.S)
    assert [p.name for p in site.rglob("*.html") if headings.search(p.read_text(encoding="utf-8"))] == []

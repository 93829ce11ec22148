"""The assumption sets of every figure of CONNECT's book are the ones the first dependence engine
found (recorded in tests/data/connect_dependence.json before the engine was made faster): a faster way
to the sets must not change a single one."""

from __future__ import annotations

import json
from pathlib import Path

from .dependence_record import record

RECORDED = json.loads((Path(__file__).parent / "data" / "connect_dependence.json").read_text(encoding="utf-8"))


def test_the_recording_covers_the_book():
    # every chapter's glued figures (scenario pages glue none) and the markers of every scenario
    # page; a third of the figures rest on assumptions
    figures = RECORDED["figures"]
    assert len(figures) == 306
    assert sum(1 for ids in figures.values() if ids) == 113
    assert {k.split("#")[0] for k in figures} >= {"pages/index.ipynb", "pages/economic.ipynb", "pages/comparison.ipynb"}
    assert len(RECORDED["markers"]) == 15
    assert {"scenarios/fbc3.html", "scenarios/do_minimum.html", "index.html"} <= RECORDED["markers"].keys()


def test_every_figure_rests_on_the_recorded_assumptions(built):
    now = record(built)
    assert now["figures"].keys() == RECORDED["figures"].keys()
    changed = {k: (RECORDED["figures"][k], v) for k, v in now["figures"].items() if v != RECORDED["figures"][k]}
    assert changed == {}


def test_every_table_column_and_scenario_figure_shows_the_recorded_markers(built):
    assert record(built)["markers"] == RECORDED["markers"]

"""The case's versions come from the params: which scenarios are versions, their order, their short
labels and the headline version; the tables and charts show them by those labels, in that order."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.report import book, charts

from .conftest import PARAMS

#: A fourth published version whose name sorts before the others: only the extends chain puts it last.
FOURTH = """\
title: "A fourth version of the case"
extends: fbc3
kind: published
short: Fourth
description: The third version's figures, published again.
decision:
  label: Decision asked for
  value: "Note the figures published again"
  unit: text
  source: "001_86d069ffb4d8e356.txt, Part 2 para 21"
"""
# (a version cites a paper of its own: a file whose every change is an assumption is a sensitivity)


def _relabel(params: Path, labels: dict[str, str | None]) -> None:
    """Give each version file its own short label (None: the file declares none)."""
    for name, label in labels.items():
        path = params / f"{name}.yaml"
        text = path.read_text()
        old = f"short: {name.upper()}\n"
        assert old in text, path
        path.write_text(text.replace(old, "" if label is None else f"short: {label}\n"))


@pytest.fixture
def four_versions(params_copy: Path) -> Path:
    _relabel(params_copy, {"fbc1": "Outline", "fbc2": "Update", "fbc3": "Third"})
    (params_copy / "addendum.yaml").write_text(FOURTH)
    return params_copy


def test_versions_are_the_published_scenarios_in_extends_order(four_versions):
    assert book.version_names(four_versions) == ["fbc1", "fbc2", "fbc3", "addendum"]
    assert book.version_labels(four_versions) == {"fbc1": "Outline", "fbc2": "Update", "fbc3": "Third",
                                                  "addendum": "Fourth"}
    # options and sensitivities (do_minimum, fbc3_*) are not versions
    assert book.headline(four_versions) == "addendum"
    assert book.version_summary(four_versions).version.tolist() == ["Outline", "Update", "Third", "Fourth"]
    assert book.milestones(four_versions).version.drop_duplicates().tolist() == ["Outline", "Update", "Third",
                                                                                 "Fourth"]


def test_the_bridge_runs_from_the_first_version_to_the_headline(four_versions):
    bridge = book.npv_bridge(params_dir=four_versions)
    assert bridge.step.iloc[0] == "Outline NPV" and bridge.step.iloc[-1] == "Fourth NPV"
    # the fourth version publishes no figure of its own: its NPV is the third's, -144.630 (para 21)
    assert bridge.end_gbp_m.iloc[-1] == pytest.approx(-144.630, abs=1e-6)
    assert bridge.end_gbp_m.iloc[0] == pytest.approx(214.7, abs=1e-6)


def test_a_short_label_is_the_files_own_not_inherited(params_copy):
    _relabel(params_copy, {"fbc2": None})
    # fbc2 would inherit fbc1's "FBC1"; without its own it is shown by its name
    assert book.version_labels(params_copy) == {"fbc1": "FBC1", "fbc2": "FBC2", "fbc3": "FBC3"}


def test_the_headline_is_the_latest_version_unless_one_says_otherwise(four_versions):
    path = four_versions / "fbc2.yaml"
    path.write_text(path.read_text().replace("short: Update\n", "short: Update\nheadline: true\n"))
    # fbc3 and the fourth version inherit the flag, but only fbc2's own file sets it
    assert book.headline(four_versions) == "fbc2"
    assert book.scenario_comparison(four_versions).scenario.iloc[0] == "fbc2"


def test_connect_versions_and_headline():
    assert book.version_labels(PARAMS) == {"fbc1": "FBC1", "fbc2": "FBC2", "fbc3": "FBC3"}
    assert book.headline(PARAMS) == "fbc3"
    # Tables 1 and 2 of the third version's paper, as the download names have them
    assert list(book.request_downloads(PARAMS)) == ["table1_capital", "table2_revenue", "table1_column_totals",
                                                    "table2_column_totals"]


def test_charts_order_versions_and_take_labels_from_the_params(four_versions):
    order = ["Outline", "Update", "Third", "Fourth"]
    spec = charts.versions(book.version_summary(four_versions), order).to_dict()
    assert spec["encoding"]["x"]["sort"] == order
    ms, versions, events, go_live = book.timeline(four_versions)
    assert versions == order
    # go-live events are named by the milestones' own labels, less the detail in brackets
    assert events == ["Business case approved", "Contract effective", "Drop 1 go-live", "Drop 2 go-live",
                      "Classroom training starts", "Business as usual"]
    assert go_live == ["drop1_go_live", "drop2_go_live"]
    timeline = charts.milestone_timeline(ms, versions, events, go_live).to_dict()
    points = timeline["layer"][1]
    assert points["encoding"]["y"]["sort"] == order
    assert points["encoding"]["color"]["scale"]["domain"] == events
    frame = book.affordability(None, four_versions)
    subtitle = charts.affordability(frame, book.short_label(book.headline(four_versions), four_versions)
                                    ).to_dict()["title"]["subtitle"]
    assert subtitle == "Fourth, £m nominal"


def test_go_live_milestones_follow_any_number_of_deliveries(params_copy):
    """A third delivery in the params is one more go-live, wherever the report lists them."""
    path = params_copy / "fbc3.yaml"
    text = path.read_text()
    anchor = "  programme_exception:\n"
    assert anchor in text
    path.write_text(text.replace(anchor, "  drop3_go_live:\n    label: Drop 3 go-live (the rest)\n"
                                         "    value: \"2025-06\"\n    unit: date\n"
                                         "    source: \"001_86d069ffb4d8e356.txt, Part 2 para 16\"\n" + anchor))
    # the milestone is a go-live because a delivery names it (with no share of the benefits: the shares
    # inherited from fbc1 still add up to 1)
    benefits = "benefits:\n"
    assert benefits in text
    path.write_text(path.read_text().replace(benefits, benefits + (
        "  deliveries:\n    drop3:\n      label: Drop 3 (the rest)\n      milestone: drop3_go_live\n"
        "      share: {label: Share of Drop 3, value: 0.0, unit: fraction, assumption: true, why: test}\n"), 1))
    s = book.loaded("fbc3", params_copy).scenario
    assert book.go_live_milestones(s) == ["drop1_go_live", "drop2_go_live", "drop3_go_live"]
    assert book.deliveries(s) == {"drop1": "drop1_go_live", "drop2": "drop2_go_live", "drop3": "drop3_go_live"}
    assert book.delivery_name(s, "drop3_go_live") == "Drop 3"
    _, _, events, _ = book.timeline(params_copy)
    assert "Drop 3 go-live" in events
    # the last delivery names the version summary's go-live column
    assert "drop3_go_live" in book.version_summary(params_copy).columns

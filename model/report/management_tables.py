"""The management case's tables: every version's milestones, what the milestone timeline draws, the
deliveries' names from their go-live milestones, and each delivery's slip from the first version's plan."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..core.fy import parse_date
from ..core.schema import Scenario
from ..core.sources import cited
from .case_versions import first_version, go_live_milestones, headline, short_label, version_labels
from .scenario_loading import loaded


def milestones(params_dir: str | Path | None = None) -> pd.DataFrame:
    """Every milestone of every version, a row each: the version's short label, the milestone's key,
    label and date, and its provenance (its source, or the assumption and why)."""
    rows = []
    for name, short in version_labels(params_dir).items():
        s = loaded(name, params_dir).scenario
        for key, q in s.milestones.items():
            rows.append({"version": short, "milestone": key, "label": q.label or key,
                         "date": str(q.value),
                         "provenance": cited(q.source, params_dir) if q.source else f"assumption: {q.why}"})
    return pd.DataFrame(rows)


#: Milestones the timeline shows beside the go-lives, by key, with their name in the legend (each
#: version's own label says which version; the legend needs one name for all).
#: The milestone a version may declare for the date its decision was taken (the timeline and the
#: versions side by side show it).
APPROVAL_MILESTONE = "business_case_approved"
TIMELINE_BEFORE = {APPROVAL_MILESTONE: "Business case approved", "contract_effective": "Contract effective"}
TIMELINE_AFTER = {"training_start": "Classroom training starts", "business_as_usual": "Business as usual"}


def timeline(params_dir: str | Path | None = None) -> tuple[pd.DataFrame, list[str], list[str], list[str]]:
    """What the milestone timeline draws: the milestones (with an `event` column, its legend name: a
    go-live by its own label, see :func:`go_live_label`), the versions' short labels in order, the
    legend's events in order (approval and contract, the go-lives in date order, then training and
    business as usual) and the go-live milestones' keys."""
    ms = milestones(params_dir)
    main = loaded(headline(params_dir), params_dir).scenario
    go_live = go_live_milestones(main)
    names = {**TIMELINE_BEFORE, **{k: go_live_label(main, k) for k in go_live}, **TIMELINE_AFTER}
    ms["event"] = ms.milestone.map(names)
    present = set(ms.milestone)
    events = [name for key, name in names.items() if key in present]
    return ms, list(version_labels(params_dir).values()), events, go_live


def go_live_label(s: Scenario, key: str) -> str:
    """A go-live milestone's label without its detail in brackets: 'Release 2 go-live'."""
    q = s.milestones[key]
    return (q.label or key).split(" (")[0].strip()


def delivery_name(s: Scenario, key: str) -> str:
    """The delivery a go-live milestone belongs to, from its label: 'Release 2 go-live (...)' -> 'Release 2'."""
    label = go_live_label(s, key)
    for suffix in (" go-live", " go live"):
        if label.lower().endswith(suffix):
            return label[: -len(suffix)]
    return label


def drop_delays(params_dir: str | Path | None = None) -> pd.DataFrame:
    """Each delivery's go-live in each version, and the slip from the first version's plan in months."""
    ms = milestones(params_dir)
    first_short = short_label(first_version(params_dir), params_dir)
    out = []
    for drop in go_live_milestones(loaded(headline(params_dir), params_dir).scenario):
        sub = ms[ms.milestone == drop].set_index("version")
        if first_short not in sub.index:
            continue
        base = parse_date(sub.loc[first_short, "date"])
        for version, row in sub.iterrows():
            d = parse_date(row["date"])
            out.append({"drop": drop, "version": version, "date": row["date"],
                        "months_after_first_plan": (d.year - base.year) * 12 + d.month - base.month})
    return pd.DataFrame(out)

"""The reconciliation appendix's tables: every check of the published figures against the model, and the
findings (the checks that found something), classified, with their counts by class and severity."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..analysis.reconcile import reconcile_all
from ..core.paths import resolve_params_dir
from .scenario_loading import loaded


def reconciliation(params_dir: str | Path | None = None) -> pd.DataFrame:
    """Every reconciliation check of the case, a row each: its status, id, what it compares, the
    published and computed figures and their difference, the explanation and the sources."""
    checks = reconcile_all(resolve_params_dir(params_dir), loaded)
    frame = pd.DataFrame([c.as_dict() for c in checks])
    frame["sources"] = frame["sources"].map(lambda s: " | ".join(s))
    return frame[["status", "id", "description", "published", "computed", "difference", "explanation",
                  "sources", "scenario", "class", "severity", "model_uses", "unresolved"]]


def findings_table(params_dir: str | Path | None = None) -> pd.DataFrame:
    """Every finding (a check that found something, classified), grouped by severity (those that
    change the model's numbers first) and then by class, with its sources and the model's reading."""
    from ..analysis.reconcile import findings
    from ..core.schema import FINDING_CLASSES, SEVERITIES

    rows = [{"severity": SEVERITIES[c.severity], "class": FINDING_CLASSES[c.finding_class], "id": c.id,
             "finding": c.description, "sources": " | ".join(c.sources), "model_uses": c.model_uses,
             "unresolved": "unresolved" if c.unresolved else "", "status": c.status}
            for c in findings(reconcile_all(resolve_params_dir(params_dir)))]
    return pd.DataFrame(rows, columns=["severity", "class", "finding", "model_uses", "unresolved",
                                       "sources", "id", "status"])


def findings_counts(params_dir: str | Path | None = None) -> pd.DataFrame:
    """How many findings of each class at each severity (rows: severity, most severe first)."""
    from ..core.schema import FINDING_CLASSES, SEVERITIES

    table = findings_table(params_dir)
    counts = pd.crosstab(table["severity"], table["class"]).reindex(
        index=list(SEVERITIES.values()), columns=list(FINDING_CLASSES.values()), fill_value=0)
    counts["all classes"] = counts.sum(axis=1)
    counts.loc["all severities"] = counts.sum(axis=0)
    counts.columns.name = None
    return counts.reset_index().rename(columns={"index": "severity"})

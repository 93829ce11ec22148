"""The assumptions register appendix as a table: every entry of every params file where it is first
defined and each scenario's override of it, and the anchors (row ids) that glued figures link to."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..analysis.register import register
from ..core.params import scenario_names
from ..core.paths import resolve_params_dir
from .scenario_diff import VERSION_METADATA
from .scenario_loading import loaded


REGISTER_PAGE = "appendix_register.html"


def anchor(parameter: str) -> str:
    """The id of a parameter's row in the assumptions register."""
    return "p-" + parameter.replace(".", "-").replace("/", "-").replace("_", "-").lower()


def assumptions_register(params_dir: str | Path | None = None) -> pd.DataFrame:
    """Every entry of every params file: each parameter where it is first defined (its value, its
    provenance, whether it was calibrated, which scenarios override it), then one row for each value a
    scenario overrides, with that scenario; uncertainty ranges, caps and calibrations included."""
    pdir = resolve_params_dir(params_dir)
    first: dict[str, dict] = {}
    overrides: dict[tuple[str, str], dict] = {}
    # roots first, so that a parameter's first row is where its chain defines it, not a child's change
    for name in sorted(scenario_names(pdir), key=lambda n: (len(loaded(n, pdir).chain), n)):
        ld = loaded(name, pdir)
        for row in register(ld).to_dict(orient="records"):
            key = row["parameter"]
            if key in VERSION_METADATA:
                continue
            file = row["defined_in"].split(":")[0]
            if key not in first:
                first[key] = {**row, "scenario": Path(file).stem}
            elif file != first[key]["defined_in"].split(":")[0] and file == f"{name}.yaml":
                overrides[(key, name)] = {**row, "scenario": name}
    rows = []
    for key, row in first.items():
        by = [name for (k, name) in overrides if k == key]
        rows.append({"parameter": key, "anchor": register_anchor(key), "label": row["label"],
                     "value": row["value"], "unit": row["unit"], "kind": row["kind"],
                     "provenance": row["provenance"], "calibrated_to": row["calibrated_to"],
                     "defined_in": row["defined_in"], "scenario": row["scenario"],
                     "overridden_by": ", ".join(by), "overrides": ""})
        for name in by:
            o = overrides[(key, name)]
            rows.append({"parameter": key, "anchor": register_anchor(key, name), "label": o["label"],
                         "value": o["value"], "unit": o["unit"], "kind": o["kind"],
                         "provenance": o["provenance"], "calibrated_to": o["calibrated_to"],
                         "defined_in": o["defined_in"], "scenario": name, "overridden_by": "",
                         "overrides": f"set by {name} (first defined in {row['scenario']})"})
    return pd.DataFrame(rows)


def register_anchor(key: str, scenario: str | None = None) -> str:
    """The id of a register row: a parameter where first defined, or a scenario's override of it."""
    return anchor(key) + ("" if scenario is None else "--" + scenario.replace("_", "-"))

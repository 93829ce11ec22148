"""What a scenario changes against the scenario it extends: the difference of the two resolved
scenarios, entry by entry, with labels and sources. Scenario pages open with it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..analysis.reconcile_declared import filled_labels
from ..analysis.register import BLANK_VALUE, register
from ..core.scenario import Loaded, load_scenario
from .markup import markdown_text

#: A version's own labels (schema: Scenario.short, Scenario.headline): like its title, they describe the
#: file and are not parameters of the model, so registers and change lists leave them out.
VERSION_METADATA = ("short", "headline")

NOUNS = {"assumption": ("assumption", "assumptions"), "published": ("published figure", "published figures"),
         "calibrated": ("calibrated value", "calibrated values"), "calibration": ("calibration", "calibrations")}
COLUMNS = ["parameter", "change", "before", "after", "kind", "source or reason", "unit"]


def reader_value(text: str, unit: str) -> str:
    """A register value as a sentence would give it: a date in words, a fraction as a percentage."""
    from .htmltable import DAY_RE, MONTH_RE, date_text

    if MONTH_RE.match(text) or DAY_RE.match(text):
        return date_text(text)
    if unit == "fraction":
        try:
            return f"{float(text):.0%}"
        except ValueError:
            return text
    return text


def diff(child: Loaded, params_dir: str | Path) -> pd.DataFrame:
    from ..core.sources import cited

    """Every register entry whose value differs between the resolved parent and the resolved child
    (calibrated values included: a calibration declared in the child solves them again), and every
    entry only one of them has. Empty for a scenario that extends none."""
    if len(child.chain) < 2:
        return pd.DataFrame(columns=COLUMNS)
    parent = load_scenario(child.chain[-2], params_dir)
    # a version's short label and headline flag describe the file, like its title: not inputs
    before = {r["parameter"]: r for r in register(parent).to_dict(orient="records")
              if r["parameter"] not in VERSION_METADATA}
    after = {r["parameter"]: r for r in register(child).to_dict(orient="records")
             if r["parameter"] not in VERSION_METADATA}
    # a declared check is its own file's: one the child does not make (not inherited) is no change, and
    # one it makes is shown by its label filled from the child's figures
    before = {k: r for k, r in before.items() if k in after or r["kind"] != "check"}
    filled = filled_labels(child.scenario)
    rows = []
    for key, r in after.items():
        old = before.get(key)
        if old is not None and old["value"] == r["value"]:
            continue
        # a key the child sets blank (a flat rate replaced by a series, say) keeps the parent's label
        label = filled.get(key) or r["label"] or (old["label"] if old is not None else None)
        unset = old is not None and r["value"] == BLANK_VALUE
        rows.append({"parameter": key, "change": label or key,
                     "before": old["value"] if old is not None else "not set",
                     "after": "not set" if unset else r["value"], "kind": r["kind"], "source or reason": cited(r["provenance"], params_dir),
                     "unit": r["unit"]})
    for key, old in before.items():
        if key not in after:
            rows.append({"parameter": key, "change": old["label"] or key, "before": old["value"],
                         "after": "not set", "kind": old["kind"], "source or reason": "", "unit": old["unit"]})
    return pd.DataFrame(rows, columns=COLUMNS)


def describe(child: Loaded, changes: pd.DataFrame, params_dir: str | Path) -> str:
    """One paragraph for the top of a scenario page: what it extends and what it changes."""
    if len(child.chain) < 2:
        return ("This is the first version of the case: it extends no other scenario, so every input "
                "below is its own, each with its source or the reason for the assumption.")
    parent = load_scenario(child.chain[-2], params_dir)
    n = len(changes)
    kinds = changes["kind"].value_counts().to_dict()
    parts = [f"{count} {NOUNS.get(kind, (kind, kind))[count != 1]}" for kind, count in sorted(kinds.items()) if kind]
    made_of = f" ({', '.join(parts)})" if parts else ""
    listed = ""
    md = markdown_text  # labels, values and titles come from params files: shown as written, never as markup
    if 0 < n <= 3:
        changes = changes.assign(change=[f"`{c}`" if c == k else c  # an unlabelled key: as code
                                         for c, k in zip(changes["change"], changes["parameter"])])
        listed = ": " + "; ".join(
            f"{md(r['change'].rstrip('.'))}, from {md(reader_value(r['before'], r['unit']))} to "
            f"{md(reader_value(r['after'], r['unit']))}" if r["unit"] else f"{md(r['change'].rstrip('.'))} ({md(r['after'])})"
            for r in changes.to_dict(orient="records"))
    return (f"This scenario extends **{md(parent.title)}** and changes {n} "
            f"input{'s' if n != 1 else ''}{made_of}{listed}. "
            f"Everything else is as in {md(parent.title.split(':')[0])}. The table gives each change with its "
            "source or the reason for it.")

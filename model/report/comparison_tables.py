"""The comparison of the versions: each version's headline figures side by side, and the NPV bridge that
attributes the change in NPV from one version to another, one driver at a time."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.appraisal import appraise, inputs_from_scenario
from ..core.schema import Scenario, TableBlock
from .case_versions import final_go_live, first_version, headline, published_npv, short_label, version_labels
from .scenario_loading import loaded, result
from .management_tables import APPROVAL_MILESTONE


# --- versions side by side --------------------------------------------------------------------------

def version_summary(params_dir: str | Path | None = None) -> pd.DataFrame:
    """Each version's headline figures, a row per version in version order: its short label, title and
    decision, the go-live of its last delivery (a column named by that milestone), capital, revenue and
    total cost of ownership (nominal, £m), NPV, present values of costs and benefits, BCR, and the NPV
    its own paper published (blank if none). An `approved` column (the date of a `business_case_approved`
    milestone: when the version's decision was taken) appears only when some version declares one."""
    rows = []
    names = list(version_labels(params_dir))
    approved = any(APPROVAL_MILESTONE in loaded(n, params_dir).scenario.milestones for n in names)
    for name, short in version_labels(params_dir).items():
        ld, r = loaded(name, params_dir), result(name, params_dir)
        s = ld.scenario
        pub = published_npv(name, params_dir)
        rows.append({
            "version": short, "title": ld.title,
            "decision": s.decision.value if s.decision else "",
            **({"approved": str(s.milestones[APPROVAL_MILESTONE].value) if APPROVAL_MILESTONE in s.milestones else ""}
               if approved else {}),
            final_go_live(s): str(s.milestones[final_go_live(s)].value),
            "capital_gbp_m": r["capital_gbp_m"], "revenue_gbp_m": r["revenue_gbp_m"],
            "tco_gbp_m": r["tco_gbp_m"], "npv_gbp_m": r["npv_gbp_m"],
            "npv_published_gbp_m": pub.value if pub is not None else np.nan,
            "pv_costs_gbp_m": r["pv_costs_gbp_m"], "pv_benefits_gbp_m": r["pv_benefits_gbp_m"],
            "bcr": r["bcr"],
        })
    return pd.DataFrame(rows)


# --- NPV bridge -------------------------------------------------------------------------------------

#: The provenance fields of a value: a change to them alone moves no figure, so it is no step.
_PROVENANCE = frozenset({"label", "source", "assumption", "why", "note", "published_as"})


def _values(obj):
    """What of a params object the model computes with: its dump less every provenance field."""
    if hasattr(obj, "model_dump"):
        obj = obj.model_dump()
    if isinstance(obj, dict):
        return {k: _values(v) for k, v in obj.items() if k not in _PROVENANCE}
    if isinstance(obj, (list, tuple)):
        return [_values(v) for v in obj]
    return obj


def _label(obj, key: str) -> str:
    """A params object's own label, else its key in words."""
    return getattr(obj, "label", None) or key.replace("_", " ")


def factor_label(factor: str, end: str, params_dir: str | Path | None = None) -> str:
    """A cost factor in words: the label of its cost multiplier where the version declares one (the
    words the case chose for it), else the label its lines share, else its key in words."""
    s = loaded(end, params_dir).scenario
    multiplier = s.cost_multipliers.get(factor)
    if multiplier is not None and multiplier.label:
        return multiplier.label
    labels = {ln.label for b in s.costs.values() if isinstance(b, TableBlock) for ln in b.lines.values()
              if ln.factor == factor and ln.label}
    return labels.pop() if len(labels) == 1 else factor.replace("_", " ")


def _npv(s: Scenario) -> float:
    return appraise(inputs_from_scenario(s)).npv_gbp_m


#: The sections of the bridge, in the order it takes them.
BRIDGE_SECTIONS = ("timing", "costs", "benefits", "appraisal", "other")


def npv_bridge(start: str | None = None, end: str | None = None,
               params_dir: str | Path | None = None) -> pd.DataFrame:
    """Attribute the change in NPV from one version to another, one driver at a time.

    By default from the first version to the headline one. Starting from the first version's
    params, it takes the later version's values one group at a time, in this order:

    1. timing (``section`` "timing"): the milestones and the decision year;
    2. costs: each cost block the later version adds (a block of a single amount in one step, the
       request tables factor by factor across the blocks), each block both have whose values differ
       (a step per block, by its label), each block the later version no longer has, and each cost
       multiplier whose value differs;
    3. benefits: every benefit setting at once ("Benefit changes");
    4. appraisal settings other than the decision year (discount rate, optimism bias, deflator,
       period...), a step per setting that differs.

    Each bar is the NPV after the step less the NPV before it, so the bars add up to the difference
    exactly. A difference the steps do not cover (normally none) is a last bar, "Other changes".
    Columns: step, kind ("total" or "change"), section (of a change; "total" for the two NPVs),
    delta_gbp_m, start_gbp_m, end_gbp_m.
    """
    start = first_version(params_dir) if start is None else start
    end = headline(params_dir) if end is None else end
    a, b = loaded(start, params_dir).scenario, loaded(end, params_dir).scenario
    current = pickle.loads(pickle.dumps(a, protocol=pickle.HIGHEST_PROTOCOL))  # a deep copy, several times faster
    steps = [("start", f"{short_label(start, params_dir)} NPV", _npv(current))]

    def step(section: str, label: str) -> None:
        steps.append((section, label, _npv(current)))

    step.last = lambda: steps[-1][2]

    if _values(a.milestones) != _values(b.milestones) or _values(a.appraisal.decision_fy) != _values(
            b.appraisal.decision_fy):
        current.milestones = copy.deepcopy(b.milestones)
        # the later decision point is part of the timing: it moves the works still to do, which a
        # works-duration optimism bias stretches (cashflows.duration_bias_delay_months)
        current.appraisal.decision_fy = copy.deepcopy(b.appraisal.decision_fy)
        last_a, last_b = (str(s.milestones[final_go_live(s)].value) if s.milestones else "" for s in (a, b))
        step("timing", "Delay to benefits" if last_b >= last_a else "Earlier benefits")
    _cost_steps(a, b, current, step, end, params_dir)
    if _values(a.benefits) != _values(b.benefits):
        current.benefits = copy.deepcopy(b.benefits)
        step("benefits", "Benefit changes")
    for field in type(b.appraisal).model_fields:
        if field in ("decision_fy", "gdp_deflator_series"):
            continue
        if field == "gdp_deflator":  # the flat rate and the series are one setting: exactly one is given
            pair = ("gdp_deflator", "gdp_deflator_series")
            before, after = ([getattr(s.appraisal, f) for f in pair] for s in (current, b))
            if _values(before) != _values(after):
                for f, v in zip(pair, after):
                    setattr(current.appraisal, f, copy.deepcopy(v))
                shown = after[0] if after[0] is not None else after[1]
                step("appraisal", f"Appraisal: {_label(shown, pair[after[0] is None])}")
            continue
        before, after = getattr(current.appraisal, field), getattr(b.appraisal, field)
        if _values(before) != _values(after):
            setattr(current.appraisal, field, copy.deepcopy(after))
            step("appraisal", f"Appraisal: {_label(after, field)}")
    end_npv = _npv(b)
    if abs(end_npv - steps[-1][2]) > 1e-9:
        steps.append(("other", "Other changes", end_npv))
    rows, previous = [], steps[0][2]
    rows.append({"step": steps[0][1], "kind": "total", "section": "total", "delta_gbp_m": previous,
                 "start_gbp_m": 0.0, "end_gbp_m": previous})
    for section, label, value in steps[1:]:
        rows.append({"step": label, "kind": "change", "section": section, "delta_gbp_m": value - previous,
                     "start_gbp_m": previous, "end_gbp_m": value})
        previous = value
    rows.append({"step": f"{short_label(end, params_dir)} NPV", "kind": "total", "section": "total",
                 "delta_gbp_m": end_npv, "start_gbp_m": 0.0, "end_gbp_m": end_npv})
    return pd.DataFrame(rows)


def _cost_steps(a: Scenario, b: Scenario, current: Scenario, step, end: str, params_dir) -> None:
    """The cost steps of the bridge, applied to `current` (a copy of `a`) one at a time: the blocks `b`
    adds, the blocks both have that differ, the blocks `b` removes, then the cost multipliers."""
    new_blocks = [k for k in b.costs if k not in a.costs]
    for key in new_blocks:
        block = b.costs[key]
        if not isinstance(block, TableBlock):
            current.costs[key] = copy.deepcopy(block)
            step("costs", f"Added: {_label(block, key)}")
    factors = []
    for key in new_blocks:
        block = b.costs[key]
        if isinstance(block, TableBlock):
            for ln in block.lines.values():
                if ln.factor not in factors:
                    factors.append(ln.factor)
    for factor in factors:
        for key in new_blocks:
            block = b.costs[key]
            if not isinstance(block, TableBlock):
                continue
            chosen = {k: ln for k, ln in block.lines.items() if ln.factor == factor}
            if not chosen:
                continue
            if key not in current.costs:
                current.costs[key] = block.model_copy(update={"lines": {}}, deep=True)
            current.costs[key].lines.update(copy.deepcopy(chosen))
        step("costs", f"Added: {factor_label(factor, end, params_dir)}")
    rest = [k for k in new_blocks if _values(current.costs[k]) != _values(b.costs[k])]
    for key in rest:  # what else a new table declares beyond its lines (funding sources, printed totals)
        current.costs[key] = copy.deepcopy(b.costs[key])
    if rest and abs(_npv(current) - step.last()) > 1e-12:
        step("costs", "Added: " + ", ".join(_label(b.costs[k], k) for k in rest))
    for key, block in b.costs.items():
        if key in a.costs and _values(a.costs[key]) != _values(block):
            current.costs[key] = copy.deepcopy(block)
            step("costs", f"Changed: {_label(block, key)}")
    for key in [k for k in a.costs if k not in b.costs]:
        del current.costs[key]
        step("costs", f"Removed: {_label(a.costs[key], key)}")
    for key in list(dict.fromkeys([*a.cost_multipliers, *b.cost_multipliers])):
        before, after = a.cost_multipliers.get(key), b.cost_multipliers.get(key)
        if _values(before) != _values(after):
            if after is None:
                del current.cost_multipliers[key]
            else:
                current.cost_multipliers[key] = copy.deepcopy(after)
            step("costs", f"Cost multiplier: {_label(after or before, key)}")

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
from .case_versions import (final_go_live, first_version, go_live_milestones, headline, published_npv, short_label,
                            version_labels)
from .management_tables import delivery_name
from .scenario_loading import loaded, result


# --- versions side by side --------------------------------------------------------------------------

def version_summary(params_dir: str | Path | None = None) -> pd.DataFrame:
    rows = []
    for name, short in version_labels(params_dir).items():
        ld, r = loaded(name, params_dir), result(name, params_dir)
        s = ld.scenario
        pub = published_npv(name, params_dir)
        rows.append({
            "version": short, "title": ld.title,
            "decision": s.decision.value if s.decision else "",
            "approved": str(s.milestones["fbc_approved"].value) if "fbc_approved" in s.milestones else "",
            final_go_live(s): str(s.milestones[final_go_live(s)].value),
            "capital_gbp_m": r["capital_gbp_m"], "revenue_gbp_m": r["revenue_gbp_m"],
            "tco_gbp_m": r["tco_gbp_m"], "npv_gbp_m": r["npv_gbp_m"],
            "npv_published_gbp_m": pub.value if pub is not None else np.nan,
            "pv_costs_gbp_m": r["pv_costs_gbp_m"], "pv_benefits_gbp_m": r["pv_benefits_gbp_m"],
            "bcr": r["bcr"],
        })
    return pd.DataFrame(rows)


# --- NPV bridge -------------------------------------------------------------------------------------

#: Words for the cost factors of a request table's lines, after the version's short label; a factor not
#: listed is shown by its key. "delay" is the delay to the last delivery, named by its milestone.
FACTOR_LABELS = {
    "scope": "scope", "training": "training", "training_overtime": "training overtime",
    "post_go_live_support": "support", "change_fund": "change fund", "other": "other items",
}


def factor_label(factor: str, end: str, params_dir: str | Path | None = None) -> str:
    """'V3 scope': a cost factor of a version's request, after the version's short label."""
    if factor == "baseline":
        return "baseline"
    s = loaded(end, params_dir).scenario
    words = (f"{delivery_name(s, final_go_live(s))} delay" if factor == "delay"
             else FACTOR_LABELS.get(factor, factor.replace("_", " ")))
    return f"{short_label(end, params_dir)} {words}"


def _npv(s: Scenario) -> float:
    return appraise(inputs_from_scenario(s)).npv_gbp_m


def npv_bridge(start: str | None = None, end: str | None = None,
               params_dir: str | Path | None = None) -> pd.DataFrame:
    """Attribute the change in NPV from one version to another, one driver at a time.

    By default from the first version to the headline one. Order: the delay to benefits (the later
    go-live dates and decision point), each additional cost (a cost block the later version adds, then
    its request tables factor by factor), then the benefit re-baselining (the realisation factor).
    Each bar is the NPV after the step less the NPV before it, so the bars add up to the difference
    exactly; any change the steps do not cover is shown as a last bar, "other changes".
    """
    start = first_version(params_dir) if start is None else start
    end = headline(params_dir) if end is None else end
    a, b = loaded(start, params_dir).scenario, loaded(end, params_dir).scenario
    current = pickle.loads(pickle.dumps(a, protocol=pickle.HIGHEST_PROTOCOL))  # a deep copy, several times faster
    steps = [("start", f"{short_label(start, params_dir)} NPV", _npv(current))]

    def step(label: str) -> None:
        steps.append(("step", label, _npv(current)))

    for key in go_live_milestones(b):
        current.milestones[key] = copy.deepcopy(b.milestones[key])
    # the later decision point is part of the timing: it moves the works still to do, which a
    # works-duration optimism bias stretches (cashflows.duration_bias_delay_months)
    current.appraisal.decision_fy = copy.deepcopy(b.appraisal.decision_fy)
    step("Delay to benefits")
    new_blocks = [k for k in b.costs if k not in a.costs]
    for key in new_blocks:
        block = b.costs[key]
        if isinstance(block, TableBlock):
            continue
        current.costs[key] = copy.deepcopy(block)
        step(f"{key.split('_')[0].upper()} addition")
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
        step(f"{factor_label(factor, end, params_dir)} costs")
    current.benefits = copy.deepcopy(b.benefits)
    step("Benefit re-baselining")
    end_npv = _npv(b)
    if abs(end_npv - steps[-1][2]) > 1e-9:
        steps.append(("step", "Other changes", end_npv))
    rows, previous = [], steps[0][2]
    rows.append({"step": steps[0][1], "kind": "total", "delta_gbp_m": previous, "start_gbp_m": 0.0,
                 "end_gbp_m": previous})
    for kind, label, value in steps[1:]:
        rows.append({"step": label, "kind": "change", "delta_gbp_m": value - previous,
                     "start_gbp_m": previous, "end_gbp_m": value})
        previous = value
    rows.append({"step": f"{short_label(end, params_dir)} NPV", "kind": "total", "delta_gbp_m": end_npv, "start_gbp_m": 0.0,
                 "end_gbp_m": end_npv})
    return pd.DataFrame(rows)

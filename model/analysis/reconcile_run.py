"""Running the reconciliation: every check family for one scenario, with the published NPV reproduced
by calibration (`reconcile`, `calibration_checks`), over every published version with each distinct
check once and every classification checked to name a check (`reconcile_all`), and the counts the
report and `casebook check` give (`summary`, `findings`, `findings_summary`).
"""

from __future__ import annotations

from pathlib import Path

from ..core import deps
from ..core.appraisal import appraise, inputs_from_scenario
from ..core.errors import CasebookError, CasebookErrors, did_you_mean
from ..core.params import DEFAULT_PARAMS_DIR, scenario_names
from ..core.scenario import Loaded
from ..core.schema import FINDING_CLASSES, SEVERITIES, TableBlock, is_version
from .reconcile_check import STATUSES, Check, compare
from .reconcile_contracts import contract_checks
from .reconcile_costs import allocation_checks, table_checks
from .reconcile_declared import declared_checks
from .reconcile_findings import classify, finding_checks
from .reconcile_statements import fact_checks, narrative_checks, narrative_sum_checks


def _label(loaded: Loaded, key: str) -> str:
    """A parameter's label, in lower case at its start as a sentence continues it (its key if none)."""
    node = loaded.tree
    for part in key.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    label = node.get("label") if isinstance(node, dict) else None
    return (label[0].lower() + label[1:]) if isinstance(label, str) and label else key


def calibration_checks(loaded: Loaded, npv_value: float) -> list[Check]:
    checks = []
    for entry in loaded.calibrated:
        if entry["scenario"] != loaded.name:
            continue
        check = compare(f"npv.{loaded.name}", f"{loaded.title}: model NPV against the published NPV",
                        entry["target_value"], npv_value, [entry["target_source"] or ""],
                        explained_by="reproduced by calibration")
        check.status = "explained"
        what = _label(loaded, entry["parameter"])
        check.explanation = (f"reproduced by calibration: {what} solved to "
                             f"{entry['value']:.6g} with a root finder ({entry['why']})")
        # a calibration sets an input so that a published figure is met: it changes the model's figures
        check.finding_class, check.severity, check.unresolved = "explained_difference", "numbers", False
        check.model_uses = (f"the published NPV, met by solving for {what} (the inputs behind it "
                            "are not published)")
        checks.append(check)
    return checks


def reconcile(loaded: Loaded) -> list[Check]:
    """Every check for one scenario."""
    s = loaded.scenario
    checks: list[Check] = []
    for name, block in s.costs.items():
        if isinstance(block, TableBlock):
            checks += table_checks(name, block)
    checks += allocation_checks(s)
    checks += narrative_checks(s)
    checks += narrative_sum_checks(s)
    checks += fact_checks(s)
    checks += contract_checks(s)
    checks += declared_checks(s)
    if loaded.calibrated:
        checks += calibration_checks(loaded, appraise(inputs_from_scenario(s)).npv_gbp_m)
    checks += finding_checks(s)
    classify(checks, s)
    declared_by = _declaring_files(loaded)
    for c in checks:  # a fact, finding or declared check is the declaring file's; the rest, this scenario's
        c.scenario = declared_by.get(c.id) or declared_by.get(c.id.rsplit(".", 1)[0]) or loaded.name
    return checks


def _declaring_files(loaded: Loaded) -> dict[str, str]:
    """The scenario (file stem) whose own file declares each fact, finding and declared check, by the
    id of its check (a finding's yearly checks carry the finding's id and the year)."""
    out: dict[str, str] = {}
    for section, prefix in (("facts", "fact."), ("findings", "finding."), ("checks", "")):
        node = loaded.tree.get(section)
        if not hasattr(node, "origin"):
            continue
        for key in node:
            file = node.origin(key)[0]
            if file:
                out[f"{prefix}{key}"] = Path(str(file)).stem
    return out


def reconcile_all(params_dir: Path | str = DEFAULT_PARAMS_DIR, load=None) -> list[Check]:
    """Checks over every scenario, each distinct check once (children repeat their parents' data).
    `load(name, params_dir)` loads a scenario (the book passes its cached loader)."""
    world = _nudged_world(params_dir)
    if world is not None:  # a nudged copy of the params: reconciled once per build, for every chapter
        known = deps.shared_result("reconcile", world)
        if known is not None:
            return known
        checks = _reconcile_all(params_dir, load)
        deps.keep_shared_result("reconcile", world, checks)
        return checks
    return _reconcile_all(params_dir, load)


def _nudged_world(params_dir: Path | str) -> str | None:
    """For a nudged copy of the params (model.analysis.dependence), a key of its params files' names
    and bytes; None for any other directory."""
    if deps.nudged_file(str(params_dir)) is None:
        return None
    return f"reconcile {deps.params_digest(Path(params_dir))}"


def _reconcile_all(params_dir: Path | str, load=None) -> list[Check]:
    seen: dict[tuple, Check] = {}
    problems: list[CasebookError] = []
    loaded_all = []
    for name in scenario_names(Path(params_dir)):
        kind = deps.kind_of(name, params_dir)
        if kind is not None and not is_version(kind):
            continue  # validated by the build that cached it; only its kind matters here
        try:
            loaded_all.append((load or deps.load)(name, params_dir))  # every scenario is validated
        except CasebookError as exc:  # keep going: one run reports every problem in every file
            problems.extend(exc.errors if isinstance(exc, CasebookErrors) else [exc])
    if problems:
        raise problems[0] if len(problems) == 1 else CasebookErrors(problems)
    ids: set[str] = set()
    # the versions (published, forecast, outturn), earliest first: a check they share is the first's;
    # options and sensitivities change published figures on purpose
    published = sorted((ld for ld in loaded_all if is_version(ld.scenario.kind)),
                       key=lambda ld: (len(ld.chain), ld.name))
    for loaded in published:
        for c in reconcile(loaded):
            ids.add(c.id)
            key = (c.id, repr(c.published), repr(c.computed), c.status)
            if key not in seen or (c.is_finding and not seen[key].is_finding):
                seen[key] = c
    for loaded in published:  # a classification must name a check that exists
        for cid in loaded.scenario.classify:
            if cid not in ids:
                node = loaded.tree.get("classify")
                file, line = node.origin(cid) if hasattr(node, "origin") else (None, None)
                problems.append(CasebookError(f"classifies no check{did_you_mean(cid, ids)}", file=file,
                                              key=f"classify.{cid}", line=line))
    if problems:
        raise problems[0] if len(problems) == 1 else CasebookErrors(problems)
    order = {s: i for i, s in enumerate(STATUSES[::-1])}
    return sorted(seen.values(), key=lambda c: (order[c.status], c.id))


def summary(checks: list[Check]) -> dict[str, int]:
    return {s: sum(1 for c in checks if c.status == s) for s in STATUSES}


def findings(checks: list[Check]) -> list[Check]:
    """The checks that found something, most severe first, then by class and id."""
    sev = {k: i for i, k in enumerate(SEVERITIES)}
    cls = {k: i for i, k in enumerate(FINDING_CLASSES)}
    return sorted((c for c in checks if c.is_finding),
                  key=lambda c: (sev.get(c.severity, 99), cls.get(c.finding_class, 99), c.id))


def findings_summary(checks: list[Check]) -> dict[str, dict[str, int]]:
    """Counts of findings by severity and by class (every key present, zero or not)."""
    found = findings(checks)
    return {"total": len(found),
            "by_severity": {k: sum(1 for c in found if c.severity == k) for k in SEVERITIES},
            "by_class": {k: sum(1 for c in found if c.finding_class == k) for k in FINDING_CLASSES},
            "unresolved": sum(1 for c in found if c.unresolved)}

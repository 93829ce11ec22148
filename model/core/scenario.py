"""Loading a scenario: resolve `extends`, calibrate each level, apply overrides, validate."""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .appraisal import npv
from .errors import CasebookError, CasebookErrors
from .kind_rules import check_committed, check_kind
from .params_checks import check_periods
from .params import (DEFAULT_PARAMS_DIR, apply_set, check_overrides, drop_inherited_checks,
                     get_node, merge, own_part, read_chain, validate)
from .rootfind import brent_root
from .schema import Calibration, Quantity, Scenario, is_version
from .sources import declared_in
from .yamlio import LineDict

METRICS = {"npv_gbp_m": npv}


@dataclass
class Loaded:
    """A scenario ready to appraise, with what it was built from."""

    name: str
    scenario: Scenario
    tree: LineDict
    chain: list[str]
    files: list[Path]
    calibrated: list[dict] = field(default_factory=list)
    overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.scenario.title

    # Pickled (the build's scenario cache, the dependence engine's nudged scenarios), the tree of the
    # params with their lines is most of the bytes and of the time to read them back, and most readers
    # never look at it: it is read back when first asked for.
    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        if "tree" in state:
            state["_tree_pickle"] = pickle.dumps(state.pop("tree"), protocol=pickle.HIGHEST_PROTOCOL)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    def __getattr__(self, name: str) -> Any:
        if name == "tree" and "_tree_pickle" in self.__dict__:
            tree = pickle.loads(self.__dict__.pop("_tree_pickle"))
            self.__dict__["tree"] = tree
            return tree
        raise AttributeError(name)


def quantity_at(scenario: Scenario, dotted: str) -> Quantity:
    """The parameter object at a dotted key of a validated scenario."""
    node: Any = scenario
    for part in dotted.split("."):
        node = node.get(part) if isinstance(node, dict) else getattr(node, part, None)
        if node is None:
            raise KeyError(dotted)
    if not isinstance(node, Quantity):
        raise KeyError(dotted)
    return node


def solve_calibration(scenario: Scenario, cal: Calibration, target_value: float) -> tuple[float, float]:
    """Solve for the parameter value that makes the metric hit the target (Brent's method).

    Returns (value, achieved metric). The scenario object is left with the solved value.
    """
    metric = METRICS[cal.metric]
    q = quantity_at(scenario, cal.parameter)

    def gap(x: float) -> float:
        q.value = float(x)
        return metric(scenario) - target_value

    lo, hi = cal.bracket
    g_lo, g_hi = gap(lo), gap(hi)
    if g_lo * g_hi > 0:
        raise CasebookError(
            f"calibration cannot reach {cal.metric} = {target_value:g}: between {lo:g} and {hi:g} it "
            f"runs from {g_lo + target_value:.3f} to {g_hi + target_value:.3f}", key=cal.parameter)
    value = brent_root(gap, lo, hi, xtol=1e-12)
    achieved = gap(value) + target_value
    return value, achieved


def _set_tree_value(tree: LineDict, dotted: str, value: float) -> None:
    node = get_node(tree, dotted)
    node["value"] = value


def load_scenario(name: str, params_dir: Path | str = DEFAULT_PARAMS_DIR,
                  overrides: dict[str, Any] | None = None) -> Loaded:
    """Resolve a scenario: each level of its `extends` chain is merged in turn and calibrated with
    its own declarations, on the published parameters; then the analyst's overrides are applied.
    Overrides are sensitivities: they do not re-run the calibration.
    """
    params_dir = Path(params_dir)
    with declared_in(params_dir):
        return _load_scenario(name, params_dir, overrides)


#: The merged and calibrated state after the first levels of a chain, pickled, by the params directory
#: and the names and bytes (SHA-256) of those levels: scenarios that extend the same parents (every
#: sensitivity of a version) solve the parents' calibrations once per process, not once each.
_LEVELS: dict[tuple, bytes] = {}


def _prefix_key(params_dir: Path, chain: list[tuple[str, LineDict]], n: int) -> tuple:
    return (str(params_dir),) + tuple((level, data.sha256) for level, data in chain[:n])


def _load_scenario(name: str, params_dir: Path, overrides: dict[str, Any] | None) -> Loaded:
    chain = read_chain(params_dir, name)
    tree: LineDict | None = None
    calibrated: list[dict] = []
    pending: list[CasebookError] = []
    start = 0
    for n in range(len(chain), 0, -1):  # the longest prefix already solved in this process
        state = _LEVELS.get(_prefix_key(params_dir, chain, n))
        if state is not None:
            tree, calibrated = pickle.loads(state)
            start = n
            break
    for i, (level, data) in enumerate(chain[start:], start):
        own = own_part(data)
        if tree is not None:
            kind = own.get("kind", tree.get("kind", "published"))
            try:
                check_overrides(tree, own, chain[i - 1][0], strict=not is_version(kind))
            except CasebookError as exc:  # reported with the schema's own findings below
                pending.extend(exc.errors if isinstance(exc, CasebookErrors) else [exc])
            try:
                check_kind(own, kind, tree.get("kind", "published"), level, chain[i - 1][0], is_version)
                check_committed(own, kind, is_version)
            except CasebookError as exc:
                pending.append(exc)
        tree = own if tree is None else merge(tree, own)
        drop_inherited_checks(tree, data.file)
        raw_cals = data.get("calibration") or []
        if not isinstance(raw_cals, list):
            file, line = data.origin("calibration")
            raise CasebookError("calibration must be a list", file=file, key="calibration", line=line)
        try:
            scenario = validate(tree)
            check_periods(tree, scenario)
        except CasebookError as exc:
            raise CasebookErrors(pending + (exc.errors if isinstance(exc, CasebookErrors) else [exc])) \
                if pending else exc
        if pending:
            raise pending[0] if len(pending) == 1 else CasebookErrors(pending)
        _mark_set_by(calibrated, own, level, raw_cals)
        for c, raw in enumerate(raw_cals):
            cal = _validate_calibration(raw, data, c)
            try:
                target = quantity_at(scenario, cal.target)
                quantity_at(scenario, cal.parameter)
            except KeyError as exc:
                file, line = data.origin("calibration")
                raise CasebookError(f"calibration refers to {exc.args[0]!r}, which is not a parameter",
                                    file=file, key=f"calibration.{c}", line=line) from None
            try:
                value, achieved = solve_calibration(scenario, cal, float(target.value))
            except CasebookError as exc:
                exc.file, exc.line = data.origin("calibration")
                raise
            _set_tree_value(tree, cal.parameter, value)
            calibrated.append({
                "scenario": level, "parameter": cal.parameter, "value": value, "metric": cal.metric,
                "target": cal.target, "target_value": float(target.value), "target_source": target.source,
                "achieved": achieved, "why": cal.why, "overridden": False})
        if all(d.sha256 for _, d in chain[: i + 1]):
            if len(_LEVELS) > 512:
                _LEVELS.clear()
            _LEVELS[_prefix_key(params_dir, chain, i + 1)] = pickle.dumps((tree, calibrated),
                                                                         protocol=pickle.HIGHEST_PROTOCOL)
    assert tree is not None
    for key, raw_value in (overrides or {}).items():
        tree = apply_set(tree, key, raw_value)
        try:
            check_periods(tree, validate(tree))
        except CasebookError as exc:  # the user typed it on the command line, not in a params file
            raise CasebookError(exc.message, file="--set", key=key) from None
        for entry in calibrated:
            if entry["parameter"] == key.removesuffix(".value"):
                entry.update(overridden=True, overridden_in="--set",
                             value_used=quantity_at(validate(tree), entry["parameter"]).value)
    scenario = validate(tree)
    check_periods(tree, scenario)
    return Loaded(name=name, scenario=scenario, tree=tree, chain=[lvl for lvl, _ in chain],
                  files=[params_dir / f"{lvl}.yaml" for lvl, _ in chain], calibrated=calibrated,
                  overrides=dict(overrides or {}))


def _mark_set_by(calibrated: list[dict], own: LineDict, level: str, raw_cals: list) -> None:
    """An earlier file's calibration whose parameter this file sets (and does not solve again) is no
    longer what the scenario uses: say so (overridden, where, and the value used), so that an input
    a sensitivity sets is never reported as solved."""
    solved_here = {c.get("parameter") for c in raw_cals if isinstance(c, dict)}
    for entry in calibrated:
        if entry["parameter"] in solved_here:
            continue
        node: Any = own
        for part in entry["parameter"].split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict) and "value" in node:
            entry.update(overridden=True, overridden_in=level, value_used=node["value"])


def _validate_calibration(raw: Any, data: LineDict, index: int) -> Calibration:
    """One `calibration:` entry of a file, with errors at its file and line."""
    try:
        return Calibration.model_validate(raw)
    except ValidationError as exc:
        err = sorted(exc.errors(), key=lambda e: e.get("type") != "extra_forbidden")[0]
        field_name = str(err["loc"][0]) if err["loc"] else None
        line = raw.key_lines.get(field_name) if isinstance(raw, LineDict) and field_name else None
        key = f"calibration.{index}" + (f".{field_name}" if field_name else "")
        msg = "unknown key" if err.get("type") == "extra_forbidden" else err.get("msg", "invalid")
        raise CasebookError(msg, file=data.file, key=key,
                            line=line or data.origin("calibration")[1]) from None

"""The case's versions and options, as the params declare them: the versions in order (published,
forecast and outturn), the headline version, the option scenarios, each version's short label, its
deliveries and their go-live milestones, its own published NPV, and the request tables it adds to the
version before it."""

from __future__ import annotations

from pathlib import Path

from ..core import deps
from ..core.params import scenario_names
from ..core.paths import resolve_params_dir
from ..core.scenario import Loaded
from ..core.schema import Scenario, TableBlock, is_version
from .scenario_loading import loaded, structure_dir


def _own(ld: Loaded, key: str):
    """A top-level key as the scenario's own file sets it (None if it only inherits it)."""
    if key not in ld.tree or Path(str(ld.tree.origin(key)[0])).stem != ld.name:
        return None
    return ld.tree[key]


def version_names(params_dir: str | Path | None = None) -> list[str]:
    """The case's versions: its published, forecast and outturn scenarios (`is_version`), in the order
    of their `extends` chain, the first version first (a version extends the one before it)."""
    pdir = resolve_params_dir(params_dir)
    where = structure_dir(pdir)
    if where != str(pdir):  # a nudged copy: the original's versions, worked out once per process
        state = (where, tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size)
                              for p in sorted(Path(where).glob("*.yaml"))))
        if state not in _NUDGED_VERSIONS:
            with deps.suspended():
                _NUDGED_VERSIONS[state] = version_names(where)
        return list(_NUDGED_VERSIONS[state])
    names = _of_kind(is_version, pdir)
    return sorted(names, key=lambda n: (len(loaded(n, structure_dir(pdir)).chain), n))


#: The versions of an original params directory, as its nudged copies ask for them (a nudge changes a
#: value, never a scenario's kind or `extends`), for each state of the original's files.
_NUDGED_VERSIONS: dict[tuple, list[str]] = {}


def _of_kind(kind, pdir: Path) -> list[str]:
    """The scenarios of one kind (or whose kind passes a test). Looking at every file's `kind` is not
    recorded as a read of the page (else every chapter would depend on every sensitivity file); the
    scenarios found are."""
    where = structure_dir(pdir)  # (a nudged copy's kinds are the original's)
    with deps.suspended():
        test = kind if callable(kind) else (lambda k: k == kind)
        names = [n for n in scenario_names(pdir) if test(loaded(n, where).scenario.kind)]
    if where == str(resolve_params_dir(pdir)):  # (a nudged copy's loads record no reads)
        for n in names:
            loaded(n, pdir)  # records the files the answer rests on
    return names


def short_label(name: str, params_dir: str | Path | None = None) -> str:
    """A scenario's short label: its own `short`, else its name in capitals."""
    own = _own(loaded(name, structure_dir(params_dir)), "short")  # (a nudge never changes it)
    return str(own) if own else name.upper()


def reader_label(name: str, params_dir: str | Path | None = None) -> str:
    """A scenario as a reader's page names it: its own `short`, else its title, else its name in
    capitals (never its file's name, which is a slug)."""
    ld = loaded(name, structure_dir(params_dir))
    own = _own(ld, "short") or ld.tree.get("title")
    return str(own) if own else name.upper()


def version_labels(params_dir: str | Path | None = None) -> dict[str, str]:
    """Each version's short label, by scenario name, in version order."""
    return {name: short_label(name, params_dir) for name in version_names(params_dir)}


def headline(params_dir: str | Path | None = None) -> str:
    """The version the economic and financial cases appraise: the latest published one (a forecast or
    an outturn is not a business case), unless a version's own file sets `headline: true` (the latest
    of those)."""
    names = version_names(params_dir)
    where = structure_dir(params_dir)
    published = [n for n in names if loaded(n, where).scenario.kind == "published"]
    if not published:
        raise ValueError("the params declare no published version (kind: published)")
    marked = [n for n in names if _own(loaded(n, where), "headline")]
    return (marked or published)[-1]


def option_names(params_dir: str | Path | None = None) -> list[str]:
    """The scenarios appraised as options against the headline version (kind: option), by name."""
    pdir = resolve_params_dir(params_dir)
    return _of_kind("option", pdir)


def first_version(params_dir: str | Path | None = None) -> str:
    """The first version (the start of the `extends` chain), by scenario name."""
    return version_names(params_dir)[0]


def go_live_milestones(s: Scenario) -> list[str]:
    """The milestones at which deliveries go live, in date order: the milestones named by the
    benefits' deliveries where the params declare them, else those whose key ends in `_go_live`, else
    every milestone."""
    deliveries = getattr(s.benefits, "deliveries", None) or {}
    named = []
    for d in (deliveries.values() if isinstance(deliveries, dict) else []):
        key = d.get("milestone") if isinstance(d, dict) else getattr(d, "milestone", None)
        key = getattr(key, "value", key)
        if key in s.milestones and key not in named:
            named.append(key)
    keys = named or [k for k in s.milestones if k.endswith("_go_live")] or list(s.milestones)
    return sorted(keys, key=lambda k: (str(s.milestones[k].value), k))


def deliveries(s: Scenario) -> dict[str, str]:
    """Each delivery's go-live milestone, by the delivery's short name (the milestone's key less
    `_go_live`), in date order."""
    return {k.removesuffix("_go_live"): k for k in go_live_milestones(s)}


def contract_prefix(s: Scenario, key: str) -> str:
    """A contract's short name for figure names: the first word of its key where no other contract's
    key starts with the same word, else the whole key."""
    word = key.split("_")[0]
    return word if sum(1 for k in s.contracts if k.split("_")[0] == word) == 1 else key


def final_go_live(s: Scenario) -> str:
    """The last delivery's go-live milestone."""
    return go_live_milestones(s)[-1]


def _scenario(scenario: str | None, params_dir) -> str:
    return headline(params_dir) if scenario is None else scenario


def published_npv_key(name: str, params_dir: str | Path | None = None) -> str | None:
    """The key under `published` of the NPV a version's own paper published: `npv_<name>_gbp_m`, else
    the published figure its own file calibrates its NPV to (a calibration with metric npv_gbp_m),
    else None (a calibration it inherits is the earlier version's)."""
    ld = loaded(name, params_dir)
    if f"npv_{name}_gbp_m" in ld.scenario.published:
        return f"npv_{name}_gbp_m"
    for c in ld.calibrated:  # the version's own calibration, not one it inherits
        key = c["target"].removeprefix("published.")
        if c["scenario"] == name and c["metric"] == "npv_gbp_m" and c["target"].startswith("published.") \
                and key in ld.scenario.published:
            return key
    return None


def published_npv(name: str, params_dir: str | Path | None = None):
    """The NPV a version's own paper published (see :func:`published_npv_key`), or None."""
    key = published_npv_key(name, params_dir)
    return None if key is None else loaded(name, params_dir).scenario.published[key]


def request_blocks(scenario: str | None = None, params_dir: str | Path | None = None) -> list[str]:
    """The request tables a scenario adds to its versions' costs (the cost tables, `type: table`, that
    the version before it does not have), in params order: its Table 1, Table 2, ..."""
    name = _scenario(scenario, params_dir)
    ld = loaded(name, params_dir)
    before = [v for v in version_names(params_dir) if v in ld.chain and v != name]
    inherited = set(loaded(before[-1], params_dir).scenario.costs) if before else set()
    return [k for k, b in ld.scenario.costs.items() if isinstance(b, TableBlock) and k not in inherited]


def printed_request_blocks(scenario: str | None = None, params_dir: str | Path | None = None) -> list[str]:
    """The scenario's request tables whose printed totals the params declare (`published_totals`)."""
    s = loaded(_scenario(scenario, params_dir), params_dir).scenario
    return [b for b in request_blocks(scenario, params_dir) if s.costs[b].published_totals is not None]


def request_label(block_name: str, scenario: str | None = None, params_dir: str | Path | None = None) -> str:
    """'Capital (Table 1)': the block's kind and its place among the scenario's request tables."""
    name = _scenario(scenario, params_dir)
    block = loaded(name, params_dir).scenario.costs[block_name]
    return f"{block.kind.capitalize()} (Table {request_blocks(name, params_dir).index(block_name) + 1})"


def stated_total(block_name: str, scenario: str | None = None, params_dir: str | Path | None = None):
    """The narrative figure the paper states for a whole request table (factors: [all]), or None."""
    s = loaded(_scenario(scenario, params_dir), params_dir).scenario
    return next(((k, n) for k, n in s.narrative_costs.items() if n.table == block_name and n.factors == ["all"]),
                None)

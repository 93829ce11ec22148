"""Which figures rest on labelled assumptions, found by perturbation rather than by hand.

Every entry of a params file marked ``assumption: true`` (a parameter, a series, an uncertainty range, a
contract cap) is an assumption. To learn which figures depend on it, the engine writes a copy of the
params directory with that one entry nudged, runs the same code that produced the figures on the copy
(so every calibration is solved again, as a build would), and compares. A figure that moves depends on
the assumption; one that does not move does not. A figure reproduced by calibration (a published NPV)
therefore depends on none: whatever the assumptions, the solved parameter brings it back to the
published value.

Only ``perturb`` and ``moved`` decide anything; the rest is plumbing around them.
"""

from __future__ import annotations

import atexit
import copy
import json
import math
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from ..core.errors import CasebookError
from ..core.fy import fy_label
from ..core.params import ATOMIC_MARKERS, scenario_names
from ..core.paths import resolve_params_dir
from .register import entries
from ..core.yamlio import load_yaml_file

#: Relative size of a nudge. Large enough to move any figure shown to three decimals, small enough
#: that every calibration still finds its root inside its bracket.
STEP = 0.1
DATE_RE = re.compile(r"^(\d{4})-(\d{2})(-\d{2})?$")


@dataclass(frozen=True)
class Assumption:
    """One labelled assumption: the params file that states it and its dotted key there."""

    scenario: str
    key: str
    label: str
    why: str

    @property
    def id(self) -> str:
        return f"{self.scenario}:{self.key}"


def assumptions(params_dir: str | Path | None = None) -> list[Assumption]:
    """Every entry marked `assumption: true` in every params file, in file order. A parameter that a
    calibration in the same file solves for is not an input: its value is whatever the calibration
    finds, so it is left out (the calibration's own inputs are the other assumptions)."""
    pdir = resolve_params_dir(params_dir)
    out = []
    for name in scenario_names(pdir):
        data = load_yaml_file(pdir / f"{name}.yaml")
        solved = {c.get("parameter") for c in data.get("calibration") or [] if isinstance(c, dict)}
        for path, node, _ in entries(data):
            key = ".".join(path)
            if isinstance(node, dict) and node.get("assumption") is True and key not in solved:
                out.append(Assumption(name, key, str(node.get("label") or key), str(node.get("why") or "")))
    return out


def _nudge_number(x: float, direction: int) -> float:
    if isinstance(x, bool):
        return x
    if isinstance(x, int):
        return x + direction  # a year, a count of months or days: one unit
    return x * (1 + direction * STEP) if x else direction * STEP / 2


def _nudge_date(text: str, direction: int) -> str:
    m = DATE_RE.match(text)
    year, month = int(m.group(1)), int(m.group(2)) + 3 * direction
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return f"{year:04d}-{month:02d}{m.group(3) or ''}"


def perturb(node: dict, first_fy: int, direction: int = 1, last_fy: int | None = None) -> dict | None:
    """A copy of one params entry with its value nudged, or None if it has nothing to nudge.

    - a number moves by STEP of itself (an integer, a year or a count, by one; zero by STEP/2);
    - a date moves by three months;
    - a series is tilted (year i scaled by 1 + STEP*(i+1)), so that a profile of weights, which the
      model normalises, changes shape too; an empty series gains one year at the start of the period;
    - an unset value (null: the STPR schedule in place of a flat rate) becomes STEP/2; an unset date
      (null: never, as in an option that stops early) becomes the last month of the period (March of
      `last_fy` + 1), or the one before it, the nearest thing to "never" that still falls inside it;
    - a text choice between two values (nominal/real) flips;
    - a settings record (an uncertainty range, a cap) has each number moved: a range is shifted by
      half a STEP of its width, so that its ends keep their order.
    """
    new = copy.deepcopy(dict(node))
    if "by_fy" in new:
        cells = dict(new["by_fy"] or {})
        if not cells:
            new["by_fy"] = {fy_label(first_fy): float(direction)}
        else:
            new["by_fy"] = {fy: v * (1 + direction * STEP * (i + 1)) for i, (fy, v) in enumerate(cells.items())}
        return new
    if "value" in new:
        v = new["value"]
        if v is None and new.get("unit") == "date":
            if last_fy is None:
                return None
            new["value"] = f"{last_fy + 1:04d}-03" if direction > 0 else f"{last_fy + 1:04d}-02"
        elif v is None:
            new["value"] = STEP / 2 * (1 if direction > 0 else 3)
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            new["value"] = _nudge_number(v, direction)
        elif isinstance(v, str) and DATE_RE.match(v):
            new["value"] = _nudge_date(v, direction)
        elif isinstance(v, str) and v in ("nominal", "real"):
            new["value"] = "real" if v == "nominal" else "nominal"
        else:
            return None
        return new
    if any(k in new for k in ATOMIC_MARKERS):
        return None
    if "low" in new and "high" in new:
        shift = direction * STEP / 2 * (new["high"] - new["low"])
        for k in ("low", "high", "base"):
            if k in new:
                new[k] = new[k] + shift
        return new
    changed = False
    for k, v in new.items():
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            new[k], changed = _nudge_number(v, direction), True
    return new if changed else None


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _set_at(tree: dict, path: list[str], value: Any) -> None:
    node: Any = tree
    for part in path[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if isinstance(node, list):
        node[int(path[-1])] = value
    else:
        node[path[-1]] = value


def _get_at(tree: dict, path: list[str]) -> Any:
    node: Any = tree
    for part in path:
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


_ROOT: Path | None = None
_DIRS: dict[tuple, Path | None] = {}
#: Each nudged copy: (the params directory it copies, the stem of the file it changes).
from ..core.scenario_cache import NUDGED as _NUDGED, nudged_file, params_digest  # noqa: E402,F401  (core's registry: loads consult it)




#: In a build, the folder the nudged copies go in (the build's own scratch space, which it removes when
#: it ends and which the next build clears if this one was killed): a kernel killed with its build
#: leaves nothing in the system's temporary folder.
SCRATCH_ENV = "CASEBOOK_SCRATCH"


def _scratch() -> Path:
    global _ROOT
    if _ROOT is None:
        parent = os.environ.get(SCRATCH_ENV)
        if parent:
            Path(parent).mkdir(parents=True, exist_ok=True)
        _ROOT = Path(tempfile.mkdtemp(prefix="casebook-dependence-", dir=parent or None))
        atexit.register(shutil.rmtree, _ROOT, True)
    return _ROOT


def perturbed_params(params_dir: str | Path, assumption: Assumption, direction: int = 1) -> Path | None:
    """A copy of the params directory with one assumption nudged (kept for the life of the process,
    so that loads of it are cached like any other params directory); None if it cannot be nudged."""
    pdir = resolve_params_dir(params_dir)
    key = (str(pdir.resolve()), _digest_now(pdir), assumption.id, direction)
    if key in _DIRS:
        return _DIRS[key]
    data = _plain(load_yaml_file(pdir / f"{assumption.scenario}.yaml"))
    path = assumption.key.split(".")
    first_fy = _first_fy(pdir, assumption.scenario)
    node = _get_at(data, path)
    # a bare choice (the packaged GDP deflator series a case chose, by name) has nothing to nudge
    new = None if _single_delivery_share(data, path) or not isinstance(node, dict) else \
        perturb(node, first_fy, direction, _first_fy(pdir, assumption.scenario, "last_fy"))
    _DIRS[key] = None if new is None else params_with(pdir, assumption, new)
    return _DIRS[key]


def params_with(params_dir: str | Path, assumption: Assumption, node: dict) -> Path:
    """A copy of the params directory with one assumption's entry replaced by `node` (the other
    deliveries' shares scaled to stay whole with a changed share), kept for the life of the process
    and written once per entry: the nudges, and the uncertainty analysis's runs across a range
    (model.analysis.unknowns), load from it like any other params directory."""
    pdir = resolve_params_dir(params_dir)
    key = (str(pdir.resolve()), _digest_now(pdir), assumption.id, "node",
           json.dumps(_plain(node), sort_keys=True, default=str))
    if key in _DIRS and _DIRS[key] is not None:
        return _DIRS[key]
    data = _plain(load_yaml_file(pdir / f"{assumption.scenario}.yaml"))
    path = assumption.key.split(".")
    _set_at(data, path, _plain(node))
    _keep_shares_whole(data, path)
    dest = _scratch() / f"{len(_DIRS):04d}"
    dest.mkdir()
    for p in pdir.glob("*.yaml"):
        shutil.copy2(p, dest / p.name)
    for sub in (p for p in pdir.iterdir() if p.is_dir()):  # e.g. sources/: the documents the params cite
        (dest / sub.name).symlink_to(sub.resolve(), target_is_directory=True)
    # JSON is YAML, and much faster to write than PyYAML's emitter
    (dest / f"{assumption.scenario}.yaml").write_text(json.dumps(data, ensure_ascii=False, indent=1),
                                                      encoding="utf-8")
    _DIRS[key] = dest
    _NUDGED[str(dest)] = (str(pdir), assumption.scenario)
    return dest


_DIGESTS: dict[tuple, str] = {}


def _digest_now(pdir: Path) -> str:
    """`params_digest(pdir)`, hashed again only when a file's size or time has changed (every chapter
    asks for each nudged copy many times: once per figure function, per assumption)."""
    state = (str(pdir), tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(pdir.glob("*.yaml"))))
    if state not in _DIGESTS:
        _DIGESTS[state] = params_digest(pdir)
    return _DIGESTS[state]


def _keep_shares_whole(data: dict, path: list[str]) -> None:
    """After one delivery's share is nudged (`...deliveries.NAME.share`), scale the other deliveries'
    shares in the same file so that they still add up to one with it: a nudge tests what the share
    changes, not the rule that the shares are whole. Nothing to scale (no other share in the file, or
    the others all zero): left as it is, and a load that fails both ways leaves the share untested.
    (A single delivery's share is never nudged: see perturbed_params.)"""
    if len(path) < 3 or path[-1] != "share" or path[-3] != "deliveries":
        return
    group, name = _get_at(data, path[:-2]), path[-2]
    value = group[name]["share"].get("value")
    others = {k: d["share"] for k, d in group.items() if k != name and isinstance(d, dict)
              and isinstance(d.get("share"), dict) and isinstance(d["share"].get("value"), (int, float))}
    total = sum(q["value"] for q in others.values())
    if not isinstance(value, (int, float)) or total <= 0:
        return
    for q in others.values():
        q["value"] = q["value"] * (1.0 - value) / total


def _first_fy(pdir: Path, scenario: str, key: str = "first_fy") -> int:
    """The scenario's first (or, with key="last_fy", last) financial year of the period."""
    from ..core.params import read_chain

    for _, data in reversed(read_chain(pdir, scenario)):
        fy = (data.get("appraisal") or {}).get(key)
        if isinstance(fy, dict) and isinstance(fy.get("value"), int):
            return fy["value"]
    return 2000


def moved(before: Any, after: Any) -> bool:
    """Whether a figure changed: numbers beyond floating-point noise, anything else by equality."""
    if isinstance(before, (list, tuple)) or isinstance(after, (list, tuple)):
        if not isinstance(before, (list, tuple)) or not isinstance(after, (list, tuple)):
            return True
        return len(before) != len(after) or any(moved(a, b) for a, b in zip(before, after))
    numeric = (int, float)
    if isinstance(before, numeric) and isinstance(after, numeric) and not isinstance(before, bool):
        if math.isnan(before) or math.isnan(after):
            return math.isnan(before) != math.isnan(after)
        return not math.isclose(before, after, rel_tol=1e-9, abs_tol=1e-9)
    if before is None or after is None:
        return before is not after
    try:
        if isinstance(before, float) and isinstance(after, float) and math.isnan(before) and math.isnan(after):
            return False
    except TypeError:
        pass
    return before != after


#: Set to "off" to skip the nudging (every figure then rests on no assumption): bench/build.py uses it
#: to measure what the dependence costs a build. Never set it for a book anyone reads.
OFF_ENV = "CASEBOOK_DEPENDENCE"


def dependence(compute: Callable[[Path], dict[str, Any]], params_dir: str | Path | None = None,
               candidates: Iterable[Assumption] | None = None, name: str | None = None,
               ) -> dict[str, list[Assumption]]:
    """For each figure that `compute(params_dir)` returns, the assumptions whose nudge moves it.

    Only the assumptions of the params files that `compute` reads are nudged (an assumption in a file
    it never reads cannot move its figures), and the nudged runs record no reads (`model.core.reads`):
    so a notebook that calls this depends on the files its figures read, as it would without the
    markers.

    Each assumption is nudged up; if the scenario no longer loads that way (a value pushed out of
    its allowed range, a calibration pushed out of its bracket), it is nudged down instead. An
    assumption that cannot be nudged at all (nothing in it to move, or a copy that loads neither
    way) moves no figure: it is not tested, and it is recorded as such (`record_untested`) so that
    the build reports it, rather than marking every figure with an assumption nothing was learnt of.

    `name` says what `compute` is (the function and its arguments): in a build, the sets found for
    the same name, figures and params are kept for the other notebooks (two chapters that glue the
    same figures nudge them once), and for the next build while nothing they read changes.
    """
    from ..core import deps as reads

    pdir = resolve_params_dir(params_dir)
    with reads.collecting() as seen:
        base = compute(pdir)
    if os.environ.get(OFF_ENV) == "off":
        return {k: [] for k in base}
    root = Path.cwd()
    read_stems = {Path(p).stem for kind, p, _ in seen
                  if kind == "file" and (root / p).resolve().parent == pdir.resolve()}
    with reads.suspended():
        pool = assumptions(pdir) if candidates is None else list(candidates)
        todo = [a for a in pool if candidates is not None or a.scenario in read_stems]
        key = None
        if name is not None:
            key = json.dumps([name, str(pdir.resolve()), params_digest(pdir, with_documents=True),
                              sorted(repr(item) for item in base.items()), [a.id for a in todo]])
            known = reads.shared_result("dependence", key)
            if known is not None:
                by_id = {a.id: a for a in todo}
                return {k: [by_id[i] for i in known[repr(k)]] for k in base}
        dep = _dependence(compute, base, todo, pdir)
        if key is not None:
            reads.keep_shared_result("dependence", key, {repr(k): [a.id for a in v] for k, v in dep.items()})
    return dep


def _dependence(compute: Callable[[Path], dict[str, Any]], base: dict[str, Any],
                todo: list[Assumption], pdir: Path) -> dict[str, list[Assumption]]:
    """The nudging itself: each assumption in turn, up, or down if up does not load."""
    dep: dict[str, list[Assumption]] = {k: [] for k in base}
    for a in todo:
        after, failures = None, []
        for direction in (1, -1):
            copy_dir = perturbed_params(pdir, a, direction)
            if copy_dir is None:
                break
            try:
                after = compute(copy_dir)
                break
            except CasebookError as exc:
                failures.append(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
                continue
        if after is None:
            record_untested(pdir, a, untested_reason(pdir, a) if not failures else
                            "its nudged copy does not load either way: " + failures[0])
            continue
        for k, v in base.items():
            if moved(v, after.get(k)):
                dep[k].append(a)
    return dep


#: The assumptions found untested in this process: id -> record (see record_untested).
UNTESTED: dict[str, dict] = {}
UNTESTED_DIR = "untested"


def untested_reason(pdir: Path, assumption: Assumption) -> str:
    """Why an assumption has nothing to nudge: a single delivery's share (always all of the
    benefits), or a value of a kind the nudges do not move (a text, a list of items)."""
    path = assumption.key.split(".")
    if _single_delivery_share(load_yaml_file(pdir / f"{assumption.scenario}.yaml"), path):
        return "it is the share of the only delivery, which is always all of the benefits"
    return "its value is of a kind that cannot be nudged (not a number, a date, a series or a range)"


def _single_delivery_share(data: dict, path: list[str]) -> bool:
    if len(path) < 3 or path[-1] != "share" or path[-3] != "deliveries":
        return False
    try:
        group = _get_at(data, path[:-2])
    except (KeyError, IndexError, TypeError, ValueError):
        return False
    return isinstance(group, dict) and len(group) == 1


def _untested_dir() -> Path | None:
    """Beside the build's scenario cache (the kernels and the workers of one build all see it), or
    None outside a build."""
    from ..core.scenario_cache import CACHE_ENV

    index = os.environ.get(CACHE_ENV)
    return Path(index).parent / UNTESTED_DIR if index else None


def record_untested(pdir: Path, assumption: Assumption, reason: str) -> dict:
    """Keep the record of an assumption that could not be tested: in this process (UNTESTED) and, in
    a build, as a small JSON file beside the scenario cache that the build reads for its report (one
    file per params directory and assumption: written whole, so that kernels never see half of one)."""
    from ..core.scenario_cache import original_dir

    original = Path(original_dir(pdir))
    entry = {"id": assumption.id, "file": f"{assumption.scenario}.yaml", "key": assumption.key,
             "label": assumption.label, "reason": reason, "params": params_digest(original)}
    UNTESTED[assumption.id] = entry
    folder = _untested_dir()
    if folder is not None:
        import hashlib

        from ..core.scenario_cache import CACHE_ENV

        entry["build"] = _build_digest(Path(os.environ[CACHE_ENV]))
        folder.mkdir(parents=True, exist_ok=True)
        name = hashlib.sha256(f"{entry['params']}\0{assumption.id}".encode()).hexdigest()[:20]
        tmp = folder / f".{name}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(entry, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        os.replace(tmp, folder / f"{name}.json")
    return entry


def _build_digest(index: Path) -> str | None:
    """What the build's notebooks are a function of besides the params (the model's code, the
    dependencies, the sources): the scenario cache's index keeps it."""
    try:
        return json.loads(index.read_text(encoding="utf-8")).get("common")
    except (OSError, ValueError):
        return None


def untested_assumptions(params_dir: str | Path, cache_dir: str | Path) -> list[dict]:
    """The untested assumptions that this build's notebooks recorded for `params_dir` (and earlier
    builds of the same params, whose notebooks this one took from cache), in the params' own order."""
    pdir = resolve_params_dir(params_dir)
    folder = Path(cache_dir) / UNTESTED_DIR
    digest, build = params_digest(pdir), _build_digest(Path(cache_dir) / "index.json")
    found = {}
    for file in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            entry = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        # the same params under the same model (a record of a model since changed is stale)
        if entry.get("params") == digest and entry.get("build") == build:
            found[entry["id"]] = entry
    order = {a.id: i for i, a in enumerate(assumptions(pdir))}
    return sorted((e for e in found.values() if e["id"] in order), key=lambda e: order[e["id"]])


def warm(params_dir: str | Path | None = None, ids: Iterable[str] | None = None) -> int:
    """Solve every nudged scenario that the chapters' figures will be computed on, once, and keep it
    beside the build's scenario cache (`model.core.scenario_cache.ensure_nudged`): a build's workers
    share the assumptions out (`ids`: those of this worker) before any chapter runs, so that no two
    chapters solve the same nudged scenario (or reconcile the same nudged copy) and none waits for another. Each assumption is nudged up
    and, if a scenario it reaches does not load that way, down, as `dependence` does. Returns how
    many scenarios were solved now (none is solved twice: the kept ones are skipped)."""
    from ..core import deps as reads
    from .reconcile_run import reconcile_all

    pdir = resolve_params_dir(params_dir)
    wanted = None if ids is None else set(ids)
    solved = 0
    with reads.suspended():
        names = scenario_names(pdir)
        for a in assumptions(pdir):
            if wanted is not None and a.id not in wanted:
                continue
            for direction in (1, -1):
                copy_dir = perturbed_params(pdir, a, direction)
                if copy_dir is None:
                    break
                failed = False
                for name in names:
                    if a.scenario not in reads.chain_stems(name, copy_dir):
                        continue
                    try:
                        solved += reads.ensure_nudged(name, copy_dir)
                    except CasebookError:
                        failed = True
                if not failed:
                    try:  # the reconciliation of the nudged copy, kept for every chapter that shows it
                        reconcile_all(copy_dir)
                    except CasebookError:
                        pass
                    break
    return solved

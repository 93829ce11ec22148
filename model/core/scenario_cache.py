"""Calibrated scenarios cached on disk for the notebooks of a build.

The build loads (validates and calibrates) each scenario once, in its own process, and pickles the
result with its results under ``build/runs/loaded/``, keyed on the files it read.
``$CASEBOOK_SCENARIO_CACHE`` names the index of those files; `load` and `results_for` (what
``model.report``'s helpers and ``model.analysis.reconcile`` call) read from it instead of solving again.
Outside a build (the CLI, plain papermill, tests) the variable is not set and they load as before.

The dependence engine's nudged copies of the params are cached the same way, beside it (`load_nudged`),
and so are the figures it finds for a notebook's code (`shared_result`), so that what one notebook
solved another does not solve again.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import json
from pathlib import Path
from typing import Any

from .reads import _record, sha256_text, where

CACHE_ENV = "CASEBOOK_SCENARIO_CACHE"

def write_entry(path: Path, key: str, loaded: Any, results: dict, reads: list[Read]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    with open(tmp, "wb") as fh:
        pickle.dump({"key": key, "reads": sorted(reads), "loaded": loaded, "results": results}, fh,
                    protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def read_entry(path: Path) -> dict | None:
    try:
        with open(path, "rb") as fh:
            entry = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    return entry if isinstance(entry, dict) and "key" in entry else None


_index_cache: dict[str, Any] = {}
_entries: dict[tuple[str, str], dict | None] = {}


def _index() -> dict | None:
    path = os.environ.get(CACHE_ENV)
    if not path:
        return None
    if _index_cache.get("path") != path:
        try:
            _index_cache.update(path=path, index=json.loads(Path(path).read_text(encoding="utf-8")))
        except (OSError, ValueError):
            _index_cache.update(path=path, index=None)
    return _index_cache["index"]


def cached_entry(name: str, params_dir: str | Path) -> dict | None:
    """The build's calibrated scenario and results for `name`, if the build cached it for this
    params directory (given as the notebook gives it)."""
    index = _index()
    if not index or str(params_dir) != index.get("params_dir"):
        return None
    meta = index.get("scenarios", {}).get(name)
    if not meta:
        return None
    if (name, str(params_dir)) not in _entries:
        entry = read_entry(Path(meta["file"]))
        _entries[name, str(params_dir)] = entry if entry is not None and entry["key"] == meta["key"] else None
    entry = _entries[name, str(params_dir)]
    if entry is None:
        return None
    for r in entry["reads"]:  # the notebook depends on what the cached scenario was made from
        _record(tuple(r))
    return entry


def kind_of(name: str, params_dir: str | Path) -> str | None:
    """A scenario's kind (published, option, sensitivity) from the build's cache, without loading it:
    the notebook then depends on that kind alone, not on the rest of the scenario's files. None
    outside a build."""
    index = _index()
    nudged = nudged_file(params_dir) is not None
    params_dir = original_dir(params_dir)  # a nudged copy's kinds are the original's (its reads are not recorded)
    if not index or str(params_dir) != index.get("params_dir"):
        return None
    meta = index.get("scenarios", {}).get(name)
    if not meta or "kind" not in meta:
        return None
    if not nudged:
        _record(("kind", where(Path(params_dir) / f"{name}.yaml"), meta["kind"]))
    return meta["kind"]


def load(name: str, params_dir: str | Path) -> Any:
    """A scenario loaded and calibrated: from the build's cache when there is one, else solved now."""
    entry = cached_entry(name, params_dir)
    if entry is not None:
        return entry["loaded"]

    if nudged_file(params_dir) is not None:
        return load_nudged(name, params_dir)
    from .scenario import load_scenario

    return load_scenario(name, params_dir)


def _nudged_path(name: str, params_dir: str | Path, index: dict) -> tuple[str, Path]:
    pdir = Path(params_dir)
    chain = [pdir / f"{level}.yaml" for level in chain_stems(name, pdir)]
    key = sha256_text(b"\0".join([b"nudged", name.encode(), index["common"].encode(),
                                   *[f.read_bytes() for f in chain]]))
    return key, Path(os.environ[CACHE_ENV]).parent / "nudged" / f"{key}.pickle"


_CHAINS: dict[tuple, list[str]] = {}


def chain_stems(name: str, pdir: Path) -> list[str]:
    """The stems of a scenario's `extends` chain in a nudged copy: the original's (a nudge changes a
    value, never `extends`), read once per state of the original's files rather than parsed again."""
    from .params import read_chain

    base = Path(original_dir(pdir))
    state = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(base.glob("*.yaml")))
    key = (str(base), name, state)
    if key not in _CHAINS:
        _CHAINS[key] = [level for level, _ in read_chain(base, name)]
    return _CHAINS[key]


def load_nudged(name: str, params_dir: str | Path) -> Any:
    """A scenario of one of the dependence engine's nudged copies of the params. In a build, every
    chapter nudges the same assumptions: each nudged scenario is solved once, with its results, by
    whichever notebook needs it first, and kept beside the build's scenario cache, keyed on the bytes
    of its chain's files (and the build's model and dependency digest). Outside a build it is solved
    now."""
    from .results import results
    from .scenario import load_scenario

    index = _index()
    if not index or "common" not in index:
        return load_scenario(name, params_dir)
    key, path = _nudged_path(name, params_dir, index)
    if key in _NUDGED_LOADED:  # (the same nudged world, asked for again by this process)
        return _NUDGED_LOADED[key]
    entry = read_entry(path)
    if entry is not None and entry["key"] == key:
        loaded, res = entry["loaded"], entry["results"]
    else:
        loaded = load_scenario(name, params_dir)
        res = results(loaded)
        write_entry(path, key, loaded, res, [])
    _remember_results(loaded, res)
    _NUDGED_LOADED[key] = loaded
    return loaded


#: The nudged scenarios this process has loaded, by their cache key.
_NUDGED_LOADED: dict[str, Any] = {}


def ensure_nudged(name: str, params_dir: str | Path) -> bool:
    """Solve a nudged scenario and keep it beside the build's cache, unless it is kept there already
    (a build's workers do this for every nudged scenario before the chapters need them). Returns
    whether it was solved now; raises what loading it raises (CasebookError for a nudge that does
    not load). Outside a build, nothing is kept and nothing is solved."""
    from .results import results
    from .scenario import load_scenario

    index = _index()
    if not index or "common" not in index:
        return False
    key, path = _nudged_path(name, params_dir, index)
    if path.is_file():
        return False
    loaded = load_scenario(name, params_dir)
    write_entry(path, key, loaded, results(loaded), [])
    return True


#: The results of scenarios loaded in this process, pickled, by the id of the loaded object (kept
#: alive with it, so that the id is not reused): a chapter asks for the same scenario's results many
#: times, once for each nudged copy of the params its figures are computed on.
_RESULTS: dict[int, tuple[Any, bytes]] = {}


def _remember_results(loaded: Any, res: dict) -> None:
    if len(_RESULTS) > 4096:
        _RESULTS.clear()
    _RESULTS[id(loaded)] = (loaded, pickle.dumps(res, protocol=pickle.HIGHEST_PROTOCOL))


def results_for(loaded: Any, params_dir: str | Path) -> dict:
    """The results of a loaded scenario: from the build's cache when it has them (no overrides), else
    from this process's memory, else computed now. Each call gets a fresh dict, as results() gives."""
    from .results import results

    known = _RESULTS.get(id(loaded))
    if not loaded.overrides:
        entry = cached_entry(loaded.name, params_dir)  # (records the reads the cached entry was made from)
        if entry is not None and (known is None or known[0] is not loaded):
            _remember_results(loaded, entry["results"])
            known = _RESULTS[id(loaded)]
    if known is not None and known[0] is loaded:
        return pickle.loads(known[1])
    res = results(loaded)
    _remember_results(loaded, res)  # keeps its own pickled copy: `res` itself goes to the caller
    return res


def _shared_path(kind: str, key: str) -> Path | None:
    index = _index()
    if not index or "common" not in index:
        return None
    return Path(os.environ[CACHE_ENV]).parent / kind / f"{sha256_text(index['common'] + chr(0) + key)}.pickle"


def shared_result(kind: str, key: str) -> Any:
    """What another notebook of this build found for the same `key` (kept by `keep_shared_result`),
    or None: outside a build, or if no notebook has found it yet."""
    path = _shared_path(kind, key)
    entry = read_entry(path) if path is not None else None
    return entry["loaded"] if entry is not None and entry["key"] == key else None


def keep_shared_result(kind: str, key: str, value: Any) -> None:
    """Keep `value` for the other notebooks of this build (nothing outside a build)."""
    path = _shared_path(kind, key)
    if path is not None:
        write_entry(path, key, value, {}, [])


#: Nudged copies of a params directory (model.analysis.dependence makes them): copy -> (original, stem).
NUDGED: dict[str, tuple[str, str]] = {}


def nudged_file(params_dir: str | Path) -> tuple[str, str] | None:
    """For a nudged copy of a params directory: the original directory and the changed file's stem.
    A scenario that does not read that file loads exactly as in the original."""
    return NUDGED.get(str(params_dir))


def original_dir(params_dir: str | Path) -> str:
    """The params directory that a nudged copy copies; any other directory itself. A nudge changes
    one value, never a scenario's kind, `extends` or own flags: the original answers for those."""
    nudged = nudged_file(params_dir)
    return nudged[0] if nudged is not None else str(params_dir)


def params_digest(pdir: Path, with_documents: bool = False) -> str:
    """A digest of the params files' names and bytes; `with_documents`, also the source documents'
    (whose text a figure may quote)."""
    h = hashlib.sha256()
    files = sorted(pdir.glob("*.yaml"))
    if with_documents:
        files += sorted(p for p in pdir.glob("*/*") if p.is_file())
    for p in files:
        h.update(str(p.relative_to(pdir)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:16]

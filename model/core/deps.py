"""What a notebook reads, and calibrated scenarios cached on disk for the notebooks of a build.

Two things make a rebuild re-execute only what a change touches:

- **Reads.** Every params file the model reads (`record_file`, called by ``yamlio.load_yaml_file``) and
  every listing of the params directory (`record_listing`, called by ``params.scenario_names``) is
  recorded with the SHA-256 of what was read. Inside a notebook executed by ``casebook build`` the
  records go to the file named by ``$CASEBOOK_READS_LOG``; the build keys the notebook on them, so that
  a params file the notebook never read cannot make it stale. In a process, `collecting()` gathers them.
- **Calibrated scenarios.** The build loads (validates and calibrates) each scenario once, in its own
  process, and pickles the result with its results under ``build/runs/loaded/``, keyed on the files it
  read. ``$CASEBOOK_SCENARIO_CACHE`` names the index of those files; `load` and `results_for` (what
  ``model.report.book``, ``model.report.views`` and ``model.analysis.reconcile`` call) read from it instead of solving again.
  Outside a build (the CLI, plain papermill, tests) neither variable is set and they load as before.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
import pickle
from pathlib import Path
from typing import Any, Iterator

READS_ENV = "CASEBOOK_READS_LOG"
CACHE_ENV = "CASEBOOK_SCENARIO_CACHE"

Read = tuple[str, str, str]  # ("file", path, sha256), ("list", dir, sha256) or ("kind", path, kind)

_collectors: list[set[Read]] = []
_logged: set[Read] = set()
_suspended: list[bool] = []


def sha256_text(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def _record(entry: Read) -> None:
    if _suspended:
        return
    for sink in _collectors:
        sink.add(entry)
    log = os.environ.get(READS_ENV)
    if log and entry not in _logged:
        _logged.add(entry)
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry) + "\n")


def where(path: Path) -> str:
    """A path as recorded: relative to the working directory (the project's root, where the build and
    its notebooks run) when inside it, so that a copy of a built project keeps its cache."""
    full = Path(path).resolve()
    try:
        return str(full.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(full)


def listing_digest(names: list[str]) -> str:
    return sha256_text("\n".join(sorted(names)))


def record_file(path: Path, data: bytes) -> None:
    """A params file was read, with these bytes."""
    _record(("file", where(path), sha256_text(data)))


def record_listing(params_dir: Path, names: list[str]) -> None:
    """The list of scenarios in a params directory was read."""
    _record(("list", where(params_dir), listing_digest(names)))


@contextlib.contextmanager
def collecting() -> Iterator[set[Read]]:
    """Gather the reads made in this process while the block runs."""
    sink: set[Read] = set()
    _collectors.append(sink)
    try:
        yield sink
    finally:
        _collectors.remove(sink)


def touch(files: list[Path]) -> None:
    """A scenario already loaded in this process was used again: note its files as read for any
    `collecting()` block (its first load recorded them for the notebook's log already)."""
    if _collectors and not _suspended:
        for f in files:
            record_file(Path(f), Path(f).read_bytes())


@contextlib.contextmanager
def suspended() -> Iterator[None]:
    """Record no reads while the block runs: for work on scratch copies of the params (the dependence
    engine's nudged copies), whose files are not inputs of the notebook."""
    _suspended.append(True)
    try:
        yield
    finally:
        _suspended.pop()


def read_log(path: Path) -> list[Read]:
    if not path.is_file():
        return []
    return sorted({tuple(json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line})


def current(entry: Read, root: Path, kinds: dict[str, str] | None = None) -> Read:
    """The same read made now: the digest of the file or listing as it is on disk (``-`` if gone);
    for a scenario's kind, the kind the build has just loaded (`kinds`, by recorded path)."""
    from .schema import SLUG_RE

    kind, path, _ = entry
    p = root / path
    if kind == "kind":
        return (kind, path, (kinds or {}).get(path, "-"))
    if kind == "file":
        return (kind, path, sha256_text(p.read_bytes()) if p.is_file() else "-")
    names = [q.stem for q in p.glob("*.yaml") if SLUG_RE.match(q.stem)] if p.is_dir() else []
    return (kind, path, listing_digest(names) if p.is_dir() else "-")


def reads_are_current(reads: list[Read] | list[list[str]], root: Path) -> bool:
    """For the scenario cache, whose entries read files only."""
    return all(current(tuple(r), root) == tuple(r) for r in reads)


def reads_bytes(reads: list[Read]) -> bytes:
    return json.dumps(sorted(list(r) for r in reads)).encode()


def scenarios_read(reads: list[Read], params_dir: Path, root: Path) -> list[str]:
    """The scenarios whose params files appear in the reads ("*" when the directory was listed)."""
    pdir = Path(params_dir).resolve()
    names = {Path(p).stem for kind, p, _ in reads if kind == "file" and (root / p).parent.resolve() == pdir}
    if any(kind == "list" and (root / p).resolve() == pdir for kind, p, _ in reads):
        names.add("*")
    return sorted(names)


# --- the scenario cache ---------------------------------------------------------------------------

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
    if not index or str(params_dir) != index.get("params_dir"):
        return None
    meta = index.get("scenarios", {}).get(name)
    if not meta or "kind" not in meta:
        return None
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


def load_nudged(name: str, params_dir: str | Path) -> Any:
    """A scenario of one of the dependence engine's nudged copies of the params. In a build, every
    chapter nudges the same assumptions: each nudged scenario is solved once, by whichever notebook
    needs it first, and kept beside the build's scenario cache, keyed on the bytes of its chain's
    files (and the build's model and dependency digest). Outside a build it is solved now."""
    from .params import read_chain
    from .scenario import load_scenario

    index = _index()
    if not index or "common" not in index:
        return load_scenario(name, params_dir)
    pdir = Path(params_dir)
    chain = [pdir / f"{level}.yaml" for level, _ in read_chain(pdir, name)]
    key = sha256_text(b"\0".join([b"nudged", name.encode(), index["common"].encode(),
                                   *[f.read_bytes() for f in chain]]))
    path = Path(os.environ[CACHE_ENV]).parent / "nudged" / f"{key}.pickle"
    entry = read_entry(path)
    if entry is not None and entry["key"] == key:
        return entry["loaded"]
    loaded = load_scenario(name, params_dir)
    write_entry(path, key, loaded, {}, [])
    return loaded


def results_for(loaded: Any, params_dir: str | Path) -> dict:
    """The results of a loaded scenario (no overrides): from the build's cache when it has them."""
    from .results import results

    if not loaded.overrides:
        entry = cached_entry(loaded.name, params_dir)
        if entry is not None:
            return copy.deepcopy(entry["results"])  # a fresh dict per call, as results() gives
    return results(loaded)


#: Nudged copies of a params directory (model.analysis.dependence makes them): copy -> (original, stem).
NUDGED: dict[str, tuple[str, str]] = {}


def nudged_file(params_dir: str | Path) -> tuple[str, str] | None:
    """For a nudged copy of a params directory: the original directory and the changed file's stem.
    A scenario that does not read that file loads exactly as in the original."""
    return NUDGED.get(str(params_dir))

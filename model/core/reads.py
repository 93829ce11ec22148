"""What a notebook reads: the params files and listings the model read, with their digests.

Every params file the model reads (`record_file`, called by ``yamlio.load_yaml_file``) and every listing
of the params directory (`record_listing`, called by ``params.scenario_names``) is recorded with the
SHA-256 of what was read. Inside a notebook executed by ``casebook build`` the records go to the file
named by ``$CASEBOOK_READS_LOG``; the build keys the notebook on them, so that a params file the notebook
never read cannot make it stale. In a process, `collecting()` gathers them.

This module sits at the bottom of ``model.core``: the readers of params import it, and it imports
nothing of the model's but the pattern of a scenario's name (``names.SLUG_RE``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Iterator

from .names import SLUG_RE

READS_ENV = "CASEBOOK_READS_LOG"

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

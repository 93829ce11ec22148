"""The build's cache keys: SHA-256 digests of the model's code, the installed dependencies, the
declared sources and the book's sources, and the manifest of every input of the report."""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path
from typing import Any

from .layout import BOOK_DIR, IGNORED_IN_BOOK, PACKAGE_DIR
from .packaged import book_files, scenario_notebook, vendor_dir


def sha256_bytes(*chunks: bytes) -> str:
    h = hashlib.sha256()
    for chunk in chunks:
        h.update(len(chunk).to_bytes(8, "big"))
        h.update(chunk)
    return h.hexdigest()


def tree_digest(root: Path, skip: set[str] = frozenset()) -> str:
    """A hash of every file under root: relative paths and contents."""
    parts: list[bytes] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root)
        if skip & set(rel.parts) or path.suffix == ".pyc":
            continue
        parts += [str(rel).encode(), path.read_bytes()]
    return sha256_bytes(*parts)


def model_source_digest() -> str:
    """The package's code. Its data (model/pipeline/data: the packaged notebook and chapters, the
    site's assets) is keyed where it is used, file by file, like a case's own files."""
    return tree_digest(PACKAGE_DIR, {"__pycache__", "data"})


def sources_digest(params_dir: Path) -> str:
    """The declared source documents and their texts: what every source citation is checked against."""
    from ..core.sources import SOURCES_DIR

    folder = Path(params_dir) / SOURCES_DIR
    return tree_digest(folder) if folder.is_dir() else ""


def dependency_lock(root: Path) -> str:
    """The locked dependency versions: every installed distribution, and the npm lock file."""
    dists = sorted({f"{d.metadata['Name']}=={d.version}".lower() for d in metadata.distributions()
                    if d.metadata["Name"]})
    npm_lock = vendor_dir(root / BOOK_DIR) / "package-lock.json"
    return sha256_bytes("\n".join(dists).encode(), npm_lock.read_bytes() if npm_lock.exists() else b"")


def book_digest(root: Path) -> bytes:
    """A hash of the book's sources as staged (the case's own files and the packaged ones it uses)."""
    return sha256_bytes(*[b for name, path in book_files(root / BOOK_DIR, IGNORED_IN_BOOK).items()
                          for b in (name.encode(), path.read_bytes())]).encode()


def project_version() -> str:
    try:
        return metadata.version("casebook")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


def manifest(root: Path, params_dir: Path) -> dict[str, Any]:
    """Every input of the report with its SHA-256: params, notebooks, book sources, model source and
    the locked dependency versions; and one digest over all of them."""
    files: list[Path] = sorted(params_dir.glob("*.yaml")) + sorted((params_dir / "sources").glob("*"))
    files += sorted((root / "notebooks").glob("*.ipynb")) + [scenario_notebook(root)]
    files += list(book_files(root / BOOK_DIR, IGNORED_IN_BOOK).values())
    files += [vendor_dir(root / BOOK_DIR) / name for name in ("package.json", "package-lock.json")]
    files += sorted(p for p in PACKAGE_DIR.rglob("*.py") if "__pycache__" not in p.parts)
    entries = []
    for path in dict.fromkeys(files):
        try:
            rel = str(path.relative_to(root))
        except ValueError:
            rel = (f"model/{path.relative_to(PACKAGE_DIR).as_posix()}" if PACKAGE_DIR in path.parents
                   else path.name)
        entries.append({"path": rel, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()})
    deps = dependency_lock(root)
    digest = sha256_bytes(*[f"{e['path']}:{e['sha256']}".encode() for e in entries], deps.encode())
    return {"casebook_version": project_version(), "inputs_sha256": digest, "dependencies_sha256": deps,
            "files": entries}


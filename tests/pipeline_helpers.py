"""Helpers for tests that build the book in a scratch copy of the project."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT

VENV_BIN = Path(sys.executable).parent


def copy_project(dest: Path) -> Path:
    """params/, notebooks/ and book/ sources: what a build reads."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("params", "notebooks"):
        shutil.copytree(ROOT / name, dest / name)
    shutil.copytree(ROOT / "book", dest / "book",
                    ignore=shutil.ignore_patterns("_build", "node_modules", "__pycache__"))
    return dest


def clone_built(src: Path, dest: Path) -> Path:
    """A copy of a built project, caches and site included (the site link is relative)."""
    shutil.copytree(src, dest, symlinks=True)
    return dest


def casebook(project: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "model.cli", *args], cwd=project, env=env,
                          capture_output=True, text=True, timeout=timeout)


def last_build(project: Path) -> dict:
    return json.loads((project / "build" / "last-build.json").read_text())


def site_digest(project: Path) -> dict[str, str]:
    """Every file of the current site with its hash, through the html link."""
    html = project / "book" / "_build" / "html"
    return {str(p.relative_to(html)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(html.rglob("*")) if p.is_file()}


def notebook_errors(notebook: Path) -> list[str]:
    """Every output of an executed notebook that shows an error: an error output, a traceback or an
    error in a stream, or a glue key that was not found."""
    import nbformat

    bad = []
    for cell in nbformat.read(notebook, as_version=4).cells:
        for out in cell.get("outputs", []):
            text = out.get("text", "") if out.get("output_type") == "stream" else ""
            if out.get("output_type") == "error" or "Traceback" in text or "Error" in text \
                    or "glue key" in text:
                bad.append(f"{notebook.name}: {out.get('ename') or text[:200]}")
    return bad


def replace_in_line(path: Path, starts: str, old: str, new: str) -> int:
    """In the first line of `path` that starts with `starts`, replace `old` by `new` (which must be
    there); returns that line's number (1-based), as an error message gives it."""
    lines = path.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(starts))
    assert old in lines[at], (starts, lines[at])
    lines[at] = lines[at].replace(old, new)
    path.write_text("\n".join(lines) + "\n")
    return at + 1


def built_copy(case: Path, dest: Path) -> Path:
    """A copy of a case's folder at `dest`, built (`casebook build --jobs 2`, which must succeed)."""
    shutil.copytree(case, dest)
    proc = casebook(dest, "build", "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    return dest

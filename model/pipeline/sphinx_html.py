"""Building the staged book into HTML with `jupyter-book build` (Sphinx), warnings as errors, keeping
Sphinx's environment between builds so that only the pages whose files changed are read again."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .layout import BOOK_DIR, BuildError


def jupyter_book_command() -> list[str]:
    exe = Path(sys.executable).parent / "jupyter-book"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "jupyter_book.cli.main"]


def sphinx_build(stage: Path, out: Path) -> Path:
    """`jupyter-book build` with warnings as errors; returns the html directory."""
    cmd = jupyter_book_command() + ["build", str(stage), "--path-output", str(out), "--builder", "html",
                                    "-W", "-n", "--keep-going"]
    env = {**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    (out / "sphinx.log").write_text(proc.stdout + proc.stderr)  # what it read and wrote, for a slow build
    html = out / "_build" / "html"
    if proc.returncode != 0 or not (html / "index.html").is_file():
        text = proc.stdout + proc.stderr
        problems = [ln.strip() for ln in text.splitlines() if "WARNING" in ln or "ERROR" in ln
                    or "Error" in ln]
        detail = "; ".join(problems[:5]) or " ".join(text.split()[-40:])
        raise BuildError(f"jupyter-book build failed: {detail}")
    return html


SPHINX_STATE = "incremental"  # inside book/_build: Sphinx's source copy, environment and output


def incremental_sphinx_build(root: Path, fresh: Path, force: bool = False) -> Path:
    """Build the staged book with Sphinx's environment kept between builds: the staged sources are
    synced into one lasting directory, so Sphinx reads again only the pages whose files changed.
    A build that fails, or was killed (the marker is still there), starts the next one from scratch."""
    state = root / BOOK_DIR / "_build" / SPHINX_STATE
    marker = state / "building"
    if force or marker.exists():
        shutil.rmtree(state, ignore_errors=True)
    state.mkdir(parents=True, exist_ok=True)
    marker.touch()
    try:
        sync_tree(fresh, state / "src")
        html = sphinx_build(state / "src", state / "out")
    except BaseException:
        shutil.rmtree(state, ignore_errors=True)
        raise
    marker.unlink()
    return html


def sync_tree(src: Path, dest: Path) -> int:
    """Make dest a copy of src, writing only the files whose bytes differ (their modification times
    tell Sphinx what to read again) and removing what src does not have. Returns the files written."""
    wanted = {p.relative_to(src) for p in src.rglob("*") if p.is_file()}
    written = 0
    for rel in sorted(wanted):
        target = dest / rel
        data = (src / rel).read_bytes()
        if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.sync")
        tmp.write_bytes(data)
        os.replace(tmp, target)
        written += 1
    if dest.is_dir():
        for p in sorted(dest.rglob("*"), reverse=True):
            rel = p.relative_to(dest)
            if p.is_file() and rel not in wanted:
                p.unlink()
            elif p.is_dir() and not any(p.iterdir()):
                p.rmdir()
    return written


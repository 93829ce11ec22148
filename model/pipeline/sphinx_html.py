"""Building the staged book into HTML with `jupyter-book build` (Sphinx), warnings as errors, keeping
Sphinx's environment between builds so that only the pages whose files changed are read again.

An incremental Sphinx build never deletes what it wrote before, and writes again only the pages whose
sources changed: a page, source copy or download of a document that is gone would stay in its output,
and the pages it did not write again would keep their old navigation. So the build records what the
staged book was made of (its files' names, its table of contents) and what its navigation showed (each
document's title); when either changes, Sphinx starts again from nothing, as `casebook build --force`
would. An edit to a page's text changes neither, and stays incremental."""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

from .layout import BOOK_DIR, BuildError, write_atomic


def jupyter_book_command() -> list[str]:
    exe = Path(sys.executable).parent / "jupyter-book"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "jupyter_book.cli.main"]


def sphinx_build(stage: Path, out: Path, builder: str = "html") -> Path:
    """`jupyter-book build` with warnings as errors; returns the builder's output directory."""
    cmd = jupyter_book_command() + ["build", str(stage), "--path-output", str(out), "--builder", builder,
                                    "-W", "-n", "--keep-going"]
    env = {**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    out.mkdir(parents=True, exist_ok=True)
    log = "sphinx.log" if builder == "html" else f"sphinx-{builder}.log"
    (out / log).write_text(proc.stdout + proc.stderr)  # what it read and wrote, for a slow build
    html = out / "_build" / builder
    if proc.returncode != 0 or not (html / "index.html").is_file():
        text = proc.stdout + proc.stderr
        problems = [ln.strip() for ln in text.splitlines() if "WARNING" in ln or "ERROR" in ln
                    or "Error" in ln]
        detail = "; ".join(problems[:5]) or " ".join(text.split()[-40:])
        raise BuildError(f"jupyter-book build failed: {detail}")
    return html


SPHINX_STATE = "incremental"  # inside book/_build: Sphinx's source copy, environment and output
SPHINX_RECORD = "record.json"  # inside the state: what the last build was made of (see the module's text)


def incremental_sphinx_build(root: Path, fresh: Path, force: bool = False) -> Path:
    """Build the staged book with Sphinx's environment kept between builds: the staged sources are
    synced into one lasting directory, so Sphinx reads again only the pages whose files changed.
    A build that fails, or was killed (the marker is still there), starts the next one from scratch;
    so does a build whose staged files (by name) or table of contents differ from the last one's, and
    one whose documents' titles or unreferenced images and downloads differ once Sphinx has run
    (Sphinx then builds again from nothing): the output is then what a forced build would write."""
    state = root / BOOK_DIR / "_build" / SPHINX_STATE
    marker, record_file = state / "building", state / SPHINX_RECORD
    sources = source_record(fresh)
    previous = read_record(record_file)
    if force or marker.exists() or previous is None or previous.get("sources") != sources:
        shutil.rmtree(state, ignore_errors=True)
        previous = None
    state.mkdir(parents=True, exist_ok=True)
    marker.touch()
    record_file.unlink(missing_ok=True)
    try:
        sync_tree(fresh, state / "src")
        html = sphinx_build(state / "src", state / "out")
        output = output_record(html)
        if previous is not None and not output_is_current(output, previous.get("output")):
            # a title changed (every page's navigation shows it) or a page no longer uses an image or
            # a download that Sphinx keeps: write every page again, from a new environment
            shutil.rmtree(state / "out")
            html = sphinx_build(state / "src", state / "out")
            output = output_record(html)
    except BaseException:
        shutil.rmtree(state, ignore_errors=True)
        raise
    write_atomic(record_file, json.dumps({"sources": sources, "output": output}, indent=1) + "\n")
    marker.unlink()
    return html


def incremental_singlehtml_build(root: Path, fresh: Path) -> Path:
    """The staged book as one HTML page (for the PDF), built in the same lasting directory as the
    HTML site, with the same Sphinx environment: the pages the HTML build has just read are not read
    again, and only the single page is written. Returns the singlehtml output directory. A failure
    starts the next build from scratch, as for the HTML."""
    state = root / BOOK_DIR / "_build" / SPHINX_STATE
    marker = state / "building"
    if marker.exists():
        shutil.rmtree(state, ignore_errors=True)
    state.mkdir(parents=True, exist_ok=True)
    marker.touch()
    try:
        if sync_tree(fresh, state / "src"):  # the HTML was built from other sources: its record is stale
            (state / SPHINX_RECORD).unlink(missing_ok=True)
        out = sphinx_build(state / "src", state / "out", builder="singlehtml")
    except BaseException:
        shutil.rmtree(state, ignore_errors=True)
        raise
    marker.unlink()
    return out


def read_record(path: Path) -> dict | None:
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def source_record(stage: Path) -> dict[str, str]:
    """What every page's navigation and the set of files Sphinx writes depend on, besides the pages'
    own text: the names of the staged files (documents, downloads, assets) and the table of contents."""
    names = sorted(p.relative_to(stage).as_posix() for p in stage.rglob("*") if p.is_file())
    toc = stage / "_toc.yml"
    return {"files": hashlib.sha256("\n".join(names).encode()).hexdigest(),
            "toc": hashlib.sha256(toc.read_bytes() if toc.is_file() else b"").hexdigest()}


#: the folders of Sphinx's output that hold files the pages refer to (images, `{download}` files)
ASSET_DIRS = ("_images", "_downloads")
_LINK_RE = re.compile(r'(?:href|src)="([^"]+)"')


def output_record(html: Path) -> dict:
    """What a page that Sphinx did not write again would show wrongly: each document's title (the
    navigation of every page lists them), read from the search index; and the images and downloads in
    the output that no page refers to (Sphinx never removes one that a page stopped using)."""
    titles = None
    index = html / "searchindex.js"
    if index.is_file():
        text = index.read_text(encoding="utf-8")
        try:
            data = json.loads(text[text.index("(") + 1:text.rindex(")")])
            titles = dict(zip(data["docnames"], data["titles"]))
        except (ValueError, KeyError, TypeError):
            titles = None
    assets = {p.relative_to(html).as_posix() for d in ASSET_DIRS if (html / d).is_dir()
              for p in (html / d).rglob("*") if p.is_file()}
    if assets:
        for page in html.rglob("*.html"):
            where = page.relative_to(html).parent.as_posix()
            for link in _LINK_RE.findall(page.read_text(encoding="utf-8", errors="replace")):
                url = urlparse(link)
                if not url.scheme and not url.netloc and url.path:
                    assets.discard(posixpath.normpath(posixpath.join(where, unquote(url.path))))
    return {"titles": titles, "unreferenced": sorted(assets)}


def output_is_current(output: dict, previous: dict | None) -> bool:
    """Whether an incremental build's output is what a build from nothing would write, as far as the
    record tells: the same titles, and no image or download left unreferenced that was not before."""
    if not isinstance(previous, dict):
        return False
    return (output["titles"] == previous.get("titles")
            and set(output["unreferenced"]) <= set(previous.get("unreferenced") or []))


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


"""The report pipeline: papermill runs each scenario, Jupyter Book builds the site. This module runs
the steps in order (`build`) and executes one scenario for an analyst (`run_one`). A notebook is
re-executed only when its inputs change (its params files, the notebook, the model source, the
installed dependency versions); a build writes everything into new directories and swaps the site in
only when it has succeeded; a lock keeps two builds from running at once.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..analysis import dependence
from ..analysis.dependence import untested_assumptions
from ..core import deps
from ..core.errors import CasebookError
from ..core.params import check_slug
from ..core.params_files import check_no_stray_files
from .execute import cache_scenarios, execute_notebook, run_jobs
from .jobs import book_notebook_jobs, remove_stale_runs, scenario_jobs
from .keys import (book_digest, dependency_lock, manifest, model_source_digest, project_version, sha256_bytes,
                   sources_digest)
from .layout import BOOK_DIR, LAST_BUILD, RUNS_DIR, BuildError, write_atomic
from .packaged import scenario_notebook
from .site_swap import build_lock, current_site, remove_old_sites, swap_site
from .sphinx_html import incremental_singlehtml_build, incremental_sphinx_build
from .stage import cached_downloads, copy_site, stage_book
from .vendor import npm_modules, vega_debug_script


@dataclass
class BuildReport:
    index_html: Path
    executed: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    site_rebuilt: bool = True
    seconds: float = 0.0
    pdf: Path | None = None
    #: assumptions the dependence could not nudge (model.analysis.dependence.record_untested): they
    #: mark no figure, and the build says so
    untested: list[dict] = field(default_factory=list)


def build(root: Path | str = ".", params_dir: Path | str | None = None, jobs: int | None = None,
          force: bool = False, progress: bool = True, wait: bool = True,
          manifest_path: Path | str | None = None, pdf: bool = False) -> BuildReport:
    """Execute every notebook that needs it, then build and swap in the site (and with pdf, the PDF)."""
    started = time.perf_counter()
    root = Path(root).resolve()
    params_dir = Path(params_dir).resolve() if params_dir else root / "params"
    for needed in (root / BOOK_DIR / "_config.yml", root / BOOK_DIR / "_toc.yml"):
        if not needed.is_file():
            raise CasebookError(f"{needed.relative_to(root)} is missing: run casebook build from the "
                                "project's top directory")
    try:
        return _build(root, params_dir, jobs, force, progress, wait, manifest_path, started, pdf)
    except OSError as exc:  # a read-only or full disk, a missing directory: one clear line
        where = exc.filename or (root / BOOK_DIR / "_build")
        raise BuildError(f"cannot write the build output at {where}: {exc.strerror or exc}") from None


def check_writable(directory: Path) -> None:
    """Fail at once, before any work, when the output directory cannot be written."""
    directory.mkdir(parents=True, exist_ok=True)
    probe = directory / f".write-probe-{os.getpid()}"
    probe.write_bytes(b"ok")
    probe.unlink()


def _build(root: Path, params_dir: Path, jobs: int | None, force: bool, progress: bool, wait: bool,
           manifest_path: Path | str | None, started: float, pdf: bool = False) -> BuildReport:
    check_writable(root / BOOK_DIR / "_build")
    check_writable(root / RUNS_DIR)
    if manifest_path is not None:
        probe_writable(Path(manifest_path), "--manifest")
    phases: dict[str, float] = {}
    mark = [time.perf_counter()]

    def phase(name: str) -> None:  # seconds per step, in the build report
        now = time.perf_counter()
        phases[name] = round(now - mark[0], 3)
        mark[0] = now

    with build_lock(root, wait=wait):
        phase("lock")
        tmp_parent = _tmp_parent(root)  # (clears the scratch of a build that was killed)
        scratch = Path(tempfile.mkdtemp(prefix="casebook-nudged-", dir=tmp_parent))
        try:
            return _build_locked(root, params_dir, jobs, force, progress, manifest_path, started, pdf,
                                 phases, phase, tmp_parent, scratch)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


def _build_locked(root: Path, params_dir: Path, jobs: int | None, force: bool, progress: bool,
                  manifest_path: Path | str | None, started: float, pdf: bool, phases: dict[str, float],
                  phase, tmp_parent: Path, scratch: Path) -> BuildReport:
    """The build, under the lock: `scratch` is where the kernels write their nudged params copies."""
    check_no_stray_files(params_dir)  # a file in params/ that is not read is never silent
    common = sha256_bytes(model_source_digest().encode(), dependency_lock(root).encode(),
                          sources_digest(params_dir).encode()).encode()
    scenarios = scenario_jobs(root, params_dir, common)
    index = cache_scenarios(root, params_dir, scenarios, common)
    kinds = ({deps.where(params_dir / f"{name}.yaml"): meta["kind"]
              for name, meta in json.loads(index.read_text())["scenarios"].items()} if index else {})
    all_jobs = scenarios + book_notebook_jobs(root, params_dir, common, kinds)
    env = {deps.CACHE_ENV: str(index)} if index else {}
    env[dependence.SCRATCH_ENV] = str(scratch)
    phase("scenarios")
    # the downloads are made here, in a thread, while the workers execute the notebooks
    with ThreadPoolExecutor(max_workers=1) as side:
        downloads = side.submit(cached_downloads, root, params_dir, common)
        executed = run_jobs(all_jobs, root, jobs or os.cpu_count() or 1, force, progress, env,
                            params_dir=params_dir)
        phase("notebooks")
        downloads_dir = downloads.result()
        phase("downloads")
    # the site is a function of the book's sources, the executed notebooks and the vendored files
    site_key = sha256_bytes(book_digest(root),
                            project_version().encode(),
                            *[f"{j.page}:{j.key}".encode() for j in all_jobs],
                            vega_debug_script().encode())[:16]
    sites = root / BOOK_DIR / "_build" / "sites"
    target = sites / site_key
    current = current_site(root)
    rebuilt = not (current == target.resolve() and (target / "index.html").is_file())
    if manifest_path is not None:
        write_atomic(Path(manifest_path), json.dumps(manifest(root, params_dir), indent=2) + "\n")
    from . import pdf as book_pdf

    pdf_out = root / BOOK_DIR / "_build" / "pdf" / f"{book_pdf.slug(book_title(root))}.pdf"
    pdf_key = pdf_out.with_name(f".{pdf_out.name}.key")
    pdf_todo = pdf and not (not rebuilt and pdf_out.is_file() and pdf_key.is_file()
                            and pdf_key.read_text().strip() == site_key)
    pdf_seconds = 0.0
    if rebuilt or pdf_todo:
        modules = npm_modules(root)
        work = Path(tempfile.mkdtemp(prefix="casebook-build-", dir=tmp_parent))
        try:
            fresh = work / "src"
            digest = stage_book(root, fresh, all_jobs, modules, params_dir, footer_placeholder=True,
                                downloads=downloads_dir)
            from .diff import stage_figures  # figures.json and the "changes since" page

            stage_figures(root, fresh, [(j.page, j.output) for j in all_jobs], manifest(root, params_dir),
                          params_dir, current if rebuilt else None)
            phase("stage")
            if rebuilt:
                html = incremental_sphinx_build(root, fresh, force)
                phase("sphinx")
                sites.mkdir(parents=True, exist_ok=True)
                if target.exists():
                    shutil.rmtree(target)
                copy_site(html, work / "site", digest)  # Sphinx keeps its own output for the next build
                os.replace(work / "site", target)
            if pdf_todo:
                pdf_started = time.perf_counter()
                # the single page from the site's own Sphinx environment, then, as for the site,
                # the real inputs digest in place of the footer's placeholder
                single = incremental_singlehtml_build(root, fresh)
                copy_site(single, work / "single", digest)
                book_pdf.write_pdf(work / "single" / "index.html", book_title(root), pdf_out,
                                   manifest(root, params_dir))
                pdf_key.write_text(site_key + "\n")
                pdf_seconds = time.perf_counter() - pdf_started
                phase("pdf")
            if rebuilt:
                swap_site(root, target)
                remove_old_sites(root, target)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        phase("swap")
    # the runs of scenarios and notebooks that are gone, once the site without them is in place
    remove_stale_runs(root, all_jobs)
    report = BuildReport(index_html=root / BOOK_DIR / "_build" / "html" / "index.html",
                         executed=[j.name for j in executed],
                         cached=[j.name for j in all_jobs if j not in executed], site_rebuilt=rebuilt,
                         seconds=time.perf_counter() - started, pdf=pdf_out if pdf else None,
                         untested=untested_assumptions(params_dir, index.parent) if index else [])
    write_atomic(root / LAST_BUILD, json.dumps({
        "executed": [j.name for j in executed if j.kind == "scenario"],
        "pages_executed": [j.name for j in executed if j.kind == "page"],
        "cached": report.cached, "site_rebuilt": report.site_rebuilt,
        # the scenarios each chapter read when it was last executed ("*": it listed them all)
        "page_reads": {j.name: deps.scenarios_read(deps.read_log(j.reads_file), params_dir, root)
                       for j in all_jobs if j.records_reads},
        "site": current_site(root).name if current_site(root) else None,
        "pdf": str(pdf_out.relative_to(root)) if pdf else None, "pdf_seconds": round(pdf_seconds, 3),
        "untested_assumptions": [{k: u[k] for k in ("id", "file", "key", "reason")}
                                 for u in report.untested],
        "seconds": round(report.seconds, 3), "phases": phases}, indent=2) + "\n")
    return report


def book_title(root: Path) -> str:
    import yaml

    config = yaml.safe_load((root / BOOK_DIR / "_config.yml").read_text()) or {}
    return str(config.get("title", "casebook"))


def _tmp_parent(root: Path) -> Path:
    """Scratch space on the same file system as the site, so that the final move is a rename."""
    parent = root / BOOK_DIR / "_build" / "tmp"
    parent.mkdir(parents=True, exist_ok=True)
    # scratch left by a build that was killed
    for stale in parent.iterdir():
        shutil.rmtree(stale, ignore_errors=True)
    return parent


# --- one scenario, for analysts ---------------------------------------------------------------------

def read_glue(notebook: Path) -> dict[str, Any]:
    """The values a notebook glued (MyST-NB / papermill records), parsed from their text, by name."""
    from ..report.figures import glued_values

    return dict(glued_values(notebook))


def probe_writable(path: Path, option: str) -> None:
    """Refuse, in one line, an output path that cannot be written (a missing or read-only directory,
    /proc, a full disk) before any work is done."""
    existed = path.exists()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "ab"):
            pass
    except OSError as exc:
        raise CasebookError(f"cannot write {str(path)!r}: {exc.strerror or exc}", key=option) from None
    if not existed:
        with contextlib.suppress(OSError):
            path.unlink()


def run_one(scenario: str, overrides: dict[str, str], out: Path | None, root: Path | str = ".",
            params_dir: Path | str | None = None) -> tuple[Path, dict[str, Any]]:
    """Execute the scenario notebook for one scenario (with overrides) and read back its headlines."""
    from ..core.scenario import load_scenario

    root = Path(root).resolve()
    check_slug(scenario)
    params_dir = Path(params_dir).resolve() if params_dir else root / "params"
    loaded = load_scenario(scenario, params_dir, overrides)  # validate before starting a kernel
    given = out is not None
    if out is None:
        suffix = "" if not overrides else "-" + sha256_bytes(json.dumps(overrides, sort_keys=True).encode())[:8]
        out = root / RUNS_DIR / "single" / f"{scenario}{suffix}.ipynb"
    out = Path(out)
    if out.suffix != ".ipynb":
        raise CasebookError("must name an .ipynb file", key="--out")
    if ".." in out.parts:
        raise CasebookError("must not contain '..' (write inside the project, or give an absolute path)",
                            key="--out")
    if out.exists() and not out.is_file():
        raise CasebookError("names something that is not a file", key="--out")
    if given and not out.parent.is_dir():  # the default folder is made; a folder given is not guessed
        raise CasebookError(f"cannot write there: the folder {str(out.parent)!r} does not exist; make it first",
                            key="--out")
    probe_writable(out, "--out")
    result = execute_notebook(str(scenario_notebook(root)), str(out),
                              {"scenario": scenario, "overrides": overrides,
                               "params_dir": str(params_dir)}, str(root), loaded.title)
    if not result["ok"]:
        where = (f"cell {result['cell']} (execution count {result['exec_count']}) raised"
                 if result["cell"] is not None else "could not be executed:")
        raise BuildError(f"scenario {scenario}: {where} {result['error']}")
    return out, read_glue(out)


"""The report pipeline: papermill runs each scenario, Jupyter Book builds the site.

Layout, relative to the project root (the working directory):

- ``notebooks/scenario.ipynb``: the parameterised scenario notebook (the packaged one when the case
  has none of its own, `model.pipeline.packaged`);
- ``book/``: the book's sources (``_config.yml``, ``_toc.yml``, pages, and any notebooks of its own);
  the generic chapters its ``_toc.yml`` lists and the site's assets come from the package unless the
  case has a file of the same name;
- ``build/runs/``: executed notebooks, each with the cache key it was executed under;
- ``book/_build/sites/<key>/``: built sites; ``book/_build/html`` is a symlink to the current one.

A notebook is re-executed only when its inputs change (its params files, the notebook, the model
source, the installed dependency versions). A build writes everything into new directories and
swaps the ``html`` symlink only when it has succeeded, so a failed or killed build leaves the
previous site untouched. A lock keeps two builds from running at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from importlib import metadata
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Iterator

from ..core import deps
from ..core.errors import CasebookError
from ..core.params import check_slug, read_chain, scenario_names
from .packaged import book_files, scenario_notebook, vendor_dir

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the model package
BOOK_DIR = Path("book")
RUNS_DIR = Path("build/runs")
LAST_BUILD = Path("build/last-build.json")
VENDOR_BUILD_DIR = Path("build/vendor")
SCENARIO_PAGES = "scenarios"          # where scenario pages go inside the book
DOWNLOADS = "_static/downloads"       # CSV and XLSX downloads inside the book
VENDOR_STATIC = "_static/casebook"    # where vendored JavaScript goes (the theme owns _static/vendor)
IGNORED_IN_BOOK = {"_build", "vendor", ".ipynb_checkpoints", "__pycache__", "node_modules"}


class BuildError(CasebookError):
    """A build step failed (a notebook cell, Sphinx, npm): exit code 1, not 2."""

    exit_code = 1


# --- hashing ----------------------------------------------------------------------------------------

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


# --- manifest -------------------------------------------------------------------------------------

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


# --- jobs -------------------------------------------------------------------------------------------

@dataclass
class Job:
    """One notebook execution: a scenario page or one of the book's own notebooks."""

    name: str                 # scenario name, or the notebook's path inside the book
    source: Path              # the notebook to execute
    output: Path              # the executed notebook (cache)
    page: str                 # where it goes inside the book, e.g. scenarios/<name>.ipynb
    parameters: dict[str, Any]
    key: str = ""
    title: str | None = None
    kind: str = "scenario"
    executed: bool = False
    key_base: bytes = b""     # with the recorded reads, the key of a page that records what it reads
    records_reads: bool = False

    @property
    def key_file(self) -> Path:
        return self.output.with_suffix(".key")

    @property
    def reads_file(self) -> Path:
        return self.output.with_suffix(".reads")

    def key_after_run(self) -> str:
        """The key to store once executed: over what the notebook read, as it read it."""
        from ..core.deps import read_log, reads_bytes

        if not self.records_reads:
            return self.key
        return sha256_bytes(self.key_base, reads_bytes(read_log(self.reads_file)))

    def cached(self) -> bool:
        return (self.output.is_file() and self.key_file.is_file()
                and self.key_file.read_text().strip() == self.key)


def scenario_jobs(root: Path, params_dir: Path, common: bytes) -> list[Job]:
    """A job per scenario; the key covers the scenario's params files and everything shared."""
    notebook = scenario_notebook(root)
    if not notebook.is_file():
        raise CasebookError(f"the scenario notebook {notebook} is missing")
    jobs = []
    for name in scenario_names(params_dir):
        chain = read_chain(params_dir, name)
        files = [params_dir / f"{level}.yaml" for level, _ in chain]
        params = {"scenario": name, "overrides": {}, "params_dir": relative_params_dir(root, params_dir)}
        key = sha256_bytes(b"scenario", name.encode(), common, notebook.read_bytes(),
                           *[f.read_bytes() for f in files],
                           json.dumps({k: v for k, v in params.items() if k != "params_dir"},
                                      sort_keys=True).encode())
        jobs.append(Job(name=name, source=notebook, output=root / RUNS_DIR / f"{name}.ipynb",
                        page=f"{SCENARIO_PAGES}/{name}.ipynb", parameters=params, key=key,
                        title=str(chain[-1][1].get("title", name))))
    return jobs


def validate_scenarios(jobs: list[Job], params_dir: Path) -> None:
    """Load (validate and calibrate) every scenario about to be executed, so that bad params fail
    with their one-line error before any kernel starts. Scenarios whose cache is fresh were
    validated when they were executed: their files have not changed since."""
    from ..core.scenario import load_scenario

    for job in jobs:
        if job.kind == "scenario":
            job.title = load_scenario(job.name, params_dir).title


def is_text_notebook(path: Path) -> bool:
    """A MyST Markdown page with a kernelspec: a notebook written as text (executed like any other)."""
    from myst_nb.core.read import is_myst_markdown_notebook

    return path.suffix == ".md" and is_myst_markdown_notebook(path.read_text(encoding="utf-8"))


def page_citations(path: Path) -> bytes:
    """What a page that reads the other pages (the coverage of the sources) takes from one of them: the
    page's name and the source citations in it, so that an edit to its prose alone changes nothing."""
    from ..core.sources import SOURCE_RE

    found = sorted(m.group(0).strip() for m in SOURCE_RE.finditer(path.read_text(encoding="utf-8")))
    return json.dumps([path.name, found]).encode()


def book_notebook_jobs(root: Path, params_dir: Path, common: bytes,
                       kinds: dict[str, str] | None = None) -> list[Job]:
    """The book's own notebooks (.ipynb, or MyST Markdown text notebooks). They may list the scenarios
    they use in their metadata (``casebook: {scenarios: [...]}``); otherwise the build records which
    params files (and listings of params/) each one read when it was executed (`model.core.deps`), and the
    notebook depends on those alone. Never executed yet: it depends on every params file."""
    from ..core.deps import current, read_log, reads_bytes

    book = root / BOOK_DIR
    staged = book_files(book, IGNORED_IN_BOOK)  # the case's own pages and the packaged ones it lists
    jobs = []
    for name, path in staged.items():
        rel = Path(name)
        if path.suffix not in (".ipynb", ".md") or rel.parts[0] == SCENARIO_PAGES:
            continue
        if path.suffix == ".md" and not is_text_notebook(path):
            continue
        nb = read_any_notebook(path)
        uses = nb.metadata.get("casebook", {}).get("scenarios")
        meta = nb.metadata.get("casebook", {})
        # a page that reads the other pages (e.g. the coverage of the sources) depends on their text
        pages = (sorted(p for n, p in staged.items() if "/" not in n and p.suffix == ".md" and p != path)
                 if meta.get("reads_book_pages") else [])
        params = {"params_dir": relative_params_dir(root, params_dir)}
        safe = str(rel.with_suffix("")).replace("/", "__")
        job = Job(name=str(rel), source=path, output=root / RUNS_DIR / "pages" / f"{safe}.ipynb",
                  page=str(rel.with_suffix(".ipynb")), parameters=params, kind="page",
                  records_reads=uses is None)
        job.key_base = sha256_bytes(b"page", str(rel).encode(), common, path.read_bytes(),
                                    json.dumps(params, sort_keys=True).encode(),
                                    *[page_citations(p) for p in pages]).encode()
        if uses is not None:
            files = sorted({params_dir / f"{lvl}.yaml" for n in uses for lvl, _ in read_chain(params_dir, n)})
            job.key = sha256_bytes(job.key_base, *[f.read_bytes() for f in files])
        elif job.reads_file.is_file():  # what it read last time, as it is now
            job.key = sha256_bytes(job.key_base, reads_bytes([current(r, root, kinds) for r in read_log(job.reads_file)]))
        else:
            job.key = "never executed"
        jobs.append(job)
    return jobs


def read_any_notebook(path: Path):
    """An .ipynb, or a MyST Markdown text notebook converted to one."""
    import nbformat

    if path.suffix == ".md":
        from myst_nb.core.read import read_myst_markdown_notebook

        nb = read_myst_markdown_notebook(path.read_text(encoding="utf-8"), path=path)
        nb.metadata.setdefault("language_info", {"name": "python"})
        return nb
    return nbformat.read(path, as_version=4)


KERNEL_START_ATTEMPTS = 3


def _kernel_start_failure(exc: BaseException) -> bool:
    text = str(exc)
    return "Kernel died" in text or "Kernel didn't respond" in text or "kernel_info" in text


@contextlib.contextmanager
def stderr_to(path: Path) -> Iterator[None]:
    """Send this process's stderr (and so the kernel's start-up chatter) to a log file."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "ab") as log:
        os.dup2(log.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def execute_notebook(source: str, output: str, parameters: dict, cwd: str, title: str | None = None,
                     env: dict[str, str] | None = None, reads: str | None = None) -> dict:
    """Run one notebook with papermill into `output`, atomically. Runs in a worker process.

    `env` is set for the kernel (the scenario cache of the build); with `reads`, the params files the
    kernel reads are recorded there (written only when the notebook succeeds).
    Returns {"ok": True} or {"ok": False, "cell": ..., "error": ...}.
    """
    from ..core.deps import READS_ENV

    env = dict(env or {})
    reads_tmp = None
    if reads:
        reads_tmp = Path(reads).with_name(f".{Path(reads).name}.{os.getpid()}")
        reads_tmp.unlink(missing_ok=True)
        env[READS_ENV] = str(reads_tmp)
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the kernel inherits this process's environment
    try:
        result = _execute_notebook(source, output, parameters, cwd, title)
        if reads_tmp is not None and result["ok"]:
            reads_tmp.touch()
            os.replace(reads_tmp, reads)
        return result
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        if reads_tmp is not None:
            reads_tmp.unlink(missing_ok=True)


def _execute_notebook(source: str, output: str, parameters: dict, cwd: str, title: str | None) -> dict:
    import nbformat
    import papermill as pm

    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    nb = read_any_notebook(Path(source))
    for cell in nb.cells:  # the text reader adds line-number metadata that is no use in the output
        cell.metadata.pop("source_map", None)
    if title and nb.cells and nb.cells[0].cell_type == "markdown":
        # the page title is the scenario's title (the template says "Scenario results")
        lines = nb.cells[0].source.splitlines()
        nb.cells[0].source = "\n".join([f"# {title}"] + lines[1:])
    fd, tmp_in = tempfile.mkstemp(suffix=".ipynb", dir=out.parent, prefix=".in-")
    os.close(fd)
    fd, tmp_out = tempfile.mkstemp(suffix=".ipynb", dir=out.parent, prefix=".out-")
    os.close(fd)
    try:
        nbformat.write(nb, tmp_in)
        try:
            for attempt in range(KERNEL_START_ATTEMPTS):
                try:
                    with stderr_to(out.with_suffix(".log")):
                        pm.execute_notebook(tmp_in, tmp_out, parameters=parameters, kernel_name="python3",
                                            progress_bar=False, log_output=False, cwd=cwd)
                    break
                except RuntimeError as exc:  # a kernel that died or hung while starting: start another
                    if not _kernel_start_failure(exc) or attempt == KERNEL_START_ATTEMPTS - 1:
                        raise
                    time.sleep(0.5 * (attempt + 1))
        except pm.PapermillExecutionError as exc:
            failed = out.with_suffix(".failed.ipynb")
            with contextlib.suppress(OSError):
                os.replace(tmp_out, failed)
            return {"ok": False, "cell": exc.cell_index, "exec_count": exc.exec_count,
                    "error": f"{exc.ename}: {exc.evalue}", "notebook": str(failed)}
        except Exception as exc:  # the kernel or papermill itself failed, not a cell
            return {"ok": False, "cell": None, "exec_count": None,
                    "error": f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}",
                    "notebook": str(out.with_suffix(".log"))}
        os.replace(tmp_out, out)
        return {"ok": True}
    finally:
        for tmp in (tmp_in, tmp_out):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


def cache_scenarios(root: Path, params_dir: Path, jobs: list[Job], common: bytes) -> Path | None:
    """Load (validate and calibrate) each scenario once, here, and keep it with its results on disk for
    the notebooks (`model.core.deps`), keyed on the params files it read. Bad params fail here with their
    one-line error, before any kernel starts. Returns the index the notebooks read (None when the
    notebooks could not share it: a relative params directory and a working directory other than the
    project's)."""
    from ..core import deps
    from ..core.results import results
    from ..core.scenario import load_scenario

    rel = relative_params_dir(root, params_dir)
    if not Path(rel).is_absolute() and Path.cwd().resolve() != root:
        validate_scenarios(jobs, params_dir)
        return None
    cache_dir = root / RUNS_DIR / "loaded"
    # `common` keys the scenarios that notebooks calibrate for themselves, such as the dependence
    # engine's nudged copies (deps.load_nudged), so that each is solved once per build, not per notebook
    index: dict[str, Any] = {"params_dir": rel, "scenarios": {}, "common": common.decode()}
    for job in jobs:
        if job.kind != "scenario":
            continue
        file = cache_dir / f"{job.name}.pickle"
        entry = deps.read_entry(file)
        if not (entry is not None and deps.reads_are_current(entry["reads"], root)
                and entry["key"] == sha256_bytes(b"loaded", job.name.encode(), common,
                                                 deps.reads_bytes(entry["reads"]))):
            with deps.collecting() as reads:
                loaded = load_scenario(job.name, Path(rel))
                res = results(loaded)
            key = sha256_bytes(b"loaded", job.name.encode(), common, deps.reads_bytes(reads))
            deps.write_entry(file, key, loaded, res, sorted(reads))
            entry = {"key": key, "loaded": loaded}
        job.title = entry["loaded"].title
        index["scenarios"][job.name] = {"file": str(file), "key": entry["key"],
                                        "kind": entry["loaded"].scenario.kind}
    write_atomic(cache_dir / "index.json", json.dumps(index, indent=1, sort_keys=True) + "\n")
    return cache_dir / "index.json"


def run_jobs(jobs: list[Job], root: Path, workers: int, force: bool, progress: bool = True,
             env: dict[str, str] | None = None) -> list[Job]:
    """Execute the jobs whose cache is stale (all of them with force), in parallel processes.
    Their outputs are written atomically, so a failed or interrupted run keeps nothing half-made."""
    todo = [j for j in jobs if force or not j.cached()]
    if not todo:
        return []
    failures = []
    ctx = get_context("spawn")  # fresh interpreters: no inherited threads or kernels
    pool = ProcessPoolExecutor(max_workers=max(1, min(workers, len(todo))), mp_context=ctx)
    try:
        # pages first: on two cores they are the longer notebooks
        order = sorted(todo, key=lambda j: j.kind != "page")
        futures = {pool.submit(execute_notebook, str(j.source), str(j.output), j.parameters, str(root),
                               j.title if j.kind == "scenario" else None, env,
                               str(j.reads_file) if j.records_reads else None): j for j in order}
        bar = _progress(len(todo), progress)
        for fut in as_completed(futures):
            job = futures[fut]
            result = fut.result()
            bar.update(1)
            bar.set_postfix_str(job.name)
            if result["ok"]:
                job.key = job.key_after_run()
                job.key_file.write_text(job.key + "\n")
                job.executed = True
            else:
                failures.append((job, result))
        bar.close()
    except BaseException:  # Ctrl-C or an error here: stop the workers and their kernels now
        _stop(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    if failures:
        job, r = failures[0]
        what = f"scenario {job.name}" if job.kind == "scenario" else f"notebook {job.name}"
        where = (f"cell {r['cell']} (execution count {r['exec_count']}) raised" if r["cell"] is not None
                 else "could not be executed:")
        raise BuildError(f"{what}: {where} {r['error']} (see {r['notebook']})"
                         + (f"; {len(failures) - 1} more notebook(s) failed" if len(failures) > 1 else ""))
    return [j for j in todo if j.executed]


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop the workers and their kernels now."""
    import psutil

    for proc in list(getattr(pool, "_processes", {}).values()):
        with contextlib.suppress(psutil.NoSuchProcess):
            for child in psutil.Process(proc.pid).children(recursive=True):
                child.kill()
        proc.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc="executing notebooks", unit="nb", disable=not enabled or None,
                file=sys.stderr, leave=False)


# --- vendored JavaScript ----------------------------------------------------------------------------

VENDOR_FILES = {
    "vega.min.js": "vega/build/vega.min.js",
    "vega-lite.min.js": "vega-lite/build/vega-lite.min.js",
    "vega-embed.min.js": "vega-embed/build/vega-embed.min.js",
}
#: MathJax goes to an extra path, copied to the site root as it is: Jupyter Book adds every .js file
#: under _static/ to every page, and MathJax must load only where sphinx.ext.mathjax puts it.
MATHJAX_FILES = {"tex-chtml.js": "mathjax/es5/tex-chtml.js"}
MATHJAX_DIRS = {"output/chtml/fonts/woff-v2": "mathjax/es5/output/chtml/fonts/woff-v2"}
EXTRA_PATH = "_extra"


def npm_modules(root: Path) -> Path:
    """node_modules for the book's pinned JavaScript, installed once per lock file with `npm ci`."""
    src = vendor_dir(root / BOOK_DIR)
    dest = root / VENDOR_BUILD_DIR
    lock = (src / "package-lock.json").read_bytes()
    stamp = dest / ".lock-sha256"
    digest = sha256_bytes(lock)
    if stamp.is_file() and stamp.read_text() == digest and (dest / "node_modules").is_dir():
        return dest / "node_modules"
    npm = shutil.which("npm")
    if not npm:
        raise BuildError("npm is needed to install the pinned vega and MathJax files (apt-get install npm)")
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src / "package.json", dest / "package.json")
    shutil.copy2(src / "package-lock.json", dest / "package-lock.json")
    proc = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
                          cwd=dest, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BuildError("npm ci failed: " + " ".join((proc.stderr or proc.stdout).split())[:500])
    stamp.write_text(digest)
    return dest / "node_modules"


def vega_debug_script() -> str:
    """Tells Altair's embed code that the versions it expects are already loaded (no CDN)."""
    import altair as alt

    versions = {"vega_version": alt.VEGA_VERSION, "vegalite_version": alt.VEGALITE_VERSION,
                "vegaembed_version": alt.VEGAEMBED_VERSION}
    return ("// Generated by casebook build: Vega libraries are served from _static/vendor.\n"
            f"var VEGA_DEBUG = {json.dumps(versions, sort_keys=True)};\n")


def vendor_into(static: Path, extra: Path, modules: Path) -> None:
    static.mkdir(parents=True, exist_ok=True)
    for dest, src in VENDOR_FILES.items():
        shutil.copy2(modules / src, static / dest)
    (static / "vega-debug.js").write_text(vega_debug_script())
    mathjax = extra / "mathjax"
    mathjax.mkdir(parents=True, exist_ok=True)
    for dest, src in MATHJAX_FILES.items():
        shutil.copy2(modules / src, mathjax / dest)
    for dest, src in MATHJAX_DIRS.items():
        shutil.copytree(modules / src, mathjax / dest, dirs_exist_ok=True)


# --- staging and the site swap ----------------------------------------------------------------------

def cached_downloads(root: Path, params_dir: Path, common: bytes) -> Path:
    """The CSV and XLSX downloads, made again only when a params file (or the model) changed: they
    depend on every scenario. Kept in build/runs/downloads/."""
    from ..report.downloads import write_downloads

    key = sha256_bytes(b"downloads", common, *[b for f in sorted(params_dir.glob("*.yaml"))
                                               for b in (f.name.encode(), f.read_bytes())])
    cache, stamp = root / RUNS_DIR / "downloads", root / RUNS_DIR / "downloads.key"
    if cache.is_dir() and stamp.is_file() and stamp.read_text() == key:
        return cache
    tmp = root / RUNS_DIR / f".downloads-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    write_downloads(tmp, params_dir)
    stamp.unlink(missing_ok=True)
    shutil.rmtree(cache, ignore_errors=True)
    os.replace(tmp, cache)
    stamp.write_text(key)
    return cache


def stage_book(root: Path, stage: Path, jobs: list[Job], modules: Path, params_dir: Path,
               footer_placeholder: bool = False, downloads: Path | None = None) -> str:
    """Copy the book's sources, the executed notebooks, the downloads and the vendored JavaScript
    into `stage`. Returns the footer's digest (with `footer_placeholder`, the footer holds
    INPUTS_PLACEHOLDER instead, for `copy_site` to replace)."""
    from ..report.downloads import write_downloads

    stage.mkdir(parents=True, exist_ok=True)
    for name, path in book_files(root / BOOK_DIR, IGNORED_IN_BOOK).items():
        (stage / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, stage / name)
    for job in jobs:
        dest = stage / job.page
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(job.output, dest)
        hide_injected_parameters(dest)
        if job.source.suffix == ".md":  # the executed notebook replaces its text source
            (stage / Path(job.page).with_suffix(".md")).unlink(missing_ok=True)
    vendor_into(stage / VENDOR_STATIC, stage / EXTRA_PATH, modules)
    if downloads is not None:
        shutil.copytree(downloads, stage / DOWNLOADS, dirs_exist_ok=True)
    else:
        write_downloads(stage / DOWNLOADS, params_dir)
    return stamp_footer(stage, manifest(root, params_dir), footer_placeholder)


#: What the footer holds while Sphinx builds: the digest changes with every input, and a changed
#: theme option would make an incremental Sphinx write every page again.
INPUTS_PLACEHOLDER = "CASEBOOKINPUTSHA"


def copy_site(html: Path, dest: Path, digest: str) -> None:
    """Copy Sphinx's output to a new site, with the inputs' digest in place of the placeholder."""
    def copy(src: str, dst: str) -> None:
        if src.endswith(".html"):
            text = Path(src).read_text(encoding="utf-8")
            Path(dst).write_text(text.replace(INPUTS_PLACEHOLDER, digest), encoding="utf-8")
        else:
            shutil.copy2(src, dst)

    shutil.copytree(html, dest, copy_function=copy)


def stamp_footer(stage: Path, info: dict[str, Any], placeholder: bool = False) -> str:
    """Put the project version and the inputs' digest in every page's footer, so that a reviewer can
    tell two reports apart and match a report to its inputs (`casebook build --manifest`).
    Returns the digest as shown; with `placeholder`, INPUTS_PLACEHOLDER stands in for it."""
    import yaml

    digest = info["inputs_sha256"][:16]
    config_path = stage / "_config.yml"
    config = yaml.safe_load(config_path.read_text()) or {}
    # sphinx.config.html_theme_options replaces what Jupyter Book derives from `html:`, so the footer
    # goes there
    options = config.setdefault("sphinx", {}).setdefault("config", {}).setdefault("html_theme_options", {})
    footer = options.get("extra_footer", "")
    options["extra_footer"] = (f'{footer} <p class="casebook-stamp">casebook {info["casebook_version"]} · '
                               f'inputs sha256 <code>{INPUTS_PLACEHOLDER if placeholder else digest}</code> '
                               f'(<code>casebook build --manifest</code> lists them)</p>').strip()
    config_path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    return digest


def hide_injected_parameters(path: Path) -> None:
    """Tag papermill's injected-parameters cell remove-cell: the page shows results, not plumbing.
    Drop papermill's timings too, so that a notebook executed again with the same results stages
    the same bytes (and Sphinx, incremental, does not read it again)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            cell.metadata["tags"] = tags + ["remove-cell"]
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)


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


def relative_params_dir(root: Path, params_dir: Path) -> str:
    """The params directory as the notebooks see it (they run in the project root): relative when
    inside the project, so that no absolute path of the build machine reaches the pages."""
    try:
        return str(params_dir.resolve().relative_to(root))
    except ValueError:
        return str(params_dir.resolve())


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


def current_site(root: Path) -> Path | None:
    link = root / BOOK_DIR / "_build" / "html"
    return link.resolve() if link.exists() else None


def swap_site(root: Path, new_site: Path) -> Path:
    """Point book/_build/html at new_site atomically (rename of a symlink)."""
    build_dir = root / BOOK_DIR / "_build"
    link = build_dir / "html"
    if link.exists() and not link.is_symlink():  # an html directory from elsewhere: keep it aside
        link.rename(build_dir / "sites" / f"previous-{int(time.time())}")
    tmp_link = build_dir / f".html-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp_link.unlink()
    tmp_link.symlink_to(new_site.relative_to(build_dir))
    os.replace(tmp_link, link)
    return link


def remove_old_sites(root: Path, keep: Path) -> None:
    sites = root / BOOK_DIR / "_build" / "sites"
    for site in sites.iterdir():
        if site.resolve() != keep.resolve():
            shutil.rmtree(site, ignore_errors=True)


@contextlib.contextmanager
def build_lock(root: Path, wait: bool = True) -> Iterator[None]:
    """One build at a time: a second build waits for the first (or refuses with wait=False)."""
    lock_dir = root / BOOK_DIR / "_build"
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / ".build.lock", "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise BuildError("another build is running in this project; try again when it ends") from None
            print("casebook: another build is running; waiting for it to finish", file=sys.stderr)
            fcntl.flock(fh, fcntl.LOCK_EX)
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@dataclass
class BuildReport:
    index_html: Path
    executed: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    site_rebuilt: bool = True
    seconds: float = 0.0
    pdf: Path | None = None


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
        common = sha256_bytes(model_source_digest().encode(), dependency_lock(root).encode(),
                              sources_digest(params_dir).encode()).encode()
        scenarios = scenario_jobs(root, params_dir, common)
        index = cache_scenarios(root, params_dir, scenarios, common)
        kinds = ({deps.where(params_dir / f"{name}.yaml"): meta["kind"]
                  for name, meta in json.loads(index.read_text())["scenarios"].items()} if index else {})
        all_jobs = scenarios + book_notebook_jobs(root, params_dir, common, kinds)
        env = {deps.CACHE_ENV: str(index)} if index else {}
        phase("scenarios")
        # the downloads are made here, in a thread, while the workers execute the notebooks
        with ThreadPoolExecutor(max_workers=1) as side:
            downloads = side.submit(cached_downloads, root, params_dir, common)
            executed = run_jobs(all_jobs, root, jobs or os.cpu_count() or 1, force, progress, env)
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
            work = Path(tempfile.mkdtemp(prefix="casebook-build-", dir=_tmp_parent(root)))
            try:
                fresh = work / "src"
                digest = stage_book(root, fresh, all_jobs, modules, params_dir, footer_placeholder=True,
                                    downloads=downloads_dir)
                from .diff import CHANGES_PAGE, stage_figures  # figures.json and the "changes since" page

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
                    # staged again with the real inputs digest in the footer (the site's copy has a
                    # placeholder that copy_site fills in, which a PDF printed from the sources would keep)
                    printed = work / "pdf-src"
                    stage_book(root, printed, all_jobs, modules, params_dir, downloads=downloads_dir)
                    for staged in (f"{CHANGES_PAGE}.md", "_toc.yml"):  # the front page links to it
                        shutil.copy2(fresh / staged, printed / staged)
                    book_pdf.write_pdf(printed, work / "out", pdf_out, manifest(root, params_dir),
                                       jupyter_book_command())
                    pdf_key.write_text(site_key + "\n")
                    pdf_seconds = time.perf_counter() - pdf_started
                    phase("pdf")
                if rebuilt:
                    swap_site(root, target)
                    remove_old_sites(root, target)
            finally:
                shutil.rmtree(work, ignore_errors=True)
            phase("swap")
        report = BuildReport(index_html=root / BOOK_DIR / "_build" / "html" / "index.html",
                             executed=[j.name for j in executed],
                             cached=[j.name for j in all_jobs if j not in executed], site_rebuilt=rebuilt,
                             seconds=time.perf_counter() - started, pdf=pdf_out if pdf else None)
        write_atomic(root / LAST_BUILD, json.dumps({
            "executed": [j.name for j in executed if j.kind == "scenario"],
            "pages_executed": [j.name for j in executed if j.kind == "page"],
            "cached": report.cached, "site_rebuilt": report.site_rebuilt,
            # the scenarios each chapter read when it was last executed ("*": it listed them all)
            "page_reads": {j.name: deps.scenarios_read(deps.read_log(j.reads_file), params_dir, root)
                           for j in all_jobs if j.records_reads},
            "site": current_site(root).name if current_site(root) else None,
            "pdf": str(pdf_out.relative_to(root)) if pdf else None, "pdf_seconds": round(pdf_seconds, 3),
            "seconds": round(report.seconds, 3), "phases": phases}, indent=2) + "\n")
    return report


def book_digest(root: Path) -> bytes:
    """A hash of the book's sources as staged (the case's own files and the packaged ones it uses)."""
    return sha256_bytes(*[b for name, path in book_files(root / BOOK_DIR, IGNORED_IN_BOOK).items()
                          for b in (name.encode(), path.read_bytes())]).encode()


def book_title(root: Path) -> str:
    import yaml

    config = yaml.safe_load((root / BOOK_DIR / "_config.yml").read_text()) or {}
    return str(config.get("title", "casebook"))


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(text)
    os.replace(tmp, path)


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
    probe_writable(out, "--out")
    result = execute_notebook(str(scenario_notebook(root)), str(out),
                              {"scenario": scenario, "overrides": overrides,
                               "params_dir": str(params_dir)}, str(root), loaded.title)
    if not result["ok"]:
        where = (f"cell {result['cell']} (execution count {result['exec_count']}) raised"
                 if result["cell"] is not None else "could not be executed:")
        raise BuildError(f"scenario {scenario}: {where} {result['error']}")
    return out, read_glue(out)

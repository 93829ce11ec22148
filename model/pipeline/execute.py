"""Executing the notebooks: each with papermill in a worker process, written atomically, after every
scenario has been loaded once and cached on disk for the kernels to share."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Iterator

from .jobs import Job, read_any_notebook, validate_scenarios
from .keys import sha256_bytes
from .layout import RUNS_DIR, BuildError, relative_params_dir, write_atomic


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
        from ..report.markup import markdown_text

        lines = nb.cells[0].source.splitlines()
        nb.cells[0].source = "\n".join([f"# {markdown_text(title)}"] + lines[1:])
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
        _readable_like_any_new_file(Path(tmp_out))
        os.replace(tmp_out, out)
        return {"ok": True}
    finally:
        for tmp in (tmp_in, tmp_out):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


def _die_with(parent: int) -> None:
    """A worker's initializer: when the build that started it goes away, even by SIGKILL (which runs no
    handler in the build), stop this worker's kernels and the worker itself. A thread watches for the
    worker being handed to another parent; SIGTERM does the same at once."""
    import signal
    import threading

    def orphaned() -> bool:
        return os.getppid() != parent

    def stop() -> None:
        import psutil

        with contextlib.suppress(psutil.Error):
            for child in psutil.Process().children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    child.kill()
        os._exit(1)

    def watch() -> None:
        while not orphaned():
            time.sleep(0.2)
        stop()

    signal.signal(signal.SIGTERM, lambda *_: stop())
    # Ctrl-C reaches the whole foreground group: the build stops the workers (`_stop`); a worker
    # that took it too would print a traceback of its own
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=watch, name="casebook-parent-watch", daemon=True).start()
    if orphaned():
        stop()


def _readable_like_any_new_file(path: Path) -> None:
    """A temporary file is made private (0600); the notebook it becomes gets the mode any new file
    gets here (0666 less the umask), like every other output."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


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


def warm_nudged(params_dir: str, ids: list[str], env: dict[str, str]) -> int:
    """In a worker: solve the nudged scenarios of some assumptions for the chapters that follow
    (model.analysis.dependence.warm). A nudge that fails here fails again, with its message, where a
    chapter needs it; so nothing is reported from here."""
    from ..analysis import dependence

    os.environ.update(env)
    try:
        return dependence.warm(params_dir, ids)
    except Exception:  # noqa: BLE001  (only a head start: the chapters solve what is missing)
        return 0


def warm_shares(params_dir: Path, workers: int) -> list[list[str]]:
    """The labelled assumptions, dealt out to the workers (empty when the dependence is turned off)."""
    from ..analysis import dependence

    if os.environ.get(dependence.OFF_ENV) == "off":
        return []
    try:
        ids = [a.id for a in dependence.assumptions(params_dir)]
    except Exception:  # noqa: BLE001  (bad params fail with their own message in validation)
        return []
    return [share for share in (ids[i::workers] for i in range(workers)) if share]


def run_jobs(jobs: list[Job], root: Path, workers: int, force: bool, progress: bool = True,
             env: dict[str, str] | None = None, params_dir: Path | None = None) -> list[Job]:
    """Execute the jobs whose cache is stale (all of them with force), in parallel processes.
    Their outputs are written atomically, so a failed or interrupted run keeps nothing half-made.
    With `params_dir` and chapters to run, the workers first solve the nudged scenarios that the
    chapters' figures are computed on (`warm_nudged`), each assumption once."""
    todo = [j for j in jobs if force or not j.cached()]
    if not todo:
        return []
    failures = []
    ctx = get_context("spawn")  # fresh interpreters: no inherited threads or kernels
    size = max(1, min(workers, len(todo)))
    pool = ProcessPoolExecutor(max_workers=size, mp_context=ctx, initializer=_die_with,
                               initargs=(os.getpid(),))
    try:
        if params_dir is not None and env and any(j.kind == "page" for j in todo):
            warmers = [pool.submit(warm_nudged, str(params_dir), share, env)
                       for share in warm_shares(params_dir, size)]
            for fut in warmers:  # every worker warms first, so no chapter starts before the worlds
                fut.result()
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


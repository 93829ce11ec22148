"""The notebooks a build executes, one job each (a scenario page or one of the book's own notebooks),
with the cache key that says whether the executed notebook on disk is still current."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.errors import CasebookError
from ..core.params import read_chain, scenario_names
from .keys import sha256_bytes
from .layout import BOOK_DIR, IGNORED_IN_BOOK, RUNS_DIR, SCENARIO_PAGES, relative_params_dir
from .packaged import book_files, scenario_notebook


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


#: files of build/runs/ that belong to no job: the downloads' cache key (the downloads/ folder, the
#: scenario cache's index and `casebook run`'s single/ outputs are not looked at)
NOT_A_RUN = {"downloads.key", "index.json"}
RUN_SUFFIXES = (".ipynb", ".key", ".log", ".reads", ".pickle")


def remove_stale_runs(root: Path, jobs: list[Job]) -> list[Path]:
    """Remove from build/runs/ the executed notebooks (with their keys, logs and read records) and the
    loaded scenarios of the scenarios and book notebooks that no longer exist, so that nothing of them
    is kept or can reach a later build. Returns what was removed."""
    runs = root / RUNS_DIR
    keep = set()
    for job in jobs:
        keep |= {job.output, job.key_file, job.reads_file, job.output.with_suffix(".log"),
                 job.output.with_suffix(".failed.ipynb")}
        if job.kind == "scenario":
            keep.add(runs / "loaded" / f"{job.name}.pickle")
    removed = []
    for folder in (runs, runs / "pages", runs / "loaded"):
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if (path.is_file() and not path.name.startswith(".") and path.name not in NOT_A_RUN
                    and path.name.endswith(RUN_SUFFIXES) and path not in keep):
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


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


from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PARAMS = ROOT / "params"


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run `casebook` in a real process, as a user would."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "model.cli", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=env, timeout=120)


def cli_json(*args: str) -> dict:
    proc = run_cli(*args, "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture
def params_copy(tmp_path: Path) -> Path:
    """A scratch copy of params/ that a test may break."""
    dest = tmp_path / "params"
    shutil.copytree(PARAMS, dest)
    return dest


@contextlib.contextmanager
def _held(lock_file: Path):
    """An exclusive lock on a file, held for the block (the processes of `pytest -n` wait for it)."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def shared_dir(request, tmp_path_factory) -> Path:
    """A folder shared by every process of this test run: with pytest-xdist, the parent of the workers'
    own temporary folders (each worker has one of its own under it); without it, the run's own."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if hasattr(request.config, "workerinput") else base


def _built_once(request, tmp_path_factory, name: str, make) -> Path:
    """A project made by `make(folder)` and built (`casebook build --jobs 2`) once per test run, in
    the folder shared by every process of the run: under `pytest -n`, the first worker to need it
    builds it and the others wait for that build and read it."""
    from .pipeline_helpers import casebook

    shared = shared_dir(request, tmp_path_factory)
    project = shared / name / "project"
    done = shared / name / "done"
    with _held(shared / f"{name}.lock"):
        if not done.is_file():
            shutil.rmtree(project.parent, ignore_errors=True)
            make(project)
            proc = casebook(project, "build", "--jobs", "2")
            assert proc.returncode == 0, proc.stderr
            assert proc.stdout.strip().splitlines()[-1] == str(project / "book" / "_build" / "html" / "index.html")
            done.write_text("built\n")
    return project


@pytest.fixture(scope="session")
def built(request, tmp_path_factory) -> Path:
    """One clean build of a scratch copy of the project, shared by every test that only reads it
    (tests that change it work on a clone). Under `pytest -n`, the first worker to need it builds it
    and the others wait for that build and read it."""
    from .pipeline_helpers import copy_project

    return _built_once(request, tmp_path_factory, "built", copy_project)


@pytest.fixture(scope="session")
def built_example(request, tmp_path_factory) -> Path:
    """The starting case of `casebook new` (no title given), built once for the run and shared like
    `built`: by the tests that only read it and by the tests of the pipeline (caching, locking) that
    change a clone of it, which build much faster than CONNECT's book."""
    from .pipeline_helpers import casebook

    def make(project: Path) -> None:
        project.parent.mkdir(parents=True, exist_ok=True)
        proc = casebook(project.parent, "new", str(project))
        assert proc.returncode == 0, proc.stderr

    return _built_once(request, tmp_path_factory, "built_example", make)


@pytest.fixture(scope="session")
def built_regional(request, tmp_path_factory) -> Path:
    """The second case (tests/cases/regional_records, written only as data) as it is, built once for
    the run and shared like `built`: read only (tests that change it work on a clone)."""
    return _built_once(request, tmp_path_factory, "built_regional",
                       lambda project: shutil.copytree(ROOT / "tests" / "cases" / "regional_records", project))


#: the sensitivity that `built_sensitivity_edit` edits, and its edit: the level of its benefits
SENSITIVITY = "fbc3_benefits_half"
SENSITIVITY_EDIT = ("    value: 0.5\n", "    value: 0.4\n")


@pytest.fixture(scope="session")
def built_sensitivity_edit(request, tmp_path_factory, built) -> Path:
    """A clone of `built` with one sensitivity edited (SENSITIVITY_EDIT in params/SENSITIVITY.yaml) and
    built again, once for the run: read by the tests of what that rebuild executed (test_serve.py) and
    of what it changed (test_review.py). Beside the project: the build report and figures.json of the
    build before the edit (before-last-build.json, before-figures.json)."""
    from .pipeline_helpers import clone_built

    def make(project: Path) -> None:
        clone_built(built, project)
        shutil.copy2(project / "build" / "last-build.json", project.parent / "before-last-build.json")
        shutil.copy2(project / "book" / "_build" / "html" / "figures.json", project.parent / "before-figures.json")
        leaf = project / "params" / f"{SENSITIVITY}.yaml"
        old, new = SENSITIVITY_EDIT
        text = leaf.read_text()
        assert old in text
        leaf.write_text(text.replace(old, new, 1))

    return _built_once(request, tmp_path_factory, "built_sensitivity_edit", make)

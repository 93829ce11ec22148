from __future__ import annotations

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


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """One clean build of a scratch copy of the project, shared by every test that only reads it
    (tests that change it work on a clone)."""
    from .pipeline_helpers import casebook, copy_project

    project = copy_project(tmp_path_factory.mktemp("built") / "project")
    proc = casebook(project, "build", "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == str(project / "book" / "_build" / "html" / "index.html")
    return project

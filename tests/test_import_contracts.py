"""The import contracts in pyproject.toml hold, and the one that forbids an import circle inside
model.core really fails when a circle is put back (here: the recording of reads importing the params
reader that records its reads, the circle there was before core/deps.py was split)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(project: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run([str(LINT), "--no-cache"], cwd=project, env=env, capture_output=True, text=True)


def _copy(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "model", project / "model", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "pyproject.toml", project / "pyproject.toml")
    return project


def test_the_contracts_hold(tmp_path):
    proc = _lint(_copy(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "model.core: no import circle among its modules KEPT" in proc.stdout
    assert "Contracts: 2 kept, 0 broken." in proc.stdout


def test_a_circle_put_back_in_model_core_breaks_the_contract(tmp_path):
    project = _copy(tmp_path)
    reads = project / "model" / "core" / "reads.py"
    # even an import inside a function closes the circle (params -> reads -> params)
    reads.write_text(reads.read_text(encoding="utf-8")
                     + "\n\ndef _names(params_dir):\n    from .params import scenario_names\n\n"
                       "    return scenario_names(params_dir)\n", encoding="utf-8")
    proc = _lint(project)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "model.core: no import circle among its modules BROKEN" in proc.stdout
    assert "Layers: a lower layer never imports a higher one KEPT" in proc.stdout
    assert "Contracts: 1 kept, 1 broken." in proc.stdout

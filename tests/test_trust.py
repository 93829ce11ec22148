"""Faults, determinism and security: what a careful reviewer and an attacker would try."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import ROOT, run_cli
from .pipeline_helpers import casebook, clone_built, last_build, site_digest


def _start_build(project: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "model.cli", "build"], cwd=project, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=60)


def test_sigkill_at_random_points_leaves_the_previous_site(built_example, tmp_path):
    """Kill-safety is the pipeline's, not CONNECT's: the starting case of `casebook new` (every step of
    a build, at a fraction of the cost of CONNECT's book)."""
    project = clone_built(built_example, tmp_path / "p")
    before = site_digest(project)
    params = project / "params" / "preferred.yaml"
    assert "label: Decision asked for" in params.read_text()
    rng = random.Random(20231207)
    trials = []
    for trial in range(5):
        params.write_text(re.sub(r"label: Decision (\d+ )?asked for", f"label: Decision {trial} asked for",
                                 params.read_text()))
        proc = _start_build(project)
        delay = rng.uniform(0.5, 20.0)
        time.sleep(delay)
        finished = proc.poll() is not None
        _kill_group(proc)
        trials.append((round(delay, 1), finished))
        if not finished:
            assert site_digest(project) == before, f"trial {trial}: killed after {delay:.1f}s"
        else:  # the build beat the kill: the site moved on, and that is the new previous site
            before = site_digest(project)
    assert sum(1 for _, finished in trials if not finished) >= 3, trials
    proc = casebook(project, "build")
    assert proc.returncode == 0, proc.stderr
    assert site_digest(project) != before  # the last edit is in the new site
    register = project / "book" / "_build" / "html" / "_static" / "downloads" / "register.csv"
    assert "Decision 4 asked for" in register.read_text()


def test_two_builds_at_once_neither_corrupts_the_site(built_example, tmp_path):
    """Locking is the pipeline's, not CONNECT's: the starting case of `casebook new`, its first version
    edited, so that both builds have every scenario and page to execute again."""
    project = clone_built(built_example, tmp_path / "p")
    params = project / "params" / "outline.yaml"
    assert 'title: "Outline business case (example)"' in params.read_text()
    params.write_text(params.read_text().replace('title: "Outline business case (example)"',
                                                 'title: "Outline business case (example, edited)"'))
    first, second = _start_build(project), _start_build(project)
    out1, err1 = first.communicate(timeout=900)
    out2, err2 = second.communicate(timeout=900)
    assert first.returncode == 0 and second.returncode == 0, (err1[-500:], err2[-500:])
    assert "another build is running" in err1 + err2
    html = project / "book" / "_build" / "html"
    assert "Outline business case (example, edited)" in (html / "scenarios" / "outline.html").read_text()
    # the site is complete: every page of the toc is there
    for page in ("index", "economic_analysis", "comparison", "appendix_register", "scenarios/preferred"):
        assert (html / f"{page}.html").is_file()
    assert not list((project / "book" / "_build" / "tmp").iterdir())  # no scratch left behind


def test_read_only_output_gives_a_clear_error(built, tmp_path):
    project = clone_built(built, tmp_path / "p")
    before = site_digest(project)
    target = project / "book" / "_build"
    if subprocess.run(["chattr", "+i", str(target)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available on this file system")
    try:
        proc = casebook(project, "build", "--force")
    finally:
        subprocess.run(["chattr", "-i", str(target)], check=True)
    assert proc.returncode == 1
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in proc.stderr
    assert "cannot write the build output" in err[0] and "Operation not permitted" in err[0]
    assert site_digest(project) == before


def test_full_disk_gives_a_clear_error(built, tmp_path, monkeypatch):
    from model.pipeline import build as b
    from model.core.errors import CasebookError

    project = clone_built(built, tmp_path / "p")
    before = site_digest(project)
    (project / "book" / "glossary.md").write_text((project / "book" / "glossary.md").read_text() + "\nMore.\n")
    real_replace = os.replace

    def full(src, dst, *args, **kwargs):
        if "sites" in str(dst):
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(b.os, "replace", full)
    monkeypatch.chdir(project)
    with pytest.raises(CasebookError) as info:
        b.build(project, progress=False)
    assert "No space left on device" in str(info.value) and "\n" not in str(info.value)
    monkeypatch.setattr(b.os, "replace", real_replace)
    assert site_digest(project) == before


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def test_two_builds_give_byte_identical_downloads_and_results(built, tmp_path):
    project = clone_built(built, tmp_path / "p")
    downloads = project / "book" / "_build" / "html" / "_static" / "downloads"
    first = _digests(downloads)
    assert any(name.endswith(".xlsx") for name in first) and sum(n.endswith(".csv") for n in first) >= 10
    (project / "book" / "glossary.md").write_text((project / "book" / "glossary.md").read_text() + "\nMore.\n")
    proc = casebook(project, "build", "--force")
    assert proc.returncode == 0, proc.stderr
    assert last_build(project)["site_rebuilt"]
    assert _digests(downloads) == first
    a = run_cli("results", "fbc3", "--json").stdout
    b = run_cli("results", "fbc3", "--json").stdout
    assert a == b and json.loads(a)["npv_gbp_m"] == pytest.approx(-144.63, abs=1e-6)


def test_manifest_and_the_stamp_on_every_page(built, tmp_path):
    project = clone_built(built, tmp_path / "p")
    manifest = tmp_path / "manifest.json"
    assert casebook(project, "build", "--manifest", str(manifest)).returncode == 0
    data = json.loads(manifest.read_text())
    paths = {f["path"] for f in data["files"]}
    assert {"params/fbc1.yaml", "params/fbc3.yaml", "notebooks/scenario.ipynb", "model/pipeline/build.py",
            "book/_config.yml", "model/pipeline/data/book/vendor/package-lock.json",
            "model/pipeline/data/book/appendix_register.md", "model/pipeline/data/book/_static/casebook.js"} <= paths
    for f in data["files"]:
        if f["path"].startswith(("params/", "notebooks/", "book/")):
            assert hashlib.sha256((project / f["path"]).read_bytes()).hexdigest() == f["sha256"]
    stamp = f"inputs sha256 <code>{data['inputs_sha256'][:16]}</code>"
    html = project / "book" / "_build" / "html"
    for page in ("index.html", "financial.html", "scenarios/fbc3.html"):
        text = (html / page).read_text()
        assert stamp in text and f"casebook {data['casebook_version']}" in text
    # a changed input changes the digest and the stamp (a params file that nothing extends, so that
    # the rebuild executes it and the chapters that read it, not most of the book)
    params = project / "params" / "fbc3_uplift_cap.yaml"
    text = params.read_text()
    assert "The uplift above that is not spent." in text
    params.write_text(text.replace("The uplift above that is not spent.", "The uplift above it is not spent."))
    assert casebook(project, "build", "--manifest", str(manifest)).returncode == 0
    assert json.loads(manifest.read_text())["inputs_sha256"] != data["inputs_sha256"]


def test_papermill_parameters_are_data_not_code(tmp_path):
    import papermill as pm

    marker = tmp_path / "pwned"
    evil = f'fbc3"; open("{marker}", "w").write("x"); x = "'
    out = tmp_path / "out.ipynb"
    with pytest.raises(pm.PapermillExecutionError) as info:
        pm.execute_notebook(str(ROOT / "notebooks" / "scenario.ipynb"), str(out),
                            parameters={"scenario": evil, "overrides": {"appraisal.discount_rate": '0"; x = "'}},
                            kernel_name="python3", progress_bar=False, cwd=str(ROOT))
    assert not marker.exists()
    assert "not a plain slug" in str(info.value)
    import nbformat

    nb = nbformat.read(out, as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    namespace: dict = {}
    exec(compile(injected.source, "injected", "exec"), {}, namespace)  # the cell only assigns literals
    assert namespace["scenario"] == evil


def test_html_has_no_machine_paths_or_environment_values(built):
    html = built / "book" / "_build" / "html"
    secrets = {str(built), str(ROOT), str(Path.home())}
    secrets |= {v for k, v in os.environ.items() if k in ("USER", "LOGNAME", "HOSTNAME", "VIRTUAL_ENV")
                and v and len(v) > 3}
    for page in html.rglob("*.html"):
        if "_static" in page.relative_to(html).parts:
            continue
        text = page.read_text()
        for secret in secrets:
            assert secret not in text, (page.name, secret)

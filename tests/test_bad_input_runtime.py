"""Bad input and rough handling at run time: a YAML alias bomb, YAML merge keys, an empty --set value,
a notebook run with plain papermill from a folder without params/, a build killed with SIGKILL, and a
reader that closes the pipe early."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import psutil
import pytest

from model.core.yamlio import load_yaml_text

from .conftest import ROOT
from .pipeline_helpers import casebook, replace_in_line

# the tests of this file share a module fixture: they run in one process under `pytest -n` (--dist loadgroup)
pytestmark = pytest.mark.xdist_group("test_bad_input_runtime")


CASE = ROOT / "tests" / "cases" / "regional_records"


def copy_case(tmp_path):
    case = tmp_path / "case"
    shutil.copytree(CASE, case)
    return case


def test_an_alias_bomb_is_refused_in_one_line(tmp_path):
    case = copy_case(tmp_path)
    levels = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 12)]
    path = case / "params" / "outline.yaml"
    path.write_text(path.read_text() + "bomb:\n" + "".join(f"  {line}\n" for line in levels))
    proc = casebook(case, "check", timeout=60)  # a guard against the hang, not a timing
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert lines[0].startswith("casebook: error: params/outline.yaml:") and "aliases expand" in lines[0]


def test_a_yaml_merge_key_is_not_a_duplicate():
    data = load_yaml_text("base: &base {label: Go-live, value: '2026-10', unit: date}\n"
                          "later:\n  <<: *base\n  value: '2027-04'\n", "x.yaml")
    assert data["later"] == {"label": "Go-live", "value": "2027-04", "unit": "date"}
    with pytest.raises(Exception, match="duplicate key"):
        load_yaml_text("a: 1\na: 2\n", "x.yaml")


def test_an_empty_set_value_is_refused_not_read_as_never():
    proc = casebook(CASE, "results", "full", "--set", "milestones.analytics_go_live=")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "--set milestones.analytics_go_live=" in lines[0] and "null" in lines[0]
    # written out, a blank is still possible
    assert casebook(CASE, "results", "full", "--set", "milestones.analytics_go_live=null").returncode == 0


def test_papermill_from_a_folder_without_params_fails_clearly(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("CASEBOOK_PARAMS", None)
    proc = subprocess.run([sys.executable, "-m", "papermill", str(ROOT / "notebooks" / "scenario.ipynb"),
                           str(tmp_path / "out.ipynb"), "-p", "scenario", "fbc3"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0
    assert "no params folder" in proc.stderr and str(tmp_path) in proc.stderr


def test_a_build_killed_with_sigkill_leaves_no_process(tmp_path):
    case = copy_case(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "model.cli", "build", "--jobs", "2", "--force"], cwd=case,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    build = psutil.Process(proc.pid)
    seen: dict[int, psutil.Process] = {}
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline and proc.poll() is None:  # until a kernel is running
            for child in build.children(recursive=True):
                seen.setdefault(child.pid, child)
            if any("ipykernel" in " ".join(_cmdline(p)) for p in seen.values()):
                break
            time.sleep(0.1)
        assert proc.poll() is None, "the build ended before a kernel started"
        for child in build.children(recursive=True):
            seen.setdefault(child.pid, child)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        time.sleep(5)
        left = [p for p in seen.values() if _alive(p)]
        assert left == [], [(p.pid, _cmdline(p)) for p in left]
    finally:
        for p in list(seen.values()):
            if _alive(p):
                p.kill()


def _cmdline(p: psutil.Process) -> list[str]:
    try:
        return p.cmdline()
    except psutil.Error:
        return []


def _alive(p: psutil.Process) -> bool:
    try:
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def test_a_closed_pipe_is_not_a_failed_check():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # the repository's own case passes its checks (exit 0); its reader leaves at once
    assert casebook(ROOT, "check").returncode == 0
    proc = subprocess.Popen([sys.executable, "-m", "model.cli", "check"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # `casebook check | head -0`
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert proc.returncode == 141, err  # not 1, which says a source is uncovered
    assert "Traceback" not in err and "BrokenPipe" not in err


@pytest.mark.parametrize("name, says", [
    ("x.yml", "rename it x.yaml"),
    ("FBC3_copy.yaml", "lower-case letters"),
    ("fbc3-benefits half.yaml", "lower-case letters"),
    ("notes.txt", "not a scenario or a source"),
])
def test_a_file_that_is_not_read_is_reported(tmp_path, name, says):
    case = copy_case(tmp_path)
    (case / "params" / name).write_text("title: a copy\n")
    for command in (("check",), ("build", "--jobs", "1")):
        proc = casebook(case, *command)
        assert proc.returncode == 2, (command, proc.stderr)
        lines = proc.stderr.strip().splitlines()
        assert lines == [line for line in lines if line.startswith(f"casebook: error: params/{name}: not a scenario")]
        assert len(lines) == 1 and says in lines[0]
    assert not (case / "book" / "_build" / "html").exists()  # nothing was built


def test_a_negative_cost_must_be_listed_as_published(tmp_path):
    case = copy_case(tmp_path)
    path = case / "params" / "outline.yaml"
    path.write_text(path.read_text().replace("by_fy: {FY25/26: 8.0, FY26/27: 6.0}", "by_fy: {FY25/26: 8.0, FY26/27: -6.0}"))
    proc = casebook(case, "check")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("casebook: error: params/outline.yaml:")
    assert "lines.build.by_fy.FY26/27: a cost of -6 is negative" in lines[0] and "negative_cells" in lines[0]
    # listed as the paper prints it, the credit is taken off the costs: 8.0 - 6.0 + 9 x 1.5 = 15.5
    path.write_text(path.read_text().replace("by_fy: {FY25/26: 8.0, FY26/27: -6.0}",
                                             "by_fy: {FY25/26: 8.0, FY26/27: -6.0}\n        negative_cells: [FY26/27]"))
    proc = casebook(case, "results", "outline", "--json")
    assert proc.returncode == 0, proc.stderr
    import json
    assert json.loads(proc.stdout)["tco_gbp_m"] == pytest.approx(15.5, abs=1e-9)


def test_connects_printed_credit_is_listed_and_its_figures_are_unchanged():
    proc = casebook(ROOT, "results", "fbc3", "--json")
    import json
    assert proc.returncode == 0, proc.stderr
    # Table 2's 'Other' row prints FY23/24 as - 0.392, listed in negative_cells: the TCO as before
    assert json.loads(proc.stdout)["tco_gbp_m"] == pytest.approx(290.989, abs=5e-4)


def test_messages_that_used_to_mislead(tmp_path):
    case = copy_case(tmp_path)
    params = case / "params"
    (params / "ghost.yaml").symlink_to("nowhere.yaml")
    for command in (("check",), ("results", "ghost"), ("list",)):
        proc = casebook(case, *command)
        assert proc.returncode == 2, command
        assert proc.stderr.strip().splitlines() == [
            "casebook: error: params/ghost.yaml: is a link to 'nowhere.yaml', which does not exist"], command
    (params / "ghost.yaml").unlink()
    # list prints every file it can read before the one it cannot
    broken = params / "rebaseline.yaml"
    broken.write_text(broken.read_text() + "decision: [\n")
    proc = casebook(case, "list")
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert [line.split()[0] for line in proc.stdout.splitlines()] == ["full", "no_analytics", "outline", "recovery"]
    broken.write_text(broken.read_text().replace("decision: [\n", ""))
    # --params naming a file says so
    proc = casebook(case, "list", "--params", "params/full.yaml")
    assert proc.returncode == 2 and "is a file" in proc.stderr
    # an empty folder says there is nothing in it
    (case / "empty").mkdir()
    proc = casebook(case, "list", "--params", "empty")
    assert proc.returncode == 0 and proc.stdout.startswith("no scenarios in empty")
    # a space at the end of a key is named, with its line
    path = params / "full.yaml"
    lines = path.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("title:"))
    lines[at] = lines[at].replace("title:", '"title ":')
    path.write_text("\n".join(lines) + "\n")
    proc = casebook(case, "check")
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"casebook: error: params/full.yaml:{at + 1}: title: the key 'title ' has a space at its start or end"


def test_run_out_does_not_make_folders_and_writes_a_readable_file(tmp_path):
    case = copy_case(tmp_path)
    proc = casebook(case, "run", "outline", "--out", "missing/dir/out.ipynb")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "casebook: error: --out: cannot write there: the folder 'missing/dir' does not exist; make it first"]
    assert not (case / "missing").exists()
    proc = casebook(case, "run", "outline", "--out", "out.ipynb")
    assert proc.returncode == 0, proc.stderr
    umask = os.umask(0)
    os.umask(umask)
    assert (case / "out.ipynb").stat().st_mode & 0o777 == 0o666 & ~umask


def connect_copy(tmp_path):
    case = tmp_path / "connect"
    shutil.copytree(ROOT / "params", case / "params")
    return case


def test_a_sensitivity_that_sets_a_calibrated_input_is_not_reported_as_solved(tmp_path):
    import json

    case = connect_copy(tmp_path)
    path = case / "params" / "fbc3_benefits_half.yaml"
    path.write_text(path.read_text() + '  realisation_factor: {value: 0.3, assumption: true, why: "test"}\n')
    proc = casebook(case, "results", "fbc3_benefits_half", "--json")
    assert proc.returncode == 0, proc.stderr
    [entry] = [c for c in json.loads(proc.stdout)["calibrated"] if c["parameter"] == "benefits.realisation_factor"]
    assert entry["overridden"] is True and entry["overridden_in"] == "fbc3_benefits_half"
    assert entry["value_used"] == 0.3
    text = casebook(case, "results", "fbc3_benefits_half").stdout
    assert ("set, not calibrated: benefits.realisation_factor = 0.3 (set by fbc3_benefits_half; fbc3's "
            "calibration to published.npv_fbc3_gbp_m solved 0.511441)") in text
    # and by --set, the same
    proc = casebook(ROOT, "results", "fbc3", "--json", "--set", "benefits.realisation_factor=0.4")
    [entry] = [c for c in json.loads(proc.stdout)["calibrated"] if c["parameter"] == "benefits.realisation_factor"]
    assert (entry["overridden"], entry["overridden_in"], entry["value_used"]) == (True, "--set", 0.4)


def test_kind_published_on_a_sensitivity_is_refused_and_check_names_the_headline(tmp_path):
    case = connect_copy(tmp_path)
    assert "headline version: fbc3 (the latest published version; versions: fbc1, fbc2, fbc3)" in \
        casebook(case, "check").stdout
    path = case / "params" / "fbc3_benefits_half.yaml"
    lines = path.read_text().splitlines()
    at = lines.index("kind: sensitivity")
    lines[at] = "kind: published"
    path.write_text("\n".join(lines) + "\n")
    for command in (("check",), ("results", "fbc3_benefits_half")):
        proc = casebook(case, *command)
        assert proc.returncode == 2, command
        assert proc.stderr.strip().splitlines() == [
            f"casebook: error: params/fbc3_benefits_half.yaml:{at + 1}: kind: published, but nothing this file "
            "changes has a source: a version of the business case cites its own paper; a file whose changes "
            "are all assumptions is kind: sensitivity (or option)"]


def test_a_go_live_before_the_works_start_is_refused(tmp_path):
    case = copy_case(tmp_path)
    file, live, _ = _order(case / "params")
    proc = casebook(case, "check")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"casebook: error: params/{file}:{live}: milestones.core_go_live: 2026-10, the go-live of "
        "delivery core, comes before the works start (milestones.contract_effective, 2027-01)"]


# --- each bad input against a built site: one line, exit 2, and the site exactly as it was ----------

def _unit(params):
    return "outline.yaml", replace_in_line(params / "outline.yaml", "  optimism_bias_operating:",
                                         "value: 0.0, unit: fraction", "value: 5, unit: pct"), "unit is 'pct'"


def _negative(params):
    replace_in_line(params / "outline.yaml", "        by_fy: {FY25/26: 8.0", "FY26/27: 6.0", "FY26/27: -6.0")
    return "outline.yaml", None, "a cost of -6 is negative"


def _stray(params):
    (params / "x.yml").write_text("title: a copy\n")
    return "x.yml", None, "not a scenario, so not read"


def _bomb(params):
    path = params / "full.yaml"
    levels = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 12)]
    path.write_text(path.read_text() + "bomb:\n" + "".join(f"  {line}\n" for line in levels))
    return "full.yaml", None, "aliases expand"


def _order(params):
    replace_in_line(params / "outline.yaml", "  contract_effective:", 'value: "2025-04"', 'value: "2027-01"')
    lines = (params / "outline.yaml").read_text().splitlines()
    live = next(i for i, line in enumerate(lines) if line.startswith("  core_go_live:")) + 1
    return "outline.yaml", live, "comes before the works start"


def _space(params):
    return "full.yaml", replace_in_line(params / "full.yaml", "title:", "title:", '"title ":'), "has a space at its start or end"


def _link(params):
    (params / "ghost.yaml").symlink_to("nowhere.yaml")
    return "ghost.yaml", None, "is a link to 'nowhere.yaml', which does not exist"


def _kind(params):
    # the option called a version, its one citation made an assumption: it would become the headline
    path = params / "no_analytics.yaml"
    line = replace_in_line(path, "kind: option", "kind: option", "kind: published")
    path.write_text(path.read_text().replace('  source: "100_5e0c2a9d41b7f386.txt, para 10"',
                                             '  assumption: true\n  why: "test"'))
    return "no_analytics.yaml", line, "nothing this file changes has a source"


@pytest.fixture(scope="module")
def built_case(built_regional):
    """The regional case (CASE), built once for the run (tests/conftest.py): each test works on a clone."""
    return built_regional


@pytest.mark.parametrize("bad", [_unit, _negative, _stray, _bomb, _order, _space, _link, _kind],
                         ids=lambda f: f.__name__.strip("_"))
def test_bad_input_leaves_the_built_site_as_it_was(built_case, tmp_path, bad):
    from .pipeline_helpers import clone_built, last_build, site_digest

    case = clone_built(built_case, tmp_path / "case")
    before, report = site_digest(case), last_build(case)
    file, line, says = bad(case / "params")
    for command in (("check",), ("build", "--jobs", "2")):
        proc = casebook(case, *command, timeout=120)
        assert proc.returncode == 2, (command, proc.stderr)
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in proc.stderr, lines
        where = f"casebook: error: params/{file}" + (f":{line}:" if line else "")
        assert lines[0].startswith(where) and says in lines[0], lines[0]
    assert site_digest(case) == before  # nothing built earlier is lost or half-overwritten
    assert last_build(case) == report


def test_the_serve_banner_shows_an_error_as_text():
    from model.pipeline.serve import banner_html, reload_script

    banner = banner_html('params/x.yaml: bad <img src=x onerror=alert(1)> </script><script>alert(2)</script>')
    assert "<img" not in banner and "<script" not in banner and "&lt;img src=x" in banner
    assert "</script><script>" not in reload_script('v</script><script>alert(3)</script>').split("<script>", 1)[1]


def test_ctrl_c_during_a_build_prints_one_line_and_no_traceback(tmp_path):
    case = copy_case(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # a group of its own, as a terminal's foreground job: Ctrl-C reaches the build and its workers
    proc = subprocess.Popen([sys.executable, "-m", "model.cli", "build", "--jobs", "2", "--force"], cwd=case,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    build = psutil.Process(proc.pid)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        if any("ipykernel" in " ".join(_cmdline(p)) for p in build.children(recursive=True)):
            break
        time.sleep(0.1)
    assert proc.poll() is None, "the build ended before a kernel started"
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()
    assert err.decode().strip().splitlines()[-1] == "casebook: interrupted"
    assert "Traceback" not in err.decode() and "KeyboardInterrupt" not in err.decode()

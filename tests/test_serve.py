"""`casebook serve` and the rebuilds behind it: only what a change touches is executed again, the open
page reloads with the new figures, a failed rebuild shows its error over the last good site, and
Ctrl-C leaves no process and no lock behind."""

from __future__ import annotations

import fcntl
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from .conftest import ROOT, SENSITIVITY_EDIT
from .conftest import SENSITIVITY as EDITED
from .pipeline_helpers import casebook, clone_built, last_build

CHROMIUM = Path("/usr/bin/chromium")
SENSITIVITY = "fbc3_benefits_half"
CHAPTERS_WITHOUT_SENSITIVITIES = ("strategic.md", "commercial.md", "financial.md", "management.md",
                                  "comparison.md", "appendix_method.md")


def shown(npv: float) -> str:
    """An NPV as the pages print it: to 3 places, with a true minus sign."""
    return f"{npv:,.3f}".replace("-", "\u2212")


def _results(project: Path, scenario: str) -> dict:
    proc = casebook(project, "results", scenario, "--json", timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _set_level(project: Path, old: str, new: str) -> None:
    path = project / "params" / f"{SENSITIVITY}.yaml"
    text = path.read_text()
    assert f"    value: {old}\n" in text
    path.write_text(text.replace(f"    value: {old}\n", f"    value: {new}\n"))


# --- what a rebuild executes, from the build report ---------------------------------------------------

def test_editing_a_sensitivity_reexecutes_it_and_only_the_chapters_that_read_it(built_sensitivity_edit):
    # the edit and the rebuild are the run's shared ones (tests/conftest.py), which tests/test_review.py
    # reads too: the sensitivity's level from 0.5 to 0.4, and a `casebook build` that succeeded
    project = built_sensitivity_edit
    assert EDITED == SENSITIVITY and SENSITIVITY_EDIT == ("    value: 0.5\n", "    value: 0.4\n")
    assert SENSITIVITY_EDIT[1] in (project / "params" / f"{SENSITIVITY}.yaml").read_text()
    reads = json.loads((project.parent / "before-last-build.json").read_text())["page_reads"]
    readers = sorted(page for page, names in reads.items() if SENSITIVITY in names)
    # the chapters that show every scenario read it; the ones about FBC3 alone do not
    assert "economic.md" in readers and "appendix_register.md" in readers
    assert not set(CHAPTERS_WITHOUT_SENSITIVITIES) & set(readers)
    report = last_build(project)
    assert report["executed"] == [SENSITIVITY]
    assert sorted(report["pages_executed"]) == readers
    assert len(report["pages_executed"]) < len(reads)
    # and the site shows the new figure where the scenario appears
    npv = _results(project, SENSITIVITY)["npv_gbp_m"]
    page = (project / "book" / "_build" / "html" / "scenarios" / f"{SENSITIVITY}.html").read_text()
    assert shown(npv) in page


def test_editing_a_chapters_text_reexecutes_that_chapter_alone(built, tmp_path):
    project = clone_built(built, tmp_path / "p")
    chapter = project / "book" / "strategic.md"
    chapter.write_text(chapter.read_text() + "\nA sentence the author has just written.\n")
    proc = casebook(project, "build")
    assert proc.returncode == 0, proc.stderr
    report = last_build(project)
    assert report["executed"] == [] and report["pages_executed"] == ["strategic.md"]
    html = (project / "book" / "_build" / "html" / "strategic.html").read_text()
    assert "A sentence the author has just written." in html


# --- casebook serve -----------------------------------------------------------------------------------

class Server:
    """`casebook serve --port 0` in a project, with its output collected as it comes."""

    def __init__(self, project: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen([sys.executable, "-m", "model.cli", "serve", "--port", "0", "--jobs", "2"],
                                     cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, start_new_session=True)
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.url = self.wait_for_line(r"serving (http://127\.0\.0\.1:\d+/)", 60).group(1)

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)

    def wait_for_line(self, pattern: str, timeout: float) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if m := re.search(pattern, line):
                    return m
            assert self.proc.poll() is None, "".join(self.lines)
            time.sleep(0.2)
        raise AssertionError(f"no line matching {pattern!r} within {timeout} s:\n" + "".join(self.lines))

    def status(self) -> dict:
        with urllib.request.urlopen(self.url + "__casebook__/status", timeout=10) as r:
            return json.loads(r.read())

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path, timeout=10) as r:
            return r.read().decode()


def _wait(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"{what}: not within {timeout} s")


def test_serve_reloads_on_a_params_edit_shows_a_failed_rebuild_and_stops_cleanly(built, tmp_path):
    if not CHROMIUM.exists():
        pytest.fail("Debian chromium is missing: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    project = clone_built(built, tmp_path / "p")
    before = _results(project, SENSITIVITY)
    # benefits scale with the level multiplier and costs do not: at a quarter instead of a half, the
    # NPV falls by half of the present value of the benefits
    expected_npv = before["npv_gbp_m"] - before["pv_benefits_gbp_m"] / 2
    server = Server(project)
    descendants: set[int] = set()
    try:
        _wait(lambda: not server.status()["building"], 300, "the first build")
        assert server.status()["error"] is None
        listening = [c for c in psutil.Process(server.proc.pid).net_connections(kind="inet")
                     if c.status == psutil.CONN_LISTEN]
        assert listening and {c.laddr.ip for c in listening} == {"127.0.0.1"}

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            try:
                page = browser.new_page()
                elsewhere: list[str] = []
                page.route("**/*", lambda route: route.continue_()
                           if route.request.url.startswith(server.url) else
                           (elsewhere.append(route.request.url), route.abort()))
                page.goto(server.url + f"scenarios/{SENSITIVITY}.html")
                assert shown(before['npv_gbp_m']) in page.content()

                # 1. a good edit: the open page reloads by itself and shows the new NPV
                _set_level(project, "0.5", "0.25")
                page.wait_for_function("t => !!document.body && document.body.innerText.includes(t)", arg=shown(expected_npv),
                                       timeout=120_000)
                assert _results(project, SENSITIVITY)["npv_gbp_m"] == pytest.approx(expected_npv, abs=1e-9)
                descendants |= {c.pid for c in psutil.Process(server.proc.pid).children(recursive=True)}

                # 2. broken YAML: a banner names the file and the line; the last good site is still served
                path = project / "params" / f"{SENSITIVITY}.yaml"
                good = path.read_text()
                path.write_text(good.replace("    value: 0.25\n", "    value: [0.25\n"))
                banner = page.locator("#casebook-serve-error")
                banner.wait_for(state="visible", timeout=120_000)
                message = banner.inner_text()
                assert re.search(rf"params/{SENSITIVITY}\.yaml:\d+", message), message
                assert shown(expected_npv) in page.content()
                served = server.get(f"scenarios/{SENSITIVITY}.html")  # a fresh load shows both too
                assert 'id="casebook-serve-error"' in served and shown(expected_npv) in served
                assert re.search(rf"build failed .*\n\s+params/{SENSITIVITY}\.yaml:\d+", "".join(server.lines))

                # 3. fixed: the banner goes
                path.write_text(good)
                banner.wait_for(state="detached", timeout=120_000)
                assert server.status()["error"] is None
                assert shown(expected_npv) in page.content()
                assert elsewhere == []
            finally:
                browser.close()
        # the fix restored the last good inputs: that build executed nothing and kept the site
        report = last_build(project)
        assert report["executed"] == [] and report["pages_executed"] == [] and not report["site_rebuilt"]
    finally:
        descendants |= {c.pid for c in psutil.Process(server.proc.pid).children(recursive=True)} \
            if server.proc.poll() is None else set()
        server.proc.send_signal(signal.SIGINT)
        try:
            server.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.proc.pid, signal.SIGKILL)
            raise
    assert server.proc.returncode == 0, "".join(server.lines)
    assert "stopped" in server.lines[-1]
    # no process left: none of the server's children, and nothing running in the project
    _wait(lambda: not [pid for pid in descendants if psutil.pid_exists(pid)
                       and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE], 20, "the server's children to exit")
    left = []
    for proc in psutil.process_iter(["pid", "cwd"]):
        cwd = proc.info.get("cwd") or ""
        if cwd == str(project) or cwd.startswith(str(project) + os.sep):
            left.append(proc.info["pid"])
    assert left == []
    # and no lock held: a build could take it at once
    with open(project / "book" / "_build" / ".build.lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fh, fcntl.LOCK_UN)


def test_served_pages_carry_the_reload_script_and_the_error_banner(tmp_path):
    """The server alone, over a site made by hand: what it adds to a page, and nothing else."""
    from http.server import ThreadingHTTPServer

    from model.pipeline.serve import State, make_handler

    sites = tmp_path / "book" / "_build" / "sites"
    (sites / "abc123" / "css").mkdir(parents=True)
    page = '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><p>NPV 1.000</p></body></html>'
    (sites / "abc123" / "index.html").write_text(page)
    (sites / "abc123" / "css" / "a.css").write_text("p { color: black }")
    (tmp_path / "book" / "_build" / "html").symlink_to("sites/abc123")
    state = State(tmp_path)
    state.building = False
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"

    def get(path: str) -> tuple[str, str]:
        with urllib.request.urlopen(url + path, timeout=10) as r:
            return r.read().decode(), r.headers["Content-Type"]

    try:
        body, kind = get("")
        assert kind.startswith("text/html") and "<p>NPV 1.000</p>" in body
        script = body[body.index("<script>"):body.index("</script>")]
        assert '"abc123"' in script and "/__casebook__/status" in script and "http" not in script
        assert 'id="casebook-serve-error"' not in body.replace(script, "")
        assert get("css/a.css")[0] == "p { color: black }"  # other files as they are
        assert json.loads(get("__casebook__/status")[0]) == {"version": "abc123", "error": None, "building": False}
        state.error = "params/fbc3.yaml:12: benefits.level: <must be a number>"
        body, _ = get("index.html")
        banner = body[:body.index("<script>")]
        assert 'id="casebook-serve-error" role="alert"' in banner
        assert "params/fbc3.yaml:12: benefits.level: &lt;must be a number&gt;" in banner
        assert json.loads(get("__casebook__/status")[0])["error"] == state.error
    finally:
        server.shutdown()
        server.server_close()

"""Benchmark the book build: clean, no change, one params file changed; `casebook serve`'s time from
a save to the page showing it; what the dependence engine (which figures rest on assumptions) adds to
a clean build; how a clean build grows with the number of scenarios; and the added
time of --pdf.

    .venv/bin/python bench/build.py [--jobs 2] [--grid 30,60 | --grid none] [--pdf]

With --pdf, only the added time of --pdf (and the PDF's page count) is measured.

Runs in a scratch copy of the project. Peak memory comes from GNU time (`/usr/bin/time -v`, the
largest single process) and from sampling the whole process tree (every process added up).
The floor for a clean build is the kernel start-ups divided across the cores plus a full Sphinx build
(a build in which only Sphinx runs, with no Sphinx environment kept from before).
Times from a save to the page are measured against `casebook serve`: the benchmark saves a file and
polls the served page until it shows the new figure or text.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]


def copy_project(dest: Path) -> None:
    for name in ("params", "notebooks"):
        shutil.copytree(ROOT / name, dest / name)
    shutil.copytree(ROOT / "book", dest / "book", ignore=shutil.ignore_patterns("_build", "node_modules"))
    if (ROOT / "build" / "vendor").is_dir():  # reuse the npm install: we time the build, not npm
        shutil.copytree(ROOT / "build" / "vendor", dest / "build" / "vendor")


def sample_tree_rss(proc: subprocess.Popen, peak: list[int], stop: threading.Event) -> None:
    try:
        parent = psutil.Process(proc.pid)
    except psutil.NoSuchProcess:
        return
    while not stop.is_set():
        total = 0
        try:
            for p in [parent] + parent.children(recursive=True):
                try:
                    total += p.memory_info().rss
                except psutil.NoSuchProcess:
                    pass
        except psutil.NoSuchProcess:
            break
        peak[0] = max(peak[0], total)
        time.sleep(0.05)


def timed(project: Path, *args: str, env: dict[str, str] | None = None) -> dict:
    cmd = ["/usr/bin/time", "-v", sys.executable, "-m", "model.cli", *args]
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    peak, stop = [0], threading.Event()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    sampler = threading.Thread(target=sample_tree_rss, args=(proc, peak, stop), daemon=True)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"build failed: {err[-2000:]}")
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1))
    report = json.loads((project / "build" / "last-build.json").read_text())
    return {"seconds": seconds, "max_rss_mib": rss_kb / 1024, "tree_peak_mib": peak[0] / 2**20,
            "executed": report["executed"], "pages": report.get("pages_executed", []),
            "site_rebuilt": report["site_rebuilt"], "pdf_seconds": report.get("pdf_seconds", 0.0)}


class Serve:
    """`casebook serve --port 0` in the project, its whole process tree's memory sampled throughout."""

    def __init__(self, project: Path, jobs: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen([sys.executable, "-m", "model.cli", "serve", "--port", "0", "--jobs", jobs],
                                     cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True)
        self.lines: list[str] = []
        threading.Thread(target=lambda: self.lines.extend(self.proc.stdout), daemon=True).start()
        self.peak, self.stop = [0], threading.Event()
        threading.Thread(target=sample_tree_rss, args=(self.proc, self.peak, self.stop), daemon=True).start()
        deadline = time.monotonic() + 120
        self.url = None
        while self.url is None:
            found = [m.group(1) for ln in list(self.lines) if (m := re.search(r"serving (http://\S+/)", ln))]
            self.url = found[0] if found else None
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise SystemExit("casebook serve did not start:\n" + "".join(self.lines))
            time.sleep(0.1)
        self.wait_idle()

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path, timeout=30) as r:
            return r.read().decode()

    def wait_idle(self, timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while json.loads(self.get("__casebook__/status"))["building"]:
            if time.monotonic() > deadline:
                raise SystemExit("casebook serve: the build did not end")
            time.sleep(0.1)

    def seconds_until(self, page: str, text: str, save, timeout: float = 600) -> float:
        """Save (call `save`), then poll the page until it contains text: the seconds in between."""
        start = time.perf_counter()
        save()
        while text not in self.get(page):
            if time.perf_counter() - start > timeout or self.proc.poll() is not None:
                raise SystemExit(f"{page} never showed {text!r}:\n" + "".join(self.lines[-5:]))
            time.sleep(0.05)
        seconds = time.perf_counter() - start
        self.wait_idle()
        return seconds

    def close(self) -> None:
        self.proc.send_signal(signal.SIGINT)  # as Ctrl-C
        try:
            self.proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise SystemExit("casebook serve did not stop on SIGINT")
        finally:
            self.stop.set()


def serve_figures(project: Path, jobs: str) -> dict:
    """Seconds from a save to the served page showing it: a sensitivity scenario, fbc3, a chapter."""
    sys.path.insert(0, str(ROOT))
    from model.core.results import results
    from model.core.scenario import load_scenario

    def result(name: str) -> dict:
        return results(load_scenario(name, project / "params"))

    def edit(path: Path, old: str, new: str):
        text = path.read_text()
        assert old in text, (path, old)
        return lambda: path.write_text(text.replace(old, new, 1))

    server = Serve(project, jobs)
    try:
        half = result("fbc3_benefits_half")
        # benefits scale with the level: at 0.4 instead of 0.5 the NPV falls by a fifth of the PV of benefits
        npv = half["npv_gbp_m"] - half["pv_benefits_gbp_m"] / 5
        sensitivity = server.seconds_until(
            "scenarios/fbc3_benefits_half.html", f"{npv:,.3f}",
            edit(project / "params" / "fbc3_benefits_half.yaml", "    value: 0.5\n", "    value: 0.4\n"))
        sensitivity_run = json.loads((project / "build" / "last-build.json").read_text())
        tco = result("fbc3")["tco_gbp_m"] + 1.0  # one more £m on a Table 1 line
        fbc3 = server.seconds_until("scenarios/fbc3.html", f"{tco:,.3f}",
                                    edit(project / "params" / "fbc3.yaml", "by_fy: {FY23/24: 15.949}",
                                         "by_fy: {FY23/24: 16.949}"))
        sentence = "A sentence saved while the server runs."
        chapter = server.seconds_until("strategic.html", sentence,
                                       edit(project / "book" / "strategic.md", "## The systems CONNECT replaces",
                                            f"{sentence}\n\n## The systems CONNECT replaces"))
        chapter_run = json.loads((project / "build" / "last-build.json").read_text())
    finally:
        server.close()
    return {"sensitivity": sensitivity, "fbc3": fbc3, "chapter": chapter, "peak_mib": server.peak[0] / 2**20,
            "sensitivity_run": sensitivity_run, "chapter_run": chapter_run}


def grid_clean_build(sizes: list[int], jobs: str) -> dict[int, float]:
    """Clean builds with extra sensitivity scenarios on a benefit-level grid, up to each total size."""
    seconds = {}
    base = len(list((ROOT / "params").glob("*.yaml")))
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="casebook-bench-grid-") as tmp:
            project = Path(tmp) / "project"
            copy_project(project)
            template = (project / "params" / "fbc3_benefits_half.yaml").read_text()
            for i in range(size - base):
                level = 0.30 + 0.01 * i
                (project / "params" / f"grid_{i:03d}.yaml").write_text(
                    template.replace("value: 0.5\n", f"value: {level:.2f}\n")
                    .replace('title: "Sensitivity: benefits only 50% realised"',
                             f'title: "Grid: benefits {level:.0%} realised"'))
            seconds[size] = timed(project, "build", "--jobs", jobs)["seconds"]
    return seconds


def without_dependence(jobs: str) -> dict:
    """A clean build of a fresh copy with the dependence engine off (every figure then rests on no
    assumption; model.analysis.dependence.OFF_ENV): a clean build less this is what the dependence costs."""
    with tempfile.TemporaryDirectory(prefix="casebook-bench-nodep-") as tmp:
        project = Path(tmp) / "project"
        copy_project(project)
        return timed(project, "build", "--jobs", jobs, env={"CASEBOOK_DEPENDENCE": "off"})


def kernel_startup_seconds(project: Path) -> float:
    """papermill on a notebook with one empty cell: the cost of a kernel, nothing else."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("pass")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    src = project / "empty.ipynb"
    nbformat.write(nb, src)
    papermill = Path(sys.executable).parent / "papermill"
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        subprocess.run([str(papermill), str(src), str(project / "empty-out.ipynb"), "--no-progress-bar"],
                       check=True, capture_output=True, cwd=project)
        best = min(best, time.perf_counter() - start)
    return best


def pdf_measures(project: Path, jobs: str) -> tuple[dict, dict, dict]:
    """On a built project: a page change rebuilt by Sphinx from scratch (no Sphinx environment kept),
    the same change again with --pdf (whose report times the PDF step on its own), and --pdf alone on a
    site that is already built (staging, a full singlehtml build and the printing)."""
    page = project / "book" / "glossary.md"  # plain Markdown: no notebook to run
    page.write_text(page.read_text() + "\n<!-- bench: again, with no Sphinx environment kept -->\n")
    shutil.rmtree(project / "book" / "_build" / "incremental", ignore_errors=True)
    sphinx_only = timed(project, "build", "--jobs", jobs)
    page.write_text(page.read_text() + "\n<!-- bench: the same change, with --pdf -->\n")
    with_pdf = timed(project, "build", "--jobs", jobs, "--pdf")
    (project / "book" / "_build" / "pdf").joinpath(".connect-the-business-case-reproduced.pdf.key").unlink()
    pdf_only = timed(project, "build", "--jobs", jobs, "--pdf")
    return sphinx_only, with_pdf, pdf_only


def pdf_line(sphinx_only: dict, with_pdf: dict, pdf_only: dict) -> str:
    added = with_pdf["pdf_seconds"]  # its own step: the rest of that run is an incremental page rebuild
    sphinx = sphinx_only["seconds"]
    return (f"added time of --pdf = {added:.2f} s (the whole run {with_pdf['seconds']:.2f} s) against the "
            f"Sphinx-only rebuild's {sphinx:.2f} s: ratio {added / sphinx:.2f} (aim: at most 1); "
            f"--pdf alone on a built site {pdf_only['seconds']:.2f} s")


def pdf_only_report(jobs: str) -> None:
    with tempfile.TemporaryDirectory(prefix="casebook-bench-") as tmp:
        project = Path(tmp) / "project"
        copy_project(project)
        clean = timed(project, "build", "--jobs", jobs)
        sphinx_only, with_pdf, pdf_only = pdf_measures(project, jobs)
        pdf = project / "book" / "_build" / "pdf" / "connect-the-business-case-reproduced.pdf"
        pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        count = re.search(r"^Pages:\s+(\d+)", pages, re.M)
    print(f"casebook build --jobs {jobs} on {os.cpu_count()} cores: clean build {clean['seconds']:.2f} s")
    for label, r in (("rebuild, glossary.md changed (Sphinx, full)", sphinx_only),
                     ("rebuild, glossary.md changed, with --pdf", with_pdf),
                     ("--pdf on an unchanged site (PDF only)", pdf_only)):
        print(f"  {label:<44}{r['seconds']:>9.2f} s{r['max_rss_mib']:>8.0f} MiB max RSS")
    print(pdf_line(sphinx_only, with_pdf, pdf_only))
    if count:
        print(f"the PDF has {count.group(1)} pages")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--grid", default="30,60",
                        help="scenario counts for the growth measure (comma-separated), or 'none'")
    parser.add_argument("--pdf", action="store_true",
                        help="only the added time of --pdf: a clean build, a full Sphinx rebuild, the same "
                             "rebuild with --pdf, and --pdf alone on a built site")
    args = parser.parse_args()
    jobs = str(args.jobs)
    if args.pdf:
        pdf_only_report(jobs)
        return
    with tempfile.TemporaryDirectory(prefix="casebook-bench-") as tmp:
        project = Path(tmp) / "project"
        copy_project(project)
        clean = timed(project, "build", "--jobs", jobs)
        nochange = timed(project, "build", "--jobs", jobs)
        leaf = project / "params" / "fbc3.yaml"
        leaf.write_text(leaf.read_text().replace("Decision required", "Decision needed"))
        one_leaf = timed(project, "build", "--jobs", jobs)
        root_file = project / "params" / "fbc1.yaml"
        root_file.write_text(root_file.read_text().replace("The original business case",
                                                           "The first business case"))
        one_root = timed(project, "build", "--jobs", jobs)
        page = project / "book" / "glossary.md"  # plain Markdown: no notebook to run
        page.write_text(page.read_text() + "\n<!-- bench: a page change with no notebook to run -->\n")
        sphinx_incremental = timed(project, "build", "--jobs", jobs)
        sphinx_only, with_pdf, pdf_only = pdf_measures(project, jobs)
        kernel = kernel_startup_seconds(project)
        live = serve_figures(project, jobs)
    nodep = without_dependence(jobs)
    grid = {} if args.grid == "none" else grid_clean_build([int(n) for n in args.grid.split(",")], jobs)
    n = len(clean["executed"]) + len(clean["pages"])
    sphinx = sphinx_only["seconds"]
    floor = n * kernel / args.jobs + sphinx
    rows = [("clean build", clean), ("clean build, dependence off", nodep),
            ("rebuild, nothing changed", nochange),
            ("rebuild, fbc3.yaml changed", one_leaf), ("rebuild, fbc1.yaml changed", one_root),
            ("rebuild, glossary.md changed (Sphinx, incremental)", sphinx_incremental),
            ("rebuild, glossary.md changed (Sphinx, full)", sphinx_only),
            ("rebuild, glossary.md changed, with --pdf", with_pdf),
            ("--pdf on an unchanged site (PDF only)", pdf_only)]
    print(f"casebook build --jobs {jobs} on {os.cpu_count()} cores")
    print(f"{'case':<44}{'seconds':>9}{'x clean':>9}{'max RSS MiB':>13}{'tree MiB':>10}  scenarios run"
          "  (+ chapter notebooks)")
    for label, r in rows:
        print(f"{label:<44}{r['seconds']:>9.2f}{r['seconds'] / clean['seconds']:>9.3f}"
              f"{r['max_rss_mib']:>13.0f}{r['tree_peak_mib']:>10.0f}  {','.join(r['executed']) or '-'}"
              f"  (+{len(r['pages'])})")
    print(f"\nkernel start-up (papermill, empty notebook): {kernel:.2f} s")
    print(f"floor = {n} notebooks x {kernel:.2f} s / {args.jobs} workers + Sphinx {sphinx:.2f} s = {floor:.2f} s")
    print(f"clean build / floor = {clean['seconds'] / floor:.2f} (aim: at most 1.5)")
    dependence = clean["seconds"] - nodep["seconds"]
    print(f"dependence (clean build less a clean build with it off) = {dependence:.2f} s = "
          f"{dependence / clean['seconds']:.1%} of a clean build (aim: at most 15%)")
    print(f"no-change rebuild / clean build = {nochange['seconds'] / clean['seconds']:.1%} (aim: under 10%)")
    print(f"clean build peak memory, whole process tree = {clean['tree_peak_mib']:.0f} MiB (aim: under 1536)")
    c = clean["seconds"]
    srun, crun = live["sensitivity_run"], live["chapter_run"]
    print("\ncasebook serve, from saving a file to the served page showing it:")
    print(f"  fbc3_benefits_half.yaml: {live['sensitivity']:.2f} s = {live['sensitivity'] / c:.1%} of a clean build"
          f" (aim: at most 25%); executed {','.join(srun['executed'])} + {','.join(srun['pages_executed'])}")
    print(f"  fbc3.yaml:               {live['fbc3']:.2f} s = {live['fbc3'] / c:.1%} of a clean build")
    print(f"  strategic.md text:       {live['chapter']:.2f} s = {live['chapter'] / c:.1%} of a clean build"
          f" (aim: at most 15%); executed {','.join(crun['executed']) or '-'} + {','.join(crun['pages_executed'])}")
    print(f"  peak memory of casebook serve while rebuilding, whole process tree = {live['peak_mib']:.0f} MiB"
          " (aim: under 1536)")
    if grid:
        base = len(clean["executed"])
        points = sorted({base: c, **grid}.items())
        print("\nclean build by number of scenarios (extra ones on a benefit-level grid):")
        for n, secs in points:
            print(f"  {n:>4} scenarios: {secs:8.2f} s")
        steps = [(b_n, (b_s - a_s) / (b_n - a_n)) for (a_n, a_s), (b_n, b_s) in zip(points, points[1:])]
        for n, per in steps:
            print(f"  each scenario up to {n}: {per:.2f} s")
        if len(steps) >= 2:
            print(f"  past {steps[-2][0]} / before: {steps[-1][1] / steps[-2][1]:.2f} (aim: at most 1.3)")
    print(pdf_line(sphinx_only, with_pdf, pdf_only))


if __name__ == "__main__":
    main()

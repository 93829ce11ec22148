"""Benchmark the book build: clean, no change, one params file changed, and the added time of --pdf.
Prints times and ratios.

    .venv/bin/python bench/build.py [--jobs 2]

Runs in a scratch copy of the project. Peak memory comes from GNU time (`/usr/bin/time -v`, the
largest single process) and from sampling the whole process tree (every process added up).
The floor for a clean build is the kernel start-ups divided across the cores plus the Sphinx build.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
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


def timed(project: Path, *args: str) -> dict:
    cmd = ["/usr/bin/time", "-v", sys.executable, "-m", "model.cli", *args]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    jobs = str(args.jobs)
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
        sphinx_only = timed(project, "build", "--jobs", jobs)
        # the same page change again, now with --pdf: the difference from the run before is the added
        # time of --pdf (the singlehtml build reuses the HTML build's doctrees, then chromium prints)
        page.write_text(page.read_text() + "\n<!-- bench: the same change, with --pdf -->\n")
        with_pdf = timed(project, "build", "--jobs", jobs, "--pdf")
        # and --pdf on a site that is already built: staging, a full singlehtml build and the printing
        (project / "book" / "_build" / "pdf").joinpath(".connect-the-business-case-reproduced.pdf.key").unlink()
        pdf_only = timed(project, "build", "--jobs", jobs, "--pdf")
        kernel = kernel_startup_seconds(project)
    n = len(clean["executed"]) + len(clean["pages"])
    sphinx = sphinx_only["seconds"]
    floor = n * kernel / args.jobs + sphinx
    rows = [("clean build", clean), ("rebuild, nothing changed", nochange),
            ("rebuild, fbc3.yaml changed", one_leaf), ("rebuild, fbc1.yaml changed", one_root),
            ("rebuild, glossary.md changed (Sphinx only)", sphinx_only),
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
    print(f"clean build / floor = {clean['seconds'] / floor:.2f} (aim: at most 2)")
    print(f"no-change rebuild / clean build = {nochange['seconds'] / clean['seconds']:.1%} (aim: under 10%)")
    print(f"clean build peak memory, whole process tree = {clean['tree_peak_mib']:.0f} MiB (aim: under 1536)")
    added = with_pdf["seconds"] - sphinx
    print(f"added time of --pdf = {added:.2f} s (its own step {with_pdf['pdf_seconds']:.2f} s) against the "
          f"Sphinx-only rebuild's {sphinx:.2f} s: ratio {added / sphinx:.2f} (aim: at most 1); "
          f"--pdf alone on a built site {pdf_only['seconds']:.2f} s")


if __name__ == "__main__":
    main()

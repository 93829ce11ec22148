"""The pipeline: papermill per scenario, Jupyter Book, cache, failures, offline, the analyst's path."""

from __future__ import annotations

import json
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest

from model.pipeline.build import read_glue

from .conftest import ROOT, cli_json
from .pipeline_helpers import (VENV_BIN, casebook, clone_built, last_build,
                               site_digest)

SCENARIOS = sorted(p.stem for p in (ROOT / "params").glob("*.yaml"))


def extending(name: str, params: Path = ROOT / "params") -> list[str]:
    """The scenario and every scenario of `params` whose `extends` chain includes it."""
    from model.core.params import read_chain

    return sorted(s.stem for s in params.glob("*.yaml") if name in [lvl for lvl, _ in read_chain(params, s.stem)])


def test_full_build_has_a_page_per_scenario(built):
    html = built / "book" / "_build" / "html"
    assert (html / "index.html").is_file()
    for name in SCENARIOS:
        page = html / "scenarios" / f"{name}.html"
        assert page.is_file()
        assert "Headline figures" in page.read_text()
    report = last_build(built)
    assert sorted(report["executed"]) == SCENARIOS and report["site_rebuilt"]
    for chapter in ("strategic", "economic", "commercial", "financial", "management", "comparison",
                    "appendix_register", "appendix_reconciliation", "appendix_method", "glossary"):
        assert (html / f"{chapter}.html").is_file(), chapter


def test_no_executed_cell_shows_an_error(built):
    for nb_path in (built / "build" / "runs").glob("*.ipynb"):
        nb = nbformat.read(nb_path, as_version=4)
        errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
        assert not errors, nb_path
        assert any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)


def test_each_scenario_page_glues_its_own_results(built):
    for name in SCENARIOS:
        glued = read_glue(built / "build" / "runs" / f"{name}.ipynb")
        expected = cli_json("results", name)
        assert glued["npv_gbp_m"] == pytest.approx(expected["npv_gbp_m"], abs=1e-9)
        assert glued["tco_gbp_m"] == pytest.approx(expected["tco_gbp_m"], abs=1e-9)


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "link", "img", "iframe", "source", "video", "audio"):
            for name, value in attrs:
                if name in ("src", "href") and value:
                    self.refs.append((tag, value))


def test_site_loads_nothing_from_another_host(built):
    html = built / "book" / "_build" / "html"
    pages = [p for p in html.rglob("*.html") if "_static" not in p.relative_to(html).parts]
    assert len(pages) >= 4
    checked = 0
    for page in pages:
        parser = _Refs()
        parser.feed(page.read_text())
        for tag, ref in parser.refs:
            checked += 1
            parsed = urlparse(ref)
            assert not parsed.scheme.startswith("http") and not ref.startswith("//"), (page.name, tag, ref)
            if tag == "script" and not parsed.scheme:
                assert (page.parent / parsed.path).resolve().is_file(), (page.name, ref)
    assert checked > 20


def test_no_build_machine_paths_in_the_site(built):
    for page in (built / "book" / "_build" / "html").rglob("*.html"):
        text = page.read_text()
        assert str(built) not in text and str(ROOT) not in text, page


def test_rebuild_with_nothing_changed_executes_nothing(built, tmp_path):
    project = clone_built(built, tmp_path / "p")
    before = site_digest(project)
    proc = casebook(project, "build")
    assert proc.returncode == 0, proc.stderr
    report = last_build(project)
    assert report["executed"] == [] and report["site_rebuilt"] is False
    assert site_digest(project) == before


def test_changing_one_params_file_reexecutes_it_and_its_children(built_example, tmp_path):
    """What a params edit re-executes is the pipeline's cache, not CONNECT's content: this builds the
    starting case of `casebook new`, whose chain has CONNECT's shape (a first version, a later version
    extending it, and two options extending that) at a fraction of the cost of CONNECT's book."""
    # CONNECT's chain: FBC1 <- FBC2 <- FBC3 <- the options and the sensitivities
    assert "fbc1" not in extending("fbc2") and {"fbc2", "fbc3", "do_minimum"} <= set(extending("fbc2"))
    project = clone_built(built_example, tmp_path / "p")
    params = project / "params"
    everything = sorted(p.stem for p in params.glob("*.yaml"))
    # the example's: outline <- preferred <- do_minimum, business_as_usual
    assert extending("preferred", params) == ["business_as_usual", "do_minimum", "preferred"]
    assert extending("outline", params) == everything == ["business_as_usual", "do_minimum", "outline", "preferred"]
    # a version in the middle of the chain: it and the scenarios that extend it, and no other
    preferred = params / "preferred.yaml"
    text = preferred.read_text()
    assert "    value: 12.0\n" in text
    preferred.write_text(text.replace("    value: 12.0\n", "    value: 12.5\n", 1))
    proc = casebook(project, "build")
    assert proc.returncode == 0, proc.stderr
    assert sorted(last_build(project)["executed"]) == extending("preferred", params)
    # the first version: every scenario, those that extend it through another one too
    outline = params / "outline.yaml"
    text = outline.read_text()
    assert "Approve the outline business case (example)" in text
    outline.write_text(text.replace("Approve the outline business case (example)",
                                    "Approve the outline business case (an example)"))
    assert casebook(project, "build").returncode == 0
    assert sorted(last_build(project)["executed"]) == extending("outline", params)
    # an option that nothing extends re-executes alone (not its sibling)
    option = params / "do_minimum.yaml"
    text = option.read_text()
    assert "first delivery only (example)\"" in text
    option.write_text(text.replace("first delivery only (example)\"", "first delivery only (example) \""))
    assert casebook(project, "build").returncode == 0
    assert last_build(project)["executed"] == ["do_minimum"]
    # --force executes everything
    assert casebook(project, "build", "--force").returncode == 0
    assert sorted(last_build(project)["executed"]) == everything


def test_bad_params_fail_and_leave_the_site_untouched(built, tmp_path):
    project = clone_built(built, tmp_path / "p")
    before = site_digest(project)
    fbc3 = project / "params" / "fbc3.yaml"
    fbc3.write_text(fbc3.read_text().replace("value: -144.630", "value: minus a lot"))
    proc = casebook(project, "build")
    assert proc.returncode == 2
    assert "fbc3.yaml" in proc.stderr and "published.npv_fbc3_gbp_m" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert site_digest(project) == before


def test_a_failing_cell_is_reported_with_scenario_and_cell(built, tmp_path):
    project = clone_built(built, tmp_path / "p")
    before = site_digest(project)
    nb_path = project / "notebooks" / "scenario.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells.insert(5, nbformat.v4.new_code_cell('raise ValueError("the model refused")'))
    nbformat.write(nb, nb_path)
    proc = casebook(project, "build", "--jobs", "1")
    assert proc.returncode == 1
    err = proc.stderr.strip().splitlines()[-1]
    assert "scenario " in err and "cell 6" in err and "ValueError: the model refused" in err
    assert site_digest(project) == before
    # the next good build succeeds
    nb.cells.pop(5)
    nbformat.write(nb, nb_path)
    assert casebook(project, "build").returncode == 0


def test_plain_papermill_gives_the_same_npv_as_the_cli(tmp_path):
    out = tmp_path / "out.ipynb"
    proc = subprocess.run(
        [str(VENV_BIN / "papermill"), "notebooks/scenario.ipynb", str(out), "-p", "scenario", "fbc3",
         "-y", json.dumps({"overrides": {"appraisal.discount_rate": 0.03}})],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    glued = read_glue(out)
    expected = cli_json("results", "fbc3", "--set", "appraisal.discount_rate=0.03")
    assert glued["npv_gbp_m"] == pytest.approx(expected["npv_gbp_m"], abs=1e-9)
    assert glued["npv_gbp_m"] != pytest.approx(-144.63, abs=0.01)  # the override took effect


def test_casebook_run_prints_path_and_headlines(tmp_path):
    out = tmp_path / "fbc1-run.ipynb"
    proc = subprocess.run([str(VENV_BIN / "casebook"), "run", "fbc1", "--set",
                           "appraisal.optimism_bias_capital=0.2", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == str(out) and out.is_file()
    expected = cli_json("results", "fbc1", "--set", "appraisal.optimism_bias_capital=0.2")
    npv_line = next(line for line in lines if "npv_gbp_m" in line)
    assert float(npv_line.split()[-1].replace(",", "")) == pytest.approx(expected["npv_gbp_m"], abs=5e-4)

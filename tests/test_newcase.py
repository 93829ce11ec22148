"""`casebook new`, `casebook schema` and the layers contract, from outside the repository."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path

import jsonschema
import pytest
import yaml

from model.core.schema import Benefits

from .conftest import PARAMS, ROOT, run_cli
from .pipeline_helpers import casebook, notebook_errors

# the tests of this file share a module fixture: they run in one process under `pytest -n` (--dist loadgroup)
pytestmark = pytest.mark.xdist_group("test_newcase")


LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
CONTRACT = "Layers: a lower layer never imports a higher one"
#: The starting case is written in the deliveries syntax of the benefits (benefits.deliveries); until
#: the loader reads it, the case cannot be loaded.
DELIVERIES = "deliveries" in Benefits.model_fields
needs_deliveries = pytest.mark.skipif(not DELIVERIES, reason="the loader does not read benefits.deliveries yet")


def casebook_in(folder: Path, *args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    return casebook(folder, *args, timeout=timeout)


@pytest.fixture(scope="module")
def file_schema() -> dict:
    proc = run_cli("schema")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


# --- casebook schema --------------------------------------------------------------------------------

def test_schema_accepts_every_params_file_of_the_repository(file_schema):
    validator = jsonschema.Draft202012Validator(file_schema)
    files = sorted(PARAMS.glob("*.yaml"))
    assert len(files) >= 9
    for path in files:
        errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(yaml.safe_load(path.read_text()))]
        assert errors == [], path.name


@pytest.mark.parametrize("file, where, misspelt", [
    ("fbc3", (), "trainng"), ("fbc1", ("benefits",), "rampup_years"),
    ("fbc1", ("appraisal", "discount_rate"), "valeu"), ("fbc3", ("uncertainty", "benefit_level"), "distributon"),
    ("fbc3_drop2_slip", (), "extend")])
def test_schema_rejects_a_misspelt_key(file_schema, file, where, misspelt):
    data = yaml.safe_load((PARAMS / f"{file}.yaml").read_text())
    node = data
    for key in where:
        node = node[key]
    node[misspelt] = 1.0
    errors = list(jsonschema.Draft202012Validator(file_schema).iter_errors(data))
    assert [list(e.path) for e in errors] == [list(where)]
    assert f"'{misspelt}' was unexpected" in errors[0].message


def test_schema_of_a_resolved_scenario_requires_what_the_loader_requires():
    proc = run_cli("schema", "--scenario")
    assert proc.returncode == 0, proc.stderr
    schema = json.loads(proc.stdout)
    assert {"title", "description", "appraisal", "costs", "benefits"} <= set(schema["required"])
    assert "extends" not in schema["properties"]  # resolved: no extends chain left
    with pytest.raises(jsonschema.ValidationError):  # a file that extends gives only what it changes
        jsonschema.validate(yaml.safe_load((PARAMS / "fbc3_drop2_slip.yaml").read_text()), schema)


def test_the_sources_schema_accepts_the_declarations_and_refuses_a_misspelt_key(tmp_path):
    proc = run_cli("schema", "--sources")
    assert proc.returncode == 0, proc.stderr
    schema = json.loads(proc.stdout)
    declaration = yaml.safe_load((PARAMS / "sources" / "sources.yaml").read_text())
    jsonschema.validate(declaration, schema)
    first = next(iter(declaration["documents"].values()))
    first["not_usd"] = first.pop("not_used")
    with pytest.raises(jsonschema.ValidationError, match="'not_usd' was unexpected"):
        jsonschema.validate(declaration, schema)


def test_the_params_reference_lists_every_key_with_its_unit_and_meaning():
    from model.core.schema_json import reference_rows

    rows = {r["key"]: r for r in reference_rows()}
    assert [k for k, r in rows.items() if not r["meaning"]] == []
    assert rows["appraisal.first_fy"]["unit"] == "fy_start"
    assert rows["benefits.annual_steady_state_gbp_m"]["unit"] == "gbp_m"
    assert rows["costs.<name>.lines"]["type"] == "mapping of Line"
    assert rows["extends"]["type"] == "string" and rows["calibration[].target"]["type"] == "string"
    assert "(Quantity) why" in rows and "uncertainty.<name>.why" not in rows  # provenance listed once


# --- casebook new -----------------------------------------------------------------------------------

def test_new_writes_the_case_with_schema_headers(tmp_path, file_schema):
    case = tmp_path / "my case"
    proc = casebook_in(tmp_path, "new", str(case), "--title", 'Depot "B" renewal')
    assert proc.returncode == 0, proc.stderr
    # the book lists the packaged comparison and page API reference, and the message points to both
    from model.pipeline.packaged import toc_pages

    assert {"comparison", "api_reference", "economic_analysis"} <= toc_pages(case / "book")
    assert "comparison.html" in proc.stdout and "api_reference.html" in proc.stdout
    assert "api_reference.html" in (case / "README.md").read_text()
    assert {"params", "book", "schema", "README.md", "Makefile"} <= {p.name for p in case.iterdir()}
    assert not (case / "model").exists()
    assert yaml.safe_load((case / "book" / "_config.yml").read_text())["title"] == 'Depot "B" renewal'
    assert json.loads((case / "schema" / "params.schema.json").read_text()) == file_schema
    sources = case / "params" / "sources" / "sources.yaml"
    first = sources.read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../schema/sources.schema.json"
    jsonschema.validate(yaml.safe_load(sources.read_text()),
                        json.loads((case / "schema" / "sources.schema.json").read_text()))
    params = sorted((case / "params").glob("*.yaml"))
    # two versions in one extends chain (the preferred option extends the outline business case), so
    # that the packaged comparison of the versions has a bridge to show
    assert [p.stem for p in params] == ["business_as_usual", "do_minimum", "outline", "preferred"]
    assert yaml.safe_load((case / "params" / "preferred.yaml").read_text())["extends"] == "outline"
    for path in params:
        first = path.read_text().splitlines()[0]
        schema_path = first.removeprefix("# yaml-language-server: $schema=")
        assert first != schema_path and (path.parent / schema_path).resolve() == case / "schema" / "params.schema.json"
        data = yaml.safe_load(path.read_text())
        errors = [e.message for e in jsonschema.Draft202012Validator(file_schema).iter_errors(data)]
        # until the loader reads benefits.deliveries, its schema refuses that one key and nothing else
        assert errors == ([] if DELIVERIES or path.stem != "outline"  # (the first version declares them)
                          else ["Additional properties are not allowed ('deliveries' was unexpected)"])
    # every value is labelled: a source in the declared example document, or an example assumption
    text = (case / "params" / "preferred.yaml").read_text()
    declared = yaml.safe_load((case / "params" / "sources" / "sources.yaml").read_text())["documents"]
    cited = set(re.findall(r'source: "([^",]+),', text))
    assert cited and cited <= set(declared) and all((case / "params" / "sources" / f).is_file() for f in cited)
    labelled = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("assumption") is True or "value" in node or "by_fy" in node:
                labelled.append(node.get("source") or node.get("why"))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in params:
        walk(yaml.safe_load(path.read_text()))
    assert len(labelled) > 30
    assert [w for w in labelled if not (w.startswith("Example value") or w.split(",")[0] in declared)] == []
    make = (case / "Makefile").read_text()
    assert re.search(r"^book:\n\t\$\(CASEBOOK\) build$", make, re.M)
    assert re.search(r"^test:\n\t\$\(CASEBOOK\) check$", make, re.M)


@pytest.mark.parametrize("content", ["file", "folder"])
def test_new_refuses_a_path_that_is_not_empty(tmp_path, content):
    target = tmp_path / "taken"
    if content == "file":
        target.write_text("x")
    else:
        target.mkdir()
        (target / "notes.txt").write_text("keep me")
    proc = casebook_in(tmp_path, "new", str(target))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [f"casebook: error: {str(target)!r} exists and is not empty: "
                                                "give a new folder"]
    assert "Traceback" not in proc.stderr
    if content == "folder":
        assert [p.name for p in target.iterdir()] == ["notes.txt"]


def test_new_into_an_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    proc = casebook_in(tmp_path, "new", "empty")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "empty" / "params" / "preferred.yaml").is_file()




def _page_text(page: Path) -> str:
    """A built page's text as a reader sees it: no tags, scripts or styles, spaces collapsed."""
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", page.read_text(), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", raw)).split())


def _figure(page: Path, figure_id: str) -> str:
    """The HTML of one numbered figure of a built page (empty if the page has none by that id)."""
    html = page.read_text()
    at = html.find(f'<figure class="align-default" id="{figure_id}">')
    return "" if at < 0 else html[at:html.index("</figure>", at)]


@needs_deliveries
def test_a_new_case_builds_outside_the_repository(tmp_path):
    from model.pipeline.build import read_glue
    from model.report.bookviews import money  # the book's format: £12.0m, −£1.5m

    case = tmp_path / "case"
    assert casebook_in(tmp_path, "new", str(case), "--title", "Example").returncode == 0
    proc = casebook_in(case, "build", "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    html = case / "book" / "_build" / "html"
    assert proc.stdout.strip().splitlines()[-1] == str(html / "index.html")

    def cli_json(*args: str):
        done = casebook_in(case, *args, "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    # a page for every scenario the case declares, each under its own title
    scenarios = {p.stem: yaml.safe_load(p.read_text()) for p in sorted((case / "params").glob("*.yaml"))}
    assert sorted(scenarios) == ["business_as_usual", "do_minimum", "outline", "preferred"]
    for name, data in scenarios.items():
        page = html / "scenarios" / f"{name}.html"
        assert page.is_file(), name
        assert data["title"] in _page_text(page), name
    for page in ("appendix_register", "appendix_reconciliation", "appendix_method", "appendix_coverage",
                 "glossary", "params_reference", "strategic", "economic_analysis", "comparison", "api_reference"):
        assert (html / f"{page}.html").is_file(), page

    # the calibrated NPV is the published one, in the results and on the pages; business as usual is
    # zero by construction
    published = scenarios["preferred"]["published"]["npv_gbp_m"]["value"]
    assert published == 12.0
    res = cli_json("results", "preferred")
    assert res["npv_gbp_m"] == pytest.approx(published, abs=1e-6)
    # each level of the chain is calibrated to its own published NPV: the outline case's, then this one's
    outline = scenarios["outline"]["published"]["npv_outline_gbp_m"]["value"]
    assert [c["target_value"] for c in res["calibrated"]] == [outline, published]
    assert cli_json("results", "outline")["npv_gbp_m"] == pytest.approx(outline, abs=1e-6)
    preferred_page = _page_text(html / "scenarios" / "preferred.html")
    assert re.search(r"Net present value \(NPV\), the paper's measure (?:† \([^)]*\) )?12\.000 £m", preferred_page)
    bau = cli_json("results", "business_as_usual")
    assert bau["npv_gbp_m"] == pytest.approx(0.0, abs=1e-9) and bau["tco_gbp_m"] == 0.0
    front = _page_text(html / "index.html")
    assert "has an NPV of £12.0m over the appraisal period" in front

    # no cell shows an error, in the notebooks or on the pages, and Sphinx found every glued key
    executed = sorted((case / "build" / "runs").rglob("*.ipynb"))
    # four scenarios; the front page, the economic analysis, the comparison of the versions, the page API
    # reference and the five notebook appendices (strategic and glossary are text)
    assert len(executed) == 4 + 9
    assert [msg for nb in executed if ".failed" not in nb.name for msg in notebook_errors(nb)] == []
    pages = sorted(html.rglob("*.html"))
    assert [p.name for p in pages if "Traceback" in p.read_text() or 'class="output error"' in p.read_text()
            or 'class="output stderr"' in p.read_text()] == []
    log = "".join(p.read_text() for p in (case / "book" / "_build").rglob("sphinx.log"))
    assert "glue key" not in log and "WARNING" not in log

    # the economic analysis shows the options, the tornado, the switching values, the Monte Carlo and the
    # what-if for this case, with the figures the command line gives
    econ = html / "economic_analysis.html"
    text = _page_text(econ)
    glued = read_glue(case / "build" / "runs" / "pages" / "economic_analysis.ipynb")
    options = text[text.index("Options #"):text.index("Tornado #")]
    for name in ("do_minimum", "preferred"):
        npv = cli_json("results", name)["green_book"]["npv_gbp_m"]
        assert f"{npv:.3f}" in options, name
    assert scenarios["do_minimum"]["title"] in options and "The case as published (PREFERRED)" in options
    assert "Business as usual (reference)" in options
    tornado = cli_json("tornado", "preferred")
    # the preferred option inherits its uncertain inputs from the outline business case it extends
    uncertain = scenarios["outline"]["uncertainty"]
    labels = [v["label"] for v in uncertain.values()]
    assert sorted(r["label"] for r in tornado if r["range"] == "declared") == sorted(labels)
    # and every other labelled assumption that moves its NPV, at its default range (as on the page)
    assert glued["unc_unknowns"].split()[0] == str(sum(r["range"] == "default" for r in tornado))
    assert glued["unc_top_input"] == tornado[0]["label"].lower()
    assert glued["unc_top_swing"] == money(tornado[0]["swing_gbp_m"])
    chart = _figure(econ, "fig-analysis-tornado")
    assert "vega-embed" in chart and all(f'"input": "{label}"' in chart for label in labels)
    switching = cli_json("switching", "preferred")
    assert glued["unc_switching_inputs"] == len(labels)
    assert glued["unc_switching_found"] == sum(r["switching_value"] is not None for r in switching)
    # read without the assumption markers, which now follow the cells that move (base and switching values)
    unmarked = " ".join(unescape(re.sub(r"<[^>]+>", " ", re.sub(
        r'<a class="casebook-assumption".*?</a>', "", econ.read_text(), flags=re.S))).split())
    table = unmarked[unmarked.index("Switching values #"):unmarked.index("Monte Carlo #")]
    assert [r["parameter"] for r in switching] == [v["parameter"] for v in uncertain.values()]
    for r in switching:  # each row: its base and switching values (places=4), then the range searched
        assert f"{r['base_value']:.4f} {r['switching_value']:.4f}" in table, r["parameter"]
    for v in uncertain.values():
        assert f"{v['search'][0]:g} to {v['search'][1]:g}" in table
    mc = cli_json("montecarlo", "preferred", "--draws", "20000", "--seed", "20231207")
    assert glued["unc_draws"] == "20,000"
    assert [glued[f"unc_{q}"] for q in ("mean", "p10", "p50", "p90")] == \
        [money(mc[f"npv_{q}_gbp_m"]) for q in ("mean", "p10", "p50", "p90")]
    for words, q in (("a mean of ", "mean"), ("a P10 of ", "p10"), ("a median of ", "p50"), ("a P90 of ", "p90")):
        assert text[text.index(words) + len(words):].startswith(money(mc[f"npv_{q}_gbp_m"])), words
    assert "vega-embed" in _figure(econ, "fig-analysis-montecarlo")
    what_if = _figure(econ, "fig-analysis-whatif")
    assert what_if.count('"input": "range"') == 4  # four sliders: rate, benefit level, the two biases


@needs_deliveries
def test_a_misspelt_key_in_a_new_case_is_one_line_with_exit_2(tmp_path):
    case = tmp_path / "case"
    assert casebook_in(tmp_path, "new", str(case)).returncode == 0
    path = case / "params" / "preferred.yaml"
    lines = path.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("  ramp_up_years:"))
    lines[at] = lines[at].replace("ramp_up_years", "rampup_years")
    path.write_text("\n".join(lines) + "\n")
    for args in (("check",), ("results", "preferred"), ("build",)):
        proc = casebook_in(case, *args)
        assert proc.returncode == 2, args
        errors = proc.stderr.strip().splitlines()
        assert errors == [f"casebook: error: params/preferred.yaml:{at + 1}: benefits.rampup_years: unknown "
                          "key (did you mean ramp_up_years?)"], args


# --- the layers contract ----------------------------------------------------------------------------

def _lint_copy(tmp_path: Path, extra_import: str | None) -> subprocess.CompletedProcess:
    work = tmp_path / ("broken" if extra_import else "clean")
    shutil.copytree(ROOT / "model", work / "model", ignore=shutil.ignore_patterns("__pycache__", "data"))
    shutil.copy2(ROOT / "pyproject.toml", work / "pyproject.toml")
    if extra_import:
        fy = work / "model" / "core" / "fy.py"
        fy.write_text(fy.read_text() + f"\n{extra_import}\n")
    env = {**os.environ, "PYTHONPATH": str(work)}
    return subprocess.run([str(LINT_IMPORTS)], cwd=work, env=env, capture_output=True, text=True, timeout=300)


def test_the_layers_contract_fails_when_core_imports_the_cli(tmp_path):
    clean = _lint_copy(tmp_path, None)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    broken = _lint_copy(tmp_path, "import model.cli  # a lower layer importing the top one")
    assert broken.returncode != 0
    out = broken.stdout + broken.stderr
    assert f"{CONTRACT} BROKEN" in out
    assert "model.core.fy -> model.cli" in out


# --- package data -----------------------------------------------------------------------------------

def test_a_wheel_carries_the_notebook_the_generic_chapters_and_the_site_assets(tmp_path):
    """A plain (non-editable) install has everything a case needs besides the case itself."""
    import zipfile

    from model.pipeline.packaged import DATA_DIR

    src = tmp_path / "src"
    shutil.copytree(ROOT / "model", src / "model", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation",
                           "-q", "-w", str(tmp_path / "dist")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    (wheel,) = (tmp_path / "dist").glob("casebook-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"model/pipeline/data/{p.relative_to(DATA_DIR).as_posix()}" for p in DATA_DIR.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts}
    assert {"model/pipeline/data/notebooks/scenario.ipynb", "model/pipeline/data/book/_static/casebook.js",
            "model/pipeline/data/book/vendor/package-lock.json", "model/pipeline/data/book/appendix_register.md",
            "model/pipeline/data/newcase/params/preferred.yaml"} <= expected
    assert expected <= names
    # the repository's notebook, for plain papermill, is the packaged one
    assert (ROOT / "notebooks" / "scenario.ipynb").resolve() == DATA_DIR / "notebooks" / "scenario.ipynb"

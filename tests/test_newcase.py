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
import nbformat
import pytest
import yaml

from model.core.schema import Benefits

from .conftest import PARAMS, ROOT, run_cli

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
CONTRACT = "Layers: a lower layer never imports a higher one"
#: The starting case is written in the deliveries syntax of the benefits (benefits.deliveries); until
#: the loader reads it, the case cannot be loaded.
DELIVERIES = "deliveries" in Benefits.model_fields
needs_deliveries = pytest.mark.skipif(not DELIVERIES, reason="the loader does not read benefits.deliveries yet")


def casebook_in(folder: Path, *args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "model.cli", *args], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=timeout)


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
    assert [p.stem for p in params] == ["business_as_usual", "do_minimum", "preferred"]
    for path in params:
        first = path.read_text().splitlines()[0]
        schema_path = first.removeprefix("# yaml-language-server: $schema=")
        assert first != schema_path and (path.parent / schema_path).resolve() == case / "schema" / "params.schema.json"
        data = yaml.safe_load(path.read_text())
        errors = [e.message for e in jsonschema.Draft202012Validator(file_schema).iter_errors(data)]
        # until the loader reads benefits.deliveries, its schema refuses that one key and nothing else
        assert errors == ([] if DELIVERIES or path.stem != "preferred"
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


def _error_outputs(notebook: Path) -> list[str]:
    nb = nbformat.read(notebook, as_version=4)
    bad = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("text", "") if out.get("output_type") == "stream" else ""
            if out.get("output_type") == "error" or "Traceback" in text or "Error" in text \
                    or "glue key" in text:
                bad.append(f"{notebook.name}: {out.get('ename') or text[:200]}")
    return bad


@needs_deliveries
def test_a_new_case_builds_outside_the_repository(tmp_path):
    case = tmp_path / "case"
    assert casebook_in(tmp_path, "new", str(case), "--title", "Example").returncode == 0
    proc = casebook_in(case, "build", "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    html = case / "book" / "_build" / "html"
    assert proc.stdout.strip().splitlines()[-1] == str(html / "index.html")
    for name in ("preferred", "do_minimum", "business_as_usual"):
        assert (html / "scenarios" / f"{name}.html").is_file()
    for page in ("appendix_register", "appendix_reconciliation", "appendix_method", "appendix_coverage",
                 "glossary", "params_reference", "strategic", "economic_analysis"):
        assert (html / f"{page}.html").is_file(), page
    # the calibrated NPV is the published one; business as usual is zero by construction
    res = json.loads(casebook_in(case, "results", "preferred", "--json").stdout)
    assert res["npv_gbp_m"] == pytest.approx(12.0, abs=1e-6)
    bau = json.loads(casebook_in(case, "results", "business_as_usual", "--json").stdout)
    assert bau["npv_gbp_m"] == pytest.approx(0.0, abs=1e-9) and bau["tco_gbp_m"] == 0.0
    executed = sorted((case / "build" / "runs").rglob("*.ipynb"))
    # three scenarios; the front page, the economic analysis and the five notebook appendices (strategic
    # and glossary are text)
    assert len(executed) == 3 + 7
    assert [msg for nb in executed if ".failed" not in nb.name for msg in _error_outputs(nb)] == []
    log = "".join(p.read_text() for p in (case / "book" / "_build").rglob("sphinx.log"))
    assert "glue key" not in log and "WARNING" not in log
    front = " ".join(unescape(re.sub(r"<[^>]+>", " ", (html / "index.html").read_text())).split())
    assert "has an NPV of £12.0m over the appraisal period" in front


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

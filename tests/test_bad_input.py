"""Each kind of bad input: one line naming the file, the key and the line; exit code 2; no traceback."""

from pathlib import Path

import pytest

from .conftest import run_cli


def edit(path: Path, old: str, new: str) -> int:
    """Replace one exact snippet; return the 1-based line where it starts."""
    text = path.read_text()
    assert text.count(old) == 1, old
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new))
    return line


def assert_one_line_error(proc, *fragments: str) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    err = proc.stderr.strip()
    assert "Traceback" not in proc.stderr and len(err.splitlines()) == 1, proc.stderr
    assert err.startswith("casebook: error: ")
    for f in fragments:
        assert f in err, (f, err)
    return err


def test_yaml_syntax_error(params_copy):
    line = edit(params_copy / "fbc2.yaml", "title: \"FBC2: CONNECT FBC Update (2022)\"",
                "title: [unclosed")
    err = assert_one_line_error(run_cli("results", "fbc2", "--params", str(params_copy)), "fbc2.yaml:")
    assert "YAML syntax error" in err
    assert f"fbc2.yaml:{line}" in err or f"fbc2.yaml:{line + 1}" in err


def test_unknown_key(params_copy):
    line = edit(params_copy / "fbc1.yaml", "  gdp_deflator:\n", "  gdp_deflater:\n")
    assert_one_line_error(run_cli("results", "fbc1", "--params", str(params_copy)),
                          f"fbc1.yaml:{line}", "appraisal.gdp_deflater", "unknown key")


def test_wrong_type(params_copy):
    line = edit(params_copy / "fbc3.yaml", "by_fy: {FY23/24: 15.949}", "by_fy: {FY23/24: lots}")
    assert_one_line_error(run_cli("results", "fbc3", "--params", str(params_copy)),
                          "fbc3.yaml:", "costs.fbc3_capital_request.lines.delay", "finite number")


def test_published_fact_without_source(params_copy):
    edit(params_copy / "fbc3.yaml",
         '    value: -144.630\n    unit: gbp_m\n    source: "001_86d069ffb4d8e356.txt, Part 2 para 21"\n',
         "    value: -144.630\n    unit: gbp_m\n")
    text = (params_copy / "fbc3.yaml").read_text()
    line = text[: text.index("  npv_fbc3_gbp_m:")].count("\n") + 1
    assert_one_line_error(run_cli("check", "--params", str(params_copy)),
                          f"fbc3.yaml:{line}", "published.npv_fbc3_gbp_m", "no provenance")


def test_source_must_name_a_seed_document(params_copy):
    edit(params_copy / "fbc2.yaml", 'source: "000_dfcf8106c0ed4cbe.txt, para 4.1"',
         'source: "somewhere on the web"')
    assert_one_line_error(run_cli("results", "fbc2", "--params", str(params_copy)),
                          "fbc2.yaml:", "published.pcr_threshold_gbp", "source must be")


def test_assumption_without_why(params_copy):
    edit(params_copy / "fbc1.yaml",
         '    why: "Benefits are taken to start at go-live; kept as a parameter for sensitivity analysis"\n', "")
    assert_one_line_error(run_cli("results", "fbc1", "--params", str(params_copy)),
                          "fbc1.yaml:", "benefits.start_delay_months", "without `why`")


def test_financial_year_outside_the_period(params_copy):
    line = edit(params_copy / "fbc3.yaml", "by_fy: {FY23/24: 15.949}", "by_fy: {FY28/29: 15.949}")
    assert_one_line_error(run_cli("results", "fbc3", "--params", str(params_copy)),
                          f"fbc3.yaml:{line}", "costs.fbc3_capital_request.lines.delay.by_fy.FY28/29",
                          "outside the appraisal period")


def test_extends_cycle(params_copy):
    line = edit(params_copy / "fbc1.yaml", "title: \"FBC1: MiPS Full Business Case (2018)\"\n",
                "title: \"FBC1: MiPS Full Business Case (2018)\"\nextends: fbc3\n") + 1
    assert_one_line_error(run_cli("results", "fbc3", "--params", str(params_copy)),
                          f"fbc1.yaml:{line}", "extends", "cycle", "fbc3 -> fbc2 -> fbc1 -> fbc3")


def test_unknown_parent(params_copy):
    line = edit(params_copy / "fbc2.yaml", "extends: fbc1\n", "extends: fbc0\n")
    assert_one_line_error(run_cli("results", "fbc2", "--params", str(params_copy)),
                          f"fbc2.yaml:{line}", "extends", "unknown parent scenario 'fbc0'")


def test_unknown_scenario():
    assert_one_line_error(run_cli("results", "fbc9"), "unknown scenario 'fbc9'", "fbc1, fbc2, fbc3")


def test_python_object_tag(params_copy):
    line = edit(params_copy / "fbc1.yaml", "    value: 0.02\n",
                "    value: !!python/object/apply:os.system [\"echo pwned\"]\n")
    proc = run_cli("results", "fbc1", "--params", str(params_copy))
    assert "pwned" not in proc.stdout
    assert_one_line_error(proc, f"fbc1.yaml:{line}", "python/object/apply:os.system", "not allowed")


@pytest.mark.parametrize("name", ["../params/fbc1", "FBC1", "fbc1.yaml", "fbc 1", "/etc/passwd", "-x"])
def test_scenario_name_must_be_a_slug(name):
    proc = run_cli("results", "--", name) if name.startswith("-") else run_cli("results", name)
    assert_one_line_error(proc, "not a plain slug")


def test_unknown_set_key():
    assert_one_line_error(run_cli("results", "fbc3", "--set", "appraisal.discount_rat=0.03"),
                          "--set", "appraisal.discount_rat", "unknown parameter key")


def test_wrong_type_in_set():
    assert_one_line_error(run_cli("results", "fbc3", "--set", "appraisal.discount_rate=cheap"),
                          "--set", "appraisal.discount_rate")
    assert_one_line_error(run_cli("results", "fbc3", "--set", "appraisal.base_year=2018.5"),
                          "--set", "appraisal.base_year")


def test_set_without_equals():
    assert_one_line_error(run_cli("results", "fbc3", "--set", "appraisal.discount_rate"), "KEY=VALUE")


def test_duplicate_key(params_copy):
    line = edit(params_copy / "fbc1.yaml", "  optimism_bias_capital:\n", "  gdp_deflator: {value: 0.03, unit: fraction, assumption: true, why: x}\n  optimism_bias_capital:\n")
    assert_one_line_error(run_cli("results", "fbc1", "--params", str(params_copy)),
                          f"fbc1.yaml:{line}", "gdp_deflator", "duplicate key")


def test_check_exits_2_on_invalid_params(params_copy):
    edit(params_copy / "fbc2.yaml", "    value: 29.2\n    unit: gbp_m\n    source: \"000_dfcf8106c0ed4cbe.txt, para 3.1\"",
         "    value: 29200\n    unit: gbp_m\n    source: \"000_dfcf8106c0ed4cbe.txt, para 3.1\"")
    assert_one_line_error(run_cli("check", "--params", str(params_copy)), "fbc2.yaml:",
                          "published.fbc2_addition_gbp_m", "GBP thousands")


def test_check_json_reports_invalid_params(params_copy):
    import json
    edit(params_copy / "fbc1.yaml", "    value: nominal\n", "    value: sometimes\n")
    proc = run_cli("check", "--json", "--params", str(params_copy))
    assert_one_line_error(proc, "appraisal.price_basis")
    data = json.loads(proc.stdout)
    assert data["valid"] is False and "price_basis" in data["error"]


def test_a_published_version_misspelling_an_inherited_key_is_refused(params_copy):
    """A published version may add its own sourced entries to an open mapping (milestones), but a new
    key one slip away from an inherited one is a typo, never a new milestone that nothing reads."""
    path = params_copy / "fbc2.yaml"
    lines = path.read_text().splitlines()
    at = lines.index("  drop2_go_live:")
    lines[at] = "  drop2_go_lve:"
    path.write_text("\n".join(lines) + "\n")
    proc = run_cli("check", "--params", str(params_copy))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"casebook: error: {params_copy / 'fbc2.yaml'}:{at + 1}: milestones.drop2_go_lve: overrides nothing: "
        "not a key in fbc1 or the files it extends (did you mean drop2_go_live?)"]

"""The bad-input matrix: every case gets one line naming the file, the key and the YAML line (where
they exist), exit code 2, and no traceback. Each case edits a scratch copy of params/."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from .conftest import PARAMS, run_cli


def _line_of(text: str, snippet: str) -> int:
    return text[: text.index(snippet)].count("\n") + 1


# (id, file, old, new, scenario, expected fragments). "{line}" in a fragment becomes the line of `new`
# (or of `old` when new is empty); "{file}" the edited file's name.
EDITS = [
    ("yaml-unclosed-bracket", "fbc2.yaml", 'title: "FBC2: CONNECT FBC Update (2022)"', "title: [unclosed", "fbc2",
     ["{file}:", "YAML syntax error"]),
    ("yaml-bad-indent", "fbc1.yaml", "  last_fy:\n    label:", "  last_fy:\n   label:", "fbc1",
     ["{file}:", "YAML syntax error"]),
    ("yaml-tab", "fbc1.yaml", "  last_fy:\n", "\tlast_fy:\n", "fbc1", ["{file}:{line}", "YAML syntax error"]),
    ("duplicate-top-key", "fbc1.yaml", "kind: published\n", "kind: published\nkind: option\n", "fbc1",
     ["{file}:", "kind", "duplicate key"]),
    ("duplicate-nested-key", "fbc1.yaml", "  optimism_bias_capital:\n",
     "  gdp_deflator: {value: 0.03, unit: fraction, assumption: true, why: x}\n  optimism_bias_capital:\n", "fbc1",
     ["{file}:{line}", "gdp_deflator", "duplicate key"]),
    ("unknown-top-key", "fbc1.yaml", "kind: published\n", "kind: published\ncolour: red\n", "fbc1",
     ["{file}:", "colour", "unknown key"]),
    ("unknown-nested-key", "fbc1.yaml", "  gdp_deflator:\n", "  gdp_deflater:\n", "fbc1",
     ["{file}:{line}", "appraisal.gdp_deflater", "unknown key"]),
    ("string-in-series", "fbc3.yaml", "by_fy: {FY23/24: 15.949}", "by_fy: {FY23/24: lots}", "fbc3",
     ["{file}:", "costs.fbc3_capital_request.lines.delay", "finite number"]),
    ("string-for-number", "fbc1.yaml", "    value: 0.02\n", "    value: two percent\n", "fbc1",
     ["{file}:", "appraisal.gdp_deflator", "must be a number"]),
    ("fraction-year", "fbc1.yaml", "    value: 2018\n    unit: fy_start\n    assumption: true",
     "    value: 2018.5\n    unit: fy_start\n    assumption: true", "fbc1", ["{file}:", "appraisal.base_year", "financial year"]),
    ("boolean-for-number", "fbc1.yaml", "    value: 0.0\n    unit: fraction\n    assumption: true\n    why: \"The seeds do not say",
     "    value: true\n    unit: fraction\n    assumption: true\n    why: \"The seeds do not say", "fbc1",
     ["{file}:", "appraisal.optimism_bias_capital", "true/false"]),
    ("nan-value", "fbc1.yaml", "    value: 0.02\n", "    value: .nan\n", "fbc1",
     ["{file}:", "appraisal.gdp_deflator", "finite"]),
    ("infinite-cell", "fbc3.yaml", "by_fy: {FY23/24: 15.949}", "by_fy: {FY23/24: .inf}", "fbc3",
     ["{file}:", "costs.fbc3_capital_request.lines.delay", "finite"]),
    ("negative-contract-value", "fbc2.yaml", "      value: 44.1\n", "      value: -44.1\n", "fbc2",
     ["{file}:", "contracts.nec_mips_implementation.original_value_gbp_m", "must not be negative"]),
    ("negative-allocated-total", "fbc2.yaml", "      value: 29.2\n", "      value: -29.2\n", "fbc2",
     ["{file}:", "costs.fbc2_addition", "non-negative"]),
    ("negative-count", "fbc3.yaml", "    value: 2\n    unit: days\n", "    value: -2\n    unit: days\n", "fbc3",
     ["{file}:", "delivery.training_days_per_user", "must not be negative"]),
    ("year-outside-period", "fbc3.yaml", "by_fy: {FY23/24: 15.949}", "by_fy: {FY28/29: 15.949}", "fbc3",
     ["{file}:{line}", "by_fy.FY28/29", "outside the appraisal period"]),
    ("year-before-period", "fbc3.yaml", "by_fy: {FY23/24: 15.949}", "by_fy: {FY17/18: 15.949}", "fbc3",
     ["{file}:{line}", "by_fy.FY17/18", "outside the appraisal period"]),
    ("malformed-year", "fbc3.yaml", "by_fy: {FY23/24: 15.949}", "by_fy: {FY23/25: 15.949}", "fbc3",
     ["{file}:", "costs.fbc3_capital_request.lines.delay", "must follow"]),
    ("thousands-in-millions", "fbc2.yaml", "    value: 29.2\n    unit: gbp_m\n    source: \"000_dfcf8106c0ed4cbe.txt, para 3.1\"",
     "    value: 29200\n    unit: gbp_m\n    source: \"000_dfcf8106c0ed4cbe.txt, para 3.1\"", "fbc2",
     ["{file}:", "published.fbc2_addition_gbp_m", "GBP thousands"]),
    ("unknown-unit", "fbc2.yaml", "    value: 29.2\n    unit: gbp_m\n    source: \"000_dfcf8106c0ed4cbe.txt, para 3.1\"",
     "    value: 29.2\n    unit: gbp_k\n    source: \"000_dfcf8106c0ed4cbe.txt, para 3.1\"", "fbc2",
     ["{file}:", "published.fbc2_addition_gbp_m.unit"]),
    ("missing-provenance", "fbc3.yaml",
     '    value: -144.630\n    unit: gbp_m\n    source: "001_86d069ffb4d8e356.txt, Part 2 para 21"\n',
     "    value: -144.630\n    unit: gbp_m\n", "fbc3", ["{file}:", "published.npv_fbc3_gbp_m", "no provenance"]),
    ("assumption-without-why", "fbc1.yaml",
     '    why: "Benefits are taken to start at go-live; kept as a parameter for sensitivity analysis"\n', "", "fbc1",
     ["{file}:", "benefits.start_delay_months", "without `why`"]),
    ("source-not-a-seed", "fbc2.yaml", 'source: "000_dfcf8106c0ed4cbe.txt, para 4.1"', 'source: "a website"', "fbc2",
     ["{file}:", "published.pcr_threshold_gbp", "source must be"]),
    ("source-unknown-seed", "fbc2.yaml", 'source: "000_dfcf8106c0ed4cbe.txt, para 4.1"',
     'source: "999_0123456789abcdef.txt, para 4.1"', "fbc2", ["{file}:", "not a known seed document"]),
    ("extends-cycle", "fbc1.yaml", "kind: published\n", "kind: published\nextends: fbc3\n", "fbc3",
     ["fbc1.yaml:{line}", "extends", "cycle"]),
    ("extends-self", "fbc1.yaml", "kind: published\n", "kind: published\nextends: fbc1\n", "fbc1",
     ["fbc1.yaml:{line}", "extends", "cycle"]),
    ("extends-unknown", "fbc2.yaml", "extends: fbc1\n", "extends: fbc0\n", "fbc2",
     ["{file}:{line}", "extends", "unknown parent scenario 'fbc0'"]),
    ("extends-not-a-name", "fbc2.yaml", "extends: fbc1\n", "extends: ../fbc1\n", "fbc2",
     ["{file}:{line}", "extends", "must name a scenario"]),
    ("python-object-tag", "fbc1.yaml", "    value: 0.02\n",
     "    value: !!python/object/apply:os.system [\"echo pwned\"]\n", "fbc1", ["{file}:{line}", "not allowed"]),
    ("python-name-tag", "fbc1.yaml", "    value: 0.02\n", "    value: !!python/name:os.system\n", "fbc1",
     ["{file}:{line}", "not allowed"]),
    ("bad-date", "fbc3.yaml", '    value: "2024-02-27"\n', '    value: "2024-13-27"\n', "fbc3",
     ["{file}:", "milestones.drop2_go_live", "not a date"]),
    ("fact-value-not-stated", "fbc3.yaml", "    value: 22500\n", "    value: 22000\n", "fbc3",
     ["{file}:", "facts.training_users", "one of the statements"]),
    ("calibration-unknown-parameter", "fbc3.yaml", "  - parameter: benefits.realisation_factor\n",
     "  - parameter: benefits.realisation_factr\n", "fbc3", ["{file}:", "calibration", "not a parameter"]),
    ("calibration-unreachable", "fbc3.yaml", "    bracket: [0.0, 5.0]\n", "    bracket: [0.0, 0.1]\n", "fbc3",
     ["{file}:", "benefits.realisation_factor", "cannot reach"]),
    ("uncertainty-low-above-high", "fbc3.yaml", "    low: 0.5\n    high: 1.5\n    distribution: triangular\n    search: [0.0, 10.0]\n    assumption: true\n    why: \"No benefit",
     "    low: 1.5\n    high: 0.5\n    distribution: triangular\n    search: [0.0, 10.0]\n    assumption: true\n    why: \"No benefit", "fbc3",
     ["{file}:", "uncertainty.benefit_level", "low is above high"]),
]


@pytest.mark.parametrize("case", EDITS, ids=[c[0] for c in EDITS])
def test_bad_params_edit(case, params_copy):
    _id, name, old, new, scenario, fragments = case
    path = params_copy / name
    text = path.read_text()
    assert text.count(old) >= 1, (name, old)
    line = _line_of(text, old)
    path.write_text(text.replace(old, new, 1))
    if new and old and not new.startswith(old) and new.count("\n") == old.count("\n"):
        pass
    if new.startswith(old) and new != old:  # an inserted line follows the anchor
        line += old.count("\n")
    proc = run_cli("results", scenario, "--params", str(params_copy))
    _assert_one_line(proc, [f.format(file=name, line=line) for f in fragments])


def _assert_one_line(proc, fragments):
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-300:], proc.stderr[-800:])
    err = proc.stderr.strip()
    assert "Traceback" not in proc.stderr and len(err.splitlines()) == 1, proc.stderr
    assert err.startswith("casebook: error: ")
    for fragment in fragments:
        assert fragment in err, (fragment, err)


def test_fifty_megabyte_params_file(params_copy):
    path = params_copy / "fbc1.yaml"
    with path.open("a") as fh:
        block = "# padding " + "x" * 1000 + "\n"
        fh.write(block * (50 * 1024))
    assert path.stat().st_size > 50_000_000
    _assert_one_line(run_cli("results", "fbc1", "--params", str(params_copy)), ["fbc1.yaml", "at most"])


def test_bytes_that_are_not_utf8(params_copy):
    path = params_copy / "fbc2.yaml"
    raw = path.read_bytes()
    at = raw.index(b"Covid-19")
    path.write_bytes(raw[:at] + b"\xff\xfe" + raw[at:])
    line = raw[:at].count(b"\n") + 1
    _assert_one_line(run_cli("results", "fbc2", "--params", str(params_copy)),
                     [f"fbc2.yaml:{line}", "not valid UTF-8"])


def test_empty_file(params_copy):
    (params_copy / "fbc1.yaml").write_text("")
    _assert_one_line(run_cli("results", "fbc1", "--params", str(params_copy)), ["fbc1.yaml", "empty"])


def test_top_level_not_a_mapping(params_copy):
    (params_copy / "fbc1.yaml").write_text("- just\n- a list\n")
    _assert_one_line(run_cli("results", "fbc1", "--params", str(params_copy)), ["fbc1.yaml:1", "mapping"])


CLI_CASES = [
    ("unknown-scenario", ["results", "fbc9"], ["unknown scenario 'fbc9'"]),
    ("scenario-traversal", ["results", "../params/fbc1"], ["not a plain slug"]),
    ("scenario-absolute", ["results", "/etc/passwd"], ["not a plain slug"]),
    ("scenario-upper-case", ["results", "FBC1"], ["not a plain slug"]),
    ("unknown-set-key", ["results", "fbc3", "--set", "appraisal.discount_rat=0.03"], ["--set", "unknown parameter key"]),
    ("set-wrong-type", ["results", "fbc3", "--set", "appraisal.discount_rate=cheap"], ["--set", "appraisal.discount_rate"]),
    ("set-without-value", ["results", "fbc3", "--set", "appraisal.discount_rate"], ["KEY=VALUE"]),
    ("set-out-of-range", ["results", "fbc3", "--set", "appraisal.optimism_bias_capital=-1"], ["--set", "appraisal.optimism_bias_capital"]),
    ("set-year-outside", ["results", "fbc3", "--set", "costs.fbc3_capital_request.lines.delay.by_fy.FY30/31=1"],
     ["FY30/31", "outside the appraisal period"]),
    ("out-traversal", ["run", "fbc3", "--out", "../../escape.ipynb"], ["--out", "'..'"]),
    ("out-not-notebook", ["run", "fbc3", "--out", "report.txt"], ["--out", ".ipynb"]),
    ("missing-params-dir", ["results", "fbc3", "--params", "/nonexistent/params"], ["/nonexistent/params", "does not exist"]),
    ("montecarlo-zero-draws", ["montecarlo", "fbc3", "--draws", "0", "--seed", "1"], ["--draws"]),
    ("unknown-option", ["results", "fbc3", "--colour"], ["--colour"]),
]


@pytest.mark.parametrize("case", CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_bad_command_line(case):
    _id, args, fragments = case
    _assert_one_line(run_cli(*args), fragments)


def test_the_matrix_is_large_enough():
    assert len(EDITS) + len(CLI_CASES) + 4 >= 30

"""The bad-input matrix: every case gets one line naming the file, the key and the YAML line (where
they exist), exit code 2, and no traceback. Each case edits a scratch copy of params/."""

from __future__ import annotations

import os
import re
import shutil
import typing
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
     "    value: 2018.5\n    unit: fy_start\n    assumption: true", "fbc1", ["{file}:", "appraisal.paper_base_year", "financial year"]),
    ("boolean-for-number", "fbc1.yaml", "    value: 0.0\n    unit: fraction\n    assumption: true\n    why: \"The published papers do not say",
     "    value: true\n    unit: fraction\n    assumption: true\n    why: \"The published papers do not say", "fbc1",
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
     'source: "999_0123456789abcdef.txt, para 4.1"', "fbc2", ["{file}:", "not a file listed in params/sources/sources.yaml"]),
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
    ("fact-value-not-stated", "fbc3.yaml", "    unit: count\n    value: 22500\n", "    unit: count\n    value: 22000\n", "fbc3",
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


# --- generated from the schema: a NaN, an infinity and a wrong type in every numeric field ----------

def _owner(model, name: str) -> str:
    """The class that declares a field (Line inherits by_fy from Series: one field, one case)."""
    for cls in model.__mro__:
        if name in cls.__dict__.get("__annotations__", {}):
            return cls.__name__
    return model.__name__


def _numeric_fields() -> dict[tuple[str, str], str]:
    """Every numeric field of the params schema, found by walking the pydantic models (Scenario and
    Calibration): (model, field) -> 'number' | 'map' | 'list'. `value` fields typed Any are numeric
    when their unit is (Quantity, Fact, Statement), so they are included too."""
    from pydantic import BaseModel

    from model.core import schema
    from model.core.params import _unwrap

    found: dict[tuple[str, str], str] = {}
    seen: set = set()

    def shape(t):
        if t in (float, int):
            return "number"
        if isinstance(t, tuple) and t and t[0] in ("map", "list") and shape(t[1]) == "number":
            return t[0]
        return None

    def walk(model) -> None:
        if model in seen:
            return
        seen.add(model)
        for name, field in model.model_fields.items():
            t = _unwrap(field.annotation)
            if shape(t):
                found[(_owner(model, name), name)] = shape(t)
            elif name == "value":
                found[(_owner(model, name), name)] = "number"
            for sub in _models(t):
                walk(sub)

    def _models(t):
        if isinstance(t, type) and issubclass(t, BaseModel):
            return [t]
        if isinstance(t, tuple):
            inner = t[1:] if t and t[0] in ("map", "list") else t
            return [m for x in inner for m in _models(x)]
        return []

    walk(schema.Scenario)
    walk(schema.Calibration)
    return found


def _occurrences() -> dict[tuple[str, str], tuple[str, int, str]]:
    """For each numeric field, its first numeric occurrence in the shipped params: (file, line, key
    whose value to replace), found by walking each file alongside the schema."""
    from pydantic import BaseModel

    from model.core import schema
    from model.core.params import _unwrap
    from model.core.yamlio import LineDict, load_yaml_file

    fields = _numeric_fields()
    out: dict[tuple[str, str], tuple[str, int, str]] = {}

    def number(v) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    def walk(node, t, file: str) -> None:
        if isinstance(t, tuple) and t and t[0] == "map" and isinstance(node, dict):
            for v in node.values():
                walk(v, t[1], file)
        elif isinstance(t, tuple) and t and t[0] == "list" and isinstance(node, list):
            for v in node:
                walk(v, t[1], file)
        elif isinstance(t, tuple) and isinstance(node, dict):  # a union chosen by its `type` tag
            for m in t:
                if isinstance(m, type) and issubclass(m, BaseModel) and "type" in m.model_fields \
                        and node.get("type") in typing.get_args(m.model_fields["type"].annotation):
                    walk(node, m, file)
        elif isinstance(t, type) and issubclass(t, BaseModel) and isinstance(node, LineDict):
            for key, value in node.items():
                field = t.model_fields.get(key)
                if field is None:
                    continue
                spot = (_owner(t, key), key)
                kind = fields.get(spot)
                if kind and spot not in out:
                    if kind == "number" and number(value):
                        out[spot] = (file, node.key_lines[key], key)
                    elif kind == "map" and isinstance(value, LineDict) and value and all(map(number, value.values())):
                        first = next(iter(value))
                        out[spot] = (file, value.key_lines[first], first)
                    elif kind == "list" and isinstance(value, list) and value and all(map(number, value)):
                        out[spot] = (file, node.key_lines[key], key)
                walk(value, _unwrap(field.annotation), file)

    for path in sorted(PARAMS.glob("*.yaml")):
        data = load_yaml_file(path)
        walk(data, schema.Scenario, path.name)
        for cal in data.get("calibration") or []:
            walk(cal, schema.Calibration, path.name)
    return out


_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
BAD_NUMBERS = {"nan": ".nan", "inf": ".inf", "wrong-type": "lots"}
NUMERIC_CASES = [(spot, occ, bad) for spot, occ in sorted(_occurrences().items()) for bad in BAD_NUMBERS]


#: Numeric fields that the shipped params never use (CONNECT's papers state no committed amount), each
#: broken by a test of its own below on a copy that declares one.
NOT_IN_THE_SHIPPED_PARAMS = {("Committed", "by_fy")}


def test_every_numeric_field_of_the_schema_is_in_the_matrix():
    """The matrix is generated: every numeric field the schema defines has an occurrence to break (or,
    if the shipped params never use it, a test of its own)."""
    assert set(_numeric_fields()) == {spot for spot, _occ, _bad in NUMERIC_CASES} | NOT_IN_THE_SHIPPED_PARAMS
    assert not NOT_IN_THE_SHIPPED_PARAMS & {spot for spot, _occ, _bad in NUMERIC_CASES}
    assert len(_numeric_fields()) >= 15  # Quantity.value, by_fy cells, published totals, ranges...


@pytest.mark.parametrize("bad", sorted(BAD_NUMBERS))
def test_bad_number_in_a_committed_amount(bad, params_copy):
    """Committed.by_fy, which CONNECT's params do not use: a committed amount on FBC3's training line."""
    path = params_copy / "fbc3.yaml"
    text = path.read_text()
    anchor = '        source: "001_86d069ffb4d8e356.txt, Table 2, row Change in Delivery Training"\n'
    assert text.count(anchor) == 1
    committed = (f"        committed:\n          by_fy: {{FY23/24: {BAD_NUMBERS[bad]}}}\n"
                 "          assumption: true\n          why: \"Test value\"\n")
    path.write_text(text.replace(anchor, anchor + committed))
    proc = run_cli("results", "fbc3", "--params", str(params_copy))
    assert proc.returncode == 2, (bad, proc.stdout[-500:], proc.stderr)
    assert "Traceback" not in proc.stderr
    err = proc.stderr.strip().splitlines()
    assert err and all(e.startswith("casebook: error: ") for e in err), proc.stderr
    assert "fbc3.yaml:" in err[0] and "committed" in err[0], err[0]


@pytest.mark.parametrize("case", NUMERIC_CASES, ids=[f"{s[0]}.{s[1]}-{b}" for s, _o, b in NUMERIC_CASES])
def test_bad_number_in_every_numeric_field(case, params_copy):
    (_model, _field), (name, line, key), bad = case
    path = params_copy / name
    lines = path.read_text().splitlines(keepends=True)
    pattern = re.compile(rf"((?:^|[\s{{,\[-]){re.escape(key)}\s*:\s*\[?\s*){_NUMBER}")
    new, n = pattern.subn(lambda m: m.group(1) + BAD_NUMBERS[bad], lines[line - 1], count=1)
    assert n == 1, (name, line, key, lines[line - 1])
    lines[line - 1] = new
    path.write_text("".join(lines))
    proc = run_cli("results", name.removesuffix(".yaml"), "--params", str(params_copy))
    assert proc.returncode == 2, (case, proc.stdout[-500:], proc.stderr)
    assert "Traceback" not in proc.stderr
    err = proc.stderr.strip().splitlines()
    assert err and all(e.startswith("casebook: error: ") for e in err), proc.stderr
    assert f"{name}:" in err[0], err[0]


def test_check_json_with_a_nan_is_valid_json_and_never_a_traceback(params_copy):
    import json

    path = params_copy / "fbc3.yaml"
    path.write_text(path.read_text().replace("      gross_total: 82.864\n", "      gross_total: .nan\n", 1)
                    .replace("value: 56.694, unit: gbp_m", "value: .nan, unit: gbp_m", 1))
    proc = run_cli("check", "--json", "--params", str(params_copy))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    data = json.loads(proc.stdout)  # strict JSON: no NaN
    assert data["valid"] is False and len(data["errors"]) == 2
    assert any("gross_total" in e and "finite" in e for e in data["errors"])
    assert any("narrative_costs.revenue_total" in e for e in data["errors"])


def test_json_output_cannot_fail_on_a_value():
    import json

    import numpy as np

    from model.cli import _dumps

    text = _dumps({"nan": float("nan"), "inf": np.float64("inf"), "n": np.int64(3), "x": [1.5, -float("inf")],
                   "path": PARAMS})
    assert json.loads(text) == {"nan": None, "inf": None, "n": 3, "x": [1.5, None], "path": str(PARAMS)}


# --- every command that writes to a path it is given: an unwritable path is one line, exit 2 ------------

def _output_options() -> list[tuple[str, str]]:
    """(command, option) for every command option that names a file to write (a click.Path other
    than --params, which is read)."""
    import click

    from model.cli import cli

    out = []
    for name, command in sorted(cli.commands.items()):
        for param in command.params:
            if isinstance(param, click.Option) and isinstance(param.type, click.Path) and param.name != "params_dir" \
                    and not param.type.exists:  # an option that must exist names something to read
                out.append((name, param.opts[0]))
    return out


OUTPUT_OPTIONS = _output_options()


def test_output_options_are_all_known():
    assert ("run", "--out") in OUTPUT_OPTIONS and ("build", "--manifest") in OUTPUT_OPTIONS


@pytest.mark.parametrize("where", ["/proc/casebook-forbidden", "/nonexistent-casebook-dir/sub"])
@pytest.mark.parametrize("command,option", OUTPUT_OPTIONS, ids=[f"{c}{o}" for c, o in OUTPUT_OPTIONS])
def test_unwritable_output_path(command, option, where, tmp_path):
    from model.cli import cli

    suffix = ".ipynb" if option == "--out" else ".json"
    target = where + suffix
    if where.startswith("/nonexistent"):  # a directory that cannot be created: under a read-only one
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        target = str(ro / "sub" / ("x" + suffix))
        if os.access(ro, os.W_OK):  # root ignores the mode bits: use a path under a file instead
            blocker = tmp_path / "file"
            blocker.write_text("x")
            target = str(blocker / ("x" + suffix))
    args = [command] + (["fbc3"] if any(p.name == "scenario" for p in cli.commands[command].params) else [])
    _assert_one_line(run_cli(*args, option, target), [option, "cannot write"])


# --- misspelt overrides in a child file, dates outside the period, the draws ceiling ----------------

CHILD_TYPOS = [
    ("milestone", "fbc3_drop2_slip.yaml", "  drop2_go_live:\n", "  drop2_golive:\n", "milestones.drop2_golive",
     "did you mean drop2_go_live?"),
    ("cost-multiplier", "fbc3_benefits_half.yaml", "benefits:\n",
     "cost_multipliers:\n  trainng: {value: 1.2, unit: fraction, assumption: true, why: test}\nbenefits:\n",
     "cost_multipliers.trainng", "did you mean training?"),
    ("open-mapping-nested", "do_minimum.yaml", "      training_overtime:\n", "      training_overtme:\n",
     "costs.fbc3_revenue_request.lines.training_overtme", "did you mean training_overtime?"),
    ("open-mapping-uncertainty", "fbc3_benefits_half.yaml", "benefits:\n",
     "uncertainty:\n  benefit_levl: {label: x, parameter: benefits.level_multiplier, low: 0.1, high: 0.9, "
     "distribution: uniform, assumption: true, why: test}\nbenefits:\n", "uncertainty.benefit_levl",
     "did you mean benefit_level?"),
    ("schema-field", "fbc3_benefits_half.yaml", "  level_multiplier:\n", "  level_multiplyer:\n",
     "benefits.level_multiplyer", "did you mean level_multiplier?"),
]


@pytest.mark.parametrize("case", CHILD_TYPOS, ids=[c[0] for c in CHILD_TYPOS])
def test_misspelt_child_override_names_the_nearest_key(case, params_copy):
    _id, name, old, new, key, hint = case
    path = params_copy / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    scenario = name.removesuffix(".yaml")
    proc = run_cli("results", scenario, "--params", str(params_copy))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert f"{name}:" in proc.stderr and key in proc.stderr and hint in proc.stderr, proc.stderr


def test_published_child_may_add_its_own_entries():
    """FBC3 adds milestones and contracts FBC2 does not have: each carries a source, so it is allowed."""
    from model.core.scenario import load_scenario

    s = load_scenario("fbc3", PARAMS).scenario
    assert "training_start" in s.milestones and "ey_interfaces" in s.contracts


@pytest.mark.parametrize("year", ["2200", "2035", "1900", "2017", "2028"])
def test_base_year_outside_the_period_is_refused_with_one_message(year):
    proc = run_cli("results", "fbc3", "--set", f"appraisal.base_year={year}")
    _assert_one_line(proc, ["--set", "appraisal.base_year", "outside the appraisal period FY18/19 to FY27/28"])


def test_base_year_inside_the_period_is_accepted():
    proc = run_cli("results", "fbc3", "--set", "appraisal.base_year=2027", "--json")
    assert proc.returncode == 0, proc.stderr


def test_base_year_outside_the_period_in_a_file(params_copy):
    path = params_copy / "fbc1.yaml"
    text = path.read_text()
    old = "  paper_base_year:\n    label: Base year for prices and discounting of the paper's measure"
    assert old in text
    path.write_text(text.replace(old + " (year 0 of the published NPVs)\n    value: 2018\n",
                                 old + " (year 0 of the published NPVs)\n    value: 2031\n"))
    _assert_one_line(run_cli("results", "fbc1", "--params", str(params_copy)),
                     ["fbc1.yaml:", "paper_base_year FY31/32 is outside the appraisal period"])


def test_go_live_outside_the_period_is_refused_but_a_fact_date_is_not(params_copy):
    path = params_copy / "fbc3_drop2_slip.yaml"
    path.write_text(path.read_text().replace('value: "2024-08-27"', 'value: "2029-08-27"'))
    _assert_one_line(run_cli("results", "fbc3_drop2_slip", "--params", str(params_copy)),
                     ["fbc3_drop2_slip.yaml:", "milestones.drop2_go_live", "outside the appraisal period"])
    # a date that is only a fact (FBC1's OJEU notice, the decision deadline) may fall outside it
    proc = run_cli("results", "fbc3", "--set", "milestones.decision_deadline=2031-01-01")
    assert proc.returncode == 0, proc.stderr


def test_draws_ceiling_is_refused_with_the_estimated_time():
    from model.analysis.uncertainty import DRAWS_PER_SECOND, MAX_DRAWS, check_draws

    check_draws(MAX_DRAWS)  # the ceiling itself is allowed
    proc = run_cli("montecarlo", "fbc3", "--draws", str(10**12), "--seed", "1")
    days = 10**12 / DRAWS_PER_SECOND / 86400
    _assert_one_line(proc, ["--draws", "ceiling of 1,000,000,000", f"about {days:,.1f} days"])
    _assert_one_line(run_cli("montecarlo", "fbc3", "--draws", str(MAX_DRAWS + 1), "--seed", "1"),
                     ["--draws", "above the ceiling"])


def test_progress_bar_on_long_runs(monkeypatch, capsys):
    from model.analysis import uncertainty as unc
    from model.core.scenario import load_scenario

    real = unc.tqdm  # redraw at every update, so that a short test run shows the bar's progress
    monkeypatch.setattr(unc, "tqdm", lambda *a, **k: real(*a, **{**k, "mininterval": 0, "miniters": 1}))
    loaded = load_scenario("fbc3", PARAMS)
    unc.monte_carlo(loaded, 20_000, 1, progress=True)
    err = capsys.readouterr().err
    assert re.search(r"Monte Carlo: +\d+%.*/20\.0k \[\d\d:\d\d<\d\d:\d\d", err), err  # done/total, time left
    unc.monte_carlo(loaded, 20_000, 1, progress=False)
    assert capsys.readouterr().err == ""


# --- deliveries: shares that add up to one, milestones that exist ------------------------------------

def _line_of(text: str, fragment: str) -> int:
    return text[:text.index(fragment)].count("\n") + 1


def test_delivery_shares_that_do_not_add_up_to_one(params_copy):
    path = params_copy / "fbc1.yaml"
    text = path.read_text()
    old = "        value: 0.6\n"
    assert text.count(old) == 1
    path.write_text(text.replace(old, "        value: 0.5\n"))
    _assert_one_line(run_cli("results", "fbc3", "--params", str(params_copy)),
                     [f"fbc1.yaml:{_line_of(text, '  deliveries:')}", "benefits.deliveries",
                      "must add up to 1, not 0.9", "drop1 0.4 + drop2 0.5"])


def test_delivery_shares_set_on_the_command_line_must_still_add_up():
    _assert_one_line(run_cli("results", "fbc3", "--set", "benefits.deliveries.drop2.share=0.7"),
                     ["--set", "benefits.deliveries", "must add up to 1, not 1.1"])


@pytest.mark.parametrize("key,old,new", [
    ("benefits.deliveries.drop2.milestone", "milestone: drop2_go_live", "milestone: drop2_golive"),
    ("appraisal.works_start_milestone", "works_start_milestone: contract_effective",
     "works_start_milestone: contract_efective")])
def test_a_milestone_named_in_the_params_must_exist(params_copy, key, old, new):
    path = params_copy / "fbc1.yaml"
    text = path.read_text()
    assert text.count(old) == 1
    path.write_text(text.replace(old, new))
    _assert_one_line(run_cli("results", "fbc1", "--params", str(params_copy)),
                     [f"fbc1.yaml:{_line_of(text, old)}", key, "is not a key of `milestones:`", "did you mean"])


# --- messages: one per range check, --set named, nearest names, every problem at once ---------------

@pytest.mark.parametrize("key,low,high", [("appraisal.discount_rate", "-0.05", "1.5"),
                                          ("appraisal.optimism_bias", "-1", "11"),
                                          ("appraisal.gdp_deflator", "-0.01", "1"),
                                          ("benefits.deliveries.drop1.share", "-0.1", "1.1")])
def test_each_range_check_has_one_message(key, low, high):
    errs = []
    for value in (low, high):
        proc = run_cli("results", "fbc3", "--set", f"{key}={value}")
        _assert_one_line(proc, ["--set", key])
        errs.append(proc.stderr.strip())
    assert errs[0].rsplit(", not ", 1)[0] == errs[1].rsplit(", not ", 1)[0], errs


@pytest.mark.parametrize("args,hint", [
    (["results", "fbc3_benefit_half"], "did you mean fbc3_benefits_half?"),
    (["results", "fbc3", "--set", "appraisal.discount_rat=0.03"], "did you mean appraisal.discount_rate?"),
    (["results", "fbc3", "--set", "benefit.level_multiplier=0.5"], "did you mean benefits"),
    (["results", "fbc3", "--set", "appraisal.discount_rate", "0.05"], "KEY=VALUE"),
    (["lst"], "list"),
])
def test_unknown_names_suggest_the_nearest(args, hint):
    _assert_one_line(run_cli(*args), [hint])


def test_set_errors_name_set_not_the_params_file():
    for args in (["appraisal.optimism_bias=-1"], ["costs.fbc3_capital_request.lines.delay.by_fy.FY30/31=1"],
                 ["appraisal.base_year=2200"]):
        proc = run_cli("results", "fbc3", "--set", *args)
        assert proc.stderr.startswith("casebook: error: --set: ") and "params/" not in proc.stderr, proc.stderr


def test_check_reports_every_problem_in_a_file_at_once(params_copy):
    (params_copy / "fbc3_new.yaml").write_text(
        "title: A new scenario\nextends: fbc3\nkind: sensitivity\ndescription: x\n"
        # (a child may leave `unit` to its parent, so the milestone's problem is a wrong unit)
        "milestones:\n  drop2_go_live: {label: x, value: \"2024-09\", unit: months, assumption: true, why: test}\n"
        "benefits:\n  level_multiplier: {label: x, value: 0.5, unit: fraction, assumption: true}\n"
        "appraisal:\n  discount_rate: {label: x, value: 2, unit: fraction, assumption: true, why: x}\n"
        "colour: red\n")
    proc = run_cli("check", "--params", str(params_copy))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert all(line.startswith("casebook: error: fbc3_new.yaml:") or "fbc3_new.yaml:" in line for line in lines)
    text = proc.stderr
    for fragment in ("milestones.drop2_go_live.unit", "benefits.level_multiplier", "without `why`",
                     "appraisal.discount_rate", "colour", "unknown key"):
        assert fragment in text, (fragment, text)
    assert len(lines) == 4, lines

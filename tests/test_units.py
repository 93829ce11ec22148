"""A parameter's unit is checked against the unit its key is in: a value written with another unit
(5 with `unit: pct` where the model reads a fraction) is refused, never read as something else."""

from __future__ import annotations

import copy
import shutil
import typing

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from model.core.errors import CasebookError
from model.core.params import validate
from model.core.scenario import load_scenario
from model.core.schema_values import Unit
from model.core.unit_rules import _parameters

from .conftest import ROOT
from .pipeline_helpers import casebook, replace_in_line

UNITS = list(typing.get_args(Unit))
CONNECT = ROOT / "params"
CASE = ROOT / "tests" / "cases" / "regional_records"


def merged_tree(name: str, params_dir):
    return load_scenario(name, params_dir).tree


def numeric_keys(tree) -> list[tuple[str, str]]:
    return [(key, expected) for key, node, expected in _parameters(tree)
            if isinstance(node, dict) and "unit" in node and expected
            and not set(expected.split("|")) & {"text", "date"}]


FBC3 = merged_tree("fbc3", CONNECT)
KEYS = numeric_keys(FBC3)


def test_every_numeric_key_of_a_version_is_covered():
    keys = dict(KEYS)
    assert len(keys) >= 20
    assert keys["appraisal.optimism_bias_operating"] == "fraction"
    assert keys["benefits.annual_steady_state_gbp_m"] == "gbp_m"
    assert keys["appraisal.first_fy"] == "fy_start"


def node_at(tree, key):
    node = tree
    for part in key.split("."):
        node = node[part]
    return node


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(KEYS), st.sampled_from(UNITS), st.floats(min_value=0, max_value=100, allow_nan=False))
def test_a_wrong_unit_on_any_numeric_key_is_refused(pair, unit, value):
    key, expected = pair
    if unit in expected.split("|"):
        return
    tree = copy.deepcopy(FBC3)
    node = node_at(tree, key)
    node["unit"], node["value"] = unit, value
    with pytest.raises(CasebookError) as err:
        validate(tree)
    lines = err.value.lines() if hasattr(err.value, "lines") else [str(err.value)]
    assert any(f"{key}.unit" in line and repr(unit) in line for line in lines), lines


def test_the_right_unit_passes():
    validate(copy.deepcopy(FBC3))


def test_the_reported_case_pct_on_a_fraction_fails_check_with_its_line(tmp_path):
    case = tmp_path / "case"
    shutil.copytree(CASE, case)
    line = replace_in_line(case / "params" / "outline.yaml", "  optimism_bias_operating:",
                           "value: 0.0, unit: fraction", "value: 5, unit: pct")
    proc = casebook(case, "check")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"casebook: error: params/outline.yaml:{line}: appraisal.optimism_bias_operating.unit: unit is 'pct', "
        "but appraisal.optimism_bias_operating is in fraction (a fraction: write 5% as 0.05)"]


def test_a_child_may_leave_unit_and_label_to_its_parent(tmp_path):
    case = tmp_path / "case"
    shutil.copytree(CASE, case)
    path = case / "params" / "full.yaml"
    path.write_text(path.read_text() + "benefits:\n  ramp_up_years: {value: 1.5, source: \"100_5e0c2a9d41b7f386.txt, para 6\"}\n")
    loaded = load_scenario("full", case / "params")
    q = loaded.scenario.benefits.ramp_up_years
    assert (q.value, q.unit, q.label) == (1.5, "years", "Years from a go-live to full benefits")

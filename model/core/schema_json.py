"""The params schema as JSON Schema, for editors (yaml-language-server) and for other tools.

Generated from the pydantic models in `model.core.schema` (``model_json_schema``), so it never drifts
from what the loader accepts. Two forms:

- :func:`params_file_schema`: one params *file* as written. A file that ``extends`` another gives only
  what it changes, so no key is required; every mapping still refuses a key it does not know, so a
  misspelt key is flagged in the editor. It adds the per-file keys ``extends`` and ``calibration``.
- :func:`scenario_schema`: a scenario once its ``extends`` chain is resolved (what `Scenario` checks).

The loader's own checks (units, ranges, sources, dates in the period) stay in Python: the schema
catches the shape, the loader the meaning.
"""

from __future__ import annotations

import copy
from typing import Any

from .schema import Calibration, Scenario

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

#: What each key means, by model and field, where the model's own docstring or comment is not enough.
#: `casebook schema` carries these as `description`s; the params reference page lists them.
DESCRIPTIONS: dict[tuple[str, str], str] = {
    ("Scenario", "title"): "The scenario's title, shown as its page title",
    ("Scenario", "description"): "What the scenario is, in a sentence or two",
    ("Scenario", "kind"): "published (a version of the case, reconciled), option or sensitivity",
    ("Scenario", "decision"): "The decision the version asks for (text, with its source)",
    ("Scenario", "appraisal"): "The appraisal period, price base, discounting and optimism bias",
    ("Scenario", "costs"): "Cost blocks by name: published tables (type: table) or allocated totals",
    ("Scenario", "cost_multipliers"): "Multipliers on cost factors (fraction; 1 leaves the costs as given)",
    ("Scenario", "benefits"): "The benefit stream: a steady annual level, its realisation and ramp-up",
    ("Scenario", "milestones"): "Dates (unit: date, YYYY-MM or YYYY-MM-DD), e.g. contract start and go-lives",
    ("Scenario", "delays"): "Published delays (months)",
    ("Scenario", "published"): "Published headline figures (e.g. an NPV in gbp_m) that checks and calibrations read",
    ("Scenario", "narrative_costs"): "Figures the prose gives for cost factors of a table, reconciled against it",
    ("Scenario", "narrative_sums"): "Narrative figures that the prose presents as the parts of a total",
    ("Scenario", "facts"): "Facts the documents state more than once; value is the statement used",
    ("Scenario", "contracts"): "Contracts with their original value and modifications",
    ("Scenario", "delivery"): "Delivery facts (dates, counts) shown in the management case",
    ("Scenario", "uncertainty"): "Uncertain inputs for the tornado, switching values and Monte Carlo",
    ("Scenario", "contract_cap"): "Hold a contract's uplifts to a share of its original value",
    ("Scenario", "findings"): "Inconsistencies in the documents, declared and checked by a rule",
    ("Scenario", "classify"): "Class, severity and reading of generated checks that find something",
    ("Provenance", "label"): "What the figure is, in words",
    ("Provenance", "source"): "'<declared source file>, <where>': paragraph, table or section",
    ("Provenance", "assumption"): "true when no source gives the figure (then `why` is required)",
    ("Provenance", "why"): "One line: the reason for an assumption",
    ("Provenance", "note"): "A remark shown in the register",
    ("Provenance", "published_as"): "The figure as printed, where the model reads it otherwise",
    ("Quantity", "value"): "The figure, in `unit` (null: blank, e.g. a go-live never reached)",
    ("Quantity", "unit"): "gbp_m, gbp, fraction, pct, months, years, weeks, days, count, date, fy_start, text or weight",
    ("Appraisal", "first_fy"): "First financial year of the appraisal period (fy_start: 2018 is FY18/19)",
    ("Appraisal", "last_fy"): "Last financial year of the appraisal period (fy_start)",
    ("Appraisal", "base_year"): "Base year of prices and discounting, year 0 (fy_start)",
    ("Appraisal", "decision_fy"): "Year of the decision (fy_start): earlier costs are sunk",
    ("Appraisal", "discount_rate"): "A flat discount rate (fraction); null for the Green Book STPR schedule",
    ("Appraisal", "price_basis"): "Price basis of the cost figures: nominal or real (text)",
    ("Appraisal", "gdp_deflator"): "GDP deflator, annual rate (fraction), to turn nominal into real",
    ("Appraisal", "optimism_bias_capital"): "Optimism bias on capital from the decision year on (fraction added)",
    ("Appraisal", "optimism_bias_operating"): "Optimism bias on revenue costs from the decision year on (fraction)",
    ("Appraisal", "optimism_bias_duration"): "Optimism bias on works duration (fraction of the implementation period)",
    ("Benefits", "annual_steady_state_gbp_m"): "Steady annual benefit level once every delivery is live (gbp_m)",
    ("Benefits", "realisation_factor"): "Share of the benefit level still expected (fraction)",
    ("Benefits", "ramp_up_years"): "Years from a go-live to its full share of benefits (years)",
    ("Benefits", "start_delay_months"): "Months added to every go-live before benefits start (months)",
    ("Benefits", "level_multiplier"): "Sensitivity multiplier on the benefit level (fraction; 1 as given)",
    ("Benefits", "deliveries"): "Deliveries by name: label, milestone (a milestones key) and share of the benefits",
    ("Calibration", "parameter"): "Dotted key of the parameter solved for",
    ("Calibration", "target"): "Dotted key of the published figure to reproduce",
    ("Calibration", "metric"): "What the target is: npv_gbp_m",
    ("Calibration", "bracket"): "[low, high]: where the root finder looks",
    ("Calibration", "why"): "Why the parameter is calibrated",
    ("UncertainInput", "parameter"): "Dotted key of the uncertain parameter",
    ("UncertainInput", "low"): "Low value, in the parameter's unit",
    ("UncertainInput", "high"): "High value, in the parameter's unit",
    ("UncertainInput", "distribution"): "uniform, triangular, pert, truncnormal or lognormal",
    ("UncertainInput", "base"): "Base value where the parameter itself is blank",
    ("UncertainInput", "search"): "[lower, upper]: where to look for a switching value",
}

FILE_DESCRIPTIONS = {
    "extends": "The params file (scenario name, without .yaml) this file extends: it gives only what it changes",
    "calibration": "Calibrations of this file (not inherited): unpublished parameters solved to reproduce published figures",
}


def _describe(defs: dict[str, Any], root: dict[str, Any]) -> None:
    """Add DESCRIPTIONS to the fields they name (inherited fields too: Provenance's fields in Quantity)."""
    inherits = {"Quantity": ["Provenance"], "Series": ["Provenance"], "Line": ["Provenance"],
                "UncertainInput": ["Provenance"], "NarrativeCost": ["Provenance"], "ContractCap": ["Provenance"]}
    models = {**defs, "Scenario": root}
    for name, model in models.items():
        props = model.get("properties", {})
        for field, spec in props.items():
            for owner in [name, *inherits.get(name, [])]:
                text = DESCRIPTIONS.get((owner, field))
                if text and "description" not in spec:
                    spec["description"] = text
                    break


def _relax(node: Any) -> Any:
    """No key required (a file that extends gives only what it changes); oneOf as anyOf (a partial
    block may match more than one shape; the loader decides)."""
    if isinstance(node, dict):
        node.pop("required", None)
        node.pop("discriminator", None)
        if "oneOf" in node:
            node["anyOf"] = node.pop("oneOf")
        for value in node.values():
            _relax(value)
    elif isinstance(node, list):
        for value in node:
            _relax(value)
    return node


def scenario_schema() -> dict[str, Any]:
    """A resolved scenario: every key `Scenario` requires, as the loader checks it."""
    schema = Scenario.model_json_schema(by_alias=True)
    _describe(schema.get("$defs", {}), schema)
    return {"$schema": SCHEMA_DIALECT, **schema}


def params_file_schema() -> dict[str, Any]:
    """One params file as written: a published version in full, or a file that extends another."""
    schema = copy.deepcopy(scenario_schema())
    defs = schema.setdefault("$defs", {})
    calibration = Calibration.model_json_schema(by_alias=True)
    defs.update(calibration.pop("$defs", {}))
    defs["Calibration"] = calibration
    _describe({"Calibration": calibration}, {})
    schema["properties"]["extends"] = {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,63}$",
                                       "description": FILE_DESCRIPTIONS["extends"]}
    schema["properties"]["calibration"] = {"type": "array", "items": {"$ref": "#/$defs/Calibration"},
                                           "description": FILE_DESCRIPTIONS["calibration"]}
    schema["title"] = "casebook params file"
    schema["description"] = ("One scenario of a casebook case (params/<name>.yaml). Every parameter has a "
                             "`source` or `assumption: true` with `why`.")
    return _relax(schema)


def reference_rows(schema: dict[str, Any] | None = None) -> list[dict[str, str]]:
    """Every key of a params file, dotted (``appraisal.first_fy``; ``<name>`` where the file chooses
    the key), with its type and meaning: the params reference page."""
    schema = schema or params_file_schema()
    defs = schema.get("$defs", {})
    rows: list[dict[str, str]] = []

    def resolve(spec: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in spec:
            spec = defs[spec["$ref"].rsplit("/", 1)[-1]]
        return spec

    def type_of(spec: dict[str, Any]) -> str:
        if "$ref" in spec:
            return spec["$ref"].rsplit("/", 1)[-1]
        if "anyOf" in spec:
            return " or ".join(t for t in (type_of(s) for s in spec["anyOf"]) if t != "null")
        if "enum" in spec:
            return " | ".join(map(str, spec["enum"]))
        if "const" in spec:
            return repr(spec["const"])
        kind = spec.get("type", "any")
        if kind == "object" and isinstance(spec.get("additionalProperties"), dict):
            return f"mapping of {type_of(spec['additionalProperties'])}"
        if kind == "array" and isinstance(spec.get("items"), dict):
            return f"list of {type_of(spec['items'])}"
        return str(kind)

    def walk(prefix: str, spec: dict[str, Any], depth: int, seen: tuple[str, ...]) -> None:
        for name, field in spec.get("properties", {}).items():
            key = f"{prefix}{name}"
            rows.append({"key": key, "type": type_of(field),
                         "meaning": field.get("description") or resolve(field).get("description", "")})
            target = field
            for option in field.get("anyOf", []):
                if "$ref" in option:
                    target = option
            ref = target.get("$ref", "").rsplit("/", 1)[-1]
            if ref in ("Quantity", "Series", "Line", "Provenance") or ref in seen or depth > 3:
                continue  # the parameter shapes are listed once, under their own names
            inner = resolve(target)
            if inner.get("properties"):
                walk(f"{key}.", inner, depth + 1, seen + (ref,))
            elif isinstance(inner.get("additionalProperties"), dict):
                item = inner["additionalProperties"]
                item_ref = item.get("$ref", "").rsplit("/", 1)[-1]
                if item_ref and item_ref not in ("Quantity", "Series", "Line") and item_ref not in seen:
                    walk(f"{key}.<name>.", resolve(item), depth + 1, seen + (item_ref,))

    walk("", schema, 0, ())
    for shape in ("Quantity", "Series"):
        if shape in defs:
            walk(f"({shape}) ", defs[shape], 3, (shape,))
    return rows

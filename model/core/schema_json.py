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

from . import schema as models
from .schema import Calibration, Scenario
from .sources import FILE_NAME

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

#: What each key means, by model and field, where the model's own docstring or comment is not enough.
#: `casebook schema` carries these as `description`s; the params reference page lists them.
DESCRIPTIONS: dict[tuple[str, str], str] = {
    ("Scenario", "title"): "The scenario's title, shown as its page title",
    ("Scenario", "description"): "What the scenario is, in a sentence or two",
    ("Scenario", "kind"): "published (a version of the case, reconciled), forecast or outturn (a version in the "
                          "chain that is not a business case: no decision or NPV of its own), option or sensitivity",
    ("Scenario", "decision"): "The decision the version asks for (text, with its source; none for a forecast)",
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
    ("Provenance", "source"): "'<file listed in params/sources/sources.yaml>, <paragraph, decision or table>'",
    ("Provenance", "assumption"): "true when no source gives the figure (then `why` is required)",
    ("Provenance", "why"): "One line: the reason for an assumption",
    ("Provenance", "note"): "A remark shown in the register",
    ("Provenance", "published_as"): "The figure as printed, where the model reads it otherwise",
    ("Quantity", "value"): "The figure, in `unit` (null: blank, e.g. a go-live never reached)",
    ("Quantity", "unit"): "gbp_m, gbp, fraction, pct, months, years, weeks, days, count, date, fy_start, "
                          "year (a calendar year: 2005), year_range ('2007-2009' or '2010 onwards'), text or weight",
    ("Appraisal", "first_fy"): "First financial year of the appraisal period (fy_start: the calendar year it starts in)",
    ("Appraisal", "last_fy"): "Last financial year of the appraisal period (fy_start)",
    ("Appraisal", "base_year"): "Year 0 and price base of the Green Book appraisal (fy_start); left out: the "
                                "decision year. Also the paper's measure's base where paper_base_year is left out",
    ("Appraisal", "paper_base_year"): "Year 0 and price base of the paper's measure, the whole-period NPV that "
                                      "published NPVs calibrate (fy_start); left out: base_year, else first_fy",
    ("Appraisal", "decision_fy"): "Year of the decision (fy_start): earlier costs are sunk",
    ("Appraisal", "decision_date"): "Month of the decision ('YYYY-MM', date), inside decision_fy: the decision "
                                    "year's months before it are sunk, pro rata by month; left out: 1 April",
    ("Appraisal", "service_life_to"): "Last year of the service life, after last_fy (fy_start): running costs and "
                                      "benefits continue at their last year's real level to it (Green Book appraisal)",
    ("Appraisal", "residual_value_gbp_m"): "Value left at the period's end (gbp_m, in the costs' price basis), a "
                                           "benefit of the last year of the Green Book appraisal",
    ("Line", "timing"): "When the line's spend of the decision year falls (start, end: months); default: "
                        "pro rata by month",
    ("Line", "committed"): "Amounts committed at the decision date (by_fy, nominal gbp_m): in every option "
                           "alike, with no optimism bias",
    ("Timing", "start"): "First month ('YYYY-MM') of the line's spend in the decision year",
    ("Timing", "end"): "Last month ('YYYY-MM') of the line's spend in the decision year",
    ("Committed", "by_fy"): "Committed amounts by financial year (nominal gbp_m), from the decision on",
    ("Appraisal", "discount_rate"): "A flat discount rate (fraction); null for the Green Book STPR schedule",
    ("Appraisal", "price_basis"): "Price basis of the cost figures: nominal or real (text)",
    ("Appraisal", "gdp_deflator"): "GDP deflator, annual rate (fraction), to turn nominal into real; or else "
                                   "gdp_deflator_series, not both",
    ("Appraisal", "gdp_deflator_series"): "A packaged HM Treasury GDP deflator series, chosen by name, instead of "
                                          "the flat gdp_deflator; financial year y takes 0.75 x index(y) + "
                                          "0.25 x index(y + 1)",
    ("GdpDeflatorSeries", "series"): "The packaged series' name (model/core/data/gdp_deflator.yaml)",
    ("GdpDeflatorSeries", "forecast_rate"): "Annual rate (fraction) for the years after the series' last outturn, "
                                            "a labelled forecast with its own source or assumption",
    ("Appraisal", "optimism_bias"): "Optimism bias from the Green Book table: category, operating_category and "
                                    "mitigation; given, it sets optimism_bias_capital and _operating (leave them out)",
    ("OptimismBias", "category"): "The project's row of the optimism-bias table for capital (equipment_development "
                                  "for IT systems, standard_buildings, ...)",
    ("OptimismBias", "operating_category"): "The row for operating costs (outsourcing, the only such row)",
    ("OptimismBias", "mitigation"): "Share of the upper bound shown to be mitigated at this stage (fraction, 0 to 1)",
    ("Line", "fixed_envelope"): "true: a capped budget, not an estimate; optimism bias never raises it",
    ("AllocatedBlock", "fixed_envelope"): "true: a capped budget, not an estimate; optimism bias never raises it",
    ("Scenario", "risks"): "The risk register by name: label, owner, probability, impact_gbp_m, years, mitigation, "
                           "status, covers (cost lines); a quantified risk is an expected cost of the Green Book "
                           "appraisal",
    ("Scenario", "opportunity_costs"): "Resources used but not bought, by name: people x days_each x "
                                       "cost_per_day_gbp over years; in the Green Book appraisal, not the cash view",
    ("Risk", "label"): "What could happen",
    ("Risk", "owner"): "Who manages the risk",
    ("Risk", "probability"): "Chance it happens (fraction, 0 to 1)",
    ("Risk", "impact_gbp_m"): "Its cost if it happens (gbp_m, in the costs' price basis)",
    ("Risk", "years"): "Financial years the impact would fall in, evenly (from the decision year on)",
    ("Risk", "mitigation"): "What is being done about it",
    ("Risk", "status"): "open, closed, ... (text)",
    ("Risk", "covers"): "Cost lines ('block.line', or an allocated block) whose uncertainty the risk stands for: "
                        "no optimism bias on them",
    ("OpportunityCost", "label"): "The resource used (staff time in training, say)",
    ("OpportunityCost", "people"): "How many people (count)",
    ("OpportunityCost", "days_each"): "Days each (days)",
    ("OpportunityCost", "cost_per_day_gbp"): "Cost of a day of their time (gbp, nominal, in the years it falls)",
    ("OpportunityCost", "years"): "Financial years it falls in, evenly (from the decision year on)",
    ("OpportunityCost", "already_costed_gbp_m"): "Part of the same resource the cost tables already pay for "
                                                 "(overtime that buys the time back, say; gbp_m), taken off",
    ("OpportunityCost", "timing"): "When in the decision year it falls (start, end: months); default: pro rata by month",
    ("Appraisal", "optimism_bias_capital"): "Optimism bias on capital from the decision year on (fraction added)",
    ("Appraisal", "optimism_bias_operating"): "Optimism bias on revenue costs from the decision year on (fraction)",
    ("Appraisal", "optimism_bias_duration"): "Optimism bias on works duration (fraction of the implementation period)",
    ("Benefits", "annual_steady_state_gbp_m"): "Steady annual benefit level once every delivery is live (gbp_m)",
    ("Benefits", "realisation_factor"): "Share of the benefit level still expected (fraction, 0 to 1)",
    ("Benefits", "ramp_up_years"): "Years from a go-live to its full share of benefits (years)",
    ("Benefits", "start_delay_months"): "Months added to every go-live before benefits start (months)",
    ("Benefits", "level_multiplier"): "Scale the benefit level (1 = as calibrated, any non-negative number); "
                                      "the parameter to calibrate when a paper's benefits must be scaled",
    ("Benefits", "deliveries"): "Deliveries by name: label, milestone (a milestones key) and share of the benefits",
    ("Calibration", "parameter"): "Dotted key of the parameter solved for (to scale a paper's benefits: "
                                  "benefits.level_multiplier, not the share realisation_factor)",
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
    ("TableBlock", "type"): "table: a published cost table",
    ("TableBlock", "label"): "The table's title",
    ("TableBlock", "kind"): "capital or revenue",
    ("TableBlock", "source"): "Where the table is printed: '<declared source file>, <where>'",
    ("TableBlock", "lines"): "Rows of the table by name, each a series by financial year with its cost factor",
    ("TableBlock", "funding_sources"): "Rows that fund part of the table (funding sources), by name",
    ("TableBlock", "published_totals"): "The totals as printed, reconciled against the rows",
    ("AllocatedBlock", "type"): "allocated: a published total whose split by year is assumed",
    ("AllocatedBlock", "label"): "What the total is",
    ("AllocatedBlock", "factor"): "The cost factor it belongs to (a cost_multipliers key)",
    ("AllocatedBlock", "total_gbp_m"): "The published total",
    ("AllocatedBlock", "capital_share"): "Share of the total that is capital",
    ("AllocatedBlock", "capital_profile"): "Weights by financial year for the capital part",
    ("AllocatedBlock", "revenue_profile"): "Weights by financial year for the revenue part",
    ("Line", "factor"): "The cost factor the row belongs to (a cost_multipliers key)",
    ("Line", "negative_cells"): "Years the paper prints as a negative cost (a credit); any other negative cell is refused",
    ("Series", "by_fy"): "Amounts by financial year, keyed FY24/25",
    ("Series", "unit"): "gbp_m (amounts) or weight (a profile)",
    ("Series", "published_total"): "The row's total as printed",
    ("PublishedTotals", "label"): "What the printed totals are",
    ("PublishedTotals", "source"): "Where they are printed",
    ("PublishedTotals", "gross_by_fy"): "The printed gross cost by financial year",
    ("PublishedTotals", "gross_total"): "The printed gross total",
    ("PublishedTotals", "funding_by_fy"): "The printed funding sources by financial year",
    ("PublishedTotals", "funding_total"): "The printed funding total",
    ("PublishedTotals", "shortfall_by_fy"): "The printed shortfall (gross less funding) by financial year",
    ("PublishedTotals", "shortfall_total"): "The printed shortfall total",
    ("PublishedTotals", "missing_cells"): "Cells the table leaves blank, so not reconciled",
    ("PublishedTotals", "note"): "A remark on the printed totals",
    ("NarrativeCost", "table"): "The cost table (a costs key) whose factors the figure covers",
    ("NarrativeCost", "factors"): "The cost factors the figure covers",
    ("NarrativeCost", "value"): "The figure as the prose gives it",
    ("NarrativeCost", "unit"): "`gbp_m`",
    ("NarrativeCost", "net_of_funding"): "true when the figure is net of the table's funding sources",
    ("NarrativeSum", "label"): "What the total is",
    ("NarrativeSum", "parts"): "narrative_costs keys that make up the total",
    ("NarrativeSum", "total"): "The narrative_costs key of the total",
    ("Fact", "label"): "What the fact is",
    ("Fact", "unit"): "The unit of the statements' values",
    ("Fact", "value"): "The statement the model uses",
    ("Fact", "why"): "Why the model uses that statement",
    ("Fact", "statements"): "Each statement of the fact: its value and source",
    ("Statement", "value"): "What the source says",
    ("Statement", "source"): "'<declared source file>, <where>'",
    ("Contract", "label"): "The contract's name",
    ("Contract", "supplier"): "Who holds it",
    ("Contract", "original_value_gbp_m"): "Value at award",
    ("Contract", "term_years"): "Term at award",
    ("Contract", "modifications"): "Modifications by name, in order, with their uplift arithmetic",
    ("Modification", "decision"): "The decision that made the modification",
    ("Modification", "previous_value_gbp_m"): "Value before the modification",
    ("Modification", "uplift_gbp_m"): "The uplift",
    ("Modification", "uplift_pct_of_previous"): "The uplift as a percentage of the previous value",
    ("Modification", "uplift_pct_of_original"): "The uplift as a percentage of the original value",
    ("Modification", "new_value_gbp_m"): "Value after the modification",
    ("Modification", "regulation"): "The legal basis given for it",
    ("ContractCap", "contract"): "The contract (a contracts key) whose uplifts are capped",
    ("ContractCap", "cap_pct_of_original"): "The cap, as a percentage of the original value",
    ("ContractCap", "reading"): "per_modification or cumulative",
    ("ContractCap", "regulation"): "The regulation the cap reads",
    ("ContractCap", "funded_from"): "Cost factors that fund the contract, cut pro rata above the cap",
    ("Classification", "class"): "arithmetic_error, misaligned_columns, typo, conflicting_statement, explained_difference or observation",
    ("Classification", "severity"): "numbers (changes numbers or timing), input or presentation",
    ("Classification", "model_uses"): "What the model uses, and why",
    ("Classification", "unresolved"): "true when the documents do not settle it",
    ("Finding", "label"): "What the inconsistency is",
    ("Finding", "rule"): "How it is checked: record, restatement, sum, date_order or funding_without_cost",
    ("Finding", "unit"): "The unit of the statements' values",
    ("Finding", "statements"): "What each source says",
    ("Finding", "parts"): "For rule sum: the parts",
    ("Finding", "total"): "For rule sum: the total",
    ("Finding", "table"): "For rule funding_without_cost: the cost table",
    ("Finding", "funding"): "For rule funding_without_cost: the funding source",
    ("Scenario", "short"): "A version's short label in tables and charts (its own file only, not inherited)",
    ("Scenario", "headline"): "true: this version is the headline the economic and financial case use "
                              "(default: the latest published version in the extends chain)",
    ("Scenario", "checks"): "Reconciliation checks declared as data, by id: a stated total against the sum of its parts",
    ("Appraisal", "works_start_milestone"): "The milestone (a key of milestones) at which the works start, for "
                                            "the works-duration optimism bias",
    ("Benefits", "deliveries"): "The deliveries that unlock the benefits, by name: any number; with two or "
                                   "more, each has a share and the shares add up to 1",
    ("Delivery", "label"): "What the delivery is, in words",
    ("Delivery", "milestone"): "Its go-live: a key of milestones (a blank date there: never delivered)",
    ("Delivery", "share"): "Its share of the steady-state benefits (fraction); may be left out when it is the only "
                           "delivery, which then unlocks them all",
    ("Delivery", "ramp_up_years"): "Years from its go-live to its full benefits (default: benefits.ramp_up_years)",
    ("DeclaredCheck", "label"): "What the check compares, in words (`{name}` shows a named term's figure)",
    ("DeclaredCheck", "total"): "The figure the documents state (a Term)",
    ("DeclaredCheck", "parts"): "The figures it should equal when added up (Terms)",
    ("DeclaredCheck", "tolerance"): "money (GBP 0.001m, the default), half_unit (half the last printed place) or a number",
    ("DeclaredCheck", "explained_by"): "Why a difference beyond the tolerance is expected",
    ("DeclaredCheck", "if_differs"): "A remark shown with any difference",
    ("DeclaredCheck", "inherit"): "true: the scenarios that extend this file make the check too (default: its own only)",
    ("Term", "key"): "A parameter's dotted key: its value, times scale",
    ("Term", "scale"): "A multiplier on key's value (e.g. 12 for years to months)",
    ("Term", "days"): "Whole days from the first date to the second (each a dated key or `{date: ...}`)",
    ("Term", "months"): "Calendar months from the first date to the second",
    ("Term", "fall_pct"): "The fall, in % of the first year, of one cost factor across a table's years",
    ("Term", "pct_of"): "A percentage of a base: `{pct: <pct or fraction key>, base: <key>}`, pct/100 x base",
    ("Term", "name"): "Makes the figure available to the check's texts as `{name}`",
    ("PctOf", "pct"): "A parameter in unit pct (its value / 100 is the share) or fraction",
    ("PctOf", "base"): "The parameter the percentage is a share of",
    ("FactorChange", "table"): "The cost table (a key of costs)",
    ("FactorChange", "factor"): "The cost factor of its lines",
}

#: The unit a parameter's `unit` must (or usually does) carry, by model and field.
UNITS: dict[tuple[str, str], str] = {
    **{("Appraisal", f): "fy_start" for f in ("first_fy", "last_fy", "base_year", "paper_base_year", "decision_fy",
                                              "service_life_to")},
    ("Appraisal", "decision_date"): "date", ("Appraisal", "residual_value_gbp_m"): "gbp_m",
    **{("Appraisal", f): "fraction" for f in ("discount_rate", "gdp_deflator", "optimism_bias_capital",
                                              "optimism_bias_operating", "optimism_bias_duration")},
    ("Appraisal", "price_basis"): "text", ("GdpDeflatorSeries", "forecast_rate"): "fraction",
    ("Benefits", "annual_steady_state_gbp_m"): "gbp_m", ("Benefits", "realisation_factor"): "fraction",
    ("Delivery", "share"): "fraction", ("Delivery", "ramp_up_years"): "years", ("Benefits", "ramp_up_years"): "years",
    ("Benefits", "start_delay_months"): "months", ("Benefits", "level_multiplier"): "fraction",
    ("Scenario", "decision"): "text", ("Scenario", "cost_multipliers"): "fraction",
    ("Scenario", "milestones"): "date", ("Scenario", "delays"): "months", ("Scenario", "published"): "any",
    ("Series", "by_fy"): "gbp_m or weight", ("NarrativeCost", "value"): "gbp_m",
    **{("PublishedTotals", f): "gbp_m" for f in ("gross_by_fy", "gross_total", "funding_by_fy", "funding_total",
                                                 "shortfall_by_fy", "shortfall_total")},
    ("AllocatedBlock", "total_gbp_m"): "gbp_m", ("AllocatedBlock", "capital_share"): "fraction",
    ("Contract", "original_value_gbp_m"): "gbp_m", ("Contract", "term_years"): "years",
    ("Modification", "previous_value_gbp_m"): "gbp_m", ("Modification", "uplift_gbp_m"): "gbp_m",
    ("Modification", "new_value_gbp_m"): "gbp_m", ("Modification", "uplift_pct_of_previous"): "pct",
    ("Modification", "uplift_pct_of_original"): "pct", ("Modification", "regulation"): "text",
    ("ContractCap", "cap_pct_of_original"): "pct",
    ("OptimismBias", "mitigation"): "fraction", ("Risk", "probability"): "fraction", ("Risk", "impact_gbp_m"): "gbp_m",
    ("OpportunityCost", "people"): "count", ("OpportunityCost", "days_each"): "days",
    ("OpportunityCost", "cost_per_day_gbp"): "gbp", ("OpportunityCost", "already_costed_gbp_m"): "gbp_m",
}
#: The provenance fields every parameter carries: listed once, under (Quantity).
PROVENANCE_FIELDS = ("label", "source", "assumption", "why", "note", "published_as")

FILE_DESCRIPTIONS = {
    "extends": "The params file (scenario name, without .yaml) this file extends: it gives only what it changes",
    "calibration": "Calibrations of this file (not inherited): unpublished parameters solved to reproduce published figures",
}


def _describe(defs: dict[str, Any], root: dict[str, Any]) -> None:
    """Add DESCRIPTIONS to the fields they name (inherited fields too: Provenance's fields in Quantity)."""
    inherits = {"Quantity": ["Provenance"], "Series": ["Provenance"], "Line": ["Series", "Provenance"],
                "UncertainInput": ["Provenance"], "Timing": ["Provenance"], "Committed": ["Provenance"], "NarrativeCost": ["Provenance"], "ContractCap": ["Provenance"],
                "Finding": ["Classification"]}
    inherits["GdpDeflatorSeries"] = ["Provenance"]
    inherits["OptimismBias"] = ["Provenance"]
    models = {**defs, "Scenario": root}
    for name, model in models.items():
        props = model.get("properties", {})
        for field, spec in props.items():
            for owner in [name, *inherits.get(name, [])]:
                text = DESCRIPTIONS.get((owner, field))
                if text and "description" not in spec:
                    spec["description"] = text
                unit = UNITS.get((owner, field))
                if unit and "x-unit" not in spec:
                    spec["x-unit"] = unit


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
    the key), with its type, its unit and its meaning: the params reference page. The provenance
    fields every parameter carries are listed once, under ``(Quantity)``."""
    schema = schema or params_file_schema()
    defs = schema.get("$defs", {})
    rows: list[dict[str, str]] = []
    shapes = ("Quantity", "Series", "Line", "Provenance", "Statement")

    def ref_name(spec: dict[str, Any]) -> str:
        return spec.get("$ref", "").rsplit("/", 1)[-1]

    def type_of(spec: dict[str, Any]) -> str:
        if "$ref" in spec:
            return ref_name(spec)
        if "anyOf" in spec:
            return " or ".join(t for t in (type_of(s) for s in spec["anyOf"]) if t != "null")
        if "enum" in spec:
            return " | ".join(map(str, spec["enum"]))
        if "const" in spec:
            return str(spec["const"])
        kind = spec.get("type", "any")
        if kind == "object" and isinstance(spec.get("additionalProperties"), dict):
            return f"mapping of {type_of(spec['additionalProperties'])}"
        if kind == "array" and isinstance(spec.get("items"), dict):
            return f"list of {type_of(spec['items'])}"
        return str(kind)

    def models_in(spec: dict[str, Any]) -> list[str]:
        return [n for n in ([ref_name(spec)] + [ref_name(o) for o in spec.get("anyOf", [])]) if n]

    def carries_provenance(model: str) -> bool:
        cls = getattr(models, model, None)
        return isinstance(cls, type) and issubclass(cls, models.Provenance)

    def walk(prefix: str, spec: dict[str, Any], seen: tuple[str, ...], provenance: bool) -> None:
        skip = not provenance and bool(seen) and carries_provenance(seen[-1])
        for name, field in spec.get("properties", {}).items():
            if name in PROVENANCE_FIELDS and skip:
                continue
            key = f"{prefix}{name}"
            rows.append({"key": key, "type": type_of(field), "unit": field.get("x-unit", ""),
                         "meaning": field.get("description", "")})
            inner = field.get("additionalProperties") if isinstance(field.get("additionalProperties"), dict) else None
            below = f"{key}.<name>." if inner is not None else f"{key}."
            if inner is None and isinstance(field.get("items"), dict):  # a list of mappings
                inner, below = field["items"], f"{key}[]."
            for model in models_in(inner if inner is not None else field):
                if model not in shapes and model not in seen:
                    walk(below, defs[model], seen + (model,), False)

    walk("", schema, (), False)
    for shape in ("Quantity", "Series", "Line"):
        if shape in defs:
            walk(f"({shape}) ", defs[shape], (shape,), shape == "Quantity")
    return rows


def sources_schema() -> dict[str, Any]:
    """The declaration of a case's source documents (params/sources/sources.yaml), as
    `model.core.sources.documents` reads it."""
    document = {
        "type": "object", "additionalProperties": False,
        "required": ["short", "title", "date", "file"],
        "properties": {
            "short": {"type": "string", "minLength": 1, "description": "A short name for citations"},
            "title": {"type": "string", "minLength": 1, "description": "The document's full title"},
            "date": {"type": "string", "minLength": 1, "description": "Its date (YYYY, YYYY-MM or YYYY-MM-DD)"},
            "file": {"type": "string", "minLength": 1, "description": "The text file beside this declaration"},
            "not_used": {"type": "object", "additionalProperties": {"type": "string", "pattern": "^[^\\n]+$"},
                         "description": "Units that nothing cites, each with a one-line reason"},
        },
    }
    return {"$schema": SCHEMA_DIALECT, "title": "casebook source documents",
            "description": "The documents a case cites (params/sources/sources.yaml); a citation is "
                           "'<file>, <where>'.",
            "type": "object", "additionalProperties": False, "required": ["documents"],
            "properties": {"documents": {"type": "object", "minProperties": 1,
                                         "propertyNames": {"pattern": f"^{FILE_NAME}$"},
                                         "additionalProperties": document}}}

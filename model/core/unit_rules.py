"""Every parameter's unit is known to the schema (model.core.schema_json.UNITS), and a value whose
`unit` disagrees is refused, naming the unit expected: `value: 5, unit: pct` where the model reads a
fraction would otherwise be taken as 500%."""

from __future__ import annotations

from typing import Any, Iterator

from .errors import CasebookError
from .schema_json import UNITS

#: What to write instead, for the slips that a wrong unit usually is.
HINTS = {
    ("fraction", "pct"): "a fraction: write 5% as 0.05",
    ("pct", "fraction"): "a percentage: write 5% as 5",
    ("fraction", "gbp_m"): "a fraction, not an amount",
    ("gbp_m", "gbp"): "GBP million: write £2,500,000 as 2.5",
}


def _at(tree: Any, *path: str) -> Any:
    node = tree
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _each(mapping: Any) -> Iterator[tuple[str, Any]]:
    return iter(mapping.items()) if isinstance(mapping, dict) else iter(())


def _parameters(tree: dict) -> Iterator[tuple[str, Any, str]]:
    """(dotted key, the parameter's mapping, the unit the schema expects) for every parameter of a
    merged tree whose unit the schema fixes."""
    def unit(model: str, field: str) -> str | None:
        u = UNITS.get((model, field))
        return u if u and " " not in u and u != "any" else None

    for field in ("first_fy", "last_fy", "base_year", "paper_base_year", "decision_fy", "decision_date",
                  "service_life_to", "residual_value_gbp_m", "discount_rate", "gdp_deflator",
                  "optimism_bias_capital", "optimism_bias_operating", "optimism_bias_duration", "price_basis"):
        yield f"appraisal.{field}", _at(tree, "appraisal", field), unit("Appraisal", field)
    yield ("appraisal.gdp_deflator_series.forecast_rate", _at(tree, "appraisal", "gdp_deflator_series",
                                                              "forecast_rate"),
           unit("GdpDeflatorSeries", "forecast_rate"))
    yield "appraisal.optimism_bias.mitigation", _at(tree, "appraisal", "optimism_bias", "mitigation"), \
        unit("OptimismBias", "mitigation")
    for name, risk in _each(_at(tree, "risks")):
        for field in ("probability", "impact_gbp_m"):
            yield f"risks.{name}.{field}", _at(risk, field), unit("Risk", field)
    for name, entry in _each(_at(tree, "opportunity_costs")):
        for field in ("people", "days_each", "cost_per_day_gbp"):
            yield f"opportunity_costs.{name}.{field}", _at(entry, field), unit("OpportunityCost", field)
    for field in ("annual_steady_state_gbp_m", "realisation_factor", "ramp_up_years", "start_delay_months",
                  "level_multiplier"):
        yield f"benefits.{field}", _at(tree, "benefits", field), unit("Benefits", field)
    for name, delivery in _each(_at(tree, "benefits", "deliveries")):
        for field in ("share", "ramp_up_years"):
            yield f"benefits.deliveries.{name}.{field}", _at(delivery, field), unit("Delivery", field)
    yield "decision", _at(tree, "decision"), unit("Scenario", "decision")
    for section in ("cost_multipliers", "milestones"):
        for name, q in _each(_at(tree, section)):
            yield f"{section}.{name}", q, unit("Scenario", section)
    # a delay is stated as a length or as the date it moved from: any unit of time, nothing else
    for name, q in _each(_at(tree, "delays")):
        yield f"delays.{name}", q, "months|years|weeks|days|date"
    for name, block in _each(_at(tree, "costs")):
        if isinstance(block, dict) and block.get("type") == "allocated":
            for field in ("total_gbp_m", "capital_share"):
                yield f"costs.{name}.{field}", _at(block, field), unit("AllocatedBlock", field)
    for name, contract in _each(_at(tree, "contracts")):
        for field in ("original_value_gbp_m", "term_years"):
            yield f"contracts.{name}.{field}", _at(contract, field), unit("Contract", field)
        for change, mod in _each(_at(contract, "modifications")):
            for field in ("previous_value_gbp_m", "uplift_gbp_m", "new_value_gbp_m", "uplift_pct_of_previous",
                          "uplift_pct_of_original"):
                yield f"contracts.{name}.modifications.{change}.{field}", _at(mod, field), unit("Modification", field)


def unit_errors(tree: dict) -> list[CasebookError]:
    """One error for each parameter whose `unit` is not the one the schema expects for its key."""
    problems = []
    for key, node, expected in _parameters(tree):
        if expected is None or not isinstance(node, dict) or "unit" not in node:
            continue
        given = node["unit"]
        if given not in expected.split("|"):
            expected = expected.replace("|", ", ")
            hint = HINTS.get((expected, given), f"unit: {expected}")
            file, line = node.origin("unit") if hasattr(node, "origin") else (None, None)
            problems.append(CasebookError(f"unit is {given!r}, but {key} is in {expected} ({hint})",
                                          file=file, key=f"{key}.unit", line=line))
    return problems

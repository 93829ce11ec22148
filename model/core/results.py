"""The results of one scenario as plain data (what `casebook results --json` prints)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .appraisal import Appraisal, appraise, green_book, inputs_from_scenario
from .cashflows import optimism_bias_exempt
from .fy import fy_label
from .scenario import Loaded

CASHFLOW_COLUMNS = ["fy", "t", "capital_gbp_m", "revenue_gbp_m", "benefits_gbp_m", "funding_gbp_m",
                    "costs_real_gbp_m", "benefits_real_gbp_m", "net_real_gbp_m", "discount_factor",
                    "pv_gbp_m"]


def appraise_loaded(loaded: Loaded) -> Appraisal:
    return appraise(inputs_from_scenario(loaded.scenario))


def green_book_loaded(loaded: Loaded, extended: bool = True) -> Appraisal:
    return green_book(inputs_from_scenario(loaded.scenario), extended=extended)


def period_closure(loaded: Loaded) -> str:
    """How the case closes the Green Book appraisal's period: 'service_life', 'residual_value' or 'none'."""
    a = loaded.scenario.appraisal
    if a.service_life_to is not None:
        return "service_life"
    return "residual_value" if a.residual_value_gbp_m is not None else "none"


def _records(frame) -> list[dict[str, Any]]:
    return [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
            for row in frame.to_dict(orient="records")]


def green_book_results(loaded: Loaded, appraisal: Appraisal | None = None) -> dict[str, Any]:
    """The Green Book appraisal at the decision point, as plain data.

    Invariants: sunk costs + the nominal costs counted = the paper's TCO; npv = sum(pv) over the years
    from the decision year on; npv = pv_benefits - pv_costs.
    """
    g = appraisal or green_book_loaded(loaded)
    a = loaded.scenario.appraisal
    closure = period_closure(loaded)
    inputs = inputs_from_scenario(loaded.scenario)
    plain = g if closure == "none" else green_book_loaded(loaded, extended=False)
    return {
        "decision_fy": fy_label(a.decision_fy.value),
        "decision_date": None if a.decision_date is None else str(a.decision_date.value),
        "share_of_decision_year_to_come": inputs.decision_share,
        "base_year": fy_label(g.base_year),
        "base_year_declared": a.base_year is not None,
        "sunk_costs_gbp_m": g.sunk_costs_gbp_m,
        "committed_gbp_m": g.committed_total_gbp_m,
        "period_closure": closure,
        "service_life_to": None if a.service_life_to is None else fy_label(a.service_life_to.value),
        "residual_value_gbp_m": None if a.residual_value_gbp_m is None else a.residual_value_gbp_m.value,
        "npv_without_closure_gbp_m": plain.npv_gbp_m,
        "npv_gbp_m": g.npv_gbp_m,
        "pv_costs_gbp_m": g.pv_costs_gbp_m,
        "pv_benefits_gbp_m": g.pv_benefits_gbp_m,
        "bcr": g.bcr,
        "pv_optimism_bias_gbp_m": float(sum(g.optimism_bias_gbp_m * g.discount_factor)),
        # risk, then optimism bias: expected risk costs and opportunity costs (nominal still to come, and PV)
        "risks_quantified": sum(1 for r in loaded.scenario.risks.values() if r.quantified),
        "expected_risk_costs_gbp_m": float(np.sum(inputs.risk_gbp_m[inputs.fys >= inputs.decision_fy])),
        "pv_risk_gbp_m": g.pv_risk_gbp_m,
        "opportunity_costs_gbp_m": float(np.sum(inputs.opportunity_gbp_m)),
        "pv_opportunity_gbp_m": g.pv_opportunity_gbp_m,
        "optimism_bias_exempt": sorted(optimism_bias_exempt(loaded.scenario)),
        "optimism_bias_capital": a.optimism_bias_capital.value,
        "optimism_bias_operating": a.optimism_bias_operating.value,
        "cashflows": _records(g.frame()[CASHFLOW_COLUMNS]),
    }


def results(loaded: Loaded, appraisal: Appraisal | None = None) -> dict[str, Any]:
    """Headline figures, calibration report and cash flows by financial year: the paper's measure
    (`npv_gbp_m`, `cashflows`: the TCO NPV over the whole period, costs already spent included) and, under
    `green_book`, the Green Book appraisal at the decision point.

    Invariants: tco = sum(capital + revenue); pv = net_real x discount_factor; npv = sum(pv).
    """
    a = appraisal or appraise_loaded(loaded)
    s = loaded.scenario
    frame = a.frame()[CASHFLOW_COLUMNS]
    rate = s.appraisal.discount_rate.value
    return {
        "scenario": loaded.name,
        "title": loaded.title,
        "extends": loaded.chain[:-1],
        "npv_gbp_m": a.npv_gbp_m,
        "tco_gbp_m": a.tco_gbp_m,
        "pv_costs_gbp_m": a.pv_costs_gbp_m,
        "pv_benefits_gbp_m": a.pv_benefits_gbp_m,
        "bcr": a.bcr,
        "capital_gbp_m": float(a.capital_gbp_m.sum()),
        "revenue_gbp_m": float(a.revenue_gbp_m.sum()),
        "funding_sources_gbp_m": float(a.funding_gbp_m.sum()),
        "appraisal": {
            "period": f"{frame.fy.iloc[0]} to {frame.fy.iloc[-1]}",
            "base_year": s.appraisal.paper_base,
            "discounting": "Green Book STPR schedule" if rate is None else f"flat {rate:g}",
            "discount_rate": rate,
            # the flat rate (None with a deflator series) and how the pages state either
            "gdp_deflator": None if s.appraisal.gdp_deflator is None else s.appraisal.gdp_deflator.value,
            "gdp_deflator_series": (None if s.appraisal.gdp_deflator_series is None
                                    else s.appraisal.gdp_deflator_series.series),
            "gdp_deflator_text": s.appraisal.deflator_text,
            "decision_fy": fy_label(s.appraisal.decision_fy.value),
            "optimism_bias_capital": s.appraisal.optimism_bias_capital.value,
            "optimism_bias_operating": s.appraisal.optimism_bias_operating.value,
        },
        "calibrated": loaded.calibrated,
        "overrides": {k: str(v) for k, v in loaded.overrides.items()},
        "cashflows": _records(frame),
        "green_book": green_book_results(loaded),
    }


def deflator_text(appraisal: dict) -> str:
    """The deflator of a result's `appraisal` block in words: '2.0% a year', or the series, its release
    and its forecast ('HM Treasury GDP deflator series (December 2025 ...), forecast 2.0% a year after
    2024')."""
    return appraisal.get("gdp_deflator_text") or f"{appraisal['gdp_deflator']:.1%} a year"


def deflator_setting(appraisal: dict) -> str:
    """The deflator as the settings table gives it: the flat rate ('2.0%'), or the series in words."""
    g = appraisal.get("gdp_deflator")
    return f"{g:.1%}" if g is not None else deflator_text(appraisal)

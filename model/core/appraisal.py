"""From a resolved scenario to cash flows, TCO and NPV."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import greenbook as gb
from .cashflows import (benefit_starts, benefits_real_by_fy, costs_by_fy, delivery_ramps, delivery_shares,
                        funding_by_fy, fy_labels)
from .errors import CasebookError
from .fy import fy_range
from .schema import Scenario


@dataclass(frozen=True)
class Inputs:
    """Everything the appraisal needs, as plain numbers and arrays over the appraisal years."""

    fys: np.ndarray
    capital_gbp_m: np.ndarray
    revenue_gbp_m: np.ndarray
    funding_gbp_m: np.ndarray
    benefits_real_gbp_m: np.ndarray
    base_year: int
    discount_rate: float | None
    gdp_deflator: float
    optimism_bias_capital: float
    optimism_bias_operating: float
    decision_fy: int | None = None      # None: the first year (nothing is sunk)
    costs_in_real_prices: bool = False


def _required(q, key: str) -> float:
    if q.value is None:
        raise CasebookError("has no value and no calibration solved it", key=key)
    return q.value


def inputs_from_scenario(scenario: Scenario) -> Inputs:
    a, b = scenario.appraisal, scenario.benefits
    fys = fy_range(a.first_fy.value, a.last_fy.value)
    capital, revenue = costs_by_fy(scenario, fys)
    for name, d in b.deliveries.items():
        if d.share is not None:  # left out: the only delivery, all of the benefits
            _required(d.share, f"benefits.deliveries.{name}.share")
        _required(d.ramp_up_years or b.ramp_up_years,
                  f"benefits.deliveries.{name}.ramp_up_years" if d.ramp_up_years else "benefits.ramp_up_years")
    benefits = benefits_real_by_fy(
        fys, benefit_starts(scenario),   # works-duration optimism bias on deliveries still to come
        delivery_shares(scenario), delivery_ramps(scenario),
        _required(b.annual_steady_state_gbp_m, "benefits.annual_steady_state_gbp_m"),
        _required(b.realisation_factor, "benefits.realisation_factor"),
        _required(b.start_delay_months, "benefits.start_delay_months"),
        _required(b.level_multiplier, "benefits.level_multiplier"))
    return Inputs(fys=fys, capital_gbp_m=capital, revenue_gbp_m=revenue,
                  funding_gbp_m=funding_by_fy(scenario, fys), benefits_real_gbp_m=benefits,
                  base_year=a.base_year.value, discount_rate=a.discount_rate.value,
                  gdp_deflator=a.gdp_deflator.value, optimism_bias_capital=a.optimism_bias_capital.value,
                  optimism_bias_operating=a.optimism_bias_operating.value, decision_fy=a.decision_fy.value,
                  costs_in_real_prices=a.price_basis.value == "real")


@dataclass(frozen=True)
class Appraisal:
    """Cash flows by year and the summary measures."""

    fys: np.ndarray
    t: np.ndarray
    capital_gbp_m: np.ndarray
    revenue_gbp_m: np.ndarray
    funding_gbp_m: np.ndarray
    benefits_gbp_m: np.ndarray          # nominal cash
    capital_real_gbp_m: np.ndarray      # real base-year prices, before optimism bias
    revenue_real_gbp_m: np.ndarray      # real base-year prices, before optimism bias
    optimism_bias_gbp_m: np.ndarray     # real base-year prices: the uplift itself (0 before the decision year)
    costs_real_gbp_m: np.ndarray        # real base-year prices, after optimism bias
    benefits_real_gbp_m: np.ndarray
    net_real_gbp_m: np.ndarray
    discount_factor: np.ndarray
    pv_gbp_m: np.ndarray
    #: nominal costs of the years before the first year counted (sunk costs; 0 in the paper's measure)
    sunk_costs_gbp_m: float = 0.0

    @property
    def tco_gbp_m(self) -> float:
        """Total cost of ownership: undiscounted nominal capital plus revenue, gross of funding."""
        return float(np.sum(self.capital_gbp_m + self.revenue_gbp_m))

    @property
    def pv_costs_gbp_m(self) -> float:
        return gb.present_value(self.costs_real_gbp_m, self.discount_factor)

    @property
    def pv_benefits_gbp_m(self) -> float:
        return gb.present_value(self.benefits_real_gbp_m, self.discount_factor)

    @property
    def npv_gbp_m(self) -> float:
        """NPSV = PV(benefits) - PV(costs), Green Book 5.54."""
        return float(np.sum(self.pv_gbp_m))

    @property
    def bcr(self) -> float | None:
        return gb.benefit_cost_ratio(self.pv_benefits_gbp_m, self.pv_costs_gbp_m)

    def frame(self) -> pd.DataFrame:
        """One row per financial year, in order."""
        return pd.DataFrame({
            "fy": fy_labels(self.fys),
            "t": self.t.astype(int),
            "capital_gbp_m": self.capital_gbp_m,
            "revenue_gbp_m": self.revenue_gbp_m,
            "funding_gbp_m": self.funding_gbp_m,
            "benefits_gbp_m": self.benefits_gbp_m,
            "capital_real_gbp_m": self.capital_real_gbp_m,
            "revenue_real_gbp_m": self.revenue_real_gbp_m,
            "optimism_bias_gbp_m": self.optimism_bias_gbp_m,
            "costs_real_gbp_m": self.costs_real_gbp_m,
            "benefits_real_gbp_m": self.benefits_real_gbp_m,
            "net_real_gbp_m": self.net_real_gbp_m,
            "discount_factor": self.discount_factor,
            "pv_gbp_m": self.pv_gbp_m,
        })


def future_years(fys: np.ndarray, decision_fy: int | None) -> np.ndarray:
    """1.0 for each year from the decision year on, 0.0 before it: the years whose costs are still
    estimates, and so the only ones optimism bias may raise (green-book.md, sunk costs and the
    decision point). With no decision year every year is future."""
    fys = np.asarray(fys)
    return np.ones(len(fys)) if decision_fy is None else (fys >= decision_fy).astype(float)


def appraise(inputs: Inputs, from_fy: int | None = None) -> Appraisal:
    """Green Book appraisal of one set of inputs: the one engine behind both measures.

    `from_fy` None counts every year of the period: the paper's measure (the TCO NPV over the whole
    period, costs already spent included). `from_fy` = the decision year counts only that year and later ones: the
    Green Book appraisal at the decision point, with the earlier (sunk) costs left out and their nominal
    total kept in `sunk_costs_gbp_m` (see :func:`green_book`).

    Costs: nominal cash to real base-year prices (5.11), unless the params say the published figures
    are already in real prices (`appraisal.price_basis: real`); then raised by optimism bias (5.45-5.49)
    at the capital rate on capital and the operating rate on revenue, in the years from the decision
    year on only: optimism bias adjusts estimates of future costs, never spend already incurred.
    Benefits are modelled in real prices already. Net real flows are discounted with the STPR (A6) or
    a flat rate; year 0 (the base year) is undiscounted. Prices and discounting stay at the base year
    in both measures, so that the two are in the same money.
    """
    keep = np.ones(len(inputs.fys), dtype=bool) if from_fy is None else np.asarray(inputs.fys) >= from_fy
    fys = np.asarray(inputs.fys)[keep]
    capital, revenue = inputs.capital_gbp_m[keep], inputs.revenue_gbp_m[keep]
    sunk = float(np.sum(inputs.capital_gbp_m[~keep] + inputs.revenue_gbp_m[~keep]))
    t = fys - inputs.base_year
    deflator = 0.0 if inputs.costs_in_real_prices else inputs.gdp_deflator
    capital_real, revenue_real = gb.real_prices(capital, t, deflator), gb.real_prices(revenue, t, deflator)
    future = future_years(fys, inputs.decision_fy)
    uplift = (gb.optimism_bias_amount(capital_real, inputs.optimism_bias_capital * future)
              + gb.optimism_bias_amount(revenue_real, inputs.optimism_bias_operating * future))
    costs_real = capital_real + revenue_real + uplift
    benefits_real = np.asarray(inputs.benefits_real_gbp_m, dtype=float)[keep]
    net_real = benefits_real - costs_real
    factors = gb.discount_factors(t, inputs.discount_rate)
    return Appraisal(
        fys=fys, t=t, capital_gbp_m=capital, revenue_gbp_m=revenue,
        funding_gbp_m=inputs.funding_gbp_m[keep],
        benefits_gbp_m=gb.nominal_prices(benefits_real, t, inputs.gdp_deflator),
        capital_real_gbp_m=capital_real, revenue_real_gbp_m=revenue_real,
        optimism_bias_gbp_m=uplift,
        costs_real_gbp_m=costs_real, benefits_real_gbp_m=benefits_real, net_real_gbp_m=net_real,
        discount_factor=factors, pv_gbp_m=net_real * factors, sunk_costs_gbp_m=sunk)


def green_book(inputs: Inputs) -> Appraisal:
    """The Green Book appraisal at the decision point: costs and benefits from the decision year on,
    sunk costs excluded (Green Book; green-book.md, sunk costs and the decision point)."""
    return appraise(inputs, from_fy=inputs.decision_fy)


def npv(scenario: Scenario) -> float:
    """The paper's measure: the NPV over the whole TCO period (what the published NPVs calibrate)."""
    return appraise(inputs_from_scenario(scenario)).npv_gbp_m


def green_book_npv(scenario: Scenario) -> float:
    return green_book(inputs_from_scenario(scenario)).npv_gbp_m

"""From a resolved scenario to cash flows, TCO and NPV."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import greenbook as gb
from .cashflows import (benefits_real_by_fy, costs_by_fy, duration_bias_delay_months, funding_by_fy,
                        fy_labels, go_live_years)
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
    optimism_bias: float
    costs_in_real_prices: bool = False


def _required(q, key: str) -> float:
    if q.value is None:
        raise CasebookError("has no value and no calibration solved it", key=key)
    return q.value


def inputs_from_scenario(scenario: Scenario) -> Inputs:
    a, b = scenario.appraisal, scenario.benefits
    fys = fy_range(a.first_fy.value, a.last_fy.value)
    capital, revenue = costs_by_fy(scenario, fys)
    drop1, drop2 = go_live_years(scenario)
    benefits = benefits_real_by_fy(
        fys, drop1, drop2,
        _required(b.annual_steady_state_gbp_m, "benefits.annual_steady_state_gbp_m"),
        _required(b.realisation_factor, "benefits.realisation_factor"),
        _required(b.drop1_share, "benefits.drop1_share"),
        _required(b.ramp_up_years, "benefits.ramp_up_years"),
        _required(b.start_delay_months, "benefits.start_delay_months") + duration_bias_delay_months(scenario),
        _required(b.level_multiplier, "benefits.level_multiplier"))
    return Inputs(fys=fys, capital_gbp_m=capital, revenue_gbp_m=revenue,
                  funding_gbp_m=funding_by_fy(scenario, fys), benefits_real_gbp_m=benefits,
                  base_year=a.base_year.value, discount_rate=a.discount_rate.value,
                  gdp_deflator=a.gdp_deflator.value, optimism_bias=a.optimism_bias.value,
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
    costs_real_gbp_m: np.ndarray        # real base-year prices, after optimism bias
    benefits_real_gbp_m: np.ndarray
    net_real_gbp_m: np.ndarray
    discount_factor: np.ndarray
    pv_gbp_m: np.ndarray

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
            "costs_real_gbp_m": self.costs_real_gbp_m,
            "benefits_real_gbp_m": self.benefits_real_gbp_m,
            "net_real_gbp_m": self.net_real_gbp_m,
            "discount_factor": self.discount_factor,
            "pv_gbp_m": self.pv_gbp_m,
        })


def appraise(inputs: Inputs) -> Appraisal:
    """Green Book appraisal of one set of inputs.

    Costs: nominal cash to real base-year prices (5.11), unless the params say the published figures
    are already in real prices (`appraisal.price_basis: real`); then raised by optimism bias (5.45). Benefits are
    modelled in real prices already. Net real flows are discounted with the STPR (A6) or a flat rate;
    year 0 (the base year) is undiscounted.
    """
    t = inputs.fys - inputs.base_year
    costs_nominal = inputs.capital_gbp_m + inputs.revenue_gbp_m
    deflator = 0.0 if inputs.costs_in_real_prices else inputs.gdp_deflator
    costs_real = gb.apply_optimism_bias(gb.real_prices(costs_nominal, t, deflator), inputs.optimism_bias)
    benefits_real = np.asarray(inputs.benefits_real_gbp_m, dtype=float)
    net_real = benefits_real - costs_real
    factors = gb.discount_factors(t, inputs.discount_rate)
    return Appraisal(
        fys=inputs.fys, t=t, capital_gbp_m=inputs.capital_gbp_m, revenue_gbp_m=inputs.revenue_gbp_m,
        funding_gbp_m=inputs.funding_gbp_m,
        benefits_gbp_m=gb.nominal_prices(benefits_real, t, inputs.gdp_deflator),
        costs_real_gbp_m=costs_real, benefits_real_gbp_m=benefits_real, net_real_gbp_m=net_real,
        discount_factor=factors, pv_gbp_m=net_real * factors)


def npv(scenario: Scenario) -> float:
    return appraise(inputs_from_scenario(scenario)).npv_gbp_m

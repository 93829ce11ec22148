"""From a resolved scenario to cash flows, TCO and NPV."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import greenbook as gb
from .cashflows import (benefit_starts, benefits_real_by_fy, costs_after_decision, costs_by_fy, decision_date,
                        delivery_ramps, delivery_shares, exempt_costs, expected_risk_costs_by_fy, funding_by_fy,
                        fy_labels, opportunity_costs_by_fy)
from .decision_frame import avoidable, extend_at_last_level, extension_years, rebase, share_to_come, year_weights
from .errors import CasebookError
from .fy import fy_range
from .reference import DeflatorSeries
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
    #: a flat annual rate, or a deflator series (gb.price_level takes either)
    gdp_deflator: float | DeflatorSeries
    optimism_bias_capital: float
    optimism_bias_operating: float
    decision_fy: int | None = None      # None: the first year (nothing is sunk)
    costs_in_real_prices: bool = False
    # --- the frame of the Green Book appraisal at the decision point (green_book) ---
    green_book_base_year: int | None = None     # year 0 and price base; None: the decision year
    decision_share: float = 1.0                 # share of the decision year still to come (by month)
    #: nominal costs the decision can still change, by year (None: capital / revenue x the year weights,
    #: less what is committed); the scenario gives them line by line, each with its own timing
    avoidable_capital_gbp_m: np.ndarray | None = None
    avoidable_revenue_gbp_m: np.ndarray | None = None
    committed_capital_gbp_m: np.ndarray | None = None   # committed at the decision date, nominal
    committed_revenue_gbp_m: np.ndarray | None = None
    sunk_gbp_m: float | None = None             # None: the costs x (1 - the year weights)
    service_life_to: int | None = None          # running costs and benefits continue to this year
    residual_value_gbp_m: float = 0.0           # at the period's end, in the costs' price basis
    # --- what optimism bias never raises, and the costs beyond the cost tables ---
    #: nominal costs of the lines marked a fixed envelope or covered by a quantified risk, every year
    #: of the period (the paper's measure) and what the decision can still change (the Green Book's)
    exempt_capital_gbp_m: np.ndarray | None = None
    exempt_revenue_gbp_m: np.ndarray | None = None
    exempt_avoidable_capital_gbp_m: np.ndarray | None = None
    exempt_avoidable_revenue_gbp_m: np.ndarray | None = None
    #: expected risk costs by year, nominal, as at the decision (the register looks forward), and the
    #: opportunity costs still to come at the decision, nominal (the Green Book appraisal only)
    risk_gbp_m: np.ndarray | None = None
    opportunity_gbp_m: np.ndarray | None = None


def _required(q, key: str) -> float:
    if q.value is None:
        raise CasebookError("has no value and no calibration solved it", key=key)
    return q.value


def inputs_from_scenario(scenario: Scenario) -> Inputs:
    a, b = scenario.appraisal, scenario.benefits
    fys = fy_range(a.first_fy.value, a.last_fy.value)
    capital, revenue = costs_by_fy(scenario, fys)
    split = costs_after_decision(scenario, fys)
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
    exempt_c, exempt_r = exempt_costs(scenario, fys, after_decision=False)
    exempt_avoid_c, exempt_avoid_r = exempt_costs(scenario, fys, after_decision=True)
    return Inputs(fys=fys, capital_gbp_m=capital, revenue_gbp_m=revenue,
                  funding_gbp_m=funding_by_fy(scenario, fys), benefits_real_gbp_m=benefits,
                  base_year=a.paper_base, discount_rate=a.discount_rate.value,
                  gdp_deflator=a.deflator, optimism_bias_capital=a.optimism_bias_capital.value,
                  optimism_bias_operating=a.optimism_bias_operating.value, decision_fy=a.decision_fy.value,
                  costs_in_real_prices=a.price_basis.value == "real",
                  green_book_base_year=a.green_book_base, decision_share=share_to_come(decision_date(scenario)),
                  avoidable_capital_gbp_m=split["capital"], avoidable_revenue_gbp_m=split["revenue"],
                  committed_capital_gbp_m=split["committed_capital"],
                  committed_revenue_gbp_m=split["committed_revenue"], sunk_gbp_m=float(split["sunk"].sum()),
                  service_life_to=None if a.service_life_to is None else a.service_life_to.value,
                  residual_value_gbp_m=0.0 if a.residual_value_gbp_m is None else a.residual_value_gbp_m.value,
                  exempt_capital_gbp_m=exempt_c, exempt_revenue_gbp_m=exempt_r,
                  exempt_avoidable_capital_gbp_m=exempt_avoid_c, exempt_avoidable_revenue_gbp_m=exempt_avoid_r,
                  risk_gbp_m=expected_risk_costs_by_fy(scenario, fys),
                  opportunity_gbp_m=opportunity_costs_by_fy(scenario, fys, after_decision=True))


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
    #: nominal costs before the decision (sunk costs; 0 in the paper's measure)
    sunk_costs_gbp_m: float = 0.0
    #: year 0 and the price base of the appraisal
    base_year: int | None = None
    #: nominal amounts committed at the decision date, by year (zeros in the paper's measure)
    committed_gbp_m: np.ndarray | None = None
    #: years added after the period's end to cover the service life (running costs and benefits)
    extension_years: int = 0
    #: the residual value closing the period, real prices of the base year (in benefits_real_gbp_m)
    residual_value_real_gbp_m: float = 0.0
    #: expected risk costs and opportunity costs, real base-year prices, in costs_real_gbp_m (zeros
    #: in the paper's measure)
    risk_real_gbp_m: np.ndarray | None = None
    opportunity_real_gbp_m: np.ndarray | None = None
    #: the real costs optimism bias raises (capital at its capital rate, revenue at its operating rate):
    #: the rest of costs_real_gbp_m, less the uplift, is never raised
    ob_base_capital_real_gbp_m: np.ndarray | None = None
    ob_base_revenue_real_gbp_m: np.ndarray | None = None

    @property
    def pv_risk_gbp_m(self) -> float:
        return 0.0 if self.risk_real_gbp_m is None else gb.present_value(self.risk_real_gbp_m, self.discount_factor)

    @property
    def pv_opportunity_gbp_m(self) -> float:
        return (0.0 if self.opportunity_real_gbp_m is None
                else gb.present_value(self.opportunity_real_gbp_m, self.discount_factor))

    @property
    def committed_total_gbp_m(self) -> float:
        """Nominal costs committed at the decision date (the same in every option)."""
        return 0.0 if self.committed_gbp_m is None else float(np.sum(self.committed_gbp_m))

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

    def _or_zeros(self, x: np.ndarray | None) -> np.ndarray:
        return np.zeros(len(self.fys)) if x is None else x

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
            "risk_real_gbp_m": self._or_zeros(self.risk_real_gbp_m),
            "opportunity_real_gbp_m": self._or_zeros(self.opportunity_real_gbp_m),
            "costs_real_gbp_m": self.costs_real_gbp_m,
            "benefits_real_gbp_m": self.benefits_real_gbp_m,
            "net_real_gbp_m": self.net_real_gbp_m,
            "discount_factor": self.discount_factor,
            "pv_gbp_m": self.pv_gbp_m,
        })


def _or(x: np.ndarray | None, default: np.ndarray) -> np.ndarray:
    return default if x is None else np.asarray(x, dtype=float)


def future_years(fys: np.ndarray, decision_fy: int | None) -> np.ndarray:
    """1.0 for each year from the decision year on, 0.0 before it: the years whose costs are still
    estimates, and so the only ones optimism bias may raise (green-book.md, sunk costs and the
    decision point). With no decision year every year is future."""
    fys = np.asarray(fys)
    return np.ones(len(fys)) if decision_fy is None else (fys >= decision_fy).astype(float)


def appraise(inputs: Inputs) -> Appraisal:
    """The paper's measure: every year of the period, costs already spent included, in real prices of
    its own base year (`inputs.base_year`) and discounted to it. What the published NPVs calibrate.

    Costs: nominal cash to real base-year prices (5.11), unless the params say the published figures
    are already in real prices (`appraisal.price_basis: real`); then raised by optimism bias (5.45-5.49)
    at the capital rate on capital and the operating rate on revenue, in the years from the decision
    year on only: optimism bias adjusts estimates of future costs, never spend already incurred.
    Benefits are modelled in real prices of the base year already. Net real flows are discounted with
    the STPR (A6) or a flat rate; year 0 (the base year) is undiscounted.
    """
    fys = np.asarray(inputs.fys)
    capital, revenue = inputs.capital_gbp_m, inputs.revenue_gbp_m
    t = fys - inputs.base_year
    deflator = 0.0 if inputs.costs_in_real_prices else inputs.gdp_deflator
    level = gb.price_level(fys, inputs.base_year, deflator)     # 1 throughout for costs in real prices
    capital_real = np.asarray(capital, dtype=float) / level
    revenue_real = np.asarray(revenue, dtype=float) / level
    future = future_years(fys, inputs.decision_fy)
    zero = np.zeros(len(fys))
    exempt_c = np.asarray(_or(inputs.exempt_capital_gbp_m, zero), dtype=float) / level
    exempt_r = np.asarray(_or(inputs.exempt_revenue_gbp_m, zero), dtype=float) / level
    ob_base_c, ob_base_r = (capital_real - exempt_c) * future, (revenue_real - exempt_r) * future
    uplift = (gb.optimism_bias_amount(ob_base_c, inputs.optimism_bias_capital)
              + gb.optimism_bias_amount(ob_base_r, inputs.optimism_bias_operating))
    costs_real = capital_real + revenue_real + uplift
    benefits_real = np.asarray(inputs.benefits_real_gbp_m, dtype=float)
    net_real = benefits_real - costs_real
    factors = gb.discount_factors(t, inputs.discount_rate)
    return Appraisal(
        fys=fys, t=t, capital_gbp_m=capital, revenue_gbp_m=revenue, funding_gbp_m=inputs.funding_gbp_m,
        benefits_gbp_m=benefits_real * gb.price_level(fys, inputs.base_year, inputs.gdp_deflator),
        capital_real_gbp_m=capital_real, revenue_real_gbp_m=revenue_real, optimism_bias_gbp_m=uplift,
        costs_real_gbp_m=costs_real, benefits_real_gbp_m=benefits_real, net_real_gbp_m=net_real,
        discount_factor=factors, pv_gbp_m=net_real * factors, base_year=int(inputs.base_year),
        committed_gbp_m=np.zeros(len(fys)), ob_base_capital_real_gbp_m=ob_base_c, ob_base_revenue_real_gbp_m=ob_base_r)


def green_book_split(inputs: Inputs) -> dict[str, np.ndarray | float]:
    """The period's nominal costs split at the decision (green-book.md, sunk, committed, avoidable):
    avoidable capital and revenue, committed capital and revenue (zeros before the decision year),
    and the sunk total. Where the inputs do not give them line by line, each year's costs are taken
    pro rata: none before the decision year, `decision_share` of it, all after."""
    fys = np.asarray(inputs.fys)
    d = int(fys[0]) if inputs.decision_fy is None else inputs.decision_fy
    w = year_weights(fys, d, inputs.decision_share)
    zero = np.zeros(len(fys))
    committed_c = zero if inputs.committed_capital_gbp_m is None else np.where(fys >= d, inputs.committed_capital_gbp_m, 0.0)
    committed_r = zero if inputs.committed_revenue_gbp_m is None else np.where(fys >= d, inputs.committed_revenue_gbp_m, 0.0)
    avoid_c = (avoidable(inputs.capital_gbp_m * w, committed_c) if inputs.avoidable_capital_gbp_m is None
               else inputs.avoidable_capital_gbp_m)
    avoid_r = (avoidable(inputs.revenue_gbp_m * w, committed_r) if inputs.avoidable_revenue_gbp_m is None
               else inputs.avoidable_revenue_gbp_m)
    sunk = (float(np.sum((inputs.capital_gbp_m + inputs.revenue_gbp_m) * (1.0 - w))) if inputs.sunk_gbp_m is None
            else inputs.sunk_gbp_m)
    return {"decision_fy": d, "weights": w, "capital": avoid_c, "revenue": avoid_r,
            "committed_capital": committed_c, "committed_revenue": committed_r, "sunk": sunk}


def green_book(inputs: Inputs, extended: bool = True) -> Appraisal:
    """The Green Book appraisal at the decision point (green-book.md, the decision point in full).

    Only what the decision can still change and what is committed counts: the years from the decision
    year on, the decision year's months before the decision sunk (`decision_share`, or each line's own
    timing); earlier spend is sunk and stated. Committed amounts are costs in every option alike, with
    no optimism bias (a contracted sum is not an estimate). Year 0 and the price base are the decision
    year unless `green_book_base_year` says otherwise (5.11-5.13; A6). With `extended` (the default)
    the period is closed as the case declares: running costs and benefits continue at their last year's
    real level to `service_life_to`, or a residual value is a benefit of the last year; `extended=False`
    gives the appraisal without either.
    """
    split = green_book_split(inputs)
    d = split["decision_fy"]
    base = d if inputs.green_book_base_year is None else inputs.green_book_base_year
    all_fys = np.asarray(inputs.fys)
    keep = all_fys >= d
    fys = all_fys[keep]
    extra = extension_years(int(all_fys[-1]), inputs.service_life_to) if extended else np.zeros(0, dtype=int)
    years = np.concatenate([fys, extra]).astype(int)
    t = years - base
    n_more = len(extra)

    def real(nominal: np.ndarray) -> np.ndarray:   # 5.11: nominal cash, or real paper-base prices, to base prices
        if inputs.costs_in_real_prices:
            return rebase(nominal, inputs.base_year, base, inputs.gdp_deflator)
        return np.asarray(nominal, dtype=float) / gb.price_level(fys, base, inputs.gdp_deflator)

    committed_c, committed_r = split["committed_capital"][keep], split["committed_revenue"][keep]
    avoid_c_real, avoid_r_real = real(split["capital"][keep]), real(split["revenue"][keep])
    committed_c_real, committed_r_real = real(committed_c), real(committed_r)
    pad = np.zeros(n_more)
    capital_real = np.concatenate([avoid_c_real, pad])
    # running costs continue at the last year's level, committed or not: beyond the period they are estimates
    revenue_last = (avoid_r_real + committed_r_real)[-1:] if len(fys) else np.zeros(1)
    revenue_real = np.concatenate([avoid_r_real, np.repeat(revenue_last, n_more)])
    committed_real = np.concatenate([committed_c_real + committed_r_real, pad])
    zero = np.zeros(len(all_fys))
    exempt_c_real = np.concatenate([real(_or(inputs.exempt_avoidable_capital_gbp_m, zero)[keep]), pad])
    exempt_r_real = extend_at_last_level(real(_or(inputs.exempt_avoidable_revenue_gbp_m, zero)[keep]), n_more)
    ob_base_c, ob_base_r = capital_real - exempt_c_real, revenue_real - exempt_r_real
    uplift = (gb.optimism_bias_amount(ob_base_c, inputs.optimism_bias_capital)
              + gb.optimism_bias_amount(ob_base_r, inputs.optimism_bias_operating))
    # risk, then optimism bias (5.42-5.49): expected risk costs and opportunity costs take none
    risk_real = np.concatenate([real(_or(inputs.risk_gbp_m, zero)[keep]), pad])
    opportunity_real = np.concatenate([real(_or(inputs.opportunity_gbp_m, zero)[keep]), pad])
    costs_real = capital_real + revenue_real + committed_real + uplift + risk_real + opportunity_real
    benefits = rebase(np.asarray(inputs.benefits_real_gbp_m, dtype=float)[keep] * split["weights"][keep],
                      inputs.base_year, base, inputs.gdp_deflator)
    benefits_real = extend_at_last_level(benefits, n_more)
    residual_real = 0.0
    if extended and inputs.residual_value_gbp_m and len(fys):
        residual_real = float(real(np.eye(len(fys))[-1] * inputs.residual_value_gbp_m)[-1])
        benefits_real = benefits_real.copy()
        benefits_real[len(fys) - 1] += residual_real
    net_real = benefits_real - costs_real
    factors = gb.discount_factors(t, inputs.discount_rate)
    level = gb.price_level(years, base, inputs.gdp_deflator)
    nominal = lambda x: x * level  # noqa: E731
    in_period = lambda x: np.concatenate([x, pad])  # noqa: E731
    capital_cash = np.concatenate([split["capital"][keep] + committed_c, nominal(capital_real)[len(fys):]])
    revenue_cash = np.concatenate([split["revenue"][keep] + committed_r, nominal(revenue_real)[len(fys):]])
    return Appraisal(
        fys=years, t=t, capital_gbp_m=capital_cash, revenue_gbp_m=revenue_cash,
        funding_gbp_m=in_period(inputs.funding_gbp_m[keep]), benefits_gbp_m=nominal(benefits_real),
        capital_real_gbp_m=capital_real + in_period(committed_c_real),
        revenue_real_gbp_m=revenue_real + in_period(committed_r_real), optimism_bias_gbp_m=uplift,
        costs_real_gbp_m=costs_real, benefits_real_gbp_m=benefits_real, net_real_gbp_m=net_real,
        discount_factor=factors, pv_gbp_m=net_real * factors, sunk_costs_gbp_m=float(split["sunk"]),
        base_year=int(base), committed_gbp_m=in_period(committed_c + committed_r), extension_years=n_more,
        residual_value_real_gbp_m=residual_real, risk_real_gbp_m=risk_real, opportunity_real_gbp_m=opportunity_real,
        ob_base_capital_real_gbp_m=ob_base_c, ob_base_revenue_real_gbp_m=ob_base_r)


def npv(scenario: Scenario) -> float:
    """The paper's measure: the NPV over the whole TCO period (what the published NPVs calibrate)."""
    return appraise(inputs_from_scenario(scenario)).npv_gbp_m


def green_book_npv(scenario: Scenario) -> float:
    return green_book(inputs_from_scenario(scenario)).npv_gbp_m

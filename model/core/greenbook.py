"""HM Treasury Green Book appraisal rules, one small pure function each.

References are to the Green Book (2022) and its annexes, as summarised in
``shared/reference/green-book.md``.
"""

from __future__ import annotations

import numpy as np

from model.core.reference import DeflatorSeries, stpr_schedule

#: STPR schedule, Green Book Annex A6 (Table 8; the same schedule as Green Book 2003 Table 6.1):
#: (last year of the band, real rate). Year 0 is undiscounted; years 1-30 at 3.5%, 31-75 at 3.0%, ...
#: Read from the packaged reference data (model/core/data/stpr.yaml, with its source and release).
STPR_STANDARD: tuple[tuple[float, float], ...] = stpr_schedule("standard")
#: The lower schedule for health and life values, Green Book A6.
STPR_HEALTH: tuple[tuple[float, float], ...] = stpr_schedule("health")


def stpr_rate(year: np.ndarray | int, schedule=STPR_STANDARD) -> np.ndarray:
    """The STPR that applies to the step into `year` (A6.4): 3.5% for years up to 30, and so on.

    Years at or before 0 take the first band's rate (used when compounding costs before the base year).
    """
    year = np.asarray(year)
    rates = np.full(year.shape, schedule[-1][1], dtype=float)
    for last_year, rate in reversed(schedule):
        rates = np.where(year <= last_year, rate, rates)
    return rates


def discount_factors(t: np.ndarray, rate: float | None = None, schedule=STPR_STANDARD) -> np.ndarray:
    """Discount factor for each year t from the base year (Green Book A6.4-A6.6, 5.32).

    With `rate` None, the STPR schedule: the factor compounds band by band, so it is continuous at a
    band boundary while the rate steps down (year 10 at 3.5% is 1/1.035**10 = 0.7089; year 31 is
    year 30's factor divided by 1.03). A number gives a flat rate. Year 0 is undiscounted (factor 1);
    negative t (years before the base year) are compounded forward at the first band's rate.
    """
    t = np.asarray(t, dtype=int)
    if rate is not None:
        return (1.0 + rate) ** (-t.astype(float))
    horizon = int(max(np.max(np.abs(t), initial=0), 1))
    steps = np.arange(1, horizon + 1)
    log_growth = np.concatenate([[0.0], np.cumsum(np.log1p(stpr_rate(steps, schedule)))])
    first_rate = schedule[0][1]
    return np.where(t >= 0, np.exp(-log_growth[np.clip(t, 0, horizon)]),
                    (1.0 + first_rate) ** (-t.astype(float)))


def real_prices(nominal: np.ndarray, t: np.ndarray, gdp_deflator: float) -> np.ndarray:
    """Nominal cash to real base-year prices with the GDP deflator (Green Book 5.11-5.13).

    GBP 1,000 a year at a 2% deflator is 980, 961, 942, 924, 906 in years 1-5.
    """
    return np.asarray(nominal, dtype=float) / (1.0 + gdp_deflator) ** np.asarray(t, dtype=float)


def price_level(years, base: int, gdp_deflator: "float | DeflatorSeries") -> np.ndarray:
    """The price level of each financial year relative to the base year's (Green Book 5.11-5.13): with a
    flat annual rate g, (1 + g)^(year - base); with a deflator series, index(year) / index(base), each
    financial year's index weighted 0.75 / 0.25 over its two calendar years and the years after the
    outturn at the series' labelled forecast (:class:`model.core.reference.DeflatorSeries`). Nominal
    cash / level = real base-year prices; real x level = nominal. At 2% the level of year 5 is 1.10408.
    A scalar year gives a scalar."""
    if isinstance(gdp_deflator, DeflatorSeries):
        level = gdp_deflator.fy_index(years) / gdp_deflator.fy_index([base])[0]
        return level if np.ndim(years) else level[0]
    return (1.0 + gdp_deflator) ** np.asarray(np.asarray(years) - base, dtype=float)


def nominal_prices(real: np.ndarray, t: np.ndarray, gdp_deflator: float) -> np.ndarray:
    """Inverse of :func:`real_prices`."""
    return np.asarray(real, dtype=float) * (1.0 + gdp_deflator) ** np.asarray(t, dtype=float)


def optimism_bias_amount(costs: np.ndarray, uplift: float | np.ndarray) -> np.ndarray:
    """The optimism-bias uplift added to costs, costs x uplift (Green Book 5.45-5.49; Mott MacDonald
    Table 2). The uplift may be given year by year (0 for a year it must not touch)."""
    return np.asarray(costs, dtype=float) * uplift


def present_value(amounts: np.ndarray, factors: np.ndarray) -> float:
    """Sum of amounts times their discount factors (Green Book 5.32)."""
    return float(np.sum(np.asarray(amounts, dtype=float) * factors))


def benefit_cost_ratio(pv_benefits: float, pv_costs: float) -> float | None:
    """BCR = PV(benefits) / PV(costs) (Green Book 5.55). None when there are no costs."""
    return None if pv_costs == 0 else pv_benefits / pv_costs

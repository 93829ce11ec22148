"""Cash flows by financial year: costs from the params, and the modelled benefit stream."""

from __future__ import annotations

import numpy as np

from .fy import decimal_year, fy_label, parse_date, parse_fy
from .schema import AllocatedBlock, Scenario, Series, TableBlock


def series_array(series_by_fy: dict[str, float], fys: np.ndarray) -> np.ndarray:
    """A {'FY23/24': x} mapping laid onto the appraisal years (years not given are zero)."""
    index = {int(fy): i for i, fy in enumerate(fys)}
    out = np.zeros(len(fys))
    for label, amount in series_by_fy.items():
        out[index[parse_fy(label)]] += amount
    return out


def allocate(total: float, profile: Series, fys: np.ndarray) -> np.ndarray:
    """Spread a total over the years in proportion to a profile's weights (they are normalised)."""
    weights = series_array(profile.by_fy, fys)
    return total * weights / weights.sum()


def block_costs(block, fys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(capital, revenue) by year for one cost block, gross of any funding sources."""
    capital, revenue = np.zeros(len(fys)), np.zeros(len(fys))
    if isinstance(block, TableBlock):
        gross = sum((series_array(line.by_fy, fys) for line in block.lines.values()), np.zeros(len(fys)))
        if block.kind == "capital":
            capital += gross
        else:
            revenue += gross
    elif isinstance(block, AllocatedBlock):
        share = block.capital_share.value
        capital += allocate(block.total_gbp_m.value * share, block.capital_profile, fys)
        revenue += allocate(block.total_gbp_m.value * (1 - share), block.revenue_profile, fys)
    return capital, revenue


def costs_by_fy(scenario: Scenario, fys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Capital and revenue over the appraisal period: every version's costs added together.

    Gross of funding sources: reserves pay for costs, they do not remove them.
    """
    capital, revenue = np.zeros(len(fys)), np.zeros(len(fys))
    for block in scenario.costs.values():
        c, r = block_costs(block, fys)
        capital += c
        revenue += r
    return capital, revenue


def funding_by_fy(scenario: Scenario, fys: np.ndarray) -> np.ndarray:
    """Identified funding sources (reserves) by year, negative as the tables print them."""
    out = np.zeros(len(fys))
    for block in scenario.costs.values():
        if isinstance(block, TableBlock):
            for line in block.funding_sources.values():
                out += series_array(line.by_fy, fys)
    return out


def month_midpoints(fys: np.ndarray) -> np.ndarray:
    """The middle of each month of each financial year, as fractional calendar years, shape (n*12,)."""
    months = np.arange(12)
    return (fys[:, None] + (3 + months[None, :] + 0.5) / 12.0).ravel()


def ramp(time: np.ndarray, start: np.ndarray, ramp_years: np.ndarray) -> np.ndarray:
    """Share of full benefits reached at `time`: 0 before `start`, rising linearly to 1 over ramp_years."""
    ramp_years = np.asarray(ramp_years, dtype=float)
    safe = np.where(ramp_years > 0, ramp_years, 1.0)
    linear = np.clip((time - start) / safe, 0.0, 1.0)
    return np.where(ramp_years > 0, linear, (time >= start).astype(float))


def benefits_real_by_fy(fys: np.ndarray, drop1_start: np.ndarray, drop2_start: np.ndarray,
                        annual_gbp_m: np.ndarray, realisation_factor: np.ndarray,
                        drop1_share: np.ndarray, ramp_up_years: np.ndarray,
                        start_delay_months: np.ndarray) -> np.ndarray:
    """Benefits in real base-year prices, by financial year.

    Each drop unlocks its share of the steady-state annual benefit, ramping up linearly from its
    go-live (plus any start delay) over `ramp_up_years`. The annual rate is integrated month by month.
    Every argument after `fys` may be an array of draws (shape (k,) or (k, 1)); the result is then
    (k, n). With scalars the result is (n,).
    """
    scalar = all(np.ndim(a) == 0 for a in (drop1_start, drop2_start, annual_gbp_m, realisation_factor,
                                           drop1_share, ramp_up_years, start_delay_months))
    col = lambda a: np.asarray(a, dtype=float).reshape(-1, 1)  # noqa: E731  (draws down, months across)
    times = month_midpoints(np.asarray(fys))[None, :]
    delay = col(start_delay_months) / 12.0
    share1 = col(drop1_share)
    level = share1 * ramp(times, col(drop1_start) + delay, col(ramp_up_years)) \
        + (1.0 - share1) * ramp(times, col(drop2_start) + delay, col(ramp_up_years))
    monthly = col(annual_gbp_m) * col(realisation_factor) * level / 12.0
    by_fy = monthly.reshape(monthly.shape[0], len(fys), 12).sum(axis=2)
    return by_fy[0] if scalar else by_fy


def go_live_years(scenario: Scenario) -> tuple[float, float]:
    """Drop 1 and Drop 2 go-live dates as fractional years."""
    ms = scenario.milestones
    return (decimal_year(parse_date(ms["drop1_go_live"].value)),
            decimal_year(parse_date(ms["drop2_go_live"].value)))


def fy_labels(fys: np.ndarray) -> list[str]:
    return [fy_label(int(y)) for y in fys]

"""Cash flows by financial year: costs from the params, and the modelled benefit stream."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .decision_frame import avoidable, share_to_come, timed_share_to_come, year_weights
from .fy import decimal_year, fy_label, fy_range, parse_date, parse_fy
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


def block_costs(block, fys: np.ndarray, multipliers: dict[str, float] | None = None
                ) -> tuple[np.ndarray, np.ndarray]:
    """(capital, revenue) by year for one cost block, gross of any funding sources, each line scaled
    by its cost factor's multiplier (1 unless a sensitivity sets it)."""
    multipliers = multipliers or {}
    capital, revenue = np.zeros(len(fys)), np.zeros(len(fys))
    if isinstance(block, TableBlock):
        gross = sum((series_array(line.by_fy, fys) * multipliers.get(line.factor, 1.0)
                     for line in block.lines.values()), np.zeros(len(fys)))
        if block.kind == "capital":
            capital += gross
        else:
            revenue += gross
    elif isinstance(block, AllocatedBlock):
        share = block.capital_share.value
        scale = multipliers.get(block.factor, 1.0)
        capital += allocate(block.total_gbp_m.value * share, block.capital_profile, fys) * scale
        revenue += allocate(block.total_gbp_m.value * (1 - share), block.revenue_profile, fys) * scale
    return capital, revenue


def decision_date(scenario: Scenario):
    """The decision's date (its month's first day), or None where the params give only the year."""
    q = scenario.appraisal.decision_date
    return None if q is None else parse_date(q.value)


def line_share_to_come(line, scenario: Scenario) -> float:
    """The share of a cost line's decision-year spend still to come at the decision: by its own
    `timing` where it states one, else pro rata by month (green-book.md, sunk costs)."""
    day = decision_date(scenario)
    timing = getattr(line, "timing", None)
    if timing is None:
        return share_to_come(day)
    return timed_share_to_come(parse_date(timing.start), parse_date(timing.end), day)


def block_costs_after_decision(block, fys: np.ndarray, scenario: Scenario,
                               multipliers: dict[str, float] | None = None) -> dict[str, np.ndarray]:
    """One cost block split at the decision date, by year (nominal GBP m), gross of funding:
    `capital` / `revenue`, what the decision can still change (each line's spend after the decision,
    less what is committed, scaled by its factor's multiplier); `committed_capital` /
    `committed_revenue`, the amounts committed at the decision date (fixed: no multiplier, and borne
    even where an option cuts the line); `sunk`, the spend before the decision."""
    multipliers = multipliers or {}
    d = scenario.appraisal.decision_fy.value
    n = len(fys)
    out = {k: np.zeros(n) for k in ("capital", "revenue", "committed_capital", "committed_revenue", "sunk")}
    if isinstance(block, TableBlock):
        side = "capital" if block.kind == "capital" else "revenue"
        for line in block.lines.values():
            m = multipliers.get(line.factor, 1.0)
            amounts = series_array(line.by_fy, fys)
            weights = year_weights(fys, d, line_share_to_come(line, scenario))
            committed = np.zeros(n) if line.committed is None else series_array(line.committed.by_fy, fys)
            committed = np.where(np.asarray(fys) >= d, committed, 0.0)
            out[side] += m * avoidable(amounts * weights, committed)
            out[f"committed_{side}"] += committed
            out["sunk"] += m * amounts * (1.0 - weights)
    elif isinstance(block, AllocatedBlock):
        capital, revenue = block_costs(block, fys, multipliers)
        weights = year_weights(fys, d, share_to_come(decision_date(scenario)))
        out["capital"] += capital * weights
        out["revenue"] += revenue * weights
        out["sunk"] += (capital + revenue) * (1.0 - weights)
    return out


def costs_after_decision(scenario: Scenario, fys: np.ndarray) -> dict[str, np.ndarray]:
    """:func:`block_costs_after_decision` summed over every block, with the scenario's multipliers."""
    multipliers = cost_multipliers(scenario)
    total = {k: np.zeros(len(fys)) for k in ("capital", "revenue", "committed_capital", "committed_revenue", "sunk")}
    for block in scenario.costs.values():
        for k, v in block_costs_after_decision(block, fys, scenario, multipliers).items():
            total[k] += v
    return total


def cost_multipliers(scenario: Scenario) -> dict[str, float]:
    """Each cost factor's multiplier: the params' value, times any reduction a contract cap makes."""
    multipliers = {factor: q.value for factor, q in scenario.cost_multipliers.items()}
    cap = scenario.contract_cap
    if cap is not None:
        excess = contract_cap_excess(scenario)
        if excess > 0:
            fys = fy_range(scenario.appraisal.first_fy.value, scenario.appraisal.last_fy.value)
            funded = sum(float(series_array(ln.by_fy, fys).sum()) * multipliers.get(ln.factor, 1.0)
                         for block in scenario.costs.values() if isinstance(block, TableBlock)
                         for ln in block.lines.values() if ln.factor in cap.funded_from)
            keep = max(0.0, 1.0 - excess / funded) if funded > 0 else 1.0
            for factor in cap.funded_from:
                multipliers[factor] = multipliers.get(factor, 1.0) * keep
    return multipliers


def contract_cap_excess(scenario: Scenario) -> float:
    """The capped contract's uplift above the cap, in GBP m (0 if within it).

    Read `per_modification` (PCR 2015 reg. 72(2): the 50% limit of 72(1)(b) and (c) applies to the value
    of each of several successive modifications), each modification's excess over the cap is counted;
    read `cumulative`, the sum of every uplift is held to the cap (a labelled what-if, see ContractCap).
    """
    cap = scenario.contract_cap
    if cap is None:
        return 0.0
    contract = scenario.contracts[cap.contract]
    original = contract.original_value_gbp_m.value
    limit = cap.cap_pct_of_original / 100.0 * original
    steps = []
    previous = original
    for m in contract.modifications.values():
        if m.uplift_gbp_m is not None:
            step = m.uplift_gbp_m.value
        elif m.new_value_gbp_m is not None:
            step = m.new_value_gbp_m.value - previous
        else:
            step = 0.0
        steps.append(step)
        previous = m.new_value_gbp_m.value if m.new_value_gbp_m is not None else previous + step
    if cap.reading == "per_modification":
        return float(sum(max(0.0, step - limit) for step in steps))
    return max(0.0, sum(steps) - limit)


def costs_by_fy(scenario: Scenario, fys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Capital and revenue over the appraisal period: every version's costs added together.

    Gross of funding sources: a funding source pays for costs, it does not remove them.
    """
    capital, revenue = np.zeros(len(fys)), np.zeros(len(fys))
    multipliers = cost_multipliers(scenario)
    for block in scenario.costs.values():
        c, r = block_costs(block, fys, multipliers)
        capital += c
        revenue += r
    return capital, revenue


def funding_by_fy(scenario: Scenario, fys: np.ndarray) -> np.ndarray:
    """Identified funding sources by year, negative as the tables print them."""
    out = np.zeros(len(fys))
    for block in scenario.costs.values():
        if isinstance(block, TableBlock):
            for line in block.funding_sources.values():
                out += series_array(line.by_fy, fys)
    return out


def ramp_integral(u: np.ndarray, ramp_years: np.ndarray) -> np.ndarray:
    """Antiderivative of the linear ramp clip(u / R, 0, 1) in u (years since the start), with G(0) = 0.

    G(u) = 0 for u <= 0; u^2 / 2R for 0 < u <= R; u - R/2 for u > R. With R = 0 it is max(u, 0).
    """
    u = np.asarray(u, dtype=float)
    if np.ndim(ramp_years) == 0:  # one ramp length for every draw: G = min(u+, R)^2 / 2R + (u - R)+
        r = float(ramp_years)
        if r <= 0:
            return np.maximum(u, 0.0)
        g = np.clip(u, 0.0, r)
        g *= g / (2.0 * r)   # (g / 2R) <= 1/2 first: no overflow however short the ramp
        excess = u - r
        np.maximum(excess, 0.0, out=excess)
        g += excess
        return g
    ramp_years = np.asarray(ramp_years, dtype=float)
    safe = np.where(ramp_years > 0, ramp_years, 1.0)
    rising = np.where(u > 0, u * u / (2.0 * safe), 0.0)
    return np.where(ramp_years > 0, np.where(u > ramp_years, u - ramp_years / 2.0, rising), np.maximum(u, 0.0))


def year_share(fys: np.ndarray, start: np.ndarray, ramp_years: np.ndarray) -> np.ndarray:
    """The average of the ramp over each financial year (1 April to 31 March), exactly:
    G(end - start) - G(begin - start) for a year of length one."""
    fys = np.asarray(fys, dtype=float)
    begin = fys + 3.0 / 12.0                                      # 1 April as a fractional year
    if len(fys) > 1 and np.all(np.diff(fys) == 1.0):
        # consecutive years share their boundaries: integrate to each of the T + 1 edges once
        edges = np.append(begin, begin[-1] + 1.0)[None, :]
        return np.diff(ramp_integral(edges - start, ramp_years), axis=1)
    begin = begin[None, :]
    return ramp_integral(begin + 1.0 - start, ramp_years) - ramp_integral(begin - start, ramp_years)


def benefits_real_by_fy(fys: np.ndarray, starts: Sequence, shares: Sequence, ramp_up_years: Sequence,
                        annual_gbp_m: np.ndarray, realisation_factor: np.ndarray,
                        start_delay_months: np.ndarray, level_multiplier: np.ndarray = 1.0) -> np.ndarray:
    """Benefits in real base-year prices, by financial year.

    Each delivery i (its start `starts[i]` as a fractional year, `shares[i]` of the steady-state
    annual benefit, `ramp_up_years[i]`) unlocks its share, ramping up linearly from its start (plus
    any start delay) over its ramp; each year's benefit is the exact integral of that rate over the
    year. A start of +inf is never reached. Every argument after `fys` (and each item of the three
    sequences) may be an array of draws (shape (k,) or (k, 1)); the result is then (k, n). With
    scalars the result is (n,).
    """
    if not len(starts) == len(shares) == len(ramp_up_years) >= 1:
        raise ValueError("starts, shares and ramp_up_years need one item for each delivery (at least one)")
    args = (*starts, *shares, *ramp_up_years, annual_gbp_m, realisation_factor, start_delay_months,
            level_multiplier)
    scalar = all(np.ndim(a) == 0 for a in args)
    col = lambda a: np.asarray(a, dtype=float).reshape(-1, 1)  # noqa: E731  (draws down, years across)
    delay = col(start_delay_months) / 12.0
    by_fy = None
    for start, share, ramp in zip(starts, shares, ramp_up_years):
        ramp_years = ramp if np.ndim(ramp) == 0 else col(ramp)
        part = col(share) * year_share(fys, col(start) + delay, ramp_years)
        if by_fy is None:
            by_fy = part
        else:  # in place where the shapes allow: the Monte Carlo calls this for every chunk of draws
            shape = np.broadcast_shapes(by_fy.shape, part.shape)
            by_fy = by_fy if by_fy.shape == shape else np.broadcast_to(by_fy, shape).copy()
            by_fy += part
    scale = col(annual_gbp_m) * col(realisation_factor) * col(level_multiplier)
    shape = np.broadcast_shapes(by_fy.shape, scale.shape)
    by_fy = by_fy if by_fy.shape == shape else np.broadcast_to(by_fy, shape).copy()
    by_fy *= scale
    return by_fy[0] if scalar else by_fy


def milestone_year(scenario: Scenario, key: str) -> float:
    """A milestone's date as a fractional year; +inf for a blank date (never reached)."""
    value = scenario.milestones[key].value
    return float("inf") if value is None else decimal_year(parse_date(value))


def delivery_years(scenario: Scenario) -> list[float]:
    """Each delivery's milestone as a fractional year, in the order of `benefits.deliveries`
    (+inf for one never delivered: its benefits never start)."""
    return [milestone_year(scenario, d.milestone) for d in scenario.benefits.deliveries.values()]


def delivery_shares(scenario: Scenario) -> list[float]:
    # a share left out (allowed for the only delivery) is all of the benefits
    return [1.0 if d.share is None else d.share.value for d in scenario.benefits.deliveries.values()]


def delivery_ramps(scenario: Scenario) -> list[float]:
    """Each delivery's ramp-up in years: its own, or `benefits.ramp_up_years` where it gives none."""
    default = scenario.benefits.ramp_up_years.value
    return [default if d.ramp_up_years is None else d.ramp_up_years.value
            for d in scenario.benefits.deliveries.values()]


def calculation_milestones(scenario: Scenario) -> dict[str, str]:
    """The milestones the calculation reads, each with the params key that names it: the start of
    works and every delivery's milestone."""
    out = {scenario.appraisal.works_start_milestone: "appraisal.works_start_milestone"}
    for name, d in scenario.benefits.deliveries.items():
        out.setdefault(d.milestone, f"benefits.deliveries.{name}.milestone")
    return out


def decision_point(scenario: Scenario) -> float:
    """The decision as a fractional year: the first of its month (`appraisal.decision_date`), else the
    start of the decision year (1 April). Works before it are done."""
    day = decision_date(scenario)
    return float(scenario.appraisal.decision_fy.value) + 3.0 / 12.0 if day is None else decimal_year(day)


def duration_bias_delay_months(scenario: Scenario) -> float:
    """Extra months before benefits start under works-duration optimism bias.

    The Green Book's supplementary guidance on optimism bias (Mott MacDonald, Table 2) gives a "works
    duration" uplift: a percentage added to the estimated duration of the works, from their start to
    their completion. Here the works start at `appraisal.works_start_milestone` and are complete at
    the latest delivery that is delivered (deliveries never delivered are no part of the works); the
    delay is the uplift times the part of that period still to come at the decision point (from the
    later of the works' start and the decision year's start). Works already done are facts, not
    estimates, so the uplift never lengthens them (green-book.md, sunk costs and the decision point).
    """
    uplift = scenario.appraisal.optimism_bias_duration.value or 0.0
    if uplift == 0:
        return 0.0
    delivered = [y for y in delivery_years(scenario) if np.isfinite(y)]
    if not delivered:
        return 0.0  # nothing delivered: no works to stretch
    works_start = milestone_year(scenario, scenario.appraisal.works_start_milestone)
    start = max(works_start, decision_point(scenario))
    return uplift * max(max(delivered) - start, 0.0) * 12.0


def benefit_starts(scenario: Scenario) -> list[float]:
    """Each delivery's start of benefits as a fractional year: its milestone, delayed by the
    works-duration optimism bias only if it falls after the decision point (a delivery already live
    is not delayed)."""
    delay_years = duration_bias_delay_months(scenario) / 12.0
    point = decision_point(scenario)
    return [d + delay_years if d >= point else d for d in delivery_years(scenario)]


def fy_labels(fys: np.ndarray) -> list[str]:
    return [fy_label(int(y)) for y in fys]


def spread_over_years(total: float, years: Sequence[str], fys: np.ndarray) -> np.ndarray:
    """A total spread evenly over the financial years named (an 8.0 over two years is 4.0 in each)."""
    return series_array({label: total / len(years) for label in years}, fys) if years else np.zeros(len(fys))


def risk_impacts_by_fy(scenario: Scenario, fys: np.ndarray) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The quantified risks of the register: their names, probabilities (R,) and impacts by year
    (R, T), nominal GBP m, each impact spread evenly over its years. Expected risk cost by year is
    probabilities @ impacts (Green Book 5.42-5.44: probability x impact)."""
    quantified = {k: r for k, r in scenario.risks.items() if r.quantified}
    names = list(quantified)
    impacts = np.array([spread_over_years(r.impact_gbp_m.value, r.years, fys) for r in quantified.values()]
                       ).reshape(len(names), len(fys))
    probabilities = np.array([r.probability.value for r in quantified.values()], dtype=float)
    return names, probabilities, impacts


def expected_risk_costs_by_fy(scenario: Scenario, fys: np.ndarray) -> np.ndarray:
    """Expected risk costs by year (nominal GBP m): a 25% risk of 8.0 over two years is 1.0 in each."""
    _, probabilities, impacts = risk_impacts_by_fy(scenario, fys)
    return probabilities @ impacts


def opportunity_costs_by_fy(scenario: Scenario, fys: np.ndarray, after_decision: bool = False) -> np.ndarray:
    """Opportunity costs by year (nominal GBP m): people x days x cost per day, less what is already
    costed, spread over its years; `after_decision`, only the decision year's share still to come
    (by the entry's timing, else pro rata by month), as for a cost line."""
    out = np.zeros(len(fys))
    for entry in scenario.opportunity_costs.values():
        out += opportunity_cost_by_fy(entry, scenario, fys, after_decision)
    return out


def opportunity_cost_by_fy(entry, scenario: Scenario, fys: np.ndarray, after_decision: bool = False) -> np.ndarray:
    """One opportunity cost by year (nominal GBP m); see :func:`opportunity_costs_by_fy`."""
    amounts = spread_over_years(entry.total_gbp_m, entry.years, fys)
    if after_decision:
        d = scenario.appraisal.decision_fy.value
        amounts = amounts * year_weights(fys, d, line_share_to_come(entry, scenario))
    return amounts


def optimism_bias_exempt(scenario: Scenario) -> set[str]:
    """The cost lines optimism bias never raises ('block.line', or 'block' for an allocated block):
    those marked a fixed envelope and those a quantified risk covers (risk first, then optimism bias,
    never both on one cost; green-book.md, optimism bias)."""
    out = {ref for r in scenario.risks.values() if r.quantified for ref in r.covers}
    for name, block in scenario.costs.items():
        if isinstance(block, TableBlock):
            out |= {f"{name}.{ln}" for ln, line in block.lines.items() if line.fixed_envelope}
        elif block.fixed_envelope:
            out.add(name)
    return out


def only_lines(block, name: str, keep: set[str]):
    """The block cut to the lines in `keep` (a TableBlock's 'block.line' keys; an allocated block is
    kept whole if its name is in `keep`), or None where none is left."""
    if isinstance(block, TableBlock):
        lines = {ln: line for ln, line in block.lines.items() if f"{name}.{ln}" in keep}
        return block.model_copy(update={"lines": lines, "funding_sources": {}}) if lines else None
    return block if name in keep else None


def exempt_costs(scenario: Scenario, fys: np.ndarray, after_decision: bool) -> tuple[np.ndarray, np.ndarray]:
    """(capital, revenue) by year, nominal, of the lines optimism bias never raises: every year of the
    period, or (`after_decision`) only what the decision can still change."""
    keep = optimism_bias_exempt(scenario)
    multipliers = cost_multipliers(scenario)
    capital, revenue = np.zeros(len(fys)), np.zeros(len(fys))
    for name, block in scenario.costs.items():
        cut = only_lines(block, name, keep)
        if cut is None:
            continue
        if after_decision:
            split = block_costs_after_decision(cut, fys, scenario, multipliers)
            c, r = split["capital"], split["revenue"]
        else:
            c, r = block_costs(cut, fys, multipliers)
        capital += c
        revenue += r
    return capital, revenue

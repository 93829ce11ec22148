"""Uncertainty: tornado, switching values and Monte Carlo (Green Book 5.59-5.61, Box 12; A5.21-A5.23).

All of them use the Green Book appraisal at the decision point: costs and benefits from the decision
year on, sunk costs excluded, optimism bias on future capital and operating costs at their own rates.
The NPV is linear in the cost multipliers, the two optimism-bias uplifts and the benefit level, and
depends on the discount rate and the benefit delay in closed form, so one vectorised function
evaluates it for any number of draws at once (:class:`Engine`). The scalar model (`casebook results`,
its `green_book` block; or the paper's measure with ``measure="paper"``) and the engine agree to
floating-point accuracy; the tests hold them to it.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from tqdm import tqdm

from ..core import greenbook as gb
from ..core.appraisal import future_years
from ..core.cashflows import (benefit_starts, benefits_real_by_fy, block_costs, block_costs_after_decision,
                              only_lines, optimism_bias_exempt, opportunity_costs_by_fy, risk_impacts_by_fy,
                              cost_multipliers, decision_date, delivery_ramps, delivery_shares)
from ..core.decision_frame import extend_at_last_level, extension_years, rebase, share_to_come, year_weights
from ..core.errors import CasebookError
from ..core.fy import fy_label, fy_range
from ..core.rootfind import NoBracket, brent_root
from ..core.scenario import Loaded, quantity_at
from ..core.schema import UncertainInput

#: Parameters the vectorised engine can vary (others can be varied one at a time through --set).
SUPPORTED = ("benefits.level_multiplier", "benefits.start_delay_months", "appraisal.discount_rate",
             "appraisal.optimism_bias_capital", "appraisal.optimism_bias_operating")
#: The appraisal every uncertainty figure is of.
MEASURES = {"green_book": "the Green Book appraisal at the decision point",
            "paper": "the paper's measure"}
DEFAULT_CHUNK = 10_000  # small enough that each (draws x years) array stays in cache
EXACT_QUANTILES_UP_TO = 10_000_000
BINS = 2**20
#: The most draws `casebook montecarlo` accepts, and the speed its time estimates assume. bench/montecarlo.py
#: measures about 1.7 million draws a second for the repository's own case on one core (10^8 draws in about a minute), so
#: the ceiling is some ten minutes of work; 10^7 draws already pin P10/P50/P90 to well under GBP 0.1m.
MAX_DRAWS = 1_000_000_000
DRAWS_PER_SECOND = 1_000_000  # a cautious round figure below the measured rate
PROGRESS_FROM = 10_000_000   # runs this long (several seconds) show a progress bar


def estimated_seconds(draws: int) -> float:
    return draws / DRAWS_PER_SECOND


def duration_text(seconds: float) -> str:
    """'about 11.6 days', 'about 17 minutes', 'about 3 seconds'."""
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= 2 * size:
            return f"about {seconds / size:,.1f} {unit}"
    return f"about {seconds:,.0f} seconds"


def check_draws(draws: int) -> None:
    """Refuse a number of draws that is not positive or above the ceiling (with the time it would take)."""
    if isinstance(draws, bool) or not isinstance(draws, int) or draws <= 0:
        raise CasebookError(f"must be a positive whole number, not {draws!r}", key="--draws")
    if draws > MAX_DRAWS:
        raise CasebookError(f"{draws:,} is above the ceiling of {MAX_DRAWS:,} draws: at about "
                            f"{DRAWS_PER_SECOND:,} draws a second it would take "
                            f"{duration_text(estimated_seconds(draws))}", key="--draws")


def appraisal_label(loaded: Loaded, measure: str = "green_book") -> str:
    """Which NPV the figures are of, in words: 'the Green Book appraisal at the decision point (FY23/24 on)'."""
    a = loaded.scenario.appraisal
    if measure == "green_book":
        day = decision_date(loaded.scenario)
        since = "" if day is None else f" from {day:%B %Y}"
        return (f"{MEASURES[measure]} ({fy_label(a.decision_fy.value)} on{since}, sunk costs excluded; "
                f"year 0 and prices {fy_label(a.green_book_base)})")
    return f"{MEASURES[measure]} ({a.last_fy.value - a.first_fy.value + 1}-year TCO NPV)"


# --- distributions ----------------------------------------------------------------------------------
def sample(spec: UncertainInput, base: float, n: int, rng: np.random.Generator) -> np.ndarray:
    """n draws of one input. Every distribution collapses to its single value when low == high.

    uniform(low, high); triangular and PERT (beta, lambda 4) with the mode at the base value;
    truncated normal with mean at the base and sd = (high - low) / 4, cut at low and high;
    lognormal with median at the base and its 90th percentile high/low times its 10th (so low and
    high are its 10th and 90th percentiles when the base is their geometric mean).
    """
    low, high = float(spec.low), float(spec.high)
    mode = float(np.clip(base, low, high))
    if high == low:
        return np.full(n, low)
    kind = spec.distribution
    if kind == "uniform":
        return rng.uniform(low, high, n)
    if kind == "triangular":
        return rng.triangular(low, mode, high, n)
    if kind == "pert":
        span = high - low
        a = 1.0 + 4.0 * (mode - low) / span
        b = 1.0 + 4.0 * (high - mode) / span
        return low + span * rng.beta(a, b, n)
    if kind == "truncnormal":
        from scipy.special import ndtr, ndtri

        sd = (high - low) / 4.0
        lo_p, hi_p = ndtr((low - mode) / sd), ndtr((high - mode) / sd)
        u = rng.uniform(lo_p, hi_p, n)
        return np.clip(mode + sd * ndtri(u), low, high)
    if kind == "lognormal":
        if mode <= 0 or low <= 0:
            raise CasebookError("a lognormal input needs positive low, high and base values",
                                key=spec.parameter)
        sigma = np.log(high / low) / (2.0 * 1.2815515655446004)
        return mode * np.exp(sigma * rng.standard_normal(n))
    raise CasebookError(f"unknown distribution {kind!r}", key=spec.parameter)


# --- the vectorised engine --------------------------------------------------------------------------

@dataclass
class Engine:
    """NPV of one scenario as a function of its uncertain inputs, for many draws at once.

    `measure` "green_book" (the default) is the Green Book appraisal at the decision point
    (:func:`model.core.appraisal.green_book`: what the decision can still change and what is
    committed, in the decision frame's base year, the period closed as the case declares); "paper"
    counts every year of the period at the paper's base. Either way optimism bias raises only costs
    from the decision on, and never a committed sum.
    """

    loaded: Loaded
    fys: np.ndarray                 # (T0,) the years whose benefits are modelled
    t: np.ndarray                   # (T,) years from year 0, extension years included
    factors: list[str]
    capital_by_factor: np.ndarray   # (K, T) real, before optimism bias, multiplier 1
    revenue_by_factor: np.ndarray   # (K, T) real, before optimism bias, multiplier 1
    fixed_costs: np.ndarray         # (T,) real: committed sums (no multiplier, no optimism bias)
    fixed_revenue: np.ndarray       # (T,) real: committed running costs carried into the extension (optimism bias)
    future: np.ndarray              # (T,) 1 where optimism bias applies, 0 where not
    base: dict[str, float]          # base value of every input the engine varies
    delivery_starts: tuple[float, ...]  # each delivery's start of benefits (fractional year)
    benefit_fixed: dict[str, Any]
    measure: str = "green_book"
    #: (K, T) real: the part of each factor's costs optimism bias never raises (fixed envelopes, lines a
    #: quantified risk covers)
    exempt_capital_by_factor: np.ndarray | None = None
    exempt_revenue_by_factor: np.ndarray | None = None
    #: the quantified risks: probabilities (R,) and real impacts by year (R, T); Green Book only
    risk_probabilities: np.ndarray | None = None
    risk_impacts: np.ndarray | None = None

    @classmethod
    def from_loaded(cls, loaded: Loaded, measure: str = "green_book") -> "Engine":
        if measure not in MEASURES:
            raise CasebookError(f"unknown appraisal {measure!r}")
        s = loaded.scenario
        a = s.appraisal
        all_fys = fy_range(a.first_fy.value, a.last_fy.value)
        green = measure == "green_book"
        d = a.decision_fy.value
        keep = all_fys >= d if green else np.ones(len(all_fys), dtype=bool)
        fys = all_fys[keep]
        base_year = a.green_book_base if green else a.paper_base
        g = a.deflator           # a flat rate or a deflator series (gb.price_level takes either)
        real_basis = a.price_basis.value == "real"
        extra = extension_years(a.last_fy.value, a.service_life_to.value) if green and a.service_life_to else []
        n_more = len(extra)
        t = np.concatenate([fys, np.asarray(extra, dtype=int)]).astype(int) - base_year

        def real(nominal: np.ndarray) -> np.ndarray:
            if real_basis:
                return rebase(nominal, a.paper_base, base_year, g) if green else nominal
            return nominal / gb.price_level(fys, base_year, g)

        def by_factor(block):
            """(factor, capital, revenue) of one block, nominal, each of its factors alone at 1."""
            names = ({ln.factor for ln in block.lines.values()} if hasattr(block, "lines")
                     else {block.factor})
            for factor in sorted(names):
                only = {f: (1.0 if f == factor else 0.0) for f in names}
                if green:
                    split = block_costs_after_decision(block, all_fys, s, only)
                    yield factor, split["capital"][keep], split["revenue"][keep]
                else:
                    yield (factor, *block_costs(block, all_fys, only))

        factors: list[str] = []
        capital_rows: list[np.ndarray] = []
        revenue_rows: list[np.ndarray] = []
        committed_c, committed_r = np.zeros(len(fys)), np.zeros(len(fys))
        for block in s.costs.values():
            for factor, c, r in by_factor(block):
                if factor in factors:
                    i = factors.index(factor)
                    capital_rows[i] = capital_rows[i] + c
                    revenue_rows[i] = revenue_rows[i] + r
                else:
                    factors.append(factor)
                    capital_rows.append(c)
                    revenue_rows.append(r)
            if green:  # committed sums, once per block (they carry no multiplier)
                split = block_costs_after_decision(block, all_fys, s, {})
                committed_c += split["committed_capital"][keep]
                committed_r += split["committed_revenue"][keep]
        exempt = optimism_bias_exempt(s)
        exempt_c_rows = [np.zeros(len(fys)) for _ in factors]
        exempt_r_rows = [np.zeros(len(fys)) for _ in factors]
        for name, block in s.costs.items():
            cut = only_lines(block, name, exempt)
            if cut is None:
                continue
            for factor, c, r in by_factor(cut):
                exempt_c_rows[factors.index(factor)] += c
                exempt_r_rows[factors.index(factor)] += r
        capital = np.vstack([real(row) for row in capital_rows])
        revenue = np.vstack([real(row) for row in revenue_rows])
        pad = np.zeros(n_more)
        exempt_capital = np.hstack([np.vstack([real(row) for row in exempt_c_rows]), np.zeros((len(factors), n_more))])
        exempt_revenue = extend_at_last_level(np.vstack([real(row) for row in exempt_r_rows]), n_more)
        capital = np.hstack([capital, np.zeros((len(factors), n_more))])
        revenue = extend_at_last_level(revenue, n_more)     # running costs continue at their last level
        committed_real = real(committed_c) + real(committed_r)
        risk_names, probabilities, impacts = risk_impacts_by_fy(s, all_fys)
        risk_impacts = np.zeros((len(risk_names), len(t)))
        if green:
            # risk and opportunity costs (what is still to come), no optimism bias (5.42-5.44)
            for i, row in enumerate(impacts):
                risk_impacts[i, :len(fys)] = real(row[keep])
            committed_real = committed_real + real(opportunity_costs_by_fy(s, all_fys, after_decision=True)[keep])
        fixed_costs = np.concatenate([committed_real, pad])
        last_committed_revenue = real(committed_r)[-1] if len(fys) else 0.0
        fixed_revenue = np.concatenate([np.zeros(len(fys)), np.full(n_more, last_committed_revenue)])
        future = np.ones(len(t)) if green else future_years(fys, d)
        mult = cost_multipliers(s)
        b = s.benefits
        base = {"benefits.level_multiplier": b.level_multiplier.value,
                "benefits.start_delay_months": b.start_delay_months.value,
                "appraisal.discount_rate": a.discount_rate.value,
                "appraisal.optimism_bias_capital": a.optimism_bias_capital.value,
                "appraisal.optimism_bias_operating": a.optimism_bias_operating.value}
        base.update({f"cost_multipliers.{f}": mult.get(f, 1.0) for f in factors})
        residual = 0.0
        if green and a.residual_value_gbp_m is not None and len(fys):
            residual = float(real(np.eye(len(fys))[-1] * a.residual_value_gbp_m.value)[-1])
        weights = (year_weights(fys, d, share_to_come(decision_date(s))) if green else np.ones(len(fys)))
        fixed = {"annual": b.annual_steady_state_gbp_m.value, "factor": b.realisation_factor.value,
                 "shares": tuple(delivery_shares(s)), "ramps": tuple(delivery_ramps(s)),
                 # benefits: the decision year's share to come, restated in the base year's prices
                 "scale": rebase(weights, a.paper_base, base_year, g) if green else weights,
                 "more_years": n_more, "residual": residual}
        return cls(loaded=loaded, fys=fys, t=t, factors=factors, capital_by_factor=capital,
                   revenue_by_factor=revenue, fixed_costs=fixed_costs, fixed_revenue=fixed_revenue,
                   future=future, base=base, delivery_starts=tuple(benefit_starts(s)),
                   benefit_fixed=fixed, measure=measure, exempt_capital_by_factor=exempt_capital,
                   exempt_revenue_by_factor=exempt_revenue,
                   risk_probabilities=probabilities if green else np.zeros(0), risk_impacts=risk_impacts)

    def supports(self, parameter: str) -> bool:
        return parameter in SUPPORTED or (parameter.startswith("cost_multipliers.")
                                          and parameter.split(".", 1)[1] in self.factors)

    def npv(self, values: dict[str, np.ndarray | float], n: int = 1, risk_events: np.ndarray | None = None,
            no_bias_on: Sequence[str] = ()) -> np.ndarray:
        """NPV for n draws; inputs missing from `values` stay at their base values.

        Quantified risks cost their expected value (probability x impact), or, given `risk_events`
        ((n, R), 1 where the risk happens in the draw), their impact where they happen. Optimism bias
        raises each factor's costs less the part it never raises, and none of the factors in
        `no_bias_on` (the Monte Carlo's: those with a declared range of their own, which stands in for it).
        """
        def get(name: str) -> np.ndarray:
            v = values.get(name, self.base.get(name))
            return np.broadcast_to(np.asarray(v, dtype=float), (n,)).reshape(n, 1)

        fx = self.benefit_fixed
        level = benefits_real_by_fy(                                                       # benefits (n, T0)
            self.fys, self.delivery_starts, fx["shares"], fx["ramps"], fx["annual"], fx["factor"],
            get("benefits.start_delay_months"), get("benefits.level_multiplier"))
        level = np.broadcast_to(level, (n, len(self.fys))) * fx["scale"]
        level = extend_at_last_level(level, fx["more_years"])                               # (n, T)
        if fx["residual"]:
            level[:, len(self.fys) - 1] += fx["residual"]
        mult = np.hstack([get(f"cost_multipliers.{f}") for f in self.factors])             # (n, K)
        biased = mult * np.array([f not in no_bias_on for f in self.factors], dtype=float)  # (n, K)
        capital = mult @ self.capital_by_factor                                            # real, (n, T)
        capital += (biased @ (self.capital_by_factor - self.exempt_capital_by_factor)
                    * get("appraisal.optimism_bias_capital") * self.future)
        revenue = mult @ self.revenue_by_factor + self.fixed_revenue
        revenue += ((biased @ (self.revenue_by_factor - self.exempt_revenue_by_factor) + self.fixed_revenue)
                    * get("appraisal.optimism_bias_operating") * self.future)
        level -= capital
        level -= revenue
        level -= self.fixed_costs                                                          # net real
        if len(self.risk_probabilities):
            events = self.risk_probabilities[None, :] if risk_events is None else risk_events
            level -= events @ self.risk_impacts
        rate = values.get("appraisal.discount_rate", self.base["appraisal.discount_rate"])
        if rate is None:
            return level @ gb.discount_factors(self.t)
        df = np.multiply(-np.log1p(get("appraisal.discount_rate")), self.t[None, :])       # (n, T)
        np.exp(df, out=df)
        level *= df
        return level.sum(axis=1)


# --- inputs -----------------------------------------------------------------------------------------

def inputs(loaded: Loaded) -> dict[str, UncertainInput]:
    specs = loaded.scenario.uncertainty
    if not specs:
        raise CasebookError(f"scenario {loaded.name!r} declares no uncertain inputs (`uncertainty:`)")
    return specs


def base_value(loaded: Loaded, spec: UncertainInput) -> float:
    """The input's value in the scenario; a blank discount rate is the first STPR band (3.5%)."""
    if spec.base is not None:
        return float(spec.base)
    value = quantity_at(loaded.scenario, spec.parameter).value
    if value is None and spec.parameter == "appraisal.discount_rate":
        return gb.STPR_STANDARD[0][1]
    return float(value)


def _check_supported(engine: Engine, spec: UncertainInput) -> None:
    if not engine.supports(spec.parameter):
        raise CasebookError("is not an input the uncertainty engine can vary", key=spec.parameter)


# --- tornado and switching values -------------------------------------------------------------------

def tornado(loaded: Loaded, unknowns: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """NPV (the Green Book appraisal at the decision point) with each input at its low and at its high
    value, the others at base; widest swing first. `unknowns` (model.analysis.unknowns) adds a row for
    each labelled assumption without a declared range, at the ends of its default range."""
    engine = Engine.from_loaded(loaded)
    measure = appraisal_label(loaded)
    base_npv = float(engine.npv({})[0])
    rows = []
    for key, spec in inputs(loaded).items():
        _check_supported(engine, spec)
        low = float(engine.npv({spec.parameter: spec.low})[0])
        high = float(engine.npv({spec.parameter: spec.high})[0])
        rows.append({"input": key, "label": spec.label or key, "parameter": spec.parameter,
                     "base_value": base_value(loaded, spec), "low_value": spec.low, "high_value": spec.high,
                     "npv_low_gbp_m": low, "npv_high_gbp_m": high, "npv_base_gbp_m": base_npv,
                     "swing_gbp_m": abs(high - low), "appraisal": measure, "range": "declared"})
    for u in unknowns:
        low, high = base_npv + float(u.delta(u.low)), base_npv + float(u.delta(u.high))
        rows.append({"input": u.assumption.id, "label": u.assumption.label, "parameter": u.assumption.key,
                     "base_value": u.shown[u.points.index(u.base)], "low_value": u.shown[0],
                     "high_value": u.shown[-1], "npv_low_gbp_m": low, "npv_high_gbp_m": high,
                     "npv_base_gbp_m": base_npv, "swing_gbp_m": abs(high - low), "appraisal": measure,
                     "range": "default"})
    rows.sort(key=lambda r: (-r["swing_gbp_m"], r["input"]))
    return rows


def switching_values(loaded: Loaded) -> list[dict[str, Any]]:
    """For each input, the value at which the NPV of the Green Book appraisal at the decision point is
    zero (Brent's method), searched over the input's `search` range (its low-high range unless the
    params widen it); null where NPV does not cross zero."""
    engine = Engine.from_loaded(loaded)
    measure = appraisal_label(loaded)
    rows = []
    for key, spec in inputs(loaded).items():
        _check_supported(engine, spec)
        base = base_value(loaded, spec)
        lo, hi = spec.search if spec.search else (spec.low, spec.high)

        def f(x: float) -> float:
            return float(engine.npv({spec.parameter: x})[0])

        try:
            value: float | None = brent_root(f, float(lo), float(hi), xtol=1e-12)
        except NoBracket:
            value = None
        rows.append({"input": key, "parameter": spec.parameter, "base_value": base,
                     "switching_value": value,
                     "change_pct": (None if value is None or base == 0 else 100.0 * (value - base) / base),
                     "search_range": [float(lo), float(hi)], "appraisal": measure})
    return rows


# --- Monte Carlo ------------------------------------------------------------------------------------

def monte_carlo(loaded: Loaded, draws: int, seed: int, chunk: int = DEFAULT_CHUNK,
                keep: bool = False, progress: bool = False, unknowns: Sequence[Any] = ()) -> dict[str, Any]:
    """Monte Carlo over every uncertain input at once, vectorised in chunks of draws.

    `unknowns` (model.analysis.unknowns): each labelled assumption without a declared range is drawn
    over its default range too, and adds its change in NPV (the model's, interpolated between the
    points it was run at) to the engine's NPV of the draw: the unknowns act separately, their
    interactions with each other and with the declared inputs are not modelled.

    Draws are made chunk by chunk from one seeded generator, so the same (draws, seed, chunk) gives
    the same numbers. Up to ten million draws the quantiles are exact; beyond that they come from a
    fine histogram (2**20 bins), so memory stays flat however many draws are asked for. With
    `progress`, a bar on stderr shows the draws done and the time left (tqdm).
    """
    check_draws(draws)
    engine = Engine.from_loaded(loaded)
    specs = inputs(loaded)
    for spec in specs.values():
        _check_supported(engine, spec)
    ranged = ranged_factors(loaded)
    rng = np.random.default_rng(seed)
    exact = draws <= EXACT_QUANTILES_UP_TO
    kept: list[np.ndarray] = []
    total, positive, count = 0.0, 0, 0
    hist = edges = None
    scale = 1.0
    remaining = draws
    bar = tqdm(total=draws, unit="draw", unit_scale=True, desc="Monte Carlo", mininterval=0.5,
               disable=not progress, file=sys.stderr, leave=False)
    while remaining > 0:
        n = min(chunk, remaining)
        values = {spec.parameter: sample(spec, base_value(loaded, spec), n, rng) for spec in specs.values()}
        events = (rng.random((n, len(engine.risk_probabilities))) < engine.risk_probabilities).astype(float)
        npv = engine.npv(values, n, risk_events=events, no_bias_on=ranged)
        for u in unknowns:
            npv = npv + u.delta(u.draw(n, rng))
        total += float(npv.sum())
        positive += int((npv > 0).sum())
        count += n
        if exact:
            kept.append(npv)
        else:
            if edges is None:
                span = float(npv.max() - npv.min()) or 1.0
                edges = np.linspace(npv.min() - span, npv.max() + span, BINS + 1)
                hist = np.zeros(BINS, dtype=np.int64)
                scale = BINS / (edges[-1] - edges[0])
            index = ((npv - edges[0]) * scale).astype(np.int64)
            np.clip(index, 0, BINS - 1, out=index)   # draws beyond the range go to the end bins
            hist += np.bincount(index, minlength=BINS)
        remaining -= n
        bar.update(n)
    bar.close()
    if exact:
        all_npv = np.concatenate(kept)
        p10, p50, p90 = (float(v) for v in np.percentile(all_npv, [10, 50, 90]))
    else:
        cdf = np.cumsum(hist) / count
        mids = (edges[:-1] + edges[1:]) / 2.0
        p10, p50, p90 = (float(mids[np.searchsorted(cdf, q)]) for q in (0.10, 0.50, 0.90))
        all_npv = None
    out = {"scenario": loaded.name, "appraisal": appraisal_label(loaded), "draws": draws, "seed": seed,
           "npv_mean_gbp_m": total / count, "npv_p10_gbp_m": p10, "npv_p50_gbp_m": p50,
           "npv_p90_gbp_m": p90, "p_npv_positive": positive / count,
           "quantiles": "exact" if exact else "histogram (2**20 bins)",
           "inputs": {k: {"parameter": s.parameter, "distribution": s.distribution, "low": s.low,
                          "high": s.high, "base": base_value(loaded, s)} for k, s in specs.items()},
           "risks_drawn": len(engine.risk_probabilities), "no_optimism_bias_on": list(ranged),
           "unknowns": {u.assumption.id: {"parameter": u.assumption.key, "file": f"{u.assumption.scenario}.yaml",
                                          "distribution": "equal chances" if u.discrete else "triangular",
                                          "values": list(u.shown), "range": "default"} for u in unknowns}}
    if keep and all_npv is not None:
        out["npv_draws"] = all_npv
    return out


def ranged_factors(loaded: Loaded) -> tuple[str, ...]:
    """The cost factors with a declared range of their own (`uncertainty:` on cost_multipliers.<factor>):
    in the Monte Carlo the range stands in for optimism bias on them, which is not drawn as well
    (one cost's uncertainty counted once)."""
    return tuple(sorted(spec.parameter.split(".", 1)[1] for spec in loaded.scenario.uncertainty.values()
                        if spec.parameter.startswith("cost_multipliers.")))


def dumps(obj: Any) -> str:
    return json.dumps(obj, indent=2, allow_nan=False, sort_keys=False)

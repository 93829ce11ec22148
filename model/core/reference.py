"""Reference data with a vintage, packaged in ``model/core/data/``: the STPR schedules, the optimism-bias
table and GDP deflator series, each with its source and release; and the small pure rules that use them
(risk before optimism bias; real prices from a deflator series). Green Book references as in
``shared/reference/green-book.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from model.core.errors import CasebookError

DATA = Path(__file__).parent / "data"


@lru_cache(maxsize=None)
def _load(name: str) -> dict:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


def optimism_bias_table() -> dict:
    """The optimism-bias table (Mott MacDonald Table 2) with its source and release."""
    return _load("optimism_bias.yaml")


def deflator_series(name: str, *, file: str | None = None, key: str | None = None,
                    line: int | None = None) -> dict:
    """A packaged GDP deflator series by name, with its source and release; an unknown name is bad input."""
    series = _load("gdp_deflator.yaml")["series"]
    if name not in series:
        known = ", ".join(sorted(series))
        raise CasebookError(f"unknown GDP deflator series {name!r} (known: {known})",
                            file=file, key=key, line=line)
    return series[name]


def stpr_schedule(name: str = "standard") -> tuple[tuple[float, float], ...]:
    """An STPR schedule (Green Book A6, Table 8) as (last year of the band, rate), the last band open."""
    rows = _load("stpr.yaml")["schedules"][name]
    return tuple((np.inf if last is None else float(last), float(rate)) for last, rate in rows)


def optimism_bias_rate(category: str, mitigation: float, *, file: str | None = None,
                       key: str | None = None, line: int | None = None) -> float:
    """Applied optimism bias = upper bound x (1 - mitigation) (Green Book 5.45-5.49; start from the upper
    bound and reduce it as risks are shown to be mitigated). 200% x (1 - 0.6) = 80%."""
    categories = optimism_bias_table()["categories"]
    if category not in categories:
        known = ", ".join(sorted(categories))
        raise CasebookError(f"unknown optimism-bias category {category!r} (known: {known})",
                            file=file, key=key, line=line)
    if not 0.0 <= mitigation <= 1.0:
        raise CasebookError(f"mitigation {mitigation} is a fraction of the upper bound, between 0 and 1",
                            file=file, key=key, line=line)
    return categories[category]["upper"] * (1.0 - mitigation)


@dataclass(frozen=True)
class Risk:
    """One quantified risk of a register: probability, impact (GBP m), the years it would fall in, and the
    cost lines whose uncertainty it covers (optimism bias is not applied to those)."""

    label: str
    probability: float
    impact: float
    years: tuple[str, ...]
    covers: tuple[str, ...] = ()


def expected_risk_costs(risks: list[Risk], years: list[str]) -> np.ndarray:
    """Risk-adjusted costs by year: probability x impact, spread evenly over the risk's years (Green Book
    5.42-5.44, risk before optimism bias). A 25% risk of GBP 8m over two years adds 1.0 to each."""
    out = np.zeros(len(years))
    index = {fy: i for i, fy in enumerate(years)}
    for risk in risks:
        share = risk.probability * risk.impact / len(risk.years)
        for fy in risk.years:
            out[index[fy]] += share
    return out


def optimism_bias_base(lines: dict[str, np.ndarray], *, covered: set[str],
                       fixed_envelopes: set[str]) -> np.ndarray:
    """The costs optimism bias applies to: every line but those a quantified risk or cost range covers and
    those marked a fixed envelope (never counted twice; a capped envelope takes none)."""
    kept = [np.asarray(v, dtype=float) for k, v in lines.items()
            if k not in covered and k not in fixed_envelopes]
    if not kept:
        return np.zeros_like(np.asarray(next(iter(lines.values())), dtype=float)) if lines else np.zeros(0)
    return np.sum(kept, axis=0)


def opportunity_cost(people: float, days: float, cost_per_day: float) -> float:
    """A resource used but not bought, valued at its opportunity cost (Green Book 5.7, 6.6): people x days
    x cost per day, in the economic appraisal only (never in the cash of the financial case)."""
    return people * days * cost_per_day


def deflator_index(index: dict[int, float], years: list[int], forecast_rate: float) -> np.ndarray:
    """The deflator index for each year; years after the last outturn grow at `forecast_rate` a year
    from it (a labelled forecast: the OBR's, or an assumption labelled as one)."""
    last = max(index)
    return np.array([index[y] if y in index else index[last] * (1.0 + forecast_rate) ** (y - last)
                     for y in years], dtype=float)


def forecast_years(index: dict[int, float], years: list[int]) -> list[int]:
    """The years whose index is a forecast, not an outturn, for the page to label as such."""
    last = max(index)
    return [y for y in years if y > last]


def real_prices_series(nominal: np.ndarray, index: np.ndarray, base_index: float) -> np.ndarray:
    """Nominal to real base-year prices with a deflator series (Green Book 5.11-5.13): divide by the
    index ratio, index of the year / index of the base year."""
    return np.asarray(nominal, dtype=float) / (np.asarray(index, dtype=float) / base_index)


def series_names() -> list[str]:
    """The names of the packaged GDP deflator series a case may choose."""
    return sorted(_load("gdp_deflator.yaml")["series"])


@dataclass(frozen=True)
class DeflatorSeries:
    """A packaged GDP deflator series (calendar years) as a case chose it, with the labelled forecast
    rate for the years after its last outturn.

    Financial year FYyy/yy+1 starts in April of year y: nine of its months (April to December) fall in
    calendar year y and three (January to March) in y + 1, so its index is
    0.75 x index(y) + 0.25 x index(y + 1). Years after the last outturn take the forecast,
    index(last) x (1 + forecast_rate)^(year - last) (:func:`deflator_index`).
    """

    name: str
    index: dict[int, float]
    forecast_rate: float
    source: str = ""
    release: str = ""

    @classmethod
    def packaged(cls, name: str, forecast_rate: float, **where) -> "DeflatorSeries":
        s = deflator_series(name, **where)
        return cls(name=name, index={int(y): float(v) for y, v in s["index"].items()},
                   forecast_rate=float(forecast_rate), source=s["source"], release=s["release"])

    @property
    def first_year(self) -> int:
        return min(self.index)

    @property
    def last_outturn(self) -> int:
        return max(self.index)

    def fy_index(self, fys) -> np.ndarray:
        """The index of each financial year (by its start year): 0.75 x index(y) + 0.25 x index(y+1)."""
        fys = [int(y) for y in np.atleast_1d(np.asarray(fys))]
        calendar = deflator_index(self.index, sorted({*fys, *(y + 1 for y in fys)}), self.forecast_rate)
        at = dict(zip(sorted({*fys, *(y + 1 for y in fys)}), calendar))
        return np.array([0.75 * at[y] + 0.25 * at[y + 1] for y in fys], dtype=float)

    def text(self) -> str:
        """How the pages state it: 'HM Treasury GDP deflator series (December 2025 ...), forecast 2.0% a
        year after 2024'."""
        return (f"HM Treasury GDP deflator series ({self.release}), forecast {self.forecast_rate:.1%} a year "
                f"after {self.last_outturn}")

"""The frame of the Green Book appraisal at the decision point: what is spent, what is still to come,
year 0 and the price base, and how the period closes. One small pure function each, citing the rule
(``shared/reference/green-book.md``, "Sunk costs and the decision point" and "The decision point in
full").

Month convention: a financial year runs from April (month 0) to March (month 11). A decision taken in
a month leaves that month and the rest of the year to come; the months before it are spent. A decision
in December 2023 leaves December to March, 4 of FY23/24's 12 months: 8/12 of the year's spend is sunk.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from .fy import fy_of_date
from .greenbook import price_level


def month_of_fy(day: dt.date) -> int:
    """The month's place in its financial year: April 0, May 1, ... March 11 (green-book.md, UK
    financial years)."""
    return (day.month - 4) % 12


def share_to_come(decision: dt.date | None) -> float:
    """The share of the decision year still to come at the decision, by whole months, the decision
    month counted as to come (green-book.md: "a decision taken in December is not a decision at the
    start of April: the months of the decision year already gone are spent"). December: 4/12. No date:
    the decision is at the start of the year, 1.0."""
    return 1.0 if decision is None else (12 - month_of_fy(decision)) / 12.0


def timed_share_to_come(start: dt.date, end: dt.date, decision: dt.date | None) -> float:
    """The share of a cost that falls evenly over the months start..end (inclusive) that is still to
    come at the decision: the months from the decision month on, over all the months (sunk costs,
    green-book.md). No decision date: all of it."""
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if decision is None:
        return 1.0
    gone = (decision.year - start.year) * 12 + decision.month - start.month
    return float(min(max(months - gone, 0), months)) / months


def year_weights(fys: np.ndarray, decision_fy: int, share: float) -> np.ndarray:
    """For each financial year, the share of its flows after the decision: 0 before the decision year,
    `share` in it, 1 after (only what the decision can still change counts: green-book.md, sunk costs)."""
    fys = np.asarray(fys)
    return np.where(fys < decision_fy, 0.0, np.where(fys == decision_fy, share, 1.0))


def avoidable(after: np.ndarray, committed: np.ndarray) -> np.ndarray:
    """What the decision can still change: the spend after the decision less what is committed, never
    below zero where something is committed (an option that cuts a committed line still bears the
    committed sum; green-book.md, sunk, committed, avoidable). A credit with nothing committed stays."""
    after, committed = np.asarray(after, dtype=float), np.asarray(committed, dtype=float)
    return np.where(committed > 0, np.maximum(after - committed, 0.0), after)


def rebase(real: np.ndarray, from_base: int, to_base: int, gdp_deflator) -> np.ndarray:
    """Real prices of one base year restated in another's (Green Book 5.11-5.13: real prices of the
    base year): x the price level of `to_base` relative to `from_base` (:func:`greenbook.price_level`),
    (1 + g)^(to - from) at a flat rate. FY18/19 prices at 2% are 1.02^5 = 1.10408 times as many FY23/24
    pounds; with a deflator series, index(FY23/24) / index(FY18/19)."""
    return np.asarray(real, dtype=float) * price_level(to_base, from_base, gdp_deflator)


def extension_years(last_fy: int, service_life_to: int | None) -> np.ndarray:
    """The years after the period's end up to the end of the service life (none without one): the
    appraisal period covers the service life of what is bought (green-book.md, the decision point in
    full)."""
    if service_life_to is None or service_life_to <= last_fy:
        return np.zeros(0, dtype=int)
    return np.arange(last_fy + 1, service_life_to + 1, dtype=int)


def extend_at_last_level(values: np.ndarray, n_more: int) -> np.ndarray:
    """A series carried on for n more years at its last year's level (running costs and benefits
    continued to the end of the service life, green-book.md). Works along the last axis."""
    values = np.asarray(values, dtype=float)
    if n_more == 0 or values.shape[-1] == 0:
        return values
    tail = np.repeat(values[..., -1:], n_more, axis=-1)
    return np.concatenate([values, tail], axis=-1)


def decision_fy_of(decision: dt.date) -> int:
    """The financial year a decision date falls in."""
    return fy_of_date(decision)

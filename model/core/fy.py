"""UK public-sector financial years (1 April to 31 March), labelled like ``FY18/19``.

A financial year is identified by the calendar year it starts in: FY18/19 is 2018 and runs from
1 April 2018 to 31 March 2019 (Green Book reference: UK financial years, see green-book.md).
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np

_FY_RE = re.compile(r"^FY(\d{2})/(\d{2})$")


def fy_label(start_year: int) -> str:
    """2018 -> 'FY18/19'."""
    return f"FY{start_year % 100:02d}/{(start_year + 1) % 100:02d}"


def parse_fy(label: str) -> int:
    """'FY18/19' -> 2018. Raises ValueError for anything else (including 'FY18/20')."""
    if not isinstance(label, str):
        return _parse_fy(label)
    year = _PARSED_FY.get(label)
    if year is None:
        year = _PARSED_FY[label] = _parse_fy(label)
    return year


#: Labels already parsed (a load parses the same few dozen labels thousands of times).
_PARSED_FY: dict[str, int] = {}


def _parse_fy(label: str) -> int:
    m = _FY_RE.match(str(label))
    if not m:
        raise ValueError(f"{label!r} is not a financial year label like 'FY23/24'")
    first, second = int(m.group(1)), int(m.group(2))
    if (first + 1) % 100 != second:
        raise ValueError(f"{label!r}: the second year must follow the first")
    return 2000 + first


def fy_range(first: int, last: int) -> np.ndarray:
    """The start years first..last inclusive, as an integer array."""
    return np.arange(first, last + 1, dtype=int)


def parse_date(value: object) -> dt.date:
    """A date as the params write it: 'YYYY-MM-DD', a YAML date, or 'YYYY-MM' (taken as the 1st)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}", text):
        text += "-01"
    return dt.date.fromisoformat(text)


def fy_of_date(day: dt.date) -> int:
    """The financial year (its start year) that contains a date."""
    return day.year if day.month >= 4 else day.year - 1


def decimal_year(day: dt.date) -> float:
    """A date as a fractional calendar year, by month and day within the month (1 May = 2020.333...)."""
    next_month = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    days_in_month = (next_month - dt.date(day.year, day.month, 1)).days
    return day.year + (day.month - 1 + (day.day - 1) / days_in_month) / 12.0


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from start's month to end's month."""
    return (end.year - start.year) * 12 + (end.month - start.month)

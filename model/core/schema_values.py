"""Parameter values and their provenance: the building blocks of every section of the params schema.
Every parameter (a mapping with a ``value`` or a ``by_fy``) carries its provenance: a ``source`` that
names a seed document and the paragraph, decision or table, or ``assumption: true`` with ``why``. Here
are the strict base model, the units, the checks of a source, of a number, date or text in its unit and
of amounts by financial year, and the two shapes of a parameter: one value (Quantity) and amounts by
financial year (Series).
"""

from __future__ import annotations

import math
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from .fy import parse_date, parse_fy
from .sources import SEED_DOCUMENTS

Unit = Literal["gbp_m", "gbp", "fraction", "pct", "months", "years", "weeks", "days", "count",
               "date", "fy_start", "text", "weight"]

from .names import SLUG_RE  # noqa: E402,F401  (a scenario's name; re-exported)
_SOURCE_RE = re.compile(r"^(?P<file>\d{3}_[0-9a-f]{16}\.txt), (?P<where>\S.*)$")

# A GBP-million figure above this is almost certainly thousands or pounds typed into a GBP m field.
MAX_GBP_M = 10_000.0


class _Strict(BaseModel):
    # allow_inf_nan=False: every float field (totals, narrative figures, ranges, brackets) must be finite
    model_config = ConfigDict(extra="forbid", frozen=False, populate_by_name=True, allow_inf_nan=False)


def check_source(source: str) -> str:
    m = _SOURCE_RE.match(source)
    if not m:
        raise ValueError("source must be '<file>, <where>': a document declared in "
                         "sources/sources.yaml, then its paragraph, section or table")
    if m.group("file") not in SEED_DOCUMENTS:
        raise ValueError(f"source names {m.group('file')!r}, which is not a document declared in sources/sources.yaml")
    return source


class Provenance(_Strict):
    label: str | None = None
    source: str | None = None
    assumption: bool = False
    why: str | None = None
    note: str | None = None
    published_as: str | None = None

    @field_validator("source")
    @classmethod
    def _source_format(cls, v: str | None) -> str | None:
        return None if v is None else check_source(v)

    @model_validator(mode="after")
    def _has_provenance(self) -> "Provenance":
        if self.source is None and not self.assumption:
            raise ValueError("has no provenance: give `source` (seed file and paragraph or table) "
                             "or `assumption: true` with `why`")
        if self.assumption and not (self.why and self.why.strip()):
            raise ValueError("is an assumption without `why`")
        return self


def _check_number(value: Any, unit: str) -> Any:
    if isinstance(value, bool):
        raise ValueError(f"must be a number ({unit}), not true/false")
    if not isinstance(value, (int, float)):
        raise ValueError(f"must be a number ({unit}), not {type(value).__name__} {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"must be a finite number, not {value}")
    if unit == "gbp_m" and abs(value) > MAX_GBP_M:
        raise ValueError(f"{value:g} is not a plausible GBP million figure (more than "
                         f"{MAX_GBP_M:,.0f}); is it in GBP thousands or pounds?")
    if unit in ("fraction", "weight", "months", "years", "weeks", "days", "count", "pct", "gbp") \
            and value < 0:
        raise ValueError(f"must not be negative ({unit})")
    if unit == "count" and not float(value).is_integer():
        raise ValueError("a count must be a whole number")
    return value


def _check_scalar(value: Any, unit: str) -> Any:
    if value is None:
        return None
    if unit == "date":
        try:
            parse_date(value)
        except (TypeError, ValueError):
            raise ValueError(f"{value!r} is not a date (YYYY-MM-DD or YYYY-MM)") from None
        return str(value)
    if unit == "text":
        if not isinstance(value, str):
            raise ValueError(f"must be text, not {type(value).__name__}")
        return value
    if unit == "fy_start":
        if isinstance(value, bool) or not isinstance(value, int) or not 1990 <= value <= 2200:
            raise ValueError(f"must be the start year of a financial year (e.g. 2018), not {value!r}")
        return value
    return _check_number(value, unit)


def _in_range(low: float, high: float, message: str, allow_blank: bool = False,
              high_open: bool = False):
    """A before-validator: a parameter's raw `value` must lie in [low, high] (or [low, high)); every
    way of breaking the range gets the same message."""

    def check(cls, data: Any) -> Any:
        value = data.get("value") if isinstance(data, dict) else None
        if value is None:
            if not allow_blank and isinstance(data, dict):
                raise ValueError(message)
            return data
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return data  # the unit's own check names the wrong type
        above = value >= high if high_open else value > high
        if value < low or above:
            raise ValueError(f"{message}, not {value:g}")
        return data

    return classmethod(check)


class Quantity(Provenance):
    """One parameter or published figure: a value with a unit and its provenance."""

    value: Any = None
    unit: Unit

    @model_validator(mode="after")
    def _value_matches_unit(self) -> "Quantity":
        self.value = _check_scalar(self.value, self.unit)
        return self


def _check_by_fy(v: dict, unit: str, allow_negative: bool) -> dict:
    out = {}
    for label, amount in v.items():
        try:
            parse_fy(label)
        except ValueError as exc:
            raise ValueError(str(exc)) from None
        if isinstance(amount, bool) or not isinstance(amount, (int, float)) or not math.isfinite(amount):
            raise ValueError(f"{label}: must be a finite number, not {amount!r}")
        if unit == "gbp_m" and abs(amount) > MAX_GBP_M:
            raise ValueError(f"{label}: {amount:g} is not a plausible GBP million figure; "
                             "is it in GBP thousands?")
        if not allow_negative and amount < 0:
            raise ValueError(f"{label}: must not be negative")
        out[label] = float(amount)
    return out


class Series(Provenance):
    """Amounts by financial year, keyed 'FY23/24'."""

    by_fy: dict[str, float]
    unit: Literal["gbp_m", "weight"]
    published_total: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _raw_numbers(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("by_fy"), dict):
            unit = data.get("unit", "gbp_m")
            data = dict(data)
            data["by_fy"] = _check_by_fy(data["by_fy"], unit, allow_negative=(unit == "gbp_m"))
        return data

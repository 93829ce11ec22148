"""Checks declared as data (a scenario's `checks:`): a published figure against the sum of the figures it
should equal (DeclaredCheck). Each figure is a Term: a parameter's value, the days or months between two
dates (DatePoint), or the fall in one cost factor across a table's years (FactorChange).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from .schema_values import _Strict, _check_scalar


class DatePoint(_Strict):
    """A date in a declared check: a dated parameter (`key`) or a date written out (`date`), plus
    the number of weeks a parameter gives (`plus_weeks`), if any. `name` makes the date available to
    the check's texts as {name}."""

    key: str | None = None
    date: str | None = None
    plus_weeks: str | None = None
    name: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"key": data} if isinstance(data, str) else data

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema, handler):
        """The JSON Schema says what the loader accepts: the shorthand (a dated parameter's key) too."""
        return {"anyOf": [{"type": "string", "description": "A dated parameter's key (shorthand for key:)"},
                          handler(core_schema)]}

    @model_validator(mode="after")
    def _one_of(self) -> "DatePoint":
        if (self.key is None) == (self.date is None):
            raise ValueError("a date needs exactly one of `key` (a dated parameter) and `date`")
        if self.date is not None:
            self.date = _check_scalar(self.date, "date")
        return self


class FactorChange(_Strict):
    """The fall, in % of the first year, in the cost of one factor's lines of a cost table from the
    first year those lines have cells to the last."""

    table: str
    factor: str


class Term(_Strict):
    """One figure in a declared check, exactly one of:

    - ``key``: a parameter's value (a dotted key), times ``scale``;
    - ``days`` / ``months``: whole days / calendar months from the first date to the second;
    - ``fall_pct``: the fall in one cost factor across a table's years (see FactorChange).

    `name` makes the figure available to the check's texts as {name} (and, for fall_pct, the years
    as {name_from} and {name_to})."""

    key: str | None = None
    scale: float = 1.0
    days: tuple[DatePoint, DatePoint] | None = None
    months: tuple[DatePoint, DatePoint] | None = None
    fall_pct: FactorChange | None = None
    name: str | None = None

    @model_validator(mode="after")
    def _one_of(self) -> "Term":
        given = [k for k in ("key", "days", "months", "fall_pct") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a term needs exactly one of key, days, months and fall_pct")
        return self


class DeclaredCheck(_Strict):
    """A check declared as data (`checks:`, keyed by the check's id): the figure the papers state
    (`total`) against the sum of `parts`, each a Term. `tolerance`: GBP 0.001m (`money`, the default),
    half a unit of the last printed place of the stated parameter (`half_unit`) or a number.
    `explained_by` gives the reason a difference beyond the tolerance is expected; `if_differs` is
    shown with any difference. A check whose dates are blank in a scenario is not made there."""

    label: str
    total: Term
    parts: list[Term] = Field(min_length=1)
    tolerance: float | Literal["money", "half_unit"] = "money"
    explained_by: str | None = None
    if_differs: str | None = None

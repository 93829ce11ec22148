"""Checks declared as data (a scenario's `checks:`): a published figure against the sum of the figures it
should equal (DeclaredCheck). Each figure is a Term: a parameter's value, the days or months between two
dates (DatePoint), the fall in one cost factor across a table's years (FactorChange) or a percentage of a
base (PctOf). A check's texts may show its named figures as {name} or {name:fmt} (`placeholders`).
"""

from __future__ import annotations

import string
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


class PctOf(_Strict):
    """A percentage of a base: `pct` names a parameter in unit pct (its value / 100 x the base) or
    fraction (its value x the base); `base`, the parameter it is a share of."""

    pct: str
    base: str


def placeholders(text: str) -> list[str]:
    """The names a text's {name} / {name:fmt} placeholders ask for, in order ('{{' is a brace).
    Raises ValueError for a text that is not a valid template (an unmatched brace)."""
    return [field for _lit, field, _spec, _conv in string.Formatter().parse(text) if field is not None]


def blank_placeholders(text: str) -> str:
    """A check's text where its figures are not at hand (a table of labels by key): each placeholder
    becomes an ellipsis, so that no {name} is ever printed."""
    try:
        return "".join(lit + ("…" if field is not None else "")
                       for lit, field, _spec, _conv in string.Formatter().parse(text))
    except ValueError:
        return text


def _check_placeholders(text: str | None, known: set[str], where: str) -> None:
    if text is None:
        return
    try:
        asked = placeholders(text)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc} (write '{{{{' and '}}}}' for a brace)") from None
    for name in asked:
        if name not in known:
            offer = ", ".join(sorted(known)) if known else "none: give a term or date a `name`"
            raise ValueError(f"{where}: {{{name}}} names no value of the check (its named values: {offer})")


class Term(_Strict):
    """One figure in a declared check, exactly one of:

    - ``key``: a parameter's value (a dotted key), times ``scale``;
    - ``days`` / ``months``: whole days / calendar months from the first date to the second;
    - ``fall_pct``: the fall in one cost factor across a table's years (see FactorChange);
    - ``pct_of``: a percentage of a base, ``{pct: <key>, base: <key>}`` (see PctOf).

    `name` makes the figure available to the check's texts as {name} (and, for fall_pct, the years
    as {name_from} and {name_to}; for pct_of, the percentage and the base as {name_pct} and
    {name_base})."""

    key: str | None = None
    scale: float = 1.0
    days: tuple[DatePoint, DatePoint] | None = None
    months: tuple[DatePoint, DatePoint] | None = None
    fall_pct: FactorChange | None = None
    pct_of: PctOf | None = None
    name: str | None = None

    @model_validator(mode="after")
    def _one_of(self) -> "Term":
        given = [k for k in ("key", "days", "months", "fall_pct", "pct_of") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a term needs exactly one of key, days, months, fall_pct and pct_of")
        return self

    def names(self) -> set[str]:
        """The names this term gives the check's texts."""
        out = {p.name for p in (*(self.days or ()), *(self.months or ())) if p.name}
        if self.name:
            out.add(self.name)
            if self.fall_pct is not None:
                out |= {f"{self.name}_from", f"{self.name}_to"}
            if self.pct_of is not None:
                out |= {f"{self.name}_pct", f"{self.name}_base"}
        return out


class DeclaredCheck(_Strict):
    """A check declared as data (`checks:`, keyed by the check's id): the figure the papers state
    (`total`) against the sum of `parts`, each a Term. `tolerance`: GBP 0.001m (`money`, the default),
    half a unit of the last printed place of the stated parameter (`half_unit`) or a number.
    `explained_by` gives the reason a difference beyond the tolerance is expected; `if_differs` is
    shown with any difference. A check whose dates are blank in a scenario is not made there.
    `label`, `explained_by` and `if_differs` may show the check's named figures ({name}, {name:.1f}).

    A check belongs to the file that declares it: it is made for that scenario only, unless
    `inherit: true`, when the scenarios that extend it make it too (with their own values)."""

    label: str
    total: Term
    parts: list[Term] = Field(min_length=1)
    tolerance: float | Literal["money", "half_unit"] = "money"
    explained_by: str | None = None
    if_differs: str | None = None
    inherit: bool = False

    def named_values(self) -> set[str]:
        return set().union(*(t.names() for t in (self.total, *self.parts)))

    @model_validator(mode="after")
    def _placeholders_named(self) -> "DeclaredCheck":
        known = self.named_values()
        for field in ("label", "explained_by", "if_differs"):
            _check_placeholders(getattr(self, field), known, field)
        return self

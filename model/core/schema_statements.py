"""What the papers' prose states besides the cost tables: figures it gives for cost factors of a table
(NarrativeCost) and narrative figures it presents as the parts of a narrative total (NarrativeSum), which
reconciliation checks against the tables, and facts the documents state more than once (Fact), each
statement quoted with its source (Statement).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from .schema_values import Provenance, Unit, _Strict, _check_scalar, check_source


class NarrativeCost(Provenance):
    """A figure the prose gives for one or more cost factors of a request table."""

    table: str
    factors: list[str]
    value: float
    unit: Literal["gbp_m"]
    net_of_funding: bool = False


class NarrativeSum(_Strict):
    """Narrative figures that the report presents as the parts of a narrative total."""

    label: str
    parts: list[str] = Field(min_length=1)
    total: str


class Statement(_Strict):
    value: Any
    source: str

    _src = field_validator("source")(lambda cls, v: check_source(v))


class Fact(_Strict):
    """A fact the documents state more than once; `value` is the statement the model uses."""

    label: str
    unit: Unit
    value: Any
    why: str
    statements: list[Statement] = Field(min_length=1)

    @field_validator("value")
    @classmethod
    def _value_in_unit(cls, v: Any, info: ValidationInfo) -> Any:
        """(reported at `value` itself; a statement's value is checked with the whole fact)"""
        unit = info.data.get("unit")
        return v if unit is None else _check_scalar(v, unit)

    @model_validator(mode="after")
    def _values(self) -> "Fact":
        for i, s in enumerate(self.statements):
            try:
                s.value = _check_scalar(s.value, self.unit)
            except ValueError as exc:
                raise ValueError(f"statements.{i}: {exc}") from None
        if self.value not in [s.value for s in self.statements]:
            raise ValueError("value must be one of the statements")
        return self

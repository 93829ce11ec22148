"""Cost blocks, a scenario's `costs:` by name (CostBlock): a published cost table (TableBlock: its rows,
each a Line tagged with the cost factor it belongs to, its funding sources and its printed totals) or a
published total whose split by year and between capital and revenue is assumed (AllocatedBlock).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import Field, field_validator, model_validator

from .fy import parse_date
from .schema_values import Provenance, Quantity, Series, _Strict, _check_by_fy, check_source


class Timing(Provenance):
    """When in the decision year a cost line's spend of that year falls: evenly over the months from
    `start` to `end` ('YYYY-MM', both inside the decision year). The months before the decision
    month are sunk; without a timing the line's decision-year spend is sunk pro rata by month."""

    start: str
    end: str

    @model_validator(mode="after")
    def _months(self) -> "Timing":
        for name in ("start", "end"):
            try:
                parse_date(getattr(self, name))
            except (TypeError, ValueError):
                raise ValueError(f"{name} {getattr(self, name)!r} is not a month (YYYY-MM)") from None
        if parse_date(self.end) < parse_date(self.start):
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class Committed(Provenance):
    """Amounts of a cost line contractually committed at the decision date (nominal GBP m by
    financial year, from the decision on): they will be paid whatever the decision, so the Green Book
    appraisal counts them in every option alike (an option that cuts the line still bears them), with
    no optimism bias and no cost-factor multiplier."""

    by_fy: dict[str, float]

    @model_validator(mode="before")
    @classmethod
    def _amounts(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("by_fy"), dict):
            data = dict(data)
            data["by_fy"] = _check_by_fy(data["by_fy"], "gbp_m", allow_negative=False)
        return data


class Line(Series):
    """One row of a published cost table, tagged with the cost factor it belongs to. A cost is not
    negative: a year the paper prints as a negative cost (a credit, a correction) is listed in
    `negative_cells`, so that a stray minus sign is never silently taken off the costs."""

    factor: str
    negative_cells: list[str] = Field(default_factory=list)
    #: when in the decision year the line's spend of that year falls (default: pro rata by month)
    timing: Timing | None = None
    #: the amounts committed at the decision date, in every option alike
    committed: Committed | None = None
    #: a capped budget (a fund drawn down to a fixed sum, say) rather than an estimate: optimism bias
    #: never raises it
    fixed_envelope: bool = False


class PublishedTotals(_Strict):
    label: str
    source: str
    gross_by_fy: dict[str, float] = Field(default_factory=dict)
    gross_total: float | None = None
    funding_by_fy: dict[str, float] = Field(default_factory=dict)
    funding_total: float | None = None
    shortfall_by_fy: dict[str, float] = Field(default_factory=dict)
    shortfall_total: float | None = None
    missing_cells: list[str] = Field(default_factory=list)
    note: str | None = None

    _src = field_validator("source")(lambda cls, v: check_source(v))

    @model_validator(mode="before")
    @classmethod
    def _fy_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            for key in ("gross_by_fy", "funding_by_fy", "shortfall_by_fy"):
                if isinstance(data.get(key), dict):
                    data[key] = _check_by_fy(data[key], "gbp_m", allow_negative=True)
        return data


class TableBlock(_Strict):
    """A cost table: lines by financial year, optional funding sources and the printed totals."""

    type: Literal["table"]
    label: str
    kind: Literal["capital", "revenue"]
    source: str | None = None
    lines: dict[str, Line]
    funding_sources: dict[str, Line] = Field(default_factory=dict)
    published_totals: PublishedTotals | None = None

    @model_validator(mode="after")
    def _no_stray_negative_cost(self) -> "TableBlock":
        """A cost row's negative cells must be the ones it lists in `negative_cells` (funding sources,
        which reduce the cost, are negative by nature)."""
        for name, line in self.lines.items():
            for fy, amount in line.by_fy.items():
                if amount < 0 and fy not in line.negative_cells:
                    raise ValueError(f"lines.{name}.by_fy.{fy}: a cost of {amount:g} is negative; if the paper "
                                     f"prints it so (a credit), add {fy} to the line's negative_cells")
            for fy in line.negative_cells:
                if not line.by_fy.get(fy, 0.0) < 0:
                    raise ValueError(f"lines.{name}.negative_cells: {fy} is not a negative cell of the line")
        return self


class AllocatedBlock(_Strict):
    """A published total whose split by year and between capital and revenue is assumed."""

    type: Literal["allocated"]
    label: str
    #: the cost factor the whole block belongs to (its sensitivity multiplier); no default: say it
    factor: str
    total_gbp_m: Quantity
    capital_share: Quantity
    capital_profile: Series
    revenue_profile: Series
    #: a capped budget rather than an estimate: optimism bias never raises it
    fixed_envelope: bool = False

    @model_validator(mode="after")
    def _profiles_positive(self) -> "AllocatedBlock":
        if self.total_gbp_m.value is None or self.total_gbp_m.value < 0:
            raise ValueError("total_gbp_m must be a non-negative amount")
        for name in ("capital_profile", "revenue_profile"):
            if sum(getattr(self, name).by_fy.values()) <= 0:
                raise ValueError(f"{name}: the weights must add up to more than zero")
        share = self.capital_share.value
        if share is None or not 0 <= share <= 1:
            raise ValueError("capital_share must be between 0 and 1")
        return self


CostBlock = Annotated[Union[TableBlock, AllocatedBlock], Field(discriminator="type")]

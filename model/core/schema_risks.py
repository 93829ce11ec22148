"""What the appraisal adds to the costs beyond the cost tables: the risk register (Risk: a quantified
risk gives an expected cost in the Green Book appraisal and a yes-or-no draw in the Monte Carlo) and
opportunity costs (OpportunityCost: resources used but not bought, such as staff time, valued in the
economic appraisal and never in the cash of the financial case). Green Book 5.7 and 5.42-5.44, as
summarised in shared/reference/green-book.md.
"""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from .fy import parse_fy
from .schema_costs import Timing
from .schema_values import Quantity, _in_range, _Strict


def _fy_labels(v: list[str]) -> list[str]:
    if not v:
        raise ValueError("needs at least one financial year ('FY24/25')")
    for label in v:
        try:
            parse_fy(label)
        except (TypeError, ValueError) as exc:
            raise ValueError(str(exc)) from None
    if len(set(v)) != len(v):
        raise ValueError("lists a year twice")
    return v


class Risk(_Strict):
    """One entry of the risk register. Quantified (a probability and an impact, both given) it is a
    risk cost: probability x impact, spread evenly over its `years`, in the Green Book appraisal
    (nominal GBP m, in the price basis of the costs), and optimism bias is not applied to the cost
    lines it `covers` (risk first, then optimism bias, never both on one cost). Without them it is
    listed only."""

    label: str
    owner: str | None = None
    probability: Quantity | None = None
    impact_gbp_m: Quantity | None = None
    #: the financial years the impact would fall in, from the decision year on
    years: list[str] = Field(default_factory=list)
    mitigation: str | None = None
    status: str | None = None
    #: the cost lines whose uncertainty this risk stands for ('block.line', or 'block' for a whole
    #: allocated block): no optimism bias on them
    covers: list[str] = Field(default_factory=list)

    _p = field_validator("probability", mode="before")(_in_range(0.0, 1.0, "must be a probability from 0 to 1"))

    @field_validator("impact_gbp_m")
    @classmethod
    def _impact(cls, q: Quantity | None) -> Quantity | None:
        if q is not None and (q.unit != "gbp_m" or not isinstance(q.value, (int, float)) or q.value < 0):
            raise ValueError("must be a non-negative amount with unit: gbp_m")
        return q

    @model_validator(mode="after")
    def _quantified_in_full(self) -> "Risk":
        if (self.probability is None) != (self.impact_gbp_m is None):
            raise ValueError("give both probability and impact_gbp_m (a quantified risk), or neither")
        if self.quantified or self.years:
            _fy_labels(self.years)
        return self

    @property
    def quantified(self) -> bool:
        return self.probability is not None and self.impact_gbp_m is not None


class OpportunityCost(_Strict):
    """A resource the case uses but does not buy: `people` x `days_each` x `cost_per_day_gbp` (GBP,
    nominal, in the years it falls), less any part `already_costed_gbp_m` in the cost tables (overtime
    that buys some of the same time back, say), spread evenly over `years`. A cost of the Green Book
    appraisal only: no cash changes hands, so the financial case leaves it out and says so. In the
    decision year, the share after the decision follows `timing` (months), else pro rata by month."""

    label: str
    people: Quantity
    days_each: Quantity
    cost_per_day_gbp: Quantity
    years: list[str]
    already_costed_gbp_m: Quantity | None = None
    timing: Timing | None = None

    _years = field_validator("years")(lambda cls, v: _fy_labels(v))

    @model_validator(mode="after")
    def _units(self) -> "OpportunityCost":
        for name, unit in (("people", "count"), ("days_each", "days"), ("cost_per_day_gbp", "gbp"),
                           ("already_costed_gbp_m", "gbp_m")):
            q = getattr(self, name)
            if q is None:
                continue
            if q.unit != unit:
                raise ValueError(f"{name} must have unit: {unit}, not {q.unit}")
            if not isinstance(q.value, (int, float)) or q.value < 0:
                raise ValueError(f"{name} must be a number from 0 upwards")
        return self

    @property
    def gross_gbp_m(self) -> float:
        """people x days x cost per day, in GBP m: 100 x 5 x 400 = 0.2."""
        return self.people.value * self.days_each.value * self.cost_per_day_gbp.value / 1e6

    @property
    def total_gbp_m(self) -> float:
        """The gross less what the cost tables already pay for (never below zero): 0.2 - 0.05 = 0.15."""
        less = 0.0 if self.already_costed_gbp_m is None else self.already_costed_gbp_m.value
        return max(0.0, self.gross_gbp_m - less)

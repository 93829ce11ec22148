"""The params schema. Parameters are data; their schema is this code.

Every parameter (a mapping with a ``value`` or a ``by_fy``) carries its provenance: a ``source`` that
names a seed document and the paragraph, decision or table, or ``assumption: true`` with ``why``.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .fy import parse_date, parse_fy
from .sources import SEED_DOCUMENTS

Unit = Literal["gbp_m", "gbp", "fraction", "pct", "months", "years", "weeks", "days", "count",
               "date", "fy_start", "text", "weight"]

#: Shares of the benefits that must add up to one are held to it to within this (floating-point noise).
SHARE_SUM_TOLERANCE = 1e-9

SLUG_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_SOURCE_RE = re.compile(r"^(?P<file>\d{3}_[0-9a-f]{16}\.txt), (?P<where>\S.*)$")

# A GBP-million figure above this is almost certainly thousands or pounds typed into a GBP m field.
MAX_GBP_M = 10_000.0


def fy_text(start: int) -> str:
    """FY18/19 for 2018, with the full start year where two digits would mislead (FY2200/01)."""
    if 1950 <= start <= 2098:
        return f"FY{start % 100:02d}/{(start + 1) % 100:02d}"
    return f"FY{start}/{(start + 1) % 100:02d}"


class _Strict(BaseModel):
    # allow_inf_nan=False: every float field (totals, narrative figures, ranges, brackets) must be finite
    model_config = ConfigDict(extra="forbid", frozen=False, populate_by_name=True, allow_inf_nan=False)


def check_source(source: str) -> str:
    m = _SOURCE_RE.match(source)
    if not m:
        raise ValueError("source must be '<seed file>, <paragraph, decision or table>', e.g. "
                         "'001_86d069ffb4d8e356.txt, Table 1'")
    if m.group("file") not in SEED_DOCUMENTS:
        raise ValueError(f"source names {m.group('file')!r}, which is not a known seed document")
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


class Line(Series):
    """One row of a published cost table, tagged with the cost factor it belongs to."""

    factor: str


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


class Appraisal(_Strict):
    first_fy: Quantity
    last_fy: Quantity
    base_year: Quantity
    #: The financial year of the decision the version asks for: the Green Book appraisal counts costs
    #: and benefits from this year on (earlier spend is sunk), and optimism bias never touches a year
    #: before it.
    decision_fy: Quantity
    discount_rate: Quantity
    price_basis: Quantity
    gdp_deflator: Quantity
    optimism_bias_capital: Quantity
    optimism_bias_operating: Quantity
    optimism_bias_duration: Quantity
    #: The milestone (a key of `milestones:`) at which the works start: works-duration optimism bias
    #: stretches the works from here (or the decision point, if later) to the latest delivery.
    works_start_milestone: str

    @field_validator("first_fy", "last_fy", "base_year", "decision_fy")
    @classmethod
    def _has_year(cls, q: Quantity) -> Quantity:
        if q.value is None:
            raise ValueError("needs a value")
        return q

    # Each range check has one message, whichever side is broken: they run on the raw value, before
    # the unit's own checks (which would otherwise say "must not be negative" for one side only).
    _rate = field_validator("discount_rate", mode="before")(
        _in_range(0.0, 1.0, "must be a fraction from 0 up to (not including) 1 (0.035 is 3.5%), or blank "
                  "for the STPR schedule", allow_blank=True, high_open=True))
    _ob = field_validator("optimism_bias_capital", "optimism_bias_operating", "optimism_bias_duration",
                          mode="before")(
        _in_range(0.0, 10.0, "must be a fraction from 0 to 10 (2.0 is 200%)"))
    _deflator = field_validator("gdp_deflator", mode="before")(
        _in_range(0.0, 1.0, "must be a fraction from 0 up to (not including) 1 (0.02 is 2%)", high_open=True))

    @field_validator("price_basis")
    @classmethod
    def _basis(cls, q: Quantity) -> Quantity:
        if q.value not in ("nominal", "real"):
            raise ValueError("must be 'nominal' or 'real'")
        return q

    @model_validator(mode="before")
    @classmethod
    def _base_year_in_period(cls, data: Any) -> Any:
        """The base year must lie in the period: one message, whatever year is given (1900 or 2200)."""
        raw = {k: data.get(k).get("value") if isinstance(data, dict) and isinstance(data.get(k), dict) else None
               for k in ("first_fy", "last_fy", "base_year")}
        if all(isinstance(v, int) and not isinstance(v, bool) for v in raw.values()) \
                and raw["first_fy"] <= raw["last_fy"] and not raw["first_fy"] <= raw["base_year"] <= raw["last_fy"]:
            raise ValueError(f"base_year {fy_text(raw['base_year'])} is outside the appraisal period "
                             f"{fy_text(raw['first_fy'])} to {fy_text(raw['last_fy'])}")
        return data

    @model_validator(mode="after")
    def _period(self) -> "Appraisal":
        first, last = self.first_fy.value, self.last_fy.value
        if last < first:
            raise ValueError("last_fy is before first_fy")
        if not first <= self.base_year.value <= last:
            raise ValueError(f"base_year {fy_text(self.base_year.value)} is outside the appraisal period "
                             f"{fy_text(first)} to {fy_text(last)}")
        if not first <= self.decision_fy.value <= last:
            raise ValueError(f"decision_fy {fy_text(self.decision_fy.value)} is outside the appraisal period "
                             f"{fy_text(first)} to {fy_text(last)}")
        return self


class Delivery(_Strict):
    """One delivery (a release, a phase, a go-live): it unlocks its share of the steady-state benefits,
    ramping up from its milestone's date. A blank date at the milestone means it is never delivered."""

    label: str
    #: a key of `milestones:`
    milestone: str
    share: Quantity
    #: years from the milestone to the delivery's full benefits; blank: `benefits.ramp_up_years`
    ramp_up_years: Quantity | None = None

    _share = field_validator("share", mode="before")(_in_range(0.0, 1.0, "must be a fraction from 0 to 1"))


class Benefits(_Strict):
    annual_steady_state_gbp_m: Quantity
    realisation_factor: Quantity
    ramp_up_years: Quantity
    start_delay_months: Quantity
    level_multiplier: Quantity
    #: the deliveries that unlock the benefits, in date order or not; their shares add up to one
    deliveries: dict[str, Delivery] = Field(min_length=1)

    @field_validator("deliveries")
    @classmethod
    def _shares_sum_to_one(cls, v: dict[str, Delivery]) -> dict[str, Delivery]:
        shares = {k: d.share.value for k, d in v.items()}
        if any(x is None for x in shares.values()):
            return v  # the share's own check names the blank one
        total = math.fsum(shares.values())
        if abs(total - 1.0) > SHARE_SUM_TOLERANCE:
            parts = " + ".join(f"{k} {x:g}" for k, x in shares.items())
            raise ValueError(f"the deliveries' shares must add up to 1, not {total:g} ({parts})")
        return v

    _non_negative = field_validator("realisation_factor", "level_multiplier", mode="before")(
        _in_range(0.0, math.inf, "must be a fraction from 0 upwards (1 is 100%)", allow_blank=True))


class UncertainInput(Provenance):
    """One uncertain input: a dotted parameter key, its range and its distribution."""

    parameter: str
    low: float
    high: float
    distribution: Literal["uniform", "triangular", "pert", "truncnormal", "lognormal"]
    base: float | None = None          # where the parameter itself is blank (the STPR discount rate)
    search: tuple[float, float] | None = None   # where to look for a switching value

    @model_validator(mode="after")
    def _range(self) -> "UncertainInput":
        for name in ("low", "high"):
            if not math.isfinite(getattr(self, name)):
                raise ValueError(f"{name} must be a finite number")
        if self.low > self.high:
            raise ValueError("low is above high")
        if self.search is not None and self.search[0] >= self.search[1]:
            raise ValueError("search must be [lower, upper] with lower < upper")
        return self


class Calibration(_Strict):
    parameter: str
    target: str
    metric: Literal["npv_gbp_m"]
    bracket: tuple[float, float]
    why: str


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

    @model_validator(mode="after")
    def _values(self) -> "Fact":
        self.value = _check_scalar(self.value, self.unit)
        for s in self.statements:
            s.value = _check_scalar(s.value, self.unit)
        if self.value not in [s.value for s in self.statements]:
            raise ValueError("value must be one of the statements")
        return self


# --- findings: what a line-by-line reading of the papers turns up -----------------------------------

#: Classes of finding, and severities by their effect on the model's figures (most severe first).
FINDING_CLASSES = {
    "arithmetic_error": "arithmetic error",
    "misaligned_columns": "misaligned columns",
    "typo": "typo",
    "conflicting_statement": "conflicting statement",
    "explained_difference": "explained difference",
    "observation": "observation",
}
SEVERITIES = {
    "numbers": "changes numbers or timing",
    "input": "changes an input",
    "presentation": "presentation only",
}
FindingClass = Literal["arithmetic_error", "misaligned_columns", "typo", "conflicting_statement",
                       "explained_difference", "observation"]
Severity = Literal["numbers", "input", "presentation"]


class Classification(_Strict):
    """What kind of inconsistency a check found, how much it matters to the model's figures, what
    the model uses and why, and whether the papers allow it to be settled."""

    finding_class: FindingClass = Field(alias="class")
    severity: Severity
    model_uses: str
    unresolved: bool = False


class Finding(Classification):
    """One inconsistency in the papers, declared as data and checked by a generic rule:

    - ``record``: not computable; the statements quote what each source says;
    - ``restatement``: one figure or date stated in several places (the statements must agree);
    - ``sum``: ``parts`` must add up to ``total``;
    - ``date_order``: the statements' dates must run in the order given;
    - ``funding_without_cost``: each year a table's funding source (``funding``) is booked must have a
      cost of the same factor in ``table``.
    """

    label: str
    rule: Literal["record", "restatement", "sum", "date_order", "funding_without_cost"] = "record"
    unit: Unit = "text"
    statements: list[Statement] = Field(min_length=1)
    parts: list[Statement] = Field(default_factory=list)
    total: Statement | None = None
    table: str | None = None
    funding: str | None = None

    @model_validator(mode="after")
    def _rule_inputs(self) -> "Finding":
        checked = {"restatement": self.statements, "date_order": self.statements,
                   "sum": [*self.parts, *([self.total] if self.total else [])]}.get(self.rule, [])
        for st in checked:  # the values a rule computes with; elsewhere statements quote the papers
            st.value = _check_scalar(st.value, self.unit)
        if self.rule in ("restatement", "date_order") and len(self.statements) < 2:
            raise ValueError(f"rule {self.rule} needs at least two statements")
        if self.rule == "date_order" and self.unit != "date":
            raise ValueError("rule date_order needs unit: date")
        if self.rule == "sum" and (not self.parts or self.total is None):
            raise ValueError("rule sum needs parts and a total")
        if self.rule == "funding_without_cost" and not (self.table and self.funding):
            raise ValueError("rule funding_without_cost needs table and funding")
        return self


# --- declared checks: a published figure against the sum of the figures it should equal -----------

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


def _non_negative_money(q: Quantity | None) -> Quantity | None:
    if q is not None and q.value is not None and q.value < 0:
        raise ValueError("a contract value must not be negative")
    return q


class Modification(_Strict):
    decision: str
    previous_value_gbp_m: Quantity | None = None
    uplift_gbp_m: Quantity | None = None
    uplift_pct_of_previous: Quantity | None = None
    uplift_pct_of_original: Quantity | None = None
    new_value_gbp_m: Quantity | None = None
    regulation: Quantity | None = None

    _money = field_validator("previous_value_gbp_m", "uplift_gbp_m", "new_value_gbp_m")(
        lambda cls, q: _non_negative_money(q))


class Contract(_Strict):
    label: str
    supplier: str
    original_value_gbp_m: Quantity | None = None
    term_years: Quantity | None = None
    modifications: dict[str, Modification] = Field(default_factory=dict)

    _money = field_validator("original_value_gbp_m")(lambda cls, q: _non_negative_money(q))


class ContractCap(Provenance):
    """Hold a contract's uplifts to a share of its original value; the uplift above the cap is taken
    out of the cost factors that fund the contract, pro rata.

    `reading` says how the cap is applied: `per_modification` (PCR 2015 reg. 72(2): where there are
    several successive modifications, the 50% limit of 72(1)(b) and (c) applies to the value of each)
    or `cumulative` (every uplift added together: not the regulation's test, but what would bind if
    successive modifications were treated as one under the anti-circumvention clause of 72(2))."""

    contract: str
    cap_pct_of_original: float
    reading: Literal["per_modification", "cumulative"] = "per_modification"
    regulation: str | None = None
    funded_from: list[str] = Field(min_length=1)


class Scenario(_Strict):
    """One scenario after `extends` has been resolved."""

    title: str
    description: str
    #: published: a version of the business case (its published figures are reconciled);
    #: option: an option appraised against it; sensitivity: a published version with inputs varied.
    kind: Literal["published", "option", "sensitivity"] = "published"
    #: A published version's short label (e.g. "V2"), which tables and charts show for it. The case's
    #: versions are its published scenarios in `extends` order; each declares its own `short` in its
    #: own file (one it only inherits does not count, and the report falls back to the file name in
    #: capitals). The headline version (the economic and financial cases, tornado, Monte Carlo and
    #: what-if) is the latest version, unless a version's own file sets `headline: true`.
    short: str | None = None
    headline: bool = False
    decision: Quantity | None = None
    appraisal: Appraisal
    costs: dict[str, CostBlock]
    cost_multipliers: dict[str, Quantity] = Field(default_factory=dict)
    benefits: Benefits
    milestones: dict[str, Quantity] = Field(default_factory=dict)
    delays: dict[str, Quantity] = Field(default_factory=dict)
    published: dict[str, Quantity] = Field(default_factory=dict)
    narrative_costs: dict[str, NarrativeCost] = Field(default_factory=dict)
    narrative_sums: dict[str, NarrativeSum] = Field(default_factory=dict)
    facts: dict[str, Fact] = Field(default_factory=dict)
    contracts: dict[str, Contract] = Field(default_factory=dict)
    delivery: dict[str, Quantity] = Field(default_factory=dict)
    uncertainty: dict[str, UncertainInput] = Field(default_factory=dict)
    contract_cap: ContractCap | None = None
    #: inconsistencies in the papers that the generated checks do not cover (see Finding)
    findings: dict[str, Finding] = Field(default_factory=dict)
    #: the class, severity and chosen reading of generated checks that find something, by check id
    classify: dict[str, Classification] = Field(default_factory=dict)
    #: checks declared as data, by check id (see DeclaredCheck)
    checks: dict[str, DeclaredCheck] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _milestone_dates(self) -> "Scenario":
        if self.contract_cap and self.contract_cap.contract not in self.contracts:
            raise ValueError(f"contract_cap: unknown contract {self.contract_cap.contract!r}")
        for name, q in self.milestones.items():
            if q.unit != "date":
                raise ValueError(f"milestones.{name} must have unit: date")
        for name, n in self.narrative_costs.items():
            if n.table not in self.costs or not isinstance(self.costs[n.table], TableBlock):
                raise ValueError(f"narrative_costs.{name}: table {n.table!r} is not a cost table")
        for name, f in self.findings.items():
            if f.rule == "funding_without_cost":
                block = self.costs.get(f.table)
                if not isinstance(block, TableBlock) or f.funding not in block.funding_sources:
                    raise ValueError(f"findings.{name}: {f.table!r}/{f.funding!r} is not a table's "
                                     "funding source")
        for name, group in self.narrative_sums.items():
            for ref in [*group.parts, group.total]:
                if ref not in self.narrative_costs:
                    raise ValueError(f"narrative_sums.{name}: {ref!r} is not in narrative_costs")
        return self

"""The inputs of the economic appraisal: the period, price basis, discounting and optimism bias
(Appraisal), the benefit stream and the deliveries that unlock it (Benefits, Delivery), and the inputs
the analysis varies (UncertainInput: the tornado, switching values and Monte Carlo) or solves for to
reproduce a published figure (Calibration). `fy_text` writes a financial year as the messages give it.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from .fy import fy_of_date, parse_date
from .reference import DeflatorSeries, deflator_series, series_names
from .schema_values import Provenance, Quantity, _Strict, _in_range

#: Shares of the benefits that must add up to one are held to it to within this (floating-point noise).
SHARE_SUM_TOLERANCE = 1e-9


def fy_text(start: int) -> str:
    """FY24/25 for 2024, with the full start year where two digits would mislead (FY2200/01)."""
    if 1950 <= start <= 2098:
        return f"FY{start % 100:02d}/{(start + 1) % 100:02d}"
    return f"FY{start}/{(start + 1) % 100:02d}"


class OptimismBias(Provenance):
    """Optimism bias from the Green Book's table (Mott MacDonald, Table 2, packaged in
    model/core/data/optimism_bias.yaml): the upper bound of the project's `category` on capital, and
    of `operating_category` (outsourcing, the table's only operating-cost row) on revenue, each
    reduced by `mitigation`, the share of the bound the case shows to be mitigated at its stage
    (Green Book 5.45-5.49: start from the upper bound; 200% x (1 - 0.95) = 10%)."""

    category: str
    operating_category: str = "outsourcing"
    mitigation: Quantity

    _mitigation = field_validator("mitigation", mode="before")(
        _in_range(0.0, 1.0, "must be a share of the upper bound from 0 to 1 (0.6 takes 200% to 80%)"))

    @model_validator(mode="after")
    def _known(self) -> "OptimismBias":
        from .reference import optimism_bias_table   # a leaf module: data only
        categories = optimism_bias_table()["categories"]
        for name in ("category", "operating_category"):
            if getattr(self, name) not in categories:
                raise ValueError(f"{name} {getattr(self, name)!r} is not in the optimism-bias table "
                                 f"(known: {', '.join(sorted(categories))})")
        return self

    def rate(self, which: str) -> float:
        """The applied rate on 'capital' or 'operating' costs: upper bound x (1 - mitigation)."""
        from .reference import optimism_bias_table
        category = self.category if which == "capital" else self.operating_category
        upper = optimism_bias_table()["categories"][category]["upper"]
        return upper * (1.0 - self.mitigation.value)


class GdpDeflatorSeries(Provenance):
    """A packaged HM Treasury GDP deflator series (``model/core/data/gdp_deflator.yaml``, with its source
    and release), chosen by name instead of a flat annual rate, with the labelled forecast rate for the
    years after its last outturn. The block's own provenance (`source`, or `assumption: true` with
    `why`) says why the case uses this series; the forecast rate has its own.

    Financial year FYyy/yy+1 starts in April of year y: nine of its months fall in calendar year y and
    three in y + 1, so its index is 0.75 x index(y) + 0.25 x index(y + 1). A year after the series' last
    outturn takes index(last) x (1 + forecast_rate)^(year - last), stated on the pages as a forecast.
    """

    series: str
    forecast_rate: Quantity

    @field_validator("series")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in series_names():
            raise ValueError(f"unknown GDP deflator series {v!r} (known: {', '.join(series_names())})")
        return v

    _forecast = field_validator("forecast_rate", mode="before")(
        _in_range(-0.5, 1.0, "must be a fraction from -0.5 up to (not including) 1 (0.02 is 2% a year)",
                  high_open=True))

    @field_validator("forecast_rate")
    @classmethod
    def _fraction(cls, q: Quantity) -> Quantity:
        if q.unit != "fraction":
            raise ValueError("must have unit: fraction (0.02 is 2% a year)")
        return q


class Appraisal(_Strict):
    first_fy: Quantity
    last_fy: Quantity
    #: Year 0 and the price base of the Green Book appraisal at the decision point; left out: the
    #: decision year (green-book.md, the decision point in full). Also the paper's measure's base
    #: where `paper_base_year` is left out.
    base_year: Quantity | None = None
    #: Year 0 and the price base of the paper's measure (the whole-period NPV that published NPVs
    #: calibrate); left out: `base_year`, or else the first year of the period.
    paper_base_year: Quantity | None = None
    #: The financial year of the decision the version asks for: the Green Book appraisal counts costs
    #: and benefits from this year on (earlier spend is sunk), and optimism bias never touches a year
    #: before it.
    decision_fy: Quantity
    #: The month of the decision ('YYYY-MM', unit date), inside `decision_fy`: the months of the
    #: decision year before it are spent (sunk), pro rata by month; the decision month itself is
    #: still to come. Left out: the decision is at the start of the year (1 April).
    decision_date: Quantity | None = None
    #: The last financial year of the service life, after the period's end: running (revenue) costs
    #: and benefits continue at their last year's real level to it, in the Green Book appraisal.
    service_life_to: Quantity | None = None
    #: The value left at the end of the period (GBP m, in the price basis of the costs: nominal cash
    #: of the last year, or real prices), a benefit of the last year of the Green Book appraisal.
    residual_value_gbp_m: Quantity | None = None
    discount_rate: Quantity
    price_basis: Quantity
    #: The GDP deflator as a flat annual rate (fraction); or else, not both, `gdp_deflator_series`.
    gdp_deflator: Quantity | None = None
    #: A packaged GDP deflator series chosen by name, with a forecast rate after its last outturn
    #: (GdpDeflatorSeries); give it or `gdp_deflator`, exactly one of the two.
    gdp_deflator_series: GdpDeflatorSeries | None = Field(default=None, validate_default=True)
    #: optimism bias from the Green Book table by project category and mitigation; given, it sets
    #: `optimism_bias_capital` and `optimism_bias_operating`, which are then left out
    optimism_bias: OptimismBias | None = None
    optimism_bias_capital: Quantity | None = None
    optimism_bias_operating: Quantity | None = None
    optimism_bias_duration: Quantity
    #: The milestone (a key of `milestones:`) at which the works start: works-duration optimism bias
    #: stretches the works from here (or the decision point, if later) to the latest delivery.
    works_start_milestone: str

    @field_validator("first_fy", "last_fy", "base_year", "paper_base_year", "decision_fy", "decision_date",
                     "service_life_to", "residual_value_gbp_m")
    @classmethod
    def _has_year(cls, q: Quantity | None) -> Quantity | None:
        if q is not None and q.value is None:
            raise ValueError("needs a value")
        return q

    @field_validator("decision_date")
    @classmethod
    def _is_month(cls, q: Quantity | None) -> Quantity | None:
        if q is not None and q.unit != "date":
            raise ValueError("must have unit: date (a month, 'YYYY-MM')")
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

    @field_validator("gdp_deflator_series")
    @classmethod
    def _one_deflator(cls, v: GdpDeflatorSeries | None, info: ValidationInfo) -> GdpDeflatorSeries | None:
        """Exactly one of the flat rate and the series: both given would leave one silently ignored. A
        flat rate that failed its own check is not in `info.data`, and its own message says why."""
        if "gdp_deflator" not in info.data:
            return v
        flat = info.data["gdp_deflator"]
        if v is not None and flat is not None:
            raise ValueError("give gdp_deflator (a flat annual rate) or gdp_deflator_series (a packaged "
                             "series), not both: one of them would be ignored (in a file that extends "
                             "one with the other, set the inherited one to null)")
        if v is None and flat is None:
            raise ValueError("give the GDP deflator: gdp_deflator (a flat annual rate, 0.02 is 2%) or "
                             "gdp_deflator_series (a packaged series: "
                             f"{', '.join(series_names())})")
        first = info.data.get("first_fy")
        if v is not None and first is not None:
            start = min(int(y) for y in deflator_series(v.series)["index"])
            if first.value < start:
                raise ValueError(f"the series {v.series} starts in {start}: it cannot deflate "
                                 f"{fy_text(first.value)}, the period's first year")
        return v

    @field_validator("price_basis")
    @classmethod
    def _basis(cls, q: Quantity) -> Quantity:
        if q.value not in ("nominal", "real"):
            raise ValueError("must be 'nominal' or 'real'")
        return q

    @model_validator(mode="after")
    def _optimism_bias_rates(self) -> "Appraisal":
        """The capital and operating rates: stated, or worked from the table (never both: one would be
        ignored)."""
        ob = self.optimism_bias
        if ob is None:
            for key in ("optimism_bias_capital", "optimism_bias_operating"):
                if getattr(self, key) is None:
                    raise ValueError(f"needs {key} (a fraction) or an optimism_bias block (category and mitigation)")
            return self
        given = [k for k in ("optimism_bias_capital", "optimism_bias_operating") if getattr(self, k) is not None]
        if given:
            raise ValueError(f"give optimism_bias (category and mitigation) or {' and '.join(given)}, not both: "
                             "one would be ignored")
        m = ob.mitigation
        for key, which, category in (("optimism_bias_capital", "capital", ob.category),
                                     ("optimism_bias_operating", "operating", ob.operating_category)):
            why = (f"the upper bound of {category.replace('_', ' ')} in the optimism-bias table, less the "
                   f"mitigation of {m.value:.0%}")
            setattr(self, key, Quantity(value=ob.rate(which), unit="fraction", source=m.source,
                                        assumption=m.assumption, why=why if m.assumption else None,
                                        note=why, label=f"Optimism bias on {which} costs"))
        return self

    @model_validator(mode="before")
    @classmethod
    def _base_year_in_period(cls, data: Any) -> Any:
        """The base year must lie in the period: one message, whatever year is given (1900 or 2200)."""
        raw = {k: data.get(k).get("value") if isinstance(data, dict) and isinstance(data.get(k), dict) else None
               for k in ("first_fy", "last_fy", "base_year", "paper_base_year")}
        period = [raw["first_fy"], raw["last_fy"]]
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in period) or period[0] > period[1]:
            return data
        for key in ("base_year", "paper_base_year"):
            v = raw[key]
            if isinstance(v, int) and not isinstance(v, bool) and not period[0] <= v <= period[1]:
                raise ValueError(f"{key} {fy_text(v)} is outside the appraisal period "
                                 f"{fy_text(period[0])} to {fy_text(period[1])}")
        return data

    @model_validator(mode="after")
    def _period(self) -> "Appraisal":
        first, last = self.first_fy.value, self.last_fy.value
        if last < first:
            raise ValueError("last_fy is before first_fy")
        for key in ("base_year", "paper_base_year"):
            q = getattr(self, key)
            if q is not None and not first <= q.value <= last:
                raise ValueError(f"{key} {fy_text(q.value)} is outside the appraisal period "
                                 f"{fy_text(first)} to {fy_text(last)}")
        if not first <= self.decision_fy.value <= last:
            raise ValueError(f"decision_fy {fy_text(self.decision_fy.value)} is outside the appraisal period "
                             f"{fy_text(first)} to {fy_text(last)}")
        if self.decision_date is not None:
            day = parse_date(self.decision_date.value)
            if fy_of_date(day) != self.decision_fy.value:
                raise ValueError(f"decision_date {self.decision_date.value} is not in decision_fy "
                                 f"{fy_text(self.decision_fy.value)} (1 April to 31 March)")
        if self.service_life_to is not None:
            if self.service_life_to.value <= last:
                raise ValueError(f"service_life_to {fy_text(self.service_life_to.value)} must be after the "
                                 f"period's end, {fy_text(last)}")
            if self.residual_value_gbp_m is not None:
                raise ValueError("give service_life_to or residual_value_gbp_m, not both: each closes the "
                                 "period in its own way")
        return self

    @property
    def paper_base(self) -> int:
        """Year 0 of the paper's measure: `paper_base_year`, else `base_year`, else the first year."""
        q = self.paper_base_year or self.base_year or self.first_fy
        return q.value

    @property
    def deflator(self) -> float | DeflatorSeries:
        """What turns nominal into real prices: the flat rate, or the chosen series with its forecast
        (:func:`model.core.greenbook.price_level` takes either)."""
        if self.gdp_deflator_series is None:
            return self.gdp_deflator.value
        s = self.gdp_deflator_series
        return DeflatorSeries.packaged(s.series, s.forecast_rate.value)

    @property
    def deflator_text(self) -> str:
        """How the pages state the deflator: '2.0% a year', or 'HM Treasury GDP deflator series
        (December 2025 (Quarterly National Accounts)), forecast 2.0% a year after 2024'."""
        d = self.deflator
        return d.text() if isinstance(d, DeflatorSeries) else f"{d:.1%} a year"

    @property
    def green_book_base(self) -> int:
        """Year 0 of the Green Book appraisal: `base_year`, else the decision year."""
        return (self.base_year or self.decision_fy).value


class Delivery(_Strict):
    """One delivery (a release, a phase, a go-live): it unlocks its share of the steady-state benefits,
    ramping up from its milestone's date. A blank date at the milestone means it is never delivered."""

    label: str
    #: a key of `milestones:`
    milestone: str
    #: its fraction of the benefits; may be left out when it is the only delivery, which then
    #: unlocks them all (model.core.cashflows.delivery_shares counts it as 1)
    share: Quantity | None = None
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
        if len(v) == 1:
            return v  # the only delivery unlocks all of the benefits, whatever share it states
        missing = [k for k, d in v.items() if d.share is None]
        if missing:
            raise ValueError(f"with {len(v)} deliveries each needs a share (the shares add up to 1); "
                             f"{', '.join(missing)} {'has' if len(missing) == 1 else 'have'} none")
        shares = {k: d.share.value for k, d in v.items()}
        if any(x is None for x in shares.values()):
            return v  # the share's own check names the blank one
        total = math.fsum(shares.values())
        if abs(total - 1.0) > SHARE_SUM_TOLERANCE:
            parts = " + ".join(f"{k} {x:g}" for k, x in shares.items())
            raise ValueError(f"the deliveries' shares must add up to 1, not {total:g} ({parts})")
        return v

    #: a share of the benefits (0 to 1); to scale a paper's benefits, calibrate level_multiplier
    _share_of_benefits = field_validator("realisation_factor", mode="before")(
        _in_range(0.0, 1.0, "must be a share from 0 to 1 (to scale the benefits beyond that, calibrate "
                  "benefits.level_multiplier)", allow_blank=True))
    _non_negative = field_validator("level_multiplier", mode="before")(
        _in_range(0.0, math.inf, "must be a multiplier from 0 upwards (1 = as calibrated)", allow_blank=True))


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

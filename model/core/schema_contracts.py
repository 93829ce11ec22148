"""Contracts and their modifications (Contract, Modification: the values before and after each decision
and the published uplift percentages, which reconciliation recomputes), and the cap that holds a
contract's uplifts to a share of its original value (ContractCap).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from .schema_values import Provenance, Quantity, _Strict


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

    `reading` says how the cap is applied: `per_modification` (to each modification's own uplift, as a
    limit such as that of PCR 2015 reg. 72(1)(b) and (c) is read under 72(2) where a case is subject to
    them) or `cumulative` (to every uplift added together, as if successive modifications were one).
    `regulation` names the rule the case's cap comes from, if any."""

    contract: str
    cap_pct_of_original: float
    reading: Literal["per_modification", "cumulative"] = "per_modification"
    regulation: str | None = None
    funded_from: list[str] = Field(min_length=1)

"""A reconciliation check and its result: the Check record (the published and the computed figure,
their difference, a status, the sources and, for a finding, its classification), the statuses and
tolerances, and `compare`, which turns a published figure and the figure recomputed from its parts into
a Check: ok, rounding, explained or discrepancy.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Iterable

from ..core.schema import Classification

STATUSES = ("ok", "rounding", "explained", "discrepancy")
EXACT = 1e-9
MONEY_TOLERANCE = 0.001


@dataclass
class Check:
    id: str
    description: str
    published: Any
    computed: Any
    difference: float | None
    status: str
    sources: list[str]
    explanation: str | None = None
    scenario: str | None = None
    tolerance: float | None = None
    #: for a finding (a check that found something, classified): its class, severity (its effect on
    #: the model's figures), what the model uses and why, and whether the papers settle it
    finding_class: str | None = None
    severity: str | None = None
    model_uses: str | None = None
    unresolved: bool | None = None

    @property
    def is_finding(self) -> bool:
        return self.finding_class is not None

    def classify(self, c: Classification) -> "Check":
        self.finding_class, self.severity = c.finding_class, c.severity
        self.model_uses, self.unresolved = c.model_uses, c.unresolved
        return self

    def as_dict(self) -> dict:
        out = asdict(self)
        out["class"] = out.pop("finding_class")
        return out


def half_unit(x: float) -> float:
    """Half a unit in the last printed place of a figure (65.3 -> 0.05, 48 -> 0.5, 22.048 -> 0.0005)."""
    text = repr(float(x))
    if "e" in text:
        return 0.0
    decimals = len(text.split(".")[1].rstrip("0")) if "." in text else 0
    return 0.5 * 10.0 ** (-decimals)


def money_tolerance(*figures: float) -> float:
    """GBP 0.001m, or half a unit of the least precise published figure involved if coarser."""
    return max([MONEY_TOLERANCE] + [half_unit(f) for f in figures])


def compare(id: str, description: str, published: float, computed: float, sources: Iterable[str],
            tolerance: float = MONEY_TOLERANCE, explained_by: str | None = None) -> Check:
    """A numeric check; `explained_by` turns a difference beyond rounding into 'explained'."""
    diff = float(computed) - float(published)
    if abs(diff) <= EXACT:
        status = "ok"
    elif abs(diff) <= tolerance + EXACT:
        status = "rounding"
    elif explained_by:
        status = "explained"
    else:
        status = "discrepancy"
    return Check(id=id, description=description, published=float(published),
                 computed=round(float(computed), 9), difference=round(diff, 9), status=status,
                 sources=list(dict.fromkeys(sources)), tolerance=tolerance,
                 explanation=explained_by if status == "explained" else None)


def _sum(values: Iterable[float]) -> float:
    return float(sum(values))

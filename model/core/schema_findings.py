"""Findings: what a line-by-line reading of the papers turns up. Each inconsistency is declared as data
and checked by a generic rule (Finding); a finding, or a generated check that finds something, carries
its classification (Classification): its class (FINDING_CLASSES), its severity by its effect on the
model's figures (SEVERITIES), what the model uses and whether the papers settle it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .schema_checks import _check_placeholders
from .schema_statements import Statement
from .schema_values import Unit, _Strict, _check_scalar

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
        for field in ("label", "model_uses"):  # a finding's texts are printed as written
            _check_placeholders(getattr(self, field), set(), field)
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

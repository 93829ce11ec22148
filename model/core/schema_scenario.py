"""The scenario model: one scenario once its `extends` chain is resolved (Scenario), made of the section
models of the other schema modules, with the checks that span sections: a contract cap names a contract,
milestones are dates, and narrative figures, narrative sums and findings name tables, funding sources
and narrative figures that exist.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from .schema_appraisal import Appraisal, Benefits, UncertainInput
from .schema_checks import DeclaredCheck
from .schema_contracts import Contract, ContractCap
from .schema_costs import CostBlock, TableBlock
from .schema_findings import Classification, Finding
from .schema_risks import OpportunityCost, Risk
from .schema_statements import Fact, NarrativeCost, NarrativeSum
from .fy import fy_label, parse_fy
from .schema_values import Quantity, _Strict

#: The kinds of scenario that are versions of the case (its version history, in `extends` order):
#: published business cases, and the forecasts and outturns that sit in the same chain.
VERSION_KINDS = ("published", "forecast", "outturn")


def is_version(kind: str | None) -> bool:
    """Whether a scenario of this kind is one of the case's versions (a missing kind is published)."""
    return (kind or "published") in VERSION_KINDS


class Scenario(_Strict):
    """One scenario after `extends` has been resolved."""

    title: str
    description: str
    #: published: a version of the business case (its published figures are reconciled);
    #: forecast / outturn: a version in the chain that is not itself a business case (a forecast or
    #: an outturn report: no decision needed, no NPV of its own expected; its published figures are
    #: reconciled like any others); option: an option appraised against the headline version;
    #: sensitivity: a version with inputs varied.
    kind: Literal["published", "forecast", "outturn", "option", "sensitivity"] = "published"
    #: A version's short label (e.g. "V2"), which tables and charts show for it. The case's versions
    #: are its published, forecast and outturn scenarios in `extends` order; each declares its own
    #: `short` in its own file (one it only inherits does not count, and the report falls back to the
    #: file name in capitals). The headline version (the economic and financial cases, tornado, Monte
    #: Carlo and what-if) is the latest published version, unless a version's own file sets
    #: `headline: true`.
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
    #: the risk register: quantified risks are expected costs of the Green Book appraisal (see Risk)
    risks: dict[str, Risk] = Field(default_factory=dict)
    #: resources used but not bought, costs of the Green Book appraisal only (see OpportunityCost)
    opportunity_costs: dict[str, OpportunityCost] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _risks_and_opportunity_costs(self) -> "Scenario":
        """Risks and opportunity costs fall in the years the decision can still change, inside the
        period, and a risk covers cost lines that exist."""
        last = self.appraisal.last_fy.value
        d = self.appraisal.decision_fy.value
        lines = {f"{b}.{ln}" for b, block in self.costs.items() for ln in getattr(block, "lines", {})}
        lines |= {b for b, block in self.costs.items() if not isinstance(block, TableBlock)}
        for section, entries in (("risks", self.risks), ("opportunity_costs", self.opportunity_costs)):
            for name, entry in entries.items():
                for label in entry.years:
                    year = parse_fy(label)
                    if not d <= year <= last:
                        raise ValueError(f"{section}.{name}.years: {label} is outside the years from the decision "
                                         f"({fy_label(d)}) to the period's end ({fy_label(last)})")
        for name, risk in self.risks.items():
            for ref in risk.covers:
                if ref not in lines:
                    raise ValueError(f"risks.{name}.covers: {ref!r} is not a cost line ('block.line') or an "
                                     "allocated block")
        return self

    @field_validator("uncertainty")
    @classmethod
    def _no_flat_deflator_with_a_series(cls, v: dict[str, UncertainInput],
                                        info: ValidationInfo) -> dict[str, UncertainInput]:
        """The flat GDP deflator cannot be an uncertain input of a case that deflates with a series:
        nothing would read the values drawn for it."""
        appraisal = info.data.get("appraisal")
        if appraisal is None or appraisal.gdp_deflator_series is None:
            return v
        for name, spec in v.items():
            if spec.parameter == "appraisal.gdp_deflator":
                raise ValueError(f"uncertainty.{name} varies appraisal.gdp_deflator, but the case deflates "
                                 f"with the series {appraisal.gdp_deflator_series.series} "
                                 "(appraisal.gdp_deflator_series): vary its forecast_rate "
                                 "(appraisal.gdp_deflator_series.forecast_rate) instead")
        return v

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

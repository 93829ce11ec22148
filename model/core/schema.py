"""The params schema. Parameters are data; their schema is this code.

Every parameter (a mapping with a ``value`` or a ``by_fy``) carries its provenance: a ``source`` that
names a file listed in params/sources/sources.yaml and the paragraph, decision or table, or
``assumption: true`` with ``why``.

The models live in modules by job, and this module gathers their public names, which callers import
from here: `schema_values` (the base model, units, provenance, Quantity and Series), `schema_costs`
(cost tables and allocated totals), `schema_appraisal` (appraisal, benefits, uncertain inputs and
calibrations), `schema_statements` (narrative figures and facts), `schema_findings` (findings and their
classification), `schema_checks` (checks declared as data), `schema_contracts` (contracts and the
contract cap) and `schema_scenario` (the Scenario that holds them all).
"""

from __future__ import annotations

from .schema_appraisal import (SHARE_SUM_TOLERANCE, Appraisal, Benefits, Calibration, Delivery, UncertainInput,
                               fy_text)
from .schema_checks import DatePoint, DeclaredCheck, FactorChange, Term
from .schema_contracts import Contract, ContractCap, Modification
from .schema_costs import AllocatedBlock, CostBlock, Line, PublishedTotals, TableBlock
from .schema_findings import FINDING_CLASSES, SEVERITIES, Classification, Finding, FindingClass, Severity
from .schema_scenario import VERSION_KINDS, Scenario, is_version
from .schema_statements import Fact, NarrativeCost, NarrativeSum, Statement
from .schema_values import MAX_GBP_M, SLUG_RE, Provenance, Quantity, Series, Unit, check_source

__all__ = [
    "MAX_GBP_M", "SLUG_RE", "Unit", "check_source", "Provenance", "Quantity", "Series",
    "Line", "PublishedTotals", "TableBlock", "AllocatedBlock", "CostBlock",
    "SHARE_SUM_TOLERANCE", "fy_text", "Appraisal", "Delivery", "Benefits", "UncertainInput", "Calibration",
    "NarrativeCost", "NarrativeSum", "Statement", "Fact",
    "FINDING_CLASSES", "SEVERITIES", "FindingClass", "Severity", "Classification", "Finding",
    "DatePoint", "FactorChange", "Term", "DeclaredCheck",
    "Modification", "Contract", "ContractCap",
    "Scenario",
]

"""Reconciliation: recompute every published total from its parts and compare.

Each check has an id, a description, the published and the computed figure, their difference, a
status and the sources. Statuses:

- ``ok``: equal (to floating-point accuracy);
- ``rounding``: within the rounding of the published figures (GBP 0.001m for figures printed to three
  decimals; half a unit of the last printed place for coarser figures, such as 65.3 or 48%);
- ``explained``: different for a stated reason (e.g. a funding source netted off); the explanation is given;
- ``discrepancy``: the documents disagree with themselves. Nothing is "fixed": both figures and both
  sources are quoted.

The code lives in modules by job, and this module gathers their public names, which callers import
from here: `reconcile_check` (the Check record, statuses, tolerances and `compare`), the check families
`reconcile_costs` (cost tables and allocated totals), `reconcile_statements` (narrative figures and
facts), `reconcile_contracts` (contract modifications), `reconcile_declared` (checks declared as data)
and `reconcile_findings` (findings declared as data, and classification), and `reconcile_run` (every
check for a scenario and over every version, and the summaries).
"""

from __future__ import annotations

from .reconcile_check import EXACT, MONEY_TOLERANCE, STATUSES, Check, compare, half_unit, money_tolerance
from .reconcile_contracts import contract_checks
from .reconcile_costs import allocation_checks, table_checks
from .reconcile_declared import declared_check, declared_checks
from .reconcile_findings import classify, finding_check, finding_checks
from .reconcile_run import calibration_checks, findings, findings_summary, reconcile, reconcile_all, summary
from .reconcile_statements import fact_checks, narrative_checks, narrative_sum_checks

__all__ = [
    "STATUSES", "EXACT", "MONEY_TOLERANCE", "Check", "half_unit", "money_tolerance", "compare",
    "table_checks", "allocation_checks", "narrative_checks", "narrative_sum_checks", "fact_checks",
    "contract_checks", "declared_check", "declared_checks", "finding_check", "finding_checks", "classify",
    "calibration_checks", "reconcile", "reconcile_all", "summary", "findings", "findings_summary",
]

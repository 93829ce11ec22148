"""The reconciliation's glue: what the reconciliation recomputes in this case, in words, and how many
checks ran and what they found (for the front page)."""

from __future__ import annotations

from . import book
from .glue_tracking import tracked
from .glued_figures import glue, glue_number


def reconciliation_scope(params_dir=None) -> str:
    """What the reconciliation recomputes, from what the case's versions declare: its published cost
    tables (with their funding sources), narrative cost figures, contracts and restated facts, and a
    closing "this case declares no ..." for those it does not have (its calibrations and declared
    checks are checked whatever it declares)."""
    from ..core.schema import TableBlock

    versions = [book.loaded(v, params_dir).scenario for v in book.version_names(params_dir)]
    tables = [b for s in versions for b in s.costs.values()
              if isinstance(b, TableBlock) and b.published_totals is not None]
    parts = {
        "published cost tables": tables and ("each row and column of the published cost tables, their grand "
                                             "totals" + (", their funding sources and shortfalls"
                                                         if any(b.funding_sources for b in tables) else "")),
        "narrative cost figures": any(s.narrative_costs for s in versions)
        and "the narrative figure for each cost factor",
        "contracts": any(s.contracts for s in versions) and "each contract\u2019s uplift arithmetic and percentages",
        "restated facts": any(s.facts for s in versions) and "every fact the documents state more than once",
    }
    present = [text for text in parts.values() if text]
    absent = [name for name, text in parts.items() if not text]
    said = "; ".join(present[:-1]) + ("; and " if len(present) > 1 else "") + (present[-1] if present else "")
    if not absent:
        return said
    missing = ", ".join(absent[:-1]) + (" or " if len(absent) > 1 else "") + absent[-1]
    rest = (f"this case declares no {missing}, so its checks are the published figures its calibrations "
            "reproduce and the checks its params declare")
    return f"{said}; {rest}" if said else rest


def glue_reconciliation_scope(params_dir=None) -> None:
    """`rec_scope`: what the reconciliation recomputes in this case (see :func:`reconciliation_scope`)."""
    glue("rec_scope", reconciliation_scope(params_dir))


@tracked
def glue_checks(params_dir=None) -> None:
    """How many reconciliation checks ran and how many found discrepancies (front page only: it loads
    and reconciles every scenario)."""
    checks = book.reconciliation(params_dir)
    glue_number("checks_run", len(checks))
    glue_number("checks_discrepancies", int((checks.status == "discrepancy").sum()))
    glue_number("checks_findings", int(checks["class"].notna().sum()))

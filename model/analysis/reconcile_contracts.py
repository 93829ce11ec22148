"""Checks of the contracts: each modification's uplift arithmetic (the value before it against the value
after the previous one, previous value plus uplift against the new value) and the published uplift
percentages of the previous and of the original value (`contract_checks`).
"""

from __future__ import annotations

from ..core.schema import Scenario
from .reconcile_check import Check, compare, half_unit, money_tolerance


def contract_checks(scenario: Scenario) -> list[Check]:
    """Each contract's uplift arithmetic: previous + uplift = new, and the published percentages."""
    checks = []
    for key, c in scenario.contracts.items():
        original = c.original_value_gbp_m.value if c.original_value_gbp_m else None
        running = original
        for mkey, m in c.modifications.items():
            cid = f"contract.{key}.{mkey}"
            prev = m.previous_value_gbp_m.value if m.previous_value_gbp_m else running
            new = m.new_value_gbp_m.value if m.new_value_gbp_m else None
            uplift = m.uplift_gbp_m.value if m.uplift_gbp_m else None
            srcs = [q.source for q in (m.previous_value_gbp_m, m.uplift_gbp_m, m.new_value_gbp_m)
                    if q is not None and q.source]
            if m.previous_value_gbp_m and running is not None:
                checks.append(compare(f"{cid}.previous", f"{c.label}: value before {m.decision} against "
                                      "the value after the previous decision", prev, running,
                                      srcs + ([c.original_value_gbp_m.source] if c.original_value_gbp_m else []),
                                      tolerance=money_tolerance(prev, running)))
            if prev is not None and uplift is not None and new is not None:
                checks.append(compare(f"{cid}.new_value", f"{c.label}: previous value plus the uplift "
                                      f"against the new value ({m.decision})", new, prev + uplift, srcs,
                                      tolerance=money_tolerance(prev, uplift, new)))
            if uplift is None and prev is not None and new is not None:
                uplift = new - prev
            if prev is None and new is not None and uplift is not None:
                prev = new - uplift  # original derived: not published
                if original is None:
                    original = prev
            if m.uplift_pct_of_previous and prev and uplift is not None:
                pct = m.uplift_pct_of_previous
                checks.append(compare(f"{cid}.pct_of_previous", f"{c.label}: uplift as a percentage of the "
                                      f"value before {m.decision}", pct.value, 100.0 * uplift / prev,
                                      srcs + [pct.source or ""], tolerance=half_unit(pct.value)))
            if m.uplift_pct_of_original and original and uplift is not None:
                pct = m.uplift_pct_of_original
                derived = "" if c.original_value_gbp_m else " (original derived as new value less uplift)"
                checks.append(compare(f"{cid}.pct_of_original", f"{c.label}: uplift as a percentage of the "
                                      f"original value{derived}", pct.value, 100.0 * uplift / original,
                                      srcs + [pct.source or ""], tolerance=half_unit(pct.value)))
            running = new if new is not None else (prev + uplift if prev is not None and uplift is not None
                                                   else running)
    return checks

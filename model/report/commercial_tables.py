"""The commercial case's table: every contract's value history, with the uplift arithmetic and the test
of each modification against regulation 72 of the Public Contracts Regulations 2015."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .case_versions import _scenario
from .scenario_loading import loaded


#: PCR 2015 reg. 72(1)(b) and (c): a modification may not raise the price by more than 50% of the
#: original contract's value; reg. 72(2): where there are several successive modifications, the limit
#: applies to the value of each modification (green-book.md, contract modifications).
REG72_LIMIT_PCT = 50.0


def within_reg72_limit(pct_of_original: float) -> bool | None:
    """Is one modification's uplift within 50% of the original value? None if it cannot be tested."""
    return None if np.isnan(pct_of_original) else bool(pct_of_original <= REG72_LIMIT_PCT)


def reg72_check(regulation: str, pct_of_original: float) -> str:
    """The regulation 72 test of one modification against 50% of the original value (reg. 72(1)(b)
    and (c), applied to each modification by 72(2)); 72(1)(a) review clauses allow any value."""
    within = within_reg72_limit(pct_of_original)
    if within is None:
        test = "original value not published: cannot test against 50%"
    else:
        test = (f"{'within' if within else 'ABOVE'} 50% of original ({pct_of_original:.3f}%; "
                "reg. 72(1)(b)/(c), 72(2))")
    if regulation.startswith("72(1)(a)"):
        return f"{test}; relies on review clauses (72(1)(a): any value)"
    if regulation in ("72(1)(b)", "72(1)(c)"):
        return test
    return f"{test}; basis not published"


def reg72_observation(cumulative_pct: float, modifications_so_far: int) -> str:
    """Successive modifications whose uplifts add up to more than half the original value are not a
    breach (the limit applies to each, reg. 72(2)), but they raise 72(2)'s own question: do they aim to
    circumvent the Regulations?"""
    if modifications_so_far < 2 or not cumulative_pct > REG72_LIMIT_PCT:
        return ""
    return (f"cumulative uplift {cumulative_pct:.1f}% of original over {modifications_so_far} modifications: "
            "not a breach, but ask whether they aim to circumvent the Regulations (reg. 72(2))")


def contract_history(scenario: str | None = None, params_dir: str | Path | None = None) -> pd.DataFrame:
    """Every contract's value history, with the uplift arithmetic and the regulation 72 test.

    Each modification is tested on its own against 50% of the original value (reg. 72(1)(b) and (c),
    applied to each modification by 72(2)); 72(1)(a) allows modifications of any value that clear,
    precise review clauses provided for. The cumulative uplift is reported as an observation where it
    passes half the original value: the anti-circumvention question of 72(2), not a breach.
    """
    scenario = _scenario(scenario, params_dir)
    s = loaded(scenario, params_dir).scenario
    rows = []
    for key, c in s.contracts.items():
        original = c.original_value_gbp_m.value if c.original_value_gbp_m else None
        derived = False
        mods = list(c.modifications.items())
        if original is None and mods:
            m0 = mods[0][1]
            if m0.new_value_gbp_m and m0.uplift_gbp_m:
                original, derived = m0.new_value_gbp_m.value - m0.uplift_gbp_m.value, True
        rows.append({"contract": key, "label": c.label, "supplier": c.supplier, "event": "original",
                     "decision": "contract award" if not derived else "not published (derived)",
                     "uplift_gbp_m": np.nan, "value_gbp_m": original, "uplift_pct_of_original": np.nan,
                     "cumulative_uplift_gbp_m": 0.0, "cumulative_pct_of_original": 0.0,
                     "regulation": "", "term_years": c.term_years.value if c.term_years else np.nan,
                     "within_50pct_of_original": None, "reg72_check": "", "observation": ""})
        value, cumulative = original, 0.0
        for n, (mkey, m) in enumerate(mods, start=1):
            new = m.new_value_gbp_m.value if m.new_value_gbp_m else None
            prev = m.previous_value_gbp_m.value if m.previous_value_gbp_m else value
            uplift = m.uplift_gbp_m.value if m.uplift_gbp_m else (new - prev if new is not None else None)
            cumulative += uplift or 0.0
            pct = 100.0 * cumulative / original if original else np.nan
            own_pct = 100.0 * uplift / original if original and uplift else np.nan
            regulation = m.regulation.value if m.regulation else "not stated"
            rows.append({"contract": key, "label": c.label, "supplier": c.supplier, "event": mkey,
                         "decision": m.decision, "uplift_gbp_m": uplift, "value_gbp_m": new,
                         "uplift_pct_of_original": own_pct,
                         "cumulative_uplift_gbp_m": cumulative, "cumulative_pct_of_original": pct,
                         "regulation": regulation, "term_years": np.nan,
                         "within_50pct_of_original": within_reg72_limit(own_pct),
                         "reg72_check": reg72_check(regulation, own_pct),
                         "observation": reg72_observation(pct, n)})
            value = new
    return pd.DataFrame(rows)

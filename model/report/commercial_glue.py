"""The commercial case's glue: the cumulative uplift of each contract modified more than once, each
modification's uplift against the regulation 72 limit, and counts over every modification."""

from __future__ import annotations

from . import book
from .glue_tracking import tracked
from .glued_figures import glue, glue_money, glue_number


@tracked
def glue_commercial(params_dir=None) -> None:
    """The commercial case: for each contract modified more than once, its cumulative uplift
    (`com_<contract>_cumulative`, `_cumulative_pct`) and each modification's uplift as a share of the
    original (`com_<contract>_<change>_pct`: to three places within a point of the 50% limit, where
    one place could not tell the side); then counts over every modification."""
    main = book.headline(params_dir)
    s = book.loaded(main, params_dir).scenario
    hist = book.contract_history(main, params_dir)
    for key, contract in s.contracts.items():
        if len(contract.modifications) < 2:
            continue
        prefix = book.contract_prefix(s, key)
        rows = hist[hist.contract == key].set_index("event")
        glue_money(f"com_{prefix}_cumulative", rows.cumulative_uplift_gbp_m.max(), places=3)
        glue(f"com_{prefix}_cumulative_pct", f"{rows.cumulative_pct_of_original.max():.1f}%")
        for m in contract.modifications:
            pct = rows.loc[m, "uplift_pct_of_original"]
            places = 3 if abs(pct - book.REG72_LIMIT_PCT) < 1 else 1
            glue(f"com_{prefix}_{m}_pct", f"{pct:.{places}f}%")
    mods = hist[hist.event != "original"]
    glue_number("com_modifications", len(mods))
    glue_number("com_within", int((mods.within_50pct_of_original == True).sum()))  # noqa: E712
    glue_number("com_observations", int((mods.observation != "").sum()))
    direct = hist[(hist.event == "original") & (hist.term_years == 1)]
    glue_money("com_direct_total", direct.value_gbp_m.sum(), places=3)

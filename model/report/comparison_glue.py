"""The comparison chapter's glue: the summary's figures, the biggest step of the NPV bridge, and the
bridge and versions charts."""

from __future__ import annotations

from . import book
from .glue_tracking import tracked
from .glued_figures import _charts, glue, glue_chart, glue_money, glue_number
from .summary_glue import glue_summary


@tracked
def glue_comparison(params_dir=None) -> None:
    glue_summary(params_dir)
    bridge = book.npv_bridge(None, None, params_dir)
    changes = bridge[bridge.kind == "change"]
    biggest = changes.loc[changes.delta_gbp_m.abs().idxmax()]
    glue("cmp_biggest_step", biggest["step"].lower())
    glue_money("cmp_biggest_amount", biggest["delta_gbp_m"])
    glue_number("cmp_steps", len(changes))
    glue_chart("fig_bridge", _charts().npv_bridge(bridge))
    glue_chart("fig_versions", _charts().versions(book.version_summary(params_dir),
                                                  list(book.version_labels(params_dir).values())))

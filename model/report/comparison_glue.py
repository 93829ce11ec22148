"""The comparison chapter's glue: the summary's figures, the versions' range of TCO and NPV, the
biggest step of the NPV bridge, and the bridge and versions charts. Works for any case with one or
more versions (with one, there is no bridge: `cmp_versions` is 1 and the bridge figures are not glued)."""

from __future__ import annotations

from . import book
from .glue_tracking import tracked
from .glued_figures import _charts, glue, glue_chart, glue_count, glue_money, glue_number
from .summary_glue import glue_summary


def sentence_start(label: str) -> str:
    """A step's label as the middle of a sentence: its first letter in lower case, unless the first
    word is an abbreviation or a name in capitals ('OBC', 'V2')."""
    first = label.split(" ")[0] if label else ""
    return label if not first or first[1:2].isupper() or any(c.isdigit() for c in first) \
        else label[0].lower() + label[1:]


@tracked
def glue_comparison(params_dir=None) -> None:
    """The comparison of the versions: everything `glue_summary` glues; the number of versions
    (`cmp_versions`, `cmp_versions_text`: '4 versions'), the first and headline versions' short labels
    (`cmp_first`, `cmp_last`), TCO and NPV (`cmp_first_tco`, `cmp_last_tco`, `cmp_first_npv`,
    `cmp_last_npv`), the versions with the lowest and highest of each (`cmp_tco_low`, `cmp_tco_low_version`,
    `cmp_tco_high`, ... `cmp_npv_high_version`) and the versions chart (`fig_versions`). With two or more
    versions, the NPV bridge from the first to the headline version: its largest step (`cmp_biggest_step`,
    in lower case; `cmp_biggest_label` as labelled; `cmp_biggest_amount`), its number of steps
    (`cmp_steps`), its number of cost steps (`cmp_cost_steps`) and the bridge chart (`fig_bridge`)."""
    summary = book.version_summary(params_dir)
    labels = book.version_labels(params_dir)
    names, main = list(labels), book.headline(params_dir)
    glue_number("cmp_versions", len(names))
    glue_count("cmp_versions_text", len(names), "version")
    first, last = summary.iloc[0], summary.iloc[names.index(main)]
    glue("cmp_first", labels[names[0]])
    glue("cmp_last", labels[main])
    for key, row in (("first", first), ("last", last)):
        glue_money(f"cmp_{key}_tco", row["tco_gbp_m"])
        glue_money(f"cmp_{key}_npv", row["npv_gbp_m"])
    for measure, column in (("tco", "tco_gbp_m"), ("npv", "npv_gbp_m")):
        for end, at in (("low", summary[column].idxmin()), ("high", summary[column].idxmax())):
            glue_money(f"cmp_{measure}_{end}", summary.loc[at, column])
            glue(f"cmp_{measure}_{end}_version", summary.loc[at, "version"])
    glue_chart("fig_versions", _charts().versions(summary, list(labels.values())))
    if len(names) < 2:
        return
    glue_summary(params_dir)
    bridge = book.npv_bridge(None, None, params_dir)
    changes = bridge[bridge.kind == "change"]
    if changes.empty:  # (the headline version is the first)
        changes = bridge.iloc[[0]].assign(delta_gbp_m=0.0)
    biggest = changes.loc[changes.delta_gbp_m.abs().idxmax()]
    glue("cmp_biggest_step", biggest["step"].lower())
    glue("cmp_biggest_label", sentence_start(biggest["step"]))
    glue_money("cmp_biggest_amount", biggest["delta_gbp_m"])
    glue_number("cmp_steps", len(bridge[bridge.kind == "change"]))
    glue_count("cmp_cost_steps", int((bridge.section == "costs").sum()), "step")
    glue_chart("fig_bridge", _charts().npv_bridge(bridge))

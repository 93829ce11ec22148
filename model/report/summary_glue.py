"""The executive summary's glue: each version's decision, TCO and NPV, what each version published of
its own (its NPV, the cost blocks and contract changes it adds), each delivery's go-live in each
version, and what moved the NPV."""

from __future__ import annotations

from . import book
from .glue_tracking import tracked
from .glued_figures import glue, glue_date, glue_money, glue_number, glue_param, money


@tracked
def glue_summary(params_dir=None) -> None:
    """Executive summary: each version's decision, TCO and NPV, the published figures that set the
    versions apart (published NPVs, the cost blocks and contract changes each version adds, its
    request), each delivery's go-live in each version, and what moved the NPV."""
    summary = book.version_summary(params_dir)
    labels = book.version_labels(params_dir)
    main = book.headline(params_dir)
    for v, r in zip(labels, summary.to_dict(orient="records")):
        page = f"scenarios/{v}.html"
        glue_money(f"{v}_tco", r["tco_gbp_m"], title=f"{r['version']} TCO: see its scenario page", href=page)
        glue_money(f"{v}_npv", r["npv_gbp_m"], title=f"{r['version']} NPV: see its scenario page", href=page)
        glue_money(f"{v}_pvc", r["pv_costs_gbp_m"], href=page)
        glue_money(f"{v}_pvb", r["pv_benefits_gbp_m"], href=page)
        glue(f"{v}_bcr", f"{r['bcr']:.2f}")
        g = book.result(v, params_dir)["green_book"]
        glue_money(f"{v}_gb_npv", g["npv_gbp_m"], title=f"{r['version']} Green Book NPV from its decision year",
                   href=page)
        glue_money(f"{v}_sunk", g["sunk_costs_gbp_m"], href=page)
        glue(f"{v}_decision_fy", g["decision_fy"], "appraisal.decision_fy")
    _glue_version_changes(labels, params_dir)
    s = book.loaded(main, params_dir).scenario
    for block in book.request_blocks(main, params_dir):
        stated = book.stated_total(block, main, params_dir)
        if stated is not None:
            glue(block, money(stated[1].value, 3), f"narrative_costs.{stated[0]}", stated[1].source)
    # delays a case states in months (`delays:`), where it states them
    for key, where in (("delays_1_2", "delays_1_and_2_months"), ("delay_3", "delay_3_months")):
        if where in s.delays:
            glue_param(key, main, f"delays.{where}", ",.0f", params_dir)
    # the last delivery's go-live in each later version (`<delivery>_<version>`), and the headline
    # version's go-live of each earlier delivery (`<delivery>_live`)
    *earlier, (last, last_key) = book.deliveries(s).items()
    for v in list(labels)[1:]:
        glue_date(f"{last}_{v}", v, f"milestones.{last_key}", params_dir)
    for delivery, key in earlier:
        glue_date(f"{delivery}_live", main, f"milestones.{key}", params_dir)
    _glue_bridge_sections(params_dir)
    r3 = book.result(main, params_dir)
    glue("period", r3["appraisal"]["period"], "appraisal.first_fy")
    hist = book.contract_history(main, params_dir)
    if not hist.empty:  # (a case may declare no contracts)
        glue_number("com_direct_awards", int(((hist.event == "original") & (hist.term_years == 1)).sum()))


def _glue_bridge_sections(params_dir=None) -> None:
    """What moved the NPV from the first version to the headline, by section of the NPV bridge
    (model.report.book.npv_bridge): `bridge_delay` (timing), `bridge_costs`, `bridge_benefits` (also
    `bridge_rebaseline`), `bridge_appraisal`, `bridge_other` (what no step covers: normally zero), their
    sum `bridge_total` and its opposite `bridge_fall`."""
    bridge = book.npv_bridge(None, None, params_dir)
    changes = bridge[bridge.kind == "change"]
    by_section = changes.groupby("section").delta_gbp_m.sum()
    for key, section in (("bridge_delay", "timing"), ("bridge_costs", "costs"), ("bridge_benefits", "benefits"),
                         ("bridge_rebaseline", "benefits"), ("bridge_appraisal", "appraisal"),
                         ("bridge_other", "other")):
        glue_money(key, float(by_section.get(section, 0.0)), href="comparison.html")
    glue_money("bridge_total", changes.delta_gbp_m.sum(), href="comparison.html")
    glue_money("bridge_fall", -changes.delta_gbp_m.sum(), href="comparison.html")


def _glue_version_changes(versions, params_dir=None) -> None:
    """What each version published of its own: its NPV (`<version>_npv_published`), each cost block it
    adds to the version before (by the block's key), and, for each contract the versions modify more
    than once, the original value and each modification's uplift and new value (`<contract>_original`,
    `<contract>_<change>_uplift`, `<contract>_<change>_value`, the contract by its short name:
    model.report.book.contract_prefix)."""
    versions = list(versions)
    last = book.loaded(versions[-1], params_dir).scenario
    repeated = {k for k, c in last.contracts.items() if len(c.modifications) > 1}
    previous = None
    for v in versions:
        s = book.loaded(v, params_dir).scenario
        npv_key = book.published_npv_key(v, params_dir)
        if npv_key is not None:
            glue_param(f"{v}_npv_published", v, f"published.{npv_key}", "money", params_dir)
        if previous is not None:
            for key, block in s.costs.items():
                if key not in previous.costs and getattr(block, "total_gbp_m", None) is not None:
                    glue_param(key, v, f"costs.{key}.total_gbp_m", "money", params_dir)
        for key, contract in s.contracts.items():
            if key not in repeated:
                continue
            prefix, before = book.contract_prefix(s, key), previous.contracts.get(key) if previous else None
            new = [m for m in contract.modifications if before is None or m not in before.modifications]
            if not new:
                continue
            where = f"contracts.{key}"
            if contract.original_value_gbp_m is not None and (before is None or not before.modifications):
                glue_param(f"{prefix}_original", v, f"{where}.original_value_gbp_m", "money", params_dir)
            for m in new:
                change = contract.modifications[m]
                for field, name in (("uplift_gbp_m", "uplift"), ("new_value_gbp_m", "value")):
                    if getattr(change, field) is not None:
                        glue_param(f"{prefix}_{m}_{name}", v, f"{where}.modifications.{m}.{field}", "money",
                                   params_dir)
        previous = s

"""What the notebooks show: each function turns model results into a table, a chart or glue.

Notebooks call these and nothing else, so that they hold no logic of their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..core import deps
from ..core.paths import resolve_params_dir
from ..core.results import deflator_setting
from ..analysis.register import register
from ..core.scenario import Loaded, load_scenario
from .scenario_diff import VERSION_METADATA

HEADLINE_KEYS = ("npv_gbp_m", "tco_gbp_m", "pv_costs_gbp_m", "pv_benefits_gbp_m", "bcr")
GREEN_BOOK_KEYS = ("sunk_costs_gbp_m", "npv_gbp_m", "pv_costs_gbp_m", "pv_benefits_gbp_m", "bcr")


class Run:
    """One scenario, loaded and appraised, for a notebook."""

    def __init__(self, scenario: str, overrides: dict[str, Any] | None = None,
                 params_dir: str | Path | None = None) -> None:
        pdir = resolve_params_dir(params_dir)
        if overrides:
            self.loaded: Loaded = load_scenario(scenario, pdir, {k: (v if isinstance(v, str) else repr_yaml(v))
                                                                for k, v in overrides.items()})
        else:  # calibrated once by the build, read from its cache
            self.loaded = deps.load(scenario, pdir)
        self.results = deps.results_for(self.loaded, pdir)
        self.params_dir = pdir

    @property
    def title(self) -> str:
        return self.loaded.title


def repr_yaml(value: Any) -> str:
    """A Python value from papermill's overrides as the YAML scalar `--set` would take."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def load(scenario: str | None, overrides: dict[str, Any] | None = None,
         params_dir: str | Path | None = None) -> Run:
    """One scenario's run; no scenario (the notebook's default, for plain papermill): the headline version."""
    if scenario is None:
        from .book import headline

        scenario = headline(params_dir)
    return Run(scenario, overrides, params_dir)


def glue_headlines(run: Run) -> None:
    """Glue the headline figures (MyST-NB) so that the book can cite them."""
    from myst_nb import glue

    for key in HEADLINE_KEYS:
        value = run.results[key]
        glue(key, float(value) if value is not None else float("nan"), display=False)
    for key in GREEN_BOOK_KEYS:  # the Green Book appraisal at the decision point, as green_book_<key>
        value = run.results["green_book"][key]
        glue(f"green_book_{key}", float(value) if value is not None else float("nan"), display=False)
    glue("scenario_title", run.title, display=False)


def headline_table(run: Run) -> pd.DataFrame:
    r = run.results
    g = r["green_book"]
    since = f"Green Book appraisal from {g['decision_fy']}"
    ob = r["appraisal"]
    bias = (f"£m, after optimism bias of {ob['optimism_bias_capital']:.0%} on capital and "
            f"{ob['optimism_bias_operating']:.0%} on operating costs"
            if ob.get("optimism_bias_capital") or ob.get("optimism_bias_operating") else "£m, no optimism bias")
    ratio = lambda x: "n/a" if x is None else f"{x:.2f}"  # noqa: E731  (a BCR to 2 places, as everywhere)
    rows = [
        ("Net present value (NPV), the paper's measure", r["npv_gbp_m"],
         "£m, base-year prices, discounted; whole period, money already spent included"),
        ("Total cost of ownership (TCO)", r["tco_gbp_m"], "£m, nominal cash, undiscounted"),
        ("Present value of costs, the paper's measure", r["pv_costs_gbp_m"], bias),
        ("Present value of benefits, the paper's measure", r["pv_benefits_gbp_m"], "£m"),
        ("Benefit-cost ratio (BCR), the paper's measure", ratio(r["bcr"]), "ratio"),
        (f"Sunk costs (spent before {g['decision_fy']})", g["sunk_costs_gbp_m"],
         "£m, nominal cash; left out of the Green Book appraisal"),
        (f"NPV, {since}", g["npv_gbp_m"], "£m, base-year prices, discounted; sunk costs excluded"),
        (f"Present value of costs, {since}", g["pv_costs_gbp_m"], bias),
        (f"Present value of benefits, {since}", g["pv_benefits_gbp_m"], "£m"),
        (f"Benefit-cost ratio (BCR), {since}", ratio(g["bcr"]), "ratio"),
    ]
    return pd.DataFrame(rows, columns=["measure", "value", "unit"]).set_index("measure")


def appraisal_settings(run: Run) -> pd.DataFrame:
    a = run.results["appraisal"]
    rows = [("Appraisal period", a["period"]), ("Price base", f"FY{a['base_year'] % 100:02d}/{(a['base_year'] + 1) % 100:02d}"),
            ("Discounting", a["discounting"]), ("GDP deflator", deflator_setting(a)),
            ("Decision year (sunk costs before it)", a["decision_fy"]),
            ("Optimism bias on capital, from the decision year", f"{a['optimism_bias_capital']:.0%}"),
            ("Optimism bias on operating costs, from the decision year", f"{a['optimism_bias_operating']:.0%}")]
    rows += [(f"Override {k}", v) for k, v in run.results["overrides"].items()]
    return pd.DataFrame(rows, columns=["setting", "value"]).set_index("setting")


def calibration_table(run: Run) -> pd.DataFrame:
    from .case_versions import reader_label
    from .htmltable import heading

    def version(name):  # a scenario by its short label or title, never its file's name
        return reader_label(name, run.params_dir)

    rows = [{"parameter": c["parameter"], "solved value": c["value"], "so that": heading(c["metric"]),
             "equals": c["target_value"], "published in": c["target_source"],
             "calibrated in": version(c["scenario"]),
             "overridden": f"yes: {c['value_used']} set by {version(c['overridden_in'])}" if c["overridden"] else "no"}
            for c in run.results["calibrated"]]
    return pd.DataFrame(rows).set_index("parameter")


CASHFLOW_HEADINGS = {
    "capital_gbp_m": "Capital £m", "revenue_gbp_m": "Revenue £m", "funding_gbp_m": "Funding sources £m",
    "benefits_gbp_m": "Benefits £m", "net_real_gbp_m": "Net, real £m", "discount_factor": "Discount factor",
    "pv_gbp_m": "Present value £m",
}


def cashflow_note(run: Run):
    """What the cash-flow table's columns are, saying 'after optimism bias' only when there is one."""
    from IPython.display import Markdown

    a = run.results["appraisal"]
    capital, operating = a["optimism_bias_capital"], a["optimism_bias_operating"]
    basis = (f"real base-year prices after optimism bias of {capital:.0%} on capital and {operating:.0%} on "
             f"operating costs, from {a['decision_fy']} (the decision year) on" if capital or operating
             else "real base-year prices (no optimism bias in this scenario)")
    return Markdown(f"£m. Capital, revenue, funding sources and benefits are nominal cash; the net flow is in "
                    f"{basis}; the present value is the net flow times the discount factor.")


def cashflow_table(run: Run) -> pd.DataFrame:
    frame = pd.DataFrame(run.results["cashflows"]).set_index("fy")
    frame.index.name = "FY"
    return frame[list(CASHFLOW_HEADINGS)].rename(columns=CASHFLOW_HEADINGS)


def parameter_table(run: Run) -> pd.DataFrame:
    reg = register(run.loaded)
    reg = reg[~reg.parameter.isin(VERSION_METADATA)]  # the file's labels, like its title: not parameters
    from ..core.sources import cited

    reg = reg.assign(provenance=[cited(p, run.params_dir) for p in reg.provenance],
                     calibrated_to=[cited(c, run.params_dir) for c in reg.calibrated_to])
    return reg[["parameter", "value", "unit", "kind", "provenance", "calibrated_to",
                "defined_in"]].set_index("parameter")


def parameters(run: Run):
    """The scenario's parameters as a reader sees them (model.report.parameter_reader): each by its
    label, linked to its entry in the assumptions register, with its source cited by short name."""
    from IPython.display import HTML

    from .parameter_reader import parameters_html
    return HTML(parameters_html(run))


def show(frame: pd.DataFrame, run: Run, places: int = 3, index: bool = True, build=None, by: str = "cell"):
    """A table, whole, as HTML: money to three decimals, the params' labels for their keys. With
    `build` (the function that made the frame from a Run), each number in it that a labelled
    assumption moves carries the assumptions marker (never a heading or a text). `by` is kept for
    the notebooks that still name the old ways ("column", "row"): every way is now by cell."""
    from IPython.display import HTML

    from ..analysis.reconcile_declared import filled_labels
    from .htmltable import cited_frame, frame_html, labels_from_trees

    cell_markers = {}
    if build is not None:
        from .bookviews import assumption_marker
        from .page_tables import figure_cells
        from ..analysis.dependence import dependence

        def compute(pdir):
            return figure_cells(build(Run(run.loaded.name, run.loaded.overrides, pdir)))

        # a scenario reads only the files of its own chain: no other file's assumption can move it
        from ..analysis.dependence import assumptions
        chain = [a for a in assumptions(run.params_dir) if a.scenario in run.loaded.chain]
        name = (f"show {run.loaded.name} {sorted(run.loaded.overrides.items())!r} "
                f"{build.__module__}.{build.__qualname__} cells")
        deps = dependence(compute, run.params_dir, chain, name=name)
        cell_markers = {cell: assumption_marker(a, "../") for cell, a in deps.items() if a}
    frame = cited_frame(frame, run.params_dir)
    return HTML(frame_html(frame, places, labels_from_trees([run.loaded.tree], filled_labels(run.loaded.scenario)),
                           index=index, cell_markers=cell_markers))


def style_money(frame: pd.DataFrame, places: int = 3):
    """A pandas Styler with money to three decimals (no logic, just formatting)."""
    numeric = frame.select_dtypes("number").columns
    return frame.style.format({c: f"{{:,.{places}f}}" for c in numeric}, na_rep="n/a")


def changes(run: Run, params_dir: str | Path | None = None):
    """What this scenario changes against the scenario it extends, as the page's opening: generated
    from the difference of the two resolved scenarios (model.report.scenario_diff)."""
    from IPython.display import HTML, Markdown, display

    from ..analysis.reconcile_declared import filled_labels
    from .htmltable import frame_html, labels_from_trees
    from .scenario_diff import describe, diff

    pdir = resolve_params_dir(params_dir)
    frame = diff(run.loaded, pdir)
    display(Markdown(describe(run.loaded, frame, pdir)))
    if len(frame):
        from .scenario_diff import reader_value

        from .parameter_reader import reader_key, reader_values

        labels = labels_from_trees([run.loaded.tree], filled_labels(run.loaded.scenario))
        shown = frame.copy()
        for col in ("before", "after"):
            shown[col] = [reader_values(reader_value(v, u), labels) for v, u in zip(frame[col], frame["unit"])]
        shown["change"] = [reader_values(c, labels) if c != k else labels.get(k) or reader_key(k, labels)
                           for c, k in zip(frame["change"], frame["parameter"])]
        display(HTML(frame_html(shown[["change", "before", "after", "source or reason"]], 3,
                                labels_from_trees([run.loaded.tree], filled_labels(run.loaded.scenario)))))


def costs_chart(run: Run):
    from .charts import costs_by_year
    return costs_by_year(run.results)


def cumulative_npv_chart(run: Run):
    from .charts import cumulative_npv
    return cumulative_npv(run.results)


def setup_charts() -> None:
    from .charts import use_offline_html_renderer
    use_offline_html_renderer()

"""What the notebooks show: each function turns model results into a table, a chart or glue.

Notebooks call these and nothing else, so that they hold no logic of their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from . import deps
from .paths import resolve_params_dir
from .register import register
from .scenario import Loaded, load_scenario

HEADLINE_KEYS = ("npv_gbp_m", "tco_gbp_m", "pv_costs_gbp_m", "pv_benefits_gbp_m", "bcr")


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


def load(scenario: str, overrides: dict[str, Any] | None = None, params_dir: str | Path | None = None) -> Run:
    return Run(scenario, overrides, params_dir)


def glue_headlines(run: Run) -> None:
    """Glue the headline figures (MyST-NB) so that the book can cite them."""
    from myst_nb import glue

    for key in HEADLINE_KEYS:
        value = run.results[key]
        glue(key, float(value) if value is not None else float("nan"), display=False)
    glue("scenario_title", run.title, display=False)


def headline_table(run: Run) -> pd.DataFrame:
    r = run.results
    rows = [
        ("Net present value (NPV)", r["npv_gbp_m"], "£m, base-year prices, discounted"),
        ("Total cost of ownership (TCO)", r["tco_gbp_m"], "£m, nominal cash, undiscounted"),
        ("Present value of costs", r["pv_costs_gbp_m"], "£m, after optimism bias"),
        ("Present value of benefits", r["pv_benefits_gbp_m"], "£m"),
        ("Benefit-cost ratio (BCR)", r["bcr"], "ratio"),
    ]
    return pd.DataFrame(rows, columns=["measure", "value", "unit"]).set_index("measure")


def appraisal_settings(run: Run) -> pd.DataFrame:
    a = run.results["appraisal"]
    rows = [("Appraisal period", a["period"]), ("Price base", f"FY{a['base_year'] % 100:02d}/{(a['base_year'] + 1) % 100:02d}"),
            ("Discounting", a["discounting"]), ("GDP deflator", f"{a['gdp_deflator']:.1%}"),
            ("Optimism bias", f"{a['optimism_bias']:.0%}")]
    rows += [(f"Override {k}", v) for k, v in run.results["overrides"].items()]
    return pd.DataFrame(rows, columns=["setting", "value"]).set_index("setting")


def calibration_table(run: Run) -> pd.DataFrame:
    rows = [{"parameter": c["parameter"], "solved value": c["value"], "so that": c["metric"],
             "equals": c["target_value"], "published in": c["target_source"],
             "calibrated in": c["scenario"], "overridden": "yes" if c["overridden"] else "no"}
            for c in run.results["calibrated"]]
    return pd.DataFrame(rows).set_index("parameter")


CASHFLOW_HEADINGS = {
    "capital_gbp_m": "Capital £m", "revenue_gbp_m": "Revenue £m", "funding_gbp_m": "Funding sources £m",
    "benefits_gbp_m": "Benefits £m", "net_real_gbp_m": "Net, real £m", "discount_factor": "Discount factor",
    "pv_gbp_m": "Present value £m",
}


def cashflow_table(run: Run) -> pd.DataFrame:
    frame = pd.DataFrame(run.results["cashflows"]).set_index("fy")
    frame.index.name = "FY"
    return frame[list(CASHFLOW_HEADINGS)].rename(columns=CASHFLOW_HEADINGS)


def parameter_table(run: Run) -> pd.DataFrame:
    return register(run.loaded)[["parameter", "value", "unit", "kind", "provenance", "calibrated_to",
                                 "defined_in"]].set_index("parameter")


def style_money(frame: pd.DataFrame, places: int = 3):
    """A pandas Styler with money to three decimals (no logic, just formatting)."""
    numeric = frame.select_dtypes("number").columns
    return frame.style.format({c: f"{{:,.{places}f}}" for c in numeric}, na_rep="n/a")


def costs_chart(run: Run):
    from .charts import costs_by_year
    return costs_by_year(run.results)


def cumulative_npv_chart(run: Run):
    from .charts import cumulative_npv
    return cumulative_npv(run.results)


def setup_charts() -> None:
    from .charts import use_offline_html_renderer
    use_offline_html_renderer()

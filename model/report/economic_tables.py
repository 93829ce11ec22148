"""The economic case's tables: the short list of options against business as usual, and every scenario
that is not a published version against the headline one, each by the Green Book appraisal at the
decision point."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..core.params import scenario_names
from ..core.schema import is_version
from ..core.paths import resolve_params_dir
from .case_versions import headline, option_names, short_label
from .scenario_loading import loaded, result, structure_dir


def options(params_dir: str | Path | None = None) -> pd.DataFrame:
    """The short list: business as usual (the reference, zero by construction), each option scenario
    (kind: option) by its title, and the headline version, each by the Green Book appraisal at the
    decision point (sunk costs excluded and stated)."""
    pdir = resolve_params_dir(params_dir)
    rows = [{"option": "Business as usual (reference)", "scenario": "", "sunk_costs_gbp_m": 0.0,
             "pv_costs_gbp_m": 0.0, "pv_benefits_gbp_m": 0.0, "npv_gbp_m": 0.0, "bcr": np.nan}]
    main = headline(pdir)
    chosen = [(n, loaded(n, pdir).title) for n in option_names(pdir)]
    chosen.append((main, f"The case as published ({short_label(main, pdir)})"))
    for name, label in chosen:
        g = result(name, params_dir)["green_book"]
        rows.append({"option": label, "scenario": name, "sunk_costs_gbp_m": g["sunk_costs_gbp_m"],
                     "pv_costs_gbp_m": g["pv_costs_gbp_m"], "pv_benefits_gbp_m": g["pv_benefits_gbp_m"],
                     "npv_gbp_m": g["npv_gbp_m"], "bcr": g["bcr"]})
    return pd.DataFrame(rows)


def scenario_comparison(params_dir: str | Path | None = None) -> pd.DataFrame:
    """Every scenario that is not a published version, against the headline version: the Green Book
    appraisal at the decision point and, beside it, the paper's measure."""
    pdir = resolve_params_dir(params_dir)
    main = headline(pdir)
    base = result(main, pdir)

    def row(name: str, title: str, kind: str, r: dict) -> dict:
        g = r["green_book"]
        return {"scenario": name, "title": title, "kind": kind, "tco_gbp_m": r["tco_gbp_m"],
                "gb_npv_gbp_m": g["npv_gbp_m"],
                "gb_change_in_npv_gbp_m": g["npv_gbp_m"] - base["green_book"]["npv_gbp_m"], "gb_bcr": g["bcr"],
                "paper_npv_gbp_m": r["npv_gbp_m"]}

    rows = [row(main, base["title"], "published", base)]
    where = structure_dir(pdir)  # (a nudged copy's kinds are the original's)
    for name in scenario_names(pdir):
        if is_version(loaded(name, where).scenario.kind):
            continue
        ld = loaded(name, pdir)
        rows.append(row(name, ld.title, ld.scenario.kind, result(name, pdir)))
    return pd.DataFrame(rows)

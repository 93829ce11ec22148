"""Tables and figures for the business-case chapters, built from the params and the model only."""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from . import deps
from .appraisal import appraise, inputs_from_scenario
from .fy import fy_label, fy_range, parse_date, parse_fy
from .params import scenario_names
from .paths import resolve_params_dir
from .reconcile import reconcile_all
from .register import register
from .results import results
from .scenario import Loaded
from .schema import Scenario, TableBlock

VERSIONS = ("fbc1", "fbc2", "fbc3")
REGISTER_PAGE = "appendix_register.html"


@lru_cache(maxsize=None)
def _load(name: str, params_dir: str) -> Loaded:
    return deps.load(name, params_dir)  # calibrated once per build, read from its cache


def loaded(name: str, params_dir: str | Path | None = None) -> Loaded:
    return _load(name, str(resolve_params_dir(params_dir)))


def result(name: str, params_dir: str | Path | None = None) -> dict:
    pdir = str(resolve_params_dir(params_dir))
    return deps.results_for(_load(name, pdir), pdir)


def anchor(parameter: str) -> str:
    """The id of a parameter's row in the assumptions register."""
    return "p-" + parameter.replace(".", "-").replace("/", "-").replace("_", "-").lower()


# --- versions side by side --------------------------------------------------------------------------

def version_summary(params_dir: str | Path | None = None) -> pd.DataFrame:
    rows = []
    for name in VERSIONS:
        ld, r = loaded(name, params_dir), result(name, params_dir)
        s = ld.scenario
        published = {"fbc1": s.published.get("npv_fbc1_gbp_m"), "fbc3": s.published.get("npv_fbc3_gbp_m")}
        pub = published.get(name)
        rows.append({
            "version": name.upper(), "title": ld.title,
            "decision": s.decision.value if s.decision else "",
            "approved": str(s.milestones["fbc_approved"].value),
            "drop2_go_live": str(s.milestones["drop2_go_live"].value),
            "capital_gbp_m": r["capital_gbp_m"], "revenue_gbp_m": r["revenue_gbp_m"],
            "tco_gbp_m": r["tco_gbp_m"], "npv_gbp_m": r["npv_gbp_m"],
            "npv_published_gbp_m": pub.value if pub is not None else np.nan,
            "pv_costs_gbp_m": r["pv_costs_gbp_m"], "pv_benefits_gbp_m": r["pv_benefits_gbp_m"],
            "bcr": r["bcr"],
        })
    return pd.DataFrame(rows)


def options(params_dir: str | Path | None = None) -> pd.DataFrame:
    """The short list: business as usual (the reference, zero by construction), do minimum, and CONNECT."""
    rows = [{"option": "Business as usual (reference)", "scenario": "", "pv_costs_gbp_m": 0.0,
             "pv_benefits_gbp_m": 0.0, "npv_gbp_m": 0.0, "bcr": np.nan}]
    for name, label in (("do_minimum", "Do minimum: stop after Drop 1"), ("fbc3", "CONNECT as contracted (FBC3)")):
        r = result(name, params_dir)
        rows.append({"option": label, "scenario": name, "pv_costs_gbp_m": r["pv_costs_gbp_m"],
                     "pv_benefits_gbp_m": r["pv_benefits_gbp_m"], "npv_gbp_m": r["npv_gbp_m"], "bcr": r["bcr"]})
    return pd.DataFrame(rows)


def scenario_comparison(params_dir: str | Path | None = None) -> pd.DataFrame:
    """Every scenario that is not one of the three published versions, against FBC3."""
    pdir = resolve_params_dir(params_dir)
    base = result("fbc3", pdir)
    rows = [{"scenario": "fbc3", "title": base["title"], "kind": "published", "npv_gbp_m": base["npv_gbp_m"],
             "tco_gbp_m": base["tco_gbp_m"], "change_in_npv_gbp_m": 0.0, "bcr": base["bcr"]}]
    for name in scenario_names(pdir):
        ld = loaded(name, pdir)
        if ld.scenario.kind == "published":
            continue
        r = results(ld)
        rows.append({"scenario": name, "title": ld.title, "kind": ld.scenario.kind, "npv_gbp_m": r["npv_gbp_m"],
                     "tco_gbp_m": r["tco_gbp_m"], "change_in_npv_gbp_m": r["npv_gbp_m"] - base["npv_gbp_m"],
                     "bcr": r["bcr"]})
    return pd.DataFrame(rows)


# --- Tables 1 and 2 rebuilt ---------------------------------------------------------------------------

def request_table(block_name: str, scenario: str = "fbc3", params_dir: str | Path | None = None) -> pd.DataFrame:
    """A published request table rebuilt from its lines, in true financial-year columns, with the
    totals recomputed and the printed totals beside them."""
    s = loaded(scenario, params_dir).scenario
    block = s.costs[block_name]
    assert isinstance(block, TableBlock)
    years = sorted({fy for ln in [*block.lines.values(), *block.funding_sources.values()] for fy in ln.by_fy}
                   | set(block.published_totals.gross_by_fy if block.published_totals else {}), key=parse_fy)
    rows = []

    def add(label: str, cells: dict[str, float], published_total: float | None, kind: str) -> None:
        row = {"row": label, "kind": kind}
        row.update({fy: cells.get(fy, 0.0) for fy in years})
        row["total"] = float(sum(cells.values()))
        row["published_total"] = published_total if published_total is not None else np.nan
        rows.append(row)

    for ln in block.lines.values():
        add(ln.label, ln.by_fy, ln.published_total, "line")
    gross = {fy: sum(ln.by_fy.get(fy, 0.0) for ln in block.lines.values()) for fy in years}
    pt = block.published_totals
    add("Gross requirement (computed)", gross, pt.gross_total if pt else None, "total")
    if block.funding_sources:
        for ln in block.funding_sources.values():
            add(ln.label, ln.by_fy, ln.published_total, "funding")
        funding = {fy: sum(ln.by_fy.get(fy, 0.0) for ln in block.funding_sources.values()) for fy in years}
        add("Total identified funding sources (computed)", funding, pt.funding_total if pt else None, "total")
        add("Shortfall after funding sources (computed)", {fy: gross[fy] + funding[fy] for fy in years},
            pt.shortfall_total if pt else None, "total")
    return pd.DataFrame(rows)


def published_column_totals(block_name: str, scenario: str = "fbc3",
                            params_dir: str | Path | None = None) -> pd.DataFrame:
    """The printed column totals beside the computed ones (a missing printed cell stays blank)."""
    s = loaded(scenario, params_dir).scenario
    block = s.costs[block_name]
    pt = block.published_totals
    table = request_table(block_name, scenario, params_dir)
    gross = table[table.row == "Gross requirement (computed)"].iloc[0]
    years = [c for c in table.columns if c.startswith("FY")]
    rows = [{"fy": fy, "computed_gbp_m": gross[fy],
             "printed_gbp_m": pt.gross_by_fy.get(fy, np.nan) if pt else np.nan,
             "difference_gbp_m": (round(gross[fy] - pt.gross_by_fy[fy], 9) + 0.0  # no "-0.000"
                                  if pt and fy in pt.gross_by_fy else np.nan)}
            for fy in years]
    return pd.DataFrame(rows)


def affordability(scenario: str = "fbc3", params_dir: str | Path | None = None) -> pd.DataFrame:
    """Cash by year: capital, revenue, funding sources already identified, and what is left to fund."""
    r = result(scenario, params_dir)
    frame = pd.DataFrame(r["cashflows"])[["fy", "capital_gbp_m", "revenue_gbp_m", "funding_gbp_m"]].copy()
    frame["total_cost_gbp_m"] = frame.capital_gbp_m + frame.revenue_gbp_m
    frame["to_be_funded_gbp_m"] = frame.total_cost_gbp_m + frame.funding_gbp_m
    frame["cumulative_to_be_funded_gbp_m"] = frame.to_be_funded_gbp_m.cumsum()
    return frame


# --- contracts ----------------------------------------------------------------------------------------

def contract_history(scenario: str = "fbc3", params_dir: str | Path | None = None) -> pd.DataFrame:
    """Every contract's value history, with the uplift arithmetic and a regulation 72 flag.

    PCR 2015 regulation 72(1)(b) and (c) allow a modification only if the price increase does not
    exceed 50% of the original contract's value; 72(1)(a) allows modifications of any value that clear,
    precise review clauses provided for. The flag marks cumulative uplifts above 50% of the original
    value where the documents cite 72(1)(b) or (c), or cite no regulation at all.
    """
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
                     "flag": ""})
        value, cumulative = original, 0.0
        for mkey, m in mods:
            new = m.new_value_gbp_m.value if m.new_value_gbp_m else None
            prev = m.previous_value_gbp_m.value if m.previous_value_gbp_m else value
            uplift = m.uplift_gbp_m.value if m.uplift_gbp_m else (new - prev if new is not None else None)
            cumulative += uplift or 0.0
            pct = 100.0 * cumulative / original if original else np.nan
            regulation = m.regulation.value if m.regulation else "not stated"
            if regulation.startswith("72(1)(a)"):
                flag = "review clause basis (72(1)(a): any value)"
            elif pct > 50 and regulation in ("72(1)(b)", "72(1)(c)"):
                flag = "FLAG: over 50% cumulative under 72(1)(b)/(c)"
            elif pct > 50:
                flag = "FLAG: over 50% cumulative; basis not published"
            else:
                flag = ""
            rows.append({"contract": key, "label": c.label, "supplier": c.supplier, "event": mkey,
                         "decision": m.decision, "uplift_gbp_m": uplift, "value_gbp_m": new,
                         "uplift_pct_of_original": 100.0 * uplift / original if original and uplift else np.nan,
                         "cumulative_uplift_gbp_m": cumulative, "cumulative_pct_of_original": pct,
                         "regulation": regulation, "term_years": np.nan, "flag": flag})
            value = new
    return pd.DataFrame(rows)


# --- milestones ---------------------------------------------------------------------------------------

def milestones(params_dir: str | Path | None = None) -> pd.DataFrame:
    rows = []
    for name in VERSIONS:
        s = loaded(name, params_dir).scenario
        for key, q in s.milestones.items():
            rows.append({"version": name.upper(), "milestone": key, "label": q.label or key,
                         "date": parse_date(q.value).isoformat(),
                         "provenance": q.source or f"assumption: {q.why}"})
    return pd.DataFrame(rows)


def drop_delays(params_dir: str | Path | None = None) -> pd.DataFrame:
    """Drop 1 and Drop 2 go-live in each version, and the slip from FBC1's plan in months."""
    ms = milestones(params_dir)
    out = []
    for drop in ("drop1_go_live", "drop2_go_live"):
        sub = ms[ms.milestone == drop].set_index("version")
        base = parse_date(sub.loc["FBC1", "date"])
        for version, row in sub.iterrows():
            d = parse_date(row["date"])
            out.append({"drop": drop, "version": version, "date": row["date"],
                        "months_after_fbc1_plan": (d.year - base.year) * 12 + d.month - base.month})
    return pd.DataFrame(out)


# --- NPV bridge -------------------------------------------------------------------------------------

FACTOR_LABELS = {
    "scope": "FBC3 scope", "training": "FBC3 training", "training_overtime": "FBC3 training overtime",
    "delay": "FBC3 Drop 2 delay", "post_go_live_support": "FBC3 support", "change_fund": "FBC3 change fund",
    "other": "FBC3 other items", "baseline": "baseline",
}


def _npv(s: Scenario) -> float:
    return appraise(inputs_from_scenario(s)).npv_gbp_m


def npv_bridge(start: str = "fbc1", end: str = "fbc3", params_dir: str | Path | None = None) -> pd.DataFrame:
    """Attribute the change in NPV from one version to another, one driver at a time.

    Order: the delay to benefits (the later go-live dates), each additional cost (FBC2's addition,
    then FBC3's requests factor by factor), then the benefit re-baselining (the realisation factor).
    Each bar is the NPV after the step less the NPV before it, so the bars add up to the difference
    exactly; any change the steps do not cover is shown as a last bar, "other changes".
    """
    a, b = loaded(start, params_dir).scenario, loaded(end, params_dir).scenario
    current = copy.deepcopy(a)
    steps = [("start", f"{start.upper()} NPV", _npv(current))]

    def step(label: str) -> None:
        steps.append(("step", label, _npv(current)))

    for key in ("drop1_go_live", "drop2_go_live"):
        current.milestones[key] = copy.deepcopy(b.milestones[key])
    step("Delay to benefits")
    new_blocks = [k for k in b.costs if k not in a.costs]
    for key in new_blocks:
        block = b.costs[key]
        if isinstance(block, TableBlock):
            continue
        current.costs[key] = copy.deepcopy(block)
        step(f"{key.split('_')[0].upper()} addition")
    factors = []
    for key in new_blocks:
        block = b.costs[key]
        if isinstance(block, TableBlock):
            for ln in block.lines.values():
                if ln.factor not in factors:
                    factors.append(ln.factor)
    for factor in factors:
        for key in new_blocks:
            block = b.costs[key]
            if not isinstance(block, TableBlock):
                continue
            chosen = {k: ln for k, ln in block.lines.items() if ln.factor == factor}
            if not chosen:
                continue
            if key not in current.costs:
                current.costs[key] = block.model_copy(update={"lines": {}}, deep=True)
            current.costs[key].lines.update(copy.deepcopy(chosen))
        step(f"{FACTOR_LABELS.get(factor, factor)} costs")
    current.benefits = copy.deepcopy(b.benefits)
    step("Benefit re-baselining")
    end_npv = _npv(b)
    if abs(end_npv - steps[-1][2]) > 1e-9:
        steps.append(("step", "Other changes", end_npv))
    rows, previous = [], steps[0][2]
    rows.append({"step": steps[0][1], "kind": "total", "delta_gbp_m": previous, "start_gbp_m": 0.0,
                 "end_gbp_m": previous})
    for kind, label, value in steps[1:]:
        rows.append({"step": label, "kind": "change", "delta_gbp_m": value - previous,
                     "start_gbp_m": previous, "end_gbp_m": value})
        previous = value
    rows.append({"step": f"{end.upper()} NPV", "kind": "total", "delta_gbp_m": end_npv, "start_gbp_m": 0.0,
                 "end_gbp_m": end_npv})
    return pd.DataFrame(rows)


# --- appendices ---------------------------------------------------------------------------------------

def assumptions_register(params_dir: str | Path | None = None) -> pd.DataFrame:
    """Every parameter of every scenario: its value where first defined, its provenance, whether it
    was calibrated, and which scenarios override it."""
    pdir = resolve_params_dir(params_dir)
    first: dict[str, dict] = {}
    overridden: dict[str, list[str]] = {}
    for name in scenario_names(pdir):
        ld = loaded(name, pdir)
        for row in register(ld).to_dict(orient="records"):
            key = row["parameter"]
            file = row["defined_in"].split(":")[0]
            if key not in first:
                first[key] = {**row, "scenario": Path(file).stem}
            elif file != first[key]["defined_in"].split(":")[0] and file == f"{name}.yaml":
                overridden.setdefault(key, []).append(name)
            if row["kind"] == "calibrated" and first[key]["kind"] != "calibrated":
                first[key].update(kind="calibrated", calibrated_to=row["calibrated_to"], value=row["value"])
    rows = []
    for key, row in first.items():
        rows.append({"parameter": key, "label": row["label"], "value": row["value"], "unit": row["unit"],
                     "kind": row["kind"], "provenance": row["provenance"],
                     "calibrated_to": row["calibrated_to"], "defined_in": row["defined_in"],
                     "overridden_by": ", ".join(overridden.get(key, []))})
    return pd.DataFrame(rows)


def reconciliation(params_dir: str | Path | None = None) -> pd.DataFrame:
    checks = reconcile_all(resolve_params_dir(params_dir))
    frame = pd.DataFrame([c.as_dict() for c in checks])
    frame["sources"] = frame["sources"].map(lambda s: " | ".join(s))
    return frame[["status", "id", "description", "published", "computed", "difference", "explanation",
                  "sources", "scenario"]]


def cashflows(name: str, params_dir: str | Path | None = None) -> pd.DataFrame:
    return pd.DataFrame(result(name, params_dir)["cashflows"])


def all_tables(params_dir: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """Every table the book shows, by download name (CSV file stem and XLSX sheet name)."""
    pdir = resolve_params_dir(params_dir)
    tables = {"versions": version_summary(pdir),
              "options": options(pdir),
              "scenario_comparison": scenario_comparison(pdir),
              "table1_capital": request_table("fbc3_capital_request", "fbc3", pdir),
              "table2_revenue": request_table("fbc3_revenue_request", "fbc3", pdir),
              "table1_column_totals": published_column_totals("fbc3_capital_request", "fbc3", pdir),
              "table2_column_totals": published_column_totals("fbc3_revenue_request", "fbc3", pdir),
              "affordability": affordability("fbc3", pdir),
              "contracts": contract_history("fbc3", pdir),
              "milestones": milestones(pdir),
              "npv_bridge": npv_bridge("fbc1", "fbc3", pdir),
              "register": assumptions_register(pdir),
              "reconciliation": reconciliation(pdir)}
    for name in scenario_names(pdir):
        tables[f"cashflows_{name}"] = cashflows(name, pdir)
    return tables

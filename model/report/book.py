"""Tables and figures for the business-case chapters, built from the params and the model only."""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..core import deps
from ..core.appraisal import appraise, inputs_from_scenario
from ..core.fy import fy_label, fy_range, parse_date, parse_fy
from ..core.params import scenario_names
from ..core.paths import resolve_params_dir
from ..analysis.reconcile import reconcile_all
from ..analysis.register import register
from ..core.results import green_book_loaded, results
from ..core.scenario import Loaded, load_scenario
from ..core.schema import Scenario, TableBlock
from .scenario_diff import VERSION_METADATA

REGISTER_PAGE = "appendix_register.html"


@lru_cache(maxsize=512)
def _load(name: str, params_dir: str) -> Loaded:
    return deps.load(name, params_dir)  # calibrated once per build, read from its cache


def loaded(name: str, params_dir: str | Path | None = None) -> Loaded:
    """A scenario, loaded once per params directory. In a copy of the params that nudges one
    assumption (model.analysis.dependence), a scenario whose chain does not read the nudged file is the
    original's."""
    from ..core.deps import nudged_file

    pdir = str(resolve_params_dir(params_dir))
    nudged = nudged_file(pdir)
    if nudged is not None:
        base, stem = nudged
        if stem not in _load(name, base).chain:
            return _load(name, base)
    ld = _load(name, pdir)
    deps.touch(ld.files)  # a cached load still reads its files, for whoever is collecting reads
    return ld


def result(name: str, params_dir: str | Path | None = None) -> dict:
    pdir = str(resolve_params_dir(params_dir))
    return deps.results_for(_load(name, pdir), pdir)


def green_book_appraisal(name: str, params_dir: str | Path | None = None):
    """The Green Book appraisal at the decision point of one scenario, as the model's Appraisal object."""
    return green_book_loaded(loaded(name, params_dir))


def anchor(parameter: str) -> str:
    """The id of a parameter's row in the assumptions register."""
    return "p-" + parameter.replace(".", "-").replace("/", "-").replace("_", "-").lower()


# --- the case's versions -------------------------------------------------------------------------------

def _own(ld: Loaded, key: str):
    """A top-level key as the scenario's own file sets it (None if it only inherits it)."""
    if key not in ld.tree or Path(str(ld.tree.origin(key)[0])).stem != ld.name:
        return None
    return ld.tree[key]


def version_names(params_dir: str | Path | None = None) -> list[str]:
    """The case's versions: its published scenarios (kind: published), in the order of their `extends`
    chain, the first version first (a version extends the one before it)."""
    pdir = resolve_params_dir(params_dir)
    names = _of_kind("published", pdir)
    return sorted(names, key=lambda n: (len(loaded(n, pdir).chain), n))


def _of_kind(kind: str, pdir: Path) -> list[str]:
    """The scenarios of one kind. Looking at every file's `kind` is not recorded as a read of the page
    (else every chapter would depend on every sensitivity file); the scenarios found are."""
    with deps.suspended():
        names = [n for n in scenario_names(pdir) if loaded(n, pdir).scenario.kind == kind]
    for n in names:
        loaded(n, pdir)  # records the files the answer rests on
    return names


def short_label(name: str, params_dir: str | Path | None = None) -> str:
    """A scenario's short label: its own `short`, else its name in capitals."""
    own = _own(loaded(name, params_dir), "short")
    return str(own) if own else name.upper()


def version_labels(params_dir: str | Path | None = None) -> dict[str, str]:
    """Each version's short label, by scenario name, in version order."""
    return {name: short_label(name, params_dir) for name in version_names(params_dir)}


def headline(params_dir: str | Path | None = None) -> str:
    """The version the economic and financial cases appraise: the latest one, unless a version's own
    file sets `headline: true` (the latest of those)."""
    names = version_names(params_dir)
    if not names:
        raise ValueError("the params declare no published version (kind: published)")
    marked = [n for n in names if _own(loaded(n, params_dir), "headline")]
    return (marked or names)[-1]


def option_names(params_dir: str | Path | None = None) -> list[str]:
    """The scenarios appraised as options against the headline version (kind: option), by name."""
    pdir = resolve_params_dir(params_dir)
    return _of_kind("option", pdir)


def first_version(params_dir: str | Path | None = None) -> str:
    return version_names(params_dir)[0]


def go_live_milestones(s: Scenario) -> list[str]:
    """The milestones at which deliveries go live, in date order: the milestones named by the
    benefits' deliveries where the params declare them, else those whose key ends in `_go_live`, else
    every milestone."""
    deliveries = getattr(s.benefits, "deliveries", None) or {}
    named = []
    for d in (deliveries.values() if isinstance(deliveries, dict) else []):
        key = d.get("milestone") if isinstance(d, dict) else getattr(d, "milestone", None)
        key = getattr(key, "value", key)
        if key in s.milestones and key not in named:
            named.append(key)
    keys = named or [k for k in s.milestones if k.endswith("_go_live")] or list(s.milestones)
    return sorted(keys, key=lambda k: (str(s.milestones[k].value), k))


def deliveries(s: Scenario) -> dict[str, str]:
    """Each delivery's go-live milestone, by the delivery's short name (the milestone's key less
    `_go_live`), in date order."""
    return {k.removesuffix("_go_live"): k for k in go_live_milestones(s)}


def contract_prefix(s: Scenario, key: str) -> str:
    """A contract's short name for figure names: the first word of its key where no other contract's
    key starts with the same word, else the whole key."""
    word = key.split("_")[0]
    return word if sum(1 for k in s.contracts if k.split("_")[0] == word) == 1 else key


def final_go_live(s: Scenario) -> str:
    """The last delivery's go-live milestone."""
    return go_live_milestones(s)[-1]


def _scenario(scenario: str | None, params_dir) -> str:
    return headline(params_dir) if scenario is None else scenario


def published_npv_key(name: str, params_dir: str | Path | None = None) -> str | None:
    """The key under `published` of the NPV a version's own paper published: `npv_<name>_gbp_m`, else
    the published figure its own file calibrates its NPV to (a calibration with metric npv_gbp_m),
    else None (a calibration it inherits is the earlier version's)."""
    ld = loaded(name, params_dir)
    if f"npv_{name}_gbp_m" in ld.scenario.published:
        return f"npv_{name}_gbp_m"
    for c in ld.calibrated:  # the version's own calibration, not one it inherits
        key = c["target"].removeprefix("published.")
        if c["scenario"] == name and c["metric"] == "npv_gbp_m" and c["target"].startswith("published.") \
                and key in ld.scenario.published:
            return key
    return None


def published_npv(name: str, params_dir: str | Path | None = None):
    """The NPV a version's own paper published (see :func:`published_npv_key`), or None."""
    key = published_npv_key(name, params_dir)
    return None if key is None else loaded(name, params_dir).scenario.published[key]


def request_blocks(scenario: str | None = None, params_dir: str | Path | None = None) -> list[str]:
    """The request tables a scenario adds to its versions' costs (the cost tables, `type: table`, that
    the version before it does not have), in params order: its Table 1, Table 2, ..."""
    name = _scenario(scenario, params_dir)
    ld = loaded(name, params_dir)
    before = [v for v in version_names(params_dir) if v in ld.chain and v != name]
    inherited = set(loaded(before[-1], params_dir).scenario.costs) if before else set()
    return [k for k, b in ld.scenario.costs.items() if isinstance(b, TableBlock) and k not in inherited]


def printed_request_blocks(scenario: str | None = None, params_dir: str | Path | None = None) -> list[str]:
    """The scenario's request tables whose printed totals the params declare (`published_totals`)."""
    s = loaded(_scenario(scenario, params_dir), params_dir).scenario
    return [b for b in request_blocks(scenario, params_dir) if s.costs[b].published_totals is not None]


def request_label(block_name: str, scenario: str | None = None, params_dir: str | Path | None = None) -> str:
    """'Capital (Table 1)': the block's kind and its place among the scenario's request tables."""
    name = _scenario(scenario, params_dir)
    block = loaded(name, params_dir).scenario.costs[block_name]
    return f"{block.kind.capitalize()} (Table {request_blocks(name, params_dir).index(block_name) + 1})"


def stated_total(block_name: str, scenario: str | None = None, params_dir: str | Path | None = None):
    """The narrative figure the paper states for a whole request table (factors: [all]), or None."""
    s = loaded(_scenario(scenario, params_dir), params_dir).scenario
    return next(((k, n) for k, n in s.narrative_costs.items() if n.table == block_name and n.factors == ["all"]),
                None)


# --- versions side by side --------------------------------------------------------------------------

def version_summary(params_dir: str | Path | None = None) -> pd.DataFrame:
    rows = []
    for name, short in version_labels(params_dir).items():
        ld, r = loaded(name, params_dir), result(name, params_dir)
        s = ld.scenario
        pub = published_npv(name, params_dir)
        rows.append({
            "version": short, "title": ld.title,
            "decision": s.decision.value if s.decision else "",
            "approved": str(s.milestones["fbc_approved"].value) if "fbc_approved" in s.milestones else "",
            final_go_live(s): str(s.milestones[final_go_live(s)].value),
            "capital_gbp_m": r["capital_gbp_m"], "revenue_gbp_m": r["revenue_gbp_m"],
            "tco_gbp_m": r["tco_gbp_m"], "npv_gbp_m": r["npv_gbp_m"],
            "npv_published_gbp_m": pub.value if pub is not None else np.nan,
            "pv_costs_gbp_m": r["pv_costs_gbp_m"], "pv_benefits_gbp_m": r["pv_benefits_gbp_m"],
            "bcr": r["bcr"],
        })
    return pd.DataFrame(rows)


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
    for name in scenario_names(pdir):
        ld = loaded(name, pdir)
        if ld.scenario.kind == "published":
            continue
        rows.append(row(name, ld.title, ld.scenario.kind, results(ld)))
    return pd.DataFrame(rows)


def appraisal_vs_financial_costs(scenario: str | None = None, params_dir: str | Path | None = None) -> pd.DataFrame:
    """From the full financial cost to the costs in the Green Book appraisal, step by step (the small
    table green-book.md asks the financial case for): sunk costs out, general inflation out (real
    prices), optimism bias in, then discounting. Each `total` row is the running sum of the rows above."""
    scenario = _scenario(scenario, params_dir)
    r = result(scenario, params_dir)
    g = r["green_book"]
    a = r["appraisal"]
    future = green_book_loaded(loaded(scenario, params_dir))
    nominal = float((future.capital_gbp_m + future.revenue_gbp_m).sum())
    ob_real = float(future.optimism_bias_gbp_m.sum())
    real_before_ob = float((future.capital_real_gbp_m + future.revenue_real_gbp_m).sum())
    undiscounted = float(future.costs_real_gbp_m.sum())
    base_fy = fy_label(a["base_year"])
    period = a["period"]
    ob = f"{a['optimism_bias_capital']:.0%} on capital, {a['optimism_bias_operating']:.0%} on revenue"
    rows = [
        ("Full financial cost: capital and revenue, nominal cash, gross of reserves", "total", r["tco_gbp_m"],
         f"{period}; the paper's total cost of ownership"),
        (f"Less sunk costs: spend before {g['decision_fy']}", "change", -g["sunk_costs_gbp_m"],
         f"before the decision year; excluded from the appraisal"),
        (f"Future costs, {g['decision_fy']} on, nominal cash", "total", nominal, "what the decision can still change"),
        (f"Less general inflation: to {base_fy} prices at the GDP deflator", "change", real_before_ob - nominal,
         f"{a['gdp_deflator']:.1%} a year (real, not nominal)"),
        (f"Plus optimism bias ({ob})", "change", ob_real, "future costs only"),
        (f"Appraisal costs, {base_fy} prices, undiscounted", "total", undiscounted, "real"),
        ("Less discounting", "change", g["pv_costs_gbp_m"] - undiscounted, a["discounting"]),
        ("Present value of costs in the Green Book appraisal", "total", g["pv_costs_gbp_m"],
         "as in the economic case"),
    ]
    return pd.DataFrame([{"step": step, "kind": kind, "amount_gbp_m": amount, "basis": basis}
                         for step, kind, amount, basis in rows])


def funding_request(scenario: str | None = None, params_dir: str | Path | None = None) -> pd.DataFrame:
    """What the paper asks for: capital (Table 1) and revenue (Table 2), gross, the reserves that fund
    part of it, and net, as printed; beside them the same totals added up from the tables' cells and
    the figures the recommendations state (the narrative costs of a whole table, factors: [all]).
    A request table whose printed totals the params do not declare (no `published_totals`) is left
    out; an empty frame when none has them (see :func:`printed_request_blocks`)."""
    scenario = _scenario(scenario, params_dir)
    s = loaded(scenario, params_dir).scenario
    rows = []
    for block_name in printed_request_blocks(scenario, params_dir):
        block = s.costs[block_name]
        part = request_label(block_name, scenario, params_dir)
        stated = stated_total(block_name, scenario, params_dir)
        pt = block.published_totals
        table = request_table(block_name, scenario, params_dir).set_index("row")
        funding_printed = pt.funding_total if pt.funding_total is not None else 0.0
        net_printed = pt.shortfall_total if pt.shortfall_total is not None else pt.gross_total
        computed_gross = float(table.loc["Gross requirement (computed)", "total"])
        computed_net = (float(table.loc["Shortfall after funding sources (computed)", "total"])
                        if block.funding_sources else computed_gross)
        rows.append({"request": part, "gross_gbp_m": pt.gross_total, "reserves_gbp_m": funding_printed,
                     "net_gbp_m": net_printed, "gross_from_cells_gbp_m": computed_gross,
                     "net_from_cells_gbp_m": computed_net,
                     "stated_in_recommendations_gbp_m": stated[1].value if stated else np.nan})
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    total = {"request": "Total request"}
    total.update({c: float(frame[c].sum()) for c in frame.columns if c != "request"})
    return pd.concat([frame, pd.DataFrame([total])], ignore_index=True)


# --- Tables 1 and 2 rebuilt ---------------------------------------------------------------------------

def request_table(block_name: str, scenario: str | None = None, params_dir: str | Path | None = None) -> pd.DataFrame:
    """A published request table rebuilt from its lines, in true financial-year columns, with the
    totals recomputed and the printed totals beside them."""
    scenario = _scenario(scenario, params_dir)
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


def published_column_totals(block_name: str, scenario: str | None = None,
                            params_dir: str | Path | None = None) -> pd.DataFrame:
    """The printed column totals beside the computed ones (a missing printed cell stays blank)."""
    scenario = _scenario(scenario, params_dir)
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


def affordability(scenario: str | None = None, params_dir: str | Path | None = None) -> pd.DataFrame:
    """Cash by year over the whole period: capital, revenue, the funding sources already identified, and
    the cash net of them. Not the request: it includes the spend of the earlier versions, approved by
    earlier decisions (see :func:`funding_request` for what this version asks for)."""
    scenario = _scenario(scenario, params_dir)
    r = result(scenario, params_dir)
    frame = pd.DataFrame(r["cashflows"])[["fy", "capital_gbp_m", "revenue_gbp_m", "funding_gbp_m"]].copy()
    frame["total_cost_gbp_m"] = frame.capital_gbp_m + frame.revenue_gbp_m
    frame["net_of_reserves_gbp_m"] = frame.total_cost_gbp_m + frame.funding_gbp_m
    frame["cumulative_net_of_reserves_gbp_m"] = frame.net_of_reserves_gbp_m.cumsum()
    return frame


# --- contracts ----------------------------------------------------------------------------------------

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


# --- milestones ---------------------------------------------------------------------------------------

def milestones(params_dir: str | Path | None = None) -> pd.DataFrame:
    rows = []
    for name, short in version_labels(params_dir).items():
        s = loaded(name, params_dir).scenario
        for key, q in s.milestones.items():
            rows.append({"version": short, "milestone": key, "label": q.label or key,
                         "date": str(q.value),
                         "provenance": q.source or f"assumption: {q.why}"})
    return pd.DataFrame(rows)


#: Milestones the timeline shows beside the go-lives, by key, with their name in the legend (each
#: version's own label says which version; the legend needs one name for all).
TIMELINE_BEFORE = {"fbc_approved": "Business case approved", "contract_effective": "Contract effective"}
TIMELINE_AFTER = {"training_start": "Classroom training starts", "business_as_usual": "Business as usual"}


def timeline(params_dir: str | Path | None = None) -> tuple[pd.DataFrame, list[str], list[str], list[str]]:
    """What the milestone timeline draws: the milestones (with an `event` column, its legend name: a
    go-live by its own label, see :func:`go_live_label`), the versions' short labels in order, the
    legend's events in order (approval and contract, the go-lives in date order, then training and
    business as usual) and the go-live milestones' keys."""
    ms = milestones(params_dir)
    main = loaded(headline(params_dir), params_dir).scenario
    go_live = go_live_milestones(main)
    names = {**TIMELINE_BEFORE, **{k: go_live_label(main, k) for k in go_live}, **TIMELINE_AFTER}
    ms["event"] = ms.milestone.map(names)
    present = set(ms.milestone)
    events = [name for key, name in names.items() if key in present]
    return ms, list(version_labels(params_dir).values()), events, go_live


def go_live_label(s: Scenario, key: str) -> str:
    """A go-live milestone's label without its detail in brackets: 'Release 2 go-live'."""
    q = s.milestones[key]
    return (q.label or key).split(" (")[0].strip()


def delivery_name(s: Scenario, key: str) -> str:
    """The delivery a go-live milestone belongs to, from its label: 'Release 2 go-live (...)' -> 'Release 2'."""
    label = go_live_label(s, key)
    for suffix in (" go-live", " go live"):
        if label.lower().endswith(suffix):
            return label[: -len(suffix)]
    return label


def drop_delays(params_dir: str | Path | None = None) -> pd.DataFrame:
    """Each delivery's go-live in each version, and the slip from the first version's plan in months."""
    ms = milestones(params_dir)
    first_short = short_label(first_version(params_dir), params_dir)
    out = []
    for drop in go_live_milestones(loaded(headline(params_dir), params_dir).scenario):
        sub = ms[ms.milestone == drop].set_index("version")
        if first_short not in sub.index:
            continue
        base = parse_date(sub.loc[first_short, "date"])
        for version, row in sub.iterrows():
            d = parse_date(row["date"])
            out.append({"drop": drop, "version": version, "date": row["date"],
                        "months_after_first_plan": (d.year - base.year) * 12 + d.month - base.month})
    return pd.DataFrame(out)


# --- NPV bridge -------------------------------------------------------------------------------------

#: Words for the cost factors of a request table's lines, after the version's short label; a factor not
#: listed is shown by its key. "delay" is the delay to the last delivery, named by its milestone.
FACTOR_LABELS = {
    "scope": "scope", "training": "training", "training_overtime": "training overtime",
    "post_go_live_support": "support", "change_fund": "change fund", "other": "other items",
}


def factor_label(factor: str, end: str, params_dir: str | Path | None = None) -> str:
    """'V3 scope': a cost factor of a version's request, after the version's short label."""
    if factor == "baseline":
        return "baseline"
    s = loaded(end, params_dir).scenario
    words = (f"{delivery_name(s, final_go_live(s))} delay" if factor == "delay"
             else FACTOR_LABELS.get(factor, factor.replace("_", " ")))
    return f"{short_label(end, params_dir)} {words}"


def _npv(s: Scenario) -> float:
    return appraise(inputs_from_scenario(s)).npv_gbp_m


def npv_bridge(start: str | None = None, end: str | None = None,
               params_dir: str | Path | None = None) -> pd.DataFrame:
    """Attribute the change in NPV from one version to another, one driver at a time.

    By default from the first version to the headline one. Order: the delay to benefits (the later
    go-live dates and decision point), each additional cost (a cost block the later version adds, then
    its request tables factor by factor), then the benefit re-baselining (the realisation factor).
    Each bar is the NPV after the step less the NPV before it, so the bars add up to the difference
    exactly; any change the steps do not cover is shown as a last bar, "other changes".
    """
    start = first_version(params_dir) if start is None else start
    end = headline(params_dir) if end is None else end
    a, b = loaded(start, params_dir).scenario, loaded(end, params_dir).scenario
    current = copy.deepcopy(a)
    steps = [("start", f"{short_label(start, params_dir)} NPV", _npv(current))]

    def step(label: str) -> None:
        steps.append(("step", label, _npv(current)))

    for key in go_live_milestones(b):
        current.milestones[key] = copy.deepcopy(b.milestones[key])
    # the later decision point is part of the timing: it moves the works still to do, which a
    # works-duration optimism bias stretches (cashflows.duration_bias_delay_months)
    current.appraisal.decision_fy = copy.deepcopy(b.appraisal.decision_fy)
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
        step(f"{factor_label(factor, end, params_dir)} costs")
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
    rows.append({"step": f"{short_label(end, params_dir)} NPV", "kind": "total", "delta_gbp_m": end_npv, "start_gbp_m": 0.0,
                 "end_gbp_m": end_npv})
    return pd.DataFrame(rows)


# --- appendices ---------------------------------------------------------------------------------------

def assumptions_register(params_dir: str | Path | None = None) -> pd.DataFrame:
    """Every entry of every params file: each parameter where it is first defined (its value, its
    provenance, whether it was calibrated, which scenarios override it), then one row for each value a
    scenario overrides, with that scenario; uncertainty ranges, caps and calibrations included."""
    pdir = resolve_params_dir(params_dir)
    first: dict[str, dict] = {}
    overrides: dict[tuple[str, str], dict] = {}
    # roots first, so that a parameter's first row is where its chain defines it, not a child's change
    for name in sorted(scenario_names(pdir), key=lambda n: (len(loaded(n, pdir).chain), n)):
        ld = loaded(name, pdir)
        for row in register(ld).to_dict(orient="records"):
            key = row["parameter"]
            if key in VERSION_METADATA:
                continue
            file = row["defined_in"].split(":")[0]
            if key not in first:
                first[key] = {**row, "scenario": Path(file).stem}
            elif file != first[key]["defined_in"].split(":")[0] and file == f"{name}.yaml":
                overrides[(key, name)] = {**row, "scenario": name}
    rows = []
    for key, row in first.items():
        by = [name for (k, name) in overrides if k == key]
        rows.append({"parameter": key, "anchor": register_anchor(key), "label": row["label"],
                     "value": row["value"], "unit": row["unit"], "kind": row["kind"],
                     "provenance": row["provenance"], "calibrated_to": row["calibrated_to"],
                     "defined_in": row["defined_in"], "scenario": row["scenario"],
                     "overridden_by": ", ".join(by), "overrides": ""})
        for name in by:
            o = overrides[(key, name)]
            rows.append({"parameter": key, "anchor": register_anchor(key, name), "label": o["label"],
                         "value": o["value"], "unit": o["unit"], "kind": o["kind"],
                         "provenance": o["provenance"], "calibrated_to": o["calibrated_to"],
                         "defined_in": o["defined_in"], "scenario": name, "overridden_by": "",
                         "overrides": f"set by {name} (first defined in {row['scenario']})"})
    return pd.DataFrame(rows)


def register_anchor(key: str, scenario: str | None = None) -> str:
    """The id of a register row: a parameter where first defined, or a scenario's override of it."""
    return anchor(key) + ("" if scenario is None else "--" + scenario.replace("_", "-"))


def reconciliation(params_dir: str | Path | None = None) -> pd.DataFrame:
    checks = reconcile_all(resolve_params_dir(params_dir), loaded)
    frame = pd.DataFrame([c.as_dict() for c in checks])
    frame["sources"] = frame["sources"].map(lambda s: " | ".join(s))
    return frame[["status", "id", "description", "published", "computed", "difference", "explanation",
                  "sources", "scenario", "class", "severity", "model_uses", "unresolved"]]


def findings_table(params_dir: str | Path | None = None) -> pd.DataFrame:
    """Every finding (a check that found something, classified), grouped by severity (those that
    change the model's numbers first) and then by class, with its sources and the model's reading."""
    from ..analysis.reconcile import findings
    from ..core.schema import FINDING_CLASSES, SEVERITIES

    rows = [{"severity": SEVERITIES[c.severity], "class": FINDING_CLASSES[c.finding_class], "id": c.id,
             "finding": c.description, "sources": " | ".join(c.sources), "model_uses": c.model_uses,
             "unresolved": "unresolved" if c.unresolved else "", "status": c.status}
            for c in findings(reconcile_all(resolve_params_dir(params_dir)))]
    return pd.DataFrame(rows, columns=["severity", "class", "finding", "model_uses", "unresolved",
                                       "sources", "id", "status"])


def findings_counts(params_dir: str | Path | None = None) -> pd.DataFrame:
    """How many findings of each class at each severity (rows: severity, most severe first)."""
    from ..core.schema import FINDING_CLASSES, SEVERITIES

    table = findings_table(params_dir)
    counts = pd.crosstab(table["severity"], table["class"]).reindex(
        index=list(SEVERITIES.values()), columns=list(FINDING_CLASSES.values()), fill_value=0)
    counts["all classes"] = counts.sum(axis=1)
    counts.loc["all severities"] = counts.sum(axis=0)
    counts.columns.name = None
    return counts.reset_index().rename(columns={"index": "severity"})


def cashflows(name: str, params_dir: str | Path | None = None) -> pd.DataFrame:
    return pd.DataFrame(result(name, params_dir)["cashflows"])


#: The tables the book shows and offers for download whatever the case, by download name (CSV stem,
#: XLSX sheet name); :func:`table_builders` adds the headline version's request tables.
TABLES = {
    "versions": version_summary,
    "options": options,
    "scenario_comparison": scenario_comparison,
    "affordability": lambda p: affordability(None, p),
    "funding_request": lambda p: funding_request(None, p),
    "appraisal_vs_financial_costs": lambda p: appraisal_vs_financial_costs(None, p),
    "contracts": lambda p: contract_history(None, p),
    "milestones": milestones,
    "npv_bridge": lambda p: npv_bridge(None, None, p),
    "register": assumptions_register,
    "findings": findings_table,
    "reconciliation": reconciliation,
}


def request_downloads(params_dir: str | Path | None = None) -> dict[str, tuple[str, str]]:
    """The headline version's request tables by download name: 'table1_capital' and
    'table1_column_totals' for its Table 1, and so on; each (block name, what: table or column_totals)."""
    pdir = resolve_params_dir(params_dir)
    main = headline(pdir)
    blocks = request_blocks(main, pdir)
    printed = printed_request_blocks(main, pdir)
    s = loaded(main, pdir).scenario
    out = {f"table{n}_{s.costs[b].kind}": (b, "table") for n, b in enumerate(blocks, start=1)}
    out.update({f"table{n}_column_totals": (b, "column_totals") for n, b in enumerate(blocks, start=1)
                if b in printed})
    return out


def declared_tables(params_dir: str | Path | None = None) -> set[str]:
    """The names in TABLES whose params the case declares. A table that needs a block the case does
    not have is left out of the book and the downloads: the funding request (request tables with
    printed totals), the contracts (contracts) and the NPV bridge (two versions or more)."""
    pdir = resolve_params_dir(params_dir)
    main = headline(pdir)
    missing = set()
    if not printed_request_blocks(main, pdir):
        missing.add("funding_request")
    if not loaded(main, pdir).scenario.contracts:
        missing.add("contracts")
    if len(version_names(pdir)) < 2:
        missing.add("npv_bridge")
    return set(TABLES) - missing


def table_builders(params_dir: str | Path | None = None) -> dict:
    """Every table the book shows and offers for download, by download name, each a function of the
    params directory, in the workbook's order; only those whose params the case declares."""
    declared = declared_tables(params_dir)
    builders = {k: v for k, v in list(TABLES.items())[:3] if k in declared}
    for download, (block, what) in request_downloads(params_dir).items():
        make = request_table if what == "table" else published_column_totals
        builders[download] = (lambda m, b: lambda p: m(b, None, p))(make, block)
    builders.update((k, v) for k, v in list(TABLES.items())[3:] if k in declared)
    return builders


def all_tables(params_dir: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """Every table the book shows, by download name (CSV file stem and XLSX sheet name)."""
    pdir = resolve_params_dir(params_dir)
    tables = {name: build(pdir) for name, build in table_builders(pdir).items()}
    for name in scenario_names(pdir):
        tables[f"cashflows_{name}"] = cashflows(name, pdir)
    return tables

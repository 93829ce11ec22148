"""The catalogue of the book's tables: which tables the book shows and offers for download (CSV and the
XLSX workbook), by download name, each as a function of the params directory; only those whose params
the case declares, with the headline version's request tables and each scenario's cash flows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..core.params import scenario_names
from ..core.paths import resolve_params_dir
from .case_versions import headline, printed_request_blocks, request_blocks, version_names
from .commercial_tables import contract_history
from .comparison_tables import npv_bridge, version_summary
from .economic_tables import opportunity_costs, options, risk_register, scenario_comparison
from .financial_tables import (affordability, appraisal_vs_financial_costs, funding_request, published_column_totals,
                               request_table)
from .management_tables import milestones
from .reconciliation_tables import findings_table, reconciliation
from .register_table import assumptions_register
from .scenario_loading import loaded, result


def cashflows(name: str, params_dir: str | Path | None = None) -> pd.DataFrame:
    """One scenario's cash flows, a row per financial year (the `cashflows` of its results)."""
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
    "risk_register": risk_register,
    "opportunity_costs": opportunity_costs,
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
    printed totals), the contracts (contracts), the risk register (risks), the opportunity costs
    (opportunity_costs) and the NPV bridge (two versions or more)."""
    pdir = resolve_params_dir(params_dir)
    main = headline(pdir)
    missing = set()
    if not printed_request_blocks(main, pdir):
        missing.add("funding_request")
    s = loaded(main, pdir).scenario
    if not s.contracts:
        missing.add("contracts")
    if not s.risks:
        missing.add("risk_register")
    if not s.opportunity_costs:
        missing.add("opportunity_costs")
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

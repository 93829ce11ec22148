"""Tables and figures for the business-case chapters, built from the params and the model only.

The chapters import this module (``from model.report import book``); it gathers, under their old names,
what the modules below define, one job each: scenario_loading (each scenario loaded once, its results),
case_versions (the versions, the headline, the options, deliveries and request tables), economic_tables,
financial_tables, commercial_tables (contracts and regulation 72), management_tables (milestones),
comparison_tables (the versions side by side, the NPV bridge), register_table, reconciliation_tables and
table_catalogue (the tables the book shows and offers for download).
"""

from __future__ import annotations

from ..core.results import results  # noqa: F401  (tests call book.results)
from .case_versions import (_of_kind, _own, _scenario, contract_prefix, deliveries, final_go_live,  # noqa: F401
                            first_version, go_live_milestones, headline, option_names, printed_request_blocks,
                            published_npv, published_npv_key, request_blocks, request_label, short_label,
                            stated_total, version_labels, version_names)
from .commercial_tables import (REG72_LIMIT_PCT, contract_history, reg72_check, reg72_observation,  # noqa: F401
                                within_reg72_limit)
from .comparison_tables import BRIDGE_SECTIONS, _npv, factor_label, npv_bridge, version_summary  # noqa: F401
from .economic_tables import opportunity_costs, options, risk_register, scenario_comparison  # noqa: F401
from .financial_tables import (affordability, appraisal_vs_financial_costs, funding_request,  # noqa: F401
                               published_column_totals, request_table)
from .management_tables import (TIMELINE_AFTER, TIMELINE_BEFORE, delivery_name, drop_delays,  # noqa: F401
                                go_live_label, milestones, timeline)
from .reconciliation_tables import findings_counts, findings_table, reconciliation  # noqa: F401
from .register_table import REGISTER_PAGE, anchor, assumptions_register, register_anchor  # noqa: F401
from .scenario_loading import _load, green_book_appraisal, loaded, result  # noqa: F401
from .table_catalogue import (TABLES, all_tables, cashflows, declared_tables, request_downloads,  # noqa: F401
                              table_builders)

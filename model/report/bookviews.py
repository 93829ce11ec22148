"""What the chapter pages call: glued figures that link to their source, tables with downloads,
and the book's charts. No logic of its own beyond formatting; the numbers come from model.report.book.

The chapters import this module (``from model.report import bookviews as bv``); it gathers, under their old
names, what the modules below define, one job each: glued_figures (formatting, recording, showing and
gluing a figure), glue_tracking (the `tracked` wrapper: which assumptions each figure rests on; an
author's page uses it as `bv.tracked` on its own glue function),
page_setup, page_tables, the glue of each chapter (summary_glue, economic_glue, uncertainty_glue,
financial_glue, commercial_glue, management_glue, comparison_glue, reconciliation_glue), register_page
and source_citations (citations and the coverage appendix).
"""

from __future__ import annotations

from .charts import OKABE_ITO  # noqa: F401  (as before the split: importing bv imports the charts)
from .commercial_glue import glue_commercial  # noqa: F401
from .comparison_glue import glue_comparison  # noqa: F401
from .economic_glue import glue_appraisal_costs, glue_economic  # noqa: F401
from .financial_glue import glue_financial  # noqa: F401
from .glue_tracking import _DEPS, _RECORD, tracked  # noqa: F401
from .glued_figures import (FIGURE_MIME, FIGURES, _REG_CACHE, Linked, _charts, _fmt_day, _fmt_month,  # noqa: F401
                            _register_rows, assumption_anchor, assumption_marker, figure_record, figure_records,
                            glue, glue_chart, glue_count, glue_date, glue_dependence_count, glue_money, glue_number,
                            glue_param, money)
from .htmltable import heading  # noqa: F401  (chapters and charts call bv.heading)
from .management_glue import glue_management  # noqa: F401
from .page_setup import _PARAMS_DIR, setup  # noqa: F401
from .page_tables import (DOWNLOADS, cell_dependence, column_dependence, figure_cells, is_figure,  # noqa: F401
                          table, table_builder, table_labels)
from .reconciliation_glue import glue_checks, glue_reconciliation_scope, reconciliation_scope  # noqa: F401
from .register_page import UNITS, _humanise, register_html, unit_text  # noqa: F401
from .source_citations import (COVERAGE_PAGE, _INDEXES, Cited, _source_index, _used_by_html, cite,  # noqa: F401
                               cite_all, coverage_html, glue_coverage)
from .summary_glue import _glue_version_changes, glue_summary  # noqa: F401
from .uncertainty_glue import (MC_DRAWS, MC_SEED, SWITCHING_COLUMNS, TORNADO_COLUMNS,  # noqa: F401
                               _glue_no_uncertainty, _glue_what_if, believe_table, declares_uncertainty,
                               glue_uncertainty, headline_unknowns, switching_table, tornado_table)

"""Tables on a chapter page: a table shown whole, with the params' labels for their keys, a marker on
each column that rests on assumptions and its CSV download underneath; and which function builds each
downloadable table."""

from __future__ import annotations

import functools

import pandas as pd
from IPython.display import HTML, Markdown, display

from . import book, htmltable
from ..analysis import dependence
from .glued_figures import assumption_marker
from .page_setup import _PARAMS_DIR
from .uncertainty_glue import switching_table, tornado_table


DOWNLOADS = "_static/downloads"


def table_labels(params_dir=None) -> dict[str, str]:
    """The params' own labels for their keys, over every scenario (for table cells)."""
    from ..core.params import scenario_names
    from ..core.paths import resolve_params_dir

    from ..core import deps

    pdir = resolve_params_dir(params_dir)
    # not a read of the page: a table shows keys of the files its figures read, whose labels are theirs
    with deps.suspended():
        # the first label found wins: the headline version's own words, then the other versions from the
        # latest, then the options and sensitivities (whose labels describe their own overrides)
        versions = book.version_names(pdir)
        head = book.headline(pdir) if versions else None
        order = [n for n in [head, *reversed(versions)] if n] + \
                [n for n in scenario_names(pdir) if n not in versions]
        labels = htmltable.labels_from_trees(book.loaded(n, pdir).tree for n in dict.fromkeys(order))
        # a scenario's name in a cell reads as its own short label where its file gives one
        from .case_versions import _own
        for n in scenario_names(pdir):
            short = _own(book.loaded(n, pdir), "short")
            if short:
                labels.setdefault(n, str(short))
        return labels


def table_builder(download: str, params_dir=None):
    """The function that builds a downloadable table from a params directory, by its download name."""
    if download in ("tornado", "switching_values"):
        return tornado_table if download == "tornado" else switching_table
    if download.startswith("cashflows_"):
        return functools.partial(book.cashflows, download.removeprefix("cashflows_"))
    return book.table_builders(params_dir).get(download)


def column_dependence(download: str, columns, params_dir=None) -> dict[str, list]:
    """For each column of a downloadable table, the assumptions that move any of its cells."""
    build = table_builder(download, params_dir)
    if build is None:
        return {}

    def compute(pdir):
        frame = build(pdir)
        return {c: tuple(frame[c].tolist()) for c in columns if c in frame.columns}

    return dependence.dependence(compute, params_dir, name=f"table {download} {list(columns)!r}")


def table(frame: pd.DataFrame, download: str | None = None, places: int = 3, index: bool = False,
          params_dir=None, places_by_column: dict | None = None):
    """Show a table whole, with labels for params keys, a marker on each column that rests on
    assumptions, and its CSV download underneath."""
    pdir = params_dir or _PARAMS_DIR["value"]
    columns = list(frame.reset_index().columns if index else frame.columns)
    deps = column_dependence(download, columns, pdir) if download else {}
    markers = {c: assumption_marker(a) for c, a in deps.items() if a}
    display(HTML(htmltable.frame_html(htmltable.cited_frame(frame, pdir), places, table_labels(pdir), markers, index,
                                      places_by_column)))
    if download:
        display(Markdown(f"Download this table: [{download}.csv]({DOWNLOADS}/{download}.csv) "
                         f"(all tables: [XLSX workbook]({DOWNLOADS}/casebook-tables.xlsx))"))

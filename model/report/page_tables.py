"""Tables on a chapter page: a table shown whole, with the params' labels for their keys, a marker on
each number that rests on assumptions and its CSV download underneath; and which function builds each
downloadable table."""

from __future__ import annotations

import functools

import pandas as pd
from IPython.display import HTML, Markdown, display

from . import book, htmltable
from ..analysis import dependence
from .glued_figures import assumption_marker
from .page_setup import _PARAMS_DIR
from .uncertainty_glue import believe_table, switching_table, tornado_table


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
        from ..analysis.reconcile_declared import filled_labels

        names = list(dict.fromkeys(order))
        filled: dict[str, str] = {}
        for n in names:  # a declared check's label, filled from the first scenario that makes it
            for key, text in filled_labels(book.loaded(n, pdir).scenario).items():
                filled.setdefault(key, text)
        labels = htmltable.labels_from_trees((book.loaded(n, pdir).tree for n in names), filled)
        # a scenario's name in a cell reads as its own short label where its file gives one, else as
        # its title (never as its file's name)
        from .case_versions import reader_label
        for n in scenario_names(pdir):
            labels.setdefault(n, reader_label(n, pdir))
        return labels


#: The uncertainty analysis's tables, by their download names (a case without uncertain inputs has none).
UNCERTAINTY_TABLES = {"tornado": tornado_table, "switching_values": switching_table,
                      "need_to_believe": believe_table}


def table_builder(download: str, params_dir=None):
    """The function that builds a downloadable table from a params directory, by its download name."""
    if download in UNCERTAINTY_TABLES:
        return UNCERTAINTY_TABLES[download]
    if download.startswith("cashflows_"):
        return functools.partial(book.cashflows, download.removeprefix("cashflows_"))
    return book.table_builders(params_dir).get(download)


def is_figure(value) -> bool:
    """Whether a table cell holds a number a marker can sit on (a text, a date, a yes/no never does)."""
    if hasattr(value, "item"):
        value = value.item()
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def figure_cells(frame: pd.DataFrame, columns=None) -> dict[tuple[str, int], object]:
    """Every number of a table, keyed by (column, row position): what the dependence of its cells is
    worked out on. Text cells are left out, so no text (a name, a status, a label) is ever marked."""
    wanted = list(frame.columns) if columns is None else [c for c in columns if c in frame.columns]
    out = {}
    for c in wanted:
        for i, v in enumerate(frame[c].tolist()):
            if is_figure(v):
                out[(c, i)] = v
    return out


def cell_dependence(download: str, columns, params_dir=None) -> dict[tuple[str, int], list]:
    """For each number in a downloadable table, by (column, row position), the assumptions that move it."""
    build = table_builder(download, params_dir)
    if build is None:
        return {}

    def compute(pdir):
        return figure_cells(build(pdir), columns)

    return dependence.dependence(compute, params_dir, name=f"cells {download} {list(columns)!r}")


def column_dependence(download: str, columns, params_dir=None) -> dict[str, list]:
    """For each column of a downloadable table, the assumptions that move any of its cells (a column
    without a number rests on none)."""
    out: dict[str, list] = {c: [] for c in columns}
    for (c, _), found in cell_dependence(download, columns, params_dir).items():
        out[c] = list(dict.fromkeys(out[c] + list(found)))
    build = table_builder(download, params_dir)
    if build is None:
        return {}
    present = set(build(params_dir).columns)
    return {c: v for c, v in out.items() if c in present}


#: the columns a page does not show, though the table's download keeps them
READER_HIDDEN = ("id",)


def table(frame: pd.DataFrame, download: str | None = None, places: int = 3, index: bool = False,
          params_dir=None, places_by_column: dict | None = None):
    """Show a table whole, with labels for params keys, a marker on each number that rests on
    assumptions (never on a heading or a text), and its CSV download (no markers) underneath."""
    pdir = params_dir or _PARAMS_DIR["value"]
    columns = list(frame.reset_index().columns if index else frame.columns)
    deps = cell_dependence(download, columns, pdir) if download else {}
    markers = {cell: assumption_marker(a) for cell, a in deps.items() if a}
    # a check's or finding's id is the model's name for it: the page describes it by its text (the
    # download keeps the id)
    shown = frame.drop(columns=[c for c in READER_HIDDEN if c in frame.columns])
    display(HTML(htmltable.frame_html(htmltable.cited_frame(shown, pdir), places, table_labels(pdir), index=index,
                                      places_by_column=places_by_column, cell_markers=markers)))
    if download:
        display(Markdown(f"Download this table: [{download}.csv]({DOWNLOADS}/{download}.csv) "
                         f"(all tables: [XLSX workbook]({DOWNLOADS}/casebook-tables.xlsx))"))

"""What the chapter pages call: glued figures that link to their source, tables with downloads,
and the book's charts. No logic of its own beyond formatting; the numbers come from model.book."""

from __future__ import annotations

import html
import math

import pandas as pd
from IPython.display import HTML, Markdown, display

from . import book
from .charts import OKABE_ITO

DOWNLOADS = "_static/downloads"


def money(value: float, places: int = 1) -> str:
    """£214.7m, -£144.6m (the sign before the pound sign)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    sign = "-" if value < 0 else ""
    return f"{sign}£{abs(value):,.{places}f}m"


class Linked:
    """A figure shown as text that links to its parameter in the assumptions register."""

    def __init__(self, text: str, parameter: str | None = None, title: str | None = None) -> None:
        self.text, self.parameter, self.title = text, parameter, title

    def _repr_html_(self) -> str:
        if not self.parameter:
            return f'<span class="glued">{html.escape(self.text)}</span>'
        tip = html.escape(self.title or self.parameter)
        return (f'<a class="glued reg-link" href="{book.REGISTER_PAGE}#{book.anchor(self.parameter)}" '
                f'title="{tip}">{html.escape(self.text)}</a>')

    def __repr__(self) -> str:
        return self.text


def glue(key: str, text: str, parameter: str | None = None, title: str | None = None) -> None:
    """Glue a piece of prose text; with a parameter, it links to the register."""
    from myst_nb import glue as nb_glue

    nb_glue(key, Linked(text, parameter, title), display=False)


def glue_money(key: str, value: float, parameter: str | None = None, places: int = 1,
               title: str | None = None) -> None:
    glue(key, money(value, places), parameter, title)


def glue_number(key: str, value: float, parameter: str | None = None, fmt: str = ",.0f",
                title: str | None = None) -> None:
    glue(key, format(value, fmt), parameter, title)


def glue_param(key: str, scenario: str, parameter: str, fmt: str | None = None,
               params_dir=None) -> None:
    """Glue a parameter's own value, linked to its register entry."""
    from .scenario import quantity_at

    q = quantity_at(book.loaded(scenario, params_dir).scenario, parameter)
    value = q.value
    if fmt == "money":
        text = money(value, 3 if abs(value) < 100 and round(value, 1) != value else 1)
    elif fmt:
        text = format(value, fmt)
    else:
        text = str(value)
    glue(key, text, parameter, q.source or q.why)


def table(frame: pd.DataFrame, download: str | None = None, places: int = 3, index: bool = False):
    """Show a table, formatted, with its CSV download underneath."""
    numeric = frame.select_dtypes("number").columns
    styled = frame.style.format({c: f"{{:,.{places}f}}" for c in numeric}, na_rep="")
    if not index:
        styled = styled.hide(axis="index")
    display(styled)
    if download:
        display(Markdown(f"Download this table: [{download}.csv]({DOWNLOADS}/{download}.csv) "
                         f"(all tables: [XLSX workbook]({DOWNLOADS}/casebook-tables.xlsx))"))

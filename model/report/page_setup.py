"""A chapter page's set-up, once at its top: the params directory its tables are checked against (kept
here for the page's tables and markers), the offline chart renderer and pandas' display options."""

from __future__ import annotations

import pandas as pd


_PARAMS_DIR: dict = {"value": None}


def setup(params_dir=None) -> None:
    """Once at the top of a chapter: the params directory its tables are checked against, the
    offline chart renderer, and pandas set never to cut a table or a cell short."""
    from .charts import use_offline_html_renderer

    _PARAMS_DIR["value"] = params_dir
    use_offline_html_renderer()
    pd.set_option("display.max_colwidth", None)
    pd.set_option("display.max_rows", None)
    pd.set_option("display.max_columns", None)

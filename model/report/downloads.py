"""The book's downloads: every table as CSV, and one XLSX workbook with a sheet per table.

Both are written byte-for-byte the same from the same inputs: CSV with full-precision floats, and the
workbook with fixed document dates and fixed ZIP entry times.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from pathlib import Path

import pandas as pd

from .book import all_tables

WORKBOOK = "casebook-tables.xlsx"
FIXED_TIME = dt.datetime(2000, 1, 1)
ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n", float_format=None)


def workbook_bytes(tables: dict[str, pd.DataFrame]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, frame in tables.items():
        ws = wb.create_sheet(title=name[:31])
        ws.append([str(c) for c in frame.columns])
        for row in frame.itertuples(index=False):
            ws.append([None if (isinstance(v, float) and v != v) else
                       (v.item() if hasattr(v, "item") else v) for v in row])
        ws.freeze_panes = "A2"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.creator = "casebook"
    raw = io.BytesIO()
    wb.save(raw)
    return _normalise_zip(raw.getvalue())


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a ZIP with fixed entry times and order, so that equal content gives equal bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                                 rb"\g<1>2000-01-01T00:00:00Z\g<2>", content)
            dst.writestr(fixed, content)
    return out.getvalue()


def write_downloads(dest: Path, params_dir: str | Path | None = None) -> list[Path]:
    """Write every table as CSV and the workbook into dest; returns the files written."""
    dest.mkdir(parents=True, exist_ok=True)
    tables = all_tables(params_dir)
    from .bookviews import declares_uncertainty
    from .page_tables import UNCERTAINTY_TABLES

    if declares_uncertainty(params_dir):  # a case without uncertain inputs has none of these tables
        for name, build in UNCERTAINTY_TABLES.items():
            tables[name] = build(params_dir)
    written = []
    for name, frame in tables.items():
        path = dest / f"{name}.csv"
        write_csv(frame, path)
        written.append(path)
    book = dest / WORKBOOK
    tmp = book.with_name(f".{book.name}.{os.getpid()}")
    tmp.write_bytes(workbook_bytes(tables))
    os.replace(tmp, book)
    written.append(book)
    return written

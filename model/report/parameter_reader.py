"""A scenario page's parameters as a reader sees them: each parameter by its label (a link to its entry
in the assumptions register, which keeps its key, file and line), its value and unit, its kind, and its
source cited by the document's short name, or the reason for the assumption."""

from __future__ import annotations

import html

from . import book
from .register_page import unit_text

_ANCHORS: dict[str, set] = {}


def _register_anchors(params_dir) -> set:
    key = str(params_dir or "")
    if key not in _ANCHORS:
        _ANCHORS[key] = set(book.assumptions_register(params_dir).anchor)
    return _ANCHORS[key]


def register_href(key: str, defined_in: str, params_dir, prefix: str = "../") -> str:
    """The register entry of a parameter as the file `defined_in` ('v3.yaml:12') sets it: that file's
    own row (an override), else the row where it is first defined."""
    stem = defined_in.split(":")[0].removesuffix(".yaml")
    own = book.register_anchor(key, stem)
    anchor = own if own in _register_anchors(params_dir) else book.register_anchor(key)
    return f"{prefix}{book.REGISTER_PAGE}#{anchor}"


#: the calibration targets' metric keys in words
METRICS = {"npv_gbp_m": "the NPV", "bcr": "the BCR", "tco_gbp_m": "the TCO", "pv_costs_gbp_m": "the PV of costs",
           "pv_benefits_gbp_m": "the PV of benefits"}


def _calibrated_to(text: str) -> str:
    """'npv_gbp_m = 214.7 (source)' -> 'the NPV = £214.7m (source)'."""
    metric, sep, rest = text.partition(" = ")
    if not sep:
        return text
    money = metric.endswith("_gbp_m")
    if money:
        number, _, after = rest.partition(" ")
        try:
            value = float(number)
            sign = "\u2212" if value < 0 else ""
            rest = f"{sign}£{abs(value):g}m" + (f" {after}" if after else "")
        except ValueError:
            pass
    return f"{METRICS.get(metric, metric.replace('_gbp_m', '').replace('_', ' '))} = {rest}"


def parameters_html(run, calibrations: bool = False) -> str:
    """Every parameter the scenario uses (the calibration entries are in the calibration table above),
    as a table: label linked to the register, value, unit, kind, source or reason, calibrated to."""
    from ..analysis.register import register
    from ..core.sources import cited
    from .scenario_diff import reader_value
    from .scenario_diff import VERSION_METADATA

    reg = register(run.loaded)
    reg = reg[~reg.parameter.isin(VERSION_METADATA)]
    if not calibrations:
        reg = reg[reg.kind != "calibration"]
    head = "".join(f'<th scope="col">{h}</th>' for h in
                   ("Parameter", "Value", "Unit", "Kind", "Source or reason", "Calibrated to"))
    rows = []
    for r in reg.itertuples(index=False):
        label = r.label or r.parameter.rsplit(".", 1)[-1].replace("_", " ")
        href = register_href(r.parameter, r.defined_in, run.params_dir)
        value = reader_value(str(r.value), r.unit)
        unit = "" if r.unit in ("fraction", "text") else unit_text(r.unit)
        cells = [f'<th scope="row"><a href="{html.escape(href)}">{html.escape(str(label))}</a></th>',
                 f"<td>{html.escape(value)}</td>", f"<td>{html.escape(unit)}</td>",
                 f"<td>{html.escape(r.kind)}</td>",
                 f"<td>{html.escape(cited(r.provenance, run.params_dir))}</td>",
                 f"<td>{html.escape(_calibrated_to(cited(r.calibrated_to, run.params_dir)))}</td>"]
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (f'<div class="casebook-table-wrap"><table class="casebook-table"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')

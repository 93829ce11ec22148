"""A scenario page's parameters as a reader sees them: each parameter by its label (a link to its entry
in the assumptions register, which keeps its key, file and line), its value and unit, its kind, and its
source cited by the document's short name, or the reason for the assumption."""

from __future__ import annotations

import html
import re

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


def reader_key(key: str, labels) -> str:
    """A key with no label of its own, in words: its parent's label and its last part
    ('Month the outline case was approved', 'Phase 1 go-live: share'), or its last part alone."""
    parent, _, last = key.rpartition(".")
    words = re.sub(r"_(gbp_m|pct|fraction)$", "", last).replace("_", " ")
    if parent in labels:
        return f"{labels[parent]}: {words}"
    return labels.get(last) or words.capitalize()  # a finding about a fact: the fact's label


_KEY = re.compile(r"(?<![\w.])[a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)*(?![\w.])")


def reader_values(text: str, labels) -> str:
    """A register value as a reader reads it: a params key in it ('0.5 to 1.5 (on
    benefits.level_multiplier)', 'costs.x.total_gbp_m against published.y') by its label."""
    def word(m: re.Match) -> str:
        key = m.group(0)
        if "_" not in key and "." not in key:
            return key  # a word
        words = labels.get(key) or (reader_key(key, labels) if "_" in key and "." in key else key)
        if words != key and m.start() > 0 and words[:2].istitle():  # mid-sentence: 'of share of ...'
            words = words[0].lower() + words[1:]
        return words
    return _KEY.sub(word, text)


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
    from .htmltable import labels_from_trees

    labels = labels_from_trees([run.loaded.tree])
    rows = []
    for r in reg.itertuples(index=False):
        label = r.label or labels.get(r.parameter) or reader_key(r.parameter, labels)
        href = register_href(r.parameter, r.defined_in, run.params_dir)
        value = reader_values(reader_value(str(r.value), r.unit), labels)
        unit = "" if r.unit in ("fraction", "text") else unit_text(r.unit)
        cells = [f'<th scope="row"><a href="{html.escape(href)}">{html.escape(str(label))}</a></th>',
                 f"<td>{html.escape(value)}</td>", f"<td>{html.escape(unit)}</td>",
                 f"<td>{html.escape(r.kind)}</td>",
                 f"<td>{html.escape(cited(r.provenance, run.params_dir))}</td>",
                 f"<td>{html.escape(_calibrated_to(cited(r.calibrated_to, run.params_dir)))}</td>"]
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (f'<div class="casebook-table-wrap"><table class="casebook-table"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')

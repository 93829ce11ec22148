"""The assumptions register appendix as HTML: one row per parameter where it is first defined and per
scenario's override of it, each row carrying the id that glued figures link to."""

from __future__ import annotations

import html

from IPython.display import HTML

from . import book


def register_html(params_dir=None) -> HTML:
    """The assumptions register as an HTML table whose rows carry the ids that figures link to: each
    parameter where it is first defined, then each scenario's override of it."""
    from ..core.sources import cited

    reg = book.assumptions_register(params_dir)
    titles = {n: book.loaded(n, params_dir).title for n in set(reg.scenario)}

    def scenario_link(name: str) -> str:
        return f'<a href="scenarios/{name}.html">{html.escape(titles.get(name, name))}</a>'

    head = ("<tr><th>Parameter</th><th>Value</th><th>Unit</th><th>Kind</th><th>Source or reason</th>"
            "<th>Calibrated to</th><th>Defined in</th><th>Overridden by</th></tr>")
    body = []
    for r in reg.to_dict(orient="records"):
        over = (f"this value is set by {scenario_link(r['scenario'])}" if r["overrides"]
                else ", ".join(scenario_link(n) for n in r["overridden_by"].split(", ") if n))
        label = f'<br><span class="reg-label">{html.escape(r["label"])}</span>' if r["label"] else ""
        body.append(
            f'<tr id="{r["anchor"]}"><td><code>{html.escape(r["parameter"])}</code>{label}</td>'
            f'<td>{html.escape(str(r["value"]))}</td><td>{html.escape(unit_text(r["unit"]))}</td>'
            f'<td>{html.escape(r["kind"])}</td><td>{html.escape(cited(r["provenance"], params_dir))}</td>'
            f'<td>{html.escape(cited(r["calibrated_to"], params_dir))}</td><td>{html.escape(r["defined_in"])}</td>'
            f'<td>{over}</td></tr>')
    return HTML(f'<div class="register-wrap"><table class="register">{head}{"".join(body)}</table></div>')


def _humanise(key: str) -> str:
    """A params key without a label, in words: 'contract_cap' -> 'Contract cap'."""
    return key.rsplit(".", 1)[-1].replace("_", " ").capitalize()


UNITS = {"gbp_m": "£m", "gbp": "£", "fy_start": "financial year", "pct": "%"}


def unit_text(unit: str) -> str:
    """A unit as a reader writes it (the params' unit names are keys: gbp_m, fy_start)."""
    return UNITS.get(unit, unit)

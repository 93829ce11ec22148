"""Glued figures: how a figure in a chapter's prose is formatted (money, numbers, counts, dates,
parameters), recorded (its record in the notebook and in figures.json), shown (a link to its source
and a marker when it rests on labelled assumptions) and glued (MyST-NB glue), and how a chart is
glued. Every figure glued in the process is kept in FIGURES, here."""

from __future__ import annotations

import html
import json
import math

from . import book, rest_lists
from .glue_tracking import _DEPS, _RECORD
from .page_setup import _PARAMS_DIR


def money(value: float, places: int = 1) -> str:
    """£214.7m, −£144.6m (a true minus sign, before the pound sign)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    sign = "\u2212" if round(value, places) < 0 else ""
    return f"{sign}£{abs(value):,.{places}f}m"


#: Every figure glued in this process, by key: its record (see figure_record).
FIGURES: dict[str, dict] = {}
FIGURE_MIME = "application/vnd.casebook.figure+json"


def assumption_anchor(a) -> str:
    """The register row an assumption is stated in: its first definition, or a scenario's override."""
    reg = _register_rows()
    own = book.register_anchor(a.key, a.scenario)
    return own if own in reg else book.register_anchor(a.key)


_REG_CACHE: dict[str, set] = {}


def _register_rows() -> set:
    from ..core import deps

    pdir = str(_PARAMS_DIR["value"] or "")
    if pdir not in _REG_CACHE:
        # not a read of the page: a marker names only assumptions of files the page's figures read
        # (model.analysis.dependence), and whether such a row exists depends on that file alone
        with deps.suspended():
            _REG_CACHE[pdir] = set(book.assumptions_register(_PARAMS_DIR["value"]).anchor)
    return _REG_CACHE[pdir]


def figure_record(key: str, text: str, value=None, parameter: str | None = None, href: str | None = None,
                  assumptions=()) -> dict:
    """One glued figure as data: its name, text and value, what it rests on, and where each assumption
    is stated. kind: 'assumption' if any labelled assumption moves it, 'published' if it is a published
    parameter's own value, else 'derived' (computed from published figures only, or calibrated back to
    a published figure)."""
    kind = "assumption" if assumptions else "published" if parameter else "derived"
    return {"name": key, "text": text, "value": value if isinstance(value, (int, float, str)) else None,
            "kind": kind, "parameter": parameter, "href": href,
            "assumptions": [{"id": a.id, "scenario": a.scenario, "parameter": a.key, "label": a.label,
                             "register": f"{book.REGISTER_PAGE}#{assumption_anchor(a)}"} for a in assumptions]}


def figure_records(notebook) -> dict[str, dict]:
    """The record of every figure an executed notebook glued (see figure_record), by glue name: what
    a site-wide list of figures (figures.json) merges with each figure's name, value and page."""
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    out = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get("scrapbook") or {}
            record = output.get("data", {}).get(meta.get("mime_prefix", "") + FIGURE_MIME)
            if record is not None:
                out[meta["name"]] = dict(record)
    return out


def assumption_marker(assumptions, prefix: str = "") -> str:
    """A small marker after a figure that rests on assumptions: its text alternative says how many
    ("rests on 3 assumptions", not colour alone), and it links to a list of exactly them at the end of
    its page, each a link to its row in the register (written once the page is built:
    model.report.rest_lists)."""
    if not assumptions:
        return ""
    items = list(dict.fromkeys((f"{prefix}{book.REGISTER_PAGE}#{assumption_anchor(a)}", a.label)
                               for a in assumptions))
    alt = rest_lists.count_text(len(items))
    data = html.escape(json.dumps([list(i) for i in items], ensure_ascii=False))
    return (f'<a class="casebook-assumption" href="#{rest_lists.rest_id(items)}" title="{alt}" data-rests="{data}">'
            f'<span aria-hidden="true">\u2020</span><span class="visually-hidden">({alt})</span></a>')


class Linked:
    """A figure shown as text that links to where it comes from: a parameter's entry in the
    assumptions register, or (for a computed figure) the page that computes it; followed by a marker
    when it rests on labelled assumptions."""

    def __init__(self, text: str, parameter: str | None = None, title: str | None = None,
                 href: str | None = None, assumptions=(), record: dict | None = None) -> None:
        self.text, self.parameter, self.title, self.href = text, parameter, title, href
        self.assumptions, self.record = list(assumptions), record

    def _link_html(self) -> str:
        # a figure keeps to one line; a glued phrase or sentence wraps like the prose around it
        cls = "glued prose" if len(self.text) > 40 and " " in self.text else "glued"
        if self.parameter:
            href = f"{book.REGISTER_PAGE}#{book.anchor(self.parameter)}"
            tip = self.title or "a parameter: see its entry in the assumptions register"
        elif self.href:
            href, tip = self.href, self.title or "computed by the model: see this page"
        else:
            return f'<span class="{cls}">{html.escape(self.text)}</span>'
        from ..core.sources import cited

        tip = cited(tip, _PARAMS_DIR["value"])  # a source by its document's short name, not its file
        return (f'<a class="{cls} reg-link" href="{href}" title="{html.escape(tip)}">'
                f'{html.escape(self.text)}</a>')

    def _repr_html_(self) -> str:
        return self._link_html() + assumption_marker(self.assumptions)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        bundle = {"text/html": self._repr_html_(), "text/plain": self.text}
        if self.record is not None:
            bundle[FIGURE_MIME] = self.record
        return bundle

    def __repr__(self) -> str:
        return self.text


def glue(key: str, text: str, parameter: str | None = None, title: str | None = None,
         href: str | None = None, value=None, rests_like: tuple[str, ...] = ()) -> None:
    """Glue a piece of prose text; with a parameter it links to the register, with href to a page.
    While dependence is being worked out (tracked), the figure is only recorded, not glued.

    `rests_like`: figures (glued by the same function) whose assumptions this one rests on as well.
    A summary of a distribution (a probability that stays at 0.0% under every small nudge, say) rests
    on every input of the analysis that made it, as its mean does, whether a nudge moves it or not."""
    recording = _RECORD.get()
    if recording is not None:
        recording[key] = text if value is None else value
        return
    from myst_nb import glue as nb_glue

    found = _DEPS.get() or {}
    deps = list(found.get(key, []))
    for other in rests_like:
        deps += [a for a in found.get(other, []) if a not in deps]
    record = figure_record(key, text, value, parameter, href, deps)
    FIGURES[key] = record
    nb_glue(key, Linked(text, parameter, title, href, deps, record), display=False)


def glue_money(key: str, value: float, parameter: str | None = None, places: int = 1,
               title: str | None = None, href: str | None = None, rests_like: tuple[str, ...] = ()) -> None:
    """Glue an amount in £m as money ('£20.0m', '−£8.2m'), to `places` decimals; see :func:`glue`."""
    glue(key, money(value, places), parameter, title, href, value=float(value), rests_like=rests_like)


def glue_number(key: str, value: float, parameter: str | None = None, fmt: str = ",.0f",
                title: str | None = None, href: str | None = None) -> None:
    """Glue a number in the format `fmt` (',.0f': '1,234'); see :func:`glue`."""
    glue(key, format(value, fmt), parameter, title, href, value=value)


def glue_count(key: str, count: int, noun: str, plural: str | None = None) -> None:
    """Glue a count with its noun, singular or plural as the count needs: '1 check', '127 checks'."""
    glue(key, f"{count:,} {noun if count == 1 else (plural or noun + 's')}", value=count)


def glue_param(key: str, scenario: str, parameter: str, fmt: str | None = None,
               params_dir=None) -> None:
    """Glue a parameter's own value, linked to its register entry."""
    from ..core.scenario import quantity_at

    q = quantity_at(book.loaded(scenario, params_dir).scenario, parameter)
    value = q.value
    if fmt == "money":
        text = money(value, 3 if abs(value) < 100 and round(value, 1) != value else 1)
    elif fmt:
        text = format(value, fmt)
    else:
        text = str(value)
    glue(key, text, parameter, q.source or q.why)


def glue_date(key: str, scenario: str, parameter: str, params_dir=None) -> None:
    """Glue a date parameter as '20 December 2023' (or 'November 2022' for a month), linked to the register."""
    from ..core.scenario import quantity_at

    q = quantity_at(book.loaded(scenario, params_dir).scenario, parameter)
    text = _fmt_day(q.value) if len(str(q.value)) > 7 else _fmt_month(q.value)
    glue(key, text, parameter, q.source or q.why)


def glue_chart(key: str, chart) -> None:
    """Glue an Altair chart so that a numbered `{glue:figure}` directive can place it."""
    if _RECORD.get() is not None:
        return
    from myst_nb import glue as nb_glue

    nb_glue(key, chart, display=False)


class _NoCharts:
    """What `_charts()` gives while a glue function's figures are only being recorded (a nudged run
    of model.analysis.dependence): charts are not figures and `glue_chart` keeps none then, so none
    is drawn."""

    def __getattr__(self, name: str):
        return lambda *args, **kwargs: None


def _charts():
    if _RECORD.get() is not None:
        return _NoCharts()
    from . import charts

    return charts


def _fmt_month(value) -> str:
    from ..core.fy import parse_date

    return parse_date(value).strftime("%B %Y")


def _fmt_day(value) -> str:
    from ..core.fy import parse_date

    d = parse_date(value)
    return f"{d.day} {d.strftime('%B %Y')}"


def glue_dependence_count() -> None:
    """How many of the figures glued so far on this page rest on labelled assumptions (for the
    front page): fig_total and fig_dependent."""
    records = list(FIGURES.values())
    glue_number("fig_total", len(records))
    glue_number("fig_dependent", sum(1 for r in records if r["assumptions"]))

"""What the chapter pages call: glued figures that link to their source, tables with downloads,
and the book's charts. No logic of its own beyond formatting; the numbers come from model.report.book."""

from __future__ import annotations

import contextvars
import functools
import html
import math

import pandas as pd
from IPython.display import HTML, Markdown, display

from . import book, htmltable
from ..analysis import dependence
from .htmltable import heading  # noqa: F401  (chapters and charts call bv.heading)
from .charts import OKABE_ITO

DOWNLOADS = "_static/downloads"


def money(value: float, places: int = 1) -> str:
    """£214.7m, −£144.6m (a true minus sign, before the pound sign)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    sign = "\u2212" if round(value, places) < 0 else ""
    return f"{sign}£{abs(value):,.{places}f}m"


_RECORD: contextvars.ContextVar[dict | None] = contextvars.ContextVar("casebook_record", default=None)
_DEPS: contextvars.ContextVar[dict | None] = contextvars.ContextVar("casebook_deps", default=None)
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
    """A small marker after a figure that rests on assumptions: a link to the first one's row in the
    register, with the full list as its text alternative (not colour alone)."""
    if not assumptions:
        return ""
    names = "; ".join(dict.fromkeys(a.label for a in assumptions))
    alt = f"rests on assumptions: {names}"
    href = f"{prefix}{book.REGISTER_PAGE}#{assumption_anchor(assumptions[0])}"
    return (f'<a class="casebook-assumption" href="{href}" title="{html.escape(alt)}">'
            f'<span aria-hidden="true">\u2020</span><span class="visually-hidden">({html.escape(alt)})</span></a>')


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
            tip = self.title or self.parameter
        elif self.href:
            href, tip = self.href, self.title or "computed by the model: see this page"
        else:
            return f'<span class="{cls}">{html.escape(self.text)}</span>'
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
         href: str | None = None, value=None) -> None:
    """Glue a piece of prose text; with a parameter it links to the register, with href to a page.
    While dependence is being worked out (tracked), the figure is only recorded, not glued."""
    recording = _RECORD.get()
    if recording is not None:
        recording[key] = text if value is None else value
        return
    from myst_nb import glue as nb_glue

    deps = (_DEPS.get() or {}).get(key, [])
    record = figure_record(key, text, value, parameter, href, deps)
    FIGURES[key] = record
    nb_glue(key, Linked(text, parameter, title, href, deps, record), display=False)


def tracked(glue_function):
    """Run a chapter's glue function so that each figure it glues knows the assumptions it rests on:
    the function is run once per nudged assumption with its figures recorded (model.analysis.dependence), then
    once for real with the markers."""
    @functools.wraps(glue_function)
    def run(params_dir=None):
        if _RECORD.get() is not None or _DEPS.get() is not None:
            return glue_function(params_dir)

        def compute(pdir):
            token = _RECORD.set({})
            try:
                glue_function(pdir)
                return _RECORD.get()
            finally:
                _RECORD.reset(token)

        deps = dependence.dependence(compute, params_dir)
        token = _DEPS.set(deps)
        try:
            return glue_function(params_dir)
        finally:
            _DEPS.reset(token)
    return run


def glue_money(key: str, value: float, parameter: str | None = None, places: int = 1,
               title: str | None = None, href: str | None = None) -> None:
    glue(key, money(value, places), parameter, title, href, value=float(value))


def glue_number(key: str, value: float, parameter: str | None = None, fmt: str = ",.0f",
                title: str | None = None, href: str | None = None) -> None:
    glue(key, format(value, fmt), parameter, title, href, value=value)


def glue_count(key: str, count: int, noun: str, plural: str | None = None) -> None:
    """Glue a count with its noun, singular or plural as the count needs: '1 check', '127 checks'."""
    glue(key, f"{count:,} {noun if count == 1 else (plural or noun + 's')}", value=count)


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
        return htmltable.labels_from_trees(book.loaded(n, pdir).tree for n in dict.fromkeys(order))


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

    return dependence.dependence(compute, params_dir)


def table(frame: pd.DataFrame, download: str | None = None, places: int = 3, index: bool = False,
          params_dir=None, places_by_column: dict | None = None):
    """Show a table whole, with labels for params keys, a marker on each column that rests on
    assumptions, and its CSV download underneath."""
    pdir = params_dir or _PARAMS_DIR["value"]
    columns = list(frame.reset_index().columns if index else frame.columns)
    deps = column_dependence(download, columns, pdir) if download else {}
    markers = {c: assumption_marker(a) for c, a in deps.items() if a}
    display(HTML(htmltable.frame_html(frame, places, table_labels(pdir), markers, index,
                                      places_by_column)))
    if download:
        display(Markdown(f"Download this table: [{download}.csv]({DOWNLOADS}/{download}.csv) "
                         f"(all tables: [XLSX workbook]({DOWNLOADS}/casebook-tables.xlsx))"))


# --- set-up and charts ------------------------------------------------------------------------------

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


def glue_chart(key: str, chart) -> None:
    """Glue an Altair chart so that a numbered {glue:figure} can place it."""
    if _RECORD.get() is not None:
        return
    from myst_nb import glue as nb_glue

    nb_glue(key, chart, display=False)


def _fmt_month(value) -> str:
    from ..core.fy import parse_date

    return parse_date(value).strftime("%B %Y")


def _fmt_day(value) -> str:
    from ..core.fy import parse_date

    d = parse_date(value)
    return f"{d.day} {d.strftime('%B %Y')}"


# --- chapter glue: each function glues what one chapter's prose cites --------------------------------

@tracked
def glue_summary(params_dir=None) -> None:
    """Executive summary: each version's decision, TCO and NPV, the published figures that set the
    versions apart (published NPVs, the cost blocks and contract changes each version adds, its
    request), each delivery's go-live in each version, and what moved the NPV."""
    summary = book.version_summary(params_dir)
    labels = book.version_labels(params_dir)
    main = book.headline(params_dir)
    for v, r in zip(labels, summary.to_dict(orient="records")):
        page = f"scenarios/{v}.html"
        glue_money(f"{v}_tco", r["tco_gbp_m"], title=f"{r['version']} TCO: see its scenario page", href=page)
        glue_money(f"{v}_npv", r["npv_gbp_m"], title=f"{r['version']} NPV: see its scenario page", href=page)
        glue_money(f"{v}_pvc", r["pv_costs_gbp_m"], href=page)
        glue_money(f"{v}_pvb", r["pv_benefits_gbp_m"], href=page)
        glue(f"{v}_bcr", f"{r['bcr']:.2f}")
        g = book.result(v, params_dir)["green_book"]
        glue_money(f"{v}_gb_npv", g["npv_gbp_m"], title=f"{r['version']} Green Book NPV from its decision year",
                   href=page)
        glue_money(f"{v}_sunk", g["sunk_costs_gbp_m"], href=page)
        glue(f"{v}_decision_fy", g["decision_fy"], "appraisal.decision_fy")
    _glue_version_changes(labels, params_dir)
    s = book.loaded(main, params_dir).scenario
    for block in book.request_blocks(main, params_dir):
        stated = book.stated_total(block, main, params_dir)
        if stated is not None:
            glue(block, money(stated[1].value, 3), f"narrative_costs.{stated[0]}", stated[1].source)
    glue_param("delays_1_2", main, "delays.delays_1_and_2_months", ",.0f", params_dir)
    glue_param("delay_3", main, "delays.delay_3_months", ",.0f", params_dir)
    # the last delivery's go-live in each later version (`<delivery>_<version>`), and the headline
    # version's go-live of each earlier delivery (`<delivery>_live`)
    *earlier, (last, last_key) = book.deliveries(s).items()
    for v in list(labels)[1:]:
        glue_date(f"{last}_{v}", v, f"milestones.{last_key}", params_dir)
    for delivery, key in earlier:
        glue_date(f"{delivery}_live", main, f"milestones.{key}", params_dir)
    bridge = book.npv_bridge(None, None, params_dir)
    changes = bridge[bridge.kind == "change"]
    delay = changes[changes.step.str.startswith("Delay to benefits")].delta_gbp_m.sum()
    rebase = changes[changes.step == "Benefit re-baselining"].delta_gbp_m.sum()
    costs = changes.delta_gbp_m.sum() - delay - rebase
    glue_money("bridge_delay", delay, href="comparison.html")
    glue_money("bridge_costs", costs, href="comparison.html")
    glue_money("bridge_rebaseline", rebase, href="comparison.html")
    glue_money("bridge_total", changes.delta_gbp_m.sum(), href="comparison.html")
    glue_money("bridge_fall", -changes.delta_gbp_m.sum(), href="comparison.html")
    r3 = book.result(main, params_dir)
    glue("period", r3["appraisal"]["period"], "appraisal.first_fy")
    hist = book.contract_history(main, params_dir)
    glue_number("com_direct_awards", int(((hist.event == "original") & (hist.term_years == 1)).sum()))


def _glue_version_changes(versions, params_dir=None) -> None:
    """What each version published of its own: its NPV (`<version>_npv_published`), each cost block it
    adds to the version before (by the block's key), and, for each contract the versions modify more
    than once, the original value and each modification's uplift and new value (`<contract>_original`,
    `<contract>_<change>_uplift`, `<contract>_<change>_value`, the contract by its short name:
    model.report.book.contract_prefix)."""
    versions = list(versions)
    last = book.loaded(versions[-1], params_dir).scenario
    repeated = {k for k, c in last.contracts.items() if len(c.modifications) > 1}
    previous = None
    for v in versions:
        s = book.loaded(v, params_dir).scenario
        npv_key = book.published_npv_key(v, params_dir)
        if npv_key is not None:
            glue_param(f"{v}_npv_published", v, f"published.{npv_key}", "money", params_dir)
        if previous is not None:
            for key, block in s.costs.items():
                if key not in previous.costs and getattr(block, "total_gbp_m", None) is not None:
                    glue_param(key, v, f"costs.{key}.total_gbp_m", "money", params_dir)
        for key, contract in s.contracts.items():
            if key not in repeated:
                continue
            prefix, before = book.contract_prefix(s, key), previous.contracts.get(key) if previous else None
            new = [m for m in contract.modifications if before is None or m not in before.modifications]
            if not new:
                continue
            where = f"contracts.{key}"
            if contract.original_value_gbp_m is not None and (before is None or not before.modifications):
                glue_param(f"{prefix}_original", v, f"{where}.original_value_gbp_m", "money", params_dir)
            for m in new:
                change = contract.modifications[m]
                for field, name in (("uplift_gbp_m", "uplift"), ("new_value_gbp_m", "value")):
                    if getattr(change, field) is not None:
                        glue_param(f"{prefix}_{m}_{name}", v, f"{where}.modifications.{m}.{field}", "money",
                                   params_dir)
        previous = s


def glue_dependence_count() -> None:
    """How many of the figures glued so far on this page rest on labelled assumptions (for the
    front page): fig_total and fig_dependent."""
    records = list(FIGURES.values())
    glue_number("fig_total", len(records))
    glue_number("fig_dependent", sum(1 for r in records if r["assumptions"]))


def reconciliation_scope(params_dir=None) -> str:
    """What the reconciliation recomputes, from what the case's versions declare: its published cost
    tables (with their funding sources), narrative cost figures, contracts and restated facts, and a
    closing "this case declares no ..." for those it does not have (its calibrations and declared
    checks are checked whatever it declares)."""
    from ..core.schema import TableBlock

    versions = [book.loaded(v, params_dir).scenario for v in book.version_names(params_dir)]
    tables = [b for s in versions for b in s.costs.values()
              if isinstance(b, TableBlock) and b.published_totals is not None]
    parts = {
        "published cost tables": tables and ("each row and column of the published cost tables, their grand "
                                             "totals" + (", their funding sources and shortfalls"
                                                         if any(b.funding_sources for b in tables) else "")),
        "narrative cost figures": any(s.narrative_costs for s in versions)
        and "the narrative figure for each cost factor",
        "contracts": any(s.contracts for s in versions) and "each contract\u2019s uplift arithmetic and percentages",
        "restated facts": any(s.facts for s in versions) and "every fact the documents state more than once",
    }
    present = [text for text in parts.values() if text]
    absent = [name for name, text in parts.items() if not text]
    said = "; ".join(present[:-1]) + ("; and " if len(present) > 1 else "") + (present[-1] if present else "")
    if not absent:
        return said
    missing = ", ".join(absent[:-1]) + (" or " if len(absent) > 1 else "") + absent[-1]
    rest = (f"this case declares no {missing}, so its checks are the published figures its calibrations "
            "reproduce and the checks its params declare")
    return f"{said}; {rest}" if said else rest


def glue_reconciliation_scope(params_dir=None) -> None:
    """`rec_scope`: what the reconciliation recomputes in this case (see :func:`reconciliation_scope`)."""
    glue("rec_scope", reconciliation_scope(params_dir))


@tracked
def glue_checks(params_dir=None) -> None:
    """How many reconciliation checks ran and how many found discrepancies (front page only: it loads
    and reconciles every scenario)."""
    checks = book.reconciliation(params_dir)
    glue_number("checks_run", len(checks))
    glue_number("checks_discrepancies", int((checks.status == "discrepancy").sum()))
    glue_number("checks_findings", int(checks["class"].notna().sum()))


@tracked
def glue_economic(params_dir=None) -> None:
    """The economic case: the headline version (`econ_*_headline`, the figure names the chapters cite)
    against the first option scenario (kind: option; `econ_*_dominimum`), where the params have one."""
    main = book.headline(params_dir)
    r3 = book.result(main, params_dir)
    g3 = r3["green_book"]
    glue_money("econ_npv_headline", g3["npv_gbp_m"])
    glue_money("econ_pvc_headline", g3["pv_costs_gbp_m"])
    glue_money("econ_pvb_headline", g3["pv_benefits_gbp_m"])
    glue("econ_bcr_headline", f"{g3['bcr']:.2f}")
    option = book.option_names(params_dir)
    if option:
        gd = book.result(option[0], params_dir)["green_book"]
        glue_money("econ_npv_dominimum", gd["npv_gbp_m"])
        glue("econ_bcr_dominimum", f"{gd['bcr']:.2f}")
        glue_money("econ_npv_gap", g3["npv_gbp_m"] - gd["npv_gbp_m"])
    glue_money("econ_sunk", g3["sunk_costs_gbp_m"], href="financial.html")
    glue("econ_decision_fy", g3["decision_fy"], "appraisal.decision_fy")
    glue_money("econ_paper_npv", r3["npv_gbp_m"], href=f"scenarios/{main}.html")
    glue_money("econ_paper_pvc", r3["pv_costs_gbp_m"], href=f"scenarios/{main}.html")
    glue_money("econ_paper_pvb", r3["pv_benefits_gbp_m"], href=f"scenarios/{main}.html")
    glue("econ_paper_bcr", f"{r3['bcr']:.2f}")
    s = book.loaded(main, params_dir).scenario
    glue("econ_ob_capital", f"{s.appraisal.optimism_bias_capital.value:.0%}", "appraisal.optimism_bias_capital")
    glue("econ_ob_operating", f"{s.appraisal.optimism_bias_operating.value:.0%}",
         "appraisal.optimism_bias_operating")
    bounds = {spec.parameter: spec for spec in s.uncertainty.values()}
    for key, parameter in (("econ_ob_capital_upper", "appraisal.optimism_bias_capital"),
                           ("econ_ob_operating_upper", "appraisal.optimism_bias_operating")):
        spec = bounds[parameter]
        glue(key, f"{spec.high:.0%}", title=spec.why)
    glue("econ_period", r3["appraisal"]["period"], "appraisal.first_fy")
    glue("econ_deflator", f"{s.appraisal.gdp_deflator.value:.1%}", "appraisal.gdp_deflator")
    peak = max(r3["cashflows"], key=lambda r: r["benefits_real_gbp_m"])
    glue_money("econ_peak_benefit", peak["benefits_real_gbp_m"])
    glue("econ_peak_benefit_fy", peak["fy"])
    glue_chart("fig_costs_benefits", _charts().costs_and_benefits(r3))


@tracked
def glue_financial(params_dir=None) -> None:
    """The financial case: the headline version's two request tables (`fin_t1_*`, `fin_t2_*`), its
    cash by year, its request and the step from financial to appraisal costs."""
    main = book.headline(params_dir)
    blocks = book.request_blocks(main, params_dir)
    t1 = book.request_table(blocks[0], main, params_dir)
    t2 = book.request_table(blocks[1], main, params_dir)
    gross1 = t1[t1.row.str.startswith("Gross")].iloc[0]
    gross2 = t2[t2.row.str.startswith("Gross")].iloc[0]
    fund2 = t2[t2.row.str.startswith("Total identified")].iloc[0]
    short2 = t2[t2.row.str.startswith("Shortfall")].iloc[0]
    glue_money("fin_t1_computed", gross1["total"], places=3)
    glue_money("fin_t1_published", gross1["published_total"], places=3)
    glue_money("fin_t2_computed", gross2["total"], places=3)
    glue_money("fin_t2_published", gross2["published_total"], places=3)
    glue_money("fin_t2_funding", -fund2["total"], places=3)
    glue_money("fin_t2_shortfall", short2["total"], places=3)
    glue_money("fin_t2_shortfall_published", short2["published_total"], places=3)
    aff = book.affordability(main, params_dir)
    peak = aff.loc[aff.net_of_reserves_gbp_m.idxmax()]
    glue("fin_peak_fy", peak["fy"])
    glue_money("fin_peak_amount", peak["net_of_reserves_gbp_m"])
    glue_money("fin_all_period_cash", aff.net_of_reserves_gbp_m.sum())
    glue_chart("fig_affordability", _charts().affordability(aff, book.short_label(main, params_dir)))
    req = book.funding_request(main, params_dir).set_index("request")
    capital, revenue, total = (req.loc[k] for k in (*(book.request_label(b, main, params_dir) for b in blocks[:2]),
                                                   "Total request"))
    stated = [book.stated_total(b, main, params_dir) for b in blocks[:2]]
    glue_money("fin_req_capital", capital["net_gbp_m"], stated[0] and f"narrative_costs.{stated[0][0]}", places=3)
    glue_money("fin_req_revenue_gross", revenue["gross_gbp_m"], places=3)
    glue_money("fin_req_reserves", -revenue["reserves_gbp_m"], places=3)
    glue_money("fin_req_revenue", revenue["net_gbp_m"], stated[1] and f"narrative_costs.{stated[1][0]}", places=3)
    glue_money("fin_req_gross", total["gross_gbp_m"], places=3)
    glue_money("fin_req_net", total["net_gbp_m"], places=3)
    costs = book.appraisal_vs_financial_costs(main, params_dir).amount_gbp_m.tolist()
    glue_money("fin_full_cost", costs[0], href=f"scenarios/{main}.html")
    glue_money("fin_sunk", -costs[1], "appraisal.decision_fy")
    glue_money("fin_future_nominal", costs[2])
    glue_money("fin_appraisal_real", costs[5])
    glue_money("fin_appraisal_pv", costs[7], href="economic.html")
    glue("fin_decision_fy", book.result(main, params_dir)["green_book"]["decision_fy"], "appraisal.decision_fy")


@tracked
def glue_commercial(params_dir=None) -> None:
    """The commercial case: for each contract modified more than once, its cumulative uplift
    (`com_<contract>_cumulative`, `_cumulative_pct`) and each modification's uplift as a share of the
    original (`com_<contract>_<change>_pct`: to three places within a point of the 50% limit, where
    one place could not tell the side); then counts over every modification."""
    main = book.headline(params_dir)
    s = book.loaded(main, params_dir).scenario
    hist = book.contract_history(main, params_dir)
    for key, contract in s.contracts.items():
        if len(contract.modifications) < 2:
            continue
        prefix = book.contract_prefix(s, key)
        rows = hist[hist.contract == key].set_index("event")
        glue_money(f"com_{prefix}_cumulative", rows.cumulative_uplift_gbp_m.max(), places=3)
        glue(f"com_{prefix}_cumulative_pct", f"{rows.cumulative_pct_of_original.max():.1f}%")
        for m in contract.modifications:
            pct = rows.loc[m, "uplift_pct_of_original"]
            places = 3 if abs(pct - book.REG72_LIMIT_PCT) < 1 else 1
            glue(f"com_{prefix}_{m}_pct", f"{pct:.{places}f}%")
    mods = hist[hist.event != "original"]
    glue_number("com_modifications", len(mods))
    glue_number("com_within", int((mods.within_50pct_of_original == True).sum()))  # noqa: E712
    glue_number("com_observations", int((mods.observation != "").sum()))
    direct = hist[(hist.event == "original") & (hist.term_years == 1)]
    glue_money("com_direct_total", direct.value_gbp_m.sum(), places=3)


@tracked
def glue_management(params_dir=None) -> None:
    """The management case, from the headline version: training, the support and change-fund lines
    of its request tables (by their cost factor), and the last delivery's go-live (`man_<delivery>`)
    and slip from the first version's plan (`man_<delivery>_slip_months`)."""
    main = book.headline(params_dir)
    s = book.loaded(main, params_dir).scenario
    requests = {k: s.costs[k] for k in book.request_blocks(main, params_dir)}
    users = s.facts["training_users"]
    days = s.delivery["training_days_per_user"]
    glue_number("man_users", users.value, "facts.training_users", title=users.why)
    glue("man_users_statements", ", ".join(f"{v:,}" for v in dict.fromkeys(st.value for st in users.statements)),
         "facts.training_users")
    glue_number("man_days_per_user", days.value, "delivery.training_days_per_user")
    glue_number("man_training_days", users.value * days.value)
    glue_param("man_weeks", main, "delivery.training_duration_weeks", ",.0f", params_dir)
    glue("man_training_start", _fmt_day(s.milestones["training_start"].value), "milestones.training_start")
    glue_param("man_ramp_pct", main, "delivery.support_ramp_down_pct", ",.0f", params_dir)
    support = [ln for block in requests.values() if block.kind == "revenue" for ln in block.lines.values()
               if ln.factor == "post_go_live_support"]
    years = sorted({fy for ln in support for fy in ln.by_fy})
    first = sum(ln.by_fy.get(years[0], 0) for ln in support)
    last = sum(ln.by_fy.get(years[-1], 0) for ln in support)
    glue_money("man_support_first", first, places=3)
    glue_money("man_support_last", last, places=3)
    glue("man_support_first_fy", years[0])
    glue("man_support_last_fy", years[-1])
    glue("man_support_fall_pct", f"{100 * (first - last) / first:.1f}%")
    bench = s.delivery["change_fund_benchmark_pct"]
    block_key, line_key = next((b, k) for b, block in requests.items() if block.kind == "capital"
                               for k, ln in block.lines.items() if ln.factor == "change_fund")
    fund = requests[block_key].lines[line_key]
    where = f"costs.{block_key}.lines.{line_key}"
    annual = max(fund.by_fy.values())
    glue_param("man_benchmark_pct", main, "delivery.change_fund_benchmark_pct", ",.0f", params_dir)
    glue_money("man_change_fund_annual", annual, where, places=3)
    glue_money("man_change_fund_total", sum(fund.by_fy.values()), where, places=3)
    glue_money("man_implied_dev_base", annual / (bench.value / 100))
    glue_param("man_releases", main, "delivery.change_fund_releases_per_year", ",.0f", params_dir)
    glue_param("man_hypercare_weeks", main, "delivery.hypercare_weeks", ",.0f", params_dir)
    glue("man_hypercare_end", _fmt_day(s.milestones["hypercare_end"].value), "milestones.hypercare_end")
    glue("man_bau", _fmt_day(s.milestones["business_as_usual"].value), "milestones.business_as_usual")
    delays = book.drop_delays(params_dir)
    short = book.short_label(main, params_dir)
    # the last delivery's go-live and its slip from the first version's plan
    last, key = list(book.deliveries(s).items())[-1]
    glue_date(f"man_{last}", main, f"milestones.{key}", params_dir)
    slip = delays[(delays["drop"] == key) & (delays["version"] == short)]
    if len(slip):
        glue_number(f"man_{last}_slip_months", slip.iloc[0]["months_after_first_plan"])
    glue_chart("fig_timeline", _charts().milestone_timeline(*book.timeline(params_dir)))


@tracked
def glue_comparison(params_dir=None) -> None:
    glue_summary(params_dir)
    bridge = book.npv_bridge(None, None, params_dir)
    changes = bridge[bridge.kind == "change"]
    biggest = changes.loc[changes.delta_gbp_m.abs().idxmax()]
    glue("cmp_biggest_step", biggest["step"].lower())
    glue_money("cmp_biggest_amount", biggest["delta_gbp_m"])
    glue_number("cmp_steps", len(changes))
    glue_chart("fig_bridge", _charts().npv_bridge(bridge))
    glue_chart("fig_versions", _charts().versions(book.version_summary(params_dir),
                                                  list(book.version_labels(params_dir).values())))


def _charts():
    from . import charts

    return charts


# --- the register with anchors -------------------------------------------------------------------

def register_html(params_dir=None) -> HTML:
    """The assumptions register as an HTML table whose rows carry the ids that figures link to: each
    parameter where it is first defined, then each scenario's override of it."""
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
        body.append(
            f'<tr id="{r["anchor"]}"><td><code>{html.escape(r["parameter"])}</code><br>'
            f'<span class="reg-label">{html.escape(r["label"] or _humanise(r["parameter"]))}</span></td>'
            f'<td>{html.escape(str(r["value"]))}</td><td>{html.escape(unit_text(r["unit"]))}</td>'
            f'<td>{html.escape(r["kind"])}</td><td>{html.escape(r["provenance"])}</td>'
            f'<td>{html.escape(r["calibrated_to"])}</td><td>{html.escape(r["defined_in"])}</td>'
            f'<td>{over}</td></tr>')
    return HTML(f'<div class="register-wrap"><table class="register">{head}{"".join(body)}</table></div>')


def _humanise(key: str) -> str:
    """A params key without a label, in words: 'contract_cap' -> 'Contract cap'."""
    return key.rsplit(".", 1)[-1].replace("_", " ").capitalize()


UNITS = {"gbp_m": "£m", "gbp": "£", "fy_start": "financial year", "pct": "%"}


def unit_text(unit: str) -> str:
    """A unit as a reader writes it (the params' unit names are keys: gbp_m, fy_start)."""
    return UNITS.get(unit, unit)


# --- uncertainty (economic case) ----------------------------------------------------------------------

MC_DRAWS = 20_000
MC_SEED = 20231207  # a fixed seed, so that every build draws the same sample


@tracked
def glue_uncertainty(params_dir=None) -> None:
    from ..analysis import uncertainty as unc

    main = book.headline(params_dir)
    short = book.short_label(main, params_dir)
    loaded = book.loaded(main, params_dir)
    glue("unc_appraisal", unc.appraisal_label(loaded))
    _glue_what_if(loaded, short, params_dir)
    if not loaded.scenario.uncertainty:
        _glue_no_uncertainty(short)
        return
    rows = unc.tornado(loaded)
    glue_chart("fig_tornado", _charts().tornado(rows, short))
    glue("unc_top_input", rows[0]["label"].lower())
    glue_money("unc_top_swing", rows[0]["swing_gbp_m"])
    switching = unc.switching_values(loaded)
    crossing = [r for r in switching if r["switching_value"] is not None]
    glue_number("unc_switching_found", len(crossing))
    glue_number("unc_switching_inputs", len(switching))
    level = next((r for r in switching if r["parameter"] == "benefits.level_multiplier"), None)
    glue("unc_benefit_switch", "none" if level is None or level["switching_value"] is None
         else f"{level['switching_value']:.2f}", "benefits.level_multiplier")
    mc = unc.monte_carlo(loaded, MC_DRAWS, MC_SEED, keep=True)
    glue_number("unc_draws", mc["draws"])
    glue_money("unc_p10", mc["npv_p10_gbp_m"])
    glue_money("unc_p50", mc["npv_p50_gbp_m"])
    glue_money("unc_p90", mc["npv_p90_gbp_m"])
    glue_money("unc_mean", mc["npv_mean_gbp_m"])
    glue("unc_p_positive", f"{mc['p_npv_positive']:.1%}")
    glue_chart("fig_montecarlo", _charts().npv_distribution(mc["npv_draws"], mc["npv_p10_gbp_m"],
                                                            mc["npv_p50_gbp_m"], mc["npv_p90_gbp_m"], short))


def _glue_no_uncertainty(short: str) -> None:
    """The uncertainty figures of a case whose headline version declares no uncertain inputs: one line
    in each place instead of a tornado, switching values and a Monte Carlo."""
    none = f"{short} declares no uncertain inputs (`uncertainty` in its params)"
    glue("unc_top_input", f"no input ({none})")
    glue("unc_top_swing", "n/a")
    glue_number("unc_switching_found", 0)
    glue_number("unc_switching_inputs", 0)
    glue("unc_benefit_switch", "none")
    glue_number("unc_draws", 0)
    for key in ("unc_p10", "unc_p50", "unc_p90", "unc_mean", "unc_p_positive"):
        glue(key, "n/a")
    for key, what in (("fig_tornado", "tornado"), ("fig_montecarlo", "Monte Carlo")):
        if _RECORD.get() is None:
            from myst_nb import glue as nb_glue

            nb_glue(key, Markdown(f"*No {what}: {none}.*"), display=False)


def _glue_what_if(loaded, short: str, params_dir=None) -> None:
    """The what-if chart (fig_whatif): the headline version's present value by year under sliders."""
    s = loaded.scenario
    rate = s.appraisal.discount_rate.value
    level = s.benefits.level_multiplier.value
    g = book.green_book_appraisal(loaded.name, params_dir)
    # the Green Book appraisal's own years (the decision year on), before optimism bias, at a benefit level of 1
    rows = [{"fy": fy, "t": int(t), "benefits": float(b) / level if level else 0.0, "capital": float(c),
             "revenue": float(r)}
            for fy, t, b, c, r in zip(g.frame().fy, g.t, g.benefits_real_gbp_m, g.capital_real_gbp_m,
                                      g.revenue_real_gbp_m)]
    glue_chart("fig_whatif", _charts().what_if(rows, 0.035 if rate is None else rate, level,
                                               s.appraisal.optimism_bias_capital.value,
                                               s.appraisal.optimism_bias_operating.value, short))


SWITCHING_COLUMNS = ["parameter", "base_value", "switching_value", "change_pct", "searched"]
TORNADO_COLUMNS = ["input", "label", "parameter", "base_value", "low_value", "high_value", "npv_low_gbp_m",
                   "npv_high_gbp_m", "npv_base_gbp_m", "swing_gbp_m", "appraisal"]


def declares_uncertainty(params_dir=None) -> bool:
    """Does the headline version declare uncertain inputs (`uncertainty`)?"""
    return bool(book.loaded(book.headline(params_dir), params_dir).scenario.uncertainty)


def switching_table(params_dir=None) -> pd.DataFrame:
    from ..analysis import uncertainty as unc

    if not declares_uncertainty(params_dir):
        return pd.DataFrame(columns=SWITCHING_COLUMNS)
    rows = unc.switching_values(book.loaded(book.headline(params_dir), params_dir))
    return pd.DataFrame([{"parameter": r["parameter"], "base_value": r["base_value"],
                          "switching_value": r["switching_value"], "change_pct": r["change_pct"],
                          "searched": f"{r['search_range'][0]:g} to {r['search_range'][1]:g}"} for r in rows])


def tornado_table(params_dir=None) -> pd.DataFrame:
    from ..analysis import uncertainty as unc

    if not declares_uncertainty(params_dir):
        return pd.DataFrame(columns=TORNADO_COLUMNS)
    return pd.DataFrame(unc.tornado(book.loaded(book.headline(params_dir), params_dir)))


# --- citations of the sources and their coverage (appendix) -------------------------------------------

COVERAGE_PAGE = "appendix_coverage.html"


def _source_index(params_dir, document: str):
    from ..core import sources

    docs = sources.documents(params_dir)
    if document not in docs:
        raise ValueError(f"{document} is not a declared source document")
    key = (str(params_dir), document)
    if key not in _INDEXES:
        _INDEXES[key] = sources.Index(sources.units_of(docs[document]))
    return docs[document], _INDEXES[key]


_INDEXES: dict = {}


class Cited(Linked):
    """A citation of a source unit: a link that may wrap (figures do not)."""

    def _repr_html_(self) -> str:
        return (f'<a class="cite" href="{self.href}" title="{html.escape(self.title or "")}">'
                f'{html.escape(self.text)}</a>')


def cite(key: str, source: str, params_dir=None) -> None:
    """Glue a citation, '<file>, <where>', as the document's short name and the place, linked to the
    unit's row in the coverage appendix. A citation that names no unit stops the page."""
    from ..core import sources

    m = sources.SOURCE_RE.fullmatch(source)
    if not m:
        raise ValueError(f"a citation is '<file>, <where>', not {source!r}")
    doc, index = _source_index(params_dir, m.group("file"))
    found = sources.resolve(m.group("where"), index)
    if found.problems or not found.units:
        raise ValueError(f"citation {source!r}: " + "; ".join(found.problems or ["names no unit"]))
    from myst_nb import glue as nb_glue

    nb_glue(key, Cited(f"{doc.short}, {m.group('where')}", title=source,
                       href=f"{COVERAGE_PAGE}#{found.units[0].anchor}"), display=False)


def cite_all(citations: dict[str, str], params_dir=None) -> None:
    for key, source in citations.items():
        cite(key, source, params_dir)


def glue_coverage(params_dir=None):
    """Counts for the coverage appendix; returns the report."""
    from ..analysis.coverage import coverage

    cov = coverage(params_dir or "params")
    for name, n in cov.counts.items():
        glue_number(f"cov_{name}", n)
    glue_number("cov_documents", len({r["document"] for r in cov.rows}))
    return cov


def _used_by_html(used_by: list[str]) -> str:
    """'param: v3.yaml: milestones.x.source' -> grouped, shorter lines for the appendix."""
    groups: dict[str, list[str]] = {}
    for entry in used_by:
        kind, _, where = entry.partition(": ")
        where = where.removesuffix(".source").replace(".source.", ".")
        if kind == "book":
            where = where.removeprefix("book/").removesuffix(".md")
        groups.setdefault(kind, []).append(where)
    label = {"param": "Parameters", "finding": "Findings", "book": "Book pages"}
    return "<br>".join(f"<strong>{label.get(k, k)}:</strong> " + "; ".join(html.escape(w) for w in ws)
                       for k, ws in groups.items())


def coverage_html(cov) -> HTML:
    """Every unit of every source, a table per document: where it is used, or the reason it is not.
    Rows carry the ids that the chapters' citations link to."""
    out = []
    by_doc: dict[str, list[dict]] = {}
    for r in cov.rows:
        by_doc.setdefault(r["document"], []).append(r)
    for document, rows in by_doc.items():
        head = ('<thead><tr><th scope="col">Unit</th><th scope="col">Section</th><th scope="col">Status</th>'
                '<th scope="col">Used by, or why not</th></tr></thead>')
        body = []
        for r in rows:
            detail = _used_by_html(r["used_by"]) if r["used_by"] else html.escape(
                r["reason"] or "no citation and no reason given")
            status = {"used": "used", "not_used": "not used", "uncovered": "UNCOVERED"}[r["status"]]
            body.append(f'<tr id="{r["anchor"]}"><td>{html.escape(r["unit"])}</td>'
                        f'<td>{html.escape(r["section"])}</td><td>{status}</td><td>{detail}</td></tr>')
        title = html.escape(f"{rows[0]['short']}: {document}")
        out.append(f'<p class="coverage-doc"><strong>{title}</strong></p>'
                   f'<div class="register-wrap" role="region" aria-label="{title}" tabindex="0">'
                   f'<table class="register coverage">{head}<tbody>{"".join(body)}</tbody></table></div>')
    return HTML("".join(out))


def glue_date(key: str, scenario: str, parameter: str, params_dir=None) -> None:
    """Glue a date parameter as '20 December 2023' (or 'November 2022' for a month), linked to the register."""
    from ..core.scenario import quantity_at

    q = quantity_at(book.loaded(scenario, params_dir).scenario, parameter)
    text = _fmt_day(q.value) if len(str(q.value)) > 7 else _fmt_month(q.value)
    glue(key, text, parameter, q.source or q.why)

"""Citations of the sources and the coverage appendix: a glued citation links to its unit's row in the
coverage appendix (a citation that names no unit stops the page), and the appendix lists every unit
of every source with where it is used or why not."""

from __future__ import annotations

import html
from pathlib import Path

from IPython.display import HTML

from .glued_figures import Linked, glue_number


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

    nb_glue(key, Cited(f"{doc.short}, {m.group('where')}", title=f"{doc.title}, {m.group('where')}",
                       href=f"{COVERAGE_PAGE}#{found.units[0].anchor}"), display=False)


def cite_all(citations: dict[str, str], params_dir=None) -> None:
    """Glue a citation of each source passage (see :func:`cite`), by glue key."""
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


def _reader_name(entry: str, params_dir) -> str:
    """'v3.yaml: findings.x.statements.0' as a reader sees it: the version's short label and the
    label of the nearest entry of the path that has one ('V3: The total is printed ...')."""
    import yaml

    from ..core.params import DEFAULT_PARAMS_DIR
    from .case_versions import short_label

    file, _, path = entry.partition(": ")
    stem = file.removesuffix(".yaml")
    try:
        node = yaml.safe_load((Path(params_dir or DEFAULT_PARAMS_DIR) / file).read_text(encoding="utf-8"))
        who = short_label(stem, params_dir)
    except Exception:  # noqa: BLE001 - a name that is not a params file is shown as it is
        return entry
    label = None
    for part in path.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            break
        if isinstance(node, dict) and isinstance(node.get("label"), str):
            label = node["label"]
    return f"{who}: {label}" if label else f"{who}: {path.split('.')[0].replace('_', ' ')}"


def _used_by_html(used_by: list[str], params_dir=None) -> str:
    """'param: v3.yaml: milestones.x.source' -> grouped by kind, each as its version's short label and
    the label of what cites the unit (a page by its name)."""
    groups: dict[str, list[str]] = {}
    for entry in used_by:
        kind, _, where = entry.partition(": ")
        if kind == "book":
            where = where.removeprefix("book/").removesuffix(".md")
        else:
            where = _reader_name(where.removesuffix(".source").replace(".source.", "."), params_dir)
        if where not in groups.setdefault(kind, []):
            groups[kind].append(where)
    label = {"param": "Parameters", "finding": "Findings", "book": "Book pages"}
    return "<br>".join(f"<strong>{label.get(k, k)}:</strong> " + "; ".join(html.escape(w) for w in ws)
                       for k, ws in groups.items())


def coverage_html(cov, params_dir=None) -> HTML:
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
            detail = _used_by_html(r["used_by"], params_dir) if r["used_by"] else html.escape(
                r["reason"] or "no citation and no reason given")
            status = {"used": "used", "not_used": "not used", "uncovered": "UNCOVERED"}[r["status"]]
            body.append(f'<tr id="{r["anchor"]}"><td>{html.escape(r["unit"])}</td>'
                        f'<td>{html.escape(r["section"])}</td><td>{status}</td><td>{detail}</td></tr>')
        title = html.escape(rows[0]["short"])
        out.append(f'<p class="coverage-doc"><strong>{title}</strong></p>'
                   f'<div class="register-wrap" role="region" aria-label="{title}" tabindex="0">'
                   f'<table class="register coverage">{head}<tbody>{"".join(body)}</tbody></table></div>')
    return HTML("".join(out))

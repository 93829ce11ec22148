"""Coverage of the sources: every unit of every declared document, with where it is used or why not.

A unit is *used* when something cites it:

- a *param*: any string in a params file that is a source, ``"<file>, <where>"`` (a parameter's
  ``source``, a calibration target, ...);
- a *finding*: the same, under the keys that hold what the reconciliation quotes and reports
  (``facts`` and their ``statements``, ``narrative_costs``, ``published_totals``, and any ``findings``
  list), so that findings added as data count without further code;
- a *book page*: a source string anywhere in ``book/*.md`` (the chapters cite with
  ``bookviews.cite(key, "<file>, <where>")``).

A unit nothing cites is *not_used* when its document's ``not_used`` gives a reason, else *uncovered*,
and ``casebook check`` fails. The ``<where>`` part is read by :func:`model.core.sources.resolve`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ..core.errors import CasebookError
from ..core.sources import SOURCE_RE, Document, Index, documents, resolve, units_of
from ..core.yamlio import load_yaml_file

#: Keys under which a cited source is a finding of the reconciliation rather than a parameter.
FINDING_KEYS = {"facts", "statements", "narrative_costs", "published_totals", "findings", "audit_findings", "audit"}
DEFAULT_BOOK_DIR = Path("book")


@dataclass
class Citation:
    document: str
    where: str
    kind: str        # param, finding, book
    by: str          # e.g. "base.yaml: milestones.handover.source", "book/management.md"


@dataclass
class CoverageReport:
    rows: list[dict[str, Any]]
    unresolved: list[dict[str, str]] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        out = {"units": len(self.rows), "used": 0, "not_used": 0, "uncovered": 0}
        for r in self.rows:
            out[r["status"]] += 1
        return out

    @property
    def uncovered(self) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["status"] == "uncovered"]


def _strings(node: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(v, path + (str(k),))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _strings(v, path + (str(i),))
    elif isinstance(node, str):
        yield path, node


def params_citations(params_dir: Path) -> list[Citation]:
    """Every source string in the params files (each file's own keys, not the merged scenarios)."""
    out = []
    for path in sorted(Path(params_dir).glob("*.yaml")):
        data = load_yaml_file(path, display=str(path))
        for keys, text in _strings(data, ()):
            m = SOURCE_RE.match(text.strip())
            if m:
                kind = "finding" if FINDING_KEYS & set(keys) else "param"
                out.append(Citation(m.group("file"), m.group("where").strip(), kind,
                                    f"{path.name}: {'.'.join(keys)}"))
    return out


def book_citations(book_dir: Path) -> list[Citation]:
    """Every source string in the book's pages."""
    out = []
    if not Path(book_dir).is_dir():
        return out
    for path in sorted(Path(book_dir).glob("*.md")):
        for m in SOURCE_RE.finditer(path.read_text(encoding="utf-8")):
            out.append(Citation(m.group("file"), m.group("where").strip(), "book", f"book/{path.name}"))
    return out


def book_dir_for(params_dir: Path, book_dir: Path | None = None) -> Path:
    if book_dir is not None:
        return Path(book_dir)
    if DEFAULT_BOOK_DIR.is_dir():
        return DEFAULT_BOOK_DIR
    return Path(params_dir).resolve().parent / "book"


def coverage(params_dir: Path | str, book_dir: Path | str | None = None) -> CoverageReport:
    params_dir = Path(params_dir)
    docs: dict[str, Document] = documents(params_dir)
    indexes = {name: Index(units_of(doc)) for name, doc in docs.items()}
    used: dict[int, list[str]] = {}
    unresolved = []
    # a document may have any file name, so prose can look like a citation ("figures.json, every
    # figure"): in the book, a name that is not declared counts only if it has a declared extension
    extensions = {Path(name).suffix for name in docs}
    for c in params_citations(params_dir) + book_citations(book_dir_for(params_dir, book_dir)):
        if c.kind == "book" and c.document not in indexes and Path(c.document).suffix not in extensions:
            continue
        if c.document not in indexes:
            unresolved.append({"document": c.document, "where": c.where, "by": c.by,
                               "problem": "not a declared document"})
            continue
        found = resolve(c.where, indexes[c.document])
        for problem in found.problems:
            unresolved.append({"document": c.document, "where": c.where, "by": c.by, "problem": problem})
        for u in found.units:
            label = f"{c.kind}: {c.by}"
            used.setdefault(id(u), [])
            if label not in used[id(u)]:
                used[id(u)].append(label)
    rows = []
    for name, doc in docs.items():
        index = indexes[name]
        reasons: dict[int, str] = {}
        for unit_name, reason in doc.not_used.items():
            unit = index.lookup(unit_name)
            if unit is None:
                known = ", ".join(u.name for u in index.units)
                raise CasebookError(f"{unit_name!r} is not a unit of {name} (its units: {known})",
                                    file=doc.display, key=f"documents.{name}.not_used.{unit_name}",
                                    line=doc.not_used_lines.get(unit_name))
            reasons[id(unit)] = reason
        for u in index.units:
            by = used.get(id(u), [])
            status = "used" if by else "not_used" if id(u) in reasons else "uncovered"
            rows.append({"document": name, "short": doc.short, "unit": u.name, "kind": u.kind,
                         "section": u.section, "line": u.line, "anchor": u.anchor, "status": status,
                         "used_by": by, "reason": reasons.get(id(u)) if not by else None})
    return CoverageReport(rows, unresolved)

"""The source documents a case cites, split into citable units, and the parser of citations.

A case declares its documents once, in ``<params>/sources/sources.yaml`` (title, date, short name, text
file and the `not_used` reasons); the texts sit beside it. A parameter's ``source`` is
``"<file>, <where>"``; :data:`SEED_DOCUMENTS` is the set of files that may be named.

Splitting a text into units is in ``model.core.source_units`` (its docstring gives the rules).

Citations (:func:`resolve`): the ``<where>`` part is read as one or more references joined by ``;``,
``and`` or commas (a split happens only before ``Part``, ``para``, ``Table``, ``Figure`` or a number).
Remarks in parentheses and a table's ``, row ...`` are ignored; a lettered sub-item (``para 5a``) is its
paragraph; a range ``paras 4.2-4.3`` is every numbered paragraph between the two; ``Part N`` carries on to
the next reference, and a bare number takes the words of the reference before it ("paras 24 and 37").
Words are compared in lower case, singular ("decisions" = "decision"), without "para"/"paragraph". A
reference may name a heading by its first words ("Part 1 Introduction"); words after a name it matches
are a remark ("Recommendation 1 note").
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import CasebookError
from .source_units import Unit, split_units, tokens  # noqa: F401  (re-exported: a unit is what a citation names)

SOURCES_DIR = "sources"
DECLARATION = "sources.yaml"
#: A document's name in the declaration and in citations: its file name, any name without spaces,
#: commas or quotes that ends in an extension ("annual_report_2005.txt", "007_board-minutes.md").
FILE_NAME = r"[A-Za-z0-9_][\w.\-]*\.[A-Za-z0-9]+"
FILE_NAME_RE = re.compile(FILE_NAME)
#: The citation rule, as every message and schema description states it.
CITATION_RULE = "'<file listed in params/sources/sources.yaml>, <paragraph, decision or table>'"
SOURCE_RE = re.compile(r"(?<![\w.\-])(?P<file>" + FILE_NAME + r"), (?P<where>[^\"'`\n]+)")
_REPO_PARAMS = Path(__file__).resolve().parents[2] / "params"


# --- the declaration --------------------------------------------------------------------------------

@dataclass
class Document:
    name: str                 # the file name a citation uses
    short: str
    title: str
    date: str
    path: Path
    not_used: dict[str, str] = field(default_factory=dict)
    not_used_lines: dict[str, int | None] = field(default_factory=dict)
    display: str = ""         # the declaration file, for messages

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


_CACHE: dict[tuple, dict[str, Document]] = {}
_ACTIVE: contextvars.ContextVar[Path | None] = contextvars.ContextVar("casebook_params_dir", default=None)
#: Within a `declared_in` block, the active directory's documents, read once for the block (a load
#: validates hundreds of sources, and each would otherwise stat the declaration again).
_PINNED: contextvars.ContextVar[list | None] = contextvars.ContextVar("casebook_pinned_documents", default=None)


def declaration_path(params_dir: Path | str | None = None) -> Path:
    """The declaration of a params directory; without one, ./params or the repository's own."""
    if params_dir is None:
        params_dir = _ACTIVE.get()
    if params_dir is None:
        params_dir = Path("params") if (Path("params") / SOURCES_DIR / DECLARATION).is_file() else _REPO_PARAMS
    return Path(params_dir) / SOURCES_DIR / DECLARATION


def documents(params_dir: Path | str | None = None) -> dict[str, Document]:
    """The declared documents by file name. Bad declarations get the usual one-line error."""
    pinned = _PINNED.get() if params_dir is None else None
    if pinned is None:
        return _documents(declaration_path(params_dir))
    if not pinned:
        pinned.append(_documents(declaration_path()))
    return pinned[0]


def _documents(path: Path) -> dict[str, Document]:
    from .yamlio import LineDict, load_yaml_file

    if not path.is_file():
        raise CasebookError("no source documents are declared (expected this file)", file=str(path))
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key in _CACHE:
        return _CACHE[key]
    display = str(path)
    data = load_yaml_file(path, display=display)
    docs_node = data.get("documents")
    if not isinstance(docs_node, LineDict) or not docs_node:
        raise CasebookError("must list the source documents under `documents:`", file=display,
                            key="documents", line=data.origin("documents")[1])
    out: dict[str, Document] = {}
    for name, node in docs_node.items():
        line = docs_node.origin(name)[1]
        if not isinstance(name, str) or not FILE_NAME_RE.fullmatch(name):
            raise CasebookError("a document is named by its file name (no spaces, commas or quotes; "
                                "with an extension, e.g. annual_report_2005.txt)",
                                file=display, key=f"documents.{name}", line=line)
        if not isinstance(node, LineDict):
            raise CasebookError("must be a mapping with short, title, date and file", file=display,
                                key=f"documents.{name}", line=line)
        unknown = set(node) - {"short", "title", "date", "file", "not_used"}
        for k in sorted(unknown, key=str):
            raise CasebookError("unknown key", file=display, key=f"documents.{name}.{k}", line=node.origin(k)[1])
        for k in ("short", "title", "date", "file"):
            if not isinstance(node.get(k), str) or not node[k].strip():
                raise CasebookError("required text is missing", file=display, key=f"documents.{name}.{k}",
                                    line=node.origin(k)[1] or line)
        text_path = path.parent / node["file"]
        if not text_path.is_file() or Path(node["file"]).name != node["file"]:
            raise CasebookError(f"no text file {node['file']!r} beside the declaration", file=display,
                                key=f"documents.{name}.file", line=node.origin("file")[1])
        not_used = node.get("not_used") or {}
        if not isinstance(not_used, dict):
            raise CasebookError("must map each unit to a one-line reason", file=display,
                                key=f"documents.{name}.not_used", line=node.origin("not_used")[1])
        reasons, lines = {}, {}
        for unit, reason in not_used.items():
            uline = not_used.origin(unit)[1] if isinstance(not_used, LineDict) else None
            if not isinstance(reason, str) or not reason.strip() or "\n" in reason.strip():
                raise CasebookError("the reason must be one line of text", file=display,
                                    key=f"documents.{name}.not_used.{unit}", line=uline)
            reasons[str(unit)], lines[str(unit)] = reason.strip(), uline
        out[name] = Document(name=name, short=node["short"], title=node["title"], date=str(node["date"]),
                             path=text_path, not_used=reasons, not_used_lines=lines, display=display)
    _CACHE[key] = out
    return out


@contextlib.contextmanager
def declared_in(params_dir: Path | str) -> Iterator[None]:
    """Within this block, the documents a source may name are those declared in params_dir."""
    token, pin = _ACTIVE.set(Path(params_dir)), _PINNED.set([])
    try:
        yield
    finally:
        _PINNED.reset(pin)
        _ACTIVE.reset(token)


class _Declared(Mapping):
    """The declared documents of the active params directory, as {file: {"short", "title", "date"}}."""

    def _docs(self) -> dict[str, Document]:
        return documents()

    def __getitem__(self, name: str) -> dict[str, str]:
        d = self._docs()[name]
        return {"short": d.short, "title": d.title, "date": d.date}

    def __iter__(self):
        return iter(self._docs())

    def __len__(self) -> int:
        return len(self._docs())


#: The documents that a parameter's `source` may cite (read from the declaration).
SEED_DOCUMENTS: Mapping[str, dict[str, str]] = _Declared()



# --- citations ----------------------------------------------------------------------------------------

_SPLIT = re.compile(r"\s*;\s*|\s+and\s+(?=(?:part|paras?|paragraphs?|table|figure|\d+)\b)"
                    r"|\s*,\s*(?=(?:part|paras?|paragraphs?|table|figure|\d+)\b)", re.I)
_RANGE = re.compile(r"(\d+(?:\.\d+)*[a-z]?)\s*(?:-|–|\bto\b)\s*(\d+(?:\.\d+)*[a-z]?)")


@dataclass
class Resolved:
    units: list[Unit]
    problems: list[str]


class Index:
    """Every unit of one document by its names, for resolving citations."""

    def __init__(self, units: list[Unit]) -> None:
        self.units = units
        self.by_alias: dict[tuple[str, ...], list[Unit]] = {}
        for u in units:
            for a in u.aliases:
                self.by_alias.setdefault(a, []).append(u)
        self.parts = sorted({u.part for u in units if u.part})
        self.by_name = {u.name: u for u in units}

    def lookup(self, name: str) -> Unit | None:
        """A unit by its canonical name, or by any name a citation could use for it alone."""
        if name in self.by_name:
            return self.by_name[name]
        found = resolve(name, self)
        return found.units[0] if len(found.units) == 1 and not found.problems else None

    def _match(self, toks: tuple[str, ...]) -> tuple[Unit | None, int]:
        """The longest leading run of toks that names one unit (and how many tokens it used)."""
        for n in range(len(toks), 0, -1):
            hit = self.by_alias.get(toks[:n])
            if hit and len(hit) == 1:
                return hit[0], n
        # a heading named by its first words
        if toks:
            starts = [u for u in self.units if u.kind in ("section", "title")
                      for a in u.aliases if len(a) > len(toks) and a[:len(toks)] == toks]
            if len(starts) == 1:
                return starts[0], len(toks)
        return None, 0

    def match(self, toks: tuple[str, ...], part: str | None) -> Unit | None:
        tries = []
        has_part = len(toks) >= 2 and toks[0] == "part"
        if has_part or not self.parts:
            tries.append(toks)
        else:
            tries += [tokens(p) + toks for p in ([part] if part else self.parts)] + [toks]
        hits = []
        for t in tries:
            u, n = self._match(t)
            # the words matched must go past a bare 'part N'
            if u is not None and n > (2 if t[:1] == ("part",) else 0):
                hits.append(u)
        hits = list(dict.fromkeys(hits))
        return hits[0] if len(hits) == 1 else None


def resolve(where: str, index: Index) -> Resolved:
    """The units a citation's `<where>` names (see the module's notes for the grammar)."""
    text = re.sub(r"\([^()]*\)", " ", where)
    text = re.sub(r"\(.*$", " ", text)                         # an unclosed remark
    text = re.sub(r"((?:Table|Figure)\s+\d+)\s*,[^;]*", r"\1", text, flags=re.I)  # ", row ..."
    text = _RANGE.sub(r"\1 ~ \2", text)
    found: list[Unit] = []
    problems: list[str] = []
    part: str | None = None
    stem: tuple[str, ...] = ()
    for clause in (c for c in _SPLIT.split(text) if c and c.strip(" ,")):
        lo, _, hi = clause.partition("~")
        toks = tokens(lo)
        if toks[:1] == ("part",) and len(toks) >= 2:
            part = f"Part {toks[1]}"
        elif stem and re.fullmatch(r"\s*\d+(?:\.\d+)*[a-z]?\s*", lo):
            toks = stem + toks
        if not toks:
            continue
        unit = index.match(toks, part)
        if unit is None:
            problems.append(f"{clause.strip()!r} names no single unit")
            continue
        if unit.part:
            part = unit.part
        alias = next((a for a in unit.aliases if toks[:len(a)] == a or (len(toks) > 1 and a[-len(toks):] == toks)),
                     unit.aliases[0])
        stem = alias[:-1] if unit.number else ()
        if hi.strip():
            end = index.match(stem + tokens(hi), part)
            if end is None:
                problems.append(f"{clause.strip()!r}: the end of the range names no unit")
                found.append(unit)
                continue
            order = index.units
            a, b = order.index(unit), order.index(end)
            found += [u for u in order[min(a, b):max(a, b) + 1] if u.kind == "paragraph"]
        else:
            found.append(unit)
    return Resolved(list(dict.fromkeys(found)), problems)


def units_of(doc: Document) -> list[Unit]:
    return split_units(doc.name, doc.text)


def cited(text: str, params_dir: Path | str | None = None) -> str:
    """A text as a reader sees it: each citation in it ("<file>, <where>", anywhere in the text) that
    names a declared document by its file names it by the document's short name instead; the rest (an
    assumption's reason, an undeclared name) is kept as written."""
    shorts = {name: doc.short for name, doc in documents(params_dir).items()}
    if not shorts or not isinstance(text, str) or not text:
        return text
    files = "|".join(map(re.escape, sorted(shorts, key=len, reverse=True)))
    return re.sub(rf"(?<![\w.])({files})(?=,)", lambda m: shorts[m.group(1)], text)


def cite_text(source: str, docs: Mapping[str, Any] | None = None) -> str:
    """'001_....txt, Part 2 para 24' as a reader sees it: its document's short name, then the place
    ('Annual report (May 2024), Part 2 para 24')."""
    m = SOURCE_RE.match(source)
    if not m:
        return source
    docs = docs if docs is not None else SEED_DOCUMENTS
    short = docs[m.group("file")]["short"] if m.group("file") in docs else m.group("file")
    return f"{short}, {m.group('where').strip()}"

"""Splitting the text of a source document into the units a citation names: its title block, sections,
numbered paragraphs, tables and figures (:func:`split_units`), and the words a name is compared by
(:func:`tokens`). ``model.core.sources`` declares the documents and resolves citations against these
units.

Splitting (:func:`split_units`) works on the text of any document, not on a list typed for one case:

- *headings* are Markdown headings (``## ...``) and lines that are bold and nothing else; a document with
  no Markdown heading is plain text, and there a heading is a line standing alone between blank lines,
  at most 100 characters, starting with a capital or a digit, with no colon and no closing punctuation;
- a heading that starts ``Part N`` opens part N: units after it are named ``Part N ...``, so a paper that
  numbers its paragraphs twice keeps its two "para 2"s apart;
- a *numbered paragraph* is a line starting ``N.``, ``N.N.`` or ``N.N`` (a numbered heading opens one
  too); the lettered and bulleted lines under it belong to it;
- *tables and figures* are found by their captions (``Table N ...``, ``Figure N ...``) with the block of
  tab-separated rows next to the caption;
- the *title block* is what comes before the first heading with text of its own, with that heading;
- a *section* unit is a heading whose text is not all in numbered paragraphs or tables (lead-in lines
  that end with a colon do not count).

Numbering: within a part the numbered paragraphs fall into runs (the number rises; a restart begins a new
run). The longest runs own the plain names ``Part N para M`` as long as no number repeats; the others are
named after their section, e.g. ``Part 2 Commercial decisions 3``. Every numbered paragraph answers to
its section name too. Empty numbered headings (a heading followed at once by its numbered paragraphs)
are not units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(eq=False)
class Unit:
    document: str
    name: str                 # canonical: "Part 2 para 24", "Part 1 Equality Comments", "Table 1"
    kind: str                 # title, section, paragraph, table, figure
    part: str | None
    section: str              # the heading it sits under
    line: int                 # first line, 1-based
    lines: list[str] = field(default_factory=list)
    number: tuple[int, ...] | None = None
    aliases: list[tuple[str, ...]] = field(default_factory=list)
    bare: str = ""            # a paragraph's plain name, "Part 2 para 24"
    qualified: str = ""       # and its name by section, "Part 2 Commercial Decisions 3"
    plain: bool = False       # whether its run owns the plain names

    @property
    def anchor(self) -> str:
        return "cov-" + re.sub(r"[^a-z0-9]+", "-", f"{self.document[:3]} {self.name}".lower()).strip("-")


_MD_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
_BOLD_LINE = re.compile(r"^\*\*(.+)\*\*\s*$")
_CAPTION = re.compile(r"^(Table|Figure)\s+(\d+)\b")
_NUMBERED = re.compile(r"^(\d{1,3}(?:\.\d{1,3})+)\.?\s+\S|^(\d{1,3})\.\s+\S")
_NUMBER_PREFIX = re.compile(r"^(\d{1,3}(?:\.\d{1,3})*)\.?\s+")
_SUB_ITEM = re.compile(r"^(?:[-*•]\s|\(?[a-z]{1,4}[.)]\s|\(?[ivx]{1,5}[.)]\s)")
_PART = re.compile(r"^Part\s+(\d+)\b", re.I)


def clean_heading(text: str) -> str:
    text = re.sub(r"<sup>.*?</sup>", "", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = text.replace("**", "").replace("*", "").strip().rstrip(":").strip()
    if text.isupper() and len(text) > 3:
        text = text[:1] + text[1:].lower()
    return text


def _is_table_row(line: str) -> bool:
    return ("\t" in line and len([c for c in line.split("\t") if c.strip()]) >= 2) or line.lstrip().startswith("|")


def _plain_heading(lines: list[str], i: int) -> bool:
    s = lines[i].strip()
    before = i == 0 or not lines[i - 1].strip()
    after = i + 1 >= len(lines) or not lines[i + 1].strip()
    return (before and after and 0 < len(s) <= 100 and (s[0].isupper() or s[0].isdigit()) and ":" not in s
            and s[-1] not in ".,;:?!" and not _SUB_ITEM.match(s))


def _classify(raw: list[str]) -> list[tuple[str, str]]:
    """Each line's kind: blank, row, caption, heading (with its text), numbered or text."""
    markdown = any(_MD_HEADING.match(ln) for ln in raw)
    out = []
    for i, line in enumerate(raw):
        s = line.strip()
        if not s:
            out.append(("blank", ""))
        elif _is_table_row(line):
            out.append(("row", s))
        elif _CAPTION.match(s) and len(s) <= 120:
            out.append(("caption", s))
        elif markdown and (_MD_HEADING.match(s) or _BOLD_LINE.match(s)):
            out.append(("heading", clean_heading((_MD_HEADING.match(s) or _BOLD_LINE.match(s)).group(1))))
        elif not markdown and _plain_heading(raw, i):
            out.append(("heading", clean_heading(s)))
        elif not line.startswith("  ") and _NUMBERED.match(line):
            out.append(("numbered", s))
        else:
            out.append(("text", s))
    return out


def split_units(name: str, text: str) -> list[Unit]:
    """Split a document's text into its citable units (see the module's notes)."""
    kinds = _classify(text.splitlines())

    def has_body(i: int) -> bool:
        for kind, _ in kinds[i + 1:]:
            if kind != "blank":
                return kind != "heading"
        return False

    units: list[Unit] = []
    part: str | None = None
    section, parent = "", ""                    # nearest heading; nearest un-numbered heading
    holder: Unit | None = None                  # where text outside numbered paragraphs goes
    item: Unit | None = None                    # the numbered paragraph being read
    rows: list[tuple[int, str]] = []
    caption: Unit | None = None                 # a caption waiting for rows that follow it
    title: Unit | None = None
    in_title, title_heading = True, False

    def flush_rows() -> None:
        nonlocal rows
        if rows and holder is not None:
            holder.lines += [r for _, r in rows]
        rows = []

    for i, (kind, s) in enumerate(kinds):
        lineno = i + 1
        if kind == "blank":
            continue
        if kind == "row":
            (caption.lines.append(s) if caption is not None else rows.append((lineno, s)))
            continue
        if kind == "caption":
            m = _CAPTION.match(s)
            u = Unit(name, f"{m.group(1)} {m.group(2)}", m.group(1).lower(), part, section,
                     rows[0][0] if rows else lineno, [s, *[r for _, r in rows]])
            units.append(u)
            caption, rows, item = (u if not rows else None), [], None
            continue
        caption = None
        flush_rows()
        if in_title and title is None:
            title = Unit(name, "title block", "title", None, "", lineno)
            units.append(title)
            holder = title
        if kind == "heading":
            m_part = _PART.match(s)
            if in_title and not m_part and (not title_heading or not has_body(i)):
                title.lines.append(s)        # the title, and headings with no text of their own
                title_heading = True
                continue
            in_title = False
            item = None
            if m_part:
                part = f"Part {m_part.group(1)}"
                section = parent = part
                holder = Unit(name, f"{part} preamble", "section", part, part, lineno)
                units.append(holder)
                continue
            m_num = _NUMBER_PREFIX.match(s)
            if m_num:
                body = s[m_num.end():].strip()
                item = Unit(name, "", "paragraph", part, parent, lineno, [],
                            tuple(int(x) for x in m_num.group(1).split(".")))
                units.append(item)
                section = body
                continue
            section = parent = s
            holder = Unit(name, f"{part} {s}" if part else s, "section", part, s, lineno)
            units.append(holder)
            continue
        if kind == "numbered":
            in_title = False
            num = _NUMBERED.match(s)
            item = Unit(name, "", "paragraph", part, section, lineno, [s],
                        tuple(int(x) for x in (num.group(1) or num.group(2)).split(".")))
            units.append(item)
            continue
        if item is not None:
            item.lines.append(s)
        elif holder is not None:
            holder.lines.append(s)
    flush_rows()
    kept = [u for u in units if u.lines and (u.kind != "section" or any(not ln.endswith(":") for ln in u.lines))]
    _name_paragraphs([u for u in kept if u.kind == "paragraph"])
    _set_aliases(kept)
    return kept


def _fmt(number: tuple[int, ...]) -> str:
    return ".".join(str(n) for n in number)


def _name_paragraphs(items: list[Unit]) -> None:
    by_part: dict[str | None, list[list[Unit]]] = {}
    for u in items:
        runs = by_part.setdefault(u.part, [])
        if runs and runs[-1][-1].number < u.number:  # type: ignore[operator]
            runs[-1].append(u)
        else:
            runs.append([u])
    for part, runs in by_part.items():
        taken: set[tuple[int, ...]] = set()
        longest = max(runs, key=len)
        for run in sorted(runs, key=len, reverse=True):
            numbers = {u.number for u in run}
            owns = not (numbers & taken) and len(numbers) == len(run)
            if owns:
                taken |= numbers  # type: ignore[arg-type]
            # a short list inside one section (recommendations, decisions) is named after its section
            plain_name = owns and (run is longest or len({u.section for u in run}) > 1)
            for u in run:
                prefix = f"{part} " if part else ""
                u.plain = owns
                u.bare = f"{prefix}para {_fmt(u.number)}"  # type: ignore[arg-type]
                u.qualified = f"{prefix}{u.section} {_fmt(u.number)}".strip()  # type: ignore[arg-type]
                u.name = u.bare if plain_name else u.qualified


_DROP = {"para", "paras", "paragraph", "paragraphs"}


def _singular(tok: str) -> str:
    return tok[:-1] if len(tok) > 3 and tok.endswith("s") and not tok.endswith("ss") else tok


def tokens(text: str) -> tuple[str, ...]:
    """Words for matching: lower case, singular, numbers kept whole (4.2), 'para' dropped."""
    text = re.sub(r"<[^>]+>", " ", text).replace("&", " and ").lower()
    out = []
    for tok in re.findall(r"[a-z]+|\d+(?:\.\d+)*[a-z]{0,4}", text):
        if tok in _DROP:
            continue
        m = re.fullmatch(r"(\d+(?:\.\d+)*)([a-z]{1,4})", tok)
        if m:
            tok = m.group(1)  # a sub-item (5a, 19d) is its paragraph
        out.append(_singular(tok))
    return tuple(out)


def _set_aliases(units: list[Unit]) -> None:
    for u in units:
        names = [u.name]
        if u.kind == "paragraph":
            names += [u.qualified] + ([u.bare] if u.plain else [])
        u.aliases = list(dict.fromkeys(tokens(n) for n in names))

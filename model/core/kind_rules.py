"""A scenario's `kind` checked against its chain: a file that extends a version of the business case and
says it is one too (`kind: published`, or a kind it inherits) must cite a paper of its own. A file whose
every change is an assumption is a sensitivity or an option; called a version, it would silently become
the case's headline (the latest version) and its assumptions would read as published figures."""

from __future__ import annotations

from typing import Any

from .errors import CasebookError


def _cites(node: Any) -> bool:
    """Whether a file's own content carries any `source`."""
    if isinstance(node, dict):
        if isinstance(node.get("source"), str) and node["source"].strip():
            return True
        return any(_cites(v) for k, v in node.items() if k != "kind")
    if isinstance(node, list):
        return any(_cites(v) for v in node)
    return False


def check_kind(own: Any, kind: str, parent_kind: str, level: str, parent: str, is_version) -> None:
    """Refuse a version that extends a version and cites nothing of its own (see the module)."""
    if not (is_version(kind) and is_version(parent_kind)) or _cites(own):
        return
    key = "kind" if "kind" in own else "extends"
    file, line = own.origin(key) if hasattr(own, "origin") else (None, None)
    said = kind if "kind" in own else f"{kind} (from {parent})"
    raise CasebookError(f"{said}, but nothing this file changes has a source: a version of the business case "
                        "cites its own paper; a file whose changes are all assumptions is kind: sensitivity "
                        "(or option)", file=file, key="kind", line=line)


def check_committed(own: Any, kind: str, is_version) -> None:
    """Refuse a `committed:` on a cost line in an option or a sensitivity: what is committed at the
    decision date is a fact of the version, the same in every option (green-book.md, sunk, committed,
    avoidable); an option that replaces a line keeps the version's committed amounts."""
    if is_version(kind) or not isinstance(own, dict):
        return
    for block_name, block in (own.get("costs") or {}).items():
        lines = block.get("lines") if isinstance(block, dict) else None
        for line_name, line in (lines or {}).items():
            if isinstance(line, dict) and "committed" in line:
                file, at = line.origin("committed") if hasattr(line, "origin") else (None, None)
                raise CasebookError(f"a {kind} may not change what is committed at the decision date: it is "
                                    "the same in every option (state it in the version's own file)",
                                    file=file, key=f"costs.{block_name}.lines.{line_name}.committed", line=at)

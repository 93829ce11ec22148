"""What changed between two builds: the glued figures that moved and the params files whose digest changed.

`casebook diff OLD NEW` takes, for each side, a built site (a directory holding ``figures.json``, or a
project whose ``book/_build/html`` is one), a ``figures.json`` file, or a git revision. A revision is
looked up in the archive that every build keeps (``build/figures/<inputs digest>.json``, recording the
commit it was built from when the inputs were all committed): building an old revision afresh would
take minutes, and the archive answers at once for every revision that was built here.

The build also writes the comparison with the site it replaces into the book, as the page
"Changes since the previous build" (``changes.md``).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from ..core.errors import CasebookError
from ..report.figures import FIGURES_JSON, collect, document, dumps

ARCHIVE = Path("build/figures")
CHANGES_PAGE = "changes"
TRACKED_INPUTS = ("params", "notebooks", "book", "model", "pyproject.toml")


# --- reading either side ------------------------------------------------------------------------------

def _read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CasebookError(f"{path}: not a readable figures.json ({exc.__class__.__name__})", key=what) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("figures"), list):
        raise CasebookError(f"{path}: not a casebook figures.json (no 'figures' list)", key=what)
    return doc


def git_commit(root: Path, rev: str = "HEAD") -> str | None:
    """The full commit id of rev in the repository at root, or None (not a repository, no such rev)."""
    proc = subprocess.run(["git", "-C", str(root), "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
                          capture_output=True, text=True)
    return proc.stdout.strip() or None if proc.returncode == 0 else None


def clean_commit(root: Path) -> str | None:
    """HEAD's commit when every input of the build is committed (so that the build is HEAD's), else None."""
    commit = git_commit(root)
    if commit is None:
        return None
    proc = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", *TRACKED_INPUTS],
                          capture_output=True, text=True)
    return commit if proc.returncode == 0 and not proc.stdout.strip() else None


def load_side(spec: str, root: Path, what: str) -> dict[str, Any]:
    """figures.json of a site, a file, a project or an archived git revision."""
    path = Path(spec)
    if path.is_file():
        return _read_json(path, what)
    if path.is_dir():
        for candidate in (path / FIGURES_JSON, path / "book" / "_build" / "html" / FIGURES_JSON):
            if candidate.is_file():
                return _read_json(candidate, what)
        raise CasebookError(f"{spec}: no {FIGURES_JSON} in this directory (a site built by this version "
                            "of casebook has one)", key=what)
    commit = git_commit(root, spec)
    if commit is None:
        raise CasebookError(f"{spec!r} is neither a file, a directory nor a git revision", key=what)
    for archived in sorted((root / ARCHIVE).glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True):
        doc = _read_json(archived, what)
        if doc.get("git_commit") == commit:
            return doc
    raise CasebookError(f"revision {spec} ({commit[:12]}) was never built here with all its inputs committed: "
                        f"check it out, run `casebook build`, then compare (builds are archived in {ARCHIVE})",
                        key=what)


# --- comparing ------------------------------------------------------------------------------------------

def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def compare(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The figures whose value changed (old, new, difference where both are numbers), the figures only
    one side has, and the params files whose digest changed."""
    before = {(f["page"], f["name"]): f for f in old["figures"]}
    after = {(f["page"], f["name"]): f for f in new["figures"]}
    changed = []
    for key in sorted(before.keys() & after.keys()):
        a, b = before[key], after[key]
        if a.get("value") == b.get("value") and a.get("unit") == b.get("unit"):
            continue
        row = {"page": key[0], "name": key[1], "unit": b.get("unit"), "old": a.get("value"), "new": b.get("value"),
               "old_text": a.get("text"), "new_text": b.get("text"), "difference": None}
        if _number(row["old"]) and _number(row["new"]) and a.get("unit") == b.get("unit"):
            row["difference"] = round(row["new"] - row["old"], 12)
        changed.append(row)
    pa, pb = old.get("params", {}), new.get("params", {})
    params = [{"file": name, "old_sha256": pa.get(name), "new_sha256": pb.get(name),
               "status": "added" if name not in pa else "removed" if name not in pb else "changed"}
              for name in sorted(pa.keys() | pb.keys()) if pa.get(name) != pb.get(name)]
    side = ("casebook_version", "inputs_sha256", "built_at", "git_commit")
    return {"old": {k: old.get(k) for k in side}, "new": {k: new.get(k) for k in side},
            "figures": changed,
            "added": [{"page": k[0], "name": k[1], "value": after[k].get("value")}
                      for k in sorted(after.keys() - before.keys())],
            "removed": [{"page": k[0], "name": k[1], "value": before[k].get("value")}
                        for k in sorted(before.keys() - after.keys())],
            "params": params}


def changed(result: dict[str, Any]) -> bool:
    """Whether a comparison found anything: a figure changed, added or removed, or a params file."""
    return any(result[k] for k in ("figures", "added", "removed", "params"))


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if _number(value):
        return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)


def format_text(result: dict[str, Any]) -> str:
    lines = [f"old: inputs {str(result['old']['inputs_sha256'])[:16]}, built {result['old']['built_at']}",
             f"new: inputs {str(result['new']['inputs_sha256'])[:16]}, built {result['new']['built_at']}", ""]
    figs = result["figures"]
    lines.append(f"{len(figs)} figure(s) changed" + (":" if figs else ""))
    for r in figs:
        diff = "" if r["difference"] is None else f"  ({r['difference']:+,.6g})"
        unit = f" {r['unit']}" if r["unit"] else ""
        lines.append(f"  {r['page']}  {r['name']}: {_fmt(r['old'])} -> {_fmt(r['new'])}{unit}{diff}")
    for label in ("added", "removed"):
        if result[label]:
            lines.append(f"{len(result[label])} figure(s) {label}:")
            lines += [f"  {r['page']}  {r['name']}: {_fmt(r['value'])}" for r in result[label]]
    params = result["params"]
    lines.append(f"{len(params)} params file(s) changed" + (":" if params else ""))
    lines += [f"  {p['file']} ({p['status']})" for p in params]
    return "\n".join(lines)


# --- the book's page -------------------------------------------------------------------------------------

def _md_cell(text: Any) -> str:
    return _fmt(text).replace("|", "\\|")


def changes_markdown(previous: dict[str, Any] | None, current: dict[str, Any]) -> str:
    """The "Changes since the previous build" page (MyST Markdown), written by the build."""
    out = ["# Changes since the previous build", ""]
    if previous is None:
        out += ["This is the first build of this book here: there is no previous build to compare it with.",
                "Each later build lists on this page the figures that moved since the build it replaced.", ""]
        return "\n".join(out)
    result = compare(previous, current)
    out += [f"This build (inputs digest `{current['inputs_sha256'][:16]}`) replaced the build of "
            f"{previous.get('built_at', 'an unknown date')} (inputs digest "
            f"`{str(previous.get('inputs_sha256'))[:16]}`). `casebook diff` prints the same comparison "
            "between any two builds.", ""]
    figs = result["figures"]
    out += ["## Figures that changed", ""]
    if figs:
        out += ["| Page | Figure | Previous | Now | Difference | Unit |", "|---|---|---:|---:|---:|---|"]
        for r in figs:
            page = r["page"]
            link = f"{{doc}}`/{page.removesuffix('.html')}`"
            out.append(f"| {link} | `{r['name']}` | {_md_cell(r['old_text'] or r['old'])} | "
                       f"{_md_cell(r['new_text'] or r['new'])} | {_md_cell(r['difference'])} | {r['unit'] or ''} |")
    else:
        out.append("No glued figure changed.")
    out.append("")
    for label, title in (("added", "Figures added"), ("removed", "Figures removed")):
        if result[label]:
            out += [f"## {title}", "", "| Page | Figure | Value |", "|---|---|---:|"]
            out += [f"| {r['page']} | `{r['name']}` | {_md_cell(r['value'])} |" for r in result[label]]
            out.append("")
    out += ["## Params files whose digest changed", ""]
    if result["params"]:
        out += ["| File | Change |", "|---|---|"]
        out += [f"| `{p['file']}` | {p['status']} |" for p in result["params"]]
    else:
        out.append("None.")
    out.append("")
    return "\n".join(out)


def stage_figures(root: Path, stage: Path, pages: list[tuple[str, Path]], info: dict[str, Any],
                  params_dir: Path, previous_site: Path | None, extra_dir: str = "_extra") -> dict[str, Any]:
    """Write figures.json into the staged site (copied to the site root), archive it under build/figures/,
    and write the changes page into the book and its table of contents."""
    import yaml

    doc = document(collect(pages), info, params_dir, git_commit=clean_commit(root))
    text = dumps(doc)
    (stage / extra_dir).mkdir(parents=True, exist_ok=True)
    (stage / extra_dir / FIGURES_JSON).write_text(text, encoding="utf-8")
    archive = root / ARCHIVE / f"{info['inputs_sha256'][:16]}.json"
    archive.parent.mkdir(parents=True, exist_ok=True)
    archive.write_text(text, encoding="utf-8")
    previous = None
    if previous_site is not None and (previous_site / FIGURES_JSON).is_file():
        try:
            previous = _read_json(previous_site / FIGURES_JSON, "previous site")
        except CasebookError:
            previous = None
    (stage / f"{CHANGES_PAGE}.md").write_text(changes_markdown(previous, doc), encoding="utf-8")
    toc_path = stage / "_toc.yml"
    toc = yaml.safe_load(toc_path.read_text())
    files = json.dumps(toc)
    if f'"{CHANGES_PAGE}"' not in files:
        toc["parts"][-1]["chapters"].append({"file": CHANGES_PAGE})
        toc_path.write_text(yaml.safe_dump(toc, sort_keys=False, allow_unicode=True))
    return doc

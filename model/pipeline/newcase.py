"""`casebook new PATH`: a small, plainly illustrative case that builds at once with `casebook build`.

The starting case is package data (``model/pipeline/data/newcase/``): params for two versions in one
`extends` chain (an outline business case and the preferred option that extends it, each calibrated to
its published NPV), business as usual and a do-minimum option, one declared example source document, a
book with an index page and a short chapter (the economic analysis, the comparison of the versions, the
appendices and the page API reference come from the package), a README and a Makefile. Every value is labelled as an example. The params files point the YAML language
server at ``schema/params.schema.json`` (and the source declaration at
``schema/sources.schema.json``), written here from `model.core.schema_json`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from ..core.errors import CasebookError
from ..core.schema_json import params_file_schema, sources_schema
from .packaged import NEWCASE_DIR

SCHEMA_FILE = Path("schema/params.schema.json")
SOURCES_SCHEMA_FILE = Path("schema/sources.schema.json")
TITLE_TOKEN = "__TITLE__"
#: files whose text carries the title
TITLED = ("book/_config.yml", "book/index.md", "README.md")
#: package data cannot be named .gitignore reliably, so the template's copy is renamed
RENAMED = {"gitignore": ".gitignore"}
DEFAULT_TITLE = "An example business case"


def next_steps(path: Path | str) -> list[str]:
    """What `casebook new` prints once the case is written: how to build it, and where the pages that
    explain it are (the comparison of its versions and the page API reference, for writing pages)."""
    return [f"next: cd {path} && casebook build",
            "then open book/_build/html/index.html; the book lists comparison.html (the versions side by side "
            "and the NPV bridge) and api_reference.html (every function a page can call, for your own pages)"]


def new_case(path: Path | str, title: str | None = None) -> list[Path]:
    """Write the starting case into `path` (which must not exist, or be an empty folder).
    Returns the files written, relative to `path`."""
    dest = Path(path)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise CasebookError(f"{str(dest)!r} exists and is not empty: give a new folder")
    title = " ".join((title or DEFAULT_TITLE).split())
    if not title:
        raise CasebookError("must not be empty", key="--title")
    written: list[Path] = []
    try:
        dest.mkdir(parents=True, exist_ok=True)
        for src in sorted(p for p in NEWCASE_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            rel = src.relative_to(NEWCASE_DIR)
            rel = rel.with_name(RENAMED.get(rel.name, rel.name))
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if rel.as_posix() in TITLED:
                text = src.read_text(encoding="utf-8")
                # the title is YAML-quoted in _config.yml: escape what a double-quoted string needs
                value = json.dumps(title)[1:-1] if rel.suffix == ".yml" else title
                target.write_text(text.replace(TITLE_TOKEN, value), encoding="utf-8")
            else:
                shutil.copy2(src, target)
            written.append(rel)
        schema = dest / SCHEMA_FILE
        schema.parent.mkdir(parents=True, exist_ok=True)
        schema.write_text(json.dumps(params_file_schema(), indent=2) + "\n", encoding="utf-8")
        (dest / SOURCES_SCHEMA_FILE).write_text(json.dumps(sources_schema(), indent=2) + "\n", encoding="utf-8")
        written += [SCHEMA_FILE, SOURCES_SCHEMA_FILE]
    except OSError as exc:
        raise CasebookError(f"cannot write {exc.filename or dest}: {exc.strerror or exc}") from None
    return written

"""Every file in a params folder is a scenario, a source, or reported: a file that casebook would
otherwise pass over without a word (`x.yml`, `Outline_copy.yaml`, `outline-benefits half.yaml`) would leave
its figures out of the book while `check` says all is well."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import CasebookError, CasebookErrors
from .names import SLUG_RE

#: What else a params folder may hold without being reported: its source documents, and files that
#: editors and version control leave (no reader takes them for a scenario).
SOURCES_DIR = "sources"
QUIET = {".gitkeep", ".DS_Store", "README.md", "schema"}


def stray_files(params_dir: Path) -> list[CasebookError]:
    """One problem per file of the params folder that is neither a scenario (`<slug>.yaml`) nor the
    sources folder, each saying what a scenario's file name must be."""
    problems = []
    for path in sorted(params_dir.iterdir()):
        name = path.name
        if name in QUIET or name == SOURCES_DIR or name.startswith("."):
            continue
        if path.is_symlink() and not path.exists():
            problems.append(CasebookError(f"is a link to {os.readlink(path)!r}, which does not exist",
                                          file=f"{params_dir.name}/{name}"))
            continue
        if path.is_file() and path.suffix == ".yaml" and SLUG_RE.match(path.stem):
            continue
        if path.suffix in (".yaml", ".yml"):
            why = ("a scenario's file is <name>.yaml, the name in lower-case letters, digits and _ "
                   "(starting with a letter)")
            if path.suffix == ".yml" and SLUG_RE.match(path.stem):
                why = f"a scenario's file ends in .yaml: rename it {path.stem}.yaml"
            problems.append(CasebookError(f"not a scenario, so not read: {why}", file=f"{params_dir.name}/{name}"))
        else:
            problems.append(CasebookError("not a scenario or a source, so not read: move it out of the params "
                                          "folder (source documents go in sources/)",
                                          file=f"{params_dir.name}/{name}"))
    return problems


def check_no_stray_files(params_dir: Path) -> None:
    """Refuse a params folder with files that would be passed over (see stray_files)."""
    if not params_dir.is_dir():
        return  # scenario_names says the folder does not exist
    problems = stray_files(params_dir)
    if problems:
        raise problems[0] if len(problems) == 1 else CasebookErrors(problems)

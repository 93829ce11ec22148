"""Where the project's files are, whether run from the repository or from an installed copy."""

from __future__ import annotations

import os
from pathlib import Path

#: The repository root when the package is used from a checkout (editable install).
REPO_ROOT = Path(__file__).resolve().parents[2]


def resolve_params_dir(params_dir: str | Path | None = None) -> Path:
    """An explicit directory; else $CASEBOOK_PARAMS; else ./params in the working directory; else an
    error. One rule for the CLI and for a notebook run with plain papermill: there is no fallback to
    another folder (such as the params of the checkout casebook was installed from), which would give
    another case's figures without a word."""
    if params_dir:
        return Path(params_dir)
    if os.environ.get("CASEBOOK_PARAMS"):
        return Path(os.environ["CASEBOOK_PARAMS"])
    if Path("params").is_dir():
        return Path("params")
    from .errors import CasebookError

    raise CasebookError(f"no params folder: {Path.cwd()} has no params/; give one (casebook --params DIR, "
                        "or papermill -p params_dir DIR) or run from the case's folder")

"""Where the project's files are, whether run from the repository or from an installed copy."""

from __future__ import annotations

import os
from pathlib import Path

#: The repository root when the package is used from a checkout (editable install).
REPO_ROOT = Path(__file__).resolve().parents[2]


def resolve_params_dir(params_dir: str | Path | None = None) -> Path:
    """An explicit directory; else $CASEBOOK_PARAMS; else ./params; else the repository's params/."""
    if params_dir:
        return Path(params_dir)
    if os.environ.get("CASEBOOK_PARAMS"):
        return Path(os.environ["CASEBOOK_PARAMS"])
    if Path("params").is_dir():
        return Path("params")
    return REPO_ROOT / "params"

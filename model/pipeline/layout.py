"""Where the build reads and writes, relative to the project root (the working directory), and what
every step of it shares: the build's error, atomic writes, the params directory as the notebooks see it.

- ``notebooks/scenario.ipynb``: the parameterised scenario notebook (the packaged one when the case
  has none of its own, `model.pipeline.packaged`);
- ``book/``: the book's sources (``_config.yml``, ``_toc.yml``, pages, and any notebooks of its own);
  the generic chapters its ``_toc.yml`` lists and the site's assets come from the package unless the
  case has a file of the same name;
- ``build/runs/``: executed notebooks, each with the cache key it was executed under;
- ``book/_build/sites/<key>/``: built sites; ``book/_build/html`` is a symlink to the current one.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..core.errors import CasebookError


PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the model package
BOOK_DIR = Path("book")
RUNS_DIR = Path("build/runs")
LAST_BUILD = Path("build/last-build.json")
VENDOR_BUILD_DIR = Path("build/vendor")
SCENARIO_PAGES = "scenarios"          # where scenario pages go inside the book
DOWNLOADS = "_static/downloads"       # CSV and XLSX downloads inside the book
VENDOR_STATIC = "_static/casebook"    # where vendored JavaScript goes (the theme owns _static/vendor)
IGNORED_IN_BOOK = {"_build", "vendor", ".ipynb_checkpoints", "__pycache__", "node_modules"}


class BuildError(CasebookError):
    """A build step failed (a notebook cell, Sphinx, npm): exit code 1, not 2."""

    exit_code = 1


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(text)
    os.replace(tmp, path)


def relative_params_dir(root: Path, params_dir: Path) -> str:
    """The params directory as the notebooks see it (they run in the project root): relative when
    inside the project, so that no absolute path of the build machine reaches the pages."""
    try:
        return str(params_dir.resolve().relative_to(root))
    except ValueError:
        return str(params_dir.resolve())


"""Scenarios and their results as the book's tables and glue read them: each scenario loaded once per
params directory (calibrated once per build, read from the build's cache), its results, and its
Green Book appraisal at the decision point. The one cache of loaded scenarios lives here."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..core import deps
from ..core.paths import resolve_params_dir
from ..core.results import green_book_loaded
from ..core.scenario import Loaded


@lru_cache(maxsize=512)
def _load(name: str, params_dir: str) -> Loaded:
    return deps.load(name, params_dir)  # calibrated once per build, read from its cache


def _loaded(name: str, params_dir: str | Path | None) -> tuple[Loaded, str]:
    """The scenario and the params directory it was loaded from. In a copy of the params that nudges
    one assumption (model.analysis.dependence), a scenario whose chain does not read the nudged file is
    the original's, from the original directory (with its cached results)."""
    pdir = str(resolve_params_dir(params_dir))
    nudged = deps.nudged_file(pdir)
    if nudged is not None:
        base, stem = nudged
        if stem not in _load(name, base).chain:
            return _load(name, base), base
    return _load(name, pdir), pdir


def structure_dir(params_dir: str | Path | None) -> str:
    """The params directory to read a case's structure from: its scenarios' kinds, `extends` chains
    and own flags (`headline`, `short`). A nudged copy of the params (model.analysis.dependence) changes
    one assumption's value and never these, so its structure is the original's: a figure computed on
    the copy loads only the scenarios it uses, not every scenario to learn which kind it is."""
    return deps.original_dir(resolve_params_dir(params_dir))


def loaded(name: str, params_dir: str | Path | None = None) -> Loaded:
    """A scenario, loaded once per params directory (see `_loaded` for the nudged copies)."""
    ld, pdir = _loaded(name, params_dir)
    if pdir == str(resolve_params_dir(params_dir)):
        deps.touch(ld.files)  # a cached load still reads its files, for whoever is collecting reads
    return ld


def result(name: str, params_dir: str | Path | None = None) -> dict:
    """One scenario's results, as `casebook results NAME --json` gives them (NPV, TCO, present values,
    cash flows, the Green Book appraisal...), computed once per process."""
    ld, pdir = _loaded(name, params_dir)
    return deps.results_for(ld, pdir)


def green_book_appraisal(name: str, params_dir: str | Path | None = None):
    """The Green Book appraisal at the decision point of one scenario, as the model's Appraisal object."""
    return green_book_loaded(loaded(name, params_dir))

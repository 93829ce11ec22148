"""What the package ships for every case, and how a case's own files take their place.

``model/pipeline/data/`` (package data, so a plain ``pip install`` carries it):

- ``notebooks/scenario.ipynb``: the scenario notebook, run once per params file;
- ``book/``: the generic chapters (assumptions register, reconciliation, method, coverage of the sources,
  glossary, economic analysis, comparison of the versions, params reference, page API reference), the
  site's own assets (``_static/casebook.js``,
  ``casebook.css``) and the npm lock file of the vendored JavaScript (``vendor/``);
- ``newcase/``: the starting case that ``casebook new`` writes.

A case's own file of the same path (``notebooks/scenario.ipynb``, ``book/<page>.md``,
``book/_static/...``, ``book/vendor/package-lock.json``) overrides the packaged one. A packaged page
is staged only when the case's ``_toc.yml`` lists it, so that a case picks the chapters it wants.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
PACKAGED_BOOK = DATA_DIR / "book"
PACKAGED_NOTEBOOK = DATA_DIR / "notebooks" / "scenario.ipynb"
NEWCASE_DIR = DATA_DIR / "newcase"
OWN_NOTEBOOK = Path("notebooks/scenario.ipynb")
PAGE_SUFFIXES = (".md", ".ipynb")


def scenario_notebook(root: Path) -> Path:
    """The case's own scenario notebook when it has one, else the packaged one."""
    own = Path(root) / OWN_NOTEBOOK
    return own if own.is_file() else PACKAGED_NOTEBOOK


def vendor_dir(book: Path) -> Path:
    """The folder with the npm lock file of the vendored JavaScript: the case's own, else the packaged."""
    own = Path(book) / "vendor"
    return own if (own / "package-lock.json").is_file() else PACKAGED_BOOK / "vendor"


def toc_pages(book: Path) -> set[str]:
    """The pages a book's ``_toc.yml`` lists (``root`` and every ``file``), without their suffixes."""
    import yaml

    toc = yaml.safe_load((Path(book) / "_toc.yml").read_text(encoding="utf-8")) or {}
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("root", "file"):
                if isinstance(node.get(key), str):
                    found.add(str(Path(node[key]).with_suffix("")) if Path(node[key]).suffix in PAGE_SUFFIXES
                              else node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return found


def packaged_pages() -> list[str]:
    """The generic chapters the package ships, by name (``appendix_register``, ...)."""
    return sorted(p.stem for p in PACKAGED_BOOK.iterdir() if p.is_file() and p.suffix in PAGE_SUFFIXES)


def book_files(book: Path, ignored: set[str]) -> dict[str, Path]:
    """Every file of the book to stage, by its path inside the book: the packaged assets and the
    packaged pages the table of contents lists, overlaid by the case's own files (which win)."""
    book = Path(book)
    listed = toc_pages(book) if (book / "_toc.yml").is_file() else set()
    files: dict[str, Path] = {}
    for origin, is_package in ((PACKAGED_BOOK, True), (book, False)):
        if not origin.is_dir():
            continue
        for path in sorted(origin.rglob("*")):
            rel = path.relative_to(origin)
            if not path.is_file() or ignored & set(rel.parts) or path.suffix == ".pyc":
                continue
            if is_package and path.suffix in PAGE_SUFFIXES and str(rel.with_suffix("")) not in listed:
                continue
            files[rel.as_posix()] = path
    return dict(sorted(files.items()))

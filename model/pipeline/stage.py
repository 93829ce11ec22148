"""Staging the book for Sphinx: its sources, the executed notebooks, the downloads and the vendored
JavaScript copied into one directory, with the inputs' digest in every page's footer."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from ..report.rest_lists import add_rest_lists
from .jobs import Job
from .keys import manifest, sha256_bytes
from .layout import BOOK_DIR, DOWNLOADS, IGNORED_IN_BOOK, RUNS_DIR, VENDOR_STATIC
from .packaged import book_files
from .vendor import EXTRA_PATH, vendor_into


def cached_downloads(root: Path, params_dir: Path, common: bytes) -> Path:
    """The CSV and XLSX downloads, made again only when a params file (or the model) changed: they
    depend on every scenario. Kept in build/runs/downloads/."""
    from ..report.downloads import write_downloads

    key = sha256_bytes(b"downloads", common, *[b for f in sorted(params_dir.glob("*.yaml"))
                                               for b in (f.name.encode(), f.read_bytes())])
    cache, stamp = root / RUNS_DIR / "downloads", root / RUNS_DIR / "downloads.key"
    if cache.is_dir() and stamp.is_file() and stamp.read_text() == key:
        return cache
    tmp = root / RUNS_DIR / f".downloads-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    write_downloads(tmp, params_dir)
    stamp.unlink(missing_ok=True)
    shutil.rmtree(cache, ignore_errors=True)
    os.replace(tmp, cache)
    stamp.write_text(key)
    return cache


def stage_book(root: Path, stage: Path, jobs: list[Job], modules: Path, params_dir: Path,
               footer_placeholder: bool = False, downloads: Path | None = None) -> str:
    """Copy the book's sources, the executed notebooks, the downloads and the vendored JavaScript
    into `stage`. Returns the footer's digest (with `footer_placeholder`, the footer holds
    INPUTS_PLACEHOLDER instead, for `copy_site` to replace)."""
    from ..report.downloads import write_downloads

    stage.mkdir(parents=True, exist_ok=True)
    for name, path in book_files(root / BOOK_DIR, IGNORED_IN_BOOK).items():
        (stage / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, stage / name)
    for job in jobs:
        dest = stage / job.page
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(job.output, dest)
        hide_injected_parameters(dest)
        if job.source.suffix == ".md":  # the executed notebook replaces its text source
            (stage / Path(job.page).with_suffix(".md")).unlink(missing_ok=True)
    vendor_into(stage / VENDOR_STATIC, stage / EXTRA_PATH, modules)
    if downloads is not None:
        shutil.copytree(downloads, stage / DOWNLOADS, dirs_exist_ok=True)
    else:
        write_downloads(stage / DOWNLOADS, params_dir)
    return stamp_footer(stage, manifest(root, params_dir), footer_placeholder)


#: What the footer holds while Sphinx builds: the digest changes with every input, and a changed
#: theme option would make an incremental Sphinx write every page again.
INPUTS_PLACEHOLDER = "CASEBOOKINPUTSHA"


def copy_site(html: Path, dest: Path, digest: str) -> None:
    """Copy Sphinx's output to a new site, with the inputs' digest in place of the placeholder and
    each page's list of the assumptions its markers rest on (model.report.rest_lists)."""
    def copy(src: str, dst: str) -> None:
        if src.endswith(".html"):
            text = add_rest_lists(Path(src).read_text(encoding="utf-8"))
            Path(dst).write_text(text.replace(INPUTS_PLACEHOLDER, digest), encoding="utf-8")
        else:
            shutil.copy2(src, dst)

    shutil.copytree(html, dest, copy_function=copy)


def stamp_footer(stage: Path, info: dict[str, Any], placeholder: bool = False) -> str:
    """Put the project version and the inputs' digest in every page's footer, so that a reviewer can
    tell two reports apart and match a report to its inputs (`casebook build --manifest`).
    Returns the digest as shown; with `placeholder`, INPUTS_PLACEHOLDER stands in for it."""
    import yaml

    digest = info["inputs_sha256"][:16]
    config_path = stage / "_config.yml"
    config = yaml.safe_load(config_path.read_text()) or {}
    # sphinx.config.html_theme_options replaces what Jupyter Book derives from `html:`, so the footer
    # goes there
    options = config.setdefault("sphinx", {}).setdefault("config", {}).setdefault("html_theme_options", {})
    footer = options.get("extra_footer", "")
    options["extra_footer"] = (f'{footer} <p class="casebook-stamp">casebook {info["casebook_version"]} · '
                               f'inputs sha256 <code>{INPUTS_PLACEHOLDER if placeholder else digest}</code> '
                               f'(<code>casebook build --manifest</code> lists them)</p>').strip()
    _add_escape_extension(config)
    config_path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    return digest


ESCAPE_EXTENSION = "model.pipeline.sphinx_escape"


def _add_escape_extension(config: dict[str, Any]) -> None:
    """Every book escapes the page titles the theme writes as plain text (model.pipeline.sphinx_escape),
    whichever way its _config.yml lists its extensions."""
    sphinx = config.setdefault("sphinx", {})
    listed = sphinx.get("config", {}).get("extensions")
    target = listed if isinstance(listed, list) else sphinx.setdefault("extra_extensions", [])
    if ESCAPE_EXTENSION not in target:
        target.append(ESCAPE_EXTENSION)


def hide_injected_parameters(path: Path) -> None:
    """Tag papermill's injected-parameters cell remove-cell: the page shows results, not plumbing.
    Drop papermill's timings too, so that a notebook executed again with the same results stages
    the same bytes (and Sphinx, incremental, does not read it again)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            cell.metadata["tags"] = tags + ["remove-cell"]
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)


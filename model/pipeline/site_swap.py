"""The built sites under book/_build: which one is current, swapping in a new one atomically (a
failed or killed build leaves the previous site untouched), removing the old ones, and the lock that
keeps two builds from running at once."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Iterator

from .layout import BOOK_DIR, BuildError


def current_site(root: Path) -> Path | None:
    link = root / BOOK_DIR / "_build" / "html"
    return link.resolve() if link.exists() else None


def swap_site(root: Path, new_site: Path) -> Path:
    """Point book/_build/html at new_site atomically (rename of a symlink)."""
    build_dir = root / BOOK_DIR / "_build"
    link = build_dir / "html"
    if link.exists() and not link.is_symlink():  # an html directory from elsewhere: keep it aside
        link.rename(build_dir / "sites" / f"previous-{int(time.time())}")
    tmp_link = build_dir / f".html-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp_link.unlink()
    tmp_link.symlink_to(new_site.relative_to(build_dir))
    os.replace(tmp_link, link)
    return link


def remove_old_sites(root: Path, keep: Path) -> None:
    sites = root / BOOK_DIR / "_build" / "sites"
    for site in sites.iterdir():
        if site.resolve() != keep.resolve():
            shutil.rmtree(site, ignore_errors=True)


@contextlib.contextmanager
def build_lock(root: Path, wait: bool = True) -> Iterator[None]:
    """One build at a time: a second build waits for the first (or refuses with wait=False)."""
    lock_dir = root / BOOK_DIR / "_build"
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / ".build.lock", "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise BuildError("another build is running in this project; try again when it ends") from None
            print("casebook: another build is running; waiting for it to finish", file=sys.stderr)
            fcntl.flock(fh, fcntl.LOCK_EX)
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


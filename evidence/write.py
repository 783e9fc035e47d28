"""Write: the only stage that touches output/. Pages go into a staging folder beside
output/ and are swapped in only when all of them were written, so output/ is always
the complete previous site or the complete new one.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:                 # only a type here: keeps `build.py` quick to start (#9)
    from .render import Page

STAGING_PREFIX = "-staging-"
OLD_PREFIX = "-old-"


class WriteError(Exception):
    """A failure to write output (disk full, read-only, locked): one clear line."""


@contextlib.contextmanager
def build_lock(output: Path, wait: bool = True):
    """One build at a time per output folder; a second waits (or stops with a message)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    lock_path = output.parent / f".{output.name}-lock"
    with open(lock_path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise WriteError(f"another build is writing {output}/; try again when it ends") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def clean_stale(output: Path) -> None:
    """Remove staging and old folders left by an interrupted build."""
    for p in output.parent.glob(f".{output.name}{STAGING_PREFIX}*"):
        shutil.rmtree(p, ignore_errors=True)
    for p in output.parent.glob(f".{output.name}{OLD_PREFIX}*"):
        shutil.rmtree(p, ignore_errors=True)


def check_collisions(pages: list[Page]) -> None:
    """Two pages for one output path is a generator bug, not a silent overwrite."""
    seen: set[str] = set()
    for p in pages:
        norm = os.path.normpath(p.path)
        if norm.startswith("..") or os.path.isabs(norm):
            raise WriteError(f"refusing to write outside the output folder: {p.path}")
        if norm in seen:
            raise WriteError(f"two pages for one output path: {p.path}")
        seen.add(norm)


def write_site(pages: list[Page], output: Path, reuse: Path | None = None,
               before_swap: Callable[[Path], None] | None = None) -> None:
    """Write every page into staging, run before_swap on it (the search index), then swap."""
    output = Path(output)
    check_collisions(pages)
    parent = output.parent
    staging = parent / f".{output.name}{STAGING_PREFIX}{os.getpid()}"
    old = parent / f".{output.name}{OLD_PREFIX}{os.getpid()}"
    try:
        parent.mkdir(parents=True, exist_ok=True)
        clean_stale(output)
        staging.mkdir()
        made: set[Path] = set()
        for page in pages:
            target = staging / page.path
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            target.write_bytes(page.body)
        if before_swap:
            before_swap(staging)
        swap(staging, output, old)
    except OSError as e:
        shutil.rmtree(staging, ignore_errors=True)
        raise WriteError(f"cannot write {output}/: {_reason(e)}; the previous site is unchanged") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)   # e.g. the search indexer failed
        raise


def _reason(e: OSError) -> str:
    """An OSError in plain words."""
    return {errno.ENOSPC: "the disk is full", errno.EROFS: "the file system is read-only",
            errno.EACCES: "permission denied", errno.EDQUOT: "the disk quota is exceeded"}.get(
                e.errno, e.strerror or str(e))


def swap(staging: Path, output: Path, old: Path) -> None:
    """Two renames (os.replace cannot replace a non-empty folder), then drop the old tree."""
    if output.exists():
        os.rename(output, old)
        try:
            os.rename(staging, output)
        except OSError:
            os.rename(old, output)   # put the previous site back
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(staging, output)

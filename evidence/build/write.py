"""Write: the only stage that touches output/. Pages go into a staging folder beside
output/ and are swapped in only when all of them were written, so output/ is always
the complete previous site or the complete new one.
"""
from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import re
import shutil
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:                 # only a type here: keeps `build.py` quick to start (#9)
    from ..pages.render import Page

STAGING_PREFIX = "-staging-"
OLD_PREFIX = "-old-"
BACKUP_PREFIX = "-backup-"        # patch.commit's copies of the files it replaces
JOURNAL_PREFIX = "-journal-"      # patch.commit's list of what it changes, until it is done


class WriteError(Exception):
    """A failure to write output (disk full, read-only, locked): one clear line."""


LOCK_WAIT = 120.0   # seconds a second build waits for the first before giving up
_REASONS = {errno.ENOSPC: "the disk is full", errno.EROFS: "the file system is read-only",
            errno.EACCES: "permission denied", errno.EPERM: "permission denied",
            errno.EDQUOT: "the disk quota is exceeded", errno.ENOTDIR: "a path part is not a folder"}


def _reason(e: OSError) -> str:
    return _REASONS.get(e.errno, e.strerror or str(e))


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextlib.contextmanager
def build_lock(output: Path, wait: bool = True, notify=_say, timeout: float | None = None):
    """One build at a time per output folder: a second one says so and waits (up to
    LOCK_WAIT seconds), or with wait=False stops at once with a clear message."""
    output = Path(output)
    limit = LOCK_WAIT if timeout is None else timeout
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        fh = open(output.parent / f".{output.name}-lock", "a+")
    except OSError as e:
        raise WriteError(f"cannot write {output}/: {_reason(e)}; the previous site is unchanged") \
            from None
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            busy = f"another build is writing {output}/"
            if not wait:
                raise WriteError(f"{busy}; try again when it ends") from None
            notify(f"{busy}; waiting for it to finish ...")
            deadline = time.monotonic() + limit
            while True:
                time.sleep(0.05)
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise WriteError(f"{busy} and did not finish in {limit:g} s; "
                                         "try again when it ends") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _remove(path: Path) -> None:
    """Delete a folder tree (or a stray file or link) without following links."""
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)


def clean_stale(output: Path) -> None:
    """Tidy up after an interrupted build (call with the lock held): roll back an in-place
    commit a kill cut short (its journal), put back a previous site left aside by the
    two-rename fallback, then remove staging, old and backup folders."""
    journals = sorted(p for p in output.parent.glob(f".{output.name}{JOURNAL_PREFIX}*")
                      if not p.name.endswith(".tmp"))
    if journals:
        from .patch import roll_back
        for j in journals:
            roll_back(output, j)
    for tmp in output.parent.glob(f".{output.name}{JOURNAL_PREFIX}*.tmp"):
        tmp.unlink(missing_ok=True)
    olds = sorted(output.parent.glob(f".{output.name}{OLD_PREFIX}*"))
    if not output.exists() and not output.is_symlink() and olds:
        os.rename(olds[-1], output)
        olds = olds[:-1]
    for p in olds + sorted(output.parent.glob(f".{output.name}{STAGING_PREFIX}*")) \
            + sorted(output.parent.glob(f".{output.name}{BACKUP_PREFIX}*")):
        _remove(p)


_PLAIN = re.compile(r"(?:[a-z0-9_-][a-z0-9._-]*/)*[a-z0-9_-][a-z0-9._-]*\Z")


def check_collisions(pages: list[Page]) -> None:
    """Two pages for one output path is a generator bug, not a silent overwrite."""
    check_paths([p.path for p in pages])


def check_paths(paths) -> None:
    """check_collisions for output paths given as strings."""
    seen: set[str] = set()
    plain = _PLAIN.match
    for path in paths:
        # a plain relative path (no empty, "." or ".." part, not absolute, no NUL) is its own
        # normal form and inside output/: normpath and isabs are called only for the others
        norm = path
        if not plain(path):
            norm = os.path.normpath(path)
            if norm.startswith("..") or os.path.isabs(norm) or "\x00" in norm:
                raise WriteError(f"refusing to write outside the output folder: {path}")
        if norm in seen:
            raise WriteError(f"two pages for one output path: {path}")
        seen.add(norm)


def write_site(pages: list[Page], output: Path, reuse: Path | None = None,
               before_swap: Callable[[Path], None] | None = None) -> None:
    """Write every page into staging, run before_swap on it (the search index), then swap
    staging into output/ in one step."""
    output = Path(output)
    check_collisions(pages)
    parent = output.parent
    staging = parent / f".{output.name}{STAGING_PREFIX}{os.getpid()}"
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
        swap(staging, output)
    except OSError as e:
        _remove(staging)
        raise WriteError(f"cannot write {output}/: {_reason(e)}; the previous site is unchanged") \
            from None
    except BaseException:
        _remove(staging)   # e.g. the search indexer failed: the previous site stays
        raise


_libc = ctypes.CDLL(None, use_errno=True)
_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    fn = getattr(_libc, "renameat2", None)
    if fn is None:
        return False
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False   # e.g. a file system without exchange: fall back to two renames
    raise OSError(err, os.strerror(err), str(b))


def swap(staging: Path, output: Path, old: Path | None = None) -> None:
    """Put staging in output/'s place. An existing output/ is exchanged with staging in
    one atomic step, so a kill at any moment leaves the complete previous or new site;
    without kernel support, two renames (os.replace cannot replace a non-empty folder)
    and clean_stale() puts a previous site back if a kill lands between them."""
    if not output.exists():
        os.rename(staging, output)
        return
    if not output.is_dir():   # a user's file named like the output folder: never delete it
        raise WriteError(f"{output} is a file, not a folder; move it away and build again")
    if _exchange(staging, output):
        _remove(staging)          # now the previous site
        return
    old = old or output.parent / f".{output.name}{OLD_PREFIX}{os.getpid()}"
    os.rename(output, old)
    try:
        os.rename(staging, output)
    except OSError:
        os.rename(old, output)   # put the previous site back
        raise
    _remove(old)

"""Write: the only stage that touches output/. Pages go into a staging folder beside
output/ (written by a thread, Writer, while the next page renders) and are swapped in
only when all of them were written, so output/ is always the complete previous site or
the complete new one; a small rebuild moves its few files in place instead (patch.py).
"""
from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import queue
import re
import shutil
import sys
import threading
import time
from itertools import chain
from pathlib import Path

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


def check_paths(paths) -> None:
    """Two files for one output path is a generator bug, not a silent overwrite; and no
    path may leave the output folder."""
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


class Writer(threading.Thread):
    """Write (path, bytes or pieces of bytes) files under a folder: first `files`, then
    what put() hands over until finish(). What it raises is kept for the caller. Flat:
    each file under its staged_name, so no folder is made for it (a build in place moves
    its few files from there, with no folder to make for each)."""

    def __init__(self, target: Path, files: list[tuple[str, bytes]], flat: bool = False):
        super().__init__(daemon=True)
        self.target, self.files, self.error, self.flat = target, files, None, flat
        self.queue: queue.SimpleQueue = queue.SimpleQueue()

    def put(self, rel: str, body: bytes) -> None:
        self.queue.put((rel, body))

    def finish(self) -> None:
        self.queue.put(None)
        self.join()

    def run(self) -> None:
        made: set[Path] = set()
        try:
            for rel, body in chain(self.files, iter(self.queue.get, None)):
                stage(self.target, rel, body, self.flat, made)
        except BaseException as e:  # noqa: BLE001 - raised again by the build, in its thread
            self.error = e
            for _ in iter(self.queue.get, None):
                pass                    # (drain what is still handed over, write no more)


def stage(target: Path, rel: str, body, flat: bool, made: set | None = None) -> None:
    """Write one output file (bytes, or pieces of bytes written as they are, never joined)
    under its staged_name in target; made: the folders known to exist already."""
    dest = target / staged_name(rel, flat)
    if not flat and (made is None or dest.parent not in made):
        dest.parent.mkdir(parents=True, exist_ok=True)
        if made is not None:
            made.add(dest.parent)
    if isinstance(body, bytes):
        dest.write_bytes(body)
    else:
        write_pieces(dest, body)


def staged_name(rel: str, flat: bool) -> str:
    """Where an output file waits before the commit: its own path, or (flat) one name
    in the staging folder itself ('/' and '%' escaped)."""
    return rel.replace("%", "%25").replace("/", "%2F") if flat else rel


def write_pieces(path: Path, pieces: list[bytes]) -> None:
    """Write the pieces of a file's bytes in a few system calls (writev), without joining
    them: studies.json is 10,000 pieces at 5,000 studies, and a write per piece makes this
    thread take the lock the rendering thread holds 10,000 times."""
    if not hasattr(os, "writev"):       # not on Windows
        with open(path, "wb") as f:
            f.writelines(pieces)
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        for i in range(0, len(pieces), _IOV_MAX):
            batch = pieces[i:i + _IOV_MAX]
            done = os.writev(fd, batch)
            rest = memoryview(b"".join(batch))[done:] if done < sum(map(len, batch)) else b""
            while rest:                 # a short write (rare for a regular file)
                rest = rest[os.write(fd, rest):]
    finally:
        os.close(fd)


_IOV_MAX = min(os.sysconf("SC_IOV_MAX"), 1024) if hasattr(os, "sysconf") else 1024


def link_unchanged(output: Path, target: Path, paths: list[str]) -> None:
    """Hard-link unchanged files of the previous site into staging (copy across devices)."""
    for rel in paths:
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(output / rel, dest)
        except OSError:
            shutil.copy2(output / rel, dest)


def remove_all(folders: list[Path]) -> None:
    """Delete folder trees (patch.commit's leftovers), in a thread beside the last saves."""
    for f in folders:
        shutil.rmtree(f, ignore_errors=True)


def all_files(root: Path) -> set[str]:
    """Every file under root, as paths relative to it."""
    return {str(Path(r, f).relative_to(root).as_posix()) for r, _, fs in os.walk(root) for f in fs}


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

"""Apply a small set of changed pages to output/ in place, all or nothing (issue 9).

Re-linking thousands of unchanged files into a fresh staging folder costs seconds on
this file system, so a small rebuild writes only what changed: every new file is first
written beside its target, then each one is renamed over its target while the old file
is kept in a backup folder. If any step fails, the backups are put back and the new
files removed, so output/ is the previous site again; a full build (the staging swap in
write.py) is used whenever much of the site changes.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from .write import BACKUP_PREFIX, WriteError, _reason


def commit(output: Path, pending: Path, written: list[str], removed: list[str],
           name=lambda rel: rel) -> list[Path]:
    """Move pending/<name(path)> over output/<path> for each written path; delete removed paths.
    Returns the folders left to delete (the replaced files' backups, the emptied pending
    folder): deleting them frees the old files' blocks, 0.02 s of a one-study rebuild at
    5,000 studies (the old studies.json is 22 MB), which the caller does beside its last
    steps. A folder left behind is deleted by the next build (write.clean_stale)."""
    backup = output.parent / f".{output.name}{BACKUP_PREFIX}{os.getpid()}"
    shutil.rmtree(backup, ignore_errors=True)
    done: list[tuple[str, bool]] = []          # (path, had an old file)
    try:
        backup.mkdir()
        for i, rel in enumerate(written + removed):
            target = output / rel
            had = target.exists()
            if had:
                os.link(target, backup / str(i))
            if i < len(written):
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(pending / name(rel), target)
            elif had:
                target.unlink()
            done.append((rel, had))
    except BaseException as e:
        for i, (rel, had) in reversed(list(enumerate(done))):
            target = output / rel
            try:
                if had:
                    os.replace(backup / str(i), target)
                else:
                    target.unlink(missing_ok=True)
            except OSError:
                pass
        shutil.rmtree(backup, ignore_errors=True)
        shutil.rmtree(pending, ignore_errors=True)
        if isinstance(e, OSError):
            raise WriteError(f"cannot write {output}/: {_reason(e)}; the previous site is unchanged") from None
        raise
    for rel in removed:                         # a deleted study's folder goes too
        parent = (output / rel).parent
        while parent != output:
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent
    return [backup, pending]

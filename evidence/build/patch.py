"""Apply a small set of changed pages to output/ in place, all or nothing (issue 9).

Re-linking thousands of unchanged files into a fresh staging folder costs seconds on
this file system, so a small rebuild writes only what changed: every new file is first
written beside its target, then each one is renamed over its target while the old file
is kept in a backup folder. If any step fails, the backups are put back and the new
files removed, so output/ is the previous site again; a full build (the staging swap in
write.py) is used whenever much of the site changes.

A journal beside output/ (issue 19), written before the first file is replaced and
deleted once the last one is, lists every change and the folders it makes. If the
process is killed in between, the next build (or serve) rolls the changes back from the
backups before anything else (`roll_back`, called by write.clean_stale), so output/ is
the complete previous site again.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from .write import BACKUP_PREFIX, JOURNAL_PREFIX, WriteError, _reason


def commit(output: Path, pending: Path, written: list[str], removed: list[str],
           name=lambda rel: rel) -> list[Path]:
    """Move pending/<name(path)> over output/<path> for each written path; delete removed paths.
    Returns the folders left to delete (the replaced files' backups, the emptied pending
    folder): deleting them frees the old files' blocks (the old studies.json among them),
    which the caller does beside its last steps. A folder left behind is deleted by the next build (write.clean_stale)."""
    backup = output.parent / f".{output.name}{BACKUP_PREFIX}{os.getpid()}"
    journal = output.parent / f".{output.name}{JOURNAL_PREFIX}{os.getpid()}"
    shutil.rmtree(backup, ignore_errors=True)
    done: list[tuple[str, bool]] = []          # (path, had an old file)
    try:
        backup.mkdir()
        _write_journal(journal, output, backup, written + removed)
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
        journal.unlink(missing_ok=True)
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
    journal.unlink()                            # the new site is complete: nothing to roll back
    return [backup, pending]


def _write_journal(journal: Path, output: Path, backup: Path, paths: list[str]) -> None:
    """Record, before anything changes, each path (with whether it had a file) and the
    folders that writing it will make, so that roll_back can undo any prefix of the work."""
    made: list[str] = []
    seen: set[str] = set()
    for rel in paths:
        parent = Path(rel).parent
        while str(parent) not in (".", "") and str(parent) not in seen:
            seen.add(str(parent))
            if not (output / parent).exists():
                made.append(str(parent))
            parent = parent.parent
    entries = [[rel, (output / rel).exists()] for rel in paths]
    tmp = journal.with_name(journal.name + ".tmp")
    tmp.write_text(json.dumps({"backup": backup.name, "entries": entries, "made": made}), "utf-8")
    os.replace(tmp, journal)                    # the journal exists whole, or not at all


def roll_back(output: Path, journal: Path) -> None:
    """Undo a commit a killed build left half done: put every backed-up file back, delete
    the files it added, then the folders it made; finally the journal and the backups."""
    try:
        data = json.loads(journal.read_text("utf-8"))
    except (OSError, ValueError):
        journal.unlink(missing_ok=True)         # written by os.replace: never half there
        return
    backup = output.parent / data["backup"]
    for i, (rel, had) in reversed(list(enumerate(data["entries"]))):
        target, saved = output / rel, backup / str(i)
        if had and saved.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(saved, target)
        elif not had:
            target.unlink(missing_ok=True)
    for folder in sorted(data["made"], key=lambda f: f.count("/"), reverse=True):
        try:
            (output / folder).rmdir()
        except OSError:
            pass
    shutil.rmtree(backup, ignore_errors=True)
    journal.unlink(missing_ok=True)

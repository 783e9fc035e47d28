"""What a build keeps: the typed records its stages hand on (ContentFile, Scanned,
Checked, Plan), and the Session that carries state from one build to the next in a
long-lived process (serve).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from .engine import Build


class ContentFile(NamedTuple):
    """One content file as the scan found it."""

    path: Path
    rel: str                  # as messages name it
    kind: str                 # site, glossary, study, condition or drug
    raw: bytes | OSError | None   # None: unchanged since the last build, not read
    digest: str


class Scanned(NamedTuple):
    """What scan() found: the content files, the source texts by stem (path as a string,
    raw, digest), and the stat signatures seen (for the next build's scan)."""

    files: list[ContentFile]
    sources: dict[str, tuple]
    stats: dict


class Checked(NamedTuple):
    """The content, loaded and checked: documents, source texts by study, cache keys by file."""

    docs: list
    texts: dict[str, str]
    keys: dict[str, str]


class Plan(NamedTuple):
    """What this build writes, and how."""

    entries: list               # render.page_plan(): (path, template, context)
    keys: dict[str, str | None]     # every output file's key (manifest.page_key)
    dirty: list                 # the entries to render
    files: list                 # (path, bytes or pieces) of the other files to write
    staged: bool                # a whole new site swapped in, or the changed files moved in place
    gone: list[str]             # files of the last build no longer made
    removed: list[str]          # of those, the ones deleted in place
    everything: bool            # no previous site to reuse


class Session:
    """What one build hands the next in a long-lived process (`serve`): the checked content
    (with its documents) and the fragments, kept in memory instead of read back from
    .cache/ (both keyed by content, so they cannot go stale), the generator's digest, the
    Jinja environment while no template changes, the content files' paths, the manifest it
    saved (used while its file is unchanged), and the last
    build itself (its site model and page plan). Not warm, it only holds the last build,
    so that its objects are not freed one by one in a process that ends after it (the
    command line)."""

    def __init__(self, warm: bool = True, tidy=None) -> None:
        from ..pages.fragments import Fragments
        self.warm = warm        # False: it only holds the last build (a process that ends after it)
        self.tidy = tidy        # what the process does with its memory between rebuilds (cli.between_rebuilds)
        self.generator: str | None = None
        self.docs: dict[Path, object] = {}          # cache folder -> cache.Cache
        self.fragments = Fragments()                # the store every build of the session uses
        self.kept: dict[Path, tuple] = {}           # fragments folder -> Fragments.save()
        self.last: Build | None = None
        self.retired: list = []                     # earlier builds, freed between rebuilds
        self.env: tuple | None = None               # ((templates, cache folder, digests), Jinja environment)
        self.paths: dict[str, Path] = {}            # the scan's Path of each content file
        self.pending: list = []                     # the last build's cache saves (Build.later)
        self.manifest: tuple | None = None          # ((cache folder, output), file signature, Manifest)

    def keep_manifest(self, folder: Path, output: Path, saved) -> None:
        """The manifest a build just saved, with its file's signature."""
        from .manifest import Manifest
        self.manifest = ((folder, output), _signature(Manifest.location(folder, output)), saved)

    def manifest_for(self, folder: Path, output: Path):
        """The manifest kept, while its file is the one saved with it (no other build has
        written one since); else None."""
        from .manifest import Manifest
        kept = self.manifest
        if kept and kept[0] == (folder, output) and _signature(Manifest.location(folder, output)) == kept[1]:
            return kept[2]
        return None

    def flush(self) -> None:
        """Save what the last build left to save (its content cache and fragments)."""
        while self.pending:
            self.pending.pop(0)()

    def settle(self) -> None:
        """Between rebuilds (serve's idle time): save the last build's caches, free the
        build before it, then let the process tidy its memory (`serve` from the command
        line passes cli.between_rebuilds)."""
        self.flush()
        self.retired.clear()
        self.fragments.freed_later = []
        if self.tidy is not None:
            self.tidy()


def _signature(path: Path) -> tuple | None:
    """A file's size, time and inode (None when it is missing)."""
    import os
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ino

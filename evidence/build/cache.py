"""Parsed and checked content, cached by each file's content (issue 9).

Parsing YAML and checking every file again is what makes a naive rebuild slow, so the
result of load + validate.check_doc for one file is kept in `.cache/` beside output/,
keyed by a digest of everything it depends on: the file's bytes, its path (messages
name it), its kind, its source text (quotes are checked against it) and the generator
itself (code, schemas, library versions). A cached result is exactly what a fresh parse
gives, so a cached build equals a clean build; anything unknown is simply recomputed.
"""
from __future__ import annotations

import os
import pickle
import stat
import sys
from collections import Counter
from functools import partial
from dataclasses import dataclass
from pathlib import Path

from ..content.errors import ContentError, display_path
from ..pages.fragments import PRUNE
from ..content.load import KINDS, LoadError, SourceDoc, content_names, parse_yaml, source_names
from .manifest import digest
from .state import ContentFile, Scanned
from .workers import chunks, pool

FORMAT = 3                   # bump when DocResult or its packing (_pack) changes shape


def _intern(value):
    """Share repeated keys, so the pickle is smaller and loads faster."""
    if isinstance(value, dict):
        return {sys.intern(k) if isinstance(k, str) else k: _intern(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_intern(v) for v in value]
    return value


@dataclass
class DocResult:
    """One file, loaded and checked: what validate() and the model need of it."""

    kind: str
    rel: str
    data: object = None
    valid: bool = False
    report: object = None            # validate.Report of check_doc
    load_error: ContentError | None = None
    source: str | None = None        # the study's source text (the model keeps it)


class CachedDoc(SourceDoc):
    """A SourceDoc made from the cache: marks are read again only if a message needs them."""

    def _marks(self) -> None:
        if self.marks or not self.path:
            return
        try:
            fresh = parse_yaml(Path(self.path).read_bytes(), self.rel, self.kind, Path(self.path))
        except (OSError, LoadError):
            return
        self.marks, self.text = fresh.marks, fresh.text

    def locate(self, fpath: tuple, key: bool = False) -> tuple[int, int]:
        self._marks()
        return super().locate(fpath, key)

    def source_line(self, line: int) -> str | None:
        self._marks()
        return super().source_line(line)


def analyse(path: Path, rel: str, kind: str, raw: bytes, source: str | None) -> tuple[DocResult, SourceDoc | None]:
    """Parse and check one file, as a clean build does."""
    from ..content.validate import check_doc
    try:
        doc = parse_yaml(raw, rel, kind, path)
    except LoadError as e:
        return DocResult(kind, rel, load_error=e.error), None
    valid, report = check_doc(doc, source)
    return DocResult(kind, rel, _intern(doc.data), valid, report, source=source), doc


def as_doc(result: DocResult, path: Path) -> CachedDoc:
    """A document for validate() and the model, from a (cached) result."""
    return CachedDoc(path, result.rel, result.kind, result.data)


def _pack(r: DocResult) -> tuple:
    """A result as plain tuples: they load faster than dataclass objects, which pickle
    rebuilds one by one from their __dict__ (measured in docs/performance.md)."""
    rep = r.report
    return (r.kind, r.rel, r.data, r.valid, rep if rep is None else
            (rep.errors, rep.warnings, rep.figures_checked, rep.figures_found, rep.figures_derived,
             rep.quotes_checked, rep.reading), r.load_error, r.source)


def _unpack(t: tuple) -> DocResult:
    from ..content.validate import Report
    kind, rel, data, valid, rep, load_error, source = t
    return DocResult(kind, rel, data, valid, rep if rep is None else Report(*rep), load_error, source)


class Cache:
    """Results by key (packed as tuples), in 16 pickle files by the key's first digit, so
    that a rebuild after one edit rewrites one sixteenth of it; entries no build uses any
    more are dropped when their shard is written (save)."""

    SHARDS = "0123456789abcdef"

    def __init__(self, folder: Path | None, keep: bool = False):
        self.folder = folder
        self.entries: dict[str, tuple] = {}     # key -> _pack(DocResult)
        # keep (a session's cache, kept between builds): each entry's unpacked result and
        # document too, so the next build takes the same objects instead of making new ones
        self.kept: dict[str, tuple[DocResult, CachedDoc | None]] | None = {} if keep else None
        self.used: set[str] = set()
        self.changed: set[str] = set()          # shards to write again
        self.found = 0                          # shard files read
        for shard in self.SHARDS if folder else ():
            try:
                self.entries.update(pickle.loads(self._file(shard).read_bytes()))
                self.found += 1
            except FileNotFoundError:
                pass
            except Exception:  # noqa: BLE001 - a damaged cache is only a slower build
                self.changed.add(shard)

    def _file(self, shard: str) -> Path:
        return self.folder / f"docs-{FORMAT}-{shard}.pickle"

    def get(self, key: str) -> DocResult | None:
        hit = self.entries.get(key)
        if hit is None:
            return None
        self.used.add(key)
        if self.kept is None:
            return _unpack(hit)
        got = self.kept.get(key)
        if got is None:
            got = self.kept[key] = (_unpack(hit), None)
        return got[0]

    def doc(self, key: str, result: DocResult, path: Path) -> CachedDoc:
        """The document of a result get() gave (the same object each build, when kept)."""
        if self.kept is None:
            return as_doc(result, path)
        got = self.kept.get(key)
        if got is None or got[1] is None or got[0] is not result:
            got = self.kept[key] = (result, as_doc(result, path))
        return got[1]

    def put(self, key: str, result: DocResult) -> None:
        self.entries[key] = _pack(result)
        self.used.add(key)
        self.changed.add(key[0])

    def clear(self) -> None:
        """Forget every entry (--clean)."""
        self.changed |= {k[0] for k in self.entries}
        self.entries = {}
        if self.kept is not None:
            self.kept = {}

    def save(self) -> None:
        """Write changed shards atomically (temp file, then rename), without the entries this
        build did not use. A shard is not written only to drop unused entries until they are
        a tenth of it: an edited file's old entry waits, and the edit rewrites one shard."""
        if not self.folder:
            return
        unused, size = Counter(k[0] for k in self.entries if k not in self.used), Counter(k[0] for k in self.entries)
        self.changed |= {shard for shard, n in unused.items() if n * PRUNE >= size[shard]}
        if not self.changed:
            return
        self.entries = {k: v for k, v in self.entries.items() if k in self.used or k[0] not in self.changed}
        if self.kept is not None:
            self.kept = {k: v for k, v in self.kept.items() if k in self.entries}
        self.folder.mkdir(parents=True, exist_ok=True)
        for shard in sorted(self.changed):
            part = {k: v for k, v in self.entries.items() if k[0] == shard}
            target = self._file(shard)
            tmp = target.with_suffix(f".tmp{os.getpid()}")
            try:
                tmp.write_bytes(pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL))
                os.replace(tmp, target)
            except OSError:
                tmp.unlink(missing_ok=True)  # the cache is an optimisation: never fail a build on it
        if not self.found:          # the first cache of this format: files of another go
            for old in self.folder.glob("docs-*-?.pickle"):
                if not old.name.startswith(f"docs-{FORMAT}-"):
                    old.unlink(missing_ok=True)
        self.changed = set()


def doc_key(raw_digest: str, rel: str, kind: str, source_digest: str, generator: str) -> str:
    """What a file's result depends on, as one key."""
    return digest("\0".join((raw_digest, rel, kind, source_digest, generator)).encode())


def analyse_items(items: list, idx: range) -> list:
    """items[idx] analysed, as (index, DocResult) (in a forked worker)."""
    out = []
    for i in idx:
        path, rel, kind, raw, source = items[i]
        out.append((i, analyse(path, rel, kind, raw, source)[0]))
    return out


def scan(content: Path, known: dict | None = None, before_ns: int = 0, paths: dict | None = None) -> Scanned:
    """Every content file (ContentFile), every source text as stem -> (path as a string,
    raw, digest), and the stat signatures seen.

    paths: the Path of each content file by its name as a string, kept from the last
    scan (a session's), filled here. raw is the bytes; None when size, time and inode equal the last build's
    and the file is older than that build's scan (then its digest is reused and nothing is read, as
    git does: a no-change rebuild reads no content); an OSError when it cannot be read.
    """
    known, stats = known or {}, {}
    lstat, is_link = os.lstat, stat.S_ISLNK

    def read(name: str):
        try:
            st = lstat(name)
            linked = is_link(st.st_mode)
            if linked:
                st = os.stat(name)
            sig = (st.st_size, st.st_mtime_ns, st.st_ino, linked)
            old = known.get(name)
            if old and old[0] == sig and st.st_mtime_ns < before_ns:
                stats[name] = old
                return None, old[1], linked
            with open(name, "rb") as f:
                raw = f.read()
        except OSError as e:
            return e, "", False
        stats[name] = (sig, digest(raw))
        return raw, stats[name][1], linked

    # names and paths as strings, one lstat per file: a Path object and its str() for
    # every content and source file would be made on every rebuild
    files = []
    for fname, kind in (("site.yaml", "site"), ("glossary.yaml", "glossary")):
        path = content / fname
        if path.exists():
            raw, dig, linked = read(str(path))
            files.append(ContentFile(path, display_path(path), kind, raw, dig))
    for folder, kind in KINDS.items():
        d = content / folder
        names = content_names(d)
        if not names:
            continue
        base, dname = display_path(d), str(d)
        prefix = "" if base == "." else base + "/"
        for n in names:
            name = f"{dname}/{n}"
            path = paths.get(name) if paths is not None else None
            if path is None:
                path = d / n
                if paths is not None:
                    paths[name] = path
            raw, dig, linked = read(name)
            files.append(ContentFile(path, display_path(path) if linked else prefix + n, kind, raw, dig))
    sources = {}
    folder = content / "sources"
    for n in source_names(folder):
        name = f"{folder}/{n}"
        sources[os.path.splitext(n)[0]] = (name, *read(name)[:2])
    return Scanned(files, sources, stats)


def source_text(source) -> str | None:
    """A source text, decoded as load.read_sources does (read now if the scan skipped it)."""
    if source is None:
        return None
    path, raw, _ = source
    if raw is None:
        with open(path, "rb") as f:
            raw = f.read()
    return None if isinstance(raw, OSError) else raw.decode("utf-8", "replace").lstrip("\ufeff")


def check_ahead(files, sources, generator: str, folder: Path | None) -> dict[str, DocResult]:
    """Check the files this scan read (new or changed since the last build), by cache key:
    run in a forked child while the parent loads the cache (engine.py)."""
    from ..content import readability
    readability.keep_tables_in(folder)
    out = {}
    for path, rel, kind, raw, dig in files:
        if isinstance(raw, bytes):
            key, src = file_key(path.stem, rel, kind, dig, sources, generator)
            out[key] = analyse(path, rel, kind, raw, source_text(src))[0]
    return out


def file_key(stem: str, rel: str, kind: str, dig: str, sources: dict, generator: str):
    """A content file's cache key (doc_key), and its source text's scan entry (studies)."""
    src = sources.get(stem) if kind == "study" else None
    return doc_key(dig, rel, kind, src[2] if src else "", generator), src


def _check_now(items: list, jobs: int, progress: Progress):
    """(index in items, (DocResult, the parsed document or None)) for each of items,
    checked by forked workers when there are many."""
    forked = pool(jobs, len(items), partial(analyse_items, items))
    if forked:
        with forked:
            done = 0
            for part in forked.imap_unordered(chunks(len(items))):
                yield from ((n, (r, None)) for n, r in part)
                done += len(part)
                progress.show("check", done, len(items))
        return
    for n, item in enumerate(items):
        yield n, analyse(*item)
        progress.show("check", n + 1, len(items))


def load_checked(files, sources, cache: Cache | None, generator: str, jobs: int,
          progress: Progress, result: Result, ready: dict[str, DocResult] | None = None):
    """Parsed, checked documents: from the cache when the file is unchanged, else from
    `ready` (check_ahead's results) or checked now."""
    from ..content.load import load_file, LoadError
    docs, errors, checked, keys, todo = [None] * len(files), [], {}, {}, []
    fresh: dict[int, tuple] = {}
    stems: dict[int, str] = {}           # a study's file name without .yaml: its source's name
    for i, (path, rel, kind, raw, dig) in enumerate(files):
        if kind == "study":
            stems[i] = path.stem
        key = keys[rel] = file_key(stems.get(i, ""), rel, kind, dig, sources, generator)[0]
        hit = cache.get(key) if cache and not isinstance(raw, OSError) else None
        if hit is not None:
            docs[i] = hit
            result.cached += 1
        elif isinstance(raw, OSError):
            try:
                load_file(path, kind)
            except LoadError as e:
                errors.append(e.error)
        elif ready and key in ready:
            fresh[i] = (ready[key], None)
        else:
            todo.append(i)
    items = [(files[i][0], files[i][1], files[i][2],
              files[i][3] if files[i][3] is not None else files[i][0].read_bytes(),
              source_text(sources.get(files[i][0].stem)) if files[i][2] == "study" else None) for i in todo]
    if cache and cache.folder and items:
        from ..content import readability
        readability.keep_tables_in(cache.folder)     # looked up, not all of CMUdict loaded
        readability.TABLES.load()           # before the fork: the workers share the tables
    fresh.update((todo[n], found) for n, found in _check_now(items, jobs, progress))
    for i, (res, doc) in fresh.items():
        stem_ok = not (res.kind == "study" and isinstance(res.data, dict)
                       and res.data.get("id") != stems[i])
        if cache and stem_ok:               # provenance used the source named by the file
            cache.put(keys[res.rel], res)
        docs[i] = (res, doc)
    out, texts = [], {}
    for i, d in enumerate(docs):
        res, doc = d if isinstance(d, tuple) else (d, None)
        if res is None:
            continue
        if res.load_error:
            errors.append(res.load_error)
            continue
        checked[res.rel] = (res.valid, res.report)
        if res.kind == "study" and res.source is not None:
            texts[stems[i]] = res.source
        out.append(doc or (cache.doc(keys[res.rel], res, files[i][0]) if cache else as_doc(res, files[i][0])))
    return out, errors, checked, keys, texts



def prepare_checks(folder: Path) -> None:
    """What checking a content file needs loaded, loaded before the files are known (in
    the Early child: PyYAML and the strict loader, the syllable tables, the schemas)."""
    from ..content import readability
    from ..content.load import pyyaml
    from ..content.validate import validator
    pyyaml()
    readability.keep_tables_in(folder)
    readability.TABLES.load()
    for kind in ("study", "condition", "drug"):
        validator(kind)

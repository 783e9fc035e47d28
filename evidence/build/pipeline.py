"""The build pipeline: load -> validate -> model -> render -> write, incremental (issue 9).

Each content file's parse and checks are cached by content (cache.py); each output file
is re-rendered only when its inputs changed (manifest.py). The result is byte for byte
what a clean build (`--clean`) writes.
"""
from __future__ import annotations

import datetime as _dt
import os
import queue
import shutil
import sys
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from itertools import chain
from pathlib import Path

from ..content.errors import ContentError
from ..pages.fragments import Fragments
from .manifest import Manifest, digest, file_digests, stamp
from .workers import JOB, Early, Progress, chunks, pool

PACKAGE = Path(__file__).resolve().parents[1]    # the whole evidence package


def _n(count: int, one: str, many: str | None = None) -> str:
    """'1 study', '6 studies'."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


class BuildFailed(Exception):
    """Content errors (or warnings under --strict): nothing was written."""

    def __init__(self, problems: list[ContentError]):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


@dataclass
class Result:
    """What a run did, for the one-screen summary."""

    output: Path | None = None
    pages: int = 0
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    studies: int = 0
    drugs: int = 0
    conditions: int = 0
    warnings: list[ContentError] = field(default_factory=list)
    figures_checked: int = 0
    figures_found: int = 0
    figures_derived: int = 0
    reading: list = field(default_factory=list)
    texts_graded: int | None = None     # len(reading) when reading holds only the highest
    times: dict[str, float] = field(default_factory=dict)
    cached: int = 0              # content files taken from the cache
    notes: list[str] = field(default_factory=list)     # e.g. why there is no sitemap.xml

    def summary(self) -> str:
        total = sum(self.times.values())
        unquoted = self.figures_checked - self.figures_found
        lines = []
        what = (f"Built {self.pages} pages ({_n(self.studies, 'study', 'studies')}, {_n(self.drugs, 'drug')}, "
                f"{_n(self.conditions, 'condition')}) in {total:.2f} s"
                if self.output else
                f"Checked {_n(self.studies, 'study', 'studies')}, {_n(self.drugs, 'drug')}, "
                f"{_n(self.conditions, 'condition')} "
                f"in {total:.2f} s; nothing written")
        lines.append(what + (f"; open {self.output}/index.html" if self.output else ""))
        if self.output:
            lines.append(f"Pages: {self.written} written, {self.unchanged} unchanged"
                         + (f", {self.removed} removed" if self.removed else ""))
            lines += self.notes
        lines.append(f"Figures: {self.figures_checked + self.figures_derived} "
                     f"({self.figures_found} found in their quotes, {self.figures_derived} derived, "
                     f"{unquoted} unquoted); {len(self.warnings)} warning"
                     f"{'s' if len(self.warnings) != 1 else ''}")
        if self.reading:
            worst = max(self.reading, key=lambda r: r[2])
            graded = len(self.reading) if self.texts_graded is None else self.texts_graded
            lines.append(f"Reading level: {graded} family texts, highest grade "
                         f"{worst[2]:g} ({worst[0]} {worst[1]})"
                         # issue 6: the independent Flesch-Kincaid (readability.independent_grade)
                         + (f"; independent check highest {max(r[3] for r in self.reading):g}"
                            if len(worst) > 3 else ""))
        lines.append("Time: " + ", ".join(f"{k} {v:.2f} s" for k, v in self.times.items()))
        return "\n".join(lines)


def build_date() -> str:
    """The build's date (SOURCE_DATE_EPOCH when set, for reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc).date().isoformat()
    return _dt.date.today().isoformat()


def cache_folder(output: Path) -> Path:
    """Where the cache and manifests live: .cache/ beside output/ (git-ignored)."""
    return Path(output).parent / ".cache"


def _validate(content: Path, strict: bool, result: Result, cache=None, generator: str = "",
              jobs: int = 1, progress: Progress | None = None, scanned=None, ready=None):
    from ..content.validate import validate
    t = time.perf_counter()
    from .cache import load_checked, scan
    files, sources, _ = scanned or scan(content)
    docs, errors, checked, keys, texts = load_checked(files, sources, cache, generator, jobs,
                                                      progress or Progress(True), result, ready)
    sources = texts          # the model needs each study's own source text (from the cache)
    result.times["load"] = time.perf_counter() - t
    t = time.perf_counter()
    report = validate(docs, sources, checked=checked)
    result.times["validate"] = time.perf_counter() - t
    problems = errors + report.errors
    if strict:
        problems += [w.as_error() for w in report.warnings]
    result.warnings = [] if strict else report.warnings
    result.figures_checked, result.figures_found = report.figures_checked, report.figures_found
    result.figures_derived, result.reading = report.figures_derived, report.reading
    if problems:
        raise BuildFailed(sorted(problems) + ([] if strict else report.warnings))
    result.studies = sum(d.kind == "study" for d in docs)
    result.drugs = sum(d.kind == "drug" for d in docs)
    result.conditions = sum(d.kind == "condition" for d in docs)
    return docs, sources, keys


def check(content: Path, strict: bool = False, jobs: int | None = None) -> Result:
    """Validate only; write nothing (not even the cache)."""
    if not content.is_dir():
        raise FileNotFoundError(f"no content folder at {content}")
    result = Result()
    _validate(content, strict, result, jobs=jobs or os.cpu_count() or 1)
    return result



def _render_chunk(idx: range) -> list[str]:
    """Render plan entries idx into JOB's target folder (runs in a worker or in-process):
    written by JOB's writer thread when there is one, else here."""
    from ..pages.render import render_page
    env, site, entries, target = JOB["env"], JOB["site"], JOB["entries"], JOB["target"]
    writer = JOB["writer"] if os.getpid() == JOB["parent"] else None
    done, mark = [], STORE.mark()
    for i in idx:
        page = render_page(env, site, entries[i])
        if writer:
            writer.put(page.path, page.body)
        else:
            _stage(target, page.path, page.body, JOB["flat"])
        done.append(page.path)
    # a forked worker sends back the fragments it made, for the parent to keep
    return done, (STORE.since(mark) if os.getpid() != JOB["parent"] else [])


def _render(env, site, entries: list, target: Path, jobs: int, progress: Progress,
            writer: _Writer | None = None) -> None:
    """Render entries into target, on several cores when there are many; in this process,
    writer (a _Writer) writes the pages while the next is rendered."""
    JOB.update(env=env, site=site, entries=entries, target=target, parent=os.getpid(),
               writer=writer, flat=writer.flat if writer else False)
    try:
        forked, done = pool(jobs, len(entries)), 0
        if forked:
            with forked:
                for part, made in forked.imap_unordered(_render_chunk, chunks(len(entries))):
                    STORE.merge(made)           # fragments a worker made, kept for the next build
                    done += len(part)
                    progress.show("render", done, len(entries))
        else:
            for chunk in chunks(len(entries)):
                done += len(_render_chunk(chunk)[0])
                progress.show("render", done, len(entries))
    finally:
        JOB.clear()


def _search(site_dir: Path, no_search: bool) -> None:
    """The search index (Pagefind, issue 8), written into the staged site before the swap."""
    if not no_search:
        from . import search
        search.index(site_dir)


def build(content: Path, output: Path, strict: bool = False, *, clean: bool = False,
          search: bool = True, quiet: bool = True, jobs: int | None = None,
          templates: Path | None = None, warm: bool = False, final: bool = False) -> Result:
    """Validate, render what changed, and update output/ (all or nothing); `search=False`
    is `--no-search`. `final`: the process ends after this build (the command line)."""
    no_search = not search
    from .write import build_lock, clean_stale
    if not content.is_dir():
        raise FileNotFoundError(f"no content folder at {content}")
    import gc
    collecting = gc.isenabled()
    gc.disable()            # no reference cycles to find; GC passes over 5,000 parsed files cost ~20%
    try:
        with build_lock(Path(output)):      # the manifest must describe output/ as this build found it
            clean_stale(Path(output))       # every build first undoes what a killed one left
            return _build(content, output, strict, clean, no_search, quiet, jobs, templates, warm, final)
    finally:
        STORE.reset()           # its digests belong to this build's objects
        if collecting and not final:
            # (not when the process ends next: the first allocation after gc.enable() would
            # scan every object this build made, for nothing)
            gc.enable()


def _build(content: Path, output: Path, strict: bool, clean: bool, no_search: bool, quiet: bool,
           jobs: int | None, templates: Path | None, warm: bool = False, final: bool = False) -> Result:
    from .manifest import Fingerprints, TemplateDeps, page_key
    from .write import STAGING_PREFIX, check_paths, swap
    output, jobs = Path(output), jobs or os.cpu_count() or 1
    templates = Path(templates or PACKAGE.parent / "templates")     # render.TEMPLATES
    result, progress, folder = Result(output=output), Progress(quiet), cache_folder(output)
    t = time.perf_counter()
    generator, options = _generator(), repr((no_search, build_date()))
    tdigests = file_digests(templates)
    old = None if clean else Manifest.load(folder, output)
    # the second core, from here: a forked child looks for hand-edited output files while
    # this process scans the content, then imports what checking a file needs (jsonschema,
    # the pronunciation tables); once the scan is done it checks the few changed
    # files while this process loads the cache and the rendering modules (Jinja, Markdown).
    # Not beside other threads, as in serve: a forked child inherits none of them, and a
    # lock one of them held would never be released in the child.
    helper = Early(partial(old.intact, output), partial(_prepare, folder), _check_ahead) \
        if old and output.is_dir() and threading.active_count() == 1 else None
    try:
        scan_ns = time.time_ns()
        from .cache import scan
        scanned = files, sources, stats = scan(content, old.stats if old else None, old.scanned if old else 0)
        inputs = digest(repr((generator, options, sorted(tdigests.items()), [(f[1], f[4]) for f in files],
                              sorted((k, v[2]) for k, v in sources.items()))).encode())
        result.times["scan"] = time.perf_counter() - t
        if old and old.inputs == inputs and output.is_dir() and \
                not (helper.first() if helper else old.intact(output)):
            for k, v in old.summary.items():     # nothing changed: report the last build's findings
                setattr(result, k, v)
            if strict and result.warnings:       # --strict turns those warnings into errors
                raise BuildFailed(sorted(w.as_error() for w in result.warnings))
            result.written = 0
            result.unchanged = result.pages
            return result
        ahead, t = None, time.perf_counter()
        changed = [f for f in files if isinstance(f[3], bytes)]
        if helper and len(changed) <= AHEAD_MAX:     # more go to the worker pool
            stems = {f[0].stem for f in changed}
            ahead = helper.send(changed, {k: v for k, v in sources.items() if k in stems}, generator, folder)
        from . import cache as _cache
        from ..pages.render import make_env, page_plan
        # warm (serve): the checked content stays in memory between rebuilds instead of being
        # read back from .cache/; its entries are keyed by content, so they cannot go stale
        store = _WARM.get(("docs", folder)) if warm and not clean else None
        if store is None:
            store = _cache.Cache(folder)
        store.used = set()
        if warm:
            _WARM[("docs", folder)] = store
        if clean:
            store.clear()
        ready = ahead() if ahead else {}
        touched = helper.first() if helper else None
    finally:
        if helper:
            helper.stop()
    before = time.perf_counter() - t         # the cache and the child's work: part of "load"
    try:
        docs, texts, keys = _validate(content, strict, result, store, generator, jobs, progress,
                                      scanned, ready)
    finally:
        t = time.perf_counter()
        store.save()
        result.times["load"] = result.times.get("load", 0) + before + time.perf_counter() - t
    from ..content.model import build_site
    t = time.perf_counter()
    site = build_site(docs, texts, build_date())
    result.notes = _notes(site.config)
    env = make_env(templates, STORE)
    from jinja2 import FileSystemBytecodeCache
    (folder / "jinja").mkdir(parents=True, exist_ok=True)   # compiled templates: same output, quicker start
    env.bytecode_cache = FileSystemBytecodeCache(str(folder / "jinja"))
    known = old.templates.get("scans") if old and old.templates.get("generator") == generator else None
    tdeps, fp = TemplateDeps(env, tdigests, known), Fingerprints(site, keys)
    base = "\0".join([generator, options] + [keys[d.rel] for d in docs if d.kind in ("site", "glossary")])
    # per-study pieces (rows, feed entries, downloads) from the last build, by content digest
    fragments_dir = folder / f"fragments-{digest(str(output.resolve()).encode())}"
    STORE.start(digest(repr((base, sorted(tdigests.items()))).encode()),
                fp.entity, None if clean else fragments_dir,
                _WARM.get(("fragments", fragments_dir)) if warm and not clean else None)
    plan = page_plan(site)
    everything = clean or old is None or not output.is_dir()
    touched = set() if everything else touched if touched is not None else old.intact(output)
    # files copied as they are, and files made from the whole site (feeds, sitemap, the
    # downloads): made every time, written only when their bytes differ from the last build's.
    # (Making them in a forked child while this process renders was slower: after the fork
    # both processes copy every memory page they touch.)
    static_keys, changed = _statics(templates, site, [e[0] for e in plan], fp,
                                    {} if everything else old.pages, touched, everything)
    check_paths([e[0] for e in plan] + list(static_keys))
    new_keys = {e[0]: page_key(e, base, tdeps, fp) for e in plan}
    new_keys.update(static_keys)
    result.times["model"] = time.perf_counter() - t
    dirty = plan if everything else [e for e in plan if new_keys[e[0]] is None or e[0] in touched
                                     or new_keys[e[0]] != old.pages.get(e[0])]
    dirty_static = [f[0] for f in changed]
    # a staging folder when the search step needs the whole site, or when most files change
    # (then renaming them one by one has no advantage); otherwise changed files in place
    staged = everything or not no_search or len(dirty) > len(plan) // 2
    gone = [] if everything else sorted(set(old.files) - set(new_keys))     # e.g. a deleted study's page
    removed = [] if staged else sorted(set(gone) | set(old.extra))
    remover = None
    result.pages = sum(p.endswith(".html") for p in new_keys)
    result.written = sum(e[0].endswith(".html") for e in dirty)
    result.unchanged, result.removed = result.pages - result.written, len(gone)
    t = time.perf_counter()
    target = output.parent / f".{output.name}{STAGING_PREFIX}{os.getpid()}"
    shutil.rmtree(target, ignore_errors=True)
    try:
        target.mkdir(parents=True)
        # the downloads (15,000 small files at 5,000 studies) are written by a thread while
        # the workers render: the parent process would otherwise wait on them afterwards
        writer = _Writer(target, changed, flat=not staged)
        writer.start()
        try:
            _render(env, site, dirty, target, jobs, progress, writer)
        finally:
            writer.finish()
        if writer.error:
            raise writer.error
        result.times["render"] = time.perf_counter() - t
        t = time.perf_counter()
        if staged:
            fresh = {e[0] for e in dirty} | set(dirty_static)
            _link_unchanged(output, target, [p for p in new_keys if p not in fresh])
            _search(target, no_search)
            result.times["search"] = time.perf_counter() - t
            t = time.perf_counter()
            Manifest.forget(folder, output)
            swap(target, output, output.parent / f".{output.name}-old-{os.getpid()}")
        else:
            from .patch import commit
            Manifest.forget(folder, output)
            leftovers = commit(output, target, [e[0] for e in dirty] + dirty_static, removed,
                               partial(staged_name, flat=True))
            # deleted beside the manifest and fragment saves (unlinks release the lock)
            remover = threading.Thread(target=_remove_all, args=(leftovers,), daemon=True)
            remover.start()
    except OSError as e:
        shutil.rmtree(target, ignore_errors=True)
        from .write import WriteError, _reason
        raise WriteError(f"cannot write {output}/: {_reason(e)}; the previous site is unchanged") from None
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)   # e.g. a template bug: output/ untouched
        raise
    if staged:
        written = stamp(output, new_keys)
    else:                                   # unchanged files keep their stamps: 5,000 fewer stat calls
        fresh = [e[0] for e in dirty] + dirty_static
        written = {**{p: old.files[p] for p in new_keys if p in old.files}, **stamp(output, fresh)}
    extra = stamp(output, sorted(_all_files(output) - set(new_keys))) if staged and not no_search else {}
    summary = {k: getattr(result, k) for k in ("pages", "studies", "drugs", "conditions", "warnings", "notes",
                                             "figures_checked", "figures_found", "figures_derived")}
    # for the no-change report: the highest grades, not every text's (25,000 at 5,000 studies)
    summary["reading"] = [max(result.reading, key=lambda r: r[2]),
                          max(result.reading, key=lambda r: r[-1])] if result.reading else []
    summary["texts_graded"] = len(result.reading)
    Manifest(inputs, new_keys, written, extra, summary, stats, scan_ns,
             {"generator": generator, "scans": tdeps.scans()}).save(folder, output)
    try:
        kept = STORE.save(fragments_dir, set(fp.entity.values()))
        if warm:
            _WARM[("fragments", fragments_dir)] = kept
    except OSError:
        pass                    # a cache: the site is written; the next build renders more
    if remover:
        remover.join()
    result.times["write"] = time.perf_counter() - t
    if final:       # the process ends next: freeing the build's objects one by one on return
        _KEPT.append(locals())          # would take measurable time, for nothing
    return result


def _notes(config: dict) -> list[str]:
    """Lines for the build report about what the site leaves out (no sitemap without base_url)."""
    from ..pages.feeds import sitemap_note
    return [n for n in [sitemap_note(config)] if n]


AHEAD_MAX = 64      # changed files checked ahead in a child; more go to the worker pool


def _prepare(folder: Path) -> None:
    """What checking a content file needs loaded, loaded before the files are known."""
    from .cache import quick_pronunciations
    from ..content.load import pyyaml
    from ..content.validate import validator
    pyyaml()                             # PyYAML and the strict loader
    quick_pronunciations(folder)
    for kind in ("study", "condition", "drug"):
        validator(kind)


def _check_ahead(files, sources, generator: str, folder: Path) -> dict:
    """The changed files, checked, by cache key (run in the Early child)."""
    from .cache import check_ahead
    return check_ahead(files, sources, generator, folder)


def _statics(templates: Path, site, paths: list[str], fp, old_pages: dict, touched: set, everything: bool):
    """The files not rendered from a page template: ({path: key}, [(path, bytes or pieces)
    of those changed since the last build]). The assets are keyed by their bytes; the files
    made from the whole site by what they are made from, like pages (render.whole_site_files):
    a condition's feed by its studies, a study's citation files by the study, the rest by
    the base (generator, options, site.yaml, glossary, templates), every entry's digest and
    the list of pages. Only files whose key changed are made."""
    from ..pages.render import static_files, whole_site_files
    whole = "site:" + digest("\0".join([STORE.base, *(fp.lists[n] for n in sorted(fp.lists)),
                                         "\n".join(paths)]).encode())
    assets = static_files(templates)
    keys = {f.path: "static:" + digest(f.body) for f in assets}
    changed = [(f.path, f.body) for f in assets
               if everything or f.path in touched or keys[f.path] != old_pages.get(f.path)]
    get = old_pages.get
    for group, key, make in whole_site_files(site, paths, STORE):
        key = key or whole
        due = everything
        for path in group:
            keys[path] = key
            due = due or path in touched or get(path) != key
        if due:
            changed += make()
    return keys, changed


class _Writer(threading.Thread):
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
                _stage(self.target, rel, body, self.flat, made)
        except BaseException as e:  # noqa: BLE001 - raised again by the build, in its thread
            self.error = e
            for _ in iter(self.queue.get, None):
                pass                    # (drain what is still handed over, write no more)


def _stage(target: Path, rel: str, body, flat: bool, made: set | None = None) -> None:
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


def _link_unchanged(output: Path, target: Path, paths: list[str]) -> None:
    """Hard-link unchanged files of the previous site into staging (copy across devices)."""
    for rel in paths:
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(output / rel, dest)
        except OSError:
            shutil.copy2(output / rel, dest)


def _remove_all(folders: list[Path]) -> None:
    for f in folders:
        shutil.rmtree(f, ignore_errors=True)


def _all_files(root: Path) -> set[str]:
    return {str(Path(r, f).relative_to(root).as_posix()) for r, _, fs in os.walk(root) for f in fs}


_GEN: list[str] = []
STORE = Fragments()
_KEPT: list = []        # build(final=True): what is left for the process's exit to drop
_WARM: dict = {}        # build(warm=True), as serve calls it: what one rebuild hands the next


def _generator() -> str:
    """The generator's version (code, schemas, libraries), computed once per process."""
    if not _GEN:
        from .manifest import generator_digest
        _GEN.append(generator_digest(PACKAGE, PACKAGE.parent / "schema"))   # validate.SCHEMA_DIR
    return _GEN[0]

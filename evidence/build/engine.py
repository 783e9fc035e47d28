"""The build engine: one Build object runs a build's stages in order, and holds all of
its state (issue 18).

Previous state, scan, nothing changed?, load and check, the site model, the page plan,
render and write, the search index, the swap, save state, report: each is a method of
Build, reading and setting the build's attributes. Each content file's parse and checks
are cached by content (cache.py); each output file is re-rendered only when its inputs
changed (manifest.py); the result is byte for byte what a clean build (`--clean`)
writes. A Session (state.py) holds what one build hands the next in a long-lived process.
"""
from __future__ import annotations

import os
import shutil
import threading
import time
from functools import partial
from pathlib import Path

from . import write
from .manifest import Manifest, digest, file_digests, stamp
from ..content.readability import keep_tables_in
from .cache import check_ahead, prepare_checks
from .pipeline import PACKAGE, BuildFailed, Result, build_date, cache_folder
from .rendering import RenderJob, statics
from .state import Checked, Plan, Session
from .workers import Early, Progress

AHEAD_MAX = 64      # changed files checked ahead in a child; more go to the worker pool


class Build:
    """One build: its options, then what each stage finds, as attributes."""

    def __init__(self, content: Path, output: Path | None, strict: bool = False, *, clean: bool = False,
                 search: bool = True, quiet: bool = True, jobs: int | None = None,
                 templates: Path | None = None, session: Session | None = None):
        from ..pages.fragments import Fragments
        self.content, self.strict, self.clean, self.no_search = Path(content), strict, clean, not search
        self.output = Path(output) if output is not None else None
        self.jobs = jobs or os.cpu_count() or 1
        self.templates = Path(templates or PACKAGE.parent / "templates")     # render.TEMPLATES
        self.holder = session                   # keeps this build (report)
        self.session = session if session and session.warm else None    # its caches, between builds
        self.fragments = session.fragments if session else Fragments()
        self.result, self.progress = Result(output=self.output), Progress(quiet)
        self.folder = cache_folder(self.output) if self.output else None
        self.old: Manifest | None = None
        self.helper: Early | None = None
        self.touched: set[str] | None = None
        self.remover: threading.Thread | None = None

    def run(self) -> Result:
        """Validate, render what changed, and update output/ (all or nothing)."""
        if not self.content.is_dir():
            raise FileNotFoundError(f"no content folder at {self.content}")
        if self.session:
            self.session.flush()                # the last build's cache saves, if not done yet
        try:
            with write.build_lock(self.output):     # the manifest must describe output/ as this build found it
                write.clean_stale(self.output)      # every build first undoes what a killed one left
                return self._stages()
        finally:
            if self.session:                    # its digests belong to this build's objects
                self.later(self.fragments.reset)

    def _stages(self) -> Result:
        self.previous_state()
        try:
            self.scan()
            if self.nothing_changed():
                return self.report()
            self.load_and_check()
        finally:
            if self.helper:
                self.helper.stop()
        self.site_model()
        self.plan_pages()
        self.publish()
        self.save_state()
        return self.report()

    def check(self) -> Result:
        """Validate only; write nothing (not even the cache)."""
        if not self.content.is_dir():
            raise FileNotFoundError(f"no content folder at {self.content}")
        self.generator, self.options, self.tdigests = "", "", {}
        self.t0 = time.perf_counter()
        self.scan()
        took = self.result.times.pop("scan")
        self.checked = self._validate(None, {})
        self.result.times["load"] += took
        return self.result

    # -- the stages, in order -------------------------------------------------------------

    def previous_state(self) -> None:
        """The generator's version, the options, the templates, the last build's manifest;
        and, from here, the second core (Early): a forked child looks for hand-edited output
        files while this process scans the content, then imports what checking a file needs
        (jsonschema, the syllable tables); once the scan is done it checks the few changed
        files while this process loads the cache and the rendering modules (Jinja, Markdown).
        Not beside other threads, as in serve: a forked child inherits none of them, and a
        lock one of them held would never be released in the child."""
        self.t0 = time.perf_counter()
        self.generator = self._generator()
        self.options = repr((self.no_search, build_date()))
        self.tdigests = file_digests(self.templates)
        self.old = old = None if self.clean else self._last_manifest()
        keep_tables_in(self.folder)     # named here, so a forked child's tables are found by later builds
        if old and self.output.is_dir() and threading.active_count() == 1:
            self.helper = Early(partial(old.intact, self.output), partial(prepare_checks, self.folder), check_ahead)

    def scan(self) -> None:
        """Every content and source file, read only when its size, time or inode changed."""
        from .cache import scan
        old = self.old
        self.scan_ns = time.time_ns()
        self.scanned = scan(self.content, old.stats if old else None, old.scanned if old else 0,
                            self.session.paths if self.session else None)
        files, sources = self.scanned.files, self.scanned.sources
        self.inputs = digest(repr((self.generator, self.options, sorted(self.tdigests.items()),
                                   [(f.rel, f.digest) for f in files],
                                   sorted((k, v[2]) for k, v in sources.items()))).encode())
        self.result.times["scan"] = time.perf_counter() - self.t0

    def nothing_changed(self) -> bool:
        """True when no input changed and output/ is as the last build left it; then the
        result reports the last build's findings."""
        old, result = self.old, self.result
        if not (old and old.inputs == self.inputs and self.output.is_dir()) or \
                (self.helper.first() if self.helper else old.intact(self.output)):
            return False
        for k, v in old.summary.items():
            setattr(result, k, v)
        if self.strict and result.warnings:      # --strict turns those warnings into errors
            raise BuildFailed(sorted(w.as_error() for w in result.warnings))
        result.written = 0
        result.unchanged = result.pages
        return True

    def load_and_check(self) -> None:
        """Parse and check what changed (in the child when it is a few files), take the rest
        from the cache, and check across files."""
        t = time.perf_counter()
        files, sources = self.scanned.files, self.scanned.sources
        changed = [f for f in files if isinstance(f.raw, bytes)]
        ahead = None
        if self.helper and len(changed) <= AHEAD_MAX:      # more go to the worker pool
            stems = {f.path.stem for f in changed}
            ahead = self.helper.send(changed, {k: v for k, v in sources.items() if k in stems},
                                     self.generator, self.folder)
        from ..pages import render  # noqa: F401 - imported while the child checks (Jinja, Markdown)
        store = self._docs_cache()
        ready = ahead() if ahead else {}
        if self.helper:
            self.touched = self.helper.first()
            self.helper.stop()
        before = time.perf_counter() - t         # the cache and the child's work: part of "load"
        try:
            self.checked = self._validate(store, ready)
        finally:
            t = time.perf_counter()
            self.later(store.save)
            self.result.times["load"] = self.result.times.get("load", 0) + before + time.perf_counter() - t

    def site_model(self) -> None:
        """The linked site, the Jinja environment, the fingerprints of its entries, and the
        last build's fragments (per-study rows, feed entries, downloads, by content digest)."""
        from ..content.model import build_site
        from ..pages.feeds import sitemap_note
        from .manifest import Fingerprints, TemplateDeps
        self.t_model = time.perf_counter()
        docs, texts, keys = self.checked
        self.site = build_site(docs, texts, build_date())
        self.result.notes = [n for n in [sitemap_note(self.site.config)] if n]    # e.g. no sitemap without base_url
        self.env = self._environment()
        old = self.old
        known = old.templates.get("scans") if old and old.templates.get("generator") == self.generator else None
        self.tdeps, self.fp = TemplateDeps(self.env, self.tdigests, known), Fingerprints(self.site, keys)
        self.base = "\0".join([self.generator, self.options]
                              + [keys[d.rel] for d in docs if d.kind in ("site", "glossary")])
        self.fragments_dir = self.folder / f"fragments-{digest(str(self.output.resolve()).encode())}"
        kept = self.session.kept.get(self.fragments_dir) if self.session and not self.clean else None
        self.fragments.start(digest(repr((self.base, sorted(self.tdigests.items()))).encode()),
                             self.fp.entity, None if self.clean else self.fragments_dir, kept)

    def plan_pages(self) -> None:
        """Every page and file with its key; the ones whose key changed (or that were
        edited by hand in output/) are to be written."""
        from ..pages.render import page_plan
        from .manifest import page_key
        old, result = self.old, self.result
        entries = page_plan(self.site)
        everything = self.clean or old is None or not self.output.is_dir()
        touched = set() if everything else self.touched if self.touched is not None else old.intact(self.output)
        static_keys, files = statics(self.site, self.templates, self.fp, self.fragments, [e[0] for e in entries],
                                     {} if everything else old.pages, touched, everything)
        write.check_paths([e[0] for e in entries] + list(static_keys))
        keys = {e[0]: page_key(e, self.base, self.tdeps, self.fp) for e in entries}
        keys.update(static_keys)
        result.times["model"] = time.perf_counter() - self.t_model
        dirty = entries if everything else [e for e in entries if keys[e[0]] is None or e[0] in touched
                                            or keys[e[0]] != old.pages.get(e[0])]
        # a staging folder when the search step needs the whole site, or when most files change
        # (then renaming them one by one has no advantage); otherwise changed files in place
        staged = everything or not self.no_search or len(dirty) > len(entries) // 2
        gone = [] if everything else sorted(set(old.files) - set(keys))     # e.g. a deleted study's page
        removed = [] if staged else sorted(set(gone) | set(old.extra))
        result.pages = sum(p.endswith(".html") for p in keys)
        result.written = sum(e[0].endswith(".html") for e in dirty)
        result.unchanged, result.removed = result.pages - result.written, len(gone)
        self.plan = Plan(entries, keys, dirty, files, staged, gone, removed, everything)

    def publish(self) -> None:
        """Render and write, the search index, the swap: output/ is the whole previous site
        until the swap, and the whole new one after it."""
        self.target = self.output.parent / f".{self.output.name}{write.STAGING_PREFIX}{os.getpid()}"
        shutil.rmtree(self.target, ignore_errors=True)
        try:
            self.render_and_write()
            if self.plan.staged:
                self.search_index()
            self.swap()
        except OSError as e:
            shutil.rmtree(self.target, ignore_errors=True)
            raise write.WriteError(f"cannot write {self.output}/: {write._reason(e)}; "
                                   "the previous site is unchanged") from None
        except BaseException:
            shutil.rmtree(self.target, ignore_errors=True)   # e.g. a template bug: output/ untouched
            raise

    def render_and_write(self) -> None:
        """The changed pages rendered (on several cores when there are many) and written
        into the staging folder by a thread, with the other changed files, while the next
        page renders."""
        t = time.perf_counter()
        self.target.mkdir(parents=True)
        self.writer = writer = write.Writer(self.target, self.plan.files, flat=not self.plan.staged)
        writer.start()
        try:
            RenderJob(self.env, self.site, self.plan.dirty, self.target, writer, self.fragments,
                      flat=not self.plan.staged).run(self.jobs, self.progress)
        finally:
            writer.finish()
        if writer.error:
            raise writer.error
        self.result.times["render"] = time.perf_counter() - t

    def search_index(self) -> None:
        """The unchanged files linked into the staging folder, and the search index
        (Pagefind, issue 8) made over it."""
        t = time.perf_counter()
        fresh = {e[0] for e in self.plan.dirty} | {f[0] for f in self.plan.files}
        write.link_unchanged(self.output, self.target, [p for p in self.plan.keys if p not in fresh])
        if not self.no_search:
            from . import search
            search.index(self.target)
        self.result.times["search"] = time.perf_counter() - t

    def swap(self) -> None:
        """The staging folder swapped in for output/, or the changed files moved into it
        (patch.commit). The manifest goes first: a crash after this means a full build."""
        from . import patch
        self.t_write = time.perf_counter()
        Manifest.forget(self.folder, self.output)
        if self.plan.staged:
            write.swap(self.target, self.output, self.output.parent / f".{self.output.name}-old-{os.getpid()}")
            return
        leftovers = patch.commit(self.output, self.target, self.fresh_paths(), self.plan.removed,
                                 partial(write.staged_name, flat=True))
        # deleted beside the manifest and fragment saves (unlinks release the lock)
        self.remover = threading.Thread(target=write.remove_all, args=(leftovers,), daemon=True)
        self.remover.start()

    def save_state(self) -> None:
        """The manifest (what each file was made from, and its stamp) and the fragments."""
        plan, old, output, result = self.plan, self.old, self.output, self.result
        if plan.staged:
            written = stamp(output, plan.keys)
        else:                                   # unchanged files keep their stamps: 5,000 fewer stat calls
            written = {**{p: old.files[p] for p in plan.keys if p in old.files},
                       **stamp(output, self.fresh_paths())}
        extra = stamp(output, sorted(write.all_files(output) - set(plan.keys))) \
            if plan.staged and not self.no_search else {}
        summary = {k: getattr(result, k) for k in ("pages", "studies", "drugs", "conditions", "warnings", "notes",
                                                 "figures_checked", "figures_found", "figures_derived")}
        # for the no-change report: the highest grades, not every text's (25,000 at 5,000 studies)
        summary["reading"] = [max(result.reading, key=lambda r: r[2]),
                              max(result.reading, key=lambda r: r[-1])] if result.reading else []
        summary["texts_graded"] = len(result.reading)
        saved = Manifest(self.inputs, plan.keys, written, extra, summary, self.scanned.stats, self.scan_ns,
                         {"generator": self.generator, "scans": self.tdeps.scans()})
        saved.save(self.folder, output)
        if self.session:
            self.session.keep_manifest(self.folder, output, saved)
        self.later(self._save_fragments)
        if self.remover:
            self.remover.join()
        result.times["write"] = time.perf_counter() - self.t_write

    def report(self) -> Result:
        """The result; a session keeps this build (its model and plan) until the next."""
        if self.holder:
            self.holder.retired.append(self.holder.last)    # freed by settle(), not in this build
            self.holder.last = self
        return self.result

    # -- helpers of the stages ------------------------------------------------------------

    def fresh_paths(self) -> list[str]:
        """The files this build writes: the rendered pages, then the other changed files."""
        return [e[0] for e in self.plan.dirty] + [f[0] for f in self.plan.files]

    def _last_manifest(self) -> Manifest | None:
        """The last build's manifest: the session's while it is current, else from .cache/."""
        kept = self.session.manifest_for(self.folder, self.output) if self.session else None
        return kept or Manifest.load(self.folder, self.output)

    def later(self, save) -> None:
        """Run save (of a cache, keyed by content: no lock needed) now, or in a session
        when it settles between rebuilds (or before its next build)."""
        if self.session:
            self.session.pending.append(save)
        else:
            save()

    def _save_fragments(self) -> None:
        try:
            kept = self.fragments.save(self.fragments_dir, set(self.fp.entity.values()))
            if self.session:
                self.session.kept[self.fragments_dir] = kept
        except OSError:
            pass                    # a cache: the site is written; the next build renders more

    def _generator(self) -> str:
        """The generator's version (code, schemas, libraries), once per session."""
        from .manifest import generator_digest
        known = self.session.generator if self.session else None
        found = known or generator_digest(PACKAGE, PACKAGE.parent / "schema")    # validate.SCHEMA_DIR
        if self.session:
            self.session.generator = found
        return found

    def _environment(self):
        """The Jinja environment with its compiled templates: the session's when no template
        changed since its last build (Jinja never looks at a template file again, so a
        changed one needs a new environment), else a new one."""
        from jinja2 import FileSystemBytecodeCache

        from ..pages.render import make_env
        made_for = (self.templates, self.folder, self.tdigests)
        if self.session and self.session.env and self.session.env[0] == made_for:
            return self.session.env[1]
        env = make_env(self.templates, self.fragments)
        (self.folder / "jinja").mkdir(parents=True, exist_ok=True)   # compiled templates: same output, quicker start
        env.bytecode_cache = FileSystemBytecodeCache(str(self.folder / "jinja"))
        if self.session:
            self.session.env = (made_for, env)
        return env

    def _docs_cache(self):
        """The checked content's cache: the session's (in memory) or read from .cache/."""
        from .cache import Cache
        store = self.session.docs.get(self.folder) if self.session and not self.clean else None
        if store is None:
            store = Cache(self.folder, keep=self.session is not None)
        store.used = set()
        if self.session:
            self.session.docs[self.folder] = store
        if self.clean:
            store.clear()
        return store

    def _validate(self, store, ready: dict) -> Checked:
        """Every file loaded and checked (from the cache, from `ready`, or now), then the
        checks across files; BuildFailed on errors (and warnings under --strict)."""
        from ..content.validate import validate
        from .cache import load_checked
        result, t = self.result, time.perf_counter()
        files, sources, _ = self.scanned
        docs, errors, checked, keys, texts = load_checked(files, sources, store, self.generator, self.jobs,
                                                          self.progress, result, ready)
        result.times["load"] = time.perf_counter() - t
        t = time.perf_counter()
        report = validate(docs, texts, checked=checked)
        result.times["validate"] = time.perf_counter() - t
        problems = errors + report.errors
        if self.strict:
            problems += [w.as_error() for w in report.warnings]
        result.warnings = [] if self.strict else report.warnings
        result.figures_checked, result.figures_found = report.figures_checked, report.figures_found
        result.figures_derived, result.reading = report.figures_derived, report.reading
        if problems:
            raise BuildFailed(sorted(problems) + ([] if self.strict else report.warnings))
        for kind, name in (("study", "studies"), ("drug", "drugs"), ("condition", "conditions")):
            setattr(result, name, sum(d.kind == kind for d in docs))
        return Checked(docs, texts, keys)

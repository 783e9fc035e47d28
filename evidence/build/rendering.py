"""What the build makes: the changed pages rendered on one core or several (RenderJob),
and the files not rendered from a page template (statics): assets, and the files made
from the whole site (feeds, sitemap, downloads), made only when what they show changed.
"""
from __future__ import annotations

import os
from pathlib import Path

from . import write
from .manifest import digest
from .workers import Progress, chunks, pool


class RenderJob:
    """Render plan entries into a staging folder. Forked workers get the job by the fork
    itself (each runs this object's chunk method on ranges of entries: nothing is
    pickled but the ranges and what they send back); in this process, `writer` (a
    write.Writer thread) writes each page while the next renders."""

    def __init__(self, env, site, entries: list, target: Path, writer: write.Writer, fragments, flat: bool):
        self.env, self.site, self.entries, self.target = env, site, entries, target
        self.writer, self.fragments, self.flat = writer, fragments, flat
        self.parent = os.getpid()

    def run(self, jobs: int, progress: Progress) -> None:
        entries, done = self.entries, 0
        forked = pool(jobs, len(entries), self.chunk)
        if forked:
            with forked:
                for part, made in forked.imap_unordered(chunks(len(entries))):
                    self.fragments.merge(made)      # fragments a worker made, kept for the next build
                    done += len(part)
                    progress.show("render", done, len(entries))
        else:
            for part in chunks(len(entries)):
                done += len(self.chunk(part)[0])
                progress.show("render", done, len(entries))

    def chunk(self, idx: range) -> tuple[list[str], list]:
        """Render entries idx (in a forked worker, or here): the pages' paths, and the
        fragments a worker made (sent back for the parent to keep)."""
        from ..pages.render import render_page
        here, store = os.getpid() == self.parent, self.fragments
        done, mark = [], store.mark()
        for i in idx:
            page = render_page(self.env, self.site, self.entries[i])
            if here:
                self.writer.put(page.path, page.body)
            else:
                write.stage(self.target, page.path, page.body, self.flat)
            done.append(page.path)
        return done, ([] if here else store.since(mark))


def statics(site, templates: Path, fp, fragments, paths: list[str], old_pages: dict, touched: set,
            everything: bool) -> tuple[dict, list]:
    """The files not rendered from a page template: ({path: key}, [(path, bytes or pieces)
    of those changed since the last build]). The assets are keyed by their bytes; the files
    made from the whole site by what they are made from, like pages (render.whole_site_files):
    a condition's feed by its studies, a study's citation files by the study, the rest by
    the base (generator, options, site.yaml, glossary, templates), every entry's digest and
    the list of pages. Only files whose key changed are made."""
    from ..pages.render import static_files, whole_site_files
    whole = "site:" + digest("\0".join([fragments.base, *(fp.lists[n] for n in sorted(fp.lists)),
                                        "\n".join(paths)]).encode())
    assets = static_files(templates)
    keys = {f.path: "static:" + digest(f.body) for f in assets}
    changed = [(f.path, f.body) for f in assets
               if everything or f.path in touched or keys[f.path] != old_pages.get(f.path)]
    get = old_pages.get
    for group, key, make in whole_site_files(site, paths, fragments):
        key = key or whole
        due = everything
        for path in group:
            keys[path] = key
            due = due or path in touched or get(path) != key
        if due:
            changed += make()
    return keys, changed

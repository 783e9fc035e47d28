"""Pieces of pages rendered once and reused, within a build and across builds (issue 9).

The same dosing row appears on the dosing page, its thirteen sort pages and its filter
pages; the same study row on the four orders of the studies index. Each is rendered
once per build, and a rebuild takes the rows of unchanged studies from .cache/ instead
of rendering them again, so adding one study to 5,000 renders that study's rows only.

A fragment is keyed by what it is made from (its kind, a variant such as the table's
id, and the content digest of the study it shows, which manifest.Fingerprints gives),
never by where it appears: links inside it start with ROOT, which the page replaces by
its own path to the site root (rooted). The cache file is tied to a base digest (the
generator, the options, every template): when any of them changes, nothing is reused.
Outside an incremental build (`check`, tests) fragments are shared within the process
only, keyed by object identity.
"""
from __future__ import annotations

import os
import pickle
from itertools import islice
from pathlib import Path

from markupsafe import Markup

ROOT = "\x01"          # stands for "../" * depth inside fragments; content cannot hold it
FORMAT = 1


class Fragments:
    """The fragment store of one build (module global STORE, inherited by forked workers)."""

    def __init__(self) -> None:
        self.shards: dict[str, dict] = {}   # the last build's fragments, by the digest's first digit
        self.made: dict = {}         # used or made in this build
        self.key_of = None           # object -> content digest, or None
        self.base = ""
        self.alive: dict = {}        # id -> object, so an identity key is never reused

    def start(self, base: str, key_of, folder: Path | None, kept: tuple | None = None) -> None:
        """Begin a build: digests from key_of, and the last build's fragments from folder,
        or from `kept` (what save() returned, held in memory by a long-lived process)."""
        self.reset()
        self.key_of, self.base = key_of, base
        if kept is not None and kept[0] == base:
            self.shards = kept[1]
            return
        if folder is None:
            return
        for shard in SHARDS:
            try:
                data = pickle.loads((folder / f"{shard}.pickle").read_bytes())
            except Exception:  # noqa: BLE001 - missing or damaged: render those again
                continue
            if isinstance(data, dict) and data.get("format") == FORMAT and data.get("base") == base:
                self.shards[shard] = data["fragments"]

    def reset(self) -> None:
        """Forget this build's fragments (their digests belong to its objects). The big
        dicts are freed at the next reset, not now: freeing 60,000 strings took 0.06 s of
        every one-study rebuild (with key_of, the last reference to the build's objects), and
        a command-line build ends right after."""
        _FREED_LATER[:] = [self.shards, self.made, self.alive, self.key_of]
        self.__init__()

    def get(self, kind: str, obj, variant: str, make) -> str:
        """The fragment `kind` of obj (e.g. a study) in `variant`, made by make() if new."""
        digest = self.key_of(obj) if self.key_of else None
        if digest:
            key = (kind, digest, variant)
        else:
            key = (kind, id(obj), variant, 0)
            self.alive[id(obj)] = obj
        text = self.made.get(key)
        if text is None:
            old = self.shards.get(digest[0]) if digest else None
            text = old.get(key) if old else None
            if text is None:
                text = make()
            self.made[key] = text
        return text

    def key(self, kind: str, obj) -> str | None:
        """What fragment `kind` of obj is made from (the base and obj's digest), or None
        outside an incremental build: an output file made of it needs no digest of its bytes."""
        digest = self.key_of(obj) if self.key_of else None
        return f"{kind}:{self.base}:{digest}" if digest else None

    def mark(self) -> int:
        """A position in `made`, to collect what a forked worker adds after it."""
        return len(self.made)

    def since(self, mark: int) -> list:
        """Persistent fragments made after mark, not taken from the last build (what a
        forked worker sends back: the parent keeps them for the next build)."""
        return [(k, v) for k, v in islice(self.made.items(), mark, None)
                if len(k) == 3 and k not in self.shards.get(k[1][0], ())]

    def merge(self, items: list) -> None:
        self.made.update(items)

    def save(self, folder: Path, live: set[str]) -> tuple:
        """Keep this build's fragments and the last build's of entries that still exist
        (digests in live), so the files do not grow with entries long gone. They are kept
        in 16 files by digest, and a file is written only when its keys change: adding
        one study rewrites one file, not all 50 MB (at 5,000 studies)."""
        new: dict[str, dict] = {}
        for k, v in self.made.items():
            if len(k) == 3:
                new.setdefault(k[1][0], {})[k] = v
        folder.mkdir(parents=True, exist_ok=True)
        kept = {}
        for shard in SHARDS:
            old, add = self.shards.get(shard), new.get(shard, {})
            if old is not None and all(k in old for k in add) and all(k[1] in live for k in old):
                kept[shard] = old               # unchanged (values follow from keys)
                continue
            part = {k: v for k, v in (old or {}).items() if k[1] in live}
            part.update(add)
            path = folder / f"{shard}.pickle"
            tmp = path.with_suffix(f".tmp{os.getpid()}")
            tmp.write_bytes(pickle.dumps({"format": FORMAT, "base": self.base, "fragments": part},
                                         protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(tmp, path)
            kept[shard] = part
        return self.base, kept


_FREED_LATER: list = []
SHARDS = "0123456789abcdef"
STORE = Fragments()


def href(root: str, url: str, base_url: str) -> str:
    """A site URL ('studies/x/') below root; with no base_url a folder gets index.html,
    so the site also opens from disk. render.linker and fragments share this rule."""
    target = root + url
    if not base_url and (url == "" or url.endswith("/")):
        target += "index.html"
    return target


def linker(base_url: str):
    """render.linker for a fragment: links start at ROOT instead of the page's own depth."""
    return lambda url="": href(ROOT, url, base_url)


def joined(ctx, template: str, kind: str, items, key, name: str, **extra) -> Markup:
    """`template` rendered once per item (as variable `name`, with extra) and joined, placed
    on the page ctx is rendering. key(item) gives the fragment's (object, variant): each
    item's text is made once per build and reused while its object is unchanged."""
    t = ctx.environment.get_template(template)
    link = linker(ctx["config"].get("base_url", ""))
    text = "".join(STORE.get(kind, *key(item), lambda item=item: t.render({name: item, "link": link, **extra}))
                   for item in items)
    return Markup(rooted(text, ctx["path"]))


def rooted(text: str, path: str) -> str:
    """Fragment text placed on the page at `path` (ROOT becomes that page's '../'s)."""
    return text.replace(ROOT, "../" * path.count("/"))

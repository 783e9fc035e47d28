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

import mmap
import os
import pickle
import time
from pathlib import Path

from markupsafe import Markup

import hashlib

ROOT = "\x01"          # stands for "../" * depth inside fragments; content cannot hold it
FORMAT = 4


class Fragments:
    """The fragment store of one build. The build owns it and hands it to the page code
    through the Jinja environment (`env.fragments`, see render.make_env) and
    render.whole_site_files; forked workers inherit it with the environment."""

    def __init__(self) -> None:
        # the last build's fragments, by the digest's first digit, then (kind, variant), then
        # digest: the fragments load as strings under a few hundred keys, not as one key
        # tuple each
        self.shards: dict[str, dict] = {}
        self.digests: dict[str, set] = {}   # the entry digests each of those shards holds
        self.made: dict = {}         # made in this build (and identity-keyed ones), by key
        self.groups: dict = {}       # (kind, variant) -> {digest: text} used in this build
        self.fresh: list = []        # keys of persistent fragments made (not reused) in this build
        self.entity: dict | None = None     # id(object) -> content digest (manifest.Fingerprints)
        self.base = ""
        self.alive: dict = {}        # id -> object, so an identity key is never reused
        self.seen: dict = {}         # (kind, variant) -> {id(item): text} (get_all)
        self.freed_later: list = []  # the last build's dicts: see reset()

    def start(self, base: str, entity: dict | None, folder: Path | None, kept: tuple | None = None) -> None:
        """Begin a build: digests by id() from entity, and the last build's fragments from
        folder, or from `kept` (what save() returned, held in memory by a long-lived process)."""
        self.reset()
        self.entity, self.base = entity, base
        if kept is not None and kept[0] == base:
            self.shards, self.digests = kept[1], kept[2]
            return
        if folder is None:
            return
        for shard in SHARDS:
            try:
                data = pickle.loads((folder / f"{shard}.pickle").read_bytes())
                if not (isinstance(data, dict) and data.get("format") == FORMAT and data.get("base") == base):
                    continue
                texts = data["fragments"]
                if data["blob"]:
                    texts.update(_mapped(folder, data["blob"]))
            except Exception:  # noqa: BLE001 - missing or damaged: render those again
                continue
            self.shards[shard], self.digests[shard] = texts, data["digests"]

    def reset(self) -> None:
        """Forget this build's fragments (their digests belong to its objects). The big
        dicts are freed at the next reset, not now: freeing their strings one by one would
        slow every one-study rebuild (with entity, the last reference to the build's objects),
        and a command-line build ends right after."""
        old = [self.shards, self.made, self.groups, self.alive, self.entity, self.seen]
        self.__init__()
        self.freed_later = old

    def get_all(self, kind: str, items, variant, make, obj=None) -> list[str]:
        """For each item, the fragment `kind` of obj(item) (the item itself when obj is None)
        in variant (a string, or variant(item)), made by make(item) if new. One loop with its
        lookups bound: pages join the rows of 5,000 studies."""
        entity, groups, shards, out = self.entity or {}, self.groups, self.shards, []
        fixed = isinstance(variant, str)
        # the same list is often joined again (the studies index's four orders, the browse
        # pages): the texts of (kind, variant) by item make a repeat one lookup per row
        seen = self.seen.setdefault((kind, variant), {}) if obj is None and fixed else None
        group = groups.setdefault((kind, variant), {}) if fixed else None
        for item in items:
            if seen is not None:
                text = seen.get(id(item))
                if text is not None:
                    out.append(text)
                    continue
            o = item if obj is None else obj(item)
            v = variant if fixed else variant(item)
            digest = entity.get(id(o))
            if digest:
                texts = group if fixed else groups.setdefault((kind, v), {})
                text = texts.get(digest)
                if text is None:
                    old = shards.get(digest[0])
                    old = old.get((kind, v)) if old else None
                    text = old.get(digest) if old else None
                    if text is None:
                        text = self._made((kind, digest, v), make(item))
                    texts[digest] = text
            else:                         # outside an incremental build: by identity, this build only
                key = (kind, id(o), v, 0)
                self.alive[id(o)] = o
                text = self.made.get(key)
                if text is None:
                    text = self.made[key] = make(item)
            if seen is not None:
                seen[id(item)] = text
            out.append(text)
        return out

    def _made(self, key: tuple, text):
        """A fragment made in this build (saved with the others, sent back from a worker)."""
        self.made[key] = text
        self.fresh.append(key)
        return text

    def key(self, kind: str, obj) -> str | None:
        """What fragment `kind` of obj is made from (the base and obj's digest), or None
        outside an incremental build: an output file made of it needs no digest of its bytes."""
        digest = self.entity.get(id(obj)) if self.entity else None
        return f"{kind}:{self.base}:{digest}" if digest else None

    def base_key(self, kind: str) -> str | None:
        """What a file made from the base alone (the generator, the options, site.yaml, the
        glossary, the templates) is made from, or None outside an incremental build."""
        return f"{kind}:{self.base}" if self.entity else None

    def list_key(self, kind: str, objs) -> str | None:
        """What a file made from the objects objs (in that order) is made from, or None
        when one has no digest (outside an incremental build)."""
        entity = self.entity
        if not entity:
            return None
        try:
            parts = [entity[id(o)] for o in objs]
        except KeyError:
            return None
        return f"{kind}:{self.base}:" + _digest("\0".join(parts).encode())

    def mark(self) -> int:
        """A position in this build's new fragments, to collect what a forked worker adds."""
        return len(self.fresh)

    def since(self, mark: int) -> list:
        """The fragments made after mark (sent back from a forked worker)."""
        return [(k, self.made[k]) for k in self.fresh[mark:]]

    def merge(self, items: list) -> None:
        """Fragments a worker made."""
        self.made.update(items)
        self.fresh += [k for k, _ in items]
        for (kind, digest, v), text in items:
            self.groups.setdefault((kind, v), {})[digest] = text

    def save(self, folder: Path, live: set[str]) -> tuple:
        """Keep this build's fragments and the last build's of entries that still exist
        (digests in live), so the files do not grow with entries long gone. They are kept
        in 16 files by digest, and a file is written only when it gains a fragment or a
        tenth of its entries are gone: adding or editing one study rewrites one file, not
        all 75 MB (at 5,000 studies)."""
        new: dict[str, dict] = {}
        for k in self.fresh:
            new.setdefault(k[1][0], {}).setdefault((k[0], k[2]), {})[k[1]] = self.made[k]
        folder.mkdir(parents=True, exist_ok=True)
        shards, digests = {}, {}
        for shard in SHARDS:
            old, add = self.shards.get(shard), new.get(shard)
            gone = self.digests[shard] - live if old is not None else None
            if old is not None and not add and (not gone or len(gone) * PRUNE < len(self.digests[shard])):
                # unchanged, or a few entries gone: they wait until the file is written
                # for another reason or they are a tenth of it, so editing a study rewrites
                # the file its new digest goes to, not also its old one's
                shards[shard], digests[shard] = old, self.digests[shard]
                continue
            part = {g: ({d: t for d, t in texts.items() if d in live} if gone else dict(texts))
                    for g, texts in (old or {}).items()}
            for g, texts in (add or {}).items():
                part.setdefault(g, {}).update(texts)
            shards[shard], digests[shard] = part, {d for texts in part.values() for d in texts}
            self._write(folder, shard, part, digests[shard])
        return self.base, shards, digests

    def _write(self, folder: Path, shard: str, part: dict, digests: set) -> None:
        """One shard: its texts in the pickle, its bytes (the downloads' pieces) in a blob
        file the next build maps instead of reading. The
        blob has a new name each time and the pickle names it, so a crash between the two
        writes leaves the last pair whole; blobs no pickle names are deleted after."""
        blobs = {g: t for g, t in part.items() if t and isinstance(next(iter(t.values())), (bytes, memoryview))}
        index, pieces, at = {}, [], 0
        for g, texts in blobs.items():
            index[g] = spans = {}
            for d, piece in texts.items():
                spans[d] = (at, len(piece))
                pieces.append(piece)
                at += len(piece)
        blob = None
        if pieces:
            blob = {"name": f"{shard}-{os.getpid()}-{time.time_ns()}.blob", "size": at, "index": index}
            with open(folder / blob["name"], "wb") as f:
                f.writelines(pieces)
        path = folder / f"{shard}.pickle"
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_bytes(pickle.dumps({"format": FORMAT, "base": self.base, "blob": blob,
                                      "fragments": {g: t for g, t in part.items() if g not in blobs},
                                      "digests": digests}, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, path)
        for old in folder.glob(f"{shard}-*.blob"):
            if blob is None or old.name != blob["name"]:
                old.unlink(missing_ok=True)


def _mapped(folder: Path, blob: dict) -> dict:
    """A shard's bytes groups as views of its blob file, mapped (read by the kernel as the
    views are written out, never copied into this process)."""
    with open(folder / blob["name"], "rb") as f:
        if os.fstat(f.fileno()).st_size != blob["size"]:
            raise ValueError("a blob of another size")     # damaged: render those again
        view = memoryview(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)) if blob["size"] else memoryview(b"")
    return {g: {d: view[at:at + n] for d, (at, n) in spans.items()} for g, spans in blob["index"].items()}


def _digest(data: bytes) -> str:
    """The same digest as build.manifest.digest (this package may not import the engine)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


SHARDS = "0123456789abcdef"
PRUNE = 10          # a shard (here and in cache.Cache) is rewritten to drop gone entries when they are 1/PRUNE of it


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


def joined(ctx, template: str, kind: str, items, name: str, variant, obj=None, **extra) -> Markup:
    """`template` rendered once per item (as variable `name`, with extra) and joined, placed
    on the page ctx is rendering. Each item's text is the fragment (obj(item) or the item,
    variant) of Fragments.get_all: made once per build, reused while its object is unchanged."""
    t = ctx.environment.get_template(template)
    link = linker(ctx["config"].get("base_url", ""))
    text = "".join(ctx.environment.fragments.get_all(kind, items, variant,
                                 lambda item: t.render({name: item, "link": link, **extra}), obj))
    return Markup(rooted(text, ctx["path"]))


def rooted(text: str, path: str) -> str:
    """Fragment text placed on the page at `path` (ROOT becomes that page's '../'s)."""
    return text.replace(ROOT, "../" * path.count("/"))

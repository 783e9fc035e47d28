"""What each output file was made from, so a rebuild renders only what changed (issue 9).

A page's key is a digest of everything that can change its bytes: the generator (code,
schemas, library versions), the options, the build date, site.yaml and the glossary,
the templates it uses (with their includes and parents), the values of its page-plan
context (a study, condition or drug counts as the digest of its file, its source text
and the entries it links to) and, when its templates read `site.studies`,
`site.conditions` or `site.drugs`, the digest of that whole list. This works for any
page in render.page_plan(), not a fixed list: a listing page (home, browse, dosing,
feeds) reads the list, so it is rebuilt when any study in it changes. A value this
module cannot fingerprint makes the page render every time (safe, never stale).
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import platform
import types
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jinja2 import Environment

FORMAT = 6
_PACKAGES = ("Jinja2", "MarkupSafe", "Markdown", "PyYAML", "jsonschema", "nh3", "textstat")
_PLAIN = (str, int, float, bool, type(None))
ALL = "*"


def digest(data: bytes) -> str:
    """A short, strong digest of some bytes."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _h(*parts: str) -> str:
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()


def file_digests(folder: Path, pattern: str = "*") -> dict[str, str]:
    """Digest of every file under folder, by relative path."""
    out = {}
    for p in sorted(folder.rglob(pattern)):
        if p.is_file() and "__pycache__" not in p.parts:
            out[p.relative_to(folder).as_posix()] = hashlib.blake2b(
                p.read_bytes(), digest_size=16).hexdigest()
    return out


def generator_digest(package: Path, schema: Path) -> str:
    """The generator's own version: its code, its schemas and the libraries it renders with."""
    # the installed versions, read from the dist-info folder names: a no-change rebuild
    # does not pay for importing importlib.metadata
    spec = find_spec("jinja2")
    site = Path(spec.origin).parent.parent if spec and spec.origin else None
    wanted = {n.lower().replace("-", "_") for n in _PACKAGES}
    versions = sorted(d for d in (os.listdir(site) if site else [])
                      if d.endswith(".dist-info") and d.split("-")[0].lower() in wanted)
    code = file_digests(package, "*.py")
    schemas = file_digests(schema, "*.json")
    return _h(platform.python_version(), *versions, *(f"{k}:{v}" for k, v in code.items()),
              *(f"{k}:{v}" for k, v in schemas.items()))


class TemplateDeps:
    """Per template: the digest of it and everything it includes or extends, and the
    `site` attributes those templates read (ALL when `site` is used as a whole)."""

    def __init__(self, env: Environment, digests: dict[str, str], known: dict | None = None):
        self.env, self.digests = env, digests
        self._direct: dict[str, tuple[set[str], set[str] | None]] = {}
        self._closure: dict[str, tuple[str, frozenset[str]]] = {}
        # the last build's scans (template -> (digest, scan)): a template whose digest is
        # unchanged is not parsed again
        for name, (d, scanned) in (known or {}).items():
            if digests.get(name) == d:
                self._direct[name] = scanned

    def scans(self) -> dict:
        """What to keep for the next build (see known)."""
        return {n: (self.digests.get(n), v) for n, v in self._direct.items()}

    def _scan(self, name: str) -> tuple[set[str], set[str] | None]:
        from jinja2 import meta, nodes
        if name not in self._direct:
            source = self.env.loader.get_source(self.env, name)[0]
            ast = self.env.parse(source)
            refs = set(meta.find_referenced_templates(ast))
            uses = {n.attr for n in ast.find_all(nodes.Getattr)
                    if isinstance(n.node, nodes.Name) and n.node.name == "site"}
            bare = sum(1 for n in ast.find_all(nodes.Name) if n.name == "site")
            attr_uses = sum(1 for n in ast.find_all(nodes.Getattr)
                            if isinstance(n.node, nodes.Name) and n.node.name == "site")
            if bare > attr_uses:
                uses.add(ALL)           # `site` passed on whole: assume it reads everything
            self._direct[name] = (uses, None if None in refs else refs)
        return self._direct[name]

    def of(self, name: str) -> tuple[str, frozenset[str]]:
        """(digest of the template closure, site attributes read)."""
        if name not in self._closure:
            seen, todo, uses, dynamic = set(), [name], set(), False
            while todo:
                t = todo.pop()
                if t in seen:
                    continue
                seen.add(t)
                u, refs = self._scan(t)
                uses |= u
                if refs is None:
                    dynamic = True       # a computed include: depend on every template
                else:
                    todo += [r for r in refs if r not in seen]
            names = sorted(self.digests) if dynamic else sorted(seen)
            self._closure[name] = (_h(*(f"{n}:{self.digests.get(n, '?')}" for n in names)),
                                   frozenset(uses))
        return self._closure[name]


class Fingerprints:
    """Digests of the site's entries and of the lists the templates may read."""

    def __init__(self, site, doc_keys: dict[str, str]):
        self.entity: dict[int, str] = {}
        for c in site.conditions:
            self.entity[id(c)] = _h("condition", doc_keys.get(c.rel, "?"))
        for d in site.drugs:
            self.entity[id(d)] = _h("drug", doc_keys.get(d.rel, "?"))
        for s in site.studies:
            self.entity[id(s)] = _h("study", doc_keys.get(s.rel, "?"),
                                    *(self.entity.get(id(x), "?") for x in s.conditions),
                                    *(self.entity.get(id(r.drug), "?") for r in s.regimens))
            for r in s.regimens:             # a regimen shows its drug: link it to the study's digest
                self.entity[id(r)] = self.entity[id(s)]
            for o in s.outcomes:
                self.entity[id(o)] = self.entity[id(s)]
        self.lists = {name: _h(name, *(self.entity[id(x)] for x in getattr(site, name)))
                      for name in ("studies", "conditions", "drugs")}
        # the digest of each list or tuple already seen, by identity: the page plan shares
        # lists between pages (the four orders of the studies index, the browse groups),
        # and 5,000 entries each would otherwise be hashed once per page (#9)
        self._seqs: dict[int, str | None] = {}
        self.after: dict[str, str] = {}     # template -> its part of page_key's text
        self._keep: list = []         # keeps those lists alive, so their ids stay theirs

    def value(self, v, h) -> bool:
        """Feed a context value into h; False when it cannot be fingerprinted."""
        if isinstance(v, _PLAIN):
            h.update(f"{type(v).__name__}:{v!r}\x1f".encode())
            return True
        key = self.entity.get(id(v))
        if key is not None:
            h.update(f"E{key}\x1f".encode())
            return True
        if isinstance(v, dict):
            h.update(b"{")
            return all(self.value(k, h) and self.value(x, h) for k, x in v.items()) and not h.update(b"}")
        if isinstance(v, (list, tuple)):
            seq = self._seqs.get(id(v), False)
            if seq is False:
                try:                # a list of entries, the usual case: their digests at once
                    seq = _h("E", *[self.entity[id(x)] for x in v])
                except KeyError:
                    sub = hashlib.blake2b(digest_size=16)
                    seq = sub.hexdigest() if all(self.value(x, sub) for x in v) else None
                self._seqs[id(v)] = seq
                self._keep.append(v)
            if seq is None:
                return False
            h.update(f"[{seq}]".encode())
            return True
        if isinstance(v, types.FunctionType) and v.__closure__ is None and "<" not in v.__qualname__:
            # a module-level function: its code is part of the generator digest
            h.update(f"F{v.__module__}.{v.__qualname__}\x1f".encode())
            return True
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            h.update(type(v).__name__.encode())
            return all(self.value(getattr(v, f.name), h) for f in dataclasses.fields(v))
        return False


def page_key(entry: tuple[str, str, dict], base: str, tdeps: TemplateDeps, fp: Fingerprints) -> str | None:
    """The digest of everything a page is made from; None: render it every time."""
    path, template, extra = entry
    after = fp.after.get(template)          # what follows the path, the same for each page
    if after is None:                       # of a template (5,000 study pages share one)
        closure, uses = tdeps.of(template)
        lists = sorted(fp.lists) if ALL in uses or uses - {"config", "build_date", "glossary", *fp.lists} \
            else sorted(uses & set(fp.lists))
        after = fp.after[template] = "\0".join([template, closure, *(fp.lists[n] for n in lists)])
    h = hashlib.blake2b(f"{base}\0{path}\0{after}".encode(), digest_size=16)
    if not fp.value(extra, h):
        return None
    return h.hexdigest()


@dataclasses.dataclass
class Manifest:
    """The state of output/ after the last successful build."""

    inputs: str = ""                                           # digest of every input
    pages: dict[str, str | None] = dataclasses.field(default_factory=dict)  # path -> key
    files: dict[str, tuple[int, int]] = dataclasses.field(default_factory=dict)  # path -> size, mtime
    extra: dict[str, tuple[int, int]] = dataclasses.field(default_factory=dict)  # the search step's files
    summary: dict = dataclasses.field(default_factory=dict)      # for the report of a no-op build
    stats: dict = dataclasses.field(default_factory=dict)        # input path -> (stat signature, digest)
    scanned: int = 0                                             # when those stats were taken (ns)
    templates: dict = dataclasses.field(default_factory=dict)    # TemplateDeps.scans()

    @staticmethod
    def location(cache: Path, output: Path) -> Path:
        return cache / f"manifest-{_h(str(output.resolve()))}.pickle"

    @classmethod
    def load(cls, cache: Path, output: Path) -> "Manifest | None":
        """The previous build's manifest, or None (no build yet, or unreadable)."""
        try:
            data = pickle.loads(cls.location(cache, output).read_bytes())
        except Exception:  # noqa: BLE001 - missing or damaged: build everything
            return None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return None
        return cls(**{f.name: data[f.name] for f in dataclasses.fields(cls)})

    def save(self, cache: Path, output: Path) -> None:
        cache.mkdir(parents=True, exist_ok=True)
        target = self.location(cache, output)
        tmp = target.with_suffix(f".tmp{os.getpid()}")
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}  # asdict copies: slow
        tmp.write_bytes(pickle.dumps({"format": FORMAT, **fields},
                                     protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, target)

    @staticmethod
    def forget(cache: Path, output: Path) -> None:
        """Drop the manifest (before touching output/, so a crash means a full build next)."""
        Manifest.location(cache, output).unlink(missing_ok=True)

    def intact(self, output: Path) -> set[str]:
        """Recorded files whose size or time changed (edited or deleted by hand)."""
        changed, stat = set(), os.stat
        try:
            folder = os.open(output, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            return set(self.files) | set(self.extra)
        try:        # paths below the open folder: the kernel walks only their own parts
            for files in (self.files, self.extra):
                for rel, (size, mtime) in files.items():
                    try:
                        st = stat(rel, dir_fd=folder)
                    except OSError:
                        changed.add(rel)
                        continue
                    if st.st_size != size or st.st_mtime_ns != mtime:
                        changed.add(rel)
        finally:
            os.close(folder)
        return changed


def stamp(output: Path, paths) -> dict[str, tuple[int, int]]:
    """Size and modification time of written files."""
    out, root = {}, str(output) + os.sep
    for rel in paths:
        st = os.stat(root + rel)
        out[rel] = (st.st_size, st.st_mtime_ns)
    return out

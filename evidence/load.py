"""Load: read content files into plain data, keeping a line and column for every field.

YAML is read with a strict safe loader (YAML 1.2 core scalars: `yes`/`no`/`on`
are text, no octal or base-60 numbers, dates stay text), which refuses duplicate
keys, anchors and aliases, explicit tags, nesting deeper than 50 and files over
1 MiB. Nothing here judges content beyond that; validate.py does.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import ContentError, display_path

MAX_BYTES = 1_048_576
MAX_DEPTH = 50
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Path_ = tuple  # a field path: ("regimens", 0, "dose")


class StrictLoader(_Base):  # type: ignore[misc, valid-type]
    """A safe loader with YAML 1.2 core scalar rules."""


_DROP = {"tag:yaml.org,2002:" + t for t in ("bool", "int", "float", "timestamp")}
StrictLoader.yaml_implicit_resolvers = {
    c: [(t, r) for t, r in rs if t not in _DROP]
    for c, rs in yaml.SafeLoader.yaml_implicit_resolvers.items()}
for _tag, _rx, _first in [
        ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
        ("int", r"^[-+]?(?:0|[1-9][0-9]*)$", "-+0123456789"),
        ("float", r"^[-+]?(?:(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
                  r"|[0-9]+[eE][-+]?[0-9]+)$", "-+0123456789.")]:
    StrictLoader.add_implicit_resolver("tag:yaml.org,2002:" + _tag, re.compile(_rx), list(_first))

_STD = {"tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null", "map", "seq")}


@dataclass(frozen=True)
class Mark:
    """Where a field's value (and its key, for mapping entries) starts; 1-based."""

    line: int
    column: int
    key_line: int
    key_column: int


@dataclass
class SourceDoc:
    """One parsed content file."""

    path: Path
    rel: str                      # the path as shown in messages
    kind: str                     # "study", "condition", "drug", "glossary", "site"
    data: object
    marks: dict = field(default_factory=dict)   # field path tuple -> Mark
    text: str = ""
    digest: str = ""

    def locate(self, fpath: tuple, key: bool = False) -> tuple[int, int]:
        """Line and column of a field, or of its nearest existing parent."""
        p = tuple(fpath)
        while p not in self.marks and p:
            p = p[:-1]
        m = self.marks.get(p)
        if m is None:
            return 1, 1
        return (m.key_line, m.key_column) if key and p == tuple(fpath) else (m.line, m.column)

    def source_line(self, line: int) -> str | None:
        """The text of a 1-based line."""
        lines = self.text.splitlines()
        return lines[line - 1] if 0 < line <= len(lines) else None


class LoadError(Exception):
    """A file that cannot be read as content; carries its ContentError."""

    def __init__(self, error: ContentError):
        super().__init__(error.message)
        self.error = error


def _err(rel: str, text: str, line: int, col: int, message: str, hint: str | None = None,
         fieldname: str = "(file)") -> LoadError:
    lines = text.splitlines()
    src = lines[line - 1] if 0 < line <= len(lines) else None
    return LoadError(ContentError(rel, line, col, fieldname, message, hint, "error", src))


def _explicit_tag(loader: yaml.BaseLoader, node: yaml.Node) -> bool:
    if isinstance(node, yaml.ScalarNode):
        if not node.style:  # plain (None in PyYAML, "" in libyaml)
            return node.tag != loader.resolve(yaml.ScalarNode, node.value, (True, False))
        return node.tag != "tag:yaml.org,2002:str"
    want = "tag:yaml.org,2002:map" if isinstance(node, yaml.MappingNode) else "tag:yaml.org,2002:seq"
    return node.tag != want


def _fieldname(fpath: tuple) -> str:
    return format_path(fpath) if fpath else "(top level)"


def format_path(fpath) -> str:
    """("regimens", 0, "dose") -> "regimens[0].dose"."""
    out = ""
    for part in fpath:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _walk(loader, root, rel: str, text: str) -> dict:
    """Check the node tree (aliases, tags, depth, keys) and record a Mark per field."""
    marks: dict = {}
    seen: set[int] = set()
    stack = [(root, (), 1, root.start_mark, 1)]
    while stack:
        node, fpath, depth, keymark, _ = stack.pop()
        here = node.start_mark
        if id(node) in seen:  # an alias: the same node met twice; point at its use
            raise _err(rel, text, keymark.line + 1, keymark.column + 1,
                       "anchors and aliases are not allowed", "write the value out in full",
                       _fieldname(fpath))
        seen.add(id(node))
        if _explicit_tag(loader, node):
            raise _err(rel, text, here.line + 1, here.column + 1,
                       f"tags are not allowed; got {node.tag.replace('tag:yaml.org,2002:', '!!')}",
                       "remove the tag and write a plain value", _fieldname(fpath))
        marks[fpath] = Mark(here.line + 1, here.column + 1, keymark.line + 1, keymark.column + 1)
        if isinstance(node, yaml.CollectionNode):
            if depth > MAX_DEPTH:
                raise _err(rel, text, here.line + 1, here.column + 1,
                           f"nesting is deeper than {MAX_DEPTH} levels", None, _fieldname(fpath))
            if isinstance(node, yaml.MappingNode):
                keys: dict[str, yaml.Node] = {}
                for kn, vn in node.value:
                    if not isinstance(kn, yaml.ScalarNode) or kn.tag != "tag:yaml.org,2002:str" \
                            or _explicit_tag(loader, kn):
                        raise _err(rel, text, kn.start_mark.line + 1, kn.start_mark.column + 1,
                                   f"keys must be plain text; got {getattr(kn, 'value', '?')!r}"
                                   if isinstance(kn, yaml.ScalarNode) else
                                   "keys must be plain text", None, _fieldname(fpath))
                    if kn.value in keys:
                        first = keys[kn.value].start_mark.line + 1
                        raise _err(rel, text, kn.start_mark.line + 1, kn.start_mark.column + 1,
                                   f"duplicate key `{kn.value}` (first given on line {first})",
                                   "a YAML loader silently keeps the last one; keep one",
                                   _fieldname(fpath + (kn.value,)))
                    keys[kn.value] = kn
                stack += reversed([(vn, fpath + (kn.value,), depth + 1, kn.start_mark, 0)
                                   for kn, vn in node.value])
            else:
                stack += reversed([(vn, fpath + (i,), depth + 1, vn.start_mark, 0)
                                   for i, vn in enumerate(node.value)])
    return marks


def parse_yaml(raw: bytes, rel: str, kind: str, path: Path | None = None) -> SourceDoc:
    """Parse one file's bytes; raise LoadError with a located message."""
    if len(raw) > MAX_BYTES:
        raise _err(rel, "", 1, 1, f"file is {len(raw):,} bytes; the limit is {MAX_BYTES:,} (1 MiB)",
                   "split the text or move long passages to content/sources/")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        before = raw[:e.start]
        line = before.count(b"\n") + 1
        col = e.start - (before.rfind(b"\n") + 1) + 1
        raise _err(rel, "", line, col, f"not UTF-8: byte 0x{raw[e.start]:02x} cannot be decoded",
                   "save the file as UTF-8")
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#")
                               for ln in text.splitlines()):
        raise _err(rel, text, 1, 1, "the file is empty", "see the content model for the fields")
    loader = StrictLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise _err(rel, text, 1, 1, "the file is empty")
        marks = _walk(loader, root, rel, text)
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = (e.problem or "invalid YAML").strip()
        if e.context:
            problem = f"{problem} ({e.context.strip()})"
        hint = None
        if "\t" in (text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else ""):
            hint = "indent with spaces, not tabs"
        elif "could not find expected ':'" in problem or "mapping values" in problem:
            hint = "check the indentation and that every key ends with a colon"
        elif "quoted scalar" in problem:
            hint = "close the quotation mark"
        raise _err(rel, text, line, col, f"YAML syntax error: {problem}", hint) from None
    except yaml.YAMLError as e:  # e.g. a reader error
        raise _err(rel, text, 1, 1, f"YAML error: {e}") from None
    except (ValueError, RecursionError, OverflowError) as e:
        raise _err(rel, text, 1, 1, f"cannot read value: {e}") from None
    finally:
        loader.dispose()
    return SourceDoc(path or Path(rel), rel, kind, data, marks, text)


KINDS = {"studies": "study", "conditions": "condition", "drugs": "drug"}


def load_file(path: Path, kind: str, root: Path | None = None) -> SourceDoc:
    """Read and parse one YAML file."""
    rel = display_path(path, None)
    try:
        raw = Path(path).read_bytes()
    except OSError as e:
        raise LoadError(ContentError(rel, 1, 1, "(file)", f"cannot read file: {e.strerror}"))
    return parse_yaml(raw, rel, kind, Path(path))


def content_files(content: Path) -> list[tuple[Path, str]]:
    """Every content YAML file under content/, with its kind, in a stable order."""
    out: list[tuple[Path, str]] = []
    for name, kind in (("site.yaml", "site"), ("glossary.yaml", "glossary")):
        if (content / name).exists():
            out.append((content / name, kind))
    for folder, kind in KINDS.items():
        d = content / folder
        if d.is_dir():
            out += [(p, kind) for p in sorted(d.iterdir(), key=lambda p: p.name)  # = path order, 10x quicker
                    if p.suffix in (".yaml", ".yml") and not p.name.startswith(".")]
    return out


def load_all(content: Path) -> tuple[list[SourceDoc], list[ContentError]]:
    """Load every content file; collect every load error."""
    docs, errors = [], []
    for path, kind in content_files(content):
        try:
            docs.append(load_file(path, kind))
        except LoadError as e:
            errors.append(e.error)
    return docs, errors


def read_sources(content: Path) -> dict[str, str]:
    """content/sources/<id>.txt texts, by id (UTF-8; undecodable bytes replaced)."""
    d = content / "sources"
    if not d.is_dir():
        return {}
    return {p.stem: p.read_bytes().decode("utf-8", "replace").lstrip("\ufeff")
            for p in sorted(d.glob("*.txt"))}

"""Load: read content files into plain data, keeping a line and column for every field.

YAML is read with a strict safe loader (YAML 1.2 core scalars: `yes`/`no`/`on`
are text, no octal or base-60 numbers, dates stay text), which refuses duplicate
keys, anchors and aliases, explicit tags, nesting deeper than 50 and files over
1 MiB. Nothing here judges content beyond that; validate.py does.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import YAML_SYNTAX, ContentError, display_path

MAX_BYTES = 1_048_576
MAX_DEPTH = 50

Path_ = tuple  # a field path: ("regimens", 0, "dose")


@lru_cache(maxsize=1)
def pyyaml():
    """(the yaml module, its fastest safe loader class, the strict loader class), made on
    first use: a rebuild that finds every file in the cache never imports PyYAML."""
    import yaml
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class StrictLoader(base):  # type: ignore[misc, valid-type]
        """A safe loader with YAML 1.2 core scalar rules."""

    # dropped: YAML 1.1 booleans/octal/base 60, dates, and `=` (the "value" tag has no
    # safe constructor, so a lone = would otherwise fail to load)
    drop = {"tag:yaml.org,2002:" + t for t in ("bool", "int", "float", "timestamp", "value")}
    StrictLoader.yaml_implicit_resolvers = {
        c: [(t, r) for t, r in rs if t not in drop]
        for c, rs in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    for tag, rx, first in [
            # the content model's small print: booleans are lowercase true/false only
            ("bool", r"^(?:true|false)$", "tf"),
            ("int", r"^[-+]?(?:0|[1-9][0-9]*)$", "-+0123456789"),
            ("float", r"^[-+]?(?:(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
                      r"|[0-9]+[eE][-+]?[0-9]+)$", "-+0123456789.")]:
        StrictLoader.add_implicit_resolver("tag:yaml.org,2002:" + tag, re.compile(rx), list(first))
    return yaml, base, StrictLoader


_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")   # what YAML counts as a new line


def split_lines(text: str) -> list[str]:
    """The file's lines as YAML numbers them (str.splitlines also splits on \\f etc.)."""
    return _BREAK.split(text)


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
        lines = split_lines(self.text)
        return lines[line - 1] if 0 < line <= len(lines) else None


class LoadError(Exception):
    """A file that cannot be read as content; carries its ContentError."""

    def __init__(self, error: ContentError):
        super().__init__(error.message)
        self.error = error


def _err(rel: str, text: str, line: int, col: int, message: str, hint: str | None = None,
         fieldname: str = "(file)") -> LoadError:
    lines = split_lines(text) if text else []
    src = lines[line - 1] if 0 < line <= len(lines) else None
    return LoadError(ContentError(rel, line, col, fieldname, message, hint, "error", src))


def _explicit_tag(loader: yaml.BaseLoader, node: yaml.Node) -> bool:
    yaml = pyyaml()[0]
    if isinstance(node, yaml.ScalarNode):
        if not node.style:  # plain (None in PyYAML, "" in libyaml)
            return node.tag != loader.resolve(yaml.ScalarNode, node.value, (True, False))
        return node.tag != "tag:yaml.org,2002:str"
    want = "tag:yaml.org,2002:map" if isinstance(node, yaml.MappingNode) else "tag:yaml.org,2002:seq"
    return node.tag != want


def _fieldname(fpath: tuple) -> str:
    if len(fpath) > 8:   # e.g. a 60-deep list: keep the line readable
        return f"{format_path(fpath[:3])}…{format_path(fpath[-1:])} ({len(fpath)} levels)"
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
    """Check the node tree (tags, depth, keys, text) and record a Mark per field."""
    yaml = pyyaml()[0]
    marks: dict = {}
    stack = [(root, (), 1, root.start_mark)]
    while stack:
        node, fpath, depth, keymark = stack.pop()
        here = node.start_mark
        if _explicit_tag(loader, node):
            raise _err(rel, text, here.line + 1, here.column + 1,
                       f"tags are not allowed; got {node.tag.replace('tag:yaml.org,2002:', '!!')}",
                       "remove the tag and write a plain value", _fieldname(fpath))
        marks[fpath] = Mark(here.line + 1, here.column + 1, keymark.line + 1, keymark.column + 1)
        if isinstance(node, yaml.ScalarNode):
            bad = _CONTROL.search(node.value)
            if bad:
                raise _err(rel, text, here.line + 1, here.column + 1,
                           f"control character U+{ord(bad.group()):04X} in text",
                           "remove it; only tabs and line breaks are allowed", _fieldname(fpath))
            continue
        if depth > MAX_DEPTH:
            raise _err(rel, text, here.line + 1, here.column + 1,
                       f"nesting is deeper than {MAX_DEPTH} levels", "flatten the structure",
                       _fieldname(fpath))
        if isinstance(node, yaml.MappingNode):
            keys: dict[str, yaml.Node] = {}
            for kn, vn in node.value:
                if not isinstance(kn, yaml.ScalarNode) or kn.tag != "tag:yaml.org,2002:str" \
                        or _explicit_tag(loader, kn):
                    got = kn.value if isinstance(kn, yaml.ScalarNode) else \
                        ("a list" if isinstance(kn, yaml.SequenceNode) else "a map")
                    raise _err(rel, text, kn.start_mark.line + 1, kn.start_mark.column + 1,
                               f"expected a field name (plain text) as key; got {got}",
                               "write field names as plain words, e.g. title:", _fieldname(fpath))
                if kn.value in keys:
                    first = keys[kn.value].start_mark.line + 1
                    raise _err(rel, text, kn.start_mark.line + 1, kn.start_mark.column + 1,
                               f"duplicate key `{kn.value}` (first given on line {first})",
                               "a YAML loader silently keeps the last one; keep one",
                               _fieldname(fpath + (kn.value,)))
                keys[kn.value] = kn
            stack += reversed([(vn, fpath + (kn.value,), depth + 1, kn.start_mark)
                               for kn, vn in node.value])
        else:
            stack += reversed([(vn, fpath + (i,), depth + 1, vn.start_mark)
                               for i, vn in enumerate(node.value)])
    return marks


# C0/C1 controls (other than tab and line breaks), surrogates and non-characters: they
# can only arrive through escapes such as "\x00" and have no place in a page
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufdd0-\ufdef\ufffe\uffff]")


def _scan_events(text: str, rel: str) -> None:
    """Parse events only, keeping the field path: refuse anchors and aliases before any
    node is built (so an alias bomb costs nothing) and locate syntax errors in a field."""
    yaml, base, _ = pyyaml()
    frames: list[list] = []          # [path, is_map, index or key, wants_key]
    parser = base(text)
    try:
        while True:
            ev = parser.get_event()
            if ev is None or isinstance(ev, yaml.StreamEndEvent):
                return
            if isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                frames.pop()
                _advance(frames, None)
                continue
            if not isinstance(ev, yaml.NodeEvent):
                continue
            here = _here(frames)
            if isinstance(ev, yaml.AliasEvent) or ev.anchor is not None:
                what = f"alias *{ev.anchor}" if isinstance(ev, yaml.AliasEvent) else \
                    f"anchor &{ev.anchor}"
                raise _err(rel, text, ev.start_mark.line + 1, ev.start_mark.column + 1,
                           f"anchors and aliases are not allowed; got {what}",
                           "write the value out in full", _fieldname(here))
            if isinstance(ev, yaml.CollectionStartEvent):
                frames.append([here, isinstance(ev, yaml.MappingStartEvent), 0, True])
            else:
                _advance(frames, ev.value)
    except yaml.MarkedYAMLError as e:
        raise _syntax_error(e, text, rel)
    finally:
        parser.dispose()


def _here(frames: list[list]) -> tuple:
    """The field path of the node about to be parsed."""
    if not frames:
        return ()
    path, is_map, at, wants_key = frames[-1]
    if is_map:
        return path if wants_key else path + (at,)
    return path + (at,)


def _advance(frames: list[list], scalar: str | None) -> None:
    """A node ended: a mapping now wants its value (or next key); a list moves on."""
    if not frames:
        return
    f = frames[-1]
    if f[1]:
        if f[3]:
            f[2] = scalar if scalar is not None else "?"
        f[3] = not f[3]
    else:
        f[2] += 1


def _syntax_error(e: yaml.MarkedYAMLError, text: str, rel: str) -> LoadError:
    """Translate a PyYAML/libyaml syntax error into the house shape; its field is
    "(file)": the parser cannot know which field the writer meant."""
    mark = e.problem_mark or e.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = (e.problem or "invalid YAML").strip()
    lines = split_lines(text)
    src = lines[line - 1] if 0 < line <= len(lines) else ""
    message, hint = problem, None
    context = (e.context or "").strip()
    for start, words, tip in YAML_SYNTAX:
        if problem.startswith(start) or context.startswith(start):
            message, hint = words, tip
            break
    else:
        if e.context:
            message = f"{problem} ({e.context.strip()})"
    if problem.startswith("found unexpected end of stream") and e.context_mark:
        line, col = e.context_mark.line + 1, e.context_mark.column + 1   # where the quote opened
    elif "\t" in src[:col] and problem.startswith("found character that cannot start"):
        message, hint = "a tab character where YAML expects spaces", "indent with spaces, not tabs"
    else:
        opened = _runaway_quote(text, line)
        if opened:   # point at the quotation mark, not at where the parser gave up
            line, col, end, key = opened
            what = f"the quoted text of `{key}`" if key else "this quoted text"
            message = f"{what} runs on to line {end}: a quotation mark is not closed"
            hint = f"close the quotation mark on line {line}"
    return _err(rel, text, line, col, f"YAML syntax error: {message}", hint)


def _runaway_quote(text: str, line: int) -> tuple[int, int, int, str | None] | None:
    """A quoted value spanning lines just before an error is usually an unclosed quote:
    (line, column where it opened, line where it closed, its key)."""
    yaml, base, _ = pyyaml()
    last, key, prev = None, None, None
    try:
        for tok in yaml.scan(text, Loader=base):
            if tok.start_mark.line + 1 > line:
                break
            if isinstance(tok, yaml.ValueToken) and isinstance(prev, yaml.ScalarToken):
                key = prev.value
            if isinstance(tok, yaml.ScalarToken) and tok.style in ('"', "'") \
                    and tok.end_mark.line > tok.start_mark.line:
                last = (tok.start_mark.line + 1, tok.start_mark.column + 1, tok.end_mark.line + 1, key)
            prev = tok
    except yaml.YAMLError:
        pass
    return last if last and last[2] >= line - 1 else None


def parse_yaml(raw: bytes, rel: str, kind: str, path: Path | None = None) -> SourceDoc:
    """Parse one file's bytes; raise LoadError with a located message."""
    yaml, _, strict = pyyaml()
    if len(raw) > MAX_BYTES:
        raise _err(rel, "", 1, 1, f"expected at most {MAX_BYTES:,} bytes (1 MiB); got {len(raw):,}",
                   "split the text or move long passages to content/sources/")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]      # a byte order mark is accepted and ignored (content model)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        before = split_lines(raw[:e.start].decode("utf-8"))
        line, col = len(before), len(before[-1]) + 1
        rest = raw[e.start:].decode("utf-8", "replace")
        shown = before[-1] + split_lines(rest)[0]
        raise LoadError(ContentError(
            rel, line, col, "(file)", f"expected UTF-8 text; got the byte 0x{raw[e.start]:02x}",
            "save the file as UTF-8 (in most editors: Save As, Encoding: UTF-8)", "error", shown))
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#")
                               for ln in split_lines(text)):
        raise _err(rel, text, 1, 1, "expected fields; got an empty file",
                   "see docs/content-model.md for the fields")
    bad = _CONTROL.search(text)
    if bad:   # libyaml refuses most of these with a byte offset only: locate it here
        before = split_lines(text[:bad.start()])
        line, col = len(before), len(before[-1]) + 1
        raise _err(rel, text, line, col, f"control character U+{ord(bad.group()):04X} in the file",
                   "remove it; only tabs and line breaks are allowed")
    if "&" in text or "*" in text:   # no anchor or alias is possible without them
        _scan_events(text, rel)
    loader = strict(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise _err(rel, text, 1, 1, "expected fields; got an empty file")
        marks = _walk(loader, root, rel, text)
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as e:
        raise _syntax_error(e, text, rel) from None
    except yaml.YAMLError as e:  # a reader error: no line known
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
        out += [(d / n, kind) for n in content_names(d)]
    return out


def content_names(folder: Path) -> list[str]:
    """The names of the content YAML files in a folder (not hidden ones), in path order;
    none when there is no such folder. Names, not paths: a rebuild's scan lists 5,000."""
    return _names(folder, lambda n: n.endswith((".yaml", ".yml")) and n[:1] != ".")


def source_names(folder: Path) -> list[str]:
    """The names of the source texts (*.txt) in a folder, in path order (as content_names)."""
    return _names(folder, lambda n: n.endswith(".txt"))


def _names(folder: Path, ok) -> list[str]:
    try:
        return sorted(n for n in os.listdir(folder) if ok(n))
    except (FileNotFoundError, NotADirectoryError):
        return []


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
    return {os.path.splitext(n)[0]: (d / n).read_bytes().decode("utf-8", "replace").lstrip("\ufeff")
            for n in source_names(d)}

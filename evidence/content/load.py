"""Load: find the content files and read each into a SourceDoc, its plain data with a
line and column for every field.

A file is refused over 1 MiB, when it is not UTF-8, empty, holds a control character,
or is not the strict YAML of strict_yaml.py; every refusal is a LoadError carrying a
located ContentError. Nothing here judges content beyond that; validate.py does.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ContentError, display_path
from .strict_yaml import CONTROL, Refusal, pyyaml, read, split_lines  # noqa: F401 - pyyaml: for the build

MAX_BYTES = 1_048_576


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


def _text(raw: bytes, rel: str) -> str:
    """A file's bytes as text: at most 1 MiB, UTF-8 (a byte order mark ignored), some
    fields, no control character."""
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
    bad = CONTROL.search(text)
    if bad:   # libyaml refuses most of these with a byte offset only: locate it here
        before = split_lines(text[:bad.start()])
        line, col = len(before), len(before[-1]) + 1
        raise _err(rel, text, line, col, f"control character U+{ord(bad.group()):04X} in the file",
                   "remove it; only tabs and line breaks are allowed")
    return text


def parse_yaml(raw: bytes, rel: str, kind: str, path: Path | None = None) -> SourceDoc:
    """Parse one file's bytes; raise LoadError with a located message."""
    text = _text(raw, rel)
    try:
        data, marks = read(text)
    except Refusal as r:
        raise _err(rel, text, r.line, r.column, r.message, r.hint,
                   "(file)" if r.fpath is None else _fieldname(r.fpath)) from None
    return SourceDoc(path or Path(rel), rel, kind, data, marks, text)


KINDS = {"studies": "study", "conditions": "condition", "drugs": "drug"}


def load_file(path: Path, kind: str) -> SourceDoc:
    """Read and parse one YAML file."""
    rel = display_path(path)
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

"""The bad-input corpus: each case in tests/data/bad/cases.yaml is one small change to one file
of the small valid site (tests/data/site), applied at test time; its exact stderr is
tests/data/bad/<name>.err.

A case names the `file` it writes (under content/), the `base` file that is its starting
point (by default `file` itself), files to `remove`, and either `edits` (applied in order to
the base text) or `text` (the whole file, for syntax-level cases: YAML errors, aliases,
empty or non-map files). An edit is one of
  {set: PATH, to: RAW}         the value at PATH (a.b.0.c) becomes the YAML text RAW
  {delete: PATH}               the lines of the field (or list item) at PATH go
  {after: PATH, add: TEXT}     TEXT (whole lines) goes after the field at PATH
  {replace: OLD, with: NEW}    the text OLD (found exactly once) becomes NEW
Edits find fields through the YAML parser's positions and change the text in place, so every
other line keeps its number. The written file starts with a banner of comment lines
(`# path: FILE`, `# remove: ...`, `# pad-to: N`, `# ABOUT`): the expected messages count
them in their line numbers, and a reader of a failing test's folder sees what changed.
`pad_to: N` pads the file with comment lines to N bytes; `encoding` (default utf-8) is how
the text is saved, so a case can hold a byte that is not UTF-8.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent / "data"
BAD = DATA / "bad"
CASES_FILE = BAD / "cases.yaml"
BASE_SITE = DATA / "site" / "content"


def _lines_of(node: yaml.Node) -> tuple[int, int]:
    """First and last line (0-based) a value node's text takes up."""
    end = node.end_mark
    last = end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line
    return node.start_mark.line, last


def _find(text: str, path: str) -> tuple[yaml.Node | None, yaml.Node]:
    """The key node (None for a list item) and value node at a dotted path."""
    node, key = yaml.compose(text, Loader=yaml.SafeLoader), None
    for part in path.split("."):
        if isinstance(node, yaml.SequenceNode):
            key, node = None, node.value[int(part)]
            continue
        pairs = [(k, v) for k, v in node.value if k.value == part]
        if len(pairs) != 1:
            raise KeyError(f"{path}: no single field `{part}`")
        key, node = pairs[0]
    return key, node


def _offset(lines: list[str], line: int, column: int = 0) -> int:
    return sum(len(x) for x in lines[:line]) + column


def _block(text: str, path: str) -> tuple[list[str], int, int]:
    """The file's lines and the first and last line of the field (or item) at path."""
    key, value = _find(text, path)
    lines = text.splitlines(keepends=True)
    first, last = _lines_of(value)
    if key is not None:
        first = key.start_mark.line
    while last > first and (not lines[last].strip() or lines[last].lstrip().startswith("#")):
        last -= 1
    return lines, first, last


def apply_edit(text: str, edit: dict) -> str:
    """One edit (see the module docstring) applied to a file's text."""
    if "set" in edit:
        _, node = _find(text, edit["set"])
        if not isinstance(node, yaml.ScalarNode) and not node.flow_style:
            raise ValueError(f"{edit['set']}: `set` takes a one-line value; use `replace`")
        lines = text.splitlines(keepends=True)
        start = _offset(lines, node.start_mark.line, node.start_mark.column)
        end = _offset(lines, node.end_mark.line, node.end_mark.column)
        return text[:start] + str(edit["to"]) + text[end:]
    if "delete" in edit:
        lines, first, last = _block(text, edit["delete"])
        return "".join(lines[:first] + lines[last + 1:])
    if "after" in edit:
        lines, _, last = _block(text, edit["after"])
        return "".join(lines[:last + 1]) + edit["add"] + "".join(lines[last + 1:])
    if "replace" in edit:
        if text.count(edit["replace"]) != 1:
            raise ValueError(f"not found exactly once: {edit['replace']!r}")
        return text.replace(edit["replace"], edit["with"])
    raise ValueError(f"unknown edit {edit!r}")


@dataclass
class Case:
    """One bad-input case: a changed file dropped into the small site, and the exact stderr."""

    name: str
    about: str
    file: str                       # where it goes, relative to content/
    base: str | None = None         # the file it starts from; `file` by default
    remove: list[str] = field(default_factory=list)
    edits: list[dict] = field(default_factory=list)
    text: str | None = None
    pad_to: int | None = None
    encoding: str = "utf-8"

    @property
    def err_file(self) -> Path:
        return BAD / f"{self.name}.err"

    @property
    def expected(self) -> str:
        return self.err_file.read_text(encoding="utf-8") if self.err_file.exists() else ""

    @property
    def path(self) -> str:          # the name the earlier one-file-per-case corpus used
        return self.file

    def banner(self) -> str:
        head = [f"# path: {self.file}"] + [f"# remove: {r}" for r in self.remove]
        if self.pad_to:
            head.append(f"# pad-to: {self.pad_to}")
        head += [f"# {line}" for line in self.about.splitlines()]
        return "".join(f"{h}\n" for h in head)

    def body(self, content: Path = BASE_SITE) -> bytes:
        """The bytes of the changed file, made from the base site's files."""
        if self.text is not None:
            text = self.text
        else:
            text = (content / (self.base or self.file)).read_text(encoding="utf-8")
            for edit in self.edits:
                text = apply_edit(text, edit)
        data = (self.banner() + text).encode(self.encoding)
        if self.pad_to:
            line = b"# " + b"x" * 78 + b"\n"
            data += line * ((self.pad_to - len(data)) // len(line) + 1)
            data = data[:self.pad_to - 1] + b"\n"
        return data

    def apply(self, site: Path) -> None:
        """Put the case into a copied site (site/content/...)."""
        body = self.body(site / "content")
        for rel in self.remove:
            (site / "content" / rel).unlink()
        target = site / "content" / self.file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)


def load_cases() -> list[Case]:
    """Every case of tests/data/bad/cases.yaml, in file order."""
    raw = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))
    return [Case(**c) for c in raw]


def case(name: str) -> Case:
    return next(c for c in load_cases() if c.name == name)

"""Strict YAML: the YAML that content is written in, read into data and a Mark per field.

A safe loader with YAML 1.2 core scalars (`yes`/`no`/`on` are text, no octal or base-60
numbers, dates stay text) that refuses anchors and aliases, explicit tags, keys that
are not plain text, duplicate keys, nesting deeper than 50 and control characters;
libyaml's syntax errors in plain words. Each refusal is a Refusal with its line, column
and field path; load.py makes it a located ContentError.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

MAX_DEPTH = 50

# C0/C1 controls (other than tab and line breaks), surrogates and non-characters: they
# can only arrive through escapes such as "\x00" and have no place in a page
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufdd0-\ufdef\ufffe\uffff]")
_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")   # what YAML counts as a new line

# libyaml's wording -> (plain wording, hint); matched on the start of the problem
YAML_SYNTAX = [
    ("found unexpected end of stream", "a quotation mark is never closed",
     "close the quotation mark opened here"),
    ("found unknown escape character", "unknown escape after a backslash in double quotes",
     "use single quotes, or write \\\\ for a backslash"),
    ("found invalid Unicode character escape", "invalid \\u escape in double quotes",
     "write the character itself"),
    ("found a tab character", "a tab character where YAML expects spaces",
     "indent with spaces, not tabs"),
    ("did not find expected key", "this line is not indented like the lines around it",
     "line each key up with the others of its group; check the line above too"),
    ("did not find expected '-' indicator", "this line is not indented like the list items around it",
     "line each `- ` up with the others of its list"),
    ("mapping values are not allowed", "a `: ` where no new field can start",
     "quote text that contains `: `, or check the indentation"),
    ("could not find expected ':'", "expected a `key: value` line",
     "every field name ends with a colon and a space; quote text that runs over several lines"),
    ("did not find expected ',' or ']'", "a [list] is not closed, or lacks a comma",
     "close it with ] and separate items with commas"),
    ("did not find expected ',' or '}'", "a {map} is not closed, or lacks a comma",
     "close it with } and separate fields with commas"),
    ("did not find expected node content", "a value is missing here",
     "quote values that start with a special character"),
    ("expected a single document", "more than one YAML document (a second `---`)",
     "keep one study per file; remove the extra ---"),
    ("found character that cannot start any token", "this character cannot start a value",
     "put the value in quotes"),
]


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


class Refusal(Exception):
    """YAML the content model does not accept, at a 1-based line and column; `fpath` is
    the field it is in, None when no field can be named (a syntax error)."""

    def __init__(self, line: int, column: int, message: str, hint: str | None = None,
                 fpath: tuple | None = None):
        super().__init__(message)
        self.line, self.column, self.message, self.hint, self.fpath = line, column, message, hint, fpath


def _refuse(mark, message: str, hint: str | None, fpath: tuple | None) -> Refusal:
    """A Refusal at a PyYAML mark (0-based)."""
    return Refusal(mark.line + 1, mark.column + 1, message, hint, fpath)


def read(text: str) -> tuple[object, dict]:
    """(data, a Mark per field path) of one file's text; a Refusal when it is not strict YAML."""
    yaml, _, strict = pyyaml()
    if "&" in text or "*" in text:   # no anchor or alias is possible without them
        _scan_events(text)
    loader = strict(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise Refusal(1, 1, "expected fields; got an empty file")
        marks = _walk(loader, root)
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as e:
        raise syntax_error(e, text) from None
    except yaml.YAMLError as e:  # a reader error: no line known
        raise Refusal(1, 1, f"YAML error: {e}") from None
    except (ValueError, RecursionError, OverflowError) as e:
        raise Refusal(1, 1, f"cannot read value: {e}") from None
    finally:
        loader.dispose()
    return data, marks


def _explicit_tag(loader: yaml.BaseLoader, node: yaml.Node) -> bool:
    yaml = pyyaml()[0]
    if isinstance(node, yaml.ScalarNode):
        if not node.style:  # plain (None in PyYAML, "" in libyaml)
            return node.tag != loader.resolve(yaml.ScalarNode, node.value, (True, False))
        return node.tag != "tag:yaml.org,2002:str"
    want = "tag:yaml.org,2002:map" if isinstance(node, yaml.MappingNode) else "tag:yaml.org,2002:seq"
    return node.tag != want


def _walk(loader, root) -> dict:
    """Check the node tree (tags, depth, keys, text) and record a Mark per field."""
    yaml = pyyaml()[0]
    marks: dict = {}
    stack = [(root, (), 1, root.start_mark)]
    while stack:
        node, fpath, depth, keymark = stack.pop()
        here = node.start_mark
        if _explicit_tag(loader, node):
            raise _refuse(here, f"tags are not allowed; got {node.tag.replace('tag:yaml.org,2002:', '!!')}",
                          "remove the tag and write a plain value", fpath)
        marks[fpath] = Mark(here.line + 1, here.column + 1, keymark.line + 1, keymark.column + 1)
        if isinstance(node, yaml.ScalarNode):
            bad = CONTROL.search(node.value)
            if bad:
                raise _refuse(here, f"control character U+{ord(bad.group()):04X} in text",
                              "remove it; only tabs and line breaks are allowed", fpath)
            continue
        if depth > MAX_DEPTH:
            raise _refuse(here, f"nesting is deeper than {MAX_DEPTH} levels", "flatten the structure", fpath)
        if isinstance(node, yaml.MappingNode):
            _check_keys(loader, node, fpath)
            stack += reversed([(vn, fpath + (kn.value,), depth + 1, kn.start_mark)
                               for kn, vn in node.value])
        else:
            stack += reversed([(vn, fpath + (i,), depth + 1, vn.start_mark)
                               for i, vn in enumerate(node.value)])
    return marks


def _check_keys(loader, node, fpath: tuple) -> None:
    """A mapping's keys are plain text, each given once."""
    yaml = pyyaml()[0]
    keys: dict[str, yaml.Node] = {}
    for kn, _ in node.value:
        if not isinstance(kn, yaml.ScalarNode) or kn.tag != "tag:yaml.org,2002:str" \
                or _explicit_tag(loader, kn):
            got = kn.value if isinstance(kn, yaml.ScalarNode) else \
                ("a list" if isinstance(kn, yaml.SequenceNode) else "a map")
            raise _refuse(kn.start_mark, f"expected a field name (plain text) as key; got {got}",
                          "write field names as plain words, e.g. title:", fpath)
        if kn.value in keys:
            first = keys[kn.value].start_mark.line + 1
            raise _refuse(kn.start_mark, f"duplicate key `{kn.value}` (first given on line {first})",
                          "a YAML loader silently keeps the last one; keep one", fpath + (kn.value,))
        keys[kn.value] = kn


def _scan_events(text: str) -> None:
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
                raise _refuse(ev.start_mark, f"anchors and aliases are not allowed; got {what}",
                              "write the value out in full", here)
            if isinstance(ev, yaml.CollectionStartEvent):
                frames.append([here, isinstance(ev, yaml.MappingStartEvent), 0, True])
            else:
                _advance(frames, ev.value)
    except yaml.MarkedYAMLError as e:
        raise syntax_error(e, text)
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


def syntax_error(e: yaml.MarkedYAMLError, text: str) -> Refusal:
    """A PyYAML/libyaml syntax error in plain words; no field: the parser cannot know
    which field the writer meant."""
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
    return Refusal(line, col, f"YAML syntax error: {message}", hint)


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

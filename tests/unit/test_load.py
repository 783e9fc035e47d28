"""Load: strict YAML (1.2 scalars, no aliases, tags or duplicate keys), marks per field,
and located errors for every file-level mistake."""
from __future__ import annotations

from pathlib import Path

import pytest

from sitekit import SEED, SITE
from evidence.content import load, strict_yaml
from evidence.content.errors import format_error
from evidence.content.load import LoadError, parse_yaml


def _load(text: str | bytes, kind: str = "study"):
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return parse_yaml(raw, "x.yaml", kind)


def _error(text: str | bytes) -> str:
    with pytest.raises(LoadError) as e:
        _load(text)
    return format_error(e.value.error)


@pytest.mark.parametrize("src,value", [
    ("a: no", "no"), ("a: on", "on"), ("a: yes", "yes"), ("a: Off", "Off"), ("a: y", "y"),
    ("a: 017", "017"), ("a: 12:30", "12:30"), ("a: 2005-10-01", "2005-10-01"),
    ("a: 2026-13-45", "2026-13-45"), ("a: 0x1F", "0x1F"), ("a: 1_000", "1_000"), ("a: =", "="),
    ("a: true", True), ("a: false", False), ("a: True", "True"), ("a: FALSE", "FALSE"), ("a: 7", 7), ("a: -3", -3), ("a: 1.10", 1.1),
    ("a: 1e3", 1000.0), ("a: ~", None), ("a:", None), ("a: .inf", ".inf"), ("a: .nan", ".nan"),
])
def test_yaml_12_core_scalars(src: str, value) -> None:
    """YAML 1.1 surprises stay text; dates stay text; only true/false are booleans."""
    got = _load(src).data["a"]
    assert got == value and type(got) is type(value)


def test_marks_are_one_based_and_point_at_values() -> None:
    doc = _load("id: x\npopulation:\n  n: 7\n  ages: [1, 2]\nlist:\n  - a: 1\n")
    assert doc.locate(("population", "n")) == (3, 6)
    assert doc.locate(("population", "n"), key=True) == (3, 3)
    assert doc.locate(("population", "ages", 1)) == (4, 13)
    assert doc.locate(("list", 0, "a")) == (6, 8)
    assert doc.locate(("population", "missing")) == (3, 3)   # the parent's value
    assert doc.source_line(3) == "  n: 7"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_endings(newline: str) -> None:
    """Windows and old Mac line endings: same data, same lines."""
    doc = _load(newline.join(["a: 1", "b:", "  c: two", ""]))
    assert doc.data == {"a": 1, "b": {"c": "two"}}
    assert doc.locate(("b", "c")) == (3, 6)
    assert doc.source_line(3) == "  c: two"


def test_byte_order_mark_is_ignored() -> None:
    doc = _load(b"\xef\xbb\xbfa: 1\n")
    assert doc.data == {"a": 1}
    assert doc.locate(("a",)) == (1, 4)


def test_alias_bomb_is_refused_before_anything_is_built(monkeypatch) -> None:
    """A billion laughs: refused at the first anchor, without constructing a node."""
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    for prev, name in zip("abcdefgh", "bcdefghi"):
        bomb += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
    calls = []
    monkeypatch.setattr(load.pyyaml()[2], "get_single_node",          # the strict loader class
                        lambda self: calls.append(1) or (_ for _ in ()).throw(AssertionError))
    msg = _error(bomb)
    assert msg.splitlines()[0] == "x.yaml:1:4: a: anchors and aliases are not allowed; got anchor &a"
    assert calls == []


def test_alias_is_located_at_its_use() -> None:
    msg = _error("a: 1\nb: *x\n")
    assert msg.splitlines()[0] == "x.yaml:2:4: b: anchors and aliases are not allowed; got alias *x"


@pytest.mark.parametrize("src,expected", [
    ('a: !!python/object/apply:os.system ["echo hi"]\n',
     "x.yaml:1:4: a: tags are not allowed; got !!python/object/apply:os.system"),
    ("a: !!str 5\n", "x.yaml:1:4: a: tags are not allowed; got !!str"),
    ("a: !custom x\n", "x.yaml:1:4: a: tags are not allowed; got !custom"),
    ("a: !!binary aGk=\n", "x.yaml:1:4: a: tags are not allowed; got !!binary"),
    ("<<: {a: 1}\n", "x.yaml:1:1: (top level): expected a field name (plain text) as key; got <<"),
    ("a:\n  1: x\n", "x.yaml:2:3: a: expected a field name (plain text) as key; got 1"),
    ("a: 1\na: 2\n", "x.yaml:2:1: a: duplicate key `a` (first given on line 1)"),
    ("a: {b: 1, b: 1}\n", "x.yaml:1:11: a.b: duplicate key `b` (first given on line 1)"),
    ('a: "x\\x00y"\n', "x.yaml:1:4: a: control character U+0000 in text"),
    ("a: b\x07c\n", "x.yaml:1:5: (file): control character U+0007 in the file"),
    ("a: 1\n---\nb: 2\n",
     "x.yaml:2:1: (file): YAML syntax error: more than one YAML document (a second `---`)"),
    ("a:\n\tb: 1\n", "x.yaml:2:1: (file): YAML syntax error: a tab character where YAML expects spaces"),
    ('a: "open\n', "x.yaml:1:4: (file): YAML syntax error: a quotation mark is never closed"),
])
def test_refused_with_a_location(src: str, expected: str) -> None:
    assert _error(src).splitlines()[0] == expected


def test_python_object_never_runs(monkeypatch) -> None:
    import os
    ran = []
    monkeypatch.setattr(os, "system", lambda *a: ran.append(a))
    _error('a: !!python/object/apply:os.system ["echo hi"]\n')
    assert ran == []


def test_nesting_depth_limit() -> None:
    """The top-level mapping is depth 1: 50 levels load, 51 do not."""
    ok = "a: " + "[" * 49 + "]" * 49 + "\n"
    _load(ok)
    msg = _error("a: " + "[" * 50 + "]" * 50 + "\n")
    assert msg.splitlines()[0] == "x.yaml:1:53: a[0][0]…[0] (50 levels): nesting is deeper than 50 levels"


def test_not_utf8_is_located_by_character() -> None:
    msg = _error("a: ü\nb: caf\xe9!\n".encode("utf-8").replace(b"\xc3\xa9", b"\xe9"))
    assert msg.splitlines()[:3] == [
        "x.yaml:2:7: (file): expected UTF-8 text; got the byte 0xe9",
        "    2 | b: caf\ufffd!",
        "      |       ^"]


def test_utf16_is_refused() -> None:
    msg = _error("a: 1\n".encode("utf-16"))
    assert msg.startswith("x.yaml:1:1: (file): expected UTF-8 text; got the byte 0xff")


@pytest.mark.parametrize("raw", [b"", b"\n\n", b"# only a comment\n", b"\xef\xbb\xbf", b"   \n"])
def test_empty_files(raw: bytes) -> None:
    assert _error(raw).startswith("x.yaml:1:1: (file): expected fields; got an empty file")


def test_size_cap() -> None:
    assert _load(b"a: 1\n" + b"#" * (load.MAX_BYTES - 6) + b"\n").data == {"a": 1}
    msg = _error(b"a: 1\n" + b"#" * (load.MAX_BYTES - 5) + b"\n")
    assert msg.splitlines() == [
        "x.yaml:1:1: (file): expected at most 1,048,576 bytes (1 MiB); got 1,048,577",
        "  hint: split the text or move long passages to content/sources/"]


def test_unicode_line_separators_count_as_lines() -> None:
    """YAML counts NEL, LS and PS as line breaks: the shown line must match the number."""
    msg = _error("a: 1\u2028b: [\n")
    head, shown = msg.splitlines()[:2]
    assert head.startswith("x.yaml:3:")
    assert "|" in shown


def test_runaway_quote_points_at_the_opening_mark() -> None:
    msg = _error('title: "B cells\nadded: "2026-11-24"\nx: 1\n')
    assert msg.splitlines()[0] == ("x.yaml:1:8: (file): YAML syntax error: the quoted text of `title` "
                                   "runs on to line 2: a quotation mark is not closed")
    assert msg.splitlines()[-1] == "  hint: close the quotation mark on line 1"


def test_content_files_order_and_kinds(tmp_path: Path) -> None:
    """site, glossary, then studies/conditions/drugs sorted; .yml too; hidden files skipped."""
    import shutil
    shutil.copytree(SITE / "content", tmp_path / "content")
    studies = tmp_path / "content" / "studies"
    (studies / ".#lock.yaml").write_text("x")
    (studies / "notes.txt").write_text("x")
    (studies / "zz-other.yml").write_text("id: zz-other\n")
    files = [(p.relative_to(tmp_path / "content").as_posix(), k)
             for p, k in load.content_files(tmp_path / "content")]
    assert files[:3] == [("site.yaml", "site"), ("glossary.yaml", "glossary"), (SEED, "study")]
    assert ("studies/zz-other.yml", "study") in files
    assert not any(".#lock" in f or "notes" in f for f, _ in files)


def test_load_all_collects_every_error(tmp_path: Path) -> None:
    import shutil
    shutil.copytree(SITE / "content", tmp_path / "content")
    (tmp_path / "content" / "site.yaml").write_text("a: [\n")
    (tmp_path / "content" / "drugs" / "rituximab.yaml").write_bytes(b"\xff")
    docs, errors = load.load_all(tmp_path / "content")
    assert len(errors) == 2
    assert {d.kind for d in docs} == {"study", "drug", "condition", "glossary"}


def test_a_key_with_a_line_break_stays_on_one_line() -> None:
    """Found by fuzzing: a value quoted in a message must not split the error in two."""
    msg = _error('a: 1\n"b\\nc": 2\n"b\\nc": 3\n')
    assert msg.splitlines()[0] == "x.yaml:3:1: b\\nc: duplicate key `b\\nc` (first given on line 2)"


def test_strict_yaml_reads_text_into_data_and_marks() -> None:
    """strict_yaml knows no file: it gives data and marks, load.py makes the SourceDoc."""
    data, marks = strict_yaml.read("a:\n  - b: 1\n")
    assert data == {"a": [{"b": 1}]}
    assert marks[("a", 0, "b")] == strict_yaml.Mark(2, 8, 2, 5)


@pytest.mark.parametrize("src,where,fpath", [
    ("a: 1\na: 2\n", (2, 1), ("a",)),                 # a field's refusal names its path
    ("<<: {a: 1}\n", (1, 1), ()),                      # ... the top level is the empty path
    ("a: 1\n---\nb: 2\n", (2, 1), None),               # a syntax error has no field
])
def test_a_refusal_carries_its_place_and_field_path(src: str, where: tuple, fpath) -> None:
    with pytest.raises(strict_yaml.Refusal) as e:
        strict_yaml.read(src)
    assert (e.value.line, e.value.column) == where and e.value.fpath == fpath

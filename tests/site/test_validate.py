"""Validation: the bad-input corpus (tests/data/bad/cases.yaml: one mistake per case, made as a
small change to the small valid site; exact stderr in <case>.err, exit 1, output/
byte-identical afterwards) and the inputs that must be accepted."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from badcases import BAD, Case, case, load_cases
from support import SEED_FILE as SEED, SiteCopy, copy_site, run_inprocess, snapshot

CASES = load_cases()

# every bad input issue 7 and the content model name, by the case that shows it
REQUIRED = """
yaml-bad-indentation yaml-unclosed-quote yaml-unclosed-quote-at-end yaml-tab-indentation
empty-file top-level-list top-level-scalar not-utf8 too-large too-deep duplicate-key
boolean-yes boolean-on integer-as-float integer-exponent integer-octal date-impossible date-as-time
anchor-alias alias-bomb python-tag wrong-type-text-for-integer missing-required
unknown-field-misspelt out-of-range-n id-not-file-name id-dotdot id-absolute id-dots id-uppercase
id-lookalike filename-lookalike filename-dot two-files-one-id missing-condition
missing-regimen-drug missing-glossary-see-also median-outside-range q1-above-median
median-above-q3 female-above-n events-above-of people-above-n at-least-above-n
out-of-range-p-value min-above-max-age min-above-max-dose min-above-max-count added-before-year
drugs-not-studied duplicate-outcome-id deaths-above-serious percent-mismatch duplicate-pmid
duplicate-doi language-underscore contact-not-url-or-email journal-full-stop content-model-newer
""".split()


def _check_message(c: Case, err: str, update: bool) -> None:
    """The message is the expected one; under --update-errors a new one is written instead."""
    if err != c.expected and update:
        c.err_file.write_text(err, encoding="utf-8")
        return
    assert err == c.expected, f"{c.name}: message differs (pytest --update-errors rewrites {c.err_file.name})"


@pytest.mark.parametrize("c", CASES, ids=[c.name for c in CASES])
def test_bad_input(c: Case, fresh_built: SiteCopy, update_errors: bool) -> None:
    """Exact message on stderr, exit 1, nothing on stdout, output/ byte-identical."""
    site = fresh_built.root
    before = snapshot(site / "output")
    c.apply(site)
    r = run_inprocess(site)
    _check_message(c, r.err, update_errors)
    assert r.code == 1
    assert r.out == ""
    assert snapshot(site / "output") == before
    assert not [p.name for p in site.iterdir() if p.name.startswith((".output-staging", ".output-old"))]


def test_corpus_is_complete() -> None:
    """Each case has its .err, each named bad input has a case, each message is located."""
    names = [c.name for c in CASES]
    assert len(CASES) >= 90 and len(set(names)) == len(names)
    assert not set(REQUIRED) - set(names)
    assert {p.stem for p in BAD.glob("*.err")} == set(names)
    located = re.compile(r"^content/[^\s:]+:\d+:\d+: (warning: )?\S.*: .+$")
    for c in CASES:
        lines = c.expected.splitlines()
        assert re.fullmatch(r"\d+ errors? in \d+ files?; output/ left unchanged\.", lines[-1]), c.name
        heads = [ln for ln in lines if not ln.startswith((" ", "  hint:")) and ln != lines[-1]]
        assert heads and all(located.match(h) for h in heads), c.name
        assert "Traceback" not in c.expected


def test_a_changed_message_fails_unless_asked_to_update(tmp_path: Path, monkeypatch) -> None:
    """Expected messages are rewritten only under --update-errors, never silently."""
    import badcases
    monkeypatch.setattr(badcases, "BAD", tmp_path)
    c = Case("made-up", "a case for this test", SEED)
    c.err_file.write_text("old message\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="--update-errors"):
        _check_message(c, "new message\n", update=False)
    assert c.expected == "old message\n"
    _check_message(c, "new message\n", update=True)
    assert c.expected == "new message\n"


def test_cases_are_small_changes() -> None:
    """A case edits the base file (a whole text only for syntax-level cases), so a field added
    to the base study reaches every case; each edit changes the base (no case is a no-op
    unless it renames or resizes the file)."""
    whole = {c.name for c in CASES if c.text is not None}
    assert whole == {"alias-bomb", "empty-file", "top-level-list", "top-level-scalar"}
    for c in CASES:
        if c.text is None and not (c.remove or c.pad_to or c.base):
            assert c.edits, c.name


def test_a_field_added_to_the_base_reaches_every_case(tmp_path: Path) -> None:
    """With one more field in every map file of the base site, every edit still applies and
    every case but the whole-text ones carries the new field."""
    site = copy_site(tmp_path)
    for p in (site / "content").rglob("*.yaml"):
        if p.name != "glossary.yaml":
            p.write_text(p.read_text(encoding="utf-8") + "new_required_field: 1\n", encoding="utf-8")
    for c in CASES:
        body = c.body(site / "content")
        if c.text is None and not c.file.endswith("glossary.yaml"):
            assert b"\nnew_required_field: 1\n" in body, c.name


def test_unknown_field_suggests_the_nearest_name() -> None:
    """The issue's own example, in one message with no second 'missing' error."""
    expected = case("unknown-field-misspelt").expected
    assert "unknown field `plain_titel`" in expected
    assert "hint: did you mean `plain_title`?" in expected
    assert "missing required" not in expected


@pytest.mark.parametrize("name", ["yaml-unclosed-quote", "yaml-tab-indentation", "female-above-n"])
def test_real_command_line(name: str, fresh_built: SiteCopy) -> None:
    """`python build.py` itself: the same message, exit 1, the previous output/ intact."""
    c = case(name)
    before = snapshot(fresh_built.output)
    c.apply(fresh_built.root)
    r = fresh_built.build(cli=True)
    assert (r.code, r.err) == (1, c.expected)
    assert snapshot(fresh_built.output) == before


def test_yaml_syntax_error_is_located_to_its_line(fresh_built: SiteCopy) -> None:
    """Issue 3: a YAML syntax error names the file and the line of the mistake."""
    site = fresh_built.root
    path = site / "content" / SEED
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    i = next(i for i, ln in enumerate(lines) if ln.startswith("conditions:"))
    lines[i] = "conditions: [childhood-onset-sle\n"
    path.write_text("".join(lines), encoding="utf-8")
    r = run_inprocess(site, "check")
    assert r.code == 1
    first = r.err.splitlines()[0]
    assert first.startswith(f"content/{SEED}:{i + 2}:")   # the parser stops on the next line
    assert "a [list] is not closed" in first


@pytest.mark.parametrize("old,new,shown", [
    # YAML 1.1 words are text where text is expected (content model "Scalars")
    ("    premedication: not-reported", "    premedication: no", "no"),
    ("    rate: not-reported", "    rate: on", "on"),
    ("    when: only for children who had not had it before", "    when: yes", "yes"),
    # unquoted dates and times stay text; 017 stays 017 in a text-or-integer field
    ('added: "2026-11-24"', "added: 2026-11-24", None),
    ('  volume: "52"', "  volume: 017", "017"),
    ("    when: only for children who had not had it before", "    when: 12:30", "12:30"),
])
def test_yaml_11_surprises_are_text(site_factory, old: str, new: str, shown: str | None) -> None:
    """`no`, `on`, `yes`, dates, times and 017 in text fields build, and show as written."""
    site = site_factory().replace(SEED, old, new)
    r = site.build()
    assert r.code == 0, r.err
    page = site.page("studies/rituximab-childhood-sle-2005/index.html")
    if shown:
        assert re.search(rf">\s*{re.escape(shown)}\b", page), shown


def test_byte_order_mark_is_accepted(site_factory) -> None:
    """A UTF-8 BOM (added by some editors) is ignored; the page is the same as without it."""
    plain = site_factory(name="plain")
    seed = (plain.content / SEED).read_bytes()
    bom = site_factory({SEED: b"\xef\xbb\xbf" + seed}, name="bom")
    assert plain.build("--no-search").code == 0   # (Pagefind's index is not reproducible)
    r = bom.build("--no-search")
    assert r.code == 0, r.err
    assert snapshot(bom.output) == snapshot(plain.output)


def test_file_of_exactly_one_mebibyte_is_accepted(tmp_path: Path) -> None:
    """The cap is 1,048,576 bytes: a file of exactly that size loads."""
    site = copy_site(tmp_path)
    p = site / "content" / SEED
    body = p.read_bytes()
    line = b"# " + b"x" * 78 + b"\n"
    body += line * ((1_048_576 - len(body)) // len(line) + 1)
    p.write_bytes(body[:1_048_575] + b"\n")
    assert p.stat().st_size == 1_048_576
    r = run_inprocess(site, "check")
    assert r.code == 0, r.err


def test_all_errors_of_a_run_are_listed(fresh_built: SiteCopy) -> None:
    """Two broken files: both reported, sorted by path, one summary line."""
    site = fresh_built.root
    case("language-underscore").apply(site)
    case("female-above-n").apply(site)
    r = run_inprocess(site)
    heads = [ln for ln in r.err.splitlines() if re.match(r"^content/\S+:\d+:\d+: ", ln)]
    assert [h.split(":")[0] for h in heads if "warning" not in h] == [
        "content/site.yaml", f"content/{SEED}"]
    assert r.err.splitlines()[-1] == "2 errors in 2 files; output/ left unchanged."
    assert r.code == 1


def test_missing_site_file_is_an_error(site_factory) -> None:
    """No content/site.yaml at all: one located error, exit 1."""
    r = site_factory({"site.yaml": None}).build("check")
    assert r.code == 1
    assert r.err.splitlines()[0] == "content/site.yaml:1:1: (file): missing: the site settings file is required"

"""Property-based fuzzing (hypothesis): random study files, valid and mutated, each either
build or get located errors (`file:line:col: field: ...`), never a traceback (exit 0 or 1,
never 3); a page shows whatever text it was given, escaped."""
from __future__ import annotations

import copy
import os
import re
import shutil
import tempfile
from pathlib import Path

import markupsafe
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from support import SEED_FILE as SEED, SITE, copy_site, run_inprocess, walk
from test_xss import DANGEROUS, tags_of

SEED_TEXT = (SITE / "content" / SEED).read_bytes()
SEED_DATA = yaml.safe_load(SEED_TEXT)
PAGE = "output/studies/rituximab-childhood-sle-2005/index.html"
LOCATED = re.compile(r"^content/\S+?:\d+:\d+: (warning: )?\S")
SETTINGS = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")), deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
RUNS = {"valid": 0, "mutated": 0, "structure": 0, "random": 0, "built": 0}

# text shown as plain text on the study page (escaped, never Markdown)
PLAIN = [("title",), ("plain_title",), ("design", "description"), ("population", "description"),
         ("certainty", "reasons", 0), ("outcomes", 0, "name"), ("outcomes", 0, "plain_name")]
MARKDOWN = [("summary", "why"), ("summary", "results"), ("summary", "what_it_means")]
NUMBERS = [("population", "n"), ("population", "female"), ("population", "age_years", "min"),
           ("outcomes", 0, "baseline", "median"), ("outcomes", 1, "events"),
           ("safety", "serious_adverse_events"), ("regimens", 0, "count")]
YAML_BITS = [":", ": ", "- ", "[", "]", "{", "}", "&a ", "*a", "!!python/object ", "!x ", '"',
             "'", "# ", "|", ">", "%", "@", "`", "\t", "\n", "\n  ", "? ", ",", "\\", "---\n",
             "not-reported", "1e3", "017", "yes", "~", "<<: ", "\u2028", "\ufeff", "\x00", "\xa0"]


def _site() -> Path:
    return copy_site(Path(tempfile.mkdtemp(prefix="fuzz-")))


def _check_run(site: Path) -> tuple[int, str]:
    """Build; assert the outcome is a success or located errors; never a crash."""
    r = run_inprocess(site)
    assert r.code in (0, 1), r.err
    assert "Traceback" not in r.err and "rerun with --debug" not in r.err
    if r.code == 1:
        lines = r.err.splitlines()
        assert re.fullmatch(r"\d+ errors? in \d+ files?; output/ left unchanged\.", lines[-1])
        heads = [ln for ln in lines[:-1] if not ln.startswith(" ")]
        assert heads and all(LOCATED.match(h) for h in heads), r.err
        assert not (site / "output").exists()
    else:
        RUNS["built"] += 1
    return r.code, r.err


def _set(data, path, value) -> None:
    for p in path[:-1]:
        data = data[p]
    data[path[-1]] = value


# mostly printable text (so most examples build and the page can be checked), sometimes
# anything YAML can carry, control characters included (those must be refused, located)
texts = st.one_of(st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=60),
                  st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=60))


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(PLAIN + MARKDOWN), texts), min_size=1, max_size=4),
       st.lists(st.tuples(st.sampled_from(NUMBERS),
                          st.one_of(st.integers(-5, 10**6), st.floats(allow_nan=False, allow_infinity=False),
                                    st.just("not-reported"))), max_size=2))
def test_valid_shape_any_text(text_edits, number_edits) -> None:
    """Any text in text fields (and odd numbers): builds or is refused with a location;
    when it builds, plain-text fields appear escaped, and no markup from them survives."""
    RUNS["valid"] += 1
    data = copy.deepcopy(SEED_DATA)
    for path, value in text_edits + number_edits:
        _set(data, path, value)
    site = _site()
    try:
        (site / "content" / SEED).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                                             "utf-8")
        code, _ = _check_run(site)
        if code == 0:
            page = (site / PAGE).read_text("utf-8")
            final = {p: v for p, v in text_edits}
            for path, value in final.items():
                if path in PLAIN and value.strip() and "\r" not in value and not any(
                        ch in value for ch in "\x85\u2028\u2029"):
                    shown = str(markupsafe.escape(value.strip()))
                    assert shown in page or " ".join(shown.split()) in " ".join(page.split()), path
            tags = [t for t, _ in tags_of(page)]
            assert not any(t in ("script", "iframe", "form", "base", "style", "object", "embed")
                           and tags.count(t) > _baseline_count(t) for t in DANGEROUS), page[:200]
    finally:
        shutil.rmtree(site, ignore_errors=True)


_BASE_COUNTS: dict[str, int] = {}


def _baseline_count(tag: str) -> int:
    """How often the template itself uses a tag on the study page."""
    if not _BASE_COUNTS:
        site = _site()
        assert run_inprocess(site).code == 0
        tags = [t for t, _ in tags_of((site / PAGE).read_text("utf-8"))]
        _BASE_COUNTS.update({t: tags.count(t) for t in set(tags) | set(DANGEROUS)})
        shutil.rmtree(site, ignore_errors=True)
    return _BASE_COUNTS.get(tag, 0)


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(["insert", "delete", "dup-line", "indent"]),
                          st.floats(0, 1), st.sampled_from(YAML_BITS), st.integers(0, 8)),
                min_size=1, max_size=4))
@example([("insert", 0.0, "\xa0", 0)])      # found by a CI run: a no-break space before `id`
def test_mutated_files(mutations) -> None:
    """Random edits of a valid file (YAML indicators, tabs, BOMs, NULs, deletions, moved
    lines): each run builds or lists located errors."""
    RUNS["mutated"] += 1
    text = SEED_TEXT.decode("utf-8")
    for op, where, bit, n in mutations:
        pos = int(where * len(text))
        lines = text.split("\n")
        i = min(int(where * len(lines)), len(lines) - 1)
        if op == "insert":
            text = text[:pos] + bit + text[pos:]
        elif op == "delete":
            text = text[:pos] + text[pos + n * 3 + 1:]
        elif op == "dup-line":
            lines.insert(min(i + n, len(lines)), lines[i])
            text = "\n".join(lines)
        else:
            lines[i] = " " * n + lines[i].lstrip()
            text = "\n".join(lines)
    site = _site()
    try:
        (site / "content" / SEED).write_bytes(text.encode("utf-8", "surrogatepass"))
        _check_run(site)
    finally:
        shutil.rmtree(site, ignore_errors=True)


POOL = [0, 1, -1, 7, 100, 10**12, 0.5, 1.0, 1e-9, 99.9, "not-reported", "", "x", "<b>x</b>",
        "a\nb", True, False, None, [], {}, [1], [""], {"value": 1, "unit": "years"},
        {"min": 3, "max": 2}, {"median": 5}, {"at_least": 3}, {"below": 0.05},
        {"description": "high"}, {"value": 5, "unit": "mg/m2"}, {"low": 1, "high": 2}, "mg",
        "years", "courses", "people", "treated", "in-press", "10.1/x", "16200620", "2026-01-01"]
EXTRA_KEYS = ["min", "max", "sd", "q1", "q3", "mean", "median", "value", "interval", "unit",
              "courses", "female_percent", "group", "counted_in", "percent", "deaths", "status",
              "derived", "timepoint", "groups", "disease_duration"]


def _paths(d):
    return (p for p, _ in walk(d))


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(POOL),
                          st.one_of(st.none(), st.sampled_from(EXTRA_KEYS))), min_size=1, max_size=3))
def test_structure_mutations(edits) -> None:
    """Any field given a value of another shape (a map for a number, an empty id, a
    reversed range...), or a field added where it may or may not belong."""
    RUNS["structure"] += 1
    data = copy.deepcopy(SEED_DATA)
    for pick, value, extra in edits:
        paths = [p for p in _paths(data) if p]
        path = paths[pick % len(paths)]
        parent = data
        for k in path[:-1]:
            parent = parent[k]
        if extra and isinstance(parent, dict):
            parent[extra] = copy.deepcopy(value)
        else:
            parent[path[-1]] = copy.deepcopy(value)
    site = _site()
    try:
        (site / "content" / SEED).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                                             "utf-8")
        _check_run(site)
    finally:
        shutil.rmtree(site, ignore_errors=True)


yaml_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), texts),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(sorted(SEED_DATA) + ["x", "Title"]),
                                            inner, max_size=5)),
    max_leaves=20)


@SETTINGS
@given(yaml_values)
def test_random_documents(doc) -> None:
    """Any YAML document as a study file: never a crash, always a located answer."""
    RUNS["random"] += 1
    site = _site()
    try:
        (site / "content" / SEED).write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
        _check_run(site)
    finally:
        shutil.rmtree(site, ignore_errors=True)


def test_fuzz_counts() -> None:
    """Runs last in this file: report how many examples ran (for the issue's closing note)."""
    total = RUNS["valid"] + RUNS["mutated"] + RUNS["structure"] + RUNS["random"]
    print(f"\nfuzz examples: {RUNS} ({total} in all)")
    assert total == 0 or total >= 3

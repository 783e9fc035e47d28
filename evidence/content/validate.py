"""Validate: every content file against the published JSON Schemas and the rules a
schema cannot express (ids, references, duplicates, consistency, provenance).

Every problem is collected as a ContentError; nothing stops at the first one.
"""
from __future__ import annotations

import difflib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import provenance, rules
from .errors import ContentError, visible
from .load import SourceDoc, format_path

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schema"
MODEL_VERSION = "1.2"          # the newest content model this build understands
KNOWN_VERSIONS = ("1.0", "1.1", "1.2")


@lru_cache(maxsize=None)
def validator(kind: str) -> Draft202012Validator:  # noqa: F821 - imported here, not at the top
    """One reusable validator per kind of file.

    The schemas themselves are checked against the metaschema by a test
    (tests/test_incremental.py), not on every build: that took a quarter of a
    one-study rebuild (#9). jsonschema is imported here, when a file is checked: a
    rebuild whose files all come from the cache does not load it.
    """
    from jsonschema import Draft202012Validator, validators
    # JSON Schema counts 7.0 as an integer; the content model does not (`7`, not `7.0` or `1e3`)
    strict = validators.extend(Draft202012Validator, type_checker=Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda _, v: isinstance(v, int) and not isinstance(v, bool)))
    schema = json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))
    return strict(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@dataclass
class Report:
    """What validation found: errors, warnings and the provenance counts."""

    errors: list[ContentError] = field(default_factory=list)
    warnings: list[ContentError] = field(default_factory=list)
    figures_checked: int = 0      # numbers compared with a quote
    figures_found: int = 0        # ... and found in it
    figures_derived: int = 0      # listed in `derived`
    quotes_checked: int = 0
    reading: list = field(default_factory=list)   # (doc rel, field, grade)


def _got(value) -> str:
    """How a value is shown after "got"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "a map"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _as_written(doc: SourceDoc, fpath: tuple, value) -> str:
    """A number as the file writes it (1e3, 7.0), not as Python prints it (1000.0)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and tuple(fpath) in doc.marks:
        line, col = doc.locate(fpath)
        m = re.match(r"[-+]?[0-9][0-9_.eE+-]*", (doc.source_line(line) or "")[col - 1:])
        if m:
            return m.group()
    return _got(value)


def _type_hint(value, want: set[str]) -> str | None:
    """Text expected but a number, date-like or boolean-like value given: quote it."""
    if "string" in want and "integer" not in want and "number" not in want and \
            isinstance(value, (int, float)) and not isinstance(value, bool):
        return "put the value in quotes"
    return None


_TYPE_WORDS = {"string": "text", "integer": "an integer", "number": "a number",
               "boolean": "true or false", "object": "a map of fields", "array": "a list",
               "null": "nothing"}
_INT_HINT = "write a plain decimal integer (7, not 7.0, 1e3 or 017)"


def _pytype(value) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return {str: "string", dict: "object", list: "array"}.get(type(value), "null")


def _branch_matches(schema: dict, value) -> bool:
    t = schema.get("type")
    if "const" in schema:
        return schema["const"] == value
    if t is None:
        return False
    pt = _pytype(value)
    ts = t if isinstance(t, list) else [t]
    return pt in ts or (pt == "integer" and "number" in ts)


def _closest_maps(branches: list, matching: list[int], value: dict) -> list[int]:
    """Of several map shapes ({value, unit}, {min, max, unit} ...), the one the writer meant:
    all its required fields present, else the most fields in common."""
    keys = set(value)
    full = [i for i in matching if set(branches[i].get("required", ())) <= keys]
    if full:
        return full if len(full) == 1 else \
            [min(full, key=lambda i: len(keys - set(branches[i].get("properties", {}))))]
    overlap = {i: len(keys & set(branches[i].get("properties", {}))) for i in matching}
    best = max(overlap.values())
    return [i for i in matching if overlap[i] == best] if best else matching


_PATTERN_WORDS = {"doi": "a DOI starting 10. (e.g. 10.1002/art.21351)", "pmid": "digits only"}


def _hint_for(value, expected_types: set[str]) -> str | None:
    if isinstance(value, str) and value.lower() in ("yes", "no", "on", "off", "y", "n", "true", "false") \
            and "boolean" in expected_types:
        return "write true or false"
    if "integer" in expected_types and (isinstance(value, float) or
                                        (isinstance(value, str) and re.fullmatch(r"[-+]?[0-9.eE+]+", value))):
        return _INT_HINT
    if isinstance(value, str) and re.sub(r"[\s_]+", "-", value.strip().lower()) == "not-reported" \
            and value != "not-reported":
        return "write exactly not-reported"
    if value is None:
        return "write a value after the colon (or not-reported where the model allows it)"
    return None


def _translate(doc: SourceDoc, e, out: list[ContentError]) -> None:
    """Turn one jsonschema error into ContentErrors in the house shape."""
    fpath = tuple(e.absolute_path)
    schema = e.schema if isinstance(e.schema, dict) else {}
    value = e.instance

    def add(message, hint=None, at=fpath, key=False, name=None):
        line, col = doc.locate(at, key=key)
        out.append(ContentError(doc.rel, line, col, name or (format_path(at) or "(top level)"),
                                message, hint, "error", doc.source_line(line)))

    v = e.validator
    got = _as_written(doc, fpath, value)
    if v in ("anyOf", "oneOf"):
        branches = e.validator_value
        matching = [i for i, b in enumerate(branches) if _branch_matches(b, value)]
        if len(matching) > 1 and isinstance(value, dict):
            matching = _closest_maps(branches, matching, value)
        if v == "oneOf" and not e.context:  # more than one matched
            add(f"expected exactly one of {', '.join(sorted(k for b in branches for k in b.get('required', [])))}")
            return
        if len(matching) == 1:
            sub = [c for c in e.context if c.relative_schema_path[0] == matching[0]]
            if sub:
                # report the deepest problems of the branch that fits the value's shape
                for c in sub:
                    _translate(doc, c, out)
                return
        expected = schema.get("x-expected") or "a value of another form"
        types = {b.get("type") for b in branches if isinstance(b.get("type"), str)}
        add(f"expected {expected}; got {got}", _hint_for(value, types) or _type_hint(value, types))
        return
    if v == "required":
        have = value if isinstance(value, dict) else {}
        for name in e.validator_value:
            if name not in have:
                nr = "; write not-reported if the source is silent" if name in _NR_FIELDS else ""
                add(f"missing required field `{name}`", (f"add `{name}:`{nr}"),
                    key=True, name=format_path(fpath + (name,)))
        return
    if v == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        for name in value:
            if name not in schema.get("properties", {}):
                near = difflib.get_close_matches(str(name), allowed, n=1, cutoff=0.6)
                hint = f"did you mean `{near[0]}`?" if near else \
                    f"the fields here are: {', '.join(allowed)}"
                unseen = next((c for c in str(name) if not c.isprintable()), None)
                if unseen:          # e.g. a no-break space typed before `id`
                    hint = (f"the name holds an unseen character, U+{ord(unseen):04X} "
                            f"{unicodedata.name(unseen, 'a control character')}: retype it; {hint}")
                add(f"unknown field `{visible(str(name))}`", hint, at=fpath + (name,), key=True)
        return
    if v == "type":
        want = e.validator_value if isinstance(e.validator_value, list) else [e.validator_value]
        words = " or ".join(_TYPE_WORDS.get(w, w) for w in want)
        expected = schema.get("x-expected") or words
        if not fpath and doc.kind != "glossary":
            expected = "a map of fields (key: value lines)"
        elif not fpath:
            expected = "a list of terms (lines starting with -)"
        add(f"expected {expected}; got {got}", _hint_for(value, set(want)) or _type_hint(value, set(want)))
        return
    if v == "enum":
        opts = e.validator_value
        near = difflib.get_close_matches(str(value), [str(o) for o in opts], n=1, cutoff=0.5)
        hint = _hint_for(value, {"boolean"} if True in opts else set())
        if not hint and isinstance(value, str) and "²" in value:
            hint = f"write {value.replace('²', '2')} with a plain ASCII 2"
        if not hint and near:
            hint = f"did you mean {near[0]}?"
        add(f"expected one of {', '.join(map(str, opts))}; got {got}", hint)
        return
    if v == "const":
        add(f"expected {e.validator_value}; got {got}")
        return
    if v in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        sign = {"minimum": "≥", "exclusiveMinimum": ">", "maximum": "≤", "exclusiveMaximum": "<"}[v]
        add(f"expected a number {sign} {e.validator_value}; got {got}")
        return
    if v == "minItems":
        add(f"expected at least {e.validator_value} item{'s' if e.validator_value != 1 else ''}; got {len(value)}")
        return
    if v == "minProperties":
        add(f"expected at least one of {', '.join(sorted(schema.get('properties', {})))}; got none")
        return
    if v == "maxLength":
        if "id" in str(schema.get("x-expected", "")):
            add(f"expected {schema['x-expected']}; got {len(value)} characters")
        else:
            add(f"expected at most {e.validator_value} characters; got {len(value)}")
        return
    if v == "minLength":
        if e.validator_value > 1:
            add(f"expected {schema.get('x-expected') or f'at least {e.validator_value} characters'}; "
                f"got {got}")
        else:
            add(f"expected non-empty text; got {got}")
        return
    if v == "uniqueItems":
        add("expected each item once; got a repeated item", "remove the repeat")
        return
    if v == "format":
        if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            add(f"expected a real date written YYYY-MM-DD; got {got}",
                "check the month (01-12) and the day")
        return   # other shapes fail the pattern too: one message is enough
        return
    if v == "pattern":
        last = fpath[-1] if fpath else ""
        expected = schema.get("x-expected") or _PATTERN_WORDS.get(str(last)) or \
            f"text matching {e.validator_value}"
        hint = None
        if "id" in expected and isinstance(value, str):
            odd = rules.odd_character(value)
            like = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")
            hint = (f"{odd} is not allowed; " if odd else "") + \
                "use lowercase a-z, 0-9 and single hyphens" + \
                (f", e.g. {like}" if like and value.isascii() else "")
        if "full stop" in expected:
            hint = "remove the final full stop"
        if "version" in expected and not isinstance(value, str):
            hint = f'quote it: "{value}"'
        if "BCP 47" in expected and isinstance(value, str):
            hint = f"write {value.replace('_', '-')}" if "_" in value else None
        add(f"expected {expected}; got {got}", hint)
        return
    add(f"{e.message}")


_NR_FIELDS = {"authors", "year", "volume", "issue", "pages", "pmid", "doi", "female", "age_years",
              "follow_up_time", "dose", "route", "count", "over", "max_dose", "rate", "premedication",
              "baseline", "follow_up", "events", "of", "serious_adverse_events", "adverse_events", "n"}


def schema_errors(doc: SourceDoc) -> list[ContentError]:
    """Every JSON Schema problem of one file, in the house shape."""
    out: list[ContentError] = []
    for e in validator(doc.kind).iter_errors(doc.data):
        _translate(doc, e, out)
    return sorted(_drop_misspelt(set(out)))


def _drop_misspelt(errors: set[ContentError]) -> list[ContentError]:
    """`plain_titel` given and `plain_title` missing is one mistake: keep only the
    unknown-field error, whose hint names the missing field."""
    unknown: dict[str, list[str]] = {}
    for e in errors:
        if e.message.startswith("unknown field `"):
            parent, _, name = e.field.rpartition(".")
            unknown.setdefault(parent, []).append(name)
    keep: dict[tuple, ContentError] = {}
    for e in sorted(errors, key=lambda e: (e.hint is None, e._key())):   # a hint wins
        if e.message.startswith("missing required field `"):
            parent, _, name = e.field.rpartition(".")
            if difflib.get_close_matches(name, unknown.get(parent, []), n=1, cutoff=0.6):
                continue
        keep.setdefault((e.path, e.line, e.column, e.field, e.message), e)   # one message once
    return list(keep.values())


def check_version(site: SourceDoc | None) -> list[ContentError]:
    """A content model newer than this build knows stops the build with both versions."""
    if site is None or not isinstance(site.data, dict):
        return []
    v = site.data.get("content_model")
    if isinstance(v, str) and re.fullmatch(r"[0-9]+\.[0-9]+", v) and v not in KNOWN_VERSIONS:
        major, minor = map(int, v.split("."))
        known = tuple(map(int, MODEL_VERSION.split(".")))
        line, col = site.locate(("content_model",))
        if (major, minor) > known:
            return [ContentError(site.rel, line, col, "content_model",
                                 f"content model {v} is newer than this generator knows ({MODEL_VERSION})",
                                 "update the generator, or write content for version " + MODEL_VERSION,
                                 "error", site.source_line(line))]
        return [ContentError(site.rel, line, col, "content_model",     # e.g. 0.9: never existed
                             f"expected one of {', '.join(KNOWN_VERSIONS)}; got \"{v}\"",
                             f"write content_model: \"{MODEL_VERSION}\"", "error", site.source_line(line))]
    return []


def _site_file_exists(docs: list[SourceDoc]) -> bool:
    """Whether content/site.yaml exists, judged from where the other files were found."""
    for d in docs:
        content = Path(d.path).parent if d.kind == "glossary" else Path(d.path).parent.parent
        if (content / "site.yaml").is_file():
            return True
    return False


def check_doc(doc: SourceDoc, source: str | None, *, reading: bool = True) -> tuple[bool, Report]:
    """Every check that needs only this file (and its source text): (schema-valid, report).

    The incremental build caches this by the file's content (issue 9), so checks that
    look at other files belong in validate(), not here.
    """
    from .scaffold import placeholders
    report = Report()
    todo = placeholders(doc)               # left from `build.py new`: say so, not "wrong type"
    flagged = {e.field for e in todo}
    errs = todo + [e for e in schema_errors(doc) if e.field not in flagged]
    report.errors += errs
    if errs:
        return False, report
    if doc.kind == "study":
        report.errors += rules.check_study(doc)
        provenance.check_study(doc, source, report)
    elif doc.kind == "glossary":
        report.errors += rules.check_glossary(doc)
    if reading:
        from . import readability
        readability.check([doc], report)
    return True, report


def validate(docs: list[SourceDoc], sources: dict[str, str], *, reading: bool = True,
             checked: dict | None = None) -> Report:
    """Check every loaded file; return all errors and warnings.

    `checked` maps a doc's rel path to a check_doc() result computed earlier (the cache).
    """
    report = Report()
    site = next((d for d in docs if d.kind == "site"), None)
    version = check_version(site)
    if version:
        report.errors += version
        return report
    valid: list[SourceDoc] = []
    checked, parts = checked or {}, []
    for doc in docs:
        got = checked.get(doc.rel)
        if got is None:
            ident = doc.data.get("id") if doc.kind == "study" and isinstance(doc.data, dict) else None
            got = check_doc(doc, sources.get(ident) if isinstance(ident, str) else None, reading=reading)
        parts.append(got[1])
        if got[0]:
            valid.append(doc)
    merge_all(report, parts)
    if site is None and not _site_file_exists(docs):   # (one that failed to load has its error)
        report.errors.append(ContentError("content/site.yaml", 1, 1, "(file)",
                                          "missing: the site settings file is required",
                                          "copy the example from docs/content-model.md"))
    report.errors += rules.check_ids(docs)
    report.errors += rules.check_references(valid, docs)
    report.errors += rules.check_duplicates(valid)
    report.errors.sort()
    report.warnings.sort()
    return report


def merge_all(into: Report, parts: list[Report]) -> None:
    """merge() for each of parts, in order (one pass per field: 5,000 files at a time)."""
    into.errors += [e for one in parts for e in one.errors]
    into.warnings += [w for one in parts for w in one.warnings]
    into.figures_checked += sum(one.figures_checked for one in parts)
    into.figures_found += sum(one.figures_found for one in parts)
    into.figures_derived += sum(one.figures_derived for one in parts)
    into.quotes_checked += sum(one.quotes_checked for one in parts)
    into.reading += [r for one in parts for r in one.reading]


def merge(into: Report, one: Report) -> None:
    """Add one file's findings to the whole report."""
    into.errors += one.errors
    into.warnings += one.warnings
    into.figures_checked += one.figures_checked
    into.figures_found += one.figures_found
    into.figures_derived += one.figures_derived
    into.quotes_checked += one.quotes_checked
    into.reading += one.reading

"""Validate: every content file against the published JSON Schemas and the rules a
schema cannot express (ids, references, duplicates, consistency, provenance).

Every problem is collected as a ContentError; nothing stops at the first one.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import messages, provenance, rules
from .errors import ContentError
from .load import SourceDoc

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schema"
MODEL_VERSION = "1.2"          # the newest content model this build understands
KNOWN_VERSIONS = ("1.0", "1.1", "1.2")


@lru_cache(maxsize=None)
def validator(kind: str) -> Draft202012Validator:  # noqa: F821 - imported here, not at the top
    """One reusable validator per kind of file.

    The schemas themselves are checked against the metaschema by a test
    (tests/unit/test_schema_meta.py), not on every build (#9). jsonschema is imported
    here, when a file is checked: a rebuild whose files all come from the cache does
    not load it.
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


def schema_errors(doc: SourceDoc) -> list[ContentError]:
    """Every JSON Schema problem of one file, in the house shape."""
    out: list[ContentError] = []
    for e in validator(doc.kind).iter_errors(doc.data):
        messages.translate(doc, e, out)
    return sorted(messages.drop_misspelt(set(out)))


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
    """Add each file's findings to the whole report, in order (one pass per field, not
    one per file)."""
    into.errors += [e for one in parts for e in one.errors]
    into.warnings += [w for one in parts for w in one.warnings]
    into.figures_checked += sum(one.figures_checked for one in parts)
    into.figures_found += sum(one.figures_found for one in parts)
    into.figures_derived += sum(one.figures_derived for one in parts)
    into.quotes_checked += sum(one.quotes_checked for one in parts)
    into.reading += [r for one in parts for r in one.reading]


"""Messages: JSON Schema errors worded in the house shape ("expected X; got Y" and a hint).

One small translator per JSON Schema keyword (SAY); translate() picks the one for an
error. A keyword without one keeps jsonschema's own wording. drop_misspelt() then
leaves out what is one mistake said twice.
"""
from __future__ import annotations

import difflib
import json
import re
import unicodedata
from functools import cached_property

from . import rules
from .errors import ContentError, visible
from .load import SourceDoc, format_path

_TYPE_WORDS = {"string": "text", "integer": "an integer", "number": "a number",
               "boolean": "true or false", "object": "a map of fields", "array": "a list",
               "null": "nothing"}
_INT_HINT = "write a plain decimal integer (7, not 7.0, 1e3 or 017)"
_PATTERN_WORDS = {"doi": "a DOI starting 10. (e.g. 10.1002/art.21351)", "pmid": "digits only"}
_BOUND_SIGNS = {"minimum": "≥", "exclusiveMinimum": ">", "maximum": "≤", "exclusiveMaximum": "<"}
# fields the model lets be not-reported: a missing one gets that hint too
_NR_FIELDS = {"authors", "year", "volume", "issue", "pages", "pmid", "doi", "female", "age_years",
              "follow_up_time", "dose", "route", "count", "over", "max_dose", "rate", "premedication",
              "baseline", "follow_up", "events", "of", "serious_adverse_events", "adverse_events", "n"}


def got_text(value) -> str:
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


def as_written(doc: SourceDoc, fpath: tuple, value) -> str:
    """A number as the file writes it (1e3, 7.0), not as Python prints it (1000.0)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and tuple(fpath) in doc.marks:
        line, col = doc.locate(fpath)
        m = re.match(r"[-+]?[0-9][0-9_.eE+-]*", (doc.source_line(line) or "")[col - 1:])
        if m:
            return m.group()
    return got_text(value)


def type_hint(value, want: set[str]) -> str | None:
    """Text expected but a number, date-like or boolean-like value given: quote it."""
    if "string" in want and "integer" not in want and "number" not in want and \
            isinstance(value, (int, float)) and not isinstance(value, bool):
        return "put the value in quotes"
    return None


def hint_for(value, expected_types: set[str]) -> str | None:
    """The usual slips: yes/no for true/false, 7.0 for 7, "Not reported", an empty value."""
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


def pytype(value) -> str:
    """The JSON Schema type name of a loaded value."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return {str: "string", dict: "object", list: "array"}.get(type(value), "null")


def branch_matches(schema: dict, value) -> bool:
    """Whether a value has the shape (type or constant) of one anyOf/oneOf branch."""
    t = schema.get("type")
    if "const" in schema:
        return schema["const"] == value
    if t is None:
        return False
    pt = pytype(value)
    ts = t if isinstance(t, list) else [t]
    return pt in ts or (pt == "integer" and "number" in ts)


def closest_maps(branches: list, matching: list[int], value: dict) -> list[int]:
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


class Problem:
    """One jsonschema error of one file, and where its messages go."""

    def __init__(self, doc: SourceDoc, error, out: list[ContentError]):
        self.doc, self.error, self.out = doc, error, out
        self.fpath = tuple(error.absolute_path)
        self.schema = error.schema if isinstance(error.schema, dict) else {}
        self.value = error.instance
        self.want = error.validator_value     # the keyword's value in the schema

    @cached_property
    def got(self) -> str:
        """The value as the message shows it after "got"."""
        return as_written(self.doc, self.fpath, self.value)

    def add(self, message: str, hint: str | None = None, at: tuple | None = None,
            key: bool = False, name: str | None = None) -> None:
        """One located error, at the field (or `at`, or its key)."""
        at = self.fpath if at is None else at
        line, col = self.doc.locate(at, key=key)
        self.out.append(ContentError(self.doc.rel, line, col, name or (format_path(at) or "(top level)"),
                                     message, hint, "error", self.doc.source_line(line)))


def _branches(p: Problem) -> None:
    """anyOf/oneOf: the problems of the branch that fits the value's shape, else one line."""
    matching = [i for i, b in enumerate(p.want) if branch_matches(b, p.value)]
    if len(matching) > 1 and isinstance(p.value, dict):
        matching = closest_maps(p.want, matching, p.value)
    if p.error.validator == "oneOf" and not p.error.context:  # more than one matched
        p.add(f"expected exactly one of {', '.join(sorted(k for b in p.want for k in b.get('required', [])))}")
        return
    if len(matching) == 1:
        sub = [c for c in p.error.context if c.relative_schema_path[0] == matching[0]]
        if sub:
            # report the deepest problems of the branch that fits the value's shape
            for c in sub:
                translate(p.doc, c, p.out)
            return
    expected = p.schema.get("x-expected") or "a value of another form"
    types = {b.get("type") for b in p.want if isinstance(b.get("type"), str)}
    p.add(f"expected {expected}; got {p.got}", hint_for(p.value, types) or type_hint(p.value, types))


def _required(p: Problem) -> None:
    have = p.value if isinstance(p.value, dict) else {}
    for name in p.want:
        if name not in have:
            nr = "; write not-reported if the source is silent" if name in _NR_FIELDS else ""
            p.add(f"missing required field `{name}`", (f"add `{name}:`{nr}"),
                  key=True, name=format_path(p.fpath + (name,)))


def unknown_field_hint(name: str, allowed: list[str]) -> str:
    """The field the writer meant, else the fields there are; an unseen character named."""
    near = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
    hint = f"did you mean `{near[0]}`?" if near else f"the fields here are: {', '.join(allowed)}"
    unseen = next((c for c in name if not c.isprintable()), None)
    if unseen:          # e.g. a no-break space typed before `id`
        hint = (f"the name holds an unseen character, U+{ord(unseen):04X} "
                f"{unicodedata.name(unseen, 'a control character')}: retype it; {hint}")
    return hint


def _additional_properties(p: Problem) -> None:
    allowed = sorted(p.schema.get("properties", {}))
    for name in p.value:
        if name not in p.schema.get("properties", {}):
            p.add(f"unknown field `{visible(str(name))}`", unknown_field_hint(str(name), allowed),
                  at=p.fpath + (name,), key=True)


def _type(p: Problem) -> None:
    want = p.want if isinstance(p.want, list) else [p.want]
    expected = p.schema.get("x-expected") or " or ".join(_TYPE_WORDS.get(w, w) for w in want)
    if not p.fpath and p.doc.kind != "glossary":
        expected = "a map of fields (key: value lines)"
    elif not p.fpath:
        expected = "a list of terms (lines starting with -)"
    p.add(f"expected {expected}; got {p.got}", hint_for(p.value, set(want)) or type_hint(p.value, set(want)))


def enum_hint(value, options: list) -> str | None:
    """A boolean-like or "not reported"-like slip, a superscript ², else the nearest option."""
    hint = hint_for(value, {"boolean"} if True in options else set())
    if not hint and isinstance(value, str) and "²" in value:
        hint = f"write {value.replace('²', '2')} with a plain ASCII 2"
    near = difflib.get_close_matches(str(value), [str(o) for o in options], n=1, cutoff=0.5)
    if not hint and near:
        hint = f"did you mean {near[0]}?"
    return hint


def _enum(p: Problem) -> None:
    p.add(f"expected one of {', '.join(map(str, p.want))}; got {p.got}", enum_hint(p.value, p.want))


def _const(p: Problem) -> None:
    p.add(f"expected {p.want}; got {p.got}")


def _bound(p: Problem) -> None:
    p.add(f"expected a number {_BOUND_SIGNS[p.error.validator]} {p.want}; got {p.got}")


def _min_items(p: Problem) -> None:
    p.add(f"expected at least {p.want} item{'s' if p.want != 1 else ''}; got {len(p.value)}")


def _min_properties(p: Problem) -> None:
    p.add(f"expected at least one of {', '.join(sorted(p.schema.get('properties', {})))}; got none")


def _max_length(p: Problem) -> None:
    if "id" in str(p.schema.get("x-expected", "")):
        p.add(f"expected {p.schema['x-expected']}; got {len(p.value)} characters")
    else:
        p.add(f"expected at most {p.want} characters; got {len(p.value)}")


def _min_length(p: Problem) -> None:
    if p.want > 1:
        p.add(f"expected {p.schema.get('x-expected') or f'at least {p.want} characters'}; got {p.got}")
    else:
        p.add(f"expected non-empty text; got {p.got}")


def _unique_items(p: Problem) -> None:
    p.add("expected each item once; got a repeated item", "remove the repeat")


def _format(p: Problem) -> None:
    if isinstance(p.value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", p.value):
        p.add(f"expected a real date written YYYY-MM-DD; got {p.got}",
              "check the month (01-12) and the day")
    # other shapes fail the pattern too: one message is enough


def pattern_hint(expected: str, value) -> str | None:
    """How to write an id, a title without a final full stop or a language tag."""
    hint = None
    if "id" in expected and isinstance(value, str):
        odd = rules.odd_character(value)
        like = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")
        hint = (f"{odd} is not allowed; " if odd else "") + \
            "use lowercase a-z, 0-9 and single hyphens" + \
            (f", e.g. {like}" if like and value.isascii() else "")
    if "full stop" in expected:
        hint = "remove the final full stop"
    if "BCP 47" in expected and isinstance(value, str):
        hint = f"write {value.replace('_', '-')}" if "_" in value else None
    return hint


def _pattern(p: Problem) -> None:
    last = p.fpath[-1] if p.fpath else ""
    expected = p.schema.get("x-expected") or _PATTERN_WORDS.get(str(last)) or f"text matching {p.want}"
    p.add(f"expected {expected}; got {p.got}", pattern_hint(expected, p.value))


def _as_jsonschema_says(p: Problem) -> None:
    p.add(f"{p.error.message}")


SAY = {"anyOf": _branches, "oneOf": _branches, "required": _required,
       "additionalProperties": _additional_properties, "type": _type, "enum": _enum,
       "const": _const, "minimum": _bound, "exclusiveMinimum": _bound, "maximum": _bound,
       "exclusiveMaximum": _bound, "minItems": _min_items, "minProperties": _min_properties,
       "maxLength": _max_length, "minLength": _min_length, "uniqueItems": _unique_items,
       "format": _format, "pattern": _pattern}


def translate(doc: SourceDoc, e, out: list[ContentError]) -> None:
    """Turn one jsonschema error into ContentErrors in the house shape, added to out."""
    SAY.get(e.validator, _as_jsonschema_says)(Problem(doc, e, out))


def drop_misspelt(errors: set[ContentError]) -> list[ContentError]:
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

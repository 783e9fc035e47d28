"""Messages: each JSON Schema keyword's translator words its error in the house shape
("expected X; got Y", a hint), located at the field; the schemas use no keyword that
would fall back to jsonschema's own wording."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, validators

from evidence.content import messages
from evidence.content.errors import ContentError
from evidence.content.load import parse_yaml

ROOT = Path(__file__).resolve().parents[2]
# keywords that never fail on their own: jsonschema reports the keywords inside them
STRUCTURAL = {"$defs", "$id", "$ref", "$schema", "allOf", "description", "if", "then", "not",
              "items", "properties", "title", "x-expected", "x-max-words"}
STRICT = validators.extend(Draft202012Validator, type_checker=Draft202012Validator.TYPE_CHECKER.redefine(
    "integer", lambda _, v: isinstance(v, int) and not isinstance(v, bool)))   # as validate.validator


def _say(schema: dict, text: str, kind: str = "study") -> list[tuple]:
    """(field, line, column, message, hint) of every error, as validate reports them."""
    doc = parse_yaml(text.encode("utf-8"), "x.yaml", kind)
    out: list[ContentError] = []
    for e in STRICT(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).iter_errors(doc.data):
        messages.translate(doc, e, out)
    return [(e.field, e.line, e.column, e.message, e.hint) for e in sorted(messages.drop_misspelt(set(out)))]


def _one(schema: dict, text: str, kind: str = "study") -> tuple:
    said = _say(schema, text, kind)
    assert len(said) == 1, said
    return said[0]


def _keywords(schema, found: set) -> set:
    if isinstance(schema, dict):
        for k, v in schema.items():
            found.add(k)
            if k in ("properties", "$defs"):
                for sub in v.values():
                    _keywords(sub, found)
            elif k not in ("enum", "const", "required"):
                _keywords(v, found)
    elif isinstance(schema, list):
        for sub in schema:
            _keywords(sub, found)
    return found


def test_every_keyword_the_schemas_use_has_a_translator():
    used: set = set()
    for path in (ROOT / "schema").glob("*.schema.json"):
        _keywords(json.loads(path.read_text(encoding="utf-8")), used)
    assert "pattern" in used and "anyOf" in used          # the walk reached the schemas' depths
    assert used - STRUCTURAL <= set(messages.SAY), sorted(used - STRUCTURAL - set(messages.SAY))


def test_a_keyword_without_translator_keeps_jsonschemas_wording():
    said = _one({"type": "object", "properties": {"a": {"maxItems": 1}}}, "a: [1, 2]\n")
    assert said == ("a", 1, 4, "[1, 2] is too long", None)


@pytest.mark.parametrize("value,got", [
    (True, "true"), (False, "false"), (None, "nothing (an empty value)"), ("é \"x\"", '"é \\"x\\""'),
    ({"a": 1}, "a map"), ([1], "a list"), (7, "7"), (2.5, "2.5"),
])
def test_got_text(value, got):
    assert messages.got_text(value) == got


def test_a_number_is_shown_as_the_file_writes_it():
    schema = {"type": "object", "properties": {"n": {"type": "integer"}, "m": {"type": "integer"}}}
    assert _say(schema, "n: 1e3\nm: 7.0\n") == [
        ("n", 1, 4, "expected an integer; got 1e3", messages._INT_HINT),
        ("m", 2, 4, "expected an integer; got 7.0", messages._INT_HINT)]


@pytest.mark.parametrize("text,want,hint", [
    ("a: yes\n", {"type": "boolean"}, "write true or false"),
    ("a: Not reported\n", {"type": "integer"}, "write exactly not-reported"),
    ("a:\n", {"type": "string"}, "write a value after the colon (or not-reported where the model allows it)"),
    ("a: 12\n", {"type": "string"}, "put the value in quotes"),
    ("a: 12\n", {"type": "array"}, None),
])
def test_type_hints(text, want, hint):
    field, _, _, message, got_hint = _one({"type": "object", "properties": {"a": want}}, text)
    assert field == "a" and message.startswith("expected ") and got_hint == hint


def test_the_top_level_is_a_map_of_fields_or_a_list_of_terms():
    assert _one({"type": "object"}, "- a\n")[2:] == (
        1, "expected a map of fields (key: value lines); got a list", None)
    assert _one({"type": "array"}, "a: 1\n", kind="glossary")[2:] == (
        1, "expected a list of terms (lines starting with -); got a map", None)


def test_missing_field_at_its_parents_key_with_the_not_reported_hint_where_allowed():
    schema = {"type": "object", "properties": {"population": {"type": "object", "required": ["n", "label"]}}}
    assert _say(schema, "id: x\npopulation:\n  female: 3\n") == [
        ("population.label", 2, 1, "missing required field `label`", "add `label:`"),
        ("population.n", 2, 1, "missing required field `n`", "add `n:`; write not-reported if the source is silent")]


def test_unknown_field_names_the_nearest_or_all_and_an_unseen_character():
    schema = {"type": "object", "properties": {"title": {}, "id": {}}, "additionalProperties": False}
    assert _say(schema, "titel: x\nzzz: 1\n") == [
        ("titel", 1, 1, "unknown field `titel`", "did you mean `title`?"),
        ("zzz", 2, 1, "unknown field `zzz`", "the fields here are: id, title")]
    assert _one(schema, "\u00a0id: x\n")[3:] == (
        "unknown field `\\u00a0id`",
        "the name holds an unseen character, U+00A0 NO-BREAK SPACE: retype it; did you mean `id`?")


def test_a_misspelt_required_field_is_one_mistake():
    schema = {"type": "object", "properties": {"plain_title": {}}, "required": ["plain_title"],
              "additionalProperties": False}
    assert _say(schema, "plain_titel: x\n") == [
        ("plain_titel", 1, 1, "unknown field `plain_titel`", "did you mean `plain_title`?")]


@pytest.mark.parametrize("options,value,hint", [
    (["open-label", "double-blind"], "Open label", "did you mean open-label?"),
    (["mg/m2", "mg/kg"], "mg/m²", "write mg/m2 with a plain ASCII 2"),
    ([True, False], "yes", "write true or false"),
    (["high", "low"], "zzz", None),
])
def test_enum(options, value, hint):
    said = _one({"type": "object", "properties": {"a": {"enum": options}}}, f"a: {value}\n")
    assert said[3:] == (f"expected one of {', '.join(map(str, options))}; got \"{value}\"", hint)


@pytest.mark.parametrize("keyword,sign", [("minimum", "≥"), ("exclusiveMinimum", ">"),
                                          ("maximum", "≤"), ("exclusiveMaximum", "<")])
def test_bounds(keyword, sign):
    limit, value = (5, 5) if keyword.startswith("exclusive") else (5, 9 if keyword == "maximum" else 1)
    said = _one({"type": "object", "properties": {"a": {keyword: limit}}}, f"a: {value}\n")
    assert said[3] == f"expected a number {sign} {limit}; got {value}"


def test_counts_and_lengths():
    schema = {"type": "object", "properties": {
        "one": {"minItems": 1}, "two": {"minItems": 2}, "some": {"minProperties": 1, "properties": {"b": {}, "a": {}}},
        "short": {"maxLength": 3}, "ident": {"maxLength": 3, "x-expected": "an id of at most 3 characters"},
        "empty": {"minLength": 1}, "long": {"minLength": 5}, "named": {"minLength": 5, "x-expected": "a name"},
        "twice": {"uniqueItems": True}, "fixed": {"const": "1.2"}}}
    said = {f: (m, h) for f, _, _, m, h in _say(schema, "one: []\ntwo: [1]\nsome: {}\nshort: abcd\n"
                                                "ident: abcd\nempty: ''\nlong: abc\nnamed: abc\n"
                                                "twice: [1, 1]\nfixed: '1.1'\n")}
    assert said == {
        "one": ("expected at least 1 item; got 0", None),
        "two": ("expected at least 2 items; got 1", None),
        "some": ("expected at least one of a, b; got none", None),
        "short": ("expected at most 3 characters; got 4", None),
        "ident": ("expected an id of at most 3 characters; got 4 characters", None),
        "empty": ('expected non-empty text; got ""', None),
        "long": ('expected at least 5 characters; got "abc"', None),
        "named": ('expected a name; got "abc"', None),
        "twice": ("expected each item once; got a repeated item", "remove the repeat"),
        "fixed": ('expected 1.2; got "1.1"', None),
    }


def test_a_date_of_the_right_shape_but_no_real_day():
    schema = {"type": "object", "properties": {"d": {"type": "string", "format": "date"}}}
    assert _one(schema, "d: '2024-02-30'\n")[3:] == (
        'expected a real date written YYYY-MM-DD; got "2024-02-30"', "check the month (01-12) and the day")
    assert _say(schema, "d: 'March 2024'\n") == []      # the pattern, not the format, says so


@pytest.mark.parametrize("field,rule,value,message,hint", [
    ("id", {"x-expected": "an id"}, "Rituximab_2005",
     'expected an id; got "Rituximab_2005"', "`R` is not allowed; use lowercase a-z, 0-9 and single hyphens, "
                                             "e.g. rituximab-2005"),
    ("id", {"x-expected": "an id"}, "café", 'expected an id; got "café"',
     "`é` (U+00E9 LATIN SMALL LETTER E WITH ACUTE) is not allowed; use lowercase a-z, 0-9 and single hyphens"),
    ("doi", {}, "doi:10.1/x", 'expected a DOI starting 10. (e.g. 10.1002/art.21351); got "doi:10.1/x"', None),
    ("journal", {"x-expected": "the journal, no final full stop"}, "Lancet.",
     'expected the journal, no final full stop; got "Lancet."', "remove the final full stop"),
    ("language", {"x-expected": "a BCP 47 tag"}, "en_GB", 'expected a BCP 47 tag; got "en_GB"', "write en-GB"),
    ("other", {}, "b", 'expected text matching ^a$; got "b"', None),
])
def test_pattern(field, rule, value, message, hint):
    schema = {"type": "object", "properties": {field: {"type": "string", "pattern": "^a$", **rule}}}
    assert _one(schema, f"{field}: {value}\n")[3:] == (message, hint)


def test_a_version_given_as_a_number_is_to_be_quoted():
    schema = {"type": "object", "properties": {"v": {"type": "string", "pattern": "^[0-9]+\\.[0-9]+$",
                                                     "x-expected": "a version such as \"1.0\""}}}
    assert _one(schema, "v: 1.0\n")[3:] == ('expected a version such as "1.0"; got 1.0', "put the value in quotes")


QUANTITY = {"type": "object", "properties": {"dose": {
    "x-expected": "{value, unit} or not-reported",
    "anyOf": [{"type": "object", "required": ["value", "unit"], "properties": {"value": {}, "unit": {}},
               "additionalProperties": False},
              {"type": "object", "required": ["min", "max"], "properties": {"min": {}, "max": {}}},
              {"const": "not-reported"}]}}}


def test_any_of_reports_the_branch_that_fits_the_shape():
    assert _say(QUANTITY, "dose:\n  value: 3\n") == [
        ("dose.unit", 1, 1, "missing required field `unit`", "add `unit:`")]      # at the key `dose:`


def test_any_of_without_a_fitting_branch_says_what_was_expected():
    assert _one(QUANTITY, "dose: lots\n")[3:] == ('expected {value, unit} or not-reported; got "lots"', None)
    assert _one(QUANTITY, "dose: Not reported\n")[4] == "write exactly not-reported"


def test_one_of_matching_more_than_one_branch():
    schema = {"type": "object", "properties": {"n": {"oneOf": [
        {"type": "object", "required": ["at_least"]}, {"type": "object", "required": ["exactly"]}]}}}
    assert _one(schema, "n: {at_least: 1, exactly: 2}\n")[3] == "expected exactly one of at_least, exactly"


def test_closest_maps_prefers_the_complete_shape_then_the_most_fields_in_common():
    branches = QUANTITY["properties"]["dose"]["anyOf"]
    assert messages.closest_maps(branches, [0, 1], {"value": 1, "unit": "mg"}) == [0]
    assert messages.closest_maps(branches, [0, 1], {"min": 1, "unit": "mg"}) == [0, 1]
    assert messages.closest_maps(branches, [0, 1], {"min": 1}) == [1]
    assert messages.closest_maps(branches, [0, 1], {"zzz": 1}) == [0, 1]


@pytest.mark.parametrize("branch,value,fits", [
    ({"type": "integer"}, 3, True), ({"type": "number"}, 3, True), ({"type": "integer"}, 3.5, False),
    ({"type": ["string", "null"]}, None, True), ({"type": "boolean"}, 1, False),
    ({"const": "not-reported"}, "not-reported", True), ({"const": "not-reported"}, "x", False),
    ({"required": ["a"]}, {"a": 1}, False),
])
def test_branch_matches(branch, value, fits):
    assert messages.branch_matches(branch, value) is fits

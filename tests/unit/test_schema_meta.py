"""The published schemas are valid JSON Schema (2020-12): checked here once, not on
every build (issue 9: it cost a quarter of a one-study rebuild)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

SCHEMAS = sorted((Path(__file__).resolve().parents[2] / "schema").glob("*.schema.json"))


@pytest.mark.parametrize("path", SCHEMAS, ids=[p.name for p in SCHEMAS])
def test_schema_is_valid(path):
    Draft202012Validator.check_schema(json.loads(path.read_text(encoding="utf-8")))


def test_an_invalid_schema_is_caught():
    with pytest.raises(SchemaError):
        Draft202012Validator.check_schema({"type": "no-such-type"})

"""The vocabulary (issue 18): one table per enum of the content model, whose keys are
exactly the enum's values in schema/study.schema.json, in its order."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from famhelp import shipped
from evidence.content import fmt, vocabulary
from evidence.pages import family, jsonld

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "schema" / "study.schema.json").read_text())

# table -> where its enum is in the schema
ENUMS = {
    "DESIGNS": ("properties", "design", "properties", "type"),
    "BLINDINGS": ("properties", "design", "properties", "blinding"),
    "COMPARISONS": ("properties", "design", "properties", "comparison"),
    "CERTAINTY": ("$defs", "certainty"),
    "ROUTES": ("$defs", "regimen", "properties", "route"),
    "ROLES": ("$defs", "regimen", "properties", "role"),
    "GROUP_ROLES": ("$defs", "group", "properties", "role"),
}


def enum(path: tuple[str, ...]) -> list[str]:
    node = SCHEMA
    for key in path:
        node = node[key]
    return node["enum"]


@pytest.mark.parametrize("table", sorted(ENUMS))
def test_each_table_has_exactly_the_schema_enum_in_order(table):
    assert list(getattr(vocabulary, table)) == enum(ENUMS[table])


def test_every_table_of_the_module_is_checked_against_the_schema():
    tables = {name for name, v in vars(vocabulary).items() if name.isupper() and isinstance(v, dict)}
    assert tables == set(ENUMS)


def test_every_wording_is_filled_in():
    """No empty wording (schema.org terms are optional), except "not-reported" where the
    key facts leave a route or a comparison unsaid."""
    for table in ENUMS:
        for key, entry in getattr(vocabulary, table).items():
            fields = ({f.name: getattr(entry, f.name) for f in dataclasses.fields(entry)}
                      if dataclasses.is_dataclass(entry) else {"label": entry})
            for name, v in fields.items():
                assert v or name == "schema_org" or key == "not-reported", (table, key, name)


def test_not_reported_reads_as_the_site_says_it():
    assert vocabulary.ROUTES["not-reported"].label == fmt.NOT_REPORTED
    assert vocabulary.BLINDINGS["not-reported"].label == fmt.NOT_REPORTED
    assert vocabulary.COMPARISONS["not-reported"].label == fmt.NOT_REPORTED


def test_certainty_ranks_are_grade_levels_from_the_top():
    assert [c.rank for c in vocabulary.CERTAINTY.values()] == [4, 3, 2, 1]


def test_pages_use_the_vocabulary():
    """A wording changed in the table changes the page's sentence (one place to edit)."""
    study = shipped().studies[0]
    before = family.certainty(study).text
    design = study.data["design"]["type"]
    assert vocabulary.DESIGNS[design].family in before
    assert before.startswith(vocabulary.CERTAINTY[study.certainty].sure + ": ")
    assert study.design_label == vocabulary.DESIGNS[design].label
    kind = vocabulary.DESIGNS[design].schema_org
    ms = jsonld.medical_study(study)
    assert (ms is None) == (kind is None) and (ms is None or ms["@type"] == kind[0])

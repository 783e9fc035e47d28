"""Figures this site calculates are marked as calculated wherever shown, and a regimen's
"Treated" count is never the whole population for a co-treatment (issue 17).

Built from the minimal site (tests/data/site) with the seed study changed and one study
added, so every case sits in one small build:

- the seed: rituximab 750 mg/m² × 2 with `max_dose: not-reported` (a course total that
  says the cap is not reported); cyclophosphamide, a co-treatment without `n`;
  corticosteroids, a co-treatment with `n: {at_least: 3}`;
- example-capped-2020: rituximab 375 mg/m² × 4 with a cap of 1,000 mg (no cap note) and
  no `n` (everyone treated: population n); cyclophosphamide 500 mg/m² × 6, a
  co-treatment with `n: 2` and no `max_dose` (a course total, cap not reported).
"""
from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from evidence.pages import dosing, opendata
from evidence.content import fmt
from evidence.build.pipeline import build
from helpers import Rows

DATA = Path(__file__).resolve().parents[1] / "data/site/content"
SEED = "rituximab-childhood-sle-2005"
CAPPED = "example-capped-2020"
MARK = ('<a class="calc-mark" href="{root}about/index.html#calculated">calculated'
        '<span class="visually-hidden"> by this site: how</span></a>')
CAP_NOTE = "cap per dose not reported"
EXTRA_SOURCE = ("\nAt least 3 patients took oral corticosteroids for longer. They received four "
                "infusions of 375 mg/m2 (maximum 1,000 mg per infusion), and 2 patients received "
                "six infusions of cyclophosphamide 500 mg/m2.\n")


def _dump(data: dict) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10_000)


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("calculated")
    content = root / "content"
    shutil.copytree(DATA, content)
    source = (content / f"sources/{SEED}.txt").read_text(encoding="utf-8") + EXTRA_SOURCE
    (content / f"sources/{SEED}.txt").write_text(source, encoding="utf-8")
    (content / f"sources/{CAPPED}.txt").write_text(source, encoding="utf-8")

    seed = yaml.safe_load((content / f"studies/{SEED}.yaml").read_text(encoding="utf-8"))
    steroids = seed["regimens"][2]
    assert steroids["drug"] == "corticosteroids" and "n" not in seed["regimens"][1]
    steroids["n"] = {"at_least": 3}
    steroids["quote"] += " ... At least 3 patients took oral corticosteroids"
    (content / f"studies/{SEED}.yaml").write_text(_dump(seed), encoding="utf-8")

    capped = dict(seed, id=CAPPED, title="An example with a cap per dose",
                  citation=dict(seed["citation"], pmid="99999998", doi="10.9999/capped.1"))
    del capped["citation"]["url"]
    capped["regimens"] = [
        {"drug": "rituximab", "role": "studied", "dose": {"value": 375, "unit": "mg/m2"},
         "route": "not-reported", "count": 4, "over": "not-reported",
         "max_dose": {"value": 1000, "unit": "mg"}, "rate": "not-reported", "premedication": "not-reported",
         "quote": "They received four infusions of 375 mg/m2 (maximum 1,000 mg per infusion)"},
        {"drug": "cyclophosphamide", "role": "co-treatment", "dose": {"value": 500, "unit": "mg/m2"},
         "route": "not-reported", "count": 6, "over": "not-reported", "n": 2,
         "quote": "2 patients received six infusions of cyclophosphamide 500 mg/m2"}]
    (content / f"studies/{CAPPED}.yaml").write_text(_dump(capped), encoding="utf-8")

    result = build(content, root / "output", strict=True)
    assert not result.warnings
    return root / "output"


def read(out: Path, url: str) -> str:
    return (out / url / "index.html").read_text(encoding="utf-8")


def cells(html: str, row_id: str) -> dict[str, str]:
    return dict(zip([c.label for c in dosing.COLUMNS], Rows(html).rows[row_id]))


def row_html(html: str, row_id: str) -> str:
    return re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, re.S).group(1)


def total_cell(html: str, row_id: str) -> str:
    """The "Total per course" cell's inner HTML."""
    tds = re.findall(r"<td[^>]*>(.*?)</td>", row_html(html, row_id), re.S)
    return tds[[c.key for c in dosing.COLUMNS if c.key != "study"].index("total")]


def _csv(out: Path) -> dict[tuple[str, int], dict[str, str]]:
    with open(out / "regimens.csv", encoding="utf-8", newline="") as f:
        return {(r["study_id"], int(r["regimen"])): r for r in csv.DictReader(f)}


# --- the mark -----------------------------------------------------------------------

def test_course_total_carries_the_calculated_mark_in_the_dosing_table(out):
    html = read(out, "dosing")
    cell = total_cell(html, f"dosing-{SEED}-0")
    assert cell == "2 × 750 mg/m² = 1,500 mg/m² per course; cap per dose not reported " + MARK.format(root="../")
    # every row with a course total has the mark, and only those rows
    for row_id in Rows(html).order:
        if row_id.startswith("dosing-"):
            cell = total_cell(html, row_id)
            assert ("calc-mark" in cell) == ("per course" in cell), row_id
    assert html.count('class="calc-mark"') == 3      # seed rituximab; capped rituximab and cyclophosphamide


def test_the_mark_links_to_the_about_pages_list_of_calculated_figures(out):
    about = read(out, "about")
    assert 'id="calculated"' in about
    study = read(out, f"studies/{SEED}")
    assert MARK.format(root="../../") in study
    assert re.search(r"<dt>Total per course</dt><dd>2 × 750 mg/m² = 1,500 mg/m² per course; "
                     r"cap per dose not reported <a class=\"calc-mark\"", study)
    drug = read(out, "drugs/rituximab")
    assert total_cell(drug, f"drug-dosing-{SEED}-0").endswith(MARK.format(root="../../"))
    # the stylesheet styles it, and print keeps it (no rule hides it)
    css = (out / "assets/site.css").read_text(encoding="utf-8")
    assert re.search(r"^a\.calc-mark \{[^}]*font-size: 0\.8em;[^}]*border: 1px solid var\(--muted\);", css, re.M)
    assert not re.search(r"\.calc-mark[^{]*\{[^}]*display:\s*none", css)


def test_cap_note_only_when_the_cap_is_not_reported(out):
    html = read(out, "dosing")
    seed = cells(html, f"dosing-{SEED}-0")["Total per course"]
    assert seed.startswith("2 × 750 mg/m² = 1,500 mg/m² per course; cap per dose not reported")
    capped = cells(html, f"dosing-{CAPPED}-0")
    assert capped["Cap per dose"] == "1,000 mg"
    assert capped["Total per course"] == "4 × 375 mg/m² = 1,500 mg/m² per course calculated by this site: how"
    assert CAP_NOTE not in capped["Total per course"]
    # a co-treatment whose max_dose is left out: no cap given, so the total says so
    cyclo = cells(html, f"dosing-{CAPPED}-1")
    assert cyclo["Cap per dose"] == ""
    assert cyclo["Total per course"].startswith("6 × 500 mg/m² = 3,000 mg/m² per course; " + CAP_NOTE)
    # no total, no mark: a dose not reported
    assert cells(html, f"dosing-{SEED}-1")["Total per course"] == ""


def test_fmt_course_total():
    reg = {"dose": {"value": 750, "unit": "mg/m2"}, "count": 2}
    assert fmt.course_total(dict(reg, max_dose="not-reported")) == \
        "2 × 750 mg/m² = 1,500 mg/m² per course; cap per dose not reported"
    assert fmt.course_total(reg) == "2 × 750 mg/m² = 1,500 mg/m² per course; cap per dose not reported"
    assert fmt.course_total(dict(reg, max_dose={"value": 1000, "unit": "mg"})) == \
        "2 × 750 mg/m² = 1,500 mg/m² per course"
    assert fmt.course_total_figure({"dose": {"value": 1.5, "unit": "g"}, "count": 2}) == (3, "g")
    assert fmt.course_total({"dose": {"value": 2, "unit": "mg/kg/day"}, "count": 5}) is None
    assert fmt.course_total({"dose": {"min": 350, "max": 450, "unit": "mg/m2"}, "count": 2}) is None
    assert fmt.course_total({"dose": {"value": 750, "unit": "mg/m2"}, "count": {"min": 2, "max": 4}}) is None


# --- the Treated count ----------------------------------------------------------------

def test_treated_count_of_each_regimen(out):
    html = read(out, "dosing")
    treated = {i: cells(html, i)["Treated"] for i in Rows(html).order if i.startswith("dosing-")}
    assert treated == {
        f"dosing-{SEED}-0": "7",               # studied, no n: everyone treated (population n)
        f"dosing-{SEED}-1": "Not reported",    # co-treatment, no n: never the whole population
        f"dosing-{SEED}-2": "at least 3",      # n: {at_least: 3}
        f"dosing-{CAPPED}-0": "7",
        f"dosing-{CAPPED}-1": "2",             # n: 2
    }
    assert '<td data-sort-value="7">7</td>' in row_html(html, f"dosing-{SEED}-0")
    # "Not reported" has no sort value (sorted last) and its own style
    assert '<td><span class="nr">Not reported</span></td>' in row_html(html, f"dosing-{SEED}-1")


def test_treated_sort_page_puts_not_reported_last(out):
    html = read(out, "dosing/sort/n")
    order = [i for i in Rows(html).order if i.startswith("dosing-")]
    # rituximab (studied) first: both 7; then corticosteroids (at least 3), then
    # cyclophosphamide: 2, then the one not reported, last
    assert set(order[:2]) == {f"dosing-{CAPPED}-0", f"dosing-{SEED}-0"}
    assert order[2:] == [f"dosing-{SEED}-2", f"dosing-{CAPPED}-1", f"dosing-{SEED}-1"]
    assert 'data-sort-value="3">at least 3</td>' in row_html(html, f"dosing-{SEED}-2")


def test_fmt_treated():
    assert fmt.treated({"role": "studied"}, 12) == "12"
    assert fmt.treated({"role": "co-treatment"}, 12) == "Not reported"
    assert fmt.treated({"role": "co-treatment", "n": 5}, 12) == "5"
    assert fmt.treated({"role": "studied", "n": 1200}, 1500) == "1,200"
    assert fmt.treated({"role": "co-treatment", "n": {"at_least": 3}}, 12) == "at least 3"
    assert fmt.treated({"role": "studied", "n": "not-reported"}, 12) == "Not reported"


def test_study_page_says_how_many_had_a_regimen_only_where_the_study_does(out):
    study = read(out, f"studies/{SEED}")
    assert "<dt>People given it</dt><dd>at least 3</dd>" in study
    assert study.count("<dt>People given it</dt>") == 1     # no n: nothing said
    capped = read(out, f"studies/{CAPPED}")
    assert "<dt>People given it</dt><dd>2</dd>" in capped


# --- open data --------------------------------------------------------------------------

def test_regimens_csv_names_calculated_figures(out):
    rows = _csv(out)
    assert rows[(SEED, 0)]["calculated"] == "course_total"
    assert (rows[(SEED, 0)]["course_total_value"], rows[(SEED, 0)]["course_total_unit"]) == ("1500", "mg/m2")
    assert rows[(CAPPED, 1)]["calculated"] == "course_total"
    for key in ((SEED, 1), (SEED, 2)):              # no course total: nothing calculated
        assert rows[key]["calculated"] == "" and rows[key]["course_total_value"] == ""
    # appended: the columns before them keep their places
    assert opendata.CSV_COLUMNS[-3:] == ["n_treated", "n_treated_at_least", "calculated"]
    assert opendata.CSV_COLUMNS.index("build_date") == len(opendata.CSV_COLUMNS) - 4


def test_regimens_csv_n_treated(out):
    rows = _csv(out)
    assert (rows[(CAPPED, 1)]["n_treated"], rows[(CAPPED, 1)]["n_treated_at_least"]) == ("2", "")
    assert (rows[(SEED, 2)]["n_treated"], rows[(SEED, 2)]["n_treated_at_least"]) == ("", "3")
    # left out: empty (the CSV gives the YAML; it does not fill in population_n)
    assert (rows[(SEED, 0)]["n_treated"], rows[(SEED, 0)]["n_treated_at_least"]) == ("", "")
    assert (rows[(SEED, 1)]["n_treated"], rows[(SEED, 1)]["n_treated_at_least"]) == ("", "")
    assert rows[(SEED, 1)]["population_n"] == "7"


def test_regimens_csv_n_treated_not_reported():
    from evidence.content.model import Drug, Regimen, Study
    data = yaml.safe_load((DATA / f"studies/{SEED}.yaml").read_text(encoding="utf-8"))
    data["regimens"][1]["n"] = "not-reported"
    drug = Drug("rituximab", "Rituximab", "x", {})
    study = Study(data["id"], data, (), (drug,), tuple(Regimen(drug, r) for r in data["regimens"]), ())
    row = opendata.regimen_record(study, 1, "2026-01-01")
    assert (row["n_treated"], row["n_treated_at_least"]) == ("not-reported", "not-reported")


def test_studies_json_lists_calculated_figures_beside_the_studies(out):
    text = (out / "studies.json").read_text(encoding="utf-8")
    doc = json.loads(text)
    assert text == json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    assert list(doc) == ["build_date", "content_model", "schema", "studies", "calculated"]
    assert doc["calculated"] == [
        {"study_id": CAPPED, "regimen": 0, "calculated": ["course_total"],
         "course_total": {"value": 1500, "unit": "mg/m2"}},
        {"study_id": CAPPED, "regimen": 1, "calculated": ["course_total"],
         "course_total": {"value": 3000, "unit": "mg/m2"}},
        {"study_id": SEED, "regimen": 0, "calculated": ["course_total"],
         "course_total": {"value": 1500, "unit": "mg/m2"}}]
    # the studies themselves stay their YAML: nothing calculated is written into them
    assert all("calculated" not in s and "course_total" not in json.dumps(s) for s in doc["studies"])


def test_studies_json_without_calculated_figures():
    """A site with nothing calculated still writes an empty `calculated` list."""
    from evidence.content.model import Drug, Regimen, Study
    data = yaml.safe_load((DATA / f"studies/{SEED}.yaml").read_text(encoding="utf-8"))
    data["regimens"] = data["regimens"][1:]          # the co-treatments: no course total
    drug = Drug("rituximab", "Rituximab", "x", {})
    study = Study(data["id"], data, (), (drug,), tuple(Regimen(drug, r) for r in data["regimens"]), ())

    class FakeSite:
        studies = by_id = (study,)
        build_date = "2026-01-01"
    text = b"".join(bytes(p) for p in opendata.studies_json(FakeSite())).decode("utf-8")
    doc = json.loads(text)
    assert doc["calculated"] == [] and [s["id"] for s in doc["studies"]] == [SEED]
    assert text == json.dumps(doc, ensure_ascii=False, indent=1) + "\n"

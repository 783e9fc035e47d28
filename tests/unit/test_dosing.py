"""The dosing table (issue 5): every regimen of every study, grouped by drug, filter and
sort pages that work without JavaScript, typeset figures and a quote behind every row."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from evidence.pages import dosing, dosing_rows
from evidence.content import fmt
from evidence.build.pipeline import build
from helpers import Rows

ROOT = Path(__file__).resolve().parents[2]
SEED = "rituximab-childhood-sle-2005"


def cells(html: str, row_id: str) -> dict[str, str]:
    """A dosing row as {column label: text}."""
    return dict(zip([c.label for c in dosing.COLUMNS], Rows(html).rows[row_id]))


def shipped_regimens() -> int:
    """How many regimens the shipped studies have (the content is corrected now and then)."""
    import yaml
    return sum(len(yaml.safe_load(p.read_text(encoding="utf-8"))["regimens"])
               for p in (ROOT / "content/studies").glob("*.yaml"))


def data_rows(html: str) -> list[str]:
    return [r for r in Rows(html).order if r.startswith("dosing-")]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dosing") / "output"
    build(ROOT / "content", out)
    return out


def read(out: Path, url: str) -> str:
    return (out / url / "index.html").read_text(encoding="utf-8")


def test_seed_regimen_reads_as_published(site):
    """750 mg/m² IV × 2 over 2 weeks, total 1,500 mg/m² per course."""
    html = read(site, "dosing")
    row = cells(html, f"dosing-{SEED}-0")
    assert row["Role"] == "Studied"
    assert row["Dose"] == "750 mg/m² per dose, by body-surface area"
    assert row["Route"] == "IV"
    assert '<abbr title="intravenous">IV</abbr>' in html
    assert row["Doses"] == "× 2"
    assert row["Over"] == "2 weeks"
    # calculated by the site, and marked so; the cap is not reported, and the total says so
    assert row["Total per course"] == ("2 × 750 mg/m² = 1,500 mg/m² per course; cap per dose not reported"
                                       " calculated by this site: how")
    assert row["Cap per dose"] == "Not reported"
    assert row["Treated"] == "7"
    assert row["Age"] == "median 14.8 years (range 7.7–16.1)"
    assert row["Design"] == "Case series" and row["Certainty"] == "Very low"
    assert row["Study"] == "Arthritis Rheum, 2005 PMID 16200620"
    assert 'href="../studies/rituximab-childhood-sle-2005/index.html"' in html
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/16200620/"' in html
    # read along the row, as a dose line
    assert " ".join([row["Dose"].split(" per ")[0], row["Route"], row["Doses"], "over", row["Over"]]) \
        == "750 mg/m² IV × 2 over 2 weeks"


def test_seed_co_treatments_and_condition(site):
    html = read(site, "dosing")
    cyclo = cells(html, f"dosing-{SEED}-1")
    assert cyclo["Role"] == "Co-treatment"
    assert cyclo["Dose"] == "Not reported" and cyclo["Route"] == "IV"
    assert cyclo["Given when"] == "only for children who had not had it before"
    assert cyclo["Cap per dose"] == ""          # optional for co-treatments: left out, says nothing
    assert cyclo["Treated"] == "Not reported"   # a co-treatment: never the whole population
    steroids = cells(html, f"dosing-{SEED}-2")
    assert (steroids["Role"], steroids["Dose"], steroids["Route"]) == ("Co-treatment", "high-dose", "Oral")
    assert steroids["Treated"] == "Not reported"


def test_regimen_line():
    site_study = {"dose": {"value": 750, "unit": "mg/m2"}, "route": "intravenous", "count": 2,
                  "over": {"value": 2, "unit": "weeks"}}
    from evidence.content.model import Drug, Regimen
    drug = Drug("rituximab", "Rituximab", "x", {})
    assert dosing_rows.regimen_line(Regimen(drug, site_study)) == "750 mg/m² IV × 2 over 2 weeks"
    willems = {"dose": {"min": 350, "max": 450, "unit": "mg/m2"}, "route": "intravenous",
               "count": {"min": 2, "max": 12}, "over": "not-reported"}
    assert dosing_rows.regimen_line(Regimen(drug, willems)) == "350–450 mg/m² IV × 2–12; period not reported"
    nothing = {"dose": "not-reported", "route": "not-reported", "count": "not-reported", "over": "not-reported"}
    assert dosing_rows.regimen_line(Regimen(drug, nothing)) == \
        "dose, route, number of doses and period not reported"


def test_every_regimen_once_grouped_by_drug(site):
    html = read(site, "dosing")
    parsed = Rows(html)
    groups = [parsed.rows[r][0] for r in parsed.order if parsed.attrs[r] and
              parsed.attrs[r][0].get("scope") == "rowgroup"]
    # studied drugs first, then co-treatments by name
    assert [g.split()[0] for g in groups] == ["Rituximab", "Corticosteroids", "Cyclophosphamide"]
    assert groups[0] == "Rituximab 6 regimens in 6 studies"
    ids = data_rows(html)
    import yaml
    expected = sorted(f"dosing-{p.stem}-{i}" for p in (ROOT / "content/studies").glob("*.yaml")
                      for i in range(len(yaml.safe_load(p.read_text(encoding="utf-8"))["regimens"])))
    assert sorted(ids) == expected
    # rows sit under their drug's group header
    current = None
    for r in parsed.order:
        if parsed.attrs[r] and parsed.attrs[r][0].get("scope") == "rowgroup":
            current = parsed.rows[r][0].split()[0].lower()
        elif r.startswith("dosing-"):
            study, i = r[len("dosing-"):].rsplit("-", 1)
            data = yaml.safe_load((ROOT / f"content/studies/{study}.yaml").read_text(encoding="utf-8"))
            assert data["regimens"][int(i)]["drug"] == current


def test_every_row_has_its_quotes_one_click_away(site):
    import re
    import yaml
    html = read(site, "dosing")
    for p in (ROOT / "content/studies").glob("*.yaml"):
        s = yaml.safe_load(p.read_text(encoding="utf-8"))
        for i, r in enumerate(s["regimens"]):
            row = re.search(rf'<tr id="dosing-{p.stem}-{i}">(.*?)</tr>', html, re.S).group(1)
            details = re.search(r"<details class=\"quote\">(.*?)</details>", row, re.S).group(1)
            from markupsafe import escape
            assert str(escape(r["quote"])) in details
            assert str(escape(s["population"]["quote"])) in details
            assert "From the abstract of the published study." in details


def test_not_reported_is_said(site):
    html = read(site, "dosing")
    row = cells(html, "dosing-lin-2024-0")
    assert [row[k] for k in ("Dose", "Route", "Doses", "Over", "Cap per dose")] == ["Not reported"] * 5
    assert cells(html, "dosing-willems-2006-0")["Study"] == "Willems M et al., 2006 PMID not reported"


def test_table_markup_is_accessible(site):
    html = read(site, "dosing")
    assert '<div class="table-wrap dosing-wrap" role="region" aria-labelledby="dosing-caption" tabindex="0">' in html
    n = shipped_regimens()
    assert f'<caption id="dosing-caption">Regimens in the studies ({n} regimens)</caption>' in html
    assert html.count('<th scope="col"') == len(dosing.COLUMNS)
    assert html.count('<th scope="row"') == n
    # the only scripts: the external enhancement (CSP: no inline script)
    assert '<script src="../assets/sort-table.js" defer></script>' in html
    assert html.count("<script") == 1
    assert '<link rel="stylesheet" href="../assets/clinicians.css">' in html
    assert (site / "assets/sort-table.js").read_text(encoding="utf-8").startswith("/* Sort tables")


def test_filter_pages(site):
    by_route = read(site, "dosing/route/oral")
    rows = [cells(by_route, r) for r in data_rows(by_route)]
    assert rows and all(r["Route"] == "Oral" for r in rows)
    assert len(rows) == 3
    by_drug = read(site, "dosing/drug/cyclophosphamide")
    assert sorted(data_rows(by_drug)) == [f"dosing-{SEED}-1", "dosing-willems-2006-2"]
    by_condition = read(site, "dosing/condition/autoimmune-cytopenia-in-sle")
    assert {r.rsplit("-", 1)[0] for r in data_rows(by_condition)} == \
        {"dosing-willems-2006", "dosing-kumar-2009", "dosing-cognard-inpress"}
    nr = read(site, "dosing/route/not-reported")
    assert all(cells(nr, r)["Route"] == "Not reported" for r in data_rows(nr))
    # every filter link on every dosing page leads to a page the build wrote
    import re
    for page in (site / "dosing").rglob("index.html"):
        html = page.read_text(encoding="utf-8")
        for href in re.findall(r'href="([^"#]+)"', html):
            if not href.startswith(("http", "data:")):
                assert (page.parent / href).resolve().exists(), (page, href)
    assert 'aria-current="true">Oral</a>' in by_route


def test_sort_pages(site):
    by_n = read(site, "dosing/sort/n")
    ritux = data_rows(by_n)[:6]           # the first group: rituximab
    ns = [int(cells(by_n, r)["Treated"]) for r in ritux]
    assert ns == sorted(ns, reverse=True) and len(ns) == 6
    assert '<th scope="col" data-sort="n" data-sort-first="descending" aria-sort="descending">Treated</th>' in by_n
    assert "sorted by treated within each drug" in by_n
    by_dose = read(site, "dosing/sort/dose")
    doses = [cells(by_dose, r)["Dose"] for r in data_rows(by_dose)][:6]
    # rituximab: 350–450 then 750 mg/m², then every "Not reported" last
    assert doses[:2] == ["350–450 mg/m² per dose, by body-surface area", "750 mg/m² per dose, by body-surface area"]
    assert set(doses[2:]) == {"Not reported"}
    # the main page links each sortable column to its sort page
    main = read(site, "dosing")
    for col in dosing.SORTABLE:
        assert f'href="../dosing/sort/{col.key}/index.html"' in main
        assert (site / "dosing/sort" / col.key / "index.html").exists()


def test_sort_rows_puts_missing_last_both_ways():
    class R:
        def __init__(self, v, name):
            self.keys = {"n": v, "study": (2000, name)}
    rows = [R(None, "a"), R(3, "b"), R(1, "c"), R(None, "d"), R(2, "e")]
    assert [r.keys["n"] for r in dosing.sort_rows(rows, "n")] == [1, 2, 3, None, None]
    assert [r.keys["n"] for r in dosing.sort_rows(rows, "n", descending=True)] == [3, 2, 1, None, None]


def test_drug_page_shows_its_dosing_table(site):
    html = read(site, "drugs/rituximab")
    ids = [r for r in Rows(html).order if r.startswith("drug-dosing-")]
    assert len(ids) == 6
    assert "2 × 750 mg/m² = 1,500 mg/m² per course" in html
    assert 'aria-labelledby="drug-dosing-caption"' in html
    assert "Cyclophosphamide</a> <span" not in html.split('id="dosing-h"')[1].split("</section>")[0]


def test_count_and_basis_typesetting():
    assert dosing_rows.count_text(2) == "× 2"
    assert dosing_rows.count_text({"min": 2, "max": 12}) == "× 2–12"
    assert dosing_rows.count_text("not-reported") == fmt.NOT_REPORTED
    assert dosing_rows.basis("mg/m2") == "per dose, by body-surface area"
    assert dosing_rows.basis("mg/kg/day") == "per day, by body weight"
    assert dosing_rows.basis("mg") == "per dose, flat"


NEW_STUDY = """\
id: example-second-study
title: An example series used only by the test suite
plain_title: An example study for the tests
added: "2026-11-26"
citation:
  authors: [Example A]
  journal: Example J
  year: 2020
  volume: "1"
  issue: "1"
  pages: 1-2
  pmid: "99999999"
  doi: 10.9999/example.1
  extracted_from: abstract
conditions: [lupus-nephritis]
drugs: [rituximab]
design:
  type: case-series
  blinding: open-label
  comparison: none
  description: An example.
  quote: Twelve patients were treated
population:
  n: 12
  female: not-reported
  age_years: {min: 5, max: 17}
  description: Example patients.
  quote: Twelve patients were treated, aged 5-17 years.
follow_up_time: not-reported
regimens:
  - drug: rituximab
    role: studied
    dose: {value: 375, unit: mg/m2}
    route: intravenous
    count: 4
    over: {value: 4, unit: weeks}
    max_dose: {value: 1000, unit: mg}
    rate: not-reported
    premedication: not-reported
    quote: four weekly infusions of 375 mg/m2 (maximum 1,000 mg per infusion) over 4 weeks
outcomes:
  - id: remission
    name: Remission
    plain_name: Children whose kidney lupus calmed down
    type: count
    better: higher
    events: 6
    of: 12
    quote: Six of 12 patients reached remission.
safety:
  serious_adverse_events: 1
  adverse_events: not-reported
  quote: One patient had a serious infection.
certainty:
  rating: low
  reasons: [An example.]
summary:
  why: This is a test.
  what_happened: Children had a drip.
  results: Some got better.
  how_sure: Not very sure.
  what_it_means: Talk to your care team.
conclusion: not-reported
"""
NEW_SOURCE = ("Twelve patients were treated, aged 5-17 years. They received four weekly infusions of "
              "375 mg/m2 (maximum 1,000 mg per infusion) over 4 weeks. Six of 12 patients reached "
              "remission. One patient had a serious infection.\n")


@pytest.fixture(scope="module")
def grown(tmp_path_factory) -> Path:
    """The shipped content plus one study, added as one YAML file (and its source text)."""
    root = tmp_path_factory.mktemp("grown")
    shutil.copytree(ROOT / "content", root / "content")
    (root / "content/studies/example-second-study.yaml").write_text(NEW_STUDY, encoding="utf-8")
    (root / "content/sources/example-second-study.txt").write_text(NEW_SOURCE, encoding="utf-8")
    result = build(root / "content", root / "output", strict=True)
    assert not result.warnings
    return root / "output"


def test_a_new_study_file_joins_the_table(grown):
    html = read(grown, "dosing")
    row = cells(html, "dosing-example-second-study-0")
    assert row["Dose"] == "375 mg/m² per dose, by body-surface area"
    assert (row["Route"], row["Doses"], row["Over"]) == ("IV", "× 4", "4 weeks")
    assert row["Cap per dose"] == "1,000 mg"
    assert row["Total per course"] == "4 × 375 mg/m² = 1,500 mg/m² per course calculated by this site: how"
    assert row["Treated"] == "12" and row["Age"] == "range 5–17 years"
    assert row["Certainty"] == "Low"
    assert f"Regimens in the studies ({shipped_regimens() + 1} regimens)" in html
    assert "dosing-example-second-study-0" in data_rows(read(grown, "dosing/condition/lupus-nephritis"))
    assert "dosing-example-second-study-0" in data_rows(read(grown, "drugs/rituximab").replace(
        'id="drug-dosing-', 'id="dosing-'))
    with open(grown / "regimens.csv", encoding="utf-8", newline="") as f:
        assert any(r["study_id"] == "example-second-study" and r["max_dose_value"] == "1000"
                   for r in csv.DictReader(f))

"""Key facts generated from the data, and the reading-level checks (issue 6)."""
from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from famhelp import CONTENT, SEED, content_with_new_study, shipped, study, variant  # noqa: E402

from evidence.pages import family
from evidence.content import readability  # noqa: E402
from evidence.cli import main  # noqa: E402


def facts(s) -> dict[str, str]:
    return {f.label: f.text for f in family.key_facts(s)}


def calc(s) -> dict[str, str | None]:
    return {f.label: f.calc for f in family.key_facts(s)}


def all_text(s) -> str:
    return " ".join(f"{f.label} {f.text}" for f in family.key_facts(s))


def test_seed_key_facts_read_as_plain_sentences():
    k = facts(study())
    assert k["Who took part"] == "7 children aged 7 to 16 took part (4 girls, 3 boys). Their median age was 14.8 years."
    assert calc(study())["Who took part"] == ("ages in whole years, rounded down from the reported ages; "
                                              "the number of boys (children minus girls)")
    assert k["How it was given"] == ("Rituximab was given as 2 drips into a vein over 2 weeks. "
                                     "Each dose was 750 mg for each square metre of body surface.")
    assert k["Other medicines given"] == ("Cyclophosphamide into a vein (only for children who had not had it "
                                          "before); corticosteroids by mouth, high-dose.")
    assert k["Followed for"] == "The children were followed for a median of 1 year."
    assert k["A score doctors use to measure how active lupus is; lower is better"] == (
        "Went from 22 to 6 (medians). The study gives P = 0.002 for this.")
    assert k["Children whose main symptoms got better"] == "All 7 children. Higher is better."
    assert k["Children who could stop dialysis or other kidney replacement treatment"] == (
        "2 children (the total number was not reported). Higher is better.")
    assert k["Harms reported"] == ("None of the 7 children had a serious adverse event. "
                                   "Other unwanted events (adverse events) were not reported.")
    assert k["How sure can we be?"] == "Very little: a case series of 7 children with no comparison group."


def _set(path: str, value):
    """A change function setting data[a][b]... = value (list indexes as digits)."""
    def change(d):
        *parents, last = path.split(".")
        for p in parents:
            d = d[int(p)] if p.isdigit() else d[p]
        d[int(last) if last.isdigit() else last] = value
    return change


@pytest.mark.parametrize("path, value, expected", [
    ("population.female", "not-reported", "How many were girls or boys was not reported."),
    ("population.female", 7, "7 children aged 7 to 16 took part (all girls)."),
    ("population.female", 0, "(all boys)"),
    ("population.female", 1, "(1 girl, 6 boys)"),
    ("population.age_years", "not-reported", "7 children took part (4 girls, 3 boys). Their ages were not reported."),
    ("population.age_years", {"mean": 11.7}, "Their average age was 11.7 years."),
    ("population.age_years", {"value": 12.2, "q1": 9.0, "q3": 13.9},
     "A typical age was 12.2 years (the study does not say if this is a median or an average). "
     "The middle half were aged 9 to 13."),
    ("population.age_years", {"value": 4.5, "interval": {"low": 2.0, "high": 9.0}},
     "The study gives the ages as 2 to 9 years, without saying what this spread is."),
    ("population.age_years", {"min": 3}, "The youngest was 3."),
    ("population.age_at", "diagnosis", "They were aged 7 to 16 when they were diagnosed. "
                                       "Their median age when they were diagnosed was 14.8 years."),
    ("population.courses", 104, "Between them they had 104 courses of treatment."),
])
def test_who_took_part_covers_every_form(path, value, expected):
    assert expected in facts(variant(_set(path, value)))["Who took part"]


def test_female_percent_only():
    def change(d):
        d["population"]["female"] = "not-reported"
        d["population"]["female_percent"] = 85.4
    text = facts(variant(change))["Who took part"]
    assert "(85.4% girls)" in text and "boys" not in text


def test_comparison_group_of_unreported_size():
    def change(d):
        d["groups"] = [
            {"id": "t", "name": "Treated", "role": "treated", "n": 7, "quote": "x"},
            {"id": "c", "name": "Comparison", "plain_name": "Similar children", "role": "comparison",
             "n": "not-reported", "quote": "x"}]
        d["outcomes"][0]["group"] = "t"
    s = variant(change)
    assert "comparison group: Similar children (its size was not reported)" in facts(s)["Who took part"]
    assert "Group: Treated." in facts(s)[s.data["outcomes"][0]["plain_name"]]


@pytest.mark.parametrize("change, expected", [
    ({"count": {"min": 2, "max": 12}}, "Rituximab was given as 2 to 12 drips into a vein over 2 weeks."),
    ({"count": 1, "over": "not-reported"}, "Rituximab was given as 1 drip into a vein."),
    ({"count": "not-reported", "over": "not-reported"},
     "Rituximab was given into a vein. The number of doses was not reported."),
    ({"count": "not-reported", "over": "not-reported", "route": "not-reported"},
     "How rituximab was given, and how many doses, were not reported."),
    ({"route": "not-reported"}, "Rituximab was given as 2 doses over 2 weeks. How it was given was not reported."),
    ({"route": "subcutaneous", "count": 4}, "as 4 injections under the skin over 2 weeks"),
    ({"dose": {"min": 350, "max": 450, "unit": "mg/m2"}}, "Each dose was 350 to 450 mg for each square metre"),
    ({"dose": {"value": 2, "unit": "mg/kg/day"}}, "The dose was 2 mg for each kg of body weight each day."),
    ({"dose": {"description": "high-dose"}}, "The dose was described as high-dose."),
    ({"dose": "not-reported"}, "The dose of rituximab was not reported."),
    ({"when": "as maintenance therapy"}, "over 2 weeks (as maintenance therapy)."),
])
def test_how_it_was_given_covers_every_form(change, expected):
    s = variant(lambda d: d["regimens"][0].update(change))
    assert expected in facts(s)["How it was given"]


def _outcome(o: dict):
    def change(d):
        d["outcomes"] = [dict(o, id="x", name="X", plain_name="The thing measured")]
    return facts(variant(change))["The thing measured"]


@pytest.mark.parametrize("o, expected", [
    ({"type": "count", "better": "higher", "events": 0, "of": 9}, "None of the 9 children. Higher is better."),
    ({"type": "count", "better": "higher", "events": 2, "of": 2}, "Both children."),
    ({"type": "count", "better": "lower", "events": 2, "of": 6}, "2 of 6 children. Lower is better."),
    ({"type": "count", "better": "higher", "events": 8, "of": 40, "percent": 20}, "8 of 40 children (20%)."),
    ({"type": "count", "better": "higher", "events": "not-reported", "of": "not-reported", "percent": 52.5},
     "52.5% of the children counted (out of how many was not reported)."),
    ({"type": "count", "better": "higher", "events": "not-reported", "of": 9},
     "The number was not reported (out of 9 children)."),
    ({"type": "count", "better": "higher", "events": "not-reported", "of": "not-reported"}, "Not reported."),
    ({"type": "count", "better": "lower", "events": 19, "of": 104, "percent": 18, "counted_in": "courses"},
     "19 of 104 treatment courses (18%)."),
    ({"type": "count", "better": "lower", "events": 3, "of": 3, "counted_in": "courses"},
     "3 of 3 treatment courses."),
    ({"type": "continuous", "better": "lower", "baseline": {"mean": 9}, "follow_up": {"mean": 4}},
     "Went from 9 to 4 (averages). Lower is better."),
    ({"type": "continuous", "better": "lower", "unit": "mg/kg", "baseline": {"value": 0.93}, "follow_up": {"value": 0.39}},
     "Went from 0.93 to 0.39 mg for each kg of body weight (as the study gives them)."),
    ({"type": "continuous", "better": "lower", "baseline": {"median": 8}, "follow_up": {"mean": 4}},
     "Went from a median of 8 to an average of 4."),
    ({"type": "continuous", "better": "lower", "baseline": "not-reported", "follow_up": "not-reported"},
     "The figures before and after were not reported."),
    ({"type": "continuous", "better": "lower", "baseline": "not-reported", "follow_up": {"median": 6}},
     "Before: not reported. After: median 6."),
    ({"type": "continuous", "better": "higher", "baseline": {"min": 1, "max": 5}, "follow_up": {"q1": 2, "q3": 4}},
     "Before: ranged from 1 to 5. After: the middle half were from 2 to 4. Higher is better."),
    ({"type": "count", "better": "higher", "events": 1, "of": 1, "timepoint": "at 6 months"},
     "1 of 1 child. Higher is better. When: at 6 months."),
])
def test_outcomes_cover_every_form(o, expected):
    assert expected in _outcome(o)


def test_courses_are_never_shown_as_people():
    text = _outcome({"type": "count", "better": "lower", "events": 5, "of": "not-reported", "counted_in": "courses"})
    assert text.startswith("5 treatment courses") and "child" not in text


@pytest.mark.parametrize("safety, expected", [
    ({"serious_adverse_events": 2, "adverse_events": []},
     "2 of the 7 children had a serious adverse event. "
     "The study says there were no other unwanted events (adverse events)."),
    ({"serious_adverse_events": {"at_least": 1}, "adverse_events": "not-reported"},
     "At least 1 of the 7 children had a serious adverse event."),
    ({"serious_adverse_events": "not-reported", "deaths": 0, "adverse_events": "not-reported"},
     "The study does not say how many had a serious adverse event. No deaths were reported."),
    ({"serious_adverse_events": 1, "deaths": 1, "adverse_events": "not-reported"},
     "1 child died. The cause was not reported."),
    ({"serious_adverse_events": 1, "deaths": 1, "deaths_cause": "sepsis", "adverse_events": "not-reported"},
     "1 child died (cause: sepsis)."),
    ({"serious_adverse_events": 0, "deaths": "not-reported", "adverse_events": "not-reported"},
     "Whether anyone died was not reported."),
    ({"serious_adverse_events": "not-reported", "adverse_events": [
        {"name": "Infusion reaction", "events": 1, "of": 7, "serious": False},
        {"name": "Infection", "events": 2, "of": 7, "serious": True, "severity": "life-threatening"},
        {"name": "Rash", "events": "not-reported", "of": "not-reported", "percent": 6, "counted_in": "courses",
         "serious": "not-reported"}]},
     "Unwanted events (adverse events) reported: Infusion reaction: 1 of 7 children. "
     "Infection (life-threatening, serious): 2 of 7 children. "
     "Rash: 6% of the treatment courses (out of how many was not reported)."),
])
def test_safety_covers_every_form(safety, expected):
    assert expected in facts(variant(_set("safety", safety)))["Harms reported"]


@pytest.mark.parametrize("rating, design, comparison, expected", [
    ("high", "randomised-controlled-trial", "placebo",
     "Very sure: a randomised controlled trial (children were put into groups by chance) of 7 children, "
     "compared with a dummy treatment (placebo)."),
    ("low", "cohort", "historical", "Not very sure: a cohort study of 7 children, compared with children treated in the past."),
    ("moderate", "case-report", "not-reported", "Fairly sure: a case report of 7 children."),
])
def test_certainty_in_words(rating, design, comparison, expected):
    def change(d):
        d["certainty"]["rating"] = rating
        d["design"].update(type=design, comparison=comparison)
    assert facts(variant(change))["How sure can we be?"] == expected


def test_in_press_and_full_text_are_said():
    def change(d):
        d["citation"].update(status="in-press", year="not-reported", extracted_from="full-text")
    text = facts(variant(change))["Where these facts come from"]
    assert text == ("We read the full article. The study was accepted by a journal but was not yet "
                    "published in an issue (in press).")


def _numbers(value) -> set[float]:
    """Every number in a study's data: numeric values, and figures inside its text fields
    (a timepoint or a name is printed as written), but not in quotes."""
    if isinstance(value, bool):
        return set()
    if isinstance(value, (int, float)):
        return {float(value)}
    if isinstance(value, str):
        return {float(x.replace(",", "")) for x in re.findall(r"\d[\d,]*(?:\.\d+)?", value)}
    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if k != "quote"}
        return set().union(*map(_numbers, value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*map(_numbers, value)) if value else set()
    return set()


@pytest.mark.parametrize("ident", [s.id for s in shipped().studies])
def test_every_number_in_key_facts_comes_from_the_data(ident):
    """Never state something the data does not say: each figure is a data value, a whole-year age
    (floor of an age), or boys = n - female."""
    s = study(ident)
    allowed = _numbers({k: v for k, v in s.data.items() if k not in ("summary", "certainty")})
    p = s.data["population"]
    if isinstance(p["female"], int):
        allowed.add(float(p["n"] - p["female"]))
    if isinstance(p["age_years"], dict):
        allowed |= {float(math.floor(v)) for v in _numbers(p["age_years"])}
    found = [float(x.replace(",", "")) for x in re.findall(r"\d[\d,]*(?:\.\d+)?", all_text(s))]
    stray = [x for x in found if x not in allowed]
    assert found and not stray, f"{ident}: numbers not in the data: {stray}"


def test_a_new_study_gets_key_facts_with_no_new_text(tmp_path):
    content = content_with_new_study(tmp_path)
    out = tmp_path / "out"
    assert main(["--content", str(content), "--output", str(out), "--strict", "--quiet"]) == 0
    page = (out / "studies" / "made-up-2030" / "index.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", page)
    for expected in ["12 children aged 6 to 15 took part (5 girls, 7 boys).",
                     "Rituximab was given as 3 drips into a vein over 3 weeks.",
                     "Each dose was 375 mg for each square metre of body surface.",
                     "Corticosteroids by mouth.",
                     "The children were followed for a median of 8 months.",
                     "Went from 10 to 3 (medians). Lower is better.",
                     "9 of 12 children. Higher is better.",
                     "2 of the 12 children had a serious adverse event.",
                     "Very little: a case series of 12 children with no comparison group."]:
        assert expected in text, expected


# ---- reading level (readability.py) ----

@pytest.mark.parametrize("ident", [s.id for s in shipped().studies])
def test_shipped_summaries_score_grade_8_or_lower_on_both_checks(ident):
    for key in readability.SECTIONS:
        text = study(ident).data["summary"][key]
        assert readability.grade(text) <= readability.MAX_GRADE, (ident, key)
        assert readability.independent_grade(text) <= readability.MAX_GRADE, (ident, key)


def test_family_texts_of_conditions_and_drugs_score_grade_8_or_lower():
    for x in list(shipped().conditions) + list(shipped().drugs):
        assert readability.grade(x.data["for_families"]) <= 8, x.id
        assert readability.independent_grade(x.data["for_families"]) <= 8, x.id


@pytest.mark.parametrize("word, n", [("cyclophosphamide", 5), ("medicine", 3), ("used", 1), ("treated", 2),
                                     ("doses", 2), ("lupus", 2), ("little", 2), ("B-cell", 2), ("12", 1)])
def test_syllables_without_a_dictionary(word, n):
    assert readability.syllables(word) == n


def test_independent_grade_tells_easy_from_hard():
    easy = "The girls took the pills. They felt well. The doctors were glad."
    hard = ("Immunosuppressive pharmacotherapeutic interventions notwithstanding, heterogeneous "
            "glomerulonephritis manifestations necessitated individualised multidisciplinary consideration.")
    assert readability.independent_grade(easy) < 3
    assert readability.independent_grade(hard) > 20
    assert readability.grade(hard) > 8


def test_reading_level_is_reported_and_located(tmp_path, capsys):
    content = content_with_new_study(tmp_path)
    assert main(["check", "--content", str(content)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"Reading level: \d+ family texts, highest grade [\d.]+ .*; independent check highest [\d.]+", out)
    f = content / "studies" / "made-up-2030.yaml"
    hard = ("Immunosuppressive pharmacotherapeutic interventions notwithstanding, heterogeneous "
            "glomerulonephritis manifestations necessitated individualised multidisciplinary consideration.")
    f.write_text(f.read_text(encoding="utf-8").replace("Most of them got better.", hard), encoding="utf-8")
    line = next(i for i, t in enumerate(f.read_text(encoding="utf-8").splitlines(), 1) if t.startswith("  results:"))
    assert main(["check", "--content", str(content)]) == 0
    err = capsys.readouterr().err
    assert re.search(rf"studies/made-up-2030\.yaml:{line}:12: warning: summary\.results: reading grade [\d.]+ is above 8", err), err
    assert main(["check", "--content", str(content), "--strict"]) == 1
    assert "summary.results" in capsys.readouterr().err


def test_shipped_content_passes_strict(capsys):
    assert main(["check", "--content", str(CONTENT), "--strict"]) == 0
    assert SEED  # the seed study is part of the shipped content checked above


@pytest.mark.parametrize("ident", [s.id for s in shipped().studies])
def test_generated_key_facts_score_grade_8_or_lower(ident):
    text = " ".join(f.text for f in family.key_facts(study(ident)))
    assert readability.grade(text) <= 8 and readability.independent_grade(text) <= 8

"""Typesetting of figures (evidence/content/fmt.py): each function called directly, and the
"Not reported" words checked as written on the pages (not through fmt's own constant, so a
blank constant fails here)."""
from __future__ import annotations

import pytest

from evidence.content import fmt
from evidence.pages.render import make_env

NR = "not-reported"


@pytest.mark.parametrize("value,text", [
    (1500, "1,500"), (7, "7"), (0, "0"), (-1200, "-1,200"), (1.0, "1.0"), (0.002, "0.002"),
    (1e-05, "0.00001"), (2500.0, "2,500"), (1234.5, "1,234.5"), (True, "true"), ("12", "12"),
])
def test_num(value, text):
    assert fmt.num(value) == text


def test_units_and_ranges():
    assert fmt.unit("mg/m2") == "mg/m²"
    assert fmt.unit("mg/m2/day") == "mg/m²/day"
    assert fmt.unit("mg/kg") == "mg/kg"
    assert fmt.span(7.7, 16.1, "years") == "7.7–16.1 years"
    assert fmt.span(1000, 2000) == "1,000–2,000"


@pytest.mark.parametrize("d,text", [
    ({"value": 2, "unit": "weeks"}, "2 weeks"), ({"value": 1, "unit": "years"}, "1 year"),
    ({"value": 1, "unit": "hours"}, "1 hours"), (NR, "Not reported"), (None, "Not reported"),
])
def test_duration(d, text):
    assert fmt.duration(d) == text


@pytest.mark.parametrize("d,text", [
    ({"value": 750, "unit": "mg/m2"}, "750 mg/m²"),
    ({"min": 350, "max": 450, "unit": "mg/m2"}, "350–450 mg/m²"),
    ({"description": "high-dose"}, "high-dose"), (NR, "Not reported"), (None, "Not reported"),
])
def test_dose(d, text):
    assert fmt.dose(d) == text


def test_count_and_text_or_nr():
    assert fmt.count(4) == "4"
    assert fmt.count({"min": 2, "max": 4}) == "2–4"
    assert fmt.count(NR) == "Not reported"
    assert fmt.text_or_nr("oral") == "oral"
    assert fmt.text_or_nr(NR) == fmt.text_or_nr(None) == "Not reported"
    assert fmt.is_nr(NR) and not fmt.is_nr("not reported")


def test_course_total():
    assert fmt.course_total({"dose": {"value": 750, "unit": "mg/m2"}, "count": 2, "max_dose": NR}) == (
        "2 × 750 mg/m² = 1,500 mg/m² per course; cap per dose not reported")
    capped = {"dose": {"value": 375, "unit": "mg/m2"}, "count": 4, "max_dose": {"value": 1, "unit": "g"}}
    assert fmt.course_total(capped) == "4 × 375 mg/m² = 1,500 mg/m² per course"
    assert fmt.course_total_figure(capped) == (1500, "mg/m2")
    assert fmt.course_total({"dose": {"value": 1.5, "unit": "g"}, "count": 2}) == (
        "2 × 1.5 g = 3 g per course; cap per dose not reported")
    # no single total: a daily dose, a dose range, a count range, a count of True
    assert fmt.course_total({"dose": {"value": 1, "unit": "mg/m2/day"}, "count": 4}) is None
    assert fmt.course_total({"dose": {"min": 1, "max": 2, "unit": "g"}, "count": 2}) is None
    assert fmt.course_total({"dose": {"value": 1, "unit": "g"}, "count": {"min": 1, "max": 2}}) is None
    assert fmt.course_total({"dose": {"value": 1, "unit": "g"}, "count": True}) is None


def test_treated():
    assert fmt.treated({"role": "studied"}, 7) == "7"
    assert fmt.treated({"role": "co-treatment"}, 7) == "Not reported"
    assert fmt.treated({"n": {"at_least": 3}}, 7) == "at least 3"
    assert fmt.treated({"n": NR, "role": "studied"}, 7) == "Not reported"
    assert fmt.treated({"n": 5, "role": "studied"}, 7) == "5"


@pytest.mark.parametrize("m,suffix,text", [
    ({"median": 14.8, "min": 7.7, "max": 16.1}, "years", "median 14.8 years (range 7.7–16.1)"),
    ({"median": 12.2, "q1": 9.0, "q3": 13.9}, "", "median 12.2 (IQR 9.0–13.9)"),
    ({"value": 4.5, "interval": {"low": 2.0, "high": 9.0}}, "", "4.5 (2.0–9.0, as written)"),
    ({"min": 1, "max": 3}, "", "range 1–3"),
    ({"mean": 3, "sd": 1.5}, "", "mean 3 (SD 1.5)"),
    ({"median": 3, "q1": 2}, "", "median 3 (Q1 2)"),
    ({"min": 2}, "", "minimum 2"),
    (NR, "", "Not reported"),
])
def test_stats(m, suffix, text):
    assert fmt.stats(m, suffix) == text


def test_p_value():
    assert fmt.p_value(0.01) == "P = 0.01"
    assert fmt.p_value({"below": 0.001}) == "P < 0.001"
    assert fmt.p_value(None) is None


@pytest.mark.parametrize("o,text", [
    ({"events": 7, "of": 7}, "7 of 7 people"),
    ({"events": 19, "of": 104, "counted_in": "courses", "percent": 18}, "19 of 104 courses; 18%"),
    ({"events": NR, "of": NR, "percent": 52.5}, "52.5% of people"),
    ({"events": 1, "of": NR}, "1 person (total not reported)"),
    ({"events": 3, "of": NR}, "3 people (total not reported)"),
    ({"events": NR, "of": 12}, "Number not reported (of 12 people)"),
    ({"events": NR, "of": NR}, "Not reported"),
])
def test_count_figure(o, text):
    assert fmt.count_figure(o) == text


def test_an_adverse_event_with_no_counts_says_not_reported_in_its_cell():
    """The study page's adverse-event cell ({{ ae | count_figure }}) is never blank."""
    cell = make_env().from_string("<td>{{ ae | count_figure }}</td>")
    assert cell.render(ae={"name": "rash", "events": NR, "of": NR}) == "<td>Not reported</td>"
    assert cell.render(ae={"name": "rash", "events": NR, "of": 7}) == (
        "<td>Number not reported (of 7 people)</td>")


def test_page_ranges():
    assert fmt.split_pages("3168-74") == ("3168", "74")
    assert fmt.split_pages("e000987") == ("e000987", None)
    assert fmt.page_range("3168–74") == ("3168", "3174")
    assert fmt.page_range("e159-63") == ("e159", "e163")
    assert fmt.page_range("99-3") == ("99", "3")
    assert fmt.pages_text("e159-63", "--") == "e159--e163"
    assert fmt.pages_text(None) is None

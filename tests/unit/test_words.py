"""Counts in plain words: "All" only when the count is the whole total, never one short of it
(6 of 7), "None" only for 0; the same edge for girls, harms and the icon arrays' keys."""
from __future__ import annotations

import pytest

from evidence.pages import harms
from evidence.pages.family import sex_words
from evidence.pages.family_results import count_words
from evidence.pages.pictures import icon_array

NR = "not-reported"


@pytest.mark.parametrize("ev,of,text", [
    (7, 7, "All 7 children"),
    (6, 7, "6 of 7 children"),
    (1, 7, "1 of 7 children"),
    (0, 7, "None of the 7 children"),
    (2, 2, "Both children"),
    (1, 2, "1 of 2 children"),
    (1, 1, "1 of 1 child"),
    (0, 1, "0 of 1 child"),
    (3, NR, "3 children (the total number was not reported)"),
    (NR, 7, "The number was not reported (out of 7 children)"),
    (NR, NR, "Not reported"),
])
def test_count_words(ev, of, text):
    assert count_words({"events": ev, "of": of}) == text


def test_count_words_courses_and_percent():
    assert count_words({"events": 7, "of": 7, "counted_in": "courses"}) == "7 of 7 treatment courses"
    assert count_words({"events": 6, "of": 7, "counted_in": "courses"}) == "6 of 7 treatment courses"
    assert count_words({"events": 7, "of": 7, "percent": 100}) == "All 7 children (100%)"
    assert count_words({"events": 6, "of": 7}, people="girls") == "6 of 7 girls"
    assert count_words({"events": 7, "of": 7}, people="girls") == "All 7 girls"


@pytest.mark.parametrize("female,text", [
    (7, "all girls"), (6, "6 girls, 1 boy"), (1, "1 girl, 6 boys"), (0, "all boys"),
])
def test_sex_words(female, text):
    assert sex_words({"n": 7, "female": female}) == text


@pytest.mark.parametrize("ev,text", [
    (7, "Rash: 7 of 7 children"), (6, "Rash: 6 of 7 children"), (0, "Rash: none of 7 children"),
])
def test_harm_counts(ev, text):
    assert harms.event_text({"name": "Rash", "events": ev, "of": 7}) == text


@pytest.mark.parametrize("ev,title,key", [
    (7, "All 7 children", "all 7 figures are filled"),
    (6, "6 of 7 children", "6 filled, 1 outlined"),
    (0, "None of the 7 children", "no figure is filled"),
])
def test_icon_array_words(ev, title, key):
    pic = icon_array({"events": ev, "of": 7, "plain_name": "Rash got better"}, "rash")
    assert pic.title == f"{title}: Rash got better"
    assert f"({key})" in pic.text
    assert sum(filled for _, _, filled in pic.icons) == ev

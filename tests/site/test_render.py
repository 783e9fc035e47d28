"""The seed study page shows the published figures, and "Not reported" where the abstract is silent."""
from __future__ import annotations

import html
import re

import pytest

from helpers import SEED, run_build


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "output"
    r = run_build("--output", str(out))
    assert r.returncode == 0, r.stderr
    return out


def text_of(page_html: str) -> str:
    """Visible text, tags removed, entities decoded, white space folded."""
    t = re.sub(r"<(script|style)\b.*?</\1>", " ", page_html, flags=re.S)
    t = html.unescape(re.sub(r"<[^>]+>", " ", t))
    return re.sub(r"\s+", " ", t)


@pytest.fixture(scope="module")
def study(site):
    return (site / "studies" / SEED / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("expected", [
    "750 mg/m²",                   # dose, with the unit typeset
    "2 weeks",                     # period
    "2 × 750 mg/m² = 1,500 mg/m²",  # total per course
    "median 14.8 years (range 7.7–16.1)",
    "median 22 (range 14–37)",     # BILAG before
    "median 6 (range 4–11)",       # BILAG after
    "P = 0.002",
    "7 of 7 people",
    "0 of 7",                      # people with a serious adverse event
    "only for children who had not had it before",
])
def test_study_page_shows_figures(study, expected):
    assert expected in text_of(study)


def test_number_of_doses_and_children(study):
    text = text_of(study)
    assert re.search(r"Number of doses 2 ", text)
    assert re.search(r"Treated 7 ", text)
    assert "4 of 7" in text  # female


def test_not_reported_for_authors_and_cap(study):
    text = text_of(study)
    assert re.search(r"Authors Not reported", text)
    assert re.search(r"Maximum per dose Not reported", text)
    assert re.search(r"Infusion rate Not reported", text)
    assert re.search(r"Premedication Not reported", text)


def test_pmid_and_doi_links(study):
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/16200620/"' in study
    assert 'href="https://doi.org/10.1002/art.21351"' in study


def test_extracted_from_abstract_notice(study):
    assert "extracted from the study’s published abstract" in text_of(study)


def test_authors_conclusion_is_quoted(study):
    assert re.search(r"<blockquote class=\"conclusion\"><p>This open-label study demonstrates", study)


def test_home_links_to_study(site):
    home = (site / "index.html").read_text(encoding="utf-8")
    assert f'href="studies/{SEED}/index.html"' in home


@pytest.mark.parametrize("page", ["index.html", f"studies/{SEED}/index.html", "glossary/index.html",
                                  "about/index.html", "404.html", "conditions/childhood-onset-sle/index.html",
                                  "drugs/rituximab/index.html", "drugs/cyclophosphamide/index.html",
                                  "drugs/corticosteroids/index.html"])
def test_pages_have_one_h1_lang_and_disclaimer(site, page):
    body = (site / page).read_text(encoding="utf-8")
    assert body.count("<h1") == 1
    assert re.search(r'<html lang="en-GB">', body)
    assert "It is not medical advice" in text_of(body)


def test_glossary_has_anchor_per_term(site):
    import yaml
    from helpers import ROOT
    terms = yaml.safe_load((ROOT / "content" / "glossary.yaml").read_text(encoding="utf-8"))
    page = (site / "glossary" / "index.html").read_text(encoding="utf-8")
    for t in terms:
        assert f'id="{t["id"]}"' in page, t["id"]


def test_drug_class_keeps_its_capitals(site):
    """Jinja's capitalize would lower the rest: "Anti-cd20"."""
    page = (site / "drugs" / "rituximab" / "index.html").read_text(encoding="utf-8")
    assert '<p class="lede">Anti-CD20 monoclonal antibody</p>' in page

"""'What the studies found' per condition (issue 10): one row per study, sorted by certainty
and size, and a family part generated from the data that says the studies are not pooled."""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from evidence.pages import findings
from evidence.content.load import load_all, read_sources
from evidence.content.model import build_site
from evidence.content.vocabulary import CERTAINTY
from evidence.build.pipeline import build
from evidence.content.readability import grade
from helpers import Rows

ROOT = Path(__file__).resolve().parents[2]
SEED = "rituximab-childhood-sle-2005"


COLUMNS = ["Study", "Design", "Treated", "With this condition", "Girls", "Age", "Follow-up", "Regimen", "Main outcome", "Harms reported",
           "Certainty", "Source"]


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("evidence") / "output"
    build(ROOT / "content", target)
    return target


@pytest.fixture(scope="module")
def site():
    docs, errors = load_all(ROOT / "content")
    assert not errors
    return build_site(docs, read_sources(ROOT / "content"), "2026-01-01")


def page(out: Path, cid: str) -> str:
    return (out / f"conditions/{cid}/evidence/index.html").read_text(encoding="utf-8")


def table(html: str) -> dict[str, dict[str, str]]:
    parsed = Rows(html)
    return {rid[len("study-"):]: dict(zip(COLUMNS, cells)) for rid, cells in parsed.rows.items()
            if not rid.startswith("_")}


def family(html: str) -> str:
    part = html.split('<h2 id="for-families-h">')[1].split("</section>")[0]
    return " ".join(re.sub(r"<[^>]+>", " ", part).split()).replace("&#39;", "'")


def test_a_page_per_condition_linked_from_the_condition(out, site):
    for c in site.conditions:
        n = len(site.studies_for("condition", c.id))
        assert n > 0
        html = page(out, c.id)
        assert f"<h1>What the studies found: {c.plain_name}</h1>" in html
        assert len(table(html)) == n
        cond = (out / f"conditions/{c.id}/index.html").read_text(encoding="utf-8")
        assert f'<a href="../../conditions/{c.id}/evidence/index.html">What the studies found</a>' in cond


def test_rows_sorted_by_certainty_then_size(out):
    rows = table(page(out, "childhood-onset-sle"))
    assert list(rows) == ["watson-2015", "cognard-inpress", "lin-2024", "willems-2006", "kumar-2009", SEED]
    assert [int(r["Treated"].split()[0]) for r in rows.values()] == [63, 41, 40, 11, 9, 7]


def test_more_certain_study_comes_first(site):
    studies = site.studies_for("condition", "childhood-onset-sle")
    kumar = next(s for s in studies if s.id == "kumar-2009")
    low = dataclasses.replace(kumar, data=dict(kumar.data, certainty={"rating": "low", "reasons": ["x"]}))
    ordered = findings.rows([low if s.id == "kumar-2009" else s for s in studies])
    assert [r.study.id for r in ordered][:2] == ["kumar-2009", "watson-2015"]


def test_seed_row(out):
    row = table(page(out, "childhood-onset-sle"))[SEED]
    assert row["Study"] == "Arthritis Rheum, 2005"
    assert row["Design"] == "Case series" and row["Treated"] == "7"
    assert row["Age"] == "median 14.8 years (range 7.7–16.1)"
    assert row["Regimen"] == "Rituximab: 750 mg/m² IV × 2 over 2 weeks"
    assert row["With this condition"] == "all 7" and row["Girls"] == "4 of 7"
    assert row["Follow-up"] == "median 1.0 year"
    assert row["Main outcome"] == ("British Isles Lupus Assessment Group (BILAG) global score "
                                   "Before: median 22 (range 14–37) After: median 6 (range 4–11) "
                                   "P = 0.002 About: all 7 children. "
                                   "Lower is better. 2 more outcomes of Arthritis Rheum, 2005")
    assert row["Harms reported"] == ("SAEs: 0/7 people (worked out from the study's words; calculated); "
                                     "other AEs: not reported")
    assert row["Certainty"] == "Very low"


def test_not_reported_and_main_outcome_per_condition(out):
    rows = table(page(out, "childhood-onset-sle"))
    assert rows["cognard-inpress"]["Main outcome"].startswith(
        "SLEDAI-2K score (3 and 6 months after rituximab) Before: Not reported After: Not reported P < 0.001")
    assert rows["lin-2024"]["Regimen"] == "Rituximab: dose, route, number of doses and period not reported"
    assert rows["lin-2024"]["Harms reported"] == "SAEs: not reported; other AEs: not reported"
    nephritis = table(page(out, "lupus-nephritis"))
    assert nephritis["willems-2006"]["With this condition"] == "8 of 11 (girls with class IV or V lupus nephritis)"
    assert nephritis["watson-2015"]["With this condition"] == (
        "36% of 63 (lupus nephritis as the indication for the first course)")
    # the outcome that names the condition, where the study has one
    assert table(page(out, "lupus-nephritis"))["willems-2006"]["Main outcome"].startswith(
        "Remission in patients with lupus nephritis 6 of 8 people")
    assert table(page(out, "autoimmune-cytopenia-in-sle"))["willems-2006"]["Main outcome"].startswith(
        "Remission in patients with autoimmune cytopenia 2 of 2 people")


def test_every_row_has_its_quotes(out):
    html = page(out, "childhood-onset-sle")
    from markupsafe import escape
    import yaml
    for sid in table(html):
        data = yaml.safe_load((ROOT / f"content/studies/{sid}.yaml").read_text(encoding="utf-8"))
        row = re.search(rf'<tr id="study-{sid}">(.*?)</tr>', html, re.S).group(1)
        details = re.search(r'<details class="quote">(.*?)</details>', row, re.S).group(1)
        assert str(escape(data["population"]["quote"])) in details
        assert "From the abstract of the published study." in details
        outcome = table(html)[sid]["Main outcome"]
        quote = next(o["quote"] for o in data["outcomes"] if outcome.startswith(o["name"]))
        assert str(escape(quote)) in details


def test_family_part_from_the_data(out):
    text = family(page(out, "childhood-onset-sle"))
    assert text.startswith("For families Six studies on this site looked at rituximab for lupus in children. "
                           "They had between 7 and 63 people each. These are small numbers.")
    assert "One was a cohort study. A cohort study follows a group of people over time." in text
    assert "Five were case series." in text
    assert "One of the six had a comparison group." in text
    # no vote count ("in N of M studies at least one measure was better"): a hidden form of pooling
    assert "at least one measure" not in text and "did not say if" not in text
    assert "We do not count how many studies found a benefit" in text
    assert ("A score doctors use to measure how active lupus is: went from 4.5 to 3 (as the study gives them). "
            "Lower is better. This change could be due to chance (P = 0.16). This is about all 63 children.") in text
    assert ("How sure can we be overall? On their own, all six studies have very low certainty. "
            + CERTAINTY["very-low"].plain) in text


def test_no_pooled_numbers_and_a_plain_statement(out, site):
    for c in site.conditions:
        studies = site.studies_for("condition", c.id)
        assert "The studies cannot be pooled, because" in family(page(out, c.id))
        text = " ".join(findings.family_text(c, studies))   # the cross-study paragraphs
        assert "We have not added the studies’ results together into one number." in text
        # the only figures are the smallest and largest study; no total, no pooled rate
        numbers = {int(x) for x in re.findall(r"\d+", text)}
        assert numbers == {min(s.n for s in studies), max(s.n for s in studies)}
        assert "%" not in text
        assert "does not give medical advice" in text
        assert not re.search(r"\b(should|recommend)", text, re.I)


def test_family_part_reads_at_grade_8_or_below(site):
    for c in site.conditions:
        text = " ".join(findings.family_text(c, site.studies_for("condition", c.id)))
        assert grade(text) <= 8, (c.id, grade(text))


def _with(site, sid: str, **changes):
    s = next(x for x in site.studies if x.id == sid)
    return dataclasses.replace(s, data=dict(s.data, **changes))


def test_generated_sentences_follow_the_data(site):
    cond = next(c for c in site.conditions if c.id == "childhood-onset-sle")
    seed = next(s for s in site.studies if s.id == SEED)
    one = findings.family_text(cond, [seed])
    assert one[0].endswith("It had 7 people. These are small numbers.")
    assert "There is only one study, so there are no results to combine." in one
    assert "side effects" not in " ".join(one)

    worse_outcome = dict(seed.data["outcomes"][0], follow_up={"median": 30})
    worse = _with(site, SEED, outcomes=[worse_outcome] + seed.data["outcomes"][1:])
    worse = dataclasses.replace(worse, outcomes=tuple(findings.Outcome(o) for o in worse.data["outcomes"]))
    said = " ".join(findings.study_finding(worse, cond).results)
    assert "lower is better: went from 22 to 30 (medians)." in said

    low = _with(site, SEED, certainty={"rating": "low", "reasons": ["x"]})
    others = [s for s in site.studies_for("condition", cond.id) if s.id != SEED]
    text = " ".join(findings.family_text(cond, others + [low]))
    assert "On their own, the studies have between very low and low certainty." in text
    assert CERTAINTY["low"].plain in text


def test_table_markup(out):
    html = page(out, "lupus-nephritis")
    assert ('<div class="table-wrap findings-wrap" role="region" aria-labelledby="findings-caption" '
            'tabindex="0">') in html
    assert '<caption id="findings-caption">Studies of Lupus nephritis, most certain first, then largest</caption>' in html
    assert html.count('<th scope="col">') == len(COLUMNS) and html.count('<th scope="row">') == 3

"""Evidence that cannot mislead (issue 17, content model 1.2): whom each result is about,
every harm said plainly, deaths with their cause, calculated figures marked, corrections
shown. Small studies made from the shipped seed by `variant`, and two real builds."""
from __future__ import annotations

import html as htmllib
import re
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from famhelp import CONTENT, shipped, study, variant  # noqa: E402

from evidence.pages import family, findings, harms
from evidence.content import readability  # noqa: E402
from evidence.cli import main  # noqa: E402
from evidence.build.pipeline import build  # noqa: E402


def condition(cid: str):
    return next(c for c in shipped().conditions if c.id == cid)


def text_of(page: str, start: str, end: str = "</section>") -> str:
    part = page.split(start, 1)[1].split(end, 1)[0]
    return htmllib.unescape(" ".join(re.sub(r"<[^>]+>", " ", part).split()))


def _nephritis_subgroup(d):
    """Seed made into a study with a nephritis subgroup whose only result is its own."""
    d["conditions"] = ["childhood-onset-sle", "lupus-nephritis", "autoimmune-cytopenia-in-sle"]
    d["population"]["subgroups"] = [
        {"id": "nephritis", "name": "With lupus nephritis", "plain_name": "children with kidney lupus",
         "condition": "lupus-nephritis", "n": 3, "quote": "x"}]
    d["outcomes"][1] = dict(d["outcomes"][1], subgroup="nephritis", events=2, of=3)


def test_a_subgroup_result_is_never_counted_for_another_condition():
    s = variant(_nephritis_subgroup)
    s = s.__class__(s.id, s.data, tuple(condition(c) for c in s.data["conditions"]), s.drugs, s.regimens,
                    s.outcomes)
    kidney = findings.study_finding(s, condition("lupus-nephritis"))
    assert kidney.who == "3 of the 7 were children with kidney lupus."
    assert [r for r in kidney.results if "This is about the 3 children with kidney lupus." in r]
    assert not [r for r in kidney.results if "all 7" in r]          # whole-group results left out
    blood = findings.study_finding(s, condition("autoimmune-cytopenia-in-sle"))
    said = " ".join(blood.results)
    assert "kidney lupus" not in said and "2 of 3" not in said     # not counted for the other condition


def test_a_whole_group_result_is_said_to_be_about_everyone():
    def change(d):
        _nephritis_subgroup(d)
        del d["outcomes"][1]["subgroup"]
    s = variant(change)
    f = findings.study_finding(s, condition("lupus-nephritis"))
    assert f.results[0] == "No result for children with lupus in the kidneys was given."
    assert f.results[1].startswith("For the whole group: ") and f.results[1].endswith(
        "This is about all 7 children.")


def test_the_shipped_nephritis_page_gives_willems_6_of_8(tmp_path):
    out = tmp_path / "out"
    build(CONTENT, out)
    page = (out / "conditions/lupus-nephritis/evidence/index.html").read_text(encoding="utf-8")
    fam = text_of(page, '<h2 id="for-families-h">')
    assert "8 of the 11 were girls with lupus in the kidneys." in fam
    assert ("Girls with lupus in the kidneys whose illness calmed down: 6 of 8 girls. Higher is better. "
            "This is about the 8 girls with lupus in the kidneys.") in fam
    assert "51.2% of the 41 were children who had rituximab for lupus in the kidneys." in fam
    assert "No result for children with lupus in the kidneys was given." in fam
    assert "at least one measure was better" not in fam and "did not say if" not in fam
    assert "side effect" not in fam
    # every harm of each study, said in the family part
    assert "Severe adverse events (the abstract does not say what they were): 5 of 11 girls" in fam
    assert "Anaphylactic reaction: 7.3% of 41 children" in fam
    assert "Anaphylaxis (one kind of infusion reaction): 2% of 104 treatment courses" in fam
    assert "IgG, IgA and IgM levels fell" in fam

    drug = (out / "drugs/rituximab/index.html").read_text(encoding="utf-8")
    harms_part = text_of(drug, '<h3 id="harms">', "</ul>")
    for s in shipped().studies:                         # the harms of all six studies
        assert s.data["plain_title"] in harms_part, s.id
    assert "Severe adverse events" in harms_part and "Anaphylactic reaction" in harms_part

    seed = (out / "studies/rituximab-childhood-sle-2005/index.html").read_text(encoding="utf-8")
    assert '<section id="corrections"' in seed and "2026-12-07" in seed
    keyfacts = seed.split('class="keyfacts"')[1].split("</section>")[0]
    assert 'class="calc-mark" href="../../about/index.html#calculated"' in keyfacts
    feed = (out / "feed.xml").read_text(encoding="utf-8")
    entry = feed.split("<id>")[0:]
    assert "<updated>2026-12-07T00:00:00Z</updated>" in feed
    assert "Corrected 2026-12-07: The dosing tables said 7 children had cyclophosphamide." in feed
    assert entry


@pytest.mark.parametrize("safety", [
    {"serious_adverse_events": "not-reported", "adverse_events": [
        {"name": "Rash", "events": 1, "of": 7, "serious": "not-reported"}], "quote": "x"},
    {"serious_adverse_events": {"at_least": 1}, "adverse_events": "not-reported", "quote": "x"},
    {"serious_adverse_events": "not-reported", "deaths": 1, "adverse_events": "not-reported", "quote": "x"},
])
def test_a_study_with_a_reported_harm_never_gets_did_not_say(safety):
    s = variant(lambda d: d.update(safety=safety))
    assert harms.reports_harm(s)
    said = " ".join(harms.family_lines(s)) + " " + " ".join(
        findings.family_text(condition("childhood-onset-sle"), [s]))
    assert "did not say" not in said and "parts of the study we read do not say" not in said
    assert "side effect" not in said


def _death(d):
    d["safety"] = {"serious_adverse_events": 1, "deaths": 1, "deaths_cause": "pulmonary haemorrhage",
                   "adverse_events": [{"name": "Pulmonary haemorrhage", "events": 1, "of": 7,
                                       "serious": True, "severity": "fatal"}],
                   "quote": "no serious adverse effects were noted"}
    d["safety"]["derived"] = ["serious_adverse_events", "deaths"]
    d["safety"]["adverse_events"][0]["derived"] = ["events", "of"]


def test_a_death_is_named_with_its_cause_in_key_facts():
    fact = {f.label: f.text for f in family.key_facts(variant(_death))}["Harms reported"]
    assert "1 child died (cause: pulmonary haemorrhage)." in fact
    assert "Pulmonary haemorrhage (fatal, serious): 1 of 7 children" in fact
    cell = harms.clinician_cell(variant(_death))
    assert "deaths: 1 (pulmonary haemorrhage)" in cell and "[serious, fatal, count from the study's words" in cell


def test_a_death_is_named_on_the_evidence_page_the_drug_page_and_the_study(tmp_path):
    content = tmp_path / "content"
    import shutil
    shutil.copytree(CONTENT, content)
    f = content / "studies/rituximab-childhood-sle-2005.yaml"
    data = yaml.safe_load(f.read_text(encoding="utf-8"))
    _death(data)
    f.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", "--content", str(content), "--output", str(out), "--no-search", "--quiet"]) == 0
    for page, start in (("conditions/childhood-onset-sle/evidence/index.html", '<h3 id="harms">'),
                        ("drugs/rituximab/index.html", '<h3 id="harms">'),
                        ("studies/rituximab-childhood-sle-2005/index.html", 'class="keyfacts"')):
        said = text_of((out / page).read_text(encoding="utf-8"), start)
        assert "1 child died (cause: pulmonary haemorrhage)." in said, page


def test_a_before_after_change_without_a_small_p_could_be_due_to_chance():
    watson = {f.label: f.text for f in family.key_facts(study("watson-2015"))}
    assert "This change could be due to chance (P = 0.16)." in watson["A score doctors use to measure how active lupus is"]

    def no_p(d):
        del d["outcomes"][0]["p_value"]
    text = {f.label: f.text for f in family.key_facts(variant(no_p))}
    assert "No P value was given, so this change could be due to chance." in " ".join(text.values())


def test_calculated_figures_in_key_facts_carry_a_note():
    notes = {f.label: f.calc for f in family.key_facts(study())}
    assert "number of boys" in notes["Who took part"] and "whole years" in notes["Who took part"]
    # a study that gives girls only as a percentage has no boys worked out
    assert "boys" not in (notes_of("cognard-inpress")["Who took part"] or "")


def notes_of(sid):
    return {f.label: f.calc for f in family.key_facts(study(sid))}


def test_cognard_52_5_percent_is_not_said_to_be_of_41():
    facts = {f.label: f.text for f in family.key_facts(study("cognard-inpress"))}
    said = facts["Children who did not need more or new treatment a year later"]
    assert said.startswith("52.5% of the children counted (out of how many was not reported).")
    assert "of 41" not in said


def test_cognard_corticosteroids_are_prior_treatment_not_a_regimen():
    s = study("cognard-inpress")
    assert [r.drug.id for r in s.regimens] == ["rituximab"]
    who = {f.label: f.text for f in family.key_facts(s)}["Who took part"]
    assert "When rituximab was started, 87% had had or were taking corticosteroids." in who


def test_every_generated_family_text_reads_at_grade_8_or_below(tmp_path):
    """The family part of each condition evidence page and drug page, and each study's key
    facts, as a reader meets them (generated sentences and maintainers' text together)."""
    out = tmp_path / "out"
    build(CONTENT, out)
    parts = [(p, 'class="families"') for p in out.glob("conditions/*/evidence/index.html")]
    parts += [(p, 'class="families"') for p in out.glob("drugs/*/index.html")]
    parts += [(out / f"studies/{s.id}/index.html", 'class="keyfacts"') for s in shipped().studies]
    assert len(parts) == 3 + 3 + 6
    for page, start in parts:
        said = text_of(page.read_text(encoding="utf-8"), start)
        assert readability.grade(said) <= readability.MAX_GRADE, (page, readability.grade(said))
        assert readability.independent_grade(said) <= readability.MAX_GRADE, page


def test_check_strict_passes_on_the_shipped_content(capsys):
    assert main(["check", "--strict", "--content", str(CONTENT)]) == 0


def test_a_count_worked_out_from_words_is_marked():
    """The 2005 study's '0 of 7' serious adverse events comes from 'no serious adverse
    effects were noted' (derived): the key facts and the clinicians' cell say so."""
    notes = {f.label: f.calc for f in family.key_facts(study())}
    assert notes["Harms reported"] == ("the number with a serious adverse event, worked out from the "
                                       "study's words, not a number it gives")
    assert "(worked out from the study's words; calculated)" in harms.clinician_cell(study())
    # Willems' "5 patients" of 11 and Watson's "of all courses" (104): denominators from words
    assert notes_of("willems-2006")["Harms reported"] == (
        "some counts of unwanted events, worked out from the study's words, not a number it gives")
    assert "[count from the study's words; calculated]" in harms.clinician_cell(study("watson-2015"))
    assert notes_of("lin-2024")["Harms reported"] is None


def test_json_ld_pagination_is_expanded():
    from evidence.pages import jsonld
    assert jsonld.article(study())["pagination"] == "3168-3174"


def test_a_study_silent_on_harms_is_said_to_be_silent_in_what_we_read():
    said = " ".join(harms.family_lines(study("lin-2024")))
    assert "The parts of the study we read do not say what unwanted events (adverse events) happened." in said
    assert not harms.reports_harm(study("lin-2024"))

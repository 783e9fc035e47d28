"""The evidence base (issue 10): each study's key figures, pinned against its source text.

Each pin names a YAML value and the exact words of content/sources/<id>.txt it comes
from; the test fails if the YAML drifts from the pin or the words leave the source.
"""
from __future__ import annotations

import re

import pytest
import yaml

from evidence.content.provenance import fold
from helpers import ROOT, run_build

STUDIES = ROOT / "content" / "studies"
SOURCES = ROOT / "content" / "sources"


def get(data, path: str):
    for part in re.split(r"\.", path):
        data = data[int(part)] if part.isdigit() else data[part]
    return data


PINS = {
    "rituximab-childhood-sle-2005": [
        ("population.n", 7, "Seven patients"),
        ("population.female", 4, "4 of whom were female"),
        ("population.age_years.min", 7.7, "ages 7.7-16.1 years"),
        ("population.age_years.median", 14.8, "median 14.8 years"),
        ("regimens.0.dose.value", 750, "two 750-mg/m2 intravenous infusions of rituximab"),
        ("regimens.0.count", 2, "two 750-mg/m2"),
        ("regimens.0.over.value", 2, "During a 2-week period"),
        ("outcomes.0.baseline.median", 22, "from a median score of 22 (range 14-37) at baseline"),
        ("outcomes.0.follow_up.median", 6, "to a median score of 6 (range 4-11) at followup"),
        ("outcomes.0.p_value", 0.002, "(P = 0.002)"),
        ("safety.serious_adverse_events", 0, "no serious adverse effects were noted"),
    ],
    "willems-2006": [
        ("population.n", 11, "Eleven girls with severe SLE"),
        ("population.age_years.mean", 13.9, "The mean age at onset of rituximab treatment was 13.9 years."),
        ("regimens.0.dose.min", 350, "(350-450 mg/m2/infusion)"),
        ("regimens.0.dose.max", 450, "(350-450 mg/m2/infusion)"),
        ("follow_up_time.mean.value", 13.2, "The mean follow-up period was 13.2 months (range, 6-26 months)"),
        ("outcomes.0.events", 6, "Remission was achieved in 6 of 8 patients with lupus nephritis"),
        ("safety.adverse_events.0.events", 5, "Severe adverse events developed in 5 patients."),
    ],
    "kumar-2009": [
        ("population.n", 9, "Nine patients with pediatric systemic lupus erythematosus"),
        ("population.female", 5, "There were 5 female and 4 male patients"),
        ("population.age_years.median", 14, "was 14 years (range: 8-16 years)"),
        ("outcomes.0.events", 6, "Complete response was achieved in all 6 children with autoimmune thrombocytopenia"),
        ("outcomes.2.events", 4, "All 4 children with autoimmune hemolytic anemia achieved complete response"),
        ("safety.adverse_events.1.events", 1, "but 1 patient had an infusion reaction"),
    ],
    "watson-2015": [
        ("population.n", 63, "Sixty-three patients received 104 courses of intravenous rituximab"),
        ("population.courses", 104, "104 courses"),
        ("population.female", 50, "50 (79%) were female"),
        ("population.age_years.value", 12.2, "Patients were aged 12.2 (IQR 9.0-13.9) years at diagnosis"),
        ("outcomes.0.baseline.value", 4.5, "before 4.5 (2.0-9.0)"),
        ("outcomes.0.p_value", 0.16, "p = 0.16"),
        ("safety.adverse_events.0.events", 19, "AEs occurred in 19 (18%) of all courses"),
    ],
    "lin-2024": [
        ("population.n", 40, "The study included 40 rituximab-treated patients"),
        ("population.age_years.median", 14.3, "with a median age of 14.3 years at the time of disease diagnosis"),
        ("outcomes.0.baseline.median", 8, "decreased from 8 before rituximab administration to 4 after 2 years"),
        ("outcomes.0.follow_up.median", 4, "to 4 after 2 years"),
        ("outcomes.1.events", 8, "8 (20%) patients achieved disease control"),
        ("outcomes.2.events", 35, "35 (87.5%) patients had no flare-ups"),
    ],
    "cognard-inpress": [
        ("population.n", 41, "Forty-one patients received RTX over 14 years"),
        ("population.female_percent", 85.4, "85.4% were girls"),
        ("population.age_years.mean", 11.7, "mean age at diagnosis was 11.7 years"),
        ("outcomes.1.baseline.value", 0.93, "from 0.93 mg/kg to 0.39 mg/kg; P = 0.001"),
        ("outcomes.1.follow_up.value", 0.39, "to 0.39 mg/kg"),
        ("safety.adverse_events.0.percent", 17, "Adverse effects occurred in 17% of patients"),
        ("safety.adverse_events.1.percent", 7.3, "with 7.3% experiencing anaphylactic reactions"),
    ],
}


def test_every_shipped_study_is_pinned():
    assert sorted(p.stem for p in STUDIES.glob("*.yaml")) == sorted(PINS)


@pytest.mark.parametrize("study_id,path,value,words",
                         [(s, *pin) for s, pins in PINS.items() for pin in pins])
def test_key_figure_matches_source(study_id, path, value, words):
    data = yaml.safe_load((STUDIES / f"{study_id}.yaml").read_text(encoding="utf-8"))
    assert get(data, path) == value
    assert fold(words) in fold((SOURCES / f"{study_id}.txt").read_text(encoding="utf-8"))


def test_not_reported_where_the_abstracts_are_silent():
    """Doses absent from the abstracts, unverified authors and PMID, Lin's journal, Cognard's year."""
    load = lambda i: yaml.safe_load((STUDIES / f"{i}.yaml").read_text(encoding="utf-8"))
    for i in ("kumar-2009", "watson-2015", "lin-2024", "cognard-inpress"):
        rtx = next(r for r in load(i)["regimens"] if r["drug"] == "rituximab")
        assert rtx["dose"] == "not-reported", i
    assert load("rituximab-childhood-sle-2005")["citation"]["authors"] == "not-reported"
    assert load("kumar-2009")["citation"]["authors"] == "not-reported"
    assert load("willems-2006")["citation"]["pmid"] == "not-reported"
    assert load("lin-2024")["citation"]["journal"] == "not-reported"
    c = load("cognard-inpress")["citation"]
    assert (c["year"], c["status"]) == ("not-reported", "in-press")


def test_strict_check_passes_with_zero_unquoted_figures():
    r = run_build("check", "--strict")
    assert r.returncode == 0, r.stderr
    m = re.search(r"Figures: (\d+) \((\d+) found in their quotes, (\d+) derived, (\d+) unquoted\); 0 warnings",
                  r.stdout)
    assert m, r.stdout
    assert int(m.group(4)) == 0 and int(m.group(2)) > 100


def test_partial_sources_stay_out():
    assert not list(STUDIES.glob("partial*")) and not list(SOURCES.glob("partial*"))


def _clinician_numbers(page: str) -> set[float]:
    """Numbers shown in a study page's clinician part, quotes and the GRADE scale left out."""
    from html import unescape
    from evidence.content.provenance import _NUM, fold
    part = page.split('id="for-clinicians"', 1)[1].split('id="citation"', 1)[0]
    part = re.sub(r"<details\b.*?</details>", " ", part, flags=re.S)
    part = re.sub(r'<div class="certainty">.*?</div>', " ", part, flags=re.S)
    part = re.sub(r"<svg\b.*?</svg>", " ", part, flags=re.S)
    part = re.sub(r"<(script|style)\b.*?</\1>", " ", part, flags=re.S)
    text = fold(unescape(re.sub(r"<[^>]+>", " ", part)))
    return {float(m.group(1).replace(",", "")) for m in _NUM.finditer(text)}   # figures, as digits


def _derived_values(data) -> set[float]:
    """Values a study lists under `derived` (they follow from the quote, e.g. "no" = 0)."""
    from evidence.content.provenance import _parse_derived, blocks
    out = set()
    found = [b for _, b, _ in blocks(data)]
    if isinstance(data["safety"]["adverse_events"], list):
        found += data["safety"]["adverse_events"]
    for block in found:
        for path in _parse_derived(block):
            value = block
            for part in path:
                value = value[part]
            out.add(float(value))
    return out


def test_pages_show_no_value_missing_from_the_source(tmp_path):
    """Every number in a study's clinician part occurs in its source text, or is a course total."""
    from evidence.content.fmt import course_total
    from evidence.content.provenance import numbers_in
    out = tmp_path / "output"
    r = run_build("--output", str(out))
    assert r.returncode == 0, r.stderr
    for study_id in PINS:
        data = yaml.safe_load((STUDIES / f"{study_id}.yaml").read_text(encoding="utf-8"))
        allowed = set(numbers_in((SOURCES / f"{study_id}.txt").read_text(encoding="utf-8")))
        allowed |= _derived_values(data)
        for reg in data["regimens"]:   # the one computed figure: dose × count
            total = course_total(reg)
            if total:
                allowed |= numbers_in(total)
        shown = _clinician_numbers((out / "studies" / study_id / "index.html").read_text(encoding="utf-8"))
        assert shown - allowed == set(), (study_id, sorted(shown - allowed))

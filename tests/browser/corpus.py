"""Write the browser suite's test corpus: studies that use every optional field (issue 4).

Each study starts from the shipped seed study (loaded with yaml.safe_load, changed, dumped),
so it keeps the seed's shape, and gets its own source text holding every quote, so the
build's quote checks pass. The studies exist only in a temporary copy of content/.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

SEED_ID = "rituximab-childhood-sle-2005"
PREFIX = "browser-test-"  # every generated study id starts with it

# Every optional field of content model 1 (../shared/content-model.md), as a path into a
# study; test_browser_corpus.py checks that some generated study sets each one.
OPTIONAL_FIELDS = [
    "reviewed",
    "citation.url",
    "citation.status=in-press",
    "citation.year=not-reported",
    "co_interventions",
    "follow_up_time.min",
    "follow_up_time.max",
    "follow_up_time.sd",
    "follow_up_time.mean",
    "follow_up_time.duration",
    "regimens[].dose.min",
    "regimens[].dose.description",
    "regimens[].count.min",
    "regimens[].max_dose.value",
    "regimens[].when",
    "outcomes[].timepoint",
    "outcomes[].percent",
    "outcomes[].counted_in=courses",
    "outcomes[].p_value.below",
    "outcomes[].certainty",
    "safety.deaths",
    "safety.serious_adverse_events.at_least",
    "safety.adverse_events[].organ_system",
    "safety.adverse_events[].time_frame",
    "safety.adverse_events[].quote",
    "safety.adverse_events[].percent",
    "safety.adverse_events[].counted_in=courses",
    "population.age_at=diagnosis",
    "population.age_years.q1",
    "population.age_years.q3",
    "population.age_years.sd",
]

SUMMARY = {
    "why": "This is a made-up study used to test the website. Doctors wanted to know how children with lupus did with rituximab.",
    "what_happened": "The children had rituximab drips into a vein. Some also had other lupus medicines.",
    "results": "Some children got better. Some had side effects.",
    "how_sure": "This record is test data. It says nothing about real children.",
    "what_it_means": "Nothing: it only checks that pages are built well. Your child's care team can answer questions about real studies.",
}


def _optional_fields_study(base: dict[str, Any]) -> dict[str, Any]:
    """A published full-text cohort with ranges, caps, courses, deaths and adverse events."""
    s = copy.deepcopy(base)
    s.update(
        id="browser-test-optional-fields-2019",
        title="Rituximab dose ranges in children with lupus nephritis: a test record",
        plain_title="Test study: rituximab at different doses for lupus affecting the kidneys",
        added="2026-11-25",
        reviewed="2026-11-26",
        drugs=["rituximab"],
        co_interventions=["plasma exchange", "haemodialysis"],
    )
    s["citation"] = {
        "authors": ["Testperson A", "Example B", "Sample C"],
        "journal": "Test J Paediatr Rheumatol",
        "year": 2019,
        "status": "published",
        "volume": "12",
        "issue": "3",
        "pages": "101-9",
        "pmid": "90000001",
        "doi": "10.5555/test.2019.001",
        "url": "https://example.org/abstracts/test-2019-001",
        "extracted_from": "full-text",
    }
    s["design"] = {
        "type": "cohort",
        "blinding": "not-applicable",
        "comparison": "historical",
        "description": "A review of records compared with children treated before rituximab was available.",
        "quote": "In this retrospective cohort, results were compared with a historical group treated before rituximab was available.",
    }
    s["population"] = {
        "n": 24,
        "female": 19,
        "age_years": {"min": 6.1, "max": 17.9, "median": 11.5, "q1": 9.2, "q3": 13.8},
        "age_at": "diagnosis",
        "description": "Children with lupus nephritis that had not responded to standard treatment.",
        "quote": "We included 24 children (19 girls) with lupus nephritis that had not responded to standard treatment; age at diagnosis was median 11.5 years (IQR 9.2-13.8; range 6.1-17.9).",
    }
    s["follow_up_time"] = {
        "median": {"value": 2.5, "unit": "years"},
        "min": 0.5,
        "max": 6.0,
        "quote": "Median follow-up was 2.5 years (range 0.5-6.0).",
    }
    s["regimens"] = [
        {
            "drug": "rituximab",
            "role": "studied",
            "dose": {"min": 375, "max": 750, "unit": "mg/m2"},
            "route": "intravenous",
            "count": {"min": 2, "max": 4},
            "over": {"value": 4, "unit": "weeks"},
            "max_dose": {"value": 1000, "unit": "mg"},
            "rate": "started slowly and increased every half hour",
            "premedication": "paracetamol, chlorphenamine and methylprednisolone",
            "when": "only for children with active kidney disease",
            "quote": "Rituximab 375-750 mg/m2 (maximum 1000 mg per dose) was given intravenously as 2 to 4 infusions over 4 weeks to children with active kidney disease",
        },
        {
            "drug": "corticosteroids",
            "role": "co-treatment",
            "dose": {"value": 2, "unit": "mg/kg/day"},
            "route": "oral",
            "count": "not-reported",
            "over": {"value": 6, "unit": "months"},
            "max_dose": {"value": 60, "unit": "mg/day"},
            "quote": "with oral prednisolone 2 mg/kg/day (maximum 60 mg/day) tapered over 6 months",
        },
        {
            "drug": "cyclophosphamide",
            "role": "co-treatment",
            "dose": {"value": 500, "unit": "mg/m2"},
            "route": "intravenous",
            "count": {"min": 1, "max": 6},
            "over": "not-reported",
            "when": "if a kidney biopsy showed class IV nephritis",
            "quote": "Intravenous cyclophosphamide 500 mg/m2 (1 to 6 pulses) was added if a kidney biopsy showed class IV nephritis.",
        },
    ]
    s["outcomes"] = [
        {
            "id": "proteinuria",
            "name": "Urine protein (g/day)",
            "plain_name": "Protein in the urine, a sign of kidney damage; lower is better",
            "type": "continuous",
            "timepoint": "12 months after the first infusion",
            "better": "lower",
            "baseline": {"median": 2.4, "q1": 1.1, "q3": 4.0},
            "follow_up": {"median": 0.3, "q1": 0.1, "q3": 0.9},
            "p_value": {"below": 0.001},
            "certainty": "low",
            "quote": "Proteinuria fell from a median of 2.4 g/day (IQR 1.1-4.0) to 0.3 g/day (IQR 0.1-0.9) at 12 months (P < 0.001).",
        },
        {
            "id": "complete-renal-response",
            "name": "Complete renal response",
            "plain_name": "Children whose kidneys fully recovered",
            "type": "count",
            "timepoint": "at 12 months",
            "better": "higher",
            "events": 14,
            "of": 24,
            "percent": 58.3,
            "certainty": "very-low",
            "quote": "Complete renal response was reached by 14 of 24 children (58.3%) at 12 months.",
        },
        {
            "id": "b-cell-depletion-courses",
            "name": "Courses achieving complete B cell depletion",
            "plain_name": "Treatment courses that removed all B cells",
            "type": "count",
            "better": "higher",
            "events": 41,
            "of": 45,
            "percent": 91.1,
            "counted_in": "courses",
            "p_value": 0.03,
            "quote": "Complete B cell depletion was achieved in 41 of 45 courses (91.1%; P = 0.03).",
        },
    ]
    s["safety"] = {
        "serious_adverse_events": 5,
        "deaths": 1,
        "adverse_events": [
            {
                "name": "Infusion reaction",
                "events": 6,
                "of": 45,
                "percent": 13.3,
                "counted_in": "courses",
                "serious": False,
                "organ_system": "Immune system",
                "time_frame": "during or within a day of an infusion",
                "quote": "Infusion reactions occurred in 6 of 45 courses (13.3%), during or within a day of an infusion.",
            },
            {
                "name": "Serious infection",
                "events": 4,
                "of": 24,
                "serious": True,
                "organ_system": "Infections and infestations",
                "time_frame": "first six months",
                "quote": "4 of 24 children had a serious infection in the first six months.",
            },
            {"name": "Low antibody levels (hypogammaglobulinaemia)", "events": 3, "of": 24, "serious": False},
        ],
        "quote": "Serious adverse events occurred in 5 children, including 1 death from sepsis ... 3 of 24 children developed hypogammaglobulinaemia.",
    }
    s["certainty"] = {
        "rating": "low",
        "reasons": ["Children were compared with an earlier group, not a randomised one.", "This record is test data."],
    }
    s["summary"] = dict(SUMMARY)
    s["conclusion"] = "Rituximab was followed by kidney responses in most children in this test cohort."
    return s


def _in_press_study(base: dict[str, Any]) -> dict[str, Any]:
    """An in-press randomised trial: no year, no identifiers, means and SDs, no adverse events."""
    s = copy.deepcopy(base)
    s.update(
        id="browser-test-in-press-trial",
        title="A randomised placebo-controlled test trial of rituximab in childhood-onset SLE",
        plain_title="Test study: rituximab compared with a dummy drip",
        added="2026-11-26",
        drugs=["rituximab"],
    )
    s.pop("reviewed", None)
    s["citation"] = {
        "authors": ["Example Group for Paediatric Lupus"],
        "journal": "Test Lupus Rep",
        "year": "not-reported",
        "status": "in-press",
        "volume": "not-reported",
        "issue": "not-reported",
        "pages": "not-reported",
        "pmid": "not-reported",
        "doi": "not-reported",
        "extracted_from": "abstract",
    }
    s["design"] = {
        "type": "randomised-controlled-trial",
        "blinding": "double-blind",
        "comparison": "placebo",
        "description": "Children were randomly given rituximab or a placebo drip; nobody knew which.",
        "quote": "In this double-blind trial, children were randomly assigned to rituximab or placebo.",
    }
    s["population"] = {
        "n": 40,
        "female": "not-reported",
        "age_years": {"mean": 13.2, "sd": 2.1},
        "description": "Children with moderately active lupus.",
        "quote": "40 children with moderately active lupus, mean age 13.2 years (SD 2.1), took part.",
    }
    s["follow_up_time"] = {
        "mean": {"value": 48, "unit": "weeks"},
        "sd": 6.5,
        "quote": "Mean follow-up was 48 weeks (SD 6.5).",
    }
    s["regimens"] = [
        {
            "drug": "rituximab",
            "role": "studied",
            "dose": {"value": 1000, "unit": "mg"},
            "route": "intravenous",
            "count": 2,
            "over": {"value": 2, "unit": "weeks"},
            "max_dose": "not-reported",
            "rate": "not-reported",
            "premedication": "methylprednisolone",
            "quote": "Two infusions of rituximab 1000 mg were given 2 weeks apart after methylprednisolone.",
        }
    ]
    s["outcomes"] = [
        {
            "id": "sledai",
            "name": "SLE Disease Activity Index (SLEDAI-2K)",
            "plain_name": "A score of how active lupus is; lower is better",
            "type": "continuous",
            "timepoint": "week 48",
            "better": "lower",
            "baseline": {"mean": 10.4, "sd": 3.2},
            "follow_up": {"mean": 4.1, "sd": 2.7},
            "p_value": 0.04,
            "quote": "SLEDAI-2K fell from a mean of 10.4 (SD 3.2) to 4.1 (SD 2.7) at week 48 (P = 0.04).",
        },
        {
            "id": "flares",
            "name": "Severe flares",
            "plain_name": "Children whose lupus got much worse",
            "type": "count",
            "better": "lower",
            "events": "not-reported",
            "of": 40,
            "quote": "Severe flares were recorded in the 40 children but not reported by group.",
        },
    ]
    s["safety"] = {
        "serious_adverse_events": 0,
        "deaths": 0,
        "adverse_events": [],
        "derived": ["serious_adverse_events", "deaths"],
        "quote": "No adverse events were reported in either group.",
    }
    s["certainty"] = {"rating": "moderate", "reasons": ["Not yet published in full.", "This record is test data."]}
    s["summary"] = dict(SUMMARY)
    s["conclusion"] = "Rituximab lowered lupus activity compared with placebo in this test trial."
    return s


def _long_text_study(base: dict[str, Any]) -> dict[str, Any]:
    """Two studied drugs, long unbroken text (a narrow-screen stress test), an 'at least' count."""
    s = copy.deepcopy(base)
    s.update(
        id="browser-test-long-words-2021",
        title=(
            "Immunoadsorption-plasmapheresis-supported rituximab-cyclophosphamide-combination-therapy "
            "in adolescents with treatment-refractory neuropsychiatric systemic lupus erythematosus"
        ),
        plain_title="Test study: two medicines together for lupus affecting the brain",
        added="2026-11-26",
        drugs=["rituximab", "cyclophosphamide"],
    )
    s["citation"] = {
        "authors": ["Verylongsurnamewithoutanybreakingopportunities-Hyphenated AB", "Test C"],
        "journal": "Test Neuropsychiatr Lupus Q",
        "year": 2021,
        "volume": "3",
        "issue": "not-reported",
        "pages": "e2021000123",
        "pmid": 90000003,
        "doi": "10.5555/an-unusually-long-digital-object-identifier-that-tests-wrapping-at-narrow-widths.2021.000123",
        "extracted_from": "abstract",
    }
    s["design"] = {
        "type": "non-randomised-controlled-trial",
        "blinding": "single-blind",
        "comparison": "active",
        "description": "Children chose between two treatments; the assessors did not know which.",
        "quote": "In this non-randomised single-blind study, assessors were unaware of treatment.",
    }
    s["population"] = {
        "n": 9,
        "female": 8,
        "age_years": "not-reported",
        "description": "Adolescents with lupus affecting the brain.",
        "quote": "Nine adolescents (eight female) with neuropsychiatric lupus were treated.",
    }
    s["follow_up_time"] = {"duration": {"value": 18, "unit": "months"}, "quote": "All were followed for 18 months."}
    s["regimens"] = [
        {
            "drug": "rituximab",
            "role": "studied",
            "dose": {"description": "weight-adjusted"},
            "route": "intravenous",
            "count": "not-reported",
            "over": "not-reported",
            "max_dose": "not-reported",
            "rate": "not-reported",
            "premedication": "not-reported",
            "quote": "weight-adjusted rituximab",
        },
        {
            "drug": "cyclophosphamide",
            "role": "studied",
            "dose": {"value": 750, "unit": "mg/m2"},
            "route": "intravenous",
            "count": 6,
            "over": {"value": 6, "unit": "months"},
            "max_dose": {"value": 1.2, "unit": "g"},
            "rate": "over one hour",
            "premedication": "mesna and antiemetics",
            "quote": "and monthly cyclophosphamide 750 mg/m2 (at most 1.2 g) for 6 months",
        },
    ]
    s["outcomes"] = [
        {
            "id": "neuro-response",
            "name": "Neuropsychiatric response (BILAG neuropsychiatric domain improvement)",
            "plain_name": "Children whose brain symptoms got better",
            "type": "count",
            "better": "higher",
            "events": 7,
            "of": 9,
            "quote": "Seven of nine improved.",
        }
    ]
    s["safety"] = {
        "serious_adverse_events": {"at_least": 2},
        "adverse_events": "not-reported",
        "quote": "At least 2 serious adverse events were noted.",
    }
    s["certainty"] = {"rating": "very-low", "reasons": ["Only 9 children took part.", "This record is test data."]}
    s["summary"] = dict(SUMMARY)
    s["conclusion"] = "Combination therapy appeared feasible in this small test group."
    return s


def _quotes(node: Any) -> list[str]:
    """Every quote and the conclusion, depth first, in document order."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("quote", "conclusion") and isinstance(value, str):
                found.append(value)
            else:
                found += _quotes(value)
    elif isinstance(node, list):
        for item in node:
            found += _quotes(item)
    return found


def source_text(study: dict[str, Any]) -> str:
    """A source text holding every quote's fragments, in order."""
    fragments: list[str] = []
    for quote in _quotes(study):
        for fragment in quote.split(" ... "):
            if fragment not in fragments:
                fragments.append(fragment)
    text = f"{study['title']}.\n\n" + "\n\n".join(fragments) + "\n"
    for quote in _quotes(study):  # guard: fragments must occur in order
        at = 0
        for fragment in quote.split(" ... "):
            at = text.index(fragment, at) + len(fragment)
    return text


def generated_studies(content_dir: Path) -> list[dict[str, Any]]:
    """The test studies, each built from the seed study in content_dir."""
    seed = yaml.safe_load((content_dir / "studies" / f"{SEED_ID}.yaml").read_text(encoding="utf-8"))
    return [_optional_fields_study(seed), _in_press_study(seed), _long_text_study(seed)]


def write_corpus(content_dir: Path) -> list[str]:
    """Add the test studies and their source texts to content_dir; return their ids."""
    ids = []
    for study in generated_studies(content_dir):
        sid = study["id"]
        (content_dir / "studies" / f"{sid}.yaml").write_text(
            yaml.safe_dump(study, sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8"
        )
        (content_dir / "sources").mkdir(exist_ok=True)
        (content_dir / "sources" / f"{sid}.txt").write_text(source_text(study), encoding="utf-8")
        ids.append(sid)
    return ids

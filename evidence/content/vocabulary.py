"""Vocabulary: the words for each value of the content model's enums (study design,
blinding, comparison, certainty, route, a regimen's role, a group's role), one table per
enum, each value with all its wordings as fields.

Pages print these words and nothing else for an enum value, so a design or a route is
named the same way everywhere, and a new enum value is one line here.
tests/unit/test_vocabulary.py holds each table's keys to its enum in schema/*.schema.json.
"""
from __future__ import annotations

from dataclasses import dataclass

from .fmt import NOT_REPORTED


@dataclass(frozen=True)
class Design:
    """A study design (design.type)."""

    label: str              # its name: "Randomised controlled trial"
    family: str             # in the key facts' "How sure can we be?" line
    one: str                # on a condition's evidence page: "a randomised trial"
    many: str               # ... and more than one: "randomised trials"
    what: str               # ... and what it is, in a sentence
    blurb: str              # on the browse pages: what the design is, in general
    schema_org: tuple[str, str, str | None] | None   # (MedicalStudy type, design property, value)


# in the schema's order, which is from the strongest design (the evidence page counts them so)
DESIGNS = {
    "randomised-controlled-trial": Design(
        "Randomised controlled trial",
        "a randomised controlled trial (children were put into groups by chance)",
        "a randomised trial", "randomised trials",
        "In a randomised trial, chance decides who has the medicine.",
        "People were put into groups by chance, so the groups can be fairly compared.",
        ("MedicalTrial", "trialDesign", "RandomizedTrial")),
    "non-randomised-controlled-trial": Design(
        "Non-randomised controlled trial",
        "a controlled trial (the groups were not chosen by chance)",
        "a controlled trial", "controlled trials",
        "A controlled trial compares groups not chosen by chance.",
        "Groups were compared, but people were not put into them by chance.",
        ("MedicalTrial", "trialDesign", None)),
    "cohort": Design(
        "Cohort study", "a cohort study", "a cohort study", "cohort studies",
        "A cohort study follows a group of people over time.",
        "A group of people followed over time, often by looking back at their records.",
        ("MedicalObservationalStudy", "studyDesign", "CohortStudy")),
    "case-control": Design(
        "Case-control study", "a case-control study", "a case-control study", "case-control studies",
        "A case-control study looks back at people with and without a result.",
        "People with an outcome were compared with people without it.",
        ("MedicalObservationalStudy", "studyDesign", "CaseControl")),
    "case-series": Design(
        "Case series", "a case series", "a case series", "case series",
        "A case series describes people who had the medicine.",
        "A report on a group of people who all had a treatment, usually with no comparison group.",
        ("MedicalObservationalStudy", "studyDesign", "Observational")),
    "case-report": Design(      # a case report is not a study in schema.org's sense
        "Case report", "a case report", "a case report", "case reports",
        "A case report describes one or a few people.",
        "A report on one person, or a very few people.",
        None),
}


@dataclass(frozen=True)
class Blinding:
    """Who knew who had which treatment (design.blinding)."""

    label: str
    schema_org: str | None = None       # the MedicalTrialDesign value, where one fits


BLINDINGS = {
    "open-label": Blinding("Open-label", "OpenTrial"),
    "single-blind": Blinding("Single-blind", "SingleBlindedTrial"),
    "double-blind": Blinding("Double-blind", "DoubleBlindedTrial"),
    "not-applicable": Blinding("Not applicable"),
    "not-reported": Blinding(NOT_REPORTED),
}


@dataclass(frozen=True)
class Comparison:
    """What the treated group was compared with (design.comparison)."""

    label: str
    family: str                         # ends the key facts' "How sure" line
    schema_org: str | None = None


COMPARISONS = {
    "none": Comparison("No comparison group", " with no comparison group"),
    "placebo": Comparison("Placebo", ", compared with a dummy treatment (placebo)", "PlaceboControlledTrial"),
    "active": Comparison("Another treatment", ", compared with another treatment"),
    "standard-care": Comparison("Standard care", ", compared with usual care"),
    "historical": Comparison("Historical comparison group", ", compared with children treated in the past"),
    "contemporary": Comparison("Contemporary comparison group (its treatment not reported)",
                               ", compared with similar children from the same years"),
    "not-reported": Comparison(NOT_REPORTED, ""),
}


@dataclass(frozen=True)
class Certainty:
    """One of GRADE's four levels (certainty.rating)."""

    rank: int                           # 4 is the highest
    label: str
    plain: str                          # what the level means, in a sentence
    sure: str                           # opens the key facts' "How sure can we be?" line


CERTAINTY = {
    "high": Certainty(4, "High", "We can be very sure of this result.", "Very sure"),
    "moderate": Certainty(3, "Moderate", "We can be fairly sure of this result, but it could change.",
                          "Fairly sure"),
    "low": Certainty(2, "Low", "We cannot be very sure. Better studies could show something different.",
                     "Not very sure"),
    "very-low": Certainty(1, "Very low", "We can be very unsure. Better studies could show something "
                          "quite different.", "Very little"),
}


@dataclass(frozen=True)
class Route:
    """How a drug was given (a regimen's route)."""

    label: str          # in the dosing table and its lines: "IV"
    word: str           # in the dosing filters: "intravenous"
    one: str            # for families, one dose: "drip into a vein"
    many: str           # several doses: "drips into a vein"
    given: str          # "given ..." without a count: "into a vein"


# in the schema's order: the dosing filter menu lists the routes so, not-reported last
ROUTES = {
    "intravenous": Route("IV", "intravenous", "drip into a vein", "drips into a vein", "into a vein"),
    "oral": Route("oral", "oral", "dose by mouth", "doses by mouth", "by mouth"),
    "subcutaneous": Route("SC", "subcutaneous", "injection under the skin", "injections under the skin",
                          "as injections under the skin"),
    "intramuscular": Route("IM", "intramuscular", "injection into a muscle", "injections into a muscle",
                           "as injections into a muscle"),
    "not-reported": Route(NOT_REPORTED, "route not reported", "dose", "doses", ""),
}


@dataclass(frozen=True)
class Role:
    """Why a drug was given in a study (a regimen's role)."""

    label: str          # the dosing table's Role column
    tag: str            # after the drug's name on a study page


ROLES = {"studied": Role("Studied", "studied drug"), "co-treatment": Role("Co-treatment", "co-treatment")}

# a group's role (groups[].role), in the study page's table of groups
GROUP_ROLES = {"treated": "Treated", "comparison": "Comparison"}

"""What the studies found, per condition: one row per study (sorted by certainty, then
size) and a family summary generated from the data, in plain words.

No figure is pooled: the studies differ in design, dose and measures, and the page
says so. Every sentence below is built from counts of studies and from each study's
own fields; general sentences stay general and give no advice.
"""
from __future__ import annotations

from dataclasses import dataclass

from jinja2 import pass_context
from markupsafe import Markup

from . import harms
from .family import subgroup_sentence
from .family_results import about_whom, outcome_fact
from .plain import cap, n_text
from ..content import fmt
from . import fragments
from .cite import short_ref
from .dosing_rows import age_text, regimen_line
from .registry import TYPES
from ..content.model import Condition, Outcome, Site, Study
from ..content.vocabulary import CERTAINTY, DESIGNS

SMALL = 100     # below this many people in every study, the text calls the studies small
_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
# words of a condition id that do not tell it apart from the site's other conditions; the rest
# ("nephritis", "cytopenia") pick the outcome a condition page shows first
GENERIC = {"in", "of", "the", "and", "sle", "systemic", "lupus", "erythematosus", "childhood",
           "onset", "juvenile", "paediatric", "pediatric"}


def words(n: int) -> str:
    """3 -> 'three'; 12 -> '12' (style: words up to ten)."""
    return _WORDS[n] if 0 <= n < len(_WORDS) else f"{n:,}"


def studies_word(n: int) -> str:
    """'study' or 'studies'."""
    return "study" if n == 1 else "studies"


def treated_outcomes(study: Study) -> list[Outcome]:
    """Outcomes of the treated group (comparison groups' figures are not before/after)."""
    treated = {g["id"] for g in study.data.get("groups", []) if g["role"] == "treated"}
    return [o for o in study.outcomes if "group" not in o.data or o.data["group"] in treated]


def has_comparison(study: Study) -> bool:
    d = study.data["design"]["comparison"]
    return d not in ("none", "not-reported") or any(
        g["role"] == "comparison" for g in study.data.get("groups", []))


def condition_subgroups(study: Study, condition: Condition) -> list[dict]:
    """The study's subgroups that have the condition. None named means everyone treated
    had it (content model 1.2: `conditions` lists what everyone had, unless a subgroup
    names the condition)."""
    return [g for g in study.data["population"].get("subgroups", []) if g.get("condition") == condition.id]


def condition_share(study: Study, condition: Condition) -> str:
    """How many had the condition: 'all 9', '8 of 11', '51.2% of 41', 'not reported'."""
    subs = condition_subgroups(study, condition)
    n = fmt.num(study.n)
    if not subs:
        return f"all {n}"
    out = []
    for g in subs:
        if isinstance(g.get("n"), int):
            share = f"{fmt.num(g['n'])} of {n}"
        elif "percent" in g:
            share = f"{n_text(g['percent'])}% of {n}"
        else:
            share = f"not reported (of {n})"
        out.append(f"{share} ({g['name'][:1].lower() + g['name'][1:]})")
    return "; ".join(out)


def condition_outcomes(study: Study, condition: Condition) -> list[Outcome]:
    """Outcomes whose figures are about people with the condition: outcomes of its
    subgroups when only a subgroup had it; else the treated group's outcomes, leaving out
    those of a subgroup that has another condition."""
    subs = {g["id"] for g in condition_subgroups(study, condition)}
    other = {g["id"] for g in study.data["population"].get("subgroups", [])
             if g.get("condition") not in (None, condition.id)}
    if subs:
        return [o for o in treated_outcomes(study) if o.data.get("subgroup") in subs]
    return [o for o in treated_outcomes(study) if o.data.get("subgroup") not in other]


def outcome_sentence(o: Outcome, study: Study) -> str:
    """What was measured, its figure, which way is better, chance, and whom it is about."""
    fact = outcome_fact({k: v for k, v in o.data.items() if k != "subgroup"}, {}, study)
    return (f"{fact.label}: {fact.text[:1].lower() + fact.text[1:]} "
            f"This is about {about_whom(o.data, study)}.")


@dataclass(frozen=True)
class StudyFinding:
    """What one study found for one condition, for families."""

    study: Study
    who: str
    results: tuple[str, ...]


def study_finding(study: Study, condition: Condition) -> StudyFinding:
    """How many had the condition, and the results for them, or plainly that none was given
    (with the whole group's main result, said to be about everyone)."""
    p = study.data["population"]
    people = harms._people(study)
    subs = condition_subgroups(study, condition)
    plain = condition.plain_name[:1].lower() + condition.plain_name[1:]
    if not subs:
        who = f"All {fmt.num(study.n)} {people} in this study had {plain}."
    else:
        who = " ".join(subgroup_sentence(g, p["n"]) for g in subs)
    outs = condition_outcomes(study, condition)
    if outs:
        results = tuple(outcome_sentence(o, study) for o in outs)
    else:
        main = StudyRow(study, condition).outcome
        results = (f"No result for {people} with {plain} was given.",
                   "For the whole group: " + outcome_sentence(main, study)[:1].lower()
                   + outcome_sentence(main, study)[1:])
    return StudyFinding(study, who, results)


@dataclass(frozen=True)
class StudyRow:
    """One study on a condition's 'what the studies found' page."""

    study: Study

    @property
    def ref(self) -> str:
        return short_ref(self.study)

    @property
    def regimens(self) -> list[tuple[str, str]]:
        return [(r.drug.name, regimen_line(r)) for r in self.study.regimens if r.role == "studied"]

    condition: Condition | None = None

    @property
    def outcome(self) -> Outcome:
        """The main outcome: the treated group's first outcome that names this condition
        (lupus nephritis -> remission-lupus-nephritis), else its first outcome."""
        outs = ((condition_outcomes(self.study, self.condition) if self.condition else [])
                or treated_outcomes(self.study) or list(self.study.outcomes))
        keys = condition_words(self.condition) if self.condition else set()
        named = [o for o in outs if any(k in (o.id + " " + o.data["name"].lower()) for k in keys)]
        return (named or outs)[0]

    @property
    def more_outcomes(self) -> int:
        return len(self.study.outcomes) - 1

    @property
    def harms(self) -> str:
        return harms.clinician_cell(self.study)

    @property
    def whom(self) -> str:
        return about_whom(self.outcome.data, self.study)

    @property
    def with_condition(self) -> str:
        return condition_share(self.study, self.condition) if self.condition else ""

    @property
    def girls(self) -> str:
        p = self.study.data["population"]
        if isinstance(p["female"], int):
            return f"{fmt.num(p['female'])} of {fmt.num(p['n'])}"
        if "female_percent" in p:
            return f"{n_text(p['female_percent'])}%"
        return fmt.NOT_REPORTED

    @property
    def follow_up(self) -> str:
        fu = self.study.data["follow_up_time"]
        if fu == fmt.NR:
            return fmt.NOT_REPORTED
        for k in ("median", "mean", "duration"):
            if k in fu:
                text = ("" if k == "duration" else k + " ") + fmt.duration(fu[k])
                if "min" in fu and "max" in fu:
                    text += f" (range {fmt.span(fu['min'], fu['max'])})"
                return text
        return fmt.NOT_REPORTED

    @property
    def age(self) -> str:
        return age_text(self.study.data["population"])


def condition_words(c: Condition) -> set[str]:
    """The words that tell a condition apart ('nephritis', 'cytopenia'), from its id."""
    return {w for w in c.id.split("-") if w not in GENERIC and len(w) > 3}


def rows(studies: list[Study], condition: Condition | None = None) -> list[StudyRow]:
    """Most certain first, then largest, then by id (stable pages)."""
    ordered = sorted(studies, key=lambda s: s.id)
    ordered.sort(key=lambda s: (s.certainty_rank, s.n), reverse=True)
    return [StudyRow(s, condition) for s in ordered]


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def family_text(condition: Condition, studies: list[Study]) -> list[str]:
    """Plain-language paragraphs about the body of evidence, built from the data."""
    n = len(studies)
    sizes = [s.n for s in studies]
    drugs = sorted({d.name.lower() for s in studies for d in s.drugs})
    about = cap(f"{words(n)} {studies_word(n)} on this site looked at {_join(drugs)} for "
                f"{condition.plain_name[:1].lower() + condition.plain_name[1:]}.")
    size = (f"It had {fmt.num(sizes[0])} {'person' if sizes[0] == 1 else 'people'}." if n == 1 else
            f"They had between {fmt.num(min(sizes))} and {fmt.num(max(sizes))} people each.")
    if max(sizes) < SMALL:
        size += " These are small numbers."
    out = [f"{about} {size}"]

    kinds = []
    for key, design in DESIGNS.items():     # from the strongest design
        k = sum(s.data["design"]["type"] == key for s in studies)
        if k:
            lead = ("It was" if n == 1 else f"All {words(k)} were" if k == n
                    else f"{cap(words(k))} {'was' if k == 1 else 'were'}")
            kinds.append(f"{lead} {design.one if k == 1 else design.many}. {design.what}")
    compared = sum(has_comparison(s) for s in studies)
    if compared == 0:
        kinds.append("None of them had a comparison group: a similar group of people "
                     "who did not have the medicine.")
    else:
        kinds.append(f"{cap(words(compared))} of the {words(n)} had a comparison group."
                     if n > 1 else "It had a comparison group.")
    out.append(" ".join(kinds))

    found = ["Below, each study says how many of its children had "
             f"{condition.plain_name[:1].lower() + condition.plain_name[1:]}, and what it found for them. "
             "We do not count how many studies found a benefit, because the studies are too different "
             "to add up."]
    if compared < n:
        found.append("Without a comparison group, we cannot tell if the medicine caused any change.")
    out.append(" ".join(found))
    ranks = sorted({s.certainty_rank for s in studies})
    best = next(k for k, v in CERTAINTY.items() if v.rank == ranks[-1])
    low = next(k for k, v in CERTAINTY.items() if v.rank == ranks[0])
    if len(ranks) == 1:
        sure = (f"On its own, the study has {CERTAINTY[best].label.lower()} certainty." if n == 1 else
                f"On their own, all {words(n)} studies have {CERTAINTY[best].label.lower()} certainty.")
    else:
        sure = (f"On their own, the studies have between {CERTAINTY[low].label.lower()} and "
                f"{CERTAINTY[best].label.lower()} certainty.")
    out.append(f"How sure can we be overall? {sure} {CERTAINTY[best].plain}")

    out.append(pooling_text(studies))
    if max(sizes) < SMALL:
        out.append("Small studies can miss harms that are rare.")
    out.append("This page does not give medical advice. Your child’s care team can explain "
               "what these studies mean for your child.")
    return out


def pooling_text(studies: list[Study]) -> str:
    """The plain statement that the studies are not pooled, with the reasons the data shows."""
    n = len(studies)
    if n == 1:
        return "There is only one study, so there are no results to combine."
    reasons = []
    if len({s.data["design"]["type"] for s in studies}) > 1:
        reasons.append("they were different kinds of study")
    lines = {line for s in studies for r in s.regimens if r.role == "studied"
             for line in [regimen_line(r)]}
    if len(lines) > 1:
        reasons.append("they gave the medicine in different ways")
    if any(fmt.is_nr(r.data["dose"]) for s in studies for r in s.regimens if r.role == "studied"):
        reasons.append("some did not say the dose")
    if len({frozenset(o.id for o in s.outcomes) for s in studies}) > 1:
        reasons.append("they measured different things")
    if sum(has_comparison(s) for s in studies) < n:
        reasons.append("not all had a comparison group")
    text = "We have not added the studies’ results together into one number."
    if reasons:
        text += f" The studies cannot be pooled, because {_join(reasons)}."
    else:
        text += " The studies cannot be pooled on this site."
    return text + " So each study is shown on its own."


@dataclass(frozen=True)
class Findings:
    condition: Condition
    rows: tuple[StudyRow, ...]
    family: tuple[str, ...]
    per_study: tuple[StudyFinding, ...] = ()
    harms: tuple[tuple[Study, tuple[str, ...]], ...] = ()


def harms_by_study(studies: list[Study]) -> tuple[tuple[Study, tuple[str, ...]], ...]:
    """Every harm each study reports, in plain words (condition evidence and drug pages)."""
    return tuple((r.study, tuple(harms.family_lines(r.study))) for r in rows(studies))


def findings(condition: Condition, studies: list[Study]) -> Findings:
    """What evidence.html shows for a condition (called by the template, so only pages
    being rendered pay for it)."""
    ordered = rows(studies, condition)
    return Findings(condition, tuple(ordered), tuple(family_text(condition, studies)),
                    tuple(study_finding(r.study, condition) for r in ordered),
                    harms_by_study(studies))


def pages(site: Site) -> list[tuple[str, str, dict]]:
    """/conditions/<id>/evidence/ for every condition with at least one study. The page
    depends on the condition and its studies, which the context names."""
    plan, page = [], TYPES["evidence"]
    for c in site.conditions:
        studies = site.studies_for("condition", c.id)
        if studies:
            plan.append((page.path(id=c.id), page.template,
                         {"condition": c, "studies": studies}))
    return plan


@pass_context
def rows_html(ctx, rows: tuple[StudyRow, ...], condition: Condition) -> Markup:
    """The <tr> of each study's row on a condition's evidence page, each rendered once per
    build and reused while the study is unchanged (fragments.py)."""
    return fragments.joined(ctx, "partials/evidence_row.html", "evidence-row", rows, "row",
                            condition.id, lambda r: r.study)

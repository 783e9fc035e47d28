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

from . import fmt, fragments
from .cite import short_ref
from .dosing import age_text, regimen_line
from .fragments import STORE
from .model import CERTAINTY, Condition, Outcome, Site, Study

SMALL = 100     # below this many people in every study, the text calls the studies small
ALPHA = 0.05    # a before/after change with a larger P value "could be due to chance"
_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
DESIGN_WORDS = {  # (one, many, what it is): ordered from the strongest design
    "randomised-controlled-trial": ("a randomised trial", "randomised trials",
                                    "In a randomised trial, chance decides who has the medicine."),
    "non-randomised-controlled-trial": ("a controlled trial", "controlled trials",
                                        "A controlled trial compares groups not chosen by chance."),
    "cohort": ("a cohort study", "cohort studies", "A cohort study follows a group of people over time."),
    "case-control": ("a case-control study", "case-control studies",
                     "A case-control study looks back at people with and without a result."),
    "case-series": ("a case series", "case series", "A case series describes people who had the medicine."),
    "case-report": ("a case report", "case reports", "A case report describes one or a few people."),
}
# words of a condition id that do not tell it apart from the site's other conditions; the rest
# ("nephritis", "cytopenia") pick the outcome a condition page shows first
GENERIC = {"in", "of", "the", "and", "sle", "systemic", "lupus", "erythematosus", "childhood",
           "onset", "juvenile", "paediatric", "pediatric"}


def words(n: int) -> str:
    """3 -> 'three'; 12 -> '12' (style: words up to ten)."""
    return _WORDS[n] if 0 <= n < len(_WORDS) else f"{n:,}"


def cap(text: str) -> str:
    """Capitalise the first letter only."""
    return text[:1].upper() + text[1:]


def studies_word(n: int) -> str:
    """'study' or 'studies'."""
    return "study" if n == 1 else "studies"


def treated_outcomes(study: Study) -> list[Outcome]:
    """Outcomes of the treated group (comparison groups' figures are not before/after)."""
    treated = {g["id"] for g in study.data.get("groups", []) if g["role"] == "treated"}
    return [o for o in study.outcomes if "group" not in o.data or o.data["group"] in treated]


def _central(m):
    if not isinstance(m, dict):
        return None
    return next((m[k] for k in ("median", "mean", "value") if k in m), None)


def change(o: Outcome) -> str | None:
    """'better', 'worse', 'chance' or None (no before/after numbers) for one outcome."""
    if o.is_count:
        return None
    before, after = _central(o.data["baseline"]), _central(o.data["follow_up"])
    if before is None or after is None or before == after:
        return None
    p = o.data.get("p_value")
    if isinstance(p, (int, float)) and p > ALPHA:
        return "chance"
    went_down = after < before
    return "better" if went_down == (o.data["better"] == "lower") else "worse"


def has_comparison(study: Study) -> bool:
    d = study.data["design"]["comparison"]
    return d not in ("none", "not-reported") or any(
        g["role"] == "comparison" for g in study.data.get("groups", []))


def serious_text(study: Study) -> str:
    """'0 of 7', 'at least 2 of 63', or 'Not reported'; deaths added where given."""
    sae, n = study.data["safety"]["serious_adverse_events"], study.n
    if fmt.is_nr(sae):
        text = fmt.NOT_REPORTED
    elif isinstance(sae, dict):
        text = f"at least {fmt.num(sae['at_least'])} of {fmt.num(n)}"
    else:
        text = f"{fmt.num(sae)} of {fmt.num(n)}"
    deaths = study.data["safety"].get("deaths")
    if isinstance(deaths, int):
        text += f"; {fmt.num(deaths)} death{'s' if deaths != 1 else ''}"
    return text


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
        outs = treated_outcomes(self.study) or list(self.study.outcomes)
        keys = condition_words(self.condition) if self.condition else set()
        named = [o for o in outs if any(k in (o.id + " " + o.data["name"].lower()) for k in keys)]
        return (named or outs)[0]

    @property
    def more_outcomes(self) -> int:
        return len(self.study.outcomes) - 1

    @property
    def serious(self) -> str:
        return serious_text(self.study)

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
    for key, (one, many, what) in DESIGN_WORDS.items():
        k = sum(s.data["design"]["type"] == key for s in studies)
        if k:
            lead = ("It was" if n == 1 else f"All {words(k)} were" if k == n
                    else f"{cap(words(k))} {'was' if k == 1 else 'were'}")
            kinds.append(f"{lead} {one if k == 1 else many}. {what}")
    compared = sum(has_comparison(s) for s in studies)
    if compared == 0:
        kinds.append("None of them had a comparison group: a similar group of people "
                     "who did not have the medicine.")
    else:
        kinds.append(f"{cap(words(compared))} of the {words(n)} had a comparison group."
                     if n > 1 else "It had a comparison group.")
    out.append(" ".join(kinds))

    # each study's kinds of change, worked out once and reused by later builds (#9)
    per_study = STORE.get_all("changes", studies, "",
                              lambda s: frozenset(change(o) for o in treated_outcomes(s)))
    better = sum("better" in c for c in per_study)
    worse = sum("worse" in c for c in per_study)
    chance = sum("chance" in c for c in per_study)
    counts_only = sum(not (c - {None}) for c in per_study)
    found = []
    if better:
        found.append(f"In {words(better)} of the {words(n)} {studies_word(n)}, at least one measure "
                     "was better after treatment than before.")
    if worse:
        found.append(f"In {words(worse)}, at least one measure was worse after treatment.")
    if chance:
        found.append(f"In {words(chance)}, a change in one measure could have been due to chance.")
    if counts_only:
        found.append(f"{cap(words(counts_only))} {studies_word(counts_only)} gave no "
                     "before-and-after numbers we could compare.")
    if (better or worse) and compared < n:
        found.append("Without a comparison group, we cannot tell if the medicine caused these changes.")
    out.append(" ".join(found))

    sae = [s.data["safety"]["serious_adverse_events"] for s in studies]
    none = sum(v == 0 for v in sae)
    some = sum(isinstance(v, dict) or (isinstance(v, int) and v > 0) for v in sae)
    silent = sum(fmt.is_nr(v) for v in sae)
    safety = []
    for k, text in ((none, "found no serious side effects"),
                    (some, "found serious side effects in at least one person")):
        if k:
            who = "The study" if n == 1 else f"All {words(n)} studies" if k == n else \
                f"{cap(words(k))} {studies_word(k)}"
            safety.append(f"{who} {text}.")
    if silent:
        safety.append("The study did not say if there were serious side effects." if n == 1 else
                      f"None of the {words(n)} studies said if there were serious side effects."
                      if silent == n else
                      f"{cap(words(silent))} {studies_word(silent)} did not say if there were "
                      "serious side effects.")
    listed = sum(isinstance(s.data["safety"]["adverse_events"], list)
                 and bool(s.data["safety"]["adverse_events"]) for s in studies)
    if listed:
        safety.append(("The study lists" if n == 1 else
                       f"{cap(words(listed))} {studies_word(listed)} {'lists' if listed == 1 else 'list'}")
                      + " side effects that happened. Each study’s page shows them.")
    if max(sizes) < SMALL:
        safety.append("Small studies can miss side effects that are rare.")
    out.append(" ".join(safety))

    ranks = sorted({s.certainty_rank for s in studies})
    best = next(k for k, v in CERTAINTY.items() if v[0] == ranks[-1])
    low = next(k for k, v in CERTAINTY.items() if v[0] == ranks[0])
    if len(ranks) == 1:
        sure = (f"On its own, the study has {CERTAINTY[best][1].lower()} certainty." if n == 1 else
                f"On their own, all {words(n)} studies have {CERTAINTY[best][1].lower()} certainty.")
    else:
        sure = (f"On their own, the studies have between {CERTAINTY[low][1].lower()} and "
                f"{CERTAINTY[best][1].lower()} certainty.")
    out.append(f"How sure can we be overall? {sure} {CERTAINTY[best][2]}")

    out.append(pooling_text(studies))
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


def findings(condition: Condition, studies: list[Study]) -> Findings:
    """What evidence.html shows for a condition (called by the template, so only pages
    being rendered pay for it: 0.3 s of every rebuild at 5,000 studies otherwise; #9)."""
    return Findings(condition, tuple(rows(studies, condition)), tuple(family_text(condition, studies)))


def pages(site: Site) -> list[tuple[str, str, dict]]:
    """/conditions/<id>/evidence/ for every condition with at least one study. The page
    depends on the condition and its studies, which the context names."""
    plan = []
    for c in site.conditions:
        studies = site.studies_for("condition", c.id)
        if studies:
            plan.append((f"conditions/{c.id}/evidence/index.html", "evidence.html",
                         {"condition": c, "studies": studies}))
    return plan


@pass_context
def rows_html(ctx, rows: tuple[StudyRow, ...], condition: Condition) -> Markup:
    """The <tr> of each study's row on a condition's evidence page, each rendered once per
    build and reused while the study is unchanged (fragments.py)."""
    return fragments.joined(ctx, "partials/evidence_row.html", "evidence-row", rows, "row",
                            condition.id, lambda r: r.study)

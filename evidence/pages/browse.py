"""Browse pages (issue 8): by condition, drug, design, certainty and age group, plus the
studies index in four pre-rendered orders. Only the page plan lives here; templates print it.

Age groups (issue 17) use only the ages a study reports (population.age_years), and only
the figures that show some people in the study were in the group:

- a range (min and max) that reaches into the group;
- a youngest age (min) or an oldest age (max) given alone, in the group: someone was that age;
- an interquartile range (q1 and q3) that reaches into the group;
- a median in the group;
- an unlabelled interval (low to high, "as written") that reaches into the group: read as a
  range or as an interquartile range, it counts either way.

A study is listed under every group its figures show, so it can be in more than one. A
mean, an unlabelled central value (value), an SD or one quartile alone proves nothing: a
study with none of the figures above is listed under "Age range not reported" (id and URL
still not-reported), where it shows the mean or median age it gives, and when it was taken
(at diagnosis or at treatment), or "Ages not reported". Ages taken at diagnosis are still
the ages of the people in the study, so the rule is the same for them.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..content import fmt
from .registry import TYPES
from ..content.model import STUDY_ORDERS, Site, Study
from ..content.vocabulary import CERTAINTY, DESIGNS


@dataclass(frozen=True)
class AgeGroup:
    """An age band in whole years: low <= age < high (high None = no upper end)."""

    id: str
    label: str
    low: float | None
    high: float | None
    blurb: str


# "12 to 18" includes 18-year-olds (18.9 is still 18), hence the upper end 19.
AGE_GROUPS = (
    AgeGroup("under-12", "Children under 12", 0, 12,
             "Studies whose ages show that some of the children were younger than 12."),
    AgeGroup("12-to-18", "Young people aged 12 to 18", 12, 19,
             "Studies whose ages show that some of the young people were aged 12 to 18."),
    AgeGroup("over-18", "Adults over 18", 19, None,
             "Studies whose ages show that some of the people were older than 18."),
    AgeGroup("not-reported", "Age range not reported", None, None,
             "Studies that give no ages, or only an average age. Each one shows the average "
             "or median age it reports, if any."),
)
ALWAYS_SHOWN = {"under-12", "12-to-18"}   # the others get a page only when a study needs one

# The rule in plain words, for the /ages/ page: a string is a paragraph, a tuple a list
# (kept to reading grade 8 by a test).
AGE_RULE = (
    "Each study gives the ages of the people in it in its own way. We list a study under an "
    "age group only when its figures show that some people in it were that age. These "
    "figures count:",
    ("An age range, from the youngest to the oldest, that reaches into the group.",
     "The age of the youngest or the oldest person, if it is in the group.",
     "The ages of the middle half of the people, if they reach into the group.",
     "The middle age (the median), if it is in the group.",
     "A spread of ages that the study does not name, if it reaches into the group."),
    "A study can be in more than one group.",
    "An average age alone does not show who was in which group. Nor does an age that the "
    "study does not call an average or a median. Studies like these, and studies with no "
    "ages at all, are listed under “Age range not reported”. There, each one shows the "
    "average or median age it gives.",
)


def age_spans(ages) -> list[tuple[float, float]]:
    """The spans of age (low, high) that the figures prove someone in the study fell in;
    a single figure is a span of one point. None of them for a mean, a value or an SD."""
    if not isinstance(ages, dict):
        return []
    spans = []
    if "min" in ages and "max" in ages:
        spans.append((ages["min"], ages["max"]))
    elif "min" in ages or "max" in ages:
        one = ages.get("min", ages.get("max"))
        spans.append((one, one))          # the youngest (or oldest) was exactly this age
    if "q1" in ages and "q3" in ages:
        spans.append((ages["q1"], ages["q3"]))
    if "median" in ages:
        spans.append((ages["median"], ages["median"]))
    if "interval" in ages:                # range or IQR: either reading proves the overlap
        spans.append((ages["interval"]["low"], ages["interval"]["high"]))
    return [(min(a, b), max(a, b)) for a, b in spans]


def _reaches(group: AgeGroup, low: float, high: float) -> bool:
    return group.low is not None and high >= group.low and (group.high is None or low < group.high)


def age_groups(study: Study) -> list[str]:
    """Ids of the age groups a study is listed under (see the module docstring)."""
    spans = age_spans(study.data["population"].get("age_years", fmt.NR))
    proved = [g.id for g in AGE_GROUPS if any(_reaches(g, lo, hi) for lo, hi in spans)]
    return proved or ["not-reported"]


def _at(population: dict) -> str:
    return {"diagnosis": " at diagnosis", "treatment": " at treatment"}.get(population.get("age_at", ""), "")


def average_text(population: dict) -> str:
    """For "Age range not reported": 'Mean age 11.7 years at diagnosis', as the study gives it;
    'Ages not reported' when it gives no ages."""
    ages, at = population.get("age_years", fmt.NR), _at(population)
    if fmt.is_nr(ages) or not isinstance(ages, dict) or not ages:
        return "Ages not reported"
    parts = []
    if "median" in ages:
        parts.append(f"median age {fmt.num(ages['median'])} years{at}")
    if "mean" in ages:
        sd = f" (SD {fmt.num(ages['sd'])})" if "sd" in ages else ""
        parts.append(f"mean age {fmt.num(ages['mean'])} years{sd}{at}")
    if "value" in ages:
        parts.append(f"average or median age {fmt.num(ages['value'])} years{at} "
                     "(the study does not say which)")
    if not parts:   # only figures that are no age by themselves (an SD, one quartile)
        return f"Age{at}: {fmt.stats(ages, 'years')}"
    text = "; ".join(parts)
    return text[0].upper() + text[1:]


def age_text(study: Study) -> str:
    """The age line in an age group's list, as the study reports it: 'Age at diagnosis:
    median 14.8 years (range 7.7–16.1)'; under "Age range not reported", average_text."""
    p = study.data["population"]
    if age_groups(study) == ["not-reported"]:
        return average_text(p)
    return f"Age{_at(p)}: {fmt.stats(p['age_years'], 'years')}"


def orders(site: Site) -> list[tuple[str, str, list[Study]]]:
    """(url suffix, label, studies) for each pre-rendered order of the studies index."""
    # site.studies is newest first (model.build_site); sorted() is stable, so ties stay so
    newest = list(site.studies)
    year = {s.id: s.year if isinstance(s.year, int) else 10_000 for s in newest}   # in press last
    oldest, largest, surest = (f"{name}/" for name in STUDY_ORDERS)   # the studies-order pages
    return [
        ("", "Newest first", newest),
        (oldest, "Oldest first", sorted(newest, key=lambda s: year[s.id])),
        (largest, "Largest first", sorted(newest, key=lambda s: -s.n)),
        (surest, "Highest certainty first", sorted(newest, key=lambda s: -s.certainty_rank)),
    ]


def groups(site: Site) -> dict[str, list[dict]]:
    """Every browse dimension: a list of groups with id, label, url, blurb and studies."""
    # site.studies is newest first already, and studies_for keeps its order (one pass
    # per dimension instead of a sort per group: 5,000 studies, every rebuild; #9)
    studies = list(site.studies)
    by: dict[tuple[str, str], list[Study]] = {}
    for s in studies:
        by.setdefault(("design", s.data["design"]["type"]), []).append(s)
        by.setdefault(("certainty", s.certainty), []).append(s)
        for g in age_groups(s):
            by.setdefault(("age", g), []).append(s)
    design, level, age = TYPES["design"], TYPES["certainty-level"], TYPES["age-group"]
    designs = [{"id": k, "label": v.label, "url": design.link(id=k), "blurb": v.blurb,
                "studies": by.get(("design", k), [])} for k, v in DESIGNS.items()]
    levels = sorted(CERTAINTY.items(), key=lambda kv: -kv[1].rank)
    return {
        "conditions": [{"id": c.id, "label": c.plain_name, "url": c.url, "blurb": c.name,
                        "studies": site.studies_for("condition", c.id)} for c in site.conditions],
        "drugs": [{"id": d.id, "label": d.name, "url": d.url, "blurb": d.drug_class,
                   "studies": site.studies_for("drug", d.id)} for d in site.drugs],
        "designs": [d for d in designs if d["studies"]],
        "certainty": [{"id": k, "label": f"{v.label} certainty", "url": level.link(id=k), "blurb": v.plain,
                       "studies": by.get(("certainty", k), [])} for k, v in levels],
        "ages": [g for g in ({"id": a.id, "label": a.label, "url": age.link(id=a.id), "blurb": a.blurb,
                              "studies": by.get(("age", a.id), [])} for a in AGE_GROUPS)
                 if g["studies"] or g["id"] in ALWAYS_SHOWN],
    }


DIMENSIONS = (   # (key, hub url, heading, intro); each key is its hub's page type
    ("conditions", TYPES["conditions"].url, "By condition", "The illnesses the studies are about."),
    ("drugs", TYPES["drugs"].url, "By drug", "The medicines the studies used, studied or given alongside."),
    ("designs", TYPES["designs"].url, "By study design", "How each study was done. Some designs can answer "
     "questions more surely than others."),
    ("certainty", TYPES["certainty"].url, "By certainty", "How sure we can be of each study’s results, "
     "on the four GRADE levels."),
    ("ages", TYPES["ages"].url, "By age group", "The ages of the people in each study, as the study reports "
     "them: at diagnosis for some studies, at treatment for others."),
)


# the page type of one group's list, by dimension (conditions and drugs have their own pages)
GROUP_TYPES = {"designs": TYPES["design"], "certainty": TYPES["certainty-level"], "ages": TYPES["age-group"]}


def pages(site: Site) -> list[tuple[str, str, dict]]:
    """The browse pages for render.page_plan: hubs, group lists and the studies index."""
    dims = groups(site)
    browse = TYPES["browse"]
    plan: list[tuple[str, str, dict]] = [
        (browse.path(), browse.template, {"dimensions": DIMENSIONS, "groups": dims})]
    for key, url, heading, intro in DIMENSIONS:
        hub = TYPES[key]
        plan.append((hub.path(), hub.template,
                     {"dimension": (key, url, heading, intro), "items": dims[key],
                      "age_rule": AGE_RULE if key == "ages" else ()}))
        if key in ("conditions", "drugs"):
            continue   # their group pages are the condition and drug pages
        for g in dims[key]:
            plan.append((f"{g['url']}index.html", GROUP_TYPES[key].template,
                         {"dimension": (key, url, heading, intro), "group": g,
                          "show_age": key == "ages"}))
    all_orders = orders(site)
    for suffix, label, studies in all_orders:
        kind, parts = (TYPES["studies-order"], {"order": suffix[:-1]}) if suffix else (TYPES["studies"], {})
        plan.append((kind.path(**parts), kind.template,
                     {"order": suffix, "order_label": label, "orders": all_orders,
                      "listed": studies}))
    return plan

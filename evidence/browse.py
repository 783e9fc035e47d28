"""Browse pages (issue 8): by condition, drug, design, certainty and age group, plus the
studies index in four pre-rendered orders. Only the page plan lives here; templates print it.

Age groups are decided from the ages a study reports (population.age_years): every age
figure it gives (min, max, q1, q3, median, mean, the unlabelled value and interval ends;
never the SD) spans from the lowest to the highest, and the study is listed under every
group that span touches. A study with no age figures is listed under "Age not reported".
"""
from __future__ import annotations

from dataclasses import dataclass

from . import fmt
from .model import CERTAINTY, DESIGN_LABELS, Site, Study


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
    AgeGroup("under-12", "Children under 12", 0, 12, "Studies that included children younger than 12."),
    AgeGroup("12-to-18", "Young people aged 12 to 18", 12, 19,
             "Studies that included young people aged 12 to 18."),
    AgeGroup("over-18", "Adults over 18", 19, None, "Studies that included people older than 18."),
    AgeGroup("not-reported", "Age not reported", None, None, "Studies whose source does not give ages."),
)
ALWAYS_SHOWN = {"under-12", "12-to-18"}   # the others get a page only when a study needs one
_AGE_KEYS = ("min", "max", "q1", "q3", "median", "mean", "value")


# General plain-language descriptions of each design (not of any one study).
DESIGN_BLURBS = {
    "randomised-controlled-trial": "People were put into groups by chance, so the groups can be fairly compared.",
    "non-randomised-controlled-trial": "Groups were compared, but people were not put into them by chance.",
    "cohort": "A group of people followed over time, often by looking back at their records.",
    "case-control": "People with an outcome were compared with people without it.",
    "case-series": "A report on a group of people who all had a treatment, usually with no comparison group.",
    "case-report": "A report on one person, or a very few people.",
}


def age_span(study: Study) -> tuple[float, float] | None:
    """Lowest and highest age figure the study reports, or None when it gives none."""
    ages = study.data["population"].get("age_years", fmt.NR)
    if fmt.is_nr(ages) or not isinstance(ages, dict):
        return None
    points = [ages[k] for k in _AGE_KEYS if k in ages]
    if "interval" in ages:
        points += [ages["interval"]["low"], ages["interval"]["high"]]
    return (min(points), max(points)) if points else None


def age_groups(study: Study) -> list[str]:
    """Ids of the age groups a study is listed under (see the module docstring)."""
    span = age_span(study)
    if span is None:
        return ["not-reported"]
    lo, hi = span
    return [g.id for g in AGE_GROUPS if g.low is not None
            and hi >= g.low and (g.high is None or lo < g.high)]


def age_text(study: Study) -> str:
    """'ages: median 14.8 years (range 7.7–16.1) at diagnosis', as the study reports it."""
    p = study.data["population"]
    text = fmt.stats(p.get("age_years", fmt.NR), "years")
    if text == fmt.NOT_REPORTED:
        return "Age not reported"
    at = {"diagnosis": " at diagnosis", "treatment": " at treatment"}.get(p.get("age_at", ""), "")
    return f"Age{at}: {text}"


def orders(site: Site) -> list[tuple[str, str, list[Study]]]:
    """(url suffix, label, studies) for each pre-rendered order of the studies index."""
    # site.studies is newest first (model.build_site); sorted() is stable, so ties stay so
    newest = list(site.studies)
    year = {s.id: s.year if isinstance(s.year, int) else 10_000 for s in newest}   # in press last
    return [
        ("", "Newest first", newest),
        ("oldest-first/", "Oldest first", sorted(newest, key=lambda s: year[s.id])),
        ("largest-first/", "Largest first", sorted(newest, key=lambda s: -s.n)),
        ("by-certainty/", "Highest certainty first", sorted(newest, key=lambda s: -s.certainty_rank)),
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
    designs = [{"id": k, "label": v, "url": f"designs/{k}/", "blurb": DESIGN_BLURBS[k],
                "studies": by.get(("design", k), [])} for k, v in DESIGN_LABELS.items()]
    levels = sorted(CERTAINTY.items(), key=lambda kv: -kv[1][0])
    return {
        "conditions": [{"id": c.id, "label": c.plain_name, "url": c.url, "blurb": c.name,
                        "studies": site.studies_for("condition", c.id)} for c in site.conditions],
        "drugs": [{"id": d.id, "label": d.name, "url": d.url, "blurb": d.drug_class,
                   "studies": site.studies_for("drug", d.id)} for d in site.drugs],
        "designs": [d for d in designs if d["studies"]],
        "certainty": [{"id": k, "label": f"{v[1]} certainty", "url": f"certainty/{k}/", "blurb": v[2],
                       "studies": by.get(("certainty", k), [])} for k, v in levels],
        "ages": [g for g in ({"id": a.id, "label": a.label, "url": f"ages/{a.id}/", "blurb": a.blurb,
                              "studies": by.get(("age", a.id), [])} for a in AGE_GROUPS)
                 if g["studies"] or g["id"] in ALWAYS_SHOWN],
    }


DIMENSIONS = (   # (key, hub url, heading, intro)
    ("conditions", "conditions/", "By condition", "The illnesses the studies are about."),
    ("drugs", "drugs/", "By drug", "The medicines the studies used, studied or given alongside."),
    ("designs", "designs/", "By study design", "How each study was done. Some designs can answer "
     "questions more surely than others."),
    ("certainty", "certainty/", "By certainty", "How sure we can be of each study’s results, "
     "on the four GRADE levels."),
    ("ages", "ages/", "By age group", "The ages of the people in each study, as the study reports "
     "them: at diagnosis for some studies, at treatment for others."),
)


def pages(site: Site) -> list[tuple[str, str, dict]]:
    """The browse pages for render.page_plan: hubs, group lists and the studies index."""
    dims = groups(site)
    plan: list[tuple[str, str, dict]] = [
        ("browse/index.html", "browse.html", {"dimensions": DIMENSIONS, "groups": dims})]
    for key, url, heading, intro in DIMENSIONS:
        plan.append((f"{url}index.html", "browse_hub.html",
                     {"dimension": (key, url, heading, intro), "items": dims[key]}))
        if key in ("conditions", "drugs"):
            continue   # their group pages are the condition and drug pages
        for g in dims[key]:
            plan.append((f"{g['url']}index.html", "browse_list.html",
                         {"dimension": (key, url, heading, intro), "group": g,
                          "show_age": key == "ages"}))
    all_orders = orders(site)
    for suffix, label, studies in all_orders:
        plan.append((f"studies/{suffix}index.html", "studies.html",
                     {"order": suffix, "order_label": label, "orders": all_orders,
                      "listed": studies}))
    return plan

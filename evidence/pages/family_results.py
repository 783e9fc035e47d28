"""Results for families: each outcome of a study in plain words (what happened, which
way is better, whether it could be chance, whom it is about), for the key facts
(family.py), the pictures and a condition's evidence page.

Every number comes from the content; a figure that is `not-reported` is said to be so.
"""
from __future__ import annotations

from ..content import fmt
from . import harms
from .plain import CENTRAL, NR, PLAIN_UNITS, Fact, n_text, plural
from ..content.model import Study


def spread(m: dict, unit: str) -> str | None:
    """A measure without a central figure: 'ranged from 14 to 37'."""
    for lo, hi, word in (("min", "max", "ranged from"), ("q1", "q3", "the middle half were from")):
        if lo in m and hi in m:
            return f"{word} {n_text(m[lo])} to {n_text(m[hi])}{unit}"
    if "interval" in m:
        return f"{n_text(m['interval']['low'])} to {n_text(m['interval']['high'])}{unit}, as the study writes it"
    return None


def central(m) -> tuple[str, str, str] | None:
    """(key, word, plural word) of a measure's central figure."""
    if not isinstance(m, dict):
        return None
    return next(((k, w, pl) for k, w, pl in CENTRAL if k in m), None)


def continuous(o: dict) -> str:
    """'Went from 22 to 6 (medians).'"""
    b, a = o["baseline"], o["follow_up"]
    unit = f" {PLAIN_UNITS.get(o['unit'], o['unit'])}" if "unit" in o else ""
    cb, ca = central(b), central(a)
    if cb and ca and cb[0] == ca[0]:
        return f"Went from {n_text(b[cb[0]])} to {n_text(a[ca[0]])}{unit} ({cb[2]})."
    if cb and ca:
        def phrase(m, c):
            return f"{'an' if c[1] == 'average' else 'a'} {c[1]} of {n_text(m[c[0]])}" if c[1] else n_text(m[c[0]])
        return f"Went from {phrase(b, cb)} to {phrase(a, ca)}{unit}."
    if b == NR and a == NR:
        return "The figures before and after were not reported."

    def side(m, c) -> str:
        if m == NR:
            return "not reported"
        if c:
            return f"{c[1] + ' ' if c[1] else ''}{n_text(m[c[0]])}{unit}"
        return spread(m, unit) or "not reported"
    return f"Before: {side(b, cb)}. After: {side(a, ca)}."


def count_words(o: dict, people: str = "children") -> str:
    """'All 7 children', 'None of the 9 children', '19 of 104 treatment courses (18%)'."""
    courses = o.get("counted_in") == "courses"
    noun = "treatment courses" if courses else people
    ev, of, pc = o.get("events", NR), o.get("of", NR), o.get("percent")
    pct = f" ({n_text(pc)}%)" if pc is not None else ""
    if ev != NR and of != NR:
        if courses:
            return f"{n_text(ev)} of {n_text(of)} {noun}{pct}"
        if of == 1:
            return f"{n_text(ev)} of 1 child{pct}"
        if ev == of:
            return f"{'Both' if of == 2 else 'All ' + n_text(of)} {noun}{pct}"
        if ev == 0:
            return f"None of the {n_text(of)} {noun}{pct}"
        return f"{n_text(ev)} of {n_text(of)} {noun}{pct}"
    if ev == NR and pc is not None:
        return f"{n_text(pc)}% of the {noun}" + (f" (of {n_text(of)})" if of != NR else
                                                 " counted (out of how many was not reported)")
    if ev == NR and of != NR:
        return f"The number was not reported (out of {n_text(of)} {noun})"
    if ev != NR:
        one = "treatment course" if courses else ("child" if people == "children" else
                                                  "girl" if people == "girls" else people)
        return f"{plural(ev, one, noun)}{pct} (the total number was not reported)"
    return "Not reported"


ALPHA = 0.05    # a before/after change with a larger P value "could be due to chance"


def chance_text(o: dict) -> str | None:
    """'This change could be due to chance (P = 0.16).' for a before/after change whose P
    value is above 0.05 or not given; None when there is no change to judge."""
    if o["type"] != "continuous":
        return None
    cb, ca = central(o["baseline"]), central(o["follow_up"])
    if not (cb and ca) or o["baseline"][cb[0]] == o["follow_up"][ca[0]]:
        return None
    p = o.get("p_value")
    if p is None:
        return "No P value was given, so this change could be due to chance."
    if isinstance(p, (int, float)) and p > ALPHA:
        return f"This change could be due to chance ({fmt.p_value(p)})."
    return None


def about_whom(o: dict, study: Study) -> str:
    """'the 8 girls with lupus in the kidneys' or 'all 41 children': whom a result is about."""
    p = study.data["population"]
    subs = {g["id"]: g for g in p.get("subgroups", [])}
    if "subgroup" in o and o["subgroup"] in subs:
        g = subs[o["subgroup"]]
        if isinstance(g.get("n"), int):
            return f"the {n_text(g['n'])} {g['plain_name']}" if g["n"] > 1 else g["plain_name"]
        return g["plain_name"]
    groups = {g["id"]: g for g in study.data.get("groups", [])}
    if "group" in o and o["group"] in groups and groups[o["group"]]["role"] != "treated":
        g = groups[o["group"]]
        return g.get("plain_name", g["name"])
    people = harms._people(study)
    return f"all {n_text(p['n'])} {people}" if p["n"] > 2 else f"both {people}" if p["n"] == 2 else "the one child"


def outcome_fact(o: dict, groups: dict, study: Study | None = None) -> Fact:
    """One result: its plain name, what happened, which way is better, could it be
    chance, whom it is about, when."""
    people = harms._people(study) if study is not None else "children"
    text = count_words(o, people) + "." if o["type"] == "count" else continuous(o)
    if "is better" not in o["plain_name"].lower():
        text += f" {'Lower' if o['better'] == 'lower' else 'Higher'} is better."
    chance = chance_text(o)
    if chance:
        text += f" {chance}"
    elif o.get("p_value") is not None:
        text += f" The study gives {fmt.p_value(o['p_value'])} for this."
    if "group" in o and o["group"] in groups:
        g = groups[o["group"]]
        text += f" Group: {g.get('plain_name', g['name'])}."
    if study is not None and "subgroup" in o:
        text += f" About: {about_whom(o, study)}, not everyone in the study."
    if "timepoint" in o:
        text += f" When: {o['timepoint']}."
    return Fact(o["plain_name"], text)

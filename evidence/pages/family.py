"""Key facts for families: plain sentences generated from a study's structured data.

Every number and every "all"/"none" comes from the content; when a field is
`not-reported` the sentence says so. Nothing here is written per study, so a new
study file gets its key facts with no new text (issue 6).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ..content import fmt
from . import harms
from ..content.model import Study
from ..content.vocabulary import CERTAINTY, COMPARISONS, DESIGNS, ROUTES

NR = fmt.NR
# How a dose or an outcome's unit reads in plain words.
PLAIN_UNITS = {
    "mg": "mg", "g": "g", "mg/day": "mg a day",
    "mg/kg": "mg for each kg of body weight", "g/kg": "g for each kg of body weight",
    "mg/m2": "mg for each square metre of body surface", "g/m2": "g for each square metre of body surface",
    "mg/kg/day": "mg for each kg of body weight each day",
    "mg/m2/day": "mg for each square metre of body surface each day",
    "mL/kg": "mL for each kg of body weight"}
CENTRAL = (("median", "median", "medians"), ("mean", "average", "averages"),
           ("value", "", "as the study gives them"))


@dataclass(frozen=True)
class Fact:
    """One line of the key facts box: a short label and a plain sentence."""

    label: str
    text: str
    calc: str | None = None     # what in the text this site worked out (shown with the mark)


def n_text(v) -> str:
    """A figure for families: 1.0 -> '1', 14.8 -> '14.8', 1500 -> '1,500'."""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return fmt.num(v)


def plural(n, one: str, many: str) -> str:
    return f"{n_text(n)} {one if n == 1 else many}"


def children(n) -> str:
    return plural(n, "child", "children")


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def lower_name(name: str) -> str:
    """'Corticosteroids' -> 'corticosteroids'; 'IVIG' stays."""
    return name[:1].lower() + name[1:] if name[1:2].islower() else name


def length(d: dict) -> str:
    """{value: 1.0, unit: years} -> '1 year'; {value: 2, unit: weeks} -> '2 weeks'."""
    return plural(d["value"], fmt.TIME_UNITS.get(d["unit"], d["unit"]), d["unit"])


def age(v) -> str:
    """Ages are said in whole years, as people say them: 7.7 -> '7'."""
    return str(math.floor(v))


def sex_words(p: dict) -> str | None:
    """'4 girls, 3 boys', 'all girls', '85.4% girls'; None when not reported."""
    n, f = p["n"], p["female"]
    if f != NR:
        if f == n:
            return "all girls" if n > 1 else "a girl"
        if f == 0:
            return "all boys" if n > 1 else "a boy"
        return f"{plural(f, 'girl', 'girls')}, {plural(n - f, 'boy', 'boys')}"
    if "female_percent" in p:
        return f"{n_text(p['female_percent'])}% girls"
    return None


def age_sentences(p: dict) -> tuple[str, list[str]]:
    """('aged 7 to 16' for the lead sentence or '', [further sentences about age])."""
    a = p["age_years"]
    if a == NR:
        return "", ["Their ages were not reported."]
    when = " when they were diagnosed" if p.get("age_at") == "diagnosis" else ""
    inline, more = "", []
    if "min" in a and "max" in a:
        if when:
            more.append(f"They were aged {age(a['min'])} to {age(a['max'])}{when}.")
        else:
            inline = f"aged {age(a['min'])} to {age(a['max'])}"
    elif "min" in a:
        more.append(f"The youngest was {age(a['min'])}{when}.")
    elif "max" in a:
        more.append(f"The oldest was {age(a['max'])}{when}.")
    for key, word, _ in CENTRAL:
        if key in a:
            if word:
                more.append(f"Their {word} age{when} was {n_text(a[key])} years.")
            else:
                more.append(f"A typical age{when} was {n_text(a[key])} years "
                            "(the study does not say if this is a median or an average).")
    if "q1" in a and "q3" in a:
        more.append(f"The middle half were aged {age(a['q1'])} to {age(a['q3'])}{when}.")
    if "interval" in a:
        more.append(f"The study gives the ages{when} as {n_text(a['interval']['low'])} to "
                    f"{n_text(a['interval']['high'])} years, without saying what this spread is.")
    return inline, more


def who(study: Study) -> list[Fact]:
    """Who took part: count, ages, girls and boys, courses, other groups."""
    s = study.data
    p = s["population"]
    inline, more = age_sentences(p)
    sex = sex_words(p)
    calc = []
    if isinstance(p["age_years"], dict) and any(k in p["age_years"] for k in ("min", "max", "q1", "q3")):
        calc.append("ages in whole years, rounded down from the reported ages")
    if sex and "boy" in sex and p["female"] != NR and 0 < p["female"] < p["n"]:
        calc.append("the number of boys (children minus girls)")
    lead = children(p["n"]) + (f" {inline}" if inline else "") + " took part"
    lead += f" ({sex})." if sex else "."
    if sex is None:
        more.append("How many were girls or boys was not reported.")
    if "courses" in p:
        more.append(f"Between them they had {plural(p['courses'], 'course', 'courses')} of treatment.")
    for g in s.get("groups", []):
        if g["role"] == "comparison":
            size = "its size was not reported" if g["n"] == NR else children(g["n"])
            more.append(f"The study also had a comparison group: {g.get('plain_name', g['name'])} ({size}).")
    for g in p.get("subgroups", []):
        more.append(subgroup_sentence(g, p["n"]))
    for t in p.get("prior_treatments", []):
        more.append(prior_sentence(t, study))
    return [Fact("Who took part", " ".join([lead] + more), "; ".join(calc) or None)]


def subgroup_sentence(g: dict, n: int) -> str:
    """'8 of the 11 were girls with lupus in the kidneys.'"""
    if isinstance(g.get("n"), int):
        return f"{n_text(g['n'])} of the {n_text(n)} {'was' if g['n'] == 1 else 'were'} {g['plain_name']}."
    if "percent" in g:
        return f"{n_text(g['percent'])}% of the {n_text(n)} were {g['plain_name']}."
    return f"The study does not say how many were {g['plain_name']}."


PRIOR_WHEN = {"before": "had had", "at-start": "were taking",
              "before-or-at-start": "had had or were taking"}


def prior_sentence(t: dict, study: Study) -> str:
    """'Before rituximab, 87% had had or were taking corticosteroids.'"""
    drugs = {r.drug.id: r.drug.name for r in study.regimens}
    name = lower_name(drugs.get(t.get("drug"), t.get("name") or t.get("drug", "")))
    if "name" in t:
        name = lower_name(t["name"])
    studied = ", ".join(lower_name(r.drug.name) for r in study.regimens if r.role == "studied")
    amount = (f"{n_text(t['n'])} of them" if isinstance(t.get("n"), int) else
              f"{n_text(t['percent'])}%" if "percent" in t else "some (how many was not reported)")
    return f"When {studied} was started, {amount} {PRIOR_WHEN[t['when']]} {name}."


def dose_sentence(dose, drug: str) -> str:
    """'Each dose was 750 mg for each square metre of body surface.'"""
    if dose == NR:
        return f"The dose of {drug} was not reported."
    if "description" in dose:
        return f"The dose was described as {dose['description']}."
    unit = PLAIN_UNITS.get(dose["unit"], fmt.unit(dose["unit"]))
    amount = (f"{n_text(dose['min'])} to {n_text(dose['max'])}" if "min" in dose
              else n_text(dose["value"]))
    lead = "The dose was" if dose["unit"].endswith("/day") else "Each dose was"
    return f"{lead} {amount} {unit}."


def was(name: str) -> str:
    """'was' or 'were' for a drug name ('Corticosteroids were')."""
    return "were" if name.lower().endswith(("steroids", "agents", "immunosuppressants")) else "was"


def how_given(reg: dict, name: str) -> str:
    """'Rituximab was given as 2 drips into a vein over 2 weeks.'"""
    route = ROUTES[reg["route"]]
    one, many, adverb = route.one, route.many, route.given
    verb = was(name)
    count, over = reg["count"], reg["over"]
    period = f" over {length(over)}" if isinstance(over, dict) else ""
    when = f" ({reg['when']})" if "when" in reg else ""
    if isinstance(count, int):
        text = f"{name} {verb} given as {plural(count, one, many)}{period}{when}."
    elif isinstance(count, dict):
        text = f"{name} {verb} given as {n_text(count['min'])} to {n_text(count['max'])} {many}{period}{when}."
    elif adverb and reg["route"] == "oral":
        text = f"{name} {verb} given {adverb}{period}{when}."    # taken daily: no "number of doses"
    elif adverb:
        text = f"{name} {verb} given {adverb}{period}{when}. The number of doses was not reported."
    elif period or when:
        text = f"{name} {verb} given{period}{when}. How it was given, and how many doses, were not reported."
    else:
        text = f"How {lower_name(name)} {verb} given, and how many doses, were not reported."
    if reg["route"] == NR and isinstance(count, (int, dict)):
        text += " How it was given was not reported."
    return text


def treatment(study: Study) -> list[Fact]:
    """The studied drugs as given, then co-treatments and other treatments."""
    facts = []
    for r in study.regimens:
        if r.role == "studied":
            facts.append(Fact("How it was given",
                              how_given(r.data, r.drug.name) + " " + dose_sentence(r.data["dose"], lower_name(r.drug.name))))
    also = []
    for r in study.regimens:
        if r.role == "co-treatment":
            d = r.data
            bits = [lower_name(r.drug.name)]
            if ROUTES[d["route"]].given:
                bits.append(ROUTES[d["route"]].given)
            text = " ".join(bits)
            if isinstance(d["dose"], dict) and "description" in d["dose"]:
                text += f", {d['dose']['description']}"
            elif isinstance(d["dose"], dict):
                text += f", {fmt.dose(d['dose'])}"
            if "when" in d:
                text += f" ({d['when']})"
            also.append(text)
    extra = list(study.data.get("co_interventions", []))
    if also:
        facts.append(Fact("Other medicines given", cap("; ".join(also)) + "."))
    if extra:
        facts.append(Fact("Other treatments", cap("; ".join(extra)) + "."))
    return facts


def follow_up(study: Study) -> Fact:
    """How long the children were followed."""
    fu = study.data["follow_up_time"]
    if fu == NR:
        return Fact("Followed for", "How long the children were followed was not reported.")
    for key, word in (("median", "a median of "), ("mean", "an average of "), ("duration", "")):
        if key in fu:
            d = fu[key]
            text = f"The children were followed for {word}{length(d)}"
            if "min" in fu and "max" in fu:
                text += f" (range {n_text(fu['min'])} to {n_text(fu['max'])} {d['unit']})"
            return Fact("Followed for", text + ".")
    return Fact("Followed for", "How long the children were followed was not reported.")


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


def safety(study: Study) -> list[Fact]:
    """Every harm the study reports: unwanted events with how many were affected and how
    severe, deaths with their cause, serious adverse events (harms.py)."""
    sf = study.data["safety"]
    worked = [w for k, w in (("serious_adverse_events", "the number with a serious adverse event"),
                             ("deaths", "the number of deaths")) if k in sf.get("derived", [])]
    events = sf["adverse_events"] if isinstance(sf["adverse_events"], list) else []
    if any(e.get("derived") for e in events):
        worked.append("some counts of unwanted events")
    calc = (" and ".join(worked) + ", worked out from the study's words, not a number it gives") if worked else None
    return [Fact("Harms reported", " ".join(harms.family_lines(study)), calc)]


def certainty(study: Study) -> Fact:
    """'Very little: a case series of 7 children with no comparison group.'"""
    d = study.data["design"]
    return Fact("How sure can we be?",
                f"{CERTAINTY[study.certainty].sure}: {DESIGNS[d['type']].family} of {children(study.n)}"
                f"{COMPARISONS[d['comparison']].family}.")


def source(study: Study) -> Fact:
    """Where the facts come from: the abstract or the full text; in press."""
    c = study.data["citation"]
    text = ("We read only the study's abstract (its short summary), not the full article."
            if c["extracted_from"] == "abstract" else "We read the full article.")
    if c.get("status") == "in-press":
        text += " The study was accepted by a journal but was not yet published in an issue (in press)."
    return Fact("Where these facts come from", text)


def key_facts(study: Study) -> list[Fact]:
    """The key facts box for a study, in reading order."""
    groups = {g["id"]: g for g in study.data.get("groups", [])}
    return (who(study) + treatment(study) + [follow_up(study)]
            + [outcome_fact(o.data, groups, study) for o in study.outcomes]
            + safety(study) + [certainty(study), source(study)])


def regimen_text(study: Study) -> str:
    """All regimens in one paragraph: the text equivalent of the dosing timeline."""
    return " ".join(f.text for f in treatment(study))


def drug_uses(drug, studies) -> list[tuple]:
    """(study, sentence) for each study that gave the drug: how it was given there."""
    out = []
    for s in studies:
        for r in s.regimens:
            if r.drug.id == drug.id:
                text = how_given(r.data, r.drug.name)
                if r.role == "studied":
                    text += " " + dose_sentence(r.data["dose"], lower_name(r.drug.name))
                else:
                    v = was(r.drug.name)
                    text = text.replace(f"{r.drug.name} {v} given", f"{r.drug.name} {v} also given", 1)
                out.append((s, text))
    return out

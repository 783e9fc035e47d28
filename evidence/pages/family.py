"""Key facts for families: plain sentences generated from a study's structured data:
who took part, how the drugs were given, follow-up, the results (family_results.py),
harms, how sure we can be, and where the facts come from.

Every number and every "all"/"none" comes from the content; when a field is
`not-reported` the sentence says so. Nothing here is written per study, so a new
study file gets its key facts with no new text (issue 6).
"""
from __future__ import annotations

from ..content import fmt
from . import harms
from .family_results import outcome_fact
from .plain import CENTRAL, NR, PLAIN_UNITS, Fact, age, cap, children, length, lower_name, n_text, plural
from ..content.model import Study
from ..content.vocabulary import CERTAINTY, COMPARISONS, DESIGNS, ROUTES


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

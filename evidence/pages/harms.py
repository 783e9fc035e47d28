"""Harms: every adverse event, serious adverse event and death a study reports, said
plainly, for families (key facts, condition evidence pages, drug pages) and for
clinicians (the "Harms reported" column).

Rules (issue 17): every reported harm is said as plainly as any benefit; deaths are
named with their cause where the source gives it; adverse events are called "unwanted
events (adverse events)", never "side effects", because the sources do not say that the
medicine caused them; a study that reports any harm is never said to be silent.
"""
from __future__ import annotations

from ..content import fmt
from ..content.model import Study

NR = fmt.NR
SEVERE = ("severe", "life-threatening", "fatal")


def _n(v) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return fmt.num(v)


def _people(study: Study) -> str:
    """'children', or 'girls' when every one treated was a girl."""
    p = study.data["population"]
    return "girls" if p.get("female") == p["n"] and p["n"] > 1 else "children"


def affected(e: dict, people: str = "children") -> str:
    """'5 of 11 children', '19 of 104 treatment courses (18%)', '7.3% of the children
    (out of how many was not reported)', 'number not reported'."""
    courses = e.get("counted_in") == "courses"
    noun = "treatment courses" if courses else people
    ev, of, pc = e.get("events", NR), e.get("of", NR), e.get("percent")
    pct = f" ({_n(pc)}%)" if pc is not None else ""
    if ev != NR and of != NR:
        return f"{_n(ev)} of {_n(of)} {noun}{pct}"
    if ev != NR:
        return f"{_n(ev)} {noun if ev != 1 else noun[:-1] if not courses else 'treatment course'}{pct} (out of how many was not reported)"
    if pc is not None and of != NR:
        return f"{_n(pc)}% of {_n(of)} {noun}"
    if pc is not None:
        return f"{_n(pc)}% of the {noun} (out of how many was not reported)"
    if of != NR:
        return f"number not reported (out of {_n(of)} {noun})"
    return "number not reported"


def marks(e: dict) -> list[str]:
    """'severe', 'serious', 'life-threatening' as the source says them."""
    out = []
    sev = e.get("severity")
    if sev in SEVERE and sev not in e["name"].lower():
        out.append(sev)
    if e.get("serious") is True and "serious" not in e["name"].lower():
        out.append("serious")
    return out


def event_text(e: dict, people: str = "children") -> str:
    """'Severe adverse events (severe): 5 of 11 girls'; 'Serious infection: none of 9 children'."""
    ev, of = e.get("events", NR), e.get("of", NR)
    if ev == 0 and of != NR:
        count = f"none of {_n(of)} {'treatment courses' if e.get('counted_in') == 'courses' else people}"
    elif ev == 0:
        count = "none"
    else:
        count = affected(e, people)
    m = marks(e)
    return f"{e['name']}{' (' + ', '.join(m) + ')' if m else ''}: {count}"


def deaths_text(study: Study) -> str | None:
    """'1 child died (cause: sepsis).' / '... The cause was not reported.'; None when the
    source is silent about deaths."""
    sf = study.data["safety"]
    d = sf.get("deaths")
    fatal = [e for e in (sf["adverse_events"] if isinstance(sf["adverse_events"], list) else [])
             if e.get("severity") == "fatal"]
    if d is None and not fatal:
        return None
    if d == NR and not fatal:
        return "Whether anyone died was not reported."
    if d == 0:
        return "No deaths were reported."
    if isinstance(d, int):
        who = "1 child died" if d == 1 else f"{_n(d)} children died"
    else:
        who = "Deaths were reported"
    cause = sf.get("deaths_cause")
    if isinstance(cause, str) and cause != NR:
        return f"{who} (cause: {cause})."
    causes = [e["name"] for e in fatal]
    if causes:
        return f"{who} (cause: {'; '.join(causes)})."
    return f"{who}. The cause was not reported."


def serious_text(study: Study) -> str:
    """The serious adverse event count in plain words."""
    sae, n = study.data["safety"]["serious_adverse_events"], study.n
    people = _people(study)
    if sae == NR:
        return "The study does not say how many had a serious adverse event."
    if isinstance(sae, dict):
        return f"At least {_n(sae['at_least'])} of the {_n(n)} {people} had a serious adverse event."
    if sae == 0:
        return f"None of the {_n(n)} {people} had a serious adverse event."
    return f"{_n(sae)} of the {_n(n)} {people} had a serious adverse event."


def reports_harm(study: Study) -> bool:
    """True when the study reports any harm at all (an event, a serious event or a death)."""
    sf = study.data["safety"]
    sae, d, ae = sf["serious_adverse_events"], sf.get("deaths"), sf["adverse_events"]
    return (isinstance(sae, dict) or (isinstance(sae, int) and sae > 0)
            or (isinstance(d, int) and d > 0)
            or (isinstance(ae, list) and any(e.get("events") != 0 for e in ae)))


def family_lines(study: Study) -> list[str]:
    """Every reported harm of a study, in plain sentences, harms first."""
    sf = study.data["safety"]
    people = _people(study)
    ae = sf["adverse_events"]
    lines = []
    if isinstance(ae, list) and ae:
        lines.append("Unwanted events (adverse events) reported:")
        lines += [event_text(e, people) + "." for e in ae]
    d = deaths_text(study)
    if d and d != "No deaths were reported.":
        lines.append(d)
    lines.append(serious_text(study))
    if d == "No deaths were reported.":
        lines.append(d)
    if ae == NR:
        lines.append("Other unwanted events (adverse events) were not reported."
                     if reports_harm(study) or sf["serious_adverse_events"] != NR else
                     "The parts of the study we read do not say what unwanted events (adverse events) happened.")
    elif not ae:
        lines.append("The study says there were no other unwanted events (adverse events).")
    return lines


def clinician_cell(study: Study) -> str:
    """The 'Harms reported' cell: events over their denominators, serious and severe marked."""
    sf = study.data["safety"]
    parts = []
    sae = sf["serious_adverse_events"]
    n = study.n
    if sae == NR:
        parts.append("SAEs: not reported")
    elif isinstance(sae, dict):
        parts.append(f"SAEs: ≥{_n(sae['at_least'])}/{_n(n)} people")
    else:
        parts.append(f"SAEs: {_n(sae)}/{_n(n)} people")
    if "serious_adverse_events" in sf.get("derived", []):
        parts[-1] += " (worked out from the study's words; calculated)"
    d = sf.get("deaths")
    if d is not None:
        parts.append("deaths: not reported" if d == NR else f"deaths: {_n(d)}"
                     + (f" ({sf['deaths_cause']})" if isinstance(sf.get("deaths_cause"), str)
                        and sf["deaths_cause"] != NR else ""))
    ae = sf["adverse_events"]
    if ae == NR:
        parts.append("other AEs: not reported")
    elif not ae:
        parts.append("no AEs")
    else:
        for e in ae:
            unit = "courses" if e.get("counted_in") == "courses" else "people"
            ev, of, pc = e.get("events", NR), e.get("of", NR), e.get("percent")
            fig = (f"{_n(ev) if ev != NR else 'n not reported'}/{_n(of) if of != NR else 'N not reported'} {unit}"
                   if ev != NR or (of != NR and pc is None) else
                   f"{_n(pc)}% of {_n(of) + ' ' if of != NR else ''}{unit}" if pc is not None else "not reported")
            if pc is not None and ev != NR:
                fig += f" ({_n(pc)}%)"
            flags = []
            if e.get("serious") is True:
                flags.append("serious")
            elif e.get("serious") is False:
                flags.append("not serious")
            if e.get("severity") not in (None, NR):
                flags.append(e["severity"])
            if e.get("derived"):
                flags.append("count from the study's words; calculated")
            parts.append(f"{e['name']}: {fig}" + (f" [{', '.join(flags)}]" if flags else ""))
    return "; ".join(parts)

"""Rules a schema cannot express: ids and file names, references, duplicates,
and the consistency rules of the content model (all errors)."""
from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path, PurePath

from .errors import ContentError
from .load import SourceDoc, format_path
from .model import RESERVED_STUDY_IDS     # the studies index orders: no study may take these ids

NR = "not-reported"


def _err(doc: SourceDoc, fpath: tuple, message: str, hint: str | None = None,
         key: bool = False) -> ContentError:
    line, col = doc.locate(fpath, key=key)
    return ContentError(doc.rel, line, col, format_path(fpath) or "(top level)", message, hint,
                        "error", doc.source_line(line))


def _num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def odd_character(text: str) -> str | None:
    """Describe the first character outside a-z, 0-9 and '-' (look-alikes included)."""
    for ch in text:
        if not ("a" <= ch <= "z" or "0" <= ch <= "9" or ch == "-"):
            name = unicodedata.name(ch, "a control character")
            return f"`{ch}` (U+{ord(ch):04X} {name})" if ord(ch) > 127 else f"`{ch}`"
    return None


def check_ids(docs: list[SourceDoc]) -> list[ContentError]:
    """Ids equal file names, file names are valid ids; one file per id within each kind."""
    out: list[ContentError] = []
    seen: dict[tuple[str, str], SourceDoc] = {}
    for doc in docs:
        if doc.kind not in ("study", "condition", "drug") or not isinstance(doc.data, dict):
            continue
        ident = doc.data.get("id")
        # = Path(doc.path).stem; a Path's name is at hand, its str() is not (5,000 to make)
        stem = os.path.splitext(doc.path.name if isinstance(doc.path, PurePath) else os.path.basename(doc.path))[0]
        valid = isinstance(ident, str) and bool(_ID.match(ident)) and 3 <= len(ident) <= 80
        if not _ID.match(stem) or not 3 <= len(stem) <= 80:
            # the file name becomes a URL: refuse dots, capitals and look-alike letters
            odd = odd_character(stem)
            out.append(ContentError(
                doc.rel, 1, 1, "(file name)",
                f"expected a file name made of an id and .yaml; got \"{Path(doc.path).name}\"",
                (f"{odd} is not allowed; " if odd else "") + "use lowercase a-z, 0-9 and single "
                f"hyphens, 3 to 80 characters" + (f", e.g. {ident}.yaml" if valid else ""),
                "error", doc.source_line(1)))
        elif valid and ident != stem:
            out.append(_err(doc, ("id",), f"expected the file name `{stem}`; got \"{ident}\"",
                            f"rename the file to {ident}{Path(doc.path).suffix} or write id: {stem}"))
        if valid and doc.kind == "study" and ident in RESERVED_STUDY_IDS:
            out.append(_err(doc, ("id",), f"`{ident}` is reserved: /studies/{ident}/ is a page of "
                                          "the studies index", "choose another id"))
        if valid:
            first = seen.get((doc.kind, ident))
            if first is not None:
                out.append(_err(doc, ("id",), f"{doc.kind} id `{ident}` is also used by {first.rel}",
                                "each entry has exactly one file; remove one of them"))
            else:
                seen[(doc.kind, ident)] = doc
    return out


def check_glossary(doc: SourceDoc) -> list[ContentError]:
    """Unique ids and terms, definitions of at most 40 words, see_also inside the glossary."""
    out: list[ContentError] = []
    ids: dict[str, int] = {}
    names: dict[str, int] = {}
    for i, t in enumerate(doc.data):
        if t["id"] in ids:
            out.append(_err(doc, (i, "id"), f"glossary id `{t['id']}` is also used by entry {ids[t['id']]}"))
        ids.setdefault(t["id"], i)
        for j, name in enumerate([t["term"]] + list(t.get("variants", []))):
            k = name.lower()
            at = (i, "term") if j == 0 else (i, "variants", j - 1)
            if k in names and names[k] != i:
                out.append(_err(doc, at, f"\"{name}\" is also a term or variant of entry {names[k]}",
                                "each word may explain only one term"))
            names.setdefault(k, i)
        words = len(t["definition"].split())
        if words > 40:
            out.append(_err(doc, (i, "definition"), f"expected at most 40 words; got {words}",
                            "keep definitions short; link to a page for more"))
    for i, t in enumerate(doc.data):
        for j, ref in enumerate(t.get("see_also", [])):
            if ref not in ids:
                out.append(_err(doc, (i, "see_also", j), f"no glossary term with id `{ref}`",
                                _near(ref, ids) or f"add a term with id: {ref}, or remove it here"))
    return out


def _near(name: str, options) -> str | None:
    import difflib
    m = difflib.get_close_matches(name, sorted(options), n=1, cutoff=0.6)
    return f"did you mean `{m[0]}`?" if m else None


def check_references(valid: list[SourceDoc], docs: list[SourceDoc]) -> list[ContentError]:
    """conditions, drugs, regimens[].drug and population.prior_treatments[].drug name existing entries."""
    have = {k: {d.data.get("id") for d in docs if d.kind == k and isinstance(d.data, dict)}
            for k in ("condition", "drug")}
    out: list[ContentError] = []
    conditions, drugs = have["condition"], have["drug"]
    for doc in valid:
        if doc.kind != "study":
            continue
        s = doc.data
        prior = [(i, t["drug"]) for i, t in enumerate(s["population"].get("prior_treatments", []))
                 if "drug" in t]
        if conditions.issuperset(s["conditions"]) and drugs.issuperset(s["drugs"]) \
                and drugs.issuperset([r["drug"] for r in s["regimens"]]) \
                and drugs.issuperset([d for _, d in prior]):
            continue                    # the usual case, checked without naming each field
        refs = [(("conditions", i), "condition", c) for i, c in enumerate(s["conditions"])]
        refs += [(("drugs", i), "drug", c) for i, c in enumerate(s["drugs"])]
        refs += [(("regimens", i, "drug"), "drug", r["drug"]) for i, r in enumerate(s["regimens"])]
        refs += [(("population", "prior_treatments", i, "drug"), "drug", d) for i, d in prior]
        for fpath, kind, ref in refs:
            if ref in have[kind]:
                continue
            folder = "conditions" if kind == "condition" else "drugs"
            files = Path(doc.path).parent.parent / folder
            if not any((files / f"{ref}{x}").is_file() for x in (".yaml", ".yml")):
                # (a file that exists but failed to load has its own error: not repeated here)
                out.append(_err(doc, fpath, f"no {kind} with id `{ref}`",
                                _near(ref, have[kind]) or f"add content/{folder}/{ref}.yaml"))
    return out


def _pmid_key(v):
    if v == NR or v is None:
        return None
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def check_duplicates(valid: list[SourceDoc]) -> list[ContentError]:
    """Two studies with one PMID (as numbers) or DOI (ignoring case) are an error."""
    out: list[ContentError] = []
    studies = [d for d in valid if d.kind == "study"]
    for fieldname, key in (("pmid", _pmid_key),
                           ("doi", lambda v: None if v in (NR, None) else str(v).lower())):
        seen: dict = {}
        for doc in studies:
            k = key(doc.data["citation"].get(fieldname))
            if k is None:
                continue
            if k in seen:
                out.append(_err(doc, ("citation", fieldname),
                                f"the same {fieldname.upper()} as {seen[k].rel}",
                                "each published study has exactly one file"))
            else:
                seen[k] = doc
    return out


def _stats(doc, fpath, m, out):
    """min <= mean/median/value <= max; q1 <= median <= q3; low <= high."""
    if not isinstance(m, dict):
        return
    lo, hi = m.get("min"), m.get("max")
    if _num(lo) and _num(hi) and lo > hi:
        out.append(_err(doc, fpath + ("min",), f"min {lo} is above max {hi}",
                        "swap them, or check the figures against the source"))
        return   # the centre cannot be judged against a reversed range
    for k in ("median", "mean", "value"):
        v = m.get(k)
        if _num(v) and _num(lo) and v < lo:
            out.append(_err(doc, fpath + (k,), f"{k} {v} is below min {lo}"))
        if _num(v) and _num(hi) and v > hi:
            out.append(_err(doc, fpath + (k,), f"{k} {v} is above max {hi}"))
    q1, q3, med = m.get("q1"), m.get("q3"), m.get("median")
    if _num(q1) and _num(med) and q1 > med:
        out.append(_err(doc, fpath + ("q1",), f"q1 {q1} is above the median {med}"))
    if _num(q3) and _num(med) and med > q3:
        out.append(_err(doc, fpath + ("q3",), f"q3 {q3} is below the median {med}"))
    if _num(q1) and _num(q3) and q1 > q3:
        out.append(_err(doc, fpath + ("q1",), f"q1 {q1} is above q3 {q3}"))
    iv = m.get("interval")
    if isinstance(iv, dict) and iv["low"] > iv["high"]:
        out.append(_err(doc, fpath + ("interval", "low"), f"low {iv['low']} is above high {iv['high']}"))


def _percent(doc, fpath, events, of, percent, out, what="events", whole="of"):
    if _num(percent) and _num(events) and _num(of) and of > 0:
        exact = 100 * events / of
        if abs(exact - percent) > 1:
            out.append(_err(doc, fpath, f"{percent} is more than 1 away from 100 × {what} / {whole} "
                                        f"({exact:.1f})", "check the counts and the percentage"))


def _population(doc, s, n, out) -> None:
    """No more women than people, their percentage, and the ages' and durations' ranges."""
    pop = s["population"]
    if _num(pop["female"]) and pop["female"] > n:
        out.append(_err(doc, ("population", "female"),
                        f"{pop['female']} is more than population.n ({n})"))
    _percent(doc, ("population", "female_percent"), pop["female"], n, pop.get("female_percent"), out,
             "female")   # worded "/ of" as tests/unit/test_provenance.py pins it
    _stats(doc, ("population", "age_years"), pop["age_years"], out)
    _stats(doc, ("population", "disease_duration"), pop.get("disease_duration"), out)


def _follow_up(doc, s, n, out) -> None:
    """The follow-up's centre lies within its min and max."""
    fu = s["follow_up_time"]
    if isinstance(fu, dict):
        centre = next((fu[k]["value"] for k in ("median", "mean", "duration") if k in fu), None)
        _stats(doc, ("follow_up_time",), {"min": fu.get("min"), "max": fu.get("max"),
                                          "median": centre}, out)


def _dates(doc, s, n, out) -> None:
    """A study without a year is in press; none is added before it was published."""
    cit = s["citation"]
    if cit["year"] == NR and cit.get("status") != "in-press":
        out.append(_err(doc, ("citation", "year"), "year is not-reported but status is not in-press",
                        "add status: in-press, or give the year"))
    if _num(cit["year"]) and int(s["added"][:4]) < cit["year"]:
        out.append(_err(doc, ("added",), f"added ({s['added']}) is before citation.year ({cit['year']})"))


def _studied_drugs(doc, s, n, out) -> None:
    """`drugs` lists exactly the drugs of the studied regimens."""
    studied = sorted({r["drug"] for r in s["regimens"] if r["role"] == "studied"})
    if sorted(set(s["drugs"])) != studied:
        out.append(_err(doc, ("drugs",), f"expected the studied regimens' drugs "
                                         f"[{', '.join(studied)}]; got [{', '.join(s['drugs'])}]",
                        "list exactly the drugs of the regimens whose role is studied"))


def _regimen_ranges(doc, s, n, out) -> None:
    """A regimen's dose and count ranges run from min up to max."""
    for i, r in enumerate(s["regimens"]):
        for k in ("dose", "count"):
            v = r[k]
            if isinstance(v, dict) and "min" in v and v["min"] > v["max"]:
                out.append(_err(doc, ("regimens", i, k, "min"), f"min {v['min']} is above max {v['max']}"))


def _groups(doc, s, n, out) -> None:
    """1.1: group ids are unique; the treated group is there and is population.n people."""
    if "groups" not in s:
        return
    if len({g["id"] for g in s["groups"]}) != len(s["groups"]):
        out.append(_err(doc, ("groups",), "two groups with one id"))
    treated = [g for g in s["groups"] if g["role"] == "treated"]
    if not treated:
        out.append(_err(doc, ("groups",), "expected a group with role: treated; got none"))
    elif _num(treated[0]["n"]) and treated[0]["n"] != n:
        out.append(_err(doc, ("groups", s["groups"].index(treated[0]), "n"),
                        f"the treated group's n ({treated[0]['n']}) differs from population.n ({n})"))


def _subgroups(doc, s, n, out) -> None:
    """1.2: subgroup ids are unique, name one of the study's conditions and are no larger
    than the people treated; prior treatments count no more people than were treated."""
    pop = s["population"]
    seen: set[str] = set()
    for i, g in enumerate(pop.get("subgroups", [])):
        at = ("population", "subgroups", i)
        if g["id"] in seen:
            out.append(_err(doc, at + ("id",), f"two subgroups with id `{g['id']}`"))
        seen.add(g["id"])
        if "condition" in g and g["condition"] not in s["conditions"]:
            out.append(_err(doc, at + ("condition",),
                            f"`{g['condition']}` is not one of this study's conditions",
                            _near(g["condition"], s["conditions"]) or "add it to conditions"))
        if _num(g.get("n")) and g["n"] > n:
            out.append(_err(doc, at + ("n",), f"{g['n']} is more than population.n ({n})",
                            "a subgroup is a part of the people treated"))
        _percent(doc, at + ("percent",), g.get("n", NR), n, g.get("percent"), out, "n", "population.n")
    for i, t in enumerate(pop.get("prior_treatments", [])):
        at = ("population", "prior_treatments", i)
        if _num(t.get("n")) and t["n"] > n:
            out.append(_err(doc, at + ("n",), f"{t['n']} is more than population.n ({n})"))
        _percent(doc, at + ("percent",), t.get("n", NR), n, t.get("percent"), out, "n", "population.n")


def _regimen_n(doc, s, n, out) -> None:
    """1.2: a regimen is never given to more people than were treated."""
    for i, r in enumerate(s["regimens"]):
        v = r.get("n")
        k = v["at_least"] if isinstance(v, dict) else v
        if _num(k) and k > n:
            out.append(_err(doc, ("regimens", i, "n"), f"{k} people is more than population.n ({n})",
                            "regimens[].n counts the people who had this regimen"))


def _outcomes(doc, s, n, out) -> None:
    """Outcome ids are unique; each outcome has the fields of its type, with consistent
    figures, and counts no more people than its group, subgroup or population has."""
    groups = {g["id"]: g for g in s.get("groups", [])}
    subgroups: dict[str, dict] = {}
    for g in s["population"].get("subgroups", []):
        subgroups.setdefault(g["id"], g)
    seen: dict[str, int] = {}
    for i, o in enumerate(s["outcomes"]):
        at = ("outcomes", i)
        if o["id"] in seen:
            out.append(_err(doc, at + ("id",), f"two outcomes with id `{o['id']}` (also outcomes[{seen[o['id']]}])"))
        seen.setdefault(o["id"], i)
        gn, label = _whose(doc, at, o, n, groups, subgroups, out)
        wrong = ("events", "of", "percent", "counted_in") if o["type"] == "continuous" \
            else ("baseline", "follow_up", "unit")
        for k in wrong:
            if k in o:
                out.append(_err(doc, at + (k,), f"`{k}` does not belong to a {o['type']} outcome",
                                "continuous outcomes have baseline and follow_up; counts have events and of",
                                key=True))
        if o["type"] == "continuous":
            _stats(doc, at + ("baseline",), o["baseline"], out)
            _stats(doc, at + ("follow_up",), o["follow_up"], out)
        else:
            _count_rules(doc, at, o, gn, out, label)


def _whose(doc, at, o, n, groups, subgroups, out) -> tuple:
    """(n, field label) of the people an outcome counts: its group's, its subgroup's (1.2),
    or population.n; a group or subgroup that does not exist is an error."""
    gn, label = n, "population.n"
    for key, known, where in (("group", groups, "groups"), ("subgroup", subgroups, "population.subgroups")):
        if key not in o:
            continue
        if o[key] not in known:
            out.append(_err(doc, at + (key,), f"no {key} with id `{o[key]}`",
                            _near(o[key], known) or f"add it under {where}"))
        else:
            gn, label = known[o[key]].get("n", NR), f"{where}[{list(known).index(o[key])}].n"
    return gn, label


def _safety(doc, s, n, out) -> None:
    """Serious events and deaths count no more people than were treated, deaths no more
    than serious events; each adverse event's counts are consistent."""
    saf = s["safety"]
    sae = saf["serious_adverse_events"]
    sae_n = sae["at_least"] if isinstance(sae, dict) else sae
    if _num(sae_n) and sae_n > n:
        out.append(_err(doc, ("safety", "serious_adverse_events"),
                        f"{sae_n} people is more than population.n ({n})"))
    deaths = saf.get("deaths")
    if _num(deaths) and deaths > n:
        out.append(_err(doc, ("safety", "deaths"), f"{deaths} is more than population.n ({n})"))
    if _num(deaths) and _num(sae) and deaths > sae:
        out.append(_err(doc, ("safety", "deaths"),
                        f"{deaths} deaths is more than serious_adverse_events ({sae})",
                        "a death counts as a serious adverse event"))
    if isinstance(saf["adverse_events"], list):
        for i, ae in enumerate(saf["adverse_events"]):
            _count_rules(doc, ("safety", "adverse_events", i), ae, n, out)


# the content model's consistency rules for a study, each (doc, study, population.n, out)
STUDY_RULES = (_population, _follow_up, _dates, _studied_drugs, _regimen_ranges, _groups,
               _subgroups, _regimen_n, _outcomes, _safety)


def check_study(doc: SourceDoc) -> list[ContentError]:
    """The content model's consistency rules for one schema-valid study."""
    out: list[ContentError] = []
    for rule in STUDY_RULES:
        rule(doc, doc.data, doc.data["population"]["n"], out)
    return out


def _count_rules(doc, at, o, n, out, label="population.n"):
    ev, of = o["events"], o["of"]
    if _num(ev) and _num(of) and ev > of:
        out.append(_err(doc, at + ("events",), f"events ({ev}) is more than of ({of})"))
    if o.get("counted_in", "people") == "people" and _num(n):
        for k in ("events", "of"):
            if _num(o[k]) and o[k] > n:
                out.append(_err(doc, at + (k,), f"{o[k]} people is more than {label} ({n})",
                                "if these are treatment courses, add counted_in: courses"))
    _percent(doc, at + ("percent",), ev, of, o.get("percent"), out)

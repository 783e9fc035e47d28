"""schema.org JSON-LD for a study page: the article (MedicalScholarlyArticle) about its
conditions, its drugs as Drug, and the study itself as a MedicalStudy where one fits.

Only YAML values go in; `not-reported` fields are left out. The template prints the
result with Jinja's `tojson`, which escapes <, >, & and ' so the data block cannot
close its <script> element; the block is data, not script, so the page CSP holds.
"""
from __future__ import annotations

from .cite import in_press, pages_text, split_name, year_text
from ..content.fmt import NR
from ..content.model import Study
from ..content.vocabulary import BLINDINGS, COMPARISONS, DESIGNS

SCHEMA = "https://schema.org"
_GROUP_WORDS = {"group", "study", "consortium", "network", "society", "collaborative",
                "investigators", "committee", "association", "registry"}


def _person(name: str) -> dict:
    n = split_name(name)
    if "literal" in n:      # a group, or a name we do not split: keep it whole
        group = any(w.lower().strip(".,") in _GROUP_WORDS for w in name.split())
        return {"@type": "Organization" if group else "Person", "name": name}
    return {"@type": "Person", "name": name, "familyName": n["family"]}


def _condition(c) -> dict:
    out = {"@type": "MedicalCondition", "name": c.name}
    if c.data.get("also_known_as"):
        out["alternateName"] = list(c.data["also_known_as"])
    return out


def _drug(d) -> dict:
    return {"@type": "Drug", "name": d.name, "drugClass": {"@type": "DrugClass", "name": d.drug_class}}


def medical_study(study: Study) -> dict | None:
    """The study as a MedicalStudy subtype, or None where none fits (a case report)."""
    kind = DESIGNS[study.data["design"]["type"]].schema_org     # None: a case report is not a study
    if kind is None:
        return None
    typ, prop, value = kind
    out: dict = {"@type": typ, "name": study.data["title"],
                 "description": study.data["design"]["description"],
                 # named briefly: the article's about/mentions give the details once
                 "healthCondition": [{"@type": "MedicalCondition", "name": c.name} for c in study.conditions],
                 "studySubject": [{"@type": "Drug", "name": d.name} for d in study.drugs]}
    designs = [value] if value else []
    if typ == "MedicalTrial":
        designs += [v for v in (BLINDINGS[study.data["design"]["blinding"]].schema_org,
                                COMPARISONS[study.data["design"]["comparison"]].schema_org) if v]
    if designs:
        vals = [f"{SCHEMA}/{v}" for v in designs]
        out[prop] = vals[0] if len(vals) == 1 else vals
    return out


def article(study: Study) -> dict:
    """The JSON-LD object for a study page."""
    s, c = study.data, study.data["citation"]
    out: dict = {"@context": SCHEMA, "@type": "MedicalScholarlyArticle", "name": s["title"],
                 "headline": s["title"],
                 "about": [_condition(x) for x in study.conditions],
                 "mentions": [_drug(d) for d in {r.drug.id: r.drug for r in study.regimens}.values()]}
    if c.get("url"):
        out["url"] = c["url"]
    if c["authors"] != NR:
        out["author"] = [_person(a) for a in c["authors"]]
    if year_text(c):
        out["datePublished"] = year_text(c)
    if in_press(c):
        out["creativeWorkStatus"] = "in press"
    part: dict | None = {"@type": "Periodical", "name": c["journal"]} if c["journal"] != NR else None
    for key, typ, num in (("volume", "PublicationVolume", "volumeNumber"),
                          ("issue", "PublicationIssue", "issueNumber")):
        if c.get(key, NR) != NR:
            part = {"@type": typ, num: str(c[key]), **({"isPartOf": part} if part else {})}
    if part:
        out["isPartOf"] = part
    if c.get("pages", NR) != NR:
        out["pagination"] = pages_text(c["pages"])     # 3168-74 -> 3168-3174, as the exports
    ids, same = [], []
    if c["pmid"] != NR:
        ids.append({"@type": "PropertyValue", "propertyID": "PMID", "value": str(c["pmid"])})
        same.append(f"https://pubmed.ncbi.nlm.nih.gov/{c['pmid']}/")
    if c["doi"] != NR:
        ids.append({"@type": "PropertyValue", "propertyID": "DOI", "value": c["doi"]})
        same.append(f"https://doi.org/{c['doi']}")
    if ids:
        out["identifier"] = ids
        out["sameAs"] = same
    ms = medical_study(study)
    if ms:
        out["mainEntity"] = ms
    return out

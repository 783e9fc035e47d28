"""`build.py import FILE`: start a study from a local bibliographic record (issue 9).

Reads a PubMed record as `efetch` returns it (PubmedArticleSet XML) or a
ClinicalTrials.gov study as its API v2 returns it (JSON), and writes the study skeleton
with the citation filled in from the record (title, authors, journal, year, volume,
issue, pages, PMID, DOI) and the abstract into content/sources/<id>.txt. Only what the
record says is copied; everything else stays a placeholder for a person to fill in.
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from .scaffold import MARK, AuthoringError, skeleton, slug, write

NR = "not-reported"


def _q(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def _text(el) -> str:
    return re.sub(r"\s+", " ", "".join(el.itertext())).strip() if el is not None else ""


def from_pubmed(root: ET.Element) -> dict:
    """Citation fields and abstract of the first PubmedArticle."""
    art = root.find(".//PubmedArticle")
    if art is None:
        raise AuthoringError("no <PubmedArticle> in the file; save the record with efetch (retmode=xml)")
    cit = art.find("MedlineCitation")
    a = cit.find("Article") if cit is not None else None
    if a is None:
        raise AuthoringError("the PubMed record has no <Article>")
    journal = a.find("Journal")
    issue = journal.find("JournalIssue") if journal is not None else None
    year = _text(issue.find("PubDate/Year")) if issue is not None else ""
    if not year and issue is not None:
        m = re.match(r"\d{4}", _text(issue.find("PubDate/MedlineDate")))
        year = m.group(0) if m else ""
    authors = []
    for au in a.findall("AuthorList/Author"):
        name = " ".join(x for x in (_text(au.find("LastName")), _text(au.find("Initials"))) if x)
        authors.append(name or _text(au.find("CollectiveName")))
    doi = next((_text(e) for e in a.findall("ELocationID") if e.get("EIdType") == "doi"), "") or \
        next((_text(e) for e in art.findall("PubmedData/ArticleIdList/ArticleId")
              if e.get("IdType") == "doi"), "")
    parts = []
    for t in a.findall("Abstract/AbstractText"):
        label = t.get("Label")
        parts.append(f"{label}: {_text(t)}" if label else _text(t))
    name = (_text(journal.find("ISOAbbreviation")) or _text(journal.find("Title"))) if journal is not None else ""
    return {"title": _text(a.find("ArticleTitle")), "authors": [x for x in authors if x],
            "journal": name.rstrip("."), "year": year,
            "volume": _text(issue.find("Volume")) if issue is not None else "",
            "issue": _text(issue.find("Issue")) if issue is not None else "",
            "pages": _text(a.find("Pagination/MedlinePgn")), "pmid": _text(cit.find("PMID")),
            "doi": doi, "abstract": "\n".join(p for p in parts if p),
            "source": f"PubMed record {_text(cit.find('PMID'))}"}


def from_ctgov(data: dict) -> dict:
    """Title, registry id, a linked result's PMID and the summary of an API v2 study."""
    proto = data.get("protocolSection") if isinstance(data, dict) else None
    if not isinstance(proto, dict):
        raise AuthoringError("no protocolSection in the JSON; save the study from the ClinicalTrials.gov API v2")
    ident = proto.get("identificationModule", {})
    desc = proto.get("descriptionModule", {})
    refs = proto.get("referencesModule", {}).get("references", [])
    result = next((r for r in refs if r.get("type") == "RESULT" and r.get("pmid")), {})
    abstract = "\n".join(x for x in (desc.get("briefSummary", ""), desc.get("detailedDescription", "")) if x)
    return {"title": ident.get("officialTitle") or ident.get("briefTitle", ""), "authors": [],
            "journal": "", "year": "", "volume": "", "issue": "", "pages": "",
            "pmid": str(result.get("pmid", "")), "doi": "", "abstract": abstract.strip(),
            "source": f"ClinicalTrials.gov {ident.get('nctId', '')}".strip(),
            "nct": ident.get("nctId", "")}


def read_record(file: Path) -> dict:
    """The record's fields, from XML (PubMed) or JSON (ClinicalTrials.gov)."""
    try:
        raw = Path(file).read_bytes()
    except OSError as e:
        raise AuthoringError(f"cannot read {file}: {e.strerror}") from None
    if raw.lstrip().startswith(b"<"):
        try:
            return from_pubmed(ET.fromstring(raw))   # expat: no external entities are fetched
        except ET.ParseError as e:
            raise AuthoringError(f"{file}: not well-formed XML ({e})") from None
    try:
        return from_ctgov(json.loads(raw))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise AuthoringError(f"{file}: neither PubMed XML nor ClinicalTrials.gov JSON ({e})") from None


def import_file(content: Path, file: Path) -> Path:
    """Write the pre-filled study and its source text; return the study's path."""
    r = read_record(file)
    surname = (r["authors"][0].split()[0] if r["authors"] else r.get("nct", "")) or "study"
    words = [w for w in re.findall(r"[A-Za-z0-9]+", r["title"]) if len(w) > 3][:3]
    ident = slug(" ".join([surname, r["year"], *words]))
    fields = {"authors": "[" + ", ".join(_q(a) for a in r["authors"]) + "]" if r["authors"] else NR,
              "journal": _q(r["journal"]) if r["journal"] else _q(f"{MARK} the journal"),
              "year": r["year"] if r["year"].isdigit() else _q(f"{MARK} the year of publication")}
    for k in ("volume", "issue", "pages", "pmid", "doi"):
        fields[k] = _q(r[k]) if r[k] else NR
    text = skeleton(ident, fields)
    if r["title"]:
        text = text.replace(f'title: "{MARK} the title as published"', f"title: {_q(r['title'])}", 1)
    sources = Path(content) / "sources" / f"{ident}.txt"
    if sources.exists():
        raise AuthoringError(f"{sources} already exists; edit it, or remove it and import again")
    path = write(content, ident, text)
    sources.parent.mkdir(parents=True, exist_ok=True)
    sources.write_text(f"Source: {r['source']}\n\n{r['abstract']}\n", encoding="utf-8")
    return path

"""The two record formats of `build.py import`: PubMed efetch XML and ClinicalTrials.gov API v2 JSON.

`pubmed_articles` and `ctgov_studies` split a file's bytes into records: a
`<PubmedArticleSet>` (any number of `<PubmedArticle>`) or a bare `<PubmedArticle>`; one
API v2 study (`{"protocolSection": ...}`), an API v2 search response (`{"studies":
[...]}`) or a JSON list of studies. A file that is not one of these raises
AuthoringError naming what the file is and what was expected. `fill_pubmed` and
`fill_ctgov` copy one record's fields into a `Record`, raising `Refused` (with the
field named) for a control character or a record that cannot become a study. Only what
the record says is copied.
"""
from __future__ import annotations

import codecs
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from .fmt import pages_text
from .scaffold import AuthoringError

EXPECTED = ("expected PubMed XML (<PubmedArticleSet> or <PubmedArticle>) "
            "or ClinicalTrials.gov API v2 JSON")
CTGOV_URL = "https://clinicaltrials.gov/study/"

# What `check` refuses in a YAML scalar (strict_yaml.CONTROL), plus lone surrogates, which
# cannot be written as UTF-8, plus the masked XML controls below.
_MASK = 0xF0000
_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
                  f"{chr(_MASK)}-{chr(_MASK + 0x1F)}]")
# XML 1.0 forbids C0 controls even as character references, so expat would stop at the
# first one without naming the element. In a UTF-8 file (as efetch writes) they are masked
# as private-use characters before parsing and reported by field afterwards; a file in
# another encoding is parsed as it is.
_C0_BYTE = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_C0_REF = re.compile(rb"&#(x[0-9a-fA-F]+|[0-9]+);")
_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)")

LANGUAGES = {  # NLM <Language> codes (ISO 639-2/B) seen on translated titles
    "afr": "Afrikaans", "ara": "Arabic", "bul": "Bulgarian", "cat": "Catalan", "chi": "Chinese",
    "cze": "Czech", "dan": "Danish", "dut": "Dutch", "est": "Estonian", "fin": "Finnish",
    "fre": "French", "ger": "German", "gre": "Greek", "heb": "Hebrew", "hrv": "Croatian",
    "hun": "Hungarian", "ice": "Icelandic", "ita": "Italian", "jpn": "Japanese", "kor": "Korean",
    "lav": "Latvian", "lit": "Lithuanian", "nor": "Norwegian", "per": "Persian", "pol": "Polish",
    "por": "Portuguese", "rum": "Romanian", "rus": "Russian", "slo": "Slovak", "slv": "Slovenian",
    "spa": "Spanish", "srp": "Serbian", "swe": "Swedish", "tur": "Turkish", "ukr": "Ukrainian",
}


class Refused(AuthoringError):
    """This record cannot become a study; the others in the file still can."""


@dataclass
class Record:
    """One record's citation fields, source text and notes (empty string: not given)."""
    kind: str                       # "PubMed" or "ClinicalTrials.gov"
    title: str = ""
    authors: list[str] = field(default_factory=list)
    surname: str = ""               # the first author's surname, for the id
    journal: str = ""
    year: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    pmid: str = ""
    doi: str = ""
    nct: str = ""
    url: str = ""
    abstract: str = ""
    source: str = ""                # the source file's first line, after "Source: "
    notes: list[str] = field(default_factory=list)     # source-file lines after the Source line
    extra: list[str] = field(default_factory=list)     # source-file lines after the abstract
    comments: dict[str, str] = field(default_factory=dict)  # YAML comment by field name
    header: list[str] = field(default_factory=list)    # YAML comment lines above `citation:`
    problem: str = ""               # why it is refused

    def ident(self) -> str:
        """How the report names the record: 'PMID 123', 'NCT01234567', 'DOI 10.x/y' or ''."""
        return (f"PMID {self.pmid}" if self.pmid else self.nct
                or (f"DOI {self.doi}" if self.doi else ""))


def one_line(text: str) -> str:
    """White space (line separators included) folded to single spaces."""
    return " ".join(text.split())


def clean(value: str, where: str) -> str:
    """`value`, refused when it holds a control character (named by `where`)."""
    bad = _BAD.search(value)
    if bad:
        code = ord(bad.group())
        code = code - _MASK if code >= _MASK else code
        raise Refused(f"control character U+{code:04X} in {where} (character {bad.start() + 1}); "
                      f"remove it from the file and import again")
    return value


# ---------------------------------------------------------------- PubMed XML

def _mask_controls(raw: bytes) -> bytes:
    enc = _ENCODING.match(raw)
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or \
            (enc and enc.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8")):
        return raw

    def ref(m: re.Match) -> bytes:
        t = m.group(1)
        n = int(t[1:], 16) if t.startswith(b"x") else int(t)
        return f"&#{_MASK + n};".encode() if n < 0x20 and n not in (9, 10, 13) else m.group()
    raw = _C0_BYTE.sub(lambda m: chr(_MASK + m.group()[0]).encode("utf-8"), raw)
    return _C0_REF.sub(ref, raw)


def pubmed_articles(body: bytes, name: str) -> list[ET.Element]:
    try:
        root = ET.fromstring(_mask_controls(body))   # expat: no external entity is fetched
    except ET.ParseError as e:
        why = re.sub(r"^not well-formed \((.*?)\)", r"\1", str(e))
        raise AuthoringError(f"{name}: an XML file that is not well-formed ({why}); {EXPECTED}") from None
    if root.tag == "PubmedArticle":
        return [root]
    if root.tag == "PubmedArticleSet":
        items = [el for el in root if el.tag in ("PubmedArticle", "PubmedBookArticle")]
        if not items:
            raise AuthoringError(f"{name}: a <PubmedArticleSet> with no <PubmedArticle>; expected "
                                 f"at least one record (efetch db=pubmed retmode=xml)")
        return items
    hint = (" (an esearch result: it lists PMIDs only; fetch the records with efetch "
            "db=pubmed retmode=xml)") if root.tag == "eSearchResult" else ""
    raise AuthoringError(f"{name}: an XML file whose root element is <{root.tag}>{hint}; {EXPECTED}")


def _text(el, where: str = "") -> str:
    """An element's text, checked for control characters (`where` names it), white space folded."""
    return one_line(clean("".join(el.itertext()), where or f"<{el.tag}>")) if el is not None else ""


def fill_pubmed(rec: Record, art: ET.Element) -> None:
    if art.tag == "PubmedBookArticle":
        rec.pmid = _text(art.find("BookDocument/PMID"))
        raise Refused("a book or book chapter (<PubmedBookArticle>); expected a journal article "
                      "(<PubmedArticle>)")
    cit = art.find("MedlineCitation")
    rec.pmid = _text(cit.find("PMID")) if cit is not None else ""
    a = cit.find("Article") if cit is not None else None
    if a is None:
        raise Refused("no <MedlineCitation>/<Article>; expected a PubMed article record")
    _journal(rec, a.find("Journal"))
    _authors(rec, a)
    rec.pages = _pages(a.find("Pagination"))
    rec.doi = _doi(rec, art, a)
    _title(rec, a)
    parts = []
    for n, t in enumerate(a.findall("Abstract/AbstractText"), 1):
        label = one_line(clean(t.get("Label") or "", f"the Label of <AbstractText> {n}"))
        body = _text(t, f"<AbstractText> {n}")
        parts.append(f"{label}: {body}" if label else body)
    rec.abstract = "\n".join(p for p in parts if p)
    rec.source = f"PubMed record {rec.pmid}"


def _journal(rec: Record, journal) -> None:
    if journal is None:
        return
    name = _text(journal.find("ISOAbbreviation")) or _text(journal.find("Title"))
    rec.journal = name.rstrip(".")
    issue = journal.find("JournalIssue")
    if issue is None:
        return
    rec.year = _text(issue.find("PubDate/Year"))
    if not rec.year:
        m = re.match(r"\d{4}", _text(issue.find("PubDate/MedlineDate")))
        rec.year = m.group(0) if m else ""
    rec.volume = _text(issue.find("Volume"))
    rec.issue = _text(issue.find("Issue"))


def _authors(rec: Record, a: ET.Element) -> None:
    for n, au in enumerate(a.findall("AuthorList/Author"), 1):
        if au.get("ValidYN") == "N":          # NLM marks a wrongly given name invalid
            continue
        last = _text(au.find("LastName"), f"<LastName> of <Author> {n}")
        name = " ".join(x for x in (last, _text(au.find("Initials"), f"<Initials> of <Author> {n}")) if x) \
            or _text(au.find("CollectiveName"), f"<CollectiveName> of <Author> {n}")
        if name:
            rec.authors.append(name)
            rec.surname = rec.surname or last or name.split()[0]


def _pages(pag) -> str:
    """StartPage-EndPage where given, else MedlinePgn; abbreviated ranges written in full."""
    if pag is None:
        return ""
    start, end = _text(pag.find("StartPage")), _text(pag.find("EndPage"))
    pgn = _text(pag.find("MedlinePgn"))
    if start and end:
        return pages_text(start if start == end else f"{start}-{end}")
    return pages_text(pgn) if pgn else start


def _doi(rec: Record, art: ET.Element, a: ET.Element) -> str:
    doi = next((_text(e) for e in a.findall("ELocationID")
                if e.get("EIdType") == "doi" and e.get("ValidYN") != "N"), "") or \
        next((_text(e) for e in art.findall("PubmedData/ArticleIdList/ArticleId")
              if e.get("IdType") == "doi"), "")
    doi = re.sub(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", "", doi, flags=re.I)
    if doi and not doi.startswith("10."):
        rec.comments["doi"] = f"the record gives {json.dumps(doi, ensure_ascii=False)}, not a DOI"
        return ""
    return doi


def _unbracket(title: str) -> str | None:
    """NLM's '[Translated title].' -> 'Translated title.'; None when not wholly bracketed."""
    if not title.startswith("["):
        return None
    depth = 0
    for i, ch in enumerate(title):
        depth += {"[": 1, "]": -1}.get(ch, 0)
        if depth == 0:
            rest = title[i + 1:]
            if rest not in ("", "."):
                return None
            inner = title[1:i].strip()
            return inner + rest if inner[-1:] not in (".", "?", "!") else inner
    return None


def _title(rec: Record, a: ET.Element) -> None:
    """The title; NLM's bracketed English translation kept without brackets, with a note."""
    title = _text(a.find("ArticleTitle"))
    original = _text(a.find("VernacularTitle"))
    codes = [_text(x).lower() for x in a.findall("Language")]
    names = [LANGUAGES.get(c, f"the language coded {json.dumps(c)}") for c in codes if c and c != "eng"]
    language = " and ".join(names)
    inner = _unbracket(title)
    if inner is None and title:
        rec.title = title
        return
    if inner and inner.rstrip(".").lower() != "not available":
        rec.title = inner
        note = ("NLM's English translation of the title; the original is in "
                + (language or "another language (the record does not say which)")
                + (f": {json.dumps(original, ensure_ascii=False)}" if original else ""))
    elif original:
        rec.title = original
        note = (f"the title as published{' in ' + language if language else ''}; "
                f"the record gives no English translation")
    else:
        return
    rec.comments["title"] = note
    rec.notes.append(f"Title: {note}")


# ---------------------------------------------------------------- ClinicalTrials.gov API v2 JSON

def _describe_json(data) -> str:
    if isinstance(data, dict):
        keys = ", ".join(json.dumps(k, ensure_ascii=False) for k in list(data)[:5]) or "none"
        v1 = {"FullStudiesResponse", "FullStudy", "StudyFieldsResponse"} & set(data)
        return (f"a JSON object whose keys are {keys}"
                + (" (the retired ClinicalTrials.gov API v1 format)" if v1 else ""))
    if isinstance(data, list):
        return f"a JSON list of {len(data)} item{'s' * (len(data) != 1)} that are not API v2 studies"
    return f"a JSON {type(data).__name__}"


def ctgov_studies(body: bytes, name: str) -> list:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise AuthoringError(f"{name}: a file that is not UTF-8 text (byte 0x{body[e.start]:02x} "
                             f"at offset {e.start}); {EXPECTED}") from None
    try:
        data = json.loads(text, strict=False)     # raw controls in strings: named per field below
    except json.JSONDecodeError as e:
        raise AuthoringError(f"{name}: a file that is not valid JSON (line {e.lineno}, column "
                             f"{e.colno}: {e.msg}); {EXPECTED}") from None
    if isinstance(data, dict) and "protocolSection" in data:
        return [data]
    if isinstance(data, dict) and isinstance(data.get("studies"), list):
        if not data["studies"]:
            raise AuthoringError(f"{name}: a ClinicalTrials.gov API v2 search response with no "
                                 f"studies; expected at least one study")
        return data["studies"]
    if isinstance(data, list) and data and all(isinstance(x, dict) and "protocolSection" in x
                                               for x in data):
        return data
    raise AuthoringError(f"{name}: {_describe_json(data)}; {EXPECTED}: one study "
                         f'({{"protocolSection": ...}}) or a search response ({{"studies": [...]}})')


def _value(value, where: str) -> str:
    """A JSON value as text, checked for control characters; '' when absent."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise Refused(f"{where} is a JSON {type(value).__name__}; expected text")
    return clean(str(value), where).strip()


def _get(obj, *keys: str) -> str:
    """The text at protocolSection.<keys>; '' when absent."""
    for k in keys:
        obj = obj.get(k) if isinstance(obj, dict) else None
    return _value(obj, ".".join(keys))


def fill_ctgov(rec: Record, study) -> None:
    """The registry's own citation: NCT number, title, sponsor, dates and address."""
    proto = study.get("protocolSection") if isinstance(study, dict) else None
    if not isinstance(proto, dict):
        raise Refused('no "protocolSection"; expected a ClinicalTrials.gov API v2 study')
    rec.nct = one_line(_get(proto, "identificationModule", "nctId"))
    rec.title = one_line(_get(proto, "identificationModule", "officialTitle")
                         or _get(proto, "identificationModule", "briefTitle"))
    if rec.nct:
        rec.url = CTGOV_URL + rec.nct
        rec.source = f"ClinicalTrials.gov {rec.nct}, {rec.url}"
    sponsor = one_line(_get(proto, "sponsorCollaboratorsModule", "leadSponsor", "name"))
    if sponsor:
        rec.authors = [sponsor]
        rec.comments["authors"] = "the registry's lead sponsor; ClinicalTrials.gov names no authors"
    _ctgov_dates(rec, proto)
    brief = _get(proto, "descriptionModule", "briefSummary")
    detail = _get(proto, "descriptionModule", "detailedDescription")
    if one_line(detail) == one_line(brief):
        detail = ""                             # the same text given twice: written once
    rec.abstract = "\n".join(x for x in (brief, detail) if x)
    _ctgov_references(rec, proto)


def _ctgov_dates(rec: Record, proto: dict) -> None:
    status = "statusModule"
    posted = _get(proto, status, "studyFirstPostDateStruct", "date") \
        or _get(proto, status, "studyFirstSubmitDate")
    if re.match(r"\d{4}", posted):
        rec.year = posted[:4]
        rec.comments["year"] = f"first posted on ClinicalTrials.gov: {posted}"
    facts = [f"lead sponsor {rec.authors[0]}"] if rec.authors else []
    for key, what in (("studyFirstPostDateStruct", "first posted"), ("startDateStruct", "start"),
                      ("primaryCompletionDateStruct", "primary completion"),
                      ("completionDateStruct", "completion")):
        date = one_line(_get(proto, status, key, "date"))
        kind = one_line(_get(proto, status, key, "type")).lower()
        if date:
            facts.append(f"{what} {date}" + (f" ({kind})" if kind else ""))
    if facts:
        rec.extra.append("Registry record: " + "; ".join(facts) + ".")


def _ctgov_references(rec: Record, proto: dict) -> None:
    """References the registry lists as results: in the source and a comment, never the citation."""
    refs = (proto.get("referencesModule") or {}).get("references") or []
    found = []
    for n, ref in enumerate(refs if isinstance(refs, list) else []):
        if not isinstance(ref, dict) or ref.get("type") != "RESULT":
            continue
        pmid = one_line(_value(ref.get("pmid"), f"referencesModule.references[{n}].pmid"))
        text = one_line(_value(ref.get("citation"), f"referencesModule.references[{n}].citation"))
        found.append((f"PMID {pmid}: " if pmid else "") + (text or "(no citation given)"))
    if not found:
        return
    rec.extra.append(f"References ClinicalTrials.gov lists as results of {rec.nct or 'this trial'} "
                     f"(papers, not this registry citation):")
    rec.extra += [f"- {x}" for x in found]
    rec.header.append(f"ClinicalTrials.gov lists these as results of {rec.nct or 'this trial'}; they are "
                      f"papers, not this registry citation")
    rec.header.append("(import a paper from its own PubMed record):")
    rec.header += [f"  {x}" for x in found]

"""Citations: the formatted reference and RIS, BibTeX and CSL-JSON downloads of a study.

Everything comes from `citation` in the study's YAML. A `not-reported` field is left
out of every export; nothing is filled in. The formatted reference is Vancouver style
and shows the pages as published ("3168-74"); the machine exports carry the full end
page ("3168-3174", "e159-e163"), because a reference manager or citeproc does not expand
an abbreviated range and would otherwise store an end page (74) below the start page.
Authors written as a surname and initials ("Willems M") are exported split into family
and given name; any other name (a group, "Ting-Wei Lin") is one literal name, never guessed.
RIS and BibTeX are written here rather than with a library: they are line formats of a
dozen fields, and the tests read them back with independent parsers (rispy,
bibtexparser, citeproc-py) as a reference manager would.
"""
from __future__ import annotations

import json
import re
from functools import partial

from ..content.fmt import NR, page_range, pages_text, split_pages  # noqa: F401 - cite.pages_text is part of this module's API
from .fragments import Fragments

# "Willems M", "Marks SD", "Aeschlimann F.A.": a surname and initials as PubMed writes them.
# Anything else ("Ting-Wei Lin", a group name) is kept whole as a literal name: we do not
# guess which part is the surname.
_SURNAME_INITIALS = re.compile(r"^(?P<family>\S.*?)\s+(?P<given>(?:[A-Z]\.?-?){1,4})$")
_BIBTEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&",
                   "#": r"\#", "_": r"\_", "$": r"\$", "~": r"\textasciitilde{}",
                   "^": r"\textasciicircum{}"}
VANCOUVER_AUTHORS = 6      # list six authors, then "et al." (ICMJE/Vancouver)


def _given(c: dict, key: str):
    """A citation field's value, or None when absent or not-reported."""
    v = c.get(key)
    return None if v is None or v == NR else v


def split_name(name: str) -> dict:
    """'Willems M' -> {family, given}; anything else -> {literal}."""
    m = _SURNAME_INITIALS.match(name.strip())
    if m:
        return {"family": m.group("family"), "given": m.group("given")}
    return {"literal": name.strip()}


def year_text(c: dict) -> str | None:
    y = _given(c, "year")
    return str(y) if y is not None else None


def in_press(c: dict) -> bool:
    return c.get("status") == "in-press"


def short_ref(study) -> str:
    """'Willems M et al., 2006'; 'Arthritis Rheum, 2005' when the authors are not reported."""
    c = study.data["citation"]
    authors = _given(c, "authors")
    when = year_text(c) or ("in press" if in_press(c) else "year not reported")
    if authors:
        who = authors[0].rstrip(".") + (" et al." if len(authors) > 1 else "")
    else:
        who = _given(c, "journal") or study.id
    return f"{who}, {when}"


def reference(study) -> str:
    """The formatted reference (Vancouver style), from the YAML only."""
    c = study.data["citation"]
    parts = []
    authors = _given(c, "authors")
    if authors:
        names = [a.rstrip(".") for a in authors[:VANCOUVER_AUTHORS]]
        parts.append(", ".join(names) + (", et al." if len(authors) > VANCOUVER_AUTHORS else "."))
    title = study.data["title"].strip()
    parts.append(title if title[-1:] in ".?!" else title + ".")
    journal = _given(c, "journal")
    if journal:
        parts.append(journal + ".")
    year = year_text(c)
    vol, iss, pages = _given(c, "volume"), _given(c, "issue"), _given(c, "pages")
    where = ""
    if vol is not None:
        where += str(vol) + (f"({iss})" if iss is not None else "")
    if pages is not None:
        where += f":{pages}"
    if year or where:
        parts.append((year or "") + (";" + where if where and year else where) + ".")
    if in_press(c):
        parts.append("In press.")
    doi, pmid = _given(c, "doi"), _given(c, "pmid")
    if doi:
        parts.append(f"doi:{doi}.")
    if pmid is not None:
        parts.append(f"PMID: {pmid}.")
    return " ".join(parts)


def ris(study) -> str:
    """One RIS record (JOUR)."""
    c = study.data["citation"]
    lines = [("TY", "JOUR"), ("TI", study.data["title"])]
    for a in _given(c, "authors") or []:
        n = split_name(a)
        lines.append(("AU", n["literal"] if "literal" in n else f"{n['family']}, {n['given']}"))
    journal = _given(c, "journal")
    if journal:
        lines += [("T2", journal), ("JO", journal)]
    if year_text(c):
        lines.append(("PY", year_text(c)))
    for tag, key in (("VL", "volume"), ("IS", "issue")):
        if _given(c, key) is not None:
            lines.append((tag, str(_given(c, key))))
    pages = page_range(_given(c, "pages"))
    if pages:
        lines.append(("SP", pages[0]))
        if pages[1]:
            lines.append(("EP", pages[1]))
    if _given(c, "doi"):
        lines.append(("DO", _given(c, "doi")))
    if _given(c, "pmid") is not None:
        lines += [("AN", str(_given(c, "pmid"))), ("DB", "PubMed")]
    if c.get("url"):
        lines.append(("UR", c["url"]))
    if in_press(c):
        lines.append(("N1", "In press"))
    lines.append(("ER", ""))
    # RIS is line based: a line break inside a value would start a new tag
    return "".join(f"{tag}  - {' '.join(str(v).split())}".rstrip(" ") + "\r\n"
                   if tag != "ER" else "ER  - \r\n" for tag, v in lines)


def bibtex_escape(text: str) -> str:
    """Escape BibTeX/LaTeX special characters; keep other Unicode as UTF-8."""
    out = "".join(_BIBTEX_SPECIAL.get(ch, ch) for ch in " ".join(str(text).split()))
    return out


def bibtex_verbatim(text: str) -> str:
    """doi and url fields are verbatim in biblatex: only braces and backslashes are encoded."""
    return "".join({"{": "%7B", "}": "%7D", "\\": "%5C"}.get(ch, ch) for ch in str(text).strip())


def _protect_acronyms(text: str) -> str:
    """Brace words with two or more capitals (SLE, BILAG) so styles do not lowercase them."""
    return re.sub(r"(?<![\\\w])([A-Z][A-Za-z0-9-]*[A-Z][A-Za-z0-9-]*)", r"{\1}", text)


def bibtex(study) -> str:
    """One BibTeX @article entry keyed by the study id."""
    c = study.data["citation"]
    fields = [("title", _protect_acronyms(bibtex_escape(study.data["title"])))]
    authors = _given(c, "authors")
    if authors:
        names = []
        for a in authors:
            n = split_name(a)
            names.append("{" + bibtex_escape(n["literal"]) + "}" if "literal" in n
                         else f"{bibtex_escape(n['family'])}, {bibtex_escape(n['given'])}")
        fields.append(("author", " and ".join(names)))
    for key in ("journal", "year", "volume"):
        if _given(c, key) is not None:
            fields.append((key, bibtex_escape(_given(c, key))))
    if _given(c, "issue") is not None:
        fields.append(("number", bibtex_escape(_given(c, "issue"))))
    if _given(c, "pages") is not None:
        fields.append(("pages", bibtex_escape(pages_text(_given(c, "pages"), "--"))))
    if _given(c, "doi"):
        fields.append(("doi", bibtex_verbatim(_given(c, "doi"))))
    if _given(c, "pmid") is not None:
        fields.append(("pmid", bibtex_escape(_given(c, "pmid"))))
    if c.get("url"):
        fields.append(("url", bibtex_verbatim(c["url"])))
    if in_press(c):
        fields.append(("note", "In press"))
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)
    return f"@article{{{study.id},\n{body}\n}}\n"


def csl(study) -> dict:
    """A CSL-JSON item (the format Zotero and citeproc read)."""
    c = study.data["citation"]
    item: dict = {"id": study.id, "type": "article-journal", "title": study.data["title"]}
    authors = _given(c, "authors")
    if authors:
        item["author"] = [split_name(a) for a in authors]
    if _given(c, "journal"):
        item["container-title"] = _given(c, "journal")
    if year_text(c):
        item["issued"] = {"date-parts": [[int(year_text(c))]]}
    for key in ("volume", "issue"):
        if _given(c, key) is not None:
            item[key] = str(_given(c, key))
    if _given(c, "pages") is not None:
        item["page"] = pages_text(_given(c, "pages"))
    if _given(c, "doi"):
        item["DOI"] = _given(c, "doi")
    if _given(c, "pmid") is not None:
        item["PMID"] = str(_given(c, "pmid"))
    if c.get("url"):
        item["URL"] = c["url"]
    if in_press(c):
        item["status"] = "in press"       # CSL's wording; the YAML's enum value is "in-press"
    return item


def files(site, store: Fragments) -> list[tuple]:
    """studies/<id>/cite.ris, cite.bib and cite.json for every study, as
    render.whole_site_files describes them: each study's three files are keyed by its
    content, so a rebuild makes only the changed studies' (15,000 files at 5,000 studies)."""
    return [((f"studies/{s.id}/cite.ris", f"studies/{s.id}/cite.bib", f"studies/{s.id}/cite.json"),
             store.key("cite-files", s), partial(_files, s)) for s in site.studies]


def _files(s) -> list[tuple[str, bytes]]:
    base = f"studies/{s.id}/cite"
    return [(base + ".ris", ris(s).encode("utf-8")),
            (base + ".bib", bibtex(s).encode("utf-8")),
            (base + ".json", (json.dumps([csl(s)], ensure_ascii=False, indent=2) + "\n").encode("utf-8"))]

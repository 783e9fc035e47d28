"""Citations and JSON-LD (issues 5, 17): the formatted reference, RIS/BibTeX/CSL-JSON downloads
read back by reference-manager parsers (rispy, bibtexparser, citeproc-py), and schema.org
data that parses and keeps the CSP."""
from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import bibtexparser
import citeproc
import pytest
import rispy
from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON

from evidence.pages import cite, jsonld
from evidence.content.load import load_file
from evidence.build.pipeline import build

ROOT = Path(__file__).resolve().parents[2]
NR = "not-reported"
SEED = "rituximab-childhood-sle-2005"
IDS = sorted(p.stem for p in (ROOT / "content/studies").glob("*.yaml"))


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("cite") / "output"
    build(ROOT / "content", target)
    return target


def citation(sid: str) -> dict:
    return load_file(ROOT / f"content/studies/{sid}.yaml", "study").data


def given(c: dict, key: str):
    v = c.get(key)
    return None if v in (None, NR) else str(v)


def full_range(written: str | None) -> tuple[str | None, str | None]:
    """What the exports should give for the pages written in the YAML: the start page and
    the end page in full ('3168-74' -> 3168, 3174; 'e159-63' -> e159, e163), or the end as
    written when it is not an abbreviation that expands to a page at or above the start."""
    if written is None:
        return None, None
    first, _, last = (x.strip() for x in written.replace("–", "-").partition("-"))
    if not last:
        return first, None
    a, b = re.fullmatch(r"([A-Za-z]*)(\d+)", first), re.fullmatch(r"([A-Za-z]*)(\d+)", last)
    if not a or not b or b.group(1) not in ("", a.group(1)):
        return first, last
    digits = b.group(2)
    if len(digits) < len(a.group(2)):
        digits = a.group(2)[:len(a.group(2)) - len(digits)] + digits
    return (first, a.group(1) + digits) if int(digits) >= int(a.group(2)) else (first, last)


def authors_as_exported(names: list[str]) -> list[str]:
    """'Willems M' -> 'Willems, M' (RIS); a literal name stays whole."""
    out = []
    for a in names:
        n = cite.split_name(a)
        out.append(n["literal"] if "literal" in n else f"{n['family']}, {n['given']}")
    return out


@pytest.mark.parametrize("sid", IDS)
def test_ris_imports_with_rispy(out, sid):
    s = citation(sid)
    c = s["citation"]
    text = (out / f"studies/{sid}/cite.ris").read_text(encoding="utf-8")
    [entry] = rispy.loads(text)
    assert entry["type_of_reference"] == "JOUR"
    assert entry["title"] == s["title"]
    assert entry.get("secondary_title") == given(c, "journal")
    assert entry.get("year") == given(c, "year")
    assert entry.get("volume") == given(c, "volume")
    assert entry.get("number") == given(c, "issue")
    assert entry.get("doi") == given(c, "doi")
    assert entry.get("accession_number") == given(c, "pmid")
    assert (entry.get("start_page"), entry.get("end_page")) == full_range(given(c, "pages"))
    if c["authors"] == NR:
        assert "authors" not in entry          # left out, never invented
    else:
        assert entry["authors"] == authors_as_exported(c["authors"])


@pytest.mark.parametrize("sid", IDS)
def test_bibtex_imports_with_bibtexparser(out, sid):
    s = citation(sid)
    c = s["citation"]
    lib = bibtexparser.parse_string((out / f"studies/{sid}/cite.bib").read_text(encoding="utf-8"),
                                    append_middleware=[SeparateCoAuthors(), SplitNameParts()])
    assert not lib.failed_blocks
    [entry] = lib.entries
    assert (entry.entry_type, entry.key) == ("article", sid)
    f = {k: v.value for k, v in entry.fields_dict.items()}
    assert re.sub(r"[{}]", "", f["title"]) == s["title"]
    for bib, key in (("journal", "journal"), ("year", "year"), ("volume", "volume"), ("number", "issue"),
                     ("doi", "doi"), ("pmid", "pmid")):
        assert f.get(bib) == given(c, key), bib
    start, sep, end = (f.get("pages") or "").partition("--")
    assert "-" not in start + end
    assert (start or None, end or None) == full_range(given(c, "pages"))
    if c["authors"] == NR:
        assert "author" not in f
    else:
        assert len(f["author"]) == len(c["authors"])
        for name, parsed in zip(c["authors"], f["author"]):
            n = cite.split_name(name)
            if "literal" in n:           # kept whole: one braced last name
                assert (parsed.first, parsed.von, parsed.last) == ([], [], ["{" + n["literal"] + "}"])
            else:
                assert (parsed.last, parsed.first) == ([n["family"]], [n["given"]])


@pytest.mark.parametrize("sid", IDS)
def test_csl_json(out, sid):
    s = citation(sid)
    c = s["citation"]
    [item] = json.loads((out / f"studies/{sid}/cite.json").read_text(encoding="utf-8"))
    assert item["type"] == "article-journal" and item["title"] == s["title"]
    assert item.get("DOI") == given(c, "doi") and item.get("PMID") == given(c, "pmid")
    assert item.get("container-title") == given(c, "journal")
    assert ("issued" in item) == (given(c, "year") is not None)
    assert (item.get("status") == "in press") == (c.get("status") == "in-press")
    assert item.get("status") in (None, "in press")
    start, _, end = item.get("page", "").partition("-")
    assert (start or None, end or None) == full_range(given(c, "pages"))
    if c["authors"] != NR:
        assert item["author"] == [cite.split_name(a) for a in c["authors"]]


def test_seed_downloads_exactly(out):
    ris = (out / f"studies/{SEED}/cite.ris").read_bytes().decode("utf-8")   # CRLF kept
    assert ris == ("TY  - JOUR\r\n"
                   "TI  - B lymphocyte depletion therapy in children with refractory systemic lupus erythematosus\r\n"
                   "T2  - Arthritis Rheum\r\nJO  - Arthritis Rheum\r\nPY  - 2005\r\nVL  - 52\r\nIS  - 10\r\n"
                   "SP  - 3168\r\nEP  - 3174\r\nDO  - 10.1002/art.21351\r\nAN  - 16200620\r\nDB  - PubMed\r\n"
                   "UR  - https://www.qxmd.com/r/16200620\r\nER  - \r\n")
    bib = (out / f"studies/{SEED}/cite.bib").read_text(encoding="utf-8")
    assert bib == ("@article{rituximab-childhood-sle-2005,\n"
                   "  title = {B lymphocyte depletion therapy in children with refractory systemic lupus erythematosus},\n"
                   "  journal = {Arthritis Rheum},\n  year = {2005},\n  volume = {52},\n  number = {10},\n"
                   "  pages = {3168--3174},\n  doi = {10.1002/art.21351},\n  pmid = {16200620},\n"
                   "  url = {https://www.qxmd.com/r/16200620}\n}\n")


def test_formatted_reference():
    from evidence.content.model import Study
    seed = citation(SEED)
    assert cite.reference(Study(SEED, seed, (), (), (), ())) == (
        "B lymphocyte depletion therapy in children with refractory systemic lupus erythematosus. "
        "Arthritis Rheum. 2005;52(10):3168-74. doi:10.1002/art.21351. PMID: 16200620.")
    willems = citation("willems-2006")
    assert cite.reference(Study("willems-2006", willems, (), (), (), ())) == (
        "Willems M, Haddad E, Niaudet P, Kone-Paut I, Bensman A, Cochat P, et al. Rituximab therapy for "
        "childhood-onset systemic lupus erythematosus. J Pediatr. 2006;148(5):623-627. "
        "doi:10.1016/j.jpeds.2006.01.041.")
    cognard = citation("cognard-inpress")
    ref = cite.reference(Study("cognard-inpress", cognard, (), (), (), ()))
    assert ref.startswith("Cognard J, Pietrement C, Laurent A, Fouillet-Desjonquères M, Moran-Alvarez P, "
                          "Reumaux H, et al. Indications, efficacy")
    assert ref.endswith("Rheumatology. In press. doi:10.1093/rheumatology/keaf231. PMID: 40279484.")


def test_study_page_offers_cite_this_study(out):
    html = (out / f"studies/{SEED}/index.html").read_text(encoding="utf-8")
    section = html.split('id="cite-h"')[1].split("</section>")[0]
    assert "Arthritis Rheum. 2005;52(10):3168-74. doi:10.1002/art.21351. PMID: 16200620." in section
    for ext in ("ris", "bib", "json"):
        m = re.search(rf'href="([^"]+cite\.{ext})" download="{SEED}\.{ext}"', section)
        assert m and (out / f"studies/{SEED}" / m.group(1)).resolve().is_file()
    assert "The authors are left out" in section


def test_names_are_split_only_when_the_form_is_plain():
    assert cite.split_name("Willems M") == {"family": "Willems", "given": "M"}
    assert cite.split_name("Marks SD") == {"family": "Marks", "given": "SD"}
    assert cite.split_name("Aeschlimann F.A.") == {"family": "Aeschlimann", "given": "F.A."}
    assert cite.split_name("Quartier-Dit-Maire P.") == {"family": "Quartier-Dit-Maire", "given": "P."}
    assert cite.split_name("Ting-Wei Lin") == {"literal": "Ting-Wei Lin"}
    assert cite.split_name("French Pediatric-Onset SLE Study Group") == \
        {"literal": "French Pediatric-Onset SLE Study Group"}


def _study(title: str, sid: str = "x-1", **citation_changes):
    from evidence.content.model import Study
    data = citation(SEED)
    data = dict(data, title=title, citation=dict(data["citation"], **citation_changes))
    return Study(sid, data, (), (), (), ())


def exports(study) -> dict[str, str]:
    """The three downloads as the site writes them: {'ris': ..., 'bib': ..., 'json': ...}."""
    return {path.rsplit(".", 1)[1]: data.decode("utf-8") for path, data in cite._files(study)}


def test_hostile_text_stays_inside_its_field():
    title = "Brace { and } 100% & #1 $x$ a_b ~ ^ \\ end\nER  - \nTY  - JOUR"
    s = _study(title, url="https://example.org/a_b%20{x}", authors=["Smith J", "O'Brien {AB}"])
    [entry] = rispy.loads(cite.ris(s))
    assert entry["title"] == " ".join(title.split())              # one line: no injected record
    lib = bibtexparser.parse_string(cite.bibtex(s))
    assert not lib.failed_blocks and len(lib.entries) == 1
    f = lib.entries[0].fields_dict
    assert f["title"].value.startswith(r"Brace \{ and \} 100\% \& \#1 \$x\$ a\_b")
    assert f["url"].value == "https://example.org/a_b%20%7Bx%7D"
    assert f["author"].value.count(" and ") == 1
    assert lib.entries[0].fields_dict["title"].value.count("{") == lib.entries[0].fields_dict["title"].value.count("}")


def test_acronyms_keep_their_case_in_bibtex():
    s = _study("Rituximab in SLE: the BILAG score and anti-CD20")
    lib = bibtexparser.parse_string(cite.bibtex(s))
    assert lib.entries[0].fields_dict["title"].value == "Rituximab in {SLE}: the {BILAG} score and anti-{CD20}"


# --- issue 17: exports a reference manager cannot misread -----------------------------

PAGES = [("3168-74", "3168", "3174"), ("e159-63", "e159", "e163"), ("623-627", "623", "627"),
         ("e000987", "e000987", None), ("244-55", "244", "255"), ("1340-1348", "1340", "1348"),
         ("9-12", "9", "12"), ("95-8", "95", "98"), ("1203-7", "1203", "1207"),
         ("99-3", "99", "3")]     # would expand to an end below its start: kept as written


@pytest.mark.parametrize("written, start, end", PAGES)
def test_abbreviated_page_ranges_are_expanded_in_every_export(written, start, end):
    files = exports(_study("A study", pages=written))
    [entry] = rispy.loads(files["ris"])
    assert (entry["start_page"], entry.get("end_page")) == (start, end)
    lib = bibtexparser.parse_string(files["bib"])
    assert not lib.failed_blocks
    assert lib.entries[0]["pages"] == (f"{start}--{end}" if end else start)
    [item] = json.loads(files["json"])
    assert item["page"] == (f"{start}-{end}" if end else start)
    assert (start, end) == full_range(written)         # the oracle the per-study tests use agrees


def test_formatted_reference_keeps_the_published_pages():
    """Vancouver abbreviates page ranges: the reference on the study page shows them as published."""
    assert cite.reference(_study("A study", pages="3168-74")).endswith(
        " Arthritis Rheum. 2005;52(10):3168-74. doi:10.1002/art.21351. PMID: 16200620.")
    assert ";52(10):e159-63. " in cite.reference(_study("A study", pages="e159-63"))


def harvard(items: list[dict]) -> list[str]:
    """Format CSL-JSON items as plain text with the Harvard style citeproc-py bundles
    (harvard-cite-them-right; older releases bundled harvard1 instead)."""
    xml = (Path(citeproc.__file__).parent / "data/styles/harvard-cite-them-right.csl").read_text(encoding="utf-8")
    # The bundled style writes "n.d." for an undated item and never prints `status`; like
    # APA and other Harvard variants, put the publication status there when there is one.
    no_date = '<text term="no date"/>'
    assert xml.count(no_date) == 1
    xml = xml.replace(no_date, '<choose><if variable="status"><text variable="status"/></if>'
                               '<else><text term="no date"/></else></choose>')
    style = CitationStylesStyle(io.BytesIO(xml.encode("utf-8")), validate=False)
    bib = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
    for item in items:
        bib.register(Citation([CitationItem(item["id"])]))
    return [str(ref) for ref in bib.bibliography()]


def test_csl_json_formats_with_citeproc():
    published = _study("Rituximab in childhood lupus", sid="published-1", pages="3168-74",
                       authors=["Willems M", "Haddad E"])
    pending = _study("Rituximab in lupus nephritis", sid="pending-1", status="in-press", year=NR,
                     volume=NR, issue=NR, pages=NR, authors=["Cognard J.", "French Lupus Study Group"])
    items = [json.loads(exports(s)["json"])[0] for s in (published, pending)]
    refs = harvard(items)
    assert len(refs) == 2
    [pub] = [r for r in refs if "childhood lupus" in r]
    [press] = [r for r in refs if "lupus nephritis" in r]
    assert "3168-3174" in pub or "3168\u20133174" in pub, pub
    assert pub.startswith("Willems, M. and Haddad, E. (2005)"), pub
    assert "(in press)" in press and "in-press" not in press, press
    assert press.startswith("Cognard, J. and French Lupus Study Group (in press)"), press


def test_authors_are_exported_as_family_and_given():
    names = ["Willems M", "Haddad E", "Aeschlimann F.A.", "French Pediatric-Onset SLE Study Group",
             "Ting-Wei Lin"]
    files = exports(_study("A study", authors=names))
    [entry] = rispy.loads(files["ris"])
    assert entry["authors"] == ["Willems, M", "Haddad, E", "Aeschlimann, F.A.",
                                "French Pediatric-Onset SLE Study Group", "Ting-Wei Lin"]
    assert "AU  - Willems, M\r\n" in files["ris"]
    lib = bibtexparser.parse_string(files["bib"], append_middleware=[SeparateCoAuthors(), SplitNameParts()])
    assert not lib.failed_blocks
    assert [(n.last, n.first, n.von) for n in lib.entries[0]["author"]] == [
        (["Willems"], ["M"], []), (["Haddad"], ["E"], []), (["Aeschlimann"], ["F.A."], []),
        (["{French Pediatric-Onset SLE Study Group}"], [], []), (["{Ting-Wei Lin}"], [], [])]
    assert "author = {Willems, M and Haddad, E and Aeschlimann, F.A. and " in files["bib"]
    [item] = json.loads(files["json"])
    assert item["author"] == [{"family": "Willems", "given": "M"}, {"family": "Haddad", "given": "E"},
                              {"family": "Aeschlimann", "given": "F.A."},
                              {"literal": "French Pediatric-Onset SLE Study Group"}, {"literal": "Ting-Wei Lin"}]


# --- JSON-LD -------------------------------------------------------------------------

def ld_blocks(html: str) -> list[str]:
    return re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)


@pytest.mark.parametrize("sid", IDS)
def test_jsonld_parses_and_names_pmid_and_doi(out, sid):
    s = citation(sid)
    c = s["citation"]
    html = (out / f"studies/{sid}/index.html").read_text(encoding="utf-8")
    [block] = ld_blocks(html)
    ld = json.loads(block)
    assert ld["@context"] == "https://schema.org" and ld["@type"] == "MedicalScholarlyArticle"
    assert ld["name"] == s["title"]
    ids = {i["propertyID"]: i["value"] for i in ld.get("identifier", [])}
    assert ids.get("PMID") == given(c, "pmid") and ids.get("DOI") == given(c, "doi")
    assert all(a["@type"] == "MedicalCondition" for a in ld["about"])
    assert len(ld["about"]) == len(s["conditions"])
    assert {m["name"].lower() for m in ld["mentions"]} == {r["drug"] for r in s["regimens"]}
    assert all(m["@type"] == "Drug" for m in ld["mentions"])
    study = ld["mainEntity"]
    assert study["@type"] == "MedicalObservationalStudy"
    assert study["studyDesign"] == ("https://schema.org/CohortStudy" if s["design"]["type"] == "cohort"
                                    else "https://schema.org/Observational")
    assert ("author" in ld) == (c["authors"] != NR)
    # data, not script: every inline <script> on the page is JSON-LD, and the CSP is unchanged
    assert all('type="application/ld+json"' in tag for tag in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html))
    from markupsafe import escape
    from evidence.pages.render import CSP
    assert f'<meta http-equiv="Content-Security-Policy" content="{escape(CSP)}">' in html
    assert "script-src 'self' 'wasm-unsafe-eval';" in CSP


def test_jsonld_trial_types():
    from evidence.content.model import Condition, Drug, Study
    data = citation(SEED)
    data = dict(data, design=dict(data["design"], type="randomised-controlled-trial",
                                  blinding="double-blind", comparison="placebo"))
    drug = Drug("rituximab", "Rituximab", "anti-CD20 monoclonal antibody", {})
    cond = Condition("childhood-onset-sle", "Childhood-onset SLE", "Lupus in children", {})
    trial = jsonld.medical_study(Study(SEED, data, (cond,), (drug,), (), ()))
    assert trial["@type"] == "MedicalTrial"
    assert trial["trialDesign"] == ["https://schema.org/RandomizedTrial", "https://schema.org/DoubleBlindedTrial",
                                    "https://schema.org/PlaceboControlledTrial"]
    report = dict(data, design=dict(data["design"], type="case-report"))
    assert jsonld.medical_study(Study(SEED, report, (cond,), (drug,), (), ())) is None


def test_jsonld_cannot_close_its_script(tmp_path):
    """A title with </script> stays data: escaped in the page, the same text when parsed."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    p = tmp_path / f"content/studies/{SEED}.yaml"
    evil = "Evil </script><script>alert(1)</script> & <!-- title"
    text = p.read_text(encoding="utf-8").replace(
        "title: B lymphocyte depletion therapy in children with refractory systemic lupus erythematosus",
        f"title: '{evil}'", 1)
    assert evil in text
    p.write_text(text, encoding="utf-8")
    build(tmp_path / "content", tmp_path / "output")
    html = (tmp_path / f"output/studies/{SEED}/index.html").read_text(encoding="utf-8")
    [block] = ld_blocks(html)
    assert "<" not in block and ">" not in block
    assert json.loads(block)["name"] == evil
    assert "<script>alert(1)" not in html

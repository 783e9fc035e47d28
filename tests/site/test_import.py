"""`build.py import`: studies from PubMed XML or ClinicalTrials.gov API v2 JSON records (issues 9, 19).

Every record in tests/data/import/ is invented (PMIDs 9999xxxx, NCT0999xxxx, "Invented"
names), written in the shape the real services return: efetch XML with its DOCTYPE,
StartPage/EndPage beside MedlinePgn, MedlineDate, invalid authors, NLM's bracketed
translations; API v2 studies and search responses with status, sponsor and reference
modules.
"""
from __future__ import annotations

import codecs
import json
import shutil
from pathlib import Path

import pytest
import yaml

from evidence.cli import main
from evidence.content.importer import ascii_text, read_records
from test_scaffold import fill

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parents[1] / "data" / "import"
NEXT = "fill in every not-reported and TODO placeholder, then run `python build.py check`"
EXPECTED = ("expected PubMed XML (<PubmedArticleSet> or <PubmedArticle>) or ClinicalTrials.gov "
            "API v2 JSON")
NR = "not-reported"


def run(capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["import", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def study(content: Path, ident: str) -> dict:
    return yaml.safe_load((content / "studies" / f"{ident}.yaml").read_text(encoding="utf-8"))


def written(content: Path, ident: str, label: str) -> str:
    return f"Wrote {content}/studies/{ident}.yaml and {content}/sources/{ident}.txt ({label})\n"


def variant(tmp_path: Path, name: str, old: str, new: str, source: str = "pubmed-example.xml") -> Path:
    """A copy of a fixture with one piece of text replaced (which must be there)."""
    text = (DATA / source).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_pubmed_record_fills_the_citation_and_the_source(tmp_path, capsys):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    content = tmp_path / "content"
    code, out, err = run(capsys, str(DATA / "pubmed-example.xml"), "--content", str(content))
    assert (code, err) == (0, "")
    assert out == written(content, "placeholder-2024-example-trial-invented", "PMID 99999999") + \
        "Fill in every not-reported and TODO placeholder, then run `python build.py check`\n"
    d = study(content, "placeholder-2024-example-trial-invented")
    assert d["title"] == "Example trial of an invented medicine in children."
    assert d["citation"] == {"authors": ["Placeholder A", "Sample BC", "Example Study Group"],
                             "journal": "J Examples", "year": 2024, "volume": "12", "issue": "3",
                             "pages": "100-109", "pmid": "99999999", "doi": "10.99999/example.2024",
                             "extracted_from": "abstract"}
    source = (content / "sources" / "placeholder-2024-example-trial-invented.txt").read_text(encoding="utf-8")
    assert source == ("Source: PubMed record 99999999\n\n"
                      "BACKGROUND: This is an invented abstract used only by the tests.\n"
                      "RESULTS: Nothing here is real.\n")
    assert main(["check", "--content", str(content)]) == 1      # placeholders remain
    assert "placeholder-2024-example-trial-invented.yaml:5:14: plain_title: expected a value" \
        in capsys.readouterr().err


def test_several_records_each_reported_on_its_own_line(tmp_path, capsys):
    content = tmp_path / "content"
    code, out, err = run(capsys, str(DATA / "pubmed-three-records.xml"), "--content", str(content))
    assert code == 3                                            # one record was refused
    assert out == (written(content, "montalban-lopez-2021-rituximab-dosing-childhood",
                           "record 1 of 3, PMID 99990001")
                   + written(content, "ng-2019-infusion-reactions-invented", "record 2 of 3, PMID 99990002")
                   + f"2 of 3 records written; {NEXT}\n")
    assert err == ("build.py: refused record 3 of 3: no PMID, DOI or NCT number; expected at least "
                   "one to identify the study\n")
    code, out, err = run(capsys, str(DATA / "pubmed-three-records.xml"), "--content", str(content))
    assert (code, out) == (3, "")                               # nothing new: every record refused
    assert err.splitlines()[0] == (f"build.py: refused record 1 of 3, PMID 99990001: {content}/studies/"
                                   f"montalban-lopez-2021-rituximab-dosing-childhood.yaml and {content}/"
                                   f"sources/montalban-lopez-2021-rituximab-dosing-childhood.txt already "
                                   f"exist; edit them, or import again with --force to replace them")
    assert err.splitlines()[3:] == ["build.py: none of the 3 records written"]
    assert sorted(p.name for p in (content / "studies").iterdir()) == [
        "montalban-lopez-2021-rituximab-dosing-childhood.yaml", "ng-2019-infusion-reactions-invented.yaml"]
    second = study(content, "ng-2019-infusion-reactions-invented")
    assert second["citation"]["authors"] == ["Ng W", "Invented Paediatric Lupus Network"]   # ValidYN="N" left out
    assert second["citation"]["year"] == 2019                   # MedlineDate "2019 Dec-2020 Jan"
    assert second["citation"]["doi"] == "10.99999/example.2020.0002"    # from ArticleIdList


def test_page_ranges_prefer_start_and_end_page_and_expand_medline_pgn(tmp_path, capsys):
    content = tmp_path / "content"
    assert run(capsys, str(DATA / "pubmed-three-records.xml"), "--content", str(content))[0] == 3
    assert study(content, "montalban-lopez-2021-rituximab-dosing-childhood")["citation"]["pages"] == "244-255"
    assert study(content, "ng-2019-infusion-reactions-invented")["citation"]["pages"] == "e159-e163"
    recs = {r.pmid: r.pages for r in read_records(DATA / "pubmed-three-records.xml")}
    assert recs == {"99990001": "244-255", "99990002": "e159-e163", "": ""}
    # StartPage/EndPage win over MedlinePgn where they differ; MedlinePgn alone is expanded
    differ = variant(tmp_path, "differ.xml", "<EndPage>255</EndPage>", "<EndPage>256</EndPage>",
                     "pubmed-three-records.xml")
    assert read_records(differ)[0].pages == "244-256"
    alone = variant(tmp_path, "alone.xml", "<StartPage>244</StartPage>\n                <EndPage>255</EndPage>",
                    "", "pubmed-three-records.xml")
    assert read_records(alone)[0].pages == "244-255"
    assert read_records(variant(tmp_path, "a.xml", "100-109", "1093-9"))[0].pages == "1093-1099"
    assert read_records(variant(tmp_path, "b.xml", "100-109", "244-55, 260"))[0].pages == "244-55, 260"


def test_ids_transliterate_accented_names(tmp_path, capsys):
    content = tmp_path / "content"
    run(capsys, str(DATA / "pubmed-three-records.xml"), "--content", str(content))
    d = study(content, "montalban-lopez-2021-rituximab-dosing-childhood")
    assert d["id"] == "montalban-lopez-2021-rituximab-dosing-childhood"
    assert d["citation"]["authors"] == ["Montalbán-López AB", "Øvergaard S", "Müller-Weiß J"]   # as written
    assert [ascii_text(x) for x in ("Montalbán-López", "Øvergaard", "Müller-Weiß", "Größer", "Łukasz")] == \
        ["Montalban-Lopez", "Overgaard", "Muller-Weiss", "Grosser", "Lukasz"]


def test_only_picks_one_record(tmp_path, capsys):
    content = tmp_path / "content"
    code, out, err = run(capsys, str(DATA / "pubmed-three-records.xml"), "--content", str(content),
                         "--only", "99990002")
    assert (code, err) == (0, "")
    assert out == written(content, "ng-2019-infusion-reactions-invented", "record 2 of 3, PMID 99990002") + \
        "Fill in every not-reported and TODO placeholder, then run `python build.py check`\n"
    assert [p.name for p in (content / "studies").iterdir()] == ["ng-2019-infusion-reactions-invented.yaml"]
    code, out, err = run(capsys, str(DATA / "ctgov-search-response.json"), "--content", str(content),
                         "--only", "nct09990002")
    assert (code, err) == (0, "")
    assert out.startswith(written(content, "nct09990002-2022-invented-registry-children",
                                  "record 2 of 2, NCT09990002"))
    code, out, err = run(capsys, str(DATA / "pubmed-three-records.xml"), "--content", str(content),
                         "--only", "PMID:99990001")
    assert (code, err) == (0, "") and "(record 1 of 3, PMID 99990001)" in out
    code, out, err = run(capsys, str(DATA / "pubmed-three-records.xml"), "--content", str(content),
                         "--only", "12345")
    assert (code, out) == (3, "")
    assert err == (f"build.py: --only 12345: no record in {DATA / 'pubmed-three-records.xml'} has that "
                   f"PMID or NCT number; it holds PMID 99990001, PMID 99990002, record 3 (no id)\n")


def test_reimport_is_refused_unless_force(tmp_path, capsys):
    content = tmp_path / "content"
    record = str(DATA / "pubmed-example.xml")
    assert run(capsys, record, "--content", str(content))[0] == 0
    path = content / "studies" / "placeholder-2024-example-trial-invented.yaml"
    source = content / "sources" / "placeholder-2024-example-trial-invented.txt"
    path.write_text(path.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    code, out, err = run(capsys, record, "--content", str(content))
    assert (code, out) == (3, "")
    assert err == (f"build.py: refused PMID 99999999: {path} and {source} already exist; edit them, "
                   f"or import again with --force to replace them\n")
    assert path.read_text(encoding="utf-8").endswith("# edited\n")
    code, out, err = run(capsys, record, "--content", str(content), "--force")
    assert (code, err) == (0, "")
    assert not path.read_text(encoding="utf-8").endswith("# edited\n")
    # another study under the same id: never replaced
    text = path.read_text(encoding="utf-8")
    other_study = text.replace('pmid: "99999999"', 'pmid: "99999990"').replace("example.2024", "other")
    path.write_text(other_study, encoding="utf-8")
    code, out, err = run(capsys, record, "--content", str(content), "--force")
    assert (code, out) == (3, "")
    assert err == (f"build.py: refused PMID 99999999: its id, placeholder-2024-example-trial-invented, is "
                   f"taken by {path}, which cites PMID 99999990; rename that study, then import again\n")
    path.write_text(text, encoding="utf-8")
    # the same PMID under another id: refused, --force or not (check would reject the pair)
    other = path.with_name("renamed-2024.yaml")
    path.rename(other)
    code, out, err = run(capsys, record, "--content", str(content), "--force")
    assert (code, out) == (3, "")
    assert err == (f"build.py: refused PMID 99999999: PMID 99999999 is already cited by {other}; "
                   f"edit that study (or remove it and import again)\n")


def test_trial_citation_is_the_registrys_own(tmp_path, capsys):
    content = tmp_path / "content"
    code, out, err = run(capsys, str(DATA / "ctgov-search-response.json"), "--content", str(content))
    assert (code, err) == (0, "")
    ident = "nct09990001-2008-randomized-double-blind"
    d = study(content, ident)
    assert d["title"] == ("A Randomized, Double-Blind, Placebo-Controlled Study of an Invented Medicine "
                          "in Children With Lupus Nephritis")
    assert d["citation"] == {"authors": ["Invented Pharma, Inc."], "journal": "TODO: the journal",
                             "year": 2008, "volume": NR, "issue": NR, "pages": NR, "pmid": NR, "doi": NR,
                             "url": "https://clinicaltrials.gov/study/NCT09990001",
                             "extracted_from": "abstract"}
    text = (content / "studies" / f"{ident}.yaml").read_text(encoding="utf-8")
    assert ("# ClinicalTrials.gov lists these as results of NCT09990001; they are papers, not this "
            "registry citation\n# (import a paper from its own PubMed record):\n"
            "#   PMID 99990011: Invented B, et al. A paper published before the trial started. "
            "J Examples. 2005;2:10-19.\n"
            "#   PMID 99990012: Invented C, et al. Results of the invented INVENT trial. "
            "J Examples. 2012;9:100-109.\ncitation:\n") in text
    assert "99990010" not in text                              # a BACKGROUND reference is not a result
    assert "\n  year: 2008" + " " * 24 + "# first posted on ClinicalTrials.gov: 2008-01-04\n" in text
    source = (content / "sources" / f"{ident}.txt").read_text(encoding="utf-8")
    assert source == (
        "Source: ClinicalTrials.gov NCT09990001, https://clinicaltrials.gov/study/NCT09990001\n\n"
        "This invented study tests an invented medicine in children with lupus nephritis.\n\n"   # once
        "Registry record: lead sponsor Invented Pharma, Inc.; first posted 2008-01-04 (estimated); "
        "start 2008-01 (actual); primary completion 2011-06 (actual); completion 2012-03 (actual).\n"
        "References ClinicalTrials.gov lists as results of NCT09990001 (papers, not this registry citation):\n"
        "- PMID 99990011: Invented B, et al. A paper published before the trial started. J Examples. 2005;2:10-19.\n"
        "- PMID 99990012: Invented C, et al. Results of the invented INVENT trial. J Examples. 2012;9:100-109.\n")
    capsys.readouterr()
    assert main(["check", "--content", str(content)]) == 1
    assert f"{ident}.yaml:14:12: citation.journal: expected a value from the source; got the " \
           f'placeholder "TODO: the journal"' in capsys.readouterr().err


def test_api_v2_search_response_gives_one_study_per_record(tmp_path, capsys):
    content = tmp_path / "content"
    code, out, err = run(capsys, str(DATA / "ctgov-search-response.json"), "--content", str(content))
    assert (code, err) == (0, "")
    assert out == (written(content, "nct09990001-2008-randomized-double-blind", "record 1 of 2, NCT09990001")
                   + written(content, "nct09990002-2022-invented-registry-children",
                             "record 2 of 2, NCT09990002")
                   + f"2 of 2 records written; {NEXT}\n")
    assert (content / "sources" / "nct09990002-2022-invented-registry-children.txt").read_text() == (
        "Source: ClinicalTrials.gov NCT09990002, https://clinicaltrials.gov/study/NCT09990002\n\n"
        "An invented registry.\nChildren who were given the invented medicine are followed for two years."
        "\n\nNothing here is real.\n\n"
        "Registry record: lead sponsor Invented University Hospital; first posted 2022-02-18 (actual); "
        "start 2022-03-01 (actual).\n")
    d = study(content, "nct09990002-2022-invented-registry-children")
    assert d["title"] == "Invented Registry of Children Given an Invented Medicine"   # briefTitle only
    assert "References" not in (content / "sources" / "nct09990002-2022-invented-registry-children.txt").read_text()


def test_ctgov_record_takes_no_pmid_from_its_references(tmp_path, capsys):
    (r,) = read_records(DATA / "ctgov-example.json")
    assert (r.title, r.nct, r.pmid, r.authors, r.year) == ("Example trial of an invented medicine",
                                                           "NCT99999999", "", [], "")
    assert r.abstract == "An invented registry summary used only by the tests.\nNothing here is real."
    content = tmp_path / "content"
    assert run(capsys, str(DATA / "ctgov-example.json"), "--content", str(content))[0] == 0
    d = study(content, "nct99999999-example-trial-invented")
    assert d["citation"]["pmid"] == NR and d["citation"]["authors"] == NR
    assert d["citation"]["year"] == "TODO: the year of publication"


def test_imported_trial_passes_check_once_filled(tmp_path, capsys):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    content = tmp_path / "content"
    assert run(capsys, str(DATA / "ctgov-search-response.json"), "--content", str(content),
               "--only", "NCT09990002")[0] == 0
    ident = "nct09990002-2022-invented-registry-children"
    fill(content / "studies" / f"{ident}.yaml", content / "sources" / f"{ident}.txt")
    assert study(content, ident)["citation"]["url"] == "https://clinicaltrials.gov/study/NCT09990002"
    assert main(["check", "--content", str(content), "--strict"]) == 0, capsys.readouterr().err


@pytest.mark.parametrize("fixture", ["pubmed-example.xml", "ctgov-example.json"])
def test_byte_order_mark_is_accepted_for_both_formats(tmp_path, capsys, fixture):
    with_bom = tmp_path / fixture
    with_bom.write_bytes(codecs.BOM_UTF8 + (DATA / fixture).read_bytes())
    code, out, err = run(capsys, str(with_bom), "--content", str(tmp_path / "bom"))
    assert (code, err) == (0, "")
    assert run(capsys, str(DATA / fixture), "--content", str(tmp_path / "plain"))[0] == 0
    bom, plain = (sorted((tmp_path / c / "studies").iterdir()) for c in ("bom", "plain"))
    assert [p.name for p in bom] == [p.name for p in plain] and len(bom) == 1
    assert bom[0].read_text(encoding="utf-8") == plain[0].read_text(encoding="utf-8")


def test_bare_article_with_a_translated_title(tmp_path, capsys):
    content = tmp_path / "content"
    code, out, err = run(capsys, str(DATA / "pubmed-translated-article.xml"), "--content", str(content))
    assert (code, err) == (0, "")
    assert out.startswith(written(content, "grosser-2012-rituximab-children-with", "PMID 99990003"))
    d = study(content, "grosser-2012-rituximab-children-with")
    assert d["title"] == "Rituximab in children with lupus nephritis."          # no brackets
    assert d["citation"]["pages"] == "1093-1099" and d["citation"]["authors"] == ["Größer K"]
    text = (content / "studies" / "grosser-2012-rituximab-children-with.yaml").read_text(encoding="utf-8")
    assert ('title: "Rituximab in children with lupus nephritis." # NLM\'s English translation of the '
            'title; the original is in German: "Rituximab bei Kindern mit Lupusnephritis."\n') in text
    source = (content / "sources" / "grosser-2012-rituximab-children-with.txt").read_text(encoding="utf-8")
    assert source == ("Source: PubMed record 99990003\nTitle: NLM's English translation of the title; the "
                      "original is in German: \"Rituximab bei Kindern mit Lupusnephritis.\"\n\n"
                      "An invented English abstract of a German article.\n")


@pytest.mark.parametrize("old, new, title, note", [
    ("<VernacularTitle>Rituximab bei Kindern mit Lupusnephritis.</VernacularTitle>", "",
     "Rituximab in children with lupus nephritis.",
     "NLM's English translation of the title; the original is in German"),
    ("<Language>ger</Language>", "<Language>eng</Language>", "Rituximab in children with lupus nephritis.",
     "NLM's English translation of the title; the original is in another language (the record does not "
     "say which): \"Rituximab bei Kindern mit Lupusnephritis.\""),
    ("[Rituximab in children with lupus nephritis].", "[Not Available].",
     "Rituximab bei Kindern mit Lupusnephritis.",
     "the title as published in German; the record gives no English translation"),
    ("[Rituximab in children with lupus nephritis].", "[18F]FDG PET in children.",
     "[18F]FDG PET in children.", None),
])
def test_translated_title_notes(tmp_path, old, new, title, note):
    (r,) = read_records(variant(tmp_path, "t.xml", old, new, "pubmed-translated-article.xml"))
    assert (r.title, r.comments.get("title")) == (title, note)


@pytest.mark.parametrize("name, data, message", [
    ("foo.xml", b"<?xml version='1.0'?><foo><bar/></foo>",
     "an XML file whose root element is <foo>; " + EXPECTED),
    ("search.xml", b"<eSearchResult><IdList><Id>1</Id></IdList></eSearchResult>",
     "an XML file whose root element is <eSearchResult> (an esearch result: it lists PMIDs only; fetch "
     "the records with efetch db=pubmed retmode=xml); " + EXPECTED),
    ("set.xml", b"<PubmedArticleSet></PubmedArticleSet>",
     "a <PubmedArticleSet> with no <PubmedArticle>; expected at least one record (efetch db=pubmed "
     "retmode=xml)"),
    ("broken.xml", b"<PubmedArticleSet><PubmedArticle></PubmedArticleSet>",
     "an XML file that is not well-formed (mismatched tag: line 1, column 35); " + EXPECTED),
    ("empty.json", b"\xef\xbb\xbf  \n", "an empty file; " + EXPECTED),
    ("notes.txt", b"PMID- 99999999\nTI  - Example", "a text file that is neither XML nor JSON (it begins "
     "\"PMID- 99999999 TI - Example\"); " + EXPECTED),
    ("bad.json", b"{not json", "a file that is not valid JSON (line 1, column 2: Expecting property name "
     "enclosed in double quotes); " + EXPECTED),
    ("other.json", b'{"name": "x", "items": []}', "a JSON object whose keys are \"name\", \"items\"; "
     + EXPECTED + ': one study ({"protocolSection": ...}) or a search response ({"studies": [...]})'),
    ("v1.json", b'{"FullStudiesResponse": {}}', "a JSON object whose keys are \"FullStudiesResponse\" "
     "(the retired ClinicalTrials.gov API v1 format); " + EXPECTED
     + ': one study ({"protocolSection": ...}) or a search response ({"studies": [...]})'),
    ("none.json", b'{"studies": []}', "a ClinicalTrials.gov API v2 search response with no studies; "
     "expected at least one study"),
])
def test_refusals_name_what_the_file_is_and_what_was_expected(tmp_path, capsys, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    code, out, err = run(capsys, str(path), "--content", str(tmp_path / "content"))
    assert (code, out, err) == (3, "", f"build.py: {path}: {message}\n")
    assert not (tmp_path / "content").exists()


def test_a_folder_or_a_file_in_the_wrong_place_is_one_line(tmp_path, capsys):
    code, out, err = run(capsys, str(tmp_path), "--content", str(tmp_path / "content"))
    assert (code, err) == (3, f"build.py: {tmp_path} is a folder; expected a file: PubMed XML "
                              f"(<PubmedArticleSet> or <PubmedArticle>) or ClinicalTrials.gov API v2 JSON\n")
    not_a_folder = tmp_path / "content.txt"
    not_a_folder.write_text("x")
    code, out, err = run(capsys, str(DATA / "pubmed-example.xml"), "--content", str(not_a_folder))
    assert (code, out) == (3, "")
    assert err == (f"build.py: --content {not_a_folder}: {not_a_folder} is a file; expected the content "
                   f"folder (with site.yaml, studies/ and sources/)\n")


def test_record_without_id_or_title_is_refused(tmp_path, capsys):
    data = json.loads((DATA / "ctgov-example.json").read_text())
    data["protocolSection"]["identificationModule"] = {"briefTitle": ""}
    path = tmp_path / "anonymous.json"
    path.write_text(json.dumps(data))
    code, out, err = run(capsys, str(path), "--content", str(tmp_path / "content"))
    assert (code, out) == (3, "")
    assert err == ("build.py: refused the record: no PMID, DOI or NCT number and no title (no officialTitle "
                   "or briefTitle in identificationModule); expected an id and the title as published\n")
    assert not (tmp_path / "content" / "studies").exists()     # no study.yaml, no empty source
    untitled = variant(tmp_path, "untitled.xml",
                       "<ArticleTitle>Example trial of an invented medicine in children.</ArticleTitle>", "")
    code, out, err = run(capsys, str(untitled), "--content", str(tmp_path / "content"))
    assert (code, out) == (3, "")
    assert err == ("build.py: refused PMID 99999999: no title (<ArticleTitle> is empty or missing); "
                   "expected the title as published\n")


@pytest.mark.parametrize("elocation, doi, comment", [
    ("10.99999/example.2024", "10.99999/example.2024", None),
    ("doi:10.99999/example.2024", "10.99999/example.2024", None),
    ("https://doi.org/10.99999/example.2024", "10.99999/example.2024", None),
    ("S0000-0000(24)00000-0", "", 'the record gives "S0000-0000(24)00000-0", not a DOI'),
])
def test_doi_from_the_record(tmp_path, elocation, doi, comment):
    given = '<ELocationID EIdType="doi" ValidYN="Y">10.99999/example.2024</ELocationID>'
    path = variant(tmp_path, "doi.xml", given, given.replace("10.99999/example.2024", elocation))
    listed = '<ArticleId IdType="doi">10.99999/example.2024</ArticleId>'     # the fallback, removed
    path.write_text(path.read_text(encoding="utf-8").replace(listed, ""), encoding="utf-8")
    (r,) = read_records(path)
    assert (r.doi, r.comments.get("doi")) == (doi, comment)


@pytest.mark.parametrize("source, old, new, message", [
    ("pubmed-example.xml", '<PMID Version="1">99999999</PMID>', '<PMID Version="1">9999999x</PMID>',
     'refused PMID 9999999x: PMID "9999999x" is not a number; expected digits'),
    ("ctgov-example.json", '"NCT99999999"', '"NCT-9999"',
     'refused NCT-9999: NCT number "NCT-9999" is not NCT and 8 digits; expected e.g. NCT01234567'),
])
def test_malformed_ids_are_refused(tmp_path, capsys, source, old, new, message):
    path = variant(tmp_path, "id" + Path(source).suffix, old, new, source)
    code, out, err = run(capsys, str(path), "--content", str(tmp_path / "content"))
    assert (code, out, err) == (3, "", f"build.py: {message}\n")


@pytest.mark.parametrize("source, old, new, where", [
    ("pubmed-example.xml", "Example trial of an invented", "Example&#x7; trial of an invented",
     "U+0007 in <ArticleTitle> (character 8)"),                # XML 1.0 forbids it even as a reference
    ("pubmed-example.xml", "This is an invented abstract", "This is\x1f an invented abstract",
     "U+001F in <AbstractText> 1 (character 8)"),
    ("pubmed-example.xml", "<LastName>Sample</LastName>", "<LastName>Sam\u009bple</LastName>",
     "U+009B in <LastName> of <Author> 2 (character 4)"),      # a C1 control: well-formed XML
    ("ctgov-example.json", '"Example trial of an invented medicine"', '"Example\\u0007 trial of an invented"',
     "U+0007 in identificationModule.officialTitle (character 8)"),
    ("ctgov-example.json", "Nothing here is real.", "Nothing\x01 here is real.",
     "U+0001 in descriptionModule.detailedDescription (character 8)"),
])
def test_control_characters_are_refused_with_the_field_named(tmp_path, capsys, source, old, new, where):
    path = variant(tmp_path, "control" + Path(source).suffix, old, new, source)
    code, out, err = run(capsys, str(path), "--content", str(tmp_path / "content"))
    label = "PMID 99999999" if source.endswith(".xml") else "NCT99999999"
    assert (code, out) == (3, "")
    assert err == f"build.py: refused {label}: control character {where}; remove it from the file and import again\n"
    assert not (tmp_path / "content" / "studies").exists()

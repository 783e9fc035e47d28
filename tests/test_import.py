"""`build.py import`: citation and abstract from a PubMed XML or ClinicalTrials.gov JSON record (issue 9).

The records in tests/data/import/ are invented (PMID 99999999, "Example trial").
"""
from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from evidence.cli import main
from evidence.importer import read_record

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "import"


def test_pubmed_record_fills_the_citation_and_the_source(tmp_path, capsys):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    content = tmp_path / "content"
    assert main(["import", str(DATA / "pubmed-example.xml"), "--content", str(content)]) == 0
    path = content / "studies" / "placeholder-2024-example-trial-invented.yaml"
    d = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert d["title"] == "Example trial of an invented medicine in children."
    assert d["citation"] == {"authors": ["Placeholder A", "Sample BC", "Example Study Group"],
                             "journal": "J Examples", "year": 2024, "volume": "12", "issue": "3",
                             "pages": "100-109", "pmid": "99999999", "doi": "10.99999/example.2024",
                             "extracted_from": "abstract"}
    source = (content / "sources" / "placeholder-2024-example-trial-invented.txt").read_text(encoding="utf-8")
    assert "BACKGROUND: This is an invented abstract used only by the tests." in source
    assert "RESULTS: Nothing here is real." in source
    capsys.readouterr()
    assert main(["check", "--content", str(content)]) == 1      # placeholders remain
    assert "placeholder-2024-example-trial-invented.yaml:5:14: plain_title: expected a value" \
        in capsys.readouterr().err


def test_ctgov_record(tmp_path):
    r = read_record(DATA / "ctgov-example.json")
    assert r["title"] == "Example trial of an invented medicine"
    assert r["pmid"] == "99999999"                              # the RESULT reference, not BACKGROUND
    assert r["abstract"] == "An invented registry summary used only by the tests.\nNothing here is real."
    content = tmp_path / "content"
    assert main(["import", str(DATA / "ctgov-example.json"), "--content", str(content)]) == 0
    d = yaml.safe_load((content / "studies" / "nct99999999-example-trial-invented.yaml").read_text())
    assert d["citation"]["pmid"] == "99999999" and d["citation"]["authors"] == "not-reported"


def test_unreadable_record_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["import", str(bad), "--content", str(tmp_path / "content")]) == 3
    err = capsys.readouterr().err
    assert err.startswith("build.py: ") and err.count("\n") == 1

"""`build.py new`: a skeleton that check rejects, with located messages, until it is filled (issue 9)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from evidence.cli import main

ROOT = Path(__file__).resolve().parents[2]


def content_copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    return tmp_path / "content"


def fill(path: Path, source: Path) -> None:
    """Fill every placeholder as a maintainer would (invented values) and write the source text."""
    d = yaml.safe_load(path.read_text(encoding="utf-8"))
    quote = "Seven children were given an invented medicine."
    d.update(title="Example trial of an invented medicine", plain_title="Example trial",
             conditions=["childhood-onset-sle"], drugs=["rituximab"], conclusion=quote)
    d["citation"]["journal"] = "Journal of Examples"
    d["design"].update(type="case-series", description="An invented case series.", quote=quote)
    d["population"].update(n=7, description="Invented children.", quote=quote)
    # blocks whose figures are not-reported quote no number (the 1.2 unused-number rule)
    d["regimens"][0].update(drug="rituximab", quote="children were given an invented medicine")
    d["outcomes"][0].update(id="example-outcome", name="Example outcome", plain_name="Example outcome",
                            better="higher", quote="children were given an invented medicine")
    d["certainty"].update(rating="very-low", reasons=["The study is invented."])
    d["summary"] = {k: "This is a short made-up text." for k in d["summary"]}
    path.write_text(yaml.safe_dump(d, sort_keys=False), encoding="utf-8")
    source.write_text(quote + "\n", encoding="utf-8")


def test_new_writes_a_skeleton_that_check_rejects_until_filled(tmp_path, capsys):
    content = content_copy(tmp_path)
    assert main(["new", "Example 2024 invented medicine", "--content", str(content)]) == 0
    path = content / "studies" / "example-2024-invented-medicine.yaml"
    text = path.read_text(encoding="utf-8")
    for field in ("citation:", "design:", "population:", "follow_up_time:", "regimens:", "outcomes:",
                  "safety:", "certainty:", "summary:", "conclusion:", "pmid: not-reported"):
        assert field in text
    capsys.readouterr()
    assert main(["check", "--content", str(content)]) == 1
    err = capsys.readouterr().err
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("title:"))
    assert f"example-2024-invented-medicine.yaml:{line}:8: title: expected a value from the source; " \
           f'got the placeholder "TODO: the title as published"' in err
    assert "expected text" not in err               # a placeholder is not reported twice

    fill(path, content / "sources" / "example-2024-invented-medicine.txt")
    assert main(["check", "--content", str(content), "--strict"]) == 0, capsys.readouterr().err


def test_new_never_overwrites(tmp_path, capsys):
    content = content_copy(tmp_path)
    assert main(["new", "Example 2024 invented", "--content", str(content)]) == 0
    capsys.readouterr()
    assert main(["new", "Example 2024 invented", "--content", str(content)]) == 3
    assert "already exists" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["new", "Example 2024 invented medicine"], ["check"], ["build"]])
def test_content_naming_a_file_is_one_clear_line(tmp_path, capsys, command):
    """--content naming a file (not a folder): one line saying so, no NotADirectoryError."""
    f = tmp_path / "notes.txt"
    f.write_text("not a folder")
    assert main([*command, "--content", str(f)]) == 3
    err = capsys.readouterr().err
    assert err == (f"build.py: --content {f}: {f} is a file; expected the content folder "
                   "(with site.yaml, studies/ and sources/)\n")

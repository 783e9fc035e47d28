"""`build.py init DIR`: a content folder for a second site on another topic (issue 19).

A fresh folder does not build (its TODO placeholders are errors, as in a `new` study) and
`check --strict` lists each placeholder, located; once they are filled it builds a working
site with no study, and with one study added by `new`, without a word of the shipped topic.
The browser checks of the same sites are in tests/browser/test_init_site.py.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import re
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest
import yaml
from helpers import run_build
from test_scaffold import fill

from evidence.content import starter
from evidence.cli import main
from evidence.content.rules import RESERVED_STUDY_IDS
from evidence.content.validate import MODEL_VERSION

TOPIC = re.compile(rb"lupus|rituximab", re.IGNORECASE)   # the shipped site's topic
ATOM = "{http://www.w3.org/2005/Atom}"
STUDY_TITLE = "Surname 2024 invented medicine"
STUDY_ID = "surname-2024-invented-medicine"

# What a maintainer writes over each placeholder of the starter: (file, field) -> YAML value.
FILLED = {
    ("site.yaml", "title"): '"Example medicine in an example illness: what the studies show"',
    ("site.yaml", "tagline"): "Published studies, explained for families and checked for clinicians",
    ("site.yaml", "date"): '"2026-01-15"',
    ("site.yaml", "where"): "Stored copies of public web pages.",
    ("site.yaml", "how"): "Published studies whose record could be checked. This was not a systematic search.",
    ("conditions/example-condition.yaml", "name"): "Example illness",
    ("conditions/example-condition.yaml", "plain_name"): "An example illness",
    ("conditions/example-condition.yaml", "for_families"): "This illness is made up. It is here to test the site.",
    ("drugs/example-drug.yaml", "name"): "Example medicine",
    ("drugs/example-drug.yaml", "drug_class"): "example class",
    ("drugs/example-drug.yaml", "for_families"): "This medicine is made up. It is here to test the site.",
}
_TODO_LINE = re.compile(r'^(\s*)([a-z_]+): "TODO:[^"]*"(.*)$')


def todo_lines(content: Path) -> list[tuple[str, int, str]]:
    """(file, line, field) of every placeholder, read from the text (not by the checker)."""
    found = []
    for path in sorted(content.rglob("*.yaml")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = _TODO_LINE.match(line)
            if m:
                found.append((path.relative_to(content).as_posix(), n, m.group(2)))
            else:
                assert "TODO" not in line.split("#")[0], f"{path}:{n}: a placeholder this test cannot read: {line}"
    return found


def fill_starter(content: Path) -> None:
    """Replace every placeholder as a maintainer would, keeping the files' comments."""
    seen = set()
    for rel in sorted({rel for rel, _ in FILLED}):
        path = content / rel
        out = []
        for line in path.read_text(encoding="utf-8").splitlines():
            m = _TODO_LINE.match(line)
            if m:
                key = (rel, m.group(2))
                assert key in FILLED, f"{rel}: the test does not know how to fill `{m.group(2)}`"
                seen.add(key)
                line = f"{m.group(1)}{m.group(2)}: {FILLED[key]}{m.group(3)}"
            out.append(line)
        path.write_text("\n".join(out) + "\n", encoding="utf-8")
    assert seen == set(FILLED), f"placeholders the starter no longer has: {sorted(set(FILLED) - seen)}"


def add_study(content: Path) -> Path:
    """`build.py new`, then fill the skeleton with invented values about the example files."""
    proc = run_build("new", STUDY_TITLE, "--content", str(content))
    assert proc.returncode == 0, proc.stderr
    path = content / "studies" / f"{STUDY_ID}.yaml"
    fill(path, content / "sources" / f"{STUDY_ID}.txt")
    d = yaml.safe_load(path.read_text(encoding="utf-8"))
    d.update(conditions=["example-condition"], drugs=["example-drug"])
    d["regimens"][0]["drug"] = "example-drug"
    path.write_text(yaml.safe_dump(d, sort_keys=False), encoding="utf-8")
    return path


def topic_mentions(folder: Path) -> list[str]:
    """Every file under folder that names the shipped topic, read as bytes and, for the
    compressed search index, decompressed as well."""
    hits = []
    for p in sorted(folder.rglob("*")):
        if not p.is_file():
            continue
        data = p.read_bytes()
        for unpack in (gzip.decompress, lambda b: zlib.decompress(b, -15)):
            try:
                data += unpack(data)
                break
            except (OSError, EOFError, zlib.error):
                pass
        m = TOPIC.search(data)
        if m:
            hits.append(f"{p.relative_to(folder).as_posix()}: …{data[max(0, m.start() - 60):m.end() + 20]!r}…")
    return hits


def make_site(tmp: Path, studies: int) -> tuple[Path, Path]:
    """init, fill, optionally add one study, check --strict, build: (content, output)."""
    content, output = tmp / "site", tmp / "out"
    proc = run_build("init", str(content))
    assert proc.returncode == 0, proc.stderr
    fill_starter(content)
    if studies:
        add_study(content)
    check = run_build("check", "--strict", "--content", str(content))
    assert check.returncode == 0 and "0 warnings" in check.stdout, check.stderr + check.stdout
    built = run_build("--content", str(content), "--output", str(output))
    assert built.returncode == 0, built.stderr
    assert f"({studies} stud" in built.stdout, built.stdout
    return content, output


def page_text(path: Path) -> str:
    """A page's <main>, tags removed, white space collapsed."""
    html = path.read_text(encoding="utf-8")
    main_ = html[html.index("<main"):html.index("</main>")]
    return " ".join(re.sub(r"<[^>]+>", " ", main_).split())


# --- init -----------------------------------------------------------------------------


def test_init_writes_a_starter_folder_without_the_topic(tmp_path, capsys):
    target = tmp_path / "new-site"
    assert main(["init", str(target)]) == 0
    out = capsys.readouterr().out
    assert f"Wrote {target}/:" in out and f"check --content {target}" in out
    files = sorted(p.relative_to(target).as_posix() for p in target.rglob("*"))
    assert files == ["conditions", "conditions/example-condition.yaml", "drugs", "drugs/example-drug.yaml",
                     "glossary.yaml", "site.yaml", "sources", "studies"]
    site = yaml.safe_load((target / "site.yaml").read_text(encoding="utf-8"))
    assert site["content_model"] == MODEL_VERSION == "1.2"
    assert set(site["evidence_search"]) == {"date", "where", "how", "statement"}
    for rel in ("conditions/example-condition.yaml", "drugs/example-drug.yaml"):
        text = (target / rel).read_text(encoding="utf-8")
        assert text.startswith("# AN EXAMPLE ") and "(this file is an example)" in text, rel
    terms = {t["id"] for t in yaml.safe_load((target / "glossary.yaml").read_text(encoding="utf-8"))}
    assert {"median", "range", "case-series", "cohort", "randomised-controlled-trial", "comparison-group",
            "certainty-of-evidence", "adverse-event", "serious-adverse-event", "placebo"} <= terms
    assert not topic_mentions(target)
    assert not topic_mentions(starter.STARTER)


def test_init_into_an_empty_folder_is_allowed(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["init", str(tmp_path / "empty")]) == 0
    assert (tmp_path / "empty" / "site.yaml").is_file()


@pytest.mark.parametrize("what", ["a file inside", "a hidden file inside", "a file"])
def test_init_refuses_a_non_empty_folder_or_a_file(tmp_path, capsys, what):
    target = tmp_path / "content"
    if what == "a file":
        target.write_text("mine\n", encoding="utf-8")
    else:
        target.mkdir()
        (target / (".keep" if "hidden" in what else "site.yaml")).write_text("title: mine\n", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    assert main(["init", str(target)]) == 3
    err = capsys.readouterr().err
    expected = (f"build.py: {target} is a file; init writes a new content folder: give a new or empty folder\n"
                if what == "a file" else
                f"build.py: {target} is not empty; init writes only into a new or empty folder\n")
    assert err == expected
    assert sorted(p.name for p in tmp_path.rglob("*")) == before          # nothing written
    assert "mine" in (target.read_text() if what == "a file" else next(target.iterdir()).read_text())


def test_init_needs_a_folder(capsys):
    with pytest.raises(SystemExit) as e:
        main(["init"])
    assert e.value.code == 2
    assert "the following arguments are required: DIR" in capsys.readouterr().err


# --- check --strict on a fresh init ---------------------------------------------------


def test_check_strict_on_a_fresh_init_lists_each_placeholder_with_file_and_line(tmp_path):
    content = tmp_path / "site"
    assert run_build("init", str(content)).returncode == 0
    todos = todo_lines(content)
    assert len(todos) == 11 and {f for f, _, _ in todos} == {"site.yaml", "conditions/example-condition.yaml",
                                                             "drugs/example-drug.yaml"}
    proc = run_build("check", "--strict", "--content", "site", cwd=tmp_path)
    assert proc.returncode == 1
    located = re.findall(r"^site/(\S+?):(\d+):(\d+): (\S+): (.*)$", proc.stderr, re.M)
    assert [(f, int(n), fld.rsplit(".", 1)[-1]) for f, n, _, fld, _ in located] == \
        sorted(todos, key=lambda t: (t[0], t[1]))                  # each placeholder, and nothing else
    for f, n, col, fld, message in located:
        line = (content / f).read_text(encoding="utf-8").splitlines()[int(n) - 1]
        assert line.index('"TODO:') + 1 == int(col), (f, n, col)
        assert message == f'expected a value; got the placeholder "{line[int(col):].split(chr(34))[0]}"'
    assert 'site.yaml:18:9: evidence_search.date: expected a value; got the placeholder ' \
           '"TODO: the date of the search, YYYY-MM-DD"' in proc.stderr
    assert proc.stderr.count("  hint: replace it with your own text") == 11
    assert proc.stderr.rstrip().endswith("11 errors in 3 files; nothing written.")
    assert "from the source" not in proc.stderr and "not-reported" not in proc.stderr


def test_a_fresh_init_does_not_build(tmp_path):
    """As with a `new` study, a placeholder is an error with or without --strict: a site
    titled "TODO: ..." is never published by accident."""
    content, output = tmp_path / "site", tmp_path / "out"
    assert run_build("init", str(content)).returncode == 0
    proc = run_build("--content", str(content), "--output", str(output))
    assert proc.returncode == 1
    assert f"11 errors in 3 files; {output}/ left unchanged." in proc.stderr
    assert not output.exists()


def test_check_lists_only_what_is_left(tmp_path):
    content = tmp_path / "site"
    assert run_build("init", str(content)).returncode == 0
    fill_starter(content)
    path = content / "site.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        f'title: {FILLED["site.yaml", "title"]}', 'title: "TODO: the title"'), encoding="utf-8")
    proc = run_build("check", "--strict", "--content", str(content))
    assert proc.returncode == 1
    assert re.findall(r"^\S+:\d+:\d+: .*$", proc.stderr, re.M) == \
        [f'{content}/site.yaml:7:8: title: expected a value; got the placeholder "TODO: the title"']


# --- the built sites ------------------------------------------------------------------


def test_a_filled_starter_builds_a_zero_study_site_without_the_topic(tmp_path):
    content, out = make_site(tmp_path, studies=0)
    for page in ("index.html", "studies/index.html", "studies/oldest-first/index.html", "browse/index.html",
                 "designs/index.html", "ages/index.html", "certainty/low/index.html", "dosing/index.html",
                 "dosing/sort/dose/index.html", "search/index.html", "glossary/index.html", "about/index.html",
                 "conditions/example-condition/index.html", "drugs/example-drug/index.html", "404.html"):
        assert (out / page).is_file(), page
    assert "Latest studies No studies yet." in page_text(out / "index.html")
    assert "0 studies, newest first. " in page_text(out / "studies/index.html")
    assert "<table" not in (out / "studies/index.html").read_text(encoding="utf-8")
    assert "No studies yet." in page_text(out / "designs/index.html")
    assert "0 regimens from 0 studies" in page_text(out / "dosing/index.html")
    glossary = page_text(out / "glossary/index.html")
    assert "randomised controlled trial" in glossary and "serious adverse event" in glossary
    # open data and feeds: valid, and empty
    data = json.loads((out / "studies.json").read_text(encoding="utf-8"))
    assert data["studies"] == [] and data["content_model"] == "1.2"
    rows = list(csv.reader(io.StringIO((out / "regimens.csv").read_text(encoding="utf-8"))))
    assert len(rows) == 1 and rows[0][0] == "study_id"
    for feed in ("feed.xml", "conditions/example-condition/feed.xml"):
        root = ET.parse(out / feed).getroot()
        assert root.tag == f"{ATOM}feed" and not root.findall(f"{ATOM}entry"), feed
        assert root.findtext(f"{ATOM}title").endswith("Example medicine in an example illness: what the studies show")
    if (out / "sitemap.xml").exists():                     # only with a base_url (issue 19)
        ET.parse(out / "sitemap.xml")
    assert not topic_mentions(out), topic_mentions(out)


def test_a_zero_study_site_with_a_base_url_has_an_empty_sitemap_of_its_pages(tmp_path):
    content = tmp_path / "site"
    assert run_build("init", str(content)).returncode == 0
    fill_starter(content)
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace('base_url: ""', 'base_url: "https://example.org/ev/"'),
                    encoding="utf-8")
    proc = run_build("--content", str(content), "--output", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    root = ET.parse(tmp_path / "out" / "sitemap.xml").getroot()
    locs = [e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert any(u.rstrip("/").endswith(("ev", "index.html")) for u in locs), locs      # the home page
    pages = [m.group(1) for u in locs if (m := re.search(r"/studies/([^/]+)/", u))]
    assert set(pages) <= set(RESERVED_STUDY_IDS), locs                 # no study page
    assert any(re.search(r"/studies/(index\.html)?$", u) for u in locs), locs      # the studies index
    assert not topic_mentions(tmp_path / "out")


def test_one_study_added_with_new_builds_without_the_topic(tmp_path):
    content, out = make_site(tmp_path, studies=1)
    assert (out / "studies" / STUDY_ID / "index.html").is_file()
    assert "Example trial" in page_text(out / "index.html")
    assert "1 study, newest first." in page_text(out / "studies/index.html")
    assert json.loads((out / "studies.json").read_text(encoding="utf-8"))["studies"][0]["id"] == STUDY_ID
    assert len(ET.parse(out / "feed.xml").getroot().findall(f"{ATOM}entry")) == 1
    assert not topic_mentions(out), topic_mentions(out)


def test_the_topic_scan_finds_a_mention_plain_or_compressed(tmp_path):
    """topic_mentions() is what the tests above rely on: it must see the words."""
    (tmp_path / "a.html").write_text("<p>Nothing here.</p>", encoding="utf-8")
    assert topic_mentions(tmp_path) == []
    (tmp_path / "b.html").write_text("<p>Children with Lupus.</p>", encoding="utf-8")
    (tmp_path / "c.pf_fragment").write_bytes(gzip.compress(b'{"content": "RITUXIMAB was given"}'))
    assert [h.split(":")[0] for h in topic_mentions(tmp_path)] == ["b.html", "c.pf_fragment"]

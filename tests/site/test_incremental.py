"""Incremental builds equal clean builds, byte for byte, after every kind of edit (issue 9)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from evidence.build.pipeline import build
from helpers import snapshot as tree

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def project(tmp_path, monkeypatch):
    """A copy of the shipped content and templates, and a fixed build date."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    monkeypatch.chdir(tmp_path)
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    return tmp_path


def same_as_clean(project: Path):
    """Build incrementally into site/out, cleanly into clean/out; both trees must be equal."""
    inc = build(Path("content"), Path("site/out"), search=False, templates=Path("templates"))
    shutil.rmtree(project / "clean", ignore_errors=True)
    build(Path("content"), Path("clean/out"), search=False, clean=True, templates=Path("templates"))
    a, b = tree(project / "site/out"), tree(project / "clean/out")
    assert sorted(a) == sorted(b)
    assert [p for p in a if a[p] != b[p]] == []
    return inc


def add_study(project: Path, ident: str, title: str) -> None:
    """A new study made from kumar-2009 with an invented id, title and citation numbers."""
    text = (project / "content/studies/kumar-2009.yaml").read_text(encoding="utf-8")
    text = text.replace("id: kumar-2009", f"id: {ident}", 1)
    text = text.replace('pmid: "19074962"', 'pmid: "99999999"').replace(
        'doi: "10.1542/peds.2008-2361"', 'doi: "10.99999/example"')
    text = text.replace("plain_title: Rituximab for low blood counts caused by lupus in children",
                        f"plain_title: {title}")
    (project / f"content/studies/{ident}.yaml").write_text(text, encoding="utf-8")
    shutil.copy(project / "content/sources/kumar-2009.txt", project / f"content/sources/{ident}.txt")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_incremental_equals_clean_over_an_edit_series(project):
    first = same_as_clean(project)
    assert first.written == first.pages

    again = same_as_clean(project)
    assert again.written == 0 and again.unchanged == first.pages

    add_study(project, "example-2030", "Example study added for the test")
    r = same_as_clean(project)
    assert 0 < r.written < r.pages                 # the new page and the pages listing it
    assert b"Example study added for the test" in (project / "site/out/index.html").read_bytes()

    edit(project / "content/studies/kumar-2009.yaml", "plain_title: Rituximab for low blood counts",
         "plain_title: Rituximab given for low blood counts")
    r = same_as_clean(project)
    assert r.written < r.pages
    assert b"Rituximab given for low blood counts" in (
        project / "site/out/studies/kumar-2009/index.html").read_bytes()

    # rename: the file, its id and its source text move to a new id
    os.rename(project / "content/studies/example-2030.yaml", project / "content/studies/example-2031.yaml")
    os.rename(project / "content/sources/example-2030.txt", project / "content/sources/example-2031.txt")
    edit(project / "content/studies/example-2031.yaml", "id: example-2030", "id: example-2031")
    same_as_clean(project)
    assert not (project / "site/out/studies/example-2030").exists()
    assert (project / "site/out/studies/example-2031/index.html").is_file()

    (project / "content/studies/example-2031.yaml").unlink()
    (project / "content/sources/example-2031.txt").unlink()
    r = same_as_clean(project)
    assert not (project / "site/out/studies/example-2031").exists()
    assert r.removed == 4   # its page and its three citation downloads (cite.ris, .bib, .json)

    edit(project / "templates/partials/study_list.html", '<ul class="study-list">',
         '<ul class="study-list" data-test="edited">')
    same_as_clean(project)
    assert b'data-test="edited"' in (project / "site/out/index.html").read_bytes()

    edit(project / "content/glossary.yaml", "definition: A kind of white blood cell.",
         "definition: A type of white blood cell.")
    same_as_clean(project)
    assert b"A type of white blood cell." in (project / "site/out/glossary/index.html").read_bytes()


def test_linked_files_and_hand_edits_are_picked_up(project):
    same_as_clean(project)
    edit(project / "content/drugs/rituximab.yaml", "name: Rituximab", "name: Rituximab (edited)")
    same_as_clean(project)
    edit(project / "content/site.yaml", "tagline: Published", "tagline: Edited, published")
    same_as_clean(project)
    edit(project / "templates/assets/site.css", "", "/* edited */\n")
    same_as_clean(project)
    # a page changed or deleted by hand in output/ is written again
    (project / "site/out/about/index.html").write_text("changed by hand")
    (project / "site/out/glossary/index.html").unlink()
    r = same_as_clean(project)
    assert r.written == 2


def test_source_text_change_reaches_the_cached_check(project):
    same_as_clean(project)
    src = project / "content/sources/kumar-2009.txt"
    src.write_text(src.read_text(encoding="utf-8").replace("infusion reaction", "reaction"), encoding="utf-8")
    r = build(Path("content"), Path("site/out"), search=False, templates=Path("templates"))
    fresh = build(Path("content"), Path("clean/out"), search=False, clean=True, templates=Path("templates"))
    assert [str(w) for w in r.warnings] == [str(w) for w in fresh.warnings]
    assert any("kumar-2009" in w.path for w in r.warnings)


def test_forked_workers_write_the_same_site(project, monkeypatch):
    """Checking and rendering on two forked workers gives the single-process bytes."""
    from evidence.build import workers
    monkeypatch.setattr(workers, "PARALLEL_MIN", 2)       # fork even for the small shipped site
    forks = []
    real_pool = workers.pool
    monkeypatch.setattr("evidence.build.rendering.pool", lambda j, n, w: forks.append(n) or real_pool(j, n, w))
    monkeypatch.setattr("evidence.build.cache.pool", lambda j, n, w: forks.append(n) or real_pool(j, n, w))
    build(Path("content"), Path("two/out"), search=False, clean=True, jobs=2, templates=Path("templates"))
    assert len(forks) == 2 and all(n >= 2 for n in forks)  # the check and the render stages
    build(Path("content"), Path("one/out"), search=False, clean=True, jobs=1, templates=Path("templates"))
    a, b = tree(project / "two/out"), tree(project / "one/out")
    assert sorted(a) == sorted(b) and [p for p in a if a[p] != b[p]] == []


def fresh_python(code: str, *args: str, cwd: Path | None = None) -> str:
    """The first line code prints, run in a fresh interpreter (no modules loaded and no
    threads started by other tests) that can import the project."""
    import subprocess
    import sys
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=True)
    return done.stdout.split("\n")[0]


def fresh_rebuild(project: Path, report: str, setup: str = "") -> str:
    """Rebuild site/out in a fresh interpreter, after `setup`; what print(report) shows,
    with the build's Result as r (os and sys imported)."""
    return fresh_python("import os, sys; from pathlib import Path; from evidence.build.pipeline import build; "
                        f"{setup + '; ' if setup else ''}r = build(Path('content'), Path('site/out'), search=False, "
                        f"templates=Path('templates')); print({report})", cwd=project)


def test_a_no_change_rebuild_loads_no_rendering_code(project):
    """The no-change rebuild stops before Jinja, Markdown and the schemas are imported
    (0.18 s of its 0.5 s budget at 5,000 studies)."""
    same_as_clean(project)
    loaded = "sorted(m for m in ('evidence.pages.render', 'jinja2', 'markdown', 'jsonschema') if m in sys.modules)"
    assert fresh_rebuild(project, f"r.written, {loaded}") == "0 []"


def test_the_previous_site_is_whole_when_the_swap_starts(project, monkeypatch):
    """Until the new site goes in (write.swap for a staged build, patch.commit for a small
    one in place), output/ is the whole previous site: nothing empties or changes it
    before that moment (issue 18, bug b)."""
    from evidence.build import patch, write
    build(Path("content"), Path("site/out"), search=False, templates=Path("templates"))
    out, seen = project / "site/out", []
    previous = tree(out)
    real_swap, real_commit = write.swap, patch.commit

    def swap(staging, output, *a):
        seen.append(("swap", tree(output) == previous))
        return real_swap(staging, output, *a)

    def commit(output, *a):
        seen.append(("commit", tree(output) == previous))
        return real_commit(output, *a)
    monkeypatch.setattr(write, "swap", swap)
    monkeypatch.setattr(patch, "commit", commit)
    for change in ("by hand", "template", "clean"):
        if change == "by hand":         # one page written again: moved in place
            (out / "about/index.html").write_text("changed by hand")
            previous = tree(out)
        elif change == "template":      # every page: a staging folder swapped in
            edit(project / "templates/base.html", "</body>", "<!-- edited -->\n</body>")
        build(Path("content"), Path("site/out"), search=False, clean=change == "clean",
              templates=Path("templates"))
        previous = tree(out)
    assert seen == [("commit", True), ("swap", True), ("swap", True)]


def test_a_session_follows_builds_and_hand_edits_made_beside_it(project):
    """serve's session keeps the last manifest, the checked content and the fragments in
    memory; a build by another process in between (here, one without the session) and
    a page edited by hand are still noticed: each result is a clean build's."""
    from evidence.build.state import Session
    session = Session()

    def with_session():
        r = build(Path("content"), Path("site/out"), search=False, templates=Path("templates"), session=session)
        session.settle()
        shutil.rmtree(project / "clean", ignore_errors=True)
        build(Path("content"), Path("clean/out"), search=False, clean=True, templates=Path("templates"))
        a, b = tree(project / "site/out"), tree(project / "clean/out")
        assert sorted(a) == sorted(b) and [p for p in a if a[p] != b[p]] == []
        return r

    with_session()
    add_study(project, "example-2030", "Example study added for the test")
    same_as_clean(project)                      # another build writes site/out and its manifest
    (project / "content/studies/example-2030.yaml").unlink()
    (project / "content/sources/example-2030.txt").unlink()
    assert with_session().removed == 4          # (the session's own manifest never listed them)
    edit(project / "content/studies/kumar-2009.yaml", "plain_title: Rituximab for low blood counts",
         "plain_title: Rituximab given for low blood counts")
    assert 0 < with_session().written
    (project / "site/out/about/index.html").write_text("changed by hand")
    assert with_session().written == 1
    assert with_session().written == 0

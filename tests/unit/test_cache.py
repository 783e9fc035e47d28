"""The content cache (evidence/build/cache.py) and the syllable tables: results packed as
tuples and unpacked equal, keys that follow everything a file's check depends on, shards
written only when they change, the scan reading only what changed, and the tables
giving textstat's own grades."""
from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from evidence.build import cache
from evidence.build.cache import FORMAT, Cache, DocResult, doc_key, file_key, scan
from evidence.build.pipeline import Result
from evidence.build.workers import Progress

ROOT = Path(__file__).resolve().parents[2]
STUDY = ROOT / "content/studies/kumar-2009.yaml"


@pytest.fixture(scope="module")
def checked():
    from evidence.content.load import read_sources
    result, _ = cache.analyse(STUDY, "content/studies/kumar-2009.yaml", "study", STUDY.read_bytes(),
                              read_sources(ROOT / "content")["kumar-2009"])
    return result


def test_a_result_packs_into_tuples_and_unpacks_equal(checked):
    packed = cache._pack(checked)
    assert type(packed) is tuple and type(packed[4]) is tuple           # no dataclass in the pickle
    assert cache._unpack(pickle.loads(pickle.dumps(packed))) == checked
    failed = DocResult("study", "x.yaml", load_error="bad")
    assert cache._unpack(cache._pack(failed)) == failed                 # no report to pack


def test_a_key_follows_each_thing_a_check_reads():
    parts = ("raw", "content/studies/a.yaml", "study", "source", "generator")
    key = doc_key(*parts)
    assert key == doc_key(*parts)
    for i in range(len(parts)):
        other = list(parts)
        other[i] += "!"
        assert doc_key(*other) != key, parts[i]
    sources = {"a": ("content/sources/a.txt", b"text", "srcdigest")}
    assert file_key("a", "s.yaml", "study", "d", sources, "g") == (doc_key("d", "s.yaml", "study", "srcdigest", "g"),
                                                                   sources["a"])
    # only a study reads its source text
    assert file_key("a", "c.yaml", "condition", "d", sources, "g") == (doc_key("d", "c.yaml", "condition", "", "g"),
                                                                       None)


def test_only_changed_shards_are_written(tmp_path, checked):
    store = Cache(tmp_path)
    for key in ("a1", "a2", "b1"):
        store.put(key, checked)
    store.save()
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"docs-{FORMAT}-a.pickle", f"docs-{FORMAT}-b.pickle"]
    inode = {s: store._file(s).stat().st_ino for s in "ab"}
    again = Cache(tmp_path)
    assert again.found == 2 and again.get("a1") == checked and again.get("zz") is None
    again.get("a2"), again.get("b1")
    again.put("b2", checked)
    again.save()
    assert store._file("a").stat().st_ino == inode["a"]                # untouched
    assert store._file("b").stat().st_ino != inode["b"]                # gained an entry
    assert set(pickle.loads(store._file("b").read_bytes())) == {"b1", "b2"}


def test_a_damaged_shard_is_ignored_and_written_again(tmp_path, checked):
    store = Cache(tmp_path)
    store.put("a1", checked)
    store.put("c1", checked)
    store.save()
    store._file("a").write_bytes(b"damaged")
    again = Cache(tmp_path)
    assert again.get("a1") is None and again.get("c1") == checked
    again.put("a1", checked)
    again.save()
    assert Cache(tmp_path).get("a1") == checked


def test_clean_forgets_every_entry_and_used_entries_are_kept(tmp_path, checked):
    store = Cache(tmp_path)
    for i in range(20):
        store.put(f"a{i}", checked)
    store.save()
    again = Cache(tmp_path)
    for i in range(10):                     # half of them unused: their shard is rewritten
        again.get(f"a{i}")
    again.save()
    assert set(pickle.loads(again._file("a").read_bytes())) == {f"a{i}" for i in range(10)}
    again.clear()
    again.save()
    assert pickle.loads(again._file("a").read_bytes()) == {}


def _content(root: Path) -> Path:
    (root / "studies").mkdir(parents=True)
    (root / "sources").mkdir()
    (root / "site.yaml").write_text("title: x\n")
    (root / "studies/a.yaml").write_text("id: a\n")
    (root / "sources/a.txt").write_text("the source")
    return root


def test_the_scan_reads_only_files_changed_since_the_last_one(tmp_path):
    content = _content(tmp_path / "content")
    first = scan(content)
    assert [(f.rel.split("/")[-1], f.kind, f.raw) for f in first.files] == [("site.yaml", "site", b"title: x\n"),
                                                                          ("a.yaml", "study", b"id: a\n")]
    assert first.sources["a"][1:] == (b"the source", cache.digest(b"the source"))
    later = __import__("time").time_ns() + 10**9        # the files are older than this scan
    again = scan(content, first.stats, later)
    assert [f.raw for f in again.files] == [None, None]                 # nothing read
    assert [f.digest for f in again.files] == [f.digest for f in first.files]
    (content / "studies/a.yaml").write_text("id: a\nmore: 1\n")         # another size
    changed = scan(content, first.stats, later)
    assert [f.raw for f in changed.files] == [None, b"id: a\nmore: 1\n"]
    assert scan(content, first.stats, 0).files[0].raw == b"title: x\n"  # not older than the scan: read


def test_an_unreadable_file_is_an_error_value(tmp_path):
    content = _content(tmp_path / "content")
    os.symlink(tmp_path / "nowhere.yaml", content / "studies/b.yaml")
    files = scan(content).files
    assert isinstance(next(f for f in files if f.rel.endswith("b.yaml")).raw, OSError)


def test_load_checked_takes_unchanged_files_from_the_cache(tmp_path):
    from evidence.content.load import read_sources
    content = tmp_path / "content"
    import shutil
    shutil.copytree(ROOT / "content", content)
    found = scan(content)
    first, again = Result(), Result()
    store = Cache(tmp_path / "cache")
    docs, errors, _, keys, _ = cache.load_checked(found.files, found.sources, store, "g", 1, Progress(True), first)
    assert not errors and first.cached == 0 and len(keys) == len(found.files)
    store.save()
    docs2, _, _, keys2, texts = cache.load_checked(found.files, found.sources, Cache(tmp_path / "cache"), "g", 1,
                                                  Progress(True), again)
    assert again.cached == len(found.files) and keys2 == keys
    assert [d.data for d in docs2] == [d.data for d in docs]
    assert texts["kumar-2009"] == read_sources(content)["kumar-2009"]
    other = Result()                                            # another generator: nothing reused
    cache.load_checked(found.files, found.sources, Cache(tmp_path / "cache"), "g2", 1, Progress(True), other)
    assert other.cached == 0


def test_the_syllable_tables_give_textstats_grades(tmp_path):
    """Every shipped summary section and family text: readability.grade (our tables, from
    the libraries' files and from the cache folder) equals textstat's own grade."""
    import textstat
    import yaml

    from evidence.content import readability
    texts = []
    for path in sorted((ROOT / "content").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        if isinstance(data, dict):
            texts += [data["summary"][k] for k in readability.SECTIONS if k in data.get("summary", {})]
            texts += [data["for_families"]] if "for_families" in data else []
    texts += ["", "...", "Don't stop. It's 0.93 x-ray-ish cyclophosphamide!"]
    assert len(texts) > 20
    want = [round(float(textstat.flesch_kincaid_grade(readability.plain(t))), 1) for t in texts]
    try:
        for folder in (None, tmp_path, None, tmp_path):  # library files; made in the folder; read back
            readability.keep_tables_in(folder)
            assert [readability.grade(t) for t in texts] == want
        assert list(tmp_path.glob("cmudict-*.sqlite")) and list(tmp_path.glob("pyphen-*.pickle"))
    finally:
        readability.keep_tables_in(None)


def test_tables_made_for_one_build_are_copied_for_the_next(tmp_path, monkeypatch):
    """A second build folder in the same process (the test suite, serve on a second site)
    gets the tables copied from the first, not made again from CMUdict; folders named
    relative to the working directory are told apart after a chdir."""
    from evidence.content import readability
    tables = readability.Tables()
    monkeypatch.setattr(readability, "TABLES", tables)
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    monkeypatch.chdir(tmp_path / "a")
    readability.keep_tables_in(Path("site/.cache"))
    tables.load()
    first = sorted(p.name for p in (tmp_path / "a/site/.cache").iterdir())
    words = ["cyclophosphamide", "children", "rituximab", "nephritis"]
    counts = [tables.syllables(w) for w in words]
    assert len(first) == 2 and counts[1] == 2

    def no_making():
        raise AssertionError("CMUdict read again")
    monkeypatch.setattr(readability, "_cmudict_syllables", no_making)
    monkeypatch.setattr(readability.pickle, "dumps", no_making)
    monkeypatch.chdir(tmp_path / "b")
    readability.keep_tables_in(Path("site/.cache"))      # the same words, another folder
    tables.load()
    assert sorted(p.name for p in (tmp_path / "b/site/.cache").iterdir()) == first
    assert [tables.syllables(w) for w in words] == counts

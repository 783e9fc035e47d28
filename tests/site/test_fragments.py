"""Fragments (issue 9): a study's rows, feed entries and downloads are made once and reused
by later builds; oversized whole-site dosing views show one line per drug; the home page
lists the newest studies only. Each incremental build here is also compared with a clean one."""
from __future__ import annotations

import re
import sys
from pathlib import Path

from evidence.pages import dosing
from evidence.build import workers
from evidence.pages import fragments
from evidence.build.pipeline import build
from test_incremental import add_study, project, same_as_clean  # noqa: F401 (project: a fixture)

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from synthetic import make_corpus  # noqa: E402


def count_makes(monkeypatch) -> list[tuple[str, str]]:
    """(kind, study id) of every fragment made (not reused) from now on."""
    made: list[tuple[str, str]] = []
    real = fragments.Fragments.get_all

    def get_all(self, kind, items, variant, make, obj=None):
        def counted(item):
            made.append((kind, (obj(item) if obj else item).id))
            return make(item)
        return real(self, kind, items, variant, counted, obj)
    monkeypatch.setattr(fragments.Fragments, "get_all", get_all)
    return made


def test_a_new_study_makes_only_its_own_fragments(project, monkeypatch):
    same_as_clean(project)
    made = count_makes(monkeypatch)
    add_study(project, "example-2030", "Example study added for the test")
    build(Path("content"), Path("site/out"), search=False, templates=Path("templates"))
    kinds = {k for k, _ in made}
    assert {i for _, i in made} == {"example-2030"}          # every other study's pieces reused
    assert {"dosing-row", "each", "atom-entry", "csv-rows", "study-json"} <= kinds
    made.clear()
    same_as_clean(project)                                    # and the result is a clean build's


def test_fragments_made_in_forked_workers_are_kept(project, monkeypatch):
    monkeypatch.setattr(workers, "PARALLEL_MIN", 2)           # fork even for the small shipped site
    build(Path("content"), Path("site/out"), search=False, clean=True, jobs=2,
          templates=Path("templates"))
    made = count_makes(monkeypatch)
    add_study(project, "example-2030", "Example study added for the test")
    build(Path("content"), Path("site/out"), search=False, jobs=1, templates=Path("templates"))
    # rows rendered by the workers of the first build were sent back and saved
    assert {i for k, i in made if k == "dosing-row"} == {"example-2030"}


def test_a_damaged_fragment_file_only_costs_time(project):
    same_as_clean(project)
    shards = list((project / "site/.cache").glob("fragments-*/*.pickle"))
    assert len(shards) == len(fragments.SHARDS)
    for p in shards:
        p.write_bytes(b"not a pickle")
    add_study(project, "example-2030", "Example study added for the test")
    same_as_clean(project)


def test_download_pieces_come_from_mapped_blobs_and_a_damaged_blob_only_costs_time(project):
    """studies.json's, the feeds' and regimens.csv's pieces are kept in blob files the next
    build maps; each pickle names its blob, and blobs no pickle names are deleted."""
    import pickle
    same_as_clean(project)
    folder = next((project / "site/.cache").glob("fragments-*"))
    named = {pickle.loads(p.read_bytes())["blob"]["name"] for p in folder.glob("*.pickle")
             if pickle.loads(p.read_bytes())["blob"]}
    assert named and {p.name for p in folder.glob("*.blob")} == named
    (folder / f"{min(named)[0]}-1-2.blob").write_bytes(b"x")   # as a build killed mid-save leaves it
    for name in named:                                  # cut every blob short
        (folder / name).write_bytes((folder / name).read_bytes()[:-1])
    add_study(project, "example-2030", "Example study added for the test")
    same_as_clean(project)
    assert {p.name for p in folder.glob("*.blob")} == {
        pickle.loads(p.read_bytes())["blob"]["name"] for p in folder.glob("*.pickle")
        if pickle.loads(p.read_bytes())["blob"]}


def test_only_changed_shards_are_written(project):
    same_as_clean(project)
    shards = {p: p.stat().st_mtime_ns for p in (project / "site/.cache").glob("fragments-*/*.pickle")}
    add_study(project, "example-2030", "Example study added for the test")
    build(Path("content"), Path("site/out"), search=False, templates=Path("templates"))
    rewritten = [p for p, t in shards.items() if p.stat().st_mtime_ns != t]
    assert 1 <= len(rewritten) <= 2          # the new study's shard (and none of the others)


def test_rooted_places_fragment_links_at_the_page_depth():
    link = fragments.linker("")
    text = f'<a href="{link("studies/x/")}">x</a>'
    assert fragments.rooted(text, "index.html") == '<a href="studies/x/index.html">x</a>'
    assert fragments.rooted(text, "dosing/sort/dose/index.html") == \
        '<a href="../../../studies/x/index.html">x</a>'
    assert fragments.linker("https://example.org/")("studies/x/") == fragments.ROOT + "studies/x/"


def test_control_characters_cannot_reach_a_fragment(tmp_path):
    """ROOT (U+0001) is safe as a placeholder only because content cannot hold it."""
    from helpers import copy_content, run_build
    content = copy_content(tmp_path)
    p = content / "studies/kumar-2009.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace(
        "plain_title: Rituximab", 'plain_title: "\\x01Rituximab', 1).replace(
        "caused by lupus in children\n", 'caused by lupus in children"\n', 1), encoding="utf-8")
    r = run_build("--content", str(content), "--output", str(tmp_path / "out"), "--no-search")
    assert r.returncode == 1 and "U+0001" in r.stderr


def test_big_whole_site_dosing_views_show_one_line_per_drug(project, monkeypatch):
    monkeypatch.setattr(dosing, "MAX_ROWS", 3)                # the shipped site has 12 regimens
    same_as_clean(project)
    out = project / "site/out"
    for page in ("dosing/index.html", "dosing/sort/dose/index.html"):
        html = (out / page).read_text(encoding="utf-8")
        assert "too many to show on one page" in html
        assert 'class="dosing-summary"' in html and "data-sortable" not in html
        links = re.findall(r'<th scope="row"><a href="([^"]+)">', html)
        assert links and all((out / page).parent.joinpath(h).resolve().is_file() for h in links)
        assert not re.search(r'<tr id="dosing-', html)          # no regimen rows
    # a drug's and a condition's own views still show every regimen
    drug = (out / "dosing/drug/rituximab/index.html").read_text(encoding="utf-8")
    assert "too many" not in drug and re.search(r'<tr id="dosing-', drug)
    cond = (out / "dosing/condition/childhood-onset-sle/index.html").read_text(encoding="utf-8")
    assert re.search(r'<tr id="dosing-', cond)


def test_crossing_the_summary_limit_rebuilds_like_a_clean_build(project, monkeypatch):
    monkeypatch.setattr(dosing, "MAX_ROWS", 12)               # exactly the shipped regimens
    same_as_clean(project)
    assert "too many" not in (project / "site/out/dosing/index.html").read_text(encoding="utf-8")
    add_study(project, "example-2030", "Example study added for the test")
    same_as_clean(project)
    assert "too many" in (project / "site/out/dosing/index.html").read_text(encoding="utf-8")


def test_home_lists_the_ten_newest(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    content = make_corpus(tmp_path / "content", 12)
    build(content, tmp_path / "out", search=False, clean=True)
    home = (tmp_path / "out/index.html").read_text(encoding="utf-8")
    listed = re.findall(r'<a href="(studies/[^"]+)">', home.split('id="studies"')[1].split("</section>")[0])
    assert len(listed) == 11 and listed[-1] == "studies/index.html"     # ten studies and "all"
    assert "All 12 studies" in home
    newest = re.findall(r'<th scope="row"><a href="\.\./(studies/[^"]+)">',
                        (tmp_path / "out/studies/index.html").read_text(encoding="utf-8"))
    assert listed[:10] == newest[:10]


def test_sort_pages_hold_the_dosing_pages_rows_byte_for_byte(project):
    """Each sort page shows /dosing/'s regimen rows, the same bytes (but for the depth of
    their links) in another order: which is why test_xss visits one of them, not all 13."""
    build(Path("content"), Path("site/out"), search=False, templates=Path("templates"))
    out = project / "site/out"

    def rows(page):   # links made relative to the site root, since the pages' depths differ
        html = re.sub(r'href="(\.\./)+', 'href="', (out / page).read_text(encoding="utf-8"))
        return re.findall(r'<tr id="dosing-.*?</tr>', html, re.S)
    base = rows("dosing/index.html")
    assert len(base) == 12
    for page in sorted((out / "dosing/sort").glob("*/index.html")):
        got = rows(page.relative_to(out))
        assert sorted(got) == sorted(base), page
    assert len(list((out / "dosing/sort").glob("*/index.html"))) == 13


def test_warm_rebuilds_keep_their_caches_in_memory(project, monkeypatch):
    """serve's rebuilds (one Session) take the checked content and the fragments from memory,
    not from .cache/, and still write what a clean build writes."""
    import shutil
    from evidence.build.state import Session
    from test_incremental import edit
    from helpers import snapshot
    session = Session()

    def warm_then_clean():
        build(Path("content"), Path("site/out"), search=False, templates=Path("templates"), session=session)
        by_warm.extend(made)
        shutil.rmtree(project / "clean", ignore_errors=True)
        build(Path("content"), Path("clean/out"), search=False, clean=True, templates=Path("templates"))
        a, b = snapshot(project / "site/out"), snapshot(project / "clean/out")
        assert sorted(a) == sorted(b) and [p for p in a if a[p] != b[p]] == []

    made: list = []
    by_warm: list = []
    warm_then_clean()
    for p in (project / "site/.cache").rglob("*.pickle"):
        if "manifest" not in p.name:
            p.unlink()                     # only memory can supply them now
    made = count_makes(monkeypatch)
    add_study(project, "example-2030", "Example study added for the test")
    warm_then_clean()
    assert {i for k, i in by_warm if k in ("dosing-row", "atom-entry")} == {"example-2030"}
    edit(project / "content/studies/kumar-2009.yaml", "plain_title: Rituximab for low blood counts",
         "plain_title: Rituximab given for low blood counts")
    warm_then_clean()


def test_long_filter_menus_fold_away(tmp_path, monkeypatch):
    """With more than eight conditions or drugs, their dosing filter menus are disclosures:
    closed on /dosing/, open (naming the choice) on a page chosen from them."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    content = make_corpus(tmp_path / "content", 40, 12, 12)
    build(content, tmp_path / "out", search=False, clean=True)
    out = tmp_path / "out"

    def menus(page):
        html = (out / page).read_text(encoding="utf-8")
        return re.findall(r'<details class="filter-group"( open)?>\s*<summary class="filter-head" '
                          r'id="filter-(\w+)">(.*?) <span', html)
    assert menus("dosing/index.html") == [("", "condition", "Condition: All"), ("", "drug", "Drug: All")]
    assert menus("dosing/condition/synthetic-condition-3/index.html") == [
        (" open", "condition", "Condition: Synthetic condition 3"), ("", "drug", "Drug: All")]
    html = (out / "dosing/index.html").read_text(encoding="utf-8")
    assert 'class="filter-head" id="filter-route">Route:</span>' in html    # a short menu stays open
    assert len(re.findall(r'href="\.\./dosing/condition/synthetic-condition-\d+/index.html"', html)) == 12


def test_a_new_study_remakes_only_the_whole_site_files_it_is_in(project, monkeypatch):
    """Citation files and condition feeds are keyed by what they show: adding a study makes
    its own citation files and the feeds of its conditions, not every study's and feed."""
    from evidence.pages import cite, feeds
    same_as_clean(project)
    made = []
    real_files, real_atom = cite._files, feeds.atom
    monkeypatch.setattr(cite, "_files", lambda s: made.append(s.id) or real_files(s))
    monkeypatch.setattr(feeds, "atom", lambda site, studies, path, *a: made.append(path)
                        or real_atom(site, studies, path, *a))
    out = project / "site/out"
    kept = ["robots.txt", "schema/study.schema.json"]         # made from the base alone
    inodes = [(out / p).stat().st_ino for p in kept]
    add_study(project, "example-2030", "Example study added for the test")
    build(Path("content"), Path("site/out"), search=False, templates=Path("templates"))
    assert [(out / p).stat().st_ino for p in kept] == inodes   # the same files, not rewritten
    conditions = {p.stem for p in (project / "content/conditions").glob("*.yaml")}
    assert "example-2030" in made and not conditions & set(made)
    feeds_made = {p for p in made if p.endswith("feed.xml")}
    assert "feed.xml" in feeds_made
    assert feeds_made - {"feed.xml"} == {"conditions/childhood-onset-sle/feed.xml",   # kumar-2009's
                                         "conditions/autoimmune-cytopenia-in-sle/feed.xml"}
    assert [m for m in made if not m.endswith("feed.xml")] == ["example-2030"]
    same_as_clean(project)                                    # and the result is a clean build's


def test_summary_counts_match_the_rows_they_stand_for(tmp_path, monkeypatch):
    """The whole-site views' one-line-per-drug tables are counted in one pass over the
    regimens (dosing._summaries); every line must equal what grouping the rows gives."""
    from evidence.content.load import load_all, read_sources
    from evidence.content.model import build_site
    content = make_corpus(tmp_path / "content", 60, 5, 9)
    docs, errors = load_all(content)
    assert not errors

    def site():
        return build_site(docs, read_sources(content), "2026-11-27")

    full = site()
    routes = dosing.routes(full)
    assert len(routes) > 1
    expected = {}
    for route in [None, *routes]:
        t = dosing.table(full, route=route)                 # 60 studies: under MAX_ROWS
        assert not t.summary
        expected[route] = ([(g.drug.id, len(g.rows), g.studies) for g in t.groups],
                           len(t.rows), t.study_count, t.caption)
    monkeypatch.setattr(dosing, "MAX_ROWS", 0)
    small = site()
    for route in [None, *routes]:
        t = dosing.table(small, route=route, sort="dose", table_id="x")
        assert t.summary and t.rows == [] and (t.id, t.sort) == ("x", "dose")
        assert ([(g.drug.id, g.regimen_count, g.studies) for g in t.groups],
                t.regimen_count, t.study_count, t.caption) == expected[route]


def test_gone_entries_wait_until_they_are_a_tenth_of_their_file(tmp_path):
    """Fragments and checked content of entries no longer on the site are dropped when
    their file is written anyway or they are a tenth of it, so editing one study rewrites
    one file of each, not also the file its old version was in."""
    import pickle
    from evidence.build.cache import FORMAT, Cache, DocResult
    objs = [object() for _ in range(40)]
    digest = {id(o): f"a{i:031d}" for i, o in enumerate(objs)}     # all in shard "a"

    def build_fragments(kept):
        store = fragments.Fragments()
        store.start("base", {id(o): digest[id(o)] for o in kept}, tmp_path)
        store.get_all("k", kept, "v", lambda o: f"text of {digest[id(o)]}")
        store.save(tmp_path, {digest[id(o)] for o in kept})
        return (tmp_path / "a.pickle").stat().st_ino

    def build_cache(kept):
        cache = Cache(tmp_path / "docs")
        for o in kept:
            if cache.get(digest[id(o)]) is None:
                cache.put(digest[id(o)], DocResult("study", digest[id(o)]))
        cache.save()
        return cache._file("a").stat().st_ino

    def shard(path):
        return pickle.loads(path.read_bytes())

    for make, read in ((build_fragments, lambda: shard(tmp_path / "a.pickle")["digests"]),
                       (build_cache, lambda: set(shard(tmp_path / f"docs/docs-{FORMAT}-a.pickle")))):
        first = make(objs)
        assert make(objs[3:]) == first                     # 3 of 40 gone: not rewritten
        assert len(read()) == 40
        assert make(objs[4:]) != first                     # 4 of 40: rewritten without them
        assert read() == {digest[id(o)] for o in objs[4:]}

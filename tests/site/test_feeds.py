"""Atom feeds, sitemap.xml, robots.txt and canonical URLs (issue 8)."""
from __future__ import annotations

import posixpath
import re
from pathlib import Path

import feedparser
import pytest
import yaml

from helpers import ROOT, SEED, copy_content, run_build
from test_sitemap import BASE, file_for, locs as sitemap_locs


def build(tmp: Path, base_url: str | None = None, extra=None) -> Path:
    content = copy_content(tmp)
    if base_url is not None:
        site = content / "site.yaml"
        site.write_text(re.sub(r'(?m)^base_url:.*$', f'base_url: "{base_url}"', site.read_text()), encoding="utf-8")
    if extra:
        extra(content)
    out = tmp / "output"
    r = run_build("--content", str(content), "--output", str(out), "--no-search")
    assert r.returncode == 0, r.stderr
    return out


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("rel"))


@pytest.fixture(scope="module")
def out_abs(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("abs"), BASE)


@pytest.fixture(scope="module")
def studies() -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in sorted((ROOT / "content" / "studies").glob("*.yaml"))}


def resolve(out: Path, from_file: str, href: str) -> Path:
    """The file a relative link points at."""
    return out / posixpath.normpath(posixpath.join(posixpath.dirname(from_file), href))


def test_atom_feed_has_one_entry_per_study(out, studies):
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert len(feed.entries) == len(studies)
    assert {e.title for e in feed.entries} == {s["plain_title"] for s in studies.values()}
    added = [e.published[:10] for e in feed.entries]
    assert added == sorted(added, reverse=True)               # by `added`, newest first
    assert len({e.id for e in feed.entries}) == len(studies)  # ids are unique
    for e in feed.entries:
        target = resolve(out, "feed.xml", e.link)
        assert target.is_file(), e.link
        assert e.title in target.read_text(encoding="utf-8")


def test_one_feed_per_condition(out, studies):
    for p in sorted((ROOT / "content" / "conditions").glob("*.yaml")):
        feed = feedparser.parse((out / "conditions" / p.stem / "feed.xml").read_bytes())
        assert not feed.bozo
        want = {s["plain_title"] for s in studies.values() if p.stem in s["conditions"]}
        assert {e.title for e in feed.entries} == want, p.stem
        page = (out / "conditions" / p.stem / "index.html").read_text(encoding="utf-8")
        assert f'type="application/atom+xml" href="../../conditions/{p.stem}/feed.xml"' in page   # discovery


def test_every_page_in_the_sitemap_exists_and_every_page_is_in_it(out_abs):
    locs = sitemap_locs(out_abs)
    assert locs and len(locs) == len(set(locs))
    for loc in locs:
        assert file_for(out_abs, loc).is_file(), loc
    pages = {p.relative_to(out_abs).as_posix() for p in out_abs.rglob("*.html")} - {"404.html"}
    # other orders of a table (rel=canonical names the table's main page; tests/site/test_sitemap.py)
    others = {p for p in pages if p.startswith("dosing/sort/")
              or p.split("/")[:1] == ["studies"] and p.split("/")[1] in ("oldest-first", "largest-first", "by-certainty")}
    assert len(others) == 13 + 3
    assert {file_for(out_abs, loc).relative_to(out_abs).as_posix() for loc in locs} == pages - others


def test_robots_without_base_url(out):
    assert (out / "robots.txt").read_text() == "User-agent: *\nAllow: /\n"
    assert not (out / "sitemap.xml").exists()      # the protocol needs absolute URLs (#19)


def test_absolute_urls_with_base_url(out, out_abs):
    locs = sitemap_locs(out_abs)
    assert all(loc.startswith(BASE) for loc in locs)
    assert f"Sitemap: {BASE}sitemap.xml" in (out_abs / "robots.txt").read_text()
    feed = feedparser.parse((out_abs / "feed.xml").read_bytes())
    assert all(e.link.startswith(BASE + "studies/") for e in feed.entries)
    # ids do not depend on where the site lives, so moving it re-announces nothing
    assert [e.id for e in feed.entries] == [e.id for e in feedparser.parse((out / "feed.xml").read_bytes()).entries]
    page = (out_abs / "studies" / SEED / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{BASE}studies/{SEED}/">' in page
    assert f'<meta property="og:url" content="{BASE}studies/{SEED}/">' in page
    rel_page = (out / "studies" / SEED / "index.html").read_text(encoding="utf-8")
    assert 'rel="canonical"' not in rel_page and "og:url" not in rel_page
    assert 'href="../../browse/index.html"' in rel_page   # relative links open from disk


def _add_study(content: Path) -> None:
    """A new study file made from the seed, with its own source text."""
    data = yaml.safe_load((content / "studies" / f"{SEED}.yaml").read_text(encoding="utf-8"))
    data.update(id="new-feed-study-2031", title="A new feed study", plain_title="Zanzibar test study for feeds",
                added="2026-11-27")
    data["citation"].update(pmid="99999998", doi="10.9999/example.3", year=2025)
    (content / "studies" / "new-feed-study-2031.yaml").write_text(
        yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    (content / "sources" / "new-feed-study-2031.txt").write_text(
        (content / "sources" / f"{SEED}.txt").read_text(encoding="utf-8"), encoding="utf-8")


def test_new_study_reaches_feed_sitemap_and_browse_pages(tmp_path, studies):
    out = build(tmp_path, BASE, extra=_add_study)
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert len(feed.entries) == len(studies) + 1
    assert feed.entries[0].title == "Zanzibar test study for feeds"   # added last, so first
    assert f"{BASE}studies/new-feed-study-2031/" in sitemap_locs(out)
    for page in ["studies/index.html", "designs/case-series/index.html", "certainty/very-low/index.html",
                 "ages/under-12/index.html", "conditions/childhood-onset-sle/index.html",
                 "drugs/rituximab/index.html"]:
        assert "studies/new-feed-study-2031/" in (out / page).read_text(encoding="utf-8"), page

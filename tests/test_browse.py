"""Browse pages, the studies index, page weight and the search step of the build (issue 8)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from evidence import browse, pipeline, search
from evidence.model import CERTAINTY, DESIGN_LABELS, Study
from helpers import ROOT, SEED, copy_content, run_build, snapshot


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "output"
    r = run_build("--output", str(out))
    assert r.returncode == 0, r.stderr
    return out


@pytest.fixture(scope="module")
def studies() -> dict[str, dict]:
    """The shipped study files, by id."""
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in sorted((ROOT / "content" / "studies").glob("*.yaml"))}


def listed(page: Path) -> list[str]:
    """Study ids in a page's study lists and tables, in order (relative links)."""
    html = page.read_text(encoding="utf-8")
    lists = re.findall(r'<ul class="study-list">.*?</ul>|<tbody>.*?</tbody>', html, flags=re.S)
    return re.findall(r'href="(?:\.\./)*studies/([a-z0-9-]+)/index\.html"', "".join(lists))


def fake(ages) -> Study:
    return Study("x", {"population": {"age_years": ages}}, (), (), (), ())


@pytest.mark.parametrize(("ages", "groups"), [
    ({"min": 7.7, "max": 16.1, "median": 14.8}, ["under-12", "12-to-18"]),   # a range spanning both
    ({"mean": 11.7}, ["under-12"]),
    ({"median": 14.3}, ["12-to-18"]),
    ({"value": 12.2, "q1": 9.0, "q3": 13.9}, ["under-12", "12-to-18"]),      # IQR spans both
    ({"mean": 12}, ["12-to-18"]),                                            # 12 is not under 12
    ({"median": 17, "max": 18.9}, ["12-to-18"]),                             # 18.9 is still 18
    ({"min": 16, "max": 22}, ["12-to-18", "over-18"]),
    ({"median": 10, "interval": {"low": 8, "high": 13}}, ["under-12", "12-to-18"]),
    ({"sd": 3.1}, ["not-reported"]),                                         # an SD alone is no age
    ("not-reported", ["not-reported"]),
])
def test_age_group_rule(ages, groups):
    assert browse.age_groups(fake(ages)) == groups


def test_condition_drug_design_certainty_pages_list_their_studies(out, studies):
    checked = 0
    for key, field in [("conditions", "conditions"), ("drugs", "drugs")]:
        for p in sorted((ROOT / "content" / key).glob("*.yaml")):
            want = {sid for sid, s in studies.items() if p.stem in s[field]}
            if key == "drugs":   # a drug page lists studies that gave it, as studied drug or co-treatment
                want = {sid for sid, s in studies.items() if any(r["drug"] == p.stem for r in s["regimens"])}
            assert set(listed(out / key / p.stem / "index.html")) == want, p.stem
            checked += 1
    for design in DESIGN_LABELS:
        want = {sid for sid, s in studies.items() if s["design"]["type"] == design}
        page = out / "designs" / design / "index.html"
        assert page.exists() == bool(want), design
        if want:
            assert set(listed(page)) == want
            checked += 1
    for level in CERTAINTY:
        want = {sid for sid, s in studies.items() if s["certainty"]["rating"] == level}
        assert set(listed(out / "certainty" / level / "index.html")) == want, level
        checked += 1
    assert checked >= 10


def test_age_pages(out, studies):
    under, teens = (set(listed(out / "ages" / g / "index.html")) for g in ("under-12", "12-to-18"))
    assert SEED in under and SEED in teens            # ages 7.7 to 16.1
    assert "lin-2024" in teens and "lin-2024" not in under    # median 14.3 only
    assert "cognard-inpress" in under and "cognard-inpress" not in teens   # mean 11.7 only
    everywhere = set()
    for page in (out / "ages").glob("*/index.html"):
        everywhere |= set(listed(page))
    assert everywhere == set(studies)                 # every study is under some age heading
    html = (out / "ages" / "under-12" / "index.html").read_text(encoding="utf-8")
    assert "Age at diagnosis: mean 11.7 years" in html  # the age as the study reports it
    assert "lowest and highest age figures" in (out / "ages" / "index.html").read_text(encoding="utf-8")


def test_list_items_show_year_n_design_certainty(out):
    html = (out / "designs" / "case-series" / "index.html").read_text(encoding="utf-8")
    assert re.search(r"2005 · Case series · 7 people · Very low certainty", html)


def _years_and_n(out: Path, order: str, studies) -> list[tuple]:
    ids = listed(out / "studies" / order / "index.html")
    assert sorted(ids) == sorted(studies), order       # every order lists every study once
    year = {sid: s["citation"]["year"] for sid, s in studies.items()}
    return [(year[i], studies[i]["population"]["n"]) for i in ids]


def test_studies_index_orders_without_javascript(out, studies):
    newest = [y for y, _ in _years_and_n(out, "", studies)]
    assert newest[0] == "not-reported"                  # in press first, then newest first
    assert newest[1:] == sorted(newest[1:], reverse=True)
    oldest = [y for y, _ in _years_and_n(out, "oldest-first", studies)]
    assert oldest[:-1] == sorted(oldest[:-1]) and oldest[-1] == "not-reported"
    sizes = [n for _, n in _years_and_n(out, "largest-first", studies)]
    assert sizes == sorted(sizes, reverse=True)
    _years_and_n(out, "by-certainty", studies)
    page = (out / "studies" / "index.html").read_text(encoding="utf-8")
    assert "<script" not in page
    assert 'href="../studies/oldest-first/index.html">Oldest first</a>' in page
    assert 'aria-current="page">Newest first</a>' in page


def test_study_page_with_stylesheet_under_60_kb(out):
    css = (out / "assets" / "site.css").stat().st_size
    sizes = {p.parent.name: p.stat().st_size + css for p in (out / "studies").glob("*/index.html")}
    assert len(sizes) >= 6
    worst = max(sizes, key=sizes.get)
    assert sizes[worst] < 60 * 1024, f"{worst}: {sizes[worst]} bytes with site.css"


def test_base_layout_on_every_page(out):
    for page in [out / "index.html", out / "browse" / "index.html", out / "studies" / SEED / "index.html"]:
        html = page.read_text(encoding="utf-8")
        assert 'rel="icon" href="' in html and "favicon.svg" in html and "data:," not in html
        assert '<meta property="og:title"' in html and '<meta name="description"' in html
        assert "It is not medical advice." in html        # the disclaimer in the footer
        assert re.search(r"Site built on <time datetime=\"\d{4}-\d\d-\d\d\">", html)
    assert (out / "assets" / "favicon.svg").read_text().startswith("<svg")
    study = (out / "studies" / SEED / "index.html").read_text(encoding="utf-8")
    assert '<meta property="og:type" content="article">' in study
    assert 'aria-label="Breadcrumb"' in study


def test_no_search_option_skips_the_index(tmp_path):
    r = run_build("--output", str(tmp_path / "out"), "--no-search")
    assert r.returncode == 0, r.stderr
    assert not (tmp_path / "out" / "pagefind").exists()
    assert "Search needs JavaScript" in (tmp_path / "out" / "search" / "index.html").read_text(encoding="utf-8")
    assert (tmp_path / "out" / "search" / "index.html").exists()


def test_search_index_is_built_before_the_swap(tmp_path, monkeypatch):
    """The indexer runs on staging; if it fails, output/ is left byte for byte."""
    content, output = copy_content(tmp_path), tmp_path / "output"
    seen = []
    real = search.index
    monkeypatch.setattr(search, "index", lambda d: (seen.append(d), real(d)))
    pipeline.build(content, output)
    assert seen and seen[0] != output and (output / "pagefind" / "pagefind.js").is_file()
    before = snapshot(output)

    def fail(site_dir):
        raise search.SearchError("the search indexer failed (test)")
    monkeypatch.setattr(search, "index", fail)
    with pytest.raises(search.SearchError):
        pipeline.build(content, output, clean=True)   # issue 9: an unchanged site is not rebuilt
    assert snapshot(output) == before
    assert not list(tmp_path.glob(".output-staging-*"))


def test_no_search_is_documented():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "`--no-search`" in readme
    for url in ["/browse/", "/studies/", "/search/", "/feed.xml", "/sitemap.xml", "/ages/"]:
        assert url in readme, url


def test_the_search_index_holds_what_people_search_for(tmp_path):
    """Pagefind reads only the pages marked data-pagefind-body (its glob covers every one of
    them) and leaves out what repeats a page's text: the verbatim quotes, the pictures, the
    citation formats (#9: indexing 5,000 studies went from 20 s to 11 s)."""
    import gzip
    import json
    output = tmp_path / "output"
    pipeline.build(copy_content(tmp_path), output)
    indexed = {}
    for f in (output / "pagefind" / "fragment").glob("*.pf_fragment"):
        raw = gzip.decompress(f.read_bytes())
        page = json.loads(raw[raw.index(b"{"):])
        indexed[page["url"]] = page["content"]
    marked = {"/" + p.parent.relative_to(output).as_posix() + "/" for p in output.rglob("*.html")
              if "data-pagefind-body" in p.read_text(encoding="utf-8")}
    assert marked and set(indexed) == marked
    for path in sorted((ROOT / "content" / "studies").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        text = indexed[f"/studies/{data['id']}/"]
        assert data["plain_title"] in text
        assert re.sub(r"\s+", " ", data["summary"]["why"].split(". ")[0]) in text
        quote = re.sub(r"\s+", " ", data["population"]["quote"])
        assert quote not in text and all(quote not in t for t in indexed.values())

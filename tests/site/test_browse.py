"""Browse pages, the studies index, page weight and the search step of the build (issue 8)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from evidence.pages import browse
from evidence.build import pipeline, search
from evidence.content import readability
from evidence.content.model import Study
from evidence.content.vocabulary import CERTAINTY, DESIGNS
from helpers import ROOT, SEED, copy_content, run_build, snapshot
from sitekit import copy_site


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


def fake(ages, age_at=None) -> Study:
    population = {"age_years": ages, **({"age_at": age_at} if age_at else {})}
    return Study("x", {"population": population}, (), (), (), ())


@pytest.mark.parametrize(("ages", "groups"), [
    ({"min": 7.7, "max": 16.1, "median": 14.8}, ["under-12", "12-to-18"]),   # a range spanning both
    ({"mean": 11.7}, ["not-reported"]),                                       # a mean alone proves nothing
    ({"mean": 11.7, "sd": 3.1}, ["not-reported"]),
    ({"value": 12.2}, ["not-reported"]),                                      # nor an unlabelled value
    ({"median": 14.3}, ["12-to-18"]),
    ({"median": 11.9}, ["under-12"]),
    ({"median": 12}, ["12-to-18"]),                                           # 12 is not under 12
    ({"median": 14.3, "mean": 11.0}, ["12-to-18"]),                           # the mean adds no group
    ({"value": 12.2, "q1": 9.0, "q3": 13.9}, ["under-12", "12-to-18"]),      # IQR spans both
    ({"q1": 13, "q3": 17, "mean": 11.5}, ["12-to-18"]),
    ({"q1": 9.0}, ["not-reported"]),                                          # one quartile alone
    ({"median": 17, "max": 18.9}, ["12-to-18"]),                             # 18.9 is still 18
    ({"min": 16, "max": 22}, ["12-to-18", "over-18"]),
    ({"min": 3, "max": 20}, ["under-12", "12-to-18", "over-18"]),            # every group it reaches
    ({"min": 3}, ["under-12"]),                                               # the youngest was 3
    ({"max": 20, "mean": 9}, ["over-18"]),                                    # the oldest was 20
    ({"median": 10, "interval": {"low": 8, "high": 13}}, ["under-12", "12-to-18"]),
    ({"value": 12.2, "interval": {"low": 13, "high": 15}}, ["12-to-18"]),
    ({"sd": 3.1}, ["not-reported"]),                                         # an SD alone is no age
    ("not-reported", ["not-reported"]),
])
def test_age_group_rule(ages, groups):
    assert browse.age_groups(fake(ages)) == groups


@pytest.mark.parametrize(("ages", "age_at", "text"), [
    ({"mean": 11.7}, "diagnosis", "Mean age 11.7 years at diagnosis"),
    ({"mean": 13.2, "sd": 2.1}, "treatment", "Mean age 13.2 years (SD 2.1) at treatment"),
    ({"value": 12.2}, None, "Average or median age 12.2 years (the study does not say which)"),
    ("not-reported", "diagnosis", "Ages not reported"),
    ({"min": 7.7, "max": 16.1, "median": 14.8}, "diagnosis",
     "Age at diagnosis: median 14.8 years (range 7.7–16.1)"),                # in an age group
])
def test_age_text(ages, age_at, text):
    assert browse.age_text(fake(ages, age_at)) == text


def test_age_rule_is_plain():
    """The rule and the group blurbs on the age pages are at reading grade 8 or lower."""
    texts = [t for part in browse.AGE_RULE for t in ([part] if isinstance(part, str) else part)]
    texts += [g.blurb for g in browse.AGE_GROUPS]
    for text in texts:
        assert readability.grade(text) <= readability.MAX_GRADE, text
        assert readability.independent_grade(text) <= readability.MAX_GRADE, text
    group = {g.id: g for g in browse.AGE_GROUPS}["not-reported"]
    assert group.label == "Age range not reported"


# Small generated studies for the age pages: id -> (age_years, age_at)
AGE_STUDIES = {
    "ages-mean-only": ({"mean": 11.7}, "diagnosis"),
    "ages-value-only": ({"value": 12.2}, "treatment"),
    "ages-median-teens": ({"median": 14.3, "mean": 11.0}, None),
    "ages-iqr-teens": ({"q1": 13, "q3": 17, "mean": 11.5}, "diagnosis"),
    "ages-range-two": ({"min": 9, "max": 15}, None),
    "ages-none": ("not-reported", None),
}


@pytest.fixture(scope="module")
def age_site(tmp_path_factory) -> Path:
    """The smallest valid site plus one study for each case in AGE_STUDIES, built."""
    root = copy_site(tmp_path_factory.mktemp("ages"))
    content = root / "content"
    seed = yaml.safe_load((content / "studies" / f"{SEED}.yaml").read_text(encoding="utf-8"))
    source = (content / "sources" / f"{SEED}.txt").read_text(encoding="utf-8")
    for i, (sid, (ages, age_at)) in enumerate(AGE_STUDIES.items()):
        data = yaml.safe_load(yaml.safe_dump(seed))
        data.update(id=sid, title=f"Age test study {i}", plain_title=f"A study for the age pages, {sid}")
        data["citation"].update(pmid=str(99990000 + i), doi=f"10.9999/ages.{i}")
        figures = ", ".join(f"{k} {v}" for k, v in ages.items()) if isinstance(ages, dict) else "not given"
        quote = f"Seven patients (4 of whom were female) took part; ages in years: {figures}."
        data["population"].update(age_years=ages, quote=quote)
        data["population"].pop("age_at", None)
        if age_at:
            data["population"]["age_at"] = age_at
        (content / "studies" / f"{sid}.yaml").write_text(
            yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        (content / "sources" / f"{sid}.txt").write_text(source + "\n" + quote + "\n", encoding="utf-8")
    pipeline.build(content, root / "output", search=False)
    return root / "output"


def _age_lists(out: Path) -> dict[str, set[str]]:
    return {p.parent.name: set(listed(p)) for p in (out / "ages").glob("*/index.html")}


def test_mean_alone_is_under_age_range_not_reported(age_site):
    lists = _age_lists(age_site)
    assert "ages-mean-only" in lists["not-reported"]
    assert all("ages-mean-only" not in ids for g, ids in lists.items() if g != "not-reported")
    html = (age_site / "ages" / "not-reported" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Age range not reported</h1>" in html
    assert "Mean age 11.7 years at diagnosis" in html       # its mean, and when it was taken
    assert "Ages not reported" in html                      # ages-none


def test_value_alone_is_under_age_range_not_reported(age_site):
    lists = _age_lists(age_site)
    assert "ages-value-only" in lists["not-reported"]
    assert all("ages-value-only" not in ids for g, ids in lists.items() if g != "not-reported")
    html = (age_site / "ages" / "not-reported" / "index.html").read_text(encoding="utf-8")
    assert "Average or median age 12.2 years at treatment" in html


def test_median_inside_a_group_lists_the_study_there(age_site):
    lists = _age_lists(age_site)
    assert "ages-median-teens" in lists["12-to-18"]
    assert "ages-median-teens" not in lists["under-12"] | lists["not-reported"]   # mean 11.0 adds nothing


def test_iqr_overlapping_a_group_lists_the_study_there(age_site):
    lists = _age_lists(age_site)
    assert "ages-iqr-teens" in lists["12-to-18"]
    assert "ages-iqr-teens" not in lists["under-12"] | lists["not-reported"]   # mean 11.5 adds nothing
    html = (age_site / "ages" / "12-to-18" / "index.html").read_text(encoding="utf-8")
    assert "Age at diagnosis: mean 11.5 years (IQR 13–17)" in html


def test_range_over_two_groups_lists_the_study_in_both(age_site):
    lists = _age_lists(age_site)
    assert "ages-range-two" in lists["under-12"] and "ages-range-two" in lists["12-to-18"]
    assert "ages-range-two" not in lists["not-reported"]
    assert "over-18" not in lists                            # no study reaches it: no page


def test_condition_drug_design_certainty_pages_list_their_studies(out, studies):
    checked = 0
    for key, field in [("conditions", "conditions"), ("drugs", "drugs")]:
        for p in sorted((ROOT / "content" / key).glob("*.yaml")):
            want = {sid for sid, s in studies.items() if p.stem in s[field]}
            if key == "drugs":   # a drug page lists studies that gave it, as studied drug or co-treatment
                want = {sid for sid, s in studies.items() if any(r["drug"] == p.stem for r in s["regimens"])}
            assert set(listed(out / key / p.stem / "index.html")) == want, p.stem
            checked += 1
    for design in DESIGNS:
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
    lists = {g: set(listed(out / "ages" / g / "index.html")) for g in ("under-12", "12-to-18", "not-reported")}
    assert SEED in lists["under-12"] and SEED in lists["12-to-18"]             # ages 7.7 to 16.1
    assert "lin-2024" in lists["12-to-18"] and "lin-2024" not in lists["under-12"]   # median 14.3 only
    for mean_only in ("cognard-inpress", "willems-2006"):                     # a mean alone proves nothing
        assert {g for g, ids in lists.items() if mean_only in ids} == {"not-reported"}, mean_only
    everywhere = set()
    for page in (out / "ages").glob("*/index.html"):
        everywhere |= set(listed(page))
    assert everywhere == set(studies)                 # every study is under some age heading
    for sid, s in studies.items():                    # and the ones with a range or median are not "not reported"
        ages = s["population"]["age_years"]
        proves = isinstance(ages, dict) and bool({"min", "max", "median", "interval"} & set(ages)
                                                 or {"q1", "q3"} <= set(ages))
        assert (sid in lists["not-reported"]) != proves, sid
    html = (out / "ages" / "not-reported" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Age range not reported</h1>" in html
    assert "Mean age 11.7 years at diagnosis" in html and "Mean age 13.9 years at treatment" in html
    html = (out / "ages" / "under-12" / "index.html").read_text(encoding="utf-8")
    assert "Age at diagnosis: median 14 years (range 8–16)" in html   # kumar-2009, as the study reports it
    hub = (out / "ages" / "index.html").read_text(encoding="utf-8")
    assert "only when its figures show that some people in it were that age" in hub
    assert 'ages/not-reported/index.html">Age range not reported</a>' in hub


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


def test_study_page_with_stylesheet_under_72_kb(out):
    css = (out / "assets" / "site.css").stat().st_size
    sizes = {p.parent.name: p.stat().st_size + css for p in (out / "studies").glob("*/index.html")}
    assert len(sizes) >= 6
    worst = max(sizes, key=sizes.get)
    assert sizes[worst] < 72 * 1024, f"{worst}: {sizes[worst]} bytes with site.css"   # 1.2 harms, corrections


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
    citation formats (#9: indexing them was slow; docs/pages.md gives the figures)."""
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

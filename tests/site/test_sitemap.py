"""sitemap.xml follows the sitemaps.org 0.9 protocol (issue 19): it validates against the
protocol's XML Schema, lists absolute URLs of files that exist, and is not written at all
without base_url (nor named in robots.txt); another order of a table points
rel=canonical at the table's main page and stays out of the sitemap."""
from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import xmlschema
import yaml

from evidence.pages import dosing, feeds
from evidence.build.pipeline import build
from evidence.content.rules import RESERVED_STUDY_IDS
from helpers import ROOT, snapshot

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "sitemap" / "sitemap-0.9.xsd"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://evidence.example.org/lupus/"
EPOCH = "1764115200"
STUDY_IDS = {p.stem for p in (ROOT / "content" / "studies").glob("*.yaml")}
ORDERS = {"oldest-first", "largest-first", "by-certainty"}      # the studies index's other orders


def set_base_url(content: Path, base_url: str) -> None:
    site = content / "site.yaml"
    text, n = re.subn(r'(?m)^base_url:.*$', f'base_url: "{base_url}"', site.read_text(encoding="utf-8"))
    assert n == 1
    site.write_text(text, encoding="utf-8")


def make(tmp: Path, base_url: str, clean: bool = False, out: str = "output") -> Path:
    """Build tmp/content (copied from content/ the first time) with this base_url."""
    content = tmp / "content"
    if not content.is_dir():
        shutil.copytree(ROOT / "content", content)
    set_base_url(content, base_url)
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
    try:
        build(content, tmp / out, search=False, clean=clean)
    finally:
        mp.undo()
    return tmp / out


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMA))


@pytest.fixture(scope="module")
def out_abs(tmp_path_factory) -> Path:
    return make(tmp_path_factory.mktemp("abs"), BASE)


@pytest.fixture(scope="module")
def out_rel(tmp_path_factory) -> Path:
    return make(tmp_path_factory.mktemp("rel"), "")


def locs(out: Path) -> list[str]:
    return [loc.text for loc in ET.parse(out / "sitemap.xml").getroot().iter(f"{SM}loc")]


def file_for(out: Path, url: str) -> Path:
    """The file in output/ that an absolute URL of the site is served from."""
    assert url.startswith(BASE), url
    rel = url[len(BASE):]
    return out / (rel + "index.html" if rel == "" or rel.endswith("/") else rel)


class Head(HTMLParser):
    """A page's <link rel=canonical> and og:url."""

    def __init__(self, html: str):
        super().__init__()
        self.canonical: list[str] = []
        self.og_url: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and a.get("rel") == "canonical":
            self.canonical.append(a["href"])
        elif tag == "meta" and a.get("property") == "og:url":
            self.og_url.append(a["content"])


def head(out: Path, path: str) -> Head:
    return Head((out / path).read_text(encoding="utf-8"))


def html_pages(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*.html")}


# -- the schema itself: it is the official one, and it can fail -------------------------

def test_the_schema_accepts_the_protocols_example_and_rejects_what_it_forbids(schema):
    ok = ('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url>'
          "<loc>http://www.example.com/</loc><lastmod>2005-01-01</lastmod>"
          "<changefreq>monthly</changefreq><priority>0.8</priority></url></urlset>")
    assert schema.is_valid(ok)
    assert schema.is_valid(ok.replace("2005-01-01", "2004-12-23T18:00:15+00:00"))
    assert schema.target_namespace == "http://www.sitemaps.org/schemas/sitemap/0.9"
    bad = {
        "a location shorter than 12 characters (the old index.html)":
            ok.replace("http://www.example.com/", "index.html"),
        "a location over 2,048 characters": ok.replace("/</loc>", "/" + "a" * 2048 + "</loc>"),
        "no location": re.sub("<loc>.*</loc>", "", ok),
        "a changefreq outside the seven words": ok.replace("monthly", "fortnightly"),
        "a priority over 1.0": ok.replace("0.8", "1.5"),
        "a lastmod that is no date": ok.replace("2005-01-01", "2005-13-01"),
        "children out of order": ok.replace("<lastmod>2005-01-01</lastmod><changefreq>monthly</changefreq>",
                                            "<changefreq>monthly</changefreq><lastmod>2005-01-01</lastmod>"),
        "an empty urlset": '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>',
        "another namespace": ok.replace("sitemaps.org/schemas/sitemap/0.9", "google.com/schemas/sitemap/0.84"),
    }
    for what, doc in bad.items():
        assert not schema.is_valid(doc), what


# -- with base_url: a valid sitemap of absolute URLs ------------------------------------

def test_sitemap_validates_against_the_0_9_schema(out_abs, schema):
    schema.validate(str(out_abs / "sitemap.xml"))          # raises with the reason when invalid
    assert (out_abs / "robots.txt").read_text() == f"User-agent: *\nAllow: /\nSitemap: {BASE}sitemap.xml\n"


def test_every_loc_is_absolute_and_resolves_to_a_file_in_output(out_abs):
    urls = locs(out_abs)
    assert urls and len(urls) == len(set(urls))
    for url in urls:
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc) == ("https", "evidence.example.org"), url
        assert url.startswith(BASE), url
        assert file_for(out_abs, url).is_file(), url
    # the home page is the base URL itself; a study page is its folder
    assert BASE in urls and f"{BASE}studies/rituximab-childhood-sle-2005/" in urls


def test_the_sitemap_lists_each_canonical_page_once(out_abs):
    """Every HTML page but 404.html is either in the sitemap or another order of a page
    that is; each listed page names itself canonical, each other order names its main page."""
    urls = set(locs(out_abs))
    pages = html_pages(out_abs) - {"404.html"}
    sort_pages = {p for p in pages if p.startswith("dosing/sort/")}
    order_pages = {p for p in pages if p.startswith("studies/") and p.split("/")[1] not in STUDY_IDS
                   and p != "studies/index.html"}
    assert len(sort_pages) == len(dosing.SORTABLE) == 13
    assert {p.split("/")[1] for p in order_pages} == ORDERS == RESERVED_STUDY_IDS
    listed = {str(file_for(out_abs, u).relative_to(out_abs).as_posix()) for u in urls}
    assert listed == pages - sort_pages - order_pages
    for page in sorted(pages):
        h = head(out_abs, page)
        assert len(h.canonical) == 1 and h.og_url == h.canonical, page
        assert h.canonical[0] in urls, page              # the canonical page is in the sitemap
        if page in listed:
            assert file_for(out_abs, h.canonical[0]) == out_abs / page, page


def test_other_orders_point_canonical_at_the_main_page(out_abs):
    for col in dosing.SORTABLE:
        h = head(out_abs, f"dosing/sort/{col.key}/index.html")
        assert (h.canonical, h.og_url) == ([f"{BASE}dosing/"], [f"{BASE}dosing/"]), col.key
    for order in sorted(ORDERS):
        h = head(out_abs, f"studies/{order}/index.html")
        assert (h.canonical, h.og_url) == ([f"{BASE}studies/"], [f"{BASE}studies/"]), order
    # the main pages, a filtered view (other rows, not another order) and a study: their own
    for page, url in [("dosing/index.html", "dosing/"), ("studies/index.html", "studies/"),
                      ("dosing/drug/rituximab/index.html", "dosing/drug/rituximab/"),
                      ("studies/rituximab-childhood-sle-2005/index.html", "studies/rituximab-childhood-sle-2005/"),
                      ("index.html", "")]:
        assert head(out_abs, page).canonical == [BASE + url], page


def test_study_pages_carry_their_reviewed_or_added_date(out_abs):
    dates = {}
    for url in ET.parse(out_abs / "sitemap.xml").getroot().iter(f"{SM}url"):
        lastmod = url.find(f"{SM}lastmod")
        dates[url.find(f"{SM}loc").text] = None if lastmod is None else lastmod.text
    for p in sorted((ROOT / "content" / "studies").glob("*.yaml")):
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
        assert dates[f"{BASE}studies/{p.stem}/"] == str(data.get("reviewed", data["added"])), p.stem
    assert dates[BASE] is None                  # listing pages: no date of their own


# -- without base_url: no sitemap -------------------------------------------------------

def test_no_sitemap_and_no_sitemap_line_without_base_url(out_rel):
    assert not (out_rel / "sitemap.xml").exists()
    assert (out_rel / "robots.txt").read_text() == "User-agent: *\nAllow: /\n"
    for page in ["index.html", "dosing/sort/dose/index.html", "studies/oldest-first/index.html"]:
        h = head(out_rel, page)
        assert (h.canonical, h.og_url) == ([], []), page       # no address to name
    site = yaml.safe_load((ROOT / "content" / "site.yaml").read_text(encoding="utf-8"))
    assert "base_url" in feeds.sitemap_note(site)                  # what the build report says
    assert feeds.sitemap_note({**site, "base_url": BASE}) is None


def test_switching_base_url_off_removes_the_sitemap_and_on_brings_it_back(tmp_path, schema):
    """The incremental build drops a sitemap.xml that is no longer made (set, then unset),
    and writes it when base_url is set again; each time the site equals a clean build's."""
    def same_as_clean(base_url: str) -> dict[str, bytes]:
        inc = snapshot(make(tmp_path, base_url))
        shutil.rmtree(tmp_path / "clean", ignore_errors=True)
        assert inc == snapshot(make(tmp_path, base_url, clean=True, out="clean"))
        return inc

    first = same_as_clean(BASE)
    assert "sitemap.xml" in first and f"Sitemap: {BASE}sitemap.xml".encode() in first["robots.txt"]
    off = same_as_clean("")
    assert "sitemap.xml" not in off and not (tmp_path / "output" / "sitemap.xml").exists()
    assert b"Sitemap:" not in off["robots.txt"]
    on = same_as_clean(BASE)
    assert on["sitemap.xml"] == first["sitemap.xml"]
    schema.validate(str(tmp_path / "output" / "sitemap.xml"))


def test_sitemap_refuses_to_write_relative_locations():
    class Site:
        config = {"base_url": ""}
        studies = ()
    with pytest.raises(ValueError):
        feeds.sitemap(Site(), ["index.html"])


def test_the_build_report_says_why_there_is_no_sitemap(tmp_path):
    """Without base_url the report says why no sitemap.xml was written, also when nothing
    changed (the note is kept with the last build's findings)."""
    from sitekit import copy_site, run_inprocess
    site = copy_site(tmp_path / "s")
    for _ in range(2):
        r = run_inprocess(site, "--no-search")
        assert r.code == 0, r.err
        assert "No sitemap.xml: site.yaml sets no base_url" in r.out
    assert not (site / "output" / "sitemap.xml").exists()

"""Site provenance (content model 1.2, issue 17): who publishes the site, how the studies
were chosen and which known studies are left out, in content/site.yaml and on the About
page. The pages are built from the minimal test site (tests/data/site) with a site.yaml
written here, or with the shipped content/site.yaml, so the tests do not depend on the
shipped studies."""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from sitekit import ROOT, SITE, copy_site, run_build, run_inprocess

from evidence.content.readability import MAX_GRADE, grade, independent_grade

SHIPPED = ROOT / "content" / "site.yaml"
MINIMAL = (SITE / "content" / "site.yaml").read_text(encoding="utf-8")
NONE_NAMED = "No editor or contact is named for this site."
SEARCH = """evidence_search:
  date: "2026-11-24"
  where: Stored copies of public web pages.
  how: Only studies whose record could be checked.
  statement: This site shows a selection of studies. It is not a systematic review.
"""


def site_yaml(version: str | None, extra: str = "") -> str:
    """The minimal site.yaml with another content_model line (None: no line) and extra text."""
    body = re.sub(r'^content_model: "1.0"\n', "", MINIMAL, flags=re.M)
    assert body != MINIMAL
    head = f'content_model: "{version}"\n' if version else ""
    return head + body + extra


def site_with(tmp_path: Path, text: str) -> Path:
    site = copy_site(tmp_path)
    (site / "content" / "site.yaml").write_text(text, encoding="utf-8")
    return site


def about(tmp_path: Path, text: str) -> str:
    """The About page built from the minimal site with this site.yaml."""
    site = site_with(tmp_path, text)
    r = run_inprocess(site, "--no-search")
    assert r.code == 0, r.err
    return (site / "output" / "about" / "index.html").read_text(encoding="utf-8")


def main_text(page: str) -> str:
    """The visible text of <main>, tags removed, entities decoded, white space folded."""
    m = re.search(r"<main\b.*?</main>", page, re.S)
    assert m
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", m.group())).split())


def error_lines(err: str) -> list[str]:
    return [ln for ln in err.splitlines() if re.match(r"^content/\S+:\d+:\d+: ", ln)]


@pytest.fixture(scope="module")
def shipped() -> dict:
    return yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def shipped_about(tmp_path_factory) -> str:
    """The About page made from the shipped content/site.yaml."""
    return about(tmp_path_factory.mktemp("shipped"), SHIPPED.read_text(encoding="utf-8"))


# ---- content model 1.2: evidence_search is required, older versions build without it ----

def test_version_1_2_without_evidence_search_is_an_error(tmp_path):
    site = site_with(tmp_path, site_yaml("1.2"))
    r = run_build(site, "check")           # the real command line: the exit status counts
    assert r.code == 1, r.err
    heads = error_lines(r.err)
    assert heads == ["content/site.yaml:1:1: evidence_search: missing required field `evidence_search`"], r.err
    assert "hint: add `evidence_search:`" in r.err
    assert r.err.splitlines()[-1] == "1 error in 1 file; nothing written."


def test_version_1_2_with_evidence_search_builds(tmp_path):
    r = run_inprocess(site_with(tmp_path, site_yaml("1.2", SEARCH)), "check")
    assert r.code == 0, r.err


@pytest.mark.parametrize("version", ["1.0", "1.1", None])
def test_older_versions_build_without_evidence_search(tmp_path, version):
    r = run_inprocess(site_with(tmp_path, site_yaml(version)), "check")
    assert r.code == 0, r.err


def test_older_versions_may_have_the_new_fields(tmp_path):
    page = about(tmp_path, site_yaml("1.1", SEARCH))
    assert '<time datetime="2026-11-24">24 November 2026</time>' in page


@pytest.mark.parametrize("missing", ["date", "where", "how", "statement"])
def test_each_evidence_search_field_is_required(tmp_path, missing):
    text = re.sub(rf"^  {missing}: .*\n", "", SEARCH, flags=re.M)
    r = run_inprocess(site_with(tmp_path, site_yaml("1.2", text)), "check")
    assert r.code == 1
    assert re.match(rf"content/site.yaml:\d+:\d+: evidence_search\.{missing}: missing required field "
                    rf"`{missing}`", error_lines(r.err)[0]), r.err


def test_search_date_must_be_a_real_date(tmp_path):
    r = run_inprocess(site_with(tmp_path, site_yaml("1.2", SEARCH.replace("2026-11-24", "2026-11-31"))),
                      "check")
    assert r.code == 1
    assert 'evidence_search.date: expected a real date written YYYY-MM-DD; got "2026-11-31"' in r.err


# ---- the shipped site.yaml and its About page ----

def test_shipped_site_yaml_uses_1_2_and_names_no_one(shipped):
    assert shipped["content_model"] == "1.2"
    assert "responsible" not in shipped and "contact" not in shipped   # no verified source names one
    assert shipped["evidence_search"]["date"] == "2026-11-24"           # sources README: "Collected 2026-11-24"
    assert len(shipped["not_included"]) == 6


def test_shipped_about_shows_search_date_and_statement(shipped_about, shipped):
    assert '<time datetime="2026-11-24">24 November 2026</time>' in shipped_about
    text = main_text(shipped_about)
    assert "This site shows a selection of studies. It is not a systematic review." in text
    assert "This was not a systematic search. Some studies may be missing." in text
    # the statement is shown prominently, before the details
    assert re.search(r'<p class="notice"><strong>This site shows a selection of studies\.', shipped_about)


def test_shipped_about_lists_each_study_not_included(shipped_about, shipped):
    text = main_text(shipped_about)
    for item in shipped["not_included"]:
        for key in ("title", "what", "reason"):
            assert " ".join(item[key].split()) in text, (key, item["title"])
        if "url" in item:
            assert f'href="{html.escape(item["url"])}"' in shipped_about


def test_shipped_about_says_no_editor_or_contact_is_named(shipped_about):
    assert NONE_NAMED in main_text(shipped_about)


def test_the_false_claim_is_gone_and_calculated_figures_are_explained(shipped_about):
    text = main_text(shipped_about)
    assert "Nothing is guessed" not in text
    assert "Every figure on a study page was copied" not in text
    m = re.search(r'<section id="calculated"[^>]*>(.*?)</section>', shipped_about, re.S)
    assert m, "no section with id=calculated"
    part = main_text(f"<main>{m.group(1)}</main>")
    assert part.startswith("Figures this site works out")
    for kind in ("Course totals", "The number of boys", "Ages in whole years", "Counts taken from words",
                 "marks it “calculated”"):
        assert kind in part, kind


def test_about_page_reads_at_grade_8_or_below(shipped_about):
    """Each part of the page, scored alone: its own words and the shipped site.yaml texts,
    without the studies' titles (they are the papers' own wording)."""
    page = re.sub(r"<li>\s*<p><strong>.*?</strong></p>", "<li>", shipped_about, flags=re.S)
    main = re.search(r"<main\b.*?</main>", page, re.S).group()
    parts = re.findall(r"<section\b.*?(?=<section\b|</main>)", main, re.S)
    assert len(parts) >= 6
    for part in parts:
        text = main_text(f"<main>{part}</main>")
        assert grade(text) <= MAX_GRADE and independent_grade(text) <= MAX_GRADE, \
            (text[:40], grade(text), independent_grade(text))


def test_shipped_texts_read_at_grade_8_or_below(shipped):
    texts = [shipped["evidence_search"][k] for k in ("where", "how", "statement")]
    texts += [item[k] for item in shipped["not_included"] for k in ("what", "reason")]
    for text in texts:
        assert grade(text) <= MAX_GRADE and independent_grade(text) <= MAX_GRADE, text


class Headings(HTMLParser):
    def __init__(self, page: str):
        super().__init__()
        self.levels: list[int] = []
        self.ids: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(tag[1]))
        if dict(attrs).get("id"):
            self.ids.append(dict(attrs)["id"])


def test_headings_in_order_and_ids_unique(shipped_about):
    h = Headings(shipped_about)
    assert h.levels[0] == 1 and h.levels.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(h.levels, h.levels[1:])), h.levels
    assert len(h.ids) == len(set(h.ids))


# ---- responsible ----

RESPONSIBLE = """responsible:
  name: Test Publisher
  role: editor
  contact: {contact}
"""


@pytest.mark.parametrize("contact, href", [
    ("https://example.org/contact", "https://example.org/contact"),
    ("editor@example.org", "mailto:editor@example.org"),
    ("mailto:editor@example.org", "mailto:editor@example.org"),
])
def test_responsible_is_shown_with_a_contact_link(tmp_path, contact, href):
    page = about(tmp_path, site_yaml("1.2", SEARCH + RESPONSIBLE.format(contact=contact)))
    text = main_text(page)
    assert "Test Publisher (editor)" in text
    assert f'<a href="{href}" rel="noopener noreferrer">{contact}</a>' in page
    assert NONE_NAMED not in text


def test_without_responsible_the_page_says_no_one_is_named(tmp_path):
    text = main_text(about(tmp_path, site_yaml("1.2", SEARCH)))
    assert NONE_NAMED in text
    assert "The site lists no known studies that are left out." in text     # no not_included


def test_a_site_contact_without_responsible_is_still_shown(tmp_path):
    page = about(tmp_path, site_yaml("1.2", SEARCH + "contact: team@example.org\n"))
    assert "No editor is named for this site." in main_text(page)
    assert '<a href="mailto:team@example.org" rel="noopener noreferrer">team@example.org</a>' in page


@pytest.mark.parametrize("contact", ["the lupus team", "ftp://example.org/x"])
def test_responsible_contact_must_be_a_url_or_an_e_mail(tmp_path, contact):
    text = site_yaml("1.2", SEARCH + RESPONSIBLE.format(contact=contact))
    r = run_inprocess(site_with(tmp_path, text), "check")
    assert r.code == 1
    line = text.splitlines().index(f"  contact: {contact}") + 1
    assert error_lines(r.err) == [
        f'content/site.yaml:{line}:12: responsible.contact: expected an http(s) URL or an e-mail '
        f'address; got "{contact}"'], r.err


def test_responsible_needs_a_name(tmp_path):
    text = site_yaml("1.2", SEARCH + "responsible:\n  contact: https://example.org/\n")
    r = run_inprocess(site_with(tmp_path, text), "check")
    assert r.code == 1
    assert "responsible.name: missing required field `name`" in r.err


def test_not_included_items_are_checked(tmp_path):
    extra = SEARCH + "not_included:\n  - title: A study\n    what: A series.\n    url: www.example.org\n"
    r = run_inprocess(site_with(tmp_path, site_yaml("1.2", extra)), "check")
    assert r.code == 1
    assert "not_included[0].reason: missing required field `reason`" in r.err
    assert 'not_included[0].url: expected an http:// or https:// URL; got "www.example.org"' in r.err

"""Glossary marking on rendered HTML (issue 6): first occurrence, variants, never where it must not."""
from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from famhelp import shipped  # noqa: E402

from evidence.cli import main  # noqa: E402
from evidence.content.model import Term  # noqa: E402
from evidence.pages.terms import mark  # noqa: E402

GLOSSARY = (
    Term("b-cell", "B cell", "A white blood cell.", ("B cells", "B-cell")),
    Term("lupus", "lupus", "An illness.", ("SLE", "cSLE")),
    Term("lupus-nephritis", "lupus nephritis", "Lupus in the kidneys."),
    Term("adverse-effect", "adverse effect", "Something unwanted.", ("adverse events",)),
    Term("serious-adverse-event", "serious adverse event", "Something serious.", ("serious adverse events",)),
    Term("bilag-score", "BILAG score", "A score.", ("BILAG",)),
    Term("sledai", "SLEDAI", "Another score.", ("SLEDAI-2K",)),
    Term("certainty", "certainty of evidence", "How sure.", ("GRADE",)),
    Term("course", "course (of treatment)", "A set of doses.", ("courses",)),
)


def page(body: str) -> str:
    return f'<main><section data-glossary="3"><h2>Families</h2>{body}</section></main>'


def marked(html: str) -> list[tuple[str, str]]:
    """(term id, marked text) for each term link."""
    return re.findall(r'<a class="term" id="term-([a-z0-9-]+)-ref"[^>]*>(.*?)</a>', html, re.S)


def test_first_occurrence_only_with_a_definition_list_at_the_end():
    out = mark(page("<p>B cells make antibodies. B cells again.</p>"), GLOSSARY, "../glossary/")
    assert marked(out) == [("b-cell", "B cells")]
    assert out.count("B cells") == 2
    assert ('<div class="terms"><h3 class="terms-title">Words explained here</h3><dl><div>'
            '<dt id="term-b-cell">B cell</dt> <dd><span id="term-b-cell-def">A white blood cell.</span> '
            '<a href="../glossary/#b-cell">More in the glossary<span class="visually-hidden">: B cell</span></a>'
            '</dd></div></dl></div>\n</section>') in out
    assert 'href="#term-b-cell" aria-describedby="term-b-cell-def"' in out


@pytest.mark.parametrize("text, expected", [
    ("<p>Lupus can flare.</p>", [("lupus", "Lupus")]),                      # any case
    ("<p>b-cell counts</p>", [("b-cell", "b-cell")]),                       # variant, any case
    ("<p>the BILAG went down</p>", [("bilag-score", "BILAG")]),             # abbreviation
    ("<p>the bilag went down</p>", []),                                      # abbreviations in their own case
    ("<p>the bilag score went down</p>", [("bilag-score", "bilag score")]),  # a phrase in any case
    ("<p>reading grade 7</p>", []),                                          # GRADE only in capitals
    ("<p>The GRADE system</p>", [("certainty", "GRADE")]),
    ("<p>SLEDAI-2K fell; SLEDAI too</p>", [("sledai", "SLEDAI-2K")]),       # not SLE inside SLEDAI
    ("<p>cSLE and SLE</p>", [("lupus", "cSLE")]),
    ("<p>lupus nephritis and lupus</p>", [("lupus-nephritis", "lupus nephritis"), ("lupus", "lupus")]),
    ("<p>no serious adverse events or adverse events</p>",
     [("serious-adverse-event", "serious adverse events"), ("adverse-effect", "adverse events")]),
    ("<p>104 courses in 63 patients</p>", [("course", "courses")]),
    ("<p>B\n   cells</p>", [("b-cell", "B\n   cells")]),                    # white space inside a term
    ("<p>lupusy, sublupus, anti-lupus</p>", []),                             # whole words only
])
def test_word_boundaries_variants_and_case(text, expected):
    assert marked(mark(page(text), GLOSSARY, "/glossary/")) == expected


@pytest.mark.parametrize("text", [
    '<p><a href="/x">B cells</a></p>', "<h3>B cells</h3>", "<details><summary>B cells</summary></details>",
    "<blockquote><p>B cells</p></blockquote>", '<svg role="img"><title>B cells</title></svg>',
    '<p><abbr title="x">B cells</abbr></p>', "<p><code>B cells</code></p>",
])
def test_never_inside_links_headings_summaries_quotes_or_svg(text):
    assert marked(mark(page(text), GLOSSARY, "/glossary/")) == []


def test_a_term_skipped_in_a_heading_is_marked_at_its_first_text_occurrence():
    out = mark(page("<h3>Lupus</h3><p>About lupus.</p>"), GLOSSARY, "/glossary/")
    assert marked(out) == [("lupus", "lupus")]


def test_outside_glossary_regions_nothing_changes():
    html = "<!doctype html><main><p>B cells &amp; lupus</p></main>"
    assert mark(html, GLOSSARY, "/glossary/") == html


def test_escaped_content_is_copied_byte_for_byte_and_never_unescaped():
    body = ("<p>&lt;script&gt;alert(1)&lt;/script&gt; B cells &amp; lupus &#39;x&#39; &#x27;y&#x27; "
            "&nbsp;5 &lt; 6</p><!-- note --><br><img src=\"a.png\" alt=\"B cells\"><p>x</p>")
    out = mark(page(body), GLOSSARY, "/glossary/")
    assert "<script>" not in out
    without_links = re.sub(r'<a class="term"[^>]*>(.*?)</a>', r"\1", out.split('<div class="terms">')[0])
    assert without_links == page(body).replace("</section></main>", "")
    assert 'alt="B cells"' in out                # attributes are never touched


def test_a_definition_with_markup_is_escaped():
    g = (Term("x-term", "xterm", 'Bad <script>alert("x")</script> & co'),)
    out = mark(page("<p>an xterm</p>"), g, "/glossary/")
    assert "<script>" not in out and "Bad &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; co" in out


def test_each_region_lists_the_terms_first_marked_in_it():
    html = ('<section data-glossary="2"><p>B cells</p></section>'
            '<section data-glossary><p>B cells and lupus</p></section>')
    out = mark(html, GLOSSARY, "/glossary/")
    first, second = out.split("</section>")[:2]
    assert '<h2 class="terms-title">' in first and 'id="term-b-cell"' in first
    assert '<h3 class="terms-title">' in second and 'id="term-lupus"' in second and 'id="term-b-cell"' not in second


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if a.get("class") == "term":
            self.refs += [a["href"][1:], a["aria-describedby"]]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "out"
    assert main(["--output", str(out), "--quiet"]) == 0
    return out


def test_terms_are_marked_on_study_pages_with_working_targets(built):
    for s in shipped().studies:
        html = (built / "studies" / s.id / "index.html").read_text(encoding="utf-8")
        families = html.split('id="for-families"')[1].split('id="for-clinicians"')[0]
        assert len(marked(families)) >= 5, s.id
        p = _Ids()
        p.feed(html)
        assert len(p.ids) == len(set(p.ids)), f"{s.id}: duplicate ids"
        assert set(p.refs) <= set(p.ids), s.id
        assert "Words explained here" in families
    seed = (built / "studies" / "rituximab-childhood-sle-2005" / "index.html").read_text(encoding="utf-8")
    assert ('id="term-bilag-score-ref"' in seed and 'href="../../glossary/index.html#bilag-score"' in seed)


def test_terms_are_marked_in_key_facts(built):
    html = (built / "studies" / "rituximab-childhood-sle-2005" / "index.html").read_text(encoding="utf-8")
    keyfacts = html.split('class="keyfacts"')[1].split("</section>")[0]
    assert ("median", "median") in marked(keyfacts)
    assert ("serious-adverse-event", "serious adverse event") in marked(keyfacts)


def test_glossary_page_lists_every_term(built):
    html = (built / "glossary" / "index.html").read_text(encoding="utf-8")
    for t in shipped().glossary:
        assert f'<dt id="{t.id}">{t.term}' in html.replace("&#39;", "'"), t.id
    assert 'class="term"' not in html            # the glossary itself is not marked


def test_condition_and_drug_family_parts_are_marked(built):
    for kind, items in (("conditions", shipped().conditions), ("drugs", shipped().drugs)):
        for x in items:
            html = (built / kind / x.id / "index.html").read_text(encoding="utf-8")
            assert marked(html), f"{kind}/{x.id}"

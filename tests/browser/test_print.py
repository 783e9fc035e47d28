"""The family page in a real browser (issue 6): an A4 handout of at most two pages when
printed (Chromium's print to PDF), print styles, axe, and screenshots at 375 and 1280 px.

Uses the session's one Chromium (`browser`) and `screenshot_dir` from tests/browser/conftest.py."""
from __future__ import annotations

import functools
import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from evidence.cli import main

ROOT = Path(__file__).resolve().parents[2]
SEED = "rituximab-childhood-sle-2005"
STUDIES = sorted(p.stem for p in (ROOT / "content" / "studies").glob("*.yaml"))
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def pdf_pages(pdf: bytes) -> int:
    """Pages in a PDF: its /Type /Page objects (Chromium writes no object streams)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def family_url(tmp_path_factory) -> Iterator[str]:
    """The shipped site, built into a temp folder and served over http (never file://)."""
    out = tmp_path_factory.mktemp("family-site") / "out"
    assert main(["--output", str(out), "--quiet"]) == 0
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_pdf_page_counter_counts_pages(browser):
    page = browser.new_page()
    page.set_content("<p>one</p><p style='break-before: page'>two</p><p style='break-before: page'>three</p>")
    assert pdf_pages(page.pdf(format="A4")) == 3
    page.close()


@pytest.mark.parametrize("ident", STUDIES)
def test_family_page_prints_on_at_most_two_a4_pages(browser, family_url, ident):
    page = browser.new_page()
    page.goto(f"{family_url}/studies/{ident}/index.html")
    pages = pdf_pages(page.pdf(format="A4"))
    page.close()
    assert 1 <= pages <= 2, f"{ident}: {pages} A4 pages"


@pytest.mark.parametrize("path", ["conditions/childhood-onset-sle/index.html", "drugs/rituximab/index.html"])
def test_condition_and_drug_pages_print_on_at_most_two_pages(browser, family_url, path):
    page = browser.new_page()
    page.goto(f"{family_url}/{path}")
    assert 1 <= pdf_pages(page.pdf(format="A4")) <= 2
    page.close()


def test_print_styles_make_a_clean_handout(browser, family_url):
    page = browser.new_page()
    page.emulate_media(media="print")
    page.goto(f"{family_url}/studies/{SEED}/index.html")

    def shown(sel: str) -> bool:
        return page.eval_on_selector(sel, "e => getComputedStyle(e).display !== 'none' && e.getClientRects().length > 0")

    assert not shown(".site-header nav") and not shown(".breadcrumbs") and not shown(".toc")
    assert not shown("#for-clinicians")
    assert shown("#for-families") and shown(".keyfacts") and shown(".terms") and shown(".handout-cite")
    footer = page.inner_text(".site-footer")
    assert re.search(r"[Bb]uilt (on )?\d{4}-\d{2}-\d{2}", footer), footer
    # Every visible web link shows its URL: as its text, or after it (a::after)
    links = page.eval_on_selector_all('a[href^="http"]', """els => els
        .filter(a => a.getClientRects().length > 0 && getComputedStyle(a).visibility !== 'hidden')
        .map(a => [a.href, a.textContent.trim(), getComputedStyle(a, '::after').content])""")
    assert links, "no web links in the printed page"
    for href, text, after in links:
        assert text == href or href in after, (href, text, after)
    page.close()


def test_family_page_passes_axe(browser, family_url):
    ctx = browser.new_context(bypass_csp=True)
    page = ctx.new_page()
    page.goto(f"{family_url}/studies/{SEED}/index.html")
    page.add_script_tag(path=str(ROOT / "node_modules" / "axe-core" / "axe.min.js"))
    res = page.evaluate("t => axe.run(document, {runOnly: {type: 'tag', values: t}})", AXE_TAGS)
    assert not res["violations"], [(v["id"], [n["target"] for n in v["nodes"]]) for v in res["violations"]]
    ctx.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_screenshots_of_the_family_page(browser, family_url, screenshot_dir, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(f"{family_url}/studies/{SEED}/index.html")
    page.screenshot(path=str(screenshot_dir / f"family-{SEED}-{width}.png"), full_page=True)
    page.locator("#for-families").screenshot(path=str(screenshot_dir / f"family-part-{width}.png"))
    assert not errors
    # Nothing wider than the screen, and every picture fits its column
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    boxes = page.eval_on_selector_all(".pic svg", "els => els.map(e => [e.getBoundingClientRect().right, e.parentElement.getBoundingClientRect().right])")
    assert boxes and all(r <= pr + 1 for r, pr in boxes)
    page.close()

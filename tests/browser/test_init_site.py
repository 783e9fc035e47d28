"""A second site made with `build.py init` (issue 19), in a real browser: axe-core, the Nu
HTML checker and links, with zero studies and again after one study is added with `new`.

Each site is made as a maintainer would (tests/site/test_init.py make_site): `init` into a
temporary folder, every TODO placeholder filled, `check --strict`, then `build.py
--content <folder> --output <folder>`. The checks are the functions of checks.py that the
shipped site's page tests use (and that test_browser_checks_fail.py shows can fail); each
test collects the problems of every page of one site and names them all.
"""
from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import checks
import pytest
from sitebuild import axe_pages

TESTS = Path(__file__).resolve().parents[1]
if str(TESTS / "site") not in sys.path:  # tests/site/test_init.py's helpers
    sys.path.insert(0, str(TESTS / "site"))

from test_init import STUDY_ID, make_site, topic_mentions  # noqa: E402

SITES = {"zero-studies": 0, "one-study": 1}
# both widths and both colour schemes, in two passes: the shipped site's pages, which use the
# same templates, are checked in all four combinations by test_browser_pages.py
AXE_VARIANTS = [(375, "light"), (1280, "dark")]


class InitSite:
    """One built site: its output folder, its .html pages and the URL it is served at."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.pages = sorted(p.relative_to(output).as_posix() for p in output.rglob("*.html"))
        self.url = ""


@pytest.fixture(scope="module")
def init_sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, InitSite]]:
    """Both sites, built once for this module and served on 127.0.0.1 while it runs."""
    sites = {name: InitSite(make_site(tmp_path_factory.mktemp(name), studies=n)[1]) for name, n in SITES.items()}
    with checks.serve(sites["zero-studies"].output) as zero, checks.serve(sites["one-study"].output) as one:
        sites["zero-studies"].url, sites["one-study"].url = zero, one
        yield sites


@pytest.fixture(params=list(SITES))
def site(request: pytest.FixtureRequest, init_sites: dict[str, InitSite]) -> InitSite:
    return init_sites[request.param]


def test_the_sites_have_the_pages_to_check(init_sites: dict[str, InitSite]) -> None:
    """The checks below see every kind of page, the study's page in the second site."""
    want = {"index.html", "studies/index.html", "browse/index.html", "designs/index.html", "dosing/index.html",
            "search/index.html", "glossary/index.html", "about/index.html", "404.html",
            "conditions/example-condition/index.html", "drugs/example-drug/index.html"}
    for name, s in init_sites.items():
        missing = want - set(s.pages)
        assert not missing, f"{name}: pages missing from the build: {sorted(missing)}"
    assert not any(p.startswith("studies/") and STUDY_ID in p for p in init_sites["zero-studies"].pages)
    assert f"studies/{STUDY_ID}/index.html" in init_sites["one-study"].pages


def test_no_page_names_the_shipped_topic(site: InitSite) -> None:
    hits = topic_mentions(site.output)
    assert not hits, "\n".join(hits)


def test_html_valid(site: InitSite) -> None:
    """The Nu HTML checker reports no error on any page."""
    assert site.pages
    found = checks.run_vnu(site.output)
    problems = [p for ps in found.values() for p in ps]
    assert not problems, checks.report(problems)


def test_axe_wcag_aa(site: InitSite, tabs: Any) -> None:
    """axe-core: no WCAG 2.0/2.1/2.2 A or AA violation at 375 px light and 1280 px dark."""
    tab = tabs(375, purpose="init-axe")
    problems: list[checks.Problem] = []
    pages = axe_pages(site.pages)
    assert len(pages) > 20
    for rel in pages:
        for i, (width, scheme) in enumerate(AXE_VARIANTS):
            tab.page.set_viewport_size({"width": width, "height": checks.HEIGHT[width]})
            tab.page.emulate_media(color_scheme=scheme)
            if i == 0:
                tab.open(f"{site.url}/{rel}", rel)
            problems += checks.axe_problems(tab.page, f"{rel} [{width}px {scheme}]")
    assert not problems, checks.report(problems)


def test_links_resources_console(site: InitSite, tabs: Any) -> None:
    """Every link, #anchor and resource resolves; no console error (CSP enforced); nothing
    leaves 127.0.0.1."""
    tab = tabs(1280, bypass_csp=False)
    problems: list[checks.Problem] = []
    assert site.pages
    for rel in site.pages:
        page = tab.open(f"{site.url}/{rel}", rel)
        problems += checks.link_problems(page, rel, site.output, site.url) + tab.watch.problems()
    assert not problems, checks.report(problems)

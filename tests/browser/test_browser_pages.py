"""Every page the build writes, in a real browser: axe-core, the Nu HTML checker, links and
resources, keyboard use, screenshots (issue 4). Parametrised by page, so a failure names it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import checks
import pytest
from sitebuild import AXE_SORT_SAMPLE, BuiltSite, page_types

# Width and colour scheme for axe-core, in the order they are applied to one loaded page.
AXE_VARIANTS = [(375, "light"), (375, "dark"), (1280, "dark"), (1280, "light")]


def test_key_page_types_exist(site: BuiltSite) -> None:
    """The pages the content model promises are among the pages found."""
    want = {"index.html", "glossary/index.html", "about/index.html", "404.html"}
    want |= {f"studies/{sid}/index.html" for sid in site.study_ids}
    want |= {f"conditions/{p.stem}/index.html" for p in (site.content / "conditions").glob("*.yaml")}
    want |= {f"drugs/{p.stem}/index.html" for p in (site.content / "drugs").glob("*.yaml")}
    missing = sorted(want - set(site.pages))
    assert not missing, f"pages missing from the build: {missing}; found {site.pages}"
    assert {"home", "study", "condition", "drug", "glossary", "about", "404"} <= set(page_types(site.pages))
    assert set(AXE_SORT_SAMPLE) <= set(site.pages), "axe's sample of the dosing sort pages is gone"


def test_study_screenshots_show_a_study_not_a_studies_order() -> None:
    """/studies/by-certainty/ is the studies index in another order: the "study" screenshot
    must be of a study's page."""
    assert checks.page_type("studies/by-certainty/index.html") == "studies-order"
    assert checks.page_type("studies/rituximab-childhood-sle-2005/index.html") == "study"


def test_axe_wcag_aa(axe_page_path: str, site_url: str, tabs: Any) -> None:
    """axe-core finds no WCAG 2.0/2.1/2.2 A or AA violation at 375 and 1280 px, light and dark.

    The page is loaded once; the viewport and colour scheme then change under it, as
    they would when a phone turns or the system switches to dark mode. (Every page but 11
    of the 13 dosing sort pages: sitebuild.AXE_SORT_SAMPLE.)
    """
    page_path = axe_page_path
    tab = tabs(375, purpose="axe")
    problems: list[checks.Problem] = []
    for i, (width, scheme) in enumerate(AXE_VARIANTS):
        tab.page.set_viewport_size({"width": width, "height": checks.HEIGHT[width]})
        tab.page.emulate_media(color_scheme=scheme)
        if i == 0:
            tab.open(f"{site_url}/{page_path}", page_path)
        problems += checks.axe_problems(tab.page, f"{page_path} [{width}px {scheme}]")
    assert not problems, checks.report(problems)


def test_html_valid(page_path: str, site: BuiltSite, vnu_report: Any) -> None:
    """The Nu HTML checker (vnu-jar) reports no error."""
    problems = vnu_report.result().get(page_path, [])
    assert not problems, checks.report(problems)


def test_html_checker_saw_every_page(site: BuiltSite, vnu_report: Any) -> None:
    """The checker ran over a non-empty folder and every error it gave is tied to a page."""
    assert site.pages
    found = vnu_report.result()
    strays = [p for rel, ps in found.items() if rel not in site.pages for p in ps]
    assert not strays, checks.report(strays)


def test_links_resources_console(page_path: str, site: BuiltSite, site_url: str, tabs: Any) -> None:
    """Links and #anchors resolve, resources load, no console error, nothing leaves 127.0.0.1.

    Runs with the page's CSP enforced, so a blocked inline script or style is an error.
    """
    tab = tabs(1280, bypass_csp=False)
    page = tab.open(f"{site_url}/{page_path}", page_path)
    problems = checks.link_problems(page, page_path, site.output, site_url) + tab.watch.problems()
    assert not problems, checks.report(problems)


def test_404_page_at_a_missing_nested_url(site: BuiltSite, site_url: str, tabs: Any) -> None:
    """Hosts serve 404.html at whatever URL was missing, so its links and stylesheet must
    work from any depth (root-relative or absolute URLs, not relative ones)."""
    tab = tabs(1280, bypass_csp=False)
    missing = f"{site_url}/studies/no-such-study/"
    where = "404.html served at /studies/no-such-study/"
    page = tab.open(missing, where)
    assert page.evaluate("document.title") == checks.title_of(site.output / "404.html"), "the server did not send 404.html"
    problems = checks.link_problems(page, where, site.output, site_url, site.output / "404.html")
    problems += tab.watch.problems()
    problems = [p for p in problems if not (p.rule == "http-404" and p.detail.startswith(missing + " "))]
    problems = [p for p in problems if not (p.rule == "console-error" and p.element == missing and "404" in p.detail)]
    styled = page.evaluate("[...document.styleSheets].filter(s => s.href).map(s => s.cssRules.length)")
    assert not problems, checks.report(problems)
    assert styled and all(styled), f"{where}: its stylesheets did not load: {styled}"


def test_no_sideways_scrolling_on_a_phone(page_path: str, site_url: str, tabs: Any) -> None:
    """At 375 px nothing sticks out: long words, DOIs and tables wrap or scroll inside."""
    where = f"{page_path} [375px]"
    problems = checks.overflow_problems(tabs(375).open(f"{site_url}/{page_path}", where), where)
    assert not problems, checks.report(problems)


@pytest.mark.parametrize("width", [375, 1280], ids=["375px", "1280px"])
def test_keyboard(page_path: str, width: int, site_url: str, tabs: Any) -> None:
    """Tab reaches every visible link and control in DOM order, with a visible focus indicator."""
    where = f"{page_path} [{width}px]"
    page = tabs(width).open(f"{site_url}/{page_path}", where)
    problems = checks.keyboard_problems(page, where)
    assert not problems, checks.report(problems)


SHOTS = [(375, "light"), (1280, "light"), (375, "dark"), (1280, "dark")]


@pytest.mark.parametrize(("width", "scheme"), SHOTS, ids=[f"{w}px-{s}" for w, s in SHOTS])
def test_screenshot(
    page_type: str, width: int, scheme: str, site: BuiltSite, site_url: str, tabs: Any, screenshot_dir: Path
) -> None:
    """Save test-artifacts/screenshots/<type>-<width>.png (and <type>-<width>-dark.png) for
    a person to look at; each is exactly the viewport's width and not blank."""
    rel = page_types(site.pages)[page_type]
    path = screenshot_dir / (f"{page_type}-{width}.png" if scheme == "light" else f"{page_type}-{width}-{scheme}.png")
    where = f"{rel} [{width}px {scheme}]"
    tabs(width, scheme).open(f"{site_url}/{rel}", where).screenshot(path=str(path), full_page=True)
    problems = checks.screenshot_problems(path, width, where)
    assert not problems, checks.report(problems)

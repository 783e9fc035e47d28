"""Every page the build writes, in a real browser: axe-core, the Nu HTML checker, links and
resources, keyboard use, screenshots (issue 4). Parametrised by page, so a failure names it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import checks
import pytest
from sitebuild import BuiltSite, page_types

VARIANTS = [(375, "light"), (375, "dark"), (1280, "light"), (1280, "dark")]


def test_key_page_types_exist(site: BuiltSite) -> None:
    """The pages the content model promises are among the pages found."""
    want = {"index.html", "glossary/index.html", "about/index.html", "404.html"}
    want |= {f"studies/{sid}/index.html" for sid in site.study_ids}
    want |= {f"conditions/{p.stem}/index.html" for p in (site.content / "conditions").glob("*.yaml")}
    want |= {f"drugs/{p.stem}/index.html" for p in (site.content / "drugs").glob("*.yaml")}
    missing = sorted(want - set(site.pages))
    assert not missing, f"pages missing from the build: {missing}; found {site.pages}"
    assert {"home", "study", "condition", "drug", "glossary", "about", "404"} <= set(page_types(site.pages))


@pytest.mark.parametrize(("width", "scheme"), VARIANTS, ids=[f"{w}px-{s}" for w, s in VARIANTS])
def test_axe_wcag_aa(page_path: str, width: int, scheme: str, site_url: str, browser_context: Any) -> None:
    """axe-core finds no WCAG 2.0/2.1/2.2 A or AA violation."""
    where = f"{page_path} [{width}px {scheme}]"
    page, _ = checks.open_page(browser_context(width, scheme), f"{site_url}/{page_path}", where)
    try:
        problems = checks.axe_problems(page, where)
    finally:
        page.close()
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


def test_links_resources_console(page_path: str, site: BuiltSite, site_url: str, browser_context: Any) -> None:
    """Links and #anchors resolve, resources load, no console error, nothing leaves 127.0.0.1.

    Runs with the page's CSP enforced, so a blocked inline script or style is an error.
    """
    page, watch = checks.open_page(browser_context(1280, "light", bypass_csp=False), f"{site_url}/{page_path}", page_path)
    try:
        problems = checks.link_problems(page, page_path, site.output, site_url) + watch.problems()
    finally:
        page.close()
    assert not problems, checks.report(problems)


@pytest.mark.parametrize("width", [375, 1280], ids=["375px", "1280px"])
def test_keyboard(page_path: str, width: int, site_url: str, browser_context: Any) -> None:
    """Tab reaches every visible link and control in DOM order, with a visible focus indicator."""
    where = f"{page_path} [{width}px]"
    page, _ = checks.open_page(browser_context(width), f"{site_url}/{page_path}", where)
    try:
        problems = checks.keyboard_problems(page, where)
    finally:
        page.close()
    assert not problems, checks.report(problems)


@pytest.mark.parametrize("width", [375, 1280], ids=["375px", "1280px"])
def test_screenshot(page_type: str, width: int, site: BuiltSite, site_url: str, browser_context: Any, screenshot_dir: Path) -> None:
    """Save test-artifacts/screenshots/<type>-<width>.png; it is the viewport's width and not blank."""
    rel = page_types(site.pages)[page_type]
    path = screenshot_dir / f"{page_type}-{width}.png"
    where = f"{rel} [{width}px]"
    page, _ = checks.open_page(browser_context(width), f"{site_url}/{rel}", where)
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.close()
    problems = checks.screenshot_problems(path, width, where)
    assert not problems, checks.report(problems)

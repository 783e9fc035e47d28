"""Browser quality gates (issue 4): build the site once, serve it, drive one Chromium.

The site is built from a temporary copy of content/ plus the test corpus (corpus.py)
once per session. The build runs while tests are collected, because every page it
writes becomes a parameter of the page tests, so a failure names its page.
"""

from __future__ import annotations

import concurrent.futures
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # the helpers below, whatever pytest's import mode
    sys.path.insert(0, str(HERE))

import checks  # noqa: E402
from sitebuild import BUILD_FAILED, BuiltSite, axe_pages, built_site, page_types  # noqa: E402

ROOT = checks.ROOT
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise page tests over every page the build wrote, by path."""
    if "page_path" in metafunc.fixturenames:
        site = built_site()
        metafunc.parametrize("page_path", site.pages or [BUILD_FAILED])
    if "axe_page_path" in metafunc.fixturenames:
        site = built_site()
        metafunc.parametrize("axe_page_path", axe_pages(site.pages) or [BUILD_FAILED])
    if "page_type" in metafunc.fixturenames:
        site = built_site()
        metafunc.parametrize("page_type", sorted(page_types(site.pages)) or [BUILD_FAILED])


@pytest.fixture(scope="session")
def site() -> BuiltSite:
    """The built test site; fails every test that needs it if the build failed."""
    built = built_site()
    if built.error:
        pytest.fail(built.error, pytrace=False)
    return built


@pytest.fixture(scope="session")
def vnu_report(site: BuiltSite) -> Iterator[concurrent.futures.Future[dict[str, list[checks.Problem]]]]:
    """The Nu HTML checker over the whole output folder: one JVM, started early in a
    thread so it runs while the browser tests do."""
    assert site.pages, f"no .html files in {site.output}: the HTML checker would pass an empty folder"
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        yield pool.submit(checks.run_vnu, site.output)


@pytest.fixture(scope="session")
def site_url(site: BuiltSite, vnu_report: Any) -> Iterator[str]:
    """The built site served over http on 127.0.0.1 (never file://: recipes section 2)."""
    with checks.serve(site.output) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Debian Chromium for the whole session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=checks.CHROMIUM, args=checks.CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def tabs(browser: Any) -> Iterator[Any]:
    """tabs(width, scheme, bypass_csp, purpose) -> checks.Tab: one context and one reused
    tab per combination, made on first use and kept for the session.

    bypass_csp=True lets axe-core be injected into pages whose CSP forbids inline
    script; the link/console/network check uses bypass_csp=False, so a CSP violation
    shows up there as a console error. purpose keeps a tab whose viewport or colour
    scheme a test changes (axe) apart from the others.
    """
    made: dict[tuple[int, str, bool, str], tuple[Any, checks.Tab]] = {}

    def get(width: int, scheme: str = "light", bypass_csp: bool = True, purpose: str = "") -> checks.Tab:
        key = (width, scheme, bypass_csp, purpose)
        if key not in made:
            context = browser.new_context(
                viewport={"width": width, "height": checks.HEIGHT.get(width, 800)},
                color_scheme=scheme,
                reduced_motion="reduce",
                bypass_csp=bypass_csp,
                service_workers="block",
            )
            made[key] = (context, checks.Tab(context))
        return made[key][1]

    yield get
    for context, _ in made.values():
        context.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """test-artifacts/screenshots/ in the repository (git-ignored), emptied once a session."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    return SCREENSHOTS


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say where the screenshots are, so a person can look at them."""
    if SCREENSHOTS.is_dir() and any(SCREENSHOTS.glob("*.png")):
        count = len(list(SCREENSHOTS.glob("*.png")))
        terminalreporter.write_line(f"browser screenshots: {count} PNGs in {SCREENSHOTS.relative_to(ROOT)}/")

"""Search, browse pages and a new study, in headless Chromium over http (issue 8).

The session's test site (conftest.py: shipped content plus the test corpus) is built by
`build.py`, so its Pagefind index is the one a maintainer's build makes.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import checks
import pytest
import yaml
from playwright.sync_api import expect
from sitebuild import BuiltSite

SEED = "rituximab-childhood-sle-2005"
CYTOPENIA = ("autoimmune-cytopenia-in-sle", "Low blood counts caused by lupus")
DESIGNS = {"randomised-controlled-trial", "non-randomised-controlled-trial", "cohort",
           "case-control", "case-series", "case-report"}


def studies_of(content: Path) -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in (content / "studies").glob("*.yaml")}


def search(page: Any, url: str, words: str) -> list[str]:
    """Type words into the search page and return the result links (paths)."""
    page.goto(url)
    expect(page.locator("#search")).to_be_visible()           # the script loaded the index
    page.fill("#q", words)
    page.press("#q", "Enter")
    expect(page.locator("#search-status")).to_contain_text("found")
    return page.locator("#search-results li > a").evaluate_all("as => as.map(a => new URL(a.href).pathname)")


def test_search_rituximab_lists_the_study(site: BuiltSite, site_url: str, tabs: Any) -> None:
    tab = tabs(1280, bypass_csp=False, purpose="search")
    tab.watch.reset("search/")
    hits = search(tab.page, f"{site_url}/search/", "rituximab")
    assert f"/studies/{SEED}/" in hits
    seed = studies_of(site.content)[SEED]
    expect(tab.page.locator(f'#search-results a[href="/studies/{SEED}/"]')).to_have_text(seed["plain_title"])
    # every study that gave rituximab is found, and only indexed pages (no browse lists, no home)
    givers = {f"/studies/{sid}/" for sid, s in studies_of(site.content).items()
              if any(r["drug"] == "rituximab" for r in s["regimens"])}
    assert givers <= set(hits), sorted(givers - set(hits))
    assert all(h.startswith(("/studies/", "/conditions/", "/drugs/")) for h in hits), hits
    assert "/studies/" not in hits and "/browse/" not in hits
    assert not tab.watch.problems(), checks.report(tab.watch.problems())   # CSP enforced: no errors


def test_condition_filter_narrows_results(site: BuiltSite, site_url: str, tabs: Any) -> None:
    page = tabs(1280, bypass_csp=False, purpose="search").page
    everything = search(page, f"{site_url}/search/", "rituximab")
    cid, label = CYTOPENIA
    page.select_option("#filter-condition", label)
    expect(page.locator("#search-status")).not_to_have_text(f"{len(everything)} pages found for “rituximab”.")
    narrowed = page.locator("#search-results li > a").evaluate_all("as => as.map(a => new URL(a.href).pathname)")
    studies = studies_of(site.content)
    allowed = {f"/studies/{sid}/" for sid, s in studies.items() if cid in s["conditions"]} | {f"/conditions/{cid}/", f"/conditions/{cid}/evidence/"}
    assert narrowed and len(narrowed) < len(everything)
    assert set(narrowed) <= allowed, sorted(set(narrowed) - allowed)
    assert f"/studies/{SEED}/" not in narrowed          # the seed is not about low blood counts
    assert "kumar-2009" not in studies or "/studies/kumar-2009/" in narrowed
    assert f"condition={label.replace(' ', '+')}" in page.url   # a link to these results can be shared
    page.goto(page.url)
    expect(page.locator("#filter-condition")).to_have_value(label)
    expect(page.locator("#search-results li")).to_have_count(len(narrowed))


def test_search_page_without_javascript(browser: Any, site_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{site_url}/search/")
        expect(page.locator("#search-unavailable")).to_contain_text("Search needs JavaScript")
        expect(page.locator("#search")).to_be_hidden()
        page.get_by_role("link", name="Browse by condition, drug, design, certainty or age").click()
        expect(page.locator("h1")).to_have_text("Browse the studies")
    finally:
        context.close()


def _ages(data: dict) -> set[str]:
    """The age rule, restated from docs/content-model.md (1.2): only a range, an IQR, an
    unlabelled interval reaching into a group, a lone min or max, or a median inside it
    proves that someone was that age; a mean or a value alone proves nothing."""
    a = data["population"].get("age_years", "not-reported")
    if not isinstance(a, dict):
        return {"not-reported"}
    spans = []
    if "min" in a and "max" in a:
        spans.append((a["min"], a["max"]))
    elif "min" in a or "max" in a:
        spans.append((a.get("min", a.get("max")),) * 2)
    if "q1" in a and "q3" in a:
        spans.append((a["q1"], a["q3"]))
    if "median" in a:
        spans.append((a["median"], a["median"]))
    if "interval" in a:
        spans.append((a["interval"]["low"], a["interval"]["high"]))
    groups = {g for lo, hi in spans
              for g, ok in [("under-12", lo < 12), ("12-to-18", hi >= 12 and lo < 19), ("over-18", hi >= 19)] if ok}
    return groups or {"not-reported"}


def test_every_browse_page_lists_its_studies(site: BuiltSite, site_url: str, tabs: Any) -> None:
    studies = studies_of(site.content)
    want: dict[str, set[str]] = {}
    for sid, s in studies.items():
        for c in s["conditions"]:
            want.setdefault(f"conditions/{c}/", set()).add(sid)
        for r in s["regimens"]:
            want.setdefault(f"drugs/{r['drug']}/", set()).add(sid)
        want.setdefault(f"designs/{s['design']['type']}/", set()).add(sid)
        want.setdefault(f"certainty/{s['certainty']['rating']}/", set()).add(sid)
        for g in _ages(s):
            want.setdefault(f"ages/{g}/", set()).add(sid)
    for url in ["studies/", "studies/oldest-first/", "studies/largest-first/", "studies/by-certainty/"]:
        want[url] = set(studies)
    page = tabs(1280).page
    for url, ids in sorted(want.items()):
        page.goto(f"{site_url}/{url}")
        links = page.locator(".study-list a, .studies-table tbody a").evaluate_all(
            "as => as.map(a => new URL(a.href).pathname)")
        got = {p.split("/")[2] for p in links}
        assert got == ids, f"{url}: lists {sorted(got)}, expected {sorted(ids)}"
        assert len(links) == len(got), f"{url}: a study is listed twice"
    # and the browse hub links to every group page that exists
    page.goto(f"{site_url}/browse/")
    hub = set(page.locator("main a").evaluate_all("as => as.map(a => new URL(a.href).pathname)"))
    for url in want:
        if not url.startswith("studies/"):
            assert f"/{url}index.html" in hub or f"/{url}" in hub, url


def test_new_study_appears_everywhere_after_one_rebuild(tmp_path: Path, browser: Any) -> None:
    content, out = tmp_path / "content", tmp_path / "output"
    shutil.copytree(checks.ROOT / "content", content)
    build = [sys.executable, str(checks.ROOT / "build.py"), "--content", str(content), "--output", str(out)]
    assert subprocess.run(build, capture_output=True, timeout=300).returncode == 0
    data = yaml.safe_load((content / "studies" / f"{SEED}.yaml").read_text(encoding="utf-8"))
    data.update(id="quokka-trial-2030", title="The quokka trial", plain_title="Quokka study of rituximab",
                added="2026-11-28")
    data["citation"].update(pmid="99999997", doi="10.9999/example.4", year=2025)
    (content / "studies" / "quokka-trial-2030.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    shutil.copy(content / "sources" / f"{SEED}.txt", content / "sources" / "quokka-trial-2030.txt")
    r = subprocess.run(build, capture_output=True, text=True, timeout=300)   # the one rebuild
    assert r.returncode == 0, r.stderr
    for rel in ["studies/index.html", "designs/case-series/index.html", "ages/12-to-18/index.html",
                "conditions/childhood-onset-sle/index.html", "feed.xml"]:   # no sitemap without base_url
        assert "quokka-trial-2030/" in (out / rel).read_text(encoding="utf-8"), rel
    context = browser.new_context()
    try:
        with checks.serve(out) as url:
            hits = search(context.new_page(), f"{url}/search/", "quokka")
    finally:
        context.close()
    assert hits[0] == "/studies/quokka-trial-2030/", hits   # its own page first
    # the other hits are the condition and drug pages that now list it
    assert all(h.startswith(("/conditions/", "/drugs/")) for h in hits[1:]), hits


SHOTS = {"home": "index.html", "browse": "designs/case-series/index.html",
         "study": f"studies/{SEED}/index.html", "search": "search/index.html?q=rituximab"}


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("name", sorted(SHOTS))
def test_issue8_screenshots(name: str, width: int, site_url: str, tabs: Any, screenshot_dir: Path) -> None:
    """test-artifacts/screenshots/issue8-<name>-<width>.png, for a person to look at."""
    page = tabs(width, purpose="issue8-shots").page
    page.goto(f"{site_url}/{SHOTS[name]}")
    if name == "search":
        expect(page.locator("#search-results li").first).to_be_visible()
    path = screenshot_dir / f"issue8-{name}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    problems = checks.screenshot_problems(path, width, f"{SHOTS[name]} [{width}px]")
    assert not problems, checks.report(problems)

"""The page registry (issue 18): one table of page types, read by the page plan, the
search settings, the base template's indexing flag, the sitemap and the browser tests."""
from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path

import pytest

from famhelp import shipped
from evidence.build import search as build_search
from evidence.content import rules
from evidence.content.model import ENTRY_URLS, RESERVED_STUDY_IDS, STUDY_ORDERS
from evidence.pages import browse, feeds, registry, render, search

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))
import checks  # noqa: E402


@pytest.fixture(scope="module")
def plan():
    return render.page_plan(shipped())


def test_every_planned_page_is_of_a_registered_type_with_its_template(plan):
    for path, template, _ in plan:
        kind = registry.page_type(path)
        assert kind is not None, path
        assert kind.template == template, (path, kind.name)


def test_every_registered_type_has_pages_in_the_shipped_site(plan):
    """No dead entry: each type is planned (the shipped content has every kind of page)."""
    planned = {registry.page_type(path).name for path, _, _ in plan}
    assert planned == set(registry.TYPES)


def test_plan_paths_are_unique(plan):
    paths = [p for p, _, _ in plan]
    assert len(paths) == len(set(paths))


def test_the_page_types_are_told_apart():
    cases = {"index.html": "home", "404.html": "404", "studies/index.html": "studies",
             "studies/x/index.html": "study", "conditions/x/index.html": "condition",
             "conditions/x/evidence/index.html": "evidence", "conditions/index.html": "conditions",
             "designs/cohort/index.html": "design", "dosing/sort/dose/index.html": "dosing-sort",
             "dosing/route/oral/index.html": "dosing-route", "ages/under-12/index.html": "age-group"}
    cases.update({f"studies/{order}/index.html": "studies-order" for order in STUDY_ORDERS})
    for path, name in cases.items():
        assert registry.page_type(path).name == name, path
        assert checks.page_type(path) == name, path      # the screenshots' page types
    for other in ("feed.xml", "studies/x/cite.ris", "assets/site.css", "studies/x/y/index.html"):
        assert registry.page_type(other) is None, other


def test_the_study_url_rule_is_the_content_models():
    """model.ENTRY_URLS is the one rule: the entries' urls, the registry and the reserved ids."""
    site = shipped()
    for kind, entries in (("study", site.studies), ("condition", site.conditions), ("drug", site.drugs)):
        assert registry.TYPES[kind].url == ENTRY_URLS[kind]
        for e in entries:
            assert e.url == registry.TYPES[kind].link(id=e.id)
    assert rules.RESERVED_STUDY_IDS is RESERVED_STUDY_IDS
    assert set(registry.TYPES["studies-order"].values["order"]) == RESERVED_STUDY_IDS
    assert {suffix.rstrip("/") for suffix, _, _ in browse.orders(site)} - {""} == RESERVED_STUDY_IDS


def test_browse_hubs_are_their_page_types():
    for key, url, _, _ in browse.DIMENSIONS:
        assert registry.TYPES[key].url == url and registry.TYPES[key].template == "browse_hub.html"


def test_the_search_glob_covers_exactly_the_searchable_types(plan):
    parts = re.fullmatch(r"\{(.*)\}/index\.html", search.GLOB).group(1).split(",")
    assert sorted(parts) == sorted(["studies/*", "conditions/*", "drugs/*", "conditions/*/evidence"])
    assert build_search.GLOB is search.GLOB and search.GLOB in build_search.command(Path("x"))
    searchable = {p for p, _, _ in plan if registry.page_type(p).searchable}
    globbed = {p for p, _, _ in plan
               if any(re.fullmatch(g.replace("*", "[^/]+") + "/index.html", p) for g in parts)}
    assert searchable <= globbed


def test_a_template_is_searchable_for_every_type_using_it_or_for_none():
    for template in {t.template for t in registry.PAGE_TYPES}:
        assert len({t.searchable for t in registry.PAGE_TYPES if t.template == template}) == 1, template


def test_base_template_marks_exactly_the_searchable_pages(plan):
    site, env = shipped(), render.make_env()
    wanted = {"study", "condition", "drug", "evidence", "studies", "studies-order", "home", "dosing-sort"}
    seen = set()
    for entry in plan:
        kind = registry.page_type(entry[0])
        if kind.name in seen or kind.name not in wanted:
            continue
        seen.add(kind.name)
        html = render.render_page(env, site, entry).body.decode()
        assert ("data-pagefind-body" in html) == kind.searchable, kind.name
    assert seen == wanted


def test_sitemap_and_canonical_follow_the_registry():
    assert feeds.main_page("dosing/sort/dose/index.html") == "dosing/index.html"
    assert feeds.main_page("studies/by-certainty/index.html") == "studies/index.html"
    assert feeds.main_page("studies/x/index.html") == "studies/x/index.html"
    assert not feeds.in_sitemap("404.html") and not feeds.in_sitemap("studies/oldest-first/index.html")
    assert feeds.in_sitemap("studies/x/index.html") and not feeds.in_sitemap("feed.xml")


def test_a_new_page_type_is_one_entry(monkeypatch, plan):
    """An entry with no planning module is one page; its template is rendered as is."""
    extra = registry.PageType("contact", "contact/", "about.html", "how to reach us")
    monkeypatch.setattr(registry, "PAGE_TYPES", registry.PAGE_TYPES + (extra,))
    assert render.page_plan(shipped()) == plan + [("contact/index.html", "about.html", {})]


def test_a_module_plans_all_its_types_once(monkeypatch, plan):
    """Two entries naming one module: its pages(site) is called once."""
    again = dataclasses.replace(registry.TYPES["search"], name="search-again")
    monkeypatch.setattr(registry, "PAGE_TYPES", registry.PAGE_TYPES + (again,))
    assert render.page_plan(shipped()) == plan

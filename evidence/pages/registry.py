"""Registry: every type of page the site has, in one table: its URL pattern, template,
whether the search index reads it, what it lists, and the module that plans its pages.

Everything that needs to know the page types reads this table: the page plan
(render.page_plan calls each planning module once), the Pagefind settings (search.GLOB),
the base template's indexing flag (render_page sets `searchable`), the sitemap and the
canonical links (feeds.main_page), and the browser tests (tests/browser/checks.page_type).
A new page type is one entry here, one template and one module with pages(site).

The addresses of study, condition and drug pages are the content model's
(model.ENTRY_URLS), and the studies index's other orders take the names no study id may
take (model.STUDY_ORDERS, which content/rules.py refuses as ids).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from ..content.model import ENTRY_URLS, STUDY_ORDERS

_PART = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class PageType:
    """One type of page. `url` is its address with a {part} for each varying part (the
    root page is ''; a page that is a file, not a folder, ends in .html); `values` names
    the only values a part takes, where it is not an id."""

    name: str
    url: str
    template: str
    lists: str                      # what the page shows (docs/pages.md's table)
    plan: str = ""                  # the module whose pages(site) plans it; "": one page, no context
    searchable: bool = False        # Pagefind indexes its main content (base.html's data-pagefind-body)
    main: str | None = None         # it is this type's page in another order: the canonical address
    sitemap: bool = True            # listed in sitemap.xml (with no main: another order never is)
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def link(self, **parts) -> str:
        """The page's site URL: 'studies/x/'."""
        return self.url.format(**parts) if parts else self.url

    def path(self, **parts) -> str:
        """The page's file under output/: 'studies/x/index.html'."""
        url = self.link(**parts)
        return url if url.endswith(".html") else url + "index.html"

    @cached_property
    def pattern(self) -> str:
        """A regular expression for its file paths: a part is one path segment, or one of
        its listed values."""
        out, at = [], 0
        for m in _PART.finditer(self.url):
            out.append(re.escape(self.url[at:m.start()]))
            choices = self.values.get(m.group(1))
            out.append("(?:" + "|".join(map(re.escape, choices)) + ")" if choices else "[^/]+")
            at = m.end()
        out.append(re.escape(self.url[at:] + ("" if self.url.endswith(".html") else "index.html")))
        return "".join(out)

    @property
    def free(self) -> int:
        """How many of its parts take any id (fewer: a more specific type, matched first)."""
        return sum(1 for m in _PART.finditer(self.url) if m.group(1) not in self.values)

    @property
    def glob(self) -> str:
        """Its folders as a glob ('studies/*'), for Pagefind's --glob."""
        return _PART.sub("*", self.url).rstrip("/")


_BROWSE_HUB = "a browse dimension: every {} with its count of studies"
PAGE_TYPES: tuple[PageType, ...] = (
    PageType("home", "", "index.html", "latest studies, conditions, drugs"),
    PageType("study", ENTRY_URLS["study"], "study.html",
             "one study: families' summary, clinicians' figures, citation", "entries", searchable=True),
    PageType("condition", ENTRY_URLS["condition"], "condition.html",
             "a condition: its family part and its studies", "entries", searchable=True),
    PageType("drug", ENTRY_URLS["drug"], "drug.html",
             "a drug: how the studies gave it, its dosing table, its studies", "entries", searchable=True),
    PageType("glossary", "glossary/", "glossary.html", "every term explained, A to Z"),
    PageType("about", "about/", "about.html", "the site, its methods and its sources"),
    PageType("404", "404.html", "404.html", "served by the host for any missing URL", sitemap=False),
    PageType("browse", "browse/", "browse.html", "every browse group, with counts", "browse"),
    PageType("conditions", "conditions/", "browse_hub.html", _BROWSE_HUB.format("condition"), "browse"),
    PageType("drugs", "drugs/", "browse_hub.html", _BROWSE_HUB.format("drug"), "browse"),
    PageType("designs", "designs/", "browse_hub.html", _BROWSE_HUB.format("study design"), "browse"),
    PageType("certainty", "certainty/", "browse_hub.html", _BROWSE_HUB.format("certainty level"), "browse"),
    PageType("ages", "ages/", "browse_hub.html", _BROWSE_HUB.format("age group"), "browse"),
    PageType("design", "designs/{id}/", "browse_list.html", "the studies of one design", "browse"),
    PageType("certainty-level", "certainty/{id}/", "browse_list.html",
             "the studies of one GRADE level", "browse"),
    PageType("age-group", "ages/{id}/", "browse_list.html", "the studies of one age group", "browse"),
    PageType("studies", "studies/", "studies.html",
             "every study: title, year, number of people, design, certainty", "browse"),
    PageType("studies-order", "studies/{order}/", "studies.html", "every study, in another order",
             "browse", main="studies", values={"order": STUDY_ORDERS}),
    PageType("search", "search/", "search.html", "Pagefind results", "search"),
    PageType("dosing", "dosing/", "dosing.html", "every regimen of every study", "dosing"),
    PageType("dosing-sort", "dosing/sort/{column}/", "dosing.html",
             "every regimen, sorted by one column", "dosing", main="dosing"),
    PageType("dosing-condition", "dosing/condition/{id}/", "dosing.html",
             "the regimens of one condition's studies", "dosing"),
    PageType("dosing-drug", "dosing/drug/{id}/", "dosing.html", "the regimens of one drug", "dosing"),
    PageType("dosing-route", "dosing/route/{id}/", "dosing.html", "the regimens given one way", "dosing"),
    PageType("evidence", "conditions/{id}/evidence/", "evidence.html",
             "what the studies of one condition found", "findings", searchable=True),
)
TYPES = {t.name: t for t in PAGE_TYPES}
# one expression for every type, the more specific first: its group name is the type's
_MATCH = re.compile("|".join(f"(?P<t{i}>{t.pattern})" for i, t in sorted(
    enumerate(PAGE_TYPES), key=lambda it: it[1].free)))
SEARCHABLE_TEMPLATES = frozenset(t.template for t in PAGE_TYPES if t.searchable)


def page_type(path: str) -> PageType | None:
    """The type of the page at `path` ('studies/x/index.html'); None for a file that is
    no page of the plan (a feed, a download, an asset)."""
    m = _MATCH.fullmatch(path)
    return PAGE_TYPES[int(m.lastgroup[1:])] if m else None


def planners() -> list[str]:
    """The planning modules, each once, in the order of their first page type."""
    return list(dict.fromkeys(t.plan for t in PAGE_TYPES if t.plan))

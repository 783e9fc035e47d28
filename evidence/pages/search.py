"""Search (issue 8): the /search/ page's plan and what the Pagefind index reads.

Pagefind indexes only the main content of the page types the registry calls searchable
(base.html marks it with data-pagefind-body) and reads only their folders (GLOB); the
boilerplate boxes repeated on every page are excluded (EXCLUDE). Running the indexer is
the engine's part (evidence/build/search.py), which reads these settings.
"""
from __future__ import annotations

from .registry import PAGE_TYPES, TYPES

# Boxes repeated on every study, condition or drug page: nobody searches for them. And
# what repeats the page's own text in another form (#9: it made indexing slow):
# the verbatim source quotes behind each figure, the pictures (their text is in the key
# facts), the ready-made citation formats and the printed handout's lines.
EXCLUDE = (".advice", ".notice", ".toc", ".breadcrumbs", ".dates", "article.study .lede",
           "details.quote", "figure", "section.cite", ".print-only")
# The folders of the searchable page types: Pagefind need not read the listing pages at
# all (60 MB at 5,000 studies)
GLOB = "{" + ",".join(t.glob for t in PAGE_TYPES if t.searchable) + "}/index.html"
# the data-pagefind-filter names (templates/partials/search_filters.html) and their
# labels on the search page
FILTERS = (("condition", "Condition"), ("drug", "Drug"), ("design", "Study design"))


def pages(site) -> list[tuple[str, str, dict]]:
    """The search page for render.page_plan."""
    page = TYPES["search"]
    return [(page.path(), page.template, {"filters": FILTERS})]

"""Render: the page plan and Jinja rendering, all in memory (nothing is written here).

Content is untrusted: templates autoescape every value, and the only Markup comes
from the `markdown` filter, which sanitises with nh3.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import import_module
from pathlib import Path

import markdown as md
import nh3
from markdown.extensions.sane_lists import SaneListExtension
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from markupsafe import Markup

from . import browse, cite, dosing, dosing_rows, family, feeds, findings, jsonld, opendata, pictures, terms
from . import fragments, registry
from ..content import fmt, vocabulary
from ..content.model import Site

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
CSP = ("default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
       "img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; "
       "base-uri 'none'; form-action 'self'; object-src 'none'")
# Markdown fields are prose inside a page: no headings, landmarks, images or tables from
# content (they would break the page's outline), and only href/start attributes (issue 7)
_TAGS = {"p", "br", "em", "strong", "b", "i", "a", "ul", "ol", "li", "code", "blockquote",
         "sub", "sup", "abbr"}
_ATTRS = {"a": {"href"}, "ol": {"start"}}


@dataclass(frozen=True)
class Page:
    """One output file: its path under output/ and its bytes."""

    path: str
    body: bytes
    key: str | None = None      # what it is made from, when known (incremental builds; #9)


@lru_cache(maxsize=1)
def _converter() -> md.Markdown:
    """One Markdown converter, reused (building its parser cost more than converting; #9).
    The extension is passed as an object: named by a string, Markdown first lists every
    installed package's entry points to find it, on every build."""
    return md.Markdown(extensions=[SaneListExtension()], output_format="html")


def markdown_html(text: str) -> Markup:
    """Markdown rendered and sanitised (no script, style, event handlers or unsafe URLs)."""
    html = _converter().reset().convert(text or "")
    clean = nh3.clean(html, tags=_TAGS, attributes=_ATTRS, url_schemes={"http", "https", "mailto"},
                      link_rel="noopener noreferrer", strip_comments=True)
    return Markup(clean)


def make_env(templates: Path = TEMPLATES, store: fragments.Fragments | None = None) -> Environment:
    """The Jinja environment: autoescape, StrictUndefined, the house filters, and the
    build's fragment store as env.fragments (a fresh one, this environment only, if None)."""
    env = Environment(loader=FileSystemLoader(str(templates)), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True,
                      auto_reload=False)     # one build per environment: no stat per include
    env.filters.update(markdown=markdown_html, num=fmt.num, unit=fmt.unit, dose=fmt.dose,
                       duration=fmt.duration, stats=fmt.stats, nr=fmt.text_or_nr,
                       count=fmt.count, p_value=fmt.p_value, count_figure=fmt.count_figure)
    env.globals.update(NR=fmt.NR, NOT_REPORTED=fmt.NOT_REPORTED, CERTAINTY=vocabulary.CERTAINTY,
                       BLINDING=vocabulary.BLINDINGS, COMPARISON=vocabulary.COMPARISONS,
                       ROUTES=vocabulary.ROUTES, ROLES=vocabulary.ROLES, GROUP_ROLES=vocabulary.GROUP_ROLES,
                       is_nr=fmt.is_nr,
                       # issue 6: family key facts and pictures, generated from the data
                       key_facts=family.key_facts, pictures=pictures.for_study,
                       drug_uses=family.drug_uses, each=each, age_text=browse.age_text,
                       evidence_findings=findings.findings, harms_by_study=findings.harms_by_study, evidence_rows=findings.rows_html)
    # clinicians (#5): citations, JSON-LD and the dosing table on drug pages
    env.globals.update(cite_reference=cite.reference, study_jsonld=jsonld.article, dosing_table=dosing.table,
                       dosing_rows=dosing_rows.rows_html)
    env.fragments = store if store is not None else fragments.Fragments()
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "separators": (",", ":")}   # compact JSON-LD
    return env


@pass_context
def each(ctx, template: str, items, **extra) -> Markup:
    """`template` rendered once per item (as `s`, with extra), joined: a list's rows. Each
    item's text is made once per build and reused by later builds while the item is
    unchanged (fragments.py), so a list of 5,000 studies costs a join, not 5,000 renders.
    extra must be plain values (they are part of the fragment's key)."""
    variant = template + repr(sorted(extra.items()))
    return fragments.joined(ctx, template, "each", items, "s", variant, **extra)


def page_plan(site: Site) -> list[tuple[str, str, dict]]:
    """Every page: (output path, template, extra context), in the registry's order. A
    page type without a planning module is one page with no context; a module's
    pages(site) plans all of its types at once."""
    plan: list[tuple[str, str, dict]] = []
    planned: set[str] = set()
    for kind in registry.PAGE_TYPES:
        if not kind.plan:
            plan.append((kind.path(), kind.template, {}))
        elif kind.plan not in planned:
            planned.add(kind.plan)
            plan += import_module(f".{kind.plan}", __package__).pages(site)
    return plan


def linker(path: str, base_url: str):
    """A function turning a site URL ('studies/x/') into a link from the page at `path`."""
    depth = path.count("/")
    root = "../" * depth

    def link(url: str = "") -> str:
        if path == "404.html" and base_url:       # 404 is served from any depth
            return base_url.rstrip("/") + "/" + url
        return fragments.href("/" if path == "404.html" else root, url, base_url) or "./"
    return link


def canonical(path: str, base_url: str) -> str | None:
    """The absolute address a page names as canonical (and as og:url), None without
    base_url: its own, except for another order of a table (a dosing sort page, an
    order of the studies index), which names the table's main page (feeds.main_page)."""
    if not base_url:
        return None
    return feeds.page_url(feeds.main_page(path), base_url)


def render_page(env: Environment, site: Site, entry: tuple[str, str, dict]) -> Page:
    """Render one entry of the page plan."""
    path, template, extra = entry
    base_url = site.config.get("base_url", "")
    ctx = {"site": site, "config": site.config, "path": path, "csp": CSP,
           "link": linker(path, base_url), "canonical": canonical(path, base_url),
           "searchable": template in registry.SEARCHABLE_TEMPLATES, **extra}
    html = env.get_template(template).render(ctx)
    # issue 6: explain glossary terms at their first occurrence in data-glossary regions
    html = terms.mark(html, site.glossary, ctx["link"]("glossary/"))
    return Page(path, html.encode("utf-8"))


def static_files(templates: Path = TEMPLATES) -> list[Page]:
    """The files copied as they are (the stylesheet and other assets)."""
    return [Page(f"assets/{a.name}", a.read_bytes())
            for a in sorted((templates / "assets").glob("*")) if a.is_file()]


def whole_site_files(site: Site, paths: list[str], store: fragments.Fragments) -> list[tuple]:
    """Files made from the whole site and the list of pages, not from a template (feeds,
    sitemap, downloads), each group as (paths, key, make): what its files are made from
    (None: the whole site, any change), and make() -> [(path, bytes or a list of pieces of
    bytes)]. The incremental build calls make() only for groups whose key changed, and
    writes the pieces without joining them (studies.json is 22 MB at 5,000 studies)."""
    return feeds.files(site, paths, store) + opendata.files(site, store) + cite.files(site, store)   # #8, #5

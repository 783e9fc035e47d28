"""Feeds and crawler files (issue 8): Atom feeds of studies by `added` date (the whole
site and one per condition), sitemap.xml and robots.txt, written with xml.etree.

URLs are absolute when site.yaml sets base_url. When base_url is "" (a site opened from
disk or not yet published) Atom links are relative to the feed, which readers resolve
against the feed's own address; there is then no sitemap.xml and no `Sitemap:` line in
robots.txt, because the sitemaps.org protocol requires absolute URLs (issue 19; the build
report says so: sitemap_note). Entry and feed ids never depend on base_url (urn:uuid from
the study id), so moving the site does not make feed readers show every study as new.

A page that is another page in another order (the dosing table's sort pages, the studies
index's other orders) names that page as its canonical address and is left out of the
sitemap: main_page.
"""
from __future__ import annotations

import uuid
from functools import partial
from html import escape
import xml.etree.ElementTree as ET

from .fragments import Fragments
from .registry import TYPES, page_type
from ..content.model import Site, Study

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
_NS = uuid.UUID("6f1c3a52-3c1e-4f57-9a5e-2f0d8b6f1a10")   # this generator's namespace for ids


def _id(*parts: str) -> str:
    """A stable urn:uuid for a feed or entry, independent of where the site is hosted."""
    return "urn:uuid:" + str(uuid.uuid5(_NS, "/".join(parts)))


def page_url(site_path: str, base_url: str, from_path: str = "") -> str:
    """The address of a page: absolute with base_url, else relative to `from_path`'s folder."""
    url = site_path[:-len("index.html")] if site_path.endswith("index.html") else site_path
    if base_url:
        return base_url.rstrip("/") + "/" + url
    depth = from_path.count("/")
    rel = "../" * depth + url
    if rel == "" or rel.endswith("/"):
        rel += "index.html"     # so links also work opened from disk
    return rel


def _sub(parent, tag: str, text: str | None = None, **attrs):
    """A child element with its text, leaving out attributes that are None."""
    el = ET.SubElement(parent, tag, {k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        el.text = text
    return el


def _stamp(day: str) -> str:
    """An Atom date-time from a YYYY-MM-DD date (midnight UTC)."""
    return f"{day}T00:00:00Z"


def by_added(studies) -> list[Study]:
    """Most recently added first; ties by id, so the feed is the same on every build."""
    return sorted(sorted(studies, key=lambda s: s.id), key=lambda s: str(s.data["added"]), reverse=True)


def atom(site: Site, studies, feed_path: str, title: str, key: str, html_path: str,
         store: Fragments | None = None) -> list[bytes]:
    """One Atom feed (RFC 4287) of `studies`, newest added first, as the pieces of its
    bytes (each entry is made once and kept as bytes: see render.whole_site_files)."""
    base_url = site.config.get("base_url", "")
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang":
                                          site.config.get("language", "en")})
    entries = by_added(studies)
    updated = max((s.updated for s in entries),
                  default=str(site.build_date or "1970-01-01"))

    def sub(parent, tag, text=None, **attrs):
        return _sub(parent, f"{{{ATOM}}}{tag}", text, **attrs)

    sub(feed, "title", title)
    sub(feed, "subtitle", site.config.get("tagline", site.config.get("title", "")))
    sub(feed, "id", _id("feed", key))
    sub(feed, "updated", _stamp(updated))
    sub(feed, "link", rel="self", type="application/atom+xml", href=page_url(feed_path, base_url, feed_path))
    sub(feed, "link", rel="alternate", type="text/html", href=page_url(html_path, base_url, feed_path))
    author = sub(feed, "author")
    sub(author, "name", site.config.get("title", ""))
    sub(feed, "generator", "evidence site generator")
    ET.indent(feed)
    head = ET.tostring(feed, encoding="unicode")
    depth = str(feed_path.count("/"))
    return [f'<?xml version="1.0" encoding="utf-8"?>\n{head[:-len("</feed>")]}'.encode("utf-8"),
            *(store or Fragments()).get_all("atom-entry", entries, depth, lambda s: _entry(s, base_url, feed_path)),
            b"</feed>\n"]


def _entry(s: Study, base_url: str, feed_path: str) -> bytes:
    """One study's <entry>, indented for its place in the feed (made once per study; #9).
    Its tags carry no namespace: inside <feed> they are in Atom's default namespace."""
    entry = ET.Element("entry")
    _sub(entry, "title", s.data["plain_title"])
    _sub(entry, "id", _id("study", s.id))
    _sub(entry, "link", rel="alternate", type="text/html",
         href=page_url(f"{s.url}index.html", base_url, feed_path))
    _sub(entry, "published", _stamp(str(s.data["added"])))
    _sub(entry, "updated", _stamp(s.updated))
    for c in s.conditions:
        _sub(entry, "category", term=c.id, label=c.plain_name)
    people = "person" if s.n == 1 else "people"
    fixes = sorted(s.data.get("corrections", []), key=lambda c: c["date"], reverse=True)
    corrected = "".join(f" Corrected {c['date']}: {' '.join(c['what'].split())}" for c in fixes)
    _sub(entry, "summary", f"{s.design_label}, {s.year_text}, {s.n} {people}. "
         f"Certainty: {s.certainty_label.lower()}. {s.data['title']}{corrected}", type="text")
    ET.indent(entry, level=1)
    return ("  " + ET.tostring(entry, encoding="unicode") + "\n").encode("utf-8")


def _xml(text: str) -> str:
    """xml_escape, skipping text with nothing to escape (5,000 paths and dates a sitemap)."""
    return escape(text, quote=False) if "&" in text or "<" in text or ">" in text else text


def xml_escape(text: str) -> str:
    """&, < and > as entities: xml.sax.saxutils.escape, without its import of urllib.request
    and http.client, which every rebuild would pay for."""
    return escape(text, quote=False)


def main_page(path: str) -> str:
    """The page that `path` shows in another order, or `path` itself: the registry's
    `main` of its page type. The dosing table's sort pages (dosing/sort/<column>/) are
    dosing/ sorted by another column, and the studies index's other orders
    (studies/oldest-first/ ..., whose names no study id may take) are studies/ in another
    order: with base_url set, they declare the main page as their canonical address
    (render.canonical), and the sitemap lists only the main page. They stay open to
    crawlers (robots.txt disallows nothing, so a crawler can read the canonical link), and
    the search index leaves them out as it leaves out every listing page (the registry
    does not call them searchable)."""
    kind = page_type(path)
    return TYPES[kind.main].path() if kind is not None and kind.main else path


def in_sitemap(path: str) -> bool:
    """Whether sitemap.xml lists the page: every HTML page of a type the registry lists
    there (not the 404 page, nor a page in another order)."""
    kind = page_type(path)
    return path.endswith(".html") and (kind is None or (kind.sitemap and not kind.main))


def sitemap_note(config: dict) -> str | None:
    """Why the build wrote no sitemap.xml, for the build report; None when it wrote one."""
    if config.get("base_url", ""):
        return None
    return ("No sitemap.xml: site.yaml sets no base_url, and a sitemap must give absolute "
            "addresses; set base_url to the site's address before publishing")


def sitemap(site: Site, html_paths: list[str]) -> bytes:
    """sitemap.xml (sitemaps.org protocol 0.9): the absolute address of every HTML page
    but the 404 page and the other orders of a table (in_sitemap); study pages carry their
    reviewed/added date. Only with base_url (files() leaves it out otherwise). Written as
    text, byte for byte what xml.etree wrote, without building the tree (#9)."""
    base_url = site.config.get("base_url", "")
    if not base_url:
        raise ValueError("a sitemap needs base_url: its <loc> values must be absolute URLs")
    dates = {f"{s.url}index.html": str(s.data.get("reviewed", s.data["added"])) for s in site.studies}
    urls = []
    for path in sorted(p for p in html_paths if in_sitemap(p)):
        date = dates.get(path)
        lastmod = f"\n    <lastmod>{_xml(date)}</lastmod>" if date is not None else ""
        urls.append(f"  <url>\n    <loc>{_xml(page_url(path, base_url))}</loc>{lastmod}\n  </url>\n")
    head = f'<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="{SITEMAP}"'
    body = f"{head}>\n{''.join(urls)}</urlset>\n" if urls else f"{head} />\n"
    return body.encode("utf-8")


def robots(site: Site) -> bytes:
    """Allow everything; name the sitemap when its absolute address is known."""
    base_url = site.config.get("base_url", "")
    lines = ["User-agent: *", "Allow: /"]
    if base_url:
        lines.append(f"Sitemap: {base_url.rstrip('/')}/sitemap.xml")
    return ("\n".join(lines) + "\n").encode()


def files(site: Site, html_paths: list[str], store: Fragments) -> list[tuple]:
    """feed.xml, conditions/<id>/feed.xml, sitemap.xml (only with base_url) and robots.txt,
    as render.whole_site_files describes them. Without base_url there is no sitemap group,
    so a sitemap.xml left by an earlier build is a file no longer made, and the build
    removes it as it removes a deleted study's page. A condition's feed is keyed by the condition and its studies, so adding
    a study remakes the feeds it is in, not every condition's."""
    title = site.config.get("title", "")

    def condition_feed(c, path: str, studies) -> list:
        return [(path, atom(site, studies, path, f"New studies: {c.plain_name} · {title}",
                            f"condition/{c.id}", f"conditions/{c.id}/index.html", store))]

    out = [(("feed.xml",), None, lambda: [("feed.xml", atom(
        site, site.studies, "feed.xml", f"New studies · {title}", "all", "studies/index.html", store))])]
    for c in site.conditions:
        path, studies = f"conditions/{c.id}/feed.xml", site.studies_for("condition", c.id)
        out.append(((path,), store.list_key("feed", (c, *studies)), partial(condition_feed, c, path, studies)))
    if site.config.get("base_url", ""):
        out.append((("sitemap.xml",), None, lambda: [("sitemap.xml", sitemap(site, html_paths))]))
    out.append((("robots.txt",), store.base_key("robots"), lambda: [("robots.txt", robots(site))]))
    return out

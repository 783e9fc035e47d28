"""Glossary marking: explain content/glossary.yaml terms where they first occur on a page.

Works on rendered HTML, after Jinja, inside elements carrying `data-glossary` (the family
parts; its value, default 3, is the heading level of the list). html.parser tokenises the page with character references left
as they are, so escaped content is copied through byte for byte and never
un-escaped; only text nodes are searched. The first occurrence of each term on the
page becomes a footnote-style link to a definition list appended to the end of
that region ("Words explained here"), which links on to the A-Z glossary. The
term link also points at its definition with aria-describedby, so a screen reader
reads the definition on focus; with no JavaScript, no CSS and in print the list is
simply there (issue 6).
"""
from __future__ import annotations

import html
import re
from functools import lru_cache
from html.parser import HTMLParser

from markupsafe import escape

from ..content.model import Term

# Never mark inside these: links, headings, disclosure labels, other terms, code, SVG.
SKIP = {"a", "h1", "h2", "h3", "h4", "h5", "h6", "summary", "button", "dfn", "abbr", "code",
        "pre", "svg", "script", "style", "title", "blockquote", "label", "select", "option",
        "textarea", "nav"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
REGION_ATTR = "data-glossary"


def _is_abbreviation(word: str) -> bool:
    """'BILAG', 'SLEDAI-2K', 'AEs': matched in their own case ('grade' is not 'GRADE')."""
    return " " not in word and sum(c.isupper() for c in word) >= 2


@lru_cache(maxsize=4)   # one glossary per build: compile its pattern once, not per page
def build_pattern(glossary: tuple[Term, ...]) -> tuple[re.Pattern | None, dict[str, Term]]:
    """One regex of every term and variant, longest first, whole words; and a lookup."""
    lookup: dict[str, Term] = {}
    forms: list[str] = []
    for t in glossary:
        for form in (t.term, *t.variants):
            # "course (of treatment)" is looked for as "course"; its variants cover the rest
            form = re.sub(r"\s*\(.*?\)\s*", " ", form).strip()
            if not form:
                continue
            key = form if _is_abbreviation(form) else form.lower()
            if key not in lookup:
                lookup[key] = t
                forms.append(form)
    if not forms:
        return None, lookup
    forms.sort(key=len, reverse=True)
    alts = []
    for form in forms:
        body = r"\s+".join(re.escape(html.escape(w, quote=True)) for w in form.split())
        alts.append(body if _is_abbreviation(form) else f"(?i:{body})")
    return re.compile(r"(?<![\w-])(?:" + "|".join(alts) + r")(?![\w-])"), lookup


def _verbatim(form: str):
    """A parser handler writing its token back in `form` ('&{};' for an entity)."""
    def handle(self, data):
        self.out.append(form.format(data))
    return handle


class _Marker(HTMLParser):
    """Copy HTML through, wrapping first occurrences of terms inside marked regions."""

    def __init__(self, pattern: re.Pattern, lookup: dict[str, Term], glossary_url: str):
        super().__init__(convert_charrefs=False)
        self.pattern, self.lookup, self.glossary_url = pattern, lookup, glossary_url
        self.out: list[str] = []
        self.stack: list[tuple[str, bool]] = []      # (tag, opens a glossary region)
        self.marked: set[str] = set()
        self.pending: list[list[Term]] = []          # terms first marked in each open region
        self.levels: list[str] = []                  # heading level of each open region's list

    def _active(self) -> bool:
        return bool(self.pending) and not any(tag in SKIP for tag, _ in self.stack)

    def handle_starttag(self, tag, attrs):
        self.out.append(self.get_starttag_text())
        if tag in VOID:
            return
        self.open(tag, next((v or "3" for k, v in attrs if k == REGION_ATTR), None))

    def open(self, tag: str, level: str | None) -> None:
        """An element opened; level is its data-glossary value when it starts a region."""
        self.stack.append((tag, level is not None))
        if level is not None:
            self.pending.append([])
            self.levels.append(level if level in "23456" and len(level) == 1 else "3")

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        if any(t == tag for t, _ in self.stack):
            while self.stack:
                t, region = self.stack.pop()
                if region:
                    self.out.append(self._definitions(self.pending.pop(), self.levels.pop()))
                if t == tag:
                    break
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        self.out.append(self._mark(data) if self._active() else data)

    # what html.parser hands over without its markup: put back as it was written
    handle_entityref = _verbatim("&{};")
    handle_charref = _verbatim("&#{};")
    handle_comment = _verbatim("<!--{}-->")
    handle_decl = _verbatim("<!{}>")
    handle_pi = _verbatim("<?{}>")
    unknown_decl = _verbatim("<![{}]>")

    def _mark(self, text: str) -> str:
        def wrap(m: re.Match) -> str:
            raw = m.group(0)
            plain = html.unescape(raw)
            t = self.lookup.get(plain) or self.lookup.get(re.sub(r"\s+", " ", plain).lower())
            if t is None or t.id in self.marked:
                return raw
            self.marked.add(t.id)
            self.pending[-1].append(t)
            # raw is already-escaped page text: copied as it is, never un-escaped
            return (f'<a class="term" id="term-{t.id}-ref" href="#term-{t.id}" '
                    f'aria-describedby="term-{t.id}-def">{raw}</a>')
        return self.pattern.sub(wrap, text)

    def _definitions(self, terms: list[Term], level: str) -> str:
        if not terms:
            return ""
        items = "".join(
            f'<div><dt id="term-{t.id}">{escape(t.term)}</dt> '
            f'<dd><span id="term-{t.id}-def">{escape(t.definition)}</span> '
            f'<a href="{escape(self.glossary_url)}#{t.id}">More in the glossary<span class="visually-hidden">: {escape(t.term)}</span></a></dd></div>'
            for t in terms)
        return (f'<div class="terms"><h{level} class="terms-title">Words explained here</h{level}>'
                f'<dl>{items}</dl></div>\n')


_REGION = re.compile(r"<([a-zA-Z][\w-]*)\b[^>]*\s" + REGION_ATTR + r"\b")


def _region_end(page: str, start: int, tag: str) -> int:
    """The end of the element opened at start (after its matching end tag), or -1."""
    depth, tags = 0, re.compile(rf"<(/?){tag}\b[^>]*>", re.I)
    for m in tags.finditer(page, start):
        depth += -1 if m.group(1) else 1
        if depth == 0:
            return m.end()
    return -1


_TOKEN = re.compile(r"<!--.*?-->|<[^>]*>", re.S)
_TAG = re.compile(r"<(/?)([a-zA-Z][^\s/>]*)")
_LEVEL = re.compile(r"\s" + REGION_ATTR + r"""(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?(?=[\s/>])""")
_ENTITY = re.compile(r"(&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][-.a-zA-Z0-9]*);)")


def _mark_fast(region: str, marker: _Marker) -> str:
    """What feeding region to marker writes, without html.parser (#9: five times faster).

    The pages are our own templates' output: every `<` in text is escaped, so a tag is
    `<...>` up to the first `>`. Text is searched between character references, as
    html.parser hands it over; end tags are written as it writes them."""
    out, pos = marker.out, 0
    search = marker.pattern.search

    def text(chunk: str) -> str:
        if not search(chunk) or not marker._active():     # most text holds no term
            return chunk
        if "&" not in chunk:
            return marker._mark(chunk)
        return "".join(part if i % 2 else marker._mark(part) for i, part in enumerate(_ENTITY.split(chunk)))

    for m in _TOKEN.finditer(region):
        if m.start() > pos:
            out.append(text(region[pos:m.start()]))
        pos = m.end()
        token = m.group(0)
        tag = _TAG.match(token)
        if tag is None:                       # a comment or declaration
            out.append(token)
            continue
        name = tag.group(2).lower()
        if tag.group(1):
            marker.handle_endtag(name)
            continue
        out.append(token)
        if name in VOID or token.endswith("/>"):
            continue
        attr = _LEVEL.search(token)
        marker.open(name, None if attr is None else (attr.group(1) or attr.group(2) or attr.group(3) or "3"))
    if pos < len(region):
        out.append(text(region[pos:]))
    return "".join(out)


def mark(page: str, glossary: tuple[Term, ...], glossary_url: str) -> str:
    """The page with each glossary term's first occurrence (in data-glossary regions) explained.

    Only the regions are parsed (a drug page's 300 KB dosing table is copied as it is):
    each region element is found with its matching end tag and marked, sharing the set of
    terms already marked so that each is explained once per page."""
    if REGION_ATTR not in page:
        return page
    pattern, lookup = build_pattern(glossary)
    if pattern is None:
        return page
    out, at, marked = [], 0, set()
    for m in _REGION.finditer(page):
        if m.start() < at:
            continue                       # a region inside one already done
        end = _region_end(page, m.start(), m.group(1))
        if end < 0:
            end = len(page)                # unclosed: mark to the end, as a whole-page parse would
        marker = _Marker(pattern, lookup, glossary_url)
        marker.marked = marked
        region = page[m.start():end]
        if "<script" in region or "<style" in region or "<![" in region:
            marker.feed(region)            # raw-text elements: html.parser knows their rules
            marker.close()
            done = "".join(marker.out)
        else:
            done = _mark_fast(region, marker)
        out += [page[at:m.start()], done]
        at = end
    out.append(page[at:])
    return "".join(out)

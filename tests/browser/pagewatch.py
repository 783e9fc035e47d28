"""The browser checks of a loaded page's links and requests (issue 4): every same-site link
and resource resolves, every #anchor has its id, nothing loads from another host, and
no console error or failed response (PageWatch, Tab)."""

from __future__ import annotations

import functools
import html
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from pageproblem import Problem, _clip, _js

LOCAL_HOST = "127.0.0.1"


class _IdParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value is not None:
                self.ids.add(value)


@functools.lru_cache(maxsize=None)
def ids_in(path: Path) -> frozenset[str]:
    """Every id attribute in an HTML file: the targets #anchors may point at."""
    parser = _IdParser()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return frozenset(parser.ids)


def title_of(path: Path) -> str:
    """The text of an HTML file's <title>, white space collapsed."""
    text = path.read_text(encoding="utf-8")
    start = text.find(">", text.find("<title")) + 1
    return " ".join(html.unescape(text[start : text.find("</title>", start)]).split())


def target_file(output: Path, url_path: str) -> Path | None:
    """The file a same-site URL path is served from, or None if there is none."""
    rel = unquote(url_path).lstrip("/")
    candidate = (output / rel).resolve()
    if not candidate.is_relative_to(output.resolve()):
        return None
    if candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


_REFERENCES_JS = _js(
    r"""
const out = [];
const pick = [['a[href]', 'href'], ['area[href]', 'href'], ['link[href]', 'href'], ['img[src]', 'src'],
              ['script[src]', 'src'], ['source[src]', 'src'], ['iframe[src]', 'src'], ['video[src]', 'src'],
              ['audio[src]', 'src'], ['video[poster]', 'poster'], ['object[data]', 'data']];
for (const [sel, attr] of pick) {
  for (const el of document.querySelectorAll(sel)) {
    const raw = el.getAttribute(attr);
    let url = null;
    try { url = new URL(raw, document.baseURI).href; } catch (e) {}
    out.push({tag: el.localName, rel: (el.getAttribute('rel') || '').toLowerCase(), raw, url, element: describe(el)});
  }
}
for (const el of document.querySelectorAll('img[srcset], source[srcset]')) {
  for (const item of el.getAttribute('srcset').split(',')) {
    const raw = item.trim().split(/\s+/)[0];
    if (raw) out.push({tag: el.localName, rel: '', raw, url: new URL(raw, document.baseURI).href, element: describe(el)});
  }
}
return out;
"""
)
_LOADED_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "modulepreload", "manifest", "mask-icon"}


def link_problems(page: Any, where: str, output: Path, base_url: str, own_file: Path | None = None) -> list[Problem]:
    """Every same-site link and resource of a loaded page resolves to a file in output,
    every #anchor to an id in its target page; resources never come from another host.

    own_file is the file the page was loaded from, when its URL does not name it (404.html
    served at a missing URL): links to the page itself (#main) resolve there.
    """
    origin = urlsplit(base_url)
    here = page.url.split("#")[0]
    problems = []
    for ref in page.evaluate(_REFERENCES_JS, None):
        if ref["url"] is None:
            problems.append(Problem(where, "bad-url", ref["element"], f"{ref['raw']!r} is not a valid URL"))
            continue
        url = urlsplit(ref["url"])
        if url.scheme not in ("http", "https"):
            continue  # mailto:, tel:, data:
        is_link = ref["tag"] in ("a", "area") or (
            ref["tag"] == "link" and not (set(ref["rel"].split()) & _LOADED_RELS)
        )
        if url.hostname != LOCAL_HOST:
            if not is_link:
                problems.append(
                    Problem(where, "external-resource", ref["element"], f"{ref['raw']} loads from {url.hostname}; only {LOCAL_HOST} may be contacted")
                )
            continue
        if url.port != origin.port:
            problems.append(Problem(where, "wrong-origin", ref["element"], f"{ref['raw']} points at another server ({url.netloc})"))
            continue
        target = own_file if own_file and ref["url"].split("#")[0] == here else target_file(output, url.path)
        if target is None:
            kind = "missing-page" if is_link else "missing-file"
            problems.append(Problem(where, kind, ref["element"], f"{ref['raw']} -> {url.path} does not exist in the output"))
            continue
        fragment = unquote(url.fragment)
        if fragment and fragment != "top" and target.suffix == ".html" and fragment not in ids_in(target):
            shown = target.resolve().relative_to(output.resolve()).as_posix()
            problems.append(
                Problem(where, "missing-anchor", ref["element"], f"{ref['raw']}: {shown} has no element with id={fragment!r}")
            )
    return problems


_ELEMENTS_FOR_URL_JS = _js(
    r"""
const hits = [];
for (const el of document.querySelectorAll('[src], [href], [srcset], [poster], [data]')) {
  if (el.src === arg || el.href === arg || el.poster === arg || (el.srcset || '').includes(new URL(arg).pathname)) hits.push(describe(el));
}
return hits.slice(0, 3).join(' | ') || '(no element names it: loaded by CSS or script)';
"""
)


class PageWatch:
    """Record console errors, failed or 4xx/5xx responses and requests to other hosts;
    block every request that would leave 127.0.0.1. reset() before each page load."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.reset("")
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console.append((f"uncaught {error.name}: {error.message}", "")))
        page.on("response", lambda r: r.status >= 400 and self.bad_responses.append((r.url, r.status)))
        page.on("requestfailed", self._on_failed)
        page.route(self._leaves_host, self._block)

    def reset(self, where: str) -> None:
        """Forget what earlier pages did; name the page about to load."""
        self.where = where
        self.console: list[tuple[str, str]] = []
        self.blocked: list[str] = []
        self.bad_responses: list[tuple[str, int]] = []
        self.failed: list[tuple[str, str]] = []

    @staticmethod
    def _leaves_host(url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname != LOCAL_HOST

    def _block(self, route: Any) -> None:
        self.blocked.append(route.request.url)
        route.abort("blockedbyclient")

    def _on_failed(self, request: Any) -> None:
        # Chromium fetches the favicon after "load"; the next page's navigation aborts it
        # (issue 8). A missing icon still fails as http-404 via the response handler.
        if request.failure == "net::ERR_ABORTED" and request.resource_type == "other":
            return
        self.failed.append((request.url, request.failure or "failed"))

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            self.console.append((message.text, message.location.get("url", "")))

    def problems(self) -> list[Problem]:
        """What went wrong while the page loaded, each naming the element that asked for it."""
        problems = []
        reported = set(self.blocked)
        for url in dict.fromkeys(self.blocked):
            element = self.page.evaluate(_ELEMENTS_FOR_URL_JS, url)
            problems.append(Problem(self.where, "request-leaves-host", element, f"request to {url} (blocked): only {LOCAL_HOST} may be contacted"))
        for url, status in dict.fromkeys(self.bad_responses):
            reported.add(url)
            element = self.page.evaluate(_ELEMENTS_FOR_URL_JS, url)
            problems.append(Problem(self.where, f"http-{status}", element, f"{url} answered {status}"))
        for url, why in dict.fromkeys(self.failed):
            if url not in reported:
                reported.add(url)
                element = self.page.evaluate(_ELEMENTS_FOR_URL_JS, url)
                problems.append(Problem(self.where, "request-failed", element, f"{url} failed: {why}"))
        for text, source in dict.fromkeys(self.console):
            if text.startswith("Failed to load resource") and source in reported:
                continue  # already reported above, with its element
            problems.append(Problem(self.where, "console-error", source or "(page)", _clip(text, 400)))
        return problems


class Tab:
    """One browser tab, reused page after page (opening a new tab per page is slow)."""

    def __init__(self, context: Any) -> None:
        self.page = context.new_page()
        self.watch = PageWatch(self.page)

    def open(self, url: str, where: str) -> Any:
        """Load url, watching console and network, and wait until it is ready."""
        self.watch.reset(where)
        self.page.goto(url, wait_until="load")
        if self.page.evaluate("document.scripts.length"):
            self.page.wait_for_load_state("networkidle")  # scripts may fetch after load (search)
        return self.page

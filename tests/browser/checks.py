"""The browser quality gates of issue 4, as plain functions over a page or a folder.

The page tests (test_browser_pages.py) and the negative tests (test_browser_checks_fail.py)
call the same functions, so a check that could never fail would show up there. Each
function returns a list of Problem; an empty list means the page passed.
"""

from __future__ import annotations

import contextlib
import functools
import html
import http.server
import json
import struct
import subprocess
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from evidence.pages import registry

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--disable-background-networking", "--disable-component-update"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
LOCAL_HOST = "127.0.0.1"
HEIGHT = {375: 812, 1280: 800}  # viewport heights: a phone and a laptop


@dataclass(frozen=True)
class Problem:
    """One failed check: which page, which rule, which element, and what is wrong."""

    page: str  # path in the output folder, e.g. studies/x/index.html, plus [variant]
    rule: str  # axe rule id, "html", "missing-page", "focus-not-visible", ...
    element: str  # CSS selector and outer HTML, or line:column and source extract
    detail: str

    def __str__(self) -> str:
        return f"{self.page}: {self.rule}: {self.detail}\n      element: {self.element}"


def report(problems: list[Problem], limit: int = 40) -> str:
    """The assertion message: one block per problem, the first `limit` of them."""
    shown = "\n".join(f"  - {p}" for p in problems[:limit])
    more = f"\n  ... and {len(problems) - limit} more" if len(problems) > limit else ""
    return f"{len(problems)} problem(s):\n{shown}{more}"


def _clip(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# JavaScript helpers shared by the page checks: a CSS path and a short outer HTML per element.
_JS_HELPERS = r"""
const cssPath = (el) => {
  if (!(el instanceof Element)) return String(el);
  const parts = [];
  while (el && el.nodeType === 1 && el !== document.documentElement) {
    if (el.id) { parts.unshift('#' + CSS.escape(el.id)); break; }
    let part = el.localName;
    const parent = el.parentElement;
    if (parent) {
      const same = [...parent.children].filter(c => c.localName === el.localName);
      if (same.length > 1) part += `:nth-of-type(${same.indexOf(el) + 1})`;
    }
    parts.unshift(part);
    el = parent;
  }
  return parts.join(' > ') || 'html';
};
const outer = (el) => {
  const h = el.outerHTML.replace(/\s+/g, ' ');
  return h.length > 160 ? h.slice(0, 157) + '...' : h;
};
const describe = (el) => `${cssPath(el)}  ${outer(el)}`;
"""


def _js(body: str) -> str:
    """Wrap a function body so it can use the helpers above; it gets one argument, arg."""
    return f"(arg) => {{ {_JS_HELPERS}\n{body} }}"


# --- serving --------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".wasm": "application/wasm",
        ".json": "application/json",
        ".xml": "application/xml",
    }

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        """Keep the test output clean; failures are reported by the checks."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Answer a missing path with the site's 404.html, as static hosts do."""
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve a folder on 127.0.0.1 (a free port) in a thread; yield its base URL.

    A missing path gets the folder's 404.html with status 404, like GitHub Pages or Netlify.
    """
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer((LOCAL_HOST, 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOCAL_HOST}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# --- axe-core -------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


# Wait for running CSS transitions and animations (a colour-scheme switch may start some).
_SETTLE_JS = """() => Promise.race([
  Promise.all(document.getAnimations().map(a => a.finished.catch(() => null))),
  new Promise(resolve => setTimeout(resolve, 2000))])"""


def axe_problems(page: Any, where: str) -> list[Problem]:
    """Run axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on a loaded page."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(content=_axe_source())
    page.evaluate(_SETTLE_JS)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    problems = []
    for violation in result["violations"]:
        for node in violation["nodes"]:
            target = " ".join(" >>> ".join(t) if isinstance(t, list) else t for t in node["target"])
            reasons = [line.strip() for line in node.get("failureSummary", "").splitlines()[1:] if line.strip()]
            detail = f"{violation['help']} ({violation['impact']}): {'; '.join(reasons)} [{violation['helpUrl']}]"
            problems.append(Problem(where, violation["id"], f"{target}  {_clip(node['html'], 160)}", detail))
    return problems


# --- Nu HTML checker ------------------------------------------------------------------


def run_vnu(root: Path, files: list[Path] | None = None) -> dict[str, list[Problem]]:
    """Check HTML files with one vnu.jar call; map errors to paths relative to root.

    Errors the checker could not tie to a page (an unreadable file, a crash) come back
    under the key "" so a caller can fail on them too.
    """
    targets = [str(f) for f in files] if files else [str(root)]
    proc = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--skip-non-html", "--format", "json", *targets],
        capture_output=True,
        text=True,
        timeout=600,
    )
    try:
        messages = json.loads(proc.stderr)["messages"]
    except (ValueError, KeyError):
        return {"": [Problem("(html checker)", "vnu-crashed", "-", f"exit {proc.returncode}: {_clip(proc.stderr, 2000)}")]}
    found: dict[str, list[Problem]] = {}
    for m in messages:
        url = m.get("url", "")
        try:
            rel = Path(unquote(urlsplit(url).path)).resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            rel = ""
        where = f"line {m.get('lastLine', '?')}:{m.get('firstColumn', m.get('lastColumn', '?'))}"
        element = f"{where}  {_clip(m.get('extract', ''), 160)!r}"
        found.setdefault(rel, []).append(Problem(rel or url or "(html checker)", f"html-{m['type']}", element, m["message"]))
    if proc.returncode != 0 and not found:
        found[""] = [Problem("(html checker)", "vnu-failed", "-", f"exit {proc.returncode}: {_clip(proc.stderr, 2000)}")]
    return found


# --- links, resources, console, network -----------------------------------------------


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
    """One browser tab, reused page after page (a new tab per page costs ~0.15 s)."""

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


# --- keyboard -------------------------------------------------------------------------

_FOCUSABLE_JS = _js(
    r"""
const sel = 'a[href], area[href], button, input:not([type=hidden]), select, textarea, summary, iframe, ' +
            '[tabindex], [contenteditable]:not([contenteditable=false])';
const style = (el) => { const cs = getComputedStyle(el);
  return {outline: `${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}`, shadow: cs.boxShadow,
          background: cs.backgroundColor, border: cs.borderColor, decoration: cs.textDecorationLine, color: cs.color}; };
if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
const els = [...document.querySelectorAll(sel)].filter(el =>
  !el.disabled && el.tabIndex >= 0 && !el.closest('[inert]') &&
  el.checkVisibility({checkVisibilityCSS: true, visibilityProperty: true}) && el.getClientRects().length > 0);
window.__kbExpected = els;
return els.map(el => ({element: describe(el), style: style(el), tabindex: el.tabIndex}));
"""
)

_FOCUSED_JS = _js(
    r"""
const el = document.activeElement;
if (!el || el === document.body || el === document.documentElement) return null;
const cs = getComputedStyle(el);
const r = el.getBoundingClientRect();
const onScreen = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 &&
                 r.top < innerHeight && r.left < innerWidth;
return {index: window.__kbExpected.indexOf(el), element: describe(el), onScreen,
        outlineStyle: cs.outlineStyle, outlineWidth: parseFloat(cs.outlineWidth) || 0,
        style: {outline: `${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}`, shadow: cs.boxShadow,
                background: cs.backgroundColor, border: cs.borderColor, decoration: cs.textDecorationLine, color: cs.color}};
"""
)


def keyboard_problems(page: Any, where: str) -> list[Problem]:
    """Tab through a loaded page: every visible link and control is reached, in DOM order,
    and shows a visible focus indicator (an outline or a box shadow that unfocused lacks)."""
    expected = page.evaluate(_FOCUSABLE_JS, None)
    problems = []
    for item in expected:
        if item["tabindex"] > 0:
            problems.append(Problem(where, "positive-tabindex", item["element"], f"tabindex={item['tabindex']} changes the tab order"))
    reached: list[int] = []
    first = None
    for _ in range(len(expected) + 10):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED_JS, None)
        if focused is None:
            if reached or first is not None:
                break  # focus left the document: the end of the tab order
            continue
        if first is None:
            first = focused["element"]
        elif focused["element"] == first:
            break  # wrapped around
        index = focused["index"]
        if index >= 0:
            if index in reached:
                break
            reached.append(index)
        before = expected[index]["style"] if index >= 0 else None
        ring = (focused["outlineStyle"] != "none" and focused["outlineWidth"] > 0) or focused["style"]["shadow"] != "none"
        changed = before is None or focused["style"]["outline"] != before["outline"] or focused["style"]["shadow"] != before["shadow"]
        if not (ring and changed):
            problems.append(
                Problem(
                    where,
                    "focus-not-visible",
                    focused["element"],
                    f"no focus indicator: focused outline {focused['style']['outline']!r}, box-shadow {focused['style']['shadow']!r}"
                    + (f"; unfocused outline {before['outline']!r}, box-shadow {before['shadow']!r}" if before else ""),
                )
            )
        if not focused["onScreen"]:
            problems.append(Problem(where, "focus-off-screen", focused["element"], "the focused element is not on screen"))
    for i, item in enumerate(expected):
        if i not in reached:
            problems.append(Problem(where, "not-reachable-by-tab", item["element"], "Tab never reaches this visible link or control"))
    for a, b in zip(reached, reached[1:]):
        if b < a:
            problems.append(
                Problem(where, "tab-order", expected[b]["element"], f"reached after {expected[a]['element']}, against the DOM order")
            )
    return problems


# --- reflow ---------------------------------------------------------------------------

_OVERFLOW_JS = _js(
    r"""
const limit = document.documentElement.clientWidth;
if (document.documentElement.scrollWidth <= limit) return {width: document.documentElement.scrollWidth, culprits: []};
const wide = [...document.body.querySelectorAll('*')].filter(el => el.getBoundingClientRect().right > limit + 1);
const culprits = wide.filter(el => ![...el.children].some(c => wide.includes(c)));
return {width: document.documentElement.scrollWidth, culprits: culprits.slice(0, 5).map(el =>
  `${describe(el)} (right edge at ${Math.round(el.getBoundingClientRect().right)} px)`)};
"""
)


def overflow_problems(page: Any, where: str) -> list[Problem]:
    """The page does not scroll sideways (WCAG 1.4.10 reflow); name what sticks out."""
    found = page.evaluate(_OVERFLOW_JS, None)
    width = page.viewport_size["width"]
    return [
        Problem(where, "reflow", culprit, f"the page is {found['width']} px wide at a {width} px viewport: it scrolls sideways")
        for culprit in found["culprits"] or ["(no single element found)"]
    ] if found["culprits"] or found["width"] > width else []


# --- screenshots ----------------------------------------------------------------------

def page_type(rel: str) -> str:
    """A page's type, for screenshots: the page registry's name for it (home, study,
    condition, evidence, drug, glossary, about, 404, studies-order, dosing-sort ...)."""
    kind = registry.page_type(rel)
    return kind.name if kind else rel


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR header."""
    head = path.read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise ValueError(f"{path} is not a PNG")
    return struct.unpack(">II", head[16:24])


def png_distinct_bytes(path: Path, limit: int = 4_000_000) -> int:
    """How many different byte values the first pixels hold: a blank page has very few."""
    data, pos, idat = path.read_bytes(), 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    return len(set(zlib.decompressobj().decompress(idat, limit)))


def screenshot_problems(path: Path, width: int, where: str) -> list[Problem]:
    """A full-page screenshot is a real PNG, exactly as wide as the viewport (a wider one
    means the page scrolls sideways: WCAG 1.4.10 reflow) and not blank."""
    problems = []
    w, h = png_size(path)
    if w != width:
        problems.append(Problem(where, "reflow", path.name, f"the page is {w} px wide at a {width} px viewport: it scrolls sideways"))
    if h < 200 or png_distinct_bytes(path) < 16:
        problems.append(Problem(where, "blank-screenshot", path.name, f"the {w}x{h} screenshot looks empty"))
    return problems

"""The browser quality gates of issue 4, as plain functions over a page or a folder.

The page tests (test_browser_pages.py) and the negative tests (test_browser_checks_fail.py)
call the same functions, so a check that could never fail would show up there. Each
function returns a list of Problem; an empty list means the page passed.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import struct
import subprocess
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from evidence.pages import registry
# the checks of links and requests, and Problem, live in their own modules; the tests
# reach every check through this one
from pageproblem import Problem, _clip, _js, report  # noqa: F401
from pagewatch import LOCAL_HOST, Tab, link_problems, title_of  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--disable-background-networking", "--disable-component-update"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
HEIGHT = {375: 812, 1280: 800}  # viewport heights: a phone and a laptop


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

"""Each browser check can fail, with a message naming page, rule and element (issue 4).

Deliberately broken pages are written into a temporary copy of the built output and put
through the same functions (checks.py) the page tests use.
"""

from __future__ import annotations

import shutil
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import checks
import pytest
from sitebuild import BuiltSite

HEAD = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
<style>
  body {{ font: 16px/1.5 sans-serif; color: #111; background: #fff; margin: 1rem; }}
  a:focus-visible {{ outline: 3px solid #005ea5; }}
  .faint {{ color: #aaa; background: #fff; }}
  .no-ring:focus, .no-ring:focus-visible {{ outline: none !important; box-shadow: none !important; }}
  .wide {{ width: 2000px; }}
</style>
</head>
<body>
<main>
<h1>{title}</h1>
"""
FOOT = "</main>\n</body>\n</html>\n"

BROKEN_PAGES = {
    # an image without alt text, low contrast, a link to a missing page and a missing anchor
    "broken.html": """<p class="faint">This sentence is too faint to read.</p>
<p><img src="pixel.png" width="10" height="10"></p>
<p><a href="no-such-page/">A page that does not exist</a></p>
<p><a href="index.html#no-such-anchor">An anchor that does not exist</a></p>
""",
    # a link with its focus ring removed; a positive tabindex that jumps the tab order
    "broken-focus.html": """<p><a href="index.html">Home</a></p>
<p><a class="no-ring" href="about/">About, with no focus ring</a></p>
<p><a href="glossary/" tabindex="1">Glossary, first in tab order</a></p>
""",
    # a request to another host, a missing stylesheet, a script error in the console
    "broken-network.html": """<p><img src="https://example.org/tracker.png" alt="tracker"></p>
<link rel="stylesheet" href="assets/missing.css">
<script>console.error("deliberate console error");</script>
""",
    # content wider than a phone: the page scrolls sideways
    "broken-wide.html": """<p class="wide">This paragraph is 2000 pixels wide.</p>\n""",
}


def _png(width: int, height: int) -> bytes:
    """A small grey PNG, written without any imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def broken_site(site: BuiltSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A copy of the built output with the broken pages added, served on 127.0.0.1."""
    folder = tmp_path_factory.mktemp("broken") / "output"
    shutil.copytree(site.output, folder)
    for name, body in BROKEN_PAGES.items():
        (folder / name).write_text(HEAD.format(title=name) + body + FOOT, encoding="utf-8")
    (folder / "pixel.png").write_bytes(_png(10, 10))
    with checks.serve(folder) as url:
        yield folder, url


def _rules(problems: list[checks.Problem]) -> set[str]:
    return {p.rule for p in problems}


def test_axe_reports_missing_alt_and_low_contrast(broken_site: tuple[Path, str], tabs: Any) -> None:
    folder, url = broken_site
    page = tabs(1280).open(f"{url}/broken.html", "broken.html")
    problems = checks.axe_problems(page, "broken.html [1280px light]")
    assert _rules(problems) == {"image-alt", "color-contrast"}, checks.report(problems)
    text = checks.report(problems)
    alt = next(str(p) for p in problems if p.rule == "image-alt")
    assert "broken.html [1280px light]: image-alt:" in alt and '<img src="pixel.png"' in alt, text
    contrast = next(str(p) for p in problems if p.rule == "color-contrast")
    assert "broken.html" in contrast and ".faint" in contrast and "#aaaaaa" in contrast, text


def test_links_report_missing_page_and_anchor(broken_site: tuple[Path, str], tabs: Any) -> None:
    folder, url = broken_site
    tab = tabs(1280, bypass_csp=False)
    page = tab.open(f"{url}/broken.html", "broken.html")
    problems = checks.link_problems(page, "broken.html", folder, url) + tab.watch.problems()
    text = checks.report(problems)
    assert _rules(problems) == {"missing-page", "missing-anchor"}, text
    missing = next(str(p) for p in problems if p.rule == "missing-page")
    assert missing.startswith("broken.html: missing-page: no-such-page/ -> /no-such-page/ does not exist"), text
    assert '<a href="no-such-page/">A page that does not exist</a>' in missing, text
    anchor = next(str(p) for p in problems if p.rule == "missing-anchor")
    assert "index.html has no element with id='no-such-anchor'" in anchor and 'href="index.html#no-such-anchor"' in anchor, text


def test_html_checker_reports_missing_alt(broken_site: tuple[Path, str]) -> None:
    folder, _ = broken_site
    found = checks.run_vnu(folder, [folder / "broken.html"])
    problems = found.get("broken.html", [])
    assert set(found) == {"broken.html"}, checks.report([p for ps in found.values() for p in ps])
    assert len(problems) == 1 and problems[0].rule == "html-error", checks.report(problems)
    message = str(problems[0])
    assert message.startswith("broken.html: html-error: An “img” element must have an “alt” attribute"), message
    source = (folder / "broken.html").read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(source, 1) if '<img src="pixel.png"' in text)
    assert f"element: line {line}:" in message and '<img src="pixel.png" width="10" height="10">' in message, message


def test_keyboard_reports_invisible_focus_and_tab_order(broken_site: tuple[Path, str], tabs: Any) -> None:
    folder, url = broken_site
    page = tabs(1280).open(f"{url}/broken-focus.html", "broken-focus.html")
    problems = checks.keyboard_problems(page, "broken-focus.html")
    text = checks.report(problems)
    assert _rules(problems) == {"focus-not-visible", "positive-tabindex", "tab-order"}, text
    ring = next(str(p) for p in problems if p.rule == "focus-not-visible")
    assert ring.startswith("broken-focus.html: focus-not-visible: no focus indicator: focused outline 'none") and "no-ring" in ring, text
    assert 'tabindex="1"' in next(str(p) for p in problems if p.rule == "positive-tabindex"), text


def test_network_reports_other_host_missing_file_and_console_error(
    broken_site: tuple[Path, str], tabs: Any
) -> None:
    folder, url = broken_site
    tab = tabs(1280, bypass_csp=False)
    page = tab.open(f"{url}/broken-network.html", "broken-network.html")
    problems = checks.link_problems(page, "broken-network.html", folder, url) + tab.watch.problems()
    text = checks.report(problems)
    assert _rules(problems) == {"external-resource", "missing-file", "request-leaves-host", "http-404", "console-error"}, text
    leave = next(str(p) for p in problems if p.rule == "request-leaves-host")
    assert "https://example.org/tracker.png (blocked)" in leave and '<img src="https://example.org/tracker.png"' in leave, text
    assert 'href="assets/missing.css"' in next(str(p) for p in problems if p.rule == "http-404"), text
    assert "deliberate console error" in next(str(p) for p in problems if p.rule == "console-error"), text


def test_reflow_and_screenshot_checks_report_sideways_scrolling(broken_site: tuple[Path, str], tabs: Any, tmp_path: Path) -> None:
    folder, url = broken_site
    page = tabs(375).open(f"{url}/broken-wide.html", "broken-wide.html [375px]")
    overflow = checks.overflow_problems(page, "broken-wide.html [375px]")
    page.screenshot(path=str(tmp_path / "wide.png"), full_page=True)
    assert len(overflow) == 1 and overflow[0].rule == "reflow", checks.report(overflow)
    assert '<p class="wide">' in overflow[0].element and "right edge at 20" in overflow[0].element, checks.report(overflow)
    problems = checks.screenshot_problems(tmp_path / "wide.png", 375, "broken-wide.html [375px]")
    assert [p.rule for p in problems] == ["reflow"], checks.report(problems)
    assert str(problems[0]).startswith("broken-wide.html [375px]: reflow: the page is 20"), checks.report(problems)
    (tmp_path / "blank.png").write_bytes(_png(375, 600))
    assert [p.rule for p in checks.screenshot_problems(tmp_path / "blank.png", 375, "blank")] == ["blank-screenshot"]

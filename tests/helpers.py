"""Shared test helpers: copy the shipped content, run the build, read pages."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = "rituximab-childhood-sle-2005"


def copy_content(tmp: Path) -> Path:
    """A private copy of content/ to edit in a test."""
    dest = tmp / "content"
    shutil.copytree(ROOT / "content", dest)
    return dest


def run_build(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run build.py in a subprocess, as a maintainer would."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1764115200", "CI": "true"}
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd or ROOT,
                          capture_output=True, text=True, env=env, timeout=300)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, by relative path, for byte-for-byte comparison."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


class Rows(HTMLParser):
    """Each <tr>'s cells as text (quotes in <details> left out), by the row's id (else "_N")."""

    def __init__(self, html: str):
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self.attrs: dict[str, list[dict]] = {}
        self.order: list[str] = []
        self._row = self._cell = None
        self._skip = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr":
            self._row = a.get("id") or f"_{len(self.order)}"
            self.order.append(self._row)
            self.rows[self._row], self.attrs[self._row] = [], []
        elif tag in ("td", "th") and self._row:
            self._cell = []
            self.attrs[self._row].append(a)
        elif tag == "details":
            self._skip += 1
        elif tag in ("br", "p") and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag == "details":
            self._skip -= 1
        elif tag in ("td", "th") and self._cell is not None:
            self.rows[self._row].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data):
        if self._cell is not None and not self._skip:
            self._cell.append(data)

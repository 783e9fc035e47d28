"""Build the test site once per process: a temporary copy of content/ plus the corpus."""

from __future__ import annotations

import atexit
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import checks
import corpus

BUILD_FAILED = "(build failed)"


@dataclass
class BuiltSite:
    """The test build: where it is, what it holds, or why it failed."""

    workdir: Path
    content: Path
    output: Path
    pages: list[str] = field(default_factory=list)  # every .html file, relative to output
    study_ids: list[str] = field(default_factory=list)
    error: str | None = None


_site: BuiltSite | None = None


def built_site() -> BuiltSite:
    """Build once: `build.py --content <copy> --output <tmp>`; later calls reuse it."""
    global _site
    if _site is not None:
        return _site
    workdir = Path(tempfile.mkdtemp(prefix="browser-site-"))
    atexit.register(shutil.rmtree, workdir, True)
    content, output = workdir / "content", workdir / "output"
    shutil.copytree(checks.ROOT / "content", content)
    corpus.write_corpus(content)
    _site = BuiltSite(workdir, content, output)
    _site.study_ids = sorted(p.stem for p in (content / "studies").glob("*.yaml"))
    # The venv's python under scripts/test.sh (.venv/bin/python), whichever runs pytest otherwise.
    command = [sys.executable, str(checks.ROOT / "build.py"), "--content", str(content), "--output", str(output)]
    proc = subprocess.run(command, cwd=checks.ROOT, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        _site.error = (
            f"the test build failed (exit {proc.returncode}): {' '.join(command)}\n"
            f"--- stderr ---\n{proc.stderr}\n--- stdout ---\n{proc.stdout}"
        )
    else:
        _site.pages = sorted(p.relative_to(output).as_posix() for p in output.rglob("*.html"))
    return _site


# The dosing table's 13 sort pages hold /dosing/'s rows, byte for byte, in another order
# (tests/site/test_fragments.py checks); they differ in the column headers' sort state. axe runs
# on one sorted each way; the HTML checker and the link checks still see every one.
AXE_SORT_SAMPLE = ("dosing/sort/dose/index.html", "dosing/sort/n/index.html")


def axe_pages(pages: list[str]) -> list[str]:
    """The pages axe-core checks: every page but the unsampled sort pages."""
    return [p for p in pages if not p.startswith("dosing/sort/") or p in AXE_SORT_SAMPLE]


def page_types(pages: list[str]) -> dict[str, str]:
    """One page per page type: the screenshot set. Shipped pages come before the test
    corpus's, so a person sees a real study; otherwise the first in sorted order."""
    chosen: dict[str, str] = {}
    for rel in sorted(pages, key=lambda rel: (f"/{corpus.PREFIX}" in rel, rel)):
        chosen.setdefault(checks.page_type(rel), rel)
    return chosen

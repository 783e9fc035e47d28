"""Search (issue 8): running the Pagefind indexer over a built site.

The index is built by Pagefind's own indexer (the `pagefind[bin]` Python package ships
it) on the staging folder, before the swap into output/, so every build leaves a
complete site with its matching index. What it reads and leaves out is the pages'
concern (evidence/pages/search.py: GLOB and EXCLUDE, from the page registry).
"""
from __future__ import annotations

import sys
from pathlib import Path

from ..pages.search import EXCLUDE, GLOB

TIMEOUT = 300


class SearchError(Exception):
    """The indexer failed; the previous site is unchanged."""


def command(site_dir: Path) -> list[str]:
    """The indexer's command line (also timed by scripts/benchmark.py)."""
    cmd = [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--silent", "--glob", GLOB]
    for selector in EXCLUDE:
        cmd += ["--exclude-selectors", selector]
    return cmd


def index(site_dir: Path) -> None:
    """Run Pagefind over a built (staging) folder; it writes site_dir/pagefind/."""
    import subprocess                   # (only to index: not on every rebuild)
    cmd = command(site_dir)
    import shutil
    if shutil.which("setpriv"):         # the indexer dies with a killed build (util-linux)
        cmd = ["setpriv", "--pdeathsig", "KILL", *cmd]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise SearchError(f"the search indexer did not run ({e}); the previous site is unchanged; "
                          "build with --no-search to skip it") from None
    if done.returncode != 0 or not (site_dir / "pagefind" / "pagefind.js").is_file():
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise SearchError("the search indexer failed"
                          + (f" ({detail[-1]})" if detail else "")
                          + "; the previous site is unchanged; build with --no-search to skip it")

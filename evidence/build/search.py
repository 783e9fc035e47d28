"""Search (issue 8): the /search/ page and the Pagefind index.

The index is built by Pagefind's own indexer (the `pagefind[bin]` Python package ships
it) on the staging folder, before the swap into output/, so every build leaves a
complete site with its matching index. Only the main content of study, condition and
drug pages is indexed (base.html marks it with data-pagefind-body); the boilerplate
boxes repeated on every page are excluded below.
"""
from __future__ import annotations

import sys
from pathlib import Path

# Boxes repeated on every study, condition or drug page: nobody searches for them. And
# what repeats the page's own text in another form (#9: it made indexing slow):
# the verbatim source quotes behind each figure, the pictures (their text is in the key
# facts), the ready-made citation formats and the printed handout's lines.
EXCLUDE = (".advice", ".notice", ".toc", ".breadcrumbs", ".dates", "article.study .lede",
           "details.quote", "figure", "section.cite", ".print-only")
# The pages base.html marks with data-pagefind-body (study, condition, drug and evidence
# pages): Pagefind need not read the listing pages at all (60 MB at 5,000 studies).
GLOB = "{studies/*,conditions/*,conditions/*/evidence,drugs/*}/index.html"
FILTERS = ("condition", "drug", "design")
TIMEOUT = 300


class SearchError(Exception):
    """The indexer failed; the previous site is unchanged."""


def pages(site) -> list[tuple[str, str, dict]]:
    """The search page for render.page_plan."""
    return [("search/index.html", "search.html", {})]


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

"""The dosing filter menus of a site with many conditions and drugs fold into disclosures
(issue 9): in Chromium, axe-core finds nothing at phone and desktop widths, light and dark,
closed and open, and the keyboard reaches every summary and, once open, every link."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import checks

from evidence.build.pipeline import build

sys.path.insert(0, str(checks.ROOT / "scripts"))
from synthetic import make_corpus  # noqa: E402


def test_folded_filter_menus_are_accessible(tmp_path: Path, tabs: Any, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    content = make_corpus(tmp_path / "content", 40, 12, 12)
    build(content, tmp_path / "out", search=False, clean=True)
    problems: list[checks.Problem] = []
    with checks.serve(tmp_path / "out") as url:
        for page_path in ("dosing/index.html", "dosing/condition/synthetic-condition-3/index.html"):
            for width, scheme in ((375, "light"), (1280, "dark")):
                tab = tabs(width, scheme, purpose="filters")
                page = tab.open(f"{url}/{page_path}", page_path)
                where = f"{page_path} [{width}px {scheme}]"
                problems += checks.axe_problems(page, where)
                page.evaluate("document.querySelectorAll('details.filter-group').forEach(d => d.open = true)")
                problems += checks.axe_problems(page, where + " opened")
                problems += checks.keyboard_problems(page, where + " opened")
                problems += tab.watch.problems()
    assert not problems, checks.report(problems)

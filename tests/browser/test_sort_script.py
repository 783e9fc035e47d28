"""The dosing table's sort script (issue 5), in a real browser with the CSP enforced:
header buttons sort the rows of each drug in place; values not reported stay last."""
from __future__ import annotations

from typing import Any

ROWS = "table#dosing tbody:first-of-type tr:not(.group) td:nth-child({})"
N_COLUMN, DOSE_COLUMN = 10, 3


def _column(page: Any, index: int) -> list[str]:
    return page.eval_on_selector_all(ROWS.format(index), "cells => cells.map(c => c.textContent.trim())")


def test_sort_buttons_sort_in_place(browser: Any, site_url: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.goto(f"{site_url}/dosing/index.html")
        # without a click the order is the page's own (newest study first)
        assert page.get_attribute("th[data-sort=n]", "aria-sort") is None
        page.click("th[data-sort=n] button")

        def people() -> list[int]:
            """The Treated column as numbers; 'Not reported' (a co-treatment given to some,
            number not given: content model 1.2) only after every number."""
            cells = _column(page, N_COLUMN)
            known = [c for c in cells if c != "Not reported"]
            assert cells[:len(known)] == known, cells
            return [int(c.removeprefix("at least ")) for c in known]
        ns = people()
        assert len(ns) >= 2 and ns == sorted(ns, reverse=True)    # people: largest first
        assert page.get_attribute("th[data-sort=n]", "aria-sort") == "descending"
        page.click("th[data-sort=n] button")
        assert people() == sorted(ns)
        assert page.get_attribute("th[data-sort=n]", "aria-sort") == "ascending"
        page.click("th[data-sort=dose] button")
        assert page.get_attribute("th[data-sort=n]", "aria-sort") is None
        doses = [d.split("per")[0].strip() for d in _column(page, DOSE_COLUMN)]
        reported = [d for d in doses if d != "Not reported"]
        assert reported and doses[:len(reported)] == reported      # "Not reported" only at the end
        assert "750 mg/m²" in reported
        # the drug's group header stays on top of its rows
        assert page.eval_on_selector("table#dosing tbody:first-of-type tr", "r => r.className") == "group"
        assert not errors
    finally:
        context.close()

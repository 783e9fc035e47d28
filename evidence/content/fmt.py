"""Typesetting of figures for pages: units, ranges, statistics, "Not reported".

Pure functions from content values to display text; templates print their results.
"""
from __future__ import annotations

import re

NR = "not-reported"
NOT_REPORTED = "Not reported"
UNITS = {"mg/m2": "mg/m²", "g/m2": "g/m²", "mg/m2/day": "mg/m²/day"}
TIME_UNITS = {"days": "day", "weeks": "week", "months": "month", "years": "year"}


def is_nr(v) -> bool:
    return v == NR


def num(v) -> str:
    """1500 -> '1,500'; 1.0 -> '1.0'; 0.002 -> '0.002'."""
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        if v.is_integer() and abs(v) >= 1000:
            return f"{int(v):,}"
        text = repr(v)
        if "e" in text:
            text = f"{v:f}".rstrip("0")
        whole, _, frac = text.partition(".")
        whole_i = int(whole) if whole not in ("", "-") else 0
        return (f"{whole_i:,}" if abs(whole_i) >= 1000 else whole) + ("." + frac if frac else "")
    return str(v)


def unit(u: str) -> str:
    return UNITS.get(u, u)


def span(lo, hi, suffix: str = "") -> str:
    """An en-dash range: '7.7–16.1 years'."""
    return f"{num(lo)}–{num(hi)}{(' ' + suffix) if suffix else ''}"


def duration(d) -> str:
    """{value: 2, unit: weeks} -> '2 weeks'; {value: 1, unit: years} -> '1 year'."""
    if is_nr(d) or d is None:
        return NOT_REPORTED
    u = d["unit"]
    if d["value"] == 1:
        u = TIME_UNITS.get(u, u)
    return f"{num(d['value'])} {u}"


def dose(d) -> str:
    """'750 mg/m²', '350–450 mg/m²', 'high-dose', 'Not reported'."""
    if is_nr(d) or d is None:
        return NOT_REPORTED
    if "description" in d:
        return d["description"]
    if "min" in d:
        return f"{span(d['min'], d['max'])} {unit(d['unit'])}"
    return f"{num(d['value'])} {unit(d['unit'])}"


def count(c) -> str:
    if is_nr(c) or c is None:
        return NOT_REPORTED
    if isinstance(c, dict):
        return span(c["min"], c["max"])
    return num(c)


def course_total_figure(reg: dict) -> tuple[int | float, str] | None:
    """(1500, 'mg/m2'): one dose times one number of doses, the site's own arithmetic;
    None where no single total follows (a dose range, a daily dose, a count range)."""
    d, c = reg.get("dose"), reg.get("count")
    if isinstance(d, dict) and "value" in d and isinstance(c, int) and not isinstance(c, bool):
        if d["unit"].endswith("/day"):
            return None   # a daily dose times a count of doses is not a course total
        total = d["value"] * c
        if isinstance(total, float) and total.is_integer():
            total = int(total)
        return total, d["unit"]
    return None


def course_total(reg: dict) -> str | None:
    """'2 × 750 mg/m² = 1,500 mg/m² per course; cap per dose not reported' where a single
    dose and a single count are given. The total is calculated by this site (pages mark
    it so); it says when the cap per dose is not reported (or not given), since a cap
    would make the real total lower."""
    figure = course_total_figure(reg)
    if figure is None:
        return None
    total, u = figure
    text = f"{reg['count']} × {num(reg['dose']['value'])} {unit(u)} = {num(total)} {unit(u)} per course"
    cap = reg.get("max_dose")
    if cap is None or is_nr(cap):
        text += "; cap per dose not reported"
    return text


def treated(reg: dict, population_n) -> str:
    """How many had a regimen: its own `n` (7 -> '7'; {at_least: 3} -> 'at least 3';
    not-reported -> 'Not reported'); without one, a studied drug's is the treated
    population's n (everyone treated had it), a co-treatment's is not reported (it may
    have been given to some only: never the whole population)."""
    n = reg.get("n")
    if n is None:
        return num(population_n) if reg.get("role") == "studied" else NOT_REPORTED
    if is_nr(n):
        return NOT_REPORTED
    if isinstance(n, dict):
        return f"at least {num(n['at_least'])}"
    return num(n)


def stats(m, suffix: str = "") -> str:
    """'median 14.8 (range 7.7–16.1)'; 'median 12.2 (IQR 9.0–13.9)'; '4.5 (2.0–9.0)'."""
    if is_nr(m) or m is None:
        return NOT_REPORTED
    sfx = f" {suffix}" if suffix else ""
    parts = []
    if "median" in m:
        parts.append(f"median {num(m['median'])}{sfx}")
    if "mean" in m:
        parts.append(f"mean {num(m['mean'])}{sfx}" + (f" (SD {num(m['sd'])})" if "sd" in m else ""))
    elif "sd" in m:
        parts.append(f"SD {num(m['sd'])}")
    if "value" in m:
        parts.append(f"{num(m['value'])}{sfx}")
    text = ", ".join(parts)
    brackets = []
    if "q1" in m and "q3" in m:
        brackets.append(f"IQR {span(m['q1'], m['q3'])}")
    elif "q1" in m or "q3" in m:
        brackets.append(f"{'Q1' if 'q1' in m else 'Q3'} {num(m.get('q1', m.get('q3')))}")
    if "min" in m and "max" in m:
        brackets.append(f"range {span(m['min'], m['max'])}")
    elif "min" in m:
        brackets.append(f"minimum {num(m['min'])}")
    elif "max" in m:
        brackets.append(f"maximum {num(m['max'])}")
    if "interval" in m:
        brackets.append(span(m["interval"]["low"], m["interval"]["high"]) + ", as written")
    if not text:
        return (f"range {span(m['min'], m['max'])}{sfx}" if "min" in m and "max" in m
                else "; ".join(brackets)) if brackets else NOT_REPORTED
    return text + (f" ({'; '.join(brackets)})" if brackets else "")


def p_value(p) -> str | None:
    if p is None:
        return None
    if isinstance(p, dict):
        return f"P < {num(p['below'])}"
    return f"P = {num(p)}"


def count_figure(o: dict) -> str:
    """'7 of 7 people (100%)', '19 of 104 courses (18%)', '52.5%', 'Not reported'."""
    unit_word = "courses" if o.get("counted_in") == "courses" else "people"
    ev, of, pc = o.get("events"), o.get("of"), o.get("percent")
    if is_nr(ev) and is_nr(of) and pc is None:
        return NOT_REPORTED
    if is_nr(ev):
        base = "Number not reported"
        if not is_nr(of):
            base += f" (of {num(of)} {unit_word})"
    elif is_nr(of):
        base = f"{num(ev)} {unit_word if ev != 1 else unit_word.rstrip('s').replace('people', 'person')}"
        base += " (total not reported)"
    else:
        base = f"{num(ev)} of {num(of)} {unit_word}"
    if pc is not None:
        base = f"{base}; {num(pc)}%" if not is_nr(ev) or not is_nr(of) else f"{num(pc)}% of {unit_word}"
    return base


def text_or_nr(v) -> str:
    return NOT_REPORTED if is_nr(v) or v is None else str(v)


# Page ranges of a citation: shared by the exports (pages.cite, pages.jsonld) and `import`
def split_pages(pages) -> tuple[str, str | None] | None:
    """The first and last page as written: '3168-74' -> ('3168', '74'); 'e000987' -> ('e000987', None)."""
    if pages is None:
        return None
    text = str(pages).replace("–", "-")
    first, sep, last = text.partition("-")
    return (first.strip(), last.strip() or None) if sep else (text.strip(), None)


_PAGE = re.compile(r"^(?P<prefix>[A-Za-z]*)(?P<digits>[0-9]+)$")


def page_range(pages) -> tuple[str, str | None] | None:
    """The first and last page with the last one written in full, for the exports:
    '3168-74' -> ('3168', '3174'), 'e159-63' -> ('e159', 'e163') (the letter prefix is
    carried), '623-627' and 'e000987' unchanged. A range that does not expand to an end
    page at or above the start page ('99-3', 'xii-xv', 'S1-A2') is kept as written."""
    split = split_pages(pages)
    if split is None or split[1] is None:
        return split
    first, last = split
    a, b = _PAGE.match(first), _PAGE.match(last)
    if not a or not b or (b.group("prefix") and b.group("prefix") != a.group("prefix")):
        return split
    start, end = a.group("digits"), b.group("digits")
    if len(end) < len(start):
        end = start[:len(start) - len(end)] + end
    if int(end) < int(start):
        return split
    return first, a.group("prefix") + end


def pages_text(pages, dash: str = "-") -> str | None:
    """The export form of the pages: 'e159-63' -> 'e159-e163' (dash '--' for BibTeX)."""
    split = page_range(pages)
    if split is None:
        return None
    return split[0] + (dash + split[1] if split[1] else "")

"""Provenance: each block's numbers occur in its quote, and each quote occurs in
content/sources/<id>.txt (the content model's "Provenance: quote" rules).

Content model 1.2 adds the other direction: a number a block's own quote gives that
no numeric value of the block uses (at any depth, its subgroups and prior treatments
and the safety block's adverse events included), while a field of the block that
would hold a figure is `not-reported`, is a slip unless the block's `not_used` lists
the number with the reason; `not_used` naming a number the quote does not give is one
too. Each subgroup and prior treatment is a quoted block of its own.

A missing number or fragment, an unused number or a wrong `not_used` entry is a
warning (an error under --strict); a quote that starts or ends with "..." is an error.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .errors import ContentError
from .load import SourceDoc, format_path

_FOLD = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"',
                       "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "−": "-",
                       "²": "2", "\u00a0": " "})
_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
          "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
          "eighteen", "nineteen", "twenty"]
# digits with an optional decimal part (or .5), thousands separators allowed,
# not touching a letter or another digit: the 2 of "mg/m2" or "C3" is no number
_NUM = re.compile(r"(?<![A-Za-z0-9.])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(?![A-Za-z0-9])")
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_WORD = re.compile(r"\b(" + "|".join(_WORDS) + r")\b", re.IGNORECASE)
# the model requires 0-20 as words; compound words ("Sixty-three") are accepted too
_COMPOUND = re.compile(r"\b(" + "|".join(_TENS) + r")(?:[- ](one|two|three|four|five|six|seven|eight|nine))?\b",
                       re.IGNORECASE)


# fields whose value is words or a choice, never a figure: their being not-reported
# does not leave a number of the quote without a place
_WORDS_ONLY = frozenset({"route", "rate", "premedication", "blinding", "comparison", "serious",
                         "severity", "deaths_cause"})
# keys of a block that hold no value of it (not_used: numbers of the quote it does not use)
_NOT_VALUES = ("quote", "derived", "not_used")


def fold(text: str) -> str:
    """Fold typography and white space as the content model says."""
    text = text.translate(_FOLD).replace("±", "+/-").replace("…", "...")
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=4096)
def numbers_in(quote: str) -> frozenset[float]:
    """Every number a quote writes, as digits or as an English word from 0 to 20."""
    q = fold(quote)
    found = {float(m.group(1).replace(",", "")) for m in _NUM.finditer(q)}
    found |= {float(20 + 10 * _TENS.index(m.group(1).lower()) +
                    (_WORDS.index(m.group(2).lower()) if m.group(2) else 0))
              for m in _COMPOUND.finditer(q)}
    rest = _COMPOUND.sub(" ", q)        # "Forty-one" is 41, not also 1
    found |= {float(_WORDS.index(m.group(1).lower())) for m in _WORD.finditer(rest)}
    return frozenset(found)


def fragments(quote: str) -> list[str]:
    """A quote's fragments (joined by ' ... ')."""
    return [f.strip() for f in fold(quote).split(" ... ")]


def _numbers(block, base=(), skip=frozenset()) -> list[tuple[tuple, float]]:
    """Numeric values of a block at any depth, with their paths, not in quote/derived/not_used."""
    out = []
    if isinstance(block, dict):
        for k, v in block.items():
            if k in _NOT_VALUES or (base == () and k in skip):
                continue
            out += _numbers(v, base + (k,), skip)
    elif isinstance(block, list):
        for i, v in enumerate(block):
            out += _numbers(v, base + (i,), skip)
    elif isinstance(block, (int, float)) and not isinstance(block, bool):
        out.append((base, float(block)))
    return out


def blocks(study: dict) -> list[tuple[tuple, dict, frozenset]]:
    """The blocks that carry a quote: (path, block, keys that are checked separately).

    Adverse events are not listed: check_study checks each against its own quote, else
    the safety quote."""
    pop = study["population"]
    out = [(("design",), study["design"], frozenset()),
           (("population",), pop, frozenset({"subgroups", "prior_treatments"}))]
    for key in ("subgroups", "prior_treatments"):     # 1.2: each with its own quote
        for i, b in enumerate(pop.get(key, [])):
            out.append((("population", key, i), b, frozenset()))
    if isinstance(study["follow_up_time"], dict):
        out.append((("follow_up_time",), study["follow_up_time"], frozenset()))
    for i, g in enumerate(study.get("groups", [])):
        out.append((("groups", i), g, frozenset()))
    for i, r in enumerate(study["regimens"]):
        out.append((("regimens", i), r, frozenset()))
    for i, o in enumerate(study["outcomes"]):
        out.append((("outcomes", i), o, frozenset()))
    out.append((("safety",), study["safety"], frozenset({"adverse_events"})))
    return out


def _parse_derived(block: dict) -> set[tuple]:
    out = set()
    for p in block.get("derived", []):
        parts = tuple(int(x) if x.isdigit() else x for x in re.split(r"[.\[\]]+", p) if x)
        out.add(parts)
    return out


def _shown(value) -> str:
    """A number as a message shows it: 12, not 12.0."""
    return str(int(value) if value == int(value) else value)


def _listed(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _check_unused(warn, fpath, block, quote, own) -> None:
    """1.2: numbers of the quote that no value of the block uses, while a field that
    would hold a figure is not-reported; and not_used entries the quote does not give.
    The unused rule needs the block's own quote (an adverse event without one shares
    the safety quote, whose block counts the adverse events' values as used)."""
    have = numbers_in(quote) if quote else frozenset()
    excused = set()
    for i, item in enumerate(block.get("not_used", [])):
        number = float(item["number"])
        excused.add(number)
        if number not in have:
            warn(fpath + ("not_used", i, "number"),
                 f"not_used names {_shown(number)}, which is not in the quote",
                 "list only numbers the quote gives")
    if not own or not quote:
        return
    empty = [k for k, v in block.items() if v == "not-reported" and k not in _WORDS_ONLY]
    unused = sorted(have - {v for _, v in _numbers(block)} - excused)
    if empty and unused:
        several = len(unused) > 1
        warn(fpath + (empty[0],),
             f"the quote gives {_listed([_shown(v) for v in unused])}, but {_listed(empty)} "
             f"{'are' if len(empty) > 1 else 'is'} not-reported",
             f"use the figure{'s' if several else ''}, or list {'each' if several else 'it'} under "
             "not_used: with the reason it is not a value of this block")


class _Study:
    """One schema-valid study's provenance check, adding what it finds to a report."""

    def __init__(self, doc: SourceDoc, source: str | None, report):
        self.doc, self.report = doc, report
        self.id = doc.data["id"]
        self.source = fold(source) if source is not None else None

    def warn(self, fpath, message, hint=None, severity="warning") -> None:
        """A located warning (or, with severity "error", an error) at a field."""
        line, col = self.doc.locate(fpath)
        e = ContentError(self.doc.rel, line, col, format_path(fpath), message, hint, severity,
                         self.doc.source_line(line))
        (self.report.errors if severity == "error" else self.report.warnings).append(e)

    def quote(self, fpath, quote: str) -> None:
        """The quote's fragments occur in the source text, in order; no "..." at its ends."""
        self.report.quotes_checked += 1
        raw = quote.strip()
        if raw.startswith("...") or raw.endswith("...") or raw.startswith("…") or raw.endswith("…"):
            self.warn(fpath, "a quote never starts or ends with \"...\"",
                      "quote whole words from the source; use \" ... \" only between fragments", "error")
            return
        if self.source is None:
            return
        pos = 0
        for frag in fragments(quote):
            at = self.source.find(frag, pos)
            if at < 0:
                shown = frag if len(frag) <= 60 else frag[:57] + "..."
                self.warn(fpath, f"quote not found in content/sources/{self.id}.txt: \"{shown}\"",
                          "copy the words exactly from the source text" +
                          (" (fragments must be in the source's order)" if self.source.find(frag) >= 0 else ""))
                return
            pos = at + len(frag)

    def figures(self, fpath, block, skip, quote) -> None:
        """Each number of the block is in its quote or listed under derived (counted in
        the report); derived names only numbers of the block."""
        derived = _parse_derived(block)
        nums = _numbers(block, (), skip)
        have = numbers_in(quote) if quote else frozenset()
        for rel, value in nums:
            if rel in derived:
                self.report.figures_derived += 1
                continue
            self.report.figures_checked += 1
            if value in have:
                self.report.figures_found += 1
            else:
                self.warn(fpath + rel, f"{_shown(value)} does not appear in the quote"
                          if quote else f"{_shown(value)} has no quote",
                          "check the figure against the source, or list it under derived: if it "
                          "follows from the quote without being written in it")
        for p in derived:
            if not any(rel == p for rel, _ in nums):
                self.warn(fpath + ("derived",), f"derived names `{format_path(p)}`, which is not a number "
                                                "in this block", "list only paths of numbers")

    def block(self, fpath, block, skip, quote, own: bool) -> None:
        """Every check of one block; `quote` is its own (`own`) or the one it shares."""
        if own and quote:
            self.quote(fpath + ("quote",), quote)
        self.figures(fpath, block, skip, quote)
        _check_unused(self.warn, fpath, block, quote, own)


def check_study(doc: SourceDoc, source: str | None, report) -> None:
    """Add provenance warnings (and '...' errors) for one schema-valid study to report."""
    s = doc.data
    check = _Study(doc, source, report)
    if source is None:
        check.warn(("id",), f"no source text: content/sources/{s['id']}.txt is missing",
                   "store the abstract or its verified sentences there so quotes can be checked")
    for fpath, block, skip in blocks(s):
        check.block(fpath, block, skip, block.get("quote"), True)
    aes = s["safety"]["adverse_events"]
    if isinstance(aes, list):
        for i, ae in enumerate(aes):
            quote = ae.get("quote") or s["safety"].get("quote")
            check.block(("safety", "adverse_events", i), ae, frozenset(), quote, bool(ae.get("quote")))
    if s["conclusion"] != "not-reported":
        check.quote(("conclusion",), s["conclusion"])

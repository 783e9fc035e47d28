"""Pictures for families: geometry for simple SVG figures, computed from the data.

Python works out shapes and positions; templates/partials/pictures*.html draw the
SVG with autoescaping, so no content reaches the page unescaped. Each picture has a
title and a text equivalent, and every number in it is also in that text: a
picture is never the only place a number is. Filled versus outlined shapes and
labels (not colour) carry the meaning, so they read in black-and-white print (issue 6).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..content import fmt
from .family import regimen_text
from .family_results import count_words
from .plain import length, lower_name, n_text
from ..content.model import Study
from ..content.vocabulary import ROUTES

NR = fmt.NR
MAX_ICONS = 200       # beyond this an icon array is too small to read on a phone
MAX_DOSES = 24
WIDTH = 320           # viewBox width: one unit is about one CSS pixel on a phone


@dataclass(frozen=True)
class IconArray:
    """One person-shaped icon per child; filled icons are the children counted."""

    id: str
    title: str
    text: str
    width: int
    height: int
    icons: tuple[tuple[int, int, bool], ...]   # (x, y, counted)
    kind: str = "icons"


@dataclass(frozen=True)
class Row:
    """One row of a before/after chart."""

    label: str
    y: int
    value_x: float
    value_label: str
    low_x: float | None
    high_x: float | None
    low_label: str
    high_label: str
    shape: str                                   # "circle" (before) or "square" (after)


@dataclass(frozen=True)
class BeforeAfter:
    """Before and after figures on one axis, each with its spread."""

    id: str
    title: str
    text: str
    legend: str
    width: int
    height: int
    rows: tuple[Row, ...]
    ticks: tuple[tuple[float, str], ...]
    x0: float
    x1: float
    axis_y: int
    unit: str = ""
    kind: str = "chart"


@dataclass(frozen=True)
class Dose:
    """One dose on a timeline: where it is, and whether only some had it (a count range)."""

    x: float
    optional: bool


@dataclass(frozen=True)
class TimelineRow:
    """A studied drug's doses, with the bracket of the period they were given in."""

    label: str
    y: int
    doses: tuple[Dose, ...]
    bracket: tuple[float, float] | None
    bracket_label: str


@dataclass(frozen=True)
class Extra:
    """A co-treatment, listed under the timeline (its timing is not drawn)."""

    label: str
    y: int
    route: str


@dataclass(frozen=True)
class Timeline:
    """The studied drug's doses within their period, and the co-treatments listed."""

    id: str
    title: str
    text: str
    width: int
    height: int
    rows: tuple[TimelineRow, ...]
    extras_y: int
    extras: tuple[Extra, ...] = field(default_factory=tuple)
    kind: str = "timeline"


def icon_array(o: dict, ident: str) -> IconArray | None:
    """An icon array for a count of people; None for courses or figures not reported."""
    ev, of = o.get("events", NR), o.get("of", NR)
    if o.get("counted_in") == "courses" or not isinstance(ev, int) or not isinstance(of, int):
        return None
    if of < 1 or of > MAX_ICONS or ev > of:
        return None
    cols = min(of, 10 if of <= 100 else 20)
    cell_w, cell_h = 22, 28
    icons = tuple((2 + (i % cols) * cell_w, 2 + (i // cols) * cell_h, i < ev) for i in range(of))
    rows = math.ceil(of / cols)
    words = count_words(o)
    title = f"{words}: {o['plain_name']}"
    if ev == of or ev == 0:
        key = f"all {n_text(of)} figures are filled" if ev == of else "no figure is filled"
    else:
        key = f"{n_text(ev)} filled, {n_text(of - ev)} outlined"
    text = (f"{o['plain_name']}: {words[:1].lower() + words[1:]}. "
            f"Each figure is one child; filled means counted ({key}).")
    return IconArray(ident, title, text, cols * cell_w + 2, rows * cell_h + 2, icons)


def _central(m):
    for k, word in (("median", "median"), ("mean", "average"), ("value", "figure the study gives")):
        if isinstance(m, dict) and k in m:
            return k, word
    return None


def _spread(m: dict):
    if "min" in m and "max" in m:
        return m["min"], m["max"], "range"
    if "q1" in m and "q3" in m:
        return m["q1"], m["q3"], "middle half (interquartile range)"
    if "interval" in m:
        return m["interval"]["low"], m["interval"]["high"], "spread as the study writes it"
    return None


def nice_ticks(hi: float) -> list[float]:
    """Ticks from 0 to at least hi, 3 to 6 of them, at 1, 2, 2.5 or 5 times a power of ten."""
    if hi <= 0:
        return [0.0, 1.0]
    for k in range(-4, 8):
        for m in (1, 2, 2.5, 5):
            step = m * 10 ** k
            if hi / step <= 5:
                return [round(i * step, 6) for i in range(int(math.ceil(hi / step - 1e-9)) + 1)]
    return [0.0, hi]


def before_after(o: dict, ident: str) -> BeforeAfter | None:
    """A before/after chart where both figures have a central value (median, mean or value)."""
    b, a = o.get("baseline"), o.get("follow_up")
    cb, ca = _central(b), _central(a)
    if not cb or not ca:
        return None
    values = [b[cb[0]], a[ca[0]]] + [v for m in (b, a) if _spread(m) for v in _spread(m)[:2]]
    if min(values) < 0:
        return None                       # scores here are never negative; keep the axis honest
    ticks = nice_ticks(max(values))
    x0, x1 = 62.0, WIDTH - 18.0
    scale = (x1 - x0) / (ticks[-1] or 1)

    def x(v):
        return round(x0 + v * scale, 1)

    unit = o.get("unit", "")
    rows = []
    for label, m, c, y, shape in (("Before", b, cb, 34, "circle"), ("After", a, ca, 78, "square")):
        sp = _spread(m)
        lo_label, hi_label = (fmt.num(sp[0]), fmt.num(sp[1])) if sp else ("", "")
        if sp and x(sp[1]) - x(sp[0]) < 8 * (len(lo_label) + len(hi_label)) / 2 + 6:
            # ends too close for two labels: one "low–high" label under the low end
            lo_label, hi_label = f"{lo_label}–{hi_label}", ""
        rows.append(Row(label, y, x(m[c[0]]), fmt.num(m[c[0]]),
                        x(sp[0]) if sp else None, x(sp[1]) if sp else None, lo_label, hi_label, shape))
    kinds = {cb[1], ca[1]}
    spreads = {(_spread(m) or (0, 0, ""))[2] for m in (b, a)} - {""}
    legend = (f"Marks show the {' or '.join(sorted(kinds))}"
              + (f"; lines show the {' or '.join(sorted(spreads))}" if spreads else "") + ".")
    better = "Lower is better." if o["better"] == "lower" else "Higher is better."
    text = (f"{o['plain_name']}. Before: {fmt.stats(b, unit)}. After: {fmt.stats(a, unit)}. "
            + ("" if "is better" in o["plain_name"].lower() else better))
    title = f"{o['plain_name']}: before {n_text(b[cb[0]])}, after {n_text(a[ca[0]])}"
    tick_labels = tuple((x(t), n_text(t)) for t in ticks)
    return BeforeAfter(ident, title, text.strip(), legend, WIDTH, 132, tuple(rows), tick_labels,
                       x0, x1, 104, fmt.unit(unit))


def timeline(study: Study, ident: str) -> Timeline | None:
    """A dosing timeline for studied drugs with a known number of doses, or None."""
    rows, y = [], 18
    for r in study.regimens:
        c = r.data["count"]
        if r.role != "studied" or c == NR:
            continue
        lo, hi = (c, c) if isinstance(c, int) else (c["min"], c["max"])
        if hi > MAX_DOSES:
            continue
        one, many = ROUTES[r.data["route"]].one, ROUTES[r.data["route"]].many
        label = f"{r.drug.name}: {n_text(lo)}{'' if lo == hi else ' to ' + n_text(hi)} {one if hi == 1 else many}"
        step = min(44.0, (WIDTH - 40) / max(hi, 1))
        start = 20 + step / 2
        doses = tuple(Dose(round(start + i * step, 1), i >= lo) for i in range(hi))
        over = r.data["over"]
        bracket = (round(start - step / 2 + 2, 1), round(start + (hi - 1) * step + step / 2 - 2, 1)) \
            if isinstance(over, dict) else None
        blabel = f"all within {length(over)}" if isinstance(over, dict) else ""
        rows.append(TimelineRow(label, y, doses, bracket, blabel))
        y += 82 if bracket else 58
    if not rows:
        return None
    extras = []
    ey = y + 4
    for r in study.regimens:
        if r.role == "co-treatment":
            how = ROUTES[r.data["route"]].given
            extras.append(Extra(f"{r.drug.name}{', ' + how if how else ''}", ey + 22 + 22 * len(extras),
                                r.data["route"]))
    height = (ey + 22 + 22 * len(extras) + 4) if extras else y
    names = " and ".join(lower_name(r.drug.name) for r in study.regimens if r.role == "studied")
    title = f"How {names} was given" + (", with the other medicines" if extras else "")
    text = regimen_text(study) + (" The picture shows the number of doses, not the days between them."
                                  if any(r.bracket for r in rows) else "")
    return Timeline(ident, title, text, WIDTH, height, tuple(rows), ey, tuple(extras))


def for_study(study: Study) -> dict:
    """The pictures of a study page: {'timeline': Timeline | None, 'results': [...]}."""
    results = []
    for i, o in enumerate(study.outcomes, 1):
        pic = (icon_array(o.data, f"pic-{i}") if o.is_count else before_after(o.data, f"pic-{i}"))
        if pic:
            results.append(pic)
    return {"timeline": timeline(study, "pic-dosing"), "results": results}

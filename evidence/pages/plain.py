"""Plain words for families: figures, plurals, names, lengths and units as the key facts,
the pictures and the evidence pages say them (family.py, family_results.py)."""
from __future__ import annotations

import math
from dataclasses import dataclass

from ..content import fmt

NR = fmt.NR
# How a dose or an outcome's unit reads in plain words.
PLAIN_UNITS = {
    "mg": "mg", "g": "g", "mg/day": "mg a day",
    "mg/kg": "mg for each kg of body weight", "g/kg": "g for each kg of body weight",
    "mg/m2": "mg for each square metre of body surface", "g/m2": "g for each square metre of body surface",
    "mg/kg/day": "mg for each kg of body weight each day",
    "mg/m2/day": "mg for each square metre of body surface each day",
    "mL/kg": "mL for each kg of body weight"}
CENTRAL = (("median", "median", "medians"), ("mean", "average", "averages"),
           ("value", "", "as the study gives them"))


@dataclass(frozen=True)
class Fact:
    """One line of the key facts box: a short label and a plain sentence."""

    label: str
    text: str
    calc: str | None = None     # what in the text this site worked out (shown with the mark)


def n_text(v) -> str:
    """A figure for families: 1.0 -> '1', 14.8 -> '14.8', 1500 -> '1,500'."""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return fmt.num(v)


def plural(n, one: str, many: str) -> str:
    return f"{n_text(n)} {one if n == 1 else many}"


def children(n) -> str:
    return plural(n, "child", "children")


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def lower_name(name: str) -> str:
    """'Corticosteroids' -> 'corticosteroids'; 'IVIG' stays."""
    return name[:1].lower() + name[1:] if name[1:2].islower() else name


def length(d: dict) -> str:
    """{value: 1.0, unit: years} -> '1 year'; {value: 2, unit: weeks} -> '2 weeks'."""
    return plural(d["value"], fmt.TIME_UNITS.get(d["unit"], d["unit"]), d["unit"])


def age(v) -> str:
    """Ages are said in whole years, as people say them: 7.7 -> '7'."""
    return str(math.floor(v))

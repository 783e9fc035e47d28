"""Dosing rows: one row per regimen of every study, with its display text (typeset by
fmt), its one-line wording (regimen_line, also on the evidence pages) and a sort key per
column of the dosing table (dosing.py), made once per build.

Rows hold display text and sort keys; the CSV download (opendata.py) reads the raw YAML
values instead, so it matches the content field for field.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from jinja2 import pass_context
from markupsafe import Markup

from ..content import fmt
from . import fragments
from .cite import short_ref
from ..content.model import Regimen, Site, Study
from ..content.vocabulary import ROUTES

BASIS = {"mg/m2": "by body-surface area", "g/m2": "by body-surface area",
         "mg/m2/day": "by body-surface area", "mg/kg": "by body weight", "g/kg": "by body weight",
         "mL/kg": "by body weight", "mg/kg/day": "by body weight", "mg": "flat", "g": "flat",
         "mg/day": "flat"}
_DAYS = {"days": 1, "weeks": 7, "months": 30.4375, "years": 365.25}
MISSING = None   # a sort key for "Not reported" / not given: always sorted last


def basis(unit: str) -> str:
    """'mg/m2' -> 'per dose, by body-surface area'; '/day' units say per day."""
    per = "per day" if unit.endswith("/day") else "per dose"
    return f"{per}, {BASIS[unit]}" if unit in BASIS else per


def count_text(c) -> str:
    """2 -> '× 2'; {min: 2, max: 12} -> '× 2–12'."""
    return fmt.NOT_REPORTED if fmt.is_nr(c) else "× " + fmt.count(c)


def age_text(pop: dict) -> str:
    """The age figures as the study page gives them, plus 'at diagnosis' where so."""
    text = fmt.stats(pop["age_years"], "years")
    if text != fmt.NOT_REPORTED and pop.get("age_at") == "diagnosis":
        text += ", at diagnosis"
    return text


def regimen_line(reg: Regimen) -> str:
    """'750 mg/m² IV × 2 over 2 weeks'; missing parts are named as not reported."""
    d = reg.data
    known, missing = [], []
    for name, value, show in (("dose", d["dose"], fmt.dose), ("route", d["route"], lambda r: ROUTES[r].label),
                              ("number of doses", d["count"], count_text),
                              ("period", d["over"], lambda v: "over " + fmt.duration(v))):
        if fmt.is_nr(value):
            missing.append(name)
        else:
            known.append(show(value))
    text = " ".join(known)
    if missing:
        words = ", ".join(missing[:-1]) + (" and " if len(missing) > 1 else "") + missing[-1]
        text += ("; " if text else "") + words + " not reported"
    return text


def _num_key(v):
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else MISSING


def _dose_key(d):
    if fmt.is_nr(d) or "description" in d:
        return MISSING
    return (d["unit"], d.get("value", d.get("min")))


def _days(d):
    return MISSING if fmt.is_nr(d) else d["value"] * _DAYS[d["unit"]]


def _age_key(pop):
    a = pop["age_years"]
    if fmt.is_nr(a):
        return MISSING
    return next((a[k] for k in ("min", "q1", "median", "mean", "value") if k in a), MISSING)


def _total_key(d):
    figure = fmt.course_total_figure(d)
    return MISSING if figure is None else (figure[1], figure[0])


def _treated_key(d, population_n):
    """The number fmt.treated shows ('at least 3' sorts as 3); not reported: last."""
    n = d.get("n")
    if n is None:
        return population_n if d["role"] == "studied" else MISSING
    if isinstance(n, dict):
        return n["at_least"]
    return _num_key(n)


@dataclass(frozen=True)
class Row:
    """One regimen of one study, ready to print, with a sort key per column."""

    study: Study
    regimen: Regimen
    index: int                  # the regimen's position in the study (regimens[index])

    @cached_property
    def keys(self) -> dict:
        """A sort key per column (units first, so mg/m² sort together), worked out when a
        view is sorted or the row's fragment is made: a rebuild takes most rows' text
        from the cache and never needs them."""
        study, d, pop = self.study, self.regimen.data, self.study.data["population"]
        return {"study": (study.year if isinstance(study.year, int) else 10_000, short_ref(study)),
                "role": 0 if d["role"] == "studied" else 1,
                "dose": _dose_key(d["dose"]),
                "route": MISSING if fmt.is_nr(d["route"]) else ROUTES[d["route"]].label.lower(),
                "count": _num_key(d["count"]["min"] if isinstance(d["count"], dict) else d["count"]),
                "over": _days(d["over"]),
                "max_dose": _dose_key(d["max_dose"]) if isinstance(d.get("max_dose"), dict) else MISSING,
                "total": _total_key(d),
                "when": d.get("when", "").lower() or MISSING,
                "n": _treated_key(d, pop["n"]), "age": _age_key(pop), "design": study.design_label.lower(),
                "certainty": study.certainty_rank}

    @property
    def drug(self):
        return self.regimen.drug

    @property
    def ref(self) -> str:
        return short_ref(self.study)

    @property
    def pmid(self) -> str | None:
        p = self.study.data["citation"]["pmid"]
        return None if fmt.is_nr(p) else str(p)

    @property
    def dose_basis(self) -> str | None:
        d = self.regimen.data["dose"]
        return basis(d["unit"]) if isinstance(d, dict) and "unit" in d else None

    @property
    def route(self) -> str:
        label = ROUTES[self.regimen.data["route"]].label
        return label[:1].upper() + label[1:]

    @property
    def route_title(self) -> str | None:
        r = self.regimen.data["route"]
        return r if ROUTES[r].label not in (r, fmt.NOT_REPORTED) else None

    @property
    def count(self) -> str:
        return count_text(self.regimen.data["count"])

    @property
    def max_dose(self) -> str | None:
        return self.regimen.field("max_dose")

    @property
    def total(self) -> str | None:
        """The course total (calculated by this site: the row marks it), or None."""
        return fmt.course_total(self.regimen.data)

    @property
    def treated(self) -> str:
        """How many had this regimen (a co-treatment's is never the whole population)."""
        return fmt.treated(self.regimen.data, self.study.data["population"]["n"])

    @property
    def when(self) -> str:
        return self.regimen.data.get("when", "")

    @property
    def age(self) -> str:
        return age_text(self.study.data["population"])

    def sort_value(self, key: str) -> str | None:
        """The sort key as text for the enhancing script: parts joined by '|'; None if missing."""
        v = self.keys.get(key)
        if v is MISSING:
            return None
        parts = v if isinstance(v, tuple) else (v,)
        return "|".join(fmt.num(p).replace(",", "") if isinstance(p, (int, float)) else str(p)
                        for p in parts)


def make_row(study: Study, i: int) -> Row:
    """The row of study.regimens[i]."""
    return Row(study, study.regimens[i], i)


def study_rows(study: Study) -> list[Row]:
    """A study's rows, made once per build: a study appears in the dosing views of each of
    its conditions and drugs (a one-study rebuild at 5,000 studies made 2,000 rows for 4
    views instead of 500)."""
    rows = study.__dict__.get("_dosing_rows")
    if rows is None:
        rows = study.__dict__["_dosing_rows"] = [make_row(study, i) for i in range(len(study.regimens))]
    return rows


def all_rows(site: Site) -> list[Row]:
    """Every regimen of every study, in the site's study order (newest first); made once
    per site (every dosing view and drug page filters this one list; #9)."""
    rows = site.__dict__.get("_dosing_rows")
    if rows is None:
        rows = [r for s in site.studies for r in study_rows(s)]
        site.__dict__["_dosing_rows"] = rows
    return rows


@pass_context
def rows_html(ctx, rows, table_id: str) -> Markup:
    """The <tr> of each row, each rendered once per build (fragments.py) and placed here."""
    return fragments.joined(ctx, "partials/dosing_row.html", "dosing-row", rows, "r",
                            lambda r: f"{table_id}:{r.index}", lambda r: r.study, table_id=table_id)

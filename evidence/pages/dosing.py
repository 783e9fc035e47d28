"""Dosing evidence: one row per regimen of every study, grouped by drug, with the
filter and sort pages of the dosing table (all pre-rendered: no JavaScript needed).

Rows hold display text (typeset by fmt) and sort keys; the CSV download (opendata.py)
reads the raw YAML values instead, so it matches the content field for field.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
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
# A whole-site view (every regimen, a sort order, a route) with more rows than this is
# shown as one line per drug linking to that drug's view: 1,000 rows is a page of about
# 1 MB, and a 10,000-row table (5,000 studies) would be 11 MB, 14 times over (#9).
MAX_ROWS = 1000
MISSING = None   # a sort key for "Not reported" / not given: always sorted last


@dataclass(frozen=True)
class Column:
    """A column of the dosing table: key (also the sort page's URL part) and header."""

    key: str
    label: str
    descending: bool = False    # the pre-rendered order: largest first (people, certainty)
    sortable: bool = True


COLUMNS = (Column("study", "Study"), Column("role", "Role"), Column("dose", "Dose"),
           Column("route", "Route"), Column("count", "Doses"), Column("over", "Over"),
           Column("max_dose", "Cap per dose"), Column("total", "Total per course"),
           Column("when", "Given when"), Column("n", "Treated", descending=True),
           Column("age", "Age"), Column("design", "Design"),
           Column("certainty", "Certainty", descending=True),
           Column("source", "Source", sortable=False))
SORTABLE = tuple(c for c in COLUMNS if c.sortable)


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


def sort_rows(rows: list[Row], key: str, descending: bool = False) -> list[Row]:
    """Rows by one column; missing values last whichever the direction."""
    have = [r for r in rows if r.keys[key] is not MISSING]
    missing = [r for r in rows if r.keys[key] is MISSING]
    have.sort(key=lambda r: (r.keys[key], r.keys["study"]), reverse=descending)
    return have + missing


@dataclass(frozen=True)
class Group:
    drug: object
    rows: tuple[Row, ...]

    @property
    def regimen_count(self) -> int:
        return len(self.rows)

    @cached_property
    def studies(self) -> int:
        return len({r.study.id for r in self.rows})


@dataclass(frozen=True)
class DrugCount:
    """A line of a summary table (Table.counts): a drug and its numbers in the view."""

    drug: object
    regimen_count: int
    studies: int


@dataclass(frozen=True)
class Table:
    """The dosing table for one view: its groups, what it shows and how it is sorted."""

    id: str                     # the caption's id (unique on its page)
    caption: str
    groups: tuple               # of Group, or of DrugCount when counts is set
    sort: str | None = None     # the column the rows are sorted by, within each drug
    sort_links: bool = False    # headers link to the pre-rendered sort pages
    # too many rows for one page (MAX_ROWS): (regimens, studies), and one line per drug
    counts: tuple[int, int] | None = None

    @property
    def summary(self) -> bool:
        return self.counts is not None

    @cached_property
    def rows(self) -> list[Row]:
        return [] if self.counts else [r for g in self.groups for r in g.rows]

    @cached_property
    def regimen_count(self) -> int:
        return self.counts[0] if self.counts else len(self.rows)

    @cached_property
    def study_count(self) -> int:
        return self.counts[1] if self.counts else len({r.study.id for r in self.rows})

    @property
    def columns(self):
        return COLUMNS

    def aria_sort(self, col: Column) -> str | None:
        if col.key != self.sort:
            return None
        return "descending" if col.descending else "ascending"


def table(site, *, condition: str | None = None, drug: str | None = None,
          route: str | None = None, sort: str | None = None, table_id: str = "dosing",
          caption: str | None = None, sort_links: bool = False) -> Table:
    """The dosing table, filtered and sorted, grouped by drug (drugs in name order).
    `site` may also be a list of studies (a drug page's own): the table then reads only
    those, so the page is rebuilt only when one of them changes."""
    if isinstance(site, Site):
        made = _summaries(site).get(route) if condition is None and drug is None else None
        if made is not None and made.regimen_count > MAX_ROWS:
            # one line per drug: only the counts are shown, so no rows to make or sort, and
            # the lines are the same for every sort order
            return replace(made, id=table_id, caption=caption or made.caption, sort=sort,
                           sort_links=sort_links)
        rows, site_drugs = all_rows(site), site.drugs
    else:
        rows = [r for s in site for r in study_rows(s)]
        site_drugs = sorted({r.drug.id: r.drug for r in rows}.values(), key=lambda x: (x.name.lower(), x.id))
    if condition:
        rows = [r for r in rows if any(c.id == condition for c in r.study.conditions)]
    if drug:
        rows = [r for r in rows if r.drug.id == drug]
    if route:
        rows = [r for r in rows if r.regimen.data["route"] == route]
    if sort:
        col = next(c for c in SORTABLE if c.key == sort)
        rows = sort_rows(rows, sort, col.descending)
    # only whole-site views are summarised (above); a condition's or drug's view is whole
    return _table(rows, site_drugs, table_id, caption, sort, sort_links)


def _summaries(site: Site) -> dict[str | None, Table]:
    """The summary table of every whole-site view (all routes: None; each route), counted
    in one pass over the regimens and made once per site, not view by view: a one-study
    rebuild draws three such pages."""
    made = site.__dict__.get("_dosing_summaries")
    if made is not None:
        return made
    counts: dict = {}           # route -> drug id -> [regimens, {study ids}]
    studied: dict = {}          # route -> the drug ids studied (not co-treatments) in it
    for s in site.studies:
        for reg in s.regimens:
            d, drug_id = reg.data, reg.drug.id
            for route in (None, d["route"]):
                c = counts.setdefault(route, {}).get(drug_id)
                if c is None:
                    c = counts[route][drug_id] = [0, set()]
                c[0] += 1
                c[1].add(s.id)
                if d["role"] == "studied":
                    studied.setdefault(route, set()).add(drug_id)
    made = {}
    for route, by_drug in counts.items():
        # as _table orders them: studied drugs first, then co-treatments, by name within each
        drugs = sorted(site.drugs, key=lambda x: x.id not in studied.get(route, ()))
        lines = tuple(DrugCount(x, by_drug[x.id][0], len(by_drug[x.id][1])) for x in drugs if x.id in by_drug)
        n = sum(c[0] for c in by_drug.values())
        made[route] = Table("dosing", _caption(n), lines,
                            counts=(n, len(set().union(*(c[1] for c in by_drug.values())))))
    site.__dict__["_dosing_summaries"] = made
    return made


def _caption(n: int) -> str:
    return f"Regimens in the studies ({fmt.num(n)} regimen{'s' if n != 1 else ''})"


def _table(rows, site_drugs, table_id, caption, sort, sort_links) -> Table:
    """Group rows by drug: studied drugs first, then co-treatments, by name within each."""
    by_drug: dict[str, list[Row]] = {}
    studied = set()
    for r in rows:
        by_drug.setdefault(r.drug.id, []).append(r)
        if r.regimen.role == "studied":
            studied.add(r.drug.id)
    drugs = sorted(site_drugs, key=lambda d: d.id not in studied)
    groups = tuple(Group(d, tuple(by_drug[d.id])) for d in drugs if d.id in by_drug)
    return Table(table_id, caption or _caption(len(rows)), groups, sort, sort_links)


def routes(site: Site) -> list[str]:
    """The routes used in any regimen, known routes first, 'not-reported' last (worked out
    once per site: the page plan and every dosing page ask)."""
    if "_routes" not in site.__dict__:
        used = {r.data["route"] for s in site.studies for r in s.regimens}
        site.__dict__["_routes"] = [r for r in ROUTES if r in used]
    return site.__dict__["_routes"]


def filters(site: Site) -> list[tuple[str, list[tuple[str, str]]]]:
    """The filter menus: (heading, [(url, label)]), each with 'All' first."""
    out = [("Condition", [(f"dosing/condition/{c.id}/", c.name) for c in site.conditions
                          if site.studies_for("condition", c.id)]),
           ("Drug", [(f"dosing/drug/{d.id}/", d.name) for d in site.drugs
                     if site.studies_for("drug", d.id)]),
           ("Route", [(f"dosing/route/{r}/", ROUTES[r].word.capitalize()) for r in routes(site)])]
    return [(h, [("dosing/", "All")] + items) for h, items in out]


def pages(site: Site) -> list[tuple[str, str, dict]]:
    """The dosing page, its sort pages and its filter pages: (path, template, context).
    The context names the view (plain values) and its source (the site, or a condition's
    or drug's own studies); the template makes its table with dosing_table(source, **view),
    so the page plan stays cheap to make and to fingerprint, and a filter page is rebuilt
    only when one of its own studies changes."""
    base = {"filters": filters(site)}
    plan = [("dosing/index.html", "dosing.html",
             {**base, "here": "dosing/", "shown": "every regimen", "view": {"sort_links": True},
              "source": site})]
    for col in SORTABLE:
        plan.append((f"dosing/sort/{col.key}/index.html", "dosing.html",
                     {**base, "here": "dosing/", "shown": f"every regimen, sorted by {col.label.lower()}",
                      "view": {"sort": col.key, "sort_links": True}, "source": site}))
    # a condition's or drug's view reads only its own studies: adding a study rebuilds
    # the views it appears in, not all of them
    for c in site.conditions:
        if site.studies_for("condition", c.id):
            plan.append((f"dosing/condition/{c.id}/index.html", "dosing.html",
                         {**base, "here": f"dosing/condition/{c.id}/", "shown": f"studies of {c.name}",
                          "view": {"condition": c.id}, "source": site.studies_for("condition", c.id)}))
    for d in site.drugs:
        if site.studies_for("drug", d.id):
            plan.append((f"dosing/drug/{d.id}/index.html", "dosing.html",
                         {**base, "here": f"dosing/drug/{d.id}/", "shown": f"{d.name} regimens",
                          "view": {"drug": d.id}, "source": site.studies_for("drug", d.id)}))
    for r in routes(site):
        plan.append((f"dosing/route/{r}/index.html", "dosing.html",
                     {**base, "here": f"dosing/route/{r}/", "shown": f"regimens by {ROUTES[r].word}"
                      if r != "not-reported" else "regimens whose route was not reported",
                      "view": {"route": r}, "source": site}))
    return plan

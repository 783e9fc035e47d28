"""Dosing evidence: the dosing table of every regimen, grouped by drug, with its columns,
its sort orders and the plan of its pages: the table, its sort pages and its filter
pages by condition, drug and route (all pre-rendered: no JavaScript needed). The rows
themselves are dosing_rows.py's.
"""
from __future__ import annotations


from dataclasses import dataclass, replace
from functools import cached_property

from ..content import fmt
from .dosing_rows import MISSING, Row, all_rows, study_rows
from .registry import TYPES
from ..content.model import Site
from ..content.vocabulary import ROUTES

# A whole-site view (every regimen, a sort order, a route) with more rows than this is
# shown as one line per drug linking to that drug's view: 1,000 rows is a page of about
# 1 MB, and a 10,000-row table (5,000 studies) would be 11 MB, 14 times over (#9).
MAX_ROWS = 1000


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


def sort_rows(rows: list[Row], key: str, descending: bool = False) -> list[Row]:
    """Rows by one column; missing values last whichever the direction."""
    have = [r for r in rows if r.keys[key] is not MISSING]
    missing = [r for r in rows if r.keys[key] is MISSING]
    have.sort(key=lambda r: (r.keys[key], r.keys["study"]), reverse=descending)
    return have + missing


class _Counted:
    """How many regimens and studies a table or a drug's part of it holds: its rows', or
    the counts it was given as a summary (Table.counts: too many rows to make)."""

    @cached_property
    def regimen_count(self) -> int:
        return self.counts[0] if self.counts else len(self.rows)

    @cached_property
    def study_count(self) -> int:
        return self.counts[1] if self.counts else len({r.study.id for r in self.rows})


@dataclass(frozen=True)
class Group(_Counted):
    """A drug in a view of the table: its rows, or in a summary table only its counts,
    (regimens, studies)."""

    drug: object
    rows: tuple[Row, ...] = ()
    counts: tuple[int, int] | None = None

    @property
    def studies(self) -> int:
        """study_count, as the templates name it."""
        return self.study_count


@dataclass(frozen=True)
class Table(_Counted):
    """The dosing table for one view: its groups, what it shows and how it is sorted."""

    id: str                     # the caption's id (unique on its page)
    caption: str
    groups: tuple[Group, ...]   # rows, or only counts when the table's counts is set
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
            by_drug = counts.get(d["route"])
            if by_drug is None:
                by_drug = counts[d["route"]] = {}
            c = by_drug.get(drug_id)
            if c is None:
                c = by_drug[drug_id] = [0, set()]
            c[0] += 1
            c[1].add(s.id)
            if d["role"] == "studied":
                studied.setdefault(d["route"], set()).add(drug_id)
    every: dict = {}            # all routes together: the sums of the routes' counts
    for by_drug in list(counts.values()):
        for drug_id, (n, ids) in by_drug.items():
            c = every.setdefault(drug_id, [0, set()])
            c[0] += n
            c[1] |= ids
    if counts:
        counts[None] = every
        studied[None] = set().union(*studied.values())
    made = {}
    for route, by_drug in counts.items():
        # as _table orders them: studied drugs first, then co-treatments, by name within each
        drugs = sorted(site.drugs, key=lambda x: x.id not in studied.get(route, ()))
        lines = tuple(Group(x, counts=(by_drug[x.id][0], len(by_drug[x.id][1]))) for x in drugs if x.id in by_drug)
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
    by_condition, by_drug, by_route = TYPES["dosing-condition"], TYPES["dosing-drug"], TYPES["dosing-route"]
    out = [("Condition", [(by_condition.link(id=c.id), c.name) for c in site.conditions
                          if site.studies_for("condition", c.id)]),
           ("Drug", [(by_drug.link(id=d.id), d.name) for d in site.drugs
                     if site.studies_for("drug", d.id)]),
           ("Route", [(by_route.link(id=r), ROUTES[r].word.capitalize()) for r in routes(site)])]
    return [(h, [(TYPES["dosing"].link(), "All")] + items) for h, items in out]


def pages(site: Site) -> list[tuple[str, str, dict]]:
    """The dosing page, its sort pages and its filter pages: (path, template, context).
    The context names the view (plain values) and its source (the site, or a condition's
    or drug's own studies); the template makes its table with dosing_table(source, **view),
    so the page plan stays cheap to make and to fingerprint, and a filter page is rebuilt
    only when one of its own studies changes."""
    base = {"filters": filters(site)}

    def page(kind: str, shown: str, view: dict, source, here: str = "", **parts):
        t = TYPES[kind]
        return (t.path(**parts), t.template,
                {**base, "here": here or t.link(**parts), "shown": shown, "view": view, "source": source})

    main = TYPES["dosing"].link()
    plan = [page("dosing", "every regimen", {"sort_links": True}, site)]
    plan += [page("dosing-sort", f"every regimen, sorted by {col.label.lower()}",
                  {"sort": col.key, "sort_links": True}, site, main, column=col.key) for col in SORTABLE]
    # a condition's or drug's view reads only its own studies: adding a study rebuilds
    # the views it appears in, not all of them
    plan += [page("dosing-condition", f"studies of {c.name}", {"condition": c.id},
                  site.studies_for("condition", c.id), id=c.id)
             for c in site.conditions if site.studies_for("condition", c.id)]
    plan += [page("dosing-drug", f"{d.name} regimens", {"drug": d.id}, site.studies_for("drug", d.id), id=d.id)
             for d in site.drugs if site.studies_for("drug", d.id)]
    plan += [page("dosing-route", f"regimens by {ROUTES[r].word}" if r != "not-reported"
                  else "regimens whose route was not reported", {"route": r}, site, id=r)
             for r in routes(site)]
    return plan

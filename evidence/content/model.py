"""Model: validated content as typed, linked objects (no I/O).

Pages print what is prepared here; the raw YAML data stays available as `.data`
for the open-data downloads.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from . import fmt
from .load import SourceDoc
from .vocabulary import CERTAINTY, DESIGNS

# The address of each entry's page, the one rule for it (pages/registry.py builds every
# other page type's address around these)
ENTRY_URLS = {"study": "studies/{id}/", "condition": "conditions/{id}/", "drug": "drugs/{id}/"}
# The studies index's other orders are studies/<order>/ (pages/browse.py), so no study
# may take one of these ids (rules.py refuses it)
STUDY_ORDERS = ("oldest-first", "largest-first", "by-certainty")
RESERVED_STUDY_IDS = frozenset(STUDY_ORDERS)


@dataclass(frozen=True)
class Term:
    id: str
    term: str
    definition: str
    variants: tuple[str, ...] = ()
    see_also: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entry:
    """What a condition and a drug share: an id, a name and a page at ENTRY_URLS[kind]."""

    id: str
    name: str

    kind = ""

    def __init_subclass__(cls, kind: str = "", **kw):
        super().__init_subclass__(**kw)
        cls.kind = kind

    @property
    def url(self) -> str:
        return ENTRY_URLS[self.kind].format(id=self.id)


@dataclass(frozen=True)
class Condition(Entry, kind="condition"):
    plain_name: str         # the name families know it by
    data: dict
    rel: str = ""


@dataclass(frozen=True)
class Drug(Entry, kind="drug"):
    drug_class: str
    data: dict
    rel: str = ""


def _shown(key: str, show=None, with_unit: bool = False) -> property:
    """A read-only attribute: the data's `key` as text (typeset by show, with the
    outcome's unit when with_unit), or as it is when show is None."""
    if with_unit:
        return property(lambda self: show(self.data.get(key), self.data.get("unit", "")))
    if show is None:
        return property(lambda self: self.data[key])
    return property(lambda self: show(self.data[key]))


@dataclass(frozen=True)
class Regimen:
    drug: Drug
    data: dict

    role = _shown("role")
    dose = _shown("dose", fmt.dose)
    route = _shown("route")
    count = _shown("count", fmt.count)
    over = _shown("over", fmt.duration)

    @property
    def total(self) -> str | None:
        return fmt.course_total(self.data)

    def field(self, name: str) -> str | None:
        """max_dose / rate / premedication as text; None when left out."""
        if name not in self.data:
            return None
        v = self.data[name]
        if name == "max_dose":
            return fmt.dose(v)
        return fmt.text_or_nr(v)


@dataclass(frozen=True)
class Outcome:
    data: dict

    @property
    def id(self) -> str:
        return self.data["id"]

    @property
    def is_count(self) -> bool:
        return self.data["type"] == "count"

    baseline = _shown("baseline", fmt.stats, with_unit=True)
    follow_up = _shown("follow_up", fmt.stats, with_unit=True)

    @property
    def figure(self) -> str:
        return fmt.count_figure(self.data)

    @property
    def p_value(self) -> str | None:
        return fmt.p_value(self.data.get("p_value"))


@dataclass(frozen=True)
class Study:
    id: str
    data: dict
    conditions: tuple[Condition, ...]
    drugs: tuple[Drug, ...]
    regimens: tuple[Regimen, ...]
    outcomes: tuple[Outcome, ...]
    rel: str = ""
    source_text: str | None = None

    @property
    def url(self) -> str:
        return ENTRY_URLS["study"].format(id=self.id)

    @property
    def year(self):
        return self.data["citation"]["year"]

    @property
    def year_text(self) -> str:
        y = self.year
        return "in press" if y == fmt.NR else str(y)

    @property
    def n(self) -> int:
        return self.data["population"]["n"]

    @property
    def updated(self) -> str:
        """The last day the entry changed: added, reviewed or its newest correction."""
        d = self.data
        return max([str(d["added"]), str(d.get("reviewed", d["added"]))]
                   + [str(c["date"]) for c in d.get("corrections", [])])

    @property
    def design_label(self) -> str:
        return DESIGNS[self.data["design"]["type"]].label

    @property
    def certainty(self) -> str:
        return self.data["certainty"]["rating"]

    @property
    def certainty_label(self) -> str:
        return CERTAINTY[self.certainty].label

    @property
    def certainty_rank(self) -> int:
        return CERTAINTY[self.certainty].rank


@dataclass(frozen=True)
class Site:
    """The whole site: site.yaml's settings and every entry, each list in page order."""

    config: dict
    studies: tuple[Study, ...]          # newest first (newest_first)
    conditions: tuple[Condition, ...]   # by name
    drugs: tuple[Drug, ...]             # by name, then id
    glossary: tuple[Term, ...]          # by term
    build_date: str = ""

    def studies_for(self, kind: str, ident: str) -> list[Study]:
        """Studies about a condition, or using a drug (studied or co-treatment)."""
        return list(self._studies_by.get((kind, ident), ()))

    @cached_property
    def by_id(self) -> list[Study]:
        """The studies in id order (studies.json and regimens.csv), sorted once per site."""
        return sorted(self.studies, key=lambda s: s.id)

    @cached_property
    def _studies_by(self) -> dict[tuple[str, str], list[Study]]:
        """One pass over the studies instead of one per condition and drug (5,000 studies; #9)."""
        index: dict[tuple[str, str], list[Study]] = {}
        for s in self.studies:
            keys = {("condition", c.id) for c in s.conditions} | {("drug", r.drug.id) for r in s.regimens}
            for k in keys:
                index.setdefault(k, []).append(s)
        return index


def newest_first(studies) -> list[Study]:
    """Newest published first (in press before all), then by id, for stable pages."""
    out = sorted(studies, key=lambda s: s.id)
    out.sort(key=lambda s: s.data["added"], reverse=True)
    out.sort(key=lambda s: s.year if isinstance(s.year, int) else 10_000, reverse=True)
    return out


def build_site(docs: list[SourceDoc], sources: dict[str, str], build_date: str) -> Site:
    """Link validated documents into a Site."""
    by_kind: dict[str, list[SourceDoc]] = {}
    for d in docs:
        by_kind.setdefault(d.kind, []).append(d)
    conditions = {d.data["id"]: Condition(d.data["id"], d.data["name"], d.data["plain_name"], d.data, d.rel)
                  for d in by_kind.get("condition", [])}
    drugs = {d.data["id"]: Drug(d.data["id"], d.data["name"], d.data["drug_class"], d.data, d.rel)
             for d in by_kind.get("drug", [])}
    glossary = tuple(Term(t["id"], t["term"], t["definition"], tuple(t.get("variants", [])),
                          tuple(t.get("see_also", [])))
                     for d in by_kind.get("glossary", []) for t in d.data)
    studies = []
    for d in by_kind.get("study", []):
        s = d.data
        studies.append(Study(
            s["id"], s,
            tuple(conditions[c] for c in s["conditions"]),
            tuple(drugs[x] for x in s["drugs"]),
            tuple(Regimen(drugs[r["drug"]], r) for r in s["regimens"]),
            tuple(Outcome(o) for o in s["outcomes"]),
            d.rel, sources.get(s["id"])))
    site_doc = by_kind.get("site", [None])[0]
    return Site(site_doc.data if site_doc else {}, tuple(newest_first(studies)),
                tuple(sorted(conditions.values(), key=lambda c: c.name.lower())),
                tuple(sorted(drugs.values(), key=lambda x: (x.name.lower(), x.id))),
                tuple(sorted(glossary, key=lambda t: t.term.lower())), build_date)

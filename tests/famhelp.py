"""Helpers for the family-layer tests (issue 6): the shipped site, studies from dicts, a new study."""
from __future__ import annotations

import copy
import sys
import shutil
from functools import lru_cache
from pathlib import Path

from evidence.content.load import load_all, read_sources
from evidence.content.model import Outcome, Regimen, Site, Study, build_site

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
SEED = "rituximab-childhood-sle-2005"


@lru_cache(maxsize=1)
def shipped() -> Site:
    """The shipped content as a Site (validated content is assumed; the build checks it)."""
    docs, errors = load_all(CONTENT)
    assert not errors, errors
    return build_site(docs, read_sources(CONTENT), "2026-11-26")


def study(ident: str = SEED) -> Study:
    return next(s for s in shipped().studies if s.id == ident)


def variant(change, ident: str = SEED) -> Study:
    """A copy of a shipped study with its data changed by `change(data)`; drugs from content."""
    data = copy.deepcopy(study(ident).data)
    change(data)
    drugs = {d.id: d for d in shipped().drugs}
    return Study(data["id"], data, study(ident).conditions, tuple(drugs[x] for x in data["drugs"]),
                 tuple(Regimen(drugs[r["drug"]], r) for r in data["regimens"]),
                 tuple(Outcome(o) for o in data["outcomes"]))


NEW_SOURCE = """Twelve children (5 of whom were female), ages 6.2-15.9 years, with active lupus were treated.
Patients received three 375-mg/m2 intravenous infusions of rituximab during a 3-week period, with oral prednisolone.
The activity score fell from a median of 10 (range 6-20) at baseline to a median of 3 (range 1-8) at 6 months (P = 0.01).
In 9 of 12 patients, the rash improved.
Two patients had a serious adverse event.
Patients were followed up for a median of 8 months.
"""

NEW_STUDY = """id: made-up-2030
title: A made-up test study of rituximab in children with lupus
plain_title: A test study made up for the generator's tests
added: "2030-01-02"
citation:
  authors: not-reported
  journal: Test J
  year: 2030
  volume: not-reported
  issue: not-reported
  pages: not-reported
  pmid: not-reported
  doi: not-reported
  extracted_from: abstract
conditions: [childhood-onset-sle]
drugs: [rituximab]
design:
  type: case-series
  blinding: open-label
  comparison: none
  description: A made-up series for tests.
  quote: with active lupus were treated
population:
  n: 12
  female: 5
  age_years: {min: 6.2, max: 15.9}
  description: Children with active lupus.
  quote: Twelve children (5 of whom were female), ages 6.2-15.9 years, with active lupus were treated.
follow_up_time:
  median: {value: 8, unit: months}
  quote: Patients were followed up for a median of 8 months.
regimens:
  - drug: rituximab
    role: studied
    dose: {value: 375, unit: mg/m2}
    route: intravenous
    count: 3
    over: {value: 3, unit: weeks}
    max_dose: not-reported
    rate: not-reported
    premedication: not-reported
    quote: Patients received three 375-mg/m2 intravenous infusions of rituximab during a 3-week period
  - drug: corticosteroids
    role: co-treatment
    dose: not-reported
    route: oral
    count: not-reported
    over: not-reported
    quote: with oral prednisolone.
outcomes:
  - id: activity-score
    name: Activity score
    plain_name: How active the lupus was
    type: continuous
    better: lower
    baseline: {median: 10, min: 6, max: 20}
    follow_up: {median: 3, min: 1, max: 8}
    p_value: 0.01
    quote: The activity score fell from a median of 10 (range 6-20) at baseline to a median of 3 (range 1-8) at 6 months (P = 0.01).
  - id: rash-improved
    name: Rash improved
    plain_name: Children whose rash got better
    type: count
    better: higher
    events: 9
    of: 12
    quote: In 9 of 12 patients, the rash improved.
safety:
  serious_adverse_events: 2
  adverse_events: not-reported
  quote: Two patients had a serious adverse event.
certainty:
  rating: very-low
  reasons:
    - Made up for a test.
summary:
  why: Doctors wanted to know if a medicine helps.
  what_happened: Twelve children had three drips.
  results: Most of them got better.
  how_sure: We are very unsure.
  what_it_means: This test study means nothing. Ask your child's care team.
conclusion: not-reported
"""


def content_with_new_study(tmp: Path) -> Path:
    """A temp copy of content/ plus one generated study file and its source text."""
    dest = tmp / "content"
    shutil.copytree(CONTENT, dest)
    (dest / "studies" / "made-up-2030.yaml").write_text(NEW_STUDY, encoding="utf-8")
    (dest / "sources" / "made-up-2030.txt").write_text(NEW_SOURCE, encoding="utf-8")
    return dest

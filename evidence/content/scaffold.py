"""`build.py new "Surname 2024 short title"`: a study skeleton to fill in (issue 9).

The skeleton has every field of the content model (docs/content-model.md), with a
comment saying what goes there. Fields that may be `not-reported` start as
`not-reported`; every other value is a `TODO:` placeholder, which `check` reports as an
error at its line until it is replaced, so a skeleton never builds by accident.
"""
from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path

from .errors import ContentError
from .load import format_path

MARK = "TODO:"


class AuthoringError(Exception):
    """`new` or `import` cannot write the study (one line for the terminal)."""


def slug(title: str) -> str:
    """'Surname 2024 Short title!' -> 'surname-2024-short-title' (the id rule, ≤ 80 characters)."""
    s = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    s = s[:80].rstrip("-")
    if len(s) < 3:
        raise AuthoringError(f'cannot make an id from "{title}"; write e.g. "Surname 2024 short title"')
    return s


SKELETON = '''\
# A new study: replace every "TODO:" and check every not-reported against the source.
# The fields are described in docs/content-model.md; `python build.py check` lists what is left.
id: {id}
title: "TODO: the title as published"
plain_title: "TODO: the title for families, at most 100 characters"
added: "{today}"
reviewed: "{today}"                 # when it was last checked against its source
citation:
  authors: {authors}                # ["Surname AB", ...] as the record writes them, or not-reported
  journal: {journal}                # as the record writes it, no final full stop
  year: {year}                      # an integer, or not-reported with status: in-press
  volume: {volume}
  issue: {issue}
  pages: {pages}
  pmid: {pmid}                      # digits, as text
  doi: {doi}                        # starts with 10.
  extracted_from: abstract          # or full-text
conditions: ["TODO: condition id from content/conditions/"]
drugs: ["TODO: the drug ids of the studied regimens"]
design:
  type: "TODO: randomised-controlled-trial, non-randomised-controlled-trial, cohort, case-control, case-series or case-report"
  blinding: not-reported            # open-label, single-blind, double-blind, not-applicable
  comparison: not-reported          # none, placebo, active, standard-care, historical
  description: "TODO: one sentence"
  quote: "TODO: the source's words, verbatim"
population:
  n: "TODO: people treated (an integer)"
  female: not-reported
  age_years: not-reported           # or {{median: , min: , max: }}
  description: "TODO: who took part"
  quote: "TODO: the source's words, verbatim"
follow_up_time: not-reported        # or {{median: {{value: , unit: months}}, quote: ...}}
regimens:
  - drug: "TODO: drug id"
    role: studied                   # or co-treatment
    dose: not-reported              # {{value: 375, unit: mg/m2}}, {{min: , max: , unit: }} or {{description: ...}}
    route: not-reported             # intravenous, oral, subcutaneous, intramuscular
    count: not-reported             # doses in one course
    over: not-reported              # {{value: , unit: weeks}}
    max_dose: not-reported
    rate: not-reported
    premedication: not-reported
    quote: "TODO: the source's words, verbatim"
outcomes:
  - id: "TODO: outcome-id"
    name: "TODO: the outcome as the source names it"
    plain_name: "TODO: what it measures, in plain words"
    type: count                     # or continuous (then baseline: and follow_up: instead)
    better: "TODO: higher or lower"
    events: not-reported
    of: not-reported
    quote: "TODO: the source's words, verbatim"
safety:
  serious_adverse_events: not-reported
  adverse_events: not-reported      # a list of {{name, events, of, serious}}; [] when the source says none
certainty:
  rating: "TODO: high, moderate, low or very-low"
  reasons: ["TODO: why we can be this sure (GRADE)"]
summary:                            # Markdown for families: short sentences, reading grade 8 or below
  why: "TODO: why the study was done"
  what_happened: "TODO: who took part and what they were given"
  results: "TODO: what was found, with the numbers"
  how_sure: "TODO: how sure we can be, and why"
  what_it_means: "TODO: what it means; no advice, point to the care team"
conclusion: {conclusion}
'''


def skeleton(ident: str, fields: dict[str, str] | None = None) -> str:
    """The skeleton's text; `fields` pre-fills citation values (YAML scalars, already quoted)."""
    f = {"authors": "not-reported", "journal": f'"{MARK} the journal"',
         "year": f'"{MARK} the year of publication (an integer)"',
         "volume": "not-reported", "issue": "not-reported", "pages": "not-reported",
         "pmid": "not-reported", "doi": "not-reported",
         "conclusion": f"\"{MARK} the authors' conclusion, verbatim\""}
    f.update(fields or {})
    return SKELETON.format(id=ident, today=_dt.date.today().isoformat(), **f)


def new(content: Path, title: str) -> Path:
    """Write content/studies/<id>.yaml (the year taken from the title); refuse to overwrite."""
    year = re.search(r"\b(1[89]|20)\d\d\b", title)
    return write(content, slug(title), skeleton(slug(title), {"year": year.group(0)} if year else None))


def write(content: Path, ident: str, text: str) -> Path:
    """Write a new study file (never over an existing one)."""
    path = Path(content) / "studies" / f"{ident}.yaml"
    if path.exists():
        raise AuthoringError(f"{path} already exists; choose another title or edit that file")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def placeholders(doc) -> list[ContentError]:
    """Every `TODO:` value left in a file, located (an error: the study is not filled in yet)."""
    out: list[ContentError] = []
    # a study's values come from its source; site.yaml's and the starter's (`init`) do not
    study = doc.kind == "study"
    expected = "a value from the source" if study else "a value"
    hint = ("fill it in (or write not-reported where the model allows it)" if study
            else "replace it with your own text")

    def walk(value, fpath):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, fpath + (k,))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, fpath + (i,))
        elif isinstance(value, str) and value.lstrip().startswith(MARK):
            line, col = doc.locate(fpath)
            out.append(ContentError(doc.rel, line, col, format_path(fpath) or "(top level)",
                                    f"expected {expected}; got the placeholder \"{value}\"", hint,
                                    "error", doc.source_line(line)))
    walk(doc.data, ())
    return out

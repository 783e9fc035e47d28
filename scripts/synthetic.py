"""A valid synthetic corpus for the benchmark and the incremental-build tests.

Every value is invented ("Synthetic study 17", PMID 9xxxxxxx): nothing here is a real
study fact. The shape follows docs/content-model.md so that `check` accepts it.
"""
from __future__ import annotations

import random
from pathlib import Path

import yaml

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
SITE = {"content_model": "1.1", "title": "Synthetic evidence site",
        "tagline": "Invented studies for measuring build speed", "base_url": "",
        "language": "en-GB", "disclaimer": "Invented data for testing. It is not medical advice."}
GLOSSARY = [{"id": "trial", "term": "trial", "variants": ["trials"],
             "definition": "A study that tests a treatment in people."},
            {"id": "dose", "term": "dose", "variants": ["doses"],
             "definition": "How much of a medicine is given at one time.", "see_also": ["trial"]}]
FILLER = ("The words here fill space so that each file is about as long as a real one. "
          "A real summary tells families what was done and what was found. "
          "It uses short sentences and plain words. It says how sure we can be.")
FAMILY = ("This is a made-up entry used to test how fast the site builds. "
          "It does not describe a real illness or a real medicine. "
          "Please ask your child's care team about any real treatment.")


def dump(data) -> str:
    """YAML text as an editor would write it (block style, keys in order)."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def condition(k: int) -> dict:
    """An invented condition."""
    return {"id": f"synthetic-condition-{k}", "name": f"Synthetic condition {k}",
            "plain_name": f"Made-up illness {k}", "for_families": FAMILY,
            "for_clinicians": f"Invented condition number {k} for build benchmarks."}


def drug(k: int) -> dict:
    """An invented drug."""
    return {"id": f"synthetic-drug-{k}", "name": f"Synthetic drug {k}",
            "drug_class": "invented medicine", "for_families": FAMILY,
            "for_clinicians": f"Invented drug number {k} for build benchmarks."}


def study(i: int, conditions: int, drugs: int, edit: int = 0) -> tuple[dict, str]:
    """An invented study and its source text (every quote occurs in it)."""
    r = random.Random(i * 7919 + edit)
    n = r.randint(8, 400)
    female = r.randint(0, n)
    events = r.randint(0, n)
    ae = r.randint(0, n)
    dose = r.choice([250, 375, 500, 750, 1000])
    weeks = r.randint(1, 12)
    base, follow = r.randint(10, 40), r.randint(1, 9)
    years = r.randint(1, 5)
    cids = sorted({f"synthetic-condition-{r.randrange(conditions)}" for _ in range(r.randint(1, 2))})
    dids = sorted({f"synthetic-drug-{r.randrange(drugs)}" for _ in range(r.randint(1, 2))})
    q = {
        "design": f"In this invented study {i}, {n} children were observed without a comparison group.",
        "population": f"There were {n} children, and {female} of them were girls.",
        "follow": f"Children were followed for {years} years.",
        "regimen": f"Each child had {dose} mg/m2 of the drug by drip, 2 doses over {weeks} weeks.",
        "cotreat": "Other medicines were also given.",
        "count": f"The main result improved in {events} of {n} children.",
        "score": f"The score went from a median of {base} at the start to {follow} at the end.",
        "safety": f"Side effects were seen in {ae} of {n} children.",
        "conclusion": f"Invented study {i} shows nothing about real patients.",
    }
    regimens = [{"drug": dids[0], "role": "studied", "dose": {"value": dose, "unit": "mg/m2"},
                 "route": "intravenous", "count": 2, "over": {"value": weeks, "unit": "weeks"},
                 "max_dose": "not-reported", "rate": "not-reported",
                 "premedication": "not-reported", "quote": q["regimen"]}]
    regimens += [{"drug": d, "role": "co-treatment", "dose": "not-reported", "route": "oral",
                  "count": "not-reported", "over": "not-reported", "quote": q["cotreat"]}
                 for d in dids[1:]]
    data = {
        "id": f"synthetic-{i:05d}",
        "title": f"Synthetic study {i} of an invented treatment in children",
        "plain_title": f"Made-up study {i} of a made-up medicine",
        "added": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}",
        "reviewed": "2026-11-26",
        "citation": {"authors": [f"Example A{i}", "Sample B"], "journal": "Journal of Examples",
                     "year": 1990 + i % 36, "volume": str(1 + i % 90), "issue": str(1 + i % 12),
                     "pages": f"{i % 900 + 1}-{i % 900 + 9}", "pmid": str(90000000 + i),
                     "doi": f"10.99999/synthetic.{i}", "extracted_from": "abstract"},
        "conditions": cids,
        "drugs": dids[:1],
        "design": {"type": "case-series", "blinding": "not-applicable", "comparison": "none",
                   "description": "An invented case series with no comparison group.",
                   "quote": q["design"]},
        "population": {"n": n, "female": female, "age_years": "not-reported",
                       "description": "Invented children.", "quote": q["population"]},
        "follow_up_time": {"median": {"value": years, "unit": "years"}, "quote": q["follow"]},
        "regimens": regimens,
        "outcomes": [
            {"id": "main-result", "name": "Main invented result", "plain_name": "Children who got better",
             "type": "count", "better": "higher", "events": events, "of": n, "quote": q["count"]},
            {"id": "score", "name": "Invented activity score", "plain_name": "A made-up score; lower is better",
             "type": "continuous", "better": "lower", "baseline": {"median": base},
             "follow_up": {"median": follow}, "quote": q["score"]}],
        "safety": {"serious_adverse_events": "not-reported",
                   "adverse_events": [{"name": "Any side effect", "events": ae, "of": n,
                                       "serious": "not-reported", "quote": q["safety"]}],
                   "quote": q["safety"]},
        "certainty": {"rating": r.choice(["low", "very-low"]),
                      "reasons": ["The study is invented.", "There was no comparison group."]},
        "summary": {
            "why": "This study is made up. We use it to test the site. It is not about a real illness. "
                   + FILLER,
            "what_happened": f"In this made-up study, {n} children had a made-up medicine. " + FILLER,
            "results": f"The main result got better in {events} of {n} children. " + FILLER,
            "how_sure": "We cannot be sure of anything here. The study is not real. " + FILLER,
            "what_it_means": "Nothing. Please ask your child's care team about real treatments. "
                             + FILLER},
        "conclusion": q["conclusion"],
    }
    return data, " ".join(q.values()) + "\n"


def write_study(content: Path, i: int, conditions: int, drugs: int, edit: int = 0) -> Path:
    """Write study i (and its source text); return the YAML path."""
    data, source = study(i, conditions, drugs, edit)
    path = content / "studies" / f"{data['id']}.yaml"
    path.write_text(dump(data), encoding="utf-8")
    (content / "sources" / f"{data['id']}.txt").write_text(source, encoding="utf-8")
    return path


def make_corpus(content: Path, n: int, conditions: int | None = None, drugs: int | None = None) -> Path:
    """Write a complete content folder with n studies; return it."""
    conditions = conditions or max(3, n // 200)
    drugs = drugs or max(3, n // 125)
    for sub in ("studies", "conditions", "drugs", "sources"):
        (content / sub).mkdir(parents=True, exist_ok=True)
    (content / "site.yaml").write_text(dump(SITE), encoding="utf-8")
    (content / "glossary.yaml").write_text(dump(GLOSSARY), encoding="utf-8")
    for k in range(conditions):
        (content / "conditions" / f"synthetic-condition-{k}.yaml").write_text(dump(condition(k)))
    for k in range(drugs):
        (content / "drugs" / f"synthetic-drug-{k}.yaml").write_text(dump(drug(k)))
    for i in range(n):
        write_study(content, i, conditions, drugs)
    return content

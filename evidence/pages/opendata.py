"""Open data: studies.json (every study's structured data) and regimens.csv (the dosing
table, one row per regimen), both dated with the build, plus the published schemas.

Values are the YAML's own: `not-reported` stays `not-reported`, numbers are not
typeset, and nothing is added but a few columns that say where a row comes from and the
figures this site calculates (the course total), which are named as calculated: in the
CSV's `calculated` column, and in studies.json's `calculated` list (after `studies`, so
each study stays exactly its YAML and valid against the published schema). One change
in the CSV only (issue 19): a cell a spreadsheet would run as a formula gets a leading
`'` (csv_cell). Column documentation: docs/opendata-1.2.md.
"""
from __future__ import annotations

import csv
import io
import json
import re
from functools import partial

from ..content import fmt
from .dosing_rows import basis
from .fragments import Fragments
from ..content.model import Site
from ..content.validate import MODEL_VERSION, SCHEMA_DIR

STATS = ("min", "max", "median", "mean", "sd", "q1", "q3", "value")
# A mapping field in the YAML becomes one column per key: `dose: {value: 750, unit: mg/m2}`
# fills dose_value and dose_unit. When the field is `not-reported`, every one of its
# columns says `not-reported`; when it is left out (an optional field), they are empty.
MAPS = {"dose": ("value", "min", "max", "unit", "description"), "count": ("value", "min", "max"),
        "over": ("value", "unit"), "max_dose": ("value", "unit")}
CSV_COLUMNS = (["study_id", "regimen", "drug", "role"]
               + [f"{k}_{sub}" for k, subs in MAPS.items() for sub in subs]
               + ["route", "rate", "premedication", "when", "dose_basis",
                  "course_total_value", "course_total_unit", "population_n"]
               + [f"age_{k}" for k in STATS] + ["age_at", "design_type", "certainty", "year",
                                                "pmid", "doi", "study_url", "quote", "build_date"]
               # content model 1.2 (issue 17): appended, so existing columns keep their places
               + ["n_treated", "n_treated_at_least", "calculated"])


# OWASP "CSV Injection": a spreadsheet reads a cell that begins with one of these as a
# formula (=HYPERLINK(...) sends the reader's data away, @SUM(...) computes)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")


def csv_cell(text: str) -> str:
    """A cell of regimens.csv as OWASP recommends: text that begins with =, +, -, @, a tab
    or a carriage return gets a leading `'`, so a spreadsheet shows it as text instead of
    running it; a plain number (-1.5, -2e-05) is left alone, as a spreadsheet reads it as
    the number it is. Every other cell is the text itself. (The csv module quotes a cell
    that holds a comma, a quote or a line break, so none of them can start a new cell.)"""
    if text[:1] in FORMULA_START and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _text(v) -> str:
    """A YAML scalar as CSV text: numbers as written, None as empty."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _spread(name: str, value, subs) -> dict[str, str]:
    """One YAML field over its columns (see MAPS)."""
    if value is None:
        return {f"{name}_{s}": "" for s in subs}
    if fmt.is_nr(value):
        return {f"{name}_{s}": fmt.NR for s in subs}
    if not isinstance(value, dict):            # count: 2
        value = {"value": value}
    return {f"{name}_{s}": _text(value.get(s)) for s in subs}


def regimen_record(study, index: int, build_date: str) -> dict[str, str]:
    """One CSV row: a regimen with its study's population, design and citation (the
    values as the YAML gives them; _csv_rows writes each through csv_cell)."""
    s, r = study.data, study.data["regimens"][index]
    row = {"study_id": study.id, "regimen": str(index), "drug": r["drug"], "role": r["role"]}
    for name, subs in MAPS.items():
        row.update(_spread(name, r.get(name), subs))
    dose = r["dose"]
    figure = fmt.course_total_figure(r)
    total = figure[0] if figure else None
    age = s["population"]["age_years"]
    row.update({"route": r["route"], "rate": _text(r.get("rate")),
                "premedication": _text(r.get("premedication")), "when": _text(r.get("when")),
                "dose_basis": basis(dose["unit"]) if isinstance(dose, dict) and "unit" in dose else "",
                "course_total_value": _text(total), "course_total_unit": dose["unit"] if total is not None else "",
                "population_n": _text(s["population"]["n"])})
    row.update({f"age_{k}": fmt.NR if fmt.is_nr(age) else _text(age.get(k)) for k in STATS})
    c = s["citation"]
    row.update({"age_at": s["population"].get("age_at", "treatment"), "design_type": s["design"]["type"],
                "certainty": s["certainty"]["rating"], "year": _text(c["year"]), "pmid": _text(c["pmid"]),
                "doi": _text(c["doi"]), "study_url": study.url, "quote": r["quote"],
                "build_date": build_date})
    # how many had the regimen, as the YAML gives it (regimens[].n); left out: both empty
    row.update(_spread("n_treated", r.get("n"), ("value", "at_least")))
    row["n_treated"] = row.pop("n_treated_value")
    row["calculated"] = " ".join(calculated(r))
    return row


def calculated(reg: dict) -> list[str]:
    """The names of the figures this site calculates for a regimen, as the `calculated`
    column and studies.json's `calculated` list give them: `course_total` (the CSV's
    course_total_value and course_total_unit) where a course total follows."""
    return ["course_total"] if fmt.course_total_figure(reg) is not None else []


def calculated_record(study, index: int) -> dict | None:
    """A regimen's entry in studies.json's `calculated` list, or None when nothing of it is
    calculated: which regimen, the names, and each calculated figure's value."""
    reg = study.data["regimens"][index]
    names = calculated(reg)
    if not names:
        return None
    total, unit = fmt.course_total_figure(reg)
    return {"study_id": study.id, "regimen": index, "calculated": names,
            "course_total": {"value": total, "unit": unit}}


def regimens_csv(site: Site) -> str:
    """regimens.csv: a header row, then one row per regimen, studies in id order."""
    return b"".join(_csv_parts(site)).decode("utf-8")


def _csv_parts(site: Site, store: Fragments | None = None) -> list[bytes]:
    """regimens.csv as the pieces of its bytes: the header, then each study's rows."""
    buf = io.StringIO()
    csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\r\n").writeheader()
    return [buf.getvalue().encode("utf-8"), *(store or Fragments()).get_all(
        "csv-rows", site.by_id, "",
        lambda study: _csv_rows(study, site.build_date))]


def _csv_rows(study, build_date: str) -> bytes:
    """One study's rows of regimens.csv (made once and reused while it is unchanged; #9)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    for i in range(len(study.data["regimens"])):
        w.writerow({k: csv_cell(v) for k, v in regimen_record(study, i, build_date).items()})
    return buf.getvalue().encode("utf-8")


def studies_json(site: Site, store: Fragments | None = None) -> list[bytes]:
    """studies.json, as the pieces of its bytes: the build date, the content model version,
    every study as its YAML gives it, then the figures this site calculated from them
    (`calculated`, one entry per regimen that has any). Written as json.dumps(doc, indent=1)
    would, from each study's own text (made once and kept as bytes: 22 MB at 5,000 studies)."""
    head = json.dumps({"build_date": site.build_date, "content_model": MODEL_VERSION,
                       "schema": "schema/study.schema.json", "studies": [], "calculated": []},
                      ensure_ascii=False, indent=1)
    studies, store = site.by_id, store or Fragments()
    if not studies:
        return [head.encode("utf-8") + b"\n"]
    out = [head[:-len('[],\n "calculated": []\n}')].encode("utf-8") + b"[\n  "]
    for part in store.get_all("study-json", studies, "", _study_json):
        out += (part, b",\n  ")
    out[-1] = b"\n ],\n \"calculated\": "
    calc = [part for part in store.get_all("calc-json", studies, "", _calc_json) if part]
    if not calc:
        return out + [b"[]\n}\n"]
    out.append(b"[\n  ")
    for part in calc:
        out += (part, b",\n  ")
    out[-1] = b"\n ]\n}\n"
    return out


def _study_json(study) -> bytes:
    """A study's data as it sits in studies.json's list (two levels in, at indent 1)."""
    return json.dumps(study.data, ensure_ascii=False, indent=1).replace("\n", "\n  ").encode("utf-8")


def _calc_json(study) -> bytes:
    """A study's entries in studies.json's `calculated` list, as _study_json lays them out
    (b"" when none of its figures is calculated)."""
    records = (calculated_record(study, i) for i in range(len(study.data["regimens"])))
    return b",\n  ".join(json.dumps(r, ensure_ascii=False, indent=1).replace("\n", "\n  ").encode("utf-8")
                         for r in records if r is not None)


def files(site: Site, store: Fragments) -> list[tuple]:
    """studies.json, regimens.csv and schema/*.schema.json, as render.whole_site_files
    describes them."""
    out = [(("studies.json",), None, lambda: [("studies.json", studies_json(site, store))]),
           (("regimens.csv",), None, lambda: [("regimens.csv", _csv_parts(site, store))])]
    for p in sorted(SCHEMA_DIR.glob("*.schema.json")):
        # the schemas are part of the generator: remade when it changes, not with the content
        out.append(((f"schema/{p.name}",), store.base_key("schema"),
                    partial(lambda p: [(f"schema/{p.name}", p.read_bytes())], p)))
    return out

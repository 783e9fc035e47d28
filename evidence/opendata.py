"""Open data: studies.json (every study's structured data) and regimens.csv (the dosing
table, one row per regimen), both dated with the build, plus the published schemas.

Values are the YAML's own: `not-reported` stays `not-reported`, numbers are not
typeset, and nothing is added but a few columns that say where a row comes from.
"""
from __future__ import annotations

import csv
import io
import json
from functools import partial

from . import fmt
from .dosing import basis
from .fragments import STORE
from .model import Site
from .validate import MODEL_VERSION, SCHEMA_DIR

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
                                                "pmid", "doi", "study_url", "quote", "build_date"])


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
    """One CSV row: a regimen with its study's population, design and citation."""
    s, r = study.data, study.data["regimens"][index]
    row = {"study_id": study.id, "regimen": str(index), "drug": r["drug"], "role": r["role"]}
    for name, subs in MAPS.items():
        row.update(_spread(name, r.get(name), subs))
    dose = r["dose"]
    total = None
    if fmt.course_total(r) is not None:
        total = dose["value"] * r["count"]
        total = int(total) if isinstance(total, float) and total.is_integer() else total
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
    return row


def regimens_csv(site: Site) -> str:
    """regimens.csv: a header row, then one row per regimen, studies in id order."""
    return b"".join(_csv_parts(site)).decode("utf-8")


def _csv_parts(site: Site) -> list[bytes]:
    """regimens.csv as the pieces of its bytes: the header, then each study's rows."""
    buf = io.StringIO()
    csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\r\n").writeheader()
    return [buf.getvalue().encode("utf-8"), *STORE.get_all(
        "csv-rows", site.by_id, "",
        lambda study: _csv_rows(study, site.build_date))]


def _csv_rows(study, build_date: str) -> bytes:
    """One study's rows of regimens.csv (made once and reused while it is unchanged; #9)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    for i in range(len(study.data["regimens"])):
        w.writerow(regimen_record(study, i, build_date))
    return buf.getvalue().encode("utf-8")


def studies_json(site: Site) -> list[bytes]:
    """studies.json, as the pieces of its bytes: the build date, the content model version
    and every study as its YAML gives it. Written as json.dumps(doc, indent=1) would, from
    each study's own text (made once and kept as bytes: 22 MB at 5,000 studies)."""
    head = json.dumps({"build_date": site.build_date, "content_model": MODEL_VERSION,
                       "schema": "schema/study.schema.json", "studies": []},
                      ensure_ascii=False, indent=1)
    studies = site.by_id
    if not studies:
        return [head.encode("utf-8") + b"\n"]
    parts = STORE.get_all("study-json", studies, "", _study_json)
    out = [head[:-len("[]\n}")].encode("utf-8") + b"[\n  "]
    for part in parts:
        out += (part, b",\n  ")
    out[-1] = b"\n ]\n}\n"
    return out


def _study_json(study) -> bytes:
    """A study's data as it sits in studies.json's list (two levels in, at indent 1)."""
    return json.dumps(study.data, ensure_ascii=False, indent=1).replace("\n", "\n  ").encode("utf-8")


def files(site: Site) -> list[tuple]:
    """studies.json, regimens.csv and schema/*.schema.json, as render.whole_site_files
    describes them."""
    out = [(("studies.json",), None, lambda: [("studies.json", studies_json(site))]),
           (("regimens.csv",), None, lambda: [("regimens.csv", _csv_parts(site))])]
    for p in sorted(SCHEMA_DIR.glob("*.schema.json")):
        # the schemas are part of the generator: remade when it changes, not with the content
        out.append(((f"schema/{p.name}",), STORE.base_key("schema"),
                    partial(lambda p: [(f"schema/{p.name}", p.read_bytes())], p)))
    return out

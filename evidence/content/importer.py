"""`build.py import FILE`: start studies from local bibliographic records (issues 9 and 19).

Reads PubMed records as `efetch` returns them (XML) or ClinicalTrials.gov studies as
its API v2 returns them (JSON), a UTF-8 byte order mark allowed; the two formats are
read in importer_records.py. A file that is neither is refused with one line
naming what it is and what was expected.

Every record becomes one study: `content/studies/<id>.yaml` (the skeleton of `new`,
with the citation and title filled in from the record) and `content/sources/<id>.txt`
(the abstract, or the registry's summary). Each record is reported on its own line,
written or refused and why; `--only PMID|NCT` picks one. Refused: a record without an
id (PMID, DOI or NCT number) or title; a control character in any field; a study whose
files exist (unless `--force`); a PMID, DOI or registry address that another study
already cites. Only what the record says is copied; everything else stays a
placeholder for a person to fill in.

A ClinicalTrials.gov record gives the registry's own citation (sponsor, title, year
first posted, the study's address); the papers it lists as results are written into
the source text and a YAML comment, never into the citation.
"""
from __future__ import annotations

import codecs
import json
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .importer_records import (EXPECTED, Record, Refused, ctgov_studies, fill_ctgov, fill_pubmed,
                               one_line, pubmed_articles)
from .scaffold import MARK, AuthoringError, skeleton, slug

NR = "not-reported"
NEXT = "fill in every not-reported and TODO placeholder, then run `python build.py check`"

# letters NFKD does not take apart into an ASCII letter and marks
_LETTERS = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "Oe",
                          "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th",
                          "Þ": "Th", "ı": "i"})
_KNOWN_PMID = re.compile(r"^\s+pmid:\s*[\"']?0*(\d+)[\"']?\s*(?:#.*)?$", re.M)
_KNOWN_DOI = re.compile(r"^\s+doi:\s*[\"']?(10\.[^\"'\s]+)", re.M)
_KNOWN_NCT = re.compile(r"^\s+url:\s*[\"']?https?://(?:www\.)?clinicaltrials\.gov/(?:study|ct2/show)/"
                        r"(NCT\d{8})", re.M | re.I)


def read_records(file: Path) -> list[Record]:
    """Every record in `file`, in order (AuthoringError when the file is neither format)."""
    path, name = Path(file), str(file)
    if path.is_dir():
        raise AuthoringError(f"{name} is a folder; expected a file: PubMed XML (<PubmedArticleSet> "
                             f"or <PubmedArticle>) or ClinicalTrials.gov API v2 JSON")
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise AuthoringError(f"cannot read {name}: {e.strerror}") from None
    body = raw[len(codecs.BOM_UTF8):] if raw.startswith(codecs.BOM_UTF8) else raw
    head = body.lstrip()
    if not head:
        raise AuthoringError(f"{name}: an empty file; {EXPECTED}")
    if head.startswith(b"<"):
        return [_record("PubMed", fill_pubmed, art) for art in pubmed_articles(body, name)]
    if head[:1] in (b"{", b"["):
        return [_record("ClinicalTrials.gov", fill_ctgov, s) for s in ctgov_studies(body, name)]
    try:
        start = one_line(head[:40].decode("utf-8"))
    except UnicodeDecodeError:
        raise AuthoringError(f"{name}: a file that is not UTF-8 text; {EXPECTED}") from None
    raise AuthoringError(f"{name}: a text file that is neither XML nor JSON (it begins "
                         f"{json.dumps(start, ensure_ascii=False)}); {EXPECTED}")


def _record(kind: str, fill, node) -> Record:
    rec = Record(kind)
    try:
        fill(rec, node)
        _require(rec)
    except Refused as e:
        rec.problem = str(e)
    return rec


def _require(rec: Record) -> None:
    where = ("<ArticleTitle> is empty or missing" if rec.kind == "PubMed"
             else "no officialTitle or briefTitle in identificationModule")
    if not rec.ident() and not rec.title:
        raise Refused(f"no PMID, DOI or NCT number and no title ({where}); expected an id and the "
                      f"title as published")
    if not rec.ident():
        raise Refused("no PMID, DOI or NCT number; expected at least one to identify the study")
    if not rec.title:
        raise Refused(f"no title ({where}); expected the title as published")
    if rec.pmid and not rec.pmid.isdigit():
        raise Refused(f"PMID {json.dumps(rec.pmid)} is not a number; expected digits")
    if rec.nct and not re.fullmatch(r"NCT\d{8}", rec.nct):
        raise Refused(f"NCT number {json.dumps(rec.nct)} is not NCT and 8 digits; expected e.g. "
                      f"NCT01234567")


@dataclass
class Outcome:
    """What became of one record: written (`study` and `source` set) or refused (`reason`)."""
    label: str
    study: Path | None = None
    source: Path | None = None
    reason: str = ""


def _q(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def ascii_text(text: str) -> str:
    """'Montalbán-López' -> 'Montalban-Lopez' (NFKD, then ASCII only)."""
    return unicodedata.normalize("NFKD", text.translate(_LETTERS)).encode("ascii", "ignore").decode()


def study_id(r: Record) -> str:
    """'<first author's surname or NCT number>-<year>-<three longer title words>'."""
    lead = r.nct.lower() if r.kind == "ClinicalTrials.gov" and r.nct else ascii_text(r.surname)
    words = [w for w in re.findall(r"[A-Za-z0-9]+", ascii_text(r.title)) if len(w) > 3][:3]
    return slug(" ".join([lead or "study", r.year, *words]))


def _with_comment(line: str, comment: str) -> str:
    return f"{line.ljust(35)} # {comment}" if comment else line


def study_text(ident: str, r: Record) -> str:
    """The study skeleton with the record's citation, title and notes filled in."""
    fields = {"authors": "[" + ", ".join(_q(a) for a in r.authors) + "]" if r.authors else NR,
              "journal": _q(r.journal) if r.journal else _q(f"{MARK} the journal"),
              "year": r.year if r.year.isdigit() else _q(f"{MARK} the year of publication")}
    for k in ("volume", "issue", "pages", "pmid", "doi"):
        fields[k] = _q(getattr(r, k)) if getattr(r, k) else NR
    comments = dict(r.comments)
    if r.kind == "ClinicalTrials.gov" and not r.journal:
        comments.setdefault("journal", "ClinicalTrials.gov gives none; write ClinicalTrials.gov "
                                       "if the registry record is the source")
    lines = skeleton(ident, fields).split("\n")
    for i, line in enumerate(lines):
        key = line.strip().split(":", 1)[0]
        if line.startswith('title: "'):
            lines[i] = _with_comment(f"title: {_q(r.title)}", comments.get("title", ""))
        elif line.startswith("  ") and key in comments and key in fields:
            lines[i] = _with_comment(f"  {key}: {fields[key]}", comments[key])
    at = lines.index("citation:")
    lines[at:at] = [f"# {c}" for c in r.header]
    if r.url:
        at = next(i for i, line in enumerate(lines) if line.startswith("  doi:"))
        lines.insert(at + 1, f"  url: {_q(r.url)}")
    return "\n".join(lines)


def source_text(r: Record) -> str:
    """content/sources/<id>.txt: the Source line, notes, the abstract, then registry facts."""
    parts = [f"Source: {r.source}", *r.notes, "", r.abstract]
    if r.extra:
        parts += ["", *r.extra]
    return "\n".join(parts) + "\n"


def _folder(content: Path) -> Path:
    """The content folder (need not exist yet); a file given as --content is refused."""
    for p in (content, content / "studies", content / "sources"):
        if p.exists() and not p.is_dir():
            raise AuthoringError(f"--content {content}: {p} is a file; expected the content folder "
                                 f"(with site.yaml, studies/ and sources/)")
    return content


def _cited(content: Path) -> dict[tuple, Path]:
    """The PMIDs, DOIs and registry numbers the existing studies cite, with their files."""
    known: dict[tuple, Path] = {}
    for path in sorted((content / "studies").glob("*.yaml")):
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue        # `check` reports it
        known.update({("PMID", int(m)): path for m in _KNOWN_PMID.findall(text)})
        known.update({("DOI", m.lower()): path for m in _KNOWN_DOI.findall(text)})
        known.update({("NCT", m.upper()): path for m in _KNOWN_NCT.findall(text)})
    return known


def _keys(r: Record) -> list[tuple]:
    return ([("PMID", int(r.pmid))] if r.pmid else []) + ([("DOI", r.doi.lower())] if r.doi else []) \
        + ([("NCT", r.nct)] if r.nct else [])


def _show(key: tuple) -> str:
    return f"{key[0]} {key[1]}" if key[0] != "NCT" else key[1]


def _write(content: Path, r: Record, force: bool, known: dict, made: dict) -> tuple[Path, Path]:
    """Write one record's study and source; AuthoringError says why not."""
    if r.problem:
        raise AuthoringError(r.problem)
    ident = study_id(r)
    study, source = content / "studies" / f"{ident}.yaml", content / "sources" / f"{ident}.txt"
    if ident in made:
        raise AuthoringError(f"its id, {ident}, is also that of {made[ident]} in this file; "
                             f"import one at a time with --only and rename the first")
    for key in _keys(r):
        if key in known and known[key].stem != ident:
            raise AuthoringError(f"{_show(key)} is already cited by {known[key]}; edit that study "
                                 f"(or remove it and import again)")
    held = [k for k, p in known.items() if p == study]
    if held and not set(held) & set(_keys(r)):
        raise AuthoringError(f"its id, {ident}, is taken by {study}, which cites {_show(held[0])}; "
                             f"rename that study, then import again")
    there = [str(p) for p in (study, source) if p.exists()]
    if there and not force:
        raise AuthoringError(f"{' and '.join(there)} already exist{'s' * (len(there) == 1)}; edit "
                             f"{'it' if len(there) == 1 else 'them'}, or import again with --force "
                             f"to replace {'it' if len(there) == 1 else 'them'}")
    text = study_text(ident, r)
    for p, body in ((study, text), (source, source_text(r))):
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(body, encoding="utf-8")
    known.update({key: study for key in _keys(r)})
    return study, source


def _label(n: int, total: int, r: Record) -> str:
    if total == 1:
        return r.ident() or "the record"
    return f"record {n} of {total}" + (f", {r.ident()}" if r.ident() else "")


def _pick(records: list[Record], only: str | None, file: Path) -> list[tuple[int, Record]]:
    numbered = list(enumerate(records, 1))
    if not only:
        return numbered
    want = re.sub(r"^PMID[:\s]*", "", only.strip(), flags=re.I).upper()
    chosen = [(n, r) for n, r in numbered if want in (r.pmid, r.nct.upper())]
    if not chosen:
        held = ", ".join(r.ident() or f"record {n} (no id)" for n, r in numbered)
        raise AuthoringError(f"--only {only}: no record in {file} has that PMID or NCT number; "
                             f"it holds {held}")
    return chosen


def import_file(content: Path, file: Path, only: str | None = None,
                force: bool = False) -> list[Outcome]:
    """Import every record of `file` (or the one `only` names); one Outcome per record.

    AuthoringError when nothing can be read: the file is neither format, or `--content`
    is not a folder."""
    content = _folder(Path(content))
    records = read_records(file)
    known, made, out = _cited(content), {}, []
    for n, r in _pick(records, only, file):
        label = _label(n, len(records), r)
        try:
            out.append(Outcome(label, *_write(content, r, force, known, made)))
            made[study_id(r)] = label
        except AuthoringError as e:
            out.append(Outcome(label, reason=str(e)))
    return out


def report(outcomes: list[Outcome], out=None, err=None) -> bool:
    """One line per record (written to stdout, refused to stderr); True when all were written."""
    out, err = out or sys.stdout, err or sys.stderr
    for o in outcomes:
        if o.study:
            print(f"Wrote {o.study} and {o.source} ({o.label})", file=out)
        else:
            print(f"build.py: refused {o.label}: {o.reason}", file=err)
    written = sum(1 for o in outcomes if o.study)
    if not written and len(outcomes) > 1:
        print(f"build.py: none of the {len(outcomes)} records written", file=err)
    if written:
        count = f"{written} of {len(outcomes)} records written; " if len(outcomes) > 1 else ""
        print(f"{count}{NEXT}" if count else NEXT[0].upper() + NEXT[1:], file=out)
    return written == len(outcomes)

"""Reading level: each plain-language summary section's Flesch-Kincaid grade
(textstat); above grade 8 is a warning (an error under --strict)."""
from __future__ import annotations

import re

from .errors import ContentError
from .load import SourceDoc, format_path

MAX_GRADE = 8.0
SECTIONS = ("why", "what_happened", "results", "how_sure", "what_it_means")


def plain(markdown_text: str) -> str:
    """Markdown to plain sentences for scoring (links and emphasis removed)."""
    t = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown_text)
    t = re.sub(r"[*_`#>]", "", t)
    return re.sub(r"\s+", " ", t).strip()


def grade(text: str) -> float:
    """Flesch-Kincaid grade of a text."""
    import textstat  # imported late: its first call loads a dictionary (~1 s)
    return round(float(textstat.flesch_kincaid_grade(plain(text))), 1)


def check(valid: list[SourceDoc], report) -> None:
    """Score every study summary section and every family text; warn above MAX_GRADE."""
    for doc in valid:
        fields: list[tuple[tuple, str]] = []
        if doc.kind == "study":
            fields = [(("summary", k), doc.data["summary"][k]) for k in SECTIONS]
        elif doc.kind in ("condition", "drug"):
            fields = [(("for_families",), doc.data["for_families"])]
        for fpath, text in fields:
            g = grade(text)
            report.reading.append((doc.rel, format_path(fpath), g))
            if g > MAX_GRADE:
                line, col = doc.locate(fpath)
                report.warnings.append(ContentError(
                    doc.rel, line, col, format_path(fpath),
                    f"reading grade {g} is above {MAX_GRADE:g} (Flesch-Kincaid)",
                    "use shorter sentences and everyday words", "warning", doc.source_line(line)))

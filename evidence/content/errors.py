"""ContentError: the one shape for every content mistake, and its wording."""
from __future__ import annotations

from dataclasses import dataclass, field
import functools
import re
from pathlib import Path

_UNSEEN = re.compile("[\x00-\x1f\x7f-\x9f]")


@functools.total_ordering
@dataclass(frozen=True)
class ContentError:
    """A located problem in a content file (an error, or a warning under --strict)."""

    path: str
    line: int
    column: int
    field: str
    message: str
    hint: str | None = None
    severity: str = "error"  # "error" or "warning"
    source_line: str | None = field(default=None, compare=False)

    def _key(self) -> tuple:
        return (self.path, self.line, self.column, self.field, self.message, self.hint or "",
                self.severity)

    def __lt__(self, other: "ContentError") -> bool:
        """Sort by file, line, column, field (a missing hint sorts first, never a TypeError)."""
        return self._key() < other._key()

    def as_error(self) -> "ContentError":
        """The same problem, counted as an error (for --strict)."""
        return ContentError(self.path, self.line, self.column, self.field, self.message,
                            self.hint, "error", self.source_line)


def visible(text: str) -> str:
    """A name from the content with its unseen characters written out: a no-break space
    or a zero-width character before `id` would look like `id` (fuzzing found one)."""
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in _one_line(text))


def _one_line(text: str) -> str:
    """A value quoted in a message may hold line breaks: show them, so one error stays
    one line an editor can jump to."""
    return text.translate(_BREAKS)


_BREAKS = str.maketrans({"\n": "\\n", "\r": "\\r", "\x85": "\\x85", "\u2028": "\\u2028",
                         "\u2029": "\\u2029", "\x0b": "\\v", "\x0c": "\\f"})


def format_error(err: ContentError) -> str:
    """Render one error like a compiler: location, field, message, the line, a hint."""
    prefix = "warning: " if err.severity == "warning" else ""
    head = f"{err.path}:{err.line}:{err.column}: {prefix}{visible(err.field)}: {err.message}"
    lines = [_one_line(head)]
    if err.source_line is not None and err.line > 0:
        # a tab is one column wide in the caret line; invisible characters become visible
        text = _UNSEEN.sub("\ufffd", err.source_line.rstrip("\n").replace("\t", " "))
        lines.append(f"{err.line:5d} | {text}")
        lines.append("      | " + " " * max(err.column - 1, 0) + "^")
    if err.hint:
        lines.append(f"  hint: {_one_line(err.hint)}")
    return "\n".join(lines)


def summary_line(errors: list[ContentError], what: str = "output/ left unchanged") -> str:
    """'2 errors in 1 file; output/ left unchanged.'"""
    n = len(errors)
    files = len({e.path for e in errors})
    return (f"{n} error{'s' if n != 1 else ''} in {files} file{'s' if files != 1 else ''}; "
            f"{what}.")


def display_path(path: Path) -> str:
    """A path as the user typed it: relative to the working directory when possible."""
    p = Path(path)
    try:
        return p.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return p.as_posix()

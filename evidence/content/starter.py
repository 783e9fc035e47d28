"""`build.py init DIR`: a new, empty content folder for a site on another topic (issue 19).

The folder gets the files in evidence/starter/: a `site.yaml` to fill in (content model
1.2), one example condition and one example drug, and a glossary of general terms, plus
empty `studies/` and `sources/`. Like `build.py new`, every value still to be written is a
`TODO:` placeholder, which `check` reports as an error at its line (scaffold.placeholders),
so a starter folder does not build until each one is filled in: a site whose title is
"TODO: ..." is never published by accident.
"""
from __future__ import annotations

from pathlib import Path

from .scaffold import AuthoringError

STARTER = Path(__file__).resolve().parent / "starter"
FOLDERS = ("studies", "sources", "conditions", "drugs")


def starter_files() -> list[str]:
    """The starter's files, as paths relative to the new content folder, in order."""
    return sorted(p.relative_to(STARTER).as_posix() for p in STARTER.rglob("*") if p.is_file())


def init(target: Path) -> list[str]:
    """Write a starter content folder into `target` (new or empty); return what was written.

    Refuses (AuthoringError) a path that is a file or a folder with anything in it, so
    init never mixes its files with someone's content or overwrites one of them.
    """
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise AuthoringError(f"{target} is a file; init writes a new content folder: give a new or empty folder")
    if target.is_dir() and next(target.iterdir(), None) is not None:
        raise AuthoringError(f"{target} is not empty; init writes only into a new or empty folder")
    try:
        target.mkdir(parents=True, exist_ok=True)
        for name in FOLDERS:
            (target / name).mkdir(exist_ok=True)
        written = starter_files()
        for rel in written:
            (target / rel).write_bytes((STARTER / rel).read_bytes())
    except OSError as e:
        raise AuthoringError(f"cannot write {target}: {e.strerror or e}") from None
    return written + [f"{name}/" for name in ("studies", "sources")]

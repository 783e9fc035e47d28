"""The documents keep up with the code (issue 18): every module is named in
docs/architecture.md; every command and option of `build.py --help` is in the README,
which stays a newcomer's page of at most 150 lines."""
from __future__ import annotations

import re
from pathlib import Path

from evidence.cli import make_parser

ROOT = Path(__file__).resolve().parents[2]


def test_every_module_is_in_the_architecture_document():
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = [p.name for p in (ROOT / "evidence").glob("*.py") if p.name not in doc]
    assert not missing, missing


def test_every_command_and_option_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    parser = make_parser()
    sub = next(a for a in parser._actions if a.choices and isinstance(a.choices, dict))
    words = set(sub.choices)
    for p in sub.choices.values():
        words |= {o for a in p._actions for o in a.option_strings if o.startswith("--") and o != "--help"}
    missing = sorted(w for w in words if not re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", readme))
    assert not missing, missing


def test_the_readme_is_at_most_150_lines():
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 150

"""The documents keep up with the code (issue 18): every module is named in
docs/architecture.md by its path under evidence/ (its package and file: `cli.py`,
`build/pipeline.py`, `content/__init__.py`), and every such path the document names
exists; every command and option of `build.py --help` is in the README, which stays a
newcomer's page of at most 150 lines."""
from __future__ import annotations

import re
from pathlib import Path

from evidence.cli import make_parser

ROOT = Path(__file__).resolve().parents[2]


PACKAGE = ROOT / "evidence"
# a module path as the document writes it: `x.py` or `package/x.py`, not part of a longer path
MODULE_PATH = r"(?<![\w/.-]){}(?![\w-])"


def modules() -> list[str]:
    """Every module of the package, by its path under evidence/ ('build/pipeline.py')."""
    return sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py"))


def test_every_module_is_in_the_architecture_document():
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = [m for m in modules() if not re.search(MODULE_PATH.format(re.escape(m)), doc)]
    assert not missing, missing


def test_the_architecture_document_names_no_missing_module():
    """A package path the document names (`pages/x.py`, `evidence/pages/x.py`) is a real module."""
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    packages = "|".join(sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()))
    named = set(re.findall(rf"(?<![\w/.-])(?:evidence/)?((?:{packages})/\w+\.py)", doc))
    assert named, "the document names no module by its package path"
    assert not named - set(modules()), sorted(named - set(modules()))


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

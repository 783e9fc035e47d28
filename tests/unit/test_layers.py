"""The stages' packages import only downwards: content knows nothing of pages or the
engine, pages nothing of the engine (evidence/*/__init__.py say what each owns)."""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "evidence"
FORBIDDEN = {"content": {"pages", "build", "preview"}, "pages": {"build", "preview"}, "build": {"preview"}}


def imported_packages(path: Path, stage: str) -> set[str]:
    """The evidence.* stage packages a module imports (absolute or relative, at any depth)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0 and (node.module or "").startswith("evidence."):
                out.add(node.module.split(".")[1])
            elif node.level == 2 and node.module:
                out.add(node.module.split(".")[0])
            elif node.level == 2:
                out.update(a.name for a in node.names)
            elif node.level == 1:
                out.add(stage)
        elif isinstance(node, ast.Import):
            out.update(a.name.split(".")[1] for a in node.names if a.name.startswith("evidence."))
    return out


@pytest.mark.parametrize("stage", sorted(FORBIDDEN))
def test_a_stage_never_imports_a_later_one(stage):
    bad = {f"{p.relative_to(PACKAGE)} imports evidence.{pkg}"
           for p in sorted((PACKAGE / stage).rglob("*.py"))
           for pkg in imported_packages(p, stage) & FORBIDDEN[stage]}
    assert not bad, sorted(bad)


def test_the_check_sees_a_relative_import_of_a_later_stage(tmp_path):
    bad = tmp_path / "m.py"
    bad.write_text("from ..build import search\nfrom ..build.write import swap\n")
    assert imported_packages(bad, "pages") == {"build"}


def test_each_stage_says_what_it_owns():
    for stage in ("content", "pages", "build", "preview"):
        doc = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text()))
        assert doc and len(doc.split()) >= 15, stage

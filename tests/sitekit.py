"""Helpers shared by the hardening tests: copy the smallest valid site, run the build
(in-process or as `python build.py`), snapshot output/ byte for byte, read bad cases."""
from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SITE = DATA / "site"
BAD = DATA / "bad"
SEED = "studies/rituximab-childhood-sle-2005.yaml"

sys.path.insert(0, str(ROOT))


def copy_site(dest: Path) -> Path:
    """A fresh copy of tests/data/site/content under dest; returns dest."""
    shutil.copytree(SITE / "content", dest / "content")
    return dest


@dataclass
class Run:
    """What one build printed and returned."""

    code: int
    out: str
    err: str


def run_inprocess(cwd: Path, *args: str) -> Run:
    """`build.py args` in this process (fast: textstat and the schemas load once)."""
    from evidence.cli import main

    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        os.chdir(old)
    return Run(code, out.getvalue(), err.getvalue())


def run_build(cwd: Path, *args: str, timeout: float = 120, env: dict | None = None) -> Run:
    """The real command line: `python build.py args` in cwd."""
    p = subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd,
                       capture_output=True, text=True, timeout=timeout,
                       env={**os.environ, **(env or {})})
    return Run(p.returncode, p.stdout, p.stderr)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under folder (relative path -> bytes); folders included as b'<dir>'."""
    out: dict[str, bytes] = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        out[rel] = b"<dir>" if p.is_dir() else p.read_bytes()
    return out


@dataclass
class Case:
    """One bad-input case: a file dropped into the minimal site, and the exact stderr."""

    name: str
    path: str               # where it goes, relative to content/
    remove: list[str]       # files of the minimal site it replaces under another name
    body: bytes
    expected: str

    def apply(self, site: Path) -> None:
        """Put the case into a copied site."""
        for rel in self.remove:
            (site / "content" / rel).unlink()
        target = site / "content" / self.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(self.body)


_DIRECTIVE = re.compile(rb"^# (path|remove|pad-to): (.+?)\r?$", re.M)


def read_case(yaml_file: Path) -> Case:
    """Read tests/data/bad/<name>.yaml: `# path: ...` (required), `# remove: ...`,
    `# pad-to: N` (append comment lines until the file has N bytes)."""
    body = yaml_file.read_bytes()
    head = body[:600].lstrip(b"\xef\xbb\xbf")
    found: dict[str, list[str]] = {}
    for m in _DIRECTIVE.finditer(head):
        found.setdefault(m.group(1).decode(), []).append(m.group(2).decode("utf-8"))
    if "pad-to" in found:
        size = int(found["pad-to"][0])
        line = b"# " + b"x" * 78 + b"\n"
        body += line * ((size - len(body)) // len(line) + 1)
        body = body[:size - 1] + b"\n"
    err = yaml_file.with_suffix(".err")
    return Case(yaml_file.stem, found["path"][0], found.get("remove", []), body,
                err.read_text(encoding="utf-8") if err.exists() else "")


def all_cases() -> list[Path]:
    """Every case file, sorted by name."""
    return sorted(BAD.glob("*.yaml"))

"""The tests' one footing: where the test data lives, copies of a site to change, the build
run in-process or as the real `python build.py`, output snapshots, a page's table rows, and
the shipped content as a Site. The fixtures of tests/conftest.py are made of these;
helpers.py, sitekit.py and famhelp.py re-export them under their earlier names."""
from __future__ import annotations

import contextlib
import copy
import io
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Callable, Union

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SITE = DATA / "site"                     # the small valid site: tests/data/site/content
BAD = DATA / "bad"
CONTENT = ROOT / "content"               # the shipped content
SEED = "rituximab-childhood-sle-2005"    # the seed study's id
SEED_FILE = f"studies/{SEED}.yaml"
EPOCH = "1764115200"                     # a pinned build date (2025-11-26) for byte comparisons

sys.path.insert(0, str(ROOT))


def copy_site(dest: Path) -> Path:
    """A fresh copy of tests/data/site/content under dest; returns dest."""
    shutil.copytree(SITE / "content", dest / "content")
    return dest


def copy_content(tmp: Path) -> Path:
    """A private copy of the shipped content/ to edit in a test; returns tmp/content."""
    dest = tmp / "content"
    shutil.copytree(CONTENT, dest)
    return dest


@dataclass
class Run:
    """What one build printed and returned (also under subprocess's names)."""

    code: int
    out: str
    err: str

    returncode = property(lambda self: self.code)
    stdout = property(lambda self: self.out)
    stderr = property(lambda self: self.err)


def run_inprocess(cwd: Path, *args: str) -> Run:
    """`build.py args` in this process, via evidence.cli.main (textstat and the schemas load once)."""
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


def run_cli(cwd: Path, *args: str, timeout: float = 120, env: dict | None = None) -> Run:
    """The real command line: `python build.py args` in cwd."""
    p = subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd,
                       capture_output=True, text=True, timeout=timeout,
                       env={**os.environ, **(env or {})})
    return Run(p.returncode, p.stdout, p.stderr)


def run_pinned(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`python build.py args` as a maintainer runs it, with the build date pinned and CI set."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "CI": "true"}
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd or ROOT,
                          capture_output=True, text=True, env=env, timeout=300)


def snapshot(folder: Path, dirs: bool = True) -> dict[str, bytes]:
    """Every file under folder (relative path -> bytes); folders as b'<dir>' unless dirs=False."""
    out: dict[str, bytes] = {}
    for p in sorted(folder.rglob("*")):
        if p.is_dir() and not dirs:
            continue
        out[p.relative_to(folder).as_posix()] = b"<dir>" if p.is_dir() else p.read_bytes()
    return out


def snapshot_files(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, by relative path (folders left out)."""
    return snapshot(folder, dirs=False)


def walk(data, path: tuple = ()):
    """(path, value) for every node of parsed YAML data, the data itself first, then
    depth-first in document order; a path is a tuple of keys and list indexes."""
    yield path, data
    if isinstance(data, dict):
        for k, v in data.items():
            yield from walk(v, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from walk(v, path + (i,))


Change = Union[str, bytes, None, Callable[[str], str]]


@dataclass
class SiteCopy:
    """A private copy of a site's content/ in a temp folder, to change and build."""

    root: Path

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def output(self) -> Path:
        return self.root / "output"

    def change(self, rel: str, how: Change) -> SiteCopy:
        """content/rel becomes text or bytes, is deleted (None), or is edited by a function
        of its text; returns self so changes chain."""
        p = self.content / rel
        if how is None:
            p.unlink()
        elif isinstance(how, bytes):
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(how)
        else:
            text = how(p.read_text(encoding="utf-8")) if callable(how) else how
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text, encoding="utf-8")
        return self

    def replace(self, rel: str, old: str, new: str) -> SiteCopy:
        """The first `old` in content/rel becomes `new` (it must be there)."""
        def edit(text: str) -> str:
            assert old in text, f"{old!r} not in {rel}"
            return text.replace(old, new, 1)
        return self.change(rel, edit)

    def build(self, *args: str, cli: bool = False, env: dict | None = None) -> Run:
        """The build with args: in this process, or (cli=True) as `python build.py`."""
        if cli:
            return run_cli(self.root, *args, env=env)
        assert not env, "an in-process build takes its environment from monkeypatch"
        return run_inprocess(self.root, *args)

    def page(self, rel: str) -> str:
        """A built page's text, e.g. page('studies/<id>/index.html')."""
        return (self.output / rel).read_text(encoding="utf-8")


def make_site(dest: Path, changes: dict[str, Change] | None = None, shipped: bool = False) -> SiteCopy:
    """A SiteCopy at dest of the small test site (or, shipped=True, of content/), with changes."""
    dest.mkdir(parents=True, exist_ok=True)
    if shipped:
        copy_content(dest)
    else:
        copy_site(dest)
    site = SiteCopy(dest)
    for rel, how in (changes or {}).items():
        site.change(rel, how)
    return site


class Rows(HTMLParser):
    """Each <tr>'s cells as text (quotes in <details> left out), by the row's id (else "_N")."""

    def __init__(self, html: str):
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self.attrs: dict[str, list[dict]] = {}
        self.order: list[str] = []
        self._row = self._cell = None
        self._skip = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr":
            self._row = a.get("id") or f"_{len(self.order)}"
            self.order.append(self._row)
            self.rows[self._row], self.attrs[self._row] = [], []
        elif tag in ("td", "th") and self._row:
            self._cell = []
            self.attrs[self._row].append(a)
        elif tag == "details":
            self._skip += 1
        elif tag in ("br", "p") and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag == "details":
            self._skip -= 1
        elif tag in ("td", "th") and self._cell is not None:
            self.rows[self._row].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data):
        if self._cell is not None and not self._skip:
            self._cell.append(data)


@lru_cache(maxsize=1)
def shipped():
    """The shipped content as a Site (validated content is assumed; the build checks it)."""
    from evidence.content.load import load_all, read_sources
    from evidence.content.model import build_site

    docs, errors = load_all(CONTENT)
    assert not errors, errors
    return build_site(docs, read_sources(CONTENT), "2026-11-26")


def study(ident: str = SEED):
    return next(s for s in shipped().studies if s.id == ident)


def variant(change, ident: str = SEED):
    """A copy of a shipped study with its data changed by `change(data)`; drugs from content."""
    from evidence.content.model import Outcome, Regimen, Study

    data = copy.deepcopy(study(ident).data)
    change(data)
    drugs = {d.id: d for d in shipped().drugs}
    return Study(data["id"], data, study(ident).conditions, tuple(drugs[x] for x in data["drugs"]),
                 tuple(Regimen(drugs[r["drug"]], r) for r in data["regimens"]),
                 tuple(Outcome(o) for o in data["outcomes"]))


NEW_STUDY = (DATA / "made-up" / "made-up-2030.yaml").read_text(encoding="utf-8")
NEW_SOURCE = (DATA / "made-up" / "made-up-2030.txt").read_text(encoding="utf-8")


def content_with_new_study(tmp: Path) -> Path:
    """A temp copy of content/ plus one made-up study file and its source text."""
    dest = copy_content(tmp)
    (dest / "studies" / "made-up-2030.yaml").write_text(NEW_STUDY, encoding="utf-8")
    (dest / "sources" / "made-up-2030.txt").write_text(NEW_SOURCE, encoding="utf-8")
    return dest

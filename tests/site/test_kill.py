"""Killing the real `python build.py` never leaves a mixed site (issue 19).

Four kinds of build (a full one and a small one, each with and without the search index)
are killed at random moments, 60 times in all; and a small `--no-search` rebuild, which
changes files in place, is killed after its first, second, middle and last replacements. After each
kill, the next build's first step (write.clean_stale under the build lock: a journal is
rolled back, leftovers removed) must find output/ to be the complete old site or the
complete new one; after a build that finishes, nothing is left beside output/.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sitekit import ROOT, run_build
from test_write import EPOCH, site_digest
from evidence.build.write import build_lock, clean_stale

sys.path.insert(0, str(ROOT / "scripts"))
from synthetic import make_corpus, write_study  # noqa: E402

STUDIES = 40       # one study's summary then changes under half the pages: a small rebuild

KINDS = {"full": ["--clean"], "full-no-search": ["--clean", "--no-search"],
         "small": [], "small-no-search": ["--no-search"]}
KILLS = 15          # per kind: 60 in all


def beside(site: Path) -> list[str]:
    """Anything a build leaves beside output/ (staging, old, backup, journal)."""
    return sorted(p.name for p in site.iterdir()
                  if p.name.startswith(".output-") and p.name != ".output-lock")   # the lock file stays


class Site:
    """A synthetic site of STUDIES studies whose first study can be switched between two
    versions, A and B: few enough pages change that a --no-search rebuild is a small one."""

    def __init__(self, root: Path, studies: int = STUDIES):
        self.root = root
        content = make_corpus(root / "content", studies)
        self.seed = write_study(content, 0, 3, 3)
        self.text = {"A": self.seed.read_text("utf-8")}
        self.text["B"] = self.text["A"].replace("fill space", "take up room", 1)   # its summary
        assert self.text["B"] != self.text["A"]
        self.out = self.root / "output"

    def use(self, tag: str) -> None:
        self.seed.write_text(self.text[tag], "utf-8")

    def build(self, tag: str, flags: list[str]) -> float:
        self.use(tag)
        t = time.perf_counter()
        r = run_build(self.root, *flags, "--quiet", env=EPOCH)
        assert r.code == 0, r.err
        return time.perf_counter() - t

    def recover(self) -> dict:
        """What the next build does first, then the site it finds."""
        with build_lock(self.out):
            clean_stale(self.out)
        return site_digest(self.out)


@pytest.mark.parametrize("kind", list(KINDS))
def test_random_kills_of_the_real_build_never_leave_a_mixed_site(kind, tmp_path: Path) -> None:
    flags = KINDS[kind]
    # only an in-place rebuild needs a site where one study is a small part of the pages
    site = Site(tmp_path / "w", STUDIES if kind == "small-no-search" else 8)
    plain = [f for f in flags if f != "--clean"]
    site.build("B", plain)
    want = {"B": site_digest(site.out)}
    took = site.build("A", flags)
    want["A"] = site_digest(site.out)
    assert want["A"] != want["B"]
    rng = random.Random(f"kill-{kind}")
    now = "A"
    for _ in range(KILLS):
        target = "B" if now == "A" else "A"
        site.use(target)
        proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), *flags, "--quiet"],
                                cwd=site.root, env={**os.environ, **EPOCH},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, took * 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        found = site.recover()
        assert found in (want["A"], want["B"]), f"{kind}: a mixed site after a kill"
        assert beside(site.root) == []
        now = "A" if found == want["A"] else "B"
    site.build(now, flags)                  # a build that finishes leaves nothing beside output/
    assert site_digest(site.out) == want[now]
    assert beside(site.root) == []


CHILD = """
import os, signal, sys
sys.path.insert(0, sys.argv[1])
limit, count = int(sys.argv[2]), [0]
real = os.replace

def replace(src, dst, *a, **k):
    if "-staging-" in str(src):             # a page moved from the staging folder into output/
        if count[0] == limit:
            os.kill(os.getpid(), signal.SIGKILL)
        count[0] += 1
    return real(src, dst, *a, **k)

os.replace = replace
from evidence.cli import main
code = main(["--no-search", "--quiet"])
print("replaced", count[0], flush=True)
sys.exit(code)
"""


def test_a_small_in_place_rebuild_killed_inside_its_commit_is_rolled_back(tmp_path: Path) -> None:
    """Kill the in-place commit after its first, second, middle, last-but-one and last file:
    each time the journal puts the complete previous site back."""
    site = Site(tmp_path / "w")
    site.build("B", ["--no-search"])
    new = site_digest(site.out)
    site.build("A", ["--no-search"])
    old = site_digest(site.out)
    child = tmp_path / "child.py"
    child.write_text(CHILD)

    def run(limit: int) -> subprocess.CompletedProcess:
        site.use("B")
        return subprocess.run([sys.executable, str(child), str(ROOT), str(limit)], cwd=site.root,
                              env={**os.environ, **EPOCH}, capture_output=True, text=True, timeout=120)

    counted = run(-1)                       # how many files the small rebuild replaces
    total = int(counted.stdout.split()[-1])
    assert counted.returncode == 0 and total >= 5, counted.stdout + counted.stderr
    assert site_digest(site.out) == new
    site.build("A", ["--no-search"])
    for k in sorted({0, 1, total // 2, total - 2, total - 1}):
        p = run(k)
        assert p.returncode == -signal.SIGKILL, p.stderr
        assert any(n.startswith(".output-journal-") for n in beside(site.root)), k
        assert site.recover() == old, f"mixed site after {k} of {total} files"
        assert beside(site.root) == []
        site.build("A", ["--no-search"])    # the manifest again, so the next run is a small one
    assert run(-1).returncode == 0
    assert site_digest(site.out) == new and beside(site.root) == []

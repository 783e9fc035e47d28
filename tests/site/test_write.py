"""Write: output/ is always the complete previous site or the complete new one, whatever
happens (SIGKILL at random moments, two builds at once, a full or read-only disk)."""
from __future__ import annotations

import errno
import hashlib
import json
import os
import pickle
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sitekit import ROOT, SEED, copy_site, run_build, run_inprocess, snapshot
from evidence.build import write
from evidence.pages.render import Page
from evidence.build.write import WriteError, build_lock, clean_stale, swap

KILLS = 20          # SIGKILLs during write_pages (test_kill.py kills the real build.py 60 times)
EPOCH = {"SOURCE_DATE_EPOCH": "1790000000"}

CHILD = """
import pickle, sys
root = sys.argv[3]
sys.path[:0] = [root, root + "/tests", root + "/tests/site"]
from collections import namedtuple
from pathlib import Path
from evidence.build.write import build_lock
from test_write import write_pages
P = namedtuple("P", "path body")
pages = [P(*t) for t in pickle.loads(Path(sys.argv[1]).read_bytes())]
out = Path(sys.argv[2])
print("go", flush=True)
with build_lock(out):
    write_pages(pages, out)
print("done", flush=True)
"""


def write_pages(pages, out: Path) -> None:
    """What a build that stages its pages does with them (engine.Build.publish, with the
    same functions): every path checked, each page staged beside output/, then the
    staging folder swapped in; a failure removes the staging folder, output/ untouched."""
    out = Path(out)
    write.check_paths([p.path for p in pages])
    staging = out.parent / f".{out.name}{write.STAGING_PREFIX}{os.getpid()}"
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(out)
    try:
        staging.mkdir()
        made: set[Path] = set()
        for page in pages:
            write.stage(staging, page.path, page.body, False, made)
        swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def digest(folder: Path) -> dict[str, str]:
    """Every file under folder -> sha256 (folders too), for fast whole-tree comparison."""
    return {k: hashlib.sha256(v).hexdigest() for k, v in snapshot(folder).items()}


def site_digest(folder: Path) -> dict[str, str]:
    """digest() of a whole build, except Pagefind's index, whose bytes differ from build to
    build: for it, only that a complete index is there (its entry file names its parts)."""
    out = {k: v for k, v in digest(folder).items() if not k.startswith("pagefind")}
    entry = folder / "pagefind" / "pagefind-entry.json"
    if entry.is_file():
        langs = json.loads(entry.read_text("utf-8"))["languages"]
        whole = all((folder / "pagefind" / f"pagefind.{v['hash']}.pf_meta").is_file()
                    for v in langs.values())
        out["pagefind"] = "complete index" if whole else "broken index"
    return out


def leftovers(parent: Path, name: str = "output") -> list[str]:
    """Staging or old folders beside output/."""
    return sorted(p.name for p in parent.iterdir()
                  if p.name.startswith((f".{name}-staging-", f".{name}-old-")))


@pytest.fixture(scope="module")
def two_sites(tmp_path_factory) -> dict[str, list[Page]]:
    """Pages of two different complete sites (A and B): the real pages of the minimal
    site, plus 800 filler pages so a write lasts long enough to be killed inside it."""
    sites = {}
    for tag in ("A", "B"):
        site = copy_site(tmp_path_factory.mktemp(f"site{tag}"))
        if tag == "B":
            p = site / "content" / SEED
            p.write_text(p.read_text("utf-8").replace("plain_title: Rituximab for children",
                                                      "plain_title: Rituximab for young people"), "utf-8")
        assert run_inprocess(site).code == 0
        out = site / "output"
        pages = [Page(k, (out / k).read_bytes()) for k, v in snapshot(out).items() if v != b"<dir>"]
        pages += [Page(f"filler/{i // 100}/{i}.html", f"<p>{tag} {i}</p>".encode() * 40)
                  for i in range(800)]
        sites[tag] = pages
    return sites


def expected(pages: list[Page], tmp: Path) -> dict[str, str]:
    out = tmp / "expected"
    shutil.rmtree(out, ignore_errors=True)
    write_pages(pages, out)
    return digest(out)


def test_sigkill_during_write_never_leaves_a_mixed_site(two_sites, tmp_path: Path) -> None:
    """SIGKILL at a random moment of each write: output/ is complete A or complete B."""
    pkl = {t: tmp_path / f"{t}.pkl" for t in two_sites}
    for t, pages in two_sites.items():
        pkl[t].write_bytes(pickle.dumps([(pg.path, pg.body) for pg in pages]))
    want = {t: expected(pages, tmp_path / t) for t, pages in two_sites.items()}
    assert want["A"] != want["B"]
    child = tmp_path / "child.py"
    child.write_text(CHILD)
    site = tmp_path / "site"
    site.mkdir()
    out = site / "output"

    def start(tag: str) -> subprocess.Popen:
        p = subprocess.Popen([sys.executable, str(child), str(pkl[tag]), str(out), str(ROOT)],
                             stdout=subprocess.PIPE, text=True)
        assert p.stdout.readline() == "go\n"
        return p

    def finish(p: subprocess.Popen) -> None:
        assert p.stdout.readline() == "done\n"
        p.wait()
        p.stdout.close()

    duration = 0.0
    for tag in ("B", "A"):        # a write over a previous site: from "go" to done
        p = start(tag)
        t0 = time.perf_counter()
        finish(p)
        duration = max(duration, time.perf_counter() - t0)    # the window the kills aim at
        assert digest(out) == want[tag] and leftovers(site) == []    # whole, nothing left beside
    rng = random.Random(7)
    current, outcomes, stale_seen = "A", {"old": 0, "new": 0}, 0
    window = duration * 1.5
    for _ in range(KILLS):
        nxt = "B" if current == "A" else "A"
        p = start(nxt)
        time.sleep(rng.uniform(0, window))
        p.send_signal(signal.SIGKILL)
        p.wait()
        p.stdout.close()
        stale_seen += bool(leftovers(site))
        got = digest(out)
        assert got in (want[current], want[nxt]), "output/ is neither the previous nor the new site"
        if got == want[nxt]:
            outcomes["new"] += 1
            current, window = nxt, duration * 1.5
        else:
            outcomes["old"] += 1
            window *= 1.1     # a busy machine writes slower: reach past the swap too
    # the kills landed before, during and after the swap
    assert outcomes["old"] and outcomes["new"] and stale_seen, (outcomes, stale_seen, duration)
    print(f"\nwrite of {len(two_sites['A'])} files: {duration:.2f} s; {KILLS} kills survived: "
          f"{outcomes}; {stale_seen} left staging behind")
    nxt = "B" if current == "A" else "A"
    finish(start(nxt))
    assert digest(out) == want[nxt]
    assert leftovers(site) == []          # the next build cleaned up


def test_fallback_swap_is_repaired_by_the_next_build(tmp_path: Path, monkeypatch) -> None:
    """Without an atomic exchange, a death between the two renames leaves the previous
    site aside; the next build puts it back before anything else."""
    out = tmp_path / "output"
    write_pages([Page("index.html", b"old")], out)
    staging = tmp_path / ".output-staging-1"
    staging.mkdir()
    (staging / "index.html").write_bytes(b"new")
    monkeypatch.setattr(write, "_exchange", lambda a, b: False)
    real = os.rename
    calls = []

    def dying_rename(a, b):
        calls.append((a, b))
        if len(calls) == 2:
            raise SystemExit("killed")    # the process dies between the two renames
        real(a, b)

    monkeypatch.setattr(write.os, "rename", dying_rename)
    with pytest.raises(SystemExit):
        swap(staging, out)
    monkeypatch.setattr(write.os, "rename", real)
    assert not out.exists()
    clean_stale(out)
    assert (out / "index.html").read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def test_exchange_swaps_in_one_step(tmp_path: Path) -> None:
    """On Linux the swap is one renameat2(RENAME_EXCHANGE) call."""
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "x").write_text("a")
    (b / "y").write_text("b")
    assert write._exchange(a, b)
    assert [p.name for p in a.iterdir()] == ["y"] and [p.name for p in b.iterdir()] == ["x"]


def test_two_builds_at_once_never_mix(tmp_path: Path) -> None:
    """Two `build.py` runs into one output/ with different content: both succeed, one
    after the other, and output/ is exactly one complete site."""
    base = copy_site(tmp_path / "w")
    (base / "content").rename(base / "a")
    shutil.copytree(base / "a", base / "b")
    p = base / "b" / SEED
    p.write_text(p.read_text("utf-8").replace("plain_title: Rituximab for children",
                                              "plain_title: Rituximab for young people"), "utf-8")
    ref = {}
    for tag in ("a", "b"):
        assert run_build(base, "--content", tag, "--output", f"ref-{tag}", env=EPOCH).code == 0
        ref[tag] = site_digest(base / f"ref-{tag}")
    for _ in range(2):
        procs = [subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--content", tag,
                                   "--output", "output", "--quiet"], cwd=base,
                                  env={**os.environ, **EPOCH}, stderr=subprocess.PIPE, text=True)
                 for tag in ("a", "b")]
        results = [(pr.wait(timeout=180), pr.stderr.read()) for pr in procs]
        for pr in procs:
            pr.stderr.close()
        assert [c for c, _ in results] == [0, 0], results
        assert site_digest(base / "output") in (ref["a"], ref["b"])
        assert leftovers(base) == []


def test_second_build_waits_for_the_first(tmp_path: Path) -> None:
    """While another process holds the lock, a build says it is waiting, then finishes
    once the lock is released."""
    site = copy_site(tmp_path / "site")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]);"
         "from pathlib import Path; from evidence.build.write import build_lock\n"
         "with build_lock(Path(sys.argv[2])):\n print('held', flush=True); sys.stdin.readline()",
         str(ROOT), str(site / "output")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline() == "held\n"
    build = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--quiet"], cwd=site,
                             stderr=subprocess.PIPE, text=True)
    assert build.stderr.readline() == "another build is writing output/; waiting for it to finish ...\n"
    assert build.poll() is None and not (site / "output").exists()   # still waiting
    holder.stdin.write("go\n")
    holder.stdin.close()
    assert holder.wait() == 0
    assert build.wait(timeout=120) == 0
    assert build.stderr.read() == ""
    for f in (holder.stdout, build.stderr):
        f.close()
    assert "Rituximab" in (site / "output" / "index.html").read_text("utf-8")


def test_second_build_can_stop_with_a_message(tmp_path: Path) -> None:
    """wait=False (and a waiting build past its limit) stop with one clear line."""
    out = tmp_path / "output"
    with build_lock(out):
        with pytest.raises(WriteError) as e:
            with build_lock(out, wait=False):
                pass
        assert str(e.value) == f"another build is writing {out}/; try again when it ends"
        notes = []
        with pytest.raises(WriteError) as e:
            with build_lock(out, timeout=0.2, notify=notes.append):
                pass
        assert str(e.value) == (f"another build is writing {out}/ and did not finish in 0.2 s; "
                                "try again when it ends")
        assert notes == [f"another build is writing {out}/; waiting for it to finish ..."]


def _built(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    site = copy_site(tmp_path / "site")
    assert run_inprocess(site).code == 0
    p = site / "content" / SEED
    p.write_text(p.read_text("utf-8").replace("plain_title: Rituximab for children",
                                              "plain_title: Rituximab for young people"), "utf-8")
    return site, snapshot(site / "output")


@pytest.mark.parametrize("err,words", [(errno.ENOSPC, "the disk is full"),
                                       (errno.EDQUOT, "the disk quota is exceeded"),
                                       (errno.EIO, "Input/output error")])
def test_disk_full_keeps_the_previous_site(tmp_path: Path, monkeypatch, err: int, words: str) -> None:
    """A write fails half-way: one line, exit 3, previous site intact, staging removed."""
    site, before = _built(tmp_path)
    real = Path.write_bytes
    count = []

    def failing(self, data):
        count.append(1)
        if len(count) > 3:
            raise OSError(err, os.strerror(err))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", failing)
    r = run_inprocess(site)
    assert r.err == f"build.py: cannot write output/: {words}; the previous site is unchanged\n"
    assert r.code == 3
    assert snapshot(site / "output") == before
    assert leftovers(site) == []


def test_read_only_file_system_keeps_the_previous_site(tmp_path: Path, monkeypatch) -> None:
    """EROFS when creating the staging folder (root ignores chmod, so it is simulated)."""
    site, before = _built(tmp_path)
    real = Path.mkdir

    def refuse(self, *a, **k):
        if self.name.startswith(".output-staging-"):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))
        return real(self, *a, **k)

    monkeypatch.setattr(Path, "mkdir", refuse)
    r = run_inprocess(site)
    assert (r.code, r.err) == (3, "build.py: cannot write output/: the file system is read-only; "
                                  "the previous site is unchanged\n")
    assert snapshot(site / "output") == before


def test_unwritable_parent_gives_one_line(tmp_path: Path, monkeypatch) -> None:
    """The lock file cannot be created: the same one-line message, not a traceback."""
    site, before = _built(tmp_path)
    import builtins
    real = builtins.open

    def refuse(file, *a, **k):
        if str(file).endswith(".output-lock"):
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real(file, *a, **k)

    monkeypatch.setattr(builtins, "open", refuse)
    r = run_inprocess(site)
    assert (r.code, r.err) == (3, "build.py: cannot write output/: permission denied; "
                                  "the previous site is unchanged\n")
    assert snapshot(site / "output") == before


def test_output_that_is_a_file_is_not_clobbered(tmp_path: Path) -> None:
    site = copy_site(tmp_path / "site")
    (site / "output").write_text("my notes")
    r = run_inprocess(site)
    assert (r.code, r.err) == (3, "build.py: output is a file, not a folder; move it away and build again\n")
    assert (site / "output").read_text() == "my notes"


def test_pages_cannot_escape_output(tmp_path: Path) -> None:
    for bad in ("../x.html", "/etc/x", "a/../../x"):
        with pytest.raises(WriteError, match="refusing to write outside"):
            write_pages([Page(bad, b"x")], tmp_path / "output")
    with pytest.raises(WriteError, match="two pages for one output path"):
        write_pages([Page("a/index.html", b"1"), Page("a/./index.html", b"2")], tmp_path / "output")
    assert not (tmp_path / "output").exists()

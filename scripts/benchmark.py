#!/usr/bin/env python3
"""Benchmark the build on a synthetic corpus (issue 9).

    .venv/bin/python scripts/benchmark.py [--studies 5000]

Writes N invented studies into a temporary folder, then times, each as a fresh
`python build.py --no-search` process: a clean build, a rebuild with nothing changed,
a rebuild after adding one study and one after editing one study; and the plain floor
(load the same YAML with CSafeLoader, render the study template once per study, write
the files, nothing else). Then `serve`'s case: one process keeps a build session (as
`serve` does, beside another thread) and a study is added while it runs; each rebuild
is timed in that process. Prints each time, its ratio to the floor, peak memory, and the
search step (Pagefind over the built site) on its own.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from synthetic import make_corpus, write_study  # noqa: E402

TARGETS = {"clean build": ("x floor", 2.0), "no-change rebuild": ("s", 0.5),
           "add-one rebuild": ("s", 1.0), "edit-one rebuild": ("s", 1.0),
           "session add-one": ("s", 0.5)}
SESSION_ADDS = 4        # studies added one by one to a running session


def session(content: Path, output: Path, first: int, conditions: int, drugs: int) -> None:
    """serve's rebuilds: one Session, a thread running beside it (so nothing forks, as in
    serve), a first rebuild that loads the caches, then SESSION_ADDS studies added one by
    one; prints each rebuild's seconds on a line."""
    import threading
    from evidence.build.state import Session
    from evidence.build.pipeline import build
    from evidence.cli import between_rebuilds
    stop = threading.Event()
    threading.Thread(target=stop.wait, daemon=True).start()
    kept = Session(tidy=between_rebuilds)      # as `build.py serve` makes it
    build(content, output, search=False, jobs=1, session=kept)
    for k in range(SESSION_ADDS):
        kept.settle()               # as serve does after each rebuild, while the page reloads
        write_study(content, first + k, conditions, drugs)
        t = time.perf_counter()
        r = build(content, output, search=False, jobs=1, session=kept)
        took = time.perf_counter() - t
        assert r.written > 0
        print(f"{took:.4f}", flush=True)
    stop.set()


def floor(content: Path, output: Path) -> None:
    """The plain floor: load YAML, render one template per study, write. Nothing else."""
    import yaml
    from evidence.content.load import SourceDoc, content_files
    from evidence.content.model import build_site
    from evidence.pages.render import CSP, canonical, linker, make_env
    docs = [SourceDoc(p, p.name, kind, yaml.load(p.read_bytes(), Loader=yaml.CSafeLoader))
            for p, kind in content_files(content)]
    site = build_site(docs, {}, "2026-01-01")     # linking only: the template needs objects
    template = make_env().get_template("study.html")
    for s in site.studies:
        path = f"studies/{s.id}/index.html"
        html = template.render(site=site, config=site.config, path=path, csp=CSP, study=s,
                               link=linker(path, ""), canonical=canonical(path, ""), searchable=True)
        (output / "studies" / s.id).mkdir(parents=True, exist_ok=True)
        (output / path).write_text(html, encoding="utf-8")


CPU: dict[float, float] = {}     # wall time -> CPU seconds of that run (it and its workers)


def run(args: list[str], env: dict) -> float:
    """Wall time of one child process (its CPU time is kept in CPU); fail loudly if it fails."""
    # the disk's backlog first: writing back the last step's files (a clean build writes
    # 20,000) would otherwise slow the next step, which is not what it measures
    os.sync()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True)
    took = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU[took] = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if done.returncode:
        sys.exit(f"failed ({done.returncode}): {' '.join(args)}\n{done.stderr[-3000:]}")
    return took


def peak_mb() -> float:
    """Largest resident set of any child so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def steps(tmp: Path, content: Path, studies: int, env: dict) -> tuple[dict, list, float]:
    """Each step's best time, the session's rebuild times, and the build processes' peak memory."""
    py = sys.executable
    conditions = len(list((content / "conditions").glob("*.yaml")))
    drugs = len(list((content / "drugs").glob("*.yaml")))
    build = [py, "build.py", "--content", str(content), "--output", str(tmp / "site" / "output"),
             "--no-search", "--quiet"]
    times: dict[str, float] = {}
    # best of several runs: the machine is shared, and the minimum is the least disturbed
    clean = []
    for _ in range(2):
        shutil.rmtree(tmp / "site", ignore_errors=True)
        clean.append(run(build + ["--clean"], env))
    times["clean build"] = min(clean)
    times["plain floor"] = min(run([py, __file__, "--floor", str(content), str(tmp / f"floor{k}")], env)
                               for k in range(2))
    times["no-change rebuild"] = min(run(build, env) for _ in range(3))
    added = []
    for k in range(3):
        write_study(content, studies + k, conditions, drugs)
        added.append(run(build, env))
    times["add-one rebuild"] = min(added)
    edited = []
    for k in range(3):
        write_study(content, 7, conditions, drugs, edit=k + 1)
        edited.append(run(build, env))
    times["edit-one rebuild"] = min(edited)
    build_mb = peak_mb()            # (before the session's process, which keeps two builds' objects)
    os.sync()
    done = subprocess.run([py, __file__, "--session", str(content), str(tmp / "site" / "output"),
                           str(studies + 100), str(conditions), str(drugs)],
                          env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"the session step failed:\n{done.stderr[-3000:]}")
    rebuilds = [float(x) for x in done.stdout.split()]
    times["session add-one"] = min(rebuilds)
    return times, rebuilds, build_mb


def report(times: dict, rebuilds: list, build_mb: float, search: float | None) -> None:
    f = times["plain floor"]
    print(f"{'step':<20}{'seconds':>9}{'x floor':>9}{'cpu-s':>8}  target")
    for name in ["plain floor", *TARGETS]:
        took = times[name]
        unit, limit = TARGETS.get(name, ("", None))
        value = took / f if unit == "x floor" else took
        verdict = "" if limit is None else \
            f"{'<=' if unit == 'x floor' else '<'} {limit:g}{' s' if unit == 's' else 'x floor'}: " \
            f"{'met' if value <= limit else 'MISSED'}"
        print(f"{name:<20}{took:>9.2f}{took / f:>9.2f}{CPU.get(took, 0):>8.2f}  {verdict}")
    if search is not None:
        print(f"{'search (Pagefind)':<20}{search:>9.2f}{search / f:>9.2f}  reported on its own")
    print(f"Peak memory (largest single process, ru_maxrss): builds and floor {build_mb:.0f} MB "
          f"(target < 1024 MB: {'met' if build_mb < 1024 else 'MISSED'}); "
          f"with the session and Pagefind {peak_mb():.0f} MB")
    print("Times are the best of 2 (clean, floor) or 3 (rebuilds) runs, each a fresh process; "
          f"session add-one: the best of {SESSION_ADDS} rebuilds in one process "
          f"({', '.join(f'{x:.2f}' for x in rebuilds)} s).")
    print(f"Machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
          f"load average {os.getloadavg()[0]:.1f} (other work on the machine slows every step)")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--studies", type=int, default=5000, help="studies in the corpus (default 5000)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--floor", nargs=2, metavar=("CONTENT", "OUTPUT"), help=argparse.SUPPRESS)
    ap.add_argument("--session", nargs=5, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.floor:
        floor(Path(a.floor[0]), Path(a.floor[1]))
        return 0
    if a.session:
        session(Path(a.session[0]), Path(a.session[1]), *map(int, a.session[2:]))
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="evidence-bench-"))
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1790000000", "CI": "1"}
    # as on a default Python install, compiled modules are kept in __pycache__ (some machines,
    # this one included, set PYTHONDONTWRITEBYTECODE: every run then compiles the build's
    # modules again)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    try:
        t = time.perf_counter()
        content = make_corpus(tmp / "content", a.studies)
        print(f"Corpus: {a.studies} synthetic studies (written in {time.perf_counter() - t:.1f} s) in {tmp}")
        times, rebuilds, build_mb = steps(tmp, content, a.studies, env)
        os.sync()
        t = time.perf_counter()
        from evidence.build.search import command     # the build's own indexer command
        done = subprocess.run(command(tmp / "site" / "output"), env=env, capture_output=True)
        report(times, rebuilds, build_mb, time.perf_counter() - t if done.returncode == 0 else None)
    finally:
        if a.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

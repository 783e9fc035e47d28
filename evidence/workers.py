"""Both cores: a fork pool for checking and rendering, and the progress bar (issue 9).

Forked workers inherit what the parent prepared (JOB) without pickling it; they
return only small results. Below PARALLEL_MIN items, forking costs more than it saves.
"""
from __future__ import annotations

import os
import sys

PARALLEL_MIN = 200
JOB: dict = {}               # what forked workers inherit (fork copies it for free)


class Progress:
    """A one-line progress bar on a terminal; silent in CI, with --quiet or when piped."""

    def __init__(self, quiet: bool):
        self.on = not quiet and sys.stderr.isatty() and not os.environ.get("CI")

    def show(self, label: str, done: int, total: int) -> None:
        if self.on and total >= PARALLEL_MIN:
            bar = "#" * (30 * done // total)
            sys.stderr.write(f"\r{label:<8} [{bar:<30}] {done}/{total}")
            if done >= total:
                sys.stderr.write("\r" + " " * 60 + "\r")
            sys.stderr.flush()


def pool(jobs: int, n: int):
    """A fork pool when it pays off (several cores, enough work), else None."""
    import multiprocessing
    if jobs < 2 or n < PARALLEL_MIN or "fork" not in multiprocessing.get_all_start_methods():
        return None
    return multiprocessing.get_context("fork").Pool(jobs)


def chunks(n: int, size: int = 64) -> list[range]:
    return [range(i, min(i + size, n)) for i in range(0, n, size)]


def background(fn, *args):
    """Run fn(*args) in a forked child while this process goes on (the second core);
    returns a function that waits for its result. Where forking is not possible, or
    the child fails, that function runs fn here instead: same result, no speed-up."""
    import pickle
    if not hasattr(os, "fork"):
        return lambda: fn(*args)
    try:
        r, w = os.pipe()
        pid = os.fork()
    except OSError:
        return lambda: fn(*args)
    if pid == 0:                            # the child: compute, send, leave at once
        code = 1
        try:
            os.close(r)
            data = pickle.dumps(fn(*args), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(w, "wb") as out:
                out.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(w)

    def result():
        with os.fdopen(r, "rb") as got:
            data = got.read()
        _, status = os.waitpid(pid, 0)
        if status == 0:
            try:
                return pickle.loads(data)
            except Exception:  # noqa: BLE001 - fall back to computing it here
                pass
        return fn(*args)
    return result

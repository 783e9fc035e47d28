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


def die_with_parent() -> None:
    """Ask Linux to kill this process when the build that started it dies (prctl
    PR_SET_PDEATHSIG): a worker left running by a killed build would go on writing into a
    staging folder that the next build has already removed (issue 19)."""
    try:
        import ctypes
        import signal
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)     # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass                            # not Linux: such a child ends when its work does


def pool(jobs: int, n: int):
    """A fork pool when it pays off (several cores, enough work), else None."""
    if jobs < 2 or n < PARALLEL_MIN:
        return None
    import multiprocessing              # (only then)
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    return multiprocessing.get_context("fork").Pool(jobs, initializer=die_with_parent)


def chunks(n: int, size: int = 64) -> list[range]:
    return [range(i, min(i + size, n)) for i in range(0, n, size)]


class Early:
    """A forked child started before this process knows all the work it will hand over
    (the second core at the start of a rebuild). At once it computes first() and sends
    the result; then it runs prepare() (imports, tables) and waits for the arguments of
    second, sent by send(); then it sends second(*args). Where forking is not possible,
    or the child fails, the same functions run here instead: same results, no speed-up."""

    def __init__(self, first, prepare, second):
        self.fns, self.pid, self._first = (first, second), 0, None
        if not hasattr(os, "fork"):
            return
        try:
            r, w = os.pipe()
            r2, w2 = os.pipe()
            pid = os.fork()
        except OSError:
            return
        if pid == 0:                    # the child: answer, prepare, answer, leave at once
            code = 1
            try:
                die_with_parent()
                os.close(r)
                os.close(w2)
                with os.fdopen(w, "wb") as out, os.fdopen(r2, "rb") as got:
                    _send(out, first())
                    prepare()
                    args = _receive(got)
                    if args is not None:
                        _send(out, second(*args[0]))
                code = 0
            finally:
                os._exit(code)
        os.close(w)
        os.close(r2)
        self.pid, self.got, self.out = pid, os.fdopen(r, "rb"), os.fdopen(w2, "wb")

    def first(self):
        """first()'s result (read once; what the child sent, or computed here)."""
        if self._first is None:
            got = _receive(self.got) if self.pid else None
            self._first = got if got is not None else (self.fns[0](),)
        return self._first[0]

    def send(self, *args):
        """Hand args to the child; returns a function that waits for second(*args)."""
        self.first()                    # the child sends first()'s result before reading
        if self.pid:
            try:
                _send(self.out, args)
                self.out.close()
            except OSError:
                self.stop()

        def result():
            got = _receive(self.got) if self.pid else None
            self.stop()
            return got[0] if got is not None else self.fns[1](*args)
        return result

    def stop(self) -> None:
        """End the child (it only reads; nothing of its work is lost but time)."""
        if self.pid:
            import signal
            try:
                os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass
            os.waitpid(self.pid, 0)
            self.pid = 0
            for f in (self.got, self.out):
                try:
                    f.close()
                except OSError:
                    pass


def _send(out, value) -> None:
    import pickle
    data = pickle.dumps((value,), protocol=pickle.HIGHEST_PROTOCOL)
    out.write(len(data).to_bytes(8, "little") + data)
    out.flush()


def _receive(got):
    """A value _send wrote, as a 1-tuple; None at the end of the pipe or when damaged."""
    import pickle
    try:
        head = got.read(8)
        data = got.read(int.from_bytes(head, "little")) if len(head) == 8 else b""
        value = pickle.loads(data) if data else None
    except Exception:  # noqa: BLE001 - the child failed: the caller computes it here
        return None
    return value if isinstance(value, tuple) and len(value) == 1 else None

"""Both cores: forked children for checking and rendering, and the progress bar (issue 9).

A forked child inherits, without pickling, whatever the function it runs refers to
(the build's job: its environment, its site, its items); it sends back only small
results over a pipe. Below PARALLEL_MIN items, forking costs more than it saves.

Every child is started by `fork_child`, the one place a forked process ends: it runs
its function and leaves with os._exit, never returning into the parent's stack (the
build's `finally` blocks, pytest, atexit handlers), which the fork copied but which
belong to the parent.
"""
from __future__ import annotations

import os
import sys

PARALLEL_MIN = 200


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


def fork_child(run) -> int:
    """Fork a child that runs run() and ends; returns its pid (0 when forking failed).
    The child dies with the parent and leaves with os._exit whatever run() does: a
    forked child must never return into the parent's code. run()'s failures only end
    the child (the parent sees its pipe close, and does the work itself or reports it)."""
    try:
        pid = os.fork()
    except OSError:
        return 0
    if pid:
        return pid
    code = 1
    try:
        die_with_parent()
        run()
        code = 0
    finally:
        os._exit(code)


def chunks(n: int, size: int = 64) -> list[range]:
    return [range(i, min(i + size, n)) for i in range(0, n, size)]


def pool(jobs: int, n: int, work) -> "ForkPool | None":
    """Forked workers running work(range) (a function closed over what the items need:
    the fork copies it) when it pays off (several cores, enough items), else None."""
    if jobs < 2 or n < PARALLEL_MIN or not hasattr(os, "fork"):
        return None
    return ForkPool(jobs, work)


class ForkPool:
    """`jobs` forked children sharing a list of ranges: each takes the next range from one
    pipe (8-byte records, read whole), runs work on it and sends the result back on a pipe
    of its own. Results come back in the order they are done (imap_unordered)."""

    def __init__(self, jobs: int, work):
        self.work, self.jobs, self.pids, self.readers = work, jobs, [], []

    def __enter__(self) -> "ForkPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def imap_unordered(self, parts: list[range]):
        tasks, feed = os.pipe()
        for p in parts:                 # a few kilobytes: the pipe holds them all
            os.write(feed, p.start.to_bytes(4, "little") + p.stop.to_bytes(4, "little"))
        os.close(feed)
        for _ in range(self.jobs):
            r, w = os.pipe()
            pid = fork_child(lambda: self._serve(tasks, w))
            os.close(w)
            if pid:
                self.pids.append(pid)
                self.readers.append(os.fdopen(r, "rb", buffering=0))   # select() sees all it holds
            else:
                os.close(r)
        os.close(tasks)
        if not self.pids:
            raise OSError("cannot fork a worker")
        yield from self._results(len(parts))

    def _serve(self, tasks: int, w: int) -> None:
        for r in self.readers:
            r.close()
        with os.fdopen(w, "wb") as out:
            while len(record := os.read(tasks, 8)) == 8:
                try:
                    value = (True, self.work(range(int.from_bytes(record[:4], "little"),
                                                   int.from_bytes(record[4:], "little"))))
                except BaseException as e:  # noqa: BLE001 - raised again in the parent
                    value = (False, e)
                try:
                    send(out, value)
                except Exception:  # noqa: BLE001 - an exception that does not pickle
                    send(out, (False, RuntimeError(repr(value[1]))))
                if not value[0]:
                    return

    def _results(self, count: int):
        import select
        live = list(self.readers)
        while count:
            if not live:
                raise RuntimeError("a worker process stopped before its work was done")
            for got in select.select(live, [], [])[0]:
                value = receive(got)
                if value is None:          # its pipe closed: that worker is done (or died)
                    live.remove(got)
                    continue
                ok, result = value[0]
                if not ok:
                    raise result
                count -= 1
                yield result

    def close(self) -> None:
        """End the workers (all done, or no longer needed after a failure) and reap them."""
        import signal
        for r in self.readers:
            r.close()
        for pid in self.pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
            os.waitpid(pid, 0)
        self.pids, self.readers = [], []


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
        r, w = os.pipe()
        r2, w2 = os.pipe()
        self.pid = fork_child(lambda: self._child((r, w2), w, r2, prepare))
        os.close(w)
        os.close(r2)
        self.got, self.out = os.fdopen(r, "rb"), os.fdopen(w2, "wb")
        if not self.pid:
            self.stop()

    def _child(self, parents: tuple[int, int], w: int, r2: int, prepare) -> None:
        """In the child: answer, prepare, answer (the parent's pipe ends closed, so that
        each side sees the other's end)."""
        for fd in parents:
            os.close(fd)
        with os.fdopen(w, "wb") as out, os.fdopen(r2, "rb") as got:
            send(out, self.fns[0]())
            prepare()
            args = receive(got)
            if args is not None:
                send(out, self.fns[1](*args[0]))

    def first(self):
        """first()'s result (read once; what the child sent, or computed here)."""
        if self._first is None:
            got = receive(self.got) if self.pid else None
            self._first = got if got is not None else (self.fns[0](),)
        return self._first[0]

    def send(self, *args):
        """Hand args to the child; returns a function that waits for second(*args)."""
        self.first()                    # the child sends first()'s result before reading
        if self.pid:
            try:
                send(self.out, args)
                self.out.close()
            except OSError:
                self.stop()

        def result():
            got = receive(self.got) if self.pid else None
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


def send(out, value) -> None:
    import pickle
    data = pickle.dumps((value,), protocol=pickle.HIGHEST_PROTOCOL)
    out.write(len(data).to_bytes(8, "little") + data)
    out.flush()


def receive(got):
    """A value send() wrote, as a 1-tuple; None at the end of the pipe or when damaged."""
    import pickle
    try:
        head = _read(got, 8)
        data = _read(got, int.from_bytes(head, "little")) if len(head) == 8 else b""
        value = pickle.loads(data) if data else None
    except Exception:  # noqa: BLE001 - the child failed: the caller computes it here
        return None
    return value if isinstance(value, tuple) and len(value) == 1 else None


def _read(got, n: int) -> bytes:
    """n bytes, fewer only at the end of the pipe (an unbuffered pipe returns what it has)."""
    data = got.read(n)
    if not data or len(data) == n:
        return data
    parts, have = [data], len(data)
    while have < n:
        more = got.read(n - have)
        if not more:
            break
        parts.append(more)
        have += len(more)
    return b"".join(parts)

"""`build.py serve`: build, serve output/ on 127.0.0.1, rebuild incrementally when content,
templates or static files change (watchdog), and reload the open page (issue 9).

The reload script (evidence/assets/live-reload.js) is added to HTML responses by this
server only; files in output/ are exactly what `build.py` writes. A content error is
printed and shown on the open page; the last good site stays served until it is fixed.
"""
from __future__ import annotations

import http.server
import io
import json
import os
import sys
import threading
import time
import urllib.parse
from functools import partial
from pathlib import Path

from ..content.errors import format_error, summary_line
from ..build.state import Session
from ..build.pipeline import BuildFailed, build
from ..pages.render import TEMPLATES
from .server import Handler

DEBOUNCE = 0.2
SCRIPT = Path(__file__).resolve().parent / "assets" / "live-reload.js"
SCRIPT_URL = "/__live/reload.js"
TAG = f'<script src="{SCRIPT_URL}" defer></script>'.encode()


class LiveState:
    """The build the open pages should show: a counter and the last error text."""

    def __init__(self):
        self.version, self.error = 0, None


class LiveHandler(Handler):
    """The preview handler plus two routes: the reload script and the build status."""

    def __init__(self, *args, live: LiveState, **kwargs):
        self.live = live
        super().__init__(*args, **kwargs)

    def send_head(self):
        route = urllib.parse.urlsplit(self.path).path
        if route == "/__live/status":
            body = json.dumps({"version": self.live.version, "error": self.live.error}).encode()
            return self._send(body, "application/json")
        if route == SCRIPT_URL:
            return self._send(SCRIPT.read_bytes(), "text/javascript; charset=utf-8")
        try:
            target = self.translate_path(self.path)
        except UnicodeDecodeError:
            target = ""
        if target and os.path.isdir(target) and route.endswith("/"):
            target = os.path.join(target, "index.html")
        if target and target.endswith(".html") and os.path.isfile(target):
            html = Path(target).read_bytes()
            at = html.rfind(b"</body>")
            html = html[:at] + TAG + html[at:] if at >= 0 else html + TAG
            return self._send(html, "text/html; charset=utf-8")
        return super().send_head()

    def _send(self, body: bytes, ctype: str):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


class Preview:
    """A running preview: server thread, file watcher and rebuild thread."""

    def __init__(self, content: Path, output: Path, host: str = "127.0.0.1", port: int = 8000,
                 strict: bool = False, templates: Path = TEMPLATES, log=print, search: bool = True,
                 tidy=None):
        self.content, self.output, self.strict, self.templates = Path(content), Path(output), strict, templates
        self.search = search           # False: --no-search, no index at all
        self.live, self.log = LiveState(), log
        self.session = Session(tidy=tidy)   # the checked content, fragments and last build, between rebuilds
        self.pending, self.stopping = threading.Event(), threading.Event()
        self.rebuild()
        self.session.settle()
        self.output.mkdir(parents=True, exist_ok=True)
        self.server = http.server.ThreadingHTTPServer(
            (host, port), partial(LiveHandler, root=self.output.resolve(), live=self.live))
        self.server.daemon_threads = True
        self.url = f"http://{host}:{self.server.server_address[1]}/"

    def rebuild(self) -> bool:
        """Build incrementally; on content errors keep the last good site and show them."""
        try:
            result = build(self.content, self.output, strict=self.strict, search=False,
                           jobs=1, templates=self.templates,   # jobs=1: no fork beside threads
                           session=self.session)
        except BuildFailed as failed:
            text = "\n".join(format_error(e) for e in failed.problems)
            errors = [e for e in failed.problems if e.severity == "error"] or failed.problems
            text += "\n" + summary_line(errors, "still serving the last good site")
            print(text, file=sys.stderr)
            self.live.error = text
            return False
        self.live.error = None
        if result.written or result.removed or self.live.version == 0:
            self.live.version += 1
            self._refresh_search()
        self.log(result.summary().splitlines()[0] + f" ({result.written} written)")
        return True

    def _refresh_search(self) -> None:
        """Index the served site in the background (Pagefind has no incremental mode)."""
        if not self.search:
            return
        if getattr(self, "_indexing", None) and self._indexing.is_alive():
            return                           # the next rebuild indexes again
        from ..build import search

        def run():
            try:
                search.index(self.output)
            except Exception as e:  # noqa: BLE001 - search is a convenience while previewing
                print(f"search index not refreshed: {e}", file=sys.stderr)
        self._indexing = threading.Thread(target=run, daemon=True)
        self._indexing.start()

    def start(self) -> "Preview":
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer
        pending = self.pending

        class OnChange(FileSystemEventHandler):
            def on_any_event(self, event):
                if event.event_type not in ("opened", "closed_no_write"):
                    pending.set()

        self.observer = Observer()
        for folder in (self.content, self.templates):
            self.observer.schedule(OnChange(), str(folder), recursive=True)
        self.observer.start()
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.worker = threading.Thread(target=self._loop, daemon=True)
        self.worker.start()
        return self

    def _loop(self) -> None:
        while not self.stopping.is_set():
            if self.pending.wait(0.2):
                time.sleep(DEBOUNCE)         # one save fires several events
                self.pending.clear()
                try:
                    self.rebuild()
                except Exception as e:  # noqa: BLE001 - keep serving; say what happened
                    self.live.error = f"build.py: {type(e).__name__}: {e}"
                    print(self.live.error, file=sys.stderr)
                self.session.settle()        # while the page reloads, not in the next rebuild

    def stop(self) -> None:
        self.stopping.set()
        self.observer.stop()
        self.server.shutdown()
        self.server.server_close()


def serve(content: Path, output: Path, host: str, port: int, strict: bool = False,
          search: bool = True, tidy=None) -> int:
    """Build, serve and watch until interrupted; the search index is refreshed in the
    background; tidy() runs between rebuilds (state.Session.settle)."""
    preview = Preview(content, output, host, port, strict, search=search, tidy=tidy).start()
    print(f"Serving {output}/ at {preview.url} (Ctrl+C to stop)")
    try:
        while True:
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("Stopped.")
    finally:
        preview.stop()
    return 0

"""`build.py serve`: build, serve output/ on 127.0.0.1, rebuild when content,
templates or the schema change (watchdog, debounced)."""
from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

from .errors import format_error
from .pipeline import BuildFailed, build
from .render import TEMPLATES
from .server import make_server

DEBOUNCE = 0.2


def _rebuild(content: Path, output: Path, strict: bool, search: bool = True) -> bool:
    try:
        result = build(content, output, strict=strict, search=search)
    except BuildFailed as failed:
        for e in failed.problems:
            print(format_error(e), file=sys.stderr)
        print("Build failed; still serving the last good site.", file=sys.stderr)
        return False
    print(result.summary().splitlines()[0])
    return True


def serve(content: Path, output: Path, host: str, port: int, strict: bool = False, search: bool = True) -> int:
    """Build, serve and watch until interrupted."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    _rebuild(content, output, strict, search)
    output.mkdir(parents=True, exist_ok=True)
    srv = make_server(output, host, port)
    print(f"Serving {output}/ at http://{host}:{srv.server_address[1]}/ (Ctrl+C to stop)")
    pending = threading.Event()

    class OnChange(FileSystemEventHandler):
        def on_any_event(self, event):
            if event.event_type in ("opened", "closed_no_write"):
                return
            pending.set()

    observer = Observer()
    for folder in (content, TEMPLATES):
        observer.schedule(OnChange(), str(folder), recursive=True)
    observer.start()
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        while True:
            if pending.wait(0.5):
                time.sleep(DEBOUNCE)       # one save fires several events
                pending.clear()
                _rebuild(content, output, strict, search)
    except KeyboardInterrupt:
        print("Stopped.")
    finally:
        observer.stop()
        srv.shutdown()
    return 0

"""The preview HTTP server: serves files under output/ only, by path, so a rebuilt
(swapped-in) output/ is picked up without a restart."""
from __future__ import annotations

import http.server
import os
import posixpath
import urllib.parse
from functools import partial
from pathlib import Path


class Handler(http.server.SimpleHTTPRequestHandler):
    """Serve only regular files inside the output folder; anything else is 404."""

    server_version = "evidence-preview"
    sys_version = ""

    def __init__(self, *args, root: Path, **kwargs):
        self.root = Path(root)
        super().__init__(*args, directory=str(root), **kwargs)

    def translate_path(self, path: str) -> str:
        """Map a URL path into output/; refuse anything that leaves it."""
        path = urllib.parse.urlsplit(path).path
        path = urllib.parse.unquote(path, errors="strict")
        if "\x00" in path or "\\" in path:
            return ""
        parts = [p for p in posixpath.normpath(path).split("/") if p not in ("", ".")]
        if any(p == ".." for p in parts):
            return ""
        root = os.path.realpath(self.root)
        full = os.path.realpath(os.path.join(root, *parts))
        if full != root and not full.startswith(root + os.sep):
            return ""                         # a symlink out of output/
        return full

    def send_head(self):
        try:
            target = self.translate_path(self.path)
        except UnicodeDecodeError:
            target = ""
        if not target:
            self.send_error(404, "Not found")
            return None
        if os.path.isdir(target) and not self.path.split("?")[0].endswith("/"):
            return super().send_head()        # redirect to the slash form
        if os.path.isdir(target):
            target = os.path.join(target, "index.html")
        if not os.path.isfile(target):
            return self._not_found()
        return super().send_head()

    def list_directory(self, path):  # never list folders
        return self._not_found()

    def _not_found(self):
        page = os.path.join(os.path.realpath(self.root), "404.html")
        body = Path(page).read_bytes() if os.path.isfile(page) else b"Not found"
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return None

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def log_message(self, format, *args):  # quiet: the terminal shows build output
        pass


def make_server(root: Path, host: str = "127.0.0.1", port: int = 8000):
    """A threaded HTTP server for root (not started)."""
    srv = http.server.ThreadingHTTPServer((host, port), partial(Handler, root=Path(root).resolve()))
    srv.daemon_threads = True
    return srv

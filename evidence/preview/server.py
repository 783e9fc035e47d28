"""The preview HTTP server: serves files under output/ only, by path, so a rebuilt
(swapped-in) output/ is picked up without a restart.

Hardened for a laptop (issue 7): `..`, encoded `%2e%2e`, absolute paths, backslashes, NUL
and symlinks out of output/ all give 404; folders are never listed; a malformed request
gets 400 and the server keeps serving; an idle connection is dropped after TIMEOUT seconds.
"""
from __future__ import annotations

import http.server
import os
import posixpath
import urllib.parse
from functools import partial
from pathlib import Path

from ..pages.render import CSP


class Handler(http.server.SimpleHTTPRequestHandler):
    """Serve only regular files inside the output folder; anything else is 404."""

    server_version = "evidence-preview"
    sys_version = ""
    timeout = 10      # seconds: a client that connects and sends nothing cannot pin a thread
    default_request_version = "HTTP/1.0"   # so even a garbled request line gets a status line

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
        if os.path.isdir(target) and not urllib.parse.urlsplit(self.path).path.endswith("/"):
            return self._redirect_to_folder()
        if os.path.isdir(target):
            target = os.path.join(target, "index.html")
        if not os.path.isfile(target):
            return self._not_found()
        return super().send_head()

    def _redirect_to_folder(self):
        """301 to the same path with a slash, always on this host (never `//other.host/`)."""
        path = "/" + urllib.parse.urlsplit(self.path).path.lstrip("/") + "/"
        self.send_response(301)
        self.send_header("Location", urllib.parse.quote(path, safe="/%"))
        self.send_header("Content-Length", "0")
        self.end_headers()
        return None

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
        # as the pages' meta tag, plus framing (which a meta tag cannot say)
        self.send_header("Content-Security-Policy", CSP + "; frame-ancestors 'none'")
        self.send_header("Referrer-Policy", "no-referrer")
        super().end_headers()

    def log_message(self, format, *args):  # quiet: the terminal shows build output
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64     # a burst of page + stylesheet + search requests queues, not fails


def make_server(root: Path, host: str = "127.0.0.1", port: int = 8000):
    """A threaded HTTP server for root (not started); loopback only unless told otherwise."""
    return _Server((host, port), partial(Handler, root=Path(root).resolve()))

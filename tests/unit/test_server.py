"""The preview server: only files under output/, loopback by default, 400 for a malformed
request without dying, and a bounded burst of concurrent requests answered."""
from __future__ import annotations

import os
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from support import copy_site, run_inprocess
from evidence.cli import make_parser
from evidence.preview.server import make_server

SECRET = b"TOP-SECRET-OUTSIDE-OUTPUT"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The minimal site built and served on 127.0.0.1, with bait files outside output/."""
    site = copy_site(tmp_path_factory.mktemp("srv"))
    assert run_inprocess(site).code == 0
    out = site / "output"
    (site / "secret.txt").write_bytes(SECRET)
    (site / "secret-dir").mkdir()
    (site / "secret-dir" / "index.html").write_bytes(SECRET)
    os.symlink(site / "secret.txt", out / "link-out.txt")           # a symlink out of output/
    os.symlink(site / "secret-dir", out / "dir-out")
    os.symlink(out / "index.html", out / "link-in.html")            # a symlink that stays inside
    # a sibling whose name starts with "output": a plain string-prefix containment check
    # ("/tmp/x/output-private".startswith("/tmp/x/output")) would let these through
    (site / "output-private").mkdir()
    (site / "output-private" / "secret.txt").write_bytes(SECRET)
    os.symlink(site / "output-private", out / "private-dir")
    os.symlink(site / "output-private" / "secret.txt", out / "private.txt")
    srv = make_server(out, port=0)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv.server_address[1], out
    srv.shutdown()
    srv.server_close()


def raw(port: int, request: bytes, timeout: float = 10) -> bytes:
    """Send bytes as they are (no client-side normalising) and read the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(request)
        chunks = []
        while True:
            b = s.recv(65536)
            if not b:
                break
            chunks.append(b)
    return b"".join(chunks)


def get(port: int, target: str) -> tuple[int, bytes, bytes]:
    reply = raw(port, f"GET {target} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode("latin-1"))
    head, _, body = reply.partition(b"\r\n\r\n")
    return int(head.split()[1]), head, body


def test_serves_pages(served) -> None:
    port, out = served
    status, head, body = get(port, "/")
    assert status == 200 and body == (out / "index.html").read_bytes()
    status, _, body = get(port, "/studies/rituximab-childhood-sle-2005/")
    assert status == 200 and b"750" in body
    assert b"Content-Security-Policy: default-src 'none'" in head
    assert b"X-Content-Type-Options: nosniff" in head
    assert get(port, "/link-in.html")[0] == 200


@pytest.mark.parametrize("target", [
    "/../secret.txt", "/../../../../etc/passwd", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt",
    "/%2e%2e%2fsecret.txt", "/studies/%2e%2e/%2e%2e/secret.txt", "/..%2fsecret.txt",
    "/%252e%252e/secret.txt", "/..\\secret.txt", "/%5c..%5csecret.txt", "/.%2e/secret.txt",
    "/etc/passwd", "//etc/passwd", "http://127.0.0.1/../secret.txt", "/%00index.html",
    "/index.html%00.txt", "/%ff%fe", "/link-out.txt", "/dir-out/", "/dir-out/index.html",
    "/secret.txt", "/assets/", "/pagefind/", "/.output-lock", "/../.output-lock",
    "/private.txt", "/private-dir/secret.txt", "/../output-private/secret.txt",
])
def test_nothing_outside_output(served, target: str) -> None:
    """Traversal in every spelling, absolute paths and symlinks out: 404, never the bait."""
    status, _, body = get(served[0], target)
    assert status == 404, target
    assert SECRET not in body and b"root:" not in body


@pytest.mark.parametrize("target", [b"../secret.txt", b"../output/index.html", b"..",
                                    b"studies/../../secret.txt", b"../output-private/secret.txt"])
def test_relative_traversal_is_refused(served, target: bytes) -> None:
    """A request line whose path does not start with "/" (no client sends one, so the cases
    above never test it): `..` is refused as written, even where it would lead back into
    output/ (../output/index.html), which only the `..` rule catches."""
    reply = raw(served[0], b"GET " + target + b" HTTP/1.0\r\n\r\n")
    assert reply.startswith(b"HTTP/1.0 404 "), reply[:80]
    assert SECRET not in reply


def test_folder_without_slash_redirects_on_this_host(served) -> None:
    status, head, _ = get(served[0], "//evil.example/studies")
    assert status in (301, 404)
    assert b"Location: //" not in head and b"evil.example" not in head
    status, head, _ = get(served[0], "/studies/rituximab-childhood-sle-2005")
    assert status == 301 and b"Location: /studies/rituximab-childhood-sle-2005/\r\n" in head


def test_missing_page_is_the_site_404(served) -> None:
    port, out = served
    status, _, body = get(port, "/no-such-page/")
    assert status == 404 and body == (out / "404.html").read_bytes()


@pytest.mark.parametrize("request_bytes", [
    b"GARBAGE\r\n\r\n",
    b"GET / HTTP/9.9\r\n\r\n",
    b"GET /\x00 HTTP/1.1\r\n\r\n",
    b"\xff\xfe\xfd\r\n\r\n",
    b"GET / HTTP/1.1\r\nX: " + b"a" * 70000 + b"\r\n\r\n",
    b"GET " + b"/a" * 40000 + b" HTTP/1.1\r\n\r\n",
    b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 200 + b"\r\n",
])
def test_malformed_request_gets_an_error_and_the_server_lives(served, request_bytes: bytes) -> None:
    reply = raw(served[0], request_bytes)
    status = int(reply.split()[1])
    assert 400 <= status < 500 or status == 505, reply[:80]
    assert get(served[0], "/")[0] == 200


def test_garbage_request_is_400(served) -> None:
    assert raw(served[0], b"GARBAGE\r\n\r\n").startswith(b"HTTP/1.0 400 ")


def test_half_open_connection_does_not_block_others(served) -> None:
    """A client that connects and says nothing does not stop other requests."""
    idle = socket.create_connection(("127.0.0.1", served[0]))
    try:
        assert get(served[0], "/")[0] == 200
    finally:
        idle.close()


def test_burst_of_concurrent_requests(served) -> None:
    """200 requests from 32 threads at once on loopback: all answered correctly."""
    port, out = served
    want = (out / "index.html").read_bytes()
    paths = ["/", "/glossary/", "/assets/site.css", "/../secret.txt", "/nope"] * 40

    def one(p: str) -> int:
        status, _, body = get(port, p)
        if status == 200 and p == "/":
            assert body == want
        return status

    with ThreadPoolExecutor(32) as pool:
        statuses = list(pool.map(one, paths))
    assert statuses.count(200) == 120 and statuses.count(404) == 80
    assert get(port, "/")[0] == 200


def test_binds_loopback_by_default(tmp_path: Path) -> None:
    srv = make_server(tmp_path, port=0)
    try:
        assert srv.server_address[0] == "127.0.0.1"
    finally:
        srv.server_close()
    args = make_parser().parse_args(["serve"])
    assert args.host == "127.0.0.1"

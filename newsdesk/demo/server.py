"""A small static HTTP server on 127.0.0.1 for the demo's fictional outlets (and the tests).

It substitutes `__BASE__` in served files with its own address, answers
conditional requests with 304, and gzips when asked, like a real news site.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

TYPES = {
    ".xml": "application/xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".json": "application/feed+json; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}

#: a route handler gets the request handler and returns True when it answered
Route = Callable[[BaseHTTPRequestHandler], bool]


class FixtureServer:
    """Serve a folder over HTTP on 127.0.0.1, in a background thread."""

    def __init__(self, root: Path, port: int = 0, routes: dict[str, Route] | None = None) -> None:
        self.root = root.resolve()
        self.routes = routes or {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._gzip_cache: dict[str, bytes] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # headers and body leave in two writes; without this each response waits
            # ~40 ms for the client's delayed ACK, as real servers do not
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                path = unquote(urlsplit(self.path).path)
                server.requests.append((path, {k.lower(): v for k, v in self.headers.items()}))
                route = server.routes.get(path)
                if route is not None and route(self):
                    return
                server.serve_file(self, path)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}"

    def __enter__(self) -> FixtureServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def body_for(self, path: str) -> bytes | None:
        target = (self.root / path.lstrip("/")).resolve()
        if self.root not in target.parents or not target.is_file():
            return None
        return target.read_bytes().replace(b"__BASE__", self.base.encode())

    def _gzipped(self, body: bytes, key: str) -> bytes:
        """The body compressed, once per content (`key`, its hash), as a web server's
        gzip cache does: compressing a feed took longer than all else done for it."""
        found = self._gzip_cache.get(key)
        if found is None:
            found = gzip.compress(body, mtime=0)
            if len(self._gzip_cache) >= 4096:
                self._gzip_cache.clear()
            self._gzip_cache[key] = found
        return found

    def serve_file(self, handler: BaseHTTPRequestHandler, path: str) -> None:
        body = self.body_for(path)
        if body is None:
            send(handler, 404, b"not found", "text/plain")
            return
        digest = hashlib.sha1(body).hexdigest()
        etag = '"' + digest[:16] + '"'
        if handler.headers.get("If-None-Match") == etag:
            send(handler, 304, b"", None, {"ETag": etag})
            return
        suffix = Path(path).suffix.lower()
        ctype = TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"
        extra = {"ETag": etag, "Last-Modified": "Sun, 22 Nov 2026 12:00:00 GMT"}
        if "gzip" in (handler.headers.get("Accept-Encoding") or ""):
            body = self._gzipped(body, digest)
            extra["Content-Encoding"] = "gzip"
        send(handler, 200, body, ctype, extra)


def send(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    content_type: str | None,
    headers: dict[str, str] | None = None,
) -> None:
    handler.send_response(status)
    if content_type:
        handler.send_header("Content-Type", content_type)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if body:
        handler.wfile.write(body)

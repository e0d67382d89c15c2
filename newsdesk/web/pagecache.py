"""The front cache: finished public pages answered before Django.

`newsdesk.wsgi.application`, which both servers run, is Django's application behind
`FrontCache`. A page the site marks `Cache-Control: public` (the public site's pages
and feeds, see newsdesk/archive/cache.py) is kept whole, status, headers and body as
Django sent them, in the process's memory under its address and the site's version.
The next request for that address, while the version stays, is answered from there
without the framework: no URL routing, no middleware, no template. The security
headers come along, since they were set on the kept response. `Pages` is a plain
dictionary, the least recently read page leaving first: Django's local-memory cache
copies each page through pickle on every read, which took as long as the rest of a
cached answer.

Each request still asks the database for the version, with one plain SQL statement
(`page_version`): a publish, withdrawal or import raises it, so every process of every
server sees the change on its next request; old pages are simply never read again.

What is never kept: anything but GET and HEAD, a request with a query string,
anything but 200, a response that sets a cookie or varies by cookie, and anything
not marked public (the desk's pages are not).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from newsdesk.newsroom.models import Publication

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
#: pages a process keeps (of some 5 to 50 KB each); those of an older version are
#: never read again and are the first to leave
KEPT_PAGES = 2000
#: headers a 304 repeats from the page it stands for
NOT_MODIFIED_HEADERS = ("cache-control", "etag", "vary", "content-location", "expires")

_table = Publication._meta.db_table
_VERSION_SQL = f"SELECT COUNT(*), SUM(site_version), MAX(id) FROM {_table}"


def page_version() -> str:
    """The site's version, the same string as newsroom.publications.site_version()
    (a test holds them equal), read with one SQL statement on the database driver's
    own cursor: the ORM takes some fifteen times longer to build the query, and
    Django's cursor wrappers (query logging, thread checks) as long again."""
    database = connections[DEFAULT_DB_ALIAS]
    database.ensure_connection()
    # the driver's errors as Django's: a dead connection (the database restarted)
    # is then marked, and Django's request handling, which answers instead, replaces it
    with database.wrap_database_errors:
        cursor = database.connection.cursor()
        try:
            cursor.execute(_VERSION_SQL)
            count, total, last = cursor.fetchone()
        finally:
            cursor.close()
    return f"{count}.{total or 0}.{last or 0}"


def page_key(version: str, scheme: str, host: str, path: str) -> str:
    """With the host: absolute links in a page follow the address it was asked at
    when NEWSDESK_SITE_URL is unset."""
    return f"{version} {scheme}://{host}{path}"


Page = tuple[str, list[tuple[str, str]], bytes, str]  # status, headers, body, ETag


class Pages:
    """At most `size` pages, the least recently read leaving first; safe across threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.kept: OrderedDict[str, Page] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> Page | None:
        with self.lock:
            page = self.kept.get(key)
            if page is not None:
                self.kept.move_to_end(key)
            return page

    def put(self, key: str, page: Page) -> None:
        with self.lock:
            self.kept[key] = page
            self.kept.move_to_end(key)
            while len(self.kept) > self.size:
                self.kept.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.kept.clear()


class FrontCache:
    """WSGI middleware around Django's application (see the module's docstring)."""

    def __init__(self, app: WSGIApp, size: int = KEPT_PAGES) -> None:
        self.app = app
        self.pages = Pages(size)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        if method not in ("GET", "HEAD") or environ.get("QUERY_STRING"):
            # no public page reads a query string: one made up to fill the cache, or
            # a page that reads it (search), goes to Django
            return self.app(environ, start_response)
        try:
            version = page_version()
        except DatabaseError:  # let Django answer, and open a fresh connection for it
            connections[DEFAULT_DB_ALIAS].close()
            return self.app(environ, start_response)
        key = page_key(
            version,
            environ.get("wsgi.url_scheme", "http"),
            environ.get("HTTP_HOST", ""),
            environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""),
        )
        kept = self.pages.get(key)
        if kept is None:
            return self.fill(key, environ, start_response)
        status, headers, body, etag = kept
        if etag and etag in environ.get("HTTP_IF_NONE_MATCH", ""):
            repeated = [(n, v) for n, v in headers if n.lower() in NOT_MODIFIED_HEADERS]
            start_response("304 Not Modified", repeated)
            return []
        start_response(status, headers)
        return [] if method == "HEAD" else [body]

    def fill(
        self, key: str, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        """Let Django answer, and keep the answer if it may be shared."""
        sent: list[Any] = []

        def remember(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            sent[:] = [status, headers]
            return start_response(status, headers, *exc_info)

        result = self.app(environ, remember)
        if environ["REQUEST_METHOD"] != "GET" or not sent or not shareable(*sent):
            return result
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        status, headers = sent
        etag = next((v for n, v in headers if n.lower() == "etag"), "")
        self.pages.put(key, (status, headers, body, etag))
        return [body]


def shareable(status: str, headers: list[tuple[str, str]]) -> bool:
    if not status.startswith("200 "):
        return False
    named = {name.lower(): value.lower() for name, value in headers}
    control = {part.strip() for part in named.get("cache-control", "").split(",")}
    return (
        "public" in control
        and "set-cookie" not in named
        and "cookie" not in named.get("vary", "")
        and "private" not in control
        and "no-store" not in control
    )

"""Polite, bounded, SSRF-safe HTTP fetching.

Every connection is checked where it is made: the network backend resolves the
host itself and refuses loopback, private, link-local and other internal
addresses unless the operator allowed that host. Because the check happens at
connect time, it covers every redirect hop and the IP actually used (no DNS
rebinding window between a check and the connection).

httpx's own HTTPTransport takes no network backend, so `_GuardedTransport` is a
small httpx transport over an httpcore connection pool that does: public API of
both libraries, nothing private replaced.
"""

from __future__ import annotations

import contextvars
import functools
import ipaddress
import os
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib import robotparser
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from newsdesk import __version__
from newsdesk.pipeline.errors import (
    BlockedURLError,
    FetchError,
    FetchTimeoutError,
    HTTPStatusError,
    RobotsDisallowedError,
    TooLargeError,
)
from newsdesk.pipeline.intake.decoding import UndecodableError, decoded
from newsdesk.pipeline.intake.urls import check_scheme, host_key
from newsdesk.pipeline.types import FetchResult

USER_AGENT = (
    f"newsdesk/{__version__} (+https://github.com/newsdesk/newsdesk; policy bulletin reader)"
)


@dataclass(frozen=True)
class FetchPolicy:
    """Limits for one fetcher. Defaults suit a small newsroom polling a few hundred feeds."""

    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_bytes: int = 10 * 1024 * 1024  # decoded body cap
    max_redirects: int = 5
    per_host_concurrency: int = 2
    per_host_delay: float = 0.0  # seconds between request starts to one host
    user_agent: str = USER_AGENT
    allow_hosts: frozenset[str] = field(default_factory=frozenset)  # "host" or "host:port"

    def allows(self, host: str, port: int | None) -> bool:
        host = host.lower().strip("[]")
        candidates = {host, f"{host}:{port}", f"[{host}]", f"[{host}]:{port}"}
        return not candidates.isdisjoint(self.allow_hosts)


def parse_allow_hosts(values: Iterable[str]) -> frozenset[str]:
    """Turn `--allow-host` values ("HOST" or "HOST:PORT") into the policy's set."""
    out: set[str] = set()
    for raw in values:
        value = raw.strip().lower()
        if not value or "/" in value or " " in value:
            raise BlockedURLError(f"--allow-host expects HOST or HOST:PORT, got {raw!r}")
        _, _, port = value.rpartition(":") if value.count(":") == 1 else (value, "", "")
        if port and not port.isdigit():
            raise BlockedURLError(f"--allow-host port must be a number, got {raw!r}")
        out.add(value)
    return frozenset(out)


def is_internal_address(ip: str) -> bool:
    """True for any address a user-supplied URL must never reach."""
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.is_site_local:  # fec0::/10: deprecated, yet routed inside some networks,
            return True  # and is_global counts it as global
        mapped = addr.ipv4_mapped or addr.sixtofour
        if mapped is not None:
            addr = mapped
        elif addr.teredo is not None:
            addr = addr.teredo[1]
    return not addr.is_global or addr.is_multicast or addr.is_reserved


#: when the fetch in progress on this thread must be done (time.monotonic()), or None
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "fetch_deadline", default=None
)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the fetch's deadline: the read
    timeout starts again with each byte, so a server sending a header line every few
    seconds would otherwise hold a fetch (and the run waiting for it) for ever."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self.stream = stream

    @staticmethod
    def _within(timeout: float | None, late: type[Exception]) -> float | None:
        deadline = _DEADLINE.get()
        if deadline is None:
            return timeout
        left = deadline - time.monotonic()
        if left <= 0:
            raise late("past the fetch's total time")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.stream.read(max_bytes, self._within(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.stream.write(buffer, self._within(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self.stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        within = self._within(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self.stream.start_tls(ssl_context, server_hostname, within))

    def get_extra_info(self, info: str) -> Any:
        return self.stream.get_extra_info(info)


class _GuardedBackend(httpcore.SyncBackend):
    """Resolves and vets the address of every TCP connection httpx opens."""

    def __init__(self, policy: FetchPolicy) -> None:
        self.policy = policy

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        if self.policy.allows(host, port):
            stream = super().connect_tcp(host, port, timeout, local_address, socket_options)
            return _DeadlineStream(stream)
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc.strerror}") from None
        except UnicodeError as exc:  # a label the resolver cannot encode
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
        addresses = [str(info[4][0]) for info in infos]
        internal = [a for a in addresses if is_internal_address(a)]
        if internal:
            raise BlockedURLError(
                f"{host} resolves to internal address {internal[0]}; "
                f"allow it with --allow-host {host}:{port} if this is intended"
            )
        last: Exception | None = None
        for address in addresses:
            try:
                stream = super().connect_tcp(address, port, timeout, local_address, socket_options)
                return _DeadlineStream(stream)
            except httpcore.ConnectError as exc:
                last = exc
        raise last or httpcore.ConnectError(f"no address for {host}")


# httpcore's errors as the httpx ones the fetcher catches, most specific first
_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)
_CORE_ERRORS = tuple(core for core, _ in _ERRORS)


@contextmanager
def _httpx_errors() -> Iterator[None]:
    """Raise an httpcore error as its httpx counterpart, which httpx.Client's callers expect."""
    try:
        yield
    except _CORE_ERRORS as exc:
        mapped = next(ours for core, ours in _ERRORS if isinstance(exc, core))
        raise mapped(str(exc)) from exc


class _BodyStream(httpx.SyncByteStream):
    """An httpcore response body as httpx reads it, with httpx's errors."""

    def __init__(self, body: Iterable[bytes]) -> None:
        self.body = body

    def __iter__(self) -> Iterator[bytes]:
        with _httpx_errors():
            yield from self.body

    def close(self) -> None:
        close = getattr(self.body, "close", None)
        if close is not None:
            close()


class _GuardedTransport(httpx.BaseTransport):
    """HTTP/1.1 over an httpcore pool whose every connection goes through the guard."""

    def __init__(self, policy: FetchPolicy, tls: ssl.SSLContext) -> None:
        self.pool = httpcore.ConnectionPool(
            ssl_context=tls,
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=_GuardedBackend(policy),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
            ),
            headers=request.headers.raw,
            content=request.read(),
            extensions=request.extensions,  # carries the timeouts
        )
        with _httpx_errors():
            response = self.pool.handle_request(core_request)
        assert isinstance(response.stream, Iterable)  # a sync pool answers a sync stream
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_BodyStream(response.stream),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self.pool.close()


class _HostGate:
    """Per-host concurrency limit and minimum delay between request starts."""

    def __init__(self, concurrency: int, delay: float) -> None:
        self.concurrency = max(1, concurrency)
        self.delay = delay
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._next_start: dict[str, float] = {}

    def _slot(self, host: str) -> threading.BoundedSemaphore:
        with self._lock:
            if host not in self._slots:
                self._slots[host] = threading.BoundedSemaphore(self.concurrency)
            return self._slots[host]

    def acquire(self, host: str) -> None:
        self._slot(host).acquire()
        if self.delay <= 0:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start.get(host, now))
            self._next_start[host] = start + self.delay
        if start > now:
            time.sleep(start - now)

    def release(self, host: str) -> None:
        self._slot(host).release()


def _tls_context() -> ssl.SSLContext:
    """Certificates verified against certifi's store (or SSL_CERT_FILE/SSL_CERT_DIR), as
    httpx does; loaded once per store (some 70 ms of CPU), since a worker makes a fetcher
    for every poll task. An SSLContext may be shared by clients and threads."""
    return _tls_context_for(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


@functools.cache
def _tls_context_for(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    return httpx.create_ssl_context()  # reads the same two variables


class Fetcher:
    """A thread-safe fetcher; share one per ingest run."""

    def __init__(self, policy: FetchPolicy | None = None) -> None:
        self.policy = policy or FetchPolicy()
        tls = _tls_context()
        self.client = httpx.Client(
            transport=_GuardedTransport(self.policy, tls),
            follow_redirects=False,
            trust_env=False,  # an environment proxy would bypass the address checks
            timeout=httpx.Timeout(self.policy.read_timeout, connect=self.policy.connect_timeout),
            headers={
                "User-Agent": self.policy.user_agent,
                "Accept-Encoding": "gzip, deflate, br",
            },
        )
        self._gate = _HostGate(self.policy.per_host_concurrency, self.policy.per_host_delay)
        self._robots: dict[str, robotparser.RobotFileParser | None] = {}
        self._robots_lock = threading.Lock()

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = "*/*",
        respect_robots: bool = False,
    ) -> FetchResult:
        """GET `url`, following a bounded number of redirects, checking every hop."""
        check_scheme(url)
        if respect_robots:
            self.check_robots(url)
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        deadline = time.monotonic() + self.policy.total_timeout
        current = url
        moved_to, permanent = "", True  # only an unbroken run of permanent redirects moves
        started = time.monotonic()
        for _hop in range(self.policy.max_redirects + 1):
            check_scheme(current)
            status, resp_headers, body = self._get_once(current, headers, deadline)
            if status in (301, 302, 303, 307, 308) and "location" in resp_headers:
                current = urljoin(current, resp_headers["location"])
                permanent = permanent and status in (301, 308)
                if permanent:
                    moved_to = current
                continue
            if status == 304:
                return FetchResult(
                    url=url,
                    final_url=current,
                    status=304,
                    content=b"",
                    headers=resp_headers,
                    etag=resp_headers.get("etag") or etag,
                    last_modified=resp_headers.get("last-modified") or last_modified,
                    elapsed=time.monotonic() - started,
                    moved_to=moved_to,
                )
            if status >= 400:
                raise HTTPStatusError(status, current)
            return FetchResult(
                url=url,
                final_url=current,
                status=status,
                content=body,
                headers=resp_headers,
                etag=resp_headers.get("etag"),
                last_modified=resp_headers.get("last-modified"),
                elapsed=time.monotonic() - started,
                moved_to=moved_to,
            )
        raise FetchError(f"more than {self.policy.max_redirects} redirects from {url}")

    def _get_once(
        self, url: str, headers: dict[str, str], deadline: float
    ) -> tuple[int, dict[str, str], bytes]:
        host = host_key(url)
        self._gate.acquire(host)
        within = _DEADLINE.set(deadline)
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                resp_headers = {k.lower(): v for k, v in response.headers.items()}
                if response.status_code >= 300:
                    return response.status_code, resp_headers, b""
                declared = resp_headers.get("content-length", "")
                if declared.isdigit() and int(declared) > self.policy.max_bytes:
                    raise TooLargeError(
                        f"{url} declares {int(declared):,} bytes, over the "
                        f"{self.policy.max_bytes:,}-byte cap"
                    )
                chunks: list[bytes] = []
                size = 0
                # decoded a bounded piece at a time: a gzip or brotli bomb is
                # stopped as soon as its output passes the cap
                encoding = resp_headers.get("content-encoding", "")
                for chunk in decoded(response.iter_raw(), encoding):
                    size += len(chunk)
                    if size > self.policy.max_bytes:
                        raise TooLargeError(
                            f"{url} is larger than the {self.policy.max_bytes:,}-byte cap"
                        )
                    if time.monotonic() > deadline:
                        raise FetchTimeoutError(
                            f"{url} took longer than {self.policy.total_timeout:g} s"
                        )
                    chunks.append(chunk)
                return response.status_code, resp_headers, b"".join(chunks)
        except httpx.TimeoutException as exc:
            if time.monotonic() >= deadline:
                raise FetchTimeoutError(
                    f"{url} took longer than {self.policy.total_timeout:g} s"
                ) from None
            raise FetchTimeoutError(f"timed out fetching {url}: {type(exc).__name__}") from None
        except UndecodableError as exc:
            raise FetchError(f"cannot decode the response of {url}: {exc}") from None
        except httpx.HTTPError as exc:
            raise FetchError(f"cannot fetch {url}: {exc or type(exc).__name__}") from None
        except (httpx.InvalidURL, UnicodeError) as exc:  # a redirect to a host httpx refuses
            raise BlockedURLError(f"malformed URL {url[:200]!r} ({exc})") from None
        finally:
            _DEADLINE.reset(within)
            self._gate.release(host)

    def check_robots(self, url: str) -> None:
        """Raise RobotsDisallowedError when the site's robots.txt forbids `url`."""
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        with self._robots_lock:
            known = root in self._robots
            parser = self._robots.get(root)
        if not known:
            parser = self._load_robots(root)
            with self._robots_lock:
                self._robots[root] = parser
        if parser is not None and not parser.can_fetch(self.policy.user_agent, url):
            raise RobotsDisallowedError(f"robots.txt of {root} disallows {url}")

    def _load_robots(self, root: str) -> robotparser.RobotFileParser | None:
        try:
            result = self.fetch(root + "/robots.txt", accept="text/plain")
        except HTTPStatusError as exc:
            if exc.status in (401, 403):
                parser = robotparser.RobotFileParser()
                parser.parse(["User-agent: *", "Disallow: /"])  # as urllib does for 401/403
                return parser
            return None  # no robots.txt: everything allowed
        except BlockedURLError:
            raise
        except FetchError:
            return None
        parser = robotparser.RobotFileParser()
        parser.parse(result.content.decode("utf-8", "replace").splitlines())
        return parser

"""Shared helpers for the bench/ scripts: a fixture server in its own process,
a cProfile that sees worker threads, and small table/statistics helpers.

Run as a script it serves a folder (used by the benchmarks, not by people):

    python bench/_benchkit.py serve ROOT [--nagle]

prints the port on its first stdout line and serves until its stdin closes.

TCP_NODELAY: http.server writes a response's headers and its body in two
send() calls. With Nagle's algorithm on (the socket default, and what
FixtureServer gets), the body waits for the client's delayed ACK of the
headers, about 40 ms per response on a keep-alive connection. Measured here
on the 92 extraction pages, fetched one by one with httpx: 4.7 s with Nagle,
0.9 s without (gzip), 1.5 s vs 0.2 s (identity). Production web servers send
with TCP_NODELAY (nginx's default), so the benchmarks turn it on in the server
process by default (BaseHTTPRequestHandler.disable_nagle_algorithm, a stdlib
switch; FixtureServer's code is unchanged); --nagle restores the stock socket.
"""

from __future__ import annotations

import atexit
import contextlib
import cProfile
import functools
import io
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


# --- a fixture server in a separate process -------------------------------------------
#
# The server runs in its own process so that its threads never compete for the GIL
# with the code being measured (which matters on a 2-core machine).


@dataclass(frozen=True)
class Served:
    port: int
    pid: int  # the server process

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}"


@contextlib.contextmanager
def serve_folder(root: Path, nagle: bool = False) -> Iterator[Served]:
    """Serve `root` with newsdesk.demo.server.FixtureServer in a child process."""
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "serve", str(root)]
        + (["--nagle"] if nagle else []),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        if not line.isdigit():
            raise RuntimeError(f"fixture server did not start (said {line!r})")
        yield Served(int(line), proc.pid)
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.terminate()
            proc.wait(timeout=5)


def _serve_main(root: str, nagle: bool) -> None:
    import http.server

    from newsdesk.demo.server import FixtureServer

    http.server.BaseHTTPRequestHandler.disable_nagle_algorithm = not nagle

    with FixtureServer(Path(root)) as server:
        print(server.port, flush=True)
        sys.stdin.read()  # until the parent closes our stdin (or exits)


# --- profiling across threads ---------------------------------------------------------


class ThreadProfiler:
    """cProfile for code that runs partly in a thread pool.

    cProfile only sees the thread that enabled it, so functions run in worker
    threads are wrapped (`wrap`) to enable a per-thread profiler around each
    call; `main()` profiles the calling thread. All profiles use per-thread CPU
    time (time.thread_time) so that threads waiting for the GIL or the network
    are not charged for it; the merged figures are CPU seconds, not wall time.
    """

    def __init__(self, timer: Callable[[], float] = time.thread_time) -> None:
        self.timer = timer
        self.profiles: list[cProfile.Profile] = []
        self._local = threading.local()
        self._lock = threading.Lock()

    def _profile(self) -> cProfile.Profile:
        prof = getattr(self._local, "prof", None)
        if prof is None:
            prof = cProfile.Profile(self.timer)
            self._local.prof = prof
            with self._lock:
                self.profiles.append(prof)
        return prof

    def wrap(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def profiled(*args: Any, **kwargs: Any) -> Any:
            prof = self._profile()
            prof.enable()
            try:
                return fn(*args, **kwargs)
            finally:
                prof.disable()

        return profiled

    @contextlib.contextmanager
    def main(self) -> Iterator[None]:
        prof = self._profile()
        prof.enable()
        try:
            yield
        finally:
            prof.disable()

    def stats(self) -> pstats.Stats:
        stream = io.StringIO()
        merged = pstats.Stats(self.profiles[0], stream=stream)
        for prof in self.profiles[1:]:
            merged.add(prof)
        return merged

    def report(self, top: int = 15, sort: str = "cumulative") -> str:
        merged = self.stats()
        stream = io.StringIO()
        merged.stream = stream  # type: ignore[attr-defined]
        merged.strip_dirs().sort_stats(sort).print_stats(top)
        return stream.getvalue()


def profile_ingestor(profiler: ThreadProfiler) -> None:
    """Wrap Ingestor's worker-thread functions (feed poll, page fetch) with `profiler`."""
    import inspect

    from newsdesk.ingest.service import Ingestor

    for name in ("_poll", "_page"):
        raw = inspect.getattr_static(Ingestor, name)
        if isinstance(raw, staticmethod):
            setattr(Ingestor, name, staticmethod(profiler.wrap(raw.__func__)))
        else:  # a plain method: the wrapper is a function too, so it binds the same way
            setattr(Ingestor, name, profiler.wrap(raw))


# --- a migrated database ----------------------------------------------------------------


def django_on(database: str | None, name: str) -> None:
    """Set Django up on `database` (a URL, of an empty database) or, without one, on a
    fresh SQLite file `name` in a temporary folder removed at exit; then migrate."""
    if not database:
        folder = Path(tempfile.mkdtemp(prefix="newsdesk-bench-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        database = f"sqlite:///{folder / name}"
    os.environ["DATABASE_URL"] = database
    os.environ.setdefault("NEWSDESK_SECRET_KEY", "bench-only-not-a-secret")
    os.environ["DJANGO_SETTINGS_MODULE"] = "newsdesk.settings"
    import django  # deferred: after the environment names the database
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


# --- tables and statistics ------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Plain-text table: first column and text cells left-aligned, numbers right-aligned."""
    cells = [[str(h) for h in headers], *[[_fmt(c) for c in row] for row in rows]]
    left = [[i == 0 for i in range(len(headers))]] + [
        [i == 0 or isinstance(c, str) for i, c in enumerate(row)] for row in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for n, (row, lefts) in enumerate(zip(cells, left, strict=True)):
        lines.append(
            "  ".join(
                (c.ljust(w) if lj else c.rjust(w)).rstrip()
                if i == len(row) - 1
                else (c.ljust(w) if lj else c.rjust(w))
                for i, (c, w, lj) in enumerate(zip(row, widths, lefts, strict=True))
            )
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        if value != value:  # nan
            return "-"
        return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def machine() -> dict[str, Any]:
    import platform

    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
    }


if __name__ == "__main__":
    if len(sys.argv) in (3, 4) and sys.argv[1] == "serve":
        _serve_main(sys.argv[2], nagle=sys.argv[3:] == ["--nagle"])
    else:
        raise SystemExit("usage: _benchkit.py serve ROOT [--nagle]")


def terminate_all(procs: Mapping[str, subprocess.Popen[Any]]) -> dict[str, int | str]:
    """SIGTERM each process, wait up to 30 s, kill what is left: exit codes by name."""
    codes: dict[str, int | str] = {}
    for name, proc in procs.items():
        proc.terminate()
        try:
            codes[name] = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            codes[name] = "killed"
    return codes

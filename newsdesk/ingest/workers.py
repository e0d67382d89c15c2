"""Worker processes for the pure, CPU-bound part of ingest.

Parsing feeds, turning entries into articles (text, sanitized HTML, fingerprint,
MinHash signature) and extracting article pages with trafilatura are Python
code that holds the GIL: threads cannot put a second core to work on them, and
several threads running lxml at once were seen to crash the interpreter (glibc
"double free", see bench/README.md). They run in a small process pool instead:
every core works, the main process is left with the network and the database,
and a crash costs one feed or one page, not the run (the tasks that were merely
in flight beside it are run again).
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from newsdesk.pipeline.errors import (
    ExtractionError,
    NewsdeskError,
    WorkerError,
    error_kind,
    one_line,
)
from newsdesk.pipeline.intake import build_article
from newsdesk.pipeline.types import Arrival, ArticleDraft, Extracted, FeedEntry

T = TypeVar("T")


def _extract(content: bytes, url: str) -> Extracted:
    # imported here: trafilatura costs half a second to import, and only page work needs it
    from newsdesk.pipeline.extract import extract_article

    return extract_article(content, url)


def page_draft(
    content: bytes, page_url: str, *, entry: FeedEntry, outlet: str
) -> tuple[ArticleDraft, str]:
    """Extract a fetched page and build its article, in a worker; the error says why
    the page was not used (the feed's text is then kept)."""
    page: Extracted | None = None
    error = ""
    try:
        page = _extract(content, page_url)
    except NewsdeskError as exc:
        error = f"{error_kind(exc)}: {one_line(exc)}"
    draft = build_article(
        link=entry.link,
        outlet=outlet,
        arrival=Arrival.FEED,
        entry=entry,
        page=page,
        page_url=page_url if page is not None else "",
        page_error=error,
    )
    return draft, error


def _ready() -> int:
    return os.getpid()


class WorkerPool:
    """A process pool that restarts itself when a worker dies."""

    def __init__(self, processes: int | None = None) -> None:
        self.processes = max(1, processes or os.cpu_count() or 1)
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # spawn: forking a process that runs threads can copy held locks
                context = multiprocessing.get_context("spawn")
                self._pool = ProcessPoolExecutor(self.processes, mp_context=context)
            return self._pool

    def warm(self) -> None:
        """Start every worker now, so their start-up overlaps the first downloads."""
        pool = self._executor()
        for _ in range(self.processes):
            pool.submit(_ready)

    def submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        """Run fn in a worker; the future raises WorkerError if it could not be run.

        When a worker dies, Python fails every task in flight in its pool, not only
        the one that killed it; so a task caught that way is run once more in a new
        pool, and fails only if a worker dies under it again.
        """
        outer: Future[T] = Future()
        self._start(outer, fn, args, kwargs, attempts=2)
        return outer

    def _start(
        self,
        outer: Future[T],
        fn: Callable[..., T],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        attempts: int,
    ) -> None:
        pool = self._executor()
        try:
            inner = pool.submit(fn, *args, **kwargs)
        except BrokenProcessPool:
            self._discard(pool)
            pool = self._executor()
            inner = pool.submit(fn, *args, **kwargs)

        def relay(done: Future[T]) -> None:
            exc = done.exception()
            if isinstance(exc, BrokenProcessPool):
                self._discard(pool)
                if attempts > 1:
                    self._start(outer, fn, args, kwargs, attempts - 1)
                else:
                    outer.set_exception(WorkerError(f"a worker process died running {fn.__name__}"))
            elif exc is not None:
                outer.set_exception(exc)
            else:
                outer.set_result(done.result())

        inner.add_done_callback(relay)

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return self.submit(fn, *args, **kwargs).result()

    def extract(self, content: bytes, url: str) -> Extracted:
        try:
            return self.call(_extract, content, url)
        except WorkerError:
            raise ExtractionError(f"the extraction process died on {url}") from None

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


_shared: WorkerPool | None = None
_shared_lock = threading.Lock()


def shared_pool(processes: int | None = None) -> WorkerPool:
    """One pool per process, started on first use and stopped at exit: worker start-up
    (importing the pipeline) is paid once, not once per ingest run."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = WorkerPool(processes)
            atexit.register(_shared.close)
        return _shared

"""Worker processes for the pure, CPU-bound part of ingest.

Parsing feeds, turning entries into articles (text, sanitized HTML, fingerprint,
MinHash signature) and extracting article pages with trafilatura are Python
code that holds the GIL: threads cannot put a second core to work on them, and
several threads running lxml at once were seen to crash the interpreter (glibc
"double free"). They run in a small process pool instead:
every core works, the main process is left with the network and the database,
and a crash costs one feed or one page, not the run (the tasks that were merely
in flight beside it are run again). A worker ends when the process that started
it dies, even by SIGKILL (`_end_with_parent`).
"""

from __future__ import annotations

import atexit
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, TypeVar

from newsdesk.pipeline.errors import (
    ExtractionError,
    NewsdeskError,
    WorkerError,
    error_kind,
    one_line,
)
from newsdesk.pipeline.intake.articles import build_article
from newsdesk.pipeline.types import Arrival, ArticleDraft, Extracted, FeedEntry

T = TypeVar("T")


def _extract(content: bytes, url: str) -> Extracted:
    from newsdesk.pipeline.intake.extract import (  # deferred: trafilatura, ~0.5 s to import
        extract_article,  # and needed only by the workers that extract pages
    )

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


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
PARENT_CHECK_EVERY = 1.0  # seconds between a worker's looks at its parent


def _end_with_parent(parent: int | None, forker: int | None) -> None:
    """Initializer of every worker: end it when the process that started it dies.

    Otherwise a killed ingest leaves its workers waiting for work that never comes
    (each holds the pool's pipes open, so none of them sees the end of the pipe).
    `parent` is the pid the worker must have as its parent (None: whichever it has
    now); `forker` the ident of the parent's main thread when the worker was forked.
    """
    if forker is not None and threading.get_ident() == forker:
        # Linux's parent-death signal fires when the *thread* that forked ends, so it is
        # asked for only when that thread is the main one (warm() forks every worker
        # from it at the start of a run); a pool started again from a fetch thread and
        # the one-process pool for suspects (started from a callback) rely on the watch
        _ask_for_parent_death_signal()
    if parent is None:
        parent = os.getppid()
    elif os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="watch-parent", daemon=True).start()


def _ask_for_parent_death_signal() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, ctypes.c_ulong(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):  # no libc or no prctl: the watch thread is enough
        pass


def _watch_parent(parent: int) -> None:
    """The portable way: a worker whose parent died has been given to another process."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_EVERY)
    os._exit(1)


def _process_pool(processes: int) -> ProcessPoolExecutor:
    """A pool whose workers end with this process.

    The platform's default start method: fork on Linux up to Python 3.13 (a worker
    starts with the pipeline imported; spawning made the ingest benchmark 12.0% slower:
    docs/decisions.md), forkserver from 3.14 (its workers' parent is the fork server,
    which itself ends with this process), spawn elsewhere.
    """
    context = multiprocessing.get_context()
    method = context.get_start_method()
    parent = None if method == "forkserver" else os.getpid()
    forker = threading.main_thread().ident if method == "fork" else None
    return ProcessPoolExecutor(
        processes, mp_context=context, initializer=_end_with_parent, initargs=(parent, forker)
    )


def _ready() -> None:
    """Nothing to do: submitted once per worker, it makes the pool start that worker."""


@dataclass
class _Task:
    outer: Future[Any]
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]

    def fail(self, why: str) -> None:
        if not self.outer.done():
            self.outer.set_exception(WorkerError(f"{why} running {self.fn.__name__}"))


class WorkerPool:
    """A process pool that restarts itself when a worker dies.

    When a worker dies, Python fails every task in flight in its pool, not only the
    one that killed it. Those tasks become suspects: they run again one at a time in
    a pool of a single process, so a second crash can only be the task that was
    running; it alone fails, with WorkerError, and the other suspects go on.
    """

    def __init__(self, processes: int | None = None) -> None:
        self.processes = max(1, processes or os.cpu_count() or 1)
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._alone: ProcessPoolExecutor | None = None  # for suspects, one at a time
        self._suspects: deque[_Task] = deque()
        self._checking = False

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = _process_pool(self.processes)
            return self._pool

    def warm(self) -> None:
        """Start every worker now, at the start of a run: before the fetch threads exist
        (a fork among threads can copy a lock one of them holds) and while the first
        feeds download, so that no feed waits for its worker to start."""
        pool = self._executor()
        for _ in range(self.processes):
            pool.submit(_ready)

    def submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        """Run fn in a worker; the future raises WorkerError if it could not be run."""
        task = _Task(Future(), fn, args, kwargs)
        try:
            pool = self._executor()
            try:
                inner = pool.submit(fn, *args, **kwargs)
            except BrokenProcessPool:
                self._discard(pool)
                pool = self._executor()
                inner = pool.submit(fn, *args, **kwargs)
        except Exception as exc:  # no worker can be started (out of memory, shut down)
            task.fail(f"no worker process ({one_line(exc)})")
            return task.outer

        def relay(done: Future[Any]) -> None:
            try:
                if not done.cancelled() and isinstance(done.exception(), BrokenProcessPool):
                    self._discard(pool)
                    self._suspect(task)
                else:
                    _settle(task, done)
            except BaseException as exc:  # a callback's error would be logged and lost
                task.fail(f"the worker pool failed ({one_line(exc)})")

        inner.add_done_callback(relay)
        return task.outer

    def _suspect(self, task: _Task) -> None:
        with self._lock:
            self._suspects.append(task)
            if self._checking:
                return
            self._checking = True
        self._next_suspect()

    def _next_suspect(self) -> None:
        """Run the next suspect alone; when it is done, the one after it."""
        while True:
            with self._lock:
                if not self._suspects:
                    self._checking = False
                    return
                task = self._suspects.popleft()
                if self._alone is None:
                    self._alone = _process_pool(1)
                alone = self._alone
            try:
                inner = alone.submit(task.fn, *task.args, **task.kwargs)
            except Exception as exc:
                self._drop_alone(alone)
                task.fail(f"no worker process ({one_line(exc)})")
                continue  # the next suspect gets a new pool
            break

        def relay(done: Future[Any]) -> None:
            try:
                if not done.cancelled() and isinstance(done.exception(), BrokenProcessPool):
                    self._drop_alone(alone)
                    task.fail("a worker process died")
                else:
                    _settle(task, done)
            except BaseException as exc:
                task.fail(f"the worker pool failed ({one_line(exc)})")
            finally:
                self._next_suspect()

        inner.add_done_callback(relay)

    def _drop_alone(self, alone: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._alone is alone:
                self._alone = None
        alone.shutdown(wait=False, cancel_futures=True)

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
            pools = [p for p in (self._pool, self._alone) if p is not None]
            self._pool = self._alone = None
        for pool in pools:
            pool.shutdown(wait=True, cancel_futures=True)


def _settle(task: _Task, done: Future[Any]) -> None:
    """Pass a finished inner future's outcome to the task's own future."""
    if task.outer.done():
        return
    if done.cancelled():
        task.fail("cancelled")
    elif (exc := done.exception()) is not None:
        task.outer.set_exception(exc)
    else:
        task.outer.set_result(done.result())


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

"""Page extraction in worker processes.

trafilatura and lxml are CPU-bound Python, so threads cannot use a second core,
and several threads extracting at once were seen to crash the interpreter
inside lxml (glibc "double free", see bench/README.md). Extraction therefore
runs in a small process pool: both cores work, and a crash costs one page, not
the run. Fetching stays in threads.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from newsdesk.pipeline.errors import ExtractionError
from newsdesk.pipeline.extract import extract_article
from newsdesk.pipeline.types import Extracted


class ExtractionPool:
    """Runs extract_article in processes; restarts the pool when a worker dies."""

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

    def extract(self, content: bytes, url: str) -> Extracted:
        pool = self._executor()
        try:
            return pool.submit(extract_article, content, url).result()
        except BrokenProcessPool:
            with self._lock:
                if self._pool is pool:
                    self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)
            raise ExtractionError(f"the extraction process died on {url}") from None

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


_shared: ExtractionPool | None = None
_shared_lock = threading.Lock()


def shared_pool(processes: int | None = None) -> ExtractionPool:
    """One pool per process, started on first use and stopped at exit: worker start-up
    (importing trafilatura) is paid once, not once per ingest run."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ExtractionPool(processes)
            atexit.register(_shared.close)
        return _shared

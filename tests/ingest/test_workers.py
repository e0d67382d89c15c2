"""The worker processes: a task that kills its worker costs that task, not its neighbours."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsdesk.ingest.workers import WorkerPool
from newsdesk.pipeline.errors import WorkerError


def slow_square(n: int) -> int:
    time.sleep(0.3)
    return n * n


def crash_once(marker: str) -> str:
    """Kills its worker process the first time (like a segfault in a C library)."""
    if not Path(marker).exists():
        Path(marker).write_text("crashed")
        time.sleep(0.05)
        os._exit(70)
    return "recovered"


def crash_always() -> None:
    os._exit(70)


@pytest.fixture
def pool() -> Iterator[WorkerPool]:
    workers = WorkerPool(2)
    yield workers
    workers.close()


def test_tasks_caught_in_a_crash_run_again(pool: WorkerPool, tmp_path: Path) -> None:
    pool.warm()
    neighbours = [pool.submit(slow_square, n) for n in range(4)]
    crasher = pool.submit(crash_once, str(tmp_path / "marker"))
    assert [f.result(timeout=60) for f in neighbours] == [0, 1, 4, 9]
    assert crasher.result(timeout=60) == "recovered"


def test_a_task_that_always_kills_its_worker_fails_alone(pool: WorkerPool) -> None:
    pool.warm()
    neighbours = [pool.submit(slow_square, n) for n in range(3)]
    doomed = pool.submit(crash_always)
    with pytest.raises(WorkerError, match="crash_always"):
        doomed.result(timeout=60)
    assert [f.result(timeout=60) for f in neighbours] == [0, 1, 4]
    assert pool.call(slow_square, 7) == 49  # the pool started again


def test_no_worker_at_all_is_an_error_not_a_hang(
    pool: WorkerPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_processes() -> None:
        raise OSError("Cannot allocate memory")

    monkeypatch.setattr(pool, "_executor", no_processes)
    with pytest.raises(WorkerError, match=r"no worker process \(Cannot allocate memory"):
        pool.submit(slow_square, 2).result(timeout=10)

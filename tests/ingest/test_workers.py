"""The worker processes: a task that kills its worker costs that task, not its neighbours."""

from __future__ import annotations

import os
import sys
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


def niceness() -> int:
    return os.nice(0)


def test_workers_run_at_a_lower_priority_than_their_parent(pool: WorkerPool) -> None:
    from newsdesk.ingest.workers import NICENESS

    assert pool.call(niceness) == min(os.nice(0) + NICENESS, 19)


FORK_CHECK = """
import os, sys, threading
from newsdesk.ingest.workers import WorkerPool, start_method
from newsdesk.pipeline.intake.drafts import read_feed
assert start_method() == "fork", start_method()
pool = WorkerPool(2)
pool.warm()
feed = b'<rss version="2.0"><channel><title>T</title><item><title>A</title>'
feed += b'<link>http://o.example/a</link></item></channel></rss>'
read = pool.call(read_feed, feed, url="http://o.example/feed")
assert [e.link for e in read.feed.entries] == ["http://o.example/a"]
assert pool._pool._mp_context.get_start_method() == "fork"  # it really forked
stop = threading.Event()
thread = threading.Thread(target=stop.wait)
thread.start()
assert start_method() == "spawn"  # among threads, never fork
stop.set()
thread.join()
pool.close()
print("ok")
"""


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked on Linux only")
def test_workers_started_before_any_thread_are_forked_and_work() -> None:
    import subprocess

    done = subprocess.run(
        [sys.executable, "-c", FORK_CHECK], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def started_then_sleeps(marker: str) -> None:
    with open(marker, "a") as log:
        log.write("started\n")
    time.sleep(1.0)


def test_terminate_fails_running_tasks_and_runs_none_again(tmp_path: Path) -> None:
    workers = WorkerPool(2)
    marker = str(tmp_path / "starts")
    futures = [workers.submit(started_then_sleeps, marker) for _ in range(3)]
    deadline = time.monotonic() + 30
    while not Path(marker).exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    workers.terminate()
    for future in futures:
        with pytest.raises(WorkerError, match="stopped"):
            future.result(timeout=30)
    started = Path(marker).read_text().count("started")
    time.sleep(1.2)  # a task run again would have started by now
    assert Path(marker).read_text().count("started") == started <= 2
    assert workers._alone is None


def leave_a_cycle() -> None:
    """Garbage only the cycle collector frees: it waits in the worker."""
    cycle: list[object] = []
    cycle.append(cycle)


def test_a_worker_collects_as_a_batch_process_and_freezes_its_start_up_once() -> None:
    """Each run warms the pool (`_ready` in every worker): the worker's start-up objects
    are frozen the first time only, so a later run's garbage is never frozen with them."""
    import gc

    from newsdesk.ingest.workers import BATCH_GC_THRESHOLDS, _ready

    workers = WorkerPool(1)
    try:
        workers.call(_ready)
        frozen = workers.call(gc.get_freeze_count)
        assert frozen > 0
        assert workers.call(gc.isenabled)
        assert workers.call(gc.get_threshold) == BATCH_GC_THRESHOLDS
        workers.call(leave_a_cycle)
        workers.call(_ready)  # the next run
        assert workers.call(gc.get_freeze_count) == frozen
    finally:
        workers.close()

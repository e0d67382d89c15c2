"""A lost database, as the scheduler and the worker live through it: one log line per
failed attempt (the error in one line, no traceback), a growing wait between attempts,
one line when the database answers again. The loops run in this process, with the
database's failure raised where their work would meet it."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import OperationalError
from django.utils import timezone

from newsdesk.ops import scheduler, worker
from newsdesk.ops.models import Heartbeat
from newsdesk.ops.outage import RECONNECT_MAX
from newsdesk.ops.scheduler import TICK, Tick, run_scheduler
from newsdesk.ops.worker import OneStopWorker, run_worker
from tests.ops.log_chores import captured_logs

#: what psycopg says with the server gone: two lines of its own
REFUSED = (
    'connection failed: connection to server at "127.0.0.1", port 55432 failed: '
    "Connection refused\n\tIs the server running on that host and accepting TCP/IP "
    "connections?"
)


@pytest.fixture
def text_logs() -> Iterator[io.StringIO]:
    with captured_logs("text") as out:
        yield out


@pytest.fixture
def noted(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The scheduler without a heartbeat thread or a database, its noted failing ticks
    (`note_failing`) recorded in this list."""
    found: list[bool] = []
    monkeypatch.setattr(scheduler, "Beating", NoHeartbeat)
    monkeypatch.setattr(scheduler, "note_failing", lambda name, failing: found.append(failing))
    monkeypatch.setattr(scheduler, "close_old_connections", lambda: None)
    return found


class NoHeartbeat:
    """A heartbeat without its thread or a database: never migrated under."""

    def __init__(self, role: str) -> None:
        self.role, self.name = role, f"{role}-test"
        self.migrated = threading.Event()

    def __enter__(self) -> str:
        return self.name

    def __exit__(self, *exc: object) -> None:
        return None

    def exit_code(self, code: int) -> int:
        return code


class Stop(threading.Event):
    """The scheduler's stop event: records each wait instead of waiting, and stops the
    loop after `waits` of them."""

    def __init__(self, waits: int) -> None:
        super().__init__()
        self.left = waits
        self.waited: list[float] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waited.append(float(timeout or 0))
        self.left -= 1
        if self.left <= 0:
            self.set()
        return self.is_set()


def failing(times: int, error: Exception, then: Any = None) -> Any:
    """A function that raises `error` `times` times, then returns `then`."""
    calls = {"n": 0}

    def call(*args: object, **kwargs: object) -> Any:
        calls["n"] += 1
        if calls["n"] <= times:
            raise error
        return then

    return call


def check_one_line_each(log: str, expected_failures: int, who: str) -> None:
    lines = log.splitlines()
    assert all(" newsdesk.ops: " in line for line in lines), log  # no continuation lines
    assert "Traceback" not in log
    lost = [line for line in lines if "lost the database" in line]
    assert len(lost) == expected_failures, log
    assert all(line.split()[1] == "WARNING" and REFUSED.split("\n")[0] in line for line in lost)
    assert "Is the server running on that host" in lost[0]  # its second line, joined
    back = [line for line in lines if "has the database again" in line]
    assert len(back) == 1 and f"after {expected_failures} failed attempts" in back[0], log
    assert all(who in line for line in [*lost, *back])


def test_the_scheduler_logs_one_line_per_failed_tick_and_backs_off(
    text_logs: io.StringIO, noted: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scheduler, "tick", failing(5, OperationalError(REFUSED), then=Tick()))
    stop = Stop(waits=6)  # five failed ticks and one that worked
    assert run_scheduler(stop) == 0
    check_one_line_each(text_logs.getvalue(), 5, "scheduler scheduler-test")
    # from one tick's time, doubling up to the longest; a tick's time again once back
    assert stop.waited == [TICK, TICK * 2, TICK * 4, RECONNECT_MAX, RECONNECT_MAX, TICK]
    assert noted == []  # a lost database is not a failing tick


def test_a_bug_in_a_scheduler_tick_keeps_its_traceback(
    text_logs: io.StringIO, noted: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scheduler, "tick", failing(1, KeyError("publication"), then=Tick()))
    stop = Stop(waits=2)
    assert run_scheduler(stop) == 0
    log = text_logs.getvalue()
    assert "scheduler tick failed" in log and "Traceback" in log and "KeyError" in log
    assert "lost the database" not in log and "has the database again" not in log
    assert stop.waited == [TICK, TICK]
    assert noted == [True, False]  # failing from the bug, and no longer once a tick ran


@pytest.mark.django_db
def test_the_scheduler_notes_since_when_its_ticks_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    """Its heartbeat beats from a thread of its own, so only `failing_since` tells `status`
    that a scheduler whose every tick fails schedules nothing."""
    monkeypatch.setattr(scheduler, "Beating", NoHeartbeat)
    # the test's transaction holds the database: it must not be closed under it
    monkeypatch.setattr(scheduler, "close_old_connections", lambda: None)
    now = timezone.now()
    row = Heartbeat.objects.create(
        name="scheduler-test", role="scheduler", host="h", pid=1, started=now, seen=now
    )
    monkeypatch.setattr(scheduler, "tick", failing(3, KeyError("publication")))
    assert run_scheduler(Stop(waits=3)) == 0
    row.refresh_from_db()
    first = row.failing_since
    assert first is not None and first >= now
    monkeypatch.setattr(scheduler, "tick", failing(2, KeyError("publication"), then=Tick()))
    assert run_scheduler(Stop(waits=2)) == 0
    row.refresh_from_db()
    assert row.failing_since == first  # from the first failure, not the latest
    monkeypatch.setattr(scheduler, "tick", failing(1, KeyError("publication"), then=Tick()))
    assert run_scheduler(Stop(waits=2)) == 0  # fails, then runs through
    row.refresh_from_db()
    assert row.failing_since is None


def test_the_worker_logs_one_line_per_failed_attempt_and_backs_off(
    text_logs: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(worker, "Beating", NoHeartbeat)
    monkeypatch.setattr(worker, "release_orphans", lambda: 0)
    # the database comes back while the worker sleeps after its third failure
    monkeypatch.setattr(worker, "release_own", failing(2, OperationalError(REFUSED), then=0))
    monkeypatch.setattr(worker.time, "sleep", slept.append)
    monkeypatch.setattr(OneStopWorker, "configure_signals", lambda self: None)
    monkeypatch.setattr(OneStopWorker, "run", failing(3, OperationalError(REFUSED)))
    assert run_worker() == 0
    check_one_line_each(text_logs.getvalue(), 3, "worker worker-test")
    assert slept == [1.0, 2.0, 4.0]

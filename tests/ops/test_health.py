"""/healthz and `newsdesk status`: what they count as a stuck queue."""

from __future__ import annotations

import datetime as dt
import json
import socket
import subprocess
import sys

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from newsdesk.cli.main import main
from newsdesk.ops.health import FAILING_TICKS, OLDEST_PENDING, status
from newsdesk.ops.models import Heartbeat
from tests.conftest import REPO
from tests.ops.chores import slow_once
from tests.ops.processes import environment

pytestmark = pytest.mark.django_db


def beating(now: dt.datetime) -> None:
    for role in Heartbeat.Role.values:
        Heartbeat.objects.create(name=role, role=role, host="h", pid=1, started=now, seen=now)


def test_a_task_waiting_too_long_to_run_makes_the_status_unhealthy() -> None:
    """A task enqueued to run at once (most are) counts in the queue, and one left
    waiting past OLDEST_PENDING (the workers are alive but take nothing) is a problem."""
    now = timezone.now()
    beating(now)
    assert status(now)["healthy"]
    result = slow_once.enqueue("/nonexistent/note", 0)
    waited = OLDEST_PENDING + dt.timedelta(minutes=5)
    DBTaskResult.objects.filter(pk=result.id).update(enqueued_at=now - waited)
    found = status(now)
    assert found["queue_depth"] == 1
    assert found["oldest_pending_seconds"] == pytest.approx(waited.total_seconds(), abs=1)
    assert not found["healthy"] and "oldest pending task" in found["problems"][0]
    # which task and queue, and what to look at: a worker for that queue
    assert "(slow_once, queue default)" in found["problems"][0]
    assert "newsdesk worker --queues default" in found["problems"][0]


def test_a_scheduler_whose_every_tick_fails_makes_the_status_unhealthy() -> None:
    """Its heartbeat lives on while a bug fails each tick: nothing is scheduled."""
    now = timezone.now()
    beating(now)
    Heartbeat.objects.filter(role="scheduler").update(failing_since=now)
    assert status(now)["healthy"]  # a bug of a few ticks: its log says it
    later = now + FAILING_TICKS + dt.timedelta(minutes=2)
    Heartbeat.objects.update(seen=later)
    found = status(later)
    assert not found["healthy"]
    assert found["problems"] == [
        "scheduler scheduler (host h, pid 1) has failed every tick for 7 minutes: "
        "its log has the traceback of each"
    ]
    Heartbeat.objects.filter(role="scheduler").update(failing_since=None)  # a tick ran
    assert status(later)["healthy"]
    # nor is a scheduler back from a long database outage taken for a failing one
    Heartbeat.objects.filter(role="scheduler").update(started=now - dt.timedelta(hours=2))
    assert status(later)["healthy"]


def test_a_retry_waits_from_its_own_time_not_from_when_it_was_enqueued() -> None:
    now = timezone.now()
    beating(now + dt.timedelta(minutes=3))
    result = slow_once.using(run_after=now + dt.timedelta(minutes=2)).enqueue("/x", 0)
    DBTaskResult.objects.filter(pk=result.id).update(enqueued_at=now - dt.timedelta(hours=1))
    assert status(now)["queue_depth"] == 0  # not due yet
    later = status(now + dt.timedelta(minutes=3))
    assert later["queue_depth"] == 1 and later["oldest_pending_seconds"] == pytest.approx(60, abs=1)
    assert later["healthy"]


def test_status_says_why_on_stderr_when_unhealthy(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status"]) == 1  # no worker or scheduler beats here
    captured = capsys.readouterr()
    assert "UNHEALTHY" in captured.out
    assert captured.err.startswith("newsdesk: unhealthy: ") and captured.err.count("\n") == 1
    assert "worker" in captured.err


def test_a_database_that_never_answers_is_reported_down_not_waited_on_for_ever() -> None:
    """A server that takes the connection and says nothing (hung, a stuck proxy): the
    status must still come, saying the database is down."""
    with socket.socket() as mute:
        mute.bind(("127.0.0.1", 0))
        mute.listen(8)  # the kernel accepts; nothing ever answers
        port = mute.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "newsdesk", "status", "--json"],
            cwd=REPO,
            env=environment(DATABASE_URL=f"postgresql://desk@127.0.0.1:{port}/news"),
            capture_output=True,
            text=True,
            timeout=120,  # a bound for the hang, not a timing assertion
        )
    assert done.returncode == 1, done.stderr
    found = json.loads(done.stdout)
    assert found["database"] == "down" and not found["healthy"]
    assert "timeout" in found["problems"][0]

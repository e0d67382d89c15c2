"""Reliability with real processes: a worker killed mid-task, clean stops on SIGTERM.

The processes are `python -m newsdesk worker|scheduler` on the test's database
(SQLite or PostgreSQL); the tasks are tests.ops.chores, which record their runs in
files, so the test sees how often an effect happened whichever process ran it."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from newsdesk.ops.models import Heartbeat
from newsdesk.ops.recovery import release_own
from tests.ops.chores import slow_once, stalls_once
from tests.ops.processes import STOP_WITHIN, fleet, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

#: a killed worker is taken for dead after this (NEWSDESK_WORKER_STALE_SECONDS)
STALE = "3"


def status(task_id: str) -> str:
    return str(DBTaskResult.objects.get(pk=task_id).status)


def beating(role: str, count: int = 1) -> bool:
    return Heartbeat.objects.filter(role=role).count() >= count


def test_a_worker_killed_mid_task_has_its_task_run_again_with_one_effect(
    tmp_path: Path,
) -> None:
    note = tmp_path / "effect.txt"
    started = note.with_suffix(".started")
    task = stalls_once.enqueue(str(note), 120.0)
    with fleet(tmp_path / "logs", NEWSDESK_WORKER_STALE_SECONDS=STALE) as running:
        doomed = running.start("worker")
        wait_for(started.exists, within=180, what="the task started", fleet=running)
        doomed.kill()  # SIGKILL mid-task: no clean-up, the task stays "running"
        assert status(task.id) == TaskResultStatus.RUNNING and not note.exists()

        running.start("worker")
        running.start("scheduler")  # it finds the dead worker's task and releases it
        wait_for(
            lambda: status(task.id) == TaskResultStatus.SUCCESSFUL,
            within=180,
            what="the task ran again",
            fleet=running,
        )
        codes = running.stop_all()
    row = DBTaskResult.objects.get(pk=task.id)
    assert note.read_text() == "done\n" and started.read_text() == "started\n" * 2
    assert len(row.worker_ids) == 2 and row.worker_ids[0] != row.worker_ids[1]
    assert codes[doomed.pid] == -9 and list(codes.values()).count(0) == 2, running.logs()


def test_a_worker_stopped_by_sigterm_finishes_its_task_and_exits_0(tmp_path: Path) -> None:
    note = tmp_path / "effect.txt"
    task = slow_once.enqueue(str(note), 3.0)
    waiting = slow_once.enqueue(str(tmp_path / "later.txt"), 0.0)
    with fleet(tmp_path / "logs") as running:
        worker = running.start("worker")
        wait_for(note.with_suffix(".started").exists, within=180, what="started", fleet=running)
        assert worker.stop(timeout=STOP_WITHIN) == 0, running.logs()
    assert note.read_text() == "done\n" and status(task.id) == TaskResultStatus.SUCCESSFUL
    assert status(waiting.id) == TaskResultStatus.READY  # left for the next worker
    assert not Heartbeat.objects.exists()  # a clean stop says so


def test_a_worker_asked_twice_to_stop_still_finishes_its_task(tmp_path: Path) -> None:
    """Ctrl-C on `newsdesk run` reaches the worker (same process group), then `run`
    passes on its own SIGTERM (systemd's stop does the same to the whole service): the
    second signal must not abort the task in hand and record it failed for good."""
    note = tmp_path / "effect.txt"
    task = slow_once.enqueue(str(note), 3.0)
    with fleet(tmp_path / "logs") as running:
        worker = running.start("worker")
        wait_for(note.with_suffix(".started").exists, within=180, what="started", fleet=running)
        worker.popen.send_signal(signal.SIGINT)
        time.sleep(0.5)
        assert worker.stop(timeout=STOP_WITHIN) == 0, running.logs()
    assert note.read_text() == "done\n" and status(task.id) == TaskResultStatus.SUCCESSFUL


def test_an_idle_worker_and_a_scheduler_exit_0_on_sigterm(tmp_path: Path) -> None:
    with fleet(tmp_path / "logs") as running:
        worker = running.start("worker")
        scheduler = running.start("scheduler")
        wait_for(lambda: beating("worker") and beating("scheduler"), within=180, what="up")
        assert scheduler.stop(timeout=STOP_WITHIN) == 0, running.logs()
        assert worker.stop(timeout=STOP_WITHIN) == 0, running.logs()
    assert not Heartbeat.objects.exists()


def test_a_worker_that_lost_its_database_gives_back_only_its_own_task(tmp_path: Path) -> None:
    mine = slow_once.enqueue(str(tmp_path / "mine.txt"), 0.0)
    theirs = slow_once.enqueue(str(tmp_path / "theirs.txt"), 0.0)
    for task, worker in ((mine, "worker-me"), (theirs, "worker-other")):
        DBTaskResult.objects.filter(pk=task.id).update(
            status=TaskResultStatus.RUNNING, started_at=timezone.now(), worker_ids=[worker]
        )
    assert release_own("worker-me") == 1
    assert release_own("worker-me") == 0
    assert status(mine.id) == TaskResultStatus.READY
    assert status(theirs.id) == TaskResultStatus.RUNNING

"""Who is alive is decided on one clock, the database's. A machine whose clock is off
by minutes (far more than the 30 s after which a worker counts as dead) must not make
a living worker look dead, its task given to another while it runs, nor a dead one
look alive, nor a scheduler that just began to fail look failing for long.

The skewed machines are real `newsdesk worker` processes whose clock runs ten minutes
off (tests/ops/skewed.py), or this process with its clock set off for a block; the
judges (the scheduler's tick and recovery, the status) run in this process on the
right clock and on clocks ten minutes off either way."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from newsdesk.clock import database_now
from newsdesk.ingest.models import Source
from newsdesk.ops import health, heartbeat, recovery, scheduler
from newsdesk.ops.health import FAILING_TICKS, status
from newsdesk.ops.heartbeat import Beating
from newsdesk.ops.models import Heartbeat
from newsdesk.ops.recovery import alive, release_orphans
from newsdesk.ops.worker import run_worker
from newsdesk.tasking import RetryPolicy
from tests.ops.chores import always_fails, held
from tests.ops.processes import fleet, wait_for
from tests.ops.skewed import clock_off

pytestmark = pytest.mark.django_db(transaction=True)

#: how far off a skewed machine's clock is, in seconds: twenty times the stale time
OFF = 600.0
#: the clocks the judges run on: behind, right, ahead
JUDGES = (-OFF, 0.0, OFF)
CLOCKS = pytest.mark.parametrize("off", [-OFF, 0.0, OFF], ids=["behind", "right", "ahead"])


def task_status(task_id: str) -> str:
    return str(DBTaskResult.objects.get(pk=task_id).status)


@CLOCKS
def test_a_living_worker_keeps_its_task_whatever_the_clocks(tmp_path: Path, off: float) -> None:
    note, until = tmp_path / "effect.txt", tmp_path / "let-go"
    task = held.enqueue(str(note), str(until))
    with fleet(tmp_path / "logs") as running:
        try:
            running.start("worker", clock_off=off)
            wait_for(note.with_suffix(".started").exists, within=180, what="started", fleet=running)
            (name,) = DBTaskResult.objects.get(pk=task.id).worker_ids
            for judge in JUDGES:
                with clock_off(judge):
                    assert alive(Heartbeat.Role.WORKER) == {name}, judge
                    assert status()["workers"]["alive"] == 1, judge
                    assert release_orphans() == 0, judge
                    assert scheduler.tick().released == 0, judge
                    assert task_status(task.id) == TaskResultStatus.RUNNING, judge
        finally:
            until.touch()
        wait_for(
            lambda: task_status(task.id) == TaskResultStatus.SUCCESSFUL,
            within=180,
            what="the task ended",
            fleet=running,
        )
        codes = running.stop_all()
    assert note.with_suffix(".started").read_text() == "started\n"  # one run
    assert list(codes.values()) == [0], running.logs()


@CLOCKS
def test_a_killed_worker_is_dead_after_the_stale_time_whatever_the_clocks(
    tmp_path: Path, off: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its heartbeat stops; on every judge's clock it is dead once the stale time has
    passed on the database's (3 s here), not once the judge's clock catches up; and its
    task, started on its clock, goes back to the queue then too."""
    for module in (recovery, health):
        monkeypatch.setattr(module, "STALE", dt.timedelta(seconds=3))
    note = tmp_path / "effect.txt"
    task = held.enqueue(str(note), str(tmp_path / "never"))
    with fleet(tmp_path / "logs", NEWSDESK_WORKER_STALE_SECONDS="3") as running:
        doomed = running.start("worker", clock_off=off)
        wait_for(note.with_suffix(".started").exists, within=180, what="started", fleet=running)
        doomed.kill()
    for judge in JUDGES:
        with clock_off(judge):
            wait_for(
                lambda: not alive(Heartbeat.Role.WORKER),
                within=60,
                what=f"the killed worker dead on a clock {judge:+.0f} s off",
            )
            assert status()["workers"]["alive"] == 0
    assert task_status(task.id) == TaskResultStatus.RUNNING  # until a scheduler looks
    wait_for(lambda: release_orphans() == 1, within=60, what="the task given back")
    assert task_status(task.id) == TaskResultStatus.READY


@pytest.mark.parametrize("off", [-OFF, OFF], ids=["behind", "ahead"])
def test_a_scheduler_failing_on_a_clock_off_is_reported_after_five_minutes(
    off: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first failed tick is not five minutes of them, nor are six minutes of failed
    ticks none, whichever machine's clock the scheduler and the status run on."""
    monkeypatch.setattr(heartbeat, "BEAT", 3600.0)  # its one beat, at the start
    with clock_off(off), Beating(Heartbeat.Role.SCHEDULER) as name:
        scheduler.note_failing(name, failing=True)
        for judge in JUDGES:
            with clock_off(judge - off):  # this process is `off` already: now `judge`
                found = status()
                assert found["schedulers"]["alive"] == 1, judge
                assert not [p for p in found["problems"] if "failed every tick" in p], judge
        later = database_now() + FAILING_TICKS + dt.timedelta(minutes=1)
        Heartbeat.objects.filter(name=name).update(seen=later)  # beating on meanwhile
        problems = status(later)["problems"]
    assert [p for p in problems if "has failed every tick for 6 minutes" in p], problems


def test_two_schedulers_with_clocks_apart_hand_out_a_due_source_once_per_lease() -> None:
    """A source claimed on one scheduler's clock is leased for POLL_LEASE on the
    database's, so a scheduler twenty minutes ahead of it does not claim it again at
    once; nor does it poll a source before the database's clock says it is due."""
    Source.objects.create(url="https://feeds.example/tides.xml", outlet="Tide Table")
    with clock_off(-OFF):
        assert scheduler.tick().polls == 1
    with clock_off(OFF):
        assert scheduler.tick().polls == 0
    later = Source.objects.create(url="https://feeds.example/ferries.xml", outlet="Ferries")
    Source.objects.filter(pk=later.pk).update(next_poll=database_now() + dt.timedelta(minutes=5))
    with clock_off(OFF):
        assert scheduler.tick().polls == 0


@pytest.mark.parametrize("off", [-OFF, OFF], ids=["behind", "ahead"])
def test_a_retry_waits_its_policy_on_the_databases_clock(tmp_path: Path, off: float) -> None:
    """A task that failed on a worker whose clock is off is retried after its policy's
    wait on the database's clock: neither at once, counted in the status as waiting
    for ten minutes already (a queue that looks stuck), nor ten minutes late."""
    always_fails.enqueue(str(tmp_path / "runs.txt"))
    with clock_off(off):  # the first run only: a worker ahead would take the retry early
        run_worker(batch=True, max_tasks=1)
    (retry,) = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    now = database_now()
    assert now < retry.run_after <= now + RetryPolicy().delay
    found = status()
    assert found["queue_depth"] == 0 and found["oldest_pending_seconds"] == 0

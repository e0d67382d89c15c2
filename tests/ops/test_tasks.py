"""The retry policy, the scheduler's claims and the recovery of a dead worker's task,
on the real task table."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError
from django.db.models.functions import Now
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from newsdesk.cli.main import EXIT_USAGE, main
from newsdesk.ingest.models import Source
from newsdesk.newsroom import numbering
from newsdesk.newsroom.models import Issue
from newsdesk.newsroom.publications import add_publication
from newsdesk.ops import heartbeat, scheduler
from newsdesk.ops.health import status
from newsdesk.ops.models import Heartbeat
from newsdesk.ops.recovery import MOST_RUNS, STALE, alive, release_orphans, release_own
from newsdesk.ops.worker import run_worker
from newsdesk.tasking import RetryPolicy
from tests.archive.conftest import publish
from tests.ops.chores import always_fails, slow_once

pytestmark = pytest.mark.django_db(transaction=True)


def rows(name: str) -> list[DBTaskResult]:
    return [r for r in DBTaskResult.objects.order_by("enqueued_at") if r.task_path.endswith(name)]


def test_a_failing_task_is_recorded_and_retried_later_until_its_policy_ends(
    tmp_path: Path,
) -> None:
    note = tmp_path / "runs.txt"
    always_fails.enqueue(str(note))
    assert run_worker(batch=True) == 0
    first, retry = rows("always_fails")
    assert first.status == TaskResultStatus.FAILED and "failed on attempt 1" in first.traceback
    assert retry.status == TaskResultStatus.READY and retry.args_kwargs["kwargs"] == {"attempt": 2}
    wait = retry.run_after - first.finished_at
    assert dt.timedelta(seconds=25) < wait < dt.timedelta(seconds=35)
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_worker(batch=True)
    third = rows("always_fails")[2]
    assert third.args_kwargs["kwargs"] == {"attempt": 3}
    DBTaskResult.objects.filter(pk=third.pk).update(run_after=timezone.now())
    run_worker(batch=True)
    assert len(rows("always_fails")) == 3  # the third failure is the last
    assert note.read_text().splitlines() == ["attempt 1", "attempt 2", "attempt 3"]
    assert RetryPolicy().wait(2) == dt.timedelta(minutes=2)


def test_two_schedulers_hand_out_each_due_source_once() -> None:
    pub = add_publication("cpw", "Coastal Policy Weekly")
    for k in range(3):
        Source.objects.create(url=f"https://feeds.example/{k}.xml", outlet=f"O{k}", publication=pub)
    Source.objects.create(url="https://feeds.example/off.xml", outlet="Off", enabled=False)
    later = Source.objects.create(url="https://feeds.example/later.xml", outlet="Later")
    Source.objects.filter(pk=later.pk).update(next_poll=timezone.now() + dt.timedelta(hours=1))
    now = timezone.now()
    assert scheduler.tick(now).polls == 3
    assert scheduler.tick(now).polls == 0  # the second scheduler finds them claimed
    polls = rows("poll_source")
    assert sorted(r.args_kwargs["args"][0] for r in polls) == sorted(
        Source.objects.filter(publication=pub).values_list("pk", flat=True)
    )
    leased = Source.objects.filter(publication=pub).values_list("next_poll", flat=True)
    assert all(when == now + scheduler.POLL_LEASE for when in leased)
    assert scheduler.tick(now + scheduler.POLL_LEASE).polls == 3  # a poll never reported back
    assert scheduler.tick(now + dt.timedelta(hours=2)).polls == 4  # and now the later one


def test_a_scheduled_issue_is_published_once_by_the_worker() -> None:
    pub = add_publication("cpw", "Coastal Policy Weekly", first_number=7)
    draft = publish(pub, None, dt.date(2026, 10, 2), [("A HEADLINE", "A body.", [])], "draft")
    soon = timezone.now() + dt.timedelta(minutes=5)
    numbering.publish(draft, at=soon, override="test")
    assert not scheduler.tick().publish  # not due yet
    later = soon + dt.timedelta(seconds=1)
    assert scheduler.tick(later).publish
    assert not scheduler.tick(later).publish  # claimed once
    assert len(rows("publish_due_issues")) == 1
    Issue.objects.filter(pk=draft.pk).update(scheduled_for=timezone.now())
    run_worker(batch=True)
    draft.refresh_from_db()
    assert draft.status == Issue.Status.PUBLISHED and draft.number == 7


def test_a_dead_workers_task_goes_back_to_the_queue_and_runs_once_more(
    tmp_path: Path,
) -> None:
    note = tmp_path / "effect.txt"
    result = slow_once.enqueue(str(note), 0.0)
    started = timezone.now() - STALE * 2
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, started_at=started, worker_ids=["worker-gone"]
    )
    Heartbeat.objects.create(
        name="worker-alive", role="worker", host="h", pid=1, started=started, seen=timezone.now()
    )
    assert release_orphans() == 1
    assert release_orphans() == 0
    run_worker(batch=True)
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL and note.read_text() == "done\n"
    assert len(row.worker_ids) == 2  # claimed by the dead worker, then by ours


def test_a_task_that_keeps_killing_its_workers_fails_for_good_and_says_so(
    tmp_path: Path,
) -> None:
    """Out of memory on one feed: each worker that takes the task dies. Given back for
    ever, it would kill a worker every STALE seconds while the status looked healthy."""
    result = slow_once.enqueue(str(tmp_path / "effect.txt"), 0.0)
    started = timezone.now() - STALE * 2
    dead = [f"worker-gone-{n}" for n in range(1, MOST_RUNS + 1)]
    for runs in range(1, MOST_RUNS):  # died in each run so far: given back each time
        DBTaskResult.objects.filter(pk=result.id).update(
            status=TaskResultStatus.RUNNING, started_at=started, worker_ids=dead[:runs]
        )
        assert release_orphans() == 1
        assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.READY
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, started_at=started, worker_ids=dead
    )
    assert release_orphans() == 0
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.FAILED and row.finished_at is not None
    assert f"died while running it, {MOST_RUNS} times" in row.traceback
    found = status()
    assert found["failed_last_day"] == 1 and found["running"] == 0
    assert found["last_failure"]["task"] == "slow_once"
    assert found["last_failure"]["error"] == "WorkerLost"


def test_the_site_is_exported_once_per_change_when_a_folder_is_set(
    tmp_path: Path, settings: object
) -> None:
    pub = add_publication("cpw", "Coastal Policy Weekly", first_number=7)
    first = publish(pub, None, dt.date(2026, 10, 2), [("PORT TENDER OPENS", "Body.", [])], "draft")
    numbering.publish(first, override="test")
    assert scheduler.tick().exports == 0  # no folder: no export
    settings.NEWSDESK_EXPORT_DIR = str(tmp_path / "sites")  # type: ignore[attr-defined]
    settings.NEWSDESK_SITE_URL = "https://briefs.example.org"  # type: ignore[attr-defined]
    assert scheduler.tick().exports == 1
    assert scheduler.tick().exports == 0  # the same version: claimed
    run_worker(batch=True)
    page = tmp_path / "sites" / "cpw" / "cpw" / "7" / "index.html"
    assert "PORT TENDER OPENS" in page.read_text()
    draft = publish(pub, None, dt.date(2026, 10, 9), [("A SECOND WEEK", "Body.", [])], "draft")
    numbering.publish(draft, override="test")
    assert scheduler.tick().exports == 1  # a new version
    run_worker(batch=True)
    assert "A SECOND WEEK" in (tmp_path / "sites" / "cpw" / "cpw" / "8" / "index.html").read_text()
    assert all(r.status == TaskResultStatus.SUCCESSFUL for r in rows("export_publication"))


def test_a_living_process_whose_heartbeat_row_was_removed_beats_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After a long database outage the scheduler may delete a heartbeat row as long
    gone before its process beats again: the process must not pass for dead for good
    (its running tasks would be handed to other workers while it runs them)."""
    monkeypatch.setattr(heartbeat, "BEAT", 0.05)
    with heartbeat.Beating(Heartbeat.Role.WORKER) as name:
        # what release_orphans does to a row not seen for ten times STALE
        Heartbeat.objects.filter(name=name).delete()
        for _ in range(100):
            if name in alive(Heartbeat.Role.WORKER):
                break
            time.sleep(0.05)
        assert name in alive(Heartbeat.Role.WORKER)
    assert not Heartbeat.objects.filter(name=name).exists()  # a clean stop removes it


def test_a_scheduled_issue_whose_publishing_fails_for_a_moment_is_published_later(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The scheduler claims a due issue once: a failure that is not the issue's checks
    (a locked database, say) must be retried, or the issue stays scheduled for good."""
    pub = add_publication("cpw", "Coastal Policy Weekly", first_number=7)
    draft = publish(pub, None, dt.date(2026, 10, 2), [("A HEADLINE", "A body.", [])], "draft")
    numbering.publish(draft, at=timezone.now() + dt.timedelta(minutes=5), override="test")
    # due now on the scheduler's clock, the database's (newsdesk/clock.py)
    Issue.objects.filter(pk=draft.pk).update(scheduled_for=Now())
    real = numbering.publish
    failures = iter([OperationalError("database is locked")])

    def once_locked(*args: Any, **kwargs: Any) -> Issue:
        for failure in failures:
            raise failure
        return real(*args, **kwargs)

    monkeypatch.setattr(numbering, "publish", once_locked)
    assert scheduler.tick().publish
    run_worker(batch=True)
    draft.refresh_from_db()
    assert draft.status == Issue.Status.SCHEDULED
    assert not scheduler.tick().publish  # claimed already: only a retry can publish it
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())
    run_worker(batch=True)
    draft.refresh_from_db()
    assert draft.status == Issue.Status.PUBLISHED and draft.number == 7


def test_a_worker_refuses_a_queue_no_task_goes_to(capsys: pytest.CaptureFixture[str]) -> None:
    """A misspelt --queues would have the worker wait for ever while its queue fills."""
    assert main(["worker", "--queues", "ingest,mial", "--batch"]) == EXIT_USAGE
    assert capsys.readouterr().err.splitlines()[-1] == (
        "newsdesk worker: error: argument --queues: no queue 'mial'; the queues are default, "
        "ingest, newsroom, site, mail (or * for all)"
    )
    assert main(["worker", "--queues", "ingest, mail", "--batch"]) == 0


def test_a_task_given_back_after_lost_connections_is_not_taken_for_a_killer(
    tmp_path: Path,
) -> None:
    """A worker that lost its database gives its task back and lives on: those runs did
    not end by a dead worker, so one death after two database restarts gives the task
    back, not fails it for good as WorkerLost."""
    result = slow_once.enqueue(str(tmp_path / "effect.txt"), 0.0)
    started = timezone.now() - STALE * 2
    Heartbeat.objects.create(
        name="worker-me", role="worker", host="h", pid=1, started=started, seen=timezone.now()
    )
    for _ in range(MOST_RUNS - 1):  # claimed, then given back after a lost connection
        row = DBTaskResult.objects.get(pk=result.id)
        DBTaskResult.objects.filter(pk=result.id).update(
            status=TaskResultStatus.RUNNING,
            started_at=started,
            worker_ids=[*row.worker_ids, "worker-me"],
        )
        assert release_own("worker-me") == 1
    row = DBTaskResult.objects.get(pk=result.id)
    DBTaskResult.objects.filter(pk=result.id).update(  # then its worker is killed once
        status=TaskResultStatus.RUNNING, started_at=started, worker_ids=[*row.worker_ids, "gone"]
    )
    assert release_orphans() == 1
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.READY

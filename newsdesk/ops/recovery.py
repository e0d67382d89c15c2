"""Work left behind by a dead worker goes back to the queue.

A worker killed mid-task (SIGKILL, a lost machine) leaves its task "running" for
ever: django-tasks-db has no lease. Its heartbeat stops, so a task running for STALE
(from its start, which our worker stamps with the database's time: ops/worker.py)
under a worker not seen for STALE goes back to READY with a conditional UPDATE (another
scheduler doing the same at the same time changes nothing twice). Tasks are
idempotent, so running it again has its effect once. A task whose worker died in
each of MOST_RUNS runs is what kills them: it fails for good, where the status shows it.

"now" is the database's time (newsdesk/clock.py), as the heartbeats are: a scheduler
whose clock is minutes off takes no living worker for dead, nor a dead one for alive.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db.models import QuerySet
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from newsdesk.clock import database_now
from newsdesk.ops.models import Heartbeat

logger = logging.getLogger("newsdesk.ops")

#: a process not seen for this long is dead (NEWSDESK_WORKER_STALE_SECONDS)
STALE = dt.timedelta(seconds=settings.NEWSDESK_WORKER_STALE_SECONDS)
#: a task whose worker died in each of this many runs fails for good instead of being
#: given back: it is what kills them (out of memory, a crash in a library)
MOST_RUNS = 3


class WorkerLost(Exception):
    """What a task that kept killing its workers failed with (its record's exception)."""


def alive(role: str, now: dt.datetime | None = None) -> set[str]:
    since = (now or database_now()) - STALE
    return set(Heartbeat.objects.filter(role=role, seen__gte=since).values_list("name", flat=True))


def release_own(worker: str, now: dt.datetime | None = None) -> int:
    """Give back the tasks a living worker held when its database went away: the
    connection died mid-task, so the task's end was never recorded, and its worker,
    still beating, would keep it "running" for ever. Our claim is taken off the
    task's worker_ids: the task did not kill its worker, and a task claimed by
    MOST_RUNS workers that died fails for good (release_orphans)."""
    now = now or database_now()
    released = 0
    for row in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING):
        if row.worker_ids and row.worker_ids[-1] == worker:
            released += DBTaskResult.objects.filter(
                pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at
            ).update(status=TaskResultStatus.READY, run_after=now, worker_ids=row.worker_ids[:-1])
            logger.warning("task %s back in the queue after a lost connection", row.pk)
    return released


def release_orphans(now: dt.datetime | None = None) -> int:
    """Give the tasks of dead workers back to the queue; how many were given back."""
    now = now or database_now()
    living = alive(Heartbeat.Role.WORKER, now)
    released = 0
    running = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=now - STALE
    )
    for row in running:
        owner = row.worker_ids[-1] if row.worker_ids else ""
        if owner in living:
            continue
        mine = DBTaskResult.objects.filter(
            pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at
        )
        if len(row.worker_ids) >= MOST_RUNS:
            _fail_for_good(mine, row, owner, now)
            continue
        released += mine.update(status=TaskResultStatus.READY, run_after=now)
        logger.warning(
            "task %s (%s) of dead worker %s back in the queue (run %d of at most %d)",
            row.pk,
            row.task_name,
            owner or "?",
            len(row.worker_ids),
            MOST_RUNS,
        )
    Heartbeat.objects.filter(seen__lt=now - STALE * 10).delete()  # long gone
    return released


def _fail_for_good(
    mine: QuerySet[DBTaskResult], row: DBTaskResult, owner: str, now: dt.datetime
) -> None:
    """Record the task failed, as `newsdesk status` and /healthz show it: given back once
    more it would kill a worker again, for ever, while the status looked healthy."""
    why = (
        f"its worker died while running it, {len(row.worker_ids)} times "
        f"(last {owner or '?'}): out of memory or a crash? See the system log "
        "(dmesg, journalctl) for the killed process"
    )
    failed = mine.update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
        traceback=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}: {why}\n",
    )
    if failed:
        logger.error("task %s (%s) failed for good: %s", row.pk, row.task_name, why)

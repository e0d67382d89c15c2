"""Work left behind by a dead worker goes back to the queue.

A worker killed mid-task (SIGKILL, a lost machine) leaves its task "running" for
ever: django-tasks-db has no lease. Its heartbeat stops, so a task running under a
worker not seen for STALE goes back to READY with a conditional UPDATE (another
scheduler doing the same at the same time changes nothing twice). Tasks are
idempotent, so running it again has its effect once.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from newsdesk.ops.models import Heartbeat

logger = logging.getLogger("newsdesk.ops")

#: a process not seen for this long is dead (NEWSDESK_WORKER_STALE_SECONDS)
STALE = dt.timedelta(seconds=settings.NEWSDESK_WORKER_STALE_SECONDS)


def alive(role: str, now: dt.datetime | None = None) -> set[str]:
    since = (now or timezone.now()) - STALE
    return set(Heartbeat.objects.filter(role=role, seen__gte=since).values_list("name", flat=True))


def release_own(worker: str, now: dt.datetime | None = None) -> int:
    """Give back the tasks a living worker held when its database went away: the
    connection died mid-task, so the task's end was never recorded, and its worker,
    still beating, would keep it "running" for ever."""
    now = now or timezone.now()
    released = 0
    for row in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING):
        if row.worker_ids and row.worker_ids[-1] == worker:
            released += DBTaskResult.objects.filter(
                pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at
            ).update(status=TaskResultStatus.READY, run_after=now)
            logger.warning("task %s back in the queue after a lost connection", row.pk)
    return released


def release_orphans(now: dt.datetime | None = None) -> int:
    """Give the tasks of dead workers back to the queue; how many were given back."""
    now = now or timezone.now()
    living = alive(Heartbeat.Role.WORKER, now)
    released = 0
    running = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=now - STALE
    )
    for row in running:
        owner = row.worker_ids[-1] if row.worker_ids else ""
        if owner in living:
            continue
        released += DBTaskResult.objects.filter(
            pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at
        ).update(status=TaskResultStatus.READY, run_after=now)
        logger.warning("task %s of dead worker %s back in the queue", row.pk, owner or "?")
    Heartbeat.objects.filter(seen__lt=now - STALE * 10).delete()  # long gone
    return released

"""Is newsdesk healthy: the database answers, a worker and a scheduler are alive, the
queue moves. One dictionary for /healthz and `newsdesk status`, judged on the
database's clock (newsdesk/clock.py), whichever machine asks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import DatabaseError, connection
from django.db.models import Q, QuerySet
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from newsdesk.clock import database_now
from newsdesk.ops.models import Heartbeat
from newsdesk.ops.recovery import STALE
from newsdesk.pipeline.errors import one_line

#: a task waiting longer than this makes the queue unhealthy
OLDEST_PENDING = dt.timedelta(minutes=15)
#: a living scheduler whose every tick has failed this long (a bug) is a problem
FAILING_TICKS = dt.timedelta(minutes=5)


def status(now: dt.datetime | None = None) -> dict[str, Any]:
    """{"healthy": bool, "problems": [...], "database": ..., "workers": ..., ...}."""
    try:
        database = database_now()  # the database answers, and on the clock of all
    except DatabaseError as exc:
        return {"healthy": False, "problems": [f"database: {one_line(exc)}"], "database": "down"}
    now = now or database
    beats = {role: _beats(role, now) for role in Heartbeat.Role.values}
    ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY).filter(
        Q(run_after=get_date_max()) | Q(run_after__lte=now)
    )
    oldest_age, oldest = _oldest_wait(ready, now)
    day_ago = now - dt.timedelta(days=1)
    failed = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED, finished_at__gte=day_ago)
    last_failure = failed.order_by("-finished_at").first()
    problems = [f"no {role} alive" for role, seen in beats.items() if not seen["alive"]]
    problems += _failing_schedulers(now)
    if oldest_age > OLDEST_PENDING.total_seconds() and oldest is not None:
        queue = oldest.queue_name
        problems.append(
            f"the oldest pending task ({oldest.task_path.rsplit('.', 1)[-1]}, queue {queue}) "
            f"has waited {oldest_age / 60:.0f} minutes: is a worker running for queue "
            f"{queue} (`newsdesk worker --queues {queue}`, or no --queues), and not stuck?"
        )
    return {
        "healthy": not problems,
        "problems": problems,
        "database": connection.vendor,
        "workers": beats[Heartbeat.Role.WORKER],
        "schedulers": beats[Heartbeat.Role.SCHEDULER],
        "queue_depth": ready.count(),
        "oldest_pending_seconds": round(oldest_age, 1),
        "running": DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count(),
        "failed_last_day": failed.count(),
        "last_failure": (
            {
                "task": last_failure.task_path.rsplit(".", 1)[-1],
                "at": last_failure.finished_at.isoformat() if last_failure.finished_at else None,
                "error": last_failure.exception_class_path.rsplit(".", 1)[-1],
            }
            if last_failure
            else None
        ),
    }


def _oldest_wait(
    ready: QuerySet[DBTaskResult], now: dt.datetime
) -> tuple[float, DBTaskResult | None]:
    """Seconds the longest-waiting runnable task has waited, and that task: since it was
    enqueued, or, for one given a time to run after (a retry, a task given back), since
    that time. django-tasks-db stores "at once" as the far future (get_date_max), not
    as None."""
    at_once = ready.filter(run_after=get_date_max()).order_by("enqueued_at").first()
    later = ready.exclude(run_after=get_date_max()).order_by("run_after").first()
    waiting = [(row.enqueued_at, row) for row in (at_once,) if row is not None]
    waiting += [(row.run_after, row) for row in (later,) if row is not None]
    if not waiting:
        return 0.0, None
    since, row = min(waiting, key=lambda pair: pair[0])
    return max(0.0, (now - since).total_seconds()), row


def _failing_schedulers(now: dt.datetime) -> list[str]:
    """Living schedulers whose every tick has failed for FAILING_TICKS: their heartbeat
    thread beats on while nothing is scheduled."""
    alive = Heartbeat.objects.filter(role=Heartbeat.Role.SCHEDULER, seen__gte=now - STALE)
    stuck = alive.filter(failing_since__lte=now - FAILING_TICKS)
    return [
        f"scheduler {row.name} (host {row.host}, pid {row.pid}) has failed every tick for "
        f"{(now - row.failing_since).total_seconds() / 60:.0f} minutes: its log has the "
        "traceback of each"
        for row in stuck
        if row.failing_since is not None
    ]


def _beats(role: str, now: dt.datetime) -> dict[str, Any]:
    rows = list(Heartbeat.objects.filter(role=role).order_by("-seen"))
    fresh = [row for row in rows if row.seen >= now - STALE]
    newest = rows[0].seen if rows else None
    return {
        "alive": len(fresh),
        "last_seen_seconds": round((now - newest).total_seconds(), 1) if newest else None,
    }

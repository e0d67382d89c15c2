"""A worker process: runs queued tasks one at a time, with a heartbeat.

The loop is django-tasks-db's own worker, that of its `db_worker` command (it claims
a task with SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL and an exclusive
transaction on SQLite, so no task runs twice at once). On SIGTERM or SIGINT it
finishes the task in hand, then exits 0; idle, it exits at once. A second signal
changes nothing: `newsdesk run` passes its own SIGTERM on to a worker that Ctrl-C in
a terminal (or systemd, signalling the whole service) has reached already, and
db_worker's "again to force" would abort the task and record it failed, for good.
Once the database was migrated under it (ops/heartbeat.py) it stops the same way, and
exits 1: its code may be older than the schema.
"""

from __future__ import annotations

import logging
import threading
import time
from types import FrameType
from typing import Any

from django_tasks.base import TaskResultStatus
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, TASKS_LOGGER
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from newsdesk.clock import database_now
from newsdesk.ops.heartbeat import Beating
from newsdesk.ops.models import Heartbeat
from newsdesk.ops.outage import DATABASE_ERRORS, Outage
from newsdesk.ops.recovery import release_orphans, release_own

logger = logging.getLogger("newsdesk.ops")


class OneStopWorker(Worker):
    """db_worker's loop, stopping once however many times it is asked, each task's
    start on the database's clock; it stops too once `migrated` is set, as when asked."""

    def __init__(self, *, migrated: threading.Event, **options: Any) -> None:
        self.migrated = migrated
        super().__init__(**options)

    @property
    def running(self) -> bool:
        """db_worker's flag, read before each task: false once asked to stop."""
        return self.asked_to_run and not self.migrated.is_set()

    @running.setter
    def running(self, value: bool) -> None:
        self.asked_to_run = value

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """Run a claimed task, its start stamped again with the database's time first.
        django-tasks-db stamps it with this machine's clock, and the scheduler gives a
        dead worker's task back once it has run STALE on the database's
        (ops/recovery.py): on a worker ten minutes ahead it would stay stuck ten
        minutes more; on one behind, a task just taken would look old enough."""
        self.running_task = True  # db_worker's flag: a SIGTERM now lets the task finish
        # a value, not Now(): SQLite would store Now() with three decimals, and recovery
        # finds the task by the start it read (a conditional UPDATE), to the microsecond
        DBTaskResult.objects.filter(pk=db_task_result.pk, status=TaskResultStatus.RUNNING).update(
            started_at=database_now()
        )
        super().run_task(db_task_result)

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        if not self.running:
            logger.info("worker %s is stopping already: the task in hand finishes", self.worker_id)
            return
        super().shutdown(signum, frame)


def run_worker(*, queues: str = "*", max_tasks: int | None = None, batch: bool = False) -> int:
    """Run tasks of `queues` ("*" for all, or names joined by ","); 0 on a clean stop.

    A lost database (a restart, a failover) does not end the worker: it waits,
    longer after each failed attempt (ops/outage.py), reconnects, puts back the task it
    had in hand (its end could not be recorded) and goes on."""
    beating = Beating(Heartbeat.Role.WORKER)
    with beating as name:
        release_orphans()
        logger.info("worker %s started on queues %s", name, queues)
        for quiet in (TASKS_LOGGER, "django_tasks_db"):  # newsdesk logs the tasks itself
            logging.getLogger(quiet).setLevel(logging.CRITICAL)
        outage = Outage(f"worker {name}")
        while True:
            worker = OneStopWorker(
                migrated=beating.migrated,
                queue_names=queues.split(","),
                interval=1.0,
                batch=batch,
                backend_name=DEFAULT_TASK_BACKEND_ALIAS,
                startup_delay=False,
                max_tasks=max_tasks,
                worker_id=name,
                excluded_queue_names=[],
            )
            try:
                worker.configure_signals()
                worker.run()
                return beating.exit_code(0)
            except SystemExit as stop:  # the loop's own clean exit on SIGTERM
                code = stop.code if isinstance(stop.code, int) else 1
                logger.info("worker %s stopped (%s)", name, code)
                return beating.exit_code(code)
            except DATABASE_ERRORS as exc:
                time.sleep(outage.lost(exc))
            _reconnect(name, outage)


def _reconnect(name: str, outage: Outage) -> None:
    """Give back our task in hand; the database is back when that works. When it does
    not, the next attempt to run fails too and says so."""
    try:
        release_own(name)
    except DATABASE_ERRORS:
        return
    outage.back()

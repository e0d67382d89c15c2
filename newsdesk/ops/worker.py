"""A worker process: runs queued tasks one at a time, with a heartbeat.

The loop is django-tasks-db's own `db_worker` command (it claims a task with
SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL and an exclusive transaction on
SQLite, so no task runs twice at once). On SIGTERM it finishes the task in hand,
then exits 0; idle, it exits at once.
"""

from __future__ import annotations

import logging

from django.core.management import call_command

from newsdesk.ops.heartbeat import Beating
from newsdesk.ops.models import Heartbeat
from newsdesk.ops.recovery import release_orphans

logger = logging.getLogger("newsdesk.ops")


def run_worker(*, queues: str = "*", max_tasks: int | None = None, batch: bool = False) -> int:
    """Run tasks of `queues` ("*" for all, or names joined by ","); 0 on a clean stop."""
    with Beating(Heartbeat.Role.WORKER) as name:
        release_orphans()
        logger.info("worker %s started on queues %s", name, queues)
        options: dict[str, object] = {
            "worker_id": name,
            "queue_name": queues,
            "interval": 1.0,
            "reload": False,
            "startup_delay": False,
            "batch": batch,
            "verbosity": 0,
        }
        if max_tasks is not None:
            options["max_tasks"] = max_tasks
        try:
            call_command("db_worker", **options)
        except SystemExit as stop:  # the command's own clean exit on SIGTERM
            code = stop.code if isinstance(stop.code, int) else 1
            logger.info("worker %s stopped (%s)", name, code)
            return code
    return 0

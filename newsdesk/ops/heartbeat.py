"""A process's heartbeat: a row refreshed every few seconds from a thread of its own.

Its times are the database's (newsdesk/clock.py): the processes that read them run on
other machines, whose clocks may be minutes off this one's.

Each beat also looks whether the database's migrations changed since the process
started (`newsdesk migrate` of a newer version, a restore): its code may no longer be
the database's, and it would go on writing as the older version did. The worker and
the scheduler then stop (docs/operations.md, Upgrading)."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import secrets
import socket
import threading
from types import TracebackType

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Count, Max
from django.db.models.functions import Now

from newsdesk.clock import database_now
from newsdesk.ops.models import Heartbeat

#: how often a process says it is alive, in seconds: six beats fit in the time after
#: which it is taken for dead (NEWSDESK_WORKER_STALE_SECONDS)
BEAT = min(5.0, settings.NEWSDESK_WORKER_STALE_SECONDS / 6)

logger = logging.getLogger("newsdesk.ops")


def schema_mark() -> tuple[int, int | None]:
    """How many migrations the database records, and the last one's id: a migrate or a
    restore that changes them changes this."""
    found = MigrationRecorder(connection).migration_qs.aggregate(count=Count("id"), last=Max("id"))
    return found["count"], found["last"]


def process_name(role: str) -> str:
    """A name unique across machines and restarts (at most 64 characters)."""
    host = socket.gethostname()[:30]
    return f"{role}-{host}-{os.getpid()}-{secrets.token_hex(4)}"[:64]


class Beating:
    """`with Beating("worker") as name:` keeps a heartbeat row fresh while the block
    runs, and removes it on the way out (a clean stop leaves no dead process behind).
    `migrated` is set once the database's migrations changed since the block began."""

    def __init__(self, role: str) -> None:
        self.role = role
        self.name = process_name(role)
        self.started: dt.datetime | None = None
        self.migrated = threading.Event()
        self._schema: tuple[int, int | None] | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"{role}-heartbeat", daemon=True)

    def __enter__(self) -> str:
        self.started = database_now()
        self._schema = schema_mark()
        self._beat()
        self._thread.start()
        return self.name

    def _watch_schema(self) -> None:
        if self.migrated.is_set() or schema_mark() == self._schema:
            return
        logger.error(
            "%s %s: the database was migrated (or restored) since it started; it stops "
            "after the work in hand, to be started again with the newsdesk the database "
            "now needs (docs/operations.md, Upgrading)",
            self.role,
            self.name,
        )
        self.migrated.set()

    def exit_code(self, code: int) -> int:
        """The process's exit code once it stopped: 1 when it stopped because the
        database was migrated under it (a supervisor starts it again, with the code
        installed now), else `code`."""
        if self.migrated.is_set():
            logger.error("%s %s stopped: the database was migrated", self.role, self.name)
            return 1
        return code

    def _beat(self) -> None:
        """Say this process is alive; the row is made again if it went away meanwhile (a
        scheduler deletes rows not seen for ten times the stale time, as after a long
        database outage): without it, the living process would pass for dead for good,
        and its tasks would be given to other workers while it runs them."""
        if Heartbeat.objects.filter(name=self.name).update(seen=Now()):
            return
        Heartbeat.objects.create(
            name=self.name,
            role=self.role,
            host=socket.gethostname()[:200],
            pid=os.getpid(),
            started=self.started or Now(),
            seen=Now(),
        )

    def _run(self) -> None:
        try:
            while not self._stop.wait(BEAT):
                close_old_connections()  # a restarted database is reconnected here
                try:
                    self._beat()
                    self._watch_schema()
                except Exception:  # a missed beat (database restarting) is retried at the next
                    continue
        finally:
            connection.close()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=BEAT * 2)
        with contextlib.suppress(DatabaseError):  # the database is away: the row goes stale
            Heartbeat.objects.filter(name=self.name).delete()

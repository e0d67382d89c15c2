"""A process's heartbeat: a row refreshed every few seconds from a thread of its own.

Its times are the database's (newsdesk/clock.py): the processes that read them run on
other machines, whose clocks may be minutes off this one's."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
import socket
import threading
from types import TracebackType

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.db.models.functions import Now

from newsdesk.clock import database_now
from newsdesk.ops.models import Heartbeat

#: how often a process says it is alive, in seconds: six beats fit in the time after
#: which it is taken for dead (NEWSDESK_WORKER_STALE_SECONDS)
BEAT = min(5.0, settings.NEWSDESK_WORKER_STALE_SECONDS / 6)


def process_name(role: str) -> str:
    """A name unique across machines and restarts (at most 64 characters)."""
    host = socket.gethostname()[:30]
    return f"{role}-{host}-{os.getpid()}-{secrets.token_hex(4)}"[:64]


class Beating:
    """`with Beating("worker") as name:` keeps a heartbeat row fresh while the block
    runs, and removes it on the way out (a clean stop leaves no dead process behind)."""

    def __init__(self, role: str) -> None:
        self.role = role
        self.name = process_name(role)
        self.started: dt.datetime | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"{role}-heartbeat", daemon=True)

    def __enter__(self) -> str:
        self.started = database_now()
        self._beat()
        self._thread.start()
        return self.name

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

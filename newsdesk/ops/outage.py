"""A lost database, as the long-running processes (worker, scheduler) live through it.

A restart or a failover is not a bug: each failed attempt is one log line (the error
in one line, never a traceback), the wait before the next attempt doubles up to
RECONNECT_MAX, and one line says when the database answers again. Without this a
process down for minutes would fill its log with the same traceback every few seconds.
"""

from __future__ import annotations

import contextlib
import logging
import time

from django.db import DatabaseError, InterfaceError, connection

from newsdesk.pipeline.errors import one_line
from newsdesk.pipeline.text import plural

logger = logging.getLogger("newsdesk.ops")

#: what a lost (or restarting) database raises; InterfaceError is not a DatabaseError
DATABASE_ERRORS = (DatabaseError, InterfaceError)
#: after losing the database, the first wait before trying again, and the longest
RECONNECT = 1.0
RECONNECT_MAX = 30.0


class Outage:
    """`lost(exc)` after each failed attempt, `back()` after each one that worked."""

    def __init__(self, who: str, first: float = RECONNECT) -> None:
        self.who = who
        self.first = first
        self.wait = first
        self.failures = 0
        self.since = 0.0

    def lost(self, exc: BaseException) -> float:
        """Say so in one line; the seconds to wait before the next attempt. The broken
        connection is closed: Django opens a new one at the next query."""
        with contextlib.suppress(*DATABASE_ERRORS):  # gone already
            connection.close()
        if not self.failures:
            self.since = time.monotonic()
        self.failures += 1
        wait, self.wait = self.wait, min(self.wait * 2, RECONNECT_MAX)
        logger.warning("%s lost the database (%s); again in %.0f s", self.who, one_line(exc), wait)
        return wait

    def back(self) -> None:
        """An attempt worked: say so once after failures, and wait little next time."""
        if self.failures:
            logger.info(
                "%s has the database again, after %s over %.0f s",
                self.who,
                plural(self.failures, "failed attempt"),
                time.monotonic() - self.since,
            )
        self.failures = 0
        self.wait = self.first

"""One clock for what several processes decide together: the database's.

Whether a worker, a scheduler or a mail sender is alive, whether a dead worker's task
goes back to the queue, what is due and since when a scheduler has been failing are
decided by comparing a time one process stored with the time another reads. Each
machine's own clock (`timezone.now()`) may be minutes off, far more than the 30 s
after which a worker counts as dead; the database's clock is one for all of them. So
these times are written with it (`django.db.models.functions.Now()` in the query)
and read against it (`database_now()`). On SQLite every process runs on one machine,
and the database's clock is that machine's (docs/operations.md, "One clock").
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

#: the database's time now: what Django's Now() writes on each
_NOW = {
    "postgresql": "SELECT STATEMENT_TIMESTAMP()",
    "sqlite": "SELECT STRFTIME('%Y-%m-%d %H:%M:%f', 'now')",
}


def database_now() -> dt.datetime:
    """The database's time now, aware: one query (it fails as any query does with the
    database away)."""
    with connection.cursor() as cursor:
        cursor.execute(_NOW[connection.vendor])
        (found,) = cursor.fetchone()
    if isinstance(found, str):  # SQLite: UTC as text
        return dt.datetime.fromisoformat(found).replace(tzinfo=dt.UTC)
    return found

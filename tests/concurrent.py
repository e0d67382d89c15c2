"""Running a test's steps in threads at once, each on its own database connection."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.db import connection, connections


def run_at_once(*steps: Callable[[], object]) -> list[BaseException]:
    """Run each step in its own thread and wait for all; what they raised, in any order.

    Each thread closes its connections when done, so the test database can be dropped."""
    errors: list[BaseException] = []

    def run(step: Callable[[], object]) -> None:
        try:
            step()
        except BaseException as exc:  # reported to the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(step,)) for step in steps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def wait_until_blocked(what: str = "the other session") -> None:
    """Until another session of this PostgreSQL database waits for a lock (a minute at
    most: a step may first load a gazetteer, slow on a busy machine). A test that lets
    a step wait for another's lock uses this, not a sleep: a sleep long enough on an
    idle machine may end before the other step got there on a loaded one."""
    for _ in range(1200):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # read once a transaction
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError(f"{what} never waited for a lock")

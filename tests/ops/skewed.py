"""`python -m tests.ops.skewed SECONDS ARGS...`: `newsdesk ARGS` on a machine whose
clock is SECONDS off (ahead when positive, behind when negative).

What is shifted is `django.utils.timezone.now`, the clock newsdesk and
django-tasks-db read in Python; the database keeps its own (PostgreSQL's server,
SQLite's reading of the machine's clock), as it would on another machine."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone


def skew(seconds: float) -> None:
    """From now on this process's clock reads `seconds` off."""
    right = timezone.now
    off = dt.timedelta(seconds=seconds)

    def now() -> dt.datetime:
        return right() + off

    timezone.now = now


@contextmanager
def clock_off(seconds: float) -> Iterator[None]:
    """This process, within the block, on a machine whose clock is `seconds` off (its
    threads too: a heartbeat thread beats on the same clock)."""
    right = timezone.now
    skew(seconds)
    try:
        yield
    finally:
        timezone.now = right


if __name__ == "__main__":
    skew(float(sys.argv[1]))
    from newsdesk.cli.main import main  # deferred: once the clock is off

    sys.exit(main(sys.argv[2:]))

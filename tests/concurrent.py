"""Running a test's steps in threads at once, each on its own database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections


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

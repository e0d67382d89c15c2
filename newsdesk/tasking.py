"""Background work: every task is a Django task (the django-tasks backport, stored by
django-tasks-db) with its own retry policy.

A task that raises is recorded as failed, with its traceback, where `newsdesk
status` and /healthz show it; while its policy allows, a copy is enqueued to run
after a growing delay on the database's clock (newsdesk/clock.py: this machine's may
be off, and the status counts a retry's wait from that time), carrying the attempt
number. Tasks must be idempotent: a
worker killed mid-task leaves it running, and the scheduler gives it back to the
queue when that worker's heartbeat stops (`newsdesk.ops.recovery`), so it can run
twice. Tasks take and return plain JSON values (ids, not model instances).

This module sits under the apps, like storage and config: it imports none of them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
import logging
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django_tasks import TaskContext, task
from django_tasks.base import Task

from newsdesk.clock import database_now
from newsdesk.logs import log_context

P = ParamSpec("P")
T = TypeVar("T")

logger = logging.getLogger("newsdesk.tasks")

#: the keyword that carries a retry's attempt number (1 for the first run)
ATTEMPT = "attempt"


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """How often a failed task is tried again, and after how long."""

    attempts: int = 3  # runs in all, the first included
    delay: dt.timedelta = dt.timedelta(seconds=30)  # before the second run
    factor: float = 4.0  # each further wait is this many times the one before

    def wait(self, attempt: int) -> dt.timedelta:
        """The wait before run `attempt + 1`, after run `attempt` failed."""
        return self.delay * (self.factor ** (attempt - 1))


ONCE = RetryPolicy(attempts=1)


def background(
    *, retry: RetryPolicy = RetryPolicy(), queue: str = "default", priority: int = 0
) -> Callable[[Callable[..., T]], Task[..., T | None]]:
    """Make `function(*args, attempt=1)` a task with `retry` as its policy.

    The function gets the attempt number as the keyword `attempt`, so it can tell a
    retry from a first run in what it records.
    """

    def decorate(function: Callable[..., T]) -> Task[..., T | None]:
        signature = inspect.signature(function)

        def run(context: TaskContext, *args: Any, **kwargs: Any) -> T | None:
            attempt = int(kwargs.pop(ATTEMPT, 1))
            with log_context(
                task=function.__name__,
                task_id=str(context.task_result.id),
                attempt=attempt,
                **argument_ids(signature, args, kwargs),
            ):
                return attempted(attempt, *args, **kwargs)

        def attempted(attempt: int, *args: Any, **kwargs: Any) -> T | None:
            try:
                done = function(*args, **kwargs, attempt=attempt)
                logger.info("task %s done", function.__name__)
                return done
            except Exception as exc:
                if attempt < retry.attempts:
                    after = database_now() + retry.wait(attempt)
                    wrapped.using(run_after=after).enqueue(
                        *args, **kwargs, **{ATTEMPT: attempt + 1}
                    )
                    logger.warning(
                        "task %s failed (attempt %d of %d, retried at %s): %s",
                        function.__name__,
                        attempt,
                        retry.attempts,
                        after.isoformat(timespec="seconds"),
                        exc,
                    )
                else:
                    logger.error(
                        "task %s failed for good (attempt %d of %d): %s",
                        function.__name__,
                        attempt,
                        retry.attempts,
                        exc,
                    )
                raise

        run.__name__ = function.__name__
        run.__qualname__ = function.__qualname__
        run.__module__ = function.__module__
        run.__doc__ = function.__doc__
        wrapped: Task[..., T | None] = task(
            run, queue_name=queue, priority=priority, takes_context=True
        )
        return wrapped

    return decorate


def argument_ids(
    signature: inspect.Signature, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> dict[str, object]:
    """The ids among a task's arguments, for its log lines: `source_id=12` -> source=12."""
    try:
        bound = signature.bind_partial(*args, **kwargs).arguments
    except TypeError:  # the call itself is wrong: the task says so when it runs
        return {}
    return {
        name.removesuffix("_id"): value
        for name, value in bound.items()
        if name.endswith("_id") and isinstance(value, int | str)
    }

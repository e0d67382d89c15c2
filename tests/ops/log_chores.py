"""For the log tests: logging captured as the settings set it up, and a task that logs
a subscriber's address and fails with a secret in its error, as careless code would."""

from __future__ import annotations

import io
import logging
import logging.config
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

from newsdesk.logs import logging_config
from newsdesk.pipeline.errors import NewsdeskError
from newsdesk.tasking import ONCE, background

log = logging.getLogger("newsdesk.mailing.test")


@contextmanager
def captured_logs(form: str) -> Iterator[io.StringIO]:
    """Logging set up as the settings do with NEWSDESK_LOG_FORMAT=`form` (its filter reads
    the secrets at the first line), onto a buffer; the suite's handlers back after."""
    root = logging.getLogger()
    kept = root.handlers[:]
    config = logging_config(form, "info")
    out = io.StringIO()
    config["handlers"]["console"]["stream"] = out
    logging.config.dictConfig(config)
    try:
        yield out
    finally:
        root.handlers[:] = kept


@background(retry=ONCE)
def careless_send(source_id: int, issue_id: int, subscriber: str, *, attempt: int = 1) -> None:
    log.info("sending issue %s to %s", issue_id, subscriber)
    raise NewsdeskError(
        f"SMTP refused {subscriber} after logging in with {settings.EMAIL_HOST_PASSWORD}"
    )

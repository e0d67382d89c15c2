"""A task for the log tests: it logs a subscriber's address and fails with a secret in
its error, as careless code would."""

from __future__ import annotations

import logging

from django.conf import settings

from newsdesk.pipeline.errors import NewsdeskError
from newsdesk.tasking import ONCE, background

log = logging.getLogger("newsdesk.mailing.test")


@background(retry=ONCE)
def careless_send(source_id: int, issue_id: int, subscriber: str, *, attempt: int = 1) -> None:
    log.info("sending issue %s to %s", issue_id, subscriber)
    raise NewsdeskError(
        f"SMTP refused {subscriber} after logging in with {settings.EMAIL_HOST_PASSWORD}"
    )

"""The scheduler mails a newly published issue once, and the due deferred readers
again; the task is the same service as `newsdesk mail send`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from newsdesk.mailing.models import Delivery
from newsdesk.ops import scheduler
from newsdesk.ops.worker import run_worker
from tests.mailing import sinks


def mail_tasks() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(queue_name="mail").order_by("enqueued_at"))


def test_the_scheduler_mails_a_new_issue_once_and_retries_the_deferred(
    transactional_db: None, settings: Any
) -> None:
    handler = sinks.Moody()
    controller = sinks.start(handler, settings)
    try:
        issue = sinks.published_issue()
        sinks.subscribe(issue.publication, 3)
        sinks.subscribe(issue.publication, 1, prefix="soft4xx")
        assert scheduler.claim_mailings(timezone.now()) == 1
        assert scheduler.claim_mailings(timezone.now()) == 0  # claimed once
        (task,) = mail_tasks()
        assert task.args_kwargs["args"] == [issue.pk]
        assert run_worker(queues="mail", batch=True) == 0
        assert sum(handler.per_recipient.values()) == 3
        deferred = Delivery.objects.get(state=Delivery.State.DEFERRED)
        assert deferred.next_attempt is not None
        later = deferred.next_attempt + dt.timedelta(seconds=1)
        assert scheduler.claim_mailings(later) == 1
        assert scheduler.claim_mailings(later) == 0
        assert mail_tasks()[-1].args_kwargs["args"] == [issue.pk, True]
    finally:
        controller.stop()


def test_no_smtp_server_no_mailing(transactional_db: None, settings: Any) -> None:
    settings.EMAIL_HOST = ""
    issue = sinks.published_issue()
    sinks.subscribe(issue.publication, 2)
    assert scheduler.claim_mailings(timezone.now()) == 0

"""The scheduler mails a newly published issue once, and the due deferred readers
again; the task is the same service as `newsdesk mail send`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from newsdesk.mailing.delivery import enqueue_readers
from newsdesk.mailing.models import Delivery
from newsdesk.newsroom.numbering import withdraw
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


def test_a_reader_who_confirms_after_an_issue_gets_the_next_one_not_it(
    transactional_db: None, settings: Any
) -> None:
    """Publication with no readers yet; one confirms seconds after No. 7 is out: the
    scheduler mails them nothing until No. 8."""
    handler = sinks.Sink()
    controller = sinks.start(handler, settings)
    try:
        issue = sinks.published_issue()
        issue.published_at = timezone.now() - dt.timedelta(minutes=1)
        issue.save(update_fields=["published_at"])
        assert scheduler.claim_mailings(timezone.now()) == 0  # no reader yet
        confirmed = issue.published_at + dt.timedelta(seconds=4)
        (reader,) = sinks.subscribe(issue.publication, 1, confirmed=confirmed)
        assert scheduler.claim_mailings(confirmed + dt.timedelta(seconds=1)) == 0
        assert mail_tasks() == [] and run_worker(queues="mail", batch=True) == 0
        assert handler.messages == [] and not Delivery.objects.exists()
        following = sinks.published_issue(8)
        assert scheduler.claim_mailings(timezone.now()) == 1
        (task,) = mail_tasks()
        assert task.args_kwargs["args"] == [following.pk]
        assert run_worker(queues="mail", batch=True) == 0
        assert handler.per_recipient == {reader.email: 1}
        assert [str(m["Subject"]) for m in handler.parsed()] == ["Corvia Policy Watch No. 8"]
    finally:
        controller.stop()


def test_no_smtp_server_no_mailing(transactional_db: None, settings: Any) -> None:
    settings.EMAIL_HOST = ""
    issue = sinks.published_issue()
    sinks.subscribe(issue.publication, 2)
    assert scheduler.claim_mailings(timezone.now()) == 0


def test_an_issue_whose_server_was_down_past_every_retry_is_mailed_when_it_is_back(
    transactional_db: None, settings: Any
) -> None:
    """The SMTP server is down when the issue goes out and stays down through every try
    of the mail task: once it answers again, the scheduler sends the issue, once to
    each reader, rather than leaving them queued for good."""
    handler = sinks.Sink()
    controller = sinks.start(handler, settings)
    live_port = controller.port
    settings.EMAIL_PORT = sinks.free_port()  # nobody listens there: the server is down
    try:
        issue = sinks.published_issue()
        readers = sinks.subscribe(issue.publication, 3)
        assert scheduler.claim_mailings(timezone.now()) == 1
        for _ in range(10):  # every try of the task, its waits passed at once
            DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(
                run_after=timezone.now()
            )
            if not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists():
                break
            run_worker(queues="mail", batch=True)
        assert set(Delivery.objects.values_list("state", flat=True)) == {Delivery.State.QUEUED}
        assert handler.messages == []
        settings.EMAIL_PORT = live_port  # the server is back
        later = timezone.now() + dt.timedelta(minutes=settings.NEWSDESK_MAIL_RETRY_MINUTES)
        assert scheduler.claim_mailings(later) == 1
        assert scheduler.claim_mailings(later) == 0  # once a while, not every tick
        assert run_worker(queues="mail", batch=True) == 0
        assert handler.per_recipient == {reader.email: 1 for reader in readers}
        assert scheduler.claim_mailings(later + dt.timedelta(hours=1)) == 0  # all sent
    finally:
        controller.stop()


def test_a_withdrawn_issue_is_not_retried_for_its_deferred_readers(
    transactional_db: None, settings: Any
) -> None:
    """Withdrawn after it was mailed, with a reader deferred: the scheduler enqueues no
    retry (the sender would refuse the issue, and the task fail at every due time)."""
    handler = sinks.Moody()
    controller = sinks.start(handler, settings)
    try:
        issue = sinks.published_issue()
        sinks.subscribe(issue.publication, 2)
        sinks.subscribe(issue.publication, 1, prefix="soft4xx")
        assert scheduler.claim_mailings(timezone.now()) == 1
        assert run_worker(queues="mail", batch=True) == 0
        deferred = Delivery.objects.get(state=Delivery.State.DEFERRED)
        withdraw(issue, actor="chief", reason="a wrong figure in the lead item")
        assert deferred.next_attempt is not None
        later = deferred.next_attempt + dt.timedelta(hours=1)
        assert scheduler.claim_mailings(later) == 0
        assert sum(handler.per_recipient.values()) == 2  # the two sent before it
    finally:
        controller.stop()


def test_readers_left_queued_long_ago_are_not_mailed_an_old_issue(
    transactional_db: None, settings: Any
) -> None:
    """The scheduler mails no issue published more than MAIL_WINDOW ago (docs/mailing.md):
    readers left queued by an outage (or a stopped `mail send`) weeks ago, found by the
    first scheduler after an upgrade, are not sent a stale issue; `mail send` still can."""
    settings.EMAIL_HOST = "127.0.0.1"
    issue = sinks.published_issue()
    sinks.subscribe(issue.publication, 2)
    assert enqueue_readers(issue) == 2
    now = timezone.now()
    weeks_ago = now - dt.timedelta(weeks=3)
    type(issue).objects.filter(pk=issue.pk).update(published_at=weeks_ago)
    Delivery.objects.update(created=weeks_ago)
    assert scheduler.claim_mailings(now) == 0
    assert mail_tasks() == []
    type(issue).objects.filter(pk=issue.pk).update(published_at=now - dt.timedelta(hours=3))
    Delivery.objects.update(created=now - dt.timedelta(hours=3))
    assert scheduler.claim(f"mail:{issue.pk}", now)  # its first mailing ran then
    assert scheduler.claim_mailings(now) == 1  # published today: resumed
    assert [task.args_kwargs["args"] for task in mail_tasks()] == [[issue.pk, True]]

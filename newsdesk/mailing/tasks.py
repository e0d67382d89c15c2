"""Mail in the background.

- `send_issue_mail`: the scheduler enqueues it once an issue is published (and again,
  `retry_only`, when deferred deliveries are due). The same service as `newsdesk
  mail send`; running it twice is safe (each delivery is claimed before it is sent).
  An issue withdrawn meanwhile is not mailed, and not tried again.
- `send_confirmation_mail`: the subscribe form enqueues it for every sign-up of a
  known or new address, so the form answers before any SMTP server is asked, as fast
  for an address already subscribed (the task then finds nothing to confirm) as for
  a new one.
- `read_bounces`: the scheduler's, for NEWSDESK_BOUNCE_MAILDIR.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.conf import settings
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from newsdesk.mailing import bounces, sending, subscribing
from newsdesk.mailing.delivery import MAIL_WINDOW, close_withdrawn
from newsdesk.mailing.models import Delivery, Subscriber
from newsdesk.newsroom.models import Issue, Publication
from newsdesk.pipeline.errors import NewsdeskError
from newsdesk.tasking import RetryPolicy, background


class SendingStopped(NewsdeskError):
    """The run stopped early (server unreachable, our sender refused): try again later."""


@background(retry=RetryPolicy(attempts=4, delay=dt.timedelta(minutes=5)), queue="mail", priority=10)
def send_issue_mail(issue_id: int, retry_only: bool = False, *, attempt: int = 1) -> dict:
    """A run stopped by the SMTP server fails, to be tried again; one stopped because
    the issue was withdrawn (or a task that finds it withdrawn) is done: its readers
    left are recorded as not sent, and nothing is tried again."""
    issue = Issue.objects.select_related("publication").get(pk=issue_id)
    if issue.status == Issue.Status.WITHDRAWN:
        return {"issue_id": issue_id, "withdrawn": True, "closed": close_withdrawn(issue)}
    report = sending.send_issue(issue, retry_only=retry_only)
    if report.stopped and not report.withdrawn:
        raise SendingStopped(report.stopped)
    found = dataclasses.asdict(report)
    found["unknown"] = len(report.unknown)
    return found


def busy_issues() -> dict[int, dt.datetime]:
    """Issues with a mail task waiting or running, and when the first of them runs (or
    started running)."""
    path = f"{send_issue_mail.func.__module__}.{send_issue_mail.func.__qualname__}"
    waiting = DBTaskResult.objects.filter(
        task_path=path, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    ).values_list("args_kwargs", "run_after", "started_at")
    found: dict[int, dt.datetime] = {}
    for arguments, run_after, started_at in waiting:
        if arguments.get("args"):
            issue_id, at = arguments["args"][0], started_at or run_after
            found[issue_id] = min(found.get(issue_id, at), at)
    return found


def stalled_issues(now: dt.datetime) -> list[int]:
    """Published issues with readers still queued, queued before the last
    NEWSDESK_MAIL_RETRY_MINUTES, and no mail task of theirs waiting or running: a run
    stopped (the SMTP server unreachable, our sender refused) and its task gave up its
    tries. The scheduler sends them again (retry_only), or the readers would wait for
    good. Only issues published in the last MAIL_WINDOW; none without an SMTP server."""
    if not settings.EMAIL_HOST:
        return []
    busy = set(busy_issues())
    since = now - dt.timedelta(minutes=settings.NEWSDESK_MAIL_RETRY_MINUTES)
    # like the first mailing (issues_to_mail), none published before MAIL_WINDOW: readers
    # left queued weeks ago (found after an upgrade) are not sent a stale issue
    queued = Delivery.objects.filter(
        state=Delivery.State.QUEUED,
        created__lte=since,
        issue__status=Issue.Status.PUBLISHED,
        issue__published_at__gte=now - MAIL_WINDOW,
    )
    found = set(queued.values_list("issue_id", flat=True).distinct())
    return sorted(found - busy)


@background(retry=RetryPolicy(attempts=4, delay=dt.timedelta(minutes=2)), queue="mail", priority=20)
def send_confirmation_mail(
    subscriber_id: int,
    publication_id: int,
    base_url: str,
    chosen: list[int] | None = None,
    *,
    attempt: int = 1,
) -> bool:
    """The confirmation link for the subscriber's pending subscriptions, unless one went
    out within the hour (subscribing.send_confirmation); whether one was sent. `chosen`:
    the sign-up's topics and places, which the link carries (None: the stored ones)."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    publication = Publication.objects.filter(pk=publication_id).first()
    if subscriber is None or publication is None:  # deleted since the sign-up
        return False
    return subscribing.send_confirmation(subscriber, publication, base_url, chosen=chosen)


@background(retry=RetryPolicy(attempts=2), queue="mail")
def read_bounces(*, attempt: int = 1) -> dict:
    """Read the new messages of NEWSDESK_BOUNCE_MAILDIR (where the mail server delivers
    what comes back to the bounce address) and update the readers they are about."""
    report = bounces.process(
        bounces.from_maildir(settings.NEWSDESK_BOUNCE_MAILDIR, unseen_only=True)
    )
    return {
        "counts": report.counts,
        "suppressed": report.suppressed,
        "unrecognised": len(report.unrecognised),
    }

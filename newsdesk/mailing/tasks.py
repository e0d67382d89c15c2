"""Mail in the background.

- `send_issue_mail`: the scheduler enqueues it once an issue is published (and again,
  `retry_only`, when deferred deliveries are due). The same service as `newsdesk
  mail send`; running it twice is safe (each delivery is claimed before it is sent).
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

from newsdesk.mailing import bounces, sending, subscribing
from newsdesk.mailing.models import Subscriber
from newsdesk.newsroom.models import Issue, Publication
from newsdesk.pipeline.errors import NewsdeskError
from newsdesk.tasking import RetryPolicy, background


class SendingStopped(NewsdeskError):
    """The run stopped early (server unreachable, our sender refused): try again later."""


@background(retry=RetryPolicy(attempts=4, delay=dt.timedelta(minutes=5)), queue="mail", priority=10)
def send_issue_mail(issue_id: int, retry_only: bool = False, *, attempt: int = 1) -> dict:
    issue = Issue.objects.select_related("publication").get(pk=issue_id)
    report = sending.send_issue(issue, retry_only=retry_only)
    if report.stopped:
        raise SendingStopped(report.stopped)
    found = dataclasses.asdict(report)
    found["unknown"] = len(report.unknown)
    return found


@background(retry=RetryPolicy(attempts=4, delay=dt.timedelta(minutes=2)), queue="mail", priority=20)
def send_confirmation_mail(
    subscriber_id: int, publication_id: int, base_url: str, *, attempt: int = 1
) -> bool:
    """The confirmation link for the subscriber's pending subscriptions, unless one went
    out within the hour (subscribing.send_confirmation); whether one was sent."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    publication = Publication.objects.filter(pk=publication_id).first()
    if subscriber is None or publication is None:  # deleted since the sign-up
        return False
    return subscribing.send_confirmation(subscriber, publication, base_url)


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

"""An issue's mailing as the desk shows it: how many readers were mailed, how many are
left and why, whether a sender is at work, and what the editor can do next.

Read from stored state only: the deliveries, the runs (`MailRun`), the senders alive
(`MailSender`) and the mail tasks waiting. `Mailing.status` is one word:

| status | when |
|---|---|
| `none` | no reader was queued and no run started (no reader when published, or not yet) |
| `sending` | a sender is at work on it now |
| `waiting` | readers are left and a mail task waits for a worker (or its next try) |
| `stopped` | readers are left, nothing at work: the last run stopped (server, signal, kill) |
| `deferred` | the only readers left were refused for now (4xx): tried again from `next_retry` |
| `withdrawn` | the issue was withdrawn before some readers were mailed: they never will be |
| `done` | no reader is left |
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.db.models import Count, Min, OuterRef, Subquery
from django.utils import timezone

from newsdesk.mailing import delivery, tasks
from newsdesk.mailing.delivery import MAIL_WINDOW
from newsdesk.mailing.models import Delivery, MailRun, MailSender
from newsdesk.newsroom.models import Issue, IssueEvent

State = Delivery.State
Stop = MailRun.Stop
#: the states of a reader still to be mailed
LEFT = (State.QUEUED, State.DEFERRED, State.SENDING)


@dataclasses.dataclass(frozen=True)
class Mailing:
    issue: Issue
    counts: dict[str, int]
    #: the latest run, and whether its sender is at work now
    run: MailRun | None
    running: bool
    #: when the mail task waiting for the issue runs (or started running)
    waiting: dt.datetime | None
    #: when the first deferred reader is due again
    next_retry: dt.datetime | None

    @property
    def sent(self) -> int:
        return self.counts[State.SENT]

    @property
    def left(self) -> int:
        return sum(self.counts[s] for s in LEFT)

    @property
    def failed(self) -> int:
        return self.counts[State.FAILED]

    @property
    def unknown(self) -> int:
        return self.counts[State.UNKNOWN]

    @property
    def withdrawn(self) -> int:
        return self.counts[State.WITHDRAWN]

    @property
    def passed_over(self) -> int:
        """Not sent by the readers' own choice: suppressed, unsubscribed, nothing chosen."""
        return self.counts[State.SUPPRESSED] + self.counts[State.SKIPPED]

    @property
    def readers(self) -> int:
        return sum(self.counts.values())

    @property
    def killed(self) -> bool:
        """The latest run never ended, and its sender is gone."""
        return self.run is not None and self.run.ended is None and not self.running

    @property
    def status(self) -> str:
        if not self.readers and self.run is None:
            return "none"
        if self.running:
            return "sending"
        if self.withdrawn:
            return "withdrawn"
        if not self.left:
            return "done"
        if self.waiting is not None:
            return "waiting"
        if self.counts[State.QUEUED] or self.counts[State.SENDING]:
            return "stopped"
        return "deferred"

    @property
    def why(self) -> str:
        """Why the readers left were not mailed, in a sentence; empty when none are left
        or a sender is at work."""
        run = self.run
        if self.status not in ("stopped", "waiting", "deferred"):
            return ""
        if self.status == "deferred":
            return (
                "the readers' mail servers refused their message for now (a 4xx reply, "
                "or the connection was lost before it was sent)"
            )
        if run is None:
            return "no sender has run over the readers left"
        if self.killed:
            return (
                "the sender stopped without finishing: its process was killed, or failed "
                "(the worker's or the command's log says why)"
            )
        if run.stop == Stop.SERVER:
            return run.why or str(Stop.SERVER.label)
        if run.stop == Stop.ASKED:
            return "the sender was asked to stop (SIGTERM or Ctrl-C) before it was done"
        return "readers were queued after the last run"

    @property
    def resumes_until(self) -> dt.datetime | None:
        """Until when the scheduler sends to readers left queued by itself, every
        NEWSDESK_MAIL_RETRY_MINUTES (tasks.stalled_issues); None when it no longer does."""
        issue = self.issue
        if not settings.EMAIL_HOST or issue.status != Issue.Status.PUBLISHED:
            return None
        if issue.published_at is None:
            return None
        until = issue.published_at + MAIL_WINDOW
        return until if until > timezone.now() else None

    @property
    def may_resume(self) -> bool:
        """Whether a Resume button has something to do: a published issue whose mailing
        began, with readers due now and nothing at work on them."""
        if self.issue.status != Issue.Status.PUBLISHED or not settings.EMAIL_HOST:
            return False
        if self.status == "deferred":
            return self.next_retry is not None and self.next_retry <= timezone.now()
        return self.status == "stopped"


def mailings(issues: Sequence[Issue]) -> list[Mailing]:
    """Each issue's mailing, in a few queries for all of them."""
    ids = [issue.pk for issue in issues]
    counts: dict[int, dict[str, int]] = {pk: dict.fromkeys(State.values, 0) for pk in ids}
    grouped = (
        Delivery.objects.filter(issue_id__in=ids)
        .values_list("issue_id", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    for issue_id, state, n in grouped:
        counts[issue_id][state] = n
    latest = MailRun.objects.filter(issue_id=OuterRef("issue_id")).order_by("-started", "-id")
    runs = {
        run.issue_id: run
        for run in MailRun.objects.filter(issue_id__in=ids, pk=Subquery(latest.values("pk")[:1]))
    }
    retries = dict(
        Delivery.objects.filter(issue_id__in=ids, state=State.DEFERRED)
        .values("issue_id")
        .annotate(first=Min("next_attempt"))
        .values_list("issue_id", "first")
    )
    now = timezone.now()
    open_runs = [run.sender for run in runs.values() if run.ended is None]
    senders = {s.name: s for s in MailSender.objects.filter(name__in=open_runs)}
    busy = tasks.busy_issues()
    found = []
    for issue in issues:
        run = runs.get(issue.pk)
        running = (
            run is not None
            and run.ended is None
            and not delivery.is_dead(run.sender, senders.get(run.sender), now)
        )
        found.append(
            Mailing(
                issue, counts[issue.pk], run, running, busy.get(issue.pk), retries.get(issue.pk)
            )
        )
    return found


def mailing(issue: Issue) -> Mailing:
    return mailings([issue])[0]


@dataclasses.dataclass(frozen=True)
class Details:
    """What the issue's own mailing page adds: the runs, the failures' replies, the
    withdrawal."""

    runs: list[MailRun]
    #: runs in a row, up to the latest, that the SMTP server stopped
    server_stops: int
    #: the commonest replies of the readers whose message failed, with how many
    replies: list[tuple[str, int]]
    withdrawal: IssueEvent | None


def details(issue: Issue, shown: int = 10) -> Details:
    runs = list(MailRun.objects.filter(issue=issue).order_by("-started", "-id")[:100])
    server_stops = 0
    for run in runs:
        if run.stop != Stop.SERVER:
            break
        server_stops += 1
    replies = list(
        Delivery.objects.filter(issue=issue, state=State.FAILED)
        .values("reply")
        .annotate(n=Count("id"))
        .order_by("-n", "reply")
        .values_list("reply", "n")[:5]
    )
    withdrawal = issue.events.filter(kind="withdrawn").order_by("-id").first()
    return Details(runs[:shown], server_stops, replies, withdrawal)

"""An issue withdrawn while it is being mailed: the run stops at its next message,
the readers mailed stay recorded as mailed, the rest as not sent because withdrawn,
and nothing of the issue is sent again (docs/mailing.md, "Withdrawn while sending").
A real SMTP server (aiosmtpd) withdraws the issue from another thread, with its own
database connection, while the data of the Nth message are in."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from newsdesk.cli.main import main
from newsdesk.mailing import sending
from newsdesk.mailing.models import Delivery
from newsdesk.mailing.tasks import stalled_issues
from newsdesk.newsroom.models import Issue
from newsdesk.newsroom.numbering import withdraw
from newsdesk.ops import scheduler
from newsdesk.ops.worker import run_worker
from newsdesk.pipeline.errors import ConflictError
from tests.mailing import sinks

State = Delivery.State
REASON = "a wrong figure in the lead item"


class Withdrawing(sinks.Moody):
    """Withdraws the issue, as an editor on the desk would, while the data of the
    `after`-th message are in, before the server answers them; otherwise Moody."""

    def __init__(self, issue: Issue, after: int) -> None:
        super().__init__()
        self.issue, self.after = issue, after
        self.seen = 0
        #: messages whose data came in once the withdrawal was committed
        self.late: int | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.seen += 1
            now = self.seen == self.after
            if self.late is not None:
                self.late += 1
        if now:  # another thread, its own database connection: the editor's request
            await asyncio.to_thread(withdraw, self.issue, actor="chief", reason=REASON)
            self.late = 0
        return await super().handle_DATA(server, session, envelope)


def states() -> dict[str, str]:
    return dict(Delivery.objects.values_list("subscriber__email", "state"))


def test_a_send_stops_at_its_next_message_once_the_issue_is_withdrawn(
    transactional_db: None, settings: Any
) -> None:
    settings.NEWSDESK_MAIL_CONNECTIONS = 1
    issue = sinks.published_issue()
    readers = sinks.subscribe(issue.publication, 20)
    handler = Withdrawing(issue, after=5)
    controller = sinks.start(handler, settings)
    try:
        report = sending.send_issue(issue)
        mailed = {p.email for p in readers[:5]}
        assert handler.per_recipient == {email: 1 for email in mailed}
        found = states()
        assert {e for e, s in found.items() if s == State.SENT} == mailed
        assert {e for e, s in found.items() if s != State.SENT} == {p.email for p in readers[5:]}
        assert set(found.values()) == {State.SENT, State.WITHDRAWN}
        assert report.sent == 5 and report.withdrawn
        assert report.states[State.SENT] == 5 and report.states[State.WITHDRAWN] == 15
        assert "withdrawn" in report.stopped
        left = Delivery.objects.filter(state=State.WITHDRAWN)
        assert {d.reply for d in left} == {"not sent: the issue was withdrawn"}
        # never again: not by hand, not by the scheduler's retries and resumptions
        issue.refresh_from_db()
        with pytest.raises(ConflictError):
            sending.send_issue(issue)
        later = timezone.now() + dt.timedelta(hours=2)
        assert scheduler.claim_mailings(later) == 0 and stalled_issues(later) == []
        assert sum(handler.per_recipient.values()) == 5
    finally:
        controller.stop()


def test_the_scheduled_send_stops_without_failing_and_is_not_tried_again(
    transactional_db: None, settings: Any
) -> None:
    """Two connections, the worker's task: the other connection goes on while the
    withdrawal is being written, and a message it claimed before the withdrawal was
    committed may still go (one at most: claimed, not yet sent); none claimed after.
    The task ends as done, not failed, so it is not run four more times."""
    settings.NEWSDESK_MAIL_CONNECTIONS = 2
    issue = sinks.published_issue()
    readers = sinks.subscribe(issue.publication, 40)
    handler = Withdrawing(issue, after=6)
    controller = sinks.start(handler, settings)
    try:
        assert scheduler.claim_mailings(timezone.now()) == 1
        assert run_worker(queues="mail", batch=True) == 0
        (task,) = DBTaskResult.objects.filter(queue_name="mail")
        assert task.status == TaskResultStatus.SUCCESSFUL
        mailed = set(handler.per_recipient)
        assert handler.late is not None and handler.late <= 1
        assert len(mailed) == handler.seen < len(readers)
        assert set(handler.per_recipient.values()) == {1}
        found = states()
        assert {e for e, s in found.items() if s == State.SENT} == mailed
        assert sorted(found) == sorted(p.email for p in readers)
        assert {s for e, s in found.items() if e not in mailed} == {State.WITHDRAWN}
        later = timezone.now() + dt.timedelta(hours=2)
        assert scheduler.claim_mailings(later) == 0
        assert DBTaskResult.objects.filter(queue_name="mail").count() == 1
    finally:
        controller.stop()


def test_readers_left_when_no_send_was_running_are_recorded_by_the_scheduler(
    transactional_db: None, settings: Any
) -> None:
    """Mailed, with one reader deferred (451) and two queued by a run that stopped:
    withdrawn between two runs, the scheduler records all three as not sent, and nobody
    is mailed again; the corrected issue, published as the next number, goes to
    every reader once, those who had the withdrawn one too."""
    handler = Withdrawing(sinks.published_issue(), after=0)  # never withdraws itself
    issue = handler.issue
    controller = sinks.start(handler, settings)
    try:
        readers = sinks.subscribe(issue.publication, 3)
        late = sinks.subscribe(issue.publication, 1, prefix="soft4xx")
        assert sending.send_issue(issue).sent == 3
        others = sinks.subscribe(issue.publication, 2, prefix="queued")
        Delivery.objects.filter(issue=issue).update(created=timezone.now())
        Delivery.objects.bulk_create(
            Delivery(issue=issue, subscriber=p, created=timezone.now()) for p in others
        )
        withdraw(issue, actor="chief", reason=REASON)
        deferred = Delivery.objects.get(subscriber=late[0])
        assert deferred.state == State.DEFERRED and deferred.next_attempt is not None
        assert scheduler.claim_mailings(timezone.now()) == 0
        found = states()
        assert [found[p.email] for p in [*late, *others]] == [State.WITHDRAWN] * 3
        assert [found[p.email] for p in readers] == [State.SENT] * 3
        after = deferred.next_attempt + dt.timedelta(days=1)
        handler.temporary = False
        assert scheduler.claim_mailings(after) == 0
        assert run_worker(queues="mail", batch=True) == 0
        assert sum(handler.per_recipient.values()) == 3
        # the correction: a new draft published under the next number, mailed afresh
        corrected = sinks.published_issue(8)
        report = sending.send_issue(corrected)
        everyone = [*readers, *late, *others]
        assert report.sent == len(everyone) and report.stopped == ""
        assert handler.per_recipient == {
            **{p.email: 2 for p in readers},
            **{p.email: 1 for p in [*late, *others]},
        }
        assert Delivery.objects.filter(issue=issue, state=State.WITHDRAWN).count() == 3
    finally:
        controller.stop()


def test_the_command_says_the_send_stopped_because_the_issue_was_withdrawn(
    transactional_db: None, settings: Any, capsys: Any
) -> None:
    settings.NEWSDESK_MAIL_CONNECTIONS = 1
    issue = sinks.published_issue()
    sinks.subscribe(issue.publication, 8)
    handler = Withdrawing(issue, after=3)
    controller = sinks.start(handler, settings)
    try:
        assert main(["mail", "send", "cpw", "7"]) == 1
    finally:
        controller.stop()
    shown = capsys.readouterr().out
    assert "3 sent in this run" in shown
    assert "sent 3, deferred 0, failed 0, suppressed 0, skipped 0, unknown 0, withdrawn 5" in shown
    assert "stopped: the issue was withdrawn while it was being sent; 5 readers" in shown
    assert "Run the command again" not in shown

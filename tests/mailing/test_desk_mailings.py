"""The desk's mailing pages: after real runs against a real SMTP server (aiosmtpd, or
a closed port for a server that is down), an editor sees how many readers were mailed,
how many are left, failed or not sent, why the mailing stopped and what to do next;
Resume queues the readers left for a worker."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from newsdesk.mailing import sending
from newsdesk.mailing.models import Delivery, MailRun
from newsdesk.newsroom.models import AuditEntry, Issue
from newsdesk.ops.worker import run_worker
from tests.desk.conftest import logged_in
from tests.mailing import sinks
from tests.mailing.test_withdrawn_sending import REASON, Withdrawing
from tests.ops.processes import Process, fleet, wait_for

State = Delivery.State
PAGE = "/desk/cpw/mailings/7/"


def text_of(answer: Any) -> str:
    """The page's text, tags out and spaces folded, as a reader of it sees it."""
    assert answer.status_code == 200
    return " ".join(re.sub(r"<[^>]+>", " ", answer.content.decode()).split())


def editor(issue: Issue) -> Client:
    return logged_in(issue.publication, "editor")


def test_a_mailing_the_smtp_server_stopped_says_why_and_resumes(
    transactional_db: None, settings: Any
) -> None:
    handler = sinks.Sink()
    controller = sinks.start(handler, settings)
    live = controller.port
    settings.EMAIL_PORT = down = sinks.free_port()  # nobody listens: the server is down
    try:
        issue = sinks.published_issue()
        readers = sinks.subscribe(issue.publication, 3)
        for _ in range(2):  # two runs in a row stopped
            assert sending.send_issue(issue).stopped
        client = editor(issue)
        page = text_of(client.get(PAGE))
        assert "Mailing stopped" in page
        assert "0 of 3 readers mailed, 3 left" in page
        assert f"Why: cannot reach the SMTP server 127.0.0.1:{down}" in page
        assert "2 runs in a row stopped so" in page
        assert "the scheduler sends to the readers left by itself every 10 minutes" in page
        assert "Resume mailing No. 7" in page
        listed = text_of(client.get("/desk/cpw/mailings/"))
        assert "No. 7" in listed and "stopped" in listed
        # a day on, nothing resumes it by itself: the page says so, and how
        Issue.objects.filter(pk=issue.pk).update(published_at=timezone.now() - dt.timedelta(days=2))
        page = text_of(client.get(PAGE))
        assert "Nothing sends to the readers left by itself any more" in page
        assert "newsdesk mail send cpw 7" in page and "Resume mailing No. 7" in page
        # the server is back: Resume queues a task, a worker sends
        settings.EMAIL_PORT = live
        answer = client.post(f"{PAGE}resume", {"next": PAGE})
        assert answer.status_code == 302 and answer["Location"] == PAGE
        (task,) = DBTaskResult.objects.filter(queue_name="mail")
        assert task.args_kwargs["args"] == [issue.pk, True]
        assert AuditEntry.objects.filter(action="mail-resume", target_id=issue.pk).exists()
        page = text_of(client.get(PAGE))
        assert "Waiting to send" in page and "Resume mailing" not in page
        assert "Queued Corvia Policy Watch No. 7 for its 3 readers left" in page
        again = client.post(f"{PAGE}resume", {"next": PAGE})  # twice: refused, said why
        assert again.status_code == 302
        assert "nothing to resume (waiting)" in text_of(client.get(PAGE))
        assert run_worker(queues="mail", batch=True) == 0
        assert handler.per_recipient == {p.email: 1 for p in readers}
        page = text_of(client.get(PAGE))
        assert "Mailed" in page and "3 of 3 readers mailed." in page
        assert "every reader was handled" in page and "Why:" not in page
    finally:
        controller.stop()


def test_a_mailing_stopped_by_a_withdrawal_shows_who_was_mailed_and_why(
    transactional_db: None, settings: Any
) -> None:
    settings.NEWSDESK_MAIL_CONNECTIONS = 1
    issue = sinks.published_issue()
    sinks.subscribe(issue.publication, 20)
    sinks.subscribe(issue.publication, 1, prefix="hard5xx")  # mailed first: it fails
    Delivery.objects.bulk_create(
        [
            Delivery(issue=issue, subscriber=s.subscriber, created=timezone.now())
            for s in issue.publication.subscriptions.order_by("subscriber__email")
        ]
    )
    handler = Withdrawing(issue, after=5)
    controller = sinks.start(handler, settings)
    try:
        sending.send_issue(issue)
    finally:
        controller.stop()
    client = editor(issue)
    page = text_of(client.get(PAGE))
    assert "Mailing stopped: the issue was withdrawn" in page
    assert "5 of 21 readers mailed, 1 failed, 15 not sent because the issue was withdrawn" in page
    assert "Why:" not in page  # the withdrawal says it
    assert f"by chief: “{REASON}”" in page
    assert "the 15 readers left are never sent it. Nothing to resume." in page
    assert "publish it as a new issue" in page and "Resume mailing" not in page
    assert "1 failed for good" in page and "550 5.1.1 no such mailbox" in page
    assert "5 the issue was withdrawn" in page  # the run, with what it mailed
    listed = text_of(client.get("/desk/cpw/mailings/"))
    assert "No. 7 Mar 2, 2026 · withdrawn stopped: withdrawn 5 0 1 0 15" in listed
    # nothing to resume, whatever is posted
    assert client.post(f"{PAGE}resume").status_code == 302
    assert not DBTaskResult.objects.filter(queue_name="mail").exists()


@contextmanager
def sending_slowly(settings: Any, tmp_path: Path) -> Iterator[tuple[Issue, Process]]:
    """A real `newsdesk mail send` of No. 7 to 400 readers, slow enough to be stopped
    mid-way, once it has mailed 20 of them; the SMTP server stops at the end."""
    handler = sinks.Sink()
    controller = sinks.start(handler, settings)
    try:
        issue = sinks.published_issue()
        sinks.subscribe(issue.publication, 400)
        env = sinks.sender_environment(
            controller,
            NEWSDESK_MAIL_RATE="50",
        )
        with fleet(tmp_path, **env) as running:
            sender = running.start("mail", "send", "cpw", "7")
            wait_for(
                lambda: len(handler.messages) >= 20 or sender.popen.poll() is not None,
                within=60,
                what="the sender mailed 20 readers",
                fleet=running,
            )
            yield issue, sender
    finally:
        controller.stop()


def test_a_killed_sender_is_shown_as_stopped_with_its_readers_left(
    transactional_db: None, settings: Any, tmp_path: Path
) -> None:
    """`newsdesk mail send` killed with SIGKILL mid-run: its run never ended, its process
    is gone; the page says so, and Resume sends to the readers left."""
    with sending_slowly(settings, tmp_path) as (issue, sender):
        client = editor(issue)
        assert "Sending now" in text_of(client.get(PAGE))
        sender.kill()
    (run,) = MailRun.objects.all()
    assert run.ended is None
    page = text_of(client.get(PAGE))
    mailed = Delivery.objects.filter(state=State.SENT).count()
    assert mailed < 400 and "Mailing stopped" in page
    assert "the sender stopped without finishing: its process was killed" in page
    assert "never ended: killed, or failed" in page
    assert f"{mailed} of 400 readers mailed, {400 - mailed} left" in page
    assert "Resume mailing No. 7" in page


def test_the_pages_are_for_roles_that_may_publish_and_the_builder_links_them(
    transactional_db: None, settings: Any
) -> None:
    issue = sinks.published_issue()
    for role in ("viewer", "contributor"):
        client = logged_in(issue.publication, role)
        assert client.get("/desk/cpw/mailings/").status_code == 403
        assert client.get(PAGE).status_code == 403
        assert client.post(f"{PAGE}resume").status_code == 403
    client = editor(issue)
    assert client.get("/desk/cpw/mailings/8/").status_code == 404
    page = text_of(client.get(PAGE))
    assert "Not mailed" in page and "0 of 0 readers mailed." in page
    builder = client.get("/desk/cpw/issue/").content.decode()
    assert 'href="/desk/cpw/mailings/7/"' in builder and 'href="/desk/cpw/mailings/"' in builder


def test_a_sender_stopped_by_a_signal_says_how_many_are_left_and_exits_130(
    transactional_db: None, settings: Any, tmp_path: Path
) -> None:
    """SIGTERM (as Ctrl-C's SIGINT) finishes the message in flight and stops; the
    command must not exit 0 as if every reader had been mailed."""
    with sending_slowly(settings, tmp_path) as (_, sender):
        code = sender.stop()
        output = sender.output()
    left = Delivery.objects.filter(state__in=(State.QUEUED, State.DEFERRED)).count()
    assert 0 < left < 400
    assert code == 130, output
    assert f"interrupted: {left} readers not mailed yet" in output

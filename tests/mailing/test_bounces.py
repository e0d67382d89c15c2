"""`newsdesk mail bounces`: DSNs (RFC 3464) and complaint reports (RFC 5965) read from an
mbox or a maildir suppress the address they are about; what cannot be read is reported
and changes nothing. The reports here are fictional ones written for the test."""

from __future__ import annotations

import datetime as dt
import mailbox
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from newsdesk.cli.main import main
from newsdesk.mailing import bounces, messages, sending, tokens
from newsdesk.mailing.models import Delivery, Subscriber, SubscriberEvent, Subscription, Suppression
from newsdesk.ops import scheduler
from newsdesk.ops.worker import run_worker
from newsdesk.pipeline.errors import InputError
from tests.mailing import sinks

Kind = SubscriberEvent.Kind


@pytest.fixture
def sent(transactional_db: None, settings: Any) -> Iterator[list[Delivery]]:
    """An issue sent to five readers through a local SMTP server."""
    sink = sinks.Sink()
    controller = sinks.start(sink, settings)
    issue = sinks.published_issue()
    sinks.subscribe(issue.publication, 5)
    sending.send_issue(issue)
    controller.stop()
    yield list(Delivery.objects.select_related("subscriber").order_by("subscriber__email"))


def dsn(to: str, recipient: str, action: str, status: str, quoted: str = "") -> str:
    original = quoted or "Subject: Corvia Policy Watch No. 7\n"
    return f"""From: Mail Delivery System <mailer-daemon@mx.mail.example>
To: {to}
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

--b1
Content-Type: text/plain

This is the mail system at host mx.mail.example. Your message could not be delivered.

--b1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.mail.example

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822; {recipient}
Action: {action}
Status: {status}
Diagnostic-Code: smtp; 550 {status} mailbox unavailable

--b1
Content-Type: text/rfc822-headers

{original}
--b1--
"""


def arf(original_from: str, recipient: str) -> str:
    return f"""From: Feedback Loop <fbl@isp.example>
To: abuse@corvia.example
Subject: Complaint about message
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="b2"

--b2
Content-Type: text/plain

A reader of ours marked this message as spam.

--b2
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: FictionalFBL/1.0
Version: 1
Original-Mail-From: <{original_from}>
Original-Rcpt-To: <{recipient}>

--b2
Content-Type: text/rfc822-headers

Subject: Corvia Policy Watch No. 7
To: {recipient}

--b2--
"""


def plain(subject: str, to: str = "bounces@corvia.example") -> str:
    return f"""From: someone@elsewhere.example
To: {to}
Subject: {subject}

Thanks for the issue, great read.
"""


def write_mbox(path: Path, texts: list[str]) -> Path:
    box = mailbox.mbox(str(path))
    for text in texts:
        box.add(text.encode())
    box.flush()
    box.close()
    return path


def reports(deliveries: list[Delivery]) -> list[str]:
    hard, delayed, complained, by_id, unsubscribing = deliveries[:5]
    return [
        dsn(
            messages.envelope_sender(hard.pk),
            "forwarded-elsewhere@other.example",  # VERP still names the reader
            "failed",
            "5.1.1",
        ),
        dsn(messages.envelope_sender(delayed.pk), delayed.subscriber.email, "delayed", "4.4.7"),
        arf(messages.envelope_sender(complained.pk), complained.subscriber.email),
        dsn(
            "bounces@corvia.example",
            by_id.subscriber.email,
            "failed",
            "5.2.1",
            quoted=f"Message-ID: {by_id.message_id}\nSubject: Corvia Policy Watch No. 7\n",
        ),
        plain("Re: Corvia Policy Watch No. 7"),
        plain(
            f"unsubscribe cpw {tokens.subscriber_token(unsubscribing.subscriber)}",
            messages.unsubscribe_address(),
        ),
        dsn(
            "bounces+99999-0123456789abcdef0123@corvia.example",
            "x@nowhere.example",
            "failed",
            "5.1.1",
        ),
    ]


def suppressed(person: Subscriber) -> str | None:
    found = Suppression.objects.filter(address_hash=person.address_hash).first()
    return found.reason if found else None


def test_bounces_and_complaints_from_an_mbox_suppress_their_readers(
    sent: list[Delivery], tmp_path: Path, capsys: Any
) -> None:
    hard, delayed, complained, by_id, unsubscribing = sent
    box = write_mbox(tmp_path / "returns.mbox", reports(sent))
    assert main(["mail", "bounces", "--mbox", str(box)]) == 0
    out = capsys.readouterr().out
    assert (
        "7 messages: 2 hard bounces, 1 delay, 1 complaint, 1 unsubscribe request, "
        "2 not recognised; 3 addresses suppressed" in out
    )
    assert "not read: message 5: neither a bounce nor a complaint report" in out
    assert "not read: message 7: a bounce for no address or delivery of ours" in out
    assert suppressed(hard.subscriber) == Suppression.Reason.HARD_BOUNCE
    assert suppressed(by_id.subscriber) == Suppression.Reason.HARD_BOUNCE
    assert suppressed(complained.subscriber) == Suppression.Reason.COMPLAINT
    assert suppressed(delayed.subscriber) is None
    assert SubscriberEvent.objects.filter(subscriber=delayed.subscriber, kind=Kind.DEFERRED)
    status = Subscription.objects.get(subscriber=unsubscribing.subscriber).status
    assert status == Subscription.Status.UNSUBSCRIBED
    assert Suppression.objects.count() == 3
    assert all("@" not in s.note for s in Suppression.objects.all())


def test_a_maildir_reads_the_same_and_a_second_reading_changes_nothing(
    sent: list[Delivery], tmp_path: Path
) -> None:
    box = mailbox.Maildir(str(tmp_path / "Maildir"))
    for text in reports(sent):
        box.add(text.encode())
    first = bounces.process(bounces.from_maildir(tmp_path / "Maildir"))
    history = list(SubscriberEvent.objects.values_list("subscriber", "kind", "detail"))
    again = bounces.process(bounces.from_maildir(tmp_path / "Maildir"))
    assert first.suppressed == 3 and again.suppressed == 0
    # no second "bounced", "complained" or "deferred" line in anyone's history
    assert list(SubscriberEvent.objects.values_list("subscriber", "kind", "detail")) == history
    assert first.counts == again.counts
    assert len(first.unrecognised) == 2


def test_a_missing_mailbox_is_an_error(transactional_db: None, tmp_path: Path) -> None:
    assert main(["mail", "bounces", "--mbox", str(tmp_path / "none.mbox")]) == 1


def test_the_scheduler_reads_the_bounce_maildir_and_marks_what_it_handled(
    sent: list[Delivery], tmp_path: Path, settings: Any
) -> None:
    box = mailbox.Maildir(str(tmp_path / "Bounces"))
    for text in reports(sent):
        box.add(text.encode())
    now = timezone.now()
    assert not scheduler.tick(now).bounces  # no maildir set: nothing to read
    settings.NEWSDESK_BOUNCE_MAILDIR = str(tmp_path / "Bounces")
    assert scheduler.tick(now).bounces
    assert not scheduler.tick(now).bounces  # once in the same ten minutes
    assert run_worker(batch=True) == 0
    hard = sent[0]
    assert suppressed(hard.subscriber) == Suppression.Reason.HARD_BOUNCE
    flags = sorted("S" in box.get_message(key).get_flags() for key in box.iterkeys())
    assert flags == [False, False, True, True, True, True, True]  # 2 not recognised
    later = now + dt.timedelta(minutes=settings.NEWSDESK_BOUNCE_MINUTES)
    assert scheduler.tick(later).bounces
    events = SubscriberEvent.objects.count()
    run_worker(batch=True)
    assert SubscriberEvent.objects.count() == events  # handled ones are not read again


def test_a_forged_bounce_naming_only_an_address_suppresses_nobody(
    sent: list[Delivery], tmp_path: Path
) -> None:
    victim = sent[2].subscriber
    forged = dsn("bounces@corvia.example", victim.email, "failed", "5.1.1")
    box = write_mbox(tmp_path / "forged.mbox", [forged])
    report = bounces.process(bounces.from_mbox(box))
    assert report.suppressed == 0 and suppressed(victim) is None
    assert "not trusted" in report.unrecognised[0][1]


def test_a_bounce_with_raw_8bit_fields_is_read_and_the_next_one_too(
    sent: list[Delivery], tmp_path: Path
) -> None:
    """Servers write 8-bit bytes into a DSN's fields (a localised diagnostic, a mangled
    status); the email package then gives a Header object, not a str. Such a report is
    read like any other, and the messages after it are read as well."""
    mangled, plain_one = sent[0], sent[1]
    raw = dsn(messages.envelope_sender(mangled.pk), "x@other.example", "failed", "5.1.1")
    raw = raw.encode().replace(b"Status: 5.1.1\n", b"Status: 5.1.1 \xe9\xff\n")
    box = mailbox.mbox(str(tmp_path / "returns.mbox"))
    box.add(raw)
    box.add(dsn(messages.envelope_sender(plain_one.pk), "y@other.example", "failed", "5.1.1"))
    box.flush()
    box.close()
    report = bounces.process(bounces.from_mbox(tmp_path / "returns.mbox"))
    assert report.counts == {"hard-bounce": 2} and report.suppressed == 2
    assert suppressed(mangled.subscriber) == Suppression.Reason.HARD_BOUNCE
    assert suppressed(plain_one.subscriber) == Suppression.Reason.HARD_BOUNCE
    event = SubscriberEvent.objects.get(subscriber=mangled.subscriber, kind=Kind.BOUNCED)
    assert event.detail.startswith("status 5.1.1")


@pytest.mark.parametrize("port", ["abc", "99999"])
def test_an_imap_url_with_a_bad_port_is_refused_as_input(port: str) -> None:
    """What the command line's parser checks, the reader checks too: urlsplit's own
    ValueError was taken for a bug."""
    with pytest.raises(InputError, match="--imap takes imaps://user:password@host/folder"):
        next(bounces.from_imap(f"imaps://ana:pw@mail.example:{port}/INBOX"))

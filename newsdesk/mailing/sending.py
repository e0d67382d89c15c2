"""Sending an issue to its subscribers over SMTP, each copy once.

The server is Django's EMAIL_* settings. NEWSDESK_MAIL_CONNECTIONS threads each keep
one connection open and send message after message on it; NEWSDESK_MAIL_RATE caps
the messages a second of all of them together. For each reader a thread claims the
delivery (delivery.claim) before it opens the SMTP transaction and marks it after
the server's answer:

- 250 after the data: sent;
- 4xx, a timeout or a lost connection before the data were all sent: deferred,
  due again after a wait that doubles each time (NEWSDESK_MAIL_RETRY_MINUTES), failed
  after NEWSDESK_MAIL_ATTEMPTS tries;
- 5xx to the recipient or the data: failed, and the address suppressed once it has
  failed NEWSDESK_MAIL_SUPPRESS_AFTER times;
- the connection lost or timed out after the data were all sent, before the answer:
  unknown. The server may have taken the message: it is reported, never sent again
  by itself.

A 5xx to our own envelope sender, or a server that cannot be reached, stops the
run: those are the operator's to fix, not the readers' failures. So does the issue's
withdrawal, at the next claim (which only moves a delivery of a published issue); the
readers not mailed yet are then recorded `withdrawn`, never to be sent it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import queue
import smtplib
import ssl
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection
from django.db.models.functions import Now

from newsdesk.clock import database_now
from newsdesk.mailing import addresses, delivery, links, messages, subscribing
from newsdesk.mailing.models import Delivery, MailRun, Subscriber, Suppression
from newsdesk.newsroom.models import Issue
from newsdesk.pipeline.errors import ConflictError
from newsdesk.pipeline.text import plural

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

log = logging.getLogger(__name__)
State = Delivery.State
Kind = delivery.Kind
#: progress(state): called once per reader handled, from the sending threads
Progress = Callable[[str], None]
WITHDRAWN = "the issue was withdrawn while it was being sent"


@dataclasses.dataclass
class Report:
    """What a run did (`sent`) and where the issue's deliveries stand (`states`)."""

    issue_id: int
    added: int = 0
    sent: int = 0
    recovered: int = 0
    states: dict[str, int] = dataclasses.field(default_factory=dict)
    unknown: list[int] = dataclasses.field(default_factory=list)  # subscriber numbers
    stopped: str = ""  # why the run stopped early
    #: the issue was withdrawn while it was being sent: the readers left are never sent
    withdrawn: bool = False

    def line(self) -> str:
        s = self.states
        return (
            f"sent {s.get(State.SENT, 0)}, deferred {s.get(State.DEFERRED, 0)}, "
            f"failed {s.get(State.FAILED, 0)}, suppressed {s.get(State.SUPPRESSED, 0)}, "
            f"skipped {s.get(State.SKIPPED, 0)}, unknown {s.get(State.UNKNOWN, 0)}, "
            f"withdrawn {s.get(State.WITHDRAWN, 0)}"
        )


@dataclasses.dataclass(frozen=True)
class Answer:
    """How one SMTP transaction ended."""

    state: str  # sent, deferred, failed, unknown
    reply: str
    #: a refusal of our own envelope sender, or a server gone: stop the run
    fatal: bool = False
    #: the connection cannot be used again
    lost: bool = False


class Tracking:
    """An SMTP connection that knows whether a message's data were all written: what
    tells a lost answer (unknown) from a transaction that never ended (deferred)."""

    data_written = False

    def note_sent(self, s: object) -> None:
        if isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            self.data_written = True


class Plain(Tracking, smtplib.SMTP):
    def send(self, s: ReadableBuffer | str) -> None:
        super().send(s)
        self.note_sent(s)


class Secure(Tracking, smtplib.SMTP_SSL):
    def send(self, s: ReadableBuffer | str) -> None:
        super().send(s)
        self.note_sent(s)


def connect() -> smtplib.SMTP:
    """A connection to EMAIL_HOST, TLS and log-in as configured."""
    host, port, timeout = settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT
    if not host:
        raise ConflictError("EMAIL_HOST is not set: there is no SMTP server to send through")
    server: smtplib.SMTP
    if settings.EMAIL_USE_SSL:
        server = Secure(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        server = Plain(host, port, timeout=timeout)
    try:
        if settings.EMAIL_USE_TLS and not settings.EMAIL_USE_SSL:
            server.starttls(context=ssl.create_default_context())
        server.ehlo_or_helo_if_needed()
        if settings.EMAIL_HOST_USER:
            server.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
    except BaseException:
        server.close()  # a refused certificate or log-in: the socket goes with it
        raise
    return server


def reply_text(code: int, text: bytes | str) -> str:
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(message.split())}"[:300]


def refused(code: int, text: bytes | str, *, ours: bool = False) -> Answer:
    state = State.DEFERRED if code < 500 else State.FAILED
    return Answer(state, reply_text(code, text), fatal=ours and code >= 500, lost=code == 421)


def transmit(server: smtplib.SMTP, letter: messages.Letter) -> Answer:
    """One SMTP transaction: MAIL, RCPT, DATA."""
    tracked = server if isinstance(server, Tracking) else None
    if tracked:
        tracked.data_written = False
    try:
        code, text = server.mail(letter.mail_from)
        if code != 250:
            server.rset()
            return refused(code, text, ours=True)
        code, text = server.rcpt(letter.to)
        if code not in (250, 251):
            server.rset()
            return refused(code, text)
        code, text = server.data(letter.data)
        if code == 250:
            return Answer(State.SENT, reply_text(code, text))
        return refused(code, text)
    except smtplib.SMTPDataError as exc:  # DATA itself refused
        server.rset()
        return refused(exc.smtp_code, exc.smtp_error)
    except (smtplib.SMTPException, OSError) as exc:
        gone = f"connection lost: {type(exc).__name__}: {exc}"[:300]
        if tracked and tracked.data_written:
            return Answer(State.UNKNOWN, gone + " (after the data were sent)", lost=True)
        return Answer(State.DEFERRED, gone, lost=True)


class Pace:
    """At most `rate` messages a second among all threads (0: no limit)."""

    def __init__(self, rate: int) -> None:
        self.gap = 1.0 / rate if rate else 0.0
        self.next = time.monotonic()
        self.lock = threading.Lock()

    def wait(self) -> None:
        if not self.gap:
            return
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next)
            self.next = start + self.gap
        if start > now:
            time.sleep(start - now)


@dataclasses.dataclass
class Line:
    """One connection thread's connection, and the message its server last accepted:
    marked sent in the transaction that claims the thread's next reader, so each
    message costs one commit. Between the two the accepted message stays `sending`:
    still at most one per connection, as a sender killed then leaves it unknown."""

    server: smtplib.SMTP | None = None
    accepted: tuple[int, str] | None = None  # (delivery, the server's reply)


class Sender:
    """One run over an issue's due deliveries."""

    def __init__(
        self,
        issue: Issue,
        *,
        connections: int | None = None,
        rate: int | None = None,
        progress: Progress | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        if issue.status != Issue.Status.PUBLISHED:
            raise ConflictError(
                f"issue {issue.number} is {issue.status}: only a published issue is mailed"
            )
        if not settings.EMAIL_HOST:  # refused before any reader is queued or claimed
            raise ConflictError("EMAIL_HOST is not set: there is no SMTP server to send through")
        self.issue = issue
        self.connections = connections or settings.NEWSDESK_MAIL_CONNECTIONS
        self.pace = Pace(settings.NEWSDESK_MAIL_RATE if rate is None else rate)
        self.progress = progress or (lambda state: None)
        self.stop = stop or threading.Event()
        self.editions = messages.Editions(issue, links.base_url())
        self.editions_lock = threading.Lock()
        self.work: queue.Queue[delivery.Recipient | None] = queue.Queue(maxsize=1000)
        self.report = Report(issue.pk)
        self.count_lock = threading.Lock()
        #: sent, not yet in the subscribers' history (written CHUNK at a time)
        self.delivered: list[int] = []
        self.name = ""
        #: the run's start on the database's clock: what is due by then is sent
        self.now: dt.datetime | None = None

    def run(self, *, retry_only: bool = False, later: bool = False) -> Report:
        """Send to every due reader; `retry_only`: add no new readers (a retry run);
        `later`: add those who confirmed after the issue was published too."""
        with delivery.Registration() as name:
            self.name = name
            # the clock the scheduler finds deferred readers due by, whatever this
            # machine's (newsdesk/clock.py): a reader it hands out is due here too
            self.now = now = database_now()
            record = MailRun.objects.create(issue=self.issue, sender=name, started=now)
            self.report.recovered = delivery.recover(self.issue, now)
            if not retry_only:
                self.report.added = delivery.enqueue_readers(self.issue, now, later=later)
            threads = [
                threading.Thread(target=self.worker, name=f"mail-{n}", daemon=True)
                for n in range(self.connections)
            ]
            for thread in threads:
                thread.start()
            try:
                for recipient in delivery.due(self.issue, now):
                    if self.stop.is_set():
                        break
                    self.put(recipient)
            finally:
                for _ in threads:
                    self.put(None, force=True)
                for thread in threads:
                    thread.join()
                delivery.note_delivered(self.delivered)
            # withdrawn meanwhile (noticed by a claim, or between two runs' claims):
            # the readers left are recorded as never to be sent it
            if delivery.withdrawn(self.issue):
                delivery.close_withdrawn(self.issue)
                self.report.withdrawn = True
                self.report.stopped = self.report.stopped or WITHDRAWN
            self.note_end(record)
        self.report.states = delivery.counts(self.issue)
        self.report.unknown = delivery.unknown_of(self.issue)
        return self.report

    def note_end(self, record: MailRun) -> None:
        """How the run ended, for the desk (while the sender is still registered: a run
        not ended whose sender is gone was killed)."""
        report, stop = self.report, MailRun.Stop.DONE
        if report.withdrawn:
            stop = MailRun.Stop.WITHDRAWN
        elif report.stopped:
            stop = MailRun.Stop.SERVER
        elif self.stop.is_set():
            stop = MailRun.Stop.ASKED
        why = report.stopped[:300] if stop == MailRun.Stop.SERVER else ""
        MailRun.objects.filter(pk=record.pk).update(
            ended=Now(), sent=report.sent, stop=stop, why=why
        )

    def put(self, item: delivery.Recipient | None, *, force: bool = False) -> None:
        while True:
            if self.stop.is_set() and not force:
                return
            try:
                self.work.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def edition(self, chosen: frozenset[str]) -> messages.Edition:
        with self.editions_lock:
            return self.editions.of(sorted(chosen))

    def worker(self) -> None:
        line = Line()
        try:
            while True:
                try:
                    # with a mark waiting, take a reader only if one is there at once
                    recipient = self.work.get(block=line.accepted is None)
                except queue.Empty:
                    self.mark_accepted(line)
                    continue
                if recipient is None:
                    return
                if self.stop.is_set():
                    continue  # drain: the rest stays queued
                self.deliver(recipient, line)
        finally:
            self.mark_accepted(line)
            if line.server is not None:
                quit_quietly(line.server)
            connection.close()

    def deliver(self, recipient: delivery.Recipient, line: Line) -> None:
        """Claim (with the mark of the line's previous message), send, settle one reader."""
        edition = self.edition(recipient.chosen)
        number = recipient.delivery_id
        if edition.empty:
            if delivery.settle(
                number, State.SKIPPED, "nothing of the chosen topics and places", claimable=True
            ):
                self.progress(State.SKIPPED)
            return
        reused = line.server is not None
        if line.server is None:
            try:
                line.server = connect()
            except (smtplib.SMTPException, OSError) as exc:
                self.halt(
                    f"cannot reach the SMTP server {settings.EMAIL_HOST}:"
                    f"{settings.EMAIL_PORT}: {exc}"
                )
                return
        message_id = edition.message_id(number)
        accepted, line.accepted = line.accepted, None
        claimed = delivery.claim(number, self.name, message_id, accepted=accepted, due_by=self.now)
        if accepted:
            self.count_sent(accepted[0])
        if not claimed:
            if delivery.withdrawn(self.issue):
                self.halt_withdrawn()
            return  # else someone else has it
        try:
            letter = edition.letter(recipient.subscriber, number, message_id)
        except (UnicodeError, ValueError) as exc:  # e.g. an address stored before it was refused
            reply = f"cannot write the message: {exc}"[:300]
            delivery.settle(number, State.FAILED, reply, sender=self.name)
            self.progress(State.FAILED)
            return
        self.pace.wait()
        answer = transmit(line.server, letter)
        if answer.lost and reused and answer.state == State.DEFERRED:
            # a kept connection the server had closed: once more on a new one
            quit_quietly(line.server)
            try:
                line.server = connect()
                answer = transmit(line.server, letter)
            except (smtplib.SMTPException, OSError) as exc:
                line.server = None
                answer = Answer(State.DEFERRED, f"connection lost: {exc}"[:300], lost=True)
        if answer.state == State.SENT:
            line.accepted = (number, answer.reply)  # marked with the next claim
        else:
            self.settle(recipient, answer)
        if answer.lost and line.server is not None:
            quit_quietly(line.server)
            line.server = None
        if answer.fatal:
            self.halt(f"the SMTP server refused our sender: {answer.reply}")

    def mark_accepted(self, line: Line) -> None:
        """Mark the line's accepted message sent on its own (no next claim to join)."""
        if line.accepted:
            number, reply = line.accepted
            line.accepted = None
            delivery.mark_sent(number, self.name, reply)
            self.count_sent(number)

    def count_sent(self, number: int) -> None:
        with self.count_lock:
            self.report.sent += 1
            self.delivered.append(number)
            written = self.delivered if len(self.delivered) >= delivery.CHUNK else []
            if written:
                self.delivered = []
        if written:
            delivery.note_delivered(written)
        self.progress(State.SENT)

    def settle(self, recipient: delivery.Recipient, answer: Answer) -> None:
        """A message the server did not take (or may have): deferred, failed, unknown."""
        number, name = recipient.delivery_id, self.name
        state = answer.state
        if state == State.DEFERRED:
            attempts = Delivery.objects.filter(pk=number).values_list("attempts", flat=True)[0]
            if attempts >= settings.NEWSDESK_MAIL_ATTEMPTS and not answer.fatal:
                state = State.FAILED
                reply = f"{answer.reply} (gave up after {plural(attempts, 'try', 'tries')})"
                delivery.settle(number, state, reply, sender=name, event=Kind.BOUNCED)
            else:
                after = database_now() + (
                    dt.timedelta(0) if answer.fatal else delivery.backoff(attempts)
                )
                delivery.settle(
                    number,
                    state,
                    answer.reply,
                    sender=name,
                    next_attempt=after,
                    event=Kind.DEFERRED,
                )
        elif state == State.FAILED:
            delivery.settle(number, state, answer.reply, sender=name, event=Kind.BOUNCED)
            self.maybe_suppress(recipient.subscriber)
        else:
            delivery.settle(number, State.UNKNOWN, answer.reply, sender=name)
            log.warning("delivery %s: unknown whether the server took it: %s", number, answer.reply)
        self.progress(state)

    def maybe_suppress(self, subscriber: Subscriber) -> None:
        if delivery.failures_of(subscriber.pk) >= settings.NEWSDESK_MAIL_SUPPRESS_AFTER:
            subscribing.suppress(
                subscriber.email, Suppression.Reason.HARD_BOUNCE, "refused by the SMTP server"
            )

    def halt_withdrawn(self) -> None:
        """The issue was withdrawn: stop; `run` records the readers left as not sent."""
        with self.count_lock:
            first, self.report.withdrawn = not self.report.withdrawn, True
        if first and not self.report.stopped:
            self.report.stopped = WITHDRAWN
            log.warning("issue %s: withdrawn while it was being sent: stopped", self.issue.pk)
        self.stop.set()

    def halt(self, why: str) -> None:
        if not self.report.stopped:
            self.report.stopped = why
            log.error("issue %s: sending stopped: %s", self.issue.pk, why)
        self.stop.set()


def quit_quietly(server: smtplib.SMTP) -> None:
    try:
        server.quit()
    except (smtplib.SMTPException, OSError):
        server.close()


def send_issue(
    issue: Issue,
    *,
    retry_only: bool = False,
    later: bool = False,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> Report:
    """Send the issue to its readers (`Sender.run`)."""
    return Sender(issue, progress=progress, stop=stop).run(retry_only=retry_only, later=later)


def send_test(issue: Issue, address: str) -> str:
    """The whole issue to one address, recording nothing; its Message-ID."""
    edition = messages.Editions(issue, links.base_url()).of()
    person = Subscriber(email=addresses.normalise(address), key="test")
    letter = edition.letter(person, None)
    server = connect()
    try:
        answer = transmit(server, letter)
    finally:
        quit_quietly(server)
    if answer.state != State.SENT:
        raise ConflictError(f"the SMTP server did not take the test message: {answer.reply}")
    return letter.message_id

"""The delivery records of an issue: who gets it, who has, and the claims that make
each copy go out once.

A sender registers as a `MailSender` and keeps its row fresh. Before it opens an
SMTP transaction for a reader it claims the delivery with a conditional UPDATE
(queued or due deferred -> sending, with its name); only the sender whose UPDATE
moved the row sends. Once the server accepts, the row is marked sent. A row found
`sending` under a dead sender's name became `unknown`: the server may have taken
the message or not, and sending it again could be a second copy, so it is
reported and left to a person. A sender's row is kept fresh, and judged, on the
database's clock (newsdesk/clock.py): senders on machines whose clocks disagree
still agree on who is alive.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import secrets
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import close_old_connections, connection, models, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat, Left, Now
from django.utils import timezone

from newsdesk.clock import database_now
from newsdesk.mailing.models import (
    Delivery,
    MailSender,
    Subscriber,
    SubscriberEvent,
    Subscription,
    Suppression,
)
from newsdesk.newsroom.models import Category, Issue

log = logging.getLogger(__name__)
State = Delivery.State
Kind = SubscriberEvent.Kind
#: the states a sender may claim from
CLAIMABLE = (State.QUEUED, State.DEFERRED)
#: deliveries read from the database at once
CHUNK = 500
BEAT = 5.0
TABLE = Delivery._meta.db_table
ISSUES = Issue._meta.db_table
#: an issue published longer ago than this is not mailed by the scheduler (a new
#: installation does not mail its back issues)
MAIL_WINDOW = dt.timedelta(days=1)


@dataclasses.dataclass(frozen=True)
class Recipient:
    delivery_id: int
    subscriber: Subscriber  # pk, email and key only
    chosen: frozenset[str]  # names of the chosen topics and places; none: everything


def confirmed_by_publishing(issue: Issue) -> Q:
    """The subscriptions that were confirmed when the issue was published: its readers.

    A reader who confirms later gets the next issue, as the sign-up promises, not the
    one out already. A subscription confirmed with no time kept counts as confirmed
    before; an issue with no publish time (an imported back issue) had no reader here."""
    if issue.published_at is None:
        return Q(pk__in=[])
    return Q(confirmed_at__lte=issue.published_at) | Q(confirmed_at__isnull=True)


def new_readers(issue: Issue, *, later: bool = False) -> QuerySet[Subscription]:
    """Confirmed subscriptions of the issue's publication without a delivery of it, that
    were confirmed when it was published; `later`: those confirmed since as well."""
    have = Delivery.objects.filter(issue=issue).values("subscriber_id")
    found = Subscription.objects.filter(
        publication_id=issue.publication_id, status=Subscription.Status.CONFIRMED
    ).exclude(subscriber_id__in=have)
    return found if later else found.filter(confirmed_by_publishing(issue))


def later_readers(issue: Issue) -> int:
    """Confirmed readers without a delivery who confirmed after the issue was published:
    left out unless the operator asks (`mail send --all-readers`)."""
    return new_readers(issue, later=True).exclude(confirmed_by_publishing(issue)).count()


def enqueue_readers(issue: Issue, now: dt.datetime | None = None, *, later: bool = False) -> int:
    """A delivery for every reader of the issue without one yet (`new_readers`); those
    whose address is suppressed for its publication (by a suppression of every
    publication or of that one) get one in state suppressed, so the report counts them.
    Returns how many were added.

    One INSERT ... SELECT: the rows never pass through Python (making 10,000 model
    instances cost a tenth of sending the messages, bench/mail_send.py)."""
    now = now or timezone.now()
    suppressed = Exists(
        Suppression.objects.covering(issue.publication_id).filter(
            address_hash=OuterRef("subscriber__address_hash")
        )
    )
    columns = {
        "issue_id": Value(issue.pk),
        "subscriber_id": F("subscriber_id"),
        "created": Value(now, output_field=DateTimeField()),
        "state": Case(When(suppressed, then=Value(State.SUPPRESSED)), default=Value(State.QUEUED)),
        "reply": Case(When(suppressed, then=Value("address suppressed")), default=Value("")),
        "attempts": Value(0),
        "message_id": Value(""),
        "sender": Value(""),
    }
    return insert_from(Delivery, new_readers(issue, later=later), columns)


def insert_from(model: type[models.Model], rows: QuerySet[Any], columns: dict[str, Any]) -> int:
    """INSERT INTO the model's table (columns' keys) what `columns`' expressions give for
    each of `rows`; rows that would break a unique constraint are left out. Returns
    how many were inserted."""
    aliases = {f"c{n}": expression for n, expression in enumerate(columns.values())}
    selected = rows.order_by().annotate(**aliases).values_list(*aliases)
    try:
        query, params = selected.query.sql_with_params()
    except EmptyResultSet:  # e.g. pk__in=[]
        return 0
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) {query} ON CONFLICT DO NOTHING", params)
        return max(cursor.rowcount, 0)


def pending(now: dt.datetime) -> Q:
    return Q(state=State.QUEUED) | Q(state=State.DEFERRED, next_attempt__lte=now)


def due_count(
    issue: Issue, *, new: bool = False, later: bool = False, now: dt.datetime | None = None
) -> int:
    """Deliveries due now; `new`: and the readers a run would add (`later`: with those
    confirmed since the issue was published)."""
    due_now = Delivery.objects.filter(pending(now or database_now()), issue=issue).count()
    return due_now + (new_readers(issue, later=later).count() if new else 0)


def due(issue: Issue, now: dt.datetime | None = None) -> Iterator[Recipient]:
    """The deliveries a sender may claim now, in order, with what their letter needs.
    One whose subscription ended or whose address was suppressed for the publication
    since it was queued is marked suppressed on the way."""
    now = now or database_now()
    names = dict(
        Category.objects.filter(publication_id=issue.publication_id).values_list("id", "name")
    )
    last = 0
    while True:
        batch = list(
            Delivery.objects.filter(pending(now), issue=issue, pk__gt=last)
            .order_by("pk")
            .values_list("pk", "subscriber_id", "subscriber__email", "subscriber__key")[:CHUNK]
        )
        if not batch:
            return
        last = batch[-1][0]
        people = [row[1] for row in batch]
        subscriptions = dict(
            Subscription.objects.filter(
                publication_id=issue.publication_id,
                subscriber_id__in=people,
                status=Subscription.Status.CONFIRMED,
            ).values_list("subscriber_id", "pk")
        )
        chosen: dict[int, set[str]] = {}
        through = Subscription.categories.through.objects.filter(
            subscription_id__in=subscriptions.values()
        ).values_list("subscription_id", "category_id")
        for subscription_id, category_id in through:
            chosen.setdefault(subscription_id, set()).add(names.get(category_id, ""))
        blocked = set(
            Suppression.objects.covering(issue.publication_id)
            .filter(
                address_hash__in=Subscriber.objects.filter(pk__in=people).values("address_hash")
            )
            .values_list("address_hash", flat=True)
        )
        hashes = dict(Subscriber.objects.filter(pk__in=people).values_list("pk", "address_hash"))
        for delivery_id, subscriber_id, email, key in batch:
            subscription = subscriptions.get(subscriber_id)
            if subscription is None or hashes.get(subscriber_id) in blocked:
                why = "unsubscribed" if subscription is None else "address suppressed"
                settle(delivery_id, State.SUPPRESSED, why, claimable=True)
                continue
            yield Recipient(
                delivery_id,
                Subscriber(pk=subscriber_id, email=email, key=key),
                frozenset(chosen.get(subscription, ())),
            )


def claim(
    delivery_id: int,
    sender: str,
    message_id: str,
    now: dt.datetime | None = None,
    *,
    accepted: tuple[int, str] | None = None,
    due_by: dt.datetime | None = None,
) -> bool:
    """queued or deferred and due by `due_by` (else `now`) -> sending under `sender`;
    False if someone else has it. A sender gives its run's start on the database's
    clock, by which it chose the deliveries (`due`): a deferred one is due on the
    scheduler's clock, not on this machine's.

    `accepted`: (delivery, reply) of the sender's previous message, which the server
    took: marked sent in the same transaction, so a message costs one commit, not two.
    Either both are written or neither: a sender killed in between leaves the
    previous one `sending` (unknown, as the one in flight) and the next one unclaimed.

    Only while the issue is published: a claim made once its withdrawal is committed
    moves nothing, so a running send stops at its next message (`withdrawn_since`
    tells that from a delivery someone else has).

    Plain SQL: this and `mark_sent` run once per message, and the ORM's compiling
    of an UPDATE cost more than the SMTP transaction itself (bench/mail_send.py)."""
    at = connection.ops.adapt_datetimefield_value(now or timezone.now())
    due = connection.ops.adapt_datetimefield_value(due_by) if due_by else at
    with transaction.atomic(), connection.cursor() as cursor:
        if accepted:
            _mark_sent(cursor, *accepted, sender, at)
        cursor.execute(
            f"UPDATE {TABLE} SET state = %s, sender = %s, claimed_at = %s, message_id = %s, "
            "attempts = attempts + 1 WHERE id = %s AND state IN (%s, %s) "
            "AND (next_attempt IS NULL OR next_attempt <= %s) "
            f"AND EXISTS (SELECT 1 FROM {ISSUES} WHERE {ISSUES}.id = {TABLE}.issue_id "
            f"AND {ISSUES}.status = %s)",
            [
                State.SENDING,
                sender,
                at,
                message_id,
                delivery_id,
                *CLAIMABLE,
                due,
                Issue.Status.PUBLISHED,
            ],
        )
        return bool(cursor.rowcount)


def mark_sent(delivery_id: int, sender: str, reply: str, now: dt.datetime | None = None) -> bool:
    """sending (ours) -> sent: the server accepted the message."""
    at = connection.ops.adapt_datetimefield_value(now or timezone.now())
    with connection.cursor() as cursor:
        return _mark_sent(cursor, delivery_id, reply, sender, at)


def _mark_sent(
    cursor: CursorWrapper, delivery_id: int, reply: str, sender: str, at: str | None
) -> bool:
    cursor.execute(
        f"UPDATE {TABLE} SET state = %s, reply = %s, sent_at = %s, next_attempt = NULL "
        "WHERE id = %s AND state = %s AND sender = %s",
        [State.SENT, reply[:300], at, delivery_id, State.SENDING, sender],
    )
    return bool(cursor.rowcount)


def note_delivered(delivery_ids: list[int], now: dt.datetime | None = None) -> None:
    """ "delivered" lines in the subscribers' history, written in bulk after the fact
    (the Delivery row is the record; a killed sender may leave a few lines unwritten)."""
    now = now or timezone.now()
    detail = Concat(
        Value("No. "),
        Cast("issue__number", output_field=CharField()),
        Value(": "),
        "reply",
        output_field=CharField(),
    )
    columns = {
        "subscriber_id": F("subscriber_id"),
        "publication_id": F("issue__publication_id"),
        "kind": Value(Kind.DELIVERED),
        "at": Value(now, output_field=DateTimeField()),
        "detail": Left(detail, 300),
    }
    insert_from(SubscriberEvent, Delivery.objects.filter(pk__in=delivery_ids), columns)


def settle(
    delivery_id: int,
    state: str,
    reply: str,
    *,
    sender: str = "",
    claimable: bool = False,
    next_attempt: dt.datetime | None = None,
    event: str = "",
    now: dt.datetime | None = None,
) -> bool:
    """Move a delivery out of `sending` (ours) or, with `claimable`, out of queued or
    deferred; an event in the subscriber's history when `event` is given."""
    now = now or timezone.now()
    rows = Delivery.objects.filter(pk=delivery_id)
    rows = (
        rows.filter(state__in=CLAIMABLE)
        if claimable
        else rows.filter(state=State.SENDING, sender=sender)
    )
    fields: dict[str, object] = {"state": state, "reply": reply[:300], "next_attempt": next_attempt}
    if state == State.SENT:
        fields["sent_at"] = now
    with transaction.atomic():
        moved = rows.update(**fields)
        if moved and event:
            found = Delivery.objects.filter(pk=delivery_id).values_list(
                "subscriber_id", "issue__publication_id", "issue__number"
            )[0]
            SubscriberEvent.objects.create(
                subscriber_id=found[0],
                publication_id=found[1],
                kind=event,
                at=now,
                detail=f"No. {found[2]}: {reply}"[:300],
            )
    return bool(moved)


def withdrawn(issue: Issue) -> bool:
    """Whether the issue is withdrawn now (the stored status, not the caller's copy)."""
    return Issue.objects.filter(pk=issue.pk, status=Issue.Status.WITHDRAWN).exists()


def close_withdrawn(issue: Issue) -> int:
    """The issue's readers not mailed yet (queued or deferred) recorded as not sent
    because it was withdrawn: no sender claims them again, and nothing retries them.
    Only if the issue is withdrawn; how many were closed. Deliveries left `sending` by
    dead senders become unknown first (a run would have done it at its start, and none
    starts for a withdrawn issue)."""
    if not withdrawn(issue):
        return 0
    recover(issue)
    return Delivery.objects.filter(
        issue=issue, state__in=CLAIMABLE, issue__status=Issue.Status.WITHDRAWN
    ).update(state=State.WITHDRAWN, reply="not sent: the issue was withdrawn", next_attempt=None)


def withdrawn_open() -> list[Issue]:
    """Withdrawn issues with readers still queued, deferred or in the hands of a sender:
    withdrawn when no send was running (or its sender died), for `close_withdrawn`."""
    withdrawn_ids = list(
        Issue.objects.filter(status=Issue.Status.WITHDRAWN).values_list("pk", flat=True)
    )
    # the scheduler asks every tick: by issue first, so the (issue, state) index answers
    # it, not a scan of every delivery ever made
    open_ids = (
        Delivery.objects.filter(issue_id__in=withdrawn_ids, state__in=(*CLAIMABLE, State.SENDING))
        .values_list("issue_id", flat=True)
        .distinct()
    )
    return list(Issue.objects.filter(pk__in=list(open_ids)).order_by("pk"))


def failures_of(subscriber_id: int) -> int:
    """Permanent failures (5xx) of the subscriber's deliveries, every issue counted."""
    return Delivery.objects.filter(subscriber_id=subscriber_id, state=State.FAILED).count()


def counts(issue: Issue) -> dict[str, int]:
    found = dict.fromkeys(State.values, 0)
    rows = Delivery.objects.filter(issue=issue).values_list("state").annotate(n=Count("id"))
    for state, n in rows:
        found[state] = n
    return found


@dataclasses.dataclass(frozen=True)
class Unknown:
    """A delivery whose fate is unknown, with what a person needs to look it up in the
    SMTP server's log."""

    subscriber_id: int
    email: str
    message_id: str
    claimed_at: dt.datetime | None


def unknown_deliveries(issue: Issue) -> list[Unknown]:
    rows = (
        Delivery.objects.filter(issue=issue, state=State.UNKNOWN)
        .order_by("pk")
        .values_list("subscriber_id", "subscriber__email", "message_id", "claimed_at")
    )
    return [Unknown(*row) for row in rows]


def resolve_unknown(
    issue: Issue, subscribers: list[int] | None, *, sent: bool, now: dt.datetime | None = None
) -> int:
    """Unknown deliveries decided by a person (None: all of the issue's): `sent` when
    the server's log shows the message taken, else queued again for the next run to
    send (a reader may then get it twice: the person's call). How many moved."""
    now = now or timezone.now()
    rows = Delivery.objects.filter(issue=issue, state=State.UNKNOWN)
    if subscribers is not None:
        rows = rows.filter(subscriber_id__in=subscribers)
    with transaction.atomic():
        chosen = list(rows.select_for_update().values_list("pk", flat=True))
        moved = Delivery.objects.filter(pk__in=chosen, state=State.UNKNOWN)
        if sent:
            count = moved.update(state=State.SENT, sent_at=now, reply="marked sent by an operator")
            note_delivered(chosen, now)
        else:
            count = moved.update(
                state=State.QUEUED, next_attempt=None, reply="queued again by an operator"
            )
    return count


def unknown_of(issue: Issue) -> list[int]:
    """The deliveries of the issue whose fate is unknown: a person must look."""
    return list(
        Delivery.objects.filter(issue=issue, state=State.UNKNOWN)
        .order_by("pk")
        .values_list("subscriber_id", flat=True)
    )


def due_retries(now: dt.datetime) -> list[tuple[int, dt.datetime]]:
    """(issue id, earliest due time) of the published issues with deferred deliveries
    due: a withdrawn issue's are never sent (the sender refuses it), so a task for them
    would only fail, four times, at every new due time."""
    rows = (
        Delivery.objects.filter(
            state=State.DEFERRED, next_attempt__lte=now, issue__status=Issue.Status.PUBLISHED
        )
        .values("issue_id")
        .annotate(first=Min("next_attempt"))
        .order_by("issue_id")
    )
    return [(row["issue_id"], row["first"]) for row in rows]


def issues_to_mail(now: dt.datetime) -> list[int]:
    """Issues published in the last MAIL_WINDOW that had confirmed readers when they were
    published: the scheduler mails each once. None without an SMTP server.

    A reader's confirmation alone never sends them an issue out before it."""
    if not settings.EMAIL_HOST:
        return []
    readers = Subscription.objects.filter(
        Q(confirmed_at__lte=OuterRef("published_at")) | Q(confirmed_at__isnull=True),
        publication_id=OuterRef("publication_id"),
        status=Subscription.Status.CONFIRMED,
    )
    return list(
        Issue.objects.filter(
            Exists(readers), status=Issue.Status.PUBLISHED, published_at__gte=now - MAIL_WINDOW
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th try failed for now: it doubles each time."""
    return dt.timedelta(minutes=settings.NEWSDESK_MAIL_RETRY_MINUTES * 2 ** (attempts - 1))


# --- senders: who is alive -------------------------------------------------------


def process_start(pid: int) -> str | None:
    """When the process started (clock ticks after boot), or None when there is no such
    live process: a pid can be reused, its start time cannot. Off Linux, "?" for any
    process that exists."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    except OSError:
        return _exists(pid)
    fields = stat.rpartition(")")[2].split()
    if fields[0] in ("Z", "X"):  # killed, not yet reaped by its parent
        return None
    return fields[19]


def _exists(pid: int) -> str | None:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return "?"


def sender_name() -> str:
    pid = os.getpid()
    return f"{socket.gethostname()[:40]}:{pid}:{process_start(pid)}:{secrets.token_hex(4)}"


def is_dead(name: str, found: MailSender | None, now: dt.datetime) -> bool:
    """A sender is dead when its row is gone, it has not been seen for the stale time,
    or it ran on this host and its process is gone."""
    if found is None:
        return True
    if found.seen < now - dt.timedelta(seconds=settings.NEWSDESK_MAIL_SENDER_STALE_SECONDS):
        return True
    host, pid, start = [*name.split(":"), "", "", ""][:3]
    if host == socket.gethostname()[:40] and pid.isdigit():
        now_start = process_start(int(pid))
        return now_start is None or (now_start != "?" and start not in ("?", now_start))
    return False


def recover(issue: Issue, now: dt.datetime | None = None) -> int:
    """Deliveries of the issue left `sending` by dead senders -> unknown."""
    now = now or database_now()
    names = set(
        Delivery.objects.filter(issue=issue, state=State.SENDING).values_list("sender", flat=True)
    )
    senders = {s.name: s for s in MailSender.objects.filter(name__in=names)}
    moved = 0
    for name in sorted(names):
        if is_dead(name, senders.get(name), now):
            moved += Delivery.objects.filter(issue=issue, state=State.SENDING, sender=name).update(
                state=State.UNKNOWN,
                reply="the sender stopped while sending: the server may or may not have it",
            )
            MailSender.objects.filter(name=name).delete()
    if moved:
        log.warning("issue %s: %d deliveries of dead senders are now unknown", issue.pk, moved)
    return moved


class Registration:
    """`with Registration() as name:` a MailSender row, refreshed every BEAT seconds by a
    thread, deleted on the way out."""

    def __init__(self) -> None:
        self.name = sender_name()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.beat, name="mail-sender-beat", daemon=True)

    def __enter__(self) -> str:
        MailSender.objects.create(
            name=self.name,
            host=socket.gethostname()[:100],
            pid=os.getpid(),
            started=Now(),
            seen=Now(),
        )
        self.thread.start()
        return self.name

    def beat(self) -> None:
        try:
            while not self.stop.wait(BEAT):
                close_old_connections()
                MailSender.objects.filter(name=self.name).update(seen=Now())
        finally:
            connection.close()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop.set()
        self.thread.join()
        MailSender.objects.filter(name=self.name).delete()

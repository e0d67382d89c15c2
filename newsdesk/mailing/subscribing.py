"""Subscribing, confirming, choosing, leaving and being forgotten: the list's rules.

- Double opt-in: a sign-up makes a pending subscription; only the confirmation link
  mailed to the address makes it confirmed. Nothing but that message ever goes to an
  unconfirmed address, and not often: an hour at least after the last one
  (CONFIRMATION_GAP), twice as long after each further one left unanswered, so that
  someone who signs up another person's address again and again gets them a handful
  of messages, not one an hour (confirmation_gap).
- A sign-up for an address already confirmed changes nothing (its preferences stay
  the reader's own); callers answer every sign-up the same way, so nobody learns
  whether an address is on the list.
- The topics and places of a sign-up travel in the confirmation link mailed to the
  address, and take effect when that link is confirmed: anyone may type another
  person's address into the form, so a later sign-up never changes the choices of a
  pending subscription (nor of an unsubscribed one it makes pending again); only the
  first, which makes the subscription, stores its own until the confirmation.
- Unsubscribing takes effect at once; only the reader's own new sign-up, confirmed
  again, brings the address back: an import never does (imports.py).
- A suppressed address (bounce, complaint, by hand) is never mailed, by every
  publication or by the one the suppression names; one whose personal data was
  deleted may come back through the form and its confirmation.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import unicodedata
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from newsdesk.mailing import addresses, links, mailer, tokens
from newsdesk.mailing.models import Subscriber, SubscriberEvent, Subscription, Suppression
from newsdesk.newsroom.models import Category, Publication
from newsdesk.pipeline.errors import InputError, NotFoundError

log = logging.getLogger(__name__)

CONFIRMATION_GAP = dt.timedelta(hours=1)
#: the gap doubles at most this many times (2**12 hours: some 170 days)
MAX_DOUBLINGS = 12
#: reasons that stop even the reader's own sign-up
BLOCKING = (
    Suppression.Reason.HARD_BOUNCE,
    Suppression.Reason.COMPLAINT,
    Suppression.Reason.MANUAL,
)
Kind = SubscriberEvent.Kind
Status = Subscription.Status


@dataclasses.dataclass(frozen=True)
class Signup:
    """What a sign-up did, for tests and reports (never shown to the one signing up)."""

    outcome: str  # "pending", "already", "suppressed"
    subscriber: Subscriber | None = None
    confirmation_sent: bool = False
    #: the topics and places this sign-up asked for (category ids): for its message
    chosen: tuple[int, ...] = ()


def blocked(address: str, publication: Publication) -> bool:
    """A suppression that stops even the reader's own sign-up covers the publication."""
    return (
        Suppression.objects.covering(publication.pk)
        .filter(address_hash=addresses.address_hash(address), reason__in=BLOCKING)
        .exists()
    )


def note(
    subscriber: Subscriber,
    kind: str,
    publication: Publication | None = None,
    detail: str = "",
    at: dt.datetime | None = None,
) -> None:
    SubscriberEvent.objects.create(
        subscriber=subscriber,
        publication=publication,
        kind=kind,
        detail=detail[:300],
        at=at or timezone.now(),
    )


def clean_name(raw: str) -> str:
    """A name as kept: one line, without control characters (a line break, an escape
    sequence that a terminal listing the subscribers would run), at most 200 characters."""
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in raw or "")
    return " ".join(text.split())[:200]


def find_or_add(address: str, name: str, source: str) -> tuple[Subscriber, bool]:
    """The subscriber of a normalised address, added if new (a racing twin is found)."""
    found = Subscriber.objects.filter(email=address).first()
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            made = Subscriber.objects.create(
                email=address,
                address_hash=addresses.address_hash(address),
                name=clean_name(name),
                consent_source=source,
            )
        return made, True
    except IntegrityError:
        return Subscriber.objects.get(email=address), False


def publication_categories(publication: Publication, ids: Iterable[int]) -> list[Category]:
    """The publication's categories among `ids`; InputError for any other."""
    wanted = set(ids)
    found = list(Category.objects.filter(publication=publication, pk__in=wanted))
    if len(found) != len(wanted):
        raise InputError(f"{publication.name} has no such topic or place")
    return found


def subscribe(
    publication: Publication,
    email: str,
    name: str = "",
    categories: Iterable[Category] = (),
    *,
    base_url: str,
    now: dt.datetime | None = None,
) -> Signup:
    """A reader's sign-up: pending until confirmed, and a confirmation message unless
    one went out within the hour. InputError for a malformed address."""
    now = now or timezone.now()
    signup = sign_up(publication, email, name, categories, now=now)
    if signup.outcome != "pending" or signup.subscriber is None:
        return signup
    sent = send_confirmation(
        signup.subscriber, publication, base_url, now=now, chosen=signup.chosen
    )
    return dataclasses.replace(signup, confirmation_sent=sent)


def sign_up(
    publication: Publication,
    email: str,
    name: str = "",
    categories: Iterable[Category] = (),
    *,
    now: dt.datetime | None = None,
) -> Signup:
    """The sign-up recorded, nothing mailed: the form's half, whose confirmation
    message goes out from a task (tasks.send_confirmation_mail), so that the answer
    takes as long whether the address is new or known. InputError for a malformed
    address."""
    now = now or timezone.now()
    address = addresses.for_the_list(email)
    categories = list(categories)
    chosen = tuple(c.pk for c in categories)
    if blocked(address, publication):
        return Signup("suppressed")
    with transaction.atomic():
        subscriber, _ = find_or_add(address, name, Subscriber.Source.FORM)
        subscription, made = Subscription.objects.select_for_update().get_or_create(
            subscriber=subscriber, publication=publication
        )
        if subscription.status == Status.CONFIRMED:
            return Signup("already", subscriber, chosen=chosen)
        if subscription.status == Status.UNSUBSCRIBED or made:
            subscription.status = Status.PENDING
            subscription.save(update_fields=["status"])
            note(subscriber, Kind.SUBSCRIBED, publication, "the subscribe form", now)
        if made:  # later sign-ups' choices go only into their confirmation links
            subscription.categories.set(categories)
    return Signup("pending", subscriber, chosen=chosen)


def send_confirmation(
    subscriber: Subscriber,
    publication: Publication,
    base_url: str,
    *,
    now: dt.datetime | None = None,
    connection: mailer.BaseEmailBackend | None = None,
    chosen: Iterable[int] | None = None,
) -> bool:
    """Mail the confirmation link for the subscriber's pending subscriptions, unless
    one went out within confirmation_gap or the address is suppressed for `publication`
    (whose name the message goes out under). True if sent. It asks about the pending
    subscriptions of publications the address is not suppressed for. The link carries
    the topics and places to confirm: `chosen` (category ids, the sign-up's) for the
    subscription to `publication`, the stored ones for the others and without `chosen`."""
    now = now or timezone.now()
    stopped = set(
        Suppression.objects.filter(
            address_hash=subscriber.address_hash, reason__in=BLOCKING
        ).values_list("publication_id", flat=True)
    )
    if None in stopped or publication.pk in stopped:
        return False
    pending = [
        s
        for s in subscriber.subscriptions.filter(status=Status.PENDING).select_related(
            "publication"
        )
        if s.publication_id not in stopped
    ]
    if not pending:
        return False
    before = subscriber.confirmation_sent_at
    claimed = (
        Subscriber.objects.filter(pk=subscriber.pk)
        .filter(
            Q(confirmation_sent_at__isnull=True)
            | Q(confirmation_sent_at__lte=now - confirmation_gap(subscriber))
        )
        .update(confirmation_sent_at=now)
    )
    if not claimed:
        return False
    choices = {s.pk: [c.pk for c in s.categories.all()] for s in pending}
    if chosen is not None:
        choices.update({s.pk: list(chosen) for s in pending if s.publication_id == publication.pk})
    token = tokens.confirm_token(subscriber, [s.pk for s in pending], choices)
    named = {s.pk: categories_named(s, choices[s.pk]) for s in pending}
    context = {
        "publication": publication,
        "asked": [(s.publication, named[s.pk]) for s in pending],
        "name": subscriber.name,
        "confirm_url": base_url + links.confirm_path(publication, token),
        "days": tokens.confirm_max_age().days,
    }
    message = mailer.compose(
        mailer.render_message("confirm", context),
        subscriber.email,
        publication,
        connection=connection,
    )
    try:
        message.send()
    except Exception:
        Subscriber.objects.filter(pk=subscriber.pk, confirmation_sent_at=now).update(
            confirmation_sent_at=before
        )
        raise
    subscriber.confirmation_sent_at = now
    note(subscriber, Kind.CONFIRMATION_SENT, publication, at=now)
    return True


def confirmation_gap(subscriber: Subscriber) -> dt.timedelta:
    """How long after the last confirmation message the next may go: CONFIRMATION_GAP,
    doubled for each message since the address last confirmed beyond the first (1, 2,
    4, 8 hours...). The reader's confirmation starts the count again."""
    events = subscriber.events.all()
    answered = events.filter(kind=Kind.CONFIRMED).aggregate(last=Max("at"))["last"]
    sent = events.filter(kind=Kind.CONFIRMATION_SENT)
    if answered is not None:
        sent = sent.filter(at__gt=answered)
    doublings = min(max(sent.count() - 1, 0), MAX_DOUBLINGS)
    return CONFIRMATION_GAP * 2**doublings


def categories_named(subscription: Subscription, ids: Iterable[int]) -> list[Category]:
    """The subscription's publication's categories among `ids`, in the vocabulary's
    order (one deleted since a link was mailed is left out)."""
    return list(Category.objects.filter(publication=subscription.publication_id, pk__in=ids))


def to_confirm(confirmation: tokens.Confirmation, subscription: Subscription) -> list[Category]:
    """The topics and places confirming the link sets for the subscription: those its
    message asked about (the stored ones for a link mailed before links carried them)."""
    if confirmation.choices is None or subscription.pk not in confirmation.choices:
        return list(subscription.categories.all())
    return categories_named(subscription, confirmation.choices[subscription.pk])


def confirm(
    confirmation: tokens.Confirmation, now: dt.datetime | None = None
) -> list[Subscription]:
    """Confirm the pending subscriptions the link names, with the topics and places its
    message asked about; those confirmed already stay so, preferences and all, those
    unsubscribed since stay unsubscribed. The subscriptions the link names."""
    now = now or timezone.now()
    subscriber = confirmation.subscriber
    with transaction.atomic():
        named = list(
            subscriber.subscriptions.select_for_update()
            .filter(pk__in=confirmation.subscription_ids)
            .select_related("publication")
        )
        for subscription in named:
            if subscription.status != Status.PENDING:
                continue
            subscription.categories.set(to_confirm(confirmation, subscription))
            subscription.status = Status.CONFIRMED
            subscription.confirmed_at = now
            subscription.unsubscribed_at = None
            subscription.save(update_fields=["status", "confirmed_at", "unsubscribed_at"])
            note(subscriber, Kind.CONFIRMED, subscription.publication, at=now)
            subscriber.confirmed_at = subscriber.confirmed_at or now
            subscriber.consent_at = subscriber.consent_at or now
            subscriber.unsubscribed_at = None
        subscriber.save(update_fields=["confirmed_at", "consent_at", "unsubscribed_at"])
        # the reader came back on their own: a past erasure no longer stands in the way
        Suppression.objects.filter(
            address_hash=subscriber.address_hash, reason=Suppression.Reason.ERASED
        ).delete()
    return named


def subscription_of(subscriber: Subscriber, publication: Publication) -> Subscription:
    found = subscriber.subscriptions.filter(publication=publication).first()
    if found is None:
        raise NotFoundError(f"no subscription to {publication.name} for this link")
    return found


def set_preferences(
    subscription: Subscription, categories: Iterable[Category], now: dt.datetime | None = None
) -> None:
    chosen = sorted(categories, key=lambda c: (c.kind, c.position, c.name))
    with transaction.atomic():
        subscription.categories.set(chosen)
        detail = ", ".join(c.name for c in chosen) or "the whole issue"
        note(subscription.subscriber, Kind.PREFERENCES, subscription.publication, detail, now)


def unsubscribe(subscription: Subscription, how: str, now: dt.datetime | None = None) -> bool:
    """End the subscription now; False if it had ended already."""
    now = now or timezone.now()
    with transaction.atomic():
        ended = (
            Subscription.objects.filter(pk=subscription.pk)
            .exclude(status=Status.UNSUBSCRIBED)
            .update(status=Status.UNSUBSCRIBED, unsubscribed_at=now)
        )
        if not ended:
            return False
        subscription.refresh_from_db()
        subscriber = subscription.subscriber
        note(subscriber, Kind.UNSUBSCRIBED, subscription.publication, how, now)
        if not subscriber.subscriptions.exclude(status=Status.UNSUBSCRIBED).exists():
            subscriber.unsubscribed_at = now
            subscriber.save(update_fields=["unsubscribed_at"])
    return True


def suppress(
    email: str,
    reason: str,
    note_text: str = "",
    now: dt.datetime | None = None,
    *,
    publication: Publication | None = None,
) -> bool:
    """Never mail this address again: from `publication` only, or (None) from every
    publication. False if a suppression covered that already (one of every publication
    covers each publication's)."""
    now = now or timezone.now()
    address = addresses.normalise(email)
    digest = addresses.address_hash(address)
    with transaction.atomic():
        found = Suppression.objects.filter(address_hash=digest)
        if publication is None:
            found = found.filter(publication__isnull=True)
        else:
            found = found.covering(publication.pk)
        if found.exists():
            return False
        _, made = Suppression.objects.get_or_create(
            address_hash=digest,
            publication=publication,
            defaults={"reason": reason, "at": now, "note": note_text[:200]},
        )
        subscriber = Subscriber.objects.filter(email=address).first()
        if made and subscriber is not None:
            detail = reason if publication else f"{reason}, for all publications"
            note(subscriber, Kind.SUPPRESSED, publication, detail, now)
    return made


def delete_subscriber(email: str, now: dt.datetime | None = None) -> None:
    """Remove the address and all that goes with it; a suppression (its hash) stays,
    so no import brings it back."""
    address = addresses.normalise(email)
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(email=address).first()
        if subscriber is None:
            raise NotFoundError("no subscriber has that address")
        Suppression.objects.get_or_create(  # for every publication: the person is gone
            address_hash=subscriber.address_hash,
            publication=None,
            defaults={"reason": Suppression.Reason.ERASED, "at": now or timezone.now()},
        )
        number = subscriber.pk
        subscriber.delete()
    log.info("subscriber %s deleted; suppression kept as a hash", number)

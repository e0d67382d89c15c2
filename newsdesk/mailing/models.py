"""Who receives a publication by mail, with what consent, and who must never be mailed.

A Subscriber is one address (normalised, unique) with the personal data that goes
with it; deleting the row removes all of it (its subscriptions and history go
with it). A Subscription ties a subscriber to one publication: pending until the
address confirms, confirmed, or unsubscribed (then never undone by an import).
A Suppression holds only the address's hash, so it outlives the subscriber: an
address that bounced, complained, was blocked by hand or asked to be forgotten
is refused by imports and never mailed, by every publication (no publication on
the row) or by one (a complaint about its mail, a block by hand naming it).
SubscriberEvent is the history shown on the desk; the sending side adds its own
kinds (delivered, bounced, ...).

`Subscription.objects.recipients(publication)`: confirmed subscriptions whose
address no suppression of that publication covers (`Suppression.objects.covering`).
"""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.db import models
from django.db.models import Q

from newsdesk.newsroom.models import Category, Publication


def new_key() -> str:
    """The secret a subscriber's signed links carry: a new one voids every old link."""
    return secrets.token_hex(16)


class Subscriber(models.Model):
    class Source(models.TextChoices):
        FORM = "form", "the subscribe form"
        IMPORT = "import", "an import (confirmation asked)"
        IMPORT_CONFIRMED = "import-confirmed", "an import (prior consent asserted)"

    email = models.EmailField(max_length=254, unique=True, help_text="normalised (addresses.py)")
    #: sha256 of the normalised address: what a Suppression matches
    address_hash = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200, blank=True)
    key = models.CharField(max_length=32, unique=True, default=new_key)
    created = models.DateTimeField(auto_now_add=True)
    #: the first time the address confirmed a subscription
    confirmed_at = models.DateTimeField(null=True, blank=True)
    #: when its last active subscription ended
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    consent_source = models.CharField(max_length=20, choices=Source.choices)
    consent_at = models.DateTimeField(null=True, blank=True)
    #: the last confirmation message sent: an hour at least before the next (subscribing.py)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return f"subscriber {self.pk}"  # never the address: it may end up in a log


class SubscriptionQuerySet(models.QuerySet["Subscription"]):
    def recipients(self, publication: Publication) -> SubscriptionQuerySet:
        """Confirmed subscriptions of the publication whose address is not suppressed
        for it (by a suppression of every publication or of this one)."""
        covering = Suppression.objects.covering(publication.pk)
        return self.filter(publication=publication, status=Subscription.Status.CONFIRMED).exclude(
            subscriber__address_hash__in=covering.values("address_hash")
        )


class Subscription(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "pending: waits for the address to confirm"
        CONFIRMED = "confirmed", "confirmed"
        UNSUBSCRIBED = "unsubscribed", "unsubscribed"

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="subscriptions"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    #: the topics and places wanted; none: the whole issue
    categories = models.ManyToManyField(Category, blank=True, related_name="subscriptions")
    created = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[SubscriptionQuerySet] = SubscriptionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["publication_id", "subscriber_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "publication"], name="subscription_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"subscription {self.pk} ({self.status})"


class SuppressionQuerySet(models.QuerySet["Suppression"]):
    def covering(self, publication_id: int) -> SuppressionQuerySet:
        """The suppressions that stop the publication's mail: those of every publication
        and its own."""
        return self.filter(Q(publication__isnull=True) | Q(publication_id=publication_id))


class Suppression(models.Model):
    """An address never to be mailed, kept as its hash only: by any publication
    (`publication` empty: hard bounces, erasure, a block by hand naming none, a
    complaint that cannot be tied to one), or by one publication only (a complaint
    about its mail, a block by hand naming it). One row per address and scope."""

    class Reason(models.TextChoices):
        HARD_BOUNCE = "hard-bounce", "hard bounce"
        COMPLAINT = "complaint", "complaint"
        MANUAL = "manual", "added by hand"
        ERASED = "erased", "personal data deleted"

    address_hash = models.CharField(max_length=64, db_index=True)
    #: the only publication whose mail it stops; none: every publication's
    publication = models.ForeignKey(
        Publication, null=True, blank=True, on_delete=models.CASCADE, related_name="suppressions"
    )
    reason = models.CharField(max_length=12, choices=Reason.choices)
    at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)

    objects: ClassVar[SuppressionQuerySet] = SuppressionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-at", "id"]
        constraints = [
            # two, not one on both fields: NULLs are distinct in a unique index
            models.UniqueConstraint(
                fields=["address_hash"],
                condition=Q(publication__isnull=True),
                name="suppression_unique_everywhere",
            ),
            models.UniqueConstraint(
                fields=["address_hash", "publication"],
                condition=Q(publication__isnull=False),
                name="suppression_unique_per_publication",
            ),
        ]

    @property
    def scope(self) -> str:
        """Whose mail it stops, in words: "all publications" or the publication's slug."""
        return self.publication.slug if self.publication else "all publications"

    def __str__(self) -> str:
        return f"suppression {self.address_hash[:12]} ({self.reason})"


class SubscriberEvent(models.Model):
    """One line of a subscriber's history; `detail` never holds the address."""

    class Kind(models.TextChoices):
        SUBSCRIBED = "subscribed", "subscribed"
        CONFIRMATION_SENT = "confirmation-sent", "confirmation sent"
        CONFIRMED = "confirmed", "confirmed"
        PREFERENCES = "preferences", "preferences changed"
        UNSUBSCRIBED = "unsubscribed", "unsubscribed"
        IMPORTED = "imported", "imported"
        SUPPRESSED = "suppressed", "suppressed"
        DELIVERED = "delivered", "delivered"
        DEFERRED = "deferred", "deferred"
        BOUNCED = "bounced", "bounced"
        COMPLAINED = "complained", "complained"

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="events")
    publication = models.ForeignKey(
        Publication, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField()
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"


class SignupAttempt(models.Model):
    """One sign-up from a network address (its hash), for the per-address throttle."""

    client_hash = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["at", "id"]


class Delivery(models.Model):
    """One issue to one subscriber: the record that makes sending exactly-once.

    A sender claims a row (queued or due deferred -> sending, with its name) by a
    conditional UPDATE before it speaks to the SMTP server, and marks it sent once
    the server accepted the message. A row left `sending` by a sender that died is
    `unknown`: the message may or may not have gone, and it is never sent again by
    itself (sending.py, delivery.py). A delivery not yet sent when its issue is
    withdrawn is `withdrawn`: never claimed again.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "queued"
        SENDING = "sending", "sending"
        SENT = "sent", "sent"
        DEFERRED = "deferred", "deferred: tried again later"
        FAILED = "failed", "failed"
        SUPPRESSED = "suppressed", "not sent: address suppressed or unsubscribed"
        SKIPPED = "skipped", "not sent: nothing of the chosen topics and places"
        UNKNOWN = "unknown", "unknown: the sender died while sending"
        WITHDRAWN = "withdrawn", "not sent: the issue was withdrawn"

    issue = models.ForeignKey("newsroom.Issue", on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    #: the SMTP server's last reply (code and text), or what went wrong
    reply = models.CharField(max_length=300, blank=True)
    message_id = models.CharField(max_length=200, blank=True, db_index=True)
    #: the MailSender that claimed it last
    sender = models.CharField(max_length=100, blank=True)
    created = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    #: a deferred delivery is due again then
    next_attempt = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["issue_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "subscriber"], name="delivery_unique"),
        ]
        indexes = [models.Index(fields=["issue", "state"], name="delivery_issue_state")]

    def __str__(self) -> str:
        return f"delivery {self.pk} ({self.state})"


class MailSender(models.Model):
    """A running sender: its name is on the deliveries it claims. One not seen for
    NEWSDESK_MAIL_SENDER_STALE_SECONDS (or, on this host, whose process is gone) is dead."""

    name = models.CharField(max_length=100, unique=True)
    host = models.CharField(max_length=100)
    pid = models.PositiveIntegerField()
    started = models.DateTimeField()
    seen = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class MailRun(models.Model):
    """One sender's run over an issue (sending.Sender.run): when, how many it sent, and
    why it stopped before every reader was mailed; what the desk's mailing page tells
    the editor. `ended` stays empty while it runs, and for good when the run was killed
    (its MailSender then gone) or failed with an error."""

    class Stop(models.TextChoices):
        DONE = "done", "went through every reader due"
        SERVER = "server", "the SMTP server could not be used"
        WITHDRAWN = "withdrawn", "the issue was withdrawn"
        ASKED = "asked", "asked to stop (SIGTERM or Ctrl-C)"

    issue = models.ForeignKey("newsroom.Issue", on_delete=models.CASCADE, related_name="mail_runs")
    #: the MailSender's name while it runs
    sender = models.CharField(max_length=100)
    started = models.DateTimeField()
    ended = models.DateTimeField(null=True, blank=True)
    sent = models.PositiveIntegerField(default=0)
    stop = models.CharField(max_length=10, choices=Stop.choices, blank=True)
    #: why it stopped, in the sender's words (the server's reply, say)
    why = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-started", "-id"]
        indexes = [models.Index(fields=["issue", "started"], name="mailrun_issue_started")]

    def __str__(self) -> str:
        return f"mail run {self.pk} ({self.stop or 'running'})"

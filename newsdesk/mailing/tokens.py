"""The signed links a subscriber gets: Django's signing with our own salts.

- confirm: expiring (NEWSDESK_CONFIRM_DAYS), names the subscriber's key, the
  subscriptions the message asked about and the topics and places it asked about for
  each (what confirming sets: only a link mailed to the address changes its choices).
  A new key (deletion, or a re-created subscriber) voids it.
- subscriber: no expiry (it is in every issue's List-Unsubscribe header), names
  only the subscriber's key: the preferences page and the unsubscribe endpoint.

Neither carries the address. A token that does not verify, has expired or names a
subscriber no longer there is a `LinkRefused` with what to tell the reader.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core import signing

from newsdesk.mailing.models import Subscriber

CONFIRM_SALT = "newsdesk.mailing.confirm"
SUBSCRIBER_SALT = "newsdesk.mailing.subscriber"


class LinkRefused(Exception):
    """A link that cannot be used; `expired` says whether it was good once."""

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


@dataclasses.dataclass(frozen=True)
class Confirmation:
    subscriber: Subscriber
    subscription_ids: list[int]
    #: the category ids the message asked about, by subscription id; None in a link
    #: mailed before links carried them (confirming then keeps the stored choices)
    choices: dict[int, list[int]] | None = None


def confirm_max_age() -> dt.timedelta:
    return dt.timedelta(days=settings.NEWSDESK_CONFIRM_DAYS)


def confirm_token(
    subscriber: Subscriber,
    subscription_ids: list[int],
    choices: Mapping[int, Iterable[int]] | None = None,
) -> str:
    signer = signing.TimestampSigner(salt=CONFIRM_SALT)
    payload: dict[str, object] = {"k": subscriber.key, "s": sorted(subscription_ids)}
    if choices is not None:
        payload["c"] = {str(pk): sorted(ids) for pk, ids in choices.items()}
    return signer.sign_object(payload, compress=True)


def read_confirm_token(token: str) -> Confirmation:
    signer = signing.TimestampSigner(salt=CONFIRM_SALT)
    try:
        payload = signer.unsign_object(token, max_age=confirm_max_age())
    except signing.SignatureExpired:
        raise LinkRefused(
            "This confirmation link has expired. Sign up again to get a new one.", expired=True
        ) from None
    except (signing.BadSignature, ValueError):
        raise LinkRefused(NOT_VALID) from None
    subscriber = _subscriber(payload)
    ids = payload.get("s")
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
        raise LinkRefused(NOT_VALID)
    return Confirmation(subscriber, ids, _choices(payload.get("c"), ids))


def _choices(value: object, ids: list[int]) -> dict[int, list[int]] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise LinkRefused(NOT_VALID)
    choices: dict[int, list[int]] = {}
    for key, chosen in value.items():
        if not (isinstance(key, str) and key.isascii() and key.isdigit() and int(key) in ids):
            raise LinkRefused(NOT_VALID)
        if not isinstance(chosen, list) or not all(isinstance(i, int) for i in chosen):
            raise LinkRefused(NOT_VALID)
        choices[int(key)] = chosen
    return choices


def subscriber_token(subscriber: Subscriber) -> str:
    return signing.Signer(salt=SUBSCRIBER_SALT).sign(subscriber.key)


def read_subscriber_token(token: str) -> Subscriber:
    try:
        key = signing.Signer(salt=SUBSCRIBER_SALT).unsign(token)
    except signing.BadSignature:
        raise LinkRefused(NOT_VALID) from None
    return _subscriber({"k": key})


NOT_VALID = (
    "This link is not valid: it may have been cut short when it was copied. "
    "Open it again from the message, in full."
)
GONE = "This link belongs to a subscription that no longer exists."


def _subscriber(payload: object) -> Subscriber:
    key = payload.get("k") if isinstance(payload, dict) else None
    if not isinstance(key, str):
        raise LinkRefused(NOT_VALID)
    found = Subscriber.objects.filter(key=key).first()
    if found is None:
        raise LinkRefused(GONE)
    return found

"""What comes back: bounces (RFC 3464 delivery status notifications, and the formats of
common mail servers), complaints (RFC 5965 feedback reports) and unsubscribe requests
to the mailto address of List-Unsubscribe.

flufl.bounce (GNU Mailman's detectors) reads the bounces; Python's email package
parses the feedback reports, whose fields are header lines. Who a message is about
comes first from the VERP address it was sent back to (bounces+TOKEN@, the token
names the delivery: messages.read_verp), else from the Message-ID of the original
message quoted in it, else from the permanently failed addresses the parser found,
when one is a subscriber's. A message that is none of these is reported and left
alone: nothing is guessed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import email
import email.policy
import imaplib
import logging
import mailbox
import re
import ssl
from collections.abc import Callable, Iterable, Iterator
from email.message import Message
from email.utils import getaddresses
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.db import DatabaseError
from flufl.bounce import all_failures

from newsdesk.mailing import addresses, messages, subscribing, tokens
from newsdesk.mailing.models import Delivery, Subscriber, SubscriberEvent, Subscription, Suppression
from newsdesk.newsroom.models import Publication
from newsdesk.pipeline.errors import ConflictError, InputError, NotFoundError
from newsdesk.pipeline.text import plural

log = logging.getLogger(__name__)
Kind = SubscriberEvent.Kind
#: where a bounce says whom it was sent back to
RECIPIENT_HEADERS = ("to", "delivered-to", "x-original-to", "envelope-to", "x-envelope-to")
UNSUBSCRIBE = re.compile(r"^\s*unsubscribe\s+([a-z0-9-]+)\s+(\S+)\s*$", re.IGNORECASE)


@dataclasses.dataclass
class Found:
    """One message of a mailbox; `done()` marks it handled (IMAP: seen)."""

    where: str
    message: Message
    done: Callable[[], None] | None = None


@dataclasses.dataclass(frozen=True)
class Verdict:
    kind: str  # hard-bounce, soft-bounce, complaint, unsubscribe, unrecognised
    subscriber: Subscriber | None = None
    publication_id: int | None = None
    detail: str = ""


@dataclasses.dataclass
class Report:
    counts: dict[str, int] = dataclasses.field(default_factory=dict)
    suppressed: int = 0
    unrecognised: list[tuple[str, str]] = dataclasses.field(default_factory=list)

    def line(self) -> str:
        c = self.counts
        return (
            f"{plural(sum(c.values()), 'message')}: "
            f"{plural(c.get('hard-bounce', 0), 'hard bounce')}, "
            f"{plural(c.get('soft-bounce', 0), 'delay')}, "
            f"{plural(c.get('complaint', 0), 'complaint')}, "
            f"{plural(c.get('unsubscribe', 0), 'unsubscribe request')}, "
            f"{c.get('unrecognised', 0)} not recognised; "
            f"{plural(self.suppressed, 'address', 'addresses')} suppressed"
        )


# --- reading mailboxes -------------------------------------------------------------


def parse(data: bytes) -> Message:
    return email.message_from_bytes(data, policy=email.policy.compat32)


def from_mbox(path: str | Path) -> Iterator[Found]:
    if not Path(path).is_file():
        raise NotFoundError(f"no mbox file {path}")
    box = mailbox.mbox(str(path), create=False)
    try:
        for n, key in enumerate(box.keys(), start=1):
            yield Found(f"message {n}", parse(box.get_bytes(key)))
    finally:
        box.close()


def from_maildir(path: str | Path, *, unseen_only: bool = False) -> Iterator[Found]:
    """Every message of the maildir; with `unseen_only` (the scheduled reading) only those
    not yet marked seen, each handled one then marked seen, as IMAP does."""
    if not (Path(path) / "cur").is_dir():
        raise NotFoundError(f"no maildir at {path} (it has cur/, new/ and tmp/)")
    box = mailbox.Maildir(str(path), create=False)
    for key in sorted(box.keys()):
        if unseen_only and "S" in box.get_message(key).get_flags():
            continue

        def seen(key: str = key) -> None:
            message = box.get_message(key)
            message.set_subdir("cur")
            message.add_flag("S")
            box[key] = message

        yield Found(f"message {key}", parse(box.get_bytes(key)), seen if unseen_only else None)


def from_imap(url: str) -> Iterator[Found]:
    """The unseen messages of imaps://user:password@host[:port]/folder (imap:// for a
    server without TLS); each handled one is marked seen, the rest stay unseen. The
    imaps server's certificate and host name are verified before the password is sent."""
    parts = urlsplit(url)
    try:
        port = parts.port or (993 if parts.scheme == "imaps" else 143)
    except ValueError:  # not a number, or past 65535: urlsplit's error, no user's
        port = 0
    if parts.scheme not in ("imap", "imaps") or not parts.hostname or not port:
        raise InputError("--imap takes imaps://user:password@host/folder")
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    where = f"the IMAP server {parts.hostname}:{port}"
    user, password = unquote(parts.username or ""), unquote(parts.password or "")
    try:
        server = (
            imaplib.IMAP4_SSL(parts.hostname, port, ssl_context=ssl.create_default_context())
            if parts.scheme == "imaps"
            else imaplib.IMAP4(parts.hostname, port)
        )
    except ssl.SSLCertVerificationError as exc:
        raise ConflictError(
            f"{where}: its certificate is not trusted ({exc.verify_message}); no password sent"
        ) from None
    except (imaplib.IMAP4.error, OSError) as exc:
        raise ConflictError(f"cannot reach {where}: {exc}") from None
    try:
        try:
            server.login(user, password)
        except imaplib.IMAP4.error as exc:
            said = imap_reply(exc)
            said = said.replace(password, "***") if password else said  # never shown
            raise InputError(f"{where} refused the log-in of {user!r}: {said}") from None
        if server.select(f'"{folder}"')[0] != "OK":
            raise NotFoundError(f"no folder {folder!r} on {where}")
        _, found = server.uid("SEARCH", "UNSEEN")
        for uid in (found[0] or b"").decode().split():
            _, data = server.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((d[1] for d in data if isinstance(d, tuple)), b"")

            def seen(uid: str = uid) -> None:
                server.uid("STORE", uid, "+FLAGS", "(\\Seen)")

            yield Found(f"message uid {uid}", parse(raw), seen)
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            server.logout()


def imap_reply(exc: imaplib.IMAP4.error) -> str:
    """The server's words in an imaplib error (bytes in its arguments)."""
    said = exc.args[0] if exc.args else ""
    return (said.decode("utf-8", "replace") if isinstance(said, bytes) else str(said))[:200]


# --- reading one message -----------------------------------------------------------


def parts_of(message: Message, content_type: str) -> list[Message]:
    return [p for p in message.walk() if p.get_content_type() == content_type]


def original_headers(message: Message) -> Message | None:
    """The headers of the message quoted in a report (message/rfc822 or
    text/rfc822-headers), parsed."""
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822" and part is not message:
            payload = part.get_payload()
            if isinstance(payload, list) and payload:
                inner = payload[0]
                return inner if isinstance(inner, Message) else None
        if kind == "text/rfc822-headers":
            raw = part.get_payload(decode=True)
            if isinstance(raw, bytes):
                return parse(raw)
    return None


def delivery_named(message: Message, extra: Iterable[str] = ()) -> Delivery | None:
    """The delivery a report is about: the VERP address it came back to (or names),
    else the quoted original's Message-ID."""
    candidates = list(extra)
    for name in RECIPIENT_HEADERS:
        candidates += [a for _, a in getaddresses(message.get_all(name, []))]
    original = original_headers(message)
    if original is not None:
        candidates += [a for _, a in getaddresses(original.get_all("return-path", []))]
    for address in candidates:
        number = messages.read_verp(address)
        if number is not None:
            found = Delivery.objects.select_related("subscriber", "issue").filter(pk=number).first()
            if found is not None:
                return found
    if original is not None and original.get("message-id"):
        message_id = str(original.get("message-id")).strip()
        return (
            Delivery.objects.select_related("subscriber", "issue")
            .filter(message_id=message_id)
            .first()
        )
    return None


def feedback_report(message: Message) -> Message | None:
    """The fields of an RFC 5965 report (multipart/report; report-type=feedback-report)."""
    if message.get_content_type() != "multipart/report":
        return None
    if str(message.get_param("report-type", "")).lower() != "feedback-report":
        return None
    for part in parts_of(message, "message/feedback-report"):
        payload = part.get_payload()
        if isinstance(payload, list) and payload and isinstance(payload[0], Message):
            return payload[0]
        if isinstance(payload, str):
            return email.message_from_string(payload, policy=email.policy.compat32)
    return None


def classify(message: Message) -> Verdict:
    report = feedback_report(message)
    if report is not None:
        kind = str(report.get("feedback-type", "")).strip().lower()
        if kind == "not-spam":
            return Verdict("unrecognised", detail="a not-spam report: nothing to do")
        extra = [a for _, a in getaddresses(report.get_all("original-mail-from", []))]
        found = delivery_named(message, extra)
        if found is None:
            return Verdict("unrecognised", detail="a complaint about no message of ours")
        return Verdict(
            "complaint", found.subscriber, found.issue.publication_id, f"complaint ({kind})"
        )
    request = unsubscribe_request(message)
    if request is not None:
        return request
    try:
        temporary, permanent = all_failures(message)
    except Exception as exc:  # a detector that chokes on a malformed message
        return Verdict("unrecognised", detail=f"the bounce parser failed: {type(exc).__name__}")
    if not temporary and not permanent:
        return Verdict("unrecognised", detail="neither a bounce nor a complaint report")
    kind = "hard-bounce" if permanent else "soft-bounce"
    found = delivery_named(message)
    if found is not None:
        return Verdict(kind, found.subscriber, found.issue.publication_id, status_of(message))
    # an address alone is not trusted: anyone can mail a report naming any reader, and a
    # suppression would stop that reader's mail for good. Only our signed return address
    # or a Message-ID of ours (above) ties a bounce to a reader.
    for raw in sorted(permanent or temporary):
        try:
            address = addresses.normalise(raw.decode("ascii", "replace"))
        except InputError:
            continue
        if Subscriber.objects.filter(email=address).exists():
            return Verdict(
                "unrecognised",
                detail="a bounce naming a reader but no message of ours: not trusted, "
                "check it by hand",
            )
    return Verdict("unrecognised", detail="a bounce for no address or delivery of ours")


def status_of(message: Message) -> str:
    """The Status and Diagnostic-Code of a DSN's first recipient block, if any."""
    for part in parts_of(message, "message/delivery-status"):
        blocks = part.get_payload()
        for block in blocks if isinstance(blocks, list) else []:
            if not isinstance(block, Message):
                continue
            # str(): a field with 8-bit bytes comes back as a Header, not a str
            status = " ".join(str(block.get("status", "")).split())
            if status:
                code = " ".join(str(block.get("diagnostic-code", "")).split())
                return f"status {status} {code}".strip()[:200]
    return ""


def unsubscribe_request(message: Message) -> Verdict | None:
    """A message to the List-Unsubscribe mailto: subject "unsubscribe SLUG TOKEN"."""
    found = UNSUBSCRIBE.match(str(message.get("subject", "")))
    if not found:
        return None
    try:
        person = tokens.read_subscriber_token(found.group(2))
    except tokens.LinkRefused:
        return Verdict("unrecognised", detail="an unsubscribe request with a token not ours")
    publication = Publication.objects.filter(slug=found.group(1).lower()).first()
    if publication is None:
        return Verdict("unrecognised", detail="an unsubscribe request for no publication")
    return Verdict("unsubscribe", person, publication.pk, "by mail (List-Unsubscribe)")


# --- acting on it ------------------------------------------------------------------


def apply(verdict: Verdict) -> bool:
    """Update the subscriber; True when an address was newly suppressed."""
    person = verdict.subscriber
    if person is None:
        return False
    publication = (
        Publication.objects.filter(pk=verdict.publication_id).first()
        if verdict.publication_id
        else None
    )
    if verdict.kind == "soft-bounce":
        note_once(person, Kind.DEFERRED, publication, f"delayed: {verdict.detail}")
        return False
    if verdict.kind == "unsubscribe":
        subscription = Subscription.objects.filter(
            subscriber=person, publication=publication
        ).first()
        if subscription is not None:
            subscribing.unsubscribe(subscription, verdict.detail)
        return False
    if verdict.kind == "hard-bounce":  # the address does not exist: for every publication
        note_once(person, Kind.BOUNCED, publication, verdict.detail)
        return subscribing.suppress(person.email, Suppression.Reason.HARD_BOUNCE, verdict.detail)
    # a complaint is about one publication's mail: the others' readers still get theirs;
    # one that names no publication stops them all
    note_once(person, Kind.COMPLAINED, publication, verdict.detail)
    return subscribing.suppress(
        person.email, Suppression.Reason.COMPLAINT, verdict.detail, publication=publication
    )


def note_once(person: Subscriber, kind: str, publication: Publication | None, detail: str) -> None:
    """A line in the history, unless the same one is there: reading a mailbox again
    (an mbox, or a message left unseen) must not write it twice."""
    same = SubscriberEvent.objects.filter(
        subscriber=person, kind=kind, publication=publication, detail=detail[:300]
    )
    if not same.exists():
        subscribing.note(person, kind, publication, detail)


def process(found: Iterable[Found]) -> Report:
    report = Report()
    for item in found:
        try:
            verdict = classify(item.message)
        except DatabaseError:
            raise
        except Exception as exc:  # one malformed message must not stop the others
            # the type only: the exception's text may quote the message (an address)
            log.warning("bounces: %s could not be read: %s", item.where, type(exc).__name__)
            verdict = Verdict("unrecognised", detail=f"could not be read ({type(exc).__name__})")
        report.counts[verdict.kind] = report.counts.get(verdict.kind, 0) + 1
        if verdict.kind == "unrecognised":
            report.unrecognised.append((item.where, verdict.detail))
            continue
        if apply(verdict):
            report.suppressed += 1
        if item.done is not None:
            item.done()
    log.info("bounces: %s", report.line())
    return report

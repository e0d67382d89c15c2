"""Importing a list of subscribers from CSV: the command line's and the desk's service.

The file is read whole and checked before anything is written: not text, not
UTF-8, over NEWSDESK_MAX_IMPORT_BYTES, a header without `email` or with a column
we do not know is an InputError naming the file (`source`) and the line at fault,
and nothing changes. Then each row either goes
in or is reported with its line number and why: not an address, a topic or place
the publication does not have, a bad consent date, a suppressed address (refused),
an address that unsubscribed (never subscribed again by an import), here or
according to the file (an export's `status`, or its `unsubscribed_at` when the file
has no status). A second row for the same address is merged into the first (name,
preferences) and reported.

With `confirmed` the operator asserts the addresses' prior consent (a migrated
list): they are confirmed at once. Without it each new address gets a
confirmation message, as from the form (subscribing.send_confirmation). A row the
file marks `pending` never confirmed: it is asked to confirm even with `confirmed`.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import smtplib

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from newsdesk.mailing import addresses, subscribing
from newsdesk.mailing.models import Subscriber, SubscriberEvent, Subscription, Suppression
from newsdesk.newsroom import people
from newsdesk.newsroom.models import Category, Publication
from newsdesk.pipeline.errors import InputError, TooLargeInputError
from newsdesk.pipeline.text import plural

#: the columns an import reads; an export's other columns are accepted and ignored,
#: so an export imports again
READ = ("email", "name", "preferences", "consent_date")
EXPORTED = (
    "email",
    "name",
    "preferences",
    "status",
    "consent_source",
    "consent_date",
    "created",
    "confirmed_at",
    "unsubscribed_at",
)
#: between topic and place names in the `preferences` column
PREFERENCE_SEPARATOR = ";"
#: a spreadsheet runs a cell starting with these as a formula: an export's such cell
#: gets a leading apostrophe (roster.safe_cell; what someone typed on the public form
#: must not run), which an import takes off again (unguarded)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
Status = Subscription.Status


@dataclasses.dataclass(frozen=True)
class Rejected:
    line: int
    reason: str


@dataclasses.dataclass
class Row:
    line: int
    address: str
    name: str
    categories: list[Category]
    consent_at: dt.datetime | None
    #: pending in the file (an export): asked to confirm even when the import confirms
    ask: bool = False


@dataclasses.dataclass
class ImportReport:
    source: str = ""  # the file's name, as the command line or the upload gave it
    rows: int = 0
    added: int = 0  # new subscriptions
    confirmed: int = 0  # of which confirmed now (--confirmed), pending ones included
    unchanged: int = 0  # subscribed already
    confirmations_sent: int = 0
    confirmations_held: int = 0  # one went out within the hour
    confirmations_failed: int = 0  # the mail server refused or could not be reached
    rejected: list[Rejected] = dataclasses.field(default_factory=list)

    def reject(self, line: int, reason: str) -> None:
        self.rejected.append(Rejected(line, reason))

    def record(self, actor: people.Actor, publication: Publication) -> None:
        """The audit entry of this import, from the desk or the command line alike."""
        counts = {"added": self.added, "confirmed": self.confirmed, "rejected": len(self.rejected)}
        people.record(actor, publication, "subscribers.import", "subscribers", after=counts)


def at(source: str, line: int | None = None) -> str:
    """Where a problem is: "FILE:LINE" (as `issue import` says it), or the file alone."""
    name = source or "the file"
    if line is None:
        return name
    return f"{source}:{line}" if source else f"line {line}"


def check_size(size: int, source: str = "") -> None:
    limit = settings.NEWSDESK_MAX_IMPORT_BYTES
    if size > limit:
        raise TooLargeInputError(
            f"{at(source)} has {size:,} bytes, more than NEWSDESK_MAX_IMPORT_BYTES "
            f"({limit:,}): split it, or raise the limit"
        )


def read_table(data: bytes, source: str = "") -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header (lower-cased) and the rows with their line numbers; InputError naming
    `source` and the line for a file that is not a CSV list of subscribers."""
    check_size(len(data), source)
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise InputError(f"{at(source, line)}: not text (it holds NUL bytes): give a CSV file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"{at(source, line)}: not UTF-8 text (byte 0x{data[exc.start]:02x}, perhaps "
            "saved as Windows-1252 or Latin-1): save it as UTF-8"
        ) from None
    text = text.removeprefix("\ufeff")  # the mark a spreadsheet puts first
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(text))
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        rows = []
        while True:
            line = reader.line_num + 1  # where the row starts (a quoted field may span lines)
            row = next(reader, None)
            if row is None:
                break
            if any(v.strip() for v in row):
                rows.append((line, row))
    except csv.Error as exc:
        raise InputError(f"{at(source, reader.line_num)}: not readable as CSV ({exc})") from None
    if "email" not in header:
        raise InputError(
            f"{at(source, 1)}: the first line must be a header naming an `email` column "
            "(and optionally `name`, `preferences`, `consent_date`); found: "
            f"{', '.join(header)[:200] or 'nothing'}"
        )
    for column, name in enumerate(header):
        if not name and any(column < len(row) and row[column].strip() for _, row in rows):
            raise InputError(
                f"{at(source, 1)}: column {column + 1} has no name in the header but holds "
                f"values: name it (known: {', '.join(EXPORTED)}) or delete it"
            )
    named = [h for h in header if h]  # an empty column a spreadsheet added is left aside
    unknown = [h for h in named if h not in EXPORTED]
    if unknown or len(set(named)) != len(named):
        raise InputError(
            f"{at(source, 1)}: unknown or repeated columns in the header: "
            f"{', '.join(unknown or header)[:200]}; known: {', '.join(EXPORTED)}"
        )
    return header, rows


def delimiter_of(text: str) -> str:
    """What separates the fields: a comma, else the semicolon or tab the header line
    has (spreadsheets write ";" where the comma is the decimal mark)."""
    header = text.split("\n", 1)[0]
    return next((d for d in (",", ";", "\t") if d in header), ",")


def read_rows(publication: Publication, data: bytes, report: ImportReport) -> list[Row]:
    """Each row checked; the bad ones reported, duplicates merged into the first."""
    header, table = read_table(data, report.source)
    names = {c.name.casefold(): c for c in Category.objects.filter(publication=publication)}
    rows: dict[str, Row] = {}
    for line, values in table:
        report.rows += 1
        if len(values) != len(header):
            given = plural(len(values), "field")
            report.reject(line, f"{given} where the header has {len(header)}")
            continue
        fields = dict(zip(header, (unguarded(v.strip()).strip() for v in values), strict=True))
        try:
            row = read_row(line, fields, names)
        except InputError as exc:
            report.reject(line, str(exc))
            continue
        first = rows.get(row.address)
        if first is None:
            rows[row.address] = row
            continue
        first.name = first.name or row.name
        first.categories += [c for c in row.categories if c not in first.categories]
        first.ask = first.ask or row.ask
        report.reject(line, f"the same address as line {first.line}: merged into it")
    return list(rows.values())


def unguarded(value: str) -> str:
    """The cell without the apostrophe an export put before a formula's first character
    (`'` may start an address's local part, so only there is it taken off)."""
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def read_row(line: int, fields: dict[str, str], names: dict[str, Category]) -> Row:
    try:
        address = addresses.normalise(fields["email"])
    except InputError:
        raise InputError("not a valid email address") from None
    address = addresses.for_the_list(address)  # or why the list refuses its domain
    ask = listed_status(fields) == Status.PENDING
    categories = []
    for name in filter(None, (n.strip() for n in fields.get("preferences", "").split(";"))):
        found = names.get(name.casefold())
        if found is None:
            raise InputError(f"no topic or place named {name[:80]!r} in this publication")
        categories.append(found)
    name = subscribing.clean_name(fields.get("name", ""))
    return Row(line, address, name, categories, consent(fields), ask)


def listed_status(fields: dict[str, str]) -> str:
    """The subscription's status the file gives (an export's `status`), "" for none;
    InputError for a row that unsubscribed or a status an export never writes."""
    status = fields.get("status", "")
    ended = fields.get("unsubscribed_at", "")
    if status == Status.UNSUBSCRIBED or (not status and ended):
        try:
            day = f" on {dt.datetime.fromisoformat(ended):%Y-%m-%d}" if ended else ""
        except ValueError:
            day = ""
        raise InputError(f"unsubscribed{day}, says the file: not subscribed again by an import")
    if status and status not in Status.values:
        raise InputError(f"status {status[:40]!r} is not one of {', '.join(Status.values)}")
    return status


def consent(fields: dict[str, str]) -> dt.datetime | None:
    raw = fields.get("consent_date", "")
    if not raw:
        return None
    try:
        when = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise InputError(f"consent_date {raw[:40]!r} is not a date like 2026-03-01") from None
    when = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    if when > timezone.now():
        raise InputError(f"consent_date {raw[:40]!r} is in the future")
    return when


def import_subscribers(
    publication: Publication,
    data: bytes,
    *,
    confirmed: bool,
    base_url: str = "",
    now: dt.datetime | None = None,
    source: str = "",
) -> ImportReport:
    """Import a CSV file of subscribers to the publication (see the module's text).
    `base_url` starts the confirmation links: needed without `confirmed`, and with it
    when the file has pending rows (InputError before anything changes). `source`, the
    file's name, is in every error and in the report."""
    now = now or timezone.now()
    if not confirmed and not base_url:
        raise InputError("an import without --confirmed mails confirmation links: give base_url")
    report = ImportReport(source=source)
    rows = refuse_stopped(publication, read_rows(publication, data, report), report)
    pending = [r.line for r in rows if r.ask]
    if not base_url and pending:
        raise InputError(
            f"{at(source, min(pending))}: the file has pending rows (this is the first), "
            "asked to confirm by mail: mailed links need NEWSDESK_APP_URL "
            "(or NEWSDESK_SITE_URL)"
        )
    asking: list[Subscriber] = []
    with transaction.atomic():
        for row in rows:
            subscriber = import_row(
                publication, row, confirmed=confirmed and not row.ask, now=now, report=report
            )
            if subscriber is not None:
                asking.append(subscriber)
    if asking:
        try:
            with get_connection() as connection:  # one SMTP session for all of them
                for subscriber in asking:
                    sent = subscribing.send_confirmation(
                        subscriber, publication, base_url, now=now, connection=connection
                    )
                    report.confirmations_sent += sent
                    report.confirmations_held += not sent
        except (smtplib.SMTPException, OSError):  # the rows are stored: count what was not sent
            handled = report.confirmations_sent + report.confirmations_held
            report.confirmations_failed = len(asking) - handled
    report.rejected.sort(key=lambda r: r.line)
    return report


def refuse_stopped(publication: Publication, rows: list[Row], report: ImportReport) -> list[Row]:
    """The rows left once addresses suppressed for the publication (by a suppression
    of every publication or of this one) and unsubscribed ones are refused."""
    hashes = {addresses.address_hash(r.address): r for r in rows}
    found = (
        Suppression.objects.covering(publication.pk)
        .filter(address_hash__in=list(hashes))
        .order_by(F("publication_id").asc(nulls_last=True))  # one of every publication wins
    )
    suppressed = {
        digest: reason if scope is None else f"{reason}, for this publication"
        for digest, reason, scope in found.values_list("address_hash", "reason", "publication")
    }
    left = []
    for digest, row in hashes.items():
        if digest in suppressed:
            report.reject(row.line, f"suppressed ({suppressed[digest]}): refused")
        else:
            left.append(row)
    gone = dict(
        Subscription.objects.filter(
            publication=publication,
            status=Status.UNSUBSCRIBED,
            subscriber__email__in=[r.address for r in left],
        ).values_list("subscriber__email", "unsubscribed_at")
    )
    for row in left:
        if row.address in gone:
            when = gone[row.address]
            day = f" on {when:%Y-%m-%d}" if when else ""
            report.reject(row.line, f"unsubscribed{day}: not subscribed again by an import")
    return [r for r in left if r.address not in gone]


def import_row(
    publication: Publication, row: Row, *, confirmed: bool, now: dt.datetime, report: ImportReport
) -> Subscriber | None:
    """Add or confirm one row's subscription; the subscriber when it awaits confirmation."""
    source = Subscriber.Source.IMPORT_CONFIRMED if confirmed else Subscriber.Source.IMPORT
    subscriber, made = subscribing.find_or_add(row.address, row.name, source)
    if not made and row.name and not subscriber.name:
        subscriber.name = row.name
        subscriber.save(update_fields=["name"])
    subscription, new = Subscription.objects.get_or_create(
        subscriber=subscriber, publication=publication
    )
    if not new:  # read again, locked: an unsubscribe meanwhile is never undone by an import
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.status == Status.UNSUBSCRIBED:
        report.reject(row.line, "unsubscribed: not subscribed again by an import")
        return None
    if new:
        report.added += 1
        subscription.categories.set(row.categories)
        detail = "prior consent asserted" if confirmed else "confirmation to be asked"
        subscribing.note(subscriber, SubscriberEvent.Kind.IMPORTED, publication, detail, now)
    elif subscription.status == Status.CONFIRMED:
        report.unchanged += 1
        return None
    if not confirmed:
        return subscriber
    report.confirmed += 1
    subscription.status = Status.CONFIRMED
    subscription.confirmed_at = now
    subscription.save(update_fields=["status", "confirmed_at"])
    subscribing.note(subscriber, SubscriberEvent.Kind.CONFIRMED, publication, "by the import", now)
    subscriber.confirmed_at = subscriber.confirmed_at or now
    subscriber.consent_at = subscriber.consent_at or row.consent_at or now
    subscriber.unsubscribed_at = None
    subscriber.save(update_fields=["confirmed_at", "consent_at", "unsubscribed_at"])
    return None

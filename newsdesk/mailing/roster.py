"""A publication's subscribers: searched, listed, counted for the desk's Publish
(`reach`) and exported as CSV."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from typing import TextIO

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from newsdesk.mailing.imports import EXPORTED, FORMULA_START, PREFERENCE_SEPARATOR
from newsdesk.mailing.models import Subscription, Suppression
from newsdesk.newsroom.audience import Reach
from newsdesk.newsroom.models import Category, Issue, ItemCategory, Publication


def subscriptions(publication: Publication, search: str = "") -> QuerySet[Subscription]:
    """The publication's subscriptions, by address; `search` in the address or name.
    Each has `suppressed`: its address is suppressed for the publication."""
    found = Subscription.objects.filter(publication=publication).annotate(
        suppressed=Exists(
            Suppression.objects.covering(publication.pk).filter(
                address_hash=OuterRef("subscriber__address_hash")
            )
        )
    )
    text = search.strip()
    if text:
        found = found.filter(
            Q(subscriber__email__icontains=text) | Q(subscriber__name__icontains=text)
        )
    return (
        found.select_related("subscriber")
        .prefetch_related(
            Prefetch("categories", queryset=Category.objects.order_by("kind", "name"))
        )
        .order_by("subscriber__email")
    )


def reach(issue: Issue) -> Reach:
    """Who the issue, published now, is mailed to: the confirmed readers of its
    publication whose address is not suppressed for it (`recipients`) and who chose no
    topic or place, or one the issue's items carry (the sender skips the others, whose
    copy would be empty: `messages.personalised`, by name as there); and whether a mail
    server is set, without which no issue is mailed (`delivery.issues_to_mail`)."""
    carried = ItemCategory.objects.filter(item__issue=issue).values("category__name")
    chose = Subscription.categories.through.objects.filter(subscription_id=OuterRef("pk"))
    readers = Subscription.objects.recipients(issue.publication).annotate(
        chose=Exists(chose), wants=Exists(chose.filter(category__name__in=carried))
    )
    counts = readers.aggregate(
        everyone=Count("pk"), passed_over=Count("pk", filter=Q(chose=True, wants=False))
    )
    return Reach(
        readers=counts["everyone"] - counts["passed_over"],
        mail_server=bool(settings.EMAIL_HOST),
        passed_over=counts["passed_over"],
    )


def preferences(subscription: Subscription) -> str:
    return PREFERENCE_SEPARATOR.join(c.name for c in subscription.categories.all())


def _when(value: dt.datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else ""


def safe_cell(value: str) -> str:
    """The value, or a leading apostrophe and the value (imports.unguarded takes it off)."""
    return f"'{value}" if value.startswith(FORMULA_START) else value


def export_rows(publication: Publication) -> Iterator[list[str]]:
    yield list(EXPORTED)
    for s in subscriptions(publication).iterator(chunk_size=500):
        person = s.subscriber
        yield [
            safe_cell(v)
            for v in (
                person.email,
                person.name,
                preferences(s),
                s.status,
                person.consent_source,
                _when(person.consent_at),
                _when(s.created),
                _when(s.confirmed_at),
                _when(s.unsubscribed_at),
            )
        ]


#: UTF-8's byte order mark, as text: Excel on Windows reads a CSV file without it in
#: the system's code page ("Zoë" shows as "ZoÃ«"); the import reads past it
BOM = "\ufeff"


def write_csv(publication: Publication, out: TextIO, *, bom: bool = False) -> int:
    """Write the export to `out`, after the byte order mark with `bom` (a file for a
    spreadsheet); the number of subscribers written."""
    if bom:
        out.write(BOM)
    writer = csv.writer(out, lineterminator="\n")
    count = -1
    for count, row in enumerate(export_rows(publication)):  # noqa: B007
        writer.writerow(row)
    return max(count, 0)

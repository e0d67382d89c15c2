"""A publication's sources on the desk: their health, and what an admin changes.

Health comes from stored state (the poll's last outcome, kept on each source) and
from one aggregate query over the articles of the last weeks, whatever the number
of sources. Every change goes through the ingest layer's own checks
(`ingest/sources.py`, `ingest/manual.py`) and is written to the audit log in the
same transaction. The desk adds public feeds only: a source at an internal
address is refused here, and only an operator may add one, from the command line;
a desk edit of such a source's URL takes the operator's allowance away.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from newsdesk.ingest import manual
from newsdesk.ingest.models import Article, Source
from newsdesk.ingest.sources import (
    ImportResult,
    add_source,
    check_public_host,
    checked_source,
    checked_weight,
    import_opml,
    redate_articles,
    source_time_zone,
)
from newsdesk.ingest.store import Stored
from newsdesk.newsroom.models import Publication
from newsdesk.newsroom.people import AnyUser, record
from newsdesk.pipeline.errors import ConflictError, InputError, NotFoundError
from newsdesk.pipeline.intake.sanitize import read_fragment

#: the weeks whose article counts the sources page shows
HEALTH_WEEKS = 4


@dataclass(frozen=True)
class SourceHealth:
    source: Source
    weekly: tuple[int, ...]  # articles fetched in each of the last weeks, newest first

    @property
    def per_week(self) -> float:
        return sum(self.weekly) / len(self.weekly)

    @property
    def state(self) -> str:
        source = self.source
        if not source.enabled:
            return "disabled"
        if source.consecutive_failures:
            return "failing"
        return "ok" if source.last_polled else "not polled yet"


def health(publication: Publication, now: dt.datetime | None = None) -> list[SourceHealth]:
    """Every source of the publication with its weekly article counts: two queries."""
    now = now or timezone.now()
    week = dt.timedelta(days=7)
    bounds = [(now - (k + 1) * week, now - k * week) for k in range(HEALTH_WEEKS)]
    counts = {
        row["source_id"]: row
        for row in Article.objects.filter(
            source__publication=publication, fetched__gte=bounds[-1][0], fetched__lt=now
        )
        .values("source_id")
        .annotate(
            **{
                f"w{k}": Count("id", filter=Q(fetched__gte=start, fetched__lt=end))
                for k, (start, end) in enumerate(bounds)
            }
        )
    }
    return [
        SourceHealth(
            source,
            tuple(int(counts.get(source.pk, {}).get(f"w{k}", 0)) for k in range(HEALTH_WEEKS)),
        )
        for source in Source.objects.filter(publication=publication)
    ]


def _fields(source: Source) -> dict[str, Any]:
    return {
        "url": source.url,
        "outlet": source.outlet,
        "weight": source.weight,
        "language": source.language,
        "time_zone": source.time_zone,
        "enabled": source.enabled,
        "allow_internal": source.allow_internal,
    }


class Edited(NamedTuple):
    source: Source
    #: stored articles a new time zone gave another day's offset
    redated: int


def source_of(publication: Publication, source_id: int, *, lock: bool = False) -> Source:
    """The publication's source #source_id; `lock` holds its row until the transaction
    ends, so two edits of one source run one after the other. FOR UPDATE, not FOR NO
    KEY UPDATE: it must also wait for an ingest batch, which holds its sources FOR KEY
    SHARE while it dates and stores their articles (`ingest/store._time_zones`)."""
    chosen = Source.objects.select_for_update() if lock else Source.objects
    found = chosen.filter(publication=publication, pk=source_id).first()
    if found is None:
        raise NotFoundError(f"{publication.name} has no source #{source_id}")
    return found


def add(
    publication: Publication,
    user: AnyUser,
    url: str,
    outlet: str = "",
    weight: str | float = 1.0,
    language: str = "",
    time_zone: str = "",
) -> Source:
    """A new public feed for the publication; ConflictError when it has the URL already."""
    with transaction.atomic():
        source, made = add_source(
            url,
            outlet=outlet,
            publication=publication,
            weight=checked_weight(weight),
            language=language.strip(),
            time_zone=time_zone,
            public_only=True,
        )
        if not made:
            raise ConflictError(f"{publication.name} has {source.url} already, as {source.outlet}")
        record(user, publication, "source-add", "source", source.pk, {}, _fields(source))
    return source


def edit(
    publication: Publication,
    user: AnyUser,
    source_id: int,
    *,
    url: str,
    outlet: str,
    weight: str | float,
    language: str,
    enabled: bool,
    time_zone: str | None = None,
) -> Edited:
    """Change a source; a new URL is checked as a new source's is. Its row is locked:
    another edit waits, then re-dates from the zone this one left."""
    with transaction.atomic():
        source = source_of(publication, source_id, lock=True)
        before = _fields(source)
        new_url, new_outlet = checked_source(url, outlet)
        if new_url != source.url:
            check_public_host(new_url)
            if Source.objects.filter(publication=publication, url=new_url).exists():
                raise ConflictError(f"{publication.name} has another source at {new_url}")
            # a new address starts afresh: no cached validators, no failures of the old one
            source.etag = source.last_modified = source.last_error = source.last_error_kind = ""
            source.consecutive_failures = 0
            source.next_poll = None
            # the operator let the old address through, not whatever the desk types next
            source.allow_internal = False
        language = language.strip()
        limit = Source._meta.get_field("language").max_length or 0
        if len(language) > limit:
            raise InputError(f"language {language[:40]!r} is longer than {limit} characters")
        source.url, source.outlet, source.weight = new_url, new_outlet, checked_weight(weight)
        source.language, source.enabled = language, enabled
        if time_zone is not None:
            source.time_zone = source_time_zone(time_zone)
        source.save()
        redated = 0
        if source.time_zone != before["time_zone"]:
            redated = redate_articles(source, before["time_zone"])
        after = _fields(source)
        changed = {k for k in after if after[k] != before[k]}
        if changed:
            # the stored dates a new time zone moved are part of what the edit did
            moved = {"articles_redated": redated} if redated else {}
            record(
                user,
                publication,
                "source-edit",
                "source",
                source.pk,
                {k: before[k] for k in changed},
                {**{k: after[k] for k in changed}, **moved},
            )
    return Edited(source, redated)


def set_enabled(publication: Publication, user: AnyUser, source_id: int, enabled: bool) -> Source:
    """Polling on or off: a disabled source keeps its articles and is never polled."""
    with transaction.atomic():
        source = source_of(publication, source_id, lock=True)
        if source.enabled != enabled:
            source.enabled = enabled
            if enabled:
                source.next_poll = None  # due at the next run
            source.save(update_fields=["enabled", "next_poll"])
            record(
                user,
                publication,
                "source-enable" if enabled else "source-disable",
                "source",
                source.pk,
                {"enabled": not enabled},
                {"enabled": enabled},
            )
    return source


def import_list(publication: Publication, user: AnyUser, content: bytes) -> ImportResult:
    """An OPML file's feeds, the public ones, each checked as a single source is."""
    with transaction.atomic():
        result = import_opml(content, publication, public_only=True)
        record(
            user,
            publication,
            "source-import",
            "publication",
            publication.pk,
            {},
            {"created": result.created, "existing": result.existing, "skipped": result.skipped},
        )
    return result


@dataclass(frozen=True)
class Clip:
    """What an editor brings by hand: typed into the paste form, or sent by the bookmarklet."""

    url: str
    title: str
    outlet: str
    date: str
    text: str = ""
    html: str = ""  # the page's HTML or the selection's, sanitized to text here


CLIP_FIELDS = ("url", "title", "outlet", "date", "text", "html")


def clip_of(data: Mapping[str, str]) -> Clip:
    return Clip(
        url=data.get("url", "").strip(),
        title=data.get("title", ""),
        outlet=data.get("outlet", ""),
        date=data.get("date", "").strip(),
        text=data.get("text", ""),
        html=data.get("html", ""),
    )


def clip_text(clip: Clip) -> str:
    """The clip's text: as given, or read off its HTML after nh3 has cleaned it."""
    if clip.text.strip() or not clip.html.strip():
        return clip.text
    manual.check_article_size(clip.html, "the page's HTML")
    return read_fragment(clip.html).text


def add_article(publication: Publication, user: AnyUser, clip: Clip, how: str) -> Stored:
    """Store a pasted article as `newsdesk add --paste` does, and audit it."""
    with transaction.atomic():
        stored = manual.add_pasted(
            title=clip.title, outlet=clip.outlet, date=clip.date, url=clip.url, text=clip_text(clip)
        )
        article = stored.article
        record(
            user,
            publication,
            f"article-{how}",
            "article",
            article.pk,
            {},
            {"url": article.url, "title": article.title, "outlet": article.outlet},
        )
    return stored

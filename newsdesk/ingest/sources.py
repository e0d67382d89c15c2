"""Managing sources: add, import from OPML, export to OPML.

A source may belong to a publication (Source.publication refers to
"newsroom.Publication" by its label): the caller passes the publication in,
so this layer never imports the newsroom above it.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.db.models import Model
from django.utils import timezone

from newsdesk.ingest.models import Article, Source
from newsdesk.ingest.rows import lock_rows
from newsdesk.pipeline.errors import BlockedURLError, InputError
from newsdesk.pipeline.intake.dates import checked_time_zone, offset_in_zone
from newsdesk.pipeline.intake.fetch import is_internal_address
from newsdesk.pipeline.intake.opml import OPMLSource, read_opml, write_opml
from newsdesk.pipeline.intake.urls import check_scheme
from newsdesk.pipeline.text import plain_line

_DEFAULT_PORTS = {"http": 80, "https": 443}
#: ids an UPDATE of `redate_articles` names (older SQLite builds take 999 parameters at most)
_REDATE_BATCH = 500


@dataclass(frozen=True)
class ImportResult:
    created: int
    existing: int
    skipped: list[str]


def add_source(
    url: str,
    *,
    outlet: str,
    publication: Model | None = None,
    weight: float = 1.0,
    language: str = "",
    time_zone: str = "",
    allow_internal: bool = False,
    public_only: bool = False,
) -> tuple[Source, bool]:
    """The source of a feed URL, created unless the publication has it already; the URL and
    outlet are checked as `checked_source` does, however the source arrives. With
    `public_only` (the desk), a host that names an internal address is refused here."""
    url, outlet = checked_source(url, outlet)
    weight = checked_weight(weight)
    if public_only:
        check_public_host(url)
    if len(language) > (limit := Source._meta.get_field("language").max_length or 0):
        raise InputError(f"language {language[:40]!r} is longer than {limit} characters")
    time_zone = source_time_zone(time_zone)
    return Source.objects.get_or_create(
        publication=publication,
        url=url,
        defaults={
            "outlet": outlet,
            "weight": weight,
            "language": language,
            "time_zone": time_zone,
            "allow_internal": allow_internal,
        },
    )


def checked_weight(value: str | float) -> float:
    """An outlet's weight for ranking, above 0 and at most 10, however it arrives (the
    desk's form, `source add --weight`): NaN or infinity would reach the ranking."""
    try:
        weight = float(value)
    except (TypeError, ValueError):
        raise InputError(f"weight must be a number, not {str(value)[:40]!r}") from None
    if not 0 < weight <= 10:
        raise InputError(f"weight must be above 0 and at most 10, not {weight:g}")
    return weight


def source_time_zone(name: str) -> str:
    """A source's time zone as typed, checked; InputError for a name that is not one."""
    try:
        return checked_time_zone(name)
    except ValueError as exc:
        raise InputError(f"time zone {exc}") from None


def redate_articles(source: Source, old_zone: str) -> int:
    """Give a source's stored articles the day its new time zone names; how many changed.

    Only times the zone stands in for change: those stored in UTC or without an
    offset, and those the old zone gave (a feed that declared exactly the old zone's
    offset itself cannot be told apart from them). A bare date keeps its day.
    The rows are read as tuples and written an UPDATE per new offset and batch of
    ids: a busy source has years of articles, re-dated inside the desk's request."""
    moved: dict[int, int | None] = {}  # article id -> its new offset
    dated = Article.objects.filter(source=source, published__isnull=False)
    rows = dated.values_list("id", "published", "published_offset")
    for pk, moment, offset in rows.iterator(chunk_size=2000):
        given_by_old = bool(old_zone) and offset == offset_in_zone(moment, 0, old_zone)
        if offset and not given_by_old:
            continue  # the feed's or page's own word
        new = offset_in_zone(moment, None if offset is None else 0, source.time_zone)
        if (new or 0) != (offset or 0):  # no offset is UTC: a zone at UTC then moves nothing
            moved[pk] = new
    ids = sorted(moved)
    for start in range(0, len(ids), _REDATE_BATCH):
        batch = ids[start : start + _REDATE_BATCH]
        lock_rows(Article, batch)  # in id order, as every writer of many articles
        by_offset: dict[int | None, list[int]] = defaultdict(list)
        for pk in batch:
            by_offset[moved[pk]].append(pk)
        for new, same in by_offset.items():
            Article.objects.filter(pk__in=same).update(published_offset=new)
    return len(ids)


def source_url(url: str) -> str:
    """A feed URL in the one spelling that identifies its source; InputError for a URL
    that is not http(s) or is longer than the source's column.

    Only what never changes the feed a server sends: scheme and host lower-cased, the
    default port dropped, the fragment dropped (never sent). Path and query stay as
    given: unlike an article link (`canonicalize`), a feed URL may need its query
    parameters, even ones that look like tracking, and its path's case.
    """
    check_scheme(url)
    parts = urlsplit(url.strip())
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None and parts.port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{parts.port}"
    if parts.username is not None or parts.password is not None:
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = f"{userinfo}@{netloc}"
    url = urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
    url_limit = Source._meta.get_field("url").max_length or 0
    if len(url) > url_limit:
        raise InputError(
            f"URL of {len(url)} characters, longer than the {url_limit} a source may have; "
            "use the feed's shorter address"
        )
    return url


def check_public_host(url: str) -> None:
    """BlockedURLError for a URL whose host is localhost or an internal IP address.

    Only what the URL itself says is checked: a name that resolves to an internal
    address is refused by the fetcher at every poll (a lookup now could change)."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    address = literal_address(host)
    if address is not None:
        internal = is_internal_address(address)
    else:  # a name, not an address
        internal = host == "localhost" or host.endswith(".localhost")
    if internal:
        raise BlockedURLError(
            f"{host} is an internal address; only an operator may add it, with "
            "`newsdesk source add --allow-internal`"
        )


def literal_address(host: str) -> str | None:
    """The IP address a host spells out, in any form the system's resolver reads as one
    without a lookup (2130706433, 0177.0.0.1, 0x7f.1 and 127.1 are all 127.0.0.1);
    None for a name."""
    try:
        return str(ipaddress.ip_address(host.split("%", 1)[0]))  # without an IPv6 zone
    except ValueError:
        pass
    try:
        return socket.inet_ntoa(socket.inet_aton(host))
    except (OSError, ValueError):  # not an address; ValueError: a NUL in it
        return None


def checked_source(url: str, outlet: str) -> tuple[str, str]:
    """A source's URL in its identifying spelling (`source_url`), and its outlet (the
    URL's host when none is given), on one line without control characters (the
    command line lists it); InputError for an outlet longer than its column."""
    url = source_url(url)
    outlet = plain_line(outlet) or (urlsplit(url).hostname or url)
    outlet_limit = Source._meta.get_field("outlet").max_length or 0
    if len(outlet) > outlet_limit:
        raise InputError(
            f"outlet name of {len(outlet)} characters, longer than the {outlet_limit} "
            "allowed; give a shorter name"
        )
    return url, outlet


def import_opml(
    content: bytes,
    publication: Model | None = None,
    *,
    allow_internal: bool = False,
    public_only: bool = False,
) -> ImportResult:
    created = existing = 0
    skipped: list[str] = []
    entries: list[OPMLSource] = read_opml(content)
    for entry in entries:
        try:
            _, made = add_source(
                entry.url,
                outlet=entry.title,
                publication=publication,
                language=entry.language,
                time_zone=entry.time_zone,
                allow_internal=allow_internal,
                public_only=public_only,
            )
        except InputError as exc:
            shown = entry.url if len(entry.url) <= 200 else f"{entry.url[:200]}..."
            skipped.append(f"{shown}: {exc}")
            continue
        created += made
        existing += not made
    return ImportResult(created, existing, skipped)


def export_opml(publication: Model | None = None) -> bytes:
    """Every source, or the publication's; the file's title names the publication."""
    sources = Source.objects.all()
    if publication is not None:
        sources = sources.filter(publication_id=publication.pk)
    return write_opml(
        [
            OPMLSource(url=s.url, title=s.outlet, language=s.language, time_zone=s.time_zone)
            for s in sources
        ],
        title=f"newsdesk sources{f' of {publication}' if publication else ''}",
    )


def source_for_target(target: str, publication: Model | None = None) -> Source:
    """The source of a feed named on the command line: a file, or an http(s) URL.

    A file is read for this run only: its source is stored disabled, so a scheduled
    `newsdesk ingest` never polls it again. A source without an outlet yet takes the
    feed's title when the run reads it.
    """
    path = Path(target)
    if target.lower().startswith(("http://", "https://")):
        url, enabled = source_url(target), True
    elif path.is_dir():
        raise InputError(f"{target} is a directory, not a feed; name a feed file or URL")
    elif path.exists():
        url, enabled = path.resolve().as_uri(), False
        limit = Source._meta.get_field("url").max_length or 0
        if len(url) > limit:
            raise InputError(f"{target}: a path longer than {limit} characters; move the file")
    else:
        raise InputError(f"{target} is neither a file nor an http(s) URL")
    source, _ = Source.objects.get_or_create(
        publication_id=publication.pk if publication else None,
        url=url,
        defaults={"outlet": "", "enabled": enabled},
    )
    return source


def due_sources(
    publication: Model | None = None, *, every: bool = False, now: dt.datetime | None = None
) -> list[Source]:
    """Enabled sources (of the publication) due for a poll, or all of them with `every`.

    Due is computed from stored state (next_poll), so any process can decide it."""
    # file:// sources are read only when named: those stored enabled by older versions too
    due = Source.objects.filter(enabled=True).exclude(url__startswith="file:")
    if publication is not None:
        due = due.filter(publication_id=publication.pk)
    if not every:
        now = now or timezone.now()
        due = due.filter(next_poll__isnull=True) | due.filter(next_poll__lte=now)
    return list(due.distinct())

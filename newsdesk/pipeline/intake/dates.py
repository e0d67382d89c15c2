"""Publication times as the outlet declared them.

An attribution carries the day the outlet published on, in the outlet's own time:
a Taipei paper's 07:30 (+08:00) article of December 5 is December 4 in UTC. So a
time is kept with the UTC offset it was declared with (an aware datetime in that
offset); a time declared without one, or a bare date, is taken as UTC.

Both feed parsers hand over times already moved to UTC (feedparser's
``*_parsed``, fastfeedparser's ISO strings), so the offsets are read again from
the feed's own date elements (`declared_zones`) and matched by instant.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime

__all__ = [
    "declared_zones",
    "in_declared_zone",
    "iso_datetime",
    "offset_minutes",
    "outlet_time",
    "parse_datetime",
    "struct_datetime",
]

_LONG_FRACTION = re.compile(r"(\.\d{6})\d+")
#: a feed's date elements: RSS pubDate, Atom published/updated, dc: and dcterms: dates;
#: possessive throughout (the text is stripped after), so hostile markup cannot make
#: it backtrack: its time stays linear in the document; in any letter case, as both
#: parsers read the names (<pubdate>, <dc:Date>)
_DATE_ELEMENT = re.compile(
    rb"<((?:[\w.-]++:)?+(?:pubDate|published|updated|issued|modified|created|date))\b[^<>]*+>"
    rb"\s*+(?:<!\[CDATA\[)?+([^<\]]{6,80}+)\s*+(?:\]\]>)?+\s*+</\1\s*>",
    re.IGNORECASE,
)
_UTC_ENDINGS = (b"+0000", b"GMT", b"UT", b"UTC", b"Z", b"+00:00")
#: offsets beyond a day are not offsets (datetime refuses them too)
_MAX_OFFSET = timedelta(hours=23, minutes=59)


def iso_datetime(value: object) -> datetime | None:
    """An ISO 8601 timestamp in its declared offset (UTC when it declares none),
    to the second; None for what cannot be read."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        # Python 3.11 takes at most six digits of a second's fraction
        try:
            parsed = datetime.fromisoformat(_LONG_FRACTION.sub(r"\1", text))
        except ValueError:
            return None
    return _aware(parsed.replace(microsecond=0))


def parse_datetime(value: str) -> datetime | None:
    """An ISO-8601-ish timestamp of a page or a form, in its declared offset; a date
    alone means midnight UTC. None for what cannot be read, a day that does not exist
    ("2026-13-17") included."""
    value = re.sub(r"Z$", "+00:00", value.strip())
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        match = re.match(r"(\d{4}-\d{2}-\d{2})", value)
        if not match:
            return None
        try:
            parsed = datetime.fromisoformat(match.group(1))
        except ValueError:  # a day that does not exist
            return None
    return _aware(parsed)


def struct_datetime(value: object) -> datetime | None:
    """feedparser's UTC ``*_parsed`` tuple as an aware UTC datetime."""
    if not isinstance(value, time.struct_time | tuple) or len(value) < 6:
        return None
    try:
        year, month, day, hour, minute, second = (int(part) for part in value[:6])
        return datetime(year, month, day, hour, minute, min(second, 59), tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def declared_zones(content: bytes) -> dict[datetime, tzinfo]:
    """The offsets a feed's date elements declare, keyed by the UTC instant they name.

    A feed whose first date is in UTC is taken to write them all so (most feeds do),
    which spares reading the whole document again (docs/decisions.md)."""
    zones: dict[datetime, tzinfo] = {}
    first = _DATE_ELEMENT.search(content)
    if first is None or first.group(2).strip().endswith(_UTC_ENDINGS):
        return zones
    declared = {m.group(2).strip() for m in _DATE_ELEMENT.finditer(content, first.start())}
    for raw in declared:
        if raw.endswith(_UTC_ENDINGS):
            continue  # most feeds write UTC: nothing to learn, no parse to pay
        moment = _feed_date(raw.decode("latin-1"))
        if moment is not None and moment.utcoffset():
            zones.setdefault(moment.astimezone(UTC), moment.tzinfo or UTC)
    return zones


def in_declared_zone(moment: datetime | None, zones: Mapping[datetime, tzinfo]) -> datetime | None:
    """A UTC time moved to the offset the feed declared it with, if one is known."""
    if moment is None or moment.utcoffset() or not zones:
        return moment
    zone = zones.get(moment.astimezone(UTC))
    return moment.astimezone(zone) if zone is not None else moment


def offset_minutes(moment: datetime | None) -> int | None:
    """The UTC offset a time was declared with, in minutes (None without a time)."""
    if moment is None:
        return None
    offset = moment.utcoffset()
    return int(offset.total_seconds() // 60) if offset else 0


def outlet_time(moment: datetime | None, minutes: int | None) -> datetime | None:
    """A stored (UTC) time back in the offset it was declared with; UTC when none was."""
    if moment is None:
        return None
    if not minutes or abs(minutes) >= 24 * 60:
        return moment.astimezone(UTC)
    return moment.astimezone(timezone(timedelta(minutes=minutes)))


def _feed_date(text: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(text)  # RFC 822, as RSS writes it
    except (TypeError, ValueError, IndexError):
        return iso_datetime(text)
    return _aware(parsed.replace(microsecond=0))


def _aware(moment: datetime) -> datetime | None:
    """A parsed time with a usable offset: naive means UTC; None when the offset is out
    of range or moving it to UTC leaves the calendar (year 1 or 9999)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    offset = moment.utcoffset()
    if offset is None or abs(offset) > _MAX_OFFSET:
        return None
    try:
        moment.astimezone(UTC)
    except OverflowError:
        return None
    if not offset:
        return moment.replace(tzinfo=UTC)
    return moment.replace(tzinfo=timezone(offset))

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
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

__all__ = [
    "DeclaredZones",
    "checked_time_zone",
    "declared_zones",
    "english_date",
    "english_dates",
    "in_declared_zone",
    "iso_datetime",
    "numeric_offsets",
    "offset_in_zone",
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
_RFC_COLON_OFFSET = re.compile(r"(\d:\d\d\s+[+-]\d\d):(\d\d)$")
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


@dataclass(frozen=True)
class DeclaredZones:
    """What a feed's date elements declare."""

    #: the offsets, keyed by the UTC instant their dates name
    offsets: dict[datetime, tzinfo] = field(default_factory=dict)
    #: an RFC 822 date with a colon in its offset ("07:30:00 +08:00"), which
    #: fastfeedparser reads as a UTC clock time: feedparser must read the feed
    colon_offset: bool = False
    #: a date that names its zone ("10:00:00 MEZ"): see numeric_offsets
    zone_name: bool = False


def declared_zones(content: bytes) -> DeclaredZones:
    """The offsets a feed's date elements declare: every element is read, since a feed
    may write UTC for some entries and its own offset for others (docs/decisions.md)."""
    offsets: dict[datetime, tzinfo] = {}
    colon_offset = zone_name = False
    declared = {m.group(2).strip() for m in _DATE_ELEMENT.finditer(content)}
    for raw in declared:
        if raw[-1:].isalpha() and _zone_name(raw):
            zone_name = True  # "MESZ" ends in "Z": seen before it is taken for UTC
            continue
        if raw.endswith(_UTC_ENDINGS):
            continue  # most feeds write UTC: nothing to learn, no parse to pay
        text = raw.decode("latin-1")
        colon_offset = colon_offset or bool(_RFC_COLON_OFFSET.search(text))
        moment = _feed_date(text)
        if moment is not None and moment.utcoffset():
            offsets.setdefault(moment.astimezone(UTC), moment.tzinfo or UTC)
    return DeclaredZones(offsets, colon_offset, zone_name)


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


def checked_time_zone(name: str) -> str:
    """An IANA time zone name as given ("" for none); ValueError for one that is not."""
    name = name.strip()
    if name and name not in _zone_names():
        raise ValueError(f"{name[:64]!r} is not an IANA time zone name, such as Asia/Taipei")
    return name


def offset_in_zone(moment: datetime | None, minutes: int | None, zone: str) -> int | None:
    """The offset to store for a time an outlet's feed declared as `minutes`: an
    operator's time zone for the outlet stands in for UTC or no offset at all. A bare
    date (midnight UTC) already names the outlet's day and is left alone."""
    if moment is None or minutes or not zone:
        return minutes
    utc = moment.astimezone(UTC)
    if (utc.hour, utc.minute, utc.second) == (0, 0, 0):
        return minutes
    return offset_minutes(utc.astimezone(ZoneInfo(zone)))


@cache
def _zone_names() -> frozenset[str]:
    # "localtime" (a link to /etc/localtime on Debian) names the server's zone, not one
    return frozenset(available_timezones()) - {"localtime"}


def _feed_date(text: str) -> datetime | None:
    try:  # RFC 822, as RSS writes it; email.utils ignores an offset written "+08:00"
        parsed = parsedate_to_datetime(_RFC_COLON_OFFSET.sub(r"\1\2", text))
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


# --- zones written by name -------------------------------------------------------------
#
# RFC 822 names North America's zones (EST ... PDT) besides UT and GMT; feeds write
# others too ("10:00:00 MEZ", "07:30:00 JST"). feedparser reads those as UTC clock time;
# fastfeedparser reads some (JST, CET) and not others (MEZ), and what it reads loses its
# offset, so the outlet's day goes with it. A date that names its zone therefore has the
# name written as its offset before either parser reads the feed (numeric_offsets).

#: names that mean one offset wherever feeds write them, in minutes east of UTC; the
#: German names too (MEZ is CET, MESZ CEST, OEZ EET). BST is British Summer Time: the
#: time zone database calls Bangladesh's time "+06", and so do its outlets.
_ZONE_OFFSETS = {
    **dict.fromkeys(("WET", "WEZ"), 0),
    **dict.fromkeys(("WEST", "WESZ", "BST", "CET", "MEZ"), 60),
    **dict.fromkeys(("CEST", "MESZ", "EET", "OEZ"), 120),
    **dict.fromkeys(("EEST", "OESZ", "MSK"), 180),
    **{"AKST": -540, "AKDT": -480, "HST": -600, "NST": -210, "NDT": -150, "ADT": -180},
    **{"PKT": 300, "WIB": 420, "HKT": 480, "SGT": 480, "AWST": 480, "JST": 540, "KST": 540},
    **{"ACST": 570, "ACDT": 630, "AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780},
}
#: names several zones share, with RFC 822's meaning where it gives one: read in the
#: source's time zone when that zone goes by the name on the date (see numeric_offsets)
_SHARED_ZONE_NAMES: dict[str, int | None] = {
    "IST": None,  # India +05:30, Ireland in summer +01:00, Israel +02:00
    "CST": -360,  # US Central (RFC 822); China +08:00, Cuba -05:00
    "CDT": -300,  # US Central in summer (RFC 822); Cuba in summer -04:00
    "AST": None,  # Atlantic -04:00, Arabia +03:00
    "SST": None,  # Samoa -11:00, Singapore (of old) +08:00
}
#: a zone name after the time that ends a date
_NAMED_ZONE = re.compile(rb"\d:\d\d(?::\d\d)?+\s++([A-Z]{3,4})\s*+$")
_NO_ZONE = b"-0000"  # RFC 2822: a time in no known zone; both parsers read UTC


def _zone_name(raw: bytes) -> str | None:
    match = _NAMED_ZONE.search(raw)
    name = match.group(1).decode("ascii") if match else ""
    return name if name in _ZONE_OFFSETS or name in _SHARED_ZONE_NAMES else None


def numeric_offsets(content: bytes, time_zone: str = "") -> bytes | None:
    """The feed with the zone names its date elements end in written as UTC offsets
    ("10:00:00 MEZ" -> "10:00:00 +0100"); None when none is. A name several zones share
    (IST: India, Ireland, Israel) is read in `time_zone`, the operator's IANA zone for
    the source, when that zone goes by the name on the date; otherwise it is not
    guessed: RFC 822's meaning where it gives one (CST, CDT: US Central), else "-0000",
    a time in no known zone, which counts as UTC as a time without an offset does."""
    changed = False

    def numeric(match: re.Match[bytes]) -> bytes:
        nonlocal changed
        raw = match.group(2)
        named = _NAMED_ZONE.search(raw)
        name = _zone_name(raw)
        if named is None or name is None:
            return match.group(0)
        minutes = _zone_offset(name, raw[: named.start(1)], time_zone)
        changed = True
        offset = _NO_ZONE if minutes is None else _offset_text(minutes)
        start = match.start(2) - match.start() + named.start(1)
        end = match.start(2) - match.start() + named.end(1)
        whole = match.group(0)
        return whole[:start] + offset + whole[end:]

    rewritten = _DATE_ELEMENT.sub(numeric, content)
    return rewritten if changed else None


def _zone_offset(name: str, date: bytes, time_zone: str) -> int | None:
    """The minutes east of UTC a date's zone name stands for (numeric_offsets); `date`
    is the date without the name. None for a name in no known zone."""
    if name in _ZONE_OFFSETS:
        return _ZONE_OFFSETS[name]
    try:
        zone = ZoneInfo(time_zone) if time_zone else None
    except (ValueError, ZoneInfoNotFoundError):  # checked when the source was saved
        zone = None
    text = _decoded(date).strip()
    written = _feed_date(english_date(text) or text) if zone else None  # the clock, as UTC
    if zone is not None and written is not None:
        # in the hour clocks go back the same wall time is two instants (fold 0 and 1);
        # the name says which: "01:30 IDT", then "01:30 IST" an hour later
        for fold in (0, 1):
            wall = written.replace(tzinfo=None, fold=fold)
            offset = zone.utcoffset(wall)
            if zone.tzname(wall) == name and offset is not None:
                return int(offset.total_seconds() // 60)
    return _SHARED_ZONE_NAMES.get(name)


def _offset_text(minutes: int) -> bytes:
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}".encode("ascii")


# --- RFC 822 dates written in another language ------------------------------------------
#
# Feeds in German, French, Spanish, Italian, Portuguese or Dutch often write their
# pubDate's day and month names in their own language ("Di, 01 Dez 2026 10:00:00
# +0100"), which neither feed parser reads. Names are read by their place: "mar" is
# Tuesday where the day name stands (French, Spanish, Italian) and March where the
# month does; an abbreviation two months share ("jui", June or July in French) is not
# guessed at. Keys are case-folded and without accents.

_DAY_NAMES = {
    "Mon": "mon monday mo montag lun lundi lunes lunedi seg segunda ma maandag",
    "Tue": "tue tues tuesday di die dienstag mar mardi martes martedi ter terca dinsdag",
    "Wed": "wed wednesday mi mit mittwoch mer mercredi mie miercoles mercoledi qua quarta "
    "wo woensdag",
    "Thu": "thu thur thurs thursday do don donnerstag jeu jeudi jue jueves gio giovedi qui "
    "quinta donderdag",
    "Fri": "fri friday fr fre freitag ven vendredi vie viernes venerdi sex sexta vr vrijdag",
    "Sat": "sat saturday sa sam samstag sonnabend samedi sab sabado sabato za zaterdag",
    "Sun": "sun sunday so son sonntag dim dimanche dom domingo domenica zo zondag",
}
_MONTH_NAMES = {
    "Jan": "jan january januar janner janv janvier ene enero gen gennaio janeiro januari",
    "Feb": "feb february februar fev fevr fevrier febrero febbraio fevereiro februari",
    "Mar": "mar march marz maerz mrz mars marzo marco maart mrt",
    "Apr": "apr april avr avril abr abril aprile",
    "May": "may mai mayo mag maggio maio mei",
    "Jun": "jun june juni juin junio giu giugno junho",
    "Jul": "jul july juli juil juill juillet julio lug luglio julho",
    "Aug": "aug august aou aout ago agosto augustus",
    "Sep": "sep sept september septembre septiembre setiembre set settembre setembro",
    "Oct": "oct october okt oktober octobre octubre ott ottobre out outubro",
    "Nov": "nov november novembre noviembre novembro",
    "Dec": "dec december dez dezember decembre dic diciembre dicembre dezembro",
}


def _names(table: dict[str, str]) -> dict[str, str]:
    return {name: english for english, names in table.items() for name in names.split()}


_DAYS, _MONTHS = _names(_DAY_NAMES), _names(_MONTH_NAMES)
_WORD = r"[^\W\d_]+"
#: [day name[.],] day[er][.] month[.] year time zone, as RFC 822 is written in Europe
_LOCAL_DATE = re.compile(
    rf"\s*(?:(?P<weekday>{_WORD}(?:-{_WORD})?)\.?\s*,?\s*)?"
    rf"(?P<day>\d{{1,2}})(?:er)?\.?\s*(?P<month>{_WORD})\.?,?\s+(?P<rest>\d{{2,4}}\b.*)",
    re.DOTALL,
)


def _plain(name: str) -> str:
    """A name case-folded, without accents ("Déc" -> "dec", "März" -> "marz")."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def english_date(text: str) -> str | None:
    """An RFC 822 date whose day or month name is German, French, Spanish, Italian,
    Portuguese or Dutch, written with the English names ("mar., 01 déc. 2026 10:00:00
    +0100" -> "Tue, 01 Dec 2026 10:00:00 +0100"); None for a date already in English
    and for what is not such a date, or names one that cannot be told apart."""
    match = _LOCAL_DATE.fullmatch(text)
    if match is None:
        return None
    weekday, day, month, rest = match.group("weekday", "day", "month", "rest")
    english_month = _MONTHS.get(_plain(month))
    english_day = _DAYS.get(_plain(weekday).removesuffix("-feira")) if weekday else ""
    if english_month is None or english_day is None:
        return None
    if english_month == month and english_day == (weekday or ""):
        return None  # English already: the parsers read it, or it is not a date
    date = f"{english_day + ', ' if english_day else ''}{day} {english_month} {rest.strip()}"
    return date if _feed_date(date) is not None else None


def _decoded(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:  # a feed in ISO 8859-1 or windows-1252
        return raw.decode("latin-1")


def english_dates(content: bytes) -> bytes | None:
    """The feed with the RFC 822 dates of its date elements that are written in
    another language written in English (see english_date); None when it has none."""
    changed = False

    def english(match: re.Match[bytes]) -> bytes:
        nonlocal changed
        date = english_date(_decoded(match.group(2)).strip())
        if date is None:
            return match.group(0)
        changed = True
        start, end = match.start(2) - match.start(), match.end(2) - match.start()
        whole = match.group(0)
        return whole[:start] + date.encode("ascii") + whole[end:]

    rewritten = _DATE_ELEMENT.sub(english, content)
    return rewritten if changed else None

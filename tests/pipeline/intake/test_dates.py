"""Publication times in the outlet's own declared offset."""

import subprocess
import sys
import textwrap
from datetime import UTC, date, datetime, timedelta

import pytest

from newsdesk.pipeline.intake.dates import (
    checked_time_zone,
    declared_zones,
    english_date,
    english_dates,
    in_declared_zone,
    numeric_offsets,
    offset_in_zone,
    offset_minutes,
    outlet_time,
)

MORNING_UTC = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)  # 07:30 on December 5 in Taipei


def test_a_stored_time_comes_back_in_its_outlets_offset() -> None:
    local = outlet_time(MORNING_UTC, 480)
    assert local == MORNING_UTC and local is not None and local.date() == date(2026, 12, 5)
    assert outlet_time(MORNING_UTC, None) == MORNING_UTC  # stored before offsets were kept
    assert outlet_time(MORNING_UTC, None).date() == date(2026, 12, 4)  # type: ignore[union-attr]
    assert outlet_time(MORNING_UTC, 5000).utcoffset() == timedelta(0)  # type: ignore[union-attr]
    assert outlet_time(None, 480) is None


def test_a_feeds_offsets_are_read_from_its_date_elements() -> None:
    feed = (
        b"<rss><item><pubDate>Sat, 05 Dec 2026 07:30:00 +0800</pubDate></item>"
        b"<item><dc:date>2026-12-04T21:30:00-04:00</dc:date></item>"
        b"<item><pubDate>Sat, 05 Dec 2026 07:30:00 GMT</pubDate></item>"
        b"<item><pubDate>" + b"9" * 5000 + b"</pubDate></item>"
        b"<item><pubDate>no date</pubDate></item></rss>"
    )
    zones = declared_zones(feed).offsets
    assert len(zones) == 2  # UTC and what cannot be read declare nothing
    moved = in_declared_zone(MORNING_UTC, zones)
    assert offset_minutes(moved) == 480 and moved == MORNING_UTC
    other = in_declared_zone(datetime(2026, 12, 5, 1, 30, tzinfo=UTC), zones)
    assert offset_minutes(other) == -240
    unknown = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
    assert in_declared_zone(unknown, zones) is unknown
    assert in_declared_zone(None, zones) is None
    assert offset_minutes(None) is None


def test_a_feed_that_starts_in_utc_keeps_the_offsets_it_declares_later() -> None:
    """A feed may write UTC for a wire story and its own offset for the rest."""
    feed = (
        b"<rss><item><pubDate>Sat, 05 Dec 2026 07:30:00 GMT</pubDate></item>"
        b"<item><pubDate>Sat, 05 Dec 2026 07:30:00 +0800</pubDate></item></rss>"
    )
    zones = declared_zones(feed).offsets
    assert offset_minutes(in_declared_zone(MORNING_UTC, zones)) == 480
    assert offset_minutes(in_declared_zone(datetime(2026, 12, 5, 7, 30, tzinfo=UTC), zones)) == 0


def test_hostile_markup_does_not_stall_the_offset_reading() -> None:
    """The date pattern must not backtrack: white space in a date element that does
    not close cost time exponential in its length (400 spaces: minutes), and
    '<pubDate' opened again and again inside a CDATA section quadratic time. Read in
    a child process, so a stall fails the test instead of hanging the suite; the
    bound is a guard against a stall (the reading takes well under a second), not a
    speed figure."""
    script = textwrap.dedent(
        """
        from datetime import UTC, datetime
        from newsdesk.pipeline.intake.dates import declared_zones, in_declared_zone, offset_minutes
        dated = b"<rss><item><pubDate>Sat, 05 Dec 2026 07:30:00 +0800</pubDate></item>"
        spaces = (b"<pubDate>" + b" " * 400 + b"x") * 5
        unclosed = b"<![CDATA[" + b"<pubDate " * 200_000 + b"]]>"
        morning = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)
        for hostile in (spaces, unclosed):
            for doc in (dated + hostile, hostile + dated):
                zones = declared_zones(doc + b"</rss>").offsets
                assert offset_minutes(in_declared_zone(morning, zones)) == 480
        print("read")
        """
    )
    try:
        ran = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
        )
    except subprocess.TimeoutExpired:
        pytest.fail("reading the offsets of a hostile feed stalled")
    assert ran.returncode == 0 and ran.stdout.strip() == "read", ran.stderr


def test_an_operators_time_zone_stands_in_for_utc_only() -> None:
    assert offset_in_zone(MORNING_UTC, 0, "Asia/Taipei") == 480
    assert offset_in_zone(MORNING_UTC, None, "Asia/Taipei") == 480
    assert offset_in_zone(MORNING_UTC, -240, "Asia/Taipei") == -240  # the feed's own word wins
    assert offset_in_zone(MORNING_UTC, 0, "") == 0
    july = datetime(2026, 7, 1, 12, tzinfo=UTC)
    assert offset_in_zone(july, 0, "America/New_York") == -240  # summer time
    assert offset_in_zone(MORNING_UTC, 0, "America/New_York") == -300
    bare_day = datetime(2026, 12, 5, tzinfo=UTC)  # a date alone already names the day
    assert offset_in_zone(bare_day, 0, "America/New_York") == 0
    assert offset_in_zone(None, None, "Asia/Taipei") is None


def test_a_time_zone_name_is_checked() -> None:
    assert checked_time_zone(" Asia/Taipei ") == "Asia/Taipei"
    assert checked_time_zone("") == ""
    for bad in ("Taipei", "../../etc/passwd", "UTC+8", "asia/taipei"):
        with pytest.raises(ValueError, match="not an IANA time zone"):
            checked_time_zone(bad)


def test_the_servers_own_zone_is_no_outlets_time_zone() -> None:
    """Debian's zoneinfo lists "localtime", a link to /etc/localtime: a source given it
    would follow whatever machine reads it, and carry that through OPML."""
    with pytest.raises(ValueError, match="not an IANA time zone"):
        checked_time_zone("localtime")


@pytest.mark.parametrize(
    ("local", "english"),
    [
        ("Di, 01 Dez 2026 10:00:00 +0100", "Tue, 01 Dec 2026 10:00:00 +0100"),
        ("Mittwoch, 02. März 2026 10:00 +0100", "Wed, 02 Mar 2026 10:00 +0100"),
        ("mar., 01 déc. 2026 10:00:00 +0100", "Tue, 01 Dec 2026 10:00:00 +0100"),
        ("1er juin 2026 10:00:00 +0200", "1 Jun 2026 10:00:00 +0200"),
        ("jeu., 02 juil. 2026 10:00 +0200", "Thu, 02 Jul 2026 10:00 +0200"),
        ("sam., 07 mars 2026 08:00:00 +0100", "Sat, 07 Mar 2026 08:00:00 +0100"),
        ("ven., 01 mai 2026 08:00:00 +0200", "Fri, 01 May 2026 08:00:00 +0200"),
        ("mié, 02 dic 2026 10:00:00 +0100", "Wed, 02 Dec 2026 10:00:00 +0100"),
        ("gio, 03 set 2026 10:00:00 +0200", "Thu, 03 Sep 2026 10:00:00 +0200"),
        ("Terça-feira, 01 Dez 2026 10:00:00 -0300", "Tue, 01 Dec 2026 10:00:00 -0300"),
        ("vr, 04 mrt 2026 10:00:00 +0100", "Fri, 04 Mar 2026 10:00:00 +0100"),
        ("Tue, 01 Dec 2026 10:00:00 +0100", None),  # English: nothing to do
        ("jeu., 02 jui. 2026 10:00 +0200", None),  # June or July
        ("lun, 01 xyz 2026 10:00 +0200", None),  # no month
        ("2026-12-01T10:00:00+01:00", None),
        ("Di, 31 Feb 2026 10:00:00 +0100", None),  # no such day
    ],
)
def test_day_and_month_names_of_european_languages_read_in_english(
    local: str, english: str | None
) -> None:
    assert english_date(local) == english


def test_only_date_elements_in_another_language_are_rewritten() -> None:
    feed = (
        b"<rss><item><title>mar, 01 dic 2026</title>"
        b"<pubDate>mar, 01 dic 2026 10:00:00 +0100</pubDate></item>"
        b"<item><pubDate>Tue, 01 Dec 2026 10:00:00 +0100</pubDate></item></rss>"
    )
    assert english_dates(feed) == feed.replace(b"<pubDate>mar, 01 dic", b"<pubDate>Tue, 01 Dec")
    assert english_dates(feed.replace(b"mar, 01 dic", b"Tue, 01 Dec")) is None


@pytest.mark.parametrize(
    ("declared", "zone", "numeric"),
    [
        ("Mon, 07 Dec 2026 10:00:00 MEZ", "", "Mon, 07 Dec 2026 10:00:00 +0100"),
        ("Di, 01 Jul 2025 10:00:00 MESZ", "", "Di, 01 Jul 2025 10:00:00 +0200"),
        ("Mon, 07 Dec 2026 10:00:00 CET", "", "Mon, 07 Dec 2026 10:00:00 +0100"),
        ("Tue, 01 Jul 2025 10:00 CEST", "", "Tue, 01 Jul 2025 10:00 +0200"),
        ("Tue, 01 Jul 2025 10:00:00 BST", "", "Tue, 01 Jul 2025 10:00:00 +0100"),
        ("Mon, 07 Dec 2026 10:00:00 JST", "", "Mon, 07 Dec 2026 10:00:00 +0900"),
        ("Mon, 07 Dec 2026 10:00:00 AEST", "", "Mon, 07 Dec 2026 10:00:00 +1000"),
        ("Mon, 07 Dec 2026 10:00:00 NST", "", "Mon, 07 Dec 2026 10:00:00 -0330"),
        # shared names: the source's zone says which, when it goes by the name that day
        ("Mon, 07 Dec 2026 10:00:00 IST", "Asia/Kolkata", "Mon, 07 Dec 2026 10:00:00 +0530"),
        ("Mon, 07 Dec 2026 10:00:00 IST", "Asia/Jerusalem", "Mon, 07 Dec 2026 10:00:00 +0200"),
        ("Tue, 01 Jul 2025 10:00:00 IST", "Europe/Dublin", "Tue, 01 Jul 2025 10:00:00 +0100"),
        # the hour clocks go back: the same wall time twice, told apart by its name
        ("Sun, 25 Oct 2026 01:30:00 IST", "Asia/Jerusalem", "Sun, 25 Oct 2026 01:30:00 +0200"),
        ("Sun, 01 Nov 2026 00:30:00 CDT", "America/Havana", "Sun, 01 Nov 2026 00:30:00 -0400"),
        ("Sun, 01 Nov 2026 00:30:00 CST", "America/Havana", "Sun, 01 Nov 2026 00:30:00 -0500"),
        ("Mon, 07 Dec 2026 10:00:00 CST", "Asia/Shanghai", "Mon, 07 Dec 2026 10:00:00 +0800"),
        ("Mon, 07 Dec 2026 10:00:00 CST", "America/Havana", "Mon, 07 Dec 2026 10:00:00 -0500"),
        ("mar., 01 déc. 2026 10:00 CST", "Asia/Shanghai", "mar., 01 déc. 2026 10:00 +0800"),
        # and not guessed without one: RFC 822's meaning, or a time in no known zone
        ("Mon, 07 Dec 2026 10:00:00 IST", "", "Mon, 07 Dec 2026 10:00:00 -0000"),
        ("Mon, 07 Dec 2026 10:00:00 IST", "Europe/Berlin", "Mon, 07 Dec 2026 10:00:00 -0000"),
        ("Mon, 07 Dec 2026 10:00:00 CST", "", "Mon, 07 Dec 2026 10:00:00 -0600"),
        ("Mon, 07 Dec 2026 10:00:00 CST", "Europe/Berlin", "Mon, 07 Dec 2026 10:00:00 -0600"),
        # what both parsers read already, or what is no zone, is left as it is
        ("Mon, 07 Dec 2026 10:00:00 EST", "", None),
        ("Mon, 07 Dec 2026 10:00:00 GMT", "", None),
        ("Mon, 07 Dec 2026 10:00:00 XYZ", "", None),
        ("Mon, 07 Dec 2026 MEZ", "", None),
    ],
)
def test_a_zone_written_by_name_is_written_as_its_offset(
    declared: str, zone: str, numeric: str | None
) -> None:
    feed = f"<rss><item><pubDate>{declared}</pubDate></item></rss>".encode()
    expected = None if numeric is None else feed.replace(declared.encode(), numeric.encode())
    assert numeric_offsets(feed, zone) == expected
    assert declared_zones(feed).zone_name is (numeric is not None)


def test_only_date_elements_have_their_zone_names_written_as_offsets() -> None:
    feed = (
        b"<rss><item><title>Summit at 10:00 CET</title>"
        b"<pubDate><![CDATA[ Mon, 07 Dec 2026 10:00:00 MEZ ]]></pubDate></item></rss>"
    )
    assert numeric_offsets(feed) == feed.replace(b"00 MEZ", b"00 +0100")

"""Ingest end to end: the demo's fictional outlets over real HTTP into a real database."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from datetime import UTC, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import OperationalError
from django.utils import timezone

from newsdesk.clock import database_now
from newsdesk.demo.server import FixtureServer, send
from newsdesk.ingest import sources
from newsdesk.ingest.manual import add_pasted
from newsdesk.ingest.models import Article, FetchLog, Source
from newsdesk.ingest.service import Ingestor
from newsdesk.ingest.sources import due_sources, export_opml, import_opml
from newsdesk.pipeline.errors import InputError, PasteError
from newsdesk.pipeline.intake.fetch import Fetcher
from newsdesk.pipeline.intake.opml import read_opml
from newsdesk.pipeline.intake.urls import canonicalize
from tests.conftest import DEMO_SITE
from tests.ops.skewed import clock_off

MANIFEST = json.loads((DEMO_SITE / "manifest.json").read_text())
FORMATS = {o["slug"]: o["format"] for o in MANIFEST["outlets"]}
pytestmark = pytest.mark.django_db


def demo_sources(server: FixtureServer) -> list[Source]:
    import_opml(server.body_for("sources.opml") or b"")
    return list(Source.objects.all())


def run(server: FixtureServer, sources: list[Source] | None = None) -> Ingestor:
    ingestor = Ingestor(allow_hosts=[server.host], workers=8)
    ingestor.run(sources if sources is not None else list(Source.objects.all()))
    return ingestor


def test_demo_week_is_ingested(demo_site: FixtureServer) -> None:
    sources = demo_sources(demo_site)
    report = run(demo_site, sources).report
    articles = {a.url: a for a in Article.objects.all()}
    expected = {canonicalize(demo_site.url(a["path"])) for a in MANIFEST["articles"]}
    assert set(articles) == expected  # every article once, tracking parameters stripped
    assert report.new_articles + report.duplicates == len(expected)
    assert report.errors == {"feed": 1}  # the broken feed only
    assert len({a.outlet for a in articles.values()}) == 7
    for item in MANIFEST["articles"]:
        article = articles[canonicalize(demo_site.url(item["path"]))]
        assert article.published is not None
        assert article.published.isoformat().replace("+00:00", "Z") == item["published"]
        assert article.title == item["title"]
        if item["paywalled"]:
            assert article.text_source == "teaser"
        elif FORMATS[item["outlet"]] in ("rss2-full", "atom-full", "jsonfeed"):
            assert article.text_source == "feed"  # full-text feeds need no page fetch
        else:
            assert article.text_source == "page"
            assert len(article.text.split()) > 150


def test_syndicated_copies_are_linked_to_the_first(demo_site: FixtureServer) -> None:
    run(demo_site, demo_sources(demo_site))
    by_url = {a.url: a for a in Article.objects.all()}
    copies = [a for a in MANIFEST["articles"] if a["syndicated_from"]]
    assert len(copies) >= 4
    for item in copies:
        copy = by_url[canonicalize(demo_site.url(item["path"]))]
        original = by_url[canonicalize(demo_site.url(item["syndicated_from"]))]
        linked = {copy.duplicate_of_id, original.duplicate_of_id}
        # whichever arrived first is the original; the other points at it
        assert linked & {copy.pk, original.pk}, item["path"]
    originals = [a for a in MANIFEST["articles"] if not a["syndicated_from"]]
    wrongly_linked = [
        a["path"]
        for a in originals
        if by_url[canonicalize(demo_site.url(a["path"]))].duplicate_of_id is not None
        and not any(c["syndicated_from"] == a["path"] for c in copies)
    ]
    assert wrongly_linked == []


def test_second_run_is_conditional_and_adds_nothing(demo_site: FixtureServer) -> None:
    sources = demo_sources(demo_site)
    run(demo_site, sources)
    count = Article.objects.count()
    pages_before = sum(1 for path, _ in demo_site.requests if path.startswith("/articles/"))
    report = run(demo_site, list(Source.objects.all())).report
    assert Article.objects.count() == count
    assert report.new_articles == 0
    assert report.not_modified == 7  # every healthy feed answered 304
    pages_after = sum(1 for path, _ in demo_site.requests if path.startswith("/articles/"))
    assert pages_after == pages_before


def test_broken_feed_records_error_and_backs_off(demo_site: FixtureServer) -> None:
    sources = demo_sources(demo_site)
    run(demo_site, sources)
    broken = Source.objects.get(url__endswith="broken.xml")
    assert broken.consecutive_failures == 1
    assert broken.last_error_kind == "feed" and broken.last_error
    assert broken.next_poll is not None and broken.next_poll > timezone.now() + timedelta(
        minutes=30
    )
    first_backoff = broken.next_poll
    log = FetchLog.objects.filter(source=broken).get()
    assert not log.ok and log.error_kind == "feed"
    run(demo_site, [broken])
    broken.refresh_from_db()
    assert broken.consecutive_failures == 2 and broken.next_poll > first_backoff
    healthy = Source.objects.exclude(pk=broken.pk)
    assert all(s.consecutive_failures == 0 and s.next_poll for s in healthy)


def test_failing_source_never_touches_stored_articles(
    demo_site: FixtureServer, tmp_path: Path
) -> None:
    sources = demo_sources(demo_site)
    run(demo_site, sources)
    snapshot = {a.pk: (a.title, a.text, a.published) for a in Article.objects.all()}
    # the same outlet's feed now serves garbage, then an error status
    source = Source.objects.get(url__endswith="harbor-ledger.xml")

    def garbage(h: BaseHTTPRequestHandler) -> bool:
        send(h, 200, b"<html><body>Maintenance</body></html>", "text/html")
        return True

    demo_site.routes["/feeds/harbor-ledger.xml"] = garbage
    report = run(demo_site, [source]).report
    assert sum(report.errors.values()) == 1
    demo_site.routes["/feeds/harbor-ledger.xml"] = lambda h: (
        send(h, 500, b"down", "text/plain") or True
    )
    run(demo_site, [source])
    source.refresh_from_db()
    assert source.consecutive_failures == 2 and "500" in source.last_error
    assert {a.pk: (a.title, a.text, a.published) for a in Article.objects.all()} == snapshot


def test_internal_host_needs_allow(demo_site: FixtureServer) -> None:
    sources = demo_sources(demo_site)
    Ingestor(workers=4).run(sources[:2])  # no --allow-host
    assert Article.objects.count() == 0
    assert {
        s.last_error_kind for s in Source.objects.filter(pk__in=[s.pk for s in sources[:2]])
    } == {"blocked"}
    # a per-source allowance lets just that source through
    Source.objects.filter(pk=sources[0].pk).update(allow_internal=True, next_poll=None)
    Ingestor(workers=4).run([Source.objects.get(pk=sources[0].pk)])
    assert Article.objects.filter(source=sources[0]).count() > 0


def test_opml_round_trip(demo_site: FixtureServer) -> None:
    result = import_opml(demo_site.body_for("sources.opml") or b"")
    assert result.created == 8 and result.existing == 0
    again = import_opml(demo_site.body_for("sources.opml") or b"")
    assert again.created == 0 and again.existing == 8
    exported = read_opml(export_opml())
    assert {s.url for s in exported} == set(Source.objects.values_list("url", flat=True))
    assert {s.title for s in exported} >= {"Harbor Ledger", "Meridian Wire"}


def test_slow_source_does_not_hold_up_others(demo_site: FixtureServer) -> None:
    import time

    sources = demo_sources(demo_site)

    def slow(h: BaseHTTPRequestHandler) -> bool:
        time.sleep(2.5)
        send(h, 200, b"late", "text/plain")
        return True

    demo_site.routes["/feeds/meridian-wire.xml"] = slow
    ingestor = Ingestor(allow_hosts=[demo_site.host], workers=8)
    ingestor.policy = dataclasses.replace(ingestor.policy, read_timeout=1.0)
    ingestor.run(sources)
    wire = Source.objects.get(url__endswith="meridian-wire.xml")
    assert wire.last_error_kind == "timeout"
    assert Article.objects.exclude(outlet="Meridian Wire").count() >= 30


def test_entries_with_overlong_links_are_skipped_not_fatal(http_server: FixtureServer) -> None:
    long_link = http_server.url("a/" + "x" * 2100)
    body = "".join(f"<p>{w}</p>" for w in ("paragraph " * 40).split("  ")) * 5
    items = "".join(
        f"<item><title>{title}</title><link>{link}</link><guid>{title}</guid>"
        f"<content:encoded><![CDATA[{body} {title}]]></content:encoded></item>"
        for title, link in (("Good one", http_server.url("good")), ("Too long", long_link))
    )
    (Path(http_server.root) / "f.xml").write_text(
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>'
        f"{items}</channel></rss>"
    )
    source = Source.objects.create(url=http_server.url("f.xml"), outlet="T")
    report = run(http_server, [source]).report
    assert report.errors == {"entry-url-too-long": 1}
    assert list(Article.objects.values_list("title", flat=True)) == ["Good one"]


def full_text_feed(root: Path, name: str, links: list[str], *, words: int = 180) -> None:
    """An RSS feed whose items carry distinct full texts (no page fetches needed)."""
    items = []
    for n, link in enumerate(links):
        body = " ".join(f"w{n}x{k}" for k in range(words))
        items.append(
            f"<item><title>Item {n}</title><link>{link}</link><guid>{link}</guid>"
            f"<content:encoded><![CDATA[<p>{body}</p>]]></content:encoded></item>"
        )
    (root / name).write_text(
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>'
        f"{''.join(items)}</channel></rss>"
    )


@pytest.mark.parametrize(
    ("kind", "declared"),
    [
        ("rss", "Sat, 05 Dec 2026 07:30:00 +0800"),
        ("atom", "2026-12-05T07:30:00+08:00"),
        ("rss", "Fri, 04 Dec 2026 21:30:00 -0400"),
    ],
)
def test_an_articles_day_is_the_outlets_own(
    http_server: FixtureServer, kind: str, declared: str
) -> None:
    """Both feed parsers hand over UTC times; the offset the feed declared is kept, so
    the article's day is the one its outlet printed, not the UTC one."""
    body = " ".join(f"w{k}" for k in range(180))
    link = http_server.url("a/drills")
    if kind == "rss":
        doc = (
            '<?xml version="1.0"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>'
            f"<item><title>Drills</title><link>{link}</link><pubDate>{declared}</pubDate>"
            f"<content:encoded><![CDATA[<p>{body}</p>]]></content:encoded></item>"
            "</channel></rss>"
        )
    else:
        doc = (
            '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
            f'<entry><title>Drills</title><link href="{link}"/><id>{link}</id>'
            f"<published>{declared}</published><updated>{declared}</updated>"
            f'<content type="html"><![CDATA[<p>{body}</p>]]></content></entry></feed>'
        )
    (Path(http_server.root) / "zone.xml").write_text(doc)
    source = Source.objects.create(url=http_server.url("zone.xml"), outlet="Strait Observer")
    assert run(http_server, [source]).report.new_articles == 1
    article = Article.objects.get()
    assert article.published is not None
    utc_day = article.published.astimezone(UTC).date()
    assert article.published_day != utc_day  # the case this is about
    assert article.published_day == (
        dt.date(2026, 12, 5) if "+08" in declared else dt.date(2026, 12, 4)
    )
    assert article.published_offset == (480 if "+08" in declared else -240)


def test_a_sources_time_zone_gives_the_day_of_a_feed_written_in_utc(
    http_server: FixtureServer,
) -> None:
    """A feed that writes only GMT: the operator's time zone for the outlet names its
    day; a feed that declares its own offset keeps it."""
    items = "".join(
        f"<item><title>{name}</title><link>{http_server.url(name)}</link><pubDate>{when}"
        "</pubDate><content:encoded><![CDATA[<p>"
        + " ".join(f"{name}{k}" for k in range(180))
        + "</p>]]>"
        "</content:encoded></item>"
        for name, when in (
            ("quake", "Fri, 04 Dec 2026 16:30:00 -0500"),
            ("drills", "Fri, 04 Dec 2026 23:30:00 GMT"),
        )
    )
    (Path(http_server.root) / "gmt.xml").write_text(
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>'
        f"{items}</channel></rss>"
    )
    source = sources.add_source(
        http_server.url("gmt.xml"), outlet="Strait Observer", time_zone="Asia/Taipei"
    )[0]
    assert run(http_server, [source]).report.new_articles == 2
    drills = Article.objects.get(title="drills")
    assert (drills.published_offset, drills.published_day) == (480, dt.date(2026, 12, 5))
    quake = Article.objects.get(title="quake")
    assert (quake.published_offset, quake.published_day) == (-300, dt.date(2026, 12, 4))
    with pytest.raises(InputError, match="not an IANA time zone"):
        sources.add_source(http_server.url("other.xml"), outlet="X", time_zone="Taipei")
    assert Source.objects.count() == 1


def zone_named_feed(root: Path, name: str, dated: list[tuple[str, str, str]]) -> None:
    """A full-text RSS feed of (slug, link, pubDate) items."""
    items = "".join(
        f"<item><title>{slug}</title><link>{link}</link><pubDate>{when}</pubDate>"
        "<content:encoded><![CDATA[<p>"
        + " ".join(f"{slug}{k}" for k in range(180))
        + "</p>]]></content:encoded></item>"
        for slug, link, when in dated
    )
    (root / name).write_text(
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>'
        f"{items}</channel></rss>"
    )


def test_a_feed_that_names_its_time_zone_is_read_in_that_zone(
    http_server: FixtureServer,
) -> None:
    """ "07:30:00 JST" is 22:30 UTC the day before, and the outlet's day is its own;
    "10:00:00 MEZ" (German for CET) is 09:00 UTC. Neither was read as UTC clock time."""
    dated = [
        ("tokyo", "Tue, 09 Dec 2025 07:30:00 JST"),
        ("berlin", "Di, 09 Dez 2025 10:00:00 MEZ"),
        ("summer", "Di, 01 Jul 2025 00:30:00 MESZ"),
        ("sydney", "Tue, 09 Dec 2025 08:00:00 AEDT"),
        ("paris", "Tue, 09 Dec 2025 00:15:00 CET"),
    ]
    zone_named_feed(
        Path(http_server.root), "named.xml", [(s, http_server.url(s), d) for s, d in dated]
    )
    source = Source.objects.create(url=http_server.url("named.xml"), outlet="Wire Abroad")
    assert run(http_server, [source]).report.new_articles == len(dated)
    got = {
        a.title: (a.published, a.published_offset, a.published_day) for a in Article.objects.all()
    }
    assert got == {
        "tokyo": (dt.datetime(2025, 12, 8, 22, 30, tzinfo=UTC), 540, dt.date(2025, 12, 9)),
        "berlin": (dt.datetime(2025, 12, 9, 9, 0, tzinfo=UTC), 60, dt.date(2025, 12, 9)),
        "summer": (dt.datetime(2025, 6, 30, 22, 30, tzinfo=UTC), 120, dt.date(2025, 7, 1)),
        "sydney": (dt.datetime(2025, 12, 8, 21, 0, tzinfo=UTC), 660, dt.date(2025, 12, 9)),
        "paris": (dt.datetime(2025, 12, 8, 23, 15, tzinfo=UTC), 60, dt.date(2025, 12, 9)),
    }


def test_a_zone_name_several_zones_share_is_read_in_the_sources_time_zone(
    http_server: FixtureServer,
) -> None:
    """IST is India's, Ireland's and Israel's: the source's time zone tells which. A
    source without one is not guessed for: its clock time counts as UTC, as a time
    written without an offset does."""
    for slug, zone in (("delhi", "Asia/Kolkata"), ("dublin", "Europe/Dublin"), ("any", "")):
        zone_named_feed(
            Path(http_server.root),
            f"{slug}.xml",
            [(slug, http_server.url(slug), "Tue, 01 Jul 2025 10:00:00 IST")],
        )
        sources.add_source(http_server.url(f"{slug}.xml"), outlet=slug.title(), time_zone=zone)
    assert run(http_server).report.new_articles == 3
    got = {a.title: (a.published, a.published_offset) for a in Article.objects.all()}
    assert got == {
        "delhi": (dt.datetime(2025, 7, 1, 4, 30, tzinfo=UTC), 330),
        "dublin": (dt.datetime(2025, 7, 1, 9, 0, tzinfo=UTC), 60),
        "any": (dt.datetime(2025, 7, 1, 10, 0, tzinfo=UTC), 0),
    }


def test_a_huge_feed_is_stored_in_batches_and_recognised_on_the_next_poll(
    http_server: FixtureServer, settings: Any
) -> None:
    from newsdesk.ingest.service import STORE_BATCH

    count = 2 * STORE_BATCH + 200  # three batches; more links than one IN (...) list holds
    settings.NEWSDESK_MAX_FEED_ENTRIES = count
    links = [http_server.url(f"a/{n}") for n in range(count)]
    full_text_feed(Path(http_server.root), "big.xml", links, words=160)
    source = Source.objects.create(url=http_server.url("big.xml"), outlet="Big")
    first = run(http_server, [source]).report
    assert (first.new_articles, first.errors) == (count, {})
    assert Article.objects.filter(source=source).count() == count
    source.refresh_from_db()
    source.etag = source.last_modified = ""  # make the second poll fetch the whole feed again
    source.save()
    second = run(http_server, [source]).report
    assert (second.entries, second.new_articles, second.duplicates) == (count, 0, 0)


def test_a_feed_with_more_new_entries_than_allowed_gives_the_rest_to_later_polls(
    http_server: FixtureServer, settings: Any
) -> None:
    """A feed listing thousands of links cannot make one poll fetch them all: the first
    NEWSDESK_MAX_FEED_ENTRIES new ones are taken, the rest wait, and the next poll
    fetches the feed whole (not a 304 on its ETag) to take them."""
    settings.NEWSDESK_MAX_FEED_ENTRIES = 3
    links = [http_server.url(f"many/{n}") for n in range(7)]
    full_text_feed(Path(http_server.root), "many.xml", links)
    source = Source.objects.create(url=http_server.url("many.xml"), outlet="Many")
    taken = []
    for _ in range(4):
        report = run(http_server, [source]).report
        taken.append((report.new_articles, report.deferred, report.not_modified))
        source.refresh_from_db()
    assert taken == [(3, 4, 0), (3, 1, 0), (1, 0, 0), (0, 0, 1)]
    assert source.consecutive_failures == 0 and source.last_error == ""
    stored = list(Article.objects.filter(source=source).order_by("pk").values_list("url"))
    assert [url for (url,) in stored] == [canonicalize(link) for link in links]


def test_entries_other_sources_stored_do_not_fill_the_cap(
    http_server: FixtureServer, settings: Any
) -> None:
    """Counted before they were known to be stored by another feed, the first entries
    filled the cap at every poll and the later ones never came in (review)."""
    settings.NEWSDESK_MAX_FEED_ENTRIES = 3
    links = [http_server.url(f"shared/{n}") for n in range(5)]
    full_text_feed(Path(http_server.root), "first.xml", links[:3])
    full_text_feed(Path(http_server.root), "second.xml", links)
    first = Source.objects.create(url=http_server.url("first.xml"), outlet="First")
    second = Source.objects.create(url=http_server.url("second.xml"), outlet="Second")
    assert run(http_server, [first]).report.new_articles == 3
    report = run(http_server, [second]).report
    assert (report.new_articles, report.deferred) == (2, 0)
    stored = set(Article.objects.values_list("url", flat=True))
    assert stored == {canonicalize(link) for link in links}


def test_a_changed_feed_costs_only_its_new_entries(http_server: FixtureServer) -> None:
    """Re-polled, a feed's stored entries are skipped (the workers do not prepare them
    again); a new entry, and one whose article was deleted since, are stored."""
    root = Path(http_server.root)
    links = [http_server.url(f"c/{n}") for n in range(4)]
    full_text_feed(root, "changing.xml", links[:3])
    source = Source.objects.create(url=http_server.url("changing.xml"), outlet="Changing")
    assert run(http_server, [source]).report.new_articles == 3
    Article.objects.filter(url=canonicalize(links[0])).delete()
    full_text_feed(root, "changing.xml", links)
    source.refresh_from_db()
    source.etag = source.last_modified = ""
    source.save()
    second = run(http_server, [source]).report
    assert (second.entries, second.new_articles, second.duplicates) == (4, 2, 0)
    stored = set(Article.objects.filter(source=source).values_list("url", flat=True))
    assert stored == {canonicalize(link) for link in links}


def test_an_entry_with_an_unusable_link_costs_only_itself(http_server: FixtureServer) -> None:
    """The poll stays a success (no back-off), the feed's other entries are stored, and
    the odd entry is reported in one line."""
    links = [http_server.url("ok/1"), "http://[bad/x", http_server.url("ok/2")]
    full_text_feed(Path(http_server.root), "odd.xml", links)
    source = Source.objects.create(url=http_server.url("odd.xml"), outlet="Odd")
    report = run(http_server, [source]).report
    source.refresh_from_db()
    log = FetchLog.objects.get(source=source)
    assert report.entries == 3 and log.ok and log.entries == 3
    assert source.consecutive_failures == 0 and source.last_error == ""
    assert source.next_poll < timezone.now() + timedelta(minutes=61)
    assert report.new_articles == 2 and report.errors == {"entry-url-bad": 1}
    assert report.failures == [("Odd", "entry-url-bad", "not a usable URL: http://[bad/x")]


def test_a_store_failure_is_blamed_on_its_own_source(
    http_server: FixtureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Feeds share a storing batch; when one feed's articles cannot be stored, the
    others still are, and only that source records the error and will refetch."""
    from newsdesk.ingest import service

    root = Path(http_server.root)
    full_text_feed(root, "good.xml", [http_server.url(f"good/{n}") for n in range(3)])
    full_text_feed(root, "bad.xml", [http_server.url(f"bad/{n}") for n in range(3)])
    good = Source.objects.create(url=http_server.url("good.xml"), outlet="Good")
    bad = Source.objects.create(url=http_server.url("bad.xml"), outlet="Bad")
    real_store = service.store_batch

    def failing_for_bad(drafts: Any, source: Any, index: Any, **kw: Any) -> Any:
        if bad.pk in (kw.get("source_ids") or []):
            raise RuntimeError("disk full while storing")
        return real_store(drafts, source, index, **kw)

    monkeypatch.setattr(service, "store_batch", failing_for_bad)
    report = run(http_server, [good, bad]).report
    assert report.errors == {"store-bug": 1}
    assert (report.sources_failed, report.bugs) == (1, 1)  # a RuntimeError is a bug of ours
    assert Article.objects.filter(source=good).count() == 3
    assert Article.objects.filter(source=bad).count() == 0
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.last_error == "" and good.etag != ""  # kept: nothing to refetch
    assert bad.last_error_kind == "store-bug" and "disk full" in bad.last_error
    assert bad.etag == "" and bad.last_modified == ""  # the next poll fetches it whole
    assert FetchLog.objects.filter(source=good, new_articles=3).exists()


def test_a_database_lost_while_storing_is_one_warning_not_a_bug(
    http_server: FixtureServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A database restarted mid-poll is the operator's (ops/outage.py waits it out), not
    "internal error (a bug, please report it)" with a traceback; the feed is fetched
    again at its next poll."""
    from newsdesk.ingest import service

    full_text_feed(Path(http_server.root), "a.xml", [http_server.url(f"a/{n}") for n in range(2)])
    source = Source.objects.create(url=http_server.url("a.xml"), outlet="A")

    def server_gone(*args: Any, **kw: Any) -> Any:
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(service, "store_batch", server_gone)
    with caplog.at_level(logging.INFO, logger="newsdesk"):
        report = run(http_server, [source]).report
    assert report.bugs == 0 and report.errors == {"store-database": 1}
    assert "internal error" not in caplog.text
    [line] = [r for r in caplog.records if "database failed" in r.getMessage()]
    assert line.levelno == logging.WARNING and line.exc_info is None
    assert "administrator command" in line.getMessage()
    source.refresh_from_db()
    assert source.last_error_kind == "store-database" and source.etag == ""


def test_nul_characters_in_a_json_feed_are_dropped_not_fatal(http_server: FixtureServer) -> None:
    body = " ".join(f"word{k}" for k in range(170))
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Nul News",
        "items": [
            {
                "id": "1",
                "url": http_server.url("nul/1"),
                "title": "Port\u0000 deal signed",
                "content_html": f"<p>Before\u0000after {body}</p>",
                "authors": [{"name": "A.\u0000Writer"}],
            }
        ],
    }
    (Path(http_server.root) / "feed.json").write_text(json.dumps(feed))
    source = Source.objects.create(url=http_server.url("feed.json"), outlet="Nul")
    report = run(http_server, [source]).report
    assert (report.new_articles, report.errors) == (1, {})  # PostgreSQL refuses NUL in text
    article = Article.objects.get()
    assert article.title == "Port deal signed"
    assert article.text.startswith("Beforeafter word0")
    assert "\x00" not in article.html and article.authors == ["A.Writer"]


def test_an_interrupted_run_refetches_what_it_did_not_store(
    http_server: FixtureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Polling state (ETag, Last-Modified) is written only once a source's articles are
    stored: after an interrupted run the next poll fetches the feed whole, not a 304."""
    from newsdesk.ingest import service

    root = Path(http_server.root)
    sources = []
    for name in ("one", "two"):
        full_text_feed(root, f"{name}.xml", [http_server.url(f"{name}/{n}") for n in range(3)])
        sources.append(Source.objects.create(url=http_server.url(f"{name}.xml"), outlet=name))

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(service, "store_batch", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run(http_server, sources)
    monkeypatch.undo()
    assert Article.objects.count() == 0
    # the first store came with the first poll (the end of a run stores what arrives at
    # once): that poll is recorded; a poll still in flight when it was interrupted is not
    assert Source.objects.filter(last_polled__isnull=False).exists()
    for source in Source.objects.all():
        assert (source.etag, source.last_modified) == ("", "")
    report = run(http_server, list(Source.objects.all())).report
    assert (report.not_modified, report.new_articles + report.duplicates) == (0, 6)
    # now everything is stored: the validators are kept and the next poll is conditional
    assert all(s.etag for s in Source.objects.all())
    assert run(http_server, list(Source.objects.all())).report.not_modified == 2


def test_one_article_that_cannot_be_stored_does_not_hold_back_the_rest(
    http_server: FixtureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsdesk.ingest import service

    full_text_feed(Path(http_server.root), "a.xml", [http_server.url(f"a/{n}") for n in range(5)])
    source = Source.objects.create(url=http_server.url("a.xml"), outlet="A")
    real_store = service.store_batch

    def refuses_one(drafts: Any, source: Any, index: Any, **kw: Any) -> Any:
        if any(d.url.endswith("/a/3") for d in drafts):
            raise RuntimeError("value too long for type character varying(2000)")
        return real_store(drafts, source, index, **kw)

    monkeypatch.setattr(service, "store_batch", refuses_one)
    report = run(http_server, [source]).report
    assert report.new_articles == 4 and report.errors == {"store-bug": 1}
    source.refresh_from_db()
    assert source.last_error.startswith("1 article not stored: value too long")
    assert Article.objects.count() == 4


def test_overlong_urls_from_pages_are_not_kept() -> None:
    from newsdesk.pipeline.intake.articles import MAX_URL_LENGTH, build_article
    from newsdesk.pipeline.types import Arrival, Extracted

    long_url = "https://example.org/" + "x" * MAX_URL_LENGTH
    page = Extracted(text="Body text " * 50, canonical_url=long_url)
    draft = build_article(
        link="https://example.org/a", outlet="E", arrival=Arrival.FEED, page=page, page_url=long_url
    )
    assert draft.url == "https://example.org/a"
    assert draft.original_urls == ("https://example.org/a",)


def test_an_editor_is_told_when_a_url_is_too_long() -> None:
    from newsdesk.ingest.manual import LongURLError, add_url, pasted_draft

    long_url = "https://example.org/" + "x" * 2100
    with pytest.raises(LongURLError, match="longer than 2,000 characters"):
        pasted_draft(title="T", outlet="O", date="2026-11-20", url=long_url, text="Some text.")
    with pytest.raises(LongURLError):
        add_url(long_url)
    assert Article.objects.count() == 0


def fetch_failing_for(monkeypatch: pytest.MonkeyPatch, part: str, error: Exception) -> None:
    """Make every fetch of a URL containing `part` raise `error` (in this process's threads)."""
    real_fetch = Fetcher.fetch

    def fetch(self: Fetcher, url: str, **kwargs: Any) -> Any:
        if part in url:
            raise error
        return real_fetch(self, url, **kwargs)

    monkeypatch.setattr(Fetcher, "fetch", fetch)


def test_a_bug_while_polling_is_logged_with_its_traceback_and_counted(
    http_server: FixtureServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug of ours is not the feed's fault: the run goes on, but the bug is not hidden
    in a table row; its traceback is logged with the source's URL."""
    root = Path(http_server.root)
    full_text_feed(root, "good.xml", [http_server.url(f"good/{n}") for n in range(2)])
    full_text_feed(root, "buggy.xml", [http_server.url(f"buggy/{n}") for n in range(2)])
    good = Source.objects.create(url=http_server.url("good.xml"), outlet="Good")
    buggy = Source.objects.create(url=http_server.url("buggy.xml"), outlet="Buggy")
    fetch_failing_for(monkeypatch, "buggy.xml", KeyError("our own slip"))
    with caplog.at_level(logging.ERROR, logger="newsdesk.ingest.service"):
        report = run(http_server, [good, buggy]).report
    assert (report.errors, report.sources_failed, report.bugs) == ({"bug": 1}, 1, 1)
    assert report.failures == [("Buggy", "bug", "KeyError: 'our own slip'")]
    (record,) = caplog.records
    assert buggy.url in record.getMessage() and "a bug" in record.getMessage()
    assert record.exc_info is not None and isinstance(record.exc_info[1], KeyError)
    assert "Traceback (most recent call last)" in caplog.text
    assert Article.objects.filter(source=good).count() == 2


def test_a_bug_while_fetching_a_page_keeps_the_feeds_text_and_is_counted(
    http_server: FixtureServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    link = http_server.url("pages/1")
    (Path(http_server.root) / "teasers.xml").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        f"<item><title>Port deal</title><link>{link}</link><description>A teaser."
        "</description></item></channel></rss>"
    )
    source = Source.objects.create(url=http_server.url("teasers.xml"), outlet="Teasers")
    fetch_failing_for(monkeypatch, "/pages/", KeyError("our own slip"))
    with caplog.at_level(logging.ERROR, logger="newsdesk.ingest.service"):
        report = run(http_server, [source]).report
    assert (report.errors, report.sources_failed, report.bugs) == ({"page-bug": 1}, 0, 1)
    (record,) = caplog.records
    assert f"page {link} of {source.url}" in record.getMessage()
    assert record.exc_info is not None and isinstance(record.exc_info[1], KeyError)
    assert Article.objects.get().text_source == "teaser"


def test_a_failing_source_is_counted_and_is_no_bug(http_server: FixtureServer) -> None:
    full_text_feed(Path(http_server.root), "good.xml", [http_server.url("good/1")])
    good = Source.objects.create(url=http_server.url("good.xml"), outlet="Good")
    gone = Source.objects.create(url=http_server.url("gone.xml"), outlet="Gone")
    report = run(http_server, [good, gone]).report
    assert (report.errors, report.sources_failed, report.bugs) == ({"http": 1}, 1, 0)
    assert report.as_dict()["sources_failed"] == 1 and report.as_dict()["bugs"] == 0


OPML = (
    b'<?xml version="1.0"?><opml version="2.0"><head><title>s</title></head><body>'
    b'<outline type="rss" text="Gazette" xmlUrl="https://gazette.example/rss"/>'
    b'<outline type="rss" text="Odd" xmlUrl="http://[::1/rss"/>'
    b'<outline type="rss" text="Local" xmlUrl="file:///etc/passwd"/></body></opml>'
)


def test_an_opml_entry_a_user_got_wrong_is_skipped_with_its_reason() -> None:
    result = import_opml(OPML)
    assert (result.created, result.existing) == (1, 0)
    assert [line.split(": ", 1)[0] for line in result.skipped] == [
        "http://[::1/rss",
        "file:///etc/passwd",
    ]
    assert "malformed URL" in result.skipped[0] and "only http and https" in result.skipped[1]


def test_a_sources_time_zone_travels_in_opml() -> None:
    """Moving a desk to another machine keeps the day its UTC-only feeds are cited on;
    a zone that is no IANA name skips that entry, with the reason."""
    sources.add_source("https://strait.example/rss", outlet="Strait", time_zone="Asia/Taipei")
    sources.add_source("https://plain.example/rss", outlet="Plain")
    exported = export_opml()
    Source.objects.all().delete()
    assert import_opml(exported).created == 2
    assert dict(Source.objects.values_list("outlet", "time_zone")) == {
        "Strait": "Asia/Taipei",
        "Plain": "",
    }
    wrong = exported.replace(b"Asia/Taipei", b"Taipei").replace(b"strait.", b"other.")
    result = import_opml(wrong)
    assert (result.created, result.existing) == (0, 1)
    assert result.skipped[0].startswith("https://other.example/rss: time zone 'Taipei'")


def test_a_bug_while_importing_opml_is_not_skipped_as_bad_input(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def slip(url: str) -> None:
        raise ValueError("our own slip")

    monkeypatch.setattr(sources, "check_scheme", slip)
    with pytest.raises(ValueError, match="our own slip"):
        import_opml(OPML)


@pytest.mark.parametrize("day", ["soon", "2026-13-17", "2026-02-30"])
def test_pasted_text_with_an_unreadable_date_is_refused(day: str) -> None:
    """The web form will call this too: an unreadable date is the editor's to fix."""
    with pytest.raises(PasteError) as refused:
        add_pasted(title="T", outlet="O", date=day, url="https://o.example/p", text="Text.")
    assert str(refused.value) == f"date must be YYYY-MM-DD or an ISO timestamp, not {day!r}"
    assert Article.objects.count() == 0


def test_an_outlet_longer_than_its_column_is_cut_not_an_error() -> None:
    """A bookmarked host name (up to 253 characters) or a page's og:site_name once
    answered 500 on PostgreSQL (found in review)."""
    outlet = "news." + "very-long-host-label." * 12 + "example"
    stored = add_pasted(
        title="T", outlet=outlet, date="2026-11-20", url="https://o.example/p", text="Text."
    )
    article = Article.objects.get(pk=stored.article.pk)
    assert len(outlet) > 200 and article.outlet == outlet[:200].strip()


def test_an_interrupted_run_drops_the_polls_not_started(
    demo_site: FixtureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C used to wait for every queued source to be polled first (found in review)."""
    sources = demo_sources(demo_site)
    feeds = {urlsplit(s.url).path for s in sources}
    assert len(feeds) >= 5

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Ingestor, "_handle", interrupted)
    before = len(demo_site.requests)
    with pytest.raises(KeyboardInterrupt):
        Ingestor(allow_hosts=[demo_site.host], workers=1).run(sources)
    polled = [path for path, _ in demo_site.requests[before:] if path in feeds]
    assert 1 <= len(polled) <= 2, polled  # the one that finished, and one in flight at most


@pytest.mark.parametrize("off", [-600, 600])
def test_a_poll_is_dated_on_the_database_s_clock(demo_site: FixtureServer, off: int) -> None:
    """A worker whose clock is ten minutes off made its feeds due ten minutes early
    (or late) for the scheduler, which reads `next_poll` on the database's clock."""
    sources = demo_sources(demo_site)
    with clock_off(off):
        run(demo_site, sources)
    now = database_now()
    healthy = Source.objects.exclude(url__endswith="broken.xml")
    for source in healthy:
        assert source.last_polled is not None and abs(source.last_polled - now) < timedelta(
            minutes=1
        )
        assert source.next_poll is not None
    assert not [s for s in due_sources(now=now) if not s.url.endswith("broken.xml")]

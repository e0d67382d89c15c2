"""Ingest of sources as operators meet them: moved feeds, paywalls, odd dates."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from newsdesk.demo.server import FixtureServer, send
from newsdesk.ingest.models import Article, Source
from newsdesk.ingest.service import Ingestor
from tests.ingest.test_ingest import full_text_feed

pytestmark = pytest.mark.django_db


def run(server: FixtureServer, sources: list[Source]) -> Ingestor:
    ingestor = Ingestor(allow_hosts=[server.host], workers=4)
    ingestor.run(sources)
    return ingestor


def redirect(status: int, target: str):  # type: ignore[no-untyped-def]
    def handler(h: BaseHTTPRequestHandler) -> bool:
        send(h, status, b"", None, {"Location": target})
        return True

    return handler


def test_a_feed_that_moved_permanently_is_polled_at_its_new_address(
    http_server: FixtureServer,
) -> None:
    root = Path(http_server.root)
    full_text_feed(root, "new.xml", [http_server.url("m/1")])
    full_text_feed(root, "elsewhere.xml", [http_server.url("m/2")])
    http_server.routes["/old.xml"] = redirect(301, "/mid.xml")
    http_server.routes["/mid.xml"] = redirect(308, "/new.xml")
    http_server.routes["/for-now.xml"] = redirect(302, "/elsewhere.xml")
    moved = Source.objects.create(url=http_server.url("old.xml"), outlet="Moved")
    borrowed = Source.objects.create(url=http_server.url("for-now.xml"), outlet="Borrowed")
    report = run(http_server, [moved, borrowed]).report
    assert report.sources_polled == 2 and report.sources_failed == 0
    moved.refresh_from_db()
    borrowed.refresh_from_db()
    assert moved.url == http_server.url("new.xml")
    assert borrowed.url == http_server.url("for-now.xml")  # a temporary redirect


def test_a_feed_moving_to_an_address_another_source_polls_stays_put(
    http_server: FixtureServer,
) -> None:
    full_text_feed(Path(http_server.root), "new.xml", [http_server.url("m/1")])
    http_server.routes["/old.xml"] = redirect(301, "/new.xml")
    http_server.routes["/older.xml"] = redirect(301, "/new.xml")
    old = Source.objects.create(url=http_server.url("old.xml"), outlet="Old")
    older = Source.objects.create(url=http_server.url("older.xml"), outlet="Older")
    new = Source.objects.create(url=http_server.url("new.xml"), outlet="New")
    report = run(http_server, [old, older, new]).report
    assert report.sources_failed == 0 and report.bugs == 0
    urls = set(Source.objects.values_list("url", flat=True))
    assert urls == {http_server.url(p) for p in ("old.xml", "older.xml", "new.xml")}
    assert Article.objects.count() == 1


def test_a_feed_listing_one_link_twice_defers_nothing(http_server: FixtureServer) -> None:
    """Both entries are taken in this poll: none is counted as left for the next, and
    the feed keeps its validators (a deferral would make every poll fetch it whole)."""
    link = http_server.url("twice/1")
    full_text_feed(Path(http_server.root), "twice.xml", [link, link, http_server.url("once")])
    source = Source.objects.create(url=http_server.url("twice.xml"), outlet="Twice")
    report = run(http_server, [source]).report
    source.refresh_from_db()
    assert report.deferred == 0 and report.entries == 3
    assert report.new_articles + report.duplicates == 3
    assert Article.objects.count() == 2
    assert source.etag or source.last_modified  # the next poll may be answered 304

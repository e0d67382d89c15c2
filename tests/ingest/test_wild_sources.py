"""Ingest of sources as operators meet them: moved feeds, paywalls, odd dates."""

from __future__ import annotations

from datetime import UTC, datetime
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
    assert report.new_articles + report.duplicates == 2  # the repeated link is stored once
    assert Article.objects.count() == 2
    assert source.etag or source.last_modified  # the next poll may be answered 304


def article_page(root: Path, name: str, headline: str, *, words: int = 200) -> None:
    """A plain article page, its text long enough to be taken over any teaser."""
    body = " ".join(f"p{k}" for k in range(words))
    (root / name).write_text(
        f'<!doctype html><html lang="en"><head><title>{headline}</title></head><body>'
        f"<article><h1>{headline}</h1><p>{body}.</p><p>{body}.</p></article></body></html>"
    )


def test_a_link_listed_thrice_is_fetched_once_and_titled_by_its_first_entry(
    http_server: FixtureServer,
) -> None:
    root = Path(http_server.root)
    article_page(root, "page.html", "Harbour board votes on dues")
    link = http_server.url("page.html")
    items = "".join(
        f"<item><title>{title}</title><link>{where}</link><guid>{guid}</guid>"
        f"<description>{title}: the teaser.</description></item>"
        for title, where, guid in (
            ("Harbour dues rise", link, "a"),
            ("Dues up at the harbour", f"{link}?utm_source=rss", "b"),
            ("UPDATED: Harbour dues rise", link, "c"),
        )
    )
    (root / "teasers.xml").write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'
    )
    source = Source.objects.create(url=http_server.url("teasers.xml"), outlet="Port Ledger")
    report = run(http_server, [source]).report
    assert [p for p, _ in http_server.requests].count("/page.html") == 1
    assert (report.pages_fetched, report.new_articles, report.deferred) == (1, 1, 0)
    article = Article.objects.get()
    assert (article.title, article.teaser) == (
        "Harbour dues rise",
        "Harbour dues rise: the teaser.",
    )
    assert article.text_source == "page"


def summary_feed(server: FixtureServer, name: str) -> tuple[str, str]:
    """An Atom feed of two entries without <content>: one whose <summary> is the whole
    article (300 words in paragraphs), one whose summary is a teaser; both pages 404."""
    whole = "".join(
        "<p>" + " ".join(f"{name}{p}w{k}" for k in range(60)) + ".</p>" for p in range(5)
    )
    full, short = server.url(f"{name}/whole"), server.url(f"{name}/short")
    (Path(server.root) / f"{name}.atom").write_text(
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
        f'<entry><title>Whole</title><link href="{full}"/><id>{full}</id>'
        f'<updated>2026-12-01T10:00:00Z</updated><summary type="html"><![CDATA[{whole}]]>'
        "</summary></entry>"
        f'<entry><title>Short</title><link href="{short}"/><id>{short}</id>'
        "<updated>2026-12-01T09:00:00Z</updated><summary>Only the opening lines.</summary>"
        "</entry></feed>"
    )
    return full, short


@pytest.mark.parametrize("fetch_pages", [True, False])
def test_a_summary_holding_the_whole_article_is_stored_as_the_feeds_text(
    http_server: FixtureServer, fetch_pages: bool
) -> None:
    full, short = summary_feed(http_server, "wire")
    source = Source.objects.create(
        url=http_server.url("wire.atom"), outlet="Wire", fetch_pages=fetch_pages
    )
    report = run(http_server, [source]).report
    assert report.new_articles == 2
    fetched = [p for p, _ in http_server.requests if p.startswith("/wire/")]
    assert fetched == (["/wire/short"] if fetch_pages else [])  # never the whole one's page
    whole = Article.objects.get(url=full)
    assert whole.text_source == "feed" and len(whole.text.split()) == 300
    assert whole.text.count("\n") == 4 and whole.html.count("<p>") == 5
    assert Article.objects.get(url=short).text_source == "teaser"


def test_a_feed_dated_in_german_dates_its_articles(http_server: FixtureServer) -> None:
    """The page declares no date: the feed's "Di, 01 Dez 2026" is the only one."""
    root = Path(http_server.root)
    article_page(root, "undated.html", "Fährverbindung eingestellt")
    link = http_server.url("undated.html")
    (root / "de.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        f"<item><title>Fähre</title><link>{link}</link>"
        "<pubDate>Di, 01 Dez 2026 10:00:00 +0100</pubDate>"
        "<description>Kurz gesagt.</description></item></channel></rss>",
        encoding="utf-8",
    )
    source = Source.objects.create(url=http_server.url("de.xml"), outlet="Inselbote")
    assert run(http_server, [source]).report.new_articles == 1
    article = Article.objects.get()
    assert article.published == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert article.published_offset == 60

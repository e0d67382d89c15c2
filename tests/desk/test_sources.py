"""Sources page: health, add/edit/disable, OPML in and out, pasted and clipped articles;
each change admin-only (pasting: contributor), audited, and refused cleanly on bad input."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsdesk.ingest.models import Article, Source
from newsdesk.ingest.sources import redate_articles
from newsdesk.ingest.store import load_near_index, store_batch
from newsdesk.newsroom import sourcing
from newsdesk.newsroom.models import AuditEntry, Publication
from newsdesk.pipeline.intake.articles import build_article
from newsdesk.pipeline.types import Arrival, FeedEntry
from tests.concurrent import run_at_once, wait_until_blocked
from tests.desk.conftest import logged_in, member

pytestmark = pytest.mark.django_db

OPML = b"""<?xml version="1.0"?>
<opml version="2.0"><head><title>feeds</title></head><body>
<outline text="Harbour Gazette" xmlUrl="https://harbour-gazette.example/rss"/>
<outline text="Loopback" xmlUrl="http://127.0.0.1:8000/feed"/>
<outline text="Valley Ledger" xmlUrl="https://valley-ledger.example/feed.xml"/>
</body></opml>"""

PASTE = {
    "url": "https://harbour-gazette.example/2026/03/tariff-talks",
    "title": "Tariff talks resume in Porto Lume",
    "outlet": "Harbour Gazette",
    "date": "2026-03-02",
    "text": "Negotiators from Corvia and Estrel met on Monday.\nA second round is planned.",
}


def source(pub: Publication, outlet: str = "Harbour Gazette") -> Source:
    slug = outlet.lower().replace(" ", "-")
    return Source.objects.create(publication=pub, url=f"https://{slug}.example/rss", outlet=outlet)


def article(src: Source, n: int, days_ago: float) -> Article:
    return Article.objects.create(
        url=f"{src.url}/a{n}",
        source=src,
        title=f"Article {n}",
        outlet=src.outlet,
        fetched=timezone.now() - dt.timedelta(days=days_ago),
        fingerprint=f"f{src.pk}-{n}",
    )


def test_health_counts_articles_per_week_in_one_query(pub: Publication) -> None:
    gazette, ledger = source(pub), source(pub, "Valley Ledger")
    ledger.consecutive_failures, ledger.last_error = 3, "HTTP 503 from the server"
    ledger.last_polled = timezone.now()
    ledger.save()
    for n, days in enumerate((1, 2, 3, 9, 16, 40)):
        article(gazette, n, days)
    with CaptureQueriesContext(connection) as queries:
        rows = {row.source.outlet: row for row in sourcing.health(pub)}
    assert len(queries) == 2  # the sources, and one aggregate for every source's counts
    assert rows["Harbour Gazette"].weekly == (3, 1, 1, 0)  # the 40-day-old one is out
    assert rows["Harbour Gazette"].per_week == 1.25
    assert rows["Valley Ledger"].weekly == (0, 0, 0, 0)
    assert rows["Valley Ledger"].state == "failing"
    html = logged_in(pub, "viewer").get("/desk/cpw/sources/").content.decode()
    assert "HTTP 503 from the server" in html and "1.3" in html
    # a viewer sees the list but no form that changes it
    assert "Add the feed" not in html and "Disable" not in html


def test_admin_adds_edits_and_disables_a_source_audited(pub: Publication) -> None:
    client = logged_in(pub, "admin")
    response = client.post(
        "/desk/cpw/sources/add",
        {"url": "https://Harbour-Gazette.example/rss", "outlet": "Harbour Gazette"},
        follow=True,
    )
    assert "Added Harbour Gazette" in response.content.decode()
    made = Source.objects.get(publication=pub)
    assert made.url == "https://harbour-gazette.example/rss" and made.enabled
    client.post(
        f"/desk/cpw/sources/{made.pk}/edit",
        {"url": made.url, "outlet": "The Harbour Gazette", "weight": "2", "enabled": "1"},
    )
    client.post(f"/desk/cpw/sources/{made.pk}/enabled", {"enabled": "0"})
    made.refresh_from_db()
    assert (made.outlet, made.weight, made.enabled) == ("The Harbour Gazette", 2.0, False)
    entries = list(AuditEntry.objects.filter(target="source"))
    assert [e.action for e in entries] == ["source-add", "source-edit", "source-disable"]
    assert entries[1].before == {"outlet": "Harbour Gazette", "weight": 1.0}
    assert entries[0].actor == "admin"
    # a disabled source is not polled
    from_ingest = Source.objects.filter(enabled=True, publication=pub)
    assert not from_ingest.exists()


def test_a_sources_time_zone_is_set_checked_and_audited(pub: Publication) -> None:
    client = logged_in(pub, "admin")
    refused = client.post(
        "/desk/cpw/sources/add",
        {"url": "https://strait.example/rss", "outlet": "Strait", "time_zone": "Taipei"},
    )
    page = refused.content.decode()
    assert refused.status_code == 400 and "not an IANA time zone" in page
    assert 'value="Taipei"' in page and not Source.objects.exists()  # kept as typed
    client.post(
        "/desk/cpw/sources/add",
        {"url": "https://strait.example/rss", "outlet": "Strait", "time_zone": "Asia/Taipei"},
    )
    made = Source.objects.get()
    assert made.time_zone == "Asia/Taipei"
    edit = {"url": made.url, "outlet": "Strait", "weight": "1", "enabled": "1"}
    bad = client.post(f"/desk/cpw/sources/{made.pk}/edit", {**edit, "time_zone": "UTC+8"})
    assert bad.status_code == 400 and 'value="UTC+8"' in bad.content.decode()
    made.refresh_from_db()
    assert made.time_zone == "Asia/Taipei"  # nothing changed
    client.post(f"/desk/cpw/sources/{made.pk}/edit", {**edit, "time_zone": ""})
    made.refresh_from_db()
    assert made.time_zone == ""
    last = AuditEntry.objects.filter(target="source").order_by("-id").first()
    assert last is not None and last.before == {"time_zone": "Asia/Taipei"}


def test_a_new_time_zone_re_dates_the_articles_it_stands_in_for(pub: Publication) -> None:
    """The week's stored articles of a feed written in UTC get the outlet's day at once;
    what a feed declared itself, and a bare date, keep theirs."""
    strait = source(pub, "Strait")
    evening = dt.datetime(2026, 12, 4, 23, 30, tzinfo=dt.UTC)  # 07:30 on the 5th in Taipei
    dates = {
        "gmt": (evening, 0),
        "unknown": (evening, None),
        "declared": (evening, -300),
        "bare": (dt.datetime(2026, 12, 4, tzinfo=dt.UTC), 0),
    }
    for n, (published, offset) in enumerate(dates.values()):
        made = article(strait, n, 1)
        made.published, made.published_offset = published, offset
        made.save()
    names = dict(zip(range(len(dates)), dates, strict=True))

    def offsets() -> dict[str, int | None]:
        rows = Article.objects.filter(source=strait).values_list("title", "published_offset")
        return {names[int(title.split()[-1])]: offset for title, offset in rows}

    client = logged_in(pub, "admin")
    edit = {"url": strait.url, "outlet": "Strait", "weight": "1", "enabled": "1"}
    saved = client.post(
        f"/desk/cpw/sources/{strait.pk}/edit", {**edit, "time_zone": "Asia/Taipei"}, follow=True
    )
    assert offsets() == {"gmt": 480, "unknown": 480, "declared": -300, "bare": 0}
    assert "2 stored articles now carry the day of its time zone" in saved.content.decode()
    # the audit trail says how many stored dates the change moved
    last = AuditEntry.objects.filter(action="source-edit").order_by("-id").first()
    assert last is not None and last.after == {"time_zone": "Asia/Taipei", "articles_redated": 2}
    gmt = Article.objects.get(source=strait, title="Article 0")
    assert gmt.published_day == dt.date(2026, 12, 5)
    client.post(f"/desk/cpw/sources/{strait.pk}/edit", {**edit, "time_zone": "Asia/Tokyo"})
    assert offsets() == {"gmt": 540, "unknown": 540, "declared": -300, "bare": 0}
    client.post(f"/desk/cpw/sources/{strait.pk}/edit", {**edit, "time_zone": ""})
    assert offsets() == {"gmt": 0, "unknown": 0, "declared": -300, "bare": 0}


def test_re_dating_a_busy_source_updates_by_offset_not_row_by_row(pub: Publication) -> None:
    """Years of a busy feed are re-dated inside the desk's request: an UPDATE per new
    offset and batch of ids, not one CASE branch per article (100,000 articles on
    SQLite: 99 s and 165 MB that way under tracemalloc, holding the write lock)."""
    strait = source(pub, "Strait")
    start = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)  # across the switch to summer time
    Article.objects.bulk_create(
        Article(
            url=f"{strait.url}/a{n}",
            source=strait,
            title=f"Article {n}",
            outlet="Strait",
            fetched=start,
            fingerprint=f"f{n}",
            published=start + dt.timedelta(hours=n),
            published_offset=0,
        )
        for n in range(1200)
    )
    strait.time_zone = "Europe/Berlin"
    strait.save()
    with CaptureQueriesContext(connection) as queries:
        assert redate_articles(strait, "") == 1200
    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert len(updates) <= 4 and not any("CASE" in sql for sql in updates)
    offsets = Article.objects.filter(source=strait).values_list("published_offset", flat=True)
    assert set(offsets) == {60, 120}


def test_weaker_roles_get_403_and_nothing_changes(pub: Publication) -> None:
    made = source(pub)
    client = logged_in(pub, "editor")
    assert client.post("/desk/cpw/sources/add", {"url": "https://x.example/rss"}).status_code == 403
    assert client.post(f"/desk/cpw/sources/{made.pk}/enabled", {"enabled": "0"}).status_code == 403
    upload = SimpleUploadedFile("feeds.opml", OPML)
    assert client.post("/desk/cpw/sources/import", {"opml": upload}).status_code == 403
    assert client.get(f"/desk/cpw/sources/{made.pk}/").status_code == 403
    assert logged_in(pub, "viewer").post("/desk/cpw/paste", PASTE).status_code == 403
    assert Source.objects.get().enabled and Source.objects.count() == 1
    assert not Article.objects.exists() and not AuditEntry.objects.filter(target="source")


def test_an_outlet_s_name_is_one_line_without_escape_sequences(pub: Publication) -> None:
    """The command line lists sources by outlet (`newsdesk source list`): a name typed on
    the desk with an escape sequence in it ran in the operator's terminal."""
    client = logged_in(pub, "admin")
    client.post(
        "/desk/cpw/sources/add",
        {"url": "https://tide.example/rss", "outlet": "Tide\x1b]0;owned\x07\n Wire\x9b"},
    )
    made = Source.objects.get(publication=pub)
    assert made.outlet == "Tide]0;owned Wire"
    client.post(
        f"/desk/cpw/sources/{made.pk}/edit",
        {"url": made.url, "outlet": "\x1b[8mTide Wire", "weight": "1", "enabled": "1"},
    )
    made.refresh_from_db()
    assert made.outlet == "[8mTide Wire"


def test_an_internal_address_is_refused_with_a_message(pub: Publication) -> None:
    client = logged_in(pub, "admin")
    for url in (
        "http://127.0.0.1:8000/feed",
        "http://[::1]/rss",
        "http://[fec0::5]/rss",
        "http://localhost/rss",
        # 127.0.0.1 and 169.254.169.254 in the spellings a resolver reads without a lookup
        "http://2130706433/rss",
        "http://0177.0.0.1/rss",
        "http://0x7f.1/rss",
        "http://127.1/rss",
        "http://2852039166/latest/meta-data/",
    ):
        response = client.post(
            "/desk/cpw/sources/add", {"url": url, "outlet": "Loop <Wire>"}, follow=True
        )
        page = response.content.decode()
        assert "internal address" in page and response.status_code == 400
        # the form comes back as typed (escaped), not emptied
        assert f'value="{url}"' in page and 'value="Loop &lt;Wire&gt;"' in page
    made = source(pub)
    response = client.post(
        f"/desk/cpw/sources/{made.pk}/edit",
        {"url": "http://10.0.0.5/rss", "outlet": "x", "weight": "1", "enabled": "1"},
        follow=True,
    )
    assert "internal address" in response.content.decode()
    assert 'value="http://10.0.0.5/rss"' in response.content.decode()  # kept as typed
    assert response.status_code == 400
    assert list(Source.objects.values_list("url", flat=True)) == [made.url]


def test_opml_import_skips_internal_feeds_and_export_round_trips(pub: Publication) -> None:
    client = logged_in(pub, "admin")
    upload = SimpleUploadedFile("feeds.opml", OPML, content_type="text/xml")
    html = client.post("/desk/cpw/sources/import", {"opml": upload}, follow=True).content.decode()
    assert "Imported 2 new sources, 0 already present, 1 skipped" in html
    assert "127.0.0.1" in html and "internal address" in html
    assert AuditEntry.objects.get(action="source-import").after["created"] == 2
    exported = logged_in(pub, "viewer").get("/desk/cpw/sources/export.opml")
    assert exported["Content-Disposition"] == 'attachment; filename="cpw-sources.opml"'
    body = exported.content.decode()
    assert "harbour-gazette.example/rss" in body and "127.0.0.1" not in body


def test_a_malformed_or_huge_opml_is_a_message_and_stores_nothing(pub: Publication) -> None:
    client = logged_in(pub, "admin")
    bad = SimpleUploadedFile("feeds.opml", b"<opml><body><outline")
    html = client.post("/desk/cpw/sources/import", {"opml": bad}, follow=True).content.decode()
    assert "OPML" in html or "XML" in html
    with override_settings(NEWSDESK_MAX_IMPORT_BYTES=1024):
        huge = SimpleUploadedFile("feeds.opml", OPML + b" " * 2048)
        response = client.post("/desk/cpw/sources/import", {"opml": huge}, follow=True)
    assert "is over 1 KB (NEWSDESK_MAX_IMPORT_BYTES)" in response.content.decode()
    assert not Source.objects.exists() and not AuditEntry.objects.exclude(action="role").exists()


def test_a_pasted_article_is_stored_and_audited(pub: Publication) -> None:
    client = logged_in(pub, "contributor")
    html = client.post("/desk/cpw/paste", PASTE, follow=True).content.decode()
    assert "Stored “Tariff talks resume in Porto Lume”" in html
    stored = Article.objects.get()
    assert stored.arrival == "pasted" and stored.outlet == "Harbour Gazette"
    assert AuditEntry.objects.get(target="article").action == "article-paste"


def test_bad_paste_comes_back_with_what_was_typed(pub: Publication) -> None:
    client = logged_in(pub, "contributor")
    response = client.post("/desk/cpw/paste", {**PASTE, "date": "last Tuesday"})
    html = response.content.decode()
    assert response.status_code == 400 and "date must be YYYY-MM-DD" in html
    assert "Negotiators from Corvia and Estrel met on Monday." in html  # nothing lost
    with override_settings(NEWSDESK_MAX_ARTICLE_BYTES=1024):
        response = client.post("/desk/cpw/paste", {**PASTE, "text": "word " * 400})
    assert "NEWSDESK_MAX_ARTICLE_BYTES" in response.content.decode()
    assert not Article.objects.exists() and not AuditEntry.objects.exclude(action="role").exists()


def test_the_bookmarklet_opens_a_prefilled_form_and_posts_with_csrf(pub: Publication) -> None:
    client = logged_in(pub, "contributor")
    page = client.get("/desk/cpw/sources/").content.decode()
    assert 'href="javascript:(function(){var s=String(window.getSelection())' in page
    assert "http://testserver/desk/cpw/clip?url=" in page
    selection = "Negotiators met. " * 200
    clip = client.get(
        "/desk/cpw/clip", {"url": PASTE["url"], "title": PASTE["title"], "text": selection}
    ).content.decode()
    assert 'value="harbour-gazette.example"' in clip  # the outlet guessed from the host
    assert "was cut" in clip and 'name="csrfmiddlewaretoken"' in clip
    # the page's HTML, when posted, is sanitized to text: no script survives
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    hostile = {
        **PASTE,
        "text": "",
        "html": "<p>Talks resumed.</p><script>alert(1)</script><p onclick='x()'>Again.</p>",
    }
    assert strict.post("/desk/cpw/bookmarklet", hostile).status_code == 403  # no token
    assert not Article.objects.exists()
    client.post("/desk/cpw/bookmarklet", hostile)
    stored = Article.objects.get()
    assert stored.text == "Talks resumed.\nAgain."
    assert "script" not in stored.html and "onclick" not in stored.html
    assert AuditEntry.objects.get(target="article").action == "article-clip"


def test_a_paste_over_the_limit_gets_our_message_not_djangos(pub: Publication) -> None:
    """Django refuses big form bodies by itself (2.5 MB); the desk's own limit speaks first."""
    client = logged_in(pub, "contributor")
    text = "word " * (settings.NEWSDESK_MAX_ARTICLE_BYTES // 5 + 1000)
    response = client.post("/desk/cpw/paste", {**PASTE, "text": text})
    assert response.status_code == 400 and "NEWSDESK_MAX_ARTICLE_BYTES" in response.content.decode()
    assert not Article.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_zone_edits_at_once_leave_the_articles_in_the_last_zone(
    pub: Publication, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second edit waits for the first and re-dates from the zone it left; read
    before the first committed, it re-dated from the zone both started from, which
    no article had any more. SQLite has one writer at a time: PostgreSQL only."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    strait = source(pub, "Strait")
    strait.time_zone = "Asia/Taipei"
    strait.save()
    gmt = article(strait, 0, 1)
    gmt.published, gmt.published_offset = dt.datetime(2026, 12, 4, 23, 30, tzinfo=dt.UTC), 480
    gmt.save()
    admin = member(pub, "admin")
    first_in, second_started = threading.Event(), threading.Event()
    real = sourcing.redate_articles

    def slow_first(found: Source, old_zone: str) -> int:
        if not first_in.is_set():
            first_in.set()
            second_started.wait(10)
            wait_until_blocked("the second edit")  # it waits for this edit's lock
        return real(found, old_zone)

    monkeypatch.setattr(sourcing, "redate_articles", slow_first)

    def edit(zone: str, after: threading.Event | None) -> None:
        if after is not None:
            after.wait(10)
            second_started.set()
        sourcing.edit(
            pub, admin, strait.pk, url=strait.url, outlet="Strait", weight=1,
            language="", enabled=True, time_zone=zone,
        )  # fmt: skip

    errors = run_at_once(
        lambda: edit("Asia/Tokyo", None), lambda: edit("America/New_York", first_in)
    )
    assert errors == []
    strait.refresh_from_db()
    gmt.refresh_from_db()
    assert (strait.time_zone, gmt.published_offset) == ("America/New_York", -300)


@pytest.mark.django_db(transaction=True)
def test_a_batch_stored_during_a_zone_edit_is_dated_by_the_new_zone(
    pub: Publication, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ingest reads the zone of a source whose edit is re-dating: it waits for the edit
    and reads the new zone. Read unlocked, it dated its article by the old zone after
    the edit's re-dating had run, so that one article kept the old offset."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    strait = source(pub, "Strait")
    strait.time_zone = "Asia/Taipei"
    strait.save()
    admin = member(pub, "admin")
    redating, storing = threading.Event(), threading.Event()
    real = sourcing.redate_articles

    def slow(found: Source, old_zone: str) -> int:
        redating.set()
        storing.wait(10)
        wait_until_blocked("the batch")  # it waits to read its source's zone
        return real(found, old_zone)

    monkeypatch.setattr(sourcing, "redate_articles", slow)
    entry = FeedEntry(
        title="Ferry schedule",
        link="https://strait.example/ferry",
        id="ferry",
        published=dt.datetime(2026, 12, 4, 23, 30, tzinfo=dt.UTC),
        content="<p>The harbour board moved the night ferry to eleven.</p>",
    )
    drafted = build_article(link=entry.link, outlet="Strait", arrival=Arrival.FEED, entry=entry)

    def edit() -> None:
        sourcing.edit(
            pub, admin, strait.pk, url=strait.url, outlet="Strait", weight=1,
            language="", enabled=True, time_zone="America/New_York",
        )  # fmt: skip

    def store() -> None:
        redating.wait(10)
        storing.set()
        store_batch([drafted], strait, load_near_index())

    assert run_at_once(edit, store) == []
    assert Article.objects.get(url=entry.link).published_offset == -300


def test_a_refused_import_and_a_reopened_form_come_back_to_the_sources_page(
    pub: Publication,
) -> None:
    """A refused OPML import (no file chosen) was shown on the inbox; and the address a
    refused paste or feed is shown at (.../paste, .../sources/add), reloaded by GET or
    opened again, was an empty 405 page."""
    client = logged_in(pub, "admin")
    refused = client.post("/desk/cpw/sources/import", {})
    assert refused["Location"] == "/desk/cpw/sources/"
    assert "choose the OPML file to upload" in client.get("/desk/cpw/sources/").content.decode()
    for path in ("paste", "bookmarklet", "sources/add", "sources/import"):
        reopened = client.get(f"/desk/cpw/{path}")
        assert (reopened.status_code, reopened["Location"]) == (302, "/desk/cpw/sources/"), path
    feed = source(pub)
    reopened = client.get(f"/desk/cpw/sources/{feed.pk}/edit")
    assert reopened["Location"] == f"/desk/cpw/sources/{feed.pk}/"

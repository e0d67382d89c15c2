import pickle
from datetime import UTC, datetime, timedelta, timezone

from newsdesk.pipeline.intake.articles import (
    Preparing,
    build_article,
    choose_date,
    feed_has_full_text,
    prepare_entries,
    read_feed,
    strip_paywall,
)
from newsdesk.pipeline.types import Arrival, Extracted, FeedEntry, TextSource

LONG = " ".join(f"word{i}" for i in range(400))


def entry(**kw: object) -> FeedEntry:
    base = dict(
        title="Deal signed",
        link="http://o.example/a?utm_source=rss",
        id="1",
        published=datetime(2026, 11, 17, 8, 0, tzinfo=UTC),
        summary="A short teaser.",
    )
    base.update(kw)
    return FeedEntry(**base)  # type: ignore[arg-type]


def test_choose_date() -> None:
    feed = datetime(2026, 11, 17, 8, 0, tzinfo=UTC)
    assert choose_date(feed, None) == (feed, "")
    assert choose_date(None, feed) == (feed, "")
    bare = datetime(2026, 11, 17, tzinfo=UTC)
    assert choose_date(feed, bare) == (feed, "")  # page gives only the day: keep the feed's time
    page = datetime(2026, 11, 17, 7, 45, tzinfo=UTC)
    assert choose_date(feed, page) == (page, "")
    far = datetime(2026, 11, 12, 7, 45, tzinfo=UTC)
    date, note = choose_date(feed, far)
    assert date == far and "feed says 2026-11-17" in note


def test_a_bare_page_date_is_the_outlets_day_not_the_utc_one() -> None:
    """07:30 in Taipei on November 17 is November 16 in UTC; a page that gives only
    "2026-11-17" agrees with it, so the feed's time (and offset) is kept."""
    taipei = timezone(timedelta(hours=8))
    feed = datetime(2026, 11, 17, 7, 30, tzinfo=taipei)
    bare = datetime(2026, 11, 17, tzinfo=UTC)
    assert choose_date(feed, bare) == (feed, "")
    assert choose_date(feed, bare)[0].utcoffset() == timedelta(hours=8)
    local_midnight = datetime(2026, 11, 17, 0, 0, tzinfo=taipei)  # a time, not a bare day
    assert choose_date(feed, local_midnight) == (local_midnight, "")
    far = datetime(2026, 11, 12, 9, 0, tzinfo=taipei)
    assert "page says 2026-11-12 01:00Z" in choose_date(feed, far)[1]
    page_in_utc = datetime(2026, 11, 16, 23, 45, tzinfo=UTC)  # the page's own time wins
    chosen, _ = choose_date(feed, page_in_utc)
    assert chosen == page_in_utc and chosen.utcoffset() == timedelta(hours=8)
    assert chosen.date() == datetime(2026, 11, 17).date()  # on the outlet's clock


def test_full_text_feed_needs_no_page() -> None:
    assert feed_has_full_text(entry(content=f"<p>{LONG}</p>"))
    assert not feed_has_full_text(entry())
    draft = build_article(
        link="http://o.example/a?utm_source=rss",
        outlet="O",
        arrival=Arrival.FEED,
        entry=entry(content=f"<p>{LONG}</p><script>x()</script>"),
    )
    assert draft.text_source is TextSource.FEED
    assert "<script" not in draft.html and draft.text.startswith("word0")
    assert draft.url == "http://o.example/a"
    assert draft.original_urls == ("http://o.example/a?utm_source=rss",)


def test_a_summary_holding_the_whole_article_is_full_text() -> None:
    """An Atom <summary> (or RSS <description>) of article length, no <content>: the
    feed gave the whole text, so no page is needed and it is not a teaser."""
    paragraphs = "".join(f"<p>{LONG[k * 700 : (k + 1) * 700]}</p>" for k in range(4))
    whole = entry(summary=paragraphs)
    assert feed_has_full_text(whole)
    draft = build_article(link="http://o.example/a", outlet="O", arrival=Arrival.FEED, entry=whole)
    assert draft.text_source is TextSource.FEED
    assert draft.html.count("<p>") == 4 and len(draft.text.split("\n")) == 4
    failed = build_article(
        link="http://o.example/a",
        outlet="O",
        arrival=Arrival.FEED,
        entry=whole,
        page_error="http: HTTP 404",
    )
    assert failed.text_source is TextSource.FEED
    short = entry(summary="<p>Two sentences of teaser.</p><p>And a second paragraph.</p>")
    assert not feed_has_full_text(short)
    teaser = build_article(link="http://o.example/a", outlet="O", arrival=Arrival.FEED, entry=short)
    assert teaser.text_source is TextSource.TEASER


def test_paywall_stub_falls_back_to_feed_teaser() -> None:
    teaser = "Two long paragraphs of teaser text " * 10
    stub = Extracted(text="Only the first sentence. Subscribe to continue reading.")
    draft = build_article(
        link="http://o.example/a",
        outlet="O",
        arrival=Arrival.FEED,
        entry=entry(summary=teaser),
        page=stub,
        page_url="http://o.example/a",
    )
    assert draft.text_source is TextSource.TEASER
    assert "shorter than the feed" in draft.notes[0]


def test_a_paywall_stub_longer_than_the_teaser_is_kept_as_a_teaser() -> None:
    opening = "The tram levy report opens with a paragraph all visitors may read. " * 4
    page_text = f"{opening}\nSubscribe to continue reading\nAlready a subscriber? Sign in."
    draft = build_article(
        link="http://o.example/a",
        outlet="O",
        arrival=Arrival.FEED,
        entry=entry(summary="A short teaser."),
        page=Extracted(text=page_text),
        page_url="http://o.example/a",
    )
    assert draft.text == opening.strip() and "the page is paywalled" in draft.notes
    assert draft.text_source is TextSource.TEASER  # not stored as the page's full text
    by_url = build_article(  # an editor who adds such a page by its URL sees the same
        link="http://o.example/a", outlet="O", arrival=Arrival.MANUAL_URL, page=Extracted(page_text)
    )
    assert by_url.text_source is TextSource.TEASER


def test_a_date_in_the_future_is_replaced_by_the_arrival_and_noted() -> None:
    taipei = timezone(timedelta(hours=8))
    before = datetime.now(UTC)
    far = datetime(2099, 1, 1, 10, 0, tzinfo=taipei)
    draft = build_article(
        link="http://o.example/a", outlet="O", arrival=Arrival.FEED, entry=entry(published=far)
    )
    assert draft.published is not None and before <= draft.published <= datetime.now(UTC)
    assert draft.published.utcoffset() == timedelta(hours=8)  # still the outlet's clock
    assert draft.date_note == "dated 2099-01-01 02:00Z, in the future; used its arrival"
    soon = datetime.now(UTC) + timedelta(minutes=5)  # a clock a little ahead of ours
    near = build_article(
        link="http://o.example/a", outlet="O", arrival=Arrival.FEED, entry=entry(published=soon)
    )
    assert near.published == soon and near.date_note == ""


def test_page_text_and_canonical_win() -> None:
    page = Extracted(
        text=LONG,
        html="<p>x</p>",
        title="Page title",
        published=datetime(2026, 11, 17, 7, 59, tzinfo=UTC),
        canonical_url="/canonical/a",
    )
    draft = build_article(
        link="http://o.example/a?utm_source=rss",
        outlet="O",
        arrival=Arrival.FEED,
        entry=entry(),
        page=page,
        page_url="http://o.example/a-moved",
    )
    assert draft.text_source is TextSource.PAGE and draft.text == LONG
    assert draft.url == "http://o.example/canonical/a"
    assert draft.title == "Deal signed"  # the feed's headline is kept
    assert draft.original_urls == ("http://o.example/a?utm_source=rss", "http://o.example/a-moved")


def test_a_malformed_declared_canonical_url_costs_only_the_canonical() -> None:
    page = Extracted(text=LONG, html="<p>x</p>", canonical_url="http://[::1/broken")
    draft = build_article(
        link="http://o.example/a?utm_source=rss",
        outlet="O",
        arrival=Arrival.FEED,
        entry=entry(),
        page=page,
        page_url="http://o.example/a",
    )
    assert draft.text_source is TextSource.PAGE and draft.text == LONG
    assert draft.url == "http://o.example/a"


def test_unreachable_page_is_noted() -> None:
    draft = build_article(
        link="http://o.example/a",
        outlet="O",
        arrival=Arrival.FEED,
        entry=entry(),
        page_error="http: HTTP 503",
    )
    assert draft.text == "A short teaser." and "HTTP 503" in draft.notes[0]


def test_paywall_box_is_cut_and_feed_preferred() -> None:
    page_text = (
        "The first paragraph of the report, which is all a visitor sees.\n"
        "Subscribe to continue reading\nGet unlimited access from $1 a week."
    )
    stripped, found = strip_paywall(page_text)
    assert found and stripped == "The first paragraph of the report, which is all a visitor sees."
    teaser = "The first paragraph of the report, which is all a visitor sees. And a second one " * 2
    draft = build_article(
        link="http://o.example/a",
        outlet="O",
        arrival=Arrival.FEED,
        entry=entry(summary=teaser),
        page=Extracted(text=page_text),
    )
    assert draft.text_source is TextSource.TEASER and "Subscribe" not in draft.text
    assert "the page is paywalled" in draft.notes
    assert strip_paywall("Subscribe to continue reading is a phrase.\nBody") == (
        "Subscribe to continue reading is a phrase.\nBody",
        False,
    )  # first line is never a box


RSS = """<?xml version="1.0"?><rss version="2.0"
xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>O</title>
<link>http://o.example/</link>{items}</channel></rss>"""


def rss_item(n: int, text: str) -> str:
    return (
        f"<item><title>Item {n}</title><link>http://o.example/{n}?utm_source=rss</link>"
        f"<guid>o-{n}</guid><pubDate>Tue, 17 Nov 2026 08:0{n}:00 GMT</pubDate>"
        "<description>A teaser.</description>"
        + (f"<content:encoded><![CDATA[<p>{text}</p>]]></content:encoded>" if text else "")
        + "</item>"
    )


def test_read_feed_prepares_entries_in_the_same_trip_except_those_to_skip() -> None:
    items = "".join(rss_item(n, LONG if n else "") for n in range(3))
    content = RSS.format(items=items).encode()
    plain = read_feed(content, url="http://o.example/feed")
    assert len(plain.feed.entries) == 3 and not plain.prepared.drafts

    skip = frozenset({"http://o.example/1?utm_source=rss"})
    read = read_feed(
        content, url="http://o.example/feed", prepare=Preparing("The Outlet", skip=skip)
    )
    # entry 0 carries a teaser only: its page is needed; entry 1 is skipped; entry 2 is built
    assert [e.link for e in read.prepared.need_pages] == ["http://o.example/0?utm_source=rss"]
    assert read.prepared.draft_links == ("http://o.example/2?utm_source=rss",)
    (built,) = read.prepared.drafts
    assert built.url == "http://o.example/2" and built.outlet == "The Outlet"
    assert built.text.startswith("word0 word1") and built.signature
    assert read.links == plain.links == tuple(e.link for e in plain.feed.entries)
    assert plain.feed.entries[2].content and not read.feed.entries  # the drafts carry them
    # what a worker sends back arrives whole (the drafts travel as plain tuples)
    again = pickle.loads(pickle.dumps(read))
    assert again == read and again.prepared.drafts[0].signature == built.signature

    no_pages = read_feed(
        content, url="http://o.example/feed", prepare=Preparing("O", fetch_pages=False)
    )
    assert len(no_pages.prepared.drafts) == 3 and not no_pages.prepared.need_pages


def test_an_entry_that_cannot_be_built_is_listed_and_the_others_go_on() -> None:
    good = entry(link="http://o.example/good", content=f"<p>{LONG}</p>")
    odd = entry(link="http://[odd/x", content=f"<p>{LONG}</p>")
    prepared = prepare_entries([odd, good], outlet="O")
    assert prepared.draft_links == ("http://o.example/good",)
    ((link, kind, message),) = prepared.failures
    # a malformed link is the feed's doing, not a bug of ours
    assert (link, kind) == ("http://[odd/x", "blocked") and "malformed URL" in message
    assert pickle.loads(pickle.dumps(prepared)) == prepared

from datetime import UTC, datetime

from newsdesk.pipeline.intake import build_article, choose_date, feed_has_full_text, strip_paywall
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

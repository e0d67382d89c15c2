"""Tests for newsdesk.pipeline.intake.feeds. Every feed here is made up; no network."""

from __future__ import annotations

import io
import json
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import pytest

from newsdesk.pipeline.errors import FeedError, NewsdeskError
from newsdesk.pipeline.intake import feeds
from newsdesk.pipeline.intake.dates import offset_minutes
from newsdesk.pipeline.intake.feeds import parse_fast, parse_feed, parse_with_feedparser
from newsdesk.pipeline.types import ParsedFeed

SHARED = Path(__file__).resolve().parents[3].parent / "shared"
CORPUS = SHARED / "eval" / "dev" / "feeds"

RSS2 = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Harbour Council &amp; Friends</title>
  <link>https://harbour.example/</link>
  <language>en-gb</language>
  <item>
    <title>Tide tables &amp;amp; the caf&#233;   budget</title>
    <link>/news/tide-tables</link>
    <guid isPermaLink="false">harbour-2024-0001</guid>
    <pubDate>Tue, 05 Mar 2024 09:30:00 +0530</pubDate>
    <dc:creator>Ada Quay</dc:creator>
    <description>&lt;p&gt;Short teaser.&lt;/p&gt;</description>
    <content:encoded><![CDATA[<p>The <b>full</b> story of the tide tables.</p>]]></content:encoded>
  </item>
  <item>
    <title>Second item</title>
    <link>https://harbour.example/news/second</link>
    <pubDate>Mon, 04 Mar 2024 23:15:00 -0800</pubDate>
    <description>Only a teaser here.</description>
  </item>
</channel>
</rss>"""

RSS1 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://lighthouse.example/">
    <title>Lighthouse Notes</title>
    <link>https://lighthouse.example/</link>
    <description>Notes</description>
    <items><rdf:Seq><rdf:li rdf:resource="https://lighthouse.example/n/1"/></rdf:Seq></items>
  </channel>
  <item rdf:about="https://lighthouse.example/n/1">
    <title>Lamp &lt;b&gt;replaced&lt;/b&gt;</title>
    <link>https://lighthouse.example/n/1</link>
    <description>The lamp was replaced.</description>
    <dc:date>2023-11-30T22:00:00-03:00</dc:date>
    <dc:creator>Bo Keeper</dc:creator>
  </item>
</rdf:RDF>"""

ATOM10 = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://ferry.example/blog/">
  <title type="html">Ferry &amp;amp; Co</title>
  <link href="./"/>
  <id>tag:ferry.example,2024:feed</id>
  <updated>2024-06-01T12:00:00+14:00</updated>
  <entry xml:base="posts/">
    <title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">New <b>timetable</b></div></title>
    <link rel="alternate" href="timetable.html"/>
    <link rel="enclosure" href="/media/t.mp3"/>
    <id>tag:ferry.example,2024:1</id>
    <published>2024-05-31T23:30:00-05:00</published>
    <updated>2024-06-01T08:00:00+02:00</updated>
    <author><name>Cy Deck</name></author>
    <author><name>Di Helm</name><email>di@ferry.example</email></author>
    <summary>Timetable changes.</summary>
    <content type="html">&lt;p&gt;See &lt;a href="map.html"&gt;the map&lt;/a&gt;.&lt;/p&gt;
    </content>
  </entry>
</feed>"""

ATOM03 = b"""<?xml version="1.0" encoding="utf-8"?>
<feed version="0.3" xmlns="http://purl.org/atom/ns#">
  <title>Old Pier</title>
  <link rel="alternate" type="text/html" href="https://pier.example/"/>
  <modified>2004-01-02T10:00:00Z</modified>
  <entry>
    <title>Pier reopens</title>
    <link rel="alternate" type="text/html" href="/2004/pier-reopens"/>
    <id>tag:pier.example,2004:1</id>
    <issued>2004-01-01T18:00:00+01:00</issued>
    <modified>2004-01-02T09:00:00Z</modified>
    <author><name>Ed Plank</name></author>
    <content type="text/html" mode="escaped">&lt;p&gt;The pier is open again.&lt;/p&gt;</content>
  </entry>
</feed>"""

JSON11 = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "Canal Log",
    "home_page_url": "https://canal.example/",
    "feed_url": "https://canal.example/feed.json",
    "language": "nl",
    "items": [
        {
            "id": "lock-7",
            "url": "/log/lock-7",
            "title": "Lock 7 &amp; the <em>new</em> gates",
            "content_html": "<p>Gates fitted.</p>",
            "summary": "Gates.",
            "date_published": "2024-02-29T23:59:00-02:00",
            "date_modified": "2024-03-01T10:00:00Z",
            "authors": [{"name": "Fay Lock"}, {"name": "Gus Weir"}],
        },
        {"id": 42, "content_text": "Water <level> normal.", "date_published": "not a date"},
    ],
}


def fast_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the feedparser fallback fail loudly, to prove the fast path answered."""

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("feedparser should not have been needed")

    monkeypatch.setattr(feedparser, "parse", boom)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Record, and refuse, any attempt to open a connection."""
    attempts: list[Any] = []

    def refuse(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise OSError("network disabled in tests")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: refuse(None, a))  # type: ignore[arg-type]
    return attempts


# --- formats ---------------------------------------------------------------------


def test_rss2_with_content_encoded(monkeypatch: pytest.MonkeyPatch) -> None:
    fast_only(monkeypatch)
    feed = parse_feed(RSS2, url="https://harbour.example/feed.xml")
    assert feed.parser == "fast"
    assert feed.title == "Harbour Council & Friends"
    assert feed.link == "https://harbour.example/"
    assert feed.language == "en-gb"
    assert not feed.bozo
    first, second = feed.entries
    assert first.title == "Tide tables & the café budget"
    assert first.link == "https://harbour.example/news/tide-tables"
    assert first.id == "harbour-2024-0001"
    assert first.published == datetime(2024, 3, 5, 4, 0, tzinfo=UTC)
    assert first.summary == "<p>Short teaser.</p>"
    assert first.content == "<p>The <b>full</b> story of the tide tables.</p>"
    assert first.authors == ("Ada Quay",)
    assert second.id == second.link == "https://harbour.example/news/second"
    assert second.published == datetime(2024, 3, 5, 7, 15, tzinfo=UTC)
    assert second.summary == "Only a teaser here."
    assert second.content == ""  # the feed only has a teaser


def test_rss1(monkeypatch: pytest.MonkeyPatch) -> None:
    fast_only(monkeypatch)
    feed = parse_feed(RSS1, url="https://lighthouse.example/index.rdf")
    assert feed.title == "Lighthouse Notes"
    (entry,) = feed.entries
    assert entry.title == "Lamp replaced"
    assert entry.link == entry.id == "https://lighthouse.example/n/1"
    # dc:date is filed as the updated date, as feedparser does
    assert entry.published is None
    assert entry.updated == datetime(2023, 12, 1, 1, 0, tzinfo=UTC)
    assert entry.summary == "The lamp was replaced."
    assert entry.authors == ("Bo Keeper",)


def test_atom10_xml_base_resolves_links() -> None:
    feed = parse_feed(ATOM10, url="https://ferry.example/feed.atom")
    assert feed.parser == "feedparser"  # fastfeedparser ignores xml:base
    assert feed.title == "Ferry & Co"
    assert feed.link == "https://ferry.example/blog/"
    (entry,) = feed.entries
    assert entry.title == "New timetable"
    assert entry.link == "https://ferry.example/blog/posts/timetable.html"
    assert entry.id == "tag:ferry.example,2024:1"
    assert entry.published == datetime(2024, 6, 1, 4, 30, tzinfo=UTC)
    assert entry.updated == datetime(2024, 6, 1, 6, 0, tzinfo=UTC)
    assert entry.authors == ("Cy Deck", "Di Helm")
    assert entry.summary == "Timetable changes."
    assert entry.content.strip() == '<p>See <a href="map.html">the map</a>.</p>'  # left as it is


def test_atom03_relative_link_uses_the_feed_url(monkeypatch: pytest.MonkeyPatch) -> None:
    fast_only(monkeypatch)
    feed = parse_feed(ATOM03, url="https://pier.example/atom.xml")
    assert feed.title == "Old Pier"
    (entry,) = feed.entries
    assert entry.link == "https://pier.example/2004/pier-reopens"
    assert entry.published == datetime(2004, 1, 1, 17, 0, tzinfo=UTC)
    assert entry.updated == datetime(2004, 1, 2, 9, 0, tzinfo=UTC)
    assert entry.content == "<p>The pier is open again.</p>"
    assert entry.summary == ""  # no summary in the feed, only content
    assert entry.authors == ("Ed Plank",)


def test_atom_entry_link_is_the_alternate_one(monkeypatch: pytest.MonkeyPatch) -> None:
    fast_only(monkeypatch)
    doc = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>Buoys</title>
    <entry><id>tag:buoy.example,2024:1</id><title>One</title>
      <link rel="enclosure" href="https://buoy.example/1.mp3"/><link href="/posts/1"/></entry>
    <entry><id>tag:buoy.example,2024:2</id><title>Two</title>
      <link rel="self" href="https://buoy.example/api/2"/></entry>
    <entry><id>https://buoy.example/posts/3</id><title>Three</title></entry>
    </feed>"""
    one, two, three = parse_feed(doc, url="https://buoy.example/atom").entries
    assert (one.link, one.id) == ("https://buoy.example/posts/1", "tag:buoy.example,2024:1")
    assert (two.link, two.id) == ("", "tag:buoy.example,2024:2")
    assert three.link == three.id == "https://buoy.example/posts/3"  # the id stands in


def test_json_feed_1_1() -> None:
    feed = parse_feed(json.dumps(JSON11).encode(), url="https://canal.example/other.json")
    assert feed.parser == "fast"
    assert (feed.title, feed.link, feed.language) == ("Canal Log", "https://canal.example/", "nl")
    first, second = feed.entries
    assert first.title == "Lock 7 & the new gates"
    assert first.link == "https://canal.example/log/lock-7"  # against feed_url
    assert first.id == "lock-7"
    assert first.published == datetime(2024, 3, 1, 1, 59, tzinfo=UTC)
    assert first.updated == datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
    assert first.authors == ("Fay Lock", "Gus Weir")
    assert (first.summary, first.content) == ("Gates.", "<p>Gates fitted.</p>")
    assert second.id == "42"
    assert second.content == "Water &lt;level&gt; normal."
    assert second.published is None


def test_json_feed_1_0_single_author_and_bom() -> None:
    doc = {
        "version": "https://jsonfeed.org/version/1",
        "title": "Dock",
        "items": [{"id": "a", "url": "https://dock.example/a", "author": {"name": "Hal"}}],
    }
    feed = parse_feed(b"\xef\xbb\xbf" + json.dumps(doc).encode())
    assert feed.entries[0].authors == ("Hal",)


def test_dates_in_odd_zones(monkeypatch: pytest.MonkeyPatch) -> None:
    fast_only(monkeypatch)
    items = "".join(
        f"<item><title>{i}</title><link>https://t.example/{i}</link><pubDate>{d}</pubDate></item>"
        for i, d in enumerate(
            [
                "Sat, 31 Dec 2022 23:45:00 -1200",
                "Sun, 01 Jan 2023 00:15:00 +1345",
                "Tue, 10 Jun 2003 04:00:00 EDT",
                "Tue, 10 Jun 2003 04:00:00 GMT",
                "not a date at all",
            ]
        )
    )
    doc = f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()
    got = [e.published for e in parse_feed(doc).entries]
    assert got == [
        datetime(2023, 1, 1, 11, 45, tzinfo=UTC),
        datetime(2022, 12, 31, 10, 30, tzinfo=UTC),
        datetime(2003, 6, 10, 8, 0, tzinfo=UTC),
        datetime(2003, 6, 10, 4, 0, tzinfo=UTC),
        None,
    ]
    # each kept in the offset its outlet declared: its day is the attribution's
    assert [offset_minutes(d) for d in got] == [-720, 825, -240, 0, None]
    assert [d.date().day if d else None for d in got] == [31, 1, 10, 10, None]


def test_html_entities_and_markup_in_titles() -> None:
    doc = b"""<rss version="2.0"><channel><title>t</title>
    <item><title>Rock &amp;amp; Roll &#8217;24 &lt;i&gt;live&lt;/i&gt;</title><link>https://e.example/1</link></item>
    <item><title><![CDATA[Caf&eacute; &ndash; <b>open</b>]]></title><link>https://e.example/2</link></item>
    <item><title>  spread
       over   lines </title><link>https://e.example/3</link></item>
    </channel></rss>"""
    titles = [e.title for e in parse_feed(doc).entries]
    assert titles == ["Rock & Roll \u201924 live", "Caf\u00e9 \u2013 open", "spread over lines"]


def test_fast_path_and_feedparser_agree_on_a_plain_feed() -> None:
    fast = parse_fast(RSS2, url="https://harbour.example/feed.xml")
    slow = parse_with_feedparser(RSS2, url="https://harbour.example/feed.xml")
    assert (fast.parser, slow.parser) == ("fast", "feedparser")
    assert fast.title == slow.title
    assert len(fast.entries) == len(slow.entries) == 2
    for a, b in zip(fast.entries, slow.entries, strict=True):
        assert (a.title, a.link, a.id, a.published, a.updated) == (
            b.title,
            b.link,
            b.id,
            b.published,
            b.updated,
        )
        assert (a.summary, a.content, a.authors) == (b.summary, b.content, b.authors)


def test_charset_in_content_type_wins() -> None:
    doc = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
    doc += "<item><title>Gr\u00fc\u00dfe</title><link>https://e.example/1</link></item>"
    doc += "</channel></rss>"
    feed = parse_feed(doc.encode("latin-1"), content_type="text/xml; charset=iso-8859-1")
    assert feed.parser == "feedparser"
    assert feed.entries[0].title == "Gr\u00fc\u00dfe"


# --- broken and non-feed input ------------------------------------------------------


def test_broken_feed_is_recovered_by_feedparser() -> None:
    doc = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Broken &amp; bent</title>
    <item><title>Tides &amp; times</title><link>https://e.example/?a=1&b=2</link></item>
    <item><title>Second &nbsp;one</title><link>https://e.example/2</link>
    </channel></rss>"""
    feed = parse_feed(doc)
    assert feed.parser == "feedparser"
    assert feed.bozo
    assert [e.title for e in feed.entries] == ["Tides & times", "Second one"]
    assert feed.entries[0].link == "https://e.example/?a=1&b=2"


@pytest.mark.parametrize(
    "doc",
    [
        b"<!DOCTYPE html><html><head><title>Home</title></head><body><p>Hi</p></body></html>",
        b"<html><body><h1>Not a feed</h1><a href='/rss'>rss</a></body></html>",
        b'<svg xmlns="http://www.w3.org/2000/svg"><title>x</title></svg>',
        b"\x00\x01\x02\xff\xfe garbage \x89PNG",
        b"plain text, nothing else",
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Cut off</title><descr',
    ],
    ids=["html", "html-no-doctype", "svg", "garbage", "text", "truncated"],
)
def test_non_feeds_raise_feed_error(doc: bytes) -> None:
    with pytest.raises(FeedError) as info:
        parse_feed(doc, url="https://e.example/page")
    message = str(info.value)
    assert message.startswith("not a feed")
    assert "\n" not in message


def test_html_page_message_names_the_root() -> None:
    with pytest.raises(FeedError, match="<html>"):
        parse_feed(b"<!DOCTYPE html>\n<html><body>x</body></html>")


def test_white_space_before_the_root_does_not_stall_feedparser() -> None:
    # feedparser's DOCTYPE patterns are quadratic in white space before the root
    doc = b'<?xml version="1.0"?>' + b"\n" * 300_000 + b"<!DOCTYPE rss>" + RSS2.split(b"?>", 1)[1]
    assert len(feeds._defuse_doctype(doc)) < 10_000  # collapsed before feedparser sees it
    feed = parse_feed(doc)
    assert feed.parser == "feedparser" and len(feed.entries) == 2


def test_content_markup_does_not_stall_the_fallback() -> None:
    # unclosed comments made feedparser's sanitizer quadratic; the bare & forces the fallback
    doc = RSS2.replace(b"<p>The <b>full</b>", b"<!--" * 50_000).replace(
        b"Harbour Council &amp;", b"H &"
    )
    feed = parse_feed(doc)
    # the comments survive: feedparser's (quadratic) sanitizer did not run on them
    assert feed.parser == "feedparser" and feed.entries[0].content.startswith("<!--<!--")


@pytest.mark.parametrize("doc", [b"", b"   \n\t", b"\xef\xbb\xbf  "])
def test_empty_input(doc: bytes) -> None:
    with pytest.raises(FeedError, match="empty"):
        parse_feed(doc)


def test_a_valid_feed_without_items_is_not_an_error() -> None:
    doc = b'<rss version="2.0"><channel><title>Quiet</title><link>https://q.example/</link></channel></rss>'
    feed = parse_feed(doc)
    assert (feed.title, feed.entries) == ("Quiet", ())


@pytest.mark.parametrize(
    "doc",
    [
        b'{"name": "not a feed", "items": "nope"}',
        b'{"version": "1.0", "entries": []}',
        b"[1, 2, 3]",
        b'{"version": "https://jsonfeed.org/version/1.1", "items": [',
        b"[" * 50_000 + b"]" * 50_000,
    ],
    ids=["object", "other-version", "array", "invalid", "deep"],
)
def test_json_that_is_not_a_json_feed(doc: bytes) -> None:
    with pytest.raises(FeedError, match="not a feed"):
        parse_feed(doc)


def test_oversize_input_is_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("must not parse")

    monkeypatch.setattr(feeds.fastfeedparser, "parse", boom)
    monkeypatch.setattr(feedparser, "parse", boom)
    doc = b"<rss>" + b" " * feeds.MAX_FEED_BYTES + b"</rss>"
    with pytest.raises(FeedError, match="limit"):
        parse_feed(doc)


def test_input_just_under_the_cap_is_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feeds, "MAX_FEED_BYTES", len(RSS2))
    assert len(parse_feed(RSS2).entries) == 2
    monkeypatch.setattr(feeds, "MAX_FEED_BYTES", len(RSS2) - 1)
    with pytest.raises(FeedError):
        parse_feed(RSS2)


def test_not_bytes_is_a_feed_error() -> None:
    with pytest.raises(FeedError, match="bytes"):
        parse_feed("https://e.example/feed.xml")  # type: ignore[arg-type]


def test_a_parser_crashing_on_hostile_input_is_a_feed_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("parser exploded")

    monkeypatch.setattr(feeds.fastfeedparser, "parse", boom)
    monkeypatch.setattr(feedparser, "parse", boom)
    for parse in (parse_feed, parse_fast, parse_with_feedparser):
        with pytest.raises(FeedError) as info:
            parse(RSS2)
        assert isinstance(info.value, ValueError) and isinstance(info.value, NewsdeskError)
        assert isinstance(info.value.__cause__, RuntimeError)


@pytest.mark.parametrize("helper", ["_fast_entry", "_feedparser_entry", "_json_entry"])
def test_a_slip_in_our_own_mapping_is_a_bug_not_bad_input(
    helper: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the third-party parsers' failures mean a bad feed; ours keep their traceback."""

    def slip(*args: Any, **kwargs: Any) -> Any:
        raise KeyError("our own mistake")

    monkeypatch.setattr(feeds, helper, slip)
    parse = parse_with_feedparser if helper == "_feedparser_entry" else parse_feed
    document = json.dumps(JSON11).encode() if helper == "_json_entry" else RSS2
    with pytest.raises(KeyError, match="our own mistake"):
        parse(document)


def test_fast_path_failure_falls_back_to_feedparser(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("fast path cannot read this")

    monkeypatch.setattr(feeds.fastfeedparser, "parse", boom)
    feed = parse_feed(RSS2)
    assert feed.parser == "feedparser"
    assert feed.entries[0].title == "Tide tables & the café budget"


# --- hostile XML ---------------------------------------------------------------------------

LOL_ENTITIES = '<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{i} "{("&lol%s;" % ("" if i == 1 else i - 1)) * 10}">' for i in range(1, 10)
)


@pytest.mark.parametrize("newlines", [False, True], ids=["one-line", "line-per-entity"])
@pytest.mark.parametrize("parse", [parse_feed, parse_fast, parse_with_feedparser])
def test_billion_laughs_is_not_expanded(newlines: bool, parse: Any) -> None:
    subset = LOL_ENTITIES.replace("><", ">\n<") if newlines else LOL_ENTITIES
    doc = (
        f'<?xml version="1.0"?><!DOCTYPE rss [{subset}]><rss version="2.0"><channel>'
        "<title>Laughs</title><item><title>a &lol9; b</title><link>https://e.example/1</link>"
        "<description>&lol9;&lol9;</description></item></channel></rss>"
    ).encode()
    feed = parse(doc)
    assert "lollol" not in repr(feed)
    assert len(repr(feed)) < 2000
    assert feed.entries[0].link == "https://e.example/1"


@pytest.mark.parametrize(
    "prolog",
    ["", "\n<!-- <a> -->\n", " " * 70_000 + "<!-- <a> -->", "<?pi x?>" * 3 + "\n" * 70_000],
    ids=["plain", "comment", "padding-and-comment", "pis-and-padding"],
)
def test_parsers_never_see_entity_declarations(
    prolog: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bytes] = []
    real_fast, real_slow = feeds.fastfeedparser.parse, feedparser.parse

    def fast(source: bytes, **kwargs: Any) -> Any:
        seen.append(source)
        return real_fast(source, **kwargs)

    def slow(stream: Any, **kwargs: Any) -> Any:
        seen.append(stream.getvalue())
        return real_slow(stream, **kwargs)

    monkeypatch.setattr(feeds.fastfeedparser, "parse", fast)
    monkeypatch.setattr(feedparser, "parse", slow)
    doc = (
        f'<?xml version="1.0"?>{prolog}<!DOCTYPE rss [{LOL_ENTITIES}]>'
        '<rss version="2.0"><channel><item><title>&lol9;</title></item></channel></rss>'
    ).encode()
    parse_feed(doc)
    parse_fast(doc)
    assert seen
    assert all(b"<!ENTITY" not in data and b"lollol" not in data for data in seen)


def test_entity_declarations_outside_the_prolog_are_refused() -> None:
    doc = b'junk <!ENTITY a "aaaa"> <rss version="2.0"><channel><item><title>&a;</title></item>'
    doc += b"</channel></rss>"
    with pytest.raises(FeedError, match="entity"):
        parse_feed(doc)


def test_harmless_internal_entities_are_still_expanded() -> None:
    doc = b"""<!DOCTYPE rss [
<!ENTITY org "Harbour Council">
<!ENTITY copy "&#169;">
]>
<rss version="2.0"><channel><title>&org; &copy;</title>
<item><title>From &org;</title><link>https://e.example/1</link></item></channel></rss>"""
    feed = parse_feed(doc)
    assert feed.title == "Harbour Council \u00a9"
    assert feed.entries[0].title == "From Harbour Council"


def test_quadratic_blowup_is_refused() -> None:
    big = "x" * 100_000
    doc = (
        f'<!DOCTYPE rss [<!ENTITY big "{big}">]><rss version="2.0"><channel><item>'
        f"<title>t</title><description>{'&big;' * 200}</description></item></channel></rss>"
    ).encode()
    with pytest.raises(FeedError, match="expand"):
        parse_feed(doc)


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-7f3a9", encoding="utf-8")
    return path


@pytest.mark.parametrize("parse", [parse_feed, parse_fast, parse_with_feedparser])
@pytest.mark.parametrize("newlines", [False, True], ids=["one-line", "multi-line"])
def test_external_entities_never_read_files(
    parse: Any, newlines: bool, secret_file: Path, no_network: list[Any]
) -> None:
    sep = "\n" if newlines else ""
    for target in ("file:///etc/passwd", secret_file.as_uri()):
        doc = (
            f'<?xml version="1.0"?>{sep}<!DOCTYPE rss [{sep}'
            f'<!ENTITY xxe SYSTEM "{target}">{sep}'
            f'<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd">{sep}%remote;{sep}]>{sep}'
            '<rss version="2.0"><channel><title>x&xxe;</title><item><title>a&xxe;b</title>'
            "<link>https://e.example/1</link><description>&xxe;</description>"
            "</item></channel></rss>"
        ).encode()
        text = repr(parse(doc))
        assert "root:" not in text
        assert "TOP-SECRET" not in text
    assert no_network == []


@pytest.mark.parametrize("parse", [parse_feed, parse_fast, parse_with_feedparser])
def test_external_dtd_is_not_loaded(parse: Any, tmp_path: Path, no_network: list[Any]) -> None:
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY leak "TOP-SECRET-dtd">', encoding="utf-8")
    doc = (
        f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{dtd.as_uri()}">'
        '<rss version="2.0"><channel><title>t</title><item><title>a&leak;b</title>'
        "<link>https://e.example/1</link></item></channel></rss>"
    ).encode()
    assert "TOP-SECRET" not in repr(parse(doc))
    assert no_network == []


def test_paths_and_urls_as_content_are_not_opened(secret_file: Path, no_network: list[Any]) -> None:
    # feedparser.parse() opens a string it takes for a file name or URL
    for doc in (str(secret_file).encode(), b"/etc/passwd", b"https://127.0.0.1:9/feed.xml"):
        with pytest.raises(FeedError):
            parse_feed(doc)
    assert no_network == []


# --- the conformance corpus, when it is there ---------------------------------------------

CORPUS_FILES = [
    "feedparser/wellformed/rss/item_title.xml",
    "feedparser/wellformed/rss/item_guid.xml",
    "feedparser/wellformed/rss/item_pubDate.xml",
    "feedparser/wellformed/atom10/entry_title.xml",
    "feedparser/wellformed/atom10/entry_content_escaped_markup.xml",
    "feedparser/wellformed/rdf/rss090_item_title.xml",
    "feedparser/wellformed/base/entry_content_xml_base.xml",
    "feedparser/illformed/rss_item_link_corrupted_ampersands.xml",
]


@pytest.mark.skipif(not CORPUS.exists(), reason="shared/eval corpus not available")
def test_agrees_with_feedparser_on_corpus_files() -> None:
    checked = 0
    for name in CORPUS_FILES:
        path = CORPUS / name
        if not path.exists():
            continue
        data = path.read_bytes()
        reference = feeds.from_feedparser(feedparser.parse(io.BytesIO(data)))
        ours: ParsedFeed = parse_feed(data)
        assert len(ours.entries) == len(reference.entries), name
        for a, b in zip(ours.entries, reference.entries, strict=True):
            assert (a.title, a.link, a.id, a.published) == (b.title, b.link, b.id, b.published)
        checked += 1
    assert checked == len(CORPUS_FILES)


def test_large_broken_feed_is_refused_not_repaired_slowly() -> None:
    item = b"<item><title>Q & A</title><link>https://e.example/x</link></item>"  # bare &
    doc = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
    doc += item * (feeds.MAX_FALLBACK_BYTES // len(item) + 10) + b"</channel></rss>"
    with pytest.raises(FeedError, match="slow repairing parser"):
        parse_feed(doc)
    small = doc[: 200 * len(item)] + b"</channel></rss>"
    assert parse_feed(small).parser == "feedparser"  # small broken feeds are still repaired


def test_a_description_made_up_from_content_is_dropped_a_real_one_kept() -> None:
    """fastfeedparser fills a missing description with the content's text; feedparser
    does not. A real description that merely starts like the content is kept."""
    content = "<p>The harbour board met.</p><p>It approved the &amp; budget in full.</p>"
    made_up = "The harbour board met. It approved the & budget in full."
    assert feeds._is_made_up(made_up, content)
    assert not feeds._is_made_up("The harbour board met.", content)  # a real teaser
    assert not feeds._is_made_up("The harbour board met. It approved", content)
    longer = "<p>" + "word " * 80 + "final.</p>\n"
    assert not feeds._is_made_up("word word word", longer)
    assert feeds._is_made_up(("word " * 80 + "final.").strip(), longer)


ZONED_RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>a</title><link>https://t.example/a</link>
<pubDate>Sat, 05 Dec 2026 07:30:00 +0800</pubDate></item>
<item><title>b</title><link>https://t.example/b</link>
<pubDate><![CDATA[ Fri, 04 Dec 2026 21:30:00 -0400 ]]></pubDate></item>
<item><title>c</title><link>https://t.example/c</link>
<pubDate>Sat, 05 Dec 2026 07:30:00 GMT</pubDate></item>
</channel></rss>"""


@pytest.mark.parametrize("parse", [parse_fast, parse_with_feedparser])
def test_both_parsers_keep_the_offset_a_feed_declares(parse: Any) -> None:
    entries = parse(ZONED_RSS).entries
    assert [offset_minutes(e.published) for e in entries] == [480, -240, 0]
    assert [e.published.day for e in entries] == [5, 4, 5]
    assert entries[0].published == datetime(2026, 12, 4, 23, 30, tzinfo=UTC)  # same instant


def test_a_json_feed_keeps_its_offsets() -> None:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Dock",
        "items": [
            {
                "id": "a",
                "url": "https://dock.example/a",
                "date_published": "2026-12-05T07:30:00+08:00",
            }
        ],
    }
    entry = parse_feed(json.dumps(doc).encode()).entries[0]
    assert offset_minutes(entry.published) == 480 and entry.published.day == 5  # type: ignore[union-attr]


@pytest.mark.parametrize("parse", [parse_fast, parse_with_feedparser])
def test_date_elements_in_other_letter_cases_keep_their_offset(parse: Any) -> None:
    # both parsers read <pubdate> and <dc:Date> (as they read <pubDate>): the offsets must be too
    for tag in (b"pubdate", b"PUBDATE", b"dc:Date"):
        doc = ZONED_RSS.replace(b"pubDate>", tag + b">").replace(
            b"<rss ", b'<rss xmlns:dc="http://purl.org/dc/elements/1.1/" '
        )
        entries = parse(doc).entries
        assert [offset_minutes(e.published or e.updated) for e in entries] == [480, -240, 0], tag


def test_an_rss_date_with_a_colon_in_its_offset_is_read_at_its_instant() -> None:
    """fastfeedparser reads "07:30:00 +08:00" as 07:30 UTC, eight hours off: such a
    feed is read by feedparser, and the offset kept."""
    doc = ZONED_RSS.replace(b"07:30:00 +0800", b"07:30:00 +08:00")
    feed = parse_feed(doc)
    assert feed.parser == "feedparser"
    first = feed.entries[0].published
    assert first == datetime(2026, 12, 4, 23, 30, tzinfo=UTC) and offset_minutes(first) == 480


def test_a_date_that_names_its_zone_is_read_alike_by_both_parsers() -> None:
    """feedparser read "JST" and "MEZ" as UTC clock time, fastfeedparser read "JST" at
    its instant but lost its offset and read "MEZ" as UTC: the outlet's day was lost."""
    dated = ["Tue, 09 Dec 2025 07:30:00 JST", "Tue, 09 Dec 2025 00:30:00 MEZ"]
    items = "".join(
        f"<item><title>{n}</title><link>https://t.example/{n}</link><pubDate>{d}</pubDate></item>"
        for n, d in enumerate(dated)
    )
    doc = f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()
    colon = b"<item><title>c</title><link>https://t.example/c</link>"
    colon += b"<pubDate>Tue, 09 Dec 2025 11:00:00 +08:00</pubDate></item></channel>"
    feeds = [parse_feed(doc), parse_feed(doc.replace(b"</channel>", colon))]
    assert [f.parser for f in feeds] == ["fast", "feedparser"]
    for feed in feeds:
        got = [e.published for e in feed.entries[:2]]
        assert got == [
            datetime(2025, 12, 8, 22, 30, tzinfo=UTC),
            datetime(2025, 12, 8, 23, 30, tzinfo=UTC),
        ], feed.parser
        assert [offset_minutes(d) for d in got] == [540, 60]
        assert [d.day for d in got if d] == [9, 9]


LOCAL_DATES = [  # (as the feed writes it, the instant, the offset in minutes)
    ("Di, 01 Dez 2026 10:00:00 +0100", datetime(2026, 12, 1, 9, 0, tzinfo=UTC), 60),
    ("mar., 01 déc. 2026 10:00:00 +0100", datetime(2026, 12, 1, 9, 0, tzinfo=UTC), 60),
    ("mar, 01 dic 2026 10:00:00 +0100", datetime(2026, 12, 1, 9, 0, tzinfo=UTC), 60),
    ("ter, 01 dez 2026 10:00:00 -0300", datetime(2026, 12, 1, 13, 0, tzinfo=UTC), -180),
    ("di, 01 dec 2026 10:00:00 +0100", datetime(2026, 12, 1, 9, 0, tzinfo=UTC), 60),
    ("Di., 01. Dez. 2026 10:00:00 GMT", datetime(2026, 12, 1, 10, 0, tzinfo=UTC), 0),
    ("lun, 01 juin 2026 08:00:00 +0200", datetime(2026, 6, 1, 6, 0, tzinfo=UTC), 120),
    ("mer., 01 juil. 2026 08:00:00 +0200", datetime(2026, 7, 1, 6, 0, tzinfo=UTC), 120),
    ("dim., 01 mars 2026 08:00:00 +0100", datetime(2026, 3, 1, 7, 0, tzinfo=UTC), 60),
    ("ven., 01 mai 2026 08:00:00 +0200", datetime(2026, 5, 1, 6, 0, tzinfo=UTC), 120),
    ("dom, 01 mar 2026 08:00:00 +0100", datetime(2026, 3, 1, 7, 0, tzinfo=UTC), 60),
    ("Tue, 01 Dec 2026 10:00:00 +0100", datetime(2026, 12, 1, 9, 0, tzinfo=UTC), 60),
    ("jeu., 01 jui. 2026 08:00:00 +0200", None, None),  # June or July: not guessed
]


def local_dated_rss(dates: list[str]) -> bytes:
    items = "".join(
        f"<item><title>{n}</title><link>https://l.example/{n}</link><pubDate>{d}</pubDate></item>"
        for n, d in enumerate(dates)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        f"{items}</channel></rss>"
    ).encode()


def test_dates_written_in_other_languages_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """German, French, Spanish, Italian, Portuguese and Dutch day and month names are
    read as their English equivalents, by their place ("mar" is Tuesday before the
    day, March after it), on the fast path, in the offset each declares."""
    fast_only(monkeypatch)
    entries = parse_feed(local_dated_rss([d for d, _, _ in LOCAL_DATES])).entries
    assert [e.published for e in entries] == [when for _, when, _ in LOCAL_DATES]
    assert [offset_minutes(e.published) for e in entries] == [m for _, _, m in LOCAL_DATES]


def test_a_local_date_the_fast_path_cannot_take_is_read_by_feedparser() -> None:
    doc = local_dated_rss(["Di, 01 Dez 2026 10:00:00 +01:00"])  # a colon offset
    feed = parse_feed(doc.decode().replace("utf-8", "iso-8859-1").encode("latin-1"))
    assert feed.parser == "feedparser"
    published = feed.entries[0].published
    assert published == datetime(2026, 12, 1, 9, 0, tzinfo=UTC) and offset_minutes(published) == 60
    latin = local_dated_rss(["mar., 01 déc. 2026 10:00:00 +0100"]).decode()
    latin_doc = latin.replace("utf-8", "iso-8859-1").encode("latin-1")
    assert parse_feed(latin_doc).entries[0].published == datetime(2026, 12, 1, 9, tzinfo=UTC)

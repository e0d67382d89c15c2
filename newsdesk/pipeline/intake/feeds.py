"""Parse RSS, Atom and JSON Feed documents into ParsedFeed.

XML feeds take the fast path (fastfeedparser) when it can be trusted and fall
back to feedparser otherwise. bench/feeds_agreement.py measures how often the
two agree on feedparser's conformance corpus; the fallback rules in
``_distrust_reason`` and ``_untrusted_result`` come from it. JSON Feed is
read with the json module: feedparser 6.0 has no JSON support, and
fastfeedparser keeps only an item's first author and passes non-string values
through.

Meaning of the fields, on both paths (feedparser's conventions):

* ``published`` comes from pubDate, dcterms:issued or atom:published;
  ``updated`` from atom:updated, dc:date or dcterms:modified. Either may be
  None: a consumer wanting one date should use ``published or updated``. Both are
  aware, in the offset the feed declared (UTC when it declared none; ``dates.py``).
  An RFC 822 date whose day or month names are German, French, Spanish, Italian,
  Portuguese or Dutch ("Di, 01 Dez 2026 10:00:00 +0100") is read too: when an
  entry is left without a date, parse_feed writes such dates in English and parses
  again (``dates.english_dates``). A date that names its zone ("10:00:00 MEZ",
  "07:30:00 JST") is read in that zone; a name several zones share (IST, CST) in
  the source's ``time_zone`` when it goes by that name (``dates.numeric_offsets``).
* ``summary`` is the feed's own teaser and ``content`` its full text; each is
  "" when the feed does not carry it. Both are HTML as the feed carries it,
  neither sanitized nor with relative URLs resolved: sanitize before rendering.

Nothing here touches the network or the file system: DOCTYPE internal subsets
are removed before either parser runs (see ``_defuse_doctype``), lxml runs
with ``resolve_entities=False`` inside fastfeedparser, and feedparser is
always handed a stream, never a string it could take for a URL or a file name.
"""

from __future__ import annotations

import codecs
import html
import io
import json
import re
import warnings
from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.parsers import expat

import fastfeedparser
import feedparser

from newsdesk.pipeline.errors import FeedError
from newsdesk.pipeline.intake.dates import (
    DeclaredZones,
    declared_zones,
    english_dates,
    in_declared_zone,
    iso_datetime,
    numeric_offsets,
    struct_datetime,
)
from newsdesk.pipeline.types import FeedEntry, ParsedFeed

#: documents larger than this are refused before any parsing
MAX_FEED_BYTES = 20 * 1024 * 1024
#: feedparser's loose parser reads hostile markup at a few hundred KB/s, so
#: larger documents that need it are refused rather than hold a worker for minutes
MAX_FALLBACK_BYTES = 4 * 1024 * 1024
#: the most bytes that expanding a DOCTYPE's declared entities may add
MAX_ENTITY_EXPANSION = 1024 * 1024

FAST = "fast"
_BOM = b"\xef\xbb\xbf"
FEEDPARSER = "feedparser"


def parse_feed(
    content: bytes, *, url: str = "", content_type: str = "", time_zone: str = ""
) -> ParsedFeed:
    """Parse a feed document; raise FeedError if nothing feed-like is in it.

    ``url`` is where the document came from (the base for relative links);
    ``content_type`` is its HTTP Content-Type, whose charset outranks the XML
    declaration, as in feedparser; ``time_zone`` is the operator's IANA zone for the
    source, which tells what a zone name several zones share means.
    """
    content = _checked(content)
    if _looks_like_json(content):
        return _parse_json_feed(content, url)
    content = _defuse_doctype(content)
    parsed = _parse_xml(content, url, content_type, time_zone)
    if any(e.published is None and e.updated is None for e in parsed.entries):
        # dates neither parser reads, as "Di, 01 Dez 2026 10:00:00 +0100", are read
        # again in English; feeds whose entries all have a date never pay for this
        english = english_dates(content)
        if english is not None:
            parsed = _parse_xml(english, url, content_type, time_zone)
    return parsed


def _parse_xml(content: bytes, url: str, content_type: str, time_zone: str = "") -> ParsedFeed:
    zones = declared_zones(content)  # read once, for whichever parser reads the feed
    if zones.zone_name:  # "10:00:00 MEZ": written as "+0100" for both parsers
        content = numeric_offsets(content, time_zone) or content
        zones = declared_zones(content)
    fast = _try_fast(content, url, content_type, zones)
    if isinstance(fast, ParsedFeed):
        return fast
    if len(content) > MAX_FALLBACK_BYTES:
        raise FeedError(
            f"feed of {len(content):,} bytes needs the slow repairing parser; "
            f"refused above {MAX_FALLBACK_BYTES:,} bytes"
        )
    return _parse_feedparser(content, url, content_type, zones)


def parse_fast(content: bytes, *, url: str = "") -> ParsedFeed:
    """The fast path alone, with no fallback (for benchmarks and tests)."""
    content = _checked(content)
    if _looks_like_json(content):
        return _parse_json_feed(content, url)
    content = _defuse_doctype(content)
    return _parse_fast(content, url, declared_zones(content))


def parse_with_feedparser(content: bytes, *, url: str = "", content_type: str = "") -> ParsedFeed:
    """feedparser alone, with no fast path (for benchmarks and tests)."""
    content = _defuse_doctype(_checked(content))
    return _parse_feedparser(content, url, content_type, declared_zones(content))


def from_feedparser(
    result: Mapping[str, Any], *, url: str = "", zones: Mapping[datetime, tzinfo] | None = None
) -> ParsedFeed:
    """Normalise a feedparser result as parse_feed does (for benchmarks); `zones` are
    the feed's declared offsets (`dates.declared_zones`), UTC without them."""
    feed = result.get("feed") or {}
    link = _link(url, feed.get("link"))
    return ParsedFeed(
        title=_plain_text(feed.get("title")),
        link=link,
        entries=tuple(_feedparser_entry(e, url, zones or {}) for e in result.get("entries") or ()),
        parser=FEEDPARSER,
        language=_text(feed.get("language")),
        bozo=bool(result.get("bozo")),
    )


# --- input ----------------------------------------------------------------------


def _checked(content: bytes) -> bytes:
    if not isinstance(content, bytes | bytearray | memoryview):
        raise FeedError(f"feed content must be bytes, not {type(content).__name__}")
    if len(content) > MAX_FEED_BYTES:
        raise FeedError(f"feed is {len(content):,} bytes, over the {MAX_FEED_BYTES:,} limit")
    if not isinstance(content, bytes):
        content = bytes(content)
    if not content or content.isspace() or (content[3:].isspace() and content[:3] == _BOM):
        raise FeedError("feed is empty")
    return content


def _looks_like_json(content: bytes) -> bool:
    head = content[:64].removeprefix(_BOM).lstrip()
    return head[:1] in (b"{", b"[")


# --- the prolog and its DOCTYPE ---------------------------------------------------

_ENTITY_DECL = re.compile(
    rb"""<!ENTITY\s+([A-Za-z_][\w.-]*)\s+"""
    rb"""(?:"((?:[^"<&%]|&\#\w+;)*)"|'((?:[^'<&%]|&\#\w+;)*)')\s*>"""
)
_PREDEFINED = (b"amp", b"lt", b"gt", b"quot", b"apos")
_FIRST_ELEMENT = re.compile(rb"<\w")
_SPACES = re.compile(rb"\s*")
_SPACE_RUN = re.compile(rb"\s{2,}")
_ROOT = re.compile(rb"<(?:[\w.-]+:)?([\w.-]+)")


def _defuse_doctype(content: bytes) -> bytes:
    """Drop a DOCTYPE's internal subset, expanding its harmless entities in place.

    The internal subset is where "billion laughs" and external-entity attacks
    live, and feedparser's own defence there can be sidestepped (its patterns
    only see declarations that start a line). Plain-text general entities are
    substituted into the body, adding at most MAX_ENTITY_EXPANSION bytes;
    external, parameter and nested entities are dropped, so references to
    them stay undefined. The external identifier stays; no parser loads it.
    """
    start = _doctype_start(content)
    if start >= 0:
        opening, closing = _internal_subset(content, start)
        if opening >= 0:
            end = content.find(b">", closing)
            if end < 0 or content[closing + 1 : end].strip():
                raise FeedError("not a feed: malformed DOCTYPE")
            subset, body = content[opening + 1 : closing], content[end + 1 :]
            content = content[:opening].rstrip() + b">" + _expand_entities(subset, body)
    first = _FIRST_ELEMENT.search(content)
    head = max(_root_start(content), first.start() if first else len(content))
    if b"<!ENTITY" in content[:head]:
        # left where feedparser's loose parser would still honour them
        raise FeedError("not a feed: entity declarations outside a DOCTYPE")
    if first and first.start() > 1024:
        # feedparser's DOCTYPE patterns take time quadratic in the white space here
        content = _SPACE_RUN.sub(b"\n", content[: first.start()]) + content[first.start() :]
    return content


def _expand_entities(subset: bytes, body: bytes) -> bytes:
    budget = MAX_ENTITY_EXPANSION
    for decl in _ENTITY_DECL.finditer(subset):
        name = decl.group(1)
        value = decl.group(2) if decl.group(2) is not None else decl.group(3)
        if value is None or name in _PREDEFINED:
            continue
        ref = b"&" + name + b";"
        budget -= body.count(ref) * max(len(value) - len(ref), 0)
        if budget < 0:
            raise FeedError("not a feed: declared entities expand past the size limit")
        body = body.replace(ref, value)
    return body


def _doctype_start(content: bytes) -> int:
    """Where the prolog's DOCTYPE starts, or -1."""
    start = _after_misc(content, 0)
    return start if content.startswith(b"<!DOCTYPE", start) else -1


def _root_start(content: bytes) -> int:
    """Where the root element should start: after the prolog, DOCTYPE included."""
    start = _after_misc(content, 0)
    if content.startswith(b"<!DOCTYPE", start):
        _, closing = _internal_subset(content, start)
        end = content.find(b">", max(closing, start))
        start = _after_misc(content, end + 1) if end >= 0 else len(content)
    return start


def _root_name(content: bytes) -> bytes:
    """The root element's local name, or b"" if there is none where it should be."""
    match = _ROOT.match(content, _root_start(content))
    return match.group(1) if match else b""


def _after_misc(content: bytes, i: int) -> int:
    """Skip a BOM, white space, processing instructions and comments from i."""
    if i == 0 and content.startswith(_BOM):
        i = len(_BOM)
    while True:
        spaces = _SPACES.match(content, i)
        i = spaces.end() if spaces else i
        if content.startswith(b"<?", i):
            close = b"?>"
        elif content.startswith(b"<!--", i):
            close = b"-->"
        else:
            return i
        end = content.find(close, i + 2)
        if end < 0:
            return len(content)
        i = end + len(close)


def _internal_subset(content: bytes, start: int) -> tuple[int, int]:
    """The '[' and ']' around the DOCTYPE's internal subset, or (-1, -1) if none."""
    i, n = start + len(b"<!DOCTYPE"), len(content)
    opening = -1
    while i < n:
        c = content[i : i + 1]
        if c in (b'"', b"'"):
            i = content.find(c, i + 1)
            if i < 0:
                break
        elif opening < 0 and c == b">":
            return -1, -1
        elif opening < 0 and c == b"[":
            opening = i
        elif opening >= 0 and content.startswith(b"<!--", i):
            i = content.find(b"-->", i + 4)
            if i < 0:
                break
            i += 2
        elif opening >= 0 and c == b"]":
            return opening, i
        i += 1
    raise FeedError("not a feed: unterminated DOCTYPE")


# --- when the fast path is trusted --------------------------------------------------

_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)""")
_BASE64 = re.compile(rb"""mode\s*=\s*["']base64|type\s*=\s*["']application/octet-stream""")
_NOT_PERMALINK = re.compile(rb"""isPermaLink\s*=\s*["']false""")
_BODY = re.compile(rb"<(?:[\w.-]+:)?(?:body|fullitem)\b")
_PUBLISHED_TAGS = (b"pubDate>", b"issued>", b"published>")


def _try_fast(
    content: bytes, url: str, content_type: str, zones: DeclaredZones
) -> ParsedFeed | str:
    """The fast path's result if it can be trusted, else why not."""
    reason = _distrust_reason(content, content_type)
    if reason is not None:
        return reason
    if zones.colon_offset:
        return "colon offset"
    try:
        fast = _parse_fast(content, url, zones)
    except FeedError:
        return "fast path failed"
    return _untrusted_result(fast, content) or fast


def _distrust_reason(content: bytes, content_type: str) -> str | None:
    """Why the fast path should not be tried on this document, or None.

    Each rule is a kind of document on which bench/feeds_agreement.py found
    fastfeedparser to disagree with feedparser.
    """
    if b"xml:base" in content:
        return "xml:base"  # not applied to links by fastfeedparser
    if _doctype_start(content) >= 0:
        return "DOCTYPE"  # entities it may define are dropped by lxml
    encoding = _codec(_declared_encoding(content))
    if encoding not in ("utf-8", "utf-16"):
        return "encoding"  # feedparser repairs cp1252 quotes in latin-1 and the like
    header = _CHARSET.search(content_type)
    if header and _codec(header.group(1)) != encoding:
        return "charset"  # the HTTP charset wins in feedparser
    if (b"base64" in content or b"octet-stream" in content) and _BASE64.search(content):
        return "base64"  # Atom base64 content is not decoded
    if not _well_formed(content):
        return "not well-formed"  # lxml's recovery differs from feedparser's
    return None


def _well_formed(content: bytes) -> bool:
    """Whether expat reads the document without error; no handlers, so no entities."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(content, True)
    except (expat.ExpatError, ValueError, LookupError):
        return False
    return True


def _declared_encoding(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    match = _XML_ENCODING.match(content, len(_BOM) if content.startswith(_BOM) else 0)
    return match.group(1).decode("ascii") if match else "utf-8"


def _codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name.lower()


def _untrusted_result(fast: ParsedFeed, content: bytes) -> str | None:
    """Why a fast-path result should not be used, or None."""
    if not fast.entries:
        return "no entries"  # feedparser tells an empty feed from a non-feed
    if b"isPermaLink" in content and _NOT_PERMALINK.search(content):
        links = content.count(b"<link>") + content.count(b"<link ")
        if links <= len(fast.entries):
            return "guid as link"  # an item lacks a link; fastfeedparser takes the guid
    if any(not e.content for e in fast.entries) and _BODY.search(content):
        return "body"  # feedparser reads xhtml:body, body and fullitem as content
    if b"xhtml" in content and any(not e.title for e in fast.entries):
        return "xhtml title"  # fastfeedparser loses titles made of XHTML markup
    return None


# --- fast path ------------------------------------------------------------------------

_MADE_UP_LEN = 512  # fastfeedparser's length for a description made from content


def _parse_fast(content: bytes, url: str, zones: DeclaredZones) -> ParsedFeed:
    try:
        result = fastfeedparser.parse(
            content, include_tags=False, include_media=False, include_enclosures=False
        )
    except Exception as exc:  # fastfeedparser's own failure on hostile input
        raise FeedError(f"not a feed: {_one_line(exc)}") from exc
    feed = result.get("feed") or {}
    rss = _root_name(content) in (b"rss", b"RDF", b"rdf", b"channel")
    has_published = any(tag in content for tag in _PUBLISHED_TAGS)
    return ParsedFeed(
        title=_plain_text(feed.get("title")),
        link=_link(url, feed.get("link")),
        entries=tuple(
            _fast_entry(entry, url, zones.offsets, rss=rss, has_published=has_published)
            for entry in result.get("entries") or ()
        ),
        parser=FAST,
        language=_text(feed.get("language")) or _rss_language(content),
    )


def _fast_entry(
    entry: Mapping[str, Any],
    base: str,
    zones: Mapping[datetime, tzinfo],
    *,
    rss: bool,
    has_published: bool,
) -> FeedEntry:
    raw_link = _text(entry.get("link"))
    raw_id = _text(entry.get("id")).strip()
    if not rss:  # fastfeedparser's own link may be a self or enclosure link
        raw_link = _alternate_link(entry.get("links"))
        if not raw_link and raw_id in _hrefs(entry.get("links")):
            raw_id = ""  # fastfeedparser's stand-in for a missing id: another link
    if not rss and not raw_link:
        raw_link = raw_id  # an Atom id stands in for a missing link, as in feedparser
    link = _link(base, raw_link)
    summary = _text(entry.get("description"))
    content = _content_html(entry.get("content"))
    if rss and content.strip() == summary.strip():
        content = ""  # an RSS description copied into content
    elif content and _is_made_up(summary, content):
        summary = ""
    published = in_declared_zone(iso_datetime(entry.get("published")), zones)
    updated = in_declared_zone(iso_datetime(entry.get("updated")), zones)
    if not has_published:
        # fastfeedparser files dc:date and friends under published
        published, updated = None, updated or published
    return FeedEntry(
        title=_plain_text(entry.get("title")),
        link=link,
        id=link if link and raw_id == raw_link.strip() else raw_id or link,
        published=published,
        updated=updated,
        summary=summary,
        content=content,
        authors=_author_names(entry.get("authors")),
    )


def _alternate_link(links: Any) -> str:
    """The first alternate link of an Atom entry, as feedparser picks it."""
    if isinstance(links, list):
        for item in links:
            if isinstance(item, Mapping) and item.get("rel") in (None, "", "alternate"):
                return _text(item.get("href"))
    return ""


def _hrefs(links: Any) -> set[str]:
    if not isinstance(links, list):
        return set()
    return {_text(item.get("href")) for item in links if isinstance(item, Mapping)}


def _is_made_up(summary: str, content: str) -> bool:
    """Whether fastfeedparser made this description up from the content.

    It does when an entry has content and no description, taking the first
    512 characters of the content's text; feedparser copies the content.
    """
    summary = summary.strip()
    if not summary or len(summary) > _MADE_UP_LEN or "<" in summary:
        return False
    first = summary.split(None, 1)[0][:24]
    if first not in content and (first.isalnum() or html.escape(first, False) not in content):
        return False  # the cheap test that clears most real descriptions
    if len(summary) == _MADE_UP_LEN:
        return _plain_text(content[: 16 * _MADE_UP_LEN]).startswith(summary)
    if len(content) >= 64 * _MADE_UP_LEN:
        return False
    # the whole text, then: its last word ends the content too (a cheap test first)
    last = summary.rsplit(None, 1)[-1][-24:]
    tail = content[-(len(last) + 256) :]
    if last not in tail and (last.isalnum() or html.escape(last, False) not in tail):
        return False
    return _plain_text(content) == summary


# --- feedparser ------------------------------------------------------------------------


def _parse_feedparser(
    content: bytes, url: str, content_type: str, zones: DeclaredZones
) -> ParsedFeed:
    # Any header makes feedparser treat the document as served over HTTP and
    # flag a missing Content-Type, so give the neutral one; it leaves the
    # encoding to the XML declaration.
    headers = {"content-type": content_type or "application/xml"}
    if url:
        headers["content-location"] = url
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = feedparser.parse(
                io.BytesIO(content),  # a stream: never taken for a URL or a file name
                response_headers=headers,
                # Raw HTML, as on the fast path; sanitizing here would also cost time
                # quadratic in some markup (unclosed comments), a denial of service.
                resolve_relative_uris=False,
                sanitize_html=False,
            )
    except Exception as exc:  # feedparser's own failure on hostile input
        raise FeedError(f"not a feed: feedparser failed ({_one_line(exc)})") from exc
    parsed = from_feedparser(result, url=url, zones=zones.offsets)
    if not parsed.entries:
        if not result.get("version"):
            root = _root_name(content).decode("ascii", "replace")
            found = f" (the root element is <{root}>)" if root else ""
            raise FeedError(f"not a feed: no RSS, Atom or RDF document found{found}")
        if result.get("bozo"):
            problem = _one_line(result.get("bozo_exception", "malformed"))
            raise FeedError(f"not a feed: malformed and without entries ({problem})")
    return parsed


def _feedparser_entry(
    entry: Mapping[str, Any], base: str, zones: Mapping[datetime, tzinfo]
) -> FeedEntry:
    # dict.get, because FeedParserDict.get maps a missing "updated" to "published"
    fields: dict[str, Any] = dict(entry)
    link = _link(base, fields.get("link"))
    summary = _text(fields.get("summary"))
    content = _content_html(fields.get("content"))
    if summary == content:
        summary = ""  # feedparser copies content into a missing summary
    return FeedEntry(
        title=_plain_text(fields.get("title")),
        link=link,
        id=_text(fields.get("id")).strip() or link,
        published=in_declared_zone(struct_datetime(fields.get("published_parsed")), zones),
        updated=in_declared_zone(struct_datetime(fields.get("updated_parsed")), zones),
        summary=summary,
        content=content,
        authors=_author_names(fields.get("authors")),
    )


# --- JSON Feed ----------------------------------------------------------------------------


def _parse_json_feed(content: bytes, url: str) -> ParsedFeed:
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise FeedError(f"not a feed: invalid JSON ({_one_line(exc)})") from exc
    if not isinstance(data, dict):
        raise FeedError("not a feed: the JSON document is not an object")
    items = data.get("items")
    if "jsonfeed.org/version/" not in _text(data.get("version")) or not isinstance(items, list):
        raise FeedError("not a feed: the JSON document is not a JSON Feed")
    base = url or _link("", data.get("feed_url"))  # what was fetched outranks a claim
    return ParsedFeed(
        title=_plain_text(data.get("title")),
        link=_link(base, data.get("home_page_url")),
        entries=tuple(_json_entry(item, base) for item in items if isinstance(item, dict)),
        parser=FAST,
        language=_text(data.get("language")),
    )


def _json_entry(item: Mapping[str, Any], base: str) -> FeedEntry:
    link = _link(base, item.get("url")) or _link(base, item.get("external_url"))
    content = _text(item.get("content_html"))
    if not content and item.get("content_text"):
        content = html.escape(_text(item.get("content_text")))
    authors = item.get("authors")  # JSON Feed 1.1; 1.0 had a single "author"
    if not isinstance(authors, list):
        authors = [item.get("author")]
    return FeedEntry(
        title=_plain_text(item.get("title")),
        link=link,
        id=_text(item.get("id")).strip() or link,
        published=iso_datetime(item.get("date_published")),
        updated=iso_datetime(item.get("date_modified")),
        summary=_text(item.get("summary")),
        content=content,
        authors=_author_names(authors),
    )


# --- normalisation -------------------------------------------------------------------------

_TAG = re.compile(
    r"<(script|style)\b.*?</\1\s*>|<!--.*?-->|<!\[CDATA\[|\]\]>|</?[A-Za-z!][^<>]*>",
    re.DOTALL | re.IGNORECASE,
)
_SPACE = re.compile(r"\s+")
_NAME_IN_PARENS = re.compile(r"^\S+@\S+\s*\((.+)\)$")
_EMAIL_IN_PARENS = re.compile(r"^(.+?)\s*\(\S+@\S+\)$")
_EMAIL = re.compile(r"^[^\s@]+@[^\s@]+$")
_LANGUAGE = re.compile(rb"<(?:dc:)?language>\s*([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*)\s*<")


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _plain_text(value: Any) -> str:
    """Plain text: tags dropped, entities decoded, whitespace collapsed."""
    text = _text(value)
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    return " ".join(text.split())


def _link(base: str, value: Any) -> str:
    """An absolute http(s) URL resolved against base; "" for other schemes."""
    link = _text(value).strip()
    if not link or link[:8].lower().startswith(("http://", "https://")):
        return link
    try:
        absolute = urljoin(base, link) if base else link
        scheme = urlsplit(absolute).scheme.lower()
    except ValueError:
        return ""
    if scheme in ("http", "https") or (not scheme and not base):
        return absolute  # without a base a relative link is the best there is
    return ""


def _content_html(value: Any) -> str:
    """The first non-empty content block, as HTML (a plain-text block is escaped)."""
    if not isinstance(value, list):
        return ""
    for block in value:
        if isinstance(block, Mapping) and (body := _text(block.get("value"))):
            if _text(block.get("type")).lower() in ("text", "text/plain"):
                return html.escape(body)
            return body
    return ""


def _author_names(value: Any) -> tuple[str, ...]:
    """Names only: "a@example.com (Name)" and "Name (a@example.com)" give Name."""
    names: list[str] = []
    for author in value if isinstance(value, list) else ():
        if not isinstance(author, Mapping):
            continue
        name = _plain_text(author.get("name"))
        if "@" in name:
            match = _NAME_IN_PARENS.match(name) or _EMAIL_IN_PARENS.match(name)
            name = match.group(1).strip() if match else name
            if _EMAIL.match(name):
                continue
        if name and name not in names:
            names.append(name)
    return tuple(names)


def _rss_language(content: bytes) -> str:
    match = _LANGUAGE.search(content, 0, 16384)
    return match.group(1).decode("ascii") if match else ""


def _one_line(exc: object) -> str:
    return (_SPACE.sub(" ", str(exc)).strip() or type(exc).__name__)[:200]

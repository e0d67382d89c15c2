"""Deciding what an arriving article is: which text, which date, which URL.

Pure decisions over already-fetched data, so they are tested without I/O.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from newsdesk.pipeline.dedupe import fingerprint, normalise_words, signature
from newsdesk.pipeline.errors import InputError, error_kind, one_line
from newsdesk.pipeline.intake.feeds import parse_feed
from newsdesk.pipeline.intake.sanitize import (
    Fragment,
    read_fragment,
    text_to_html,
)
from newsdesk.pipeline.intake.urls import canonicalize
from newsdesk.pipeline.text import plain_line, word_count
from newsdesk.pipeline.types import (
    Arrival,
    ArticleDraft,
    Extracted,
    FeedEntry,
    ParsedFeed,
    TextSource,
)

#: a feed item with at least this many words of content (or, lacking that, of
#: summary: some feeds put the whole article there) is taken as full text
FULL_TEXT_WORDS = 150
#: the longest URL stored (the URL columns' size): a longer declared canonical URL or
#: redirect target is not kept; callers refuse longer links before they get here
MAX_URL_LENGTH = 2000
#: the outlet's column (a page's og:site_name, a pasted or bookmarked host name may be longer)
MAX_OUTLET_LENGTH = 200
#: feed and page dates further apart than this are reported to the editor
DATE_TOLERANCE = timedelta(hours=36)
#: a publication time later than its arrival by more than this (clock skew) is wrong
FUTURE_TOLERANCE = timedelta(minutes=15)


_PAYWALL = re.compile(
    r"subscribe (now )?to (continue|keep) reading|to continue reading|already a subscriber"
    r"|subscribers only|sign in to (read|continue)|log in to (read|continue)"
    r"|this article is (only )?(available )?(for|to) subscribers",
    re.IGNORECASE,
)


def strip_paywall(text: str) -> tuple[str, bool]:
    """Cut a paywall box off the end of extracted text; say whether one was found."""
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if number and _PAYWALL.search(line) and len(line.split()) < 40:
            return "\n".join(lines[:number]).strip(), True
    return text, False


def _no_nul(text: str) -> str:
    """NUL characters (seen in JSON feeds) are meaningless in text and PostgreSQL refuses them."""
    return text.replace("\x00", "") if "\x00" in text else text


def feed_has_full_text(entry: FeedEntry) -> bool:
    """Whether the feed carries the whole article, in its content or in a summary as
    long (an Atom <summary> or RSS <description> holding the text, no <content>)."""
    return (
        read_fragment(entry.content).words >= FULL_TEXT_WORDS
        or read_fragment(entry.summary).words >= FULL_TEXT_WORDS
    )


def choose_date(
    feed_date: datetime | None, page_date: datetime | None
) -> tuple[datetime | None, str]:
    """Pick the publication time and explain any disagreement.

    The page's own declaration wins when it carries a time of day (it is the
    publisher's record); a bare page date loses to a feed timestamp on the same day.
    A page time in UTC is put on the clock the feed declared (the outlet's day).
    """
    if feed_date is None or page_date is None:
        return feed_date or page_date, ""
    note = ""
    if abs(feed_date - page_date) > DATE_TOLERANCE:
        feed_utc, page_utc = feed_date.astimezone(UTC), page_date.astimezone(UTC)
        note = (
            f"feed says {feed_utc:%Y-%m-%d %H:%M}Z, page says {page_utc:%Y-%m-%d %H:%M}Z; "
            "used the page's date"
        )
        return page_date, note
    page_is_bare_date = not page_date.utcoffset() and (
        (page_date.hour, page_date.minute, page_date.second) == (0, 0, 0)
    )
    if page_is_bare_date and page_date.date() == feed_date.date():  # the outlet's day
        return feed_date, note
    if not page_date.utcoffset() and feed_date.utcoffset():
        return page_date.astimezone(feed_date.tzinfo), note  # on the clock the feed gave
    return page_date, note


def not_in_future(published: datetime | None, now: datetime) -> tuple[datetime | None, str]:
    """A publication time after the article arrived (a feed's wrong offset, a scheduled
    post's date) is replaced by the arrival, on the clock the outlet declared, and noted:
    a far-future date would keep the article out of every week and at the top of lists."""
    if published is None or published <= now + FUTURE_TOLERANCE:
        return published, ""
    note = f"dated {published.astimezone(UTC):%Y-%m-%d %H:%M}Z, in the future; used its arrival"
    return now.astimezone(published.tzinfo), note


def declared_canonical(url: str, *, base: str) -> str:
    """The canonical URL a page declares, or "" when it is malformed: a page's own
    mistake costs it its rel=canonical, not its text."""
    try:
        return canonicalize(url, base=base)
    except InputError:
        return ""


def build_article(
    *,
    link: str,
    outlet: str,
    arrival: Arrival,
    entry: FeedEntry | None = None,
    page: Extracted | None = None,
    page_url: str = "",
    page_error: str = "",
    canonical_link: str = "",
) -> ArticleDraft:
    """Combine a feed entry and/or an extracted page into one article.

    The page's text is used unless it is missing or shorter than what the feed
    carried (a paywall stub), in which case the feed's content or teaser is kept
    and the reason recorded.
    """
    notes: list[str] = []
    content = read_fragment(entry.content) if entry else Fragment("", "", 0)
    content_html, feed_content = content.html, content.text
    summary = read_fragment(entry.summary) if entry else Fragment("", "", 0)
    feed_teaser = summary.text
    feed_text, feed_html, feed_kind = "", "", TextSource.TEASER
    if feed_content and content.words >= summary.words:
        feed_text, feed_html, feed_kind = feed_content, content_html, TextSource.FEED
    elif summary.words >= FULL_TEXT_WORDS:  # the whole article, given as the summary
        feed_text, feed_html, feed_kind = feed_teaser, summary.html, TextSource.FEED
    elif feed_teaser:
        feed_text, feed_html = feed_teaser, text_to_html(feed_teaser)

    page_text, paywalled = strip_paywall(page.text) if page is not None else ("", False)
    if page is not None and paywalled:
        notes.append("the page is paywalled")
    if page is not None and word_count(page_text) >= word_count(feed_text):
        html = text_to_html(page_text) if paywalled else page.html
        # what a paywall lets everyone read is an opening, not the article
        text, source = page_text, TextSource.TEASER if paywalled else TextSource.PAGE
    else:
        text, html, source = feed_text, feed_html, feed_kind
        if page is not None:
            notes.append("page text shorter than the feed's; kept the feed's text")
        elif page_error:
            notes.append(f"page not used: {page_error}")

    if arrival is Arrival.PASTED:
        source = TextSource.PASTED
    canonical = canonical_link or canonicalize(link)
    if len(canonical) > MAX_URL_LENGTH:  # what is left after tracking parameters went
        canonical = link
    originals = [link]
    if page is not None:
        if page.canonical_url:
            declared = declared_canonical(page.canonical_url, base=page_url or link)
            if declared.startswith(("http://", "https://")) and len(declared) <= MAX_URL_LENGTH:
                canonical = declared
        if page_url and page_url != link and len(page_url) <= MAX_URL_LENGTH:
            originals.append(page_url)

    published, date_note = choose_date(
        entry.published or entry.updated if entry else None, page.published if page else None
    )
    if arrival is not Arrival.PASTED:  # an editor's date is checked where it is typed
        published, future = not_in_future(published, datetime.now(UTC))
        date_note = "; ".join(filter(None, (date_note, future)))
    title = (entry.title if entry and entry.title else "") or (page.title if page else "")
    authors = (entry.authors if entry and entry.authors else ()) or (page.authors if page else ())
    words = normalise_words(text or title)
    return ArticleDraft(
        url=canonical,
        original_urls=tuple(dict.fromkeys(originals)),
        title=plain_line(title) or canonical,
        text=_no_nul(text),
        html=_no_nul(html),
        outlet=plain_line(outlet or (page.site_name if page else ""))[:MAX_OUTLET_LENGTH].strip(),
        authors=tuple(plain_line(a) for a in authors),
        published=published,
        language=page.language if page else "",
        teaser=_no_nul(feed_teaser[:2000]),
        arrival=arrival,
        text_source=source,
        fingerprint=fingerprint(text or title, words),
        date_note=date_note,
        notes=tuple(notes),
        signature=signature(text, words) if text else None,
    )


@dataclass(frozen=True, slots=True)
class PreparedEntries:
    """A feed's new entries after intake: articles ready to store, and entries whose
    pages must be fetched first (the feed carries only a teaser)."""

    drafts: tuple[ArticleDraft, ...]
    need_pages: tuple[FeedEntry, ...]
    #: the feed link each draft was built from, in the same order
    draft_links: tuple[str, ...] = ()
    #: entries that could not be prepared: (link, error kind, one-line message)
    failures: tuple[tuple[str, str, str], ...] = ()

    def __reduce__(self) -> tuple[Any, ...]:
        # between processes as plain tuples: a third of the time pickle takes for objects
        drafts = list(map(_draft_values, self.drafts))
        return (_prepared_from, (drafts, self.need_pages, self.draft_links, self.failures))


_draft_values = operator.attrgetter(*(f.name for f in fields(ArticleDraft)))


def _prepared_from(
    drafts: list[tuple[Any, ...]],
    need_pages: tuple[FeedEntry, ...],
    links: tuple[str, ...],
    failures: tuple[tuple[str, str, str], ...],
) -> PreparedEntries:
    return PreparedEntries(tuple(ArticleDraft(*d) for d in drafts), need_pages, links, failures)


def prepare_entries(
    entries: Sequence[FeedEntry],
    *,
    outlet: str,
    fetch_pages: bool = True,
    canonical: Mapping[str, str] | None = None,
) -> PreparedEntries:
    """Build every entry that needs no page fetch; pure, so it runs in a worker process.

    `canonical` carries the links' canonical forms when read_feed computed them. An
    entry that cannot be built is listed in `failures`; the others go on.
    """
    canonical = canonical or {}
    drafts: list[ArticleDraft] = []
    links: list[str] = []
    need_pages: list[FeedEntry] = []
    failures: list[tuple[str, str, str]] = []
    for entry in entries:
        try:
            if feed_has_full_text(entry) or not fetch_pages:
                drafts.append(
                    build_article(
                        link=entry.link,
                        outlet=outlet,
                        arrival=Arrival.FEED,
                        entry=entry,
                        canonical_link=canonical.get(entry.link, ""),
                    )
                )
                links.append(entry.link)
            else:
                need_pages.append(entry)
        except Exception as exc:  # one odd entry must not cost the feed's others
            failures.append((entry.link, error_kind(exc), one_line(exc)))
    return PreparedEntries(tuple(drafts), tuple(need_pages), tuple(links), tuple(failures))


@dataclass(frozen=True, slots=True)
class ReadFeed:
    """A parsed feed, each entry's link, and the canonical form of each link (computed
    where it was parsed, in a worker process, so the main process only looks them up);
    with `prepare`, also its entries prepared in the same trip to the worker. The
    feed's entries then stay behind (the drafts carry what the main process needs, and
    `links` what it counts): a tenth of the time to copy the result between processes."""

    feed: ParsedFeed
    canonical: dict[str, str]
    prepared: PreparedEntries = PreparedEntries((), ())
    #: every entry's link, in the feed's order (entries without one give "")
    links: tuple[str, ...] = ()
    #: new entries past `Preparing.most`, left for the next poll
    deferred: int = 0


@dataclass(frozen=True, slots=True)
class Preparing:
    """How read_feed should prepare a feed's entries: the source's outlet, whether
    teaser-only entries need their pages, the links already stored for the source
    (not prepared again: re-polling a changed feed costs only its new entries), and
    the most new entries one poll prepares (the first in the feed's order; a feed of
    40,000 links does not make one poll fetch 40,000 pages)."""

    outlet: str
    fetch_pages: bool = True
    skip: frozenset[str] = frozenset()
    most: int = 500


def read_feed(
    content: bytes,
    *,
    url: str,
    content_type: str = "",
    prepare: Preparing | None = None,
    time_zone: str = "",
) -> ReadFeed:
    """`time_zone` is the operator's zone for the source (`feeds.parse_feed`)."""
    feed = parse_feed(content, url=url, content_type=content_type, time_zone=time_zone)
    links = tuple(e.link for e in feed.entries)
    canonical = {}
    for entry in feed.entries:
        if entry.link and entry.link not in canonical:
            try:
                canonical[entry.link] = canonicalize(entry.link)
            except ValueError:  # the main process decides what to do with odd links
                continue
    if prepare is None:
        return ReadFeed(feed, canonical, links=links)
    wanted = [
        e
        for e in feed.entries
        if e.link and len(e.link) <= MAX_URL_LENGTH and e.link not in prepare.skip
    ]
    # one article a link: a link listed again (another guid, the same link with other
    # tracking parameters) is neither fetched again nor stored again; the first entry
    # in the feed's order gives the title and teaser
    first: dict[str, FeedEntry] = {}
    for e in wanted:
        first.setdefault(canonical.get(e.link, e.link), e)
    wanted = list(first.values())
    deferred = max(len(wanted) - prepare.most, 0)
    wanted = wanted[: prepare.most]
    prepared = prepare_entries(
        [e for e in wanted if e.link in canonical],
        outlet=prepare.outlet,
        fetch_pages=prepare.fetch_pages,
        canonical=canonical,
    )
    if unusable := [e.link for e in wanted if e.link not in canonical]:
        bad = tuple((link, "url-bad", "not a usable URL") for link in unusable)
        prepared = replace(prepared, failures=prepared.failures + bad)
    return ReadFeed(replace(feed, entries=()), canonical, prepared, links, deferred)
